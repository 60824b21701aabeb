/* The heap and process-memory part of `whyslow report --memory`: a pure
 * function from the loaded profile (WS_REC_HEAP and WS_REC_RUSAGE records,
 * profile_format.h) to tables, and its renderers (render_heap.c).
 *
 * Figures come in two kinds, and every table says which:
 *  - exact: counted on every allocator call (calls, bytes asked for, live
 *    and peak heap, page faults, peak RSS);
 *  - estimated from the sampled allocations: each stands for
 *    size / probability bytes and 1 / probability allocations (exact when
 *    the recording sampled every allocation, --heap-sample 1).
 * Per process that passes the filter (--pid, --rank; --tid keeps the
 * allocations made by those threads):
 *  - stacks: allocations by allocating stack, by estimated bytes;
 *  - peak: the heap blocks live at the moment the live heap peaked
 *    (allocated before and freed after it), by stack;
 *  - leaks: blocks never freed before the profile was written (exit), by
 *    stack; except those the C library keeps for itself (ws_heap_libc_own:
 *    stdio buffers, locale data, the loader's and dlerror's state, time
 *    zone data), which it never frees and which are not the program's to
 *    free: listed apart ("kept by the C library"), not counted as leaked;
 *  - functions: by the function that called the allocator (the innermost
 *    frame of the stack).
 * Tables own their arrays; frames and names are borrowed from the
 * symboliser and the profile.
 */
#ifndef WHYSLOW_HEAP_REPORT_H
#define WHYSLOW_HEAP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

struct json;
struct out;

/* Allocations that share one allocating stack. */
struct ws_hstack {
	const struct ws_frame **frames; /* innermost first (owned array) */
	size_t nframes;
	const char *function; /* frames[0]'s: the caller of the allocator */
	const char *kind;     /* "malloc", "calloc", ... of its first allocation */
	double bytes, count;  /* estimated (exact with every allocation sampled) */
	uint64_t samples;     /* sampled allocations behind the figures */
};

struct ws_hfunction {
	const char *function, *module;
	double bytes, count;
};

struct ws_hproc {
	uint32_t pid;
	const char *command;		   /* argv[0] */
	bool has_heap;			   /* a heap record (else: heap profile off) */
	bool exact;			   /* every allocation sampled */
	struct ws_heap info;		   /* valid when has_heap */
	uint64_t alloc_calls, alloc_bytes; /* exact: the allocating kinds, mmap excluded */
	double peak_seconds;		   /* info.peak_ns after the process started */
	bool has_rusage;
	struct ws_rusage rusage;	 /* the process's (scope process) */
	struct ws_rusage *thread_rusage; /* threads that exited before the end */
	size_t nthread_rusage;
	struct ws_hstack *stacks, *peak, *leaks; /* by bytes, all of them */
	size_t nstacks, npeak, nleaks;
	double sampled_bytes, sampled_count; /* estimates, all allocations */
	double peak_sampled_bytes;	     /* estimate of the blocks at the peak */
	double leaked_bytes, leaked_count;   /* estimates */
	struct ws_hstack *kept;		     /* never freed, kept by the C library */
	size_t nkept;
	double kept_bytes, kept_count;	/* estimates */
	struct ws_hfunction *functions; /* by bytes */
	size_t nfunctions;
};

struct ws_heapmem {
	struct ws_hproc *procs;
	size_t nprocs;
	size_t top; /* rows to show per table (0: all) */
};

/* Is the block allocated with this stack (innermost first) the C
 * library's own: walking out from the allocator, a frame of stdio's
 * buffer allocation, locale set-up, the dynamic loader or dlerror, or time
 * zone loading comes before any frame outside libc and ld.so? */
bool ws_heap_libc_own(const struct ws_frame *const *frames, size_t n);

void ws_heapmem_build(const struct wsr_profile *prof, const struct ws_filter *f,
		      struct ws_symbolizer *sym, size_t top, struct ws_heapmem *out);
void ws_heapmem_free(struct ws_heapmem *h);

/* Expectation metrics over the table (expect.c): true when `metric` is one
 * of them, with its value in *v.  function: the (F) argument or NULL; a
 * pattern matches like fnmatch. */
bool ws_heapmem_metric(const struct ws_heapmem *h, const char *metric, const char *function,
		       double *v);
bool ws_heapmem_is_metric(const char *metric);

/* Renderers: the "Memory" sections of the text report, and the "memory"
 * object's heap members in the JSON report (docs/cli.md). */
void ws_render_heap_text(struct out *o, const struct ws_heapmem *h);
void ws_render_heap_json(struct json *j, const struct ws_heapmem *h);

#endif
