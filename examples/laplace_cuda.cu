/* laplace_cuda: Jacobi iterations of the 2-D Laplace 5-point stencil on a GPU.
 *
 * ENCCS "High Performance Data Analytics in Python", GPU-computing episode
 * (lap2d*.py): the 4096 x 4096 float64 grid, a CUDA kernel on a 2-D grid of
 * 16 x 16 blocks with an interior guard, once on host arrays and once with
 * the copies to and from the device written out inside the timed region;
 * 20 calls timed.  The course launches 16 x 16 blocks, which covers only
 * 256 x 256 of the grid; here the block grid covers all of it.  The same
 * grid, boundary and sweeps as laplace.c (laplace.h).  The variants:
 *
 *   copy      every iteration copies the grid to the device, runs one sweep
 *             and copies the new grid back (pageable host memory, as numpy's
 *             arrays): the transfers dominate
 *   resident  the grid goes to the device once, the sweeps swap two device
 *             grids, the result comes back once
 *   all       both in turn
 *
 * Usage: laplace_cuda VARIANT [N] [ITERATIONS]
 *   N default 4096 (use 256 for tests), ITERATIONS default 20.
 *
 * Each grid is checked as laplace.c checks its own (laplace_verify) and
 * compared with the serial grid computed on the CPU, untimed (on a smaller
 * grid when N^2 x ITERATIONS is too large to afford): exit 1 when a check
 * fails or the largest difference exceeds 1e-12, 2 on usage error, on a CUDA
 * error, or when there is no CUDA device ("no CUDA device: ...").
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cuda_runtime.h>

#define EXAMPLE_NAME "laplace_cuda"
#include "example_util.h"
#include "cuda_util.h"
#include "laplace.h"

#define BLOCK 16


/* Plain (unmangled) names, so profiles and GPU traces show them as in the C
 * examples. */
extern "C" {

/* One sweep: a thread per interior point, a 2-D grid of BLOCK x BLOCK
 * blocks covering the whole interior. */
__global__ void
jacobi_sweep_kernel(long n, const double *__restrict__ u, double *__restrict__ unew)
{
	long i = 1 + blockIdx.y * (long)blockDim.y + threadIdx.y;
	long j = 1 + blockIdx.x * (long)blockDim.x + threadIdx.x;
	if (i < n - 1 && j < n - 1)
		unew[i * n + j] = 0.25 * (u[(i - 1) * n + j] + u[(i + 1) * n + j] +
					  u[i * n + j - 1] + u[i * n + j + 1]);
}

static void
launch_sweep(long n, const double *u, double *unew)
{
	dim3 block(BLOCK, BLOCK);
	dim3 grid((unsigned)((n - 2 + BLOCK - 1) / BLOCK), (unsigned)((n - 2 + BLOCK - 1) / BLOCK));
	jacobi_sweep_kernel<<<grid, block>>>(n, u, unew);
}

/* copy: host grids; each iteration copies u in, sweeps, copies unew out. */
NOINLINE void
laplace_copy(struct grids *g, long iterations, double *d_u, double *d_unew)
{
	long n = g->n;
	size_t bytes = (size_t)n * n * sizeof(double);
	double *u = g->buf[0], *unew = g->buf[1];
	/* The kernel never writes the boundary: give d_unew its boundary once. */
	CUDA_CHECK(cudaMemcpy(d_unew, unew, bytes, cudaMemcpyHostToDevice));
	for (long k = 0; k < iterations; k++) {
		CUDA_CHECK(cudaMemcpy(d_u, u, bytes, cudaMemcpyHostToDevice));
		launch_sweep(n, d_u, d_unew);
		CUDA_CHECK(cudaMemcpy(unew, d_unew, bytes, cudaMemcpyDeviceToHost));
		double *t = u;
		u = unew;
		unew = t;
	}
	CUDA_CHECK(cudaGetLastError());
	grids_done(g, iterations);
}

/* resident: copied in once, the device grids swap, the result copied out
 * once (g->prev is left as it was). */
NOINLINE void
laplace_resident(struct grids *g, long iterations, double *d_u, double *d_unew)
{
	long n = g->n;
	size_t bytes = (size_t)n * n * sizeof(double);
	CUDA_CHECK(cudaMemcpy(d_u, g->buf[0], bytes, cudaMemcpyHostToDevice));
	/* d_unew needs the boundary; a copy on the device gives it. */
	CUDA_CHECK(cudaMemcpy(d_unew, d_u, bytes, cudaMemcpyDeviceToDevice));
	for (long k = 0; k < iterations; k++) {
		launch_sweep(n, d_u, d_unew);
		double *t = d_u;
		d_u = d_unew;
		d_unew = t;
	}
	CUDA_CHECK(cudaGetLastError());
	grids_done(g, iterations);
	CUDA_CHECK(cudaMemcpy(g->result, d_u, bytes, cudaMemcpyDeviceToHost));
}

} /* extern "C" */

/* ---- driver ---- */

typedef void variant_fn(struct grids *, long, double *, double *);

static const struct variant {
	const char *name;
	variant_fn *fn;
} variants[] = {
    {"copy", laplace_copy},
    {"resident", laplace_resident},
};
#define NVARIANTS (sizeof variants / sizeof *variants)

/* Runs v on a fresh N x N grid with device grids of its own; returns the
 * wall time (device memory allocation and freeing not included). */
static double
run_on(const struct variant *v, struct grids *g, long n, long iterations)
{
	grids_new(g, n);
	/* Poison the second grid's interior: only the sweeps may fill it. */
	for (long i = 1; i < n - 1; i++)
		for (long j = 1; j < n - 1; j++)
			g->buf[1][i * n + j] = NAN;
	double *d_u, *d_unew;
	size_t bytes = (size_t)n * n * sizeof(double);
	CUDA_CHECK(cudaMalloc(&d_u, bytes));
	CUDA_CHECK(cudaMalloc(&d_unew, bytes));
	CUDA_CHECK(cudaDeviceSynchronize());
	double t0 = now();
	v->fn(g, iterations, d_u, d_unew);
	CUDA_CHECK(cudaDeviceSynchronize());
	double elapsed = now() - t0;
	CUDA_CHECK(cudaFree(d_u));
	CUDA_CHECK(cudaFree(d_unew));
	return elapsed;
}

/* Runs v on an N x N grid and compares it with ref, the serial grid after
 * ref_iterations sweeps: N x N with the same iterations, or a smaller
 * problem (check_size) on which v is rerun, untimed. */
static int
run(const struct variant *v, long n, long iterations, const struct grids *ref, long ref_iterations)
{
	struct grids g;
	double elapsed = run_on(v, &g, n, iterations);
	const char *bad = laplace_verify(n, iterations, g.result);
	double diff;
	int reduced = ref->n != n || ref_iterations != iterations;
	if (!reduced) {
		diff = max_abs_diff(n, g.result, ref->result);
	} else {
		struct grids small;
		run_on(v, &small, ref->n, ref_iterations);
		diff = max_abs_diff(ref->n, small.result, ref->result);
		grids_free(&small);
	}
	printf("laplace_cuda %-8s n=%ld iterations=%ld sum=%.12g maxdiff=%.3g", v->name, n,
	       iterations, interior_sum(n, g.result), diff);
	if (reduced)
		printf(" (checked at n=%ld iterations=%ld)", ref->n, ref_iterations);
	printf(" time=%.3f s per_iteration=%.3f ms\n", elapsed, elapsed / iterations * 1e3);
	fflush(stdout);
	grids_free(&g);
	if (bad) {
		fprintf(stderr, "laplace_cuda: %s: wrong grid: %s\n", v->name, bad);
		return 1;
	}
	if (!(diff <= LAPLACE_TOLERANCE)) {
		fprintf(stderr, "laplace_cuda: %s: differs from serial by %.3g (more than %g)\n",
			v->name, diff, LAPLACE_TOLERANCE);
		return 1;
	}
	return 0;
}

/* Warm-up: one sweep of a 3 x 3 grid loads the kernel, outside the
 * timings (the course drops its first call for the same reason). */
static void
warm_up(void)
{
	double *d;
	CUDA_CHECK(cudaMalloc(&d, 18 * sizeof(double)));
	CUDA_CHECK(cudaMemset(d, 0, 18 * sizeof(double)));
	launch_sweep(3, d, d + 9);
	CUDA_CHECK(cudaGetLastError());
	CUDA_CHECK(cudaDeviceSynchronize());
	CUDA_CHECK(cudaFree(d));
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: laplace_cuda copy|resident|all [N] [ITERATIONS]\n"
		"  Jacobi sweeps of the 5-point Laplace stencil on an N x N grid on the GPU\n"
		"  (default N %ld, %ld iterations), checked against the CPU\n"
		"  exit 0 ok, 1 wrong grid, 2 usage error, CUDA error or no CUDA device\n",
		DEFAULT_N, DEFAULT_ITERATIONS);
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
	long n = DEFAULT_N, iterations = DEFAULT_ITERATIONS;
	if (argc > 2 && parse_count(argv[2], 3, MAX_N, "N", &n))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, MAX_ITERATIONS, "ITERATIONS", &iterations))
		return 2;
	int all = !strcmp(argv[1], "all");
	const struct variant *chosen = NULL;
	for (size_t i = 0; i < NVARIANTS; i++)
		if (!strcmp(argv[1], variants[i].name))
			chosen = &variants[i];
	if (!all && !chosen) {
		fprintf(stderr, "laplace_cuda: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	require_device();
	warm_up();

	/* The serial reference, on the CPU, untimed. */
	long cn, citerations;
	check_size(n, iterations, &cn, &citerations);
	struct grids ref;
	grids_new(&ref, cn);
	laplace_serial(&ref, citerations);

	int status = 0;
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (!all && &variants[i] != chosen)
			continue;
		int s = run(&variants[i], n, iterations, &ref, citerations);
		if (s > status)
			status = s;
	}
	grids_free(&ref);
	return status;
}
