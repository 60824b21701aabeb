/* vectorise: the same loops compiled scalar and vectorised (SIMD).
 *
 * ENCCS "High Performance Data Analytics in Python", optimization episode:
 * the neighbour difference of arange(1000) (Python loop 564 us, slice
 * 2.12 us), f(x, y) = x^3 + 4 sin(y) on 10,000 values (Python loop 49.9 ms,
 * np.vectorize 4.84 ms, numba.vectorize 89.2 us; the GPU episode runs it on
 * 10^7), and the static-typing lesson: a Numba loop over a float64[:]
 * array, which may be strided, does not vectorise, float64[::1] does.  In C
 * the vectoriser is the compiler's, and what decides it is the build flags,
 * pointer aliasing and memory layout.  The variants, in pairs:
 *
 *   f-scalar       f(x, y) element by element: mulsd and libm's sin()
 *   f-simd         the same loop built with -march=native and the
 *                  vectoriser on: vmulpd on 4 doubles and libmvec's vector
 *                  sin (_ZGVdN4v_sin, 4 sines per call)
 *   diff-scalar    d[i] = x[i+1] - x[i], built without the vectoriser
 *   diff-simd      the same loop vectorised
 *   copy-alias     dst[i] = a src[i] through pointers that may alias: the
 *                  compiler must keep the scalar order (it is not allowed a
 *                  run-time overlap check here, see vectorise_simd.c)
 *   copy-restrict  the same loop with restrict pointers, same flags:
 *                  vectorised
 *   aos            x += dt vx over an array of 64-byte particle structs:
 *                  every particle's cache line is read and written for the
 *                  16 bytes used
 *   soa            the same update over a struct of arrays: x and vx
 *                  contiguous, every byte fetched is used (both loops are
 *                  vectorised, aos's with shuffles: the memory traffic
 *                  makes the difference)
 *   all            every variant in turn
 *
 * Usage: vectorise VARIANT [N] [REPEAT]
 *   N elements (particles for aos/soa), default 10000 (the course's 10^4;
 *   aos/soa default 10^6 so the structs do not fit in cache).  Each kernel
 *   runs REPEAT times over the same arrays (the course's %timeit loops), by
 *   default enough for about 10^9 elements in all (10^8 for f and for
 *   aos/soa), so a profile has samples.
 *
 * Each result is compared with a plain loop in this file, run untimed:
 * within 1e-12 relative for f (libmvec's sin is within 4 ulp of libm's),
 * 1e-9 for aos/soa (compared with x + REPEAT dt vx in one step: REPEAT
 * roundings apart), else exactly.
 * Exit 0 when it matches, 1 when not, 2 on a usage error.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXAMPLE_NAME "vectorise"
#include "example_util.h"
#include "vectorise.h"

#define NOINLINE __attribute__((noinline))
#define DEFAULT_N 10000L
#define DEFAULT_PARTICLES 1000000L
#define DT 1e-3
#define SCALE 2.5

enum kind { F, DIFF, COPY, MOVE };

static const struct variant {
	const char *name;
	enum kind kind;
	int fast;	  /* the vectorised one of the pair */
	double elements;  /* default REPEAT x N */
	double tolerance; /* relative */
} variants[] = {
    {"f-scalar", F, 0, 1e8, 1e-12},   {"f-simd", F, 1, 1e8, 1e-12},
    {"diff-scalar", DIFF, 0, 1e9, 0}, {"diff-simd", DIFF, 1, 1e9, 0},
    {"copy-alias", COPY, 0, 1e9, 0},  {"copy-restrict", COPY, 1, 1e9, 0},
    {"aos", MOVE, 0, 1e8, 1e-9},      {"soa", MOVE, 1, 1e8, 1e-9},
};
#define NVARIANTS (sizeof variants / sizeof *variants)

/* A reproducible uniform number in [0, 1) for index i (splitmix64). */
static double
uniform(uint64_t i)
{
	uint64_t z = i * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (z >> 11) * 0x1p-53;
}

static double *
new_array(long n)
{
	double *a = malloc((size_t)(n > 0 ? n : 1) * sizeof *a);
	if (!a)
		die_errno(errno, "malloc");
	return a;
}

/* Largest |got - want| / max(1, |want|). */
static double
max_error(long n, const double *got, const double *want)
{
	double worst = 0.0;
	for (long i = 0; i < n; i++) {
		double e = fabs(got[i] - want[i]) / fmax(1.0, fabs(want[i]));
		if (!(e <= worst)) /* NaN too */
			worst = isnan(e) ? INFINITY : e;
	}
	return worst;
}

static double
sum(long n, const double *a)
{
	double s = 0.0;
	for (long i = 0; i < n; i++)
		s += a[i];
	return s;
}

/* Runs one variant; returns its exit status. */
static int
run(const struct variant *v, long n, long repeat)
{
	if (n <= 0)
		n = v->kind == MOVE ? DEFAULT_PARTICLES : DEFAULT_N;
	if (repeat <= 0) {
		double r = ceil(v->elements / n);
		repeat = r < 1 ? 1 : (long)r;
	}
	long m = v->kind == DIFF ? n - 1 : n; /* results */
	double *x = new_array(n), *y = new_array(n), *out = new_array(n), *want = new_array(n);
	struct particle *p = NULL;
	for (long i = 0; i < n; i++) {
		x[i] = 4.0 * uniform(2 * i) - 2.0;	/* [-2, 2) */
		y[i] = 2.0 * M_PI * uniform(2 * i + 1); /* [0, 2 pi) */
	}

	/* The reference, untimed, and the inputs of the timed loop. */
	switch (v->kind) {
	case F:
		for (long i = 0; i < n; i++)
			want[i] = x[i] * x[i] * x[i] + 4.0 * sin(y[i]);
		break;
	case DIFF:
		for (long i = 0; i < n - 1; i++)
			want[i] = x[i + 1] - x[i];
		break;
	case COPY:
		for (long i = 0; i < n; i++)
			want[i] = SCALE * x[i];
		break;
	case MOVE:
		/* x[] positions, y[] velocities; out[] the SoA positions */
		/* REPEAT steps in one: off from the stepwise sum by a few ulps
		 * times REPEAT, far below one step's dt vx */
		for (long i = 0; i < n; i++)
			want[i] = x[i] + (repeat * DT) * y[i];
		if (!v->fast) {
			p = malloc((size_t)n * sizeof *p);
			if (!p)
				die_errno(errno, "malloc");
			for (long i = 0; i < n; i++)
				p[i] = (struct particle){.x = x[i],
							 .y = 0.5 * x[i],
							 .z = -x[i],
							 .vx = y[i],
							 .vy = 1.0,
							 .vz = -1.0,
							 .mass = 1.0,
							 .charge = -1.0};
		} else {
			memcpy(out, x, (size_t)n * sizeof *x);
		}
		break;
	}

	double t0 = now();
	for (long r = 0; r < repeat; r++) {
		switch (v->kind) {
		case F:
			if (v->fast)
				f_simd(n, x, y, out);
			else
				f_scalar(n, x, y, out);
			break;
		case DIFF:
			if (v->fast)
				diff_simd(n, x, out);
			else
				diff_scalar(n, x, out);
			break;
		case COPY:
			if (v->fast)
				copy_restrict(out, x, n, SCALE);
			else
				copy_alias(out, x, n, SCALE);
			break;
		case MOVE:
			if (v->fast)
				move_soa(n, out, y, DT);
			else
				move_aos(n, p, DT);
			break;
		}
	}
	double elapsed = now() - t0;

	if (p) {
		for (long i = 0; i < n; i++)
			out[i] = p[i].x;
		free(p);
	}
	double error = max_error(m, out, want);
	printf("vectorise %-13s n=%ld repeat=%ld sum=%.10g error=%.3g time=%.3f s "
	       "ns/element=%.3f\n",
	       v->name, n, repeat, sum(m, out), error, elapsed,
	       elapsed * 1e9 / ((double)m * repeat));
	fflush(stdout);
	free(x);
	free(y);
	free(out);
	free(want);
	if (!(error <= v->tolerance)) {
		fprintf(stderr, "vectorise: %s: error %.3g exceeds %g\n", v->name, error,
			v->tolerance);
		return 1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: vectorise VARIANT|all [N] [REPEAT]\n"
		"  VARIANT: f-scalar f-simd diff-scalar diff-simd copy-alias copy-restrict aos "
		"soa\n"
		"  N elements, default %ld (aos, soa: %ld particles); each kernel runs REPEAT\n"
		"  times, default about 10^9 elements in all (f, aos, soa: 10^8)\n"
		"  exit 0 ok, 1 result differs from the plain loop's, 2 usage error\n",
		DEFAULT_N, DEFAULT_PARTICLES);
}

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	long n = 0, repeat = 0;
	if (argc > 2 && parse_count(argv[2], 2, 1e10, "N", &n))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, 1e12, "REPEAT", &repeat))
		return 2;

	int all = !strcmp(argv[1], "all"), status = 0, found = 0;
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (!all && strcmp(argv[1], variants[i].name))
			continue;
		found = 1;
		int s = run(&variants[i], n, repeat);
		if (s > status)
			status = s;
	}
	if (!found) {
		fprintf(stderr, "vectorise: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	return status;
}
