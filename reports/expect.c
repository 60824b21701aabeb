/* Expectations over report tables (see expect.h). */
#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "counter_table.h"
#include "expect.h"
#include "gpu_report.h"
#include "mpi_report.h"
#include "heap.h"
#include "util.h"
#include "vector.h"
#include "access.h"

enum kind { NUM, NAME };
enum arg { NO_ARG, FUNC_ARG, OPT_FUNC_ARG, EVENT_FUNC_ARG };

static const struct metric {
	const char *name;
	enum kind kind;
	enum arg arg;
	bool compare_only;
	const char *unit; /* accepted after the value; NULL: none */
	const char *meaning;
} metrics[] = {
    {"wall", NUM, NO_ARG, false, "s", "wall-clock seconds of the run"},
    {"cpu", NUM, NO_ARG, false, "s", "CPU seconds of the run"},
    {"samples", NUM, NO_ARG, false, NULL, "samples recorded"},
    {"threads", NUM, NO_ARG, false, NULL, "threads recorded"},
    {"processes", NUM, NO_ARG, false, NULL, "processes recorded"},
    {"dropped", NUM, NO_ARG, false, NULL, "samples dropped"},
    {"rate", NUM, NO_ARG, false, "Hz", "samples per second achieved"},
    {"imbalance", NUM, NO_ARG, false, "x",
     "busiest thread's samples over the mean of\n"
     "                                      the threads with samples"},
    {"busy_imbalance", NUM, NO_ARG, false, "x",
     "busiest thread's busy time over the mean of\n"
     "                                      the threads that work (report --threads)"},
    {"idle", NUM, NO_ARG, false, "%",
     "% of the threads' time blocked or in the\n"
     "                                      OpenMP runtime (--threads, --clock wall)"},
    {"lock_wait", NUM, NO_ARG, false, "%",
     "% of the threads' samples waiting for a lock\n"
     "                                      (--threads; lock contention from 20)"},
    {"omp_runtime", NUM, NO_ARG, false, "%",
     "% of the threads' samples in the OpenMP runtime\n"
     "                                      (--threads)"},
    {"scheduling_overhead", NUM, NO_ARG, false, NULL,
     "1: the scheduling-overhead verdict (--threads)"},
    {"lock_contention", NUM, NO_ARG, false, NULL,
     "1: the lock-contention verdict (--threads)"},
    {"omp_imbalance", NUM, NO_ARG, false, "x",
     "in the OpenMP region with the most time: the\n"
     "                                      busiest thread's work over the mean (OMPT:\n"
     "                                      record --openmp-runtime=llvm)"},
    {"omp_wait", NUM, NO_ARG, false, "%",
     "% of that region's team time spent waiting\n"
     "                                      (OMPT)"},
    {"omp_serial", NUM, NO_ARG, false, "%",
     "% of the wall time outside OpenMP parallel\n"
     "                                      regions (OMPT)"},
    {"mpi", NUM, NO_ARG, false, "%",
     "% of the MPI ranks' time inside MPI calls\n"
     "                                      (PMPI: report --mpi)"},
    {"mpi_imbalance", NUM, NO_ARG, false, "x",
     "the MPI ranks' computing time, max over mean\n"
     "                                      (PMPI)"},
    {"gpu_busy", NUM, NO_ARG, false, "%",
     "% of the traced window the GPU was busy\n"
     "                                      (CUPTI: report --gpu, docs/gpu.md)"},
    {"gpu_copy_ratio", NUM, NO_ARG, false, "x", "GPU copy time over kernel time (CUPTI)"},
    {"gpu_kernels", NUM, NO_ARG, false, NULL, "kernel executions traced (CUPTI)"},
    {"gpu_sync_after_launch_percent", NUM, NO_ARG, false, "%",
     "% of kernel launches followed by a\n"
     "                                      synchronising call (CUPTI)"},
    {"gpu_kernel_mean", NUM, FUNC_ARG, false, "us",
     "mean time of the GPU kernels named K (a\n"
     "                                      pattern on the name without its arguments)"},
    {"gpu_transfer_bound", NUM, NO_ARG, false, NULL, "1: the transfer-bound verdict (CUPTI)"},
    {"gpu_launch_bound", NUM, NO_ARG, false, NULL, "1: the launch-bound verdict (CUPTI)"},
    {"gpu_idle_cpu_works", NUM, NO_ARG, false, NULL,
     "1: the GPU-idle-while-the-CPU-works verdict"},
    {"gpu_sync_every_launch", NUM, NO_ARG, false, NULL,
     "1: the sync-after-every-launch verdict"},
    {"gpu_pageable", NUM, NO_ARG, false, NULL, "1: the pageable-transfers verdict (CUPTI)"},
    {"gpu_um_migrations", NUM, NO_ARG, false, NULL,
     "1: the page-fault-migrations verdict (unified\n"
     "                                      memory, CUPTI)"},
    {"gpu_resident", NUM, NO_ARG, false, NULL,
     "1: the GPU-resident state (few copies between\n"
     "                                      kernels)"},
    {"gpu_bound", NUM, NO_ARG, false, NULL,
     "1: the GPU-bound state (kernels back to back)"},
    {"gpu_kernel_window", NUM, NO_ARG, false, "%",
     "% of the first-to-last-kernel window with a\n"
     "                                      kernel running (CUPTI)"},
    {"hot", NAME, NO_ARG, false, NULL, "the function with the most self time"},
    {"hotline", NAME, NO_ARG, false, NULL, "the hottest source line, as FILE:LINE"},
    {"self", NUM, FUNC_ARG, false, "%", "% of samples in F itself"},
    {"total", NUM, FUNC_ARG, false, "%", "% of samples with F on the stack"},
    {"time", NUM, FUNC_ARG, false, "s", "seconds with F on the stack"},
    {"packed", NUM, FUNC_ARG, false, "%",
     "% of F's FP arithmetic that is packed (SIMD),\n"
     "                                      weighted by samples (report --vector)"},
    {"vwidth", NUM, FUNC_ARG, false, NULL,
     "widest SIMD width in F's sampled FP arithmetic,\n"
     "                                      bits (128, 256, 512; 0: none)"},
    {"vector", NAME, FUNC_ARG, false, NULL,
     "F's class: scalar, vectorised, partly or no-fp\n"
     "                                      (packed < 25 %, >= 75 %, between, no FP)"},
    {"leaked", NUM, OPT_FUNC_ARG, false, NULL,
     "bytes never freed before exit; leaked(F): of the\n"
     "                                      allocations with F on their stack (--memory)"},
    {"leaked_allocs", NUM, OPT_FUNC_ARG, false, NULL,
     "allocations never freed before exit, or those\n"
     "                                      with F on their stack"},
    {"allocs", NUM, OPT_FUNC_ARG, false, NULL,
     "allocator calls (exact); allocs(F): allocations\n"
     "                                      with F on their stack (sampled estimate)"},
    {"alloc_bytes", NUM, OPT_FUNC_ARG, false, NULL,
     "bytes asked for (exact), or with F on the stack"},
    {"peak_heap", NUM, NO_ARG, false, NULL, "most heap bytes live at once (exact)"},
    {"peak_rss", NUM, NO_ARG, false, NULL, "peak resident set size, bytes"},
    {"faults", NUM, NO_ARG, false, NULL, "page faults (minor + major)"},
    {"major_faults", NUM, NO_ARG, false, NULL, "page faults that needed I/O"},
    {"count", NUM, EVENT_FUNC_ARG, false, NULL,
     "event E's count in F itself (record -e E;\n"
     "                                      report --counters), e.g.\n"
     "                                      'count(perf::PAGE-FAULTS, touch)>=1000'"},
    {"share", NUM, EVENT_FUNC_ARG, false, "%", "% of event E's attributed count in F itself"},
    {"derived", NUM, EVENT_FUNC_ARG, false, NULL,
     "derived counter metric M of F itself: ipc,\n"
     "                                      l1_mpki, l2_mpki, l3_mpki, gflops,\n"
     "                                      vector_share, page_faults_per_s,\n"
     "                                      llc_traffic_gb_s"},
    {"memory", NAME, FUNC_ARG, false, NULL,
     "F's hottest loop: memory-bound, cache-friendly,\n"
     "                                      no-memory or unknown (report --memory)"},
    {"fetched", NUM, FUNC_ARG, false, "x",
     "bytes fetched per byte used in F's hottest loop\n"
     "                                      (1: every fetched byte used; --memory)"},
    {"stride", NUM, FUNC_ARG, false, NULL,
     "largest stride, bytes per iteration, of the\n"
     "                                      accesses of F's hottest loop (--memory)"},
    {"intensity", NUM, FUNC_ARG, false, NULL,
     "FLOP per byte fetched in F's hottest loop\n"
     "                                      (--memory)"},
    {"speedup", NUM, OPT_FUNC_ARG, true, "x",
     "wall time before over after; speedup(F): time(F)\n"
     "                                      before over after"},
    {"cpu_speedup", NUM, NO_ARG, true, "x", "CPU time before over after"},
};
enum { NMETRICS = sizeof metrics / sizeof metrics[0] };

static const char *const op_text[] = {"==", "!=", ">=", "<=", ">", "<"};

const char *
ws_expect_metrics(bool compare)
{
	static char text[2][16384]; /* every metric with its meaning; grows with them */
	char *t = text[compare];
	if (!t[0]) {
		size_t n = 0;
		for (size_t i = 0; i < NMETRICS && n < sizeof text[0]; i++) {
			if (metrics[i].compare_only && !compare)
				continue;
			char name[32];
			snprintf(name, sizeof name, "%s%s", metrics[i].name,
				 metrics[i].arg == FUNC_ARG ? "(F)"
				 : metrics[i].arg == EVENT_FUNC_ARG
				     ? (metrics[i].name[0] == 'd' ? "(M,F)" : "(E,F)")
				     : "");
			n += (size_t)snprintf(t + n, sizeof text[0] - n, "%23s%-14s %s\n", "", name,
					      metrics[i].meaning);
		}
	}
	return t;
}

static char *
trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	char *r = ws_xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static int
fail(char **why, struct ws_expect *e, char *msg)
{
	*why = msg;
	ws_expect_free(e);
	return -1;
}

void
ws_expect_free(struct ws_expect *e)
{
	free(e->text);
	for (size_t i = 0; i < 2; i++)
		free(e->term[i].function);
	free(e->value);
	memset(e, 0, sizeof *e);
}

/* One term at *pp: [before.|after.]METRIC[(FUNCTION)]; advances *pp. */
static int
parse_term(const char *text, const char **pp, bool compare, struct ws_expect_term *t, char **why)
{
	const char *p = *pp;
	while (isspace((unsigned char)*p))
		p++;
	if (!strncmp(p, "before.", 7) || !strncmp(p, "after.", 6)) {
		if (!compare) {
			*why = ws_xasprintf("'%s': before. and after. belong to whyslow compare",
					    text);
			return -1;
		}
		t->scope = p[0] == 'b' ? WS_SCOPE_BEFORE : WS_SCOPE_AFTER;
		p += p[0] == 'b' ? 7 : 6;
	}
	const char *name = p;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	size_t nlen = (size_t)(p - name);
	t->metric = -1;
	for (int i = 0; i < NMETRICS; i++)
		if (strlen(metrics[i].name) == nlen && !strncmp(metrics[i].name, name, nlen))
			t->metric = i;
	if (t->metric < 0) {
		*why = ws_xasprintf("'%s': unknown metric '%.*s'; the metrics are:\n%s", text,
				    (int)nlen, name, ws_expect_metrics(compare));
		return -1;
	}
	const struct metric *m = &metrics[t->metric];
	if (m->compare_only && (!compare || t->scope != WS_SCOPE_ONE)) {
		*why = ws_xasprintf(compare ? "'%s': %s compares two recordings: no before. or "
					      "after."
					    : "'%s': %s needs two recordings (whyslow compare)",
				    text, m->name);
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '(') {
		if (m->arg == NO_ARG) {
			*why = ws_xasprintf("'%s': %s takes no function", text, m->name);
			return -1;
		}
		/* up to the matching ')': C++ names hold parentheses too */
		const char *start = ++p;
		int depth = 1;
		for (; *p && depth; p++)
			depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
		if (depth) {
			*why = ws_xasprintf("'%s': missing ')'", text);
			return -1;
		}
		t->function = trimmed(start, (size_t)(p - 1 - start));
		if (!*t->function) {
			*why = ws_xasprintf("'%s': empty function name", text);
			return -1;
		}
		if (m->arg == EVENT_FUNC_ARG) {
			char *comma = strchr(t->function, ',');
			char *ev =
			    comma ? trimmed(t->function, (size_t)(comma - t->function)) : NULL;
			char *fn = comma ? trimmed(comma + 1, strlen(comma + 1)) : NULL;
			bool ok = ev && *ev && fn && *fn;
			if (ok && m->name[0] == 'd') {
				ok = false;
				for (size_t d = 0; d < WS_NDERIVED; d++)
					ok |= !strcmp(ws_derived_template[d].name, ev);
				if (!ok) {
					*why =
					    ws_xasprintf("'%s': '%s' is not a derived metric (ipc, "
							 "l1_mpki, l2_mpki, l3_mpki, gflops, "
							 "vector_share, page_faults_per_s, "
							 "llc_traffic_gb_s)",
							 text, ev);
					free(ev);
					free(fn);
					return -1;
				}
			}
			free(ev);
			free(fn);
			if (!ok) {
				*why = ws_xasprintf("'%s': %s needs an event and a function: "
						    "%s(EVENT, FUNCTION)",
						    text, m->name, m->name);
				return -1;
			}
		}
	} else if (m->arg == FUNC_ARG || m->arg == EVENT_FUNC_ARG) {
		*why = ws_xasprintf("'%s': %s needs a function: %s(NAME)", text, m->name, m->name);
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	*pp = p;
	return 0;
}

int
ws_expect_parse(const char *text, bool compare, struct ws_expect *out, char **why)
{
	struct ws_expect *e = out;
	memset(e, 0, sizeof *e);
	e->text = ws_xstrdup(text);
	const char *p = text;
	if (parse_term(text, &p, compare, &e->term[0], why) < 0)
		return fail(why, e, *why);
	e->nterms = 1;
	const struct metric *m = &metrics[e->term[0].metric];
	if (*p == '/') {
		p++;
		if (parse_term(text, &p, compare, &e->term[1], why) < 0)
			return fail(why, e, *why);
		e->nterms = 2;
		const struct metric *m2 = &metrics[e->term[1].metric];
		if (m->kind == NAME || m2->kind == NAME)
			return fail(why, e,
				    ws_xasprintf("'%s': only numbers divide (%s is a name)", text,
						 m->kind == NAME ? m->name : m2->name));
	}
	static const enum ws_expect_op order[] = {WS_EQ, WS_NE, WS_GE, WS_LE, WS_GT, WS_LT};
	bool found = false;
	for (size_t i = 0; i < 6 && !found; i++) {
		size_t l = strlen(op_text[order[i]]);
		if (!strncmp(p, op_text[order[i]], l)) {
			e->op = order[i];
			p += l;
			found = true;
		}
	}
	if (!found)
		return fail(why, e,
			    ws_xasprintf("'%s': expected one of == != >= <= > < after %s%s", text,
					 m->name, e->nterms == 2 ? "/..." : ""));
	e->value = trimmed(p, strlen(p));
	size_t vlen = strlen(e->value);
	if (vlen >= 2 && (e->value[0] == '\'' || e->value[0] == '"') &&
	    e->value[vlen - 1] == e->value[0]) {
		memmove(e->value, e->value + 1, vlen - 2);
		e->value[vlen - 2] = '\0';
	}
	if (!*e->value)
		return fail(why, e, ws_xasprintf("'%s': nothing to compare with", text));
	if (m->kind == NAME) {
		if (e->op != WS_EQ && e->op != WS_NE)
			return fail(
			    why, e,
			    ws_xasprintf("'%s': %s is a name: use == or !=", text, m->name));
		return 0;
	}
	/* a ratio is a plain number, or an 'x' factor */
	const char *unit = e->nterms == 2 ? "x" : m->unit;
	char *end;
	e->number = strtod(e->value, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (end == e->value || !isfinite(e->number) || (*end && !(unit && !strcmp(end, unit))))
		return fail(why, e,
			    ws_xasprintf("'%s': '%s' is not a number%s%s%s", text, e->value,
					 unit ? " (optionally followed by " : "", unit ? unit : "",
					 unit ? ")" : ""));
	return 0;
}

static bool
uses(const struct ws_expect *e, const char *metric)
{
	for (size_t i = 0; i < e->nterms; i++)
		if (!strcmp(metrics[e->term[i].metric].name, metric))
			return true;
	return false;
}

bool
ws_expect_needs_lines(const struct ws_expect *e)
{
	return uses(e, "hotline");
}

bool
ws_expect_needs_threads(const struct ws_expect *e)
{
	return uses(e, "imbalance");
}

bool
ws_expect_needs_busy(const struct ws_expect *e)
{
	return uses(e, "busy_imbalance") || uses(e, "idle") || uses(e, "lock_wait") ||
	       uses(e, "omp_runtime") || uses(e, "scheduling_overhead") ||
	       uses(e, "lock_contention") ||
	       uses(e, "omp_imbalance") ||
	       uses(e, "omp_wait") || uses(e, "omp_serial");
}

bool
ws_expect_needs_heap(const struct ws_expect *e)
{
	for (size_t i = 0; i < e->nterms; i++)
		if (ws_heapmem_is_metric(metrics[e->term[i].metric].name))
			return true;
	return false;
}

bool
ws_expect_needs_counters(const struct ws_expect *e)
{
	return uses(e, "count") || uses(e, "share") || uses(e, "derived");
}

bool
ws_expect_needs_access(const struct ws_expect *e)
{
	return uses(e, "memory") || uses(e, "fetched") || uses(e, "stride") ||
	       uses(e, "intensity");
}

bool
ws_expect_needs_vector(const struct ws_expect *e)
{
	return uses(e, "packed") || uses(e, "vwidth") || uses(e, "vector");
}

/* ---- evaluation ---- */

static double
seconds_per_sample(const struct ws_facts *f)
{
	return f->header->achieved_hz > 0 ? 1.0 / f->header->achieved_hz : 0.0;
}

/* Samples of the functions matching pattern: self summed, total the
 * largest. */
static void
function_samples(const struct ws_facts *f, const char *pattern, uint64_t *self, uint64_t *total)
{
	*self = *total = 0;
	for (size_t i = 0; i < f->flat->nrows; i++) {
		const struct ws_flat_row *r = &f->flat->rows[i];
		if (strcmp(r->function, pattern) && fnmatch(pattern, r->function, 0))
			continue;
		*self += r->self;
		if (r->total > *total)
			*total = r->total;
	}
}

/* The analysed function matching pattern with the most samples, or NULL. */
static const struct ws_vfunction *
vector_function(const struct ws_facts *f, const char *pattern)
{
	for (size_t i = 0; f->vector && i < f->vector->nfns; i++) {
		const struct ws_vfunction *v = &f->vector->fns[i];
		if (v->why_not)
			continue;
		if (!strcmp(v->function, pattern) || !fnmatch(pattern, v->function, 0))
			return v;
	}
	return NULL;
}

/* time(F) */
static double
time_in(const char *function, const struct ws_facts *f)
{
	uint64_t self, total;
	function_samples(f, function, &self, &total);
	return (double)total * seconds_per_sample(f);
}

static double
imbalance(const struct ws_facts *f)
{
	uint64_t max = 0, sum = 0;
	size_t n = 0;
	for (size_t i = 0; f->threads && i < f->threads->nrows; i++) {
		uint64_t s = f->threads->rows[i].samples;
		if (!s)
			continue;
		n++;
		sum += s;
		if (s > max)
			max = s;
	}
	return sum ? (double)max * (double)n / (double)sum : 0.0;
}

/* Set when a counters metric had nothing counted to read. */
static bool not_counted;

/* count(E,F), share(E,F), derived(M,F); arg is "E, F". */
static double
counter_metric(const struct metric *m, const char *arg, const struct ws_facts *f)
{
	const char *comma = strchr(arg, ',');
	char *ev = trimmed(arg, (size_t)(comma - arg));
	char *fn = trimmed(comma + 1, strlen(comma + 1));
	const struct ws_counter_table *t = f->counters;
	double v = 0.0;
	if (!t) {
		not_counted = true;
	} else if (m->name[0] == 'd') {
		/* the matching functions' self counts, summed, then derived */
		uint64_t counts[WS_MAX_EVENTS] = {0};
		double seconds = 0.0;
		for (size_t i = 0; i < t->nfns; i++) {
			const struct ws_counter_fn *r = &t->fns[i];
			if (strcmp(r->function, fn) && fnmatch(fn, r->function, 0))
				continue;
			seconds += r->self_seconds;
			for (size_t k = 0; k < t->nevents && k < WS_MAX_EVENTS; k++)
				counts[k] += r->self[k];
		}
		struct ws_derived dv[WS_NDERIVED];
		ws_counters_derive(t, counts, seconds, dv);
		for (size_t d = 0; d < WS_NDERIVED; d++)
			if (!strcmp(dv[d].name, ev)) {
				not_counted = !dv[d].have;
				v = dv[d].value;
			}
	} else {
		int col = ws_counters_event(t, ev);
		uint64_t c;
		if (!ws_counters_value(t, col, fn, false, &c))
			not_counted = true;
		else if (m->name[0] == 'c')
			v = (double)c;
		else
			v = ws_percent(c, t->attributed[col]);
	}
	free(ev);
	free(fn);
	return v;
}

/* A numeric metric of one recording. */
static double
number(const struct metric *m, const char *function, const struct ws_facts *f)
{
	const struct ws_header *h = f->header;
	uint64_t self, total;
	if (m->arg == EVENT_FUNC_ARG)
		return counter_metric(m, function, f);
	if (!strcmp(m->name, "wall"))
		return h->wall_seconds;
	if (!strcmp(m->name, "cpu"))
		return h->cpu_seconds;
	if (!strcmp(m->name, "samples"))
		return (double)h->samples;
	if (!strcmp(m->name, "threads"))
		return (double)h->threads;
	if (!strcmp(m->name, "processes"))
		return (double)h->processes;
	if (!strcmp(m->name, "dropped"))
		return (double)h->dropped;
	if (!strcmp(m->name, "rate"))
		return h->achieved_hz;
	if (!strcmp(m->name, "imbalance"))
		return imbalance(f);
	if (!strcmp(m->name, "busy_imbalance"))
		return f->busy ? f->busy->imbalance : 0.0;
	if (!strcmp(m->name, "idle"))
		return f->busy ? f->busy->idle_percent : 0.0;
	if (!strcmp(m->name, "lock_wait"))
		return f->busy ? f->busy->lock_percent : 0.0;
	if (!strcmp(m->name, "omp_runtime"))
		return f->busy ? f->busy->runtime_percent : 0.0;
	if (!strcmp(m->name, "scheduling_overhead"))
		return f->busy && f->busy->scheduling_overhead;
	if (!strcmp(m->name, "lock_contention"))
		return f->busy && f->busy->lock_contention;
	if (!strncmp(m->name, "mpi", 3)) {
		/* NAN: no rank recorded MPI calls */
		if (!f->mpi || !f->mpi->library)
			return NAN;
		return m->name[3] ? f->mpi->compute_imbalance : f->mpi->mpi_percent;
	}
	if (!strncmp(m->name, "gpu_", 4)) {
		/* NAN: no GPU record */
		const struct ws_gpu_report *g = f->gpu;
		if (!g || !g->nprocs)
			return NAN;
		const char *k = m->name + 4;
		if (!strcmp(k, "kernel_mean")) {
			double sum = 0;
			uint64_t n = 0;
			for (size_t i = 0; i < g->nkernels; i++) {
				char base[256];
				snprintf(base, sizeof base, "%s", g->kernels[i].name);
				char *paren = strchr(base, '(');
				if (paren)
					*paren = '\0';
				if (strcmp(base, function) && fnmatch(function, base, 0))
					continue;
				sum += g->kernels[i].seconds;
				n += g->kernels[i].calls;
			}
			return n ? 1e6 * sum / (double)n : NAN;
		}
		return !strcmp(k, "busy")		      ? g->busy_percent
		       : !strcmp(k, "copy_ratio")	      ? g->copy_kernel_ratio
		       : !strcmp(k, "kernels")		      ? (double)g->kernel_count
		       : !strcmp(k, "sync_after_launch_percent") ? g->sync_after_launch_percent
		       : !strcmp(k, "transfer_bound")	      ? g->transfer_bound
		       : !strcmp(k, "launch_bound")	      ? g->launch_bound
		       : !strcmp(k, "idle_cpu_works")	      ? g->gpu_idle_cpu_works
		       : !strcmp(k, "sync_every_launch")	      ? g->sync_every_launch
		       : !strcmp(k, "um_migrations")	      ? g->um_migrations
		       : !strcmp(k, "resident")		      ? g->resident
		       : !strcmp(k, "bound")		      ? g->gpu_bound
		       : !strcmp(k, "kernel_window")	      ? g->kernel_window_percent
							      : g->pageable;
	}
	if (!strncmp(m->name, "omp_", 4)) {
		/* NAN: not recorded (the check fails and says so) */
		const struct ws_omp *o = f->busy ? &f->busy->omp : NULL;
		if (!o || !o->runtime)
			return NAN;
		if (!strcmp(m->name, "omp_serial"))
			return o->serial_percent;
		if (!o->nrows)
			return NAN;
		return !strcmp(m->name, "omp_wait") ? o->rows[0].wait_percent
						    : o->rows[0].imbalance;
	}
	if (!strcmp(m->name, "time"))
		return time_in(function, f);
	double hv;
	if (ws_heapmem_metric(f->heap, m->name, function, &hv))
		return hv;
	if (!strcmp(m->name, "fetched") || !strcmp(m->name, "stride") ||
	    !strcmp(m->name, "intensity")) {
		const struct ws_mfunction *a = ws_access_function(f->access, function);
		if (!a)
			return 0.0;
		const struct ws_mloop *l = &a->loops[0];
		if (m->name[0] == 'f')
			return l->ratio;
		if (m->name[0] == 'i')
			return l->intensity;
		double w = 0;
		for (size_t i = 0; i < l->nacc; i++)
			if (l->acc[i].known && fabs((double)l->acc[i].stride) > w)
				w = fabs((double)l->acc[i].stride);
		return w;
	}
	if (!strcmp(m->name, "packed") || !strcmp(m->name, "vwidth")) {
		const struct ws_vfunction *v = vector_function(f, function);
		if (!v)
			return 0.0;
		return m->name[0] == 'p' ? v->facts.packed_percent : (double)v->facts.vector_bits;
	}
	function_samples(f, function, &self, &total);
	return ws_percent(!strcmp(m->name, "self") ? self : total, f->flat->samples);
}

/* A name metric of one recording; "" when the recording has none. */
static char *
name(const struct metric *m, const char *function, const struct ws_facts *f)
{
	if (!strcmp(m->name, "vector")) {
		const struct ws_vfunction *v = vector_function(f, function);
		return ws_xstrdup(v ? ws_vclass_name(v->facts.vclass) : "");
	}
	if (!strcmp(m->name, "memory")) {
		const struct ws_mfunction *a = ws_access_function(f->access, function);
		return ws_xstrdup(a ? ws_mclass_name(a->loops[0].mclass) : "");
	}
	if (!strcmp(m->name, "hot"))
		return ws_xstrdup(f->flat->nrows ? f->flat->rows[0].function : "");
	/* hotline */
	if (!f->lines || !f->lines->nrows)
		return ws_xstrdup("");
	const struct ws_line_row *r = &f->lines->rows[0];
	return ws_xasprintf("%s:%u", ws_basename(r->file), r->line);
}

static double
ratio(double before, double after)
{
	return after > 0 ? before / after : (before > 0 ? INFINITY : 0.0);
}

static bool
compare_numbers(double v, enum ws_expect_op op, double want)
{
	switch (op) {
	case WS_EQ:
		return fabs(v - want) <= 1e-9 * fmax(1.0, fabs(want));
	case WS_NE:
		return !(fabs(v - want) <= 1e-9 * fmax(1.0, fabs(want)));
	case WS_GE:
		return v >= want;
	case WS_LE:
		return v <= want;
	case WS_GT:
		return v > want;
	case WS_LT:
		return v < want;
	}
	return false;
}

static double
term_value(const struct ws_expect_term *t, const struct ws_facts *before,
	   const struct ws_facts *after)
{
	const struct metric *m = &metrics[t->metric];
	if (!strcmp(m->name, "speedup"))
		return t->function
			   ? ratio(time_in(t->function, before), time_in(t->function, after))
			   : ratio(before->header->wall_seconds, after->header->wall_seconds);
	if (!strcmp(m->name, "cpu_speedup"))
		return ratio(before->header->cpu_seconds, after->header->cpu_seconds);
	return number(m, t->function, t->scope == WS_SCOPE_BEFORE ? before : after);
}

void
ws_expect_eval(const struct ws_expect *e, const struct ws_facts *before,
	       const struct ws_facts *after, struct ws_expect_result *out)
{
	const struct ws_expect_term *t = &e->term[0];
	const struct metric *m = &metrics[t->metric];
	if (m->kind == NAME) {
		char *v = name(m, t->function, t->scope == WS_SCOPE_BEFORE ? before : after);
		bool match = !strcmp(v, e->value) || !fnmatch(e->value, v, 0);
		out->passed = e->op == WS_EQ ? match : !match;
		out->measured = *v ? v : (free(v), ws_xstrdup("(none)"));
		return;
	}
	not_counted = false;
	double v = term_value(t, before, after);
	const char *unit = m->unit;
	if (e->nterms == 2) {
		double w = term_value(&e->term[1], before, after);
		v = isnan(w) ? NAN : ratio(v, w);
		unit = "x";
	}
	if (not_counted) {
		out->passed = false;
		out->measured = ws_xstrdup("not counted (record with -e; see report --counters)");
		return;
	}
	if (isnan(v)) {
		out->passed = false;
		out->measured = ws_xstrdup(
		    !strncmp(m->name, "omp_", 4)  ? "(no OpenMP region data: OMPT was not recorded)"
		    : !strncmp(m->name, "mpi", 3) ? "(no MPI data: no rank's MPI calls were timed)"
		    : !strncmp(m->name, "gpu_", 4) ? "(no GPU data: no process was traced with CUPTI)"
						  : "(not recorded)");
		return;
	}
	out->passed = compare_numbers(v, e->op, e->number);
	if (isinf(v))
		out->measured = ws_xstrdup("infinite");
	else
		out->measured = ws_xasprintf("%.4g%s%s", v, unit && strcmp(unit, "x") ? " " : "",
					     unit ? unit : "");
}

void
ws_expect_result_free(struct ws_expect_result *r)
{
	free(r->measured);
	r->measured = NULL;
}

size_t
ws_expect_run(const struct ws_expect *e, size_t n, const struct ws_facts *before,
	      const struct ws_facts *after, struct ws_expect_result *results)
{
	size_t failed = 0;
	for (size_t i = 0; i < n; i++) {
		ws_expect_eval(&e[i], before, after, &results[i]);
		if (!results[i].passed) {
			failed++;
			ws_errorf("expectation failed: %s (measured: %s)", e[i].text,
				  results[i].measured);
		}
	}
	return failed;
}

bool
ws_expect_parse_all(char *const *texts, size_t n, bool compare, struct ws_expect **out)
{
	*out = ws_xcalloc(n + 1, sizeof **out);
	for (size_t i = 0; i < n; i++) {
		char *why;
		if (ws_expect_parse(texts[i], compare, &(*out)[i], &why) < 0) {
			ws_errorf("--expect %s", why);
			free(why);
			ws_expect_free_all(*out, NULL, i);
			*out = NULL;
			return false;
		}
	}
	return true;
}

void
ws_expect_free_all(struct ws_expect *e, struct ws_expect_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (e)
			ws_expect_free(&e[i]);
		if (r)
			ws_expect_result_free(&r[i]);
	}
	free(e);
	free(r);
}
