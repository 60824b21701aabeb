/* The hottest source lines: self samples per file:line (see analysis.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "hmap.h"
#include "source.h"
#include "util.h"

struct lkey {
	const char *file; /* interned */
	unsigned line;
};

struct lentry {
	struct lkey k;
	const char *function, *module; /* the first seen there */
	uint64_t samples;
};

struct lines_state {
	struct ws_hmap map;
	struct lentry **v;
	size_t n;
	uint64_t unknown;
};

static bool
line_eq(const void *entry, const void *key)
{
	const struct lentry *e = entry;
	const struct lkey *k = key;
	return e->k.file == k->file && e->k.line == k->line;
}

static void
count_stack(void *arg, const struct wsr_process *p, const struct wsr_thread *t,
	    const struct wsr_stack *st, const struct ws_chain *c)
{
	struct lines_state *s = arg;
	const struct ws_frame *fr = c->frames[0];
	if (!fr->file || !fr->line) {
		s->unknown += st->count;
		return;
	}
	struct lkey k = {fr->file, fr->line};
	uint64_t h = ws_hash_ptr(k.file, k.line);
	struct lentry *e = ws_hmap_find(&s->map, h, line_eq, &k);
	if (!e) {
		e = ws_xcalloc(1, sizeof *e);
		e->k = k;
		e->function = fr->function;
		e->module = fr->module;
		ws_hmap_insert(&s->map, h, e);
		if ((s->n & (s->n - 1)) == 0) /* doubling at powers of two */
			s->v = ws_xrealloc(s->v, (s->n ? 2 * s->n : 1) * sizeof *s->v);
		s->v[s->n++] = e;
	}
	e->samples += st->count;
}

static int
cmp_line(const void *a, const void *b)
{
	const struct lentry *x = *(struct lentry *const *)a, *y = *(struct lentry *const *)b;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	int c = strcmp(x->k.file, y->k.file);
	if (c)
		return c;
	return (x->k.line > y->k.line) - (x->k.line < y->k.line);
}

void
ws_lines_build(const struct wsr_profile *prof, const struct ws_filter *f, struct ws_symbolizer *sym,
	       size_t top, struct ws_lines *out)
{
	struct lines_state s = {0};
	ws_hmap_init(&s.map);
	ws_for_each_stack(prof, f, sym, count_stack, &s);
	if (s.n > 1)
		qsort(s.v, s.n, sizeof *s.v, cmp_line);

	memset(out, 0, sizeof *out);
	out->samples = ws_filtered_samples(prof, f);
	out->unknown = s.unknown;
	out->nlines = s.n;
	out->nrows = top && top < s.n ? top : s.n;
	out->rows = ws_xcalloc(out->nrows, sizeof *out->rows);
	struct ws_sources *src = ws_sources_new();
	for (size_t i = 0; i < out->nrows; i++) {
		const struct lentry *e = s.v[i];
		struct ws_line_row *r = &out->rows[i];
		r->file = e->k.file;
		r->line = e->k.line;
		r->function = e->function;
		r->module = e->module;
		r->samples = e->samples;
		r->percent = ws_percent(e->samples, out->samples);
		r->error = ws_error_margin(e->samples, out->samples);
		r->text = ws_xstrdup(ws_source_line(src, e->k.file, e->k.line));
	}
	ws_sources_free(src);
	for (size_t i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
	ws_hmap_free(&s.map);
}

void
ws_lines_free(struct ws_lines *l)
{
	for (size_t i = 0; i < l->nrows; i++)
		free(l->rows[i].text);
	free(l->rows);
	memset(l, 0, sizeof *l);
}
