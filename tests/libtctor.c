/* A library whose constructor starts a thread, as OpenBLAS's starts its
 * thread pool: it runs before the collector's own constructor (test
 * t_ctorthread, test_ctor_thread.sh). */
#include <pthread.h>

#include "t_common.h"

static pthread_t worker;

/* Burns 0.3 s of its own CPU time. */
T_NOINLINE static void *
ctor_worker(void *arg)
{
	(void)arg;
	T_BURN_CPU(0.3);
	return NULL;
}

__attribute__((constructor)) static void
start_worker(void)
{
	if (pthread_create(&worker, NULL, ctor_worker, NULL) != 0)
		abort();
}

void
tctor_join(void)
{
	pthread_join(worker, NULL);
}
