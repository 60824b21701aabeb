/* Reading GCC's and clang's optimisation records (see optrecord.h). */
#include "config.h"

#include "optrecord.h"

#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "json_read.h"
#include "symbolize.h"
#include "util.h"

enum { MAX_BYTES = 256 << 20 };

struct recfile {
	char *path;
	time_t mtime;
	struct ws_remark *v;
	size_t n, cap;
	char **files; /* basenames of the source files it mentions */
	size_t nfiles;
};

/* The record files under a directory, searched once. */
struct listing {
	char *root;
	char **paths;
	size_t n;
};

struct found {
	char *key; /* comp_dir \n cu_name \n module */
	const char *path;
};

struct ws_optrecords {
	struct recfile **files;
	size_t nfiles;
	struct found *found;
	size_t nfound;
	const struct ws_remark ***answers; /* what ws_optrecord_remarks() returned */
	size_t nanswers;
	struct listing *listings;
	size_t nlistings;
};

struct ws_optrecords *
ws_optrecords_new(void)
{
	return ws_xcalloc(1, sizeof(struct ws_optrecords));
}

void
ws_optrecords_free(struct ws_optrecords *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nfiles; i++) {
		struct recfile *f = o->files[i];
		for (size_t k = 0; k < f->n; k++) {
			free(f->v[k].function);
			free(f->v[k].file);
			free(f->v[k].text);
		}
		for (size_t k = 0; k < f->nfiles; k++)
			free(f->files[k]);
		free(f->files);
		free(f->v);
		free(f->path);
		free(f);
	}
	free(o->files);
	for (size_t i = 0; i < o->nfound; i++)
		free(o->found[i].key);
	free(o->found);
	for (size_t i = 0; i < o->nanswers; i++)
		free(o->answers[i]);
	free(o->answers);
	for (size_t i = 0; i < o->nlistings; i++) {
		for (size_t k = 0; k < o->listings[i].n; k++)
			free(o->listings[i].paths[k]);
		free(o->listings[i].paths);
		free(o->listings[i].root);
	}
	free(o->listings);
	free(o);
}

/* ---- reading files ---- */

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* The whole file, gunzipped when it is gzip (gzread passes plain files
 * through); NULL when unreadable or too large. */
static char *
slurp(const char *path, size_t *len)
{
	gzFile g = gzopen(path, "rb");
	if (!g)
		return NULL;
	size_t n = 0, cap = 1 << 16;
	char *b = ws_xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= MAX_BYTES) {
				free(b);
				gzclose(g);
				return NULL;
			}
			cap *= 2;
			b = ws_xrealloc(b, cap);
		}
		int r = gzread(g, b + n, (unsigned)(cap - n));
		if (r < 0) {
			free(b);
			gzclose(g);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	gzclose(g);
	*len = n;
	return b;
}

static void
mention(struct recfile *f, const char *file)
{
	const char *base = ws_basename(file);
	for (size_t i = 0; i < f->nfiles; i++)
		if (!strcmp(f->files[i], base))
			return;
	f->files = ws_xrealloc(f->files, (f->nfiles + 1) * sizeof *f->files);
	f->files[f->nfiles++] = ws_xstrdup(base);
}

/* White space runs (newlines included) as one blank, none at the ends. */
static char *
one_line(const char *s, size_t n)
{
	char *r = ws_xmalloc(n + 1);
	size_t k = 0;
	bool blank = false;
	for (size_t i = 0; i < n && s[i]; i++) {
		if (isspace((unsigned char)s[i])) {
			blank = k > 0;
			continue;
		}
		if (blank)
			r[k++] = ' ';
		blank = false;
		r[k++] = s[i];
	}
	r[k] = '\0';
	return r;
}

static void
add_remark(struct recfile *f, const char *kind, const char *pass, const char *function,
	   const char *file, double line, double column, const char *text, size_t textlen)
{
	char *t = one_line(text, textlen);
	if (!*t || !file || !(line >= 1 && line < 1e9)) {
		free(t);
		return;
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->v = ws_xrealloc(f->v, f->cap * sizeof *f->v);
	}
	struct ws_remark *r = &f->v[f->n++];
	r->kind = kind;
	r->pass = pass;
	r->function = function ? ws_xstrdup(function) : NULL;
	r->file = ws_xstrdup(file);
	r->line = (unsigned)line;
	r->column = column >= 0 && column < 1e9 ? (unsigned)column : 0;
	r->text = t;
}

/* -- GCC -- */

struct passmap {
	const char **id, **name;
	size_t n;
};

static void
gcc_passes(const struct ws_jvalue *v, struct passmap *m, int depth)
{
	if (!v || v->type != WS_JARRAY || depth > 64)
		return;
	for (size_t i = 0; i < v->n; i++) {
		const char *id = ws_json_str(ws_json_get(&v->items[i], "id"));
		const char *name = ws_json_str(ws_json_get(&v->items[i], "name"));
		if (id && name) {
			m->id = ws_xrealloc(m->id, (m->n + 1) * sizeof *m->id);
			m->name = ws_xrealloc(m->name, (m->n + 1) * sizeof *m->name);
			m->id[m->n] = id;
			m->name[m->n++] = name;
		}
		gcc_passes(ws_json_get(&v->items[i], "children"), m, depth + 1);
	}
}

static const char *
pass_name(const struct passmap *m, const char *id)
{
	for (size_t i = 0; id && i < m->n; i++)
		if (!strcmp(m->id[i], id))
			return m->name[i];
	return NULL;
}

static void
gcc_message(const struct ws_jvalue *msg, char **text, size_t *len)
{
	size_t n = 0;
	char *t = ws_xstrdup("");
	for (size_t i = 0; msg && msg->type == WS_JARRAY && i < msg->n; i++) {
		const struct ws_jvalue *it = &msg->items[i];
		const char *s = ws_json_str(it);
		if (!s)
			s = ws_json_str(ws_json_get(it, "expr"));
		if (!s)
			s = ws_json_str(ws_json_get(it, "stmt"));
		if (!s)
			s = ws_json_str(ws_json_get(it, "symtab_node"));
		if (!s)
			continue;
		size_t l = strlen(s);
		t = ws_xrealloc(t, n + l + 1);
		memcpy(t + n, s, l + 1);
		n += l;
	}
	*text = t;
	*len = n;
}

static void
gcc_records(struct recfile *f, const struct ws_jvalue *v, const struct passmap *m,
	    const char *function, int depth)
{
	if (!v || v->type != WS_JARRAY || depth > 64)
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct ws_jvalue *r = &v->items[i];
		const char *fn = ws_json_str(ws_json_get(r, "function"));
		if (!fn)
			fn = function;
		const char *kind = ws_json_str(ws_json_get(r, "kind"));
		const struct ws_jvalue *loc = ws_json_get(r, "location");
		const char *file = ws_json_str(ws_json_get(loc, "file"));
		const struct ws_jvalue *line = ws_json_get(loc, "line");
		const struct ws_jvalue *col = ws_json_get(loc, "column");
		if (file)
			mention(f, file);
		const char *pass = pass_name(m, ws_json_str(ws_json_get(r, "pass")));
		if (kind && pass && !strcmp(pass, "vect") && line && line->type == WS_JNUMBER &&
		    (!strcmp(kind, "failure") || !strcmp(kind, "success"))) {
			char *text;
			size_t len;
			gcc_message(ws_json_get(r, "message"), &text, &len);
			/* the first line says it; the rest is dump detail (costs) */
			char *nl = strchr(text, '\n');
			if (nl)
				*nl = '\0', len = (size_t)(nl - text);
			add_remark(f, !strcmp(kind, "failure") ? "missed" : "passed", "vect", fn,
				   file, line->number,
				   col && col->type == WS_JNUMBER ? col->number : 0, text, len);
			free(text);
		}
		gcc_records(f, ws_json_get(r, "children"), m, fn, depth + 1);
	}
}

static void
read_gcc(struct recfile *f, const char *text, size_t len)
{
	struct ws_jvalue doc;
	char *why = NULL;
	if (ws_json_parse(text, len, &doc, &why) < 0) {
		free(why);
		return;
	}
	if (doc.type == WS_JARRAY && doc.n >= 3) {
		struct passmap m = {0};
		gcc_passes(&doc.items[1], &m, 0);
		gcc_records(f, &doc.items[2], &m, NULL, 0);
		free(m.id);
		free(m.name);
	}
	ws_json_free(&doc);
}

/* -- clang -- */

/* A YAML scalar, unquoted ('it''s', "a \"b\"", plain). */
static char *
yaml_scalar(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	char *r = ws_xmalloc(n + 1);
	size_t k = 0;
	if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'') {
		for (size_t i = 1; i + 1 < n; i++) {
			r[k++] = s[i];
			if (s[i] == '\'' && i + 2 < n && s[i + 1] == '\'')
				i++;
		}
	} else if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		for (size_t i = 1; i + 1 < n; i++) {
			if (s[i] == '\\' && i + 2 < n) {
				i++;
				r[k++] = s[i] == 'n' ? ' ' : s[i] == 't' ? ' ' : s[i];
			} else {
				r[k++] = s[i];
			}
		}
	} else {
		memcpy(r, s, n);
		k = n;
	}
	r[k] = '\0';
	return r;
}

/* Key: value in a flow map "{ File: a.c, Line: 3, Column: 2 }". */
static char *
flow_value(const char *map, const char *key)
{
	size_t kl = strlen(key);
	const char *p = map;
	while ((p = strstr(p, key))) {
		bool start = p == map || p[-1] == '{' || p[-1] == ' ' || p[-1] == ',';
		if (start && p[kl] == ':') {
			const char *v = p + kl + 1;
			while (*v == ' ')
				v++;
			size_t n;
			if (*v == '\'' || *v == '"') {
				const char *q = v + 1;
				while (*q && !(*q == *v && q[1] != *v))
					q += *q == *v ? 2 : 1;
				n = (size_t)(q - v) + (*q ? 1 : 0);
			} else {
				n = strcspn(v, ",}");
			}
			return yaml_scalar(v, n);
		}
		p += kl;
	}
	return NULL;
}

struct ydoc {
	char *kind, *pass, *function, *file;
	unsigned line, column;
	char *text;
	size_t len;
};

static void
ydoc_end(struct recfile *f, struct ydoc *d)
{
	if (d->file)
		mention(f, d->file);
	if (d->kind && d->pass && !strcmp(d->pass, "loop-vectorize") && d->file && d->line) {
		const char *kind = !strcmp(d->kind, "Passed")	      ? "passed"
				   : !strncmp(d->kind, "Analysis", 8) ? "analysis"
								      : "missed";
		add_remark(f, kind, "loop-vectorize", d->function, d->file, d->line, d->column,
			   d->text ? d->text : "", d->len);
	}
	free(d->kind);
	free(d->pass);
	free(d->function);
	free(d->file);
	free(d->text);
	memset(d, 0, sizeof *d);
}

static void
read_clang(struct recfile *f, const char *text, size_t len)
{
	struct ydoc d = {0};
	bool in_doc = false, in_args = false;
	size_t pos = 0;
	while (pos < len) {
		size_t n = 0;
		while (pos + n < len && text[pos + n] != '\n')
			n++;
		char *line = ws_xmalloc(n + 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		/* a quoted value continued on the next lines */
		char *colon = strchr(line, ':');
		if (in_doc && colon) {
			const char *v = colon + 1;
			while (*v == ' ')
				v++;
			char q = *v == '\'' || *v == '"' ? *v : 0;
			while (q && pos < len) {
				size_t vl = strlen(v);
				size_t quotes = 0;
				for (const char *c = v + 1; *c; c++)
					quotes += *c == q && (q == '"' ? c[-1] != '\\' : 1);
				if (vl > 1 && quotes % 2 == 1)
					break;
				size_t m = 0;
				while (pos + m < len && text[pos + m] != '\n')
					m++;
				size_t off = (size_t)(v - line);
				line = ws_xrealloc(line, strlen(line) + m + 2);
				strcat(line, " ");
				strncat(line, text + pos, m);
				pos += m + 1;
				v = line + off;
				colon = strchr(line, ':');
			}
			/* a flow map wrapped over several lines (LLVM wraps a
			 * DebugLoc whose file name is long) */
			while (*v == '{' && !strchr(v, '}') && pos < len) {
				size_t m = 0;
				while (pos + m < len && text[pos + m] != '\n')
					m++;
				size_t off = (size_t)(v - line);
				line = ws_xrealloc(line, strlen(line) + m + 2);
				strcat(line, " ");
				strncat(line, text + pos, m);
				pos += m + 1;
				v = line + off;
				colon = strchr(line, ':');
			}
		}
		if (!strncmp(line, "--- ", 4) || !strcmp(line, "---")) {
			if (in_doc)
				ydoc_end(f, &d);
			in_doc = true;
			in_args = false;
			const char *k = strchr(line, '!');
			d.kind = ws_xstrdup(k ? k + 1 : "");
			d.kind[strcspn(d.kind, " \r")] = '\0';
		} else if (!strcmp(line, "...") || !strcmp(line, "...\r")) {
			if (in_doc)
				ydoc_end(f, &d);
			in_doc = in_args = false;
		} else if (in_doc && colon && line[0] != ' ' && line[0] != '-') {
			size_t kl = (size_t)(colon - line);
			char *v = yaml_scalar(colon + 1, strlen(colon + 1));
			in_args = false;
			if (kl == 4 && !strncmp(line, "Pass", 4)) {
				free(d.pass);
				d.pass = v, v = NULL;
			} else if (kl == 8 && !strncmp(line, "Function", 8)) {
				free(d.function);
				d.function = v, v = NULL;
			} else if (kl == 8 && !strncmp(line, "DebugLoc", 8)) {
				char *file = flow_value(colon + 1, "File");
				char *l = flow_value(colon + 1, "Line");
				char *c = flow_value(colon + 1, "Column");
				if (file) {
					free(d.file);
					d.file = file, file = NULL;
					d.line = l ? (unsigned)strtoul(l, NULL, 10) : 0;
					d.column = c ? (unsigned)strtoul(c, NULL, 10) : 0;
				}
				free(file);
				free(l);
				free(c);
			} else if (kl == 4 && !strncmp(line, "Args", 4)) {
				in_args = true;
			}
			free(v);
		} else if (in_doc && in_args && colon) {
			/* "  - Key: value" */
			const char *k = line;
			while (*k == ' ' || *k == '-')
				k++;
			size_t kl = (size_t)(colon - k);
			if (!(kl == 8 && !strncmp(k, "DebugLoc", 8)) && colon > k) {
				char *v = yaml_scalar(colon + 1, strlen(colon + 1));
				size_t vl = strlen(v);
				d.text = ws_xrealloc(d.text, d.len + vl + 1);
				memcpy(d.text + d.len, v, vl + 1);
				d.len += vl;
				free(v);
			}
		}
		free(line);
	}
	if (in_doc)
		ydoc_end(f, &d);
	free(d.kind); /* nothing else is left: ydoc_end cleared it */
}

static struct recfile *
load(struct ws_optrecords *o, const char *path)
{
	for (size_t i = 0; i < o->nfiles; i++)
		if (!strcmp(o->files[i]->path, path))
			return o->files[i];
	struct recfile *f = ws_xcalloc(1, sizeof *f);
	f->path = ws_xstrdup(path);
	struct stat st;
	if (stat(path, &st) == 0)
		f->mtime = st.st_mtime;
	o->files = ws_xrealloc(o->files, (o->nfiles + 1) * sizeof *o->files);
	o->files[o->nfiles++] = f;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return f;
	size_t len = 0;
	char *text = slurp(path, &len);
	if (!text)
		return f;
	if (ends_with(path, ".json.gz") || ends_with(path, ".json"))
		read_gcc(f, text, len);
	else
		read_clang(f, text, len);
	free(text);
	return f;
}

/* ---- finding the record ---- */

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ws_xstrdup(".");
	if (slash == path)
		return ws_xstrdup("/");
	char *d = ws_xstrdup(path);
	d[slash - path] = '\0';
	return d;
}

enum { MAX_DEPTH = 4, MAX_ENTRIES = 20000, MAX_UNNAMED = 64 };

static void
list_dir(const char *dir, int depth, struct listing *l, size_t *entries)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && *entries < MAX_ENTRIES) {
		(*entries)++;
		if (e->d_name[0] == '.')
			continue; /* ., .. and hidden directories (.git) */
		char *path = ws_xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
				list_dir(path, depth + 1, l, entries);
			} else if (S_ISREG(st.st_mode) &&
				   (ends_with(e->d_name, ".opt-record.json.gz") ||
				    ends_with(e->d_name, ".opt.yaml"))) {
				l->paths = ws_xrealloc(l->paths, (l->n + 1) * sizeof *l->paths);
				l->paths[l->n++] = path;
				path = NULL;
			}
		}
		free(path);
	}
	closedir(d);
}

static const struct listing *
listing(struct ws_optrecords *o, const char *root)
{
	for (size_t i = 0; i < o->nlistings; i++)
		if (!strcmp(o->listings[i].root, root))
			return &o->listings[i];
	o->listings = ws_xrealloc(o->listings, (o->nlistings + 1) * sizeof *o->listings);
	struct listing *l = &o->listings[o->nlistings++];
	memset(l, 0, sizeof *l);
	l->root = ws_xstrdup(root);
	size_t entries = 0;
	list_dir(root, 0, l, &entries);
	return l;
}

/* The newest record under root that mentions source: among those named
 * after stem (any name when stem is NULL: at most MAX_UNNAMED of them are
 * read). */
static void
scan_dir(struct ws_optrecords *o, const char *root, const char *stem, const char *source,
	 const char *suffix, struct recfile **best)
{
	const struct listing *l = listing(o, root);
	size_t unnamed = 0;
	for (size_t i = 0; i < l->n; i++) {
		if ((stem && !strstr(ws_basename(l->paths[i]), stem)) ||
		    (suffix && !ends_with(l->paths[i], suffix)))
			continue;
		if (!stem && ++unnamed > MAX_UNNAMED)
			break;
		struct recfile *f = load(o, l->paths[i]);
		bool mentions = false;
		for (size_t k = 0; k < f->nfiles && !mentions; k++)
			mentions = !strcmp(f->files[k], source);
		if (mentions && (!*best || f->mtime > (*best)->mtime))
			*best = f;
	}
}

const char *
ws_optrecord_find(struct ws_optrecords *o, const char *comp_dir, const char *cu_name,
		  const char *module, enum ws_compiler cc)
{
	if (!cu_name || !*cu_name)
		return NULL;
	const char *suffix = cc == WS_CC_GCC	 ? ".opt-record.json.gz"
			     : cc == WS_CC_CLANG ? ".opt.yaml"
						 : NULL;
	char *key = ws_xasprintf("%s\n%s\n%s\n%s", comp_dir ? comp_dir : "", cu_name,
				 module ? module : "", suffix ? suffix : "");
	for (size_t i = 0; i < o->nfound; i++)
		if (!strcmp(o->found[i].key, key)) {
			free(key);
			return o->found[i].path;
		}
	const char *source = ws_basename(cu_name);
	char *stem = ws_xstrdup(source);
	char *dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	char *dirs[3] = {NULL, NULL, NULL};
	if (comp_dir && *comp_dir == '/')
		dirs[0] = ws_xstrdup(comp_dir);
	if (cu_name[0] == '/')
		dirs[1] = dir_of(cu_name);
	else if (comp_dir && *comp_dir == '/') {
		char *full = ws_xasprintf("%s/%s", comp_dir, cu_name);
		dirs[1] = dir_of(full);
		free(full);
	}
	if (module && module[0] == '/')
		dirs[2] = dir_of(module);
	/* records named after the source first; else (an object named
	 * otherwise) any record that mentions the source */
	struct recfile *best = NULL;
	for (int pass = 0; pass < 2 && !best; pass++)
		for (int i = 0; i < 3; i++) {
			bool seen = false;
			for (int k = 0; k < i && dirs[i]; k++)
				seen |= dirs[k] && !strcmp(dirs[k], dirs[i]);
			if (dirs[i] && !seen)
				scan_dir(o, dirs[i], pass ? NULL : stem, source, suffix, &best);
		}
	for (int i = 0; i < 3; i++)
		free(dirs[i]);
	free(stem);
	o->found = ws_xrealloc(o->found, (o->nfound + 1) * sizeof *o->found);
	o->found[o->nfound].key = key;
	o->found[o->nfound].path = best ? best->path : NULL;
	return o->found[o->nfound++].path;
}

bool
ws_optrecord_expected(const struct ws_producer *p)
{
	if (!p || !p->flags_recorded || !p->text || (p->cc != WS_CC_GCC && p->cc != WS_CC_CLANG))
		return true;
	return strstr(p->text, " -fsave-optimization-record") ||
	       strstr(p->text, " -foptimization-record-file=");
}

size_t
ws_optrecord_remarks(struct ws_optrecords *o, const char *path, const char *file, unsigned first,
		     unsigned last, const struct ws_remark ***out)
{
	*out = NULL;
	if (!path || !file)
		return 0;
	struct recfile *f = load(o, path);
	const char *base = ws_basename(file);
	const struct ws_remark **v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++) {
		const struct ws_remark *r = &f->v[i];
		if (r->line < first || r->line > last || strcmp(ws_basename(r->file), base))
			continue;
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = !strcmp(v[k]->text, r->text) && !strcmp(v[k]->kind, r->kind);
		if (dup)
			continue;
		v = ws_xrealloc(v, (n + 1) * sizeof *v);
		v[n++] = r;
	}
	if (v) {
		o->answers = ws_xrealloc(o->answers, (o->nanswers + 1) * sizeof *o->answers);
		o->answers[o->nanswers++] = v;
	}
	*out = v;
	return n;
}
