/* laplace: Jacobi iterations of the 2-D Laplace 5-point stencil on the CPU.
 *
 * ENCCS "High Performance Data Analytics in Python", GPU-computing episode
 * (lap2d*.py): unew[i,j] = 0.25 (u[i-1,j] + u[i+1,j] + u[i,j-1] + u[i,j+1])
 * on the interior of a 4096 x 4096 float64 grid, one sweep per call, 20 calls
 * timed.  Here a sweep writes the other of two grids and the two swap, a
 * real Jacobi iteration; the boundary is fixed and not zero (laplace.h), so
 * the result is not zero either.  The variants:
 *
 *   serial   one sweep after another (jacobi_sweep): the reference
 *   openmp   the rows of each sweep shared among OpenMP threads
 *            (jacobi_sweep_openmp; needs OpenMP at build time, else it says
 *            so and exits 2)
 *   all      both in turn
 *
 * laplace_cuda runs the same sweeps on a GPU.
 *
 * Usage: laplace VARIANT [N] [ITERATIONS] [THREADS]
 *   N default 4096 (use 256 for tests), ITERATIONS default 20, THREADS
 *   (openmp) default $OMP_NUM_THREADS, else 4.
 *
 * Every grid is checked (laplace_verify: boundary, maximum principle, the
 * heat front after ITERATIONS sweeps), and openmp's is compared with the
 * serial grid, computed untimed when serial did not run first (on a smaller
 * grid when N^2 x ITERATIONS is too large to afford, laplace.h): exit 1 when
 * a check fails or the largest difference exceeds 1e-12, 2 on usage error or
 * an unavailable variant.
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

#define EXAMPLE_NAME "laplace"
#include "example_util.h"
#include "laplace.h"

#define MAX_THREADS 1024

/* ---- openmp ---- */

#ifdef _OPENMP
static int openmp_threads = 4;

NOINLINE void
jacobi_sweep_openmp(long n, const double *restrict u, double *restrict unew)
{
#pragma omp parallel for num_threads(openmp_threads) schedule(static)
	for (long i = 1; i < n - 1; i++)
		for (long j = 1; j < n - 1; j++)
			unew[i * n + j] = 0.25 * (u[(i - 1) * n + j] + u[(i + 1) * n + j] +
						  u[i * n + j - 1] + u[i * n + j + 1]);
}

NOINLINE void
laplace_openmp(struct grids *g, long iterations)
{
	double *u = g->buf[0], *unew = g->buf[1];
	for (long k = 0; k < iterations; k++) {
		jacobi_sweep_openmp(g->n, u, unew);
		double *t = u;
		u = unew;
		unew = t;
	}
	grids_done(g, iterations);
}
#endif

/* ---- driver ---- */

typedef void variant_fn(struct grids *, long);

static const struct variant {
	const char *name;
	variant_fn *fn; /* NULL: unavailable in this build */
} variants[] = {
    {"serial", laplace_serial},
#ifdef _OPENMP
    {"openmp", laplace_openmp},
#else
    {"openmp", NULL},
#endif
};
#define NVARIANTS (sizeof variants / sizeof *variants)

/* The largest difference between the variant's grid and the serial one:
 * ref when given (serial's grids, same size), else the serial grid computed
 * afresh, untimed, at the size check_size() affords -- when that is smaller
 * than the run's, the variant is rerun there too and *cn, *citerations say
 * so. */
static double
compare_with_serial(const struct variant *v, const struct grids *g, long iterations,
		    const struct grids *ref, long *cn, long *citerations)
{
	*cn = g->n;
	*citerations = iterations;
	if (ref)
		return max_abs_diff(g->n, g->result, ref->result);
	check_size(g->n, iterations, cn, citerations);
	struct grids s, t;
	grids_new(&s, *cn);
	laplace_serial(&s, *citerations);
	const struct grids *other = g;
	if (*cn != g->n || *citerations != iterations) {
		grids_new(&t, *cn);
		v->fn(&t, *citerations);
		other = &t;
	}
	double d = max_abs_diff(*cn, other->result, s.result);
	if (other != g)
		grids_free(&t);
	grids_free(&s);
	return d;
}

/* Runs one variant on g; ref (serial's grids) to compare with, or NULL. */
static int
run(const struct variant *v, struct grids *g, long iterations, int threads, const struct grids *ref)
{
	if (!v->fn) {
		fprintf(stderr, "laplace: %s: unavailable (built without OpenMP)\n", v->name);
		return 2;
	}
	long n = g->n;
	double t0 = now();
	v->fn(g, iterations);
	double elapsed = now() - t0;
	int serial = v->fn == laplace_serial;
	const char *bad = laplace_verify(n, iterations, g->result);
	double diff = 0.0;
	long cn = n, citerations = iterations;
	if (!serial)
		diff = compare_with_serial(v, g, iterations, ref, &cn, &citerations);
	printf("laplace %-6s n=%ld iterations=%ld threads=%d sum=%.12g maxdiff=%.3g", v->name, n,
	       iterations, serial ? 1 : threads, interior_sum(n, g->result), diff);
	if (cn != n || citerations != iterations)
		printf(" (checked at n=%ld iterations=%ld)", cn, citerations);
	printf(" time=%.3f s per_iteration=%.3f ms\n", elapsed, elapsed / iterations * 1e3);
	fflush(stdout);
	if (bad) {
		fprintf(stderr, "laplace: %s: wrong grid: %s\n", v->name, bad);
		return 1;
	}
	if (!(diff <= LAPLACE_TOLERANCE)) {
		fprintf(stderr, "laplace: %s: differs from serial by %.3g (more than %g)\n",
			v->name, diff, LAPLACE_TOLERANCE);
		return 1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: laplace serial|openmp|all [N] [ITERATIONS] [THREADS]\n"
		"  Jacobi sweeps of the 5-point Laplace stencil on an N x N grid (default N\n"
		"  %ld, %ld iterations); THREADS for openmp: default $OMP_NUM_THREADS, else 4\n"
		"  exit 0 ok, 1 wrong grid, 2 usage error or variant unavailable\n",
		DEFAULT_N, DEFAULT_ITERATIONS);
}

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 5) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	long n = DEFAULT_N, iterations = DEFAULT_ITERATIONS;
	long threads = default_threads(MAX_THREADS);
	if (argc > 2 && parse_count(argv[2], 3, MAX_N, "N", &n))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, MAX_ITERATIONS, "ITERATIONS", &iterations))
		return 2;
	if (argc > 4 && parse_count(argv[4], 1, MAX_THREADS, "THREADS", &threads))
		return 2;
#ifdef _OPENMP
	openmp_threads = (int)threads;
#endif

	int all = !strcmp(argv[1], "all");
	const struct variant *chosen = NULL;
	for (size_t i = 0; i < NVARIANTS; i++)
		if (!strcmp(argv[1], variants[i].name))
			chosen = &variants[i];
	if (!all && !chosen) {
		fprintf(stderr, "laplace: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (!all) {
		if (!chosen->fn)
			return run(chosen, NULL, iterations, (int)threads, NULL);
		struct grids g;
		grids_new(&g, n);
		int status = run(chosen, &g, iterations, (int)threads, NULL);
		grids_free(&g);
		return status;
	}

	/* all: serial first, its grid the reference for the rest. */
	struct grids ref, g;
	grids_new(&ref, n);
	int status = run(&variants[0], &ref, iterations, (int)threads, NULL);
	for (size_t i = 1; i < NVARIANTS; i++) {
		if (!variants[i].fn) {
			run(&variants[i], NULL, iterations, (int)threads, NULL);
			continue; /* unavailable: not a failure of `all` */
		}
		grids_new(&g, n);
		int s = run(&variants[i], &g, iterations, (int)threads, &ref);
		grids_free(&g);
		if (s > status)
			status = s;
	}
	grids_free(&ref);
	return status;
}
