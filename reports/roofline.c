/* The roofline's arithmetic (see machine.h): pure functions, no I/O. */
#include "config.h"

#include "machine.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static bool
good_roof(const struct ws_roof *r)
{
	return r && isfinite(r->bandwidth) && r->bandwidth > 0 && isfinite(r->peak) && r->peak > 0;
}

double
ws_roof_ridge(const struct ws_roof *r)
{
	return good_roof(r) ? r->peak / r->bandwidth : NAN;
}

double
ws_roof_attainable(const struct ws_roof *r, double intensity)
{
	if (!good_roof(r) || !isfinite(intensity) || intensity <= 0)
		return NAN;
	return fmin(r->peak, intensity * r->bandwidth);
}

int
ws_roof_place(const struct ws_roof *r, double intensity, double achieved, struct ws_roof_place *out)
{
	if (!good_roof(r) || !isfinite(intensity) || intensity <= 0 || isinf(achieved) ||
	    achieved < 0)
		return -EINVAL;
	struct ws_roof_place p;
	p.intensity = intensity;
	p.ridge = ws_roof_ridge(r);
	p.attainable = ws_roof_attainable(r, intensity);
	p.bound = intensity < p.ridge ? WS_BOUND_MEMORY : WS_BOUND_COMPUTE;
	p.to_ridge = p.bound == WS_BOUND_MEMORY ? p.ridge / intensity : 1;
	p.achieved = achieved;
	if (isnan(achieved)) {
		p.fraction = p.headroom = NAN;
	} else {
		p.fraction = achieved / p.attainable;
		p.headroom = achieved > 0 ? p.attainable / achieved : INFINITY;
	}
	*out = p;
	return 0;
}

/* v FLOP/s as "1.23 GFLOP/s" (or M, T) */
static void
rate(char *buf, size_t n, double v)
{
	if (v >= 1e12)
		snprintf(buf, n, "%.3g TFLOP/s", v / 1e12);
	else if (v >= 1e9)
		snprintf(buf, n, "%.3g GFLOP/s", v / 1e9);
	else
		snprintf(buf, n, "%.3g MFLOP/s", v / 1e6);
}

char *
ws_roof_describe(const struct ws_roof_place *p, char *buf, size_t size)
{
	char roof[32], got[32];
	rate(roof, sizeof roof, p->attainable);
	int n;
	if (p->bound == WS_BOUND_MEMORY)
		n = snprintf(buf, size,
			     "memory-bound: %.3g FLOP/byte is below the ridge point (%.3g "
			     "FLOP/byte); its roof is %s",
			     p->intensity, p->ridge, roof);
	else
		n = snprintf(buf, size,
			     "compute-bound: %.3g FLOP/byte is at or above the ridge point (%.3g "
			     "FLOP/byte); its roof is the peak, %s",
			     p->intensity, p->ridge, roof);
	if (n < 0 || (size_t)n >= size)
		return buf;
	if (isnan(p->achieved)) {
		snprintf(buf + n, size - (size_t)n, "; its achieved rate is unknown");
	} else if (p->achieved == 0) {
		snprintf(buf + n, size - (size_t)n, "; it achieves no FLOP/s at all");
	} else {
		rate(got, sizeof got, p->achieved);
		if (p->fraction > 1)
			snprintf(buf + n, size - (size_t)n,
				 " and it achieves %s, %.0f %% of it (above the measured roof: the "
				 "data came from a cache, or the intensity is underestimated)",
				 got, 100 * p->fraction);
		else
			snprintf(buf + n, size - (size_t)n,
				 " and it achieves %s, %.0f %% of it (%.1fx below)", got,
				 100 * p->fraction, p->headroom);
	}
	return buf;
}

const struct ws_machine_peak *
ws_machine_peak(const struct ws_machine *m, enum ws_precision precision, unsigned max_bits)
{
	const struct ws_machine_peak *best = NULL;
	for (size_t i = 0; i < m->npeaks; i++) {
		const struct ws_machine_peak *p = &m->peaks[i];
		if (p->precision != precision || p->vector_bits > max_bits)
			continue;
		if (!best || p->one_core > best->one_core)
			best = p;
	}
	return best;
}

int
ws_machine_roof(const struct ws_machine *m, enum ws_precision precision, unsigned max_bits,
		bool all_cores, struct ws_roof *out)
{
	const struct ws_machine_peak *p = ws_machine_peak(m, precision, max_bits);
	if (!p)
		return -ENOENT;
	struct ws_roof r = {all_cores ? m->bw_all_cores : m->bw_one_core,
			    all_cores ? p->all_cores : p->one_core};
	if (!good_roof(&r))
		return -EINVAL;
	*out = r;
	return 0;
}
