/* imbalance: a parallel loop whose iterations cost more and more, shared
 * among OpenMP threads with two schedules.
 *
 * Iteration i of the loop over i in [0, N) calls work(i), an inner loop of
 * i steps: triangular work, N^2 / 2 steps in all.  The variants:
 *
 *   static   `schedule(static)`: each thread gets one contiguous block of
 *            N / THREADS iterations, so the last thread gets the most
 *            expensive ones (on 2 threads: 3/4 of the work, busy 1.5 times
 *            the mean) while the others wait for it at the loop's barrier
 *   dynamic  `schedule(dynamic, 16)`: threads take 16 iterations at a time
 *            as they finish the last ones, so they all work to the end
 *   all      both in turn
 *
 * Usage: imbalance static|dynamic|all [N] [THREADS]
 *   N default 30000 (4.5 10^8 steps); THREADS default $OMP_NUM_THREADS,
 *   else 4.  Needs OpenMP at build time (else it says so and exits 2).
 *
 * Each iteration's result goes to results[i] and into a sum (a
 * reduction).  Checked exactly: the sum equals the serial sum of
 * results[], and every CHECK_EVERY-th result equals work(i) computed again
 * serially (a prime stride, so the checked iterations fall in every chunk
 * and every thread's block; recomputing all of them would double the main
 * thread's work and hide the imbalance).  Exit 0 ok, 1 a mismatch, 2 usage
 * error or no OpenMP.
 *
 * Kernels: work, sum_static, sum_dynamic, check_results.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define EXAMPLE_NAME "imbalance"
#include "example_util.h"

#define NOINLINE __attribute__((noinline))
#define DEFAULT_N 30000L
#define CHUNK 16
#define CHECK_EVERY 61L
#define MAX_THREADS 1024

/* i steps of a multiply-xorshift chain seeded with i: the cost of
 * iteration i grows linearly with i. */
NOINLINE uint64_t
work(long i)
{
	uint64_t x = (uint64_t)i + 1;
	for (long k = 0; k < i; k++) {
		x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ULL + (uint64_t)k;
	}
	return x;
}

#ifdef _OPENMP
NOINLINE uint64_t
sum_static(long n, uint64_t *results, int threads)
{
	uint64_t sum = 0;
#pragma omp parallel for schedule(static) reduction(+ : sum) num_threads(threads)
	for (long i = 0; i < n; i++) {
		results[i] = work(i);
		sum += results[i];
	}
	return sum;
}

NOINLINE uint64_t
sum_dynamic(long n, uint64_t *results, int threads)
{
	uint64_t sum = 0;
#pragma omp parallel for schedule(dynamic, CHUNK) reduction(+ : sum) num_threads(threads)
	for (long i = 0; i < n; i++) {
		results[i] = work(i);
		sum += results[i];
	}
	return sum;
}
#endif

/* The index of the first result that is wrong, -1 when all checked are
 * right; *serial gets the serial sum of results[]. */
NOINLINE long
check_results(long n, const uint64_t *results, uint64_t *serial)
{
	uint64_t s = 0;
	for (long i = 0; i < n; i++)
		s += results[i];
	*serial = s;
	for (long i = 0; i < n; i += CHECK_EVERY)
		if (results[i] != work(i))
			return i;
	return -1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: imbalance static|dynamic|all [N] [THREADS]\n"
		"  a loop over N iterations (default %ld), iteration i costing i steps,\n"
		"  with schedule(static) or schedule(dynamic, %d); THREADS default\n"
		"  $OMP_NUM_THREADS, else 4\n"
		"  exit 0 ok, 1 a result differs from the serial one, 2 usage error or no OpenMP\n",
		DEFAULT_N, CHUNK);
}

/* Runs one variant; returns its exit status. */
static int
run(const char *name, long n, int threads, uint64_t *results)
{
#ifdef _OPENMP
	memset(results, 0, (size_t)n * sizeof *results);
	double t0 = now();
	uint64_t sum =
	    name[0] == 's' ? sum_static(n, results, threads) : sum_dynamic(n, results, threads);
	double elapsed = now() - t0;
	uint64_t serial;
	long bad = check_results(n, results, &serial);
	printf("imbalance %-7s n=%ld threads=%d sum=%016llx time=%.3f s\n", name, n, threads,
	       (unsigned long long)sum, elapsed);
	fflush(stdout);
	if (sum != serial) {
		fprintf(stderr, "imbalance: %s: the sum differs from the serial sum\n", name);
		return 1;
	}
	if (bad >= 0) {
		fprintf(stderr, "imbalance: %s: iteration %ld's result is wrong\n", name, bad);
		return 1;
	}
	return 0;
#else
	(void)n;
	(void)threads;
	(void)results;
	fprintf(stderr, "imbalance: %s: unavailable (built without OpenMP)\n", name);
	return 2;
#endif
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
	int all = !strcmp(argv[1], "all");
	if (!all && strcmp(argv[1], "static") && strcmp(argv[1], "dynamic")) {
		fprintf(stderr, "imbalance: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	long n = DEFAULT_N, threads = default_threads(MAX_THREADS);
	if (argc > 2 && parse_count(argv[2], 1, 1e7, "N", &n))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, MAX_THREADS, "THREADS", &threads))
		return 2;
	uint64_t *results = malloc((size_t)n * sizeof *results);
	if (!results)
		die_errno(errno, "malloc");
	int status;
	if (all) {
		status = run("static", n, (int)threads, results);
		int s = run("dynamic", n, (int)threads, results);
		if (s > status)
			status = s;
	} else {
		status = run(argv[1], n, (int)threads, results);
	}
	free(results);
	return status;
}
