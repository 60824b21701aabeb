/* OpenMP parallel regions from OMPT records (analysis.h, ws_omp_build). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "util.h"

static int
by_seconds(const void *a, const void *b)
{
	const struct ws_omp_region *x = a, *y = b;
	if (x->seconds != y->seconds)
		return x->seconds < y->seconds ? 1 : -1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->function, y->function);
}

static void
region_row(const struct wsr_process *p, const struct wsr_ompt_region *r, struct ws_symbolizer *sym,
	   struct ws_omp_region *row)
{
	memset(row, 0, sizeof *row);
	row->pid = p->info.pid;
	row->host = p->hostname ? p->hostname : "";
	row->function = "[unknown]";
	row->module = "";
	if (r->info.codeptr) {
		const struct ws_frame *frames;
		/* a return address: the call into the runtime is at codeptr - 1;
		 * the innermost frame is the line of the construct */
		size_t n = ws_symbolize(sym, p, r->info.codeptr, true, &frames);
		if (n > 0) {
			row->function = frames[0].function;
			row->module = frames[0].module;
			row->file = frames[0].file;
			row->line = frames[0].line;
		}
	}
	row->instances = r->info.instances;
	row->team = r->info.max_team;
	row->nthreads = r->info.nthreads;
	row->seconds = (double)r->info.total_ns / 1e9;
	double work_sum = 0, team_time = 0, wait = 0, cpu_sum = 0, cpu_max = 0;
	unsigned ran = 0;
	row->threads = ws_xcalloc(r->info.nthreads ? r->info.nthreads : 1, sizeof *row->threads);
	for (uint32_t k = 0; k < r->info.nthreads; k++) {
		const struct ws_ompt_thread *t = &r->threads[k];
		struct ws_omp_thread *th = &row->threads[k];
		th->thread_num = k;
		th->tasks = t->tasks;
		if (!t->tasks)
			continue;
		double work = (double)t->work_ns / 1e9;
		th->work_seconds = work;
		th->cpu_seconds = (double)t->cpu_ns / 1e9;
		if (ran == 0 || work < row->work_min)
			row->work_min = work;
		if (work > row->work_max) {
			row->work_max = work;
			row->busiest = k;
		}
		work_sum += work;
		double cpu = (double)t->cpu_ns / 1e9;
		cpu_sum += cpu;
		if (cpu > cpu_max)
			cpu_max = cpu;
		ran++;
		/* the region's time this thread number was part of */
		double share = r->info.instances
				   ? row->seconds * (double)t->tasks / (double)r->info.instances
				   : 0;
		team_time += share;
		if (share > work) {
			th->wait_seconds = share - work;
			wait += share - work;
		}
	}
	if (ran) {
		row->work_mean = work_sum / ran;
		row->imbalance = row->work_mean > 0 ? row->work_max / row->work_mean : 0;
		row->cpu_imbalance = cpu_sum > 0 ? cpu_max * ran / cpu_sum : 0;
	}
	row->wait_seconds = wait;
	row->wait_percent = team_time > 0 ? 100.0 * wait / team_time : 0;
}

void
ws_omp_build(const struct wsr_profile *prof, const struct ws_filter *f, struct ws_symbolizer *sym,
	     struct ws_omp *out)
{
	memset(out, 0, sizeof *out);
	size_t cap = 0;
	double inside = 0, wall = 0;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!p->ompt || !ws_filter_process(f, p))
			continue;
		out->nprocs++;
		out->runtime = p->ompt->runtime;
		out->lost_regions += p->ompt->info.lost_regions;
		uint64_t end = p->complete ? p->end.end_mono_ns : 0;
		for (size_t t = 0; !end && t < p->nthreads; t++)
			if (p->threads[t].info.end_ns > end)
				end = p->threads[t].info.end_ns;
		if (end > p->info.start_mono_ns)
			wall += (double)(end - p->info.start_mono_ns) / 1e9;
		inside += (double)p->ompt->info.outer_ns / 1e9;
		for (uint32_t r = 0; r < p->ompt->info.nregions; r++) {
			if (out->nrows == cap) {
				cap = cap ? 2 * cap : 8;
				out->rows = ws_xrealloc(out->rows, cap * sizeof *out->rows);
			}
			region_row(p, &p->ompt->regions[r], sym, &out->rows[out->nrows++]);
		}
	}
	for (size_t i = 0; i < out->nrows; i++)
		out->rows[i].percent = wall > 0 ? 100.0 * out->rows[i].seconds / wall : 0;
	out->wall_seconds = wall;
	out->inside_seconds = inside;
	out->serial_percent = wall > 0 && inside <= wall ? 100.0 * (wall - inside) / wall : 0;
	for (size_t i = 0; i < out->nrows; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(out->rows[k].host, out->rows[i].host);
		out->nhosts += !seen;
	}
	if (out->nrows > 1)
		qsort(out->rows, out->nrows, sizeof *out->rows, by_seconds);
}

void
ws_omp_free(struct ws_omp *o)
{
	for (size_t i = 0; i < o->nrows; i++)
		free(o->rows[i].threads);
	free(o->rows);
	memset(o, 0, sizeof *o);
}
