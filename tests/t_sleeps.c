/* Sleeps must not be cut short by sampling signals: main and one worker
 * thread each run sleep(1), nanosleep(300 ms), usleep(200000),
 * poll(NULL, 0, 300), select(100 ms), clock_nanosleep (relative 50 ms and
 * absolute +50 ms) and epoll_wait(100 ms).  Each call is timed with
 * CLOCK_MONOTONIC; a call that returns early or fails makes the program
 * print what happened and exit 1. */
#include "t_common.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

static int
check(const char *who, const char *what, double t0, double want, long rc, int err)
{
	double got = t_now(CLOCK_MONOTONIC) - t0;
	if (rc != 0) {
		fprintf(stderr, "t_sleeps: %s: %s returned %ld (%s) after %.3f s of %.3f s\n", who,
			what, rc, strerror(err), got, want);
		return 1;
	}
	/* CLOCK_MONOTONIC and the kernel's timers agree to well below 1 ms */
	if (got < want - 0.0005) {
		fprintf(stderr, "t_sleeps: %s: %s returned early: %.4f s of %.3f s\n", who, what, got,
			want);
		return 1;
	}
	return 0;
}

static int
sleeps(const char *who)
{
	int bad = 0;
	double t0;
	long rc;

	t0 = t_now(CLOCK_MONOTONIC);
	rc = sleep(1);
	bad |= check(who, "sleep(1)", t0, 1.0, rc, errno);

	struct timespec ts = {0, 300000000};
	t0 = t_now(CLOCK_MONOTONIC);
	rc = nanosleep(&ts, NULL);
	bad |= check(who, "nanosleep(300 ms)", t0, 0.3, rc, errno);

	t0 = t_now(CLOCK_MONOTONIC);
	rc = usleep(200000);
	bad |= check(who, "usleep(200000)", t0, 0.2, rc, errno);

	t0 = t_now(CLOCK_MONOTONIC);
	rc = poll(NULL, 0, 300);
	bad |= check(who, "poll(NULL, 0, 300)", t0, 0.3, rc, errno);

	struct timeval tv = {0, 100000};
	t0 = t_now(CLOCK_MONOTONIC);
	rc = select(0, NULL, NULL, NULL, &tv);
	bad |= check(who, "select(100 ms)", t0, 0.1, rc, errno);

	struct timespec rel = {0, 50000000};
	t0 = t_now(CLOCK_MONOTONIC);
	rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &rel, NULL); /* returns the error */
	bad |= check(who, "clock_nanosleep(50 ms)", t0, 0.05, rc, (int)rc);

	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	t0 = (double)abs.tv_sec + abs.tv_nsec * 1e-9;
	abs.tv_nsec += 50000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
	bad |= check(who, "clock_nanosleep(TIMER_ABSTIME +50 ms)", t0, 0.05, rc, (int)rc);

	int ep = epoll_create1(0);
	struct epoll_event ev;
	t0 = t_now(CLOCK_MONOTONIC);
	rc = epoll_wait(ep, &ev, 1, 100);
	bad |= check(who, "epoll_wait(100 ms)", t0, 0.1, rc, errno);
	close(ep);
	return bad;
}

static void *
worker(void *arg)
{
	(void)arg;
	return (void *)(long)sleeps("worker");
}

int
main(void)
{
	pthread_t th;
	if (pthread_create(&th, NULL, worker, NULL) != 0) {
		perror("pthread_create");
		return 99;
	}
	int bad = sleeps("main");
	void *r;
	pthread_join(th, &r);
	bad |= r != NULL;
	return bad ? 1 : 0;
}
