/* The flat profile of a run's work for the scaling table (see scale.h,
 * ws_scale_flat_build). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "hmap.h"
#include "scale.h"
#include "util.h"

struct row_key {
	const char *function, *module;
	bool inlined;
};

struct scale_flat_state {
	const struct ws_busy *busy; /* who took part */
	struct ws_hmap map;	    /* struct row_key -> struct ws_flat_row */
	struct ws_flat_row **rows;
	size_t nrows, cap;
	uint64_t samples, left_samples;
	const struct wsr_thread *last; /* the last thread looked up, and */
	bool last_kept;		       /* whether it took part */
};

static bool
took_part(const struct ws_busy *b, const struct wsr_process *p, const struct wsr_thread *t)
{
	for (size_t i = 0; i < b->nrows; i++)
		if (b->rows[i].pid == p->info.pid && b->rows[i].tid == t->info.tid &&
		    b->rows[i].took_part)
			return true;
	return false;
}

static bool
row_eq(const void *entry, const void *key)
{
	const struct ws_flat_row *r = entry;
	const struct row_key *k = key;
	return r->function == k->function && r->module == k->module && r->inlined == k->inlined;
}

static void
add_self(struct scale_flat_state *s, const char *function, const char *module, bool inlined,
	 uint64_t count)
{
	struct row_key k = {function, module, inlined};
	uint64_t h = ws_hash_ptr(function, ws_hash_ptr(module, inlined));
	struct ws_flat_row *r = ws_hmap_find(&s->map, h, row_eq, &k);
	if (!r) {
		r = ws_xcalloc(1, sizeof *r);
		r->function = function;
		r->module = module;
		r->inlined = inlined;
		r->runtime = module && ws_openmp_module(module) ? "openmp" : NULL;
		ws_hmap_insert(&s->map, h, r);
		if (s->nrows == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 64;
			s->rows = ws_xrealloc(s->rows, s->cap * sizeof *s->rows);
		}
		s->rows[s->nrows++] = r;
	}
	r->self += count;
	s->samples += count;
}

static void
count_stack(void *arg, const struct wsr_process *p, const struct wsr_thread *t,
	    const struct wsr_stack *st, const struct ws_chain *c)
{
	struct scale_flat_state *s = arg;
	if (t != s->last) {
		s->last = t;
		s->last_kept = took_part(s->busy, p, t);
	}
	if (!s->last_kept) {
		s->left_samples += st->count;
		return;
	}
	if (ws_classify_stack(c) == WS_IDLE)
		add_self(s, WS_SCALE_WAITING, "", false, st->count);
	else if (c->n)
		add_self(s, c->frames[0]->function, c->frames[0]->module, c->frames[0]->inlined,
			 st->count);
}

void
ws_scale_flat_build(const struct wsr_profile *prof, const struct ws_filter *f,
		    struct ws_symbolizer *sym, struct ws_flat *out, size_t *left_threads,
		    uint64_t *left_samples)
{
	struct ws_busy busy;
	ws_busy_build(prof, f, sym, &busy);
	struct scale_flat_state s = {.busy = &busy};
	ws_hmap_init(&s.map);
	ws_for_each_stack(prof, f, sym, count_stack, &s);
	memset(out, 0, sizeof *out);
	*left_threads = 0;
	for (size_t i = 0; i < busy.nrows; i++)
		*left_threads += !busy.rows[i].took_part;
	*left_samples = s.left_samples;
	out->samples = s.samples;
	out->nrows = out->nfunctions = s.nrows;
	out->rows = ws_xcalloc(s.nrows + 1, sizeof *out->rows);
	for (size_t i = 0; i < s.nrows; i++) {
		out->rows[i] = *s.rows[i];
		out->rows[i].self_percent = ws_percent(out->rows[i].self, s.samples);
		free(s.rows[i]);
	}
	free(s.rows);
	ws_hmap_free(&s.map);
	ws_busy_free(&busy);
}
