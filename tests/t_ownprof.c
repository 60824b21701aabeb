/* A program with its own SIGPROF profiler: sigaction(SIGPROF) and
 * setitimer(ITIMER_PROF) at 100 Hz, single-threaded, ~1 s of CPU in
 * own_burn.  Prints "itimer N other M cpu S": N handler calls from its
 * itimer (si_code SI_KERNEL), M calls of any other origin (timer_create,
 * perf, tgkill: would be a profiler's samples leaking into its handler).
 * Exits 2 if its handler is not the one installed when it asks. */
#include "t_common.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t n_itimer, n_other;

static void
on_prof(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si && si->si_code == SI_KERNEL)
		n_itimer++;
	else
		n_other++;
}

T_NOINLINE void
own_burn(double cpu_seconds)
{
	while (t_now(CLOCK_PROCESS_CPUTIME_ID) < cpu_seconds)
		T_SPIN(20000);
	__asm__ volatile("" ::: "memory");
}

int
main(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_prof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, NULL) != 0) {
		perror("sigaction");
		return 99;
	}
	if (sigaction(SIGPROF, NULL, &old) != 0 || !(old.sa_flags & SA_SIGINFO) ||
	    old.sa_sigaction != on_prof) {
		fprintf(stderr, "t_ownprof: sigaction(SIGPROF) does not report our handler\n");
		return 2;
	}
	struct itimerval it = {{0, 10000}, {0, 10000}};
	if (setitimer(ITIMER_PROF, &it, NULL) != 0) {
		perror("setitimer");
		return 99;
	}
	double target = t_now(CLOCK_PROCESS_CPUTIME_ID) + t_env_double("T_OWNPROF_SECONDS", 1.0);
	own_burn(target);
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_PROF, &off, NULL);
	printf("itimer %d other %d cpu %.3f\n", (int)n_itimer, (int)n_other,
	       t_now(CLOCK_PROCESS_CPUTIME_ID));
	return 0;
}
