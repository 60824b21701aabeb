/* integrate: the course's 1-D midpoint-rule integral of x^1.5 on [0, 1].
 *
 * ENCCS "High Performance Data Analytics in Python", parallel-computing
 * episode (1d_Integration_{serial,multithreading,multiprocessing}.py):
 * N bins, midpoint rule, exact answer 2/5.  The lesson's timings for
 * N = 10^8 are serial 13.63 s, 4 threads 50.17 s (the GIL), 4 processes
 * 3.53 s.  The C variants:
 *
 *   serial    one loop
 *   openmp    `parallel for reduction(+:sum)` (needs OpenMP at build time)
 *   pthreads  N split into THREADS contiguous blocks, partial sums joined
 *   lock      THREADS threads that take ONE shared mutex around every chunk
 *             of LOCK_CHUNK points: the C picture of Python's global
 *             interpreter lock.  Only one thread computes at a time, so it
 *             cannot scale however many threads it is given.
 *   all       every variant above in turn (a quick self-test)
 *
 * Usage: integrate VARIANT [N] [THREADS]
 *   N defaults to 100000000 (1e8 and 1e+08 are accepted); THREADS defaults
 *   to $OMP_NUM_THREADS, else 4.
 *
 * Each variant prints its result, the absolute error against 0.4 and its
 * wall time, and exits 1 when the error exceeds 1e-6 (so a fast wrong answer
 * never passes), 2 on a usage error or when the variant is unavailable.
 *
 * The integrand and the loops are noinline functions with plain names so a
 * profile shows them: integrand, integrate_range, integrate_openmp,
 * pthreads_worker, lock_worker.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define EXAMPLE_NAME "integrate"
#include "example_util.h"

#define EXACT 0.4
#define TOLERANCE 1e-6
#define DEFAULT_N 100000000L
#define LOCK_CHUNK 1000L
#define MAX_THREADS 1024

#define NOINLINE __attribute__((noinline))

/* x^1.5, the course's `x**1.5`.  Written as x * sqrt(x): the same value, and
 * the time stays in this function instead of libm's pow(). */
NOINLINE double
integrand(double x)
{
	return x * sqrt(x);
}

/* Sum of integrand() at the midpoints of bins [first, last) of width h. */
NOINLINE double
integrate_range(long first, long last, double h)
{
	double sum = 0.0;
	for (long i = first; i < last; i++)
		sum += integrand((i + 0.5) * h);
	return sum;
}

/* ---- serial ---- */

NOINLINE double
integrate_serial(long n)
{
	double h = 1.0 / n;
	return integrate_range(0, n, h) * h;
}

/* ---- openmp ---- */

#ifdef _OPENMP
NOINLINE double
integrate_openmp(long n, int threads)
{
	double h = 1.0 / n;
	double sum = 0.0;
#pragma omp parallel for reduction(+ : sum) num_threads(threads) schedule(static)
	for (long i = 0; i < n; i++)
		sum += integrand((i + 0.5) * h);
	return sum * h;
}
#endif

/* ---- pthreads: contiguous blocks, partial sums joined ---- */

struct block {
	pthread_t thread;
	long first, last;
	double h;
	double partial;
	int index;
};

static void
name_thread(const char *prefix, int index)
{
	char name[16];
	snprintf(name, sizeof name, "%s%d", prefix, index);
	pthread_setname_np(pthread_self(), name);
}

NOINLINE void *
pthreads_worker(void *arg)
{
	struct block *b = arg;
	name_thread("integrate-", b->index);
	b->partial = integrate_range(b->first, b->last, b->h);
	return NULL;
}

/* Starts `threads` threads running `worker` on contiguous blocks of [0, n). */
static struct block *
start_blocks(long n, int threads, void *(*worker)(void *))
{
	struct block *blocks = calloc(threads, sizeof *blocks);
	if (!blocks)
		die_errno(errno, "calloc");
	double h = 1.0 / n;
	for (int t = 0; t < threads; t++) {
		blocks[t].first = (long)((__int128)n * t / threads);
		blocks[t].last = (long)((__int128)n * (t + 1) / threads);
		blocks[t].h = h;
		blocks[t].index = t;
		int err = pthread_create(&blocks[t].thread, NULL, worker, &blocks[t]);
		if (err)
			die_errno(err, "pthread_create");
	}
	return blocks;
}

static void
join_blocks(struct block *blocks, int threads)
{
	for (int t = 0; t < threads; t++) {
		int err = pthread_join(blocks[t].thread, NULL);
		if (err)
			die_errno(err, "pthread_join");
	}
}

NOINLINE double
integrate_pthreads(long n, int threads)
{
	struct block *blocks = start_blocks(n, threads, pthreads_worker);
	join_blocks(blocks, threads);
	double sum = 0.0;
	for (int t = 0; t < threads; t++)
		sum += blocks[t].partial;
	double h = blocks[0].h;
	free(blocks);
	return sum * h;
}

/* ---- lock: one global lock around every chunk of work (the GIL) ---- */

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static double global_sum;

NOINLINE void *
lock_worker(void *arg)
{
	struct block *b = arg;
	name_thread("integrate-", b->index);
	for (long first = b->first; first < b->last; first += LOCK_CHUNK) {
		long last = first + LOCK_CHUNK < b->last ? first + LOCK_CHUNK : b->last;
		pthread_mutex_lock(&global_lock);
		global_sum += integrate_range(first, last, b->h);
		pthread_mutex_unlock(&global_lock);
	}
	return NULL;
}

NOINLINE double
integrate_lock(long n, int threads)
{
	global_sum = 0.0;
	struct block *blocks = start_blocks(n, threads, lock_worker);
	join_blocks(blocks, threads);
	double h = blocks[0].h;
	free(blocks);
	return global_sum * h;
}

/* ---- driver ---- */

static const char *const variants[] = {"serial", "openmp", "pthreads", "lock"};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: integrate serial|openmp|pthreads|lock|all [N] [THREADS]\n"
		"  midpoint rule for the integral of x^1.5 on [0,1] (exact 0.4) with N bins\n"
		"  N default %ld; THREADS default $OMP_NUM_THREADS, else 4\n"
		"  exit 0 ok, 1 error above %g, 2 usage error or variant unavailable\n",
		DEFAULT_N, TOLERANCE);
}

/* Runs one variant; returns its exit status. */
static int
run(const char *variant, long n, int threads)
{
	double t0 = now(), result;
	int used = threads;
	if (!strcmp(variant, "serial")) {
		result = integrate_serial(n);
		used = 1;
	} else if (!strcmp(variant, "openmp")) {
#ifdef _OPENMP
		result = integrate_openmp(n, threads);
#else
		fprintf(stderr, "integrate: openmp: unavailable (built without OpenMP)\n");
		return 2;
#endif
	} else if (!strcmp(variant, "pthreads")) {
		result = integrate_pthreads(n, threads);
	} else if (!strcmp(variant, "lock")) {
		result = integrate_lock(n, threads);
	} else {
		fprintf(stderr, "integrate: unknown variant '%s'\n", variant);
		usage(stderr);
		return 2;
	}
	double elapsed = now() - t0;
	double error = fabs(result - EXACT);
	printf("integrate %-8s n=%ld threads=%d result=%.15f error=%.3g time=%.3f s\n", variant, n,
	       used, result, error, elapsed);
	fflush(stdout);
	if (!(error <= TOLERANCE)) {
		fprintf(stderr, "integrate: %s: error %.3g exceeds %g\n", variant, error,
			TOLERANCE);
		return 1;
	}
	return 0;
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
	if (argc > 2 && parse_count(argv[2], 1, 1e15, "N", &n))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, MAX_THREADS, "THREADS", &threads))
		return 2;
	if (threads > n)
		threads = n;

	if (strcmp(argv[1], "all"))
		return run(argv[1], n, (int)threads);
	int status = 0;
	for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
		int s = run(variants[i], n, (int)threads);
		if (s == 2 && !strcmp(variants[i], "openmp"))
			continue; /* unavailable: not a failure of `all` */
		if (s > status)
			status = s;
	}
	return status;
}
