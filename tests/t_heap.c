/* t_heap: allocations whose counts, sizes, stacks and peak are known, for
 * tests/test_heap.sh (whyslow record --heap-sample 1: every allocation).
 *
 *   t_heap exact   known allocations in named functions, 4 threads freeing
 *                  each other's blocks, a 16 MiB peak, 10 lost blocks;
 *                  prints one line and exits 3
 *   t_heap fork    the parent loses 5 blocks, a child 7
 *
 * A constructor allocates before main (and before the collector's own
 * constructor may have run): start-up must be safe. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static char *early_block;

__attribute__((constructor(101))) static void
early(void)
{
	early_block = malloc(333);
	strcpy(early_block, "early");
	void *p = calloc(3, 7);
	p = realloc(p, 100);
	free(p);
}

/* (not tail calls: the wrapper must stay on the stack) */
NOINLINE void *
t_small(size_t n)
{
	void *p = malloc(n);
	__asm__ volatile("" ::: "memory");
	return p;
}

NOINLINE void *
t_zeroed(size_t k, size_t n)
{
	void *p = calloc(k, n);
	__asm__ volatile("" ::: "memory");
	return p;
}

NOINLINE void
t_grow(void)
{
	char *p = NULL;
	for (int i = 0; i < 100; i++) {
		p = realloc(p, (size_t)(i + 1) * 100);
		p[i] = 1;
	}
	free(p);
	p = reallocarray(NULL, 10, 10);
	free(p);
}

NOINLINE void
t_aligned(void)
{
	void *p[5];
	if (posix_memalign(&p[0], 64, 1000))
		abort();
	p[1] = aligned_alloc(64, 1024);
	p[2] = memalign(4096, 5000);
	p[3] = valloc(3000);
	p[4] = pvalloc(3000);
	for (int i = 0; i < 5; i++) {
		if (!p[i] || ((size_t)p[i] & 63))
			abort();
		free(p[i]);
	}
}

NOINLINE void
t_peak(void)
{
	void *b[64];
	for (int i = 0; i < 64; i++) {
		b[i] = malloc(256 * 1024);
		memset(b[i], i, 256 * 1024);
	}
	for (int i = 0; i < 64; i++)
		free(b[i]);
}

NOINLINE void
t_leaky(void)
{
	for (int i = 0; i < 10; i++) {
		volatile char *p = malloc(1000);
		p[0] = 1;
	}
}

/* Threads: each allocates 1000 blocks, then frees its neighbour's. */
enum { NT = 4, NB = 1000 };
static void *blocks[NT][NB];
static pthread_barrier_t barrier;

NOINLINE void
t_cross_alloc(int me)
{
	for (int i = 0; i < NB; i++)
		blocks[me][i] = malloc(128);
}

NOINLINE void
t_cross_free(int other)
{
	for (int i = 0; i < NB; i++)
		free(blocks[other][i]);
}

static void *
cross(void *arg)
{
	int me = (int)(long)arg;
	t_cross_alloc(me);
	pthread_barrier_wait(&barrier);
	t_cross_free((me + 1) % NT);
	return NULL;
}

NOINLINE void
t_parent_alloc(void)
{
	for (int i = 0; i < 5; i++) {
		volatile char *p = malloc(500);
		p[0] = 1;
	}
}

NOINLINE void
t_child_leak(void)
{
	for (int i = 0; i < 7; i++) {
		volatile char *p = malloc(2000);
		p[0] = 1;
	}
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "fork")) {
		t_parent_alloc();
		pid_t pid = fork();
		if (pid == 0) {
			t_child_leak();
			exit(0);
		}
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return 1;
		printf("t_heap fork done\n");
		return 0;
	}
	if (strcmp(early_block, "early"))
		return 1;
	for (int i = 0; i < 1000; i++)
		free(t_small(64));
	for (int i = 0; i < 500; i++)
		free(t_zeroed(10, 10));
	t_grow();
	t_aligned();
	t_peak();
	t_leaky();
	pthread_barrier_init(&barrier, NULL, NT);
	pthread_t t[NT];
	for (long i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, cross, (void *)i);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	printf("t_heap done\n");
	return 3;
}
