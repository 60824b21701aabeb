/* A thread started by a library's constructor (libtctor), before the
 * collector's constructor has run, must be sampled like any other: its
 * 0.3 s in ctor_worker, and main's 0.3 s in main_work. */
#include <pthread.h>

#include "t_common.h"

void tctor_join(void);

T_NOINLINE static void
main_work(void)
{
	T_BURN_CPU(0.3);
}

int
main(void)
{
	main_work();
	tctor_join();
	return 0;
}
