/* stride: sum an n x n row-major matrix along rows or down columns.
 *
 * ENCCS "High Performance Data Analytics in Python", optimization episode
 * (cache effects / memory layout): a C-ordered 10000 x 10000 array summed
 * over axis 0 took 3.89 s and over axis 1 188 ms; "smaller strides are
 * faster".  The C variants visit the same elements in two orders:
 *
 *   rows     for each row, for each column: stride 8 bytes, every byte of
 *            each cache line used, prefetchers happy
 *   columns  for each column, for each row: stride 8n bytes, one double
 *            used per cache line fetched and (for large n) a TLB miss each
 *   all      both in turn
 *
 * Usage: stride VARIANT [N]   (N default 10000: 800 MB of doubles; use
 *   N = 1000 or less for tests)
 *
 * The matrix holds small integers, so both orders give the same sum exactly;
 * each variant compares its sum with the one counted while the matrix was
 * filled and exits 1 on a mismatch, 2 on usage error.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXAMPLE_NAME "stride"
#include "example_util.h"

#define NOINLINE __attribute__((noinline))
#define DEFAULT_N 10000L

/* Fills a[i][j] with small integers; returns their exact sum. */
NOINLINE long
fill_matrix(double *a, long n)
{
	/* v = (7i + 3j) mod 10, stepped without a division per element so
	 * that filling stays cheap next to the traversals being compared */
	long sum = 0;
	for (long i = 0; i < n; i++) {
		long v = (i * 7) % 10;
		for (long j = 0; j < n; j++) {
			a[i * n + j] = (double)v;
			sum += v;
			v += 3;
			if (v >= 10)
				v -= 10;
		}
	}
	return sum;
}

NOINLINE double
sum_rows(const double *a, long n)
{
	double sum = 0.0;
	for (long i = 0; i < n; i++)
		for (long j = 0; j < n; j++)
			sum += a[i * n + j];
	return sum;
}

NOINLINE double
sum_columns(const double *a, long n)
{
	double sum = 0.0;
	for (long j = 0; j < n; j++)
		for (long i = 0; i < n; i++)
			sum += a[i * n + j];
	return sum;
}

static int
run(const char *name, double (*kernel)(const double *, long), const double *a, long n,
    long repeat, long expected)
{
	double t0 = now();
	int status = 0;
	double sum = 0;
	for (long r = 0; r < repeat; r++) {
		sum = kernel(a, n);
		if (sum != (double)expected) {
			fprintf(stderr, "stride: %s: sum %.17g, expected %ld\n", name, sum,
				expected);
			status = 1;
			break;
		}
	}
	double elapsed = now() - t0;
	printf("stride %-7s n=%ld repeat=%ld sum=%.0f expected=%ld time=%.3f s\n", name, n,
	       repeat, sum, expected, elapsed);
	fflush(stdout);
	return status;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: stride rows|columns|all [N [REPEAT]]\n"
		"  sum an N x N row-major matrix of doubles along rows or down columns,\n"
		"  REPEAT times (default 1)\n"
		"  N default %ld (%.0f MB); exit 0 ok, 1 wrong sum, 2 usage error\n",
		DEFAULT_N, DEFAULT_N * DEFAULT_N * 8 / 1e6);
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
	const char *variant = argv[1];
	int rows = !strcmp(variant, "rows"), columns = !strcmp(variant, "columns");
	if (!strcmp(variant, "all"))
		rows = columns = 1;
	if (!rows && !columns) {
		fprintf(stderr, "stride: unknown variant '%s'\n", variant);
		usage(stderr);
		return 2;
	}
	long n = DEFAULT_N;
	if (argc > 2) {
		char *end;
		errno = 0;
		double v = strtod(argv[2], &end);
		if (errno || end == argv[2] || *end || v != floor(v) || v < 1 || v > 1e6) {
			fprintf(stderr,
				"stride: N must be a whole number in [1, 1000000], not '%s'\n",
				argv[2]);
			return 2;
		}
		n = (long)v;
	}
	long repeat = 1;
	if (argc > 3) {
		char *end;
		errno = 0;
		long v = strtol(argv[3], &end, 10);
		if (errno || end == argv[3] || *end || v < 1 || v > 1000000) {
			fprintf(stderr,
				"stride: REPEAT must be a whole number in [1, 1000000], not '%s'\n",
				argv[3]);
			return 2;
		}
		repeat = v;
	}

	double *a = malloc((size_t)n * n * sizeof *a);
	if (!a) {
		fprintf(stderr, "stride: cannot allocate %ld x %ld doubles: %s\n", n, n,
			strerror(errno));
		return 2;
	}
	long expected = fill_matrix(a, n);
	int status = 0;
	if (rows)
		status |= run("rows", sum_rows, a, n, repeat, expected);
	if (columns)
		status |= run("columns", sum_columns, a, n, repeat, expected);
	free(a);
	return status;
}
