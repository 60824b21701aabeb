/* Shared pieces of the analyses: filters, statistics, stack iteration
 * (see analysis.h). */
#include "config.h"

#include "analysis.h"
#include "python_report.h"

#include <math.h>
#include <string.h>

static bool
contains(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

bool
ws_filter_process(const struct ws_filter *f, const struct wsr_process *p)
{
	if (!f)
		return true;
	if (f->host && strcmp(f->host, p->hostname ? p->hostname : ""))
		return false;
	if (f->nranks &&
	    (p->info.rank < 0 || !contains(f->ranks, f->nranks, (uint32_t)p->info.rank)))
		return false;
	return !f->npids || contains(f->pids, f->npids, p->info.pid);
}

bool
ws_filter_thread(const struct ws_filter *f, const struct wsr_process *p, const struct wsr_thread *t)
{
	if (!ws_filter_process(f, p))
		return false;
	return !f || !f->ntids || contains(f->tids, f->ntids, t->info.tid);
}

uint64_t
ws_thread_samples(const struct wsr_thread *t)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < t->info.stack_count; i++)
		n += t->stacks[i].count;
	return n;
}

uint64_t
ws_filtered_samples(const struct wsr_profile *prof, const struct ws_filter *f)
{
	uint64_t n = 0;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		for (size_t j = 0; j < p->nthreads; j++)
			if (ws_filter_thread(f, p, &p->threads[j]))
				n += ws_thread_samples(&p->threads[j]);
	}
	return n;
}

double
ws_percent(uint64_t k, uint64_t n)
{
	return n ? 100.0 * (double)k / (double)n : 0.0;
}

double
ws_error_margin(uint64_t k, uint64_t n)
{
	if (!n)
		return 0.0;
	const double z = 1.959963984540054; /* 97.5 % quantile of N(0,1) */
	double dn = (double)n, p = (double)k / dn;
	double z2 = z * z;
	double half = z / (1 + z2 / dn) * sqrt(p * (1 - p) / dn + z2 / (4 * dn * dn));
	return 100.0 * half;
}

void
ws_for_each_stack(const struct wsr_profile *prof, const struct ws_filter *f,
		  struct ws_symbolizer *sym, ws_stack_fn fn, void *arg)
{
	struct ws_chain c = {0};
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(f, p, t))
				continue;
			/* Python frames merged into the native stacks
			 * (python_report.h); not with counters, whose rows
			 * follow the native stack table. */
			if (t->py && !t->counters && !ws_python_no_merge) {
				ws_python_merged_stacks(sym, p, t, fn, arg, &c);
				continue;
			}
			for (uint32_t k = 0; k < t->info.stack_count; k++) {
				const struct wsr_stack *st = &t->stacks[k];
				if (!st->count)
					continue;
				ws_symbolize_stack(sym, p, st, &c);
				fn(arg, p, t, st, &c);
			}
		}
	}
	ws_chain_free(&c);
}

const char *
ws_clock_name(uint32_t clock)
{
	switch (clock) {
	case WS_CLOCK_CPU:
		return "cpu";
	case WS_CLOCK_WALL:
		return "wall";
	}
	return "unknown";
}

const char *
ws_source_name(uint32_t source)
{
	switch (source) {
	case WS_SOURCE_PERF_TASK_CLOCK:
		return "perf-task-clock";
	case WS_SOURCE_CPU_TIMER:
		return "cpu-timer";
	case WS_SOURCE_WALL_TIMER:
		return "wall-timer";
	case WS_SOURCE_PERF_EVENT:
		return "perf-event";
	}
	return "none";
}
