/* gpu_elementwise: f(x, y) = x^3 + 4 sin(y) on 10^7 doubles on a GPU, done
 * in ways that cost very different amounts of time for the same answer.
 *
 * ENCCS "High Performance Data Analytics in Python", GPU-computing episode
 * (math_kernel.py): the course's hand-written kernel takes 103 ms on host
 * arrays (the transfers) and 62.3 us on device arrays -- but its launch,
 * 32 blocks of 256 threads and no loop, covers only 8192 of the 10^7
 * elements.  Here every launch covers all of its data (a grid-stride loop
 * over a grid that covers it), and every variant computes f over all N
 * values, CALLS times over:
 *
 *   transfer   each call copies x and y to the device, launches one kernel
 *              over all N and copies the result back: the transfers dominate
 *   resident   x and y are copied to the device once, the CALLS launches
 *              work there, the result is copied back once
 *   tiny       device-resident; each call is N / 1024 launches, each over a
 *              slice of 1024 values: launch overhead dominates
 *   one        device-resident; one launch over all N per call, one
 *              synchronisation at the end: the kernel's own cost (the
 *              baseline for tiny and for the sync pair)
 *   sync-each  device-resident; each call is 100 launches over a hundredth
 *              of the data each, with cudaDeviceSynchronize after every
 *              launch: the CPU waits, then the GPU waits for the next launch
 *   sync-once  the same 100 launches per call, one cudaDeviceSynchronize at
 *              the end: the launches queue up while the GPU works
 *   managed    x, y and the result in unified (managed) memory, written
 *              and read by the CPU on every call: the pages migrate on
 *              demand, a GPU page fault at a time (the Numba/CuPy-style
 *              "it just works" version of transfer)
 *   prefetch   the same managed arrays, moved with cudaMemPrefetchAsync
 *              before the kernel and after it: bulk migrations, no faults
 *   all        every variant in turn
 *
 * Usage: gpu_elementwise VARIANT [N] [CALLS]
 *   N default 10000000, CALLS default 20 (the course times 20 calls).
 *
 * The time of a variant includes the copies it makes (transfer, resident);
 * for the others x and y are on the device before and the result is copied
 * back after the timed region.  The result is poisoned (NaN) before each
 * variant and compared value by value with f computed on the CPU, untimed;
 * exit 1 when any differs by more than 1e-12 (sin differs by an ulp or two
 * between the GPU and libm), 2 on usage error, on a CUDA error, or when
 * there is no CUDA device ("no CUDA device: ...").
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cuda_runtime.h>

#define EXAMPLE_NAME "gpu_elementwise"
#include "example_util.h"
#include "cuda_util.h"

#define NOINLINE __attribute__((noinline))
#define DEFAULT_N 10000000L
#define DEFAULT_CALLS 20L
#define MAX_N 1000000000L
#define MAX_CALLS 1000000L
#define BLOCK 256
#define TINY_SLICE 1024L   /* values per launch in `tiny` */
#define SYNC_LAUNCHES 100L /* launches per call in sync-each and sync-once */
#define TOLERANCE 1e-12


/* The data: device x, y, out and the host copies. */
struct data {
	long n;
	double *x, *y, *out; /* host */
	double *d_x, *d_y, *d_out;
	long launches; /* counted by the variants */
};

/* Plain (unmangled) names, so profiles and GPU traces show them as in the C
 * examples. */
extern "C" {

/* f over out[0..n): a grid-stride loop, so whatever the grid, every value
 * is computed.  x^3 as x * x * x (the course's math.pow(x, 3.0)). */
__global__ void
elementwise_kernel(long n, const double *__restrict__ x, const double *__restrict__ y,
		   double *__restrict__ out)
{
	long stride = (long)gridDim.x * blockDim.x;
	for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += stride)
		out[i] = x[i] * x[i] * x[i] + 4.0 * sin(y[i]);
}

/* The same f on the CPU: the reference. */
NOINLINE void
elementwise_cpu(long n, const double *x, const double *y, double *out)
{
	for (long i = 0; i < n; i++)
		out[i] = x[i] * x[i] * x[i] + 4.0 * sin(y[i]);
}

/* One launch over [first, first + count): enough blocks to cover it. */
static void
launch(struct data *d, long first, long count)
{
	long blocks = (count + BLOCK - 1) / BLOCK;
	if (blocks > 1048576)
		blocks = 1048576; /* the loop covers the rest */
	elementwise_kernel<<<(unsigned)blocks, BLOCK>>>(count, d->d_x + first, d->d_y + first,
							d->d_out + first);
	d->launches++;
}

NOINLINE void
elementwise_transfer(struct data *d, long calls)
{
	size_t bytes = d->n * sizeof(double);
	for (long r = 0; r < calls; r++) {
		CUDA_CHECK(cudaMemcpy(d->d_x, d->x, bytes, cudaMemcpyHostToDevice));
		CUDA_CHECK(cudaMemcpy(d->d_y, d->y, bytes, cudaMemcpyHostToDevice));
		launch(d, 0, d->n);
		CUDA_CHECK(cudaMemcpy(d->out, d->d_out, bytes, cudaMemcpyDeviceToHost));
	}
}

NOINLINE void
elementwise_resident(struct data *d, long calls)
{
	size_t bytes = d->n * sizeof(double);
	CUDA_CHECK(cudaMemcpy(d->d_x, d->x, bytes, cudaMemcpyHostToDevice));
	CUDA_CHECK(cudaMemcpy(d->d_y, d->y, bytes, cudaMemcpyHostToDevice));
	for (long r = 0; r < calls; r++)
		launch(d, 0, d->n);
	CUDA_CHECK(cudaMemcpy(d->out, d->d_out, bytes, cudaMemcpyDeviceToHost));
}

NOINLINE void
elementwise_tiny(struct data *d, long calls)
{
	for (long r = 0; r < calls; r++)
		for (long first = 0; first < d->n; first += TINY_SLICE)
			launch(d, first, d->n - first < TINY_SLICE ? d->n - first : TINY_SLICE);
	CUDA_CHECK(cudaDeviceSynchronize());
}

NOINLINE void
elementwise_one(struct data *d, long calls)
{
	for (long r = 0; r < calls; r++)
		launch(d, 0, d->n);
	CUDA_CHECK(cudaDeviceSynchronize());
}

/* SYNC_LAUNCHES launches per call, over consecutive pieces of the data;
 * with each_sync, cudaDeviceSynchronize after every one. */
static void
hundredths(struct data *d, long calls, int each_sync)
{
	long piece = (d->n + SYNC_LAUNCHES - 1) / SYNC_LAUNCHES;
	for (long r = 0; r < calls; r++)
		for (long first = 0; first < d->n; first += piece) {
			launch(d, first, d->n - first < piece ? d->n - first : piece);
			if (each_sync)
				CUDA_CHECK(cudaDeviceSynchronize());
		}
	CUDA_CHECK(cudaDeviceSynchronize());
}

NOINLINE void
elementwise_sync_each(struct data *d, long calls)
{
	hundredths(d, calls, 1);
}

NOINLINE void
elementwise_sync_once(struct data *d, long calls)
{
	hundredths(d, calls, 0);
}

/* Move a managed range to the device (dev >= 0) or to the host (-1). */
static void
prefetch(const void *p, size_t bytes, int dev)
{
#if CUDART_VERSION >= 13000
	struct cudaMemLocation loc;
	loc.type = dev >= 0 ? cudaMemLocationTypeDevice : cudaMemLocationTypeHost;
	loc.id = dev >= 0 ? dev : 0;
	CUDA_CHECK(cudaMemPrefetchAsync(p, bytes, loc, 0, 0));
#else
	CUDA_CHECK(cudaMemPrefetchAsync(p, bytes, dev >= 0 ? dev : cudaCpuDeviceId, 0));
#endif
}

/* managed / prefetch: the CPU writes x and y into managed arrays, the GPU
 * computes, the CPU reads the result, CALLS times; with move, the arrays
 * are prefetched each way instead of faulting page by page. */
static void
managed_calls(struct data *d, long calls, int move)
{
	size_t bytes = d->n * sizeof(double);
	double *x, *y, *out;
	CUDA_CHECK(cudaMallocManaged(&x, bytes, cudaMemAttachGlobal));
	CUDA_CHECK(cudaMallocManaged(&y, bytes, cudaMemAttachGlobal));
	CUDA_CHECK(cudaMallocManaged(&out, bytes, cudaMemAttachGlobal));
	int dev = 0;
	CUDA_CHECK(cudaGetDevice(&dev));
	long blocks = (d->n + BLOCK - 1) / BLOCK;
	if (blocks > 1048576)
		blocks = 1048576;
	for (long r = 0; r < calls; r++) {
		memcpy(x, d->x, bytes); /* the CPU's step: its pages come home */
		memcpy(y, d->y, bytes);
		if (move) {
			prefetch(x, bytes, dev);
			prefetch(y, bytes, dev);
			prefetch(out, bytes, dev);
		}
		elementwise_kernel<<<(unsigned)blocks, BLOCK>>>(d->n, x, y, out);
		d->launches++;
		if (move)
			prefetch(out, bytes, -1);
		CUDA_CHECK(cudaDeviceSynchronize());
		memcpy(d->out, out, bytes);
	}
	CUDA_CHECK(cudaFree(x));
	CUDA_CHECK(cudaFree(y));
	CUDA_CHECK(cudaFree(out));
}

NOINLINE void
elementwise_managed(struct data *d, long calls)
{
	managed_calls(d, calls, 0);
}

NOINLINE void
elementwise_prefetch(struct data *d, long calls)
{
	managed_calls(d, calls, 1);
}

} /* extern "C" */

/* ---- driver ---- */

typedef void variant_fn(struct data *, long);

static const struct variant {
	const char *name;
	variant_fn *fn;
	int copies; /* the variant copies the data itself */
} variants[] = {
    {"transfer", elementwise_transfer, 1},   /* copies in and out on every call */
    {"resident", elementwise_resident, 1},   /* copies in once, out once */
    {"tiny", elementwise_tiny, 0},	     /* N / TINY_SLICE launches per call */
    {"one", elementwise_one, 0},	     /* one launch per call */
    {"sync-each", elementwise_sync_each, 0}, /* SYNC_LAUNCHES, a sync after each */
    {"sync-once", elementwise_sync_once, 0}, /* SYNC_LAUNCHES, one sync at the end */
    {"managed", elementwise_managed, 1},     /* unified memory, migrated on demand */
    {"prefetch", elementwise_prefetch, 1},   /* unified memory, prefetched */
};
#define NVARIANTS (sizeof variants / sizeof *variants)

/* splitmix64: the same inputs on every run. */
static inline uint64_t
mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double *
host_array(long n)
{
	double *p = (double *)malloc(n * sizeof(double));
	if (!p) {
		fprintf(stderr, EXAMPLE_NAME ": cannot allocate %ld doubles: %s\n", n,
			strerror(errno));
		exit(2);
	}
	return p;
}

static int
run(const struct variant *v, struct data *d, long calls, const double *ref)
{
	size_t bytes = d->n * sizeof(double);
	/* Poison the result on both sides: only the kernels may fill it. */
	for (long i = 0; i < d->n; i++)
		d->out[i] = NAN;
	CUDA_CHECK(cudaMemset(d->d_out, 0xff, bytes)); /* all ones: a NaN */
	if (!v->copies) {
		CUDA_CHECK(cudaMemcpy(d->d_x, d->x, bytes, cudaMemcpyHostToDevice));
		CUDA_CHECK(cudaMemcpy(d->d_y, d->y, bytes, cudaMemcpyHostToDevice));
	}
	CUDA_CHECK(cudaDeviceSynchronize());
	d->launches = 0;
	double t0 = now();
	v->fn(d, calls);
	double elapsed = now() - t0;
	CUDA_CHECK(cudaGetLastError());
	if (!v->copies)
		CUDA_CHECK(cudaMemcpy(d->out, d->d_out, bytes, cudaMemcpyDeviceToHost));

	double sum = 0.0, err = 0.0;
	long worst = 0;
	for (long i = 0; i < d->n; i++) {
		double e = fabs(d->out[i] - ref[i]);
		sum += d->out[i];
		if (!isnan(err) && !(e <= err)) { /* a NaN counts too, and stays */
			err = e;
			worst = i;
		}
	}
	printf("gpu_elementwise %-9s n=%ld calls=%ld launches=%ld sum=%.9f maxerr=%.3g time=%.3f s "
	       "per_call=%.3f ms\n",
	       v->name, d->n, calls, d->launches, sum, err, elapsed, elapsed / calls * 1e3);
	fflush(stdout);
	if (!(err <= TOLERANCE)) {
		fprintf(stderr, "gpu_elementwise: %s: f[%ld] = %.17g, the CPU says %.17g\n",
			v->name, worst, d->out[worst], ref[worst]);
		return 1;
	}
	return 0;
}

/* Warm-up: one tiny launch loads the kernel, outside the timings (the
 * course drops its first call for the same reason). */
static void
warm_up(struct data *d)
{
	launch(d, 0, 1);
	CUDA_CHECK(cudaGetLastError());
	CUDA_CHECK(cudaDeviceSynchronize());
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: gpu_elementwise "
		"transfer|resident|tiny|one|sync-each|sync-once|managed|prefetch|all [N] [CALLS]\n"
		"  f(x, y) = x^3 + 4 sin(y) on N doubles on the GPU, CALLS times (default N %ld,\n"
		"  CALLS %ld), checked against the CPU\n"
		"  exit 0 ok, 1 wrong result, 2 usage error, CUDA error or no CUDA device\n",
		DEFAULT_N, DEFAULT_CALLS);
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
	long n = DEFAULT_N, calls = DEFAULT_CALLS;
	if (argc > 2 && parse_count(argv[2], 1, MAX_N, "N", &n))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, MAX_CALLS, "CALLS", &calls))
		return 2;
	int all = !strcmp(argv[1], "all");
	const struct variant *chosen = NULL;
	for (size_t i = 0; i < NVARIANTS; i++)
		if (!strcmp(argv[1], variants[i].name))
			chosen = &variants[i];
	if (!all && !chosen) {
		fprintf(stderr, "gpu_elementwise: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	require_device();

	struct data d;
	d.n = n;
	d.x = host_array(n);
	d.y = host_array(n);
	d.out = host_array(n);
	double *ref = host_array(n);
	for (long i = 0; i < n; i++) {
		uint64_t r = mix((uint64_t)i);
		d.x[i] = -2.0 + 4.0 * (double)(r >> 11) * 0x1p-53;	  /* [-2, 2) */
		d.y[i] = -10.0 + 20.0 * (double)(mix(r) >> 11) * 0x1p-53; /* [-10, 10) */
	}
	elementwise_cpu(n, d.x, d.y, ref);
	size_t bytes = n * sizeof(double);
	CUDA_CHECK(cudaMalloc(&d.d_x, bytes));
	CUDA_CHECK(cudaMalloc(&d.d_y, bytes));
	CUDA_CHECK(cudaMalloc(&d.d_out, bytes));
	warm_up(&d);

	int status = 0;
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (!all && &variants[i] != chosen)
			continue;
		int s = run(&variants[i], &d, calls, ref);
		if (s > status)
			status = s;
	}
	CUDA_CHECK(cudaFree(d.d_x));
	CUDA_CHECK(cudaFree(d.d_y));
	CUDA_CHECK(cudaFree(d.d_out));
	free(d.x);
	free(d.y);
	free(d.out);
	free(ref);
	return status;
}
