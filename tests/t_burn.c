/* Accuracy: three threads (main and two workers) each run the same mix,
 * burn_60 / burn_30 / burn_10, which call the same inner loop 6, 3 and 1
 * times, so the functions take 60 %, 30 % and 10 % of the CPU time.
 *
 *   t_burn [TRUTHFILE]     (T_BURN_SECONDS: total CPU seconds, default 1.5)
 *
 * The program also measures the truth itself and writes it to TRUTHFILE
 * as lines "cpu burn_60 59.87": in CPU time, each thread's CPU time in
 * the mix (thread CPU clock before and after) split 6:3:1, as a
 * percentage of the process's CPU time; in wall time, the elapsed time in
 * each function (monotonic clock, per thread) as a percentage of the
 * threads' summed lifetimes.  Inside the mix it reads only the monotonic
 * clock, which the vDSO serves without a system call: a system call is
 * where the scheduler likes to preempt, and a wall-clock profile would
 * rightly put the time spent waiting there. */
#include "t_common.h"

#include <pthread.h>
#include <string.h>

#define NTHREADS 3
#define ROUNDS 20

static long unit_iters;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double cpu_in[3], wall_in[3], lifetimes;

T_NOINLINE void
burn_60(void)
{
	for (int r = 0; r < 6; r++)
		T_SPIN(unit_iters);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
burn_30(void)
{
	for (int r = 0; r < 3; r++)
		T_SPIN(unit_iters);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
burn_10(void)
{
	for (int r = 0; r < 1; r++)
		T_SPIN(unit_iters);
	__asm__ volatile("" ::: "memory");
}

/* Seconds of CPU per iteration of T_SPIN: best of a few short runs. */
static T_NOINLINE double
calibrate(void)
{
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		double t0 = t_now(CLOCK_THREAD_CPUTIME_ID);
		T_SPIN(1000000);
		double dt = t_now(CLOCK_THREAD_CPUTIME_ID) - t0;
		if (dt > 0 && dt < best)
			best = dt;
	}
	return best / 1e6;
}

static void
run_mix(double start_wall)
{
	void (*fn[3])(void) = {burn_60, burn_30, burn_10};
	const double share[3] = {0.6, 0.3, 0.1};
	double wall[3] = {0};
	double c0 = t_now(CLOCK_THREAD_CPUTIME_ID);
	for (int r = 0; r < ROUNDS; r++)
		for (int f = 0; f < 3; f++) {
			double w0 = t_now(CLOCK_MONOTONIC);
			fn[f]();
			wall[f] += t_now(CLOCK_MONOTONIC) - w0;
		}
	double cpu = t_now(CLOCK_THREAD_CPUTIME_ID) - c0;
	pthread_mutex_lock(&lock);
	for (int f = 0; f < 3; f++) {
		cpu_in[f] += cpu * share[f];
		wall_in[f] += wall[f];
	}
	if (start_wall > 0)
		lifetimes += t_now(CLOCK_MONOTONIC) - start_wall;
	pthread_mutex_unlock(&lock);
}

static void *
worker(void *arg)
{
	(void)arg;
	run_mix(t_now(CLOCK_MONOTONIC));
	return NULL;
}

int
main(int argc, char **argv)
{
	double main_start = t_now(CLOCK_MONOTONIC);
	double total = t_env_double("T_BURN_SECONDS", 1.5);
	double per_iter = calibrate();
	/* total CPU = NTHREADS * ROUNDS * 10 units */
	unit_iters = (long)(total / (NTHREADS * ROUNDS * 10) / per_iter);
	if (unit_iters < 1000)
		unit_iters = 1000;

	pthread_t th[NTHREADS - 1];
	for (int i = 0; i < NTHREADS - 1; i++)
		if (pthread_create(&th[i], NULL, worker, NULL) != 0) {
			perror("pthread_create");
			return 99;
		}
	run_mix(0);
	for (int i = 0; i < NTHREADS - 1; i++)
		pthread_join(th[i], NULL);
	lifetimes += t_now(CLOCK_MONOTONIC) - main_start;
	double proc_cpu = t_now(CLOCK_PROCESS_CPUTIME_ID);

	const char *names[3] = {"burn_60", "burn_30", "burn_10"};
	FILE *out = argc > 1 ? fopen(argv[1], "w") : stdout;
	if (!out) {
		perror(argv[1]);
		return 99;
	}
	for (int f = 0; f < 3; f++)
		fprintf(out, "cpu %s %.2f\n", names[f], 100.0 * cpu_in[f] / proc_cpu);
	for (int f = 0; f < 3; f++)
		fprintf(out, "wall %s %.2f\n", names[f], 100.0 * wall_in[f] / lifetimes);
	fprintf(out, "info process_cpu_s %.3f threads_wall_s %.3f\n", proc_cpu, lifetimes);
	if (out != stdout)
		fclose(out);
	return 0;
}
