/* Allocation storm for the async-signal-safety check: 4 threads call
 * malloc, calloc, realloc, posix_memalign and free in a tight loop for
 * T_MALLOC_SECONDS (default 0.4) of wall time.  Each thread arms the
 * nomalloc checker (tests/nomalloc_check.c, when it is preloaded) for
 * its loop only, so the checker looks at nothing but what signal
 * handlers do while this thread allocates. */
#include "t_common.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#define NTHREADS 4

static void (*arm)(int);

static void *
worker(void *arg)
{
	long id = (long)arg;
	void *keep[16] = {0};
	double end = t_now(CLOCK_MONOTONIC) + t_env_double("T_MALLOC_SECONDS", 0.4);
	if (arm)
		arm(1);
	for (long n = 0; t_now(CLOCK_MONOTONIC) < end; n++) {
		for (int i = 0; i < 16; i++) {
			size_t sz = (size_t)(8 + ((n * 2654435761u + (unsigned long)i * 40503u + id) % 9000));
			void *p = NULL;
			switch ((n + i) % 4) {
			case 0:
				p = malloc(sz);
				break;
			case 1:
				p = calloc(1, sz);
				break;
			case 2:
				p = realloc(keep[i], sz);
				if (p)
					keep[i] = NULL;
				break;
			case 3:
				if (posix_memalign(&p, 64, sz) != 0)
					p = NULL;
				break;
			}
			if (!p)
				return (void *)1;
			((char *)p)[0] = (char)n;
			free(keep[i]);
			keep[i] = p;
		}
	}
	if (arm)
		arm(0);
	for (int i = 0; i < 16; i++)
		free(keep[i]);
	return NULL;
}

int
main(void)
{
	arm = (void (*)(int))dlsym(RTLD_DEFAULT, "nomalloc_arm");
	pthread_t th[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) {
			perror("pthread_create");
			return 99;
		}
	int bad = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *r;
		pthread_join(th[i], &r);
		bad |= r != NULL;
	}
	return bad;
}
