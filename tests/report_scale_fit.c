/* ws_scale_build (reports/an_scale.c) on synthetic runs with a known
 * answer: wall times T(p) = 0.2 + 0.8 / p (Amdahl, serial fraction 0.2),
 * two repeats each with a spread, and two functions, one that keeps its
 * summed time (work) and one whose summed time grows with the count
 * (wait); then the same as weak scaling (Gustafson).  Exit 0 when every
 * figure is right, 1 otherwise. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scale.h"

static int failures;

static void
near(const char *what, double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol)) {
		printf("FAIL: %s = %.6f, expected %.6f\n", what, got, want);
		failures++;
	}
}

int
main(void)
{
	enum { N = 3, R = 2 };
	const int counts[N] = {1, 2, 4};
	struct ws_header h[N * R];
	struct ws_flat fl[N * R];
	struct ws_flat_row rows[N * R][2];
	struct ws_scale_run runs[N * R];
	memset(h, 0, sizeof h);
	memset(fl, 0, sizeof fl);
	memset(rows, 0, sizeof rows);
	for (int i = 0; i < N; i++)
		for (int r = 0; r < R; r++) {
			int k = i * R + r;
			double t = 0.2 + 0.8 / counts[i];
			/* repeats 10 % apart around t: the median is t */
			h[k].wall_seconds = r ? t * 1.05 : t * 0.95;
			h[k].achieved_hz = 1000;
			/* work: 800 samples at every count; wait: 100 * (p - 1) */
			rows[k][0] = (struct ws_flat_row){.function = "work", .self = 800};
			rows[k][1] = (struct ws_flat_row){
			    .function = "wait", .self = (uint64_t)(100 * (counts[i] - 1))};
			fl[k].rows = rows[k];
			fl[k].nrows = 2;
			runs[k] = (struct ws_scale_run){&h[k], &fl[k]};
		}
	struct ws_scale s;
	ws_scale_build(counts, N, R, runs, 0, false, &s);
	if (s.npoints != N || !s.fitted) {
		printf("FAIL: %zu points, fitted %d\n", s.npoints, s.fitted);
		return 1;
	}
	near("median at 1", s.points[0].median, 1.0, 1e-9);
	near("min at 1", s.points[0].min, 0.95, 1e-9);
	near("max at 1", s.points[0].max, 1.05, 1e-9);
	near("speedup at 2", s.points[1].speedup, 1.0 / 0.6, 1e-9);
	near("speedup at 4", s.points[2].speedup, 1.0 / 0.4, 1e-9);
	near("efficiency at 4", s.points[2].efficiency, 0.625, 1e-9);
	near("Karp-Flatt at 2", s.points[1].karp_flatt, 0.2, 1e-9);
	near("Karp-Flatt at 4", s.points[2].karp_flatt, 0.2, 1e-9);
	if (!isnan(s.points[0].karp_flatt))
		printf("FAIL: Karp-Flatt at the baseline is %f, not NaN\n", s.points[0].karp_flatt),
		    failures++;
	near("Amdahl serial fraction", s.serial_fraction, 0.2, 1e-9);
	near("predicted at 4", s.predicted_max, 2.5, 1e-9);
	near("predicted at infinity", s.predicted_inf, 5.0, 1e-9);
	if (s.nfns != 2 || strcmp(s.fns[0].function, "wait")) {
		printf("FAIL: the function with the largest loss is %s, not wait\n",
		       s.nfns ? s.fns[0].function : "(none)");
		failures++;
	} else {
		near("wait's loss", s.fns[0].loss, 0.3, 1e-9);
		near("work's loss", s.fns[1].loss, 0.0, 1e-9);
		near("wait at 2", s.fns[0].seconds[1], 0.1, 1e-9);
		near("total loss", s.total_loss, 0.3, 1e-9);
	}
	ws_scale_free(&s);

	/* Weak scaling: every thread does the same work, T(p) = 1 + 0.1 (p - 1)
	 * (a shared resource slows each added thread): scaled speedup
	 * S = p / T(p), efficiency 1 / T(p); work's summed time grows as p
	 * (no loss), wait's as 100 * (p - 1) samples (all loss). */
	for (int i = 0; i < N; i++)
		for (int r = 0; r < R; r++) {
			int k = i * R + r;
			double t = 1 + 0.1 * (counts[i] - 1);
			h[k].wall_seconds = r ? t * 1.05 : t * 0.95;
			rows[k][0].self = (uint64_t)(800 * counts[i]);
		}
	ws_scale_build(counts, N, R, runs, 0, true, &s);
	if (!s.weak || !s.fitted) {
		printf("FAIL: weak %d, fitted %d\n", s.weak, s.fitted);
		return 1;
	}
	near("weak efficiency at 4", s.points[2].efficiency, 1 / 1.3, 1e-9);
	near("weak scaled speedup at 4", s.points[2].speedup, 4 / 1.3, 1e-9);
	if (!isnan(s.points[1].karp_flatt))
		printf("FAIL: Karp-Flatt is defined for weak scaling\n"), failures++;
	/* Gustafson's f from S(q) = q - f (q - 1), least squares by hand */
	double num = 0, den = 0;
	for (int i = 1; i < N; i++) {
		double q = counts[i], S = q / (1 + 0.1 * (q - 1));
		num += (q - 1) * (q - S);
		den += (q - 1) * (q - 1);
	}
	near("Gustafson serial fraction", s.serial_fraction, num / den, 1e-9);
	near("predicted scaled speedup at 4", s.predicted_max, 4 - num / den * 3, 1e-9);
	if (!isinf(s.predicted_inf))
		printf("FAIL: a weak-scaling limit at infinity\n"), failures++;
	if (s.nfns != 2 || strcmp(s.fns[0].function, "wait")) {
		printf("FAIL: weak: the function with the largest loss is %s, not wait\n",
		       s.nfns ? s.fns[0].function : "(none)");
		failures++;
	} else {
		near("weak: wait's loss", s.fns[0].loss, 0.3, 1e-9);
		near("weak: work's loss", s.fns[1].loss, 0.0, 1e-9);
	}
	ws_scale_free(&s);
	if (failures)
		return 1;
	puts("ok");
	return 0;
}
