/* chunks: the column means of a large random matrix computed in square
 * chunks, one OpenMP task per chunk, for three chunk sizes.
 *
 * ENCCS "High Performance Data Analytics in Python", dask episode
 * (chunk_np.py, chunk_dask.py): x = random((20000, 20000)) and
 * x.mean(axis=0) with NumPy, then with Dask in 1000 x 1000 chunks, one
 * 20000 x 20000 chunk and 250 x 250 chunks; each Dask task makes its chunk
 * of random numbers and sums it.  The lesson puts Dask's cost per task at
 * 200 us - 1 ms and recommends chunks of 10 MB - 1 GB; an OpenMP task costs
 * about a microsecond, so the C chunks that drown in scheduling overhead
 * are smaller.  The variants:
 *
 *   serial  one loop over the rows, making each element and adding it to
 *           its column's sum (the NumPy calls, without the 3.2 GB array)
 *   tiny    8 x 8 chunks (6.25 million tasks at the default size): each
 *           task's 64 elements cost less than creating, queueing,
 *           dependency-tracking and running the task; the time goes to the
 *           OpenMP runtime (GOMP_task and libgomp's internals)
 *   good    1000 x 1000 chunks (400 tasks): many more tasks than threads,
 *           each long enough to make its overhead negligible
 *   huge    one chunk of the whole matrix: a single task, so one thread
 *           works and the others wait at the barrier
 *   SIZE    a number: SIZE x SIZE chunks
 *   all     serial, tiny, good and huge in turn
 *
 * Usage: chunks VARIANT [N] [THREADS]
 *   an N x N matrix, default 20000 (4 10^8 elements); THREADS default
 *   $OMP_NUM_THREADS, else 4.  The chunked variants need OpenMP at build
 *   time (else they say so and exit 2).
 *
 * Element (i, j) is a uniform number in [0, 1) hashed from i N + j, made
 * where it is used, as Dask's random chunks are.  The tasks of one column
 * block depend on each other (depend(inout) on the block's first sum), so
 * they add into its column sums in creation order, top to bottom, as the
 * serial loop does: the means are bit for bit serial's.  Checked exactly:
 * in `all` every column against serial's; a variant run alone against a
 * serial sum of one column in every d, where d (at most 64) divides the
 * chunk size, so every chunk holds a checked column.  Exit 0 ok, 1 a
 * mismatch, 2 usage error or no OpenMP.
 *
 * Kernels: element, mean_serial, mean_chunked, chunk_sum, check_columns.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define EXAMPLE_NAME "chunks"
#include "example_util.h"

#define NOINLINE __attribute__((noinline))
#define DEFAULT_N 20000L
#define TINY 8L
#define GOOD 1000L
#define MAX_THREADS 1024

/* Element k = i N + j: uniform in [0, 1), a multiply-xorshift hash.
 * Inlined into the loops (it is their work), so the profile shows the
 * loops. */
static inline double
element(uint64_t k)
{
	k *= 0x9e3779b97f4a7c15ULL;
	k ^= k >> 29;
	k *= 0xbf58476d1ce4e5b9ULL;
	return (k >> 11) * 0x1p-53;
}

/* Adds rows [r0, r1) x columns [c0, c1) into sums[c0..c1). */
NOINLINE void
chunk_sum(long n, long r0, long r1, long c0, long c1, double *sums)
{
	for (long i = r0; i < r1; i++)
		for (long j = c0; j < c1; j++)
			sums[j] += element((uint64_t)(i * n + j));
}

/* The NumPy way: one pass over the rows. */
NOINLINE void
mean_serial(long n, double *mean)
{
	for (long j = 0; j < n; j++)
		mean[j] = 0.0;
	chunk_sum(n, 0, n, 0, n, mean);
	for (long j = 0; j < n; j++)
		mean[j] /= n;
}

#ifdef _OPENMP
/* One task per chunk x chunk tile, adding into the column sums of its
 * column block; the tasks of a column block run one at a time, in the
 * order they were created (top to bottom), the column blocks in parallel. */
NOINLINE long
mean_chunked(long n, double *mean, long chunk, int threads)
{
	long tasks = 0;
	for (long j = 0; j < n; j++)
		mean[j] = 0.0;
#pragma omp parallel num_threads(threads)
#pragma omp single
	for (long r0 = 0; r0 < n; r0 += chunk) {
		long r1 = r0 + chunk < n ? r0 + chunk : n;
		for (long c0 = 0; c0 < n; c0 += chunk) {
			long c1 = c0 + chunk < n ? c0 + chunk : n;
			tasks++;
#pragma omp task firstprivate(r0, r1, c0, c1) depend(inout : mean[c0])
			chunk_sum(n, r0, r1, c0, c1, mean);
		}
	}
	/* the barrier at the end of single and parallel waits for the tasks */
	for (long j = 0; j < n; j++)
		mean[j] /= n;
	return tasks;
}
#endif

/* Column j's mean the serial way, for every column j that is a multiple of
 * `every`; the index of the first that differs from mean[], or -1. */
NOINLINE long
check_columns(long n, const double *mean, long every)
{
	for (long j = 0; j < n; j += every) {
		double s = 0.0;
		for (long i = 0; i < n; i++)
			s += element((uint64_t)(i * n + j));
		if (s / n != mean[j])
			return j;
	}
	return -1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: chunks serial|tiny|good|huge|SIZE|all [N] [THREADS]\n"
		"  column means of an N x N random matrix (default N %ld) in SIZE x SIZE\n"
		"  chunks, one OpenMP task each: tiny %ld, good %ld, huge N; THREADS\n"
		"  default $OMP_NUM_THREADS, else 4\n"
		"  exit 0 ok, 1 a mean differs from serial's, 2 usage error or no OpenMP\n",
		DEFAULT_N, TINY, GOOD);
}

/* Runs one variant (chunk 0: serial) into mean; checks it against want,
 * or column by column when want is NULL.  Returns its exit status. */
static int
run(const char *name, long chunk, long n, int threads, double *mean, const double *want)
{
	long tasks = 1;
	int used = 1;
	double t0 = now();
	if (chunk == 0) {
		mean_serial(n, mean);
	} else {
#ifdef _OPENMP
		tasks = mean_chunked(n, mean, chunk, threads);
		used = threads;
#else
		(void)threads;
		fprintf(stderr, "chunks: %s: unavailable (built without OpenMP)\n", name);
		return 2;
#endif
	}
	double elapsed = now() - t0;
	double total = 0.0;
	for (long j = 0; j < n; j++)
		total += mean[j];
	long bad = -1;
	if (want) {
		for (long j = 0; j < n && bad < 0; j++)
			if (mean[j] != want[j])
				bad = j;
	} else if (chunk) {
		long every = chunk < 64 ? chunk : 64;
		while (chunk % every)
			every--;
		bad = check_columns(n, mean, every);
	}
	printf("chunks %-6s n=%ld chunk=%ld tasks=%ld threads=%d mean=%.15f time=%.3f s\n", name, n,
	       chunk ? chunk : n, tasks, used, total / n, elapsed);
	fflush(stdout);
	if (bad >= 0) {
		fprintf(stderr, "chunks: %s: column %ld's mean differs from serial's\n", name, bad);
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
	long n = DEFAULT_N, threads = default_threads(MAX_THREADS);
	if (argc > 2 && parse_count(argv[2], 1, 1e6, "N", &n))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, MAX_THREADS, "THREADS", &threads))
		return 2;

	/* chunk 0 is serial, -1 the whole matrix */
	static const struct {
		const char *name;
		long chunk;
	} named[] = {{"serial", 0}, {"tiny", TINY}, {"good", GOOD}, {"huge", -1}};
	const long count = sizeof named / sizeof *named;
	double *mean = malloc((size_t)n * sizeof *mean), *want = NULL;
	if (!mean)
		die_errno(errno, "malloc");
	int status = 0;
	if (!strcmp(argv[1], "all")) {
		want = malloc((size_t)n * sizeof *want);
		if (!want)
			die_errno(errno, "malloc");
		status = run("serial", 0, n, (int)threads, want, NULL);
		for (long i = 1; i < count; i++) {
			long chunk = named[i].chunk == -1 ? n : named[i].chunk;
			int s = run(named[i].name, chunk, n, (int)threads, mean, want);
			if (s == 2)
				continue; /* unavailable: not a failure of `all` */
			if (s > status)
				status = s;
		}
	} else {
		long chunk = -2;
		const char *name = argv[1];
		for (long i = 0; i < count; i++)
			if (!strcmp(argv[1], named[i].name))
				chunk = named[i].chunk;
		if (chunk == -2) {
			char *end;
			errno = 0;
			long v = strtol(argv[1], &end, 10);
			if (errno || end == argv[1] || *end || v < 1) {
				fprintf(stderr, "chunks: unknown variant '%s'\n", argv[1]);
				usage(stderr);
				free(mean);
				return 2;
			}
			chunk = v;
			name = "size";
		}
		status = run(name, chunk == -1 ? n : chunk, n, (int)threads, mean, NULL);
	}
	free(mean);
	free(want);
	return status;
}
