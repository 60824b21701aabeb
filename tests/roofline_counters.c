/* The roofline from counters (reports/an_roofline.c,
 * ws_roofline_add_counters) on known counts: intensity = FLOP / (last-level
 * misses x 64 bytes), achieved = FLOP / self seconds, placed under a known
 * roof (10 GB/s, 50 GFLOP/s: ridge 5 FLOP/byte); functions without misses
 * or FLOP are left out; without a last-level-miss event nothing is added. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "counter_table.h"
#include "roofline_report.h"

static int failures;

static void
near(const char *what, double got, double want)
{
	if (!(fabs(got - want) <= 1e-9 * fabs(want))) {
		printf("FAIL: %s = %g, expected %g\n", what, got, want);
		failures++;
	}
}

int
main(void)
{
	const char *events[] = {"PAPI_DP_OPS", "PAPI_L3_TCM"};
	bool counted[] = {true, true};
	uint64_t k_self[] = {1000000000ull, 1250000ull}; /* 80 MB: 12.5 FLOP/byte */
	uint64_t s_self[] = {100000000ull, 10000000ull}; /* 640 MB: 0.15625 FLOP/byte */
	uint64_t z_self[] = {5000ull, 0ull};		 /* no misses: left out */
	struct ws_counter_fn fns[] = {
	    {.function = "kernel", .self_seconds = 0.5, .self = k_self},
	    {.function = "stream", .self_seconds = 0.1, .self = s_self},
	    {.function = "cached", .self_seconds = 0.2, .self = z_self},
	};
	struct ws_counter_table t = {
	    .events = events, .nevents = 2, .counted = counted, .fns = fns, .nfns = 3};
	struct ws_roofline r = {.roof = {.bandwidth = 10e9, .peak = 50e9}};
	size_t added = ws_roofline_add_counters(&r, &t);
	if (added != 2 || r.nrows != 2) {
		printf("FAIL: %zu rows added, expected 2 (kernel, stream)\n", added);
		return 1;
	}
	const struct ws_roofline_row *k = &r.rows[0], *s = &r.rows[1];
	if (strcmp(k->function, "kernel") || strcmp(s->function, "stream") || !k->from_counters)
		printf("FAIL: rows are %s, %s\n", k->function, s->function), failures++;
	near("kernel intensity", k->intensity, 12.5);
	near("kernel traffic", k->traffic_bytes, 80e6);
	near("kernel achieved", k->place.achieved, 2e9);
	near("kernel roof", k->place.attainable, 50e9);
	near("kernel fraction", k->place.fraction, 0.04);
	if (k->place.bound != WS_BOUND_COMPUTE)
		printf("FAIL: kernel is not compute-bound\n"), failures++;
	near("stream intensity", s->intensity, 0.15625);
	near("stream roof", s->place.attainable, 1.5625e9);
	near("stream achieved", s->place.achieved, 1e9);
	near("stream fraction", s->place.fraction, 0.64);
	if (s->place.bound != WS_BOUND_MEMORY)
		printf("FAIL: stream is not memory-bound\n"), failures++;
	ws_roofline_free(&r);

	/* no last-level-miss event: nothing */
	const char *only_flop[] = {"PAPI_DP_OPS"};
	struct ws_counter_table t2 = {
	    .events = only_flop, .nevents = 1, .counted = counted, .fns = fns, .nfns = 3};
	struct ws_roofline r2 = {.roof = {.bandwidth = 10e9, .peak = 50e9}};
	if (ws_roofline_add_counters(&r2, &t2) != 0 || r2.nrows)
		printf("FAIL: rows without a miss event\n"), failures++;
	ws_roofline_free(&r2);
	if (failures)
		return 1;
	puts("ok");
	return 0;
}
