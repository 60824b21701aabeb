/* Busy, runtime and idle time per thread, and the busy imbalance (see
 * analysis.h). */
#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "util.h"

/* The C library's functions that wait in the kernel, as patterns over
 * names with glibc's prefixes removed (plain_name). */
static const char *const waits[] = {
    "futex_abstimed_wait*",
    "futex_wait*",
    "lll_lock_wait*",
    "pthread_cond_*wait*",
    "pthread_clockjoin*",
    "pthread_join*",
    "pthread_timedjoin*",
    "pthread_barrier_wait",
    "sem_*wait*",
    "nanosleep*",
    "clock_nanosleep*",
    "usleep",
    "poll",
    "ppoll*",
    "select",
    "pselect*",
    "epoll_wait*",
    "epoll_pwait*",
    "sigwait*",
    "sigtimedwait*",
    "sigsuspend",
    "pause",
    "wait4",
    "waitpid",
    "waitid",
};

/* Functions that acquire a lock (a sample inside one, or in the waits it
 * makes, is a thread waiting for the lock): the C library's mutexes,
 * spin and reader-writer locks, and the OpenMP runtimes' critical
 * sections, atomic blocks and locks; and the wake-up a contended mutex's
 * unlock makes (__lll_lock_wake: a system call only when others wait). */
static const char *const locks[] = {
    "pthread_mutex_lock*",
    "pthread_mutex_timedlock*",
    "pthread_mutex_clocklock*",
    "lll_lock_wait*",
    "lll_lock_wake*",
    "pthread_spin_lock*",
    "pthread_rwlock_*lock*",
    "GOMP_critical_*start",
    "GOMP_atomic_start",
    "omp_set_lock",
    "omp_set_nest_lock",
    "kmpc_critical*",
    "kmpc_set_lock",
    "kmpc_set_nest_lock",
    "kmp_acquire_*",
};

/* "__GI___clock_nanosleep" -> "clock_nanosleep", "___pthread_cond_wait" ->
 * "pthread_cond_wait", "__libc_nanosleep" -> "nanosleep". */
static const char *
plain_name(const char *s)
{
	for (;;) {
		while (*s == '_')
			s++;
		if (!strncmp(s, "GI_", 3))
			s += 3;
		else if (!strncmp(s, "libc_", 5))
			s += 5;
		else
			return s;
	}
}

static bool
module_is(const char *module, const char *const *prefixes)
{
	const char *base = ws_basename(module);
	for (size_t i = 0; prefixes[i]; i++)
		if (!strncmp(base, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static const char *const c_library[] = {"libc.so", "libc-", "libpthread", "librt", "[vdso]", NULL};
static const char *const openmp[] = {"libgomp", "libomp", "libiomp", NULL};

bool
ws_openmp_module(const char *module)
{
	return module && module_is(module, openmp);
}

static bool
is_wait(const struct ws_frame *fr)
{
	if (!fr->has_symbol)
		return false;
	const char *name = plain_name(fr->function);
	for (size_t i = 0; i < sizeof waits / sizeof *waits; i++)
		if (!fnmatch(waits[i], name, 0))
			return true;
	return false;
}

static bool
name_in(const struct ws_frame *fr, const char *const *pats, size_t n)
{
	if (!fr->has_symbol)
		return false;
	const char *name = plain_name(fr->function);
	for (size_t i = 0; i < n; i++)
		if (!fnmatch(pats[i], name, 0))
			return true;
	return false;
}

bool
ws_lock_wait(const struct ws_chain *c)
{
	for (size_t i = 0; i < c->n && (module_is(c->frames[i]->module, c_library) ||
					module_is(c->frames[i]->module, openmp));
	     i++)
		if (name_in(c->frames[i], locks, sizeof locks / sizeof *locks))
			return true;
	return false;
}

enum ws_activity
ws_classify_stack(const struct ws_chain *c)
{
	size_t i = 0;
	for (; i < c->n && module_is(c->frames[i]->module, c_library); i++)
		if (is_wait(c->frames[i]))
			return WS_IDLE;
	if (i < c->n && ws_openmp_module(c->frames[i]->module))
		return WS_RUNTIME;
	return WS_BUSY;
}

struct acc {
	struct ws_busy *out;
	const struct wsr_thread **thread; /* rows[i]'s thread record */
	size_t row;			  /* the last one found */
};

static void
count(void *arg, const struct wsr_process *p, const struct wsr_thread *t,
      const struct wsr_stack *st, const struct ws_chain *c)
{
	struct acc *a = arg;
	(void)p;
	if (a->row >= a->out->nrows || a->thread[a->row] != t)
		for (a->row = 0; a->row < a->out->nrows && a->thread[a->row] != t; a->row++)
			;
	if (a->row == a->out->nrows)
		return;
	struct ws_busy_row *r = &a->out->rows[a->row];
	if (ws_lock_wait(c))
		r->lock += st->count;
	switch (ws_classify_stack(c)) {
	case WS_BUSY:
		r->busy += st->count;
		break;
	case WS_RUNTIME:
		r->runtime += st->count;
		break;
	case WS_IDLE:
		r->idle += st->count;
		break;
	}
}

static int
cmp_busy(const void *a, const void *b)
{
	const struct ws_busy_row *x = a, *y = b;
	if (x->busy_seconds != y->busy_seconds)
		return x->busy_seconds > y->busy_seconds ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return strcmp(x->host, y->host);
}

void
ws_busy_build(const struct wsr_profile *prof, const struct ws_filter *f, struct ws_symbolizer *sym,
	      struct ws_busy *out)
{
	memset(out, 0, sizeof *out);
	out->wall = prof->nprocs && prof->procs[0].info.clock == WS_CLOCK_WALL;
	/* one row per thread record, with its time base */
	size_t cap = 0;
	double *base = NULL;
	const struct wsr_thread **thread = NULL;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(f, p, t))
				continue;
			if (out->nrows == cap) {
				cap = cap ? 2 * cap : 16;
				out->rows = ws_xrealloc(out->rows, cap * sizeof *out->rows);
				base = ws_xrealloc(base, cap * sizeof *base);
				thread = ws_xrealloc(thread, cap * sizeof *thread);
			}
			thread[out->nrows] = t;
			struct ws_busy_row *r = &out->rows[out->nrows];
			memset(r, 0, sizeof *r);
			r->pid = p->info.pid;
			r->tid = t->info.tid;
			r->host = p->hostname ? p->hostname : "";
			r->name = t->info.name;
			base[out->nrows++] =
			    out->wall ? (t->info.end_ns > t->info.start_ns
					     ? (double)(t->info.end_ns - t->info.start_ns) / 1e9
					     : 0.0)
				      : (double)t->info.cpu_ns / 1e9;
		}
	}
	struct acc a = {out, thread, 0};
	ws_for_each_stack(prof, f, sym, count, &a);

	double max = 0.0;
	for (size_t i = 0; i < out->nrows; i++) {
		struct ws_busy_row *r = &out->rows[i];
		r->samples = r->busy + r->runtime + r->idle;
		double per = r->samples ? base[i] / (double)r->samples : 0.0;
		r->busy_seconds = per * (double)r->busy;
		r->runtime_seconds = per * (double)r->runtime;
		r->idle_seconds = per * (double)r->idle;
		r->busy_percent = ws_percent(r->busy, r->samples);
		out->samples += r->samples;
		out->busy += r->busy;
		out->runtime += r->runtime;
		out->idle += r->idle;
		out->lock += r->lock;
		if (r->busy_seconds > max)
			max = r->busy_seconds;
	}
	free(base);
	free(thread);
	out->idle_percent = ws_percent(out->runtime + out->idle, out->samples);
	out->runtime_percent = ws_percent(out->runtime, out->samples);
	out->blocked_percent = ws_percent(out->idle, out->samples);
	out->lock_percent = ws_percent(out->lock, out->samples);
	out->lock_contention = out->lock_percent >= WS_LOCK_CONTENTION;
	double sum = 0.0;
	for (size_t i = 0; i < out->nrows; i++) {
		struct ws_busy_row *r = &out->rows[i];
		r->took_part = max > 0 && r->busy_seconds + r->runtime_seconds >= 0.1 * max;
		if (r->took_part) {
			out->took_part++;
			sum += r->busy_seconds;
		}
	}
	out->imbalance = sum > 0 ? max * (double)out->took_part / sum : 0.0;
	out->imbalanced = out->imbalance >= WS_IMBALANCED;
	out->runtime_min_percent = 0;
	bool first = true;
	for (size_t i = 0; i < out->nrows; i++) {
		const struct ws_busy_row *r = &out->rows[i];
		double share = ws_percent(r->runtime, r->samples);
		if (r->took_part && (first || share < out->runtime_min_percent)) {
			out->runtime_min_percent = share;
			first = false;
		}
	}
	out->scheduling_overhead = out->took_part >= 2 &&
				   out->runtime_percent >= WS_SCHED_RUNTIME &&
				   out->runtime_min_percent >= WS_SCHED_EVERY;
	if (out->nrows > 1)
		qsort(out->rows, out->nrows, sizeof *out->rows, cmp_busy);

	out->busiest = out->nrows;
	if (max > 0) {
		out->busiest = 0;
		const struct ws_busy_row *b = &out->rows[0];
		struct ws_filter one = {
		    .pids = &b->pid, .npids = 1, .tids = &b->tid, .ntids = 1, .host = b->host};
		ws_lines_build(prof, &one, sym, 1, &out->busiest_lines);
	}
	ws_omp_build(prof, f, sym, &out->omp);
	out->nhosts = ws_count_hosts(prof, f);
}

void
ws_busy_free(struct ws_busy *b)
{
	if (b->busiest < b->nrows)
		ws_lines_free(&b->busiest_lines);
	ws_omp_free(&b->omp);
	free(b->rows);
	memset(b, 0, sizeof *b);
}
