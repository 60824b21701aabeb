/* Per-thread and per-process tables (see analysis.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "util.h"

static int
cmp_thread(const void *a, const void *b)
{
	const struct ws_thread_row *x = a, *y = b;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return strcmp(x->host ? x->host : "", y->host ? y->host : "");
}

size_t
ws_count_hosts(const struct wsr_profile *prof, const struct ws_filter *f)
{
	size_t n = 0;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!ws_filter_process(f, p))
			continue;
		const char *h = p->hostname ? p->hostname : "";
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = ws_filter_process(f, &prof->procs[k]) &&
			       !strcmp(h, prof->procs[k].hostname ? prof->procs[k].hostname : "");
		n += !seen;
	}
	return n;
}

void
ws_threads_build(const struct wsr_profile *prof, const struct ws_filter *f, struct ws_threads *out)
{
	memset(out, 0, sizeof *out);
	out->samples = ws_filtered_samples(prof, f);
	size_t cap = 0;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(f, p, t))
				continue;
			if (out->nrows == cap) {
				cap = cap ? 2 * cap : 16;
				out->rows = ws_xrealloc(out->rows, cap * sizeof *out->rows);
			}
			struct ws_thread_row *r = &out->rows[out->nrows++];
			r->pid = p->info.pid;
			r->tid = t->info.tid;
			r->host = p->hostname ? p->hostname : "";
			r->name = t->info.name;
			r->samples = ws_thread_samples(t);
			r->percent = ws_percent(r->samples, out->samples);
			r->error = ws_error_margin(r->samples, out->samples);
			r->cpu_seconds = (double)t->info.cpu_ns / 1e9;
			r->wall_seconds = t->info.end_ns > t->info.start_ns
					      ? (double)(t->info.end_ns - t->info.start_ns) / 1e9
					      : 0.0;
		}
	}
	if (out->nrows > 1)
		qsort(out->rows, out->nrows, sizeof *out->rows, cmp_thread);
	out->nhosts = ws_count_hosts(prof, f);
}

void
ws_threads_free(struct ws_threads *t)
{
	free(t->rows);
	memset(t, 0, sizeof *t);
}

static const char *
end_name(uint32_t reason)
{
	switch (reason) {
	case WS_END_EXIT:
		return "exit";
	case WS_END_SIGNAL:
		return "signal";
	case WS_END_EXEC:
		return "exec";
	}
	return "unknown";
}

void
ws_processes_build(const struct wsr_profile *prof, const struct ws_filter *f,
		   struct ws_processes *out)
{
	memset(out, 0, sizeof *out);
	out->rows = ws_xcalloc(prof->nprocs, sizeof *out->rows);
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		if (!ws_filter_process(f, p))
			continue;
		struct ws_process_row r = {0};
		for (size_t j = 0; j < p->nthreads; j++)
			if (ws_filter_thread(f, p, &p->threads[j])) {
				r.threads++;
				r.samples += ws_thread_samples(&p->threads[j]);
			}
		if (f && f->ntids && !r.threads)
			continue;
		r.pid = p->info.pid;
		r.ppid = p->info.ppid;
		r.signal = p->info.signal < 65 ? (int)p->info.signal : 0;
		r.host = p->hostname ? p->hostname : "";
		r.rank = p->info.rank;
		const char *slash = strrchr(p->file, '/');
		r.file = slash ? slash + 1 : p->file;
		r.argv = p->argv;
		r.argc = p->argc;
		r.complete = p->complete;
		r.end = p->complete ? end_name(p->end.reason) : NULL;
		r.status = p->complete ? p->end.status : 0;
		out->rows[out->nrows++] = r;
	}
	out->nhosts = ws_count_hosts(prof, f);
}

void
ws_processes_free(struct ws_processes *p)
{
	free(p->rows);
	memset(p, 0, sizeof *p);
}
