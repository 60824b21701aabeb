/* The roofline's arithmetic (reports/roofline.c) on roofs with known
 * answers: attainable FLOP/s, the ridge point, placing loops (memory- or
 * compute-bound, how far below the roof), bad input, and picking a
 * machine's roof by precision and vector width. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL: %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static bool
near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

int
main(void)
{
	/* 50 GB/s, 200 GFLOP/s: the ridge at 4 FLOP/byte */
	struct ws_roof r = {50e9, 200e9};
	CHECK(near(ws_roof_ridge(&r), 4));
	CHECK(near(ws_roof_attainable(&r, 1), 50e9));
	CHECK(near(ws_roof_attainable(&r, 0.125), 6.25e9));
	CHECK(near(ws_roof_attainable(&r, 4), 200e9));
	CHECK(near(ws_roof_attainable(&r, 100), 200e9));
	CHECK(isnan(ws_roof_attainable(&r, 0)));
	CHECK(isnan(ws_roof_attainable(&r, -1)));
	CHECK(isnan(ws_roof_attainable(&r, NAN)));
	CHECK(isnan(ws_roof_attainable(&r, INFINITY)));
	struct ws_roof bad_bw = {0, 200e9}, bad_peak = {50e9, NAN};
	CHECK(isnan(ws_roof_ridge(&bad_bw)));
	CHECK(isnan(ws_roof_attainable(&bad_peak, 1)));

	/* a stream-like loop: 0.25 FLOP/byte at 5 GFLOP/s */
	struct ws_roof_place p;
	CHECK(ws_roof_place(&r, 0.25, 5e9, &p) == 0);
	CHECK(p.bound == WS_BOUND_MEMORY);
	CHECK(near(p.attainable, 12.5e9));
	CHECK(near(p.fraction, 0.4));
	CHECK(near(p.headroom, 2.5));
	CHECK(near(p.to_ridge, 16));
	CHECK(near(p.ridge, 4));
	char buf[512];
	ws_roof_describe(&p, buf, sizeof buf);
	CHECK(strstr(buf, "memory-bound") && strstr(buf, "40 %") && strstr(buf, "2.5x below") &&
	      strstr(buf, "12.5 GFLOP/s"));

	/* a dense kernel: 10 FLOP/byte at 100 GFLOP/s */
	CHECK(ws_roof_place(&r, 10, 100e9, &p) == 0);
	CHECK(p.bound == WS_BOUND_COMPUTE);
	CHECK(near(p.attainable, 200e9));
	CHECK(near(p.fraction, 0.5));
	CHECK(near(p.headroom, 2));
	CHECK(p.to_ridge == 1);
	ws_roof_describe(&p, buf, sizeof buf);
	CHECK(strstr(buf, "compute-bound") && strstr(buf, "50 %"));

	/* exactly at the ridge: compute-bound (both roofs meet) */
	CHECK(ws_roof_place(&r, 4, 200e9, &p) == 0);
	CHECK(p.bound == WS_BOUND_COMPUTE && near(p.fraction, 1));

	/* achieved unknown: bound and roof, no fraction */
	CHECK(ws_roof_place(&r, 1, NAN, &p) == 0);
	CHECK(p.bound == WS_BOUND_MEMORY && near(p.attainable, 50e9));
	CHECK(isnan(p.fraction) && isnan(p.headroom));
	ws_roof_describe(&p, buf, sizeof buf);
	CHECK(strstr(buf, "unknown") != NULL);

	/* above the roof (data from a cache): fraction > 1 and said so */
	CHECK(ws_roof_place(&r, 1, 75e9, &p) == 0);
	CHECK(near(p.fraction, 1.5));
	ws_roof_describe(&p, buf, sizeof buf);
	CHECK(strstr(buf, "above the measured roof") != NULL);

	/* nothing achieved: infinitely far below */
	CHECK(ws_roof_place(&r, 1, 0, &p) == 0);
	CHECK(p.fraction == 0 && isinf(p.headroom));

	/* bad input leaves out untouched */
	memset(&p, 0x5a, sizeof p);
	struct ws_roof_place before = p;
	CHECK(ws_roof_place(&r, 0, 1e9, &p) == -EINVAL);
	CHECK(ws_roof_place(&r, -2, 1e9, &p) == -EINVAL);
	CHECK(ws_roof_place(&r, NAN, 1e9, &p) == -EINVAL);
	CHECK(ws_roof_place(&r, 1, -1, &p) == -EINVAL);
	CHECK(ws_roof_place(&r, 1, INFINITY, &p) == -EINVAL);
	CHECK(ws_roof_place(&bad_bw, 1, 1e9, &p) == -EINVAL);
	CHECK(ws_roof_place(NULL, 1, 1e9, &p) == -EINVAL);
	CHECK(memcmp(&p, &before, sizeof p) == 0);

	/* a machine's roofs: 20 GB/s on one core, 60 on all; doubles at
	 * 0/128/256/512 bits, singles at 0 and 256 */
	struct ws_machine m;
	memset(&m, 0, sizeof m);
	m.bw_one_core = 20e9;
	m.bw_all_cores = 60e9;
	const struct {
		enum ws_precision prec;
		unsigned bits;
		double one, all;
	} pk[] = {{WS_PREC_DOUBLE, 0, 12e9, 24e9},   {WS_PREC_DOUBLE, 128, 24e9, 48e9},
		  {WS_PREC_DOUBLE, 256, 48e9, 96e9}, {WS_PREC_DOUBLE, 512, 96e9, 192e9},
		  {WS_PREC_SINGLE, 0, 13e9, 26e9},   {WS_PREC_SINGLE, 256, 97e9, 194e9}};
	for (size_t i = 0; i < sizeof pk / sizeof pk[0]; i++) {
		m.peaks[i].precision = pk[i].prec;
		m.peaks[i].vector_bits = pk[i].bits;
		m.peaks[i].one_core = pk[i].one;
		m.peaks[i].all_cores = pk[i].all;
	}
	m.npeaks = sizeof pk / sizeof pk[0];
	CHECK(ws_machine_peak(&m, WS_PREC_DOUBLE, 0)->vector_bits == 0);
	CHECK(ws_machine_peak(&m, WS_PREC_DOUBLE, 256)->vector_bits == 256);
	CHECK(ws_machine_peak(&m, WS_PREC_DOUBLE, 1024)->vector_bits == 512);
	CHECK(ws_machine_peak(&m, WS_PREC_SINGLE, 128)->vector_bits == 0);
	CHECK(ws_machine_peak(&m, WS_PREC_SINGLE, 512)->vector_bits == 256);
	struct ws_roof mr;
	CHECK(ws_machine_roof(&m, WS_PREC_DOUBLE, 256, true, &mr) == 0);
	CHECK(near(mr.bandwidth, 60e9) && near(mr.peak, 96e9));
	CHECK(near(ws_roof_ridge(&mr), 1.6));
	CHECK(ws_machine_roof(&m, WS_PREC_DOUBLE, 0, false, &mr) == 0);
	CHECK(near(mr.bandwidth, 20e9) && near(mr.peak, 12e9));
	m.npeaks = 4; /* doubles only */
	CHECK(ws_machine_roof(&m, WS_PREC_SINGLE, 512, true, &mr) == -ENOENT);
	CHECK(ws_machine_peak(&m, WS_PREC_SINGLE, 512) == NULL);

	if (failures) {
		printf("%d failure(s)\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
