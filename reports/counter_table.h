/* Counters per function (whyslow report --counters, expectations, and any
 * other report that wants an event's per-function values: --memory's page
 * faults, plots).  The reader side of WS_REC_COUNTERS and
 * WS_REC_THREAD_COUNTERS (profile.h).
 *
 * Attribution: the collector adds, at each sample, the counts since the
 * previous sample to the sampled stack; here a function's "self" count is
 * the sum over the stacks where it is the innermost frame and its "total"
 * the sum over the stacks that hold it (once per stack, as the flat
 * profile counts samples).  Events are matched across processes by name.
 * An event is "counted" when at least one selected thread counted it;
 * threads that could not count it are listed in problems, and an event no
 * thread counted is never shown as a number.
 *
 * Pure functions over a loaded profile; tables own their memory (names
 * are borrowed from the profile and the symboliser).
 */
#ifndef WHYSLOW_COUNTER_TABLE_H
#define WHYSLOW_COUNTER_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

/* Intel (Skylake-SP, Cascade Lake) FP_ARITH_INST_RETIRED as one event of
 * all its packed or all its scalar umasks (later Intel cores name these
 * VECTOR and SCALAR, and refuse the combinations) */
#define WS_FP_ARITH_PACKED                                                                         \
	"FP_ARITH_INST_RETIRED:128B_PACKED_DOUBLE:128B_PACKED_SINGLE:256B_PACKED_DOUBLE:"          \
	"256B_PACKED_SINGLE:512B_PACKED_DOUBLE:512B_PACKED_SINGLE"
#define WS_FP_ARITH_SCALAR "FP_ARITH_INST_RETIRED:SCALAR_DOUBLE:SCALAR_SINGLE"

/* What an event measures, for the derived metrics (by name: PAPI presets,
 * the kernel's generic perf:: events, and the native names the --counters
 * groups offer; other native names have no role). */
enum ws_counter_role {
	WS_ROLE_NONE,
	WS_ROLE_INS,	 /* PAPI_TOT_INS, perf::INSTRUCTIONS */
	WS_ROLE_CYC,	 /* PAPI_TOT_CYC, perf::CYCLES */
	WS_ROLE_L1_DCM,	 /* PAPI_L1_DCM, perf::L1-DCACHE-LOAD-MISSES */
	WS_ROLE_L2_DCM,	 /* PAPI_L2_DCM, PAPI_L2_TCM */
	WS_ROLE_L3_DCM,	 /* PAPI_L3_TCM, PAPI_L3_DCM, perf::LLC-LOAD-MISSES, perf::CACHE-MISSES */
	WS_ROLE_FP_OPS,	 /* PAPI_FP_OPS, PAPI_DP_OPS, PAPI_SP_OPS, AMD RETIRED_SSE_AVX_FLOPS */
	WS_ROLE_FP_INS,	 /* PAPI_FP_INS */
	WS_ROLE_VEC_INS, /* PAPI_VEC_INS, PAPI_VEC_DP, PAPI_VEC_SP, Intel FP_ARITH packed */
	WS_ROLE_PAGE_FAULTS,   /* perf::PAGE-FAULTS, perf::MINOR-FAULTS, perf::MAJOR-FAULTS */
	WS_ROLE_FP_SCALAR_INS, /* scalar FP instructions only: Intel FP_ARITH scalar */
	WS_NROLES
};
enum ws_counter_role ws_counter_role(const char *event);

struct ws_counter_fn {
	const char *function, *module;
	bool inlined;
	uint64_t self_samples;
	double self_seconds; /* self samples over the achieved rate */
	uint64_t *self;	     /* [nevents] */
	uint64_t *total;     /* [nevents] */
};

/* One derived metric of one function (or of the whole run). */
enum { WS_NDERIVED = 8 };
struct ws_derived {
	const char *name;    /* "ipc", "l1_mpki", ... */
	const char *explain; /* one line */
	double value;
	bool have; /* its inputs were counted (else value is 0 and means nothing) */
};
/* The names, units and explanations, in order, whatever was counted. */
extern const struct ws_derived ws_derived_template[WS_NDERIVED];

struct ws_counter_table {
	const char **events; /* [nevents], names as requested */
	size_t nevents;
	bool *counted;	      /* [nevents] at least one selected thread counted it */
	uint64_t *totals;     /* [nevents] the counting threads' totals */
	uint64_t *handler;    /* [nevents] counted inside whyslow's handler */
	uint64_t *attributed; /* [nevents] added to sampled stacks */
	size_t threads, threads_counted;
	bool multiplexed; /* some thread's group was not always on the PMU */
	double seconds_per_sample;
	struct ws_counter_fn *fns;	    /* by self of the first counted event, then samples */
	size_t nfns;			    /* rows kept (top) */
	size_t nfunctions;		    /* before the cut */
	struct ws_derived run[WS_NDERIVED]; /* from the totals and the run's time */
	char **problems;		    /* one line each: events a thread could not count */
	size_t nproblems;
};

/* Build the table; seconds_per_sample converts samples into seconds (one
 * over the header's achieved rate).  top: rows kept (0: all).  Without
 * counters in the recording, nevents is 0. */
void ws_counters_build(const struct wsr_profile *prof, const struct ws_filter *f,
		       struct ws_symbolizer *sym, double seconds_per_sample, size_t top,
		       struct ws_counter_table *out);
void ws_counters_free(struct ws_counter_table *t);

/* The column of event `name` (exact, case-sensitive), or -1. */
int ws_counters_event(const struct ws_counter_table *t, const char *name);
/* The column of the first counted event with this role, or -1. */
int ws_counters_role(const struct ws_counter_table *t, enum ws_counter_role role);
/* The self (or total) count of event column ev in the functions matching
 * pattern (fnmatch; self summed, total the largest); false when the event
 * was not counted. */
bool ws_counters_value(const struct ws_counter_table *t, int ev, const char *pattern, bool total,
		       uint64_t *out);

/* The derived metrics of counts (one per event column) over `seconds`. */
void ws_counters_derive(const struct ws_counter_table *t, const uint64_t *counts, double seconds,
			struct ws_derived out[WS_NDERIVED]);

#endif
