/* Expectations: `--expect 'speedup>=5'`, `--expect 'hot!=walk_slow'`.
 *
 * An expectation is  TERM [/ TERM] OP VALUE,  a TERM being
 * [before.|after.]METRIC[(FUNCTION)] and OP one of == != >= <= > <; the
 * ratio of two numeric terms compares two functions or two runs, e.g.
 * 'before.time(sum_columns) / after.time(sum_rows) >= 3'.  Numeric metrics compare numbers (a unit
 * suffix that matches the metric's unit, '%', 's', 'x' or 'Hz', may
 * follow the value); name metrics compare with == and != only, VALUE being
 * a shell-style pattern (fnmatch).  FUNCTION is a name or a pattern; with
 * a pattern, self() adds the matching functions and total() and time()
 * take the largest.  A function that is not in the profile has 0.
 *
 * The metrics (ws_expect_metrics() lists them with their meaning):
 *   any recording: wall cpu samples threads processes dropped rate
 *                  imbalance busy_imbalance idle omp_imbalance omp_wait
 *                  omp_serial (OMPT data; NAN, a failed check, without it)
 *                  mpi mpi_imbalance (PMPI data, the same) hot hotline self(F) total(F) time(F)
 *                  packed(F) vwidth(F) vector(F) (vector.h's analysis: F
 *                  is a function as compiled, a pattern picks the matching
 *                  one with the most samples)
 *                  count(E,F) share(E,F) derived(M,F) (counter_table.h: event E
 *                  as recorded with -e, or derived metric M such as ipc;
 *                  the first comma separates E or M from F; an event that
 *                  was not counted fails the expectation, never reads 0)
 *                  memory(F) fetched(F) stride(F) intensity(F) (access.h's
 *                  analysis of F's hottest loop)
 *   compare only:  speedup cpu_speedup speedup(F); before.X and after.X
 *                  name either recording's metric X (bare X: after's).
 *
 * Contract: functions over the tables of analysis.h; parse errors and
 * unknown metrics are reported through *why (newly allocated); only
 * ws_expect_run() prints (the failures, on stderr).
 */
#ifndef WHYSLOW_EXPECT_H
#define WHYSLOW_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"

struct ws_vector;
struct ws_counter_table;
struct ws_access;

/* What one recording offers to expectations.  flat holds every function
 * (built with top 0); lines, threads, vector and busy may be NULL when no
 * expectation needs them (ws_expect_needs_*() say); vector holds every
 * function with samples (max_functions 0, min_percent 0). */
struct ws_mpi_report;
struct ws_gpu_report;

struct ws_facts {
	const struct ws_header *header;
	const struct ws_flat *flat;
	const struct ws_lines *lines;
	const struct ws_threads *threads;
	const struct ws_vector *vector;
	const struct ws_busy *busy; /* busy_imbalance, idle */
	const struct ws_mpi_report *mpi; /* mpi, mpi_imbalance; NULL: none */
	const struct ws_gpu_report *gpu; /* gpu_*; NULL: none */
	const struct ws_heapmem *heap; /* leaked, allocs, peak_heap... (heap.h) */
	const struct ws_counter_table *counters; /* count share derived (counter_table.h; all rows) */
	const struct ws_access *access; /* memory(F), fetched(F), stride(F), intensity(F) */
};

enum ws_expect_op { WS_EQ, WS_NE, WS_GE, WS_LE, WS_GT, WS_LT };
enum ws_expect_scope { WS_SCOPE_ONE, WS_SCOPE_BEFORE, WS_SCOPE_AFTER };

struct ws_expect_term {
	enum ws_expect_scope scope;
	int metric;	/* index into the metric table */
	char *function; /* the (F) argument, or NULL */
};

struct ws_expect {
	char *text; /* as given */
	struct ws_expect_term term[2];
	size_t nterms; /* 2: term[0] / term[1] */
	enum ws_expect_op op;
	char *value; /* the right-hand side, unit stripped */
	double number;
};

struct ws_expect_result {
	bool passed;
	char *measured; /* the metric's value as text */
};

/* Parse text; compare: whether compare-only metrics and scopes are
 * allowed.  0, or -1 with *why set. */
int ws_expect_parse(const char *text, bool compare, struct ws_expect *out, char **why);
void ws_expect_free(struct ws_expect *e);

/* Which optional tables evaluating e needs. */
bool ws_expect_needs_lines(const struct ws_expect *e);
bool ws_expect_needs_threads(const struct ws_expect *e);
bool ws_expect_needs_vector(const struct ws_expect *e);
bool ws_expect_needs_busy(const struct ws_expect *e);
bool ws_expect_needs_heap(const struct ws_expect *e);
bool ws_expect_needs_counters(const struct ws_expect *e);
bool ws_expect_needs_access(const struct ws_expect *e);

/* Evaluate against one recording (report) or two (compare: before may be
 * NULL for report). */
void ws_expect_eval(const struct ws_expect *e, const struct ws_facts *before,
		    const struct ws_facts *after, struct ws_expect_result *out);
void ws_expect_result_free(struct ws_expect_result *r);

/* Evaluate e[0..n) into results[0..n), print "whyslow: expectation
 * failed: ..." on stderr for each that fails; the number that failed. */
size_t ws_expect_run(const struct ws_expect *e, size_t n, const struct ws_facts *before,
		     const struct ws_facts *after, struct ws_expect_result *results);

/* Parse the --expect texts; false (with the error printed) on the first
 * that does not parse.  *out is allocated (free with ws_expect_free_all). */
bool ws_expect_parse_all(char *const *texts, size_t n, bool compare, struct ws_expect **out);
void ws_expect_free_all(struct ws_expect *e, struct ws_expect_result *r, size_t n);

/* One line per metric, "name  meaning", indented for --help texts; with
 * compare, the compare-only ones too. */
const char *ws_expect_metrics(bool compare);

#endif
