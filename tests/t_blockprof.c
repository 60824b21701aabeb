/* Workers that block the sampling signal: one blocks SIGPROF with
 * pthread_sigmask, one with sigprocmask, one blocks every signal with
 * SIG_SETMASK of a full set.  Each then burns 150 ms in its own function;
 * the profiler must still sample all three. */
#include "t_common.h"

#include <pthread.h>
#include <signal.h>

#define BURN 0.15

T_NOINLINE void
burn_pthread_sigmask(void)
{
	T_BURN_CPU(BURN);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
burn_sigprocmask(void)
{
	T_BURN_CPU(BURN);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
burn_all_blocked(void)
{
	T_BURN_CPU(BURN);
	__asm__ volatile("" ::: "memory");
}

static void *
w_pthread_sigmask(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGPROF);
	if (pthread_sigmask(SIG_BLOCK, &s, NULL) != 0)
		return (void *)1;
	burn_pthread_sigmask();
	return NULL;
}

static void *
w_sigprocmask(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGPROF);
	if (sigprocmask(SIG_BLOCK, &s, NULL) != 0)
		return (void *)1;
	burn_sigprocmask();
	return NULL;
}

static void *
w_all_blocked(void *arg)
{
	sigset_t s;
	sigfillset(&s);
	if (pthread_sigmask(SIG_SETMASK, &s, NULL) != 0)
		return (void *)1;
	burn_all_blocked();
	return NULL;
}

int
main(void)
{
	void *(*fn[3])(void *) = {w_pthread_sigmask, w_sigprocmask, w_all_blocked};
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		if (pthread_create(&th[i], NULL, fn[i], NULL) != 0) {
			perror("pthread_create");
			return 99;
		}
	int bad = 0;
	for (int i = 0; i < 3; i++) {
		void *r;
		pthread_join(th[i], &r);
		bad |= r != NULL;
	}
	if (bad) {
		fprintf(stderr, "t_blockprof: a worker could not set its mask\n");
		return 99;
	}
	return 0;
}
