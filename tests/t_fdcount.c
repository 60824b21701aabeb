/* Descriptors a process has open, in a fork child and after an exec.
 *   t_fdcount        works, prints "parent N" (its open descriptors), forks
 *                    a child that works, prints "child N" and execs
 *                    "t_fdcount exec", which works and prints "exec N".
 * Compared with an unprofiled run, whyslow may add only its own: the
 * profile and one perf descriptor per sampled thread (docs/collector.md);
 * nothing of the parent may survive the exec (close-on-exec). */
#include "t_common.h"

#include <dirent.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

T_NOINLINE void
fd_work(void)
{
	T_BURN_CPU(0.03);
	__asm__ volatile("" ::: "memory");
}

static void
count(const char *who)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			n++;
	if (d)
		closedir(d);
	printf("%s %d\n", who, n);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	fd_work();
	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		count("exec");
		return 0;
	}
	count("parent");
	pid_t pid = fork();
	if (pid < 0)
		return 99;
	if (pid == 0) {
		fd_work();
		count("child");
		execl("/proc/self/exe", "t_fdcount", "exec", (char *)NULL);
		_exit(98);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 1;
	return 0;
}
