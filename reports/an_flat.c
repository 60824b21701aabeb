/* The flat profile: self and total samples per function (see analysis.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "hmap.h"
#include "util.h"

struct fn {
	const char *function, *module;
	bool inlined;
	uint64_t self, total;
	uint64_t stamp; /* the last stack that counted this function's total */
	const char *file;
	unsigned line;
	bool decl; /* file:line is the declaration */
};

struct flat_state {
	struct ws_hmap map;
	struct fn **fns;
	size_t nfns;
	uint64_t stamp;
};

static bool
fn_eq(const void *entry, const void *key)
{
	const struct fn *a = entry;
	const struct ws_frame *b = key;
	return a->function == b->function && a->module == b->module && a->inlined == b->inlined;
}

static uint64_t
frame_hash(const struct ws_frame *fr)
{
	return ws_hash_ptr(fr->function, ws_hash_ptr(fr->module, fr->inlined));
}

static struct fn *
fn_for(struct flat_state *s, const struct ws_frame *fr)
{
	uint64_t h = frame_hash(fr);
	struct fn *e = ws_hmap_find(&s->map, h, fn_eq, fr);
	if (!e) {
		e = ws_xcalloc(1, sizeof *e);
		e->function = fr->function;
		e->module = fr->module;
		e->inlined = fr->inlined;
		ws_hmap_insert(&s->map, h, e);
		if ((s->nfns & (s->nfns - 1)) == 0) /* doubling at powers of two */
			s->fns = ws_xrealloc(s->fns, (s->nfns ? 2 * s->nfns : 1) * sizeof *s->fns);
		s->fns[s->nfns++] = e;
	}
	return e;
}

/* The function's location: its declaration, else its lowest sampled line. */
static void
note_location(struct fn *e, const struct ws_frame *fr)
{
	if (e->decl)
		return;
	if (fr->decl_file && fr->decl_line) {
		e->file = fr->decl_file;
		e->line = fr->decl_line;
		e->decl = true;
		return;
	}
	if (!fr->file || !fr->line)
		return;
	int c = e->file ? strcmp(fr->file, e->file) : -1;
	if (c < 0 || (c == 0 && fr->line < e->line)) {
		e->file = fr->file;
		e->line = fr->line;
	}
}

static void
count_stack(void *arg, const struct wsr_process *p, const struct wsr_thread *t,
	    const struct wsr_stack *st, const struct ws_chain *c)
{
	struct flat_state *s = arg;
	s->stamp++;
	for (size_t i = 0; i < c->n; i++) {
		struct fn *e = fn_for(s, c->frames[i]);
		note_location(e, c->frames[i]);
		if (i == 0)
			e->self += st->count;
		if (e->stamp != s->stamp) {
			e->stamp = s->stamp;
			e->total += st->count;
		}
	}
}

static int
cmp_fn(const void *a, const void *b)
{
	const struct fn *x = *(struct fn *const *)a, *y = *(struct fn *const *)b;
	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	int c = strcmp(x->function, y->function);
	if (c)
		return c;
	c = strcmp(x->module, y->module);
	if (c)
		return c;
	return (int)x->inlined - (int)y->inlined;
}

void
ws_flat_build(const struct wsr_profile *prof, const struct ws_filter *f, struct ws_symbolizer *sym,
	      size_t top, struct ws_flat *out)
{
	struct flat_state s = {0};
	ws_hmap_init(&s.map);
	ws_for_each_stack(prof, f, sym, count_stack, &s);
	if (s.nfns > 1)
		qsort(s.fns, s.nfns, sizeof *s.fns, cmp_fn);

	memset(out, 0, sizeof *out);
	out->samples = ws_filtered_samples(prof, f);
	out->nfunctions = s.nfns;
	out->nrows = top && top < s.nfns ? top : s.nfns;
	out->rows = ws_xcalloc(out->nrows, sizeof *out->rows);
	for (size_t i = 0; i < out->nrows; i++) {
		const struct fn *e = s.fns[i];
		struct ws_flat_row *r = &out->rows[i];
		r->function = e->function;
		r->module = e->module;
		r->inlined = e->inlined;
		r->runtime = ws_openmp_module(e->module) ? "openmp" : NULL;
		r->file = e->file;
		r->line = e->line;
		r->self = e->self;
		r->total = e->total;
		r->self_percent = ws_percent(e->self, out->samples);
		r->total_percent = ws_percent(e->total, out->samples);
		r->self_error = ws_error_margin(e->self, out->samples);
		r->total_error = ws_error_margin(e->total, out->samples);
	}
	for (size_t i = 0; i < s.nfns; i++)
		free(s.fns[i]);
	free(s.fns);
	ws_hmap_free(&s.map);
}

void
ws_flat_free(struct ws_flat *fl)
{
	free(fl->rows);
	memset(fl, 0, sizeof *fl);
}
