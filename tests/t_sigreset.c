/* SA_RESETHAND on a stop signal: the first SIGTSTP runs the handler, which
 * resets the disposition to SIG_DFL; the second stops the process.
 *   t_sigreset
 * The parent forks a child that works in sigreset_work, puts itself in a
 * process group of its own (stop signals are discarded in an orphaned
 * one), installs a SIGTSTP handler with SA_RESETHAND, raises SIGTSTP twice
 * and exits 0 if the handler ran exactly once.  The parent must see the
 * child stopped by SIGTSTP (waitpid WUNTRACED), continues it with SIGCONT,
 * and must see it exit 0.  Prints what it saw; exit 0 when all of it held,
 * 1 otherwise. */
#include "t_common.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t calls;

static void
on_tstp(int sig)
{
	calls++;
}

T_NOINLINE void
sigreset_work(void)
{
	T_BURN_CPU(0.05);
	__asm__ volatile("" ::: "memory");
}

static int
child(void)
{
	setpgid(0, 0);
	sigreset_work();
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_tstp;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, NULL);
	raise(SIGTSTP); /* the handler, once */
	sigaction(SIGTSTP, NULL, &old);
	if (old.sa_handler != SIG_DFL) {
		fprintf(stderr,
			"t_sigreset child: the handler is still installed after a delivery\n");
		return 2;
	}
	raise(SIGTSTP); /* stops: the parent continues us */
	sigreset_work();
	if (calls != 1) {
		fprintf(stderr, "t_sigreset child: the handler ran %d times, expected once\n",
			(int)calls);
		return 3;
	}
	return 0;
}

int
main(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 99;
	}
	if (pid == 0)
		return child();
	alarm(20); /* a child that never stops nor exits */
	int st, ok = 1;
	if (waitpid(pid, &st, WUNTRACED) != pid) {
		perror("waitpid");
		return 99;
	}
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP) {
		printf("child stopped by SIGTSTP\n");
		kill(pid, SIGCONT);
		if (waitpid(pid, &st, 0) != pid) {
			perror("waitpid");
			return 99;
		}
	} else {
		printf("child did not stop (status 0x%x)\n", st);
		ok = 0;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		printf("child exited 0\n");
	} else {
		printf("child ended with status 0x%x\n", st);
		ok = 0;
	}
	return ok ? 0 : 1;
}
