/* The GPU analysis behind `whyslow report --gpu` (docs/gpu.md): from the
 * WS_REC_GPU records of the selected processes, the kernel and transfer
 * tables, the GPU's busy and idle share, the CPU time in CUDA API calls,
 * the CPU call sites that launched the most GPU time, and the verdicts.
 *
 * Definitions (all documented with their thresholds in docs/gpu.md):
 *  - window: from the first traced GPU activity or API call to the last
 *    one, summed over the processes.
 *  - busy: the union of kernel, copy and memset intervals (per process);
 *    idle = window - busy.
 *  - API time: top-level calls only (a driver call made inside a runtime
 *    call is part of it).  Launch calls: cudaLaunch*, cuLaunch*;
 *    synchronising calls: *Synchronize, cudaEventSynchronize;
 *    allocating: *Malloc*, *Free*, cuMemAlloc*, cuMemFree*.
 *  - cpu_work_idle: GPU-idle time during which the CPU was in no CUDA call
 *    (the CPU works while the GPU waits).
 *  - launch_overhead_us: mean time of a launch call on the CPU; a tiny
 *    kernel runs shorter than that.
 *  - sync_after_launch: launches whose next top-level call on the same
 *    thread is a synchronising call.
 *  - kernel window: from the first kernel's start to the last kernel's
 *    end (per process); kernel_window_percent: the share of it with a
 *    kernel running; copies_in_kernel_window: host<->device copies that
 *    start inside it (data that goes back and forth between kernels).
 *  - unified memory (CUPTI's counters, when traced): migrations by
 *    direction, GPU page-fault groups, CPU page faults, thrashing; not
 *    part of busy (they happen inside kernels and host code).
 * Contract: pure; nothing printed; free with ws_gpu_report_free.
 */
#ifndef WHYSLOW_GPU_REPORT_H
#define WHYSLOW_GPU_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "symbolize.h"

/* verdict thresholds */
#define WS_GPU_TRANSFER_BOUND 1.0  /* copy time / kernel time above this */
#define WS_GPU_LAUNCH_BOUND 50.0   /* % of kernels shorter than a launch */
#define WS_GPU_IDLE_CPU_WORKS 50.0 /* % of the window */
#define WS_GPU_SYNC_EVERY 90.0	   /* % of launches followed by a sync */
#define WS_GPU_PAGEABLE 50.0	   /* % of host<->device bytes pageable */
#define WS_GPU_MIN_LAUNCHES 10	   /* fewer: no launch or sync verdict */
#define WS_GPU_RESIDENT 0.25	   /* host<->device copies per kernel in the kernel window, at most */
#define WS_GPU_BOUND 80.0	   /* % of the kernel window with a kernel running */
#define WS_GPU_UM_MIGRATION 10.0   /* migration time, % of kernel time */

struct ws_gpu_kernel_row {
	char *name; /* demangled */
	uint64_t calls;
	double seconds, mean_us, min_us, max_us, percent; /* percent of kernel time */
	int32_t grid[3], block[3];			  /* of its first launch */
	uint32_t registers, shared_bytes;
};

struct ws_gpu_copy_row {
	uint32_t direction; /* enum ws_gpu_copy */
	uint32_t memory;    /* enum ws_gpu_mem of the host side */
	uint64_t count, bytes;
	double seconds, gb_per_s;
};

struct ws_gpu_api_row {
	char *name;
	uint64_t calls;
	double seconds, percent; /* of all top-level API time */
};

struct ws_gpu_site_row {
	char *site; /* "function (file:line)" or "module+0x..." */
	uint64_t launches;
	double gpu_seconds, percent; /* GPU time launched from here, % of busy */
};

struct ws_gpu_report {
	size_t nprocs;			   /* processes with a GPU record; 0: nothing traced */
	struct ws_gpu_kernel_row *kernels; /* by seconds */
	size_t nkernels;
	struct ws_gpu_copy_row *copies; /* by seconds */
	size_t ncopies;
	struct ws_gpu_api_row *apis; /* by seconds */
	size_t napis;
	struct ws_gpu_site_row *sites; /* by gpu_seconds */
	size_t nsites;
	uint64_t kernel_count, copy_count, memset_count, sync_count, api_count;
	uint64_t dropped; /* CUPTI's and whyslow's */
	bool unflushed;	  /* a process ended without flushing CUPTI */
	double window_s, kernel_s, copy_s, memset_s, busy_s, idle_s;
	double busy_percent, idle_percent;
	double api_s, launch_s, sync_s, alloc_s;
	double cpu_work_idle_s, cpu_work_idle_percent;
	uint64_t launches, sync_after_launch;
	double sync_after_launch_percent;
	double launch_overhead_us, tiny_kernel_percent;
	uint64_t hd_bytes, pageable_bytes;
	double pageable_percent;
	double copy_kernel_ratio; /* copy_s / kernel_s (0 without kernels) */
	double kernel_window_s, kernel_window_busy_s, kernel_window_percent;
	uint64_t copies_in_kernel_window;
	/* unified memory, indexed by enum ws_gpu_um (0 unused) */
	bool um_traced;	       /* some selected process had the counters on */
	uint64_t um_events[9]; /* records */
	uint64_t um_amount[9]; /* bytes; fault groups for GPU faults; faults for CPU ones */
	double um_seconds[9];  /* migrations and throttling: their duration */
	/* migrations (HtoD + DtoH + DtoD) on demand: page faults, eviction,
	 * access counters or an unknown cause; prefetched: cudaMemPrefetchAsync
	 * or an explicit request */
	uint64_t um_demand_bytes, um_prefetch_bytes;
	double um_demand_s, um_prefetch_s;
	double um_migration_s, um_migration_percent; /* on demand; % of kernel time */
	/* problems */
	bool transfer_bound, launch_bound, gpu_idle_cpu_works, sync_every_launch, pageable;
	bool um_migrations; /* on-demand migrations take >= WS_GPU_UM_MIGRATION % of kernel time */
	/* states: what is right (shown next to the problems) */
	bool resident;	/* >= WS_GPU_MIN_LAUNCHES kernels, few copies between them, no
			 * page-fault migrations */
	bool gpu_bound; /* >= WS_GPU_MIN_LAUNCHES kernels back to back (>= WS_GPU_BOUND % of
			 * the kernel window), and not transfer-bound, launch-bound, page-fault
			 * migrations or GPU idle while the CPU works */
};

void ws_gpu_report_build(const struct wsr_profile *prof, const struct ws_filter *f,
			 struct ws_symbolizer *sym, size_t top, struct ws_gpu_report *out);
void ws_gpu_report_free(struct ws_gpu_report *g);
const char *ws_gpu_copy_name(uint32_t direction); /* "HtoD", ... */
const char *ws_gpu_mem_name(uint32_t memory);	  /* "pageable", "pinned", ... */
const char *ws_gpu_um_name(uint32_t detail);
/* A kernel's name for people: demangled when it is a C++ name, else as
 * recorded (extern "C", NVRTC, Triton); malloc'd. */
char *ws_gpu_kernel_name(const struct ws_gpu_activity *a);
/* The first of idx[0..n) (indexes of g->api sorted by correlation) whose
 * call has this correlation id, or NULL: with the outer call sorted first,
 * the call that launched an activity. */
const struct ws_gpu_api *ws_gpu_find_api(const struct wsr_gpu *g, const uint32_t *idx, size_t n,
					 uint32_t corr);	  /* "migration HtoD", "GPU page faults", ... */

/* Renderers (render_gpu.c): the text section and the "gpu" JSON key. */
struct out;
struct json;
void ws_render_gpu_text(struct out *o, const struct ws_gpu_report *g);
void ws_render_gpu_json(struct json *j, const struct ws_gpu_report *g);

#endif
