/* Two recordings side by side: functions and lines matched, with their
 * times before and after (see analysis.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "util.h"

static double
per_sample(const struct ws_header *h)
{
	return h->achieved_hz > 0 ? 1.0 / h->achieved_hz : 0.0;
}

static double
ratio(double before, double after)
{
	return before > 0 && after > 0 ? before / after : 0.0;
}

/* ---- functions ---- */

static int
row_cmp(const void *a, const void *b)
{
	const struct ws_flat_row *x = *(const struct ws_flat_row *const *)a;
	const struct ws_flat_row *y = *(const struct ws_flat_row *const *)b;
	int c = strcmp(x->function, y->function);
	return c ? c : (int)x->inlined - (int)y->inlined;
}

static const struct ws_flat_row **
sorted_rows(const struct ws_flat *fl)
{
	const struct ws_flat_row **v = ws_xcalloc(fl->nrows + 1, sizeof *v);
	for (size_t i = 0; i < fl->nrows; i++)
		v[i] = &fl->rows[i];
	qsort(v, fl->nrows, sizeof *v, row_cmp);
	return v;
}

static void
fn_side(struct ws_compare_fn *r, int side, const struct ws_flat_row *row, const struct ws_header *h)
{
	r->self[side] = row->self;
	r->total[side] = row->total;
	r->self_s[side] = (double)row->self * per_sample(h);
	r->total_s[side] = (double)row->total * per_sample(h);
	r->self_percent[side] = row->self_percent;
	if (side == 1 || !r->function) {
		r->function = row->function;
		r->module = row->module;
		r->inlined = row->inlined;
		r->file = row->file;
		r->line = row->line;
	}
}

static int
fn_cmp(const void *a, const void *b)
{
	const struct ws_compare_fn *x = a, *y = b;
	double dx = fabs(x->self_s[1] - x->self_s[0]), dy = fabs(y->self_s[1] - y->self_s[0]);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	dx = fabs(x->total_s[1] - x->total_s[0]);
	dy = fabs(y->total_s[1] - y->total_s[0]);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->function, y->function);
}

static void
match_functions(const struct ws_header *const h[2], const struct ws_flat *const fl[2],
		struct ws_compare *c)
{
	const struct ws_flat_row **a = sorted_rows(fl[0]), **b = sorted_rows(fl[1]);
	size_t i = 0, j = 0, n = 0;
	c->fns = ws_xcalloc(fl[0]->nrows + fl[1]->nrows + 1, sizeof *c->fns);
	while (i < fl[0]->nrows || j < fl[1]->nrows) {
		int d = i == fl[0]->nrows ? 1 : j == fl[1]->nrows ? -1 : row_cmp(&a[i], &b[j]);
		struct ws_compare_fn *r = &c->fns[n++];
		if (d <= 0)
			fn_side(r, 0, a[i++], h[0]);
		if (d >= 0)
			fn_side(r, 1, b[j++], h[1]);
		r->presence = d < 0 ? WS_ONLY_BEFORE : d > 0 ? WS_ONLY_AFTER : WS_IN_BOTH;
	}
	free(a);
	free(b);
	qsort(c->fns, n, sizeof *c->fns, fn_cmp);
	c->nfns = c->nfunctions = n;
}

/* ---- lines ---- */

static int
line_key_cmp(const struct ws_line_row *x, const struct ws_line_row *y)
{
	int c = strcmp(x->file, y->file);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int
lrow_cmp(const void *a, const void *b)
{
	return line_key_cmp(*(const struct ws_line_row *const *)a,
			    *(const struct ws_line_row *const *)b);
}

static int
line_cmp(const void *a, const void *b)
{
	const struct ws_compare_line *x = a, *y = b;
	double dx = fabs(x->seconds[1] - x->seconds[0]), dy = fabs(y->seconds[1] - y->seconds[0]);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	int c = strcmp(x->file, y->file);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void
match_lines(const struct ws_header *const h[2], const struct ws_lines *const ln[2],
	    struct ws_compare *c)
{
	const struct ws_line_row **v[2];
	for (int s = 0; s < 2; s++) {
		v[s] = ws_xcalloc(ln[s]->nrows + 1, sizeof *v[s]);
		for (size_t i = 0; i < ln[s]->nrows; i++)
			v[s][i] = &ln[s]->rows[i];
		qsort(v[s], ln[s]->nrows, sizeof *v[s], lrow_cmp);
	}
	c->lines = ws_xcalloc(ln[0]->nrows + ln[1]->nrows + 1, sizeof *c->lines);
	size_t i = 0, j = 0, n = 0;
	while (i < ln[0]->nrows || j < ln[1]->nrows) {
		int d = i == ln[0]->nrows   ? 1
			: j == ln[1]->nrows ? -1
					    : line_key_cmp(v[0][i], v[1][j]);
		struct ws_compare_line *r = &c->lines[n++];
		const struct ws_line_row *rows[2] = {d <= 0 ? v[0][i++] : NULL,
						     d >= 0 ? v[1][j++] : NULL};
		for (int s = 0; s < 2; s++) {
			if (!rows[s])
				continue;
			r->samples[s] = rows[s]->samples;
			r->seconds[s] = (double)rows[s]->samples * per_sample(h[s]);
			if (s == 1 || !r->file) {
				r->file = rows[s]->file;
				r->line = rows[s]->line;
				r->function = rows[s]->function;
				r->text = rows[s]->text;
			}
		}
		r->presence = d < 0 ? WS_ONLY_BEFORE : d > 0 ? WS_ONLY_AFTER : WS_IN_BOTH;
	}
	free(v[0]);
	free(v[1]);
	qsort(c->lines, n, sizeof *c->lines, line_cmp);
	c->nlines = c->nall_lines = n;
}

void
ws_compare_build(const struct ws_header *const h[2], const struct ws_flat *const fl[2],
		 const struct ws_lines *const ln[2], size_t top, struct ws_compare *out)
{
	memset(out, 0, sizeof *out);
	out->speedup = ratio(h[0]->wall_seconds, h[1]->wall_seconds);
	out->cpu_speedup = ratio(h[0]->cpu_seconds, h[1]->cpu_seconds);
	match_functions(h, fl, out);
	if (ln[0] && ln[1])
		match_lines(h, ln, out);
	if (top && out->nfns > top)
		out->nfns = top;
	if (top && out->nlines > top)
		out->nlines = top;
}

void
ws_compare_free(struct ws_compare *c)
{
	free(c->fns);
	free(c->lines);
	memset(c, 0, sizeof *c);
}
