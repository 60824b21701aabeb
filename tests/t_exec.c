/* exec: `t_exec self` works in before_exec, then execs itself as
 * `t_exec child`, which works in after_exec and exits 0: one pid, two
 * images, two profiles.  `t_exec sh` execs /bin/sh running a loop. */
#include "t_common.h"

#include <string.h>
#include <unistd.h>

T_NOINLINE void
before_exec(void)
{
	T_BURN_CPU(0.15);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
after_exec(void)
{
	T_BURN_CPU(0.15);
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		after_exec();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "self") == 0) {
		before_exec();
		char *args[] = {argv[0], "child", NULL};
		execv("/proc/self/exe", args);
		perror("execv /proc/self/exe");
		return 99;
	}
	if (argc > 1 && strcmp(argv[1], "sh") == 0) {
		before_exec();
		execl("/bin/sh", "sh", "-c",
		      "i=0; while [ $i -lt ${T_SH_LOOPS:-100000} ]; do i=$((i+1)); done", (char *)NULL);
		perror("execl /bin/sh");
		return 99;
	}
	fprintf(stderr, "usage: t_exec self|sh\n");
	return 2;
}
