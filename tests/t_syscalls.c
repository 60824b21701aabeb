/* CPU time spent in the kernel on the program's behalf counts: user_part
 * burns CPU in user space, sys_part the same amount of CPU time in system
 * calls (read of 256 KiB from /dev/zero: the kernel clears the buffer).
 * Each gets T_SYS_SECONDS (default 0.25) of thread CPU time, alternating
 * in 10 rounds.  Writes the measured truth to TRUTHFILE:
 * "cpu user_part 50.1", "cpu sys_part 49.2", "info sys_fraction 0.93". */
#include "t_common.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

static char buf[256 * 1024];

T_NOINLINE void
user_part(double sec)
{
	T_BURN_CPU(sec);
	__asm__ volatile("" ::: "memory");
}

T_NOINLINE void
sys_part(int fd, double sec)
{
	double end = t_now(CLOCK_THREAD_CPUTIME_ID) + sec;
	while (t_now(CLOCK_THREAD_CPUTIME_ID) < end)
		if (read(fd, buf, sizeof buf) < 0)
			exit(99);
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	int fd = open("/dev/zero", O_RDONLY);
	if (fd < 0) {
		perror("/dev/zero");
		return 99;
	}
	double each = t_env_double("T_SYS_SECONDS", 0.25) / 10;
	double cu = 0, cs = 0;
	struct rusage r0, r1;
	double s_user = 0, s_sys = 0;
	for (int i = 0; i < 10; i++) {
		double c0 = t_now(CLOCK_THREAD_CPUTIME_ID);
		user_part(each);
		double c1 = t_now(CLOCK_THREAD_CPUTIME_ID);
		getrusage(RUSAGE_THREAD, &r0);
		sys_part(fd, each);
		getrusage(RUSAGE_THREAD, &r1);
		double c2 = t_now(CLOCK_THREAD_CPUTIME_ID);
		cu += c1 - c0;
		cs += c2 - c1;
		s_user += (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) * 1e-6;
		s_sys += (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) * 1e-6;
	}
	double total = t_now(CLOCK_PROCESS_CPUTIME_ID);
	FILE *out = argc > 1 ? fopen(argv[1], "w") : stdout;
	if (!out)
		return 99;
	fprintf(out, "cpu user_part %.2f\ncpu sys_part %.2f\ninfo sys_fraction %.2f\n", 100 * cu / total,
		100 * cs / total, s_user + s_sys > 0 ? s_sys / (s_user + s_sys) : 0);
	if (out != stdout)
		fclose(out);
	return 0;
}
