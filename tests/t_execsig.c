/* exec from a signal handler (POSIX allows execve there).
 *   t_execsig        the main thread loops over malloc/free of 4-64 KiB
 *                    blocks (beyond the tcache: the arena lock is held much
 *                    of the time) while a helper thread, which blocks
 *                    SIGUSR1, sends SIGUSR1 to it after 1-20 ms; the
 *                    handler execs this program as "t_execsig child".
 *                    The helper makes the process multi-threaded, so malloc
 *                    takes its lock: an exec path that allocates deadlocks.
 *                    Exits 3 if no exec happened within 5 s.  With
 *                    tests' nomalloc.so preloaded, the main thread arms it:
 *                    an allocation in the handler (the exec path) is
 *                    reported on stderr ("nomalloc: ...").
 *   t_execsig child  works 50 ms in after_exec and exits 0. */
#include "t_common.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char *child_argv[] = {"t_execsig", "child", NULL};

T_NOINLINE void
after_exec(void)
{
	T_BURN_CPU(0.05);
	__asm__ volatile("" ::: "memory");
}

static void
on_usr1(int sig)
{
	execve("/proc/self/exe", child_argv, environ);
	static const char msg[] = "t_execsig: execve from the handler failed\n";
	(void)!write(2, msg, sizeof msg - 1);
	_exit(98);
}

static pthread_t main_thread;

static void *
helper(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	unsigned seed = (unsigned)getpid();
	struct timespec ts = {0, (long)(1 + rand_r(&seed) % 20) * 1000000L};
	nanosleep(&ts, NULL);
	pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		after_exec();
		return 0;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	pthread_t h;
	if (pthread_create(&h, NULL, helper, NULL) != 0) {
		perror("pthread_create");
		return 99;
	}
	void (*arm)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "nomalloc_arm");
	if (arm)
		arm(1);
	double end = t_now(CLOCK_MONOTONIC) + 5;
	unsigned seed = 1;
	void *keep[16] = {0};
	for (unsigned long i = 0; t_now(CLOCK_MONOTONIC) < end; i++) {
		size_t sz = 4096 + (size_t)(rand_r(&seed) % (60 * 1024));
		free(keep[i % 16]);
		keep[i % 16] = malloc(sz);
		if (keep[i % 16])
			((volatile char *)keep[i % 16])[0] = 1;
	}
	fprintf(stderr, "t_execsig: no exec within 5 s\n");
	return 3;
}
