/* Sleeps and waits that the sampling signal must not cut short.
 *
 * SA_RESTART restarts most interrupted system calls, but never the sleeps
 * and multiplexing waits (signal(7)): nanosleep, clock_nanosleep, usleep,
 * sleep, poll, select and epoll_wait return EINTR after any handler ran.
 * In wall-clock mode whyslow signals sleeping threads hundreds of times a
 * second, so without this `sleep(1)` would return after a millisecond.
 *
 * Each wrapper retries with the remaining time when the call failed with
 * EINTR and no signal of the program's own arrived in this thread meanwhile
 * (signals.c counts those); an interruption by the program's own signal
 * is returned to it unchanged.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "interpose.h"
#include "signals.h"

static bool
ours_only(int err, uint64_t program_signals_before)
{
	return err == EINTR && ws_program_signals == program_signals_before &&
	       atomic_load(&ws_phase) != WS_PHASE_OFF;
}

static int64_t
mono_ns(void)
{
	return (int64_t)ws_now_ns();
}

WS_EXPORT int
nanosleep(const struct timespec *req, struct timespec *rem)
{
	ws_real_init();
	uint64_t before = ws_program_signals;
	struct timespec left = req ? *req : (struct timespec){0, 0}, r;
	for (;;) {
		int saved = errno;
		int rc = ws_real.nanosleep(req ? &left : NULL, &r);
		if (rc == 0) {
			errno = saved; /* a retried sleep leaves errno as it found it */
			return 0;
		}
		if (!ours_only(errno, before)) {
			if (errno == EINTR && rem)
				*rem = r;
			return rc;
		}
		errno = saved;
		left = r;
	}
}

WS_EXPORT int
clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	ws_real_init();
	uint64_t before = ws_program_signals;
	struct timespec left = req ? *req : (struct timespec){0, 0}, r;
	for (;;) {
		int rc = ws_real.clock_nanosleep(clk, flags, req ? &left : NULL, &r);
		if (rc == 0 || !ours_only(rc, before)) {
			if (rc == EINTR && rem && !(flags & TIMER_ABSTIME))
				*rem = r;
			return rc;
		}
		if (!(flags & TIMER_ABSTIME))
			left = r; /* absolute deadlines stay as they are */
	}
}

WS_EXPORT int
usleep(useconds_t usec)
{
	struct timespec ts = {usec / 1000000, (long)(usec % 1000000) * 1000};
	return nanosleep(&ts, NULL);
}

WS_EXPORT unsigned int
sleep(unsigned int seconds)
{
	struct timespec ts = {seconds, 0}, rem = {0, 0};
	if (nanosleep(&ts, &rem) == 0)
		return 0;
	return (unsigned int)rem.tv_sec; /* as glibc: whole seconds left */
}

/* Remaining milliseconds of a poll-style timeout (negative = forever). */
static int
left_ms(int timeout, int64_t deadline)
{
	if (timeout < 0)
		return -1;
	int64_t left = (deadline - mono_ns() + 999999) / 1000000;
	return left > 0 ? (int)left : 0;
}

WS_EXPORT int
poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	ws_real_init();
	uint64_t before = ws_program_signals;
	int64_t deadline = mono_ns() + (int64_t)timeout * 1000000;
	int t = timeout;
	for (;;) {
		int rc = ws_real.poll(fds, nfds, t);
		if (rc >= 0 || !ours_only(errno, before))
			return rc;
		t = left_ms(timeout, deadline);
	}
}

WS_EXPORT int
epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	ws_real_init();
	uint64_t before = ws_program_signals;
	int64_t deadline = mono_ns() + (int64_t)timeout * 1000000;
	int t = timeout;
	for (;;) {
		int rc = ws_real.epoll_wait(epfd, events, maxevents, t);
		if (rc >= 0 || !ours_only(errno, before))
			return rc;
		t = left_ms(timeout, deadline);
	}
}

WS_EXPORT int
select(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *timeout)
{
	ws_real_init();
	uint64_t before = ws_program_signals;
	fd_set r0, w0, x0;
	if (r)
		r0 = *r;
	if (w)
		w0 = *w;
	if (x)
		x0 = *x;
	for (;;) {
		/* Linux updates *timeout to the time left, also on EINTR. */
		int rc = ws_real.select(nfds, r, w, x, timeout);
		if (rc >= 0 || !ours_only(errno, before))
			return rc;
		if (r)
			*r = r0;
		if (w)
			*w = w0;
		if (x)
			*x = x0;
	}
}
