/* Counters per function and derived metrics (see counter_table.h). */
#include "config.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "counter_table.h"
#include "hmap.h"
#include "util.h"

static const struct {
	const char *name;
	enum ws_counter_role role;
} roles[] = {
    {"PAPI_TOT_INS", WS_ROLE_INS},
    {"perf::INSTRUCTIONS", WS_ROLE_INS},
    {"perf::PERF_COUNT_HW_INSTRUCTIONS", WS_ROLE_INS},
    {"PAPI_TOT_CYC", WS_ROLE_CYC},
    {"perf::CYCLES", WS_ROLE_CYC},
    {"perf::CPU-CYCLES", WS_ROLE_CYC},
    {"perf::PERF_COUNT_HW_CPU_CYCLES", WS_ROLE_CYC},
    {"PAPI_L1_DCM", WS_ROLE_L1_DCM},
    {"perf::L1-DCACHE-LOAD-MISSES", WS_ROLE_L1_DCM},
    {"PAPI_L2_DCM", WS_ROLE_L2_DCM},
    {"PAPI_L2_TCM", WS_ROLE_L2_DCM},
    {"PAPI_L3_TCM", WS_ROLE_L3_DCM},
    {"PAPI_L3_DCM", WS_ROLE_L3_DCM},
    {"perf::LLC-LOAD-MISSES", WS_ROLE_L3_DCM},
    {"perf::CACHE-MISSES", WS_ROLE_L3_DCM},
    {"PAPI_FP_OPS", WS_ROLE_FP_OPS},
    {"PAPI_DP_OPS", WS_ROLE_FP_OPS},
    {"PAPI_SP_OPS", WS_ROLE_FP_OPS},
    {"PAPI_FP_INS", WS_ROLE_FP_INS},
    {"PAPI_VEC_INS", WS_ROLE_VEC_INS},
    {"PAPI_VEC_DP", WS_ROLE_VEC_INS},
    {"PAPI_VEC_SP", WS_ROLE_VEC_INS},
    /* native events of the --counters groups (reports/events.c), for the
     * CPUs whose PAPI builds the presets from several events */
    {"RETIRED_SSE_AVX_FLOPS:ANY", WS_ROLE_FP_OPS},
    {"FP_ARITH_INST_RETIRED:VECTOR", WS_ROLE_VEC_INS},
    {WS_FP_ARITH_PACKED, WS_ROLE_VEC_INS},
    {"FP_ARITH_INST_RETIRED:SCALAR", WS_ROLE_FP_SCALAR_INS},
    {WS_FP_ARITH_SCALAR, WS_ROLE_FP_SCALAR_INS},
    {"perf::PAGE-FAULTS", WS_ROLE_PAGE_FAULTS},
    {"perf::FAULTS", WS_ROLE_PAGE_FAULTS},
    {"perf::MINOR-FAULTS", WS_ROLE_PAGE_FAULTS},
    {"perf::MAJOR-FAULTS", WS_ROLE_PAGE_FAULTS},
};

enum ws_counter_role
ws_counter_role(const char *event)
{
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (!strcmp(roles[i].name, event))
			return roles[i].role;
	return WS_ROLE_NONE;
}

const struct ws_derived ws_derived_template[WS_NDERIVED] = {
    {.name = "ipc",
     .explain = "instructions per cycle: near 4 the core is busy; well below 1 it mostly waits "
		"(memory, branch mispredictions)"},
    {.name = "l1_mpki",
     .explain = "L1 data cache misses per 1000 instructions: how often a load or store "
		"misses the closest cache"},
    {.name = "l2_mpki", .explain = "L2 cache misses per 1000 instructions"},
    {.name = "l3_mpki",
     .explain = "last-level cache misses per 1000 instructions: each one waits for main "
		"memory (~100 ns)"},
    {.name = "gflops",
     .explain = "billions of floating-point operations per second of the function's own time"},
    {.name = "vector_share",
     .explain = "% of floating-point instructions that are vector (SIMD) ones: low means "
		"scalar code"},
    {.name = "page_faults_per_s",
     .explain = "page faults per second of the function's own time: first touches "
		"of fresh memory (each costs the kernel ~1 us or more)"},
    {.name = "llc_traffic_gb_s",
     .explain = "memory traffic: last-level cache misses x 64-byte lines per second of the "
		"function's own time, in GB/s (compare with 'whyslow machine' bandwidth)"},
};

int
ws_counters_event(const struct ws_counter_table *t, const char *name)
{
	for (size_t i = 0; i < t->nevents; i++)
		if (!strcmp(t->events[i], name))
			return (int)i;
	return -1;
}

int
ws_counters_role(const struct ws_counter_table *t, enum ws_counter_role role)
{
	for (size_t i = 0; i < t->nevents; i++)
		if (t->counted[i] && ws_counter_role(t->events[i]) == role)
			return (int)i;
	return -1;
}

void
ws_counters_derive(const struct ws_counter_table *t, const uint64_t *counts, double seconds,
		   struct ws_derived out[WS_NDERIVED])
{
	memcpy(out, ws_derived_template, sizeof ws_derived_template);
	int ins = ws_counters_role(t, WS_ROLE_INS), cyc = ws_counters_role(t, WS_ROLE_CYC);
	int l[3] = {ws_counters_role(t, WS_ROLE_L1_DCM), ws_counters_role(t, WS_ROLE_L2_DCM),
		    ws_counters_role(t, WS_ROLE_L3_DCM)};
	int fops = ws_counters_role(t, WS_ROLE_FP_OPS), fins = ws_counters_role(t, WS_ROLE_FP_INS),
	    vec = ws_counters_role(t, WS_ROLE_VEC_INS),
	    scalar = ws_counters_role(t, WS_ROLE_FP_SCALAR_INS),
	    pf = ws_counters_role(t, WS_ROLE_PAGE_FAULTS);
	if (ins >= 0 && cyc >= 0 && counts[cyc]) {
		out[0].have = true;
		out[0].value = (double)counts[ins] / (double)counts[cyc];
	}
	for (int k = 0; k < 3; k++)
		if (ins >= 0 && l[k] >= 0 && counts[ins]) {
			out[1 + k].have = true;
			out[1 + k].value = 1000.0 * (double)counts[l[k]] / (double)counts[ins];
		}
	if (fops >= 0 && seconds > 0) {
		out[4].have = true;
		out[4].value = (double)counts[fops] / seconds / 1e9;
	}
	if (vec >= 0 && fins >= 0 && counts[fins]) {
		out[5].have = true;
		out[5].value = 100.0 * (double)counts[vec] / (double)counts[fins];
	} else if (vec >= 0 && scalar >= 0 && counts[vec] + counts[scalar]) {
		/* Intel's FP_ARITH counts packed and scalar apart */
		out[5].have = true;
		out[5].value = 100.0 * (double)counts[vec] / (double)(counts[vec] + counts[scalar]);
	}
	if (pf >= 0 && seconds > 0) {
		out[6].have = true;
		out[6].value = (double)counts[pf] / seconds;
	}
	if (l[2] >= 0 && seconds > 0) { /* one 64-byte line per last-level miss */
		out[7].have = true;
		out[7].value = 64.0 * (double)counts[l[2]] / seconds / 1e9;
	}
}

/* ---- building ---- */

struct fn {
	const char *function, *module;
	bool inlined;
	uint64_t self_samples;
	uint64_t stamp;
	uint64_t *self, *total;
};

struct state {
	struct ws_counter_table *t;
	struct ws_hmap map;
	struct fn **fns;
	size_t nfns;
	uint64_t stamp;
	int cols[64]; /* the process's event k -> table column (current process) */
	const struct wsr_process *cols_for;
	int sort_col;
};

static bool
fn_eq(const void *entry, const void *key)
{
	const struct fn *a = entry;
	const struct ws_frame *b = key;
	return a->function == b->function && a->module == b->module && a->inlined == b->inlined;
}

static struct fn *
fn_for(struct state *s, const struct ws_frame *fr)
{
	uint64_t h = ws_hash_ptr(fr->function, ws_hash_ptr(fr->module, fr->inlined));
	struct fn *e = ws_hmap_find(&s->map, h, fn_eq, fr);
	if (!e) {
		e = ws_xcalloc(1, sizeof *e);
		e->function = fr->function;
		e->module = fr->module;
		e->inlined = fr->inlined;
		e->self = ws_xcalloc(s->t->nevents + 1, sizeof *e->self);
		e->total = ws_xcalloc(s->t->nevents + 1, sizeof *e->total);
		ws_hmap_insert(&s->map, h, e);
		s->fns = ws_xrealloc(s->fns, (s->nfns + 1) * sizeof *s->fns);
		s->fns[s->nfns++] = e;
	}
	return e;
}

static void
map_columns(struct state *s, const struct wsr_process *p)
{
	if (s->cols_for == p)
		return;
	s->cols_for = p;
	for (size_t k = 0; k < p->nevents && k < 64; k++)
		s->cols[k] = ws_counters_event(s->t, p->events[k].name);
}

static void
count_stack(void *arg, const struct wsr_process *p, const struct wsr_thread *th,
	    const struct wsr_stack *st, const struct ws_chain *c)
{
	struct state *s = arg;
	s->stamp++;
	const uint64_t *row = NULL;
	if (th->counters && th->counters->rows) {
		map_columns(s, p);
		row = th->counters->rows + (size_t)(st - th->stacks) * p->nevents;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct fn *e = fn_for(s, c->frames[i]);
		bool first = e->stamp != s->stamp;
		e->stamp = s->stamp;
		if (i == 0)
			e->self_samples += st->count;
		if (!row)
			continue;
		for (size_t k = 0; k < p->nevents; k++) {
			int col = s->cols[k];
			if (i == 0)
				e->self[col] += row[k];
			if (first)
				e->total[col] += row[k];
		}
	}
}

static int sort_col_global;

static int
cmp_fn(const void *a, const void *b)
{
	const struct fn *x = *(struct fn *const *)a, *y = *(struct fn *const *)b;
	int c = sort_col_global;
	if (c >= 0 && x->self[c] != y->self[c])
		return x->self[c] > y->self[c] ? -1 : 1;
	if (x->self_samples != y->self_samples)
		return x->self_samples > y->self_samples ? -1 : 1;
	int r = strcmp(x->function, y->function);
	return r ? r : strcmp(x->module, y->module);
}

static void
add_problem(struct ws_counter_table *t, char *line)
{
	for (size_t i = 0; i < t->nproblems; i++)
		if (!strcmp(t->problems[i], line)) {
			free(line);
			return;
		}
	t->problems = ws_xrealloc(t->problems, (t->nproblems + 1) * sizeof *t->problems);
	t->problems[t->nproblems++] = line;
}

void
ws_counters_build(const struct wsr_profile *prof, const struct ws_filter *f,
		  struct ws_symbolizer *sym, double seconds_per_sample, size_t top,
		  struct ws_counter_table *out)
{
	memset(out, 0, sizeof *out);
	out->seconds_per_sample = seconds_per_sample;
	/* the union of the processes' events, by name */
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!ws_filter_process(f, p))
			continue;
		for (size_t k = 0; k < p->nevents; k++)
			if (ws_counters_event(out, p->events[k].name) < 0) {
				out->events = ws_xrealloc(out->events,
							  (out->nevents + 1) * sizeof *out->events);
				out->events[out->nevents++] = p->events[k].name;
			}
	}
	size_t n = out->nevents;
	out->counted = ws_xcalloc(n + 1, sizeof *out->counted);
	out->totals = ws_xcalloc(n + 1, sizeof *out->totals);
	out->handler = ws_xcalloc(n + 1, sizeof *out->handler);
	out->attributed = ws_xcalloc(n + 1, sizeof *out->attributed);
	if (!n)
		return;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!ws_filter_process(f, p) || !p->nevents)
			continue;
		for (size_t k = 0; k < p->nevents; k++)
			if (p->events[k].status == WS_CTR_FAILED)
				add_problem(
				    out, ws_xasprintf("%s could not be counted in process %" PRIu32
						      ": %s",
						      p->events[k].name, p->info.pid,
						      strerror((int)p->events[k].err)));
		for (size_t ti = 0; ti < p->nthreads; ti++) {
			const struct wsr_thread *th = &p->threads[ti];
			if (!ws_filter_thread(f, p, th))
				continue;
			out->threads++;
			const struct wsr_thread_counters *tc = th->counters;
			if (!tc) {
				add_problem(out,
					    ws_xasprintf("thread %" PRIu32 " of process %" PRIu32
							 " has no counts (it was never armed)",
							 th->info.tid, p->info.pid));
				continue;
			}
			if (tc->info.err) {
				add_problem(out,
					    ws_xasprintf("thread %" PRIu32 " of process %" PRIu32
							 " counted nothing: %s",
							 th->info.tid, p->info.pid,
							 strerror((int)tc->info.err)));
				continue;
			}
			out->threads_counted++;
			if (tc->info.flags & WS_TCTR_MULTIPLEXED)
				out->multiplexed = true;
			for (size_t k = 0; k < p->nevents; k++) {
				int col = ws_counters_event(out, p->events[k].name);
				out->counted[col] = true;
				out->totals[col] += tc->totals[k];
				out->handler[col] += tc->handler[k];
				for (uint32_t r = 0; r < tc->info.stack_count; r++)
					out->attributed[col] +=
					    tc->rows[(size_t)r * p->nevents + k];
			}
		}
	}
	struct state s = {.t = out};
	ws_hmap_init(&s.map);
	ws_for_each_stack(prof, f, sym, count_stack, &s);
	sort_col_global = -1;
	for (size_t k = 0; k < n && sort_col_global < 0; k++)
		if (out->counted[k])
			sort_col_global = (int)k;
	if (s.nfns > 1)
		qsort(s.fns, s.nfns, sizeof *s.fns, cmp_fn);
	out->nfunctions = s.nfns;
	out->nfns = top && top < s.nfns ? top : s.nfns;
	out->fns = ws_xcalloc(out->nfns + 1, sizeof *out->fns);
	for (size_t i = 0; i < s.nfns; i++) {
		struct fn *e = s.fns[i];
		if (i < out->nfns) {
			struct ws_counter_fn *r = &out->fns[i];
			r->function = e->function;
			r->module = e->module;
			r->inlined = e->inlined;
			r->self_samples = e->self_samples;
			r->self_seconds = (double)e->self_samples * seconds_per_sample;
			r->self = e->self;
			r->total = e->total;
		} else {
			free(e->self);
			free(e->total);
		}
		free(e);
	}
	free(s.fns);
	ws_hmap_free(&s.map);
	uint64_t samples = ws_filtered_samples(prof, f);
	ws_counters_derive(out, out->attributed, (double)samples * seconds_per_sample, out->run);
}

void
ws_counters_free(struct ws_counter_table *t)
{
	for (size_t i = 0; i < t->nfns; i++) {
		free(t->fns[i].self);
		free(t->fns[i].total);
	}
	free(t->fns);
	free(t->events);
	free(t->counted);
	free(t->totals);
	free(t->handler);
	free(t->attributed);
	for (size_t i = 0; i < t->nproblems; i++)
		free(t->problems[i]);
	free(t->problems);
	memset(t, 0, sizeof *t);
}

bool
ws_counters_value(const struct ws_counter_table *t, int ev, const char *pattern, bool total,
		  uint64_t *out)
{
	*out = 0;
	if (ev < 0 || (size_t)ev >= t->nevents || !t->counted[ev])
		return false;
	for (size_t i = 0; i < t->nfns; i++) {
		const struct ws_counter_fn *r = &t->fns[i];
		if (strcmp(r->function, pattern) && fnmatch(pattern, r->function, 0))
			continue;
		if (!total)
			*out += r->self[ev];
		else if (r->total[ev] > *out)
			*out = r->total[ev];
	}
	return true;
}
