/* Resolution of the real functions behind the collector's interposers. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "interpose.h"

struct ws_real ws_real;

static _Atomic int resolved; /* 0 no, 1 in progress, 2 done */

static void *
need(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p) {
		static const char msg[] = "whyslow: cannot find a libc function it needs; aborting\n";
		(void)!write(2, msg, sizeof msg - 1);
		abort();
	}
	return p;
}

void
ws_real_init(void)
{
	if (atomic_load_explicit(&resolved, memory_order_acquire) == 2)
		return;
	int expected = 0;
	if (!atomic_compare_exchange_strong(&resolved, &expected, 1)) {
		while (atomic_load_explicit(&resolved, memory_order_acquire) != 2)
			syscall(SYS_sched_yield);
		return;
	}
	/* dlsym may call calloc: harmless, the collector does not interpose malloc. */
	ws_real.pthread_create = need("pthread_create");
	ws_real.sigaction = need("sigaction");
	ws_real.sigprocmask = need("sigprocmask");
	ws_real.pthread_sigmask = need("pthread_sigmask");
	ws_real.dlopen = need("dlopen");
	ws_real.dlclose = need("dlclose");
	ws_real.execve = need("execve");
	ws_real.execvpe = need("execvpe");
	ws_real.fexecve = need("fexecve");
	ws_real._exit = need("_exit");
	ws_real._Exit = need("_Exit");
	ws_real.nanosleep = need("nanosleep");
	ws_real.clock_nanosleep = need("clock_nanosleep");
	ws_real.poll = need("poll");
	ws_real.select = need("select");
	ws_real.epoll_wait = need("epoll_wait");
	atomic_store_explicit(&resolved, 2, memory_order_release);
}
