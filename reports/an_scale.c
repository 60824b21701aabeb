/* Strong and weak scaling from several runs' tables (see scale.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scale.h"
#include "util.h"

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The function's self time in one run: self samples over the achieved rate. */
static double
fn_seconds(const struct ws_scale_run *run, const char *function, bool inlined)
{
	const struct ws_header *h = run->header;
	if (h->achieved_hz <= 0)
		return 0;
	for (size_t i = 0; i < run->flat->nrows; i++) {
		const struct ws_flat_row *r = &run->flat->rows[i];
		if (r->inlined == inlined && !strcmp(r->function, function))
			return (double)r->self / h->achieved_hz;
	}
	return 0;
}

static int
loss_cmp(const void *a, const void *b)
{
	const struct ws_scale_fn *x = a, *y = b;
	if (x->loss != y->loss)
		return x->loss < y->loss ? 1 : -1;
	return strcmp(x->function, y->function);
}

/* Amdahl: T(q) = a + b / q, least squares over the medians. */
static void
fit(struct ws_scale *s)
{
	size_t n = s->npoints;
	if (n < 2)
		return;
	double sx = 0, sy = 0, sxx = 0, sxy = 0, p0 = s->points[0].count;
	for (size_t i = 0; i < n; i++) {
		double x = p0 / s->points[i].count, y = s->points[i].median;
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	double d = (double)n * sxx - sx * sx;
	if (fabs(d) < 1e-12)
		return;
	double b = ((double)n * sxy - sx * sy) / d, a = (sy - b * sx) / (double)n;
	if (a + b <= 0)
		return;
	double f = a / (a + b);
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	double qmax = s->points[n - 1].count / p0;
	s->fitted = true;
	s->serial_fraction = f;
	s->predicted_max = 1.0 / (f + (1 - f) / qmax);
	s->predicted_inf = f > 0 ? 1.0 / f : INFINITY;
}

/* Gustafson: S(q) = q - f (q - 1), least squares in f. */
static void
fit_weak(struct ws_scale *s)
{
	size_t n = s->npoints;
	if (n < 2)
		return;
	double num = 0, den = 0, p0 = s->points[0].count;
	for (size_t i = 0; i < n; i++) {
		double q = s->points[i].count / p0;
		num += (q - 1) * (q - s->points[i].speedup);
		den += (q - 1) * (q - 1);
	}
	if (den <= 0)
		return;
	double f = num / den;
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	double qmax = s->points[n - 1].count / p0;
	s->fitted = true;
	s->serial_fraction = f;
	s->predicted_max = qmax - f * (qmax - 1);
	s->predicted_inf = INFINITY;
}

void
ws_scale_build(const int *counts, size_t npoints, size_t repeats, const struct ws_scale_run *runs,
	       size_t top, bool weak, struct ws_scale *out)
{
	memset(out, 0, sizeof *out);
	out->weak = weak;
	if (!npoints || !repeats)
		return;
	out->npoints = npoints;
	out->points = ws_xcalloc(npoints, sizeof *out->points);
	double *walls = ws_xcalloc(repeats, sizeof *walls);
	for (size_t i = 0; i < npoints; i++) {
		struct ws_scale_point *pt = &out->points[i];
		pt->count = counts[i];
		pt->repeats = repeats;
		for (size_t r = 0; r < repeats; r++)
			walls[r] = runs[i * repeats + r].header->wall_seconds;
		pt->median = median(walls, repeats);
		pt->min = walls[0];
		pt->max = walls[repeats - 1];
	}
	free(walls);
	double t0 = out->points[0].median, p0 = counts[0];
	for (size_t i = 0; i < npoints; i++) {
		struct ws_scale_point *pt = &out->points[i];
		double q = pt->count / p0;
		if (weak) {
			pt->efficiency = pt->median > 0 ? t0 / pt->median : 0;
			pt->speedup = q * pt->efficiency;
			pt->karp_flatt = NAN;
			continue;
		}
		pt->speedup = pt->median > 0 ? t0 / pt->median : 0;
		pt->efficiency = pt->speedup / q;
		pt->karp_flatt =
		    q > 1 && pt->speedup > 0 ? (1 / pt->speedup - 1 / q) / (1 - 1 / q) : NAN;
	}
	if (weak)
		fit_weak(out);
	else
		fit(out);

	/* every function of any run, once */
	size_t cap = 0;
	for (size_t k = 0; k < npoints * repeats; k++)
		cap += runs[k].flat->nrows;
	out->fns = ws_xcalloc(cap + 1, sizeof *out->fns);
	for (size_t k = 0; k < npoints * repeats; k++) {
		const struct ws_flat *fl = runs[k].flat;
		for (size_t i = 0; i < fl->nrows; i++) {
			const struct ws_flat_row *row = &fl->rows[i];
			bool seen = false;
			for (size_t j = 0; j < out->nfns && !seen; j++)
				seen = out->fns[j].inlined == row->inlined &&
				       !strcmp(out->fns[j].function, row->function);
			if (!seen)
				out->fns[out->nfns++] =
				    (struct ws_scale_fn){.function = row->function,
							 .inlined = row->inlined,
							 .runtime = row->runtime};
		}
	}
	for (size_t j = 0; j < out->nfns; j++) {
		struct ws_scale_fn *fn = &out->fns[j];
		fn->seconds = ws_xcalloc(npoints, sizeof *fn->seconds);
		for (size_t i = 0; i < npoints; i++) {
			double sum = 0;
			for (size_t r = 0; r < repeats; r++)
				sum +=
				    fn_seconds(&runs[i * repeats + r], fn->function, fn->inlined);
			fn->seconds[i] = sum / (double)repeats;
		}
		/* perfect weak scaling multiplies the summed time by q */
		double qmax = weak ? (double)counts[npoints - 1] / counts[0] : 1.0;
		fn->loss = fn->seconds[npoints - 1] - qmax * fn->seconds[0];
	}
	/* callers without self time anywhere have nothing to say here */
	size_t kept = 0;
	for (size_t j = 0; j < out->nfns; j++) {
		bool any = false;
		for (size_t i = 0; i < npoints && !any; i++)
			any = out->fns[j].seconds[i] > 0;
		if (any)
			out->fns[kept++] = out->fns[j];
		else
			free(out->fns[j].seconds);
	}
	out->nfns = kept;
	qsort(out->fns, out->nfns, sizeof *out->fns, loss_cmp);
	for (size_t j = 0; j < out->nfns; j++)
		if (out->fns[j].loss > 0)
			out->total_loss += out->fns[j].loss;
	if (top && out->nfns > top) {
		for (size_t j = top; j < out->nfns; j++)
			free(out->fns[j].seconds);
		out->nfns = top;
	}
}

void
ws_scale_free(struct ws_scale *s)
{
	for (size_t j = 0; j < s->nfns; j++)
		free(s->fns[j].seconds);
	free(s->fns);
	free(s->points);
	memset(s, 0, sizeof *s);
}
