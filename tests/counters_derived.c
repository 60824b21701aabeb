/* The derived counter metrics (reports/an_counters.c) on known counts:
 * IPC, L1/L2/last-level misses per 1000 instructions, GFLOP/s, vector
 * share, page faults per second and last-level traffic (misses x 64 B per
 * second), each from the events PAPI and the kernel name, and the natives
 * of the --counters groups (Intel FP_ARITH, AMD FLOPs); a metric whose inputs were not counted (or
 * are zero) is absent, never 0; ws_counters_value() sums self over a pattern and refuses an
 * uncounted event; roles by name. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "counter_table.h"

static int failures;

static void
check(bool ok, const char *what)
{
	if (!ok) {
		printf("FAIL: %s\n", what);
		failures++;
	}
}

static void
expect_metric(const struct ws_derived *dv, const char *name, bool have, double want)
{
	for (size_t d = 0; d < WS_NDERIVED; d++) {
		if (strcmp(dv[d].name, name))
			continue;
		char what[200];
		snprintf(what, sizeof what, "%s: have %d value %g, expected have %d value %g", name,
			 dv[d].have, dv[d].value, have, want);
		check(dv[d].have == have &&
			  (!have || fabs(dv[d].value - want) <= 1e-9 * fabs(want)),
		      what);
		return;
	}
	printf("FAIL: no metric %s\n", name);
	failures++;
}

int
main(void)
{
	const char *events[] = {"PAPI_TOT_INS", "PAPI_TOT_CYC",		 "PAPI_L1_DCM",
				"PAPI_L2_TCM",	"perf::LLC-LOAD-MISSES", "PAPI_DP_OPS",
				"PAPI_FP_INS",	"PAPI_VEC_DP",		 "perf::PAGE-FAULTS"};
	enum { N = 9 };
	bool counted[N];
	for (int i = 0; i < N; i++)
		counted[i] = true;
	uint64_t counts[N] = {4000000000ull, 2000000000ull, 80000000ull,  20000000ull, 4000000ull,
			      3000000000ull, 1000000000ull, 250000000ull, 5000ull};
	struct ws_counter_table t = {.events = events, .nevents = N, .counted = counted};
	struct ws_derived dv[WS_NDERIVED];
	ws_counters_derive(&t, counts, 1.5, dv);
	expect_metric(dv, "ipc", true, 2.0);
	expect_metric(dv, "l1_mpki", true, 20.0);
	expect_metric(dv, "l2_mpki", true, 5.0);
	expect_metric(dv, "l3_mpki", true, 1.0);
	expect_metric(dv, "gflops", true, 2.0);
	expect_metric(dv, "vector_share", true, 25.0);
	expect_metric(dv, "page_faults_per_s", true, 5000 / 1.5);
	/* 4e6 last-level misses x 64 B in 1.5 s */
	expect_metric(dv, "llc_traffic_gb_s", true, 4000000.0 * 64 / 1.5 / 1e9);

	/* cycles not counted: no IPC (the other metrics stand) */
	counted[1] = false;
	ws_counters_derive(&t, counts, 1.5, dv);
	expect_metric(dv, "ipc", false, 0);
	expect_metric(dv, "l1_mpki", true, 20.0);
	counted[1] = true;
	/* no instructions in this function: no misses per 1000 instructions */
	counts[0] = 0;
	ws_counters_derive(&t, counts, 1.5, dv);
	expect_metric(dv, "l1_mpki", false, 0);
	expect_metric(dv, "ipc", true, 0.0);
	/* no time: no rates */
	ws_counters_derive(&t, counts, 0.0, dv);
	expect_metric(dv, "gflops", false, 0);
	expect_metric(dv, "page_faults_per_s", false, 0);
	expect_metric(dv, "llc_traffic_gb_s", false, 0);
	/* only perf:: software events: none of the hardware metrics */
	const char *sw[] = {"perf::PAGE-FAULTS", "perf::CONTEXT-SWITCHES"};
	bool swc[] = {true, true};
	uint64_t swn[] = {100, 7};
	struct ws_counter_table s = {.events = sw, .nevents = 2, .counted = swc};
	ws_counters_derive(&s, swn, 2.0, dv);
	expect_metric(dv, "ipc", false, 0);
	expect_metric(dv, "vector_share", false, 0);
	expect_metric(dv, "page_faults_per_s", true, 50.0);
	expect_metric(dv, "llc_traffic_gb_s", false, 0);

	/* Intel's FP_ARITH natives: packed and scalar counted apart, the share
	 * of the two (the --counters vector group's fallback); AMD's FLOPs */
	const char *intel[] = {"FP_ARITH_INST_RETIRED:VECTOR", "FP_ARITH_INST_RETIRED:SCALAR",
			       "RETIRED_SSE_AVX_FLOPS:ANY"};
	bool ic[] = {true, true, true};
	uint64_t in[] = {300, 100, 3000000000ull};
	struct ws_counter_table it = {.events = intel, .nevents = 3, .counted = ic};
	ws_counters_derive(&it, in, 1.5, dv);
	expect_metric(dv, "vector_share", true, 75.0);
	expect_metric(dv, "gflops", true, 2.0);
	const char *skx[] = {WS_FP_ARITH_PACKED, WS_FP_ARITH_SCALAR};
	struct ws_counter_table st = {.events = skx, .nevents = 2, .counted = ic};
	ws_counters_derive(&st, in, 1.5, dv);
	expect_metric(dv, "vector_share", true, 75.0);
	in[0] = in[1] = 0; /* no FP at all: no share, not 0 % */
	ws_counters_derive(&it, in, 1.5, dv);
	expect_metric(dv, "vector_share", false, 0);

	/* per-function values */
	uint64_t self_a[2] = {60, 1}, total_a[2] = {90, 2}, self_b[2] = {30, 5},
		 total_b[2] = {30, 5};
	struct ws_counter_fn fns[2] = {
	    {.function = "touch_a", .module = "m", .self = self_a, .total = total_a},
	    {.function = "touch_b", .module = "m", .self = self_b, .total = total_b}};
	s.fns = fns;
	s.nfns = 2;
	uint64_t v;
	check(ws_counters_value(&s, 0, "touch_*", false, &v) && v == 90,
	      "self over a pattern sums");
	check(ws_counters_value(&s, 0, "touch_*", true, &v) && v == 90,
	      "total over a pattern: the largest");
	check(ws_counters_value(&s, 1, "touch_b", false, &v) && v == 5, "self of one function");
	swc[1] = false;
	check(!ws_counters_value(&s, 1, "touch_b", false, &v), "an uncounted event has no value");
	check(!ws_counters_value(&s, -1, "touch_b", false, &v), "an unknown event has no value");
	check(ws_counters_event(&s, "perf::CONTEXT-SWITCHES") == 1, "event column by name");
	check(ws_counter_role("PAPI_TOT_INS") == WS_ROLE_INS &&
		  ws_counter_role("perf::CYCLES") == WS_ROLE_CYC &&
		  ws_counter_role("amd64_fam19h_zen4::RETIRED_INSTRUCTIONS") == WS_ROLE_NONE,
	      "roles by name");
	if (failures) {
		printf("%d failure(s)\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
