/* A long multi-threaded run for bench/longrun.sh: THREADS threads (default
 * 8) compute for SECONDS seconds (default 600) through a few dozen distinct
 * call paths (recursion to varying depths over three leaf functions), so
 * that the collector sees a realistic, bounded number of distinct stacks
 * while the run gets long.  Prints a checksum so nothing is optimised out. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds = 600;

static double
now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

__attribute__((noinline)) static double
leaf_a(double x)
{
	for (int i = 0; i < 20000; i++)
		x = x * 1.0000001 + 0.5;
	return x;
}

__attribute__((noinline)) static double
leaf_b(double x)
{
	for (int i = 0; i < 40000; i++)
		x = x * 0.9999999 + 0.25;
	return x;
}

__attribute__((noinline)) static double
leaf_c(double x)
{
	for (int i = 0; i < 10000; i++)
		x = x / 1.0000001 + 1.0;
	return x;
}

__attribute__((noinline)) static double
descend(int depth, unsigned pick, double x)
{
	if (depth == 0) {
		switch (pick % 3) {
		case 0: return leaf_a(x);
		case 1: return leaf_b(x);
		default: return leaf_c(x);
		}
	}
	return descend(depth - 1, pick / 3, x) + 1e-9;
}

static void *
worker(void *arg)
{
	unsigned seed = (unsigned)(size_t)arg;
	double x = seed, end = now() + seconds;
	while (now() < end)
		for (int k = 0; k < 64; k++) {
			seed = seed * 1103515245u + 12345u;
			x = descend((int)(seed >> 16) % 8, seed >> 8, x);
		}
	double *r = malloc(sizeof *r);
	*r = x;
	return r;
}

int
main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 8;
	if (argc > 2)
		seconds = atof(argv[2]);
	if (threads < 1 || threads > 256 || seconds <= 0) {
		fprintf(stderr, "usage: longrun [THREADS [SECONDS]]\n");
		return 2;
	}
	pthread_t t[256];
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(size_t)(i + 1));
	double sum = 0;
	for (int i = 0; i < threads; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += *(double *)r;
		free(r);
	}
	printf("longrun threads=%d seconds=%g checksum=%g\n", threads, seconds, sum);
	return 0;
}
