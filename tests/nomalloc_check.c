/* nomalloc.so: a preload library that proves a profiler's signal handler
 * never allocates.  Preload it after the collector:
 *
 *     LD_PRELOAD="$WHYSLOW_LIB:$TESTS_DIR/.libs/nomalloc.so" ./t_mallocs
 *
 * It interposes malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc, memalign and valloc and forwards them to the next
 * definition (dlsym(RTLD_NEXT); while dlsym itself allocates, a static
 * bootstrap buffer serves it).
 *
 * The check: a thread arms it with nomalloc_arm(1) (t_mallocs does, for
 * its allocation loop only, after looking the function up with dlsym),
 * which records the thread's blocked-signal mask.  While the thread is
 * armed, an allocator call made with a signal blocked that was not blocked
 * at arming time -- SIGPROF while the sampling handler runs, since a
 * handler runs with its own signal blocked -- is a call from a signal
 * handler: a failure.  The mask is read with the raw rt_sigprocmask system
 * call, so no wrapper (the collector interposes pthread_sigmask) can hide
 * it.  Arming only around the program's own loop keeps the collector's
 * legitimate work outside handlers (thread start, exit, fork) out of view.
 *
 * On a failure it writes a message with write(2) and serves the call from
 * a static arena instead of the real allocator (which the interrupted
 * thread may be inside of: forwarding could deadlock), so the run goes
 * on; at exit a destructor reports the callers and ends the process with
 * _exit(1).  Set NOMALLOC_ABORT=1 to abort() at the first failure. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);

/* Static arenas: one for dlsym's own allocations during start-up, one for
 * the calls made from signal handlers.  Blocks carry a 16-byte header
 * with their size so that realloc can copy them. */
struct arena {
	char *mem;
	size_t size;
	_Atomic size_t used;
};
static _Alignas(64) char boot_mem[256 * 1024];
static _Alignas(64) char bad_mem[8 * 1024 * 1024];
static struct arena boot = {boot_mem, sizeof boot_mem, 0};
static struct arena bad = {bad_mem, sizeof bad_mem, 0};

static _Atomic int resolving;
static _Atomic long violations;
#define NCALLERS 8
static void *callers[NCALLERS];
static const char *caller_fn[NCALLERS];

static TLS int armed;
static TLS uint64_t armed_mask;
static TLS int in_check;

static void
say(const char *s)
{
	ssize_t r = write(2, s, strlen(s));
	(void)r;
}

/* Async-signal-safe unsigned formatting. */
static char *
fmt_u(char *p, unsigned long v, int base)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	*p = 0;
	return p;
}

static void *
arena_alloc(struct arena *a, size_t n, size_t align)
{
	if (align < 16)
		align = 16;
	size_t need = n + 16 + align;
	size_t off = atomic_fetch_add(&a->used, need);
	if (off + need > a->size) {
		say("nomalloc: static arena exhausted\n");
		_exit(99);
	}
	uintptr_t p = (uintptr_t)a->mem + off + 16;
	p = (p + align - 1) & ~(uintptr_t)(align - 1);
	((size_t *)p)[-1] = n;
	return (void *)p;
}

static int
in_arena(const struct arena *a, const void *p)
{
	return (const char *)p >= a->mem && (const char *)p < a->mem + a->size;
}

static size_t
block_size(const void *p)
{
	if (in_arena(&boot, p) || in_arena(&bad, p))
		return ((const size_t *)p)[-1];
	return malloc_usable_size((void *)p); /* reads the chunk header, no lock */
}

static void
resolve(void)
{
	atomic_store(&resolving, 1);
	real_malloc = dlsym(RTLD_NEXT, "malloc");
	real_calloc = dlsym(RTLD_NEXT, "calloc");
	real_realloc = dlsym(RTLD_NEXT, "realloc");
	real_free = dlsym(RTLD_NEXT, "free");
	real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = dlsym(RTLD_NEXT, "memalign");
	real_valloc = dlsym(RTLD_NEXT, "valloc");
	atomic_store(&resolving, 0);
	if (!real_malloc || !real_calloc || !real_realloc || !real_free || !real_posix_memalign) {
		say("nomalloc: cannot find the real allocator\n");
		_exit(99);
	}
}

static uint64_t
kernel_mask(void)
{
	uint64_t m = 0;
	int saved = errno;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, sizeof m);
	errno = saved;
	return m;
}

/* Returns 1 when this call comes from a signal handler: reported. */
static int
violation(const char *fn, size_t n, void *caller)
{
	if (!armed || in_check)
		return 0;
	uint64_t now = kernel_mask();
	uint64_t extra = now & ~armed_mask;
	if (!extra)
		return 0;
	in_check = 1;
	long k = atomic_fetch_add(&violations, 1);
	if (k < NCALLERS) {
		callers[k] = caller;
		caller_fn[k] = fn;
	}
	if (k < 20) {
		char msg[256], *p = msg;
		p = stpcpy(p, "nomalloc: FAIL: ");
		p = stpcpy(p, fn);
		p = stpcpy(p, "(");
		p = fmt_u(p, n, 10);
		p = stpcpy(p, ") called from a signal handler (blocked signals now:");
		for (int s = 1; s <= 64; s++)
			if (extra & (1ull << (s - 1))) {
				const char *name = sigabbrev_np(s);
				p = stpcpy(p, " ");
				if (name && p - msg < 180) {
					p = stpcpy(p, "SIG");
					p = stpcpy(p, name);
				} else {
					p = fmt_u(p, (unsigned long)s, 10);
				}
			}
		p = stpcpy(p, ") in thread ");
		p = fmt_u(p, (unsigned long)syscall(SYS_gettid), 10);
		p = stpcpy(p, ", caller 0x");
		p = fmt_u(p, (unsigned long)(uintptr_t)caller, 16);
		p = stpcpy(p, "\n");
		say(msg);
	}
	if (getenv("NOMALLOC_ABORT"))
		abort();
	in_check = 0;
	return 1;
}

#define CALLER __builtin_return_address(0)

EXPORT void
nomalloc_arm(int on)
{
	armed_mask = kernel_mask();
	armed = on;
}

EXPORT long
nomalloc_failures(void)
{
	return atomic_load(&violations);
}

EXPORT void *
malloc(size_t n)
{
	if (!real_malloc) {
		if (atomic_load(&resolving))
			return arena_alloc(&boot, n, 16);
		resolve();
	}
	if (violation("malloc", n, CALLER))
		return arena_alloc(&bad, n, 16);
	return real_malloc(n);
}

EXPORT void *
calloc(size_t a, size_t b)
{
	size_t n = a * b;
	if (b && n / b != a) {
		errno = ENOMEM;
		return NULL;
	}
	if (!real_calloc) {
		if (atomic_load(&resolving))
			return arena_alloc(&boot, n, 16); /* static memory: zero */
		resolve();
	}
	if (violation("calloc", n, CALLER))
		return arena_alloc(&bad, n, 16);
	return real_calloc(a, b);
}

EXPORT void
free(void *p)
{
	if (!p || in_arena(&boot, p) || in_arena(&bad, p))
		return;
	if (!real_free)
		resolve();
	if (violation("free", 0, CALLER))
		return; /* leak it rather than enter the allocator from a handler */
	real_free(p);
}

EXPORT void *
realloc(void *p, size_t n)
{
	if (!real_realloc) {
		if (atomic_load(&resolving)) {
			void *q = arena_alloc(&boot, n, 16);
			if (p)
				memcpy(q, p, block_size(p) < n ? block_size(p) : n);
			return q;
		}
		resolve();
	}
	int v = violation("realloc", n, CALLER);
	if (v || (p && (in_arena(&boot, p) || in_arena(&bad, p)))) {
		void *q = v ? arena_alloc(&bad, n, 16) : real_malloc(n);
		if (q && p)
			memcpy(q, p, block_size(p) < n ? block_size(p) : n);
		return q;
	}
	return real_realloc(p, n);
}

EXPORT int
posix_memalign(void **out, size_t align, size_t n)
{
	if (!real_posix_memalign) {
		if (atomic_load(&resolving)) {
			*out = arena_alloc(&boot, n, align);
			return 0;
		}
		resolve();
	}
	if (violation("posix_memalign", n, CALLER)) {
		*out = arena_alloc(&bad, n, align);
		return 0;
	}
	return real_posix_memalign(out, align, n);
}

EXPORT void *
aligned_alloc(size_t align, size_t n)
{
	if (!real_aligned_alloc) {
		if (atomic_load(&resolving))
			return arena_alloc(&boot, n, align);
		resolve();
	}
	if (violation("aligned_alloc", n, CALLER))
		return arena_alloc(&bad, n, align);
	return real_aligned_alloc(align, n);
}

EXPORT void *
memalign(size_t align, size_t n)
{
	if (!real_memalign) {
		if (atomic_load(&resolving))
			return arena_alloc(&boot, n, align);
		resolve();
	}
	if (violation("memalign", n, CALLER))
		return arena_alloc(&bad, n, align);
	return real_memalign(align, n);
}

EXPORT void *
valloc(size_t n)
{
	if (!real_valloc) {
		if (atomic_load(&resolving))
			return arena_alloc(&boot, n, 4096);
		resolve();
	}
	if (violation("valloc", n, CALLER))
		return arena_alloc(&bad, n, 4096);
	return real_valloc(n);
}

__attribute__((constructor)) static void
nomalloc_init(void)
{
	if (!real_malloc)
		resolve();
}

__attribute__((destructor)) static void
nomalloc_fini(void)
{
	long n = atomic_load(&violations);
	if (!n)
		return;
	char msg[512], *p;
	p = stpcpy(msg, "nomalloc: FAIL: ");
	p = fmt_u(p, (unsigned long)n, 10);
	p = stpcpy(p, " allocator call(s) from signal handlers; first callers:\n");
	say(msg);
	for (int i = 0; i < NCALLERS && i < n; i++) {
		Dl_info di;
		p = stpcpy(msg, "nomalloc:   ");
		p = stpcpy(p, caller_fn[i]);
		p = stpcpy(p, " from ");
		if (dladdr(callers[i], &di) && di.dli_fname) {
			p = stpcpy(p, di.dli_fname);
			p = stpcpy(p, "+0x");
			p = fmt_u(p, (unsigned long)((uintptr_t)callers[i] - (uintptr_t)di.dli_fbase), 16);
			if (di.dli_sname) {
				p = stpcpy(p, " (");
				p = stpcpy(p, di.dli_sname);
				p = stpcpy(p, ")");
			}
		} else {
			p = stpcpy(p, "0x");
			p = fmt_u(p, (unsigned long)(uintptr_t)callers[i], 16);
		}
		p = stpcpy(p, "\n");
		say(msg);
	}
	_exit(1);
}
