/* Parsing DW_AT_producer (see producer.h). */
#include "config.h"

#include "producer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ISA flag state, from -march's level and -m[no-]FEATURE flags. */
enum { F_SSE42, F_AVX, F_AVX2, F_AVX512F, F_FMA, NFEAT };

static const struct {
	const char *name;
	int feat;
} feature_flags[] = {
    {"sse4.2", F_SSE42}, {"avx", F_AVX}, {"avx2", F_AVX2}, {"avx512f", F_AVX512F}, {"fma", F_FMA},
};

/* -march values and the widest feature each implies. */
static const struct {
	const char *march;
	int level; /* -1: none beyond SSE2, else the F_ feature */
} cpus[] = {
    {"x86-64", -1},
    {"x86-64-v2", F_SSE42},
    {"x86-64-v3", F_AVX2},
    {"x86-64-v4", F_AVX512F},
    {"nehalem", F_SSE42},
    {"westmere", F_SSE42},
    {"silvermont", F_SSE42},
    {"sandybridge", F_AVX},
    {"ivybridge", F_AVX},
    {"haswell", F_AVX2},
    {"broadwell", F_AVX2},
    {"skylake", F_AVX2},
    {"alderlake", F_AVX2},
    {"raptorlake", F_AVX2},
    {"meteorlake", F_AVX2},
    {"znver1", F_AVX2},
    {"znver2", F_AVX2},
    {"znver3", F_AVX2},
    {"bdver4", F_AVX2},
    {"btver2", F_AVX},
    {"skylake-avx512", F_AVX512F},
    {"cascadelake", F_AVX512F},
    {"cooperlake", F_AVX512F},
    {"icelake-client", F_AVX512F},
    {"icelake-server", F_AVX512F},
    {"tigerlake", F_AVX512F},
    {"rocketlake", F_AVX512F},
    {"sapphirerapids", F_AVX512F},
    {"graniterapids", F_AVX512F},
    {"znver4", F_AVX512F},
    {"znver5", F_AVX512F},
};

static void
set_level(bool *feat, int level)
{
	/* each level includes the ones below it (FMA comes with AVX2 CPUs) */
	if (level >= F_SSE42)
		feat[F_SSE42] = true;
	if (level >= F_AVX)
		feat[F_AVX] = true;
	if (level >= F_AVX2)
		feat[F_AVX2] = feat[F_FMA] = true;
	if (level >= F_AVX512F)
		feat[F_AVX512F] = true;
}

static char *
dup_n(const char *s, size_t n)
{
	char *r = ws_xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static bool
is_version(const char *w, size_t n)
{
	return n && isdigit((unsigned char)w[0]);
}

static int
major(const char *version)
{
	return version ? atoi(version) : 0;
}

/* What the flags say about the ISA: -march's level (-2: unknown, -1: the
 * baseline, else an F_ feature) and each -m[no-]FEATURE (-1: not given). */
struct isa_flags {
	int march_level;
	bool march_known;
	int explicit[NFEAT];
};

/* One flag (NUL-terminated word starting with '-'). */
static void
flag(struct ws_producer *p, const char *w, struct isa_flags *isa)
{
	if (w[1] == 'O') {
		const char *o = w + 2;
		if (!*o)
			o = "1";
		size_t ol = strlen(o);
		if (2 + ol < sizeof p->opt) {
			memcpy(p->opt, "-O", 2);
			memcpy(p->opt + 2, o, ol + 1);
		}
		if (!strcmp(o, "fast"))
			p->fast_math = true;
		return;
	}
	if (!strncmp(w, "-march=", 7)) {
		free(p->march);
		p->march = ws_xstrdup(w + 7);
		p->native = !strcmp(p->march, "native");
		isa->march_known = false;
		for (size_t i = 0; i < sizeof cpus / sizeof cpus[0]; i++)
			if (!strcmp(cpus[i].march, p->march)) {
				isa->march_level = cpus[i].level;
				isa->march_known = true;
			}
		return;
	}
	if (!strncmp(w, "-mtune=", 7)) {
		free(p->mtune);
		p->mtune = ws_xstrdup(w + 7);
		return;
	}
	if (!strcmp(w, "-ffast-math"))
		p->fast_math = true;
	else if (!strcmp(w, "-fno-fast-math"))
		p->fast_math = false;
	else if (!strcmp(w, "-ffp-contract=off"))
		p->fp_contract_off = true;
	else if (!strncmp(w, "-ffp-contract=", 14))
		p->fp_contract_off = false;
	else if (!strcmp(w, "-ftree-vectorize") || !strcmp(w, "-ftree-loop-vectorize") ||
		 !strcmp(w, "-fvectorize"))
		p->tree_vectorize = 1;
	else if (!strcmp(w, "-fno-tree-vectorize") || !strcmp(w, "-fno-tree-loop-vectorize") ||
		 !strcmp(w, "-fno-vectorize"))
		p->tree_vectorize = 0;
	else if (!strncmp(w, "-m", 2)) {
		bool on = strncmp(w, "-mno-", 5) != 0;
		const char *name = on ? w + 2 : w + 5;
		for (size_t i = 0; i < sizeof feature_flags / sizeof feature_flags[0]; i++)
			if (!strcmp(name, feature_flags[i].name))
				isa->explicit[feature_flags[i].feat] = on;
	}
}

/* The vector ISA the flags allow: -march's level, raised by -mFEATURE
 * (which implies the features below it), lowered by -mno-FEATURE (which
 * takes the ones above it too), as GCC does whatever their order. */
static void
resolve_isa(struct ws_producer *p, const struct isa_flags *isa, bool baseline_default)
{
	bool feat[NFEAT] = {0}, known = isa->march_known || (!p->march && baseline_default);
	if (isa->march_known)
		set_level(feat, isa->march_level);
	for (int f = 0; f < NFEAT; f++)
		if (isa->explicit[f] == 1) {
			known = true;
			for (int g = f == F_FMA ? F_FMA : F_SSE42; g <= f; g++)
				feat[g] = true;
		}
	for (int f = 0; f < NFEAT; f++)
		if (isa->explicit[f] == 0) {
			feat[f] = false;
			for (int g = f + 1; f != F_FMA && g < F_FMA; g++)
				feat[g] = false;
		}
	if (isa->explicit[F_FMA] == 0)
		feat[F_FMA] = false;
	if (!known)
		return;
	p->isa_bits = 128;
	p->isa = feat[F_SSE42] ? "SSE4.2" : "SSE2";
	if (feat[F_AVX])
		p->isa_bits = 256, p->isa = "AVX";
	if (feat[F_AVX2])
		p->isa_bits = 256, p->isa = "AVX2";
	if (feat[F_AVX512F])
		p->isa_bits = 512, p->isa = "AVX-512F";
	p->fma = feat[F_FMA];
}

void
ws_producer_parse(const char *text, struct ws_producer *out)
{
	struct ws_producer *p = out;
	memset(p, 0, sizeof *p);
	p->tree_vectorize = -1;
	p->vectoriser = -1;
	p->text = ws_xstrdup(text ? text : "");
	const char *s = p->text;
	struct isa_flags isa = {.march_level = -1};
	for (int i = 0; i < NFEAT; i++)
		isa.explicit[i] = -1;

	/* the words before the flags */
	const char *clang = strstr(s, "clang version ");
	const char *flags = NULL;
	if (!strncmp(s, "GNU AS ", 7)) {
		p->cc = WS_CC_OTHER;
		p->assembler = true;
		p->compiler = ws_xstrdup("GNU as");
		size_t n = strcspn(s + 7, " ");
		p->version = n ? dup_n(s + 7, n) : NULL;
		flags = s + 7 + n;
	} else if (!strncmp(s, "GNU ", 4)) {
		p->cc = WS_CC_GCC;
		p->compiler = ws_xstrdup("GCC");
		/* GNU LANGUAGE... VERSION: the language may be two words ("GNU
		 * Fortran2008"?), the version is the first word with a digit first */
		const char *w = s + 4, *lang = w;
		while (*w) {
			size_t n = strcspn(w, " ");
			if (is_version(w, n)) {
				size_t ln = (size_t)(w - lang);
				while (ln && lang[ln - 1] == ' ')
					ln--;
				p->language = ln ? dup_n(lang, ln) : NULL;
				p->version = dup_n(w, n);
				flags = w + n;
				break;
			}
			w += n;
			while (*w == ' ')
				w++;
		}
	} else if (clang) {
		p->cc = WS_CC_CLANG;
		p->compiler = ws_xstrdup("clang");
		const char *v = clang + 14;
		size_t n = strcspn(v, " ");
		p->version = n ? dup_n(v, n) : NULL;
		flags = v + n;
	} else if (*s) {
		p->cc = WS_CC_OTHER;
		const char *w = s;
		while (*w) {
			size_t n = strcspn(w, " ");
			if (is_version(w, n) || *w == '-') {
				size_t cn = (size_t)(w - s);
				while (cn && s[cn - 1] == ' ')
					cn--;
				p->compiler = cn ? dup_n(s, cn) : NULL;
				if (*w != '-')
					p->version = dup_n(w, n), w += n;
				flags = w;
				break;
			}
			w += n;
			while (*w == ' ')
				w++;
		}
		if (!p->compiler)
			p->compiler = ws_xstrdup(s);
	}
	if (!p->compiler)
		p->compiler = ws_xstrdup("unknown");

	for (const char *w = flags; w && *w;) {
		while (*w == ' ')
			w++;
		size_t n = strcspn(w, " ");
		if (n && w[0] == '-' && n < 256) {
			char word[256];
			memcpy(word, w, n);
			word[n] = '\0';
			p->flags_recorded = true;
			flag(p, word, &isa);
		}
		w += n;
	}
	/* GCC records -march=x86-64 when none was given; an old one may not */
	resolve_isa(p, &isa, p->cc == WS_CC_GCC && p->flags_recorded);

	/* did the loop vectoriser run? */
	if (!p->flags_recorded)
		return;
	const char *o = p->opt[0] ? p->opt + 2 : "0";
	bool o2 = !strcmp(o, "2") || !strcmp(o, "s") || !strcmp(o, "z");
	bool o3 = !strcmp(o, "3") || !strcmp(o, "fast");
	if (p->cc == WS_CC_GCC) {
		if (p->tree_vectorize >= 0)
			p->vectoriser = p->tree_vectorize;
		else
			p->vectoriser = o3 || (o2 && major(p->version) >= 12);
	} else if (p->cc == WS_CC_CLANG) {
		if (p->tree_vectorize >= 0)
			p->vectoriser = p->tree_vectorize;
		else
			p->vectoriser = o2 || o3;
	}
}

bool
ws_producer_baseline(const struct ws_producer *p)
{
	if (p->native)
		return false;
	if (p->isa)
		return !strcmp(p->isa, "SSE2");
	return !p->march || !strcmp(p->march, "x86-64");
}

void
ws_producer_free(struct ws_producer *p)
{
	free(p->text);
	free(p->compiler);
	free(p->version);
	free(p->language);
	free(p->march);
	free(p->mtune);
	memset(p, 0, sizeof *p);
}
