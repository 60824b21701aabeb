/* A program that closes every descriptor and reuses the numbers.
 *   t_closefds FILE
 * A thread (sampled, so whyslow has a perf descriptor for it) works, then
 * lists its open descriptors >= 3, closes them all (close_range, or a loop
 * where that is missing), creates FILE, writes "start\n" to it and dup2()s
 * it onto every number that was open -- whyslow's perf descriptors and
 * profile among them -- works some more and ends.  Then the main thread
 * checks that every one of those numbers is still FILE (whyslow must not
 * have closed it at the thread's end), writes "+" through each, reads FILE
 * back, and works in after_close.  Exit 0 when FILE holds "start\n" and one
 * "+" per number, 1 otherwise. */
#include "t_common.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *file;
static int fds[256], nfds;
static struct stat file_st;

T_NOINLINE void
thread_work(void)
{
	T_BURN_CPU(0.05);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
after_close(void)
{
	T_BURN_CPU(0.1);
	__asm__ volatile("" ::: "memory");
}

static void *
closer(void *arg)
{
	thread_work();
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return (void *)1;
	struct dirent *e;
	while ((e = readdir(d)) && nfds < 256) {
		int n = atoi(e->d_name);
		if (e->d_name[0] != '.' && n >= 3 && n != dirfd(d))
			fds[nfds++] = n;
	}
	closedir(d);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
#endif
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
	int f = open(file, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (f < 0 || write(f, "start\n", 6) != 6 || fstat(f, &file_st) != 0)
		return (void *)1;
	for (int i = 0; i < nfds; i++)
		if (fds[i] != f && dup2(f, fds[i]) != fds[i])
			return (void *)1;
	thread_work();
	return NULL;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: t_closefds FILE\n");
		return 2;
	}
	file = argv[1];
	pthread_t t;
	void *res;
	if (pthread_create(&t, NULL, closer, NULL) != 0 || pthread_join(t, &res) != 0 || res) {
		fprintf(stderr, "t_closefds: the thread failed\n");
		return 99;
	}
	int bad = 0;
	for (int i = 0; i < nfds; i++) {
		struct stat st;
		if (fstat(fds[i], &st) != 0 || st.st_dev != file_st.st_dev ||
		    st.st_ino != file_st.st_ino) {
			fprintf(stderr, "t_closefds: descriptor %d is no longer %s\n", fds[i],
				file);
			bad = 1;
		} else if (write(fds[i], "+", 1) != 1) {
			perror("t_closefds: write");
			bad = 1;
		}
	}
	char buf[512] = {0}, want[512];
	int f = open(file, O_RDONLY);
	ssize_t n = f >= 0 ? read(f, buf, sizeof buf - 1) : -1;
	snprintf(want, sizeof want, "start\n%.*s", nfds,
		 "++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++"
		 "++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++");
	if (n < 0 || strcmp(buf, want) != 0) {
		fprintf(stderr, "t_closefds: %s holds \"%s\", expected \"%s\"\n", file, buf, want);
		bad = 1;
	}
	printf("%d descriptors reused\n", nfds);
	after_close();
	return bad;
}
