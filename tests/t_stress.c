/* No deadlock: 4 threads, for T_STRESS_SECONDS (default 1.0) of wall
 * time each, loop over dlopen/dlsym/dlclose of a library (argv[1], default
 * libm.so.6), malloc/free and fork (the child _exits at once, the parent
 * waits; at most T_STRESS_FORKS forks per thread, default 50, so a run
 * leaves a bounded number of child profiles).  Run it sampled at a high
 * rate: it must finish.  Exits 0, or 1 when an operation failed. */
#include "t_common.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 4

static const char *lib = "libm.so.6";
static const char *sym = "cos";
static double seconds;
static long max_forks;

static void *
worker(void *arg)
{
	long id = (long)arg, forks = 0, loops = 0;
	double end = t_now(CLOCK_MONOTONIC) + seconds;
	void *keep[8] = {0};
	while (t_now(CLOCK_MONOTONIC) < end) {
		loops++;
		void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			fprintf(stderr, "t_stress: dlopen %s: %s\n", lib, dlerror());
			return (void *)1;
		}
		if (!dlsym(h, sym)) {
			fprintf(stderr, "t_stress: dlsym %s: %s\n", sym, dlerror());
			return (void *)1;
		}
		dlclose(h);
		for (int i = 0; i < 64; i++) {
			size_t sz = (size_t)(16 + ((loops * 131 + i * 977 + id) % 40000));
			free(keep[i % 8]);
			keep[i % 8] = malloc(sz);
			if (!keep[i % 8])
				return (void *)1;
			memset(keep[i % 8], i, sz < 64 ? sz : 64);
		}
		if (forks < max_forks) {
			forks++;
			pid_t pid = fork();
			if (pid < 0) {
				perror("t_stress: fork");
				return (void *)1;
			}
			if (pid == 0)
				_exit(0);
			int st;
			if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "t_stress: child %d: status 0x%x\n", (int)pid, st);
				return (void *)1;
			}
		}
	}
	for (int i = 0; i < 8; i++)
		free(keep[i]);
	return NULL;
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		lib = argv[1];
		sym = argc > 2 ? argv[2] : "tlib_burn";
	}
	seconds = t_env_double("T_STRESS_SECONDS", 1.0);
	max_forks = (long)t_env_double("T_STRESS_FORKS", 50);
	pthread_t th[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) {
			perror("pthread_create");
			return 99;
		}
	int bad = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *r;
		pthread_join(th[i], &r);
		bad |= r != NULL;
	}
	return bad;
}
