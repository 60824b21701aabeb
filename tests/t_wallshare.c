/* Wall-clock time spent waiting for a CPU counts: the process pins itself
 * to one CPU; two workers compute (spin_share) for T_WALL_SECONDS (0.6)
 * of wall time each, sharing that CPU, while main sleeps (do_sleep) as
 * long.  The three threads live equally long, so a wall-clock profile
 * must give spin_share two thirds of the samples and do_sleep one third,
 * although each worker runs only about half of the time: the periods in
 * which a worker waits for the CPU elapse all the same (a sampling timer
 * that expires several times before its thread runs again -- timer
 * overruns -- stands for as many samples).  Writes "wall spin_share 66.5",
 * "wall do_sleep 33.4" and "info spin_cpu_fraction 0.49" to TRUTHFILE. */
#include "t_common.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

static double seconds, spin_wall, spin_cpu;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

T_NOINLINE void
spin_share(void)
{
	double c0 = t_now(CLOCK_THREAD_CPUTIME_ID), w0 = t_now(CLOCK_MONOTONIC);
	while (t_now(CLOCK_MONOTONIC) < w0 + seconds)
		T_SPIN(20000);
	double c = t_now(CLOCK_THREAD_CPUTIME_ID) - c0, w = t_now(CLOCK_MONOTONIC) - w0;
	pthread_mutex_lock(&lock);
	spin_cpu += c;
	spin_wall += w;
	pthread_mutex_unlock(&lock);
}

T_NOINLINE int
do_sleep(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
	int rc;
	while ((rc = nanosleep(&ts, &ts)) == -1 && errno == EINTR)
		;
	__asm__ volatile("" ::: "memory");
	return rc;
}

static void *
worker(void *arg)
{
	(void)arg;
	spin_share();
	return NULL;
}

int
main(int argc, char **argv)
{
	seconds = t_env_double("T_WALL_SECONDS", 0.6);
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &set);
	if (sched_setaffinity(0, sizeof set, &set) != 0) /* inherited by the worker */
		perror("sched_setaffinity");
	double w0 = t_now(CLOCK_MONOTONIC);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, worker, NULL) != 0)
			return 99;
	double s0 = t_now(CLOCK_MONOTONIC);
	do_sleep(seconds);
	double slept = t_now(CLOCK_MONOTONIC) - s0;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	double main_life = t_now(CLOCK_MONOTONIC) - w0;
	double total = main_life + spin_wall; /* a worker lives about its spin time */
	FILE *out = argc > 1 ? fopen(argv[1], "w") : stdout;
	if (!out)
		return 99;
	fprintf(out, "wall spin_share %.2f\nwall do_sleep %.2f\ninfo spin_cpu_fraction %.2f\n",
		100 * spin_wall / total, 100 * slept / total, spin_cpu / spin_wall);
	if (out != stdout)
		fclose(out);
	return 0;
}
