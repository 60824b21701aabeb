/* Counters: one function faults in fresh pages, another only computes.
 *
 *   t_pages PAGES ROUNDS [thread]
 *
 * touch_pages() maps PAGES fresh anonymous pages (no transparent huge
 * pages: one fault per 4 KiB page), writes one byte to each and unmaps
 * them, ROUNDS times: PAGES * ROUNDS minor faults, all in user mode and
 * all in touch_pages.  compute() runs before and after for about as long
 * and faults nothing.  With "thread", touch_pages runs in a thread
 * created after the collector started (it gets its own counter group)
 * while the main thread computes and then joins it.
 * Prints "faults EXPECTED" on stdout. */
#include "t_common.h"

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long pages, rounds;

T_NOINLINE void
compute(double sec)
{
	T_BURN_CPU(sec);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
touch_pages(void)
{
	long page = sysconf(_SC_PAGESIZE);
	for (long r = 0; r < rounds; r++) {
		size_t len = (size_t)(pages * page);
		char *p =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			exit(99);
		}
		madvise(p, len, MADV_NOHUGEPAGE);
		for (long i = 0; i < pages; i++)
			((volatile char *)p)[i * page] = 1;
		munmap(p, len);
	}
	__asm__ volatile("" ::: "memory");
}

static void *
worker(void *arg)
{
	touch_pages();
	return NULL;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: t_pages PAGES ROUNDS [thread]\n");
		return 99;
	}
	pages = atol(argv[1]);
	rounds = atol(argv[2]);
	int threaded = argc > 3 && !strcmp(argv[3], "thread");
	compute(0.2);
	if (threaded) {
		pthread_t th;
		if (pthread_create(&th, NULL, worker, NULL) != 0)
			return 99;
		compute(0.2);
		pthread_join(th, NULL);
	} else {
		touch_pages();
	}
	compute(0.2);
	printf("faults %ld\n", pages * rounds);
	return 0;
}
