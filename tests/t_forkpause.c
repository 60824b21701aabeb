/* Samples that arrive while a fork pauses sampling are dropped, and
 * counted in periods like every drop.
 *   t_forkpause [SECONDS]
 * A prepare handler registered from .preinit_array -- before whyslow's
 * constructor, so that it runs after whyslow's own prepare handler, while
 * sampling is paused -- has a worker thread run a SIGUSR1 handler that
 * blocks every signal while it burns SECONDS (default 0.2) of CPU: the
 * worker's sampling signals merge into one, delivered when the handler
 * returns, still during the fork's pause.  That one signal stands for
 * about SECONDS x rate periods.  The child exits at once.  Prints
 * "paused-burn S" (the CPU seconds burnt during the pause); exit 0. */
#include "t_common.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static _Atomic int go, done, forking;
static double seconds = 0.2;
static pthread_t worker_thread;

T_NOINLINE void
paused_burn(void)
{
	T_BURN_CPU(seconds);
	__asm__ volatile("" ::: "memory");
}

static void
on_usr1(int sig)
{
	paused_burn();
}

static void *
worker(void *arg)
{
	while (!atomic_load(&go))
		T_SPIN(1000);
	pthread_kill(pthread_self(), SIGUSR1);
	/* The sampling signals that waited for the handler are delivered
	 * before this line runs. */
	atomic_store(&done, 1);
	return NULL;
}

static void
prepare(void)
{
	if (!atomic_load(&forking))
		return;
	atomic_store(&go, 1);
	while (!atomic_load(&done))
		T_SPIN(1000);
}

static void
preinit(int argc, char **argv, char **envp)
{
	pthread_atfork(prepare, NULL, NULL);
}
typedef void (*preinit_fn)(int, char **, char **);
__attribute__((section(".preinit_array"), used)) static preinit_fn preinit_p = preinit;

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
	if (pthread_create(&worker_thread, NULL, worker, NULL) != 0)
		return 99;
	T_BURN_CPU(0.02);
	atomic_store(&forking, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 1;
	pthread_join(worker_thread, NULL);
	printf("paused-burn %g\n", seconds);
	return 0;
}
