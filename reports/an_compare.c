/* Two recordings side by side: functions and lines matched, with their
 * times before and after (see analysis.h), and the verdicts, counters and
 * heap totals that changed (changed.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "analysis.h"
#include "changed.h"
#include "counter_table.h"
#include "expect.h"
#include "gpu_report.h"
#include "heap.h"
#include "mpi_report.h"
#include "util.h"
#include "vector.h"

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

/* ---- what else changed (changed.h) ---- */

static const char *
yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void
add_verdict(struct ws_changed *c, struct ws_changed_verdict v)
{
	c->verdicts = ws_xrealloc(c->verdicts, (c->nverdicts + 1) * sizeof *c->verdicts);
	c->verdicts[c->nverdicts++] = v;
}

/* A yes/no verdict, listed when it differs. */
static void
flag(struct ws_changed *c, const char *name, const bool b[2], const char *what, const char *unit,
     const double value[2])
{
	if (b[0] == b[1])
		return;
	add_verdict(
	    c, (struct ws_changed_verdict){.name = name,
					   .flag = true,
					   .before = yes_no(b[0]),
					   .after = yes_no(b[1]),
					   .what = what,
					   .unit = unit,
					   .value = {value ? value[0] : 0, value ? value[1] : 0}});
}

static void
thread_verdicts(const struct ws_facts *const f[2], struct ws_changed *c)
{
	if (!f[0]->busy || !f[1]->busy)
		return;
	const struct ws_busy *b[2] = {f[0]->busy, f[1]->busy};
	bool v[2];
	double x[2];
	for (int s = 0; s < 2; s++)
		v[s] = b[s]->lock_contention, x[s] = b[s]->lock_percent;
	flag(c, "lock_contention", v, "lock wait", "%", x);
	for (int s = 0; s < 2; s++)
		v[s] = b[s]->scheduling_overhead, x[s] = b[s]->runtime_percent;
	flag(c, "scheduling_overhead", v, "OpenMP runtime", "%", x);
	for (int s = 0; s < 2; s++)
		v[s] = b[s]->imbalanced, x[s] = b[s]->imbalance;
	flag(c, "imbalanced", v, "busy imbalance", "x", x);
	if (b[0]->omp.runtime && b[0]->omp.nrows && b[1]->omp.runtime && b[1]->omp.nrows) {
		for (int s = 0; s < 2; s++) {
			x[s] = b[s]->omp.rows[0].imbalance;
			v[s] = x[s] >= WS_IMBALANCED;
		}
		flag(c, "omp_imbalanced", v, "OpenMP region imbalance", "x", x);
	}
}

static void
mpi_gpu_verdicts(const struct ws_facts *const f[2], struct ws_changed *c)
{
	bool v[2];
	double x[2];
	if (f[0]->mpi && f[0]->mpi->library && f[1]->mpi && f[1]->mpi->library) {
		for (int s = 0; s < 2; s++) {
			x[s] = f[s]->mpi->compute_imbalance;
			v[s] = x[s] >= WS_IMBALANCED;
		}
		flag(c, "mpi_imbalanced", v, "computing imbalance", "x", x);
	}
	if (!f[0]->gpu || !f[0]->gpu->nprocs || !f[1]->gpu || !f[1]->gpu->nprocs)
		return;
	const struct ws_gpu_report *g[2] = {f[0]->gpu, f[1]->gpu};
#define GPU_FLAG(field, name)                                                                      \
	do {                                                                                       \
		bool b_[2] = {g[0]->field, g[1]->field};                                           \
		flag(c, name, b_, NULL, NULL, NULL);                                               \
	} while (0)
	GPU_FLAG(transfer_bound, "gpu_transfer_bound");
	GPU_FLAG(launch_bound, "gpu_launch_bound");
	GPU_FLAG(gpu_idle_cpu_works, "gpu_idle_cpu_works");
	GPU_FLAG(sync_every_launch, "gpu_sync_every_launch");
	GPU_FLAG(pageable, "gpu_pageable");
	GPU_FLAG(um_migrations, "gpu_um_migrations");
	GPU_FLAG(resident, "gpu_resident");
	GPU_FLAG(gpu_bound, "gpu_bound");
#undef GPU_FLAG
}

/* The functions whose vector and memory verdicts are compared: the three
 * with the most self samples (as compiled) on either side, from the vector
 * table, else the access table; each once. */
enum { CHANGED_TOP = 3 };

static size_t
hot_functions(const struct ws_facts *const f[2], const char *out[2 * CHANGED_TOP])
{
	size_t n = 0;
	for (int s = 0; s < 2; s++) {
		size_t taken = 0;
		const struct ws_vector *v = f[s]->vector;
		const struct ws_access *a = f[s]->access;
		size_t rows = v ? v->nfns : a ? a->nfns : 0;
		for (size_t i = 0; i < rows && taken < CHANGED_TOP; i++) {
			const char *name = v ? v->fns[i].function : a->fns[i].function;
			if (!name)
				continue;
			taken++;
			bool seen = false;
			for (size_t k = 0; k < n && !seen; k++)
				seen = !strcmp(out[k], name);
			if (!seen)
				out[n++] = name;
		}
	}
	return n;
}

static const struct ws_vfunction *
vfunction(const struct ws_vector *v, const char *name)
{
	for (size_t i = 0; v && i < v->nfns; i++)
		if (!v->fns[i].why_not && v->fns[i].function && !strcmp(v->fns[i].function, name))
			return &v->fns[i];
	return NULL;
}

static const struct ws_mfunction *
mfunction(const struct ws_access *a, const char *name)
{
	for (size_t i = 0; a && i < a->nfns; i++)
		if (!a->fns[i].why_not && a->fns[i].nloops && a->fns[i].function &&
		    !strcmp(a->fns[i].function, name))
			return &a->fns[i];
	return NULL;
}

/* Both hottest loops have a fetched ratio (0: no stream of known stride). */
static bool
fetched_known(const struct ws_mfunction *const m[2])
{
	return m[0]->loops[0].ratio > 0 && m[1]->loops[0].ratio > 0;
}

/* Its hottest loop's class says something: memory-bound or cache-friendly. */
static bool
known(const struct ws_mfunction *m)
{
	return m->loops[0].mclass == WS_MEM_BOUND || m->loops[0].mclass == WS_MEM_CACHE_FRIENDLY;
}

/* The hottest analysed function of a side, or NULL. */
static const struct ws_vfunction *
hot_vfunction(const struct ws_vector *v)
{
	for (size_t i = 0; v && i < v->nfns; i++)
		if (!v->fns[i].why_not && v->fns[i].function)
			return &v->fns[i];
	return NULL;
}

static const struct ws_mfunction *
hot_mfunction(const struct ws_access *a)
{
	for (size_t i = 0; a && i < a->nfns; i++)
		if (!a->fns[i].why_not && a->fns[i].nloops && a->fns[i].function)
			return &a->fns[i];
	return NULL;
}

/* The vector verdict of a function before and after (name: "vector" or
 * "vector_hot"; function: NULL when the two sides name different ones). */
static void
vector_verdict(struct ws_changed *c, const char *name, const char *function,
	       const struct ws_vfunction *const v[2])
{
	add_verdict(c, (struct ws_changed_verdict){
			   .name = name,
			   .function = function,
			   .functions = {v[0]->function, v[1]->function},
			   .before = ws_vclass_name(v[0]->facts.vclass),
			   .after = ws_vclass_name(v[1]->facts.vclass),
			   .what = "packed",
			   .unit = "%",
			   .value = {v[0]->facts.packed_percent, v[1]->facts.packed_percent}});
}

/* The memory verdict of a function's hottest loop before and after. */
static void
memory_verdict(struct ws_changed *c, const char *name, const char *function,
	       const struct ws_mfunction *const m[2])
{
	add_verdict(c, (struct ws_changed_verdict){
			   .name = name,
			   .function = function,
			   .functions = {m[0]->function, m[1]->function},
			   .before = ws_mclass_name(m[0]->loops[0].mclass),
			   .after = ws_mclass_name(m[1]->loops[0].mclass),
			   .what = fetched_known(m) ? "fetched per byte used" : NULL,
			   .unit = "x",
			   .value = {m[0]->loops[0].ratio, m[1]->loops[0].ratio}});
}

/* vector_hot, memory_hot: the hottest function changed (a rewrite under
 * another name) and so did its class, both with FP arithmetic (vector) or
 * both classes known (memory): a kernel against a wait says nothing. */
static void
hot_verdicts(const struct ws_facts *const f[2], struct ws_changed *c)
{
	const struct ws_vfunction *v[2] = {hot_vfunction(f[0]->vector),
					   hot_vfunction(f[1]->vector)};
	if (v[0] && v[1] && strcmp(v[0]->function, v[1]->function) &&
	    v[0]->facts.vclass != v[1]->facts.vclass && v[0]->facts.vclass != WS_VEC_NO_FP &&
	    v[1]->facts.vclass != WS_VEC_NO_FP)
		vector_verdict(c, "vector_hot", NULL, v);
	const struct ws_mfunction *m[2] = {hot_mfunction(f[0]->access),
					   hot_mfunction(f[1]->access)};
	if (m[0] && m[1] && strcmp(m[0]->function, m[1]->function) &&
	    m[0]->loops[0].mclass != m[1]->loops[0].mclass && known(m[0]) && known(m[1]))
		memory_verdict(c, "memory_hot", NULL, m);
}

static void
function_verdicts(const struct ws_facts *const f[2], struct ws_changed *c)
{
	const char *names[2 * CHANGED_TOP];
	size_t n = hot_functions(f, names);
	for (size_t i = 0; i < n; i++) {
		const struct ws_vfunction *v[2] = {vfunction(f[0]->vector, names[i]),
						   vfunction(f[1]->vector, names[i])};
		if (v[0] && v[1] && v[0]->facts.vclass != v[1]->facts.vclass)
			vector_verdict(c, "vector", names[i], v);
		const struct ws_mfunction *m[2] = {mfunction(f[0]->access, names[i]),
						   mfunction(f[1]->access, names[i])};
		if (m[0] && m[1] && m[0]->loops[0].mclass != m[1]->loops[0].mclass)
			memory_verdict(c, "memory", names[i], m);
	}
}

static void
add_total(struct ws_changed_total **v, size_t *n, const char *name, bool bytes, uint64_t before,
	  uint64_t after)
{
	*v = ws_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] =
	    (struct ws_changed_total){.name = name,
				      .bytes = bytes,
				      .value = {before, after},
				      .ratio = before ? (double)after / (double)before : 0.0};
}

static void
counter_totals(const struct ws_facts *const f[2], struct ws_changed *c)
{
	const struct ws_counter_table *t[2] = {f[0]->counters, f[1]->counters};
	if (!t[0] || !t[1])
		return;
	for (size_t k = 0; k < t[0]->nevents; k++) {
		if (!t[0]->counted[k])
			continue;
		int j = ws_counters_event(t[1], t[0]->events[k]);
		if (j < 0 || !t[1]->counted[j])
			continue;
		add_total(&c->counters, &c->ncounters, t[0]->events[k], false, t[0]->totals[k],
			  t[1]->totals[j]);
	}
}

static void
heap_totals(const struct ws_facts *const f[2], struct ws_changed *c)
{
	const struct ws_heapmem *h[2] = {f[0]->heap, f[1]->heap};
	if (!h[0] || !h[1])
		return;
	bool heap[2] = {false, false}, rusage[2] = {false, false};
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < h[s]->nprocs; i++) {
			heap[s] |= h[s]->procs[i].has_heap;
			rusage[s] |= h[s]->procs[i].has_rusage;
		}
	static const struct {
		const char *metric, *name;
		bool bytes, rusage;
	} rows[] = {{"allocs", "allocations", false, false},
		    {"peak_heap", "peak_heap", true, false},
		    {"peak_rss", "peak_rss", true, true},
		    {"faults", "page_faults", false, true}};
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		if (rows[r].rusage ? !(rusage[0] && rusage[1]) : !(heap[0] && heap[1]))
			continue;
		double v[2];
		for (int s = 0; s < 2; s++)
			ws_heapmem_metric(h[s], rows[r].metric, NULL, &v[s]);
		add_total(&c->heap, &c->nheap, rows[r].name, rows[r].bytes, (uint64_t)v[0],
			  (uint64_t)v[1]);
	}
}

void
ws_changed_build(const struct ws_facts *before, const struct ws_facts *after,
		 struct ws_changed *out)
{
	const struct ws_facts *f[2] = {before, after};
	memset(out, 0, sizeof *out);
	thread_verdicts(f, out);
	mpi_gpu_verdicts(f, out);
	function_verdicts(f, out);
	hot_verdicts(f, out);
	counter_totals(f, out);
	heap_totals(f, out);
}

void
ws_changed_free(struct ws_changed *c)
{
	free(c->verdicts);
	free(c->counters);
	free(c->heap);
	memset(c, 0, sizeof *c);
}
