/* The hot loops of the memory report (access.h) placed on this machine's
 * roofline (machine.h): `whyslow report --memory`, with the peaks that
 * `whyslow machine` measured and cached.
 *
 * Definitions:
 *  - The roof: double precision (the loops' element type is not known to
 *    the access analysis; the course's kernels are double), the widest
 *    vector width this machine measured (what the code could use), on one
 *    core, or on all the CPUs when more than one thread did work (had at
 *    least 5 % of the samples; report_cmd.c decides).
 *  - A loop is placed by its intensity (FLOP per byte fetched, access.h);
 *    loops without floating-point arithmetic are not on the roofline.
 *    The achieved rate is the access analysis's lower-bound estimate
 *    (flops_per_s, from two register snapshots in one pass of the loop)
 *    where there is one, otherwise unknown: the loop is then placed by its
 *    intensity alone (memory- or compute-bound, and its roof).
 *  - A loop that calls functions (calls > 0) is not placed: its own
 *    instructions leave out the callees' FLOP and bytes (f_simd's call to
 *    libmvec's sin), so its intensity and rate would be wrong; it is
 *    counted in `with_calls`.
 *  - Measured by counters (ws_roofline_add_counters), where the recording
 *    counted floating-point operations and last-level cache misses (record
 *    -e PAPI_DP_OPS,PAPI_L3_TCM, --counters flops plus memory): per
 *    function, intensity = FLOP / (misses x 64 bytes, the memory traffic),
 *    achieved = FLOP / its self seconds.  These rows are functions, not
 *    loops (from_counters), and their achieved rate is measured, not a
 *    bound.
 * Contract: pure; nothing printed; the table borrows the access table's
 * strings.  Free with ws_roofline_free.
 */
#ifndef WHYSLOW_ROOFLINE_REPORT_H
#define WHYSLOW_ROOFLINE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "access.h"
#include "machine.h"

struct ws_roofline_row {
	const char *function;
	bool from_counters;   /* a function measured by counters, not a loop */
	double traffic_bytes; /* from_counters: the misses' bytes; else 0 */
	const char *file;     /* the loop's source file, or NULL */
	unsigned first_line, last_line;
	double intensity;
	bool rate_known;
	struct ws_roof_place place;
	char *describe; /* ws_roof_describe's words */
};

struct ws_roofline {
	const struct ws_machine *machine;
	struct ws_roof roof;
	const struct ws_machine_peak *peak; /* the compute roof's peak */
	bool all_cores;
	struct ws_roofline_row *rows; /* in the access table's order */
	size_t nrows;
	size_t skipped;	   /* hot loops without FP arithmetic */
	size_t with_calls; /* hot loops that call functions: not placed */
};

/* 0, or -ENOENT when the machine has no double-precision peak. */
int ws_roofline_build(const struct ws_access *a, const struct ws_machine *m, bool all_cores,
		      struct ws_roofline *out);
void ws_roofline_free(struct ws_roofline *r);

struct ws_counter_table;
/* Adds a row per function of c with counted FLOP and last-level misses
 * (both > 0) and self time; returns the rows added (0: the events were
 * not counted). */
size_t ws_roofline_add_counters(struct ws_roofline *r, const struct ws_counter_table *c);

#endif
