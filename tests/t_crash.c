/* Endings: burns 100 ms in crash_burn, then ends as asked.
 *   t_crash segv | term | abort | exit N | _exit N | return N */
#include "t_common.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static int *volatile bad_ptr; /* NULL, but the compiler cannot know */

T_NOINLINE void
crash_burn(void)
{
	T_BURN_CPU(t_env_double("T_CRASH_SECONDS", 0.1));
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: t_crash segv|term|abort|exit N|_exit N|return N\n");
		return 2;
	}
	crash_burn();
	const char *m = argv[1];
	int n = argc > 2 ? atoi(argv[2]) : 0;
	if (strcmp(m, "segv") == 0) {
		*bad_ptr = 1;
	} else if (strcmp(m, "term") == 0) {
		kill(getpid(), SIGTERM);
		sleep(5); /* the signal ends us before this does */
	} else if (strcmp(m, "abort") == 0) {
		abort();
	} else if (strcmp(m, "exit") == 0) {
		exit(n);
	} else if (strcmp(m, "_exit") == 0) {
		_exit(n);
	} else if (strcmp(m, "return") == 0) {
		return n;
	}
	fprintf(stderr, "t_crash: still alive after '%s'\n", m);
	return 98;
}
