/* The OMPT source (ompt.h): parallel regions and per-thread work from the
 * OpenMP tool interface. */
#include "ompt.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "arena.h"
#include "collector.h"
#include "profile_format.h"
#include "writer.h"

#ifdef HAVE_OMPT
#include <omp-tools.h>

#define WS_EXPORT __attribute__((visibility("default")))

enum {
	MAX_REGIONS = 256, /* distinct parallel constructs (power of two) */
	MAX_THREADS = 256, /* thread numbers per region */
	MAX_NEST = 8,	   /* nested implicit tasks per thread */
	RUNTIME_MAX = 120, /* bytes of the runtime's version string */
};

struct thread_acc {
	_Atomic uint64_t tasks, work_ns, cpu_ns;
};

struct region {
	_Atomic uint64_t codeptr; /* 0: free slot */
	_Atomic uint64_t instances, total_ns, lost_threads;
	_Atomic uint32_t max_team;
	struct thread_acc th[MAX_THREADS];
};

/* One implicit task the thread is in: where its time goes. */
struct task_frame {
	struct region *r;
	unsigned index;	    /* thread number in the team; >= MAX_THREADS: not kept */
	uint64_t seg_start; /* when the current non-waiting segment began */
	uint64_t seg_cpu;   /* the thread's CPU time then */
	int waiting;	    /* inside sync_region_wait (nesting count) */
};

static struct region *regions; /* MAX_REGIONS, mapped at initialisation */
static void *out_buf;	       /* the record, composed at the end */
static size_t out_size;
static _Atomic int tool_active;
static _Atomic uint32_t lost_regions;
static _Atomic uint64_t first_ns, outer_ns;
static char runtime_name[RUNTIME_MAX + 8];
static uint32_t runtime_len;

/* Per thread: the implicit tasks it is in, and the regions it encountered
 * (their begin times), for the regions' times and the time inside them. */
static __thread struct task_frame tasks[MAX_NEST];
static __thread int ntasks, lost_nest;
static __thread int par_depth;
static __thread uint64_t par_begin[MAX_NEST];

static struct region *
find_region(uint64_t codeptr)
{
	if (!codeptr)
		codeptr = 1; /* the runtime gave none: one shared slot */
	uint64_t h = ((codeptr >> 2) * 0x9E3779B97F4A7C15ull) >> 32;
	for (unsigned i = 0; i < MAX_REGIONS; i++) {
		struct region *r = &regions[(h + i) & (MAX_REGIONS - 1)];
		uint64_t c = atomic_load_explicit(&r->codeptr, memory_order_acquire);
		if (c == codeptr)
			return r;
		if (c == 0) {
			uint64_t zero = 0;
			if (atomic_compare_exchange_strong(&r->codeptr, &zero, codeptr))
				return r;
			if (zero == codeptr)
				return r;
		}
	}
	atomic_fetch_add(&lost_regions, 1);
	return NULL;
}

/* The calling thread's CPU time (a system call: CLOCK_THREAD_CPUTIME_ID
 * has no vDSO path), read at the callbacks only. */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
add(_Atomic uint64_t *a, uint64_t v)
{
	atomic_fetch_add_explicit(a, v, memory_order_relaxed);
}

static void
on_parallel_begin(ompt_data_t *encountering_task_data, const ompt_frame_t *encountering_task_frame,
		  ompt_data_t *parallel_data, unsigned int requested_parallelism, int flags,
		  const void *codeptr_ra)
{
	(void)encountering_task_data;
	(void)encountering_task_frame;
	(void)requested_parallelism;
	(void)flags;
	uint64_t now = ws_now_ns();
	/* the region's slot travels with the region: the implicit tasks and
	 * the end callback get the same parallel_data */
	parallel_data->ptr = find_region((uint64_t)(uintptr_t)codeptr_ra);
	if (par_depth == 0) {
		uint64_t zero = 0;
		atomic_compare_exchange_strong(&first_ns, &zero, now);
	}
	if (par_depth < MAX_NEST)
		par_begin[par_depth] = now;
	par_depth++;
}

static void
on_parallel_end(ompt_data_t *parallel_data, ompt_data_t *encountering_task_data, int flags,
		const void *codeptr_ra)
{
	(void)encountering_task_data;
	(void)flags;
	(void)codeptr_ra;
	uint64_t now = ws_now_ns();
	if (par_depth == 0)
		return; /* began before the tool ran */
	par_depth--;
	if (par_depth >= MAX_NEST)
		return;
	uint64_t took = now - par_begin[par_depth];
	struct region *r = parallel_data ? parallel_data->ptr : NULL;
	if (r) {
		add(&r->instances, 1);
		add(&r->total_ns, took);
	}
	if (par_depth == 0)
		add(&outer_ns, took);
}

/* Work of the task so far: the segment since it last stopped waiting, in
 * wall-clock time (what the others wait for) and in CPU time (what the
 * thread computed, whatever else ran on its core). */
static void
close_segment(struct task_frame *t, uint64_t now, uint64_t cpu)
{
	if (!t->r || t->index >= MAX_THREADS)
		return;
	if (now > t->seg_start)
		add(&t->r->th[t->index].work_ns, now - t->seg_start);
	if (cpu > t->seg_cpu)
		add(&t->r->th[t->index].cpu_ns, cpu - t->seg_cpu);
}

static void
on_implicit_task(ompt_scope_endpoint_t endpoint, ompt_data_t *parallel_data, ompt_data_t *task_data,
		 unsigned int actual_parallelism, unsigned int index, int flags)
{
	(void)task_data;
	if (flags & ompt_task_initial)
		return; /* a thread's initial task, not a parallel region's */
	uint64_t now = ws_now_ns(), cpu = cpu_ns();
	if (endpoint == ompt_scope_begin) {
		if (ntasks >= MAX_NEST) {
			lost_nest++;
			return;
		}
		struct region *r = parallel_data ? parallel_data->ptr : NULL;
		tasks[ntasks++] = (struct task_frame){r, index, now, cpu, 0};
		if (!r)
			return;
		uint32_t team = atomic_load(&r->max_team);
		while (actual_parallelism > team &&
		       !atomic_compare_exchange_weak(&r->max_team, &team, actual_parallelism))
			;
		if (index < MAX_THREADS)
			add(&r->th[index].tasks, 1);
		else
			add(&r->lost_threads, 1);
		return;
	}
	if (lost_nest > 0) {
		lost_nest--;
		return;
	}
	if (ntasks == 0)
		return;
	struct task_frame *t = &tasks[--ntasks];
	if (!t->waiting)
		close_segment(t, now, cpu);
}

/* Waiting (barriers, taskwait, taskgroup) ends a segment of work.  A
 * worker's wait at the closing barrier of a region is reported as ended
 * only when the next region forks: it is not counted as work, and the
 * region's waiting is computed as its time less its work. */
static void
on_sync_region_wait(ompt_sync_region_t kind, ompt_scope_endpoint_t endpoint,
		    ompt_data_t *parallel_data, ompt_data_t *task_data, const void *codeptr_ra)
{
	(void)kind;
	(void)parallel_data;
	(void)task_data;
	(void)codeptr_ra;
	if (ntasks == 0)
		return; /* in the initial task: outside any region */
	struct task_frame *t = &tasks[ntasks - 1];
	uint64_t now = ws_now_ns(), cpu = cpu_ns();
	if (endpoint == ompt_scope_begin) {
		if (t->waiting++ == 0)
			close_segment(t, now, cpu);
	} else if (t->waiting > 0 && --t->waiting == 0) {
		t->seg_start = now;
		t->seg_cpu = cpu;
	}
}

static size_t
record_bytes(void)
{
	return sizeof(struct ws_ompt) + RUNTIME_MAX + 8 +
	       (size_t)MAX_REGIONS *
		   (sizeof(struct ws_ompt_region) + MAX_THREADS * sizeof(struct ws_ompt_thread));
}

static int
tool_initialize(ompt_function_lookup_t lookup, int initial_device_num, ompt_data_t *tool_data)
{
	(void)initial_device_num;
	(void)tool_data;
	ompt_set_callback_t set_callback = (ompt_set_callback_t)lookup("ompt_set_callback");
	if (!set_callback) {
		ws_notef("OpenMP: the runtime (%s) has no ompt_set_callback; no region times",
			 runtime_name);
		return 0;
	}
	regions = ws_map(MAX_REGIONS * sizeof *regions);
	out_size = record_bytes();
	out_buf = ws_map(out_size);
	if (!regions || !out_buf) {
		ws_warnf("OpenMP tool: cannot map its tables; no region times");
		return 0;
	}
	static const struct {
		ompt_callbacks_t which;
		ompt_callback_t fn;
		const char *name;
	} cbs[] = {
	    {ompt_callback_parallel_begin, (ompt_callback_t)on_parallel_begin, "parallel_begin"},
	    {ompt_callback_parallel_end, (ompt_callback_t)on_parallel_end, "parallel_end"},
	    {ompt_callback_implicit_task, (ompt_callback_t)on_implicit_task, "implicit_task"},
	    {ompt_callback_sync_region_wait, (ompt_callback_t)on_sync_region_wait,
	     "sync_region_wait"},
	};
	for (size_t i = 0; i < sizeof cbs / sizeof cbs[0]; i++) {
		int rc = set_callback(cbs[i].which, cbs[i].fn);
		if (rc != ompt_set_always) {
			/* partial data would mislead: say which one is missing */
			ws_notef("OpenMP: %s did not accept the %s callback (ompt_set_result %d); "
				 "no region times",
				 runtime_name, cbs[i].name, rc);
			for (size_t j = 0; j < i; j++)
				set_callback(cbs[j].which, NULL);
			return 0;
		}
	}
	atomic_store(&tool_active, 1);
	ws_notef("OpenMP: parallel regions through OMPT (%s)", runtime_name);
	return 1; /* keep the tool */
}

static void
tool_finalize(ompt_data_t *tool_data)
{
	(void)tool_data;
	/* the tables stay: the profile is written at the end of the process */
}

WS_EXPORT ompt_start_tool_result_t *
ompt_start_tool(unsigned int omp_version, const char *runtime_version)
{
	(void)omp_version;
	static ompt_start_tool_result_t result = {tool_initialize, tool_finalize, {0}};
	const char *off = getenv("WHYSLOW_OMPT");
	if (off && strcmp(off, "0") == 0)
		return NULL;
	/* the runtime may initialise before our constructor ran */
	ws_collector_start_once();
	if (atomic_load(&ws_phase) != WS_PHASE_RUNNING)
		return NULL;
	const char *v = runtime_version ? runtime_version : "an OpenMP runtime";
	runtime_len = (uint32_t)strnlen(v, RUNTIME_MAX);
	memcpy(runtime_name, v, runtime_len);
	runtime_name[runtime_len] = '\0';
	return &result;
}

void
ws_ompt_write(void)
{
	if (!atomic_load(&tool_active))
		return;
	uint8_t *p = out_buf;
	struct ws_ompt *h = (struct ws_ompt *)p;
	size_t off = sizeof *h;
	uint32_t padded = (runtime_len + 7u) & ~7u;
	memcpy(p + off, runtime_name, runtime_len);
	off += padded;
	uint32_t n = 0;
	for (unsigned i = 0; i < MAX_REGIONS; i++) {
		struct region *r = &regions[i];
		uint64_t code = atomic_load(&r->codeptr);
		if (!code)
			continue;
		unsigned nth = 0;
		for (unsigned k = 0; k < MAX_THREADS; k++)
			if (atomic_load_explicit(&r->th[k].tasks, memory_order_relaxed))
				nth = k + 1;
		struct ws_ompt_region *out = (struct ws_ompt_region *)(p + off);
		*out = (struct ws_ompt_region){
		    .codeptr = code == 1 ? 0 : code,
		    .instances = atomic_load(&r->instances),
		    .total_ns = atomic_load(&r->total_ns),
		    .max_team = atomic_load(&r->max_team),
		    .nthreads = nth,
		    .lost_threads = atomic_load(&r->lost_threads),
		};
		off += sizeof *out;
		struct ws_ompt_thread *th = (struct ws_ompt_thread *)(p + off);
		for (unsigned k = 0; k < nth; k++)
			th[k] = (struct ws_ompt_thread){atomic_load(&r->th[k].tasks),
							atomic_load(&r->th[k].work_ns),
							atomic_load(&r->th[k].cpu_ns)};
		off += nth * sizeof *th;
		n++;
	}
	*h = (struct ws_ompt){
	    .nregions = n,
	    .runtime_len = runtime_len,
	    .max_threads = MAX_THREADS,
	    .lost_regions = atomic_load(&lost_regions),
	    .first_ns = atomic_load(&first_ns),
	    .outer_ns = atomic_load(&outer_ns),
	};
	struct iovec part = {p, off};
	ws_writer_record(WS_REC_OMPT, &part, 1);
}

void
ws_ompt_after_fork(void)
{
	if (!atomic_load(&tool_active))
		return;
	memset(regions, 0, MAX_REGIONS * sizeof *regions);
	atomic_store(&lost_regions, 0);
	atomic_store(&first_ns, 0);
	atomic_store(&outer_ns, 0);
	ntasks = lost_nest = par_depth = 0;
}

#else /* !HAVE_OMPT */

void
ws_ompt_write(void)
{
}

void
ws_ompt_after_fork(void)
{
}

#endif
