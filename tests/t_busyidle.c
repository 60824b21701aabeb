/* Three threads with known busy and idle time, for report --threads:
 *   halfsleeper  T_ROUNDS (8) rounds of 40 ms computing (compute: spins
 *                until 40 ms have elapsed) and a 40 ms nanosleep: busy
 *                about half of its life, idle (blocked) the other half
 *   waiter       blocked in pthread_cond_wait until halfsleeper is done
 *   main         blocked in pthread_join on both
 * No OpenMP: nothing is in a parallel runtime.
 *
 *   t_busyidle [TRUTHFILE]   writes "idle halfsleeper 49.6" (the % of its
 *   lifetime it slept) and "info NAME_tid TID" for the three threads */
#include "t_common.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int done;
static double slept_percent;
static int half_tid, waiter_tid;

T_NOINLINE void
compute(double seconds)
{
	double end = t_now(CLOCK_MONOTONIC) + seconds;
	while (t_now(CLOCK_MONOTONIC) < end)
		T_SPIN(20000);
	__asm__ volatile("" ::: "memory");
}

static void *
halfsleeper(void *arg)
{
	(void)arg;
	half_tid = (int)gettid();
	double w0 = t_now(CLOCK_MONOTONIC), slept = 0;
	int rounds = (int)t_env_double("T_ROUNDS", 8);
	for (int i = 0; i < rounds; i++) {
		compute(0.04);
		double a = t_now(CLOCK_MONOTONIC);
		struct timespec ts = {0, 40 * 1000 * 1000};
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		slept += t_now(CLOCK_MONOTONIC) - a;
	}
	slept_percent = 100 * slept / (t_now(CLOCK_MONOTONIC) - w0);
	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_signal(&done_cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void *
waiter(void *arg)
{
	(void)arg;
	waiter_tid = (int)gettid();
	pthread_mutex_lock(&lock);
	while (!done)
		pthread_cond_wait(&done_cond, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t h, w;
	if (pthread_create(&w, NULL, waiter, NULL) != 0 ||
	    pthread_create(&h, NULL, halfsleeper, NULL) != 0)
		return 99;
	pthread_join(h, NULL);
	pthread_join(w, NULL);
	FILE *out = argc > 1 ? fopen(argv[1], "w") : stdout;
	if (!out) {
		perror(argv[1]);
		return 99;
	}
	fprintf(out,
		"idle halfsleeper %.2f\ninfo halfsleeper_tid %d\ninfo waiter_tid %d\n"
		"info main_tid %d\n",
		slept_percent, half_tid, waiter_tid, (int)gettid());
	if (out != stdout)
		fclose(out);
	return 0;
}
