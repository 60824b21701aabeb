/* Strong or weak scaling: one program recorded at several thread (or rank) counts,
 * `whyslow scale` (docs/cli.md).  A pure function from the runs' report
 * tables to the scaling table; scale_cmd.c runs the program and renders.
 *
 * Definitions (p: the count, T(p): the median wall time of its repeats,
 * p0: the smallest count, the baseline):
 *   speedup S(p)      = T(p0) / T(p)
 *   efficiency E(p)   = S(p) * p0 / p
 *   Karp-Flatt e(p)   = (1/S' - 1/q) / (1 - 1/q), with q = p / p0 and
 *                       S' = S(p): the experimentally determined serial
 *                       fraction (undefined at q = 1)
 *   Amdahl fit        T(p) = a + b / q by least squares over all counts;
 *                       serial fraction f = a / (a + b) (clamped to [0, 1]);
 *                       predicted speedup 1 / (f + (1 - f) / q), and 1 / f
 *                       at infinity
 *   per function      its self time (seconds in the function itself, summed
 *                       over threads: self samples over the achieved rate;
 *                       with the wall clock, waiting counts) at each count,
 *                       mean of the repeats; its scaling loss at the largest
 *                       count is that time minus its time at p0.  Perfect
 *                       strong scaling keeps the summed time of every
 *                       function constant, so the losses (self times
 *                       partition the samples: they add up) say where the
 *                       extra thread-seconds went: waiting at a barrier or
 *                       a lock, spinning, a serial part the other threads
 *                       idle through.
 *
 * Weak scaling (the work grows with the count: each thread or rank does the
 * same amount, `whyslow scale --weak`):
 *   scaled speedup S(p) = q * T(p0) / T(p)  (q times the work in T(p))
 *   efficiency E(p)     = T(p0) / T(p)      (1: the time stays constant)
 *   Karp-Flatt          undefined (NAN)
 *   Gustafson fit       S(q) = q - f (q - 1) by least squares over the
 *                       counts: f = sum (q-1)(q-S) / sum (q-1)^2 (clamped
 *                       to [0, 1]), the serial fraction of the scaled run;
 *                       predicted S at the largest count; none at infinity
 *                       (predicted_inf = INFINITY: it grows without limit)
 *   per function        loss = its time at the largest count minus q times
 *                       its time at p0 (perfect weak scaling multiplies
 *                       every function's summed time by q).
 */
#ifndef WHYSLOW_SCALE_H
#define WHYSLOW_SCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

/* One run: its header and its flat profile with every function. */
struct ws_scale_run {
	const struct ws_header *header;
	const struct ws_flat *flat;
};

struct ws_scale_point {
	int count;
	size_t repeats;
	double median, min, max; /* wall seconds */
	double speedup, efficiency;
	double karp_flatt; /* NAN at the baseline */
};

struct ws_scale_fn {
	const char *function;
	bool inlined;
	const char *runtime; /* "openmp": in the OpenMP runtime's module (ws_flat_row) */
	double *seconds;     /* per point */
	double loss;	     /* seconds at the largest count minus at the baseline */
};

struct ws_scale {
	bool weak;		       /* weak scaling: the definitions above */
	struct ws_scale_point *points; /* by count */
	size_t npoints;
	bool fitted;		 /* at least two counts */
	double serial_fraction;	 /* Amdahl's f (weak: Gustafson's) */
	double predicted_max;	 /* speedup predicted at the largest count */
	double predicted_inf;	 /* at infinity; INFINITY when f is 0 */
	struct ws_scale_fn *fns; /* with self time at some count; by loss,
				    largest first */
	size_t nfns;
	double total_loss; /* summed positive losses */
};

/* The flat profile a run contributes to the per-function table: the
 * program's work, not its waiting.
 *  - threads that did not take part in the work are left out, by the rule
 *    of report --threads (ws_busy_row.took_part: busy + runtime time at
 *    least 10 % of the busiest thread's busy time): an MPI library's
 *    progress threads, which sleep in poll/epoll_wait all along and with
 *    the wall clock would otherwise add a thread's wall time per rank; a
 *    main thread blocked in pthread_join;
 *  - of the threads that took part, the samples blocked in the kernel
 *    (ws_classify_stack: WS_IDLE; poll, futex waits, sleeps, ...) are one
 *    row, function WS_SCALE_WAITING, not their C library functions; time
 *    in an OpenMP runtime (spinning or blocked at its barriers) stays with
 *    the runtime's functions.
 * Threads are matched to report --threads' rows by pid and tid.  out's
 * rows have self counts only (total 0) and are not sorted; free it with
 * ws_flat_free.  *left_threads and *left_samples: the threads left out
 * and their samples. */
#define WS_SCALE_WAITING "[waiting]"
void ws_scale_flat_build(const struct wsr_profile *prof, const struct ws_filter *f,
			 struct ws_symbolizer *sym, struct ws_flat *out, size_t *left_threads,
			 uint64_t *left_samples);

/* runs[i * repeats + r]: count counts[i], repeat r; counts ascending and
 * distinct.  top: functions kept (0: all).  weak: weak scaling. */
void ws_scale_build(const int *counts, size_t npoints, size_t repeats,
		    const struct ws_scale_run *runs, size_t top, bool weak, struct ws_scale *out);
void ws_scale_free(struct ws_scale *s);

#endif
