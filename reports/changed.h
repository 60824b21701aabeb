/* What changed between two recordings besides time (whyslow compare's
 * "Changed" section): the verdicts that differ, and the counters and heap
 * totals measured on both sides.  Built by ws_changed_build() (in
 * an_compare.c) from each side's tables; rendered by render_compare.c
 * (text) and render_json.c (JSON, schema whyslow-compare in docs/cli.md).
 *
 * Definitions:
 *  - Verdicts, each listed only when before and after differ:
 *     - lock_contention, scheduling_overhead, imbalanced: report
 *       --threads's verdicts (analysis.h: WS_LOCK_CONTENTION,
 *       WS_SCHED_*, WS_IMBALANCED), with the figure behind each (lock
 *       wait %, OpenMP runtime %, busy imbalance);
 *     - omp_imbalanced: the OpenMP region with the most time has an
 *       imbalance >= WS_IMBALANCED (both sides with OMPT regions);
 *     - mpi_imbalanced: the MPI ranks' computing imbalance >=
 *       WS_IMBALANCED (both sides with PMPI data);
 *     - gpu_transfer_bound, gpu_launch_bound, gpu_idle_cpu_works,
 *       gpu_sync_every_launch, gpu_pageable, gpu_um_migrations,
 *       gpu_resident, gpu_bound: report --gpu's verdicts and states (both
 *       sides traced with CUPTI);
 *     - vector(F), memory(F): the class of function F (vector.h) and of
 *       its hottest loop (access.h), for F among the three functions with
 *       the most self samples (as compiled) of either side, where both
 *       sides analysed F (a vector or access table that holds it; none:
 *       nothing listed);
 *     - vector_hot, memory_hot: when the hottest analysed function (as
 *       compiled; with a hot loop for memory) is another function after
 *       than before (a rewrite under another name) and its class differs
 *       too: before's class of before's function, after's of after's;
 *       only between classes with FP arithmetic (not no-fp), or memory
 *       classes that are known (memory-bound, cache-friendly).
 *  - Counters: every event counted (counter_table.h) on both sides,
 *    matched by name, in before's order: the counting threads' totals.
 *  - Heap: allocations (allocator calls) and peak heap (the largest live
 *    heap of a process) when both sides have a heap record; peak RSS (the
 *    largest of the processes) and page faults (minor + major, summed) when
 *    both sides have resource usage records.
 *  - ratio = after / before (0 when before is 0).
 *
 * Contract: a pure function of the tables (borrowed; strings too, which
 * must outlive the result); the result owns its arrays only.
 */
#ifndef WHYSLOW_CHANGED_H
#define WHYSLOW_CHANGED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ws_facts;

struct ws_changed_verdict {
	const char *name;	    /* "lock_contention", "vector", ... */
	const char *function;	    /* vector and memory: F; else NULL */
	const char *functions[2];   /* the function of each side (vector, memory,
				       vector_hot, memory_hot); else NULL */
	bool flag;		    /* a yes/no verdict (before, after: "yes", "no") */
	const char *before, *after; /* "yes"/"no", or the class names */
	const char *what;	    /* the figure behind it ("lock wait"), or NULL */
	const char *unit;	    /* its unit: "%" or "x" */
	double value[2];	    /* that figure, before and after */
};

struct ws_changed_total {
	const char *name; /* the event, or "allocations", "peak_heap", ... */
	bool bytes;	  /* a size in bytes */
	uint64_t value[2];
	double ratio; /* after / before; 0 when before is 0 */
};

struct ws_changed {
	struct ws_changed_verdict *verdicts;
	size_t nverdicts;
	struct ws_changed_total *counters; /* events counted on both sides */
	size_t ncounters;
	struct ws_changed_total *heap; /* the heap and process totals */
	size_t nheap;
};

/* From each side's facts (expect.h): busy, mpi, gpu, vector, access,
 * counters and heap may be NULL (that part is left out). */
void ws_changed_build(const struct ws_facts *before, const struct ws_facts *after,
		      struct ws_changed *out);
void ws_changed_free(struct ws_changed *c);

#endif
