/* Threads created while other threads fork: two forker threads fork in a
 * loop (the child _exits at once, the parent waits) while main creates
 * NWORKERS (16) workers, 1 ms apart, each burning 20 ms of CPU in
 * churn_work.  All 19 threads (main, 2 forkers, 16 workers) must be
 * profiled. */
#include "t_common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#define NWORKERS 16

static atomic_int stop;

T_NOINLINE void
churn_work(void)
{
	T_BURN_CPU(0.02);
	__asm__ volatile("" ::: "memory");
}

static void *
worker(void *arg)
{
	(void)arg;
	churn_work();
	return NULL;
}

static void *
forker(void *arg)
{
	(void)arg;
	for (int n = 0; n < 400 && !atomic_load(&stop); n++) {
		pid_t pid = fork();
		if (pid < 0)
			return (void *)1;
		if (pid == 0)
			_exit(0);
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "t_forkthreads: child %d: status 0x%x\n", (int)pid, st);
			return (void *)1;
		}
	}
	return NULL;
}

int
main(void)
{
	pthread_t f[2], w[NWORKERS];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&f[i], NULL, forker, NULL) != 0)
			return 99;
	usleep(5000);
	for (int i = 0; i < NWORKERS; i++) {
		if (pthread_create(&w[i], NULL, worker, NULL) != 0)
			return 99;
		usleep(1000);
	}
	for (int i = 0; i < NWORKERS; i++)
		pthread_join(w[i], NULL);
	atomic_store(&stop, 1);
	int bad = 0;
	for (int i = 0; i < 2; i++) {
		void *r;
		pthread_join(f[i], &r);
		bad |= r != NULL;
	}
	return bad;
}
