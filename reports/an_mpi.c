/* The MPI analysis (mpi.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mpi_report.h"
#include "util.h"

const char *
ws_mpi_kind_name(uint32_t kind)
{
	switch (kind) {
	case WS_MPI_P2P:
		return "point-to-point";
	case WS_MPI_COMPLETION:
		return "completion";
	case WS_MPI_COLLECTIVE:
		return "collective";
	default:
		return "other";
	}
}

static int
by_rank(const void *a, const void *b)
{
	const struct ws_mpi_rank *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int
by_seconds(const void *a, const void *b)
{
	const struct ws_mpi_call_row *x = a, *y = b;
	if (x->seconds != y->seconds)
		return x->seconds < y->seconds ? 1 : -1;
	return strcmp(x->name, y->name);
}

static uint64_t
process_end(const struct wsr_process *p)
{
	if (p->complete)
		return p->end.end_mono_ns;
	uint64_t end = 0;
	for (size_t t = 0; t < p->nthreads; t++)
		if (p->threads[t].info.end_ns > end)
			end = p->threads[t].info.end_ns;
	return end;
}

static struct ws_mpi_call_row *
call_row(struct ws_mpi_report *m, size_t *cap, const struct ws_mpi_call *c)
{
	for (size_t i = 0; i < m->ncalls; i++)
		if (!strcmp(m->calls[i].name, c->name))
			return &m->calls[i];
	if (m->ncalls == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		m->calls = ws_xrealloc(m->calls, *cap * sizeof *m->calls);
	}
	struct ws_mpi_call_row *r = &m->calls[m->ncalls++];
	memset(r, 0, sizeof *r);
	r->name = c->name;
	r->kind = c->kind;
	r->rank_min_s = -1;
	return r;
}

void
ws_mpi_report_build(const struct wsr_profile *prof, const struct ws_filter *f,
		    struct ws_mpi_report *out)
{
	memset(out, 0, sizeof *out);
	size_t rcap = 0, ccap = 0;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!p->mpi || !ws_filter_process(f, p))
			continue;
		const struct wsr_mpi *mp = p->mpi;
		out->library = mp->library;
		if (mp->info.size > out->world_size)
			out->world_size = mp->info.size;
		if (out->nranks == rcap) {
			rcap = rcap ? 2 * rcap : 8;
			out->ranks = ws_xrealloc(out->ranks, rcap * sizeof *out->ranks);
		}
		struct ws_mpi_rank *r = &out->ranks[out->nranks++];
		memset(r, 0, sizeof *r);
		r->rank = mp->info.rank;
		r->pid = p->info.pid;
		r->host = p->hostname;
		r->finalized = mp->info.flags & WS_MPI_FINALIZED;
		uint64_t end = mp->info.finalize_ns ? mp->info.finalize_ns : process_end(p);
		r->window_seconds =
		    end > mp->info.init_ns ? (double)(end - mp->info.init_ns) / 1e9 : 0;
		double top = 0;
		for (uint32_t k = 0; k < mp->info.ncalls; k++) {
			const struct ws_mpi_call *c = &mp->calls[k];
			double s = (double)c->time_ns / 1e9;
			struct ws_mpi_call_row *row = call_row(out, &ccap, c);
			row->calls += c->calls;
			row->bytes += c->bytes;
			row->seconds += s;
			if ((double)c->max_ns / 1e6 > row->max_ms)
				row->max_ms = (double)c->max_ns / 1e6;
			if (row->rank_min_s < 0 || s < row->rank_min_s)
				row->rank_min_s = s;
			if (s > row->rank_max_s)
				row->rank_max_s = s;
			if (c->kind == WS_MPI_OTHER)
				continue;
			r->mpi_seconds += s;
			if (c->kind == WS_MPI_COLLECTIVE || c->kind == WS_MPI_COMPLETION)
				r->waiting_seconds += s;
			if (s > top) {
				top = s;
				r->top_call = c->name;
			}
		}
		if (r->mpi_seconds > r->window_seconds)
			r->window_seconds = r->mpi_seconds; /* clock granularity */
		r->compute_seconds = r->window_seconds - r->mpi_seconds;
		r->mpi_percent =
		    r->window_seconds > 0 ? 100.0 * r->mpi_seconds / r->window_seconds : 0;
		out->window_seconds += r->window_seconds;
		out->mpi_seconds += r->mpi_seconds;
	}
	out->most_computing = out->most_waiting = out->nranks;
	if (!out->nranks)
		return;
	qsort(out->ranks, out->nranks, sizeof *out->ranks, by_rank);
	double sum = 0, max = -1, wmax = -1;
	for (size_t i = 0; i < out->nranks; i++) {
		const struct ws_mpi_rank *r = &out->ranks[i];
		sum += r->compute_seconds;
		if (r->compute_seconds > max) {
			max = r->compute_seconds;
			out->most_computing = i;
		}
		if (r->waiting_seconds > wmax) {
			wmax = r->waiting_seconds;
			out->most_waiting = i;
		}
	}
	double mean = sum / (double)out->nranks;
	out->compute_imbalance = mean > 0 ? max / mean : 0;
	out->mpi_percent =
	    out->window_seconds > 0 ? 100.0 * out->mpi_seconds / out->window_seconds : 0;
	out->communication_bound = out->mpi_percent >= WS_COMMUNICATION_BOUND;
	for (size_t i = 0; i < out->ncalls; i++) {
		struct ws_mpi_call_row *c = &out->calls[i];
		c->percent = c->kind != WS_MPI_OTHER && out->mpi_seconds > 0
				 ? 100.0 * c->seconds / out->mpi_seconds
				 : 0;
		c->mean_us = c->calls ? 1e6 * c->seconds / (double)c->calls : 0;
		if (c->rank_min_s < 0)
			c->rank_min_s = 0;
	}
	if (out->ncalls > 1)
		qsort(out->calls, out->ncalls, sizeof *out->calls, by_seconds);
}

void
ws_mpi_report_free(struct ws_mpi_report *m)
{
	free(m->ranks);
	free(m->calls);
	memset(m, 0, sizeof *m);
}
