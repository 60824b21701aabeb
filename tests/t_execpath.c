/* Execs that cannot succeed must not end the profile.
 *   t_execpath DIR NOTEXEC [BADEXEC]
 * A worker thread burns in worker_before until main has tried, then in
 * worker_after.  Main tries, all failing: execvp("no-such-prog-xyz")
 * (glibc's PATH search), its own PATH search (execv of every PATH entry +
 * "/no-such-prog-xyz", the way Python's os.execvp does it), execv of a
 * directory (DIR) and of a file without execute permission (NOTEXEC); then
 * it burns in after_fail.  With BADEXEC (an executable file that is no
 * program: the exec fails with ENOEXEC after whyslow's checks passed) it
 * then execs that too and burns in after_restart.  Exits 0, or 1 if an
 * exec did not fail with the expected errno. */
#include "t_common.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static _Atomic int tried;

T_NOINLINE void
worker_before(void)
{
	T_SPIN(20000);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
worker_after(void)
{
	T_BURN_CPU(0.15);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
after_fail(void)
{
	T_BURN_CPU(0.15);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
after_restart(void)
{
	T_BURN_CPU(0.1);
	__asm__ volatile("" ::: "memory");
}

static void *
worker(void *arg)
{
	while (!atomic_load(&tried))
		worker_before();
	worker_after();
	return NULL;
}

static int bad;

static void
expect_fail(const char *what, int rc, int want)
{
	if (rc != -1 || errno != want) {
		fprintf(stderr, "t_execpath: %s: rc %d errno %d (%s), expected errno %d\n", what,
			rc, errno, strerror(errno), want);
		bad = 1;
	}
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: t_execpath DIR NOTEXEC\n");
		return 2;
	}
	pthread_t w;
	if (pthread_create(&w, NULL, worker, NULL) != 0)
		return 99;
	T_BURN_CPU(0.05);
	char *args[] = {"no-such-prog-xyz", NULL};
	expect_fail("execvp no-such-prog-xyz", execvp("no-such-prog-xyz", args), ENOENT);
	const char *path = getenv("PATH");
	char *copy = strdup(path ? path : "/bin:/usr/bin");
	int n = 0;
	for (char *save, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char cand[4096];
		snprintf(cand, sizeof cand, "%s/no-such-prog-xyz", dir);
		expect_fail(cand, execv(cand, args), ENOENT);
		n++;
	}
	free(copy);
	expect_fail(argv[1], execv(argv[1], args), EACCES);
	expect_fail(argv[2], execv(argv[2], args), EACCES);
	printf("tried %d PATH entries\n", n);
	atomic_store(&tried, 1);
	after_fail();
	if (argc > 3) {
		expect_fail(argv[3], execv(argv[3], args), ENOEXEC);
		after_restart();
	}
	pthread_join(w, NULL);
	return bad;
}
