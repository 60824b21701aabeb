/* Typed pointers to the real implementations of the functions the collector
 * interposes, resolved once with dlsym(RTLD_NEXT) (libmonitor's pattern).
 *
 * ws_real_init() is idempotent and thread-safe; every wrapper calls it
 * first, because the target (or another library's constructor) may call a
 * wrapper before the collector's own constructor has run.  After it has
 * returned once, reading the pointers is async-signal-safe.
 */
#ifndef WHYSLOW_INTERPOSE_H
#define WHYSLOW_INTERPOSE_H

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>

struct ws_real {
	int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	int (*sigprocmask)(int, const sigset_t *, sigset_t *);
	int (*pthread_sigmask)(int, const sigset_t *, sigset_t *);
	void *(*dlopen)(const char *, int);
	int (*dlclose)(void *);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	void (*_exit)(int) __attribute__((noreturn));
	void (*_Exit)(int) __attribute__((noreturn));
	int (*nanosleep)(const struct timespec *, struct timespec *);
	int (*clock_nanosleep)(clockid_t, int, const struct timespec *, struct timespec *);
	int (*poll)(struct pollfd *, nfds_t, int);
	int (*select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
	int (*epoll_wait)(int, struct epoll_event *, int, int);
};

extern struct ws_real ws_real;

void ws_real_init(void);

/* Mark a function as one of the library's exported interposers. */
#define WS_EXPORT __attribute__((visibility("default")))

#endif
