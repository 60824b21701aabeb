/* MPI calls with known counts, sizes and waits, for test_mpi.sh (2 ranks):
 * each rank computes (rank 1 three times as long as rank 0), then
 * MPI_Barrier (rank 0 waits there for rank 1), then rank 0 sends rank 1
 * ROUNDS messages of 1000 doubles (MPI_Send / MPI_Recv) and every rank
 * calls MPI_Allreduce REDUCES times on 4 doubles.  Prints a checksum that
 * a run under whyslow must print too. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 10
#define REDUCES 5
#define NOINLINE __attribute__((noinline))

NOINLINE uint64_t
compute(long steps, uint64_t x)
{
	for (long k = 0; k < steps; k++)
		x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ULL + (uint64_t)k;
	return x;
}

int
main(int argc, char **argv)
{
	MPI_Init(&argc, &argv);
	int rank, size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (size != 2 || argc != 2) {
		if (rank == 0)
			fprintf(stderr, "usage: mpirun -np 2 t_mpi STEPS\n");
		MPI_Finalize();
		return 2;
	}
	long steps = atol(argv[1]);
	uint64_t x = compute(rank == 1 ? 3 * steps : steps, (uint64_t)rank + 1);
	MPI_Barrier(MPI_COMM_WORLD);
	double buf[1000];
	for (int r = 0; r < ROUNDS; r++) {
		if (rank == 0) {
			for (int i = 0; i < 1000; i++)
				buf[i] = r + i;
			MPI_Send(buf, 1000, MPI_DOUBLE, 1, r, MPI_COMM_WORLD);
		} else {
			MPI_Recv(buf, 1000, MPI_DOUBLE, 0, r, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			x += (uint64_t)buf[999];
		}
	}
	double v[4] = {(double)(x & 0xffff), 1, 2, 3}, sum[4];
	for (int r = 0; r < REDUCES; r++)
		MPI_Allreduce(v, sum, 4, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	if (rank == 0)
		printf("t_mpi sum=%.0f %.0f\n", sum[0], sum[3]);
	MPI_Finalize();
	return 0;
}
