/* report_vector.sh's program: one loop kernel, built several ways by the
 * test (scalar: -O2 -fno-tree-vectorize; vector: -O3 -march=x86-64-v3;
 * with -fsave-optimization-record), so that `whyslow report --vector` has
 * known answers.  The loops' lines are marked for the test to find.
 *
 * Usage: report_vector_kernel kernel|alias|dot [ELEMENTS]
 *   runs that kernel over 4096 doubles until about ELEMENTS (default 3e8)
 *   elements are done; prints a checksum.  Exit 0, 2 on a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 4096
/* no inlining and no specialised clones (GCC's kernel.constprop.0): the
 * functions keep their names */
#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noinline, noclone))
#endif

/* out = a x + y^2: independent elements, vectorises when allowed */
NOINLINE void
kernel(long n, const double *restrict x, const double *restrict y, double *restrict out)
{
	for (long i = 0; i < n; i++)		   /* kernel-loop-first */
		out[i] = 2.5 * x[i] + y[i] * y[i]; /* kernel-loop-last */
}

/* dst and src may overlap: GCC with no run-time alias checks keeps it
 * scalar (its record says "versioning for alias required") */
NOINLINE void
copy_alias(double *dst, const double *src, long n, double a)
{
	for (long i = 0; i < n; i++) /* alias-loop-first */
		dst[i] = a * src[i]; /* alias-loop-last */
}

/* an in-order FP sum: not vectorised without -ffast-math (clang's record
 * says it cannot reorder floating-point operations) */
NOINLINE double
dot(long n, const double *x, const double *y)
{
	double s = 0.0;
	for (long i = 0; i < n; i++) /* dot-loop-first */
		s += x[i] * y[i];    /* dot-loop-last */
	return s;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: report_vector_kernel kernel|alias|dot [ELEMENTS]\n");
		return 2;
	}
	double elements = argc > 2 ? atof(argv[2]) : 3e8;
	long repeat = (long)(elements / N) + 1;
	static double x[N], y[N], out[N];
	for (long i = 0; i < N; i++) {
		x[i] = (double)(i % 17) * 0.25;
		y[i] = (double)(i % 5) - 2.0;
	}
	double sum = 0.0;
	for (long r = 0; r < repeat; r++) {
		if (!strcmp(argv[1], "kernel")) {
			kernel(N, x, y, out);
			sum += out[r % N];
		} else if (!strcmp(argv[1], "alias")) {
			copy_alias(out, x, N, 1.0 + (double)(r & 1));
			sum += out[r % N];
		} else if (!strcmp(argv[1], "dot")) {
			sum += dot(N, x, y);
		} else {
			fprintf(stderr, "report_vector_kernel: unknown kernel '%s'\n", argv[1]);
			return 2;
		}
	}
	printf("%s sum=%.6g\n", argv[1], sum);
	return 0;
}
