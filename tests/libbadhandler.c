/* For tests/nomalloc_selftest.sh only: a stand-in for a broken profiler
 * whose SIGPROF handler allocates.  Its constructor installs the handler
 * and a 1 kHz ITIMER_PROF; nomalloc.so must catch the handler's malloc. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static volatile long handled;

static void
bad_handler(int sig)
{
	(void)sig;
	char *p = malloc(32); /* the bug the check must catch */
	if (p)
		p[0] = 1;
	free(p);
	handled++;
}

__attribute__((constructor)) static void
badhandler_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = bad_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
	struct itimerval it = {{0, 1000}, {0, 1000}};
	setitimer(ITIMER_PROF, &it, NULL);
}
