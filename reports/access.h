/* The memory-access analysis behind `whyslow report --memory` (issue 4):
 * why a hot loop is memory-bound, found without hardware counters, from
 * its machine code and the register snapshots taken with the samples
 * (WS_REC_REGS).  docs/memory-access.md explains the method and its limits.
 *
 * Definitions:
 *  - Functions and hot loops as in vector.h: a function's samples are
 *    those whose innermost address lies in it; its hot loops are the loops
 *    (loops.h) holding at least 10 % of its samples as their own, at most
 *    three, by own samples.
 *  - One iteration of a hot loop executes its own instructions once, in
 *    address order (a loop with branches inside is treated as if every
 *    instruction ran each time).
 *  - Stride: the change of an access's address from one iteration to the
 *    next, found by following the general-purpose registers symbolically
 *    over one iteration: add/sub of an immediate, inc, dec, add/sub of a
 *    loop-invariant register, mov/movsxd between registers and lea.  A
 *    loop-invariant register (not written in the loop) that a register is
 *    stepped by takes its value from the register snapshots taken in the
 *    loop (the median when they differ).  Anything else (a load, a
 *    multiplication, a gather's vector index) leaves the stride unknown,
 *    with the reason.
 *  - Stream: the accesses whose addresses differ by a constant; per
 *    iteration a stream with stride S fetches S bytes when |S| < 64 (it
 *    sweeps memory, every line once) and the 64-byte lines its accesses
 *    span when |S| >= 64 (new lines every iteration); |S| >= 4096 also
 *    means a new 4 KiB page (a TLB miss) every iteration; S = 0 fetches
 *    nothing (the data stays in cache).
 *  - Useful bytes of a stream per iteration: the bytes its stores write
 *    plus the bytes of its loads that the loop uses (a load that only
 *    feeds shuffles counts the lanes that reach arithmetic, stores or
 *    integer instructions: the demand, split evenly over a shuffle's
 *    inputs), at most the bytes its accesses span and at most |S|.
 *  - fetched = fetched bytes / useful bytes over the streams of known,
 *    non-zero stride (1: every byte fetched is used).
 *  - FLOP per iteration: FP arithmetic, a packed instruction counting its
 *    elements, an FMA two; intensity = FLOP / byte fetched.
 *  - Class: memory-bound when fetched >= 2 (at most half of what is
 *    fetched is used) or a stream moves to a new page every iteration;
 *    cache-friendly when the known streams' fetched < 2; no-memory
 *    without accesses of non-zero stride; unknown when no stride is known.
 *  - Rate (an estimate, a lower bound): two snapshots of one thread in the
 *    same loop, with the same stack and every loop-invariant register
 *    equal, an induction register advanced by k > 0 whole iterations: k
 *    iterations took at most their time apart.  The median over such pairs,
 *    when there are any, times the bytes fetched and FLOP per iteration.
 *
 * Contract: a pure function of the profile, the filter and the symboliser
 * (which reads the module files); nothing is printed.  Tables own their
 * memory except strings from the symboliser.
 */
#ifndef WHYSLOW_ACCESS_H
#define WHYSLOW_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

#define WS_CACHE_LINE 64
#define WS_PAGE 4096
#define WS_MEMORY_BOUND_FETCHED 2.0

enum ws_mclass { WS_MEM_NONE, WS_MEM_UNKNOWN, WS_MEM_CACHE_FRIENDLY, WS_MEM_BOUND };

struct ws_maccess {
	uint64_t addr; /* the instruction, file address */
	char *text;    /* the instruction */
	unsigned size; /* bytes */
	bool read, write;
	bool known;	 /* stride known */
	int64_t stride;	 /* bytes per iteration */
	const char *why; /* when unknown */
	double used;	 /* bytes of a load the loop uses (demand), else size */
	size_t stream;	 /* index in the loop's streams */
};

struct ws_mstream {
	char *expr; /* its address, "[rdx + 64000*i]"-like: the registers and stride */
	int64_t stride;
	unsigned accesses, loads, stores;
	double useful, fetched; /* bytes per iteration */
	bool new_line, new_page;
};

struct ws_mloop {
	uint64_t start, end, offset; /* file addresses; offset from the function */
	unsigned depth;
	bool innermost;
	const char *file; /* source file with most of its instructions, or NULL */
	unsigned first_line, last_line;
	uint64_t own_samples;
	double percent; /* own samples of the function's */
	struct ws_maccess *acc;
	size_t nacc;
	struct ws_mstream *streams; /* known, non-zero stride, by fetched bytes */
	size_t nstreams;
	size_t unknown;		       /* accesses of unknown stride */
	double loaded, stored;	       /* bytes per iteration by the instructions */
	double useful, fetched, ratio; /* per iteration; ratio 0 when no stream */
	double flops, intensity;       /* FLOP per iteration, per byte fetched */
	unsigned calls;		       /* call instructions in its own code: the
					  callees' FLOP and bytes are not counted */
	size_t snapshots;	       /* register snapshots in the loop */
	size_t rate_pairs;	       /* 0: no rate estimate */
	double iterations_per_s, bytes_per_s, flops_per_s; /* lower bounds */
	enum ws_mclass mclass;
	char *verdict;
};

struct ws_mfunction {
	const char *function, *module;
	uint64_t samples;
	double percent;
	char *why_not;		/* could not be analysed */
	struct ws_mloop *loops; /* hot loops, by own samples */
	size_t nloops, nall_loops;
	size_t snapshots; /* in the function */
};

struct ws_access {
	uint64_t samples;
	uint64_t snapshots;	  /* register snapshots of the filtered threads */
	const char *no_snapshots; /* why there are none, or NULL */
	struct ws_mfunction *fns; /* by samples */
	size_t nfns;
};

/* max_functions: at most this many (0: all with samples), each with at
 * least min_percent of the samples.  0, or -1 with *why set (static text)
 * without a disassembler. */
int ws_access_build(const struct wsr_profile *prof, const struct ws_filter *f,
		    struct ws_symbolizer *sym, size_t max_functions, double min_percent,
		    struct ws_access *out, const char **why);
void ws_access_free(struct ws_access *a);

const char *ws_mclass_name(enum ws_mclass c); /* "no-memory", "unknown", "cache-friendly",
						 "memory-bound" */
/* The analysed function matching pattern (a name or fnmatch pattern) with
 * the most samples and at least one hot loop, or NULL. */
const struct ws_mfunction *ws_access_function(const struct ws_access *a, const char *pattern);

#endif
