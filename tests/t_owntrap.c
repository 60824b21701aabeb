/* A program that handles SIGTRAP itself, as a debugger-like tool or a
 * runtime with its own breakpoints does: it installs a SIGTRAP handler that
 * counts calls by si_code, then burns CPU for about T_OWNTRAP_SECONDS
 * (default 0.6), raising SIGTRAP 500 times (raise: SI_TKILL) and executing
 * 500 breakpoint instructions (int3: SI_KERNEL).
 *   prints "owntrap raised N int3 M other K"
 * Exit 0 when its handler saw exactly 500 of each and nothing else, 1
 * otherwise (with whyslow sampling on SIGTRAP, a sample that reached the
 * program, or one of its own traps that did not). */
#include "t_common.h"

#include <signal.h>
#include <string.h>

#define EACH 500

static volatile sig_atomic_t raised, int3s, other;

static void
on_trap(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	if (info->si_code == SI_TKILL || info->si_code == SI_USER)
		raised++;
	else if (info->si_code == SI_KERNEL)
		int3s++;
	else
		other++;
}

/* Burn `sec` seconds of CPU time here, so that whyslow's samples land in
 * this function. */
T_NOINLINE static void
owntrap_burn(double sec)
{
	T_BURN_CPU(sec);
}

int
main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	if (sigaction(SIGTRAP, &sa, NULL) != 0) {
		perror("t_owntrap: sigaction");
		return 99;
	}
	double each = t_env_double("T_OWNTRAP_SECONDS", 0.6) / (2 * EACH);
	for (int i = 0; i < EACH; i++) {
		owntrap_burn(each);
		raise(SIGTRAP);
		owntrap_burn(each);
		__asm__ volatile("int3");
	}
	printf("owntrap raised %d int3 %d other %d\n", (int)raised, (int)int3s, (int)other);
	return raised == EACH && int3s == EACH && other == 0 ? 0 : 1;
}
