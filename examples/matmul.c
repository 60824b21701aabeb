/* matmul: dense n x n matrix multiply C = A B in four loop orders.
 *
 * ENCCS "High Performance Data Analytics in Python", stack episode: for
 * n = 1000 the lesson quotes pure Python 522.30 s, naive C 1.50 s and
 * numpy.dot / BLAS 0.04 s.  The C variants:
 *
 *   ijk      the textbook triple loop: the inner loop walks down a column
 *            of B (stride 8n bytes), a cache miss per multiply-add
 *   ikj      the k and j loops swapped: the inner loop runs along rows of B
 *            and C (stride 8 bytes)
 *   blocked  ikj on BLOCK x BLOCK tiles so the tiles stay in cache
 *   openmp   ikj with the rows of C shared among OpenMP threads (needs
 *            OpenMP at build time, else it says so and exits 2)
 *   blas     cblas_dgemm from the BLAS configure found (OpenBLAS on Debian:
 *            packed, cache-blocked, SIMD micro-kernels, its own threads);
 *            the course's numpy.dot / "BLAS from C" (needs HAVE_BLAS at
 *            build time, else it says so and exits 2)
 *   all      every variant in turn, each also compared element by element
 *            with ijk's product
 *
 * Usage: matmul VARIANT [N] [THREADS]
 *   N default 1000 (use 100..300 for tests); THREADS (openmp, and blas when
 *   it is OpenBLAS) default $OMP_NUM_THREADS, else 4.
 *
 * A and B hold small integers, so every variant's product is exact whatever
 * its summation order.  Each result is checked exactly with Freivalds' test
 * (C x == A (B x) for an integer vector x, O(n^2)); exit 1 on a mismatch,
 * 2 on usage error or an unavailable variant.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef HAVE_BLAS
#include <cblas.h>
#endif

#define EXAMPLE_NAME "matmul"
#include "example_util.h"

#define NOINLINE __attribute__((noinline))
#define DEFAULT_N 1000L
#define BLOCK 64L
#define MAX_THREADS 1024

NOINLINE void
matmul_ijk(long n, const double *restrict a, const double *restrict b, double *restrict c)
{
	for (long i = 0; i < n; i++)
		for (long j = 0; j < n; j++) {
			double sum = 0.0;
			for (long k = 0; k < n; k++)
				sum += a[i * n + k] * b[k * n + j];
			c[i * n + j] = sum;
		}
}

NOINLINE void
matmul_ikj(long n, const double *restrict a, const double *restrict b, double *restrict c)
{
	memset(c, 0, (size_t)n * n * sizeof *c);
	for (long i = 0; i < n; i++)
		for (long k = 0; k < n; k++) {
			double aik = a[i * n + k];
			for (long j = 0; j < n; j++)
				c[i * n + j] += aik * b[k * n + j];
		}
}

NOINLINE void
matmul_blocked(long n, const double *restrict a, const double *restrict b, double *restrict c)
{
	memset(c, 0, (size_t)n * n * sizeof *c);
	for (long ii = 0; ii < n; ii += BLOCK) {
		long iend = ii + BLOCK < n ? ii + BLOCK : n;
		for (long kk = 0; kk < n; kk += BLOCK) {
			long kend = kk + BLOCK < n ? kk + BLOCK : n;
			for (long jj = 0; jj < n; jj += BLOCK) {
				long jend = jj + BLOCK < n ? jj + BLOCK : n;
				for (long i = ii; i < iend; i++)
					for (long k = kk; k < kend; k++) {
						double aik = a[i * n + k];
						for (long j = jj; j < jend; j++)
							c[i * n + j] += aik * b[k * n + j];
					}
			}
		}
	}
}

#ifdef _OPENMP
static int openmp_threads = 4;

NOINLINE void
matmul_openmp(long n, const double *restrict a, const double *restrict b, double *restrict c)
{
#pragma omp parallel for num_threads(openmp_threads) schedule(static)
	for (long i = 0; i < n; i++) {
		double *ci = c + i * n;
		for (long j = 0; j < n; j++)
			ci[j] = 0.0;
		for (long k = 0; k < n; k++) {
			double aik = a[i * n + k];
			for (long j = 0; j < n; j++)
				ci[j] += aik * b[k * n + j];
		}
	}
}
#endif

#ifdef HAVE_BLAS
static int blas_threads = 4;

/* C = 1.0 A B + 0.0 C, all row-major n x n. */
NOINLINE void
matmul_blas(long n, const double *restrict a, const double *restrict b, double *restrict c)
{
#ifdef OPENBLAS_VERSION
	openblas_set_num_threads(blas_threads);
#endif
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, a,
		    (int)n, b, (int)n, 0.0, c, (int)n);
}
#endif

/* Freivalds: C x == A (B x) for an integer vector x; exact here, since all
 * values are integers far below 2^53. */
NOINLINE int
verify(long n, const double *a, const double *b, const double *c)
{
	double *x = malloc(3 * n * sizeof *x), *bx = x + n, *abx = x + 2 * n;
	if (!x) {
		perror("matmul: malloc");
		exit(2);
	}
	for (long i = 0; i < n; i++)
		x[i] = (double)((i * 5 + 1) % 7) - 3;
	for (long i = 0; i < n; i++) {
		double s = 0.0;
		for (long k = 0; k < n; k++)
			s += b[i * n + k] * x[k];
		bx[i] = s;
	}
	for (long i = 0; i < n; i++) {
		double s = 0.0;
		for (long k = 0; k < n; k++)
			s += a[i * n + k] * bx[k];
		abx[i] = s;
	}
	int ok = 1;
	for (long i = 0; i < n && ok; i++) {
		double s = 0.0;
		for (long j = 0; j < n; j++)
			s += c[i * n + j] * x[j];
		ok = s == abx[i];
	}
	free(x);
	return ok;
}

typedef void kernel_fn(long, const double *restrict, const double *restrict, double *restrict);

#ifdef _OPENMP
#define OPENMP_KERNEL matmul_openmp
#define OPENMP_MISSING NULL
#else
#define OPENMP_KERNEL NULL
#define OPENMP_MISSING "built without OpenMP"
#endif
#ifdef HAVE_BLAS
#define BLAS_KERNEL matmul_blas
#define BLAS_MISSING NULL
#else
#define BLAS_KERNEL NULL
#define BLAS_MISSING "not built: configure found no CBLAS (install libopenblas-dev)"
#endif

static const struct variant {
	const char *name;
	kernel_fn *kernel;   /* NULL: unavailable in this build */
	const char *missing; /* why it is unavailable */
	int threaded;
} variants[] = {
    {"ijk", matmul_ijk, NULL, 0},	    {"ikj", matmul_ikj, NULL, 0},
    {"blocked", matmul_blocked, NULL, 0},   {"openmp", OPENMP_KERNEL, OPENMP_MISSING, 1},
    {"blas", BLAS_KERNEL, BLAS_MISSING, 1},
};
#define NVARIANTS (sizeof variants / sizeof *variants)

static double *
new_matrix(long n)
{
	double *m = malloc((size_t)n * n * sizeof *m);
	if (!m) {
		fprintf(stderr, "matmul: cannot allocate %ld x %ld doubles: %s\n", n, n,
			strerror(errno));
		exit(2);
	}
	return m;
}

/* Runs one variant into c; compares with ref when it is not NULL. */
static int
run(const struct variant *v, long n, int threads, const double *a, const double *b, double *c,
    const double *ref)
{
	if (!v->kernel) {
		fprintf(stderr, "matmul: %s: unavailable (%s)\n", v->name, v->missing);
		return 2;
	}
	double t0 = now();
	v->kernel(n, a, b, c);
	double elapsed = now() - t0;
	double trace = 0.0;
	for (long i = 0; i < n; i++)
		trace += c[i * n + i];
	printf("matmul %-7s n=%ld threads=%d trace=%.0f time=%.3f s gflops=%.2f\n", v->name, n,
	       v->threaded ? threads : 1, trace, elapsed, 2.0 * n * n * n / elapsed / 1e9);
	fflush(stdout);
	if (!verify(n, a, b, c)) {
		fprintf(stderr, "matmul: %s: wrong product (Freivalds check failed)\n", v->name);
		return 1;
	}
	if (ref && memcmp(c, ref, (size_t)n * n * sizeof *c)) {
		fprintf(stderr, "matmul: %s: product differs from ijk's\n", v->name);
		return 1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: matmul ijk|ikj|blocked|openmp|blas|all [N] [THREADS]\n"
		"  C = A B for N x N matrices (default N %ld); THREADS for openmp and\n"
		"  blas: default $OMP_NUM_THREADS, else 4\n"
		"  exit 0 ok, 1 wrong product, 2 usage error or variant unavailable\n",
		DEFAULT_N);
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
	long n = DEFAULT_N, threads = 4;
	threads = default_threads(MAX_THREADS);
	if (argc > 2 && parse_count(argv[2], 1, 100000, "N", &n))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, MAX_THREADS, "THREADS", &threads))
		return 2;
#ifdef _OPENMP
	openmp_threads = (int)threads;
#endif
#ifdef HAVE_BLAS
	blas_threads = (int)threads;
#endif

	int all = !strcmp(argv[1], "all");
	const struct variant *chosen = NULL;
	for (size_t i = 0; i < NVARIANTS; i++)
		if (!strcmp(argv[1], variants[i].name))
			chosen = &variants[i];
	if (!all && !chosen) {
		fprintf(stderr, "matmul: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}

	double *a = new_matrix(n), *b = new_matrix(n), *c = new_matrix(n);
	for (long i = 0; i < n; i++)
		for (long j = 0; j < n; j++) {
			a[i * n + j] = (double)((i * 3 + j * 5) % 9) - 4;
			b[i * n + j] = (double)((i * 7 + j * 2) % 9) - 4;
		}
	int status = 0;
	if (!all) {
		status = run(chosen, n, (int)threads, a, b, c, NULL);
	} else {
		double *ref = new_matrix(n);
		status = run(&variants[0], n, (int)threads, a, b, ref, NULL);
		for (size_t i = 1; i < NVARIANTS; i++) {
			int s = run(&variants[i], n, (int)threads, a, b, c, ref);
			if (s == 2)
				continue; /* unavailable: not a failure of `all` */
			if (s > status)
				status = s;
		}
		free(ref);
	}
	free(a);
	free(b);
	free(c);
	return status;
}
