/* The analyses behind `whyslow report` and `whyslow export`: pure functions
 * from a loaded profile (profile.h), a thread filter and a symboliser
 * (symbolize.h, which only memoises) to tables.  Renderers (render.h)
 * turn the tables into text or JSON.
 *
 * Common rules:
 *  - Samples are the counts of the recorded stack tables of the threads
 *    that pass the filter; every percentage is of the filtered total.
 *  - A stack is expanded with ws_symbolize_stack(): inlined functions are
 *    frames of their own (inlined = true).  A function is identified by
 *    (name, module, inlined); names and modules are interned by the
 *    symboliser, so identity is pointer equality.
 *  - "self" counts the innermost expanded frame of each sample; "total"
 *    counts each sample once for every distinct function on its stack,
 *    however often the function recurs.
 *  - *_error is the half-width of the 95 % Wilson score interval of a
 *    percentage, in percentage points.
 *  - Tables own their memory (free with the matching *_free); strings from
 *    the profile or the symboliser are borrowed and must outlive them.
 */
#ifndef WHYSLOW_ANALYSIS_H
#define WHYSLOW_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "symbolize.h"

/* ---- filters ---- */

struct ws_filter {
	const uint32_t *pids; /* only these processes (none: all) */
	size_t npids;
	const uint32_t *tids; /* only these threads (none: all) */
	size_t ntids;
	const uint32_t *ranks; /* only the processes of these MPI ranks (none: all) */
	size_t nranks;
	const char *host; /* only the processes of this host (NULL: all; not an
			     option: a thread is pid, tid and host in a merged job) */
};

bool ws_filter_thread(const struct ws_filter *f, const struct wsr_process *p,
		      const struct wsr_thread *t);
bool ws_filter_process(const struct ws_filter *f, const struct wsr_process *p);
/* Samples of thread t (the sum of its stack counts). */
uint64_t ws_thread_samples(const struct wsr_thread *t);
/* Samples of every thread that passes the filter. */
uint64_t ws_filtered_samples(const struct wsr_profile *prof, const struct ws_filter *f);

/* 100 * k / n, 0 when n is 0. */
double ws_percent(uint64_t k, uint64_t n);
/* Half-width of the 95 % Wilson interval of k/n, in percentage points
 * (0 when n is 0). */
double ws_error_margin(uint64_t k, uint64_t n);

/* Calls fn for every stack of every thread that passes the filter, with the
 * stack expanded (innermost first) and its sample count.  Stacks with a
 * count of 0 are skipped. */
typedef void (*ws_stack_fn)(void *arg, const struct wsr_process *p, const struct wsr_thread *t,
			    const struct wsr_stack *st, const struct ws_chain *c);
void ws_for_each_stack(const struct wsr_profile *prof, const struct ws_filter *f,
		       struct ws_symbolizer *sym, ws_stack_fn fn, void *arg);

/* ---- flat profile ---- */

struct ws_flat_row {
	const char *function, *module;
	bool inlined;
	/* "openmp" when the function lies in the OpenMP runtime's module
	 * (ws_openmp_module): its barrier waits and scheduling; NULL else */
	const char *runtime;
	const char *file; /* the declaration, or the lowest sampled line; NULL */
	unsigned line;
	uint64_t self, total;
	double self_percent, total_percent, self_error, total_error;
};

struct ws_flat {
	uint64_t samples;	  /* the filtered total */
	struct ws_flat_row *rows; /* by self, then total, then name */
	size_t nrows;
	size_t nfunctions; /* rows before --top cut them */
};

/* top: at most this many rows (0: all). */
void ws_flat_build(const struct wsr_profile *prof, const struct ws_filter *f,
		   struct ws_symbolizer *sym, size_t top, struct ws_flat *out);
void ws_flat_free(struct ws_flat *fl);

/* ---- call tree ---- */

struct ws_tree_node {
	const char *function, *module; /* "[root]", "" for the root */
	bool inlined;
	const char *file; /* the function's declaration, NULL if unknown */
	unsigned line;
	uint64_t self, total;
	double self_percent, total_percent;
	struct ws_tree_node *children; /* by total, then name */
	size_t nchildren;
	size_t hidden; /* children pruned below min_percent */
};

struct ws_tree {
	struct ws_tree_node root; /* total = the filtered samples */
};

/* Top-down: from the outermost frame in.  Nodes whose total is below
 * min_percent of all samples are left out (counted in their parent's
 * hidden). */
void ws_tree_build(const struct wsr_profile *prof, const struct ws_filter *f,
		   struct ws_symbolizer *sym, double min_percent, struct ws_tree *out);
void ws_tree_free(struct ws_tree *t);

/* ---- hottest source lines ---- */

struct ws_line_row {
	const char *file; /* as in the debug info */
	unsigned line;
	const char *function, *module; /* of the innermost frame there */
	uint64_t samples;
	double percent, error;
	char *text; /* the source line without its newline; "" if unreadable */
};

struct ws_lines {
	uint64_t samples;	  /* the filtered total */
	uint64_t unknown;	  /* samples whose innermost frame has no line */
	struct ws_line_row *rows; /* by samples, then file and line */
	size_t nrows;
	size_t nlines; /* rows before top cut them */
};

void ws_lines_build(const struct wsr_profile *prof, const struct ws_filter *f,
		    struct ws_symbolizer *sym, size_t top, struct ws_lines *out);
void ws_lines_free(struct ws_lines *l);

/* ---- threads and processes ---- */

struct ws_thread_row {
	uint32_t pid, tid;
	const char *host; /* the process's host name (from its file) */
	const char *name;
	uint64_t samples;
	double percent, error;
	double cpu_seconds, wall_seconds;
};

struct ws_threads {
	uint64_t samples;
	struct ws_thread_row *rows; /* by samples, then pid, tid and host */
	size_t nrows;
	size_t nhosts; /* distinct host names among the rows */
};

void ws_threads_build(const struct wsr_profile *prof, const struct ws_filter *f,
		      struct ws_threads *out);
void ws_threads_free(struct ws_threads *t);

/* ---- busy, runtime and idle time per thread (report --threads) ---- */

/* What a sample shows its thread doing, from its expanded stack:
 *  - idle: blocked in the kernel: one of the innermost frames that lie in
 *    the C library (libc, libpthread, librt, the vDSO) is a waiting
 *    function: futex waits (__futex_abstimed_wait_common*, futex_wait*,
 *    __lll_lock_wait*), pthread_cond_*wait, pthread_join and
 *    __pthread_clockjoin_ex, pthread_barrier_wait, sem_*wait,
 *    nanosleep, clock_nanosleep, usleep, poll, ppoll, select, pselect,
 *    epoll_wait, epoll_pwait, sigwait*, sigsuspend, pause, wait4,
 *    waitpid, waitid (glibc's __GI_, __libc_ and leading underscores
 *    ignored);
 *  - runtime: else, the innermost frame outside the C library is in the
 *    OpenMP runtime (module libgomp*, libomp*, libiomp*): its barrier and
 *    scheduling, spinning or blocked (libgomp makes its futex calls
 *    itself, and has no symbols on Debian);
 *  - busy: anything else. */
enum ws_activity { WS_BUSY, WS_RUNTIME, WS_IDLE };
enum ws_activity ws_classify_stack(const struct ws_chain *c);
/* Whether a module is the OpenMP runtime (libgomp*, libomp*, libiomp*, by
 * its file name): the test behind "runtime" above, and the flat profile's
 * runtime tag. */
bool ws_openmp_module(const char *module);
/* Whether a sample waits for a lock, whatever its activity: one of its
 * innermost frames in the C library or the OpenMP runtime acquires one
 * or wakes its waiters (pthread_mutex_lock and its timed forms,
 * __lll_lock_wait, __lll_lock_wake,
 * pthread_spin_lock, pthread_rwlock_*lock, GOMP_critical_*start,
 * GOMP_atomic_start, omp_set_lock, omp_set_nest_lock, __kmpc_critical*,
 * __kmpc_set_*lock, __kmp_acquire_*).  A program's own spin lock is not
 * recognised. */
bool ws_lock_wait(const struct ws_chain *c);

/* Lock contention: at least this % of the threads' samples wait for a
 * lock (examples/integrate lock and race locked, wall clock: 37-50 %). */
#define WS_LOCK_CONTENTION 20.0

/* Scheduling overhead: the OpenMP runtime takes at least WS_SCHED_RUNTIME
 * % of the threads' samples, and every thread that took part spends at
 * least WS_SCHED_EVERY % of its own there (so it is not one thread waiting
 * for the others: that is imbalance).  examples/chunks tiny: 78 % and
 * 63-91 % per thread; good: 1 %; huge: 50 %, but its worker 0 %. */
#define WS_SCHED_RUNTIME 30.0
#define WS_SCHED_EVERY 20.0

/* The busy imbalance at and above which a recording is "imbalanced": the
 * busiest thread works 15 % longer than the mean (a dynamic schedule of
 * examples/imbalance.c measures 1.00-1.02, its static one 1.22-1.49 on a
 * loaded 2-core machine). */
#define WS_IMBALANCED 1.15

struct ws_busy_row {
	uint32_t pid, tid;
	const char *host; /* the process's host name */
	const char *name;
	uint64_t samples, busy, runtime, idle;
	uint64_t lock; /* samples waiting for a lock (any activity) */
	/* the thread's time split as its samples: wall-clock lifetime (wall
	 * clock) or CPU time (CPU clock) times each class's share */
	double busy_seconds, runtime_seconds, idle_seconds;
	double busy_percent; /* of its samples */
	bool took_part;	     /* counted in the imbalance */
};

/* OpenMP parallel regions from OMPT (profiler/ompt.h), where the runtime
 * provided them.  A region is one parallel construct (the call site of the
 * runtime call that began it) of one process.
 *  - seconds: its instances' time on the encountering thread, summed;
 *    percent: of the process's wall time.
 *  - work: per thread number, the wall-clock time of its implicit tasks
 *    outside waits (barriers, taskwait, taskgroup); imbalance = max / mean
 *    of work over the thread numbers that ran tasks; busiest = that thread
 *    number.  cpu_imbalance: the same over their CPU time in those
 *    intervals: with another program on the cores the two part (a thread
 *    kept off its core works longer, not more; a dynamic schedule gives
 *    the thread that runs more of the work).
 *  - wait: the team's time in the region not spent working: for each
 *    thread number, seconds * (its tasks / instances) - its work, summed;
 *    wait_percent: of the team's time (seconds * team size).
 *  - serial_percent: of the wall time of the processes with regions, the
 *    part outside any outermost parallel region (Amdahl's serial part,
 *    start-up included). */
/* One thread number's part of a region (the collector's ws_ompt_thread):
 * work as above, wait = the region's time while this thread number was
 * in the team (seconds * tasks / instances) less its work, at least 0:
 * the barriers it waited at and its time off the core; cpu: its CPU time
 * in the work intervals. */
struct ws_omp_thread {
	unsigned thread_num;
	uint64_t tasks; /* 0: this thread number ran none of the instances */
	double work_seconds, wait_seconds, cpu_seconds;
};

struct ws_omp_region {
	uint32_t pid;
	const char *host;
	const char *function, *module, *file; /* the construct's call site */
	unsigned line;
	uint64_t instances;
	uint32_t team, nthreads;
	double seconds, percent;
	double work_min, work_mean, work_max; /* seconds per thread number */
	unsigned busiest;
	double imbalance;
	double cpu_imbalance; /* the same over the threads' CPU time */
	double wait_seconds, wait_percent;
	/* thread numbers 0 .. nthreads - 1 (those the collector kept) */
	struct ws_omp_thread *threads;
};

struct ws_omp {
	const char *runtime; /* NULL: no process has OMPT data */
	size_t nprocs;	     /* processes with OMPT data */
	double wall_seconds, inside_seconds, serial_percent;
	struct ws_omp_region *rows; /* by seconds, then pid and call site */
	size_t nrows;
	uint64_t lost_regions; /* constructs beyond the collector's table */
	size_t nhosts;	       /* distinct hosts of the processes with regions */
};

/* The regions of the processes that pass the filter (OMPT data is per
 * process: a --tid filter does not split it). */
void ws_omp_build(const struct wsr_profile *prof, const struct ws_filter *f,
		  struct ws_symbolizer *sym, struct ws_omp *out);
void ws_omp_free(struct ws_omp *o);

struct ws_busy {
	bool wall; /* wall-clock samples; with CPU time idle is ~0 and busy is CPU */
	uint64_t samples, busy, runtime, idle;
	struct ws_busy_row *rows; /* by busy seconds, then pid and tid */
	size_t nrows;
	size_t nhosts; /* distinct host names among the rows */
	/* max / mean of busy_seconds over the threads that took part in the
	 * work: busy + runtime >= 10 % of the busiest thread's busy time (an
	 * OpenMP thread waiting at the barrier takes part; a main thread
	 * blocked in pthread_join does not); 0 without busy samples */
	double imbalance;
	size_t took_part;
	bool imbalanced; /* imbalance >= WS_IMBALANCED */
	/* 100 * (runtime + idle) / samples: the threads' time not working,
	 * and its two parts */
	double idle_percent, runtime_percent, blocked_percent;
	/* samples waiting for a lock (ws_lock_wait), % of all samples, and
	 * lock contention: lock_percent >= WS_LOCK_CONTENTION */
	uint64_t lock;
	double lock_percent;
	bool lock_contention;
	/* the OpenMP runtime's share of each thread that took part, its
	 * smallest, and the scheduling-overhead verdict (WS_SCHED_*) */
	double runtime_min_percent;
	bool scheduling_overhead;
	/* the busiest thread (an index into rows; nrows when none) and its
	 * hottest source line (the lines analysis of that thread, top 1) */
	size_t busiest;
	struct ws_lines busiest_lines;
	struct ws_omp omp; /* OpenMP regions (OMPT), when recorded */
};

void ws_busy_build(const struct wsr_profile *prof, const struct ws_filter *f,
		   struct ws_symbolizer *sym, struct ws_busy *out);
void ws_busy_free(struct ws_busy *b);

struct ws_process_row {
	uint32_t pid, ppid;
	const char *host; /* the host it ran on, as its process record names it */
	int32_t rank;	  /* MPI rank, -1 when none */
	const char *file; /* basename of the profile file */
	char *const *argv;
	int argc;
	bool complete;
	const char *end; /* "exit", "signal", "exec"; NULL when incomplete */
	int32_t status;
	uint64_t samples; /* of its threads that pass the filter */
	size_t threads;	  /* thread records that pass the filter */
	int signal;	  /* its sampling signal; 0: unknown */
};

struct ws_processes {
	struct ws_process_row *rows; /* in start order */
	size_t nrows;
	size_t nhosts; /* distinct host names among the rows */
};

void ws_processes_build(const struct wsr_profile *prof, const struct ws_filter *f,
			struct ws_processes *out);
void ws_processes_free(struct ws_processes *p);
/* Distinct host names among the processes that pass the filter (pid and
 * tid alone are ambiguous in a job merged from several hosts). */
size_t ws_count_hosts(const struct wsr_profile *prof, const struct ws_filter *f);

/* ---- header ---- */

struct ws_header {
	const char *dir;
	char *const *command; /* argv of the earliest process */
	int argc;
	double wall_seconds, cpu_seconds;
	const char *clock;  /* "cpu", "wall" */
	const char *source; /* "perf-task-clock", "cpu-timer", "wall-timer", "none" */
	uint32_t requested_hz;
	double achieved_hz;
	int signal;         /* the sampling signal of the earliest process; 0: unknown */
	size_t processes, threads;
	uint64_t samples;
	uint64_t dropped, dropped_by[WS_DROP_NREASONS];
	uint64_t unwind_failures, truncated;
	double overhead_seconds, overhead_percent;
	uint64_t collector_peak_bytes;
	size_t incomplete_processes;
	char **warnings;
	size_t nwarnings;
	char **notes;
	size_t nnotes;
};

/* The run's summary, with warnings about the data's quality (too few
 * samples, drops, incomplete files, unwind failures, modules without
 * unwind tables, files changed since recording) and the collector's notes.
 * With a filter, counts and times are those of the selected threads. */
void ws_header_build(const struct wsr_profile *prof, const struct ws_filter *f,
		     struct ws_symbolizer *sym, struct ws_header *out);
void ws_header_free(struct ws_header *h);

/* ---- two recordings side by side (whyslow compare) ---- */

enum ws_presence { WS_IN_BOTH, WS_ONLY_BEFORE, WS_ONLY_AFTER };

/* Times are seconds of the recording's clock (CPU or wall): samples over
 * the achieved rate. */
struct ws_compare_fn {
	const char *function, *module; /* module: after's, else before's */
	bool inlined;
	const char *file; /* the declaration, as in the flat profile */
	unsigned line;
	uint64_t self[2], total[2]; /* [0] before, [1] after */
	double self_s[2], total_s[2];
	double self_percent[2];
	enum ws_presence presence;
};

struct ws_compare_line {
	const char *file;
	unsigned line;
	const char *function;
	const char *text; /* borrowed from the lines tables */
	uint64_t samples[2];
	double seconds[2];
	enum ws_presence presence;
};

struct ws_compare {
	double speedup, cpu_speedup;   /* before / after; 0 when unknown */
	struct ws_compare_fn *fns;     /* by |self change|, then |total change| */
	size_t nfns, nfunctions;       /* shown, and before the cut */
	struct ws_compare_line *lines; /* by |change|; NULL without lines */
	size_t nlines, nall_lines;
};

/* From the tables of each recording: flat built with top 0, lines (top 0)
 * or NULL for both.  Functions match by name and inlined-ness, lines by
 * file and line, whatever module holds them (the two runs may be two
 * different programs).  top: rows kept (0: all). */
void ws_compare_build(const struct ws_header *const h[2], const struct ws_flat *const fl[2],
		      const struct ws_lines *const ln[2], size_t top, struct ws_compare *out);
void ws_compare_free(struct ws_compare *c);

const char *ws_clock_name(uint32_t clock);
const char *ws_source_name(uint32_t source);

#endif
