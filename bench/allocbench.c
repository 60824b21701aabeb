/* allocbench: an allocation-heavy program for bench/heap.sh.
 *
 *   allocbench [ITERATIONS [THREADS]]
 *
 * Each thread keeps 4096 live blocks and replaces one at random per
 * iteration (free, then malloc of 16..1040 bytes, first and last bytes
 * written): one malloc and one free per iteration, the pattern of an
 * interpreter or a program of small objects.  Prints a checksum. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static long iterations = 20000000;

static void *
work(void *arg)
{
	uint64_t x = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)arg;
	enum { LIVE = 4096 };
	char **live = calloc(LIVE, sizeof *live);
	uint64_t sum = 0;
	for (long i = 0; i < iterations; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t slot = x % LIVE, n = 16 + (x >> 20) % 1025;
		if (live[slot])
			sum += (unsigned char)live[slot][0];
		free(live[slot]);
		live[slot] = malloc(n);
		live[slot][0] = (char)x;
		live[slot][n - 1] = 1;
	}
	for (size_t i = 0; i < LIVE; i++)
		free(live[i]);
	free(live);
	return (void *)(uintptr_t)sum;
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		iterations = atol(argv[1]);
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	if (iterations < 1 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: allocbench [ITERATIONS [THREADS]]\n");
		return 2;
	}
	pthread_t t[64];
	uint64_t sum = 0;
	for (long i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (int i = 0; i < threads; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (uint64_t)(uintptr_t)r;
	}
	printf("allocbench: %ld iterations x %d threads, checksum %llu\n", iterations, threads,
	       (unsigned long long)sum);
	return 0;
}
