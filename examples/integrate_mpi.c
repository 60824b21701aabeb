/* integrate_mpi: the course's midpoint-rule integral of x^1.5 on [0, 1],
 * split among MPI ranks.
 *
 * ENCCS "High Performance Data Analytics in Python", parallel-computing
 * episode (1d_Integration_multiprocessing.py): N bins, split into one
 * contiguous block per worker, partial sums joined at the end; exact answer
 * 2/5.  The lesson's timings for N = 10^8: serial 13.63 s, 4 processes
 * 3.53 s.  The same integrand and loop as integrate.c, here with processes
 * that share nothing:
 *
 *   serial  rank 0 integrates all N bins while the other ranks wait for
 *           the result, sleeping between polls so as to leave rank 0 a
 *           core (the baseline, in the same launch)
 *   mpi     each rank integrates its contiguous block of N / RANKS bins,
 *           MPI_Reduce adds the partial sums on rank 0
 *   all     both in turn
 *
 * Usage: mpirun -np RANKS integrate_mpi VARIANT [N]
 *   N defaults to 100000000 (1e8 is accepted).  Run as root, Open MPI
 *   wants --allow-run-as-root; with more ranks than cores, --oversubscribe.
 *   Without mpirun it runs as one rank.
 *
 * Rank 0 prints the result, the absolute error against 0.4 and the wall
 * time from a barrier before the work to the result on rank 0.  Every rank
 * exits 1 when the error exceeds 1e-6, 2 on a usage error.
 *
 * Kernels (noinline, plain names): integrand, integrate_range,
 * integrate_serial, integrate_mpi.
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXAMPLE_NAME "integrate_mpi"
#include "example_util.h"

#define EXACT 0.4
#define TOLERANCE 1e-6
#define DEFAULT_N 100000000L

#define NOINLINE __attribute__((noinline))

/* x^1.5 as x * sqrt(x), as in integrate.c. */
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

/* Waits for a non-blocking operation with a 0.1 ms sleep between tests,
 * so that a rank with nothing to do leaves its core to the ones working
 * (MPI_Wait would poll flat out). */
static void
wait_quietly(MPI_Request *request)
{
	int done = 0;
	const struct timespec pause = {0, 100000};
	for (;;) {
		MPI_Test(request, &done, MPI_STATUS_IGNORE);
		if (done)
			return;
		nanosleep(&pause, NULL);
	}
}

/* Rank 0 does everything; the result reaches every rank by broadcast,
 * which the others wait for quietly. */
NOINLINE double
integrate_serial(long n, int rank)
{
	double h = 1.0 / n, result = 0.0;
	if (rank == 0)
		result = integrate_range(0, n, h) * h;
	MPI_Request request;
	MPI_Ibcast(&result, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD, &request);
	wait_quietly(&request);
	return result;
}

/* Block split: rank r takes bins [n r / size, n (r + 1) / size); the
 * partial sums are added on rank 0 (the others get 0). */
NOINLINE double
integrate_mpi(long n, int rank, int size)
{
	double h = 1.0 / n;
	long first = (long)((__int128)n * rank / size);
	long last = (long)((__int128)n * (rank + 1) / size);
	double partial = integrate_range(first, last, h), sum = 0.0;
	MPI_Reduce(&partial, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
	return sum * h;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: mpirun -np RANKS integrate_mpi serial|mpi|all [N]\n"
		"  midpoint rule for the integral of x^1.5 on [0,1] (exact 0.4) with N bins,\n"
		"  N default %ld, split into one block per rank\n"
		"  exit 0 ok, 1 error above %g, 2 usage error\n",
		DEFAULT_N, TOLERANCE);
}

/* Runs one variant on every rank; returns its exit status (the same on all
 * ranks). */
static int
run(const char *variant, long n, int rank, int size)
{
	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = now(), result;
	int used = size;
	if (!strcmp(variant, "serial")) {
		result = integrate_serial(n, rank);
		used = 1;
	} else {
		result = integrate_mpi(n, rank, size);
	}
	double elapsed = now() - t0;
	int status = 0;
	if (rank == 0) {
		double error = fabs(result - EXACT);
		printf("integrate_mpi %-6s n=%ld ranks=%d result=%.15f error=%.3g time=%.3f s\n",
		       variant, n, used, result, error, elapsed);
		fflush(stdout);
		if (!(error <= TOLERANCE)) {
			fprintf(stderr, "integrate_mpi: %s: error %.3g exceeds %g\n", variant,
				error, TOLERANCE);
			status = 1;
		}
	}
	MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
	return status;
}

int
main(int argc, char **argv)
{
	MPI_Init(&argc, &argv);
	int rank, size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);

	/* Rank 0 checks the arguments and tells the others: one message. */
	int status = 0, help = 0;
	long n = DEFAULT_N;
	if (rank == 0) {
		if (argc < 2 || argc > 3) {
			usage(stderr);
			status = 2;
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			help = 1;
		} else if (strcmp(argv[1], "serial") && strcmp(argv[1], "mpi") &&
			   strcmp(argv[1], "all")) {
			fprintf(stderr, "integrate_mpi: unknown variant '%s'\n", argv[1]);
			usage(stderr);
			status = 2;
		} else if (argc > 2 && parse_count(argv[2], 1, 1e15, "N", &n)) {
			status = 2;
		} else if (n < size) {
			fprintf(stderr, "integrate_mpi: N (%ld) must be at least RANKS (%d)\n", n,
				size);
			status = 2;
		}
	}
	long shared[3] = {status, help, n};
	MPI_Bcast(shared, 3, MPI_LONG, 0, MPI_COMM_WORLD);
	status = (int)shared[0];
	help = (int)shared[1];
	n = shared[2];

	if (status || help) {
		/* nothing to run */
	} else if (strcmp(argv[1], "all")) {
		status = run(argv[1], n, rank, size);
	} else {
		status = run("serial", n, rank, size);
		int s = run("mpi", n, rank, size);
		if (s > status)
			status = s;
	}
	MPI_Finalize();
	return status;
}
