/* Sampling periods the perf ring could not hold still count.
 *   t_ringlost [SECONDS]
 * Works 50 ms, then raises SIGUSR1, whose handler blocks every signal
 * while it burns SECONDS (default 0.5) of CPU in blocked_burn, then works
 * 50 ms more.  Meanwhile the sampling signals wait: at 10,000 Hz the perf
 * ring (512 records) fills, and the kernel counts the overflows it could
 * not record in a PERF_RECORD_LOST record.  Those periods happened: the
 * samples' weights must add up to about the CPU time x rate.  Prints
 * "cpu S" (the process's CPU seconds); exit 0. */
#include "t_common.h"

#include <signal.h>
#include <string.h>

static double seconds = 0.5;

T_NOINLINE void
blocked_burn(void)
{
	T_BURN_CPU(seconds);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
open_burn(void)
{
	T_BURN_CPU(0.05);
	__asm__ volatile("" ::: "memory");
}

static void
on_usr1(int sig)
{
	blocked_burn();
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		seconds = atof(argv[1]);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	open_burn();
	raise(SIGUSR1);
	open_burn();
	printf("cpu %.6f\n", t_now(CLOCK_PROCESS_CPUTIME_ID));
	return 0;
}
