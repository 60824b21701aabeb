/* The vectorisation analysis: instruction mixes of the hottest functions
 * and loops, how they were built, and a verdict (see vector.h). */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hmap.h"
#include "optrecord.h"
#include "util.h"
#include "loops.h"
#include "vector.h"

enum {
	MAX_CODE = 4 << 20, /* bytes of one function disassembled at most */
	MAX_HOT_LOOPS = 3,
	MAX_REMARKS = 6,
};
#define HOT_LOOP_SHARE 0.10 /* of the function's samples */
#define SCALAR_BELOW 25.0
#define VECTORISED_FROM 75.0

const char *
ws_vclass_name(enum ws_vclass c)
{
	switch (c) {
	case WS_VEC_NO_FP:
		return "no-fp";
	case WS_VEC_SCALAR:
		return "scalar";
	case WS_VEC_PARTLY:
		return "partly";
	case WS_VEC_VECTORISED:
		return "vectorised";
	}
	return "?";
}

const char *
ws_elem_name(enum ws_elem e)
{
	switch (e) {
	case WS_ELEM_SINGLE:
		return "single";
	case WS_ELEM_DOUBLE:
		return "double";
	case WS_ELEM_X87:
		return "x87";
	case WS_ELEM_NONE:
		break;
	}
	return "none";
}

/* ---- gathering samples by function ---- */

struct hit {
	uint64_t offset; /* from the function's start */
	uint64_t count;
};

struct fn {
	/* identity: module and start in the file; or, when it could not be
	 * read, the symboliser's name for it */
	const char *module, *name;
	uint64_t file_start;
	bool ok;
	const char *why;
	struct ws_code code;		/* when ok */
	const struct wsr_process *proc; /* one process it ran in */
	uint64_t first_ip;
	uint64_t samples;
	struct hit *hits;
	size_t nhits, cap;
};

/* A sampled address already looked up: its function and that function's
 * run-time start in the process. */
struct ipentry {
	const struct wsr_process *p;
	uint64_t ip;
	struct fn *f;
	uint64_t start;
};

struct gather {
	struct ws_symbolizer *sym;
	struct ws_hmap map; /* struct fn */
	struct fn **v;
	size_t n;
	struct ws_hmap ips; /* struct ipentry */
	struct ipentry **all_ips;
	size_t nips;
};

static bool
ip_eq(const void *entry, const void *key)
{
	const struct ipentry *a = entry, *b = key;
	return a->p == b->p && a->ip == b->ip;
}

struct fkey {
	const char *module, *name;
	uint64_t file_start;
	bool ok;
};

static bool
fn_eq(const void *entry, const void *key)
{
	const struct fn *a = entry;
	const struct fkey *k = key;
	return a->ok == k->ok && a->module == k->module &&
	       (k->ok ? a->file_start == k->file_start : a->name == k->name);
}

static void
add_hit(struct fn *f, uint64_t offset, uint64_t count)
{
	/* consecutive stacks often share the address: merge with the last */
	if (f->nhits && f->hits[f->nhits - 1].offset == offset) {
		f->hits[f->nhits - 1].count += count;
		return;
	}
	if (f->nhits == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->hits = ws_xrealloc(f->hits, f->cap * sizeof *f->hits);
	}
	f->hits[f->nhits++] = (struct hit){offset, count};
}

static void
gather_sample(struct gather *g, const struct wsr_process *p, uint64_t ip, uint64_t count)
{
	struct ipentry key = {p, ip, NULL, 0};
	uint64_t ih = ws_hash_ptr(p, ip);
	struct ipentry *known = ws_hmap_find(&g->ips, ih, ip_eq, &key);
	if (known) {
		known->f->samples += count;
		if (known->f->ok)
			add_hit(known->f, ip - known->start, count);
		return;
	}
	struct ws_code code;
	const char *why = NULL;
	struct fkey k = {0};
	if (ws_symbolizer_code(g->sym, p, ip, &code, &why) == 0) {
		k = (struct fkey){code.module, code.function, code.file_start, true};
	} else {
		const struct ws_frame *fr;
		size_t n = ws_symbolize(g->sym, p, ip, false, &fr);
		k = (struct fkey){fr[n - 1].module, fr[n - 1].function, 0, false};
	}
	uint64_t h = ws_hash_ptr(k.module, k.ok ? k.file_start : (uint64_t)(uintptr_t)k.name);
	struct fn *f = ws_hmap_find(&g->map, h, fn_eq, &k);
	if (!f) {
		f = ws_xcalloc(1, sizeof *f);
		f->module = k.module;
		f->name = k.name;
		f->file_start = k.file_start;
		f->ok = k.ok;
		f->why = why;
		if (k.ok)
			f->code = code;
		f->proc = p;
		f->first_ip = ip;
		ws_hmap_insert(&g->map, h, f);
		g->v = ws_xrealloc(g->v, (g->n + 1) * sizeof *g->v);
		g->v[g->n++] = f;
	}
	f->samples += count;
	if (f->ok)
		add_hit(f, ip - code.start, count);
	known = ws_xmalloc(sizeof *known);
	*known = (struct ipentry){p, ip, f, f->ok ? code.start : 0};
	ws_hmap_insert(&g->ips, ih, known);
	g->all_ips = ws_xrealloc(g->all_ips, (g->nips + 1) * sizeof *g->all_ips);
	g->all_ips[g->nips++] = known;
}

static int
cmp_fn(const void *a, const void *b)
{
	const struct fn *x = *(struct fn *const *)a, *y = *(struct fn *const *)b;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return strcmp(x->module, y->module);
}

/* ---- mixes ---- */

static void
mix_add(struct ws_mix *m, const struct ws_insn *in, double w)
{
	m->instructions += w;
	if (in->call)
		m->calls += w;
	switch (in->cls) {
	case WS_INSN_FP_ARITH:
		if (in->packed) {
			m->packed[in->elem == WS_ELEM_DOUBLE] += w;
			if (in->width == 128)
				m->width[0] += w;
			else if (in->width == 256)
				m->width[1] += w;
			else if (in->width == 512)
				m->width[2] += w;
		} else {
			m->scalar[in->elem == WS_ELEM_DOUBLE ? 1
				  : in->elem == WS_ELEM_X87  ? 2
							     : 0] += w;
		}
		if (in->fma)
			m->fma += w;
		break;
	case WS_INSN_FP_OTHER:
		m->fp_other += w;
		break;
	case WS_INSN_INT_SIMD:
		m->int_simd += w;
		break;
	case WS_INSN_OTHER:
		break;
	}
}

static void
mix_scaled_add(struct ws_mix *to, const struct ws_mix *from, double k)
{
	to->instructions += k * from->instructions;
	for (int i = 0; i < 3; i++) {
		to->scalar[i] += k * from->scalar[i];
		to->width[i] += k * from->width[i];
	}
	for (int i = 0; i < 2; i++)
		to->packed[i] += k * from->packed[i];
	to->fma += k * from->fma;
	to->fp_other += k * from->fp_other;
	to->int_simd += k * from->int_simd;
	to->calls += k * from->calls;
}

static void
summarise(const struct ws_mix *m, struct ws_vfacts *f)
{
	memset(f, 0, sizeof *f);
	double packed = m->packed[0] + m->packed[1];
	double single = m->scalar[0] + m->packed[0], dbl = m->scalar[1] + m->packed[1];
	f->fp = packed + m->scalar[0] + m->scalar[1] + m->scalar[2];
	f->fma = m->fma > 0;
	if (f->fp <= 0) {
		f->vclass = WS_VEC_NO_FP;
		return;
	}
	f->packed_percent = 100.0 * packed / f->fp;
	f->vector_bits = m->width[2] > 0 ? 512 : m->width[1] > 0 ? 256 : m->width[0] > 0 ? 128 : 0;
	f->elem = dbl >= single && dbl >= m->scalar[2] ? WS_ELEM_DOUBLE
		  : single >= m->scalar[2]	       ? WS_ELEM_SINGLE
						       : WS_ELEM_X87;
	f->vclass = f->packed_percent < SCALAR_BELOW	   ? WS_VEC_SCALAR
		    : f->packed_percent >= VECTORISED_FROM ? WS_VEC_VECTORISED
							   : WS_VEC_PARTLY;
}

/* ---- code: instructions and loops ---- */

/* A loop of the function (loops.h: its shape) and what this analysis
 * counts in it. */
struct loop {
	const struct ws_loop *shape; /* start, end, parent, depth, has_child */
	struct ws_mix own_stat, sampled;
	size_t own_n;
	uint64_t samples, own_samples;
};

struct code {
	struct ws_loops lk;  /* instructions, loops, each instruction's loop */
	struct loop *loops; /* parallel to lk.loops */
};

/* Disassemble c, find its loops, and count each loop's own instructions. */
static void
build_code(struct ws_disasm *d, const struct ws_code *c, struct code *k)
{
	ws_loops_build(d, c, MAX_CODE, &k->lk);
	k->loops = ws_xcalloc(k->lk.nloops + 1, sizeof *k->loops);
	for (size_t j = 0; j < k->lk.nloops; j++)
		k->loops[j].shape = &k->lk.loops[j];
	for (size_t i = 0; i < k->lk.n; i++) {
		int l = k->lk.loop_of[i];
		if (l >= 0) {
			mix_add(&k->loops[l].own_stat, &k->lk.in[i], 1.0);
			k->loops[l].own_n++;
		}
	}
}

static void
code_free(struct code *k)
{
	ws_loops_free(&k->lk);
	free(k->loops);
	memset(k, 0, sizeof *k);
}

/* ---- verdicts ---- */

static const char *
elem_word(enum ws_elem e, bool plural)
{
	switch (e) {
	case WS_ELEM_SINGLE:
		return plural ? "floats" : "float";
	case WS_ELEM_X87:
		return plural ? "long doubles" : "x87 long double";
	default:
		return plural ? "doubles" : "double";
	}
}

/* The ISA a packed width of this code needs, named by what it was built for. */
static const char *
width_isa(unsigned bits, const struct ws_producer *pr)
{
	if (bits == 256 && pr && pr->isa && !strcmp(pr->isa, "AVX2"))
		return "AVX2";
	if (bits == 512)
		return "AVX-512";
	return ws_width_isa(bits);
}

/* ", built with -O2 -fno-tree-vectorize and no -march" and the like. */
static void
build_clause(struct ws_text *t, const struct ws_producer *pr)
{
	if (!pr) {
		ws_textf(t, ", no DWARF to say how it was built (compile with -g)");
		return;
	}
	if (pr->assembler) {
		ws_textf(t, ", hand-written assembly (%s%s%s)", pr->compiler, pr->version ? " " : "",
		     pr->version ? pr->version : "");
		return;
	}
	if (!pr->flags_recorded) {
		ws_textf(t, ", built by %s%s%s (its flags are not recorded%s)", pr->compiler,
		     pr->version ? " " : "", pr->version ? pr->version : "",
		     pr->cc == WS_CC_CLANG ? ": -grecord-command-line records them" : "");
		return;
	}
	ws_textf(t, ", built with %s", pr->opt[0] ? pr->opt : "no -O (-O0)");
	if (pr->tree_vectorize == 0)
		ws_textf(t, " -fno-tree-vectorize");
	else if (pr->tree_vectorize == 1 && pr->cc == WS_CC_GCC)
		ws_textf(t, " -ftree-vectorize");
	if (pr->fast_math && strcmp(pr->opt, "-Ofast"))
		ws_textf(t, " -ffast-math");
	if (pr->march && strcmp(pr->march, "x86-64"))
		ws_textf(t, " -march=%s", pr->native ? "native" : pr->march);
	else if (ws_producer_baseline(pr))
		ws_textf(t, " and no -march");
	else /* e.g. glibc's -mavx2 -mfma variants */
		ws_textf(t, " -m%s%s",
		     pr->isa_bits == 512	? "avx512f"
		     : !strcmp(pr->isa, "AVX2") ? "avx2"
		     : !strcmp(pr->isa, "AVX")	? "avx"
						: "sse4.2",
		     pr->fma ? " -mfma" : "");
}

static void
cpu_clause(struct ws_text *t, const struct ws_vfacts *f, const struct ws_producer *pr,
	   const struct ws_machine_isa *cpu, bool vectoriser_off)
{
	unsigned elem_bits = f->elem == WS_ELEM_SINGLE ? 32 : 64;
	ws_textf(t, "; this CPU could do %u %s per instruction with %s", cpu->bits / elem_bits,
	     elem_word(f->elem, true), cpu->widest);
	bool baseline = !pr || !pr->flags_recorded || ws_producer_baseline(pr);
	if (pr && pr->assembler)
		return;
	if (vectoriser_off && baseline)
		ws_textf(t, " (-O3 -march=native, or -O2 -ftree-vectorize -march=native)");
	else if (vectoriser_off)
		ws_textf(t, " (-O3, or -O2 -ftree-vectorize)");
	else if (baseline)
		ws_textf(t, " (-march=native, once the loop vectorises)");
}

static char *
verdict(const struct ws_vfacts *f, const struct ws_mix *m, bool loop, const struct ws_producer *pr,
	const struct ws_machine_isa *cpu, const struct ws_vremark *remarks, size_t nremarks)
{
	struct ws_text t = {NULL};
	const char *what = loop ? "loop" : "code";
	const char *missed = NULL;
	for (size_t i = 0; i < nremarks && !missed; i++)
		if (strcmp(remarks[i].kind, "passed"))
			missed = remarks[i].text;
	bool baseline = !pr || !pr->flags_recorded || ws_producer_baseline(pr);
	switch (f->vclass) {
	case WS_VEC_NO_FP:
		ws_textf(&t, "no floating-point arithmetic in this %s", what);
		if (m->int_simd > 0 && m->instructions > 0)
			ws_textf(&t, " (%.0f %% of its instructions integer SIMD)",
			     100.0 * m->int_simd / m->instructions);
		else
			ws_textf(&t, ": integer, memory or control work");
		break;
	case WS_VEC_SCALAR: {
		ws_textf(&t, "scalar %s %s, %.0f %% packed", elem_word(f->elem, false), what,
		     f->packed_percent);
		build_clause(&t, pr);
		int vec = pr ? pr->vectoriser : -1;
		if (f->elem == WS_ELEM_X87) {
			ws_textf(&t, ": x87 arithmetic (long double) has no SIMD form; double or float "
				 "would vectorise");
			break;
		}
		if (vec == 0 && pr->tree_vectorize == 0)
			ws_textf(&t, ": the vectoriser was off");
		else if (vec == 0)
			ws_textf(&t, ": the vectoriser does not run at %s (%s)",
			     pr->opt[0] ? pr->opt : "-O0",
			     pr->cc == WS_CC_GCC ? "GCC vectorises from -O2 since GCC 12, "
						   "-O3 before"
						 : "it runs from -O2");
		else if (missed)
			ws_textf(&t, ": the compiler did not vectorise it (%s: %s)",
			     pr ? pr->compiler : "compiler", missed);
		else if (vec == 1)
			ws_textf(&t, ": the compiler did not vectorise it");
		if (m->calls > 0)
			ws_textf(&t,
			     "; the %s calls a function, which vectorises only with a SIMD "
			     "variant (glibc's libmvec, under -ffast-math) or when inlined",
			     what);
		cpu_clause(&t, f, pr, cpu, vec == 0);
		break;
	}
	case WS_VEC_PARTLY:
		ws_textf(&t,
		     "partly vectorised: %.0f %% of FP instructions packed, %u-bit (%s), the "
		     "rest scalar (a remainder or fallback loop that runs, a reduction, or a "
		     "part the compiler could not vectorise)",
		     f->packed_percent, f->vector_bits, width_isa(f->vector_bits, pr));
		if (missed)
			ws_textf(&t, "; %s: %s", pr ? pr->compiler : "compiler", missed);
		break;
	case WS_VEC_VECTORISED:
		ws_textf(&t, "vectorised: %.0f %% of FP instructions packed, %u-bit (%s), %s",
		     f->packed_percent, f->vector_bits, width_isa(f->vector_bits, pr),
		     f->fma ? "FMA used" : "no FMA");
		if (!f->fma && cpu->fma) {
			if (pr && pr->fp_contract_off)
				ws_textf(&t, " (-ffp-contract=off)");
			else if (baseline && pr && pr->flags_recorded)
				ws_textf(&t, " (FMA needs -march=native or -mfma)");
		}
		if (m->fp_other >= 4 * f->fp)
			ws_textf(&t,
			     "; %.0f data moves and shuffles per FP operation: the data layout "
			     "(an array of structs, a stride) costs more than the arithmetic",
			     m->fp_other / f->fp);
		if (f->vector_bits < cpu->bits) {
			unsigned elem_bits = f->elem == WS_ELEM_SINGLE ? 32 : 64;
			ws_textf(&t, "; this CPU has %u-bit %s: %u %s per instruction instead of %u",
			     cpu->bits, cpu->widest, cpu->bits / elem_bits,
			     elem_word(f->elem, true), f->vector_bits / elem_bits);
			if (baseline)
				ws_textf(&t, " with -march=native");
			else if (cpu->bits == 512 && f->vector_bits == 256 && pr &&
				 pr->cc == WS_CC_GCC)
				ws_textf(&t, " with -mprefer-vector-width=512");
		}
		break;
	}
	return t.s;
}

/* ---- one function ---- */

/* How much a remark explains: 3 a cause (aliasing, dependences, a
 * reduction, calls, the cost model, FP reordering), 2 a "not vectorized:"
 * summary, 1 anything else, 0 the generic ones; "passed" remarks first. */
static int
remark_score(const struct ws_remark *r)
{
	static const char *const causes[] = {
	    "alias",  "dependence",	"reduc",	   "call",
	    "cost",   "not beneficial", "reorder",	   "unsafe",
	    "stride", "control flow",	"vectorized loop", NULL};
	static const char *const generic[] = {"couldn't vectorize loop",
					      "bad data references",
					      "step unknown",
					      "Unknown misalignment",
					      "some scalar iterations",
					      "loop not vectorized",
					      NULL};
	if (!strcmp(r->kind, "passed"))
		return 4;
	for (const char *const *c = causes; *c; c++)
		if (strstr(r->text, *c) && !strstr(r->text, "no vectype"))
			return 3;
	if (!strncmp(r->text, "not vectorized:", 15) && !strstr(r->text, "no vectype"))
		return 2;
	for (const char *const *g = generic; *g; g++)
		if (!strncmp(r->text, *g, strlen(*g)) && strlen(r->text) < strlen(*g) + 3)
			return 0;
	return strstr(r->text, "no vectype") ? 0 : 1;
}

static void
copy_remarks(struct ws_optrecords *rec, const char *path, struct ws_vloop *l)
{
	const struct ws_remark **r;
	size_t n = ws_optrecord_remarks(rec, path, l->file, l->first_line, l->last_line, &r);
	/* best first, the record's order among equals */
	const struct ws_remark **sorted = ws_xcalloc(n + 1, sizeof *sorted);
	size_t k = 0;
	for (int score = 4; score >= 0; score--)
		for (size_t i = 0; i < n; i++)
			if (remark_score(r[i]) == score)
				sorted[k++] = r[i];
	if (k > MAX_REMARKS)
		k = MAX_REMARKS;
	l->remarks = ws_xcalloc(k + 1, sizeof *l->remarks);
	for (size_t i = 0; i < k; i++) {
		l->remarks[i].kind = sorted[i]->kind;
		l->remarks[i].file = ws_xstrdup(sorted[i]->file);
		l->remarks[i].line = sorted[i]->line;
		l->remarks[i].text = ws_xstrdup(sorted[i]->text);
	}
	l->nremarks = k;
	free(sorted);
}

/* The CU's source file exists here: the user may rebuild it (unlike a
 * system library's). */
static bool
source_here(const struct ws_code *c)
{
	if (!c->cu_name)
		return false;
	char *path = c->cu_name[0] == '/' || !c->comp_dir
			 ? ws_xstrdup(c->cu_name)
			 : ws_xasprintf("%s/%s", c->comp_dir, c->cu_name);
	bool ok = access(path, R_OK) == 0;
	free(path);
	return ok;
}

static int
cmp_hot(const void *a, const void *b)
{
	const struct loop *x = *(struct loop *const *)a, *y = *(struct loop *const *)b;
	if (x->own_samples != y->own_samples)
		return x->own_samples > y->own_samples ? -1 : 1;
	return (x->shape->start > y->shape->start) - (x->shape->start < y->shape->start);
}

static void
analyse(struct ws_disasm *d, struct ws_symbolizer *sym, struct ws_optrecords *rec,
	const struct ws_machine_isa *cpu, const struct fn *f, struct ws_vfunction *out)
{
	const struct ws_code *c = &f->code;
	out->start = c->file_start;
	out->size = c->size;
	out->source = c->cu_name;
	if (c->producer) {
		out->have_producer = true;
		ws_producer_parse(c->producer, &out->producer);
	}
	struct code k = {0};
	build_code(d, c, &k);
	for (size_t i = 0; i < k.lk.n; i++)
		mix_add(&out->stat, &k.lk.in[i], 1.0);

	/* the samples: in a loop, or on one instruction */
	for (size_t h = 0; h < f->nhits; h++) {
		uint64_t a = c->file_start + f->hits[h].offset;
		double w = (double)f->hits[h].count;
		long i = ws_loops_insn_at(&k.lk, a);
		if (i < 0)
			continue;
		int l = k.lk.loop_of[i];
		if (l < 0) {
			mix_add(&out->sampled, &k.lk.in[i], w);
			continue;
		}
		k.loops[l].own_samples += f->hits[h].count;
		for (int p = l; p >= 0; p = k.loops[p].shape->parent)
			k.loops[p].samples += f->hits[h].count;
	}
	for (size_t j = 0; j < k.lk.nloops; j++) {
		struct loop *l = &k.loops[j];
		if (l->own_samples && l->own_n)
			mix_scaled_add(&l->sampled, &l->own_stat,
				       (double)l->own_samples / (double)l->own_n);
		mix_scaled_add(&out->sampled, &l->sampled, 1.0);
	}
	summarise(&out->sampled, &out->facts);

	/* the hot loops */
	const struct ws_producer *pr = out->have_producer ? &out->producer : NULL;
	/* a build that asked for no record made none: one found is another
	 * build's (ws_optrecord_expected) */
	const char *record = c->cu_name && ws_optrecord_expected(pr)
				 ? ws_optrecord_find(rec, c->comp_dir, c->cu_name, c->module,
						     pr ? pr->cc : WS_CC_UNKNOWN)
				 : NULL;
	out->opt_record = record ? ws_xstrdup(record) : NULL;
	struct loop **hot = ws_xcalloc(k.lk.nloops + 1, sizeof *hot);
	size_t nhot = 0;
	for (size_t j = 0; j < k.lk.nloops; j++)
		if (k.loops[j].own_samples > 0 &&
		    (double)k.loops[j].own_samples >= HOT_LOOP_SHARE * (double)f->samples)
			hot[nhot++] = &k.loops[j];
	if (nhot > 1)
		qsort(hot, nhot, sizeof *hot, cmp_hot);
	if (nhot > MAX_HOT_LOOPS)
		nhot = MAX_HOT_LOOPS;
	out->nall_loops = k.lk.nloops;
	out->nloops = nhot;
	out->loops = ws_xcalloc(nhot + 1, sizeof *out->loops);
	bool any_not_vectorised = false;
	for (size_t j = 0; j < nhot; j++) {
		const struct loop *l = hot[j];
		struct ws_vloop *o = &out->loops[j];
		o->start = l->shape->start;
		o->end = l->shape->end;
		o->offset = l->shape->start - c->file_start;
		o->depth = l->shape->depth;
		o->innermost = !l->shape->has_child;
		o->samples = l->samples;
		o->own_samples = l->own_samples;
		o->percent = ws_percent(l->own_samples, f->samples);
		o->sampled = l->sampled;
		o->stat = l->own_stat;
		summarise(&o->sampled, &o->facts);
		ws_loop_source(sym, f->proc, &f->code, k.lk.in, k.lk.n, l->shape->start, l->shape->end,
			       &o->file,
			       &o->first_line, &o->last_line);
		if (record && o->file)
			copy_remarks(rec, record, o);
		o->verdict =
		    verdict(&o->facts, &o->sampled, true, pr, cpu, o->remarks, o->nremarks);
		any_not_vectorised |=
		    o->facts.vclass == WS_VEC_SCALAR || o->facts.vclass == WS_VEC_PARTLY;
	}
	out->verdict = verdict(&out->facts, &out->sampled, false, pr, cpu, NULL, 0);
	if (!record && source_here(c) && pr && (pr->cc == WS_CC_GCC || pr->cc == WS_CC_CLANG) &&
	    (any_not_vectorised || out->facts.vclass == WS_VEC_SCALAR ||
	     out->facts.vclass == WS_VEC_PARTLY))
		out->opt_record_hint = ws_xasprintf(
		    "no optimisation record for %s: rebuild it with -fsave-optimization-record "
		    "and the compiler's reasons show here (%s writes it next to the object, as %s)",
		    ws_basename(c->cu_name), pr->compiler,
		    pr->cc == WS_CC_GCC ? "OBJECT.c.opt-record.json.gz" : "OBJECT.opt.yaml");
	free(hot);
	code_free(&k);
}

int
ws_vector_build(const struct wsr_profile *prof, const struct ws_filter *filter,
		struct ws_symbolizer *sym, size_t max_functions, double min_percent,
		struct ws_vector *out, const char **why)
{
	memset(out, 0, sizeof *out);
	struct ws_disasm *d = ws_disasm_open(why);
	if (!d)
		return -1;
	ws_machine_isa(&out->cpu);
	out->samples = ws_filtered_samples(prof, filter);

	struct gather g = {.sym = sym};
	ws_hmap_init(&g.map);
	ws_hmap_init(&g.ips);
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(filter, p, t))
				continue;
			for (uint32_t s = 0; s < t->info.stack_count; s++) {
				const struct wsr_stack *st = &t->stacks[s];
				if (st->count && st->nframes)
					gather_sample(&g, p, st->ips[0], st->count);
			}
		}
	}
	if (g.n > 1)
		qsort(g.v, g.n, sizeof *g.v, cmp_fn);
	out->nfunctions = g.n;
	out->fns = ws_xcalloc(g.n + 1, sizeof *out->fns);
	struct ws_optrecords *rec = ws_optrecords_new();
	for (size_t i = 0; i < g.n; i++) {
		const struct fn *f = g.v[i];
		if (!f->ok)
			out->unanalysed += f->samples;
		if (max_functions && out->nfns >= max_functions)
			continue;
		double pct = ws_percent(f->samples, out->samples);
		if (pct < min_percent)
			continue;
		struct ws_vfunction *o = &out->fns[out->nfns++];
		o->function = f->ok ? f->code.function : f->name;
		o->module = f->module;
		o->samples = f->samples;
		o->percent = pct;
		o->error = ws_error_margin(f->samples, out->samples);
		const struct ws_frame *fr;
		size_t n = ws_symbolize(sym, f->proc, f->first_ip, false, &fr);
		o->file = fr[n - 1].decl_file;
		o->line = fr[n - 1].decl_line;
		if (!f->ok)
			o->why_not = ws_xstrdup(f->why ? f->why : "its code cannot be read");
		else
			analyse(d, sym, rec, &out->cpu, f, o);
	}
	ws_optrecords_free(rec);
	for (size_t i = 0; i < g.n; i++) {
		free(g.v[i]->hits);
		free(g.v[i]);
	}
	free(g.v);
	ws_hmap_free(&g.map);
	for (size_t i = 0; i < g.nips; i++)
		free(g.all_ips[i]);
	free(g.all_ips);
	ws_hmap_free(&g.ips);
	ws_disasm_close(d);
	return 0;
}

void
ws_vector_free(struct ws_vector *v)
{
	for (size_t i = 0; i < v->nfns; i++) {
		struct ws_vfunction *f = &v->fns[i];
		for (size_t j = 0; j < f->nloops; j++) {
			struct ws_vloop *l = &f->loops[j];
			for (size_t r = 0; r < l->nremarks; r++) {
				free(l->remarks[r].file);
				free(l->remarks[r].text);
			}
			free(l->remarks);
			free(l->verdict);
		}
		free(f->loops);
		free(f->why_not);
		free(f->verdict);
		free(f->opt_record);
		free(f->opt_record_hint);
		if (f->have_producer)
			ws_producer_free(&f->producer);
	}
	free(v->fns);
	memset(v, 0, sizeof *v);
}
