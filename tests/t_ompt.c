/* OpenMP regions with known counts and a known imbalance, for
 * test_ompt.sh: region_a runs A times and region_b B times (from the
 * command line), each with a team of 2; in region_b, thread 1 does three
 * times thread 0's work before an explicit barrier, so thread 0 waits.
 * Prints the results: a run on LLVM's runtime must print the same. */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

NOINLINE uint64_t
spin(long steps, uint64_t x)
{
	for (long k = 0; k < steps; k++)
		x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ULL + (uint64_t)k;
	return x;
}

NOINLINE uint64_t
region_a(long steps)
{
	uint64_t sum = 0;
#pragma omp parallel num_threads(2) reduction(+ : sum)
	sum += spin(steps, (uint64_t)omp_get_thread_num() + 1);
	return sum;
}

NOINLINE uint64_t
region_b(long steps)
{
	uint64_t sum = 0;
#pragma omp parallel num_threads(2) reduction(+ : sum)
	{
		int me = omp_get_thread_num();
		sum += spin(me == 1 ? 3 * steps : steps, (uint64_t)me + 7);
#pragma omp barrier
		sum += (uint64_t)me;
	}
	return sum;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: t_ompt A B STEPS\n");
		return 2;
	}
	long a = atol(argv[1]), b = atol(argv[2]), steps = atol(argv[3]);
	uint64_t sum = 0;
	for (long i = 0; i < a; i++)
		sum += region_a(steps / 2);
	for (long i = 0; i < b; i++)
		sum += region_b(steps);
	printf("t_ompt a=%ld b=%ld sum=%016llx\n", a, b, (unsigned long long)sum);
	return 0;
}
