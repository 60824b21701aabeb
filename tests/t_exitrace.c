/* Threads ending while the process ends.
 *   t_exitrace THREADS [detached] [slow]
 * THREADS threads each burn 20 ms of CPU in exiting_work, then meet the
 * main thread at a barrier and return at once; the main thread calls
 * exit(0) as soon as it passes the barrier.  So the threads' own ends
 * (whyslow writes a thread's record as it exits) run while the end of the
 * process writes the rest of the profile: every thread's record must be in
 * the file, before END.
 *   detached: the threads are detached, so one that has exited is gone
 *     (its stack unmapped) while the end of the process writes its record.
 *   slow: an exiting thread is held up for 200 ms in the middle of writing
 *     its record (after its samples, before its THREAD record), as a
 *     thread descheduled there on a busy machine would be.  This program
 *     interposes prctl() (exported with -rdynamic), which the collector
 *     calls to read the thread's name; whyslow itself is unchanged.
 * Exit 0. */
#include "t_common.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_barrier_t barrier;
static int slow;
static __thread int returning; /* this thread's start routine has returned */

int prctl(int option, ...);
int
prctl(int option, ...)
{
	va_list ap;
	va_start(ap, option);
	unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long),
		      a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_GET_NAME && slow && returning) {
		struct timespec ts = {0, 200 * 1000000L};
		syscall(SYS_nanosleep, &ts, NULL);
	}
	return (int)syscall(SYS_prctl, option, a2, a3, a4, a5);
}

T_NOINLINE void
exiting_work(void)
{
	T_BURN_CPU(0.02);
	__asm__ volatile("" ::: "memory");
}

static void *
worker(void *arg)
{
	exiting_work();
	pthread_barrier_wait(&barrier);
	returning = 1;
	return NULL;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8, detached = 0;
	for (int i = 2; i < argc; i++) {
		detached |= !strcmp(argv[i], "detached");
		slow |= !strcmp(argv[i], "slow");
	}
	if (n < 1 || n > 1000)
		return 2;
	pthread_barrier_init(&barrier, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, worker, NULL) != 0) {
			perror("pthread_create");
			return 99;
		}
		if (detached)
			pthread_detach(t);
	}
	pthread_barrier_wait(&barrier);
	exit(0);
}
