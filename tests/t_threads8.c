/* Eight worker threads: four created before main does its own work, four
 * after.  Each burns 80 ms of CPU in thread_work; main burns 100 ms in
 * main_work between the two batches, then joins them all.  Every one of
 * the 8 workers must have samples.  T_THREAD_SECONDS and T_MAIN_SECONDS
 * change the 80 ms and 100 ms (test_exit_race.sh makes them tiny). */
#include "t_common.h"

#include <pthread.h>

T_NOINLINE void
thread_work(void)
{
	T_BURN_CPU(t_env_double("T_THREAD_SECONDS", 0.08));
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
main_work(void)
{
	T_BURN_CPU(t_env_double("T_MAIN_SECONDS", 0.1));
	__asm__ volatile("" ::: "memory");
}

static void *
worker(void *arg)
{
	(void)arg;
	thread_work();
	return NULL;
}

int
main(void)
{
	pthread_t th[8];
	for (int i = 0; i < 8; i++) {
		if (i == 4)
			main_work();
		if (pthread_create(&th[i], NULL, worker, NULL) != 0) {
			perror("pthread_create");
			return 99;
		}
	}
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	return 0;
}
