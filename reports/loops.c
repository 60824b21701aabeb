/* A function's instructions and loops (see loops.h). */
#include "config.h"

#include "loops.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int
cmp_loop(const void *a, const void *b)
{
	const struct ws_loop *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end < y->end) - (x->end > y->end); /* outer first */
}

static uint64_t
span(const struct ws_loop *l)
{
	return l->end - l->start;
}

void
ws_loops_build(struct ws_disasm *d, const struct ws_code *c, size_t max_code, struct ws_loops *k)
{
	memset(k, 0, sizeof *k);
	size_t size = c->size > max_code ? max_code : c->size, cap = 0;
	for (size_t off = 0; off < size;) {
		if (k->n == cap) {
			cap = cap ? cap * 2 : 256;
			k->in = ws_xrealloc(k->in, cap * sizeof *k->in);
		}
		size_t len =
		    ws_disasm_one(d, c->bytes + off, size - off, c->file_start + off, &k->in[k->n]);
		if (!len) {
			off++;
			continue;
		}
		k->n++;
		off += len;
	}
	uint64_t lo = c->file_start, hi = c->file_start + c->size;
	for (size_t i = 0; i < k->n; i++) {
		const struct ws_insn *in = &k->in[i];
		if (!in->jump || !in->has_target || in->target > in->addr || in->target < lo ||
		    in->target >= hi)
			continue;
		uint64_t end = in->addr + in->size;
		bool merged = false;
		for (size_t j = 0; j < k->nloops && !merged; j++)
			if (k->loops[j].start == in->target) {
				if (end > k->loops[j].end)
					k->loops[j].end = end;
				merged = true;
			}
		if (merged)
			continue;
		k->loops = ws_xrealloc(k->loops, (k->nloops + 1) * sizeof *k->loops);
		k->loops[k->nloops++] = (struct ws_loop){in->target, end, -1, 0, false};
	}
	if (k->nloops > 1)
		qsort(k->loops, k->nloops, sizeof *k->loops, cmp_loop);
	for (size_t i = 0; i < k->nloops; i++) {
		struct ws_loop *l = &k->loops[i];
		l->parent = -1;
		for (size_t j = 0; j < k->nloops; j++) {
			const struct ws_loop *o = &k->loops[j];
			if (j == i || o->start > l->start || o->end < l->end ||
			    (o->start == l->start && o->end == l->end))
				continue;
			if (l->parent < 0 || span(o) < span(&k->loops[l->parent]))
				l->parent = (int)j;
		}
	}
	for (size_t i = 0; i < k->nloops; i++) {
		unsigned depth = 1;
		for (int p = k->loops[i].parent; p >= 0 && depth < 1000; p = k->loops[p].parent)
			depth++;
		k->loops[i].depth = depth;
		if (k->loops[i].parent >= 0)
			k->loops[k->loops[i].parent].has_child = true;
	}
	k->loop_of = ws_xmalloc((k->n + 1) * sizeof *k->loop_of);
	for (size_t i = 0; i < k->n; i++) {
		int best = -1;
		for (size_t j = 0; j < k->nloops; j++) {
			const struct ws_loop *l = &k->loops[j];
			if (l->start <= k->in[i].addr && k->in[i].addr < l->end &&
			    (best < 0 || span(l) < span(&k->loops[best])))
				best = (int)j;
		}
		k->loop_of[i] = best;
	}
}

long
ws_loops_insn_at(const struct ws_loops *k, uint64_t a)
{
	size_t lo = 0, hi = k->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->in[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? (long)lo - 1 : -1;
}

void
ws_loops_free(struct ws_loops *k)
{
	free(k->in);
	free(k->loops);
	free(k->loop_of);
	memset(k, 0, sizeof *k);
}

void
ws_loop_source(struct ws_symbolizer *sym, const struct wsr_process *p, const struct ws_code *c,
	       const struct ws_insn *in, size_t n, uint64_t start, uint64_t end, const char **file,
	       unsigned *first, unsigned *last)
{
	struct {
		const char *file;
		size_t n;
		unsigned lo, hi;
	} files[16];
	size_t nfiles = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i].addr < start || in[i].addr >= end)
			continue;
		const struct ws_frame *fr;
		ws_symbolize(sym, p, c->start + (in[i].addr - c->file_start), false, &fr);
		if (!fr[0].file || !fr[0].line)
			continue;
		size_t j = 0;
		while (j < nfiles && files[j].file != fr[0].file)
			j++;
		if (j == nfiles) {
			if (nfiles == sizeof files / sizeof files[0])
				continue;
			files[nfiles++] = (typeof(files[0])){fr[0].file, 0, fr[0].line, fr[0].line};
		}
		files[j].n++;
		if (fr[0].line < files[j].lo)
			files[j].lo = fr[0].line;
		if (fr[0].line > files[j].hi)
			files[j].hi = fr[0].line;
	}
	size_t best = 0;
	for (size_t j = 1; j < nfiles; j++)
		if (files[j].n > files[best].n)
			best = j;
	*file = nfiles ? files[best].file : NULL;
	*first = nfiles ? files[best].lo : 0;
	*last = nfiles ? files[best].hi : 0;
}
