/* fork: the parent works (parent_work), forks a child that works
 * (child_work) and leaves with exit(0) -- or _exit(0) with the argument
 * "_exit" -- and waits for it.  Prints "child PID" on stdout. */
#include "t_common.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

T_NOINLINE void
parent_work(double s)
{
	T_BURN_CPU(s);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
child_work(void)
{
	T_BURN_CPU(0.2);
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	int use_exit = !(argc > 1 && strcmp(argv[1], "_exit") == 0);
	parent_work(0.15);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 99;
	}
	if (pid == 0) {
		child_work();
		if (use_exit)
			exit(0);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid) {
		perror("waitpid");
		return 99;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "t_fork: child ended with status 0x%x\n", st);
		return 1;
	}
	parent_work(0.05);
	printf("child %d\n", (int)pid);
	return 0;
}
