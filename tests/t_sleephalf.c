/* Half compute, half sleep, in the main thread: T_ROUNDS (10) rounds of
 * 50 ms of computing (compute: spins until 50 ms have elapsed) and a
 * 50 ms nanosleep (do_sleep).  Wall-clock profiles must show do_sleep (or
 * the nanosleep below it) at about half of the main thread's samples;
 * CPU-time profiles must not show it.
 *
 * With T_HOG=1 the process pins itself to one CPU and a second thread
 * (hog) spins there all along, so main computes only part of the time it
 * spends in compute: waiting for the CPU is elapsed time in compute all
 * the same, and the split stays half and half.
 *
 *   t_sleephalf [TRUTHFILE]    writes "wall do_sleep 49.1" (share of the
 *   main thread's lifetime), "cpu do_sleep 0.1", "info main_tid 1234" */
#include "t_common.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

static atomic_int stop;

T_NOINLINE void
compute(void)
{
	double end = t_now(CLOCK_MONOTONIC) + 0.05;
	while (t_now(CLOCK_MONOTONIC) < end)
		T_SPIN(20000);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE int
do_sleep(void)
{
	struct timespec ts = {0, 50 * 1000 * 1000};
	int rc;
	while ((rc = nanosleep(&ts, &ts)) == -1 && errno == EINTR)
		;
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return rc;
}

T_NOINLINE void
hog_spin(void)
{
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		T_SPIN(20000);
}

static void *
hog(void *arg)
{
	(void)arg;
	hog_spin();
	return NULL;
}

int
main(int argc, char **argv)
{
	double w0 = t_now(CLOCK_MONOTONIC);
	double sleep_wall = 0, sleep_cpu = 0;
	int rounds = (int)t_env_double("T_ROUNDS", 10);
	pthread_t th;
	int hogging = t_env_double("T_HOG", 0) != 0;
	if (hogging) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &set);
		if (sched_setaffinity(0, sizeof set, &set) != 0) /* the hog inherits it */
			perror("sched_setaffinity");
		if (pthread_create(&th, NULL, hog, NULL) != 0)
			return 99;
	}
	for (int i = 0; i < rounds; i++) {
		compute();
		double a = t_now(CLOCK_MONOTONIC), c = t_now(CLOCK_THREAD_CPUTIME_ID);
		if (do_sleep() != 0) {
			perror("nanosleep");
			return 99;
		}
		sleep_wall += t_now(CLOCK_MONOTONIC) - a;
		sleep_cpu += t_now(CLOCK_THREAD_CPUTIME_ID) - c;
	}
	double wall = t_now(CLOCK_MONOTONIC) - w0;
	double cpu = t_now(CLOCK_THREAD_CPUTIME_ID);
	if (hogging) {
		atomic_store(&stop, 1);
		pthread_join(th, NULL);
	}
	FILE *out = argc > 1 ? fopen(argv[1], "w") : stdout;
	if (!out) {
		perror(argv[1]);
		return 99;
	}
	fprintf(out, "wall do_sleep %.2f\ncpu do_sleep %.2f\ninfo main_tid %d\n", 100 * sleep_wall / wall,
		100 * sleep_cpu / cpu, (int)gettid());
	if (out != stdout)
		fclose(out);
	return 0;
}
