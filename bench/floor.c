/* floor.c: the cheapest in-process sampler built on whyslow's mechanism, to
 * measure the cost that no such sampler can avoid (bench/floor.sh,
 * docs/overhead.md).
 *
 * Preloaded into a program (LD_PRELOAD=bench/libfloor.so), it does what
 * whyslow's perf-task-clock source does to get a sample, and nothing else:
 * per thread, perf_event_open(PERF_COUNT_SW_TASK_CLOCK, exclude_kernel) with
 * a period of 1/FLOOR_HZ s, a two-page ring with wakeup_events = 1 and
 * empty records, the overflow delivered as FLOOR_SIGNAL (SIGPROF) to that
 * thread (F_SETOWN_EX + F_SETSIG), a handler installed with SA_SIGINFO |
 * SA_RESTART and every signal blocked.  What the handler does:
 *
 *   FLOOR_MODE=ring  (default) mark the ring's records consumed and count
 *                    them: the least a handler must do to keep the event
 *                    firing without a system call;
 *   FLOOR_MODE=fp    the same, then walk the frame-pointer chain from the
 *                    interrupted context, FLOOR_DEPTH (10) frames at most,
 *                    bounded by the thread's stack, and fold the addresses
 *                    into a checksum (no storage, no libunwind);
 *   FLOOR_MODE=off   nothing is armed: the preload alone;
 *   FLOOR_MODE=nosig the event is armed with no ring and no signal: the
 *                    kernel's timer and overflow path alone (what any
 *                    sampler on this clock pays before a signal is sent);
 *   FLOOR_MODE=trap, trap-fp
 *                    like ring and fp, but the signal is the perf event's
 *                    own synchronous SIGTRAP (attr.sigtrap, Linux >= 5.13;
 *                    queued as task work on return to user mode since
 *                    6.10) instead of F_SETSIG: another delivery path, with
 *                    no wake-up of the ring (its watermark is never reached)
 *                    and no SIGIO machinery.  FLOOR_SIGNAL does not apply.
 *
 * At the end of the process it prints to stderr
 *   floor: mode=M hz=H threads=T signals=S samples=N frames=F
 * (signals: handler calls; samples: ring records, i.e. sampling periods,
 * which exceed signals when signals merged; frames: addresses walked).
 *
 * Threads created with pthread_create are sampled from their first
 * instruction (the start routine is wrapped); fork children and exec'd
 * images are not sampled.  This is a measuring instrument, not a profiler:
 * it keeps no stacks and writes no file.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define RING_BYTES (2 * 4096) /* metadata page + one data page */

enum { MODE_OFF, MODE_RING, MODE_FP, MODE_NOSIG, MODE_TRAP, MODE_TRAP_FP };
static const char *const mode_names[] = {"off", "ring", "fp", "nosig", "trap", "trap-fp"};

#ifndef TRAP_PERF
#define TRAP_PERF 6
#endif

static int mode = MODE_RING;
static int walk;  /* fp, trap-fp: walk the frame pointers */
static int trap;  /* trap, trap-fp: attr.sigtrap delivers SIGTRAP */
static long hz = 1000;
static int depth = 10;
static int sampling_signal = SIGPROF;
static pthread_key_t key;
static _Atomic uint64_t total_signals, total_samples, total_frames, total_threads;
static _Atomic uint64_t checksum;
static int (*real_pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
				  void *);

struct tstate {
	int fd;
	struct perf_event_mmap_page *ring;
	uint64_t stack_lo, stack_hi;
	uint64_t signals, samples, frames, sink;
};

static __thread struct tstate self __attribute__((tls_model("initial-exec"))) = {.fd = -1};

static void
handler(int sig, siginfo_t *info, void *ucv)
{
	if (trap && info->si_code != TRAP_PERF)
		return; /* a SIGTRAP that is not ours: a measuring tool ignores it */
	int saved_errno = errno;
	struct tstate *t = &self;
	struct perf_event_mmap_page *pg = t->ring;
	uint64_t n = 1;
	if (pg) {
		uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
		n = (head - pg->data_tail) / sizeof(struct perf_event_header);
		__atomic_store_n(&pg->data_tail, head, __ATOMIC_RELEASE);
		if (n == 0)
			n = 1;
	}
	t->signals++;
	t->samples += n;
	if (walk) {
		const ucontext_t *uc = ucv;
		uint64_t ips[64];
		uint64_t fp = (uint64_t)uc->uc_mcontext.gregs[REG_RBP];
		int k = 0;
		ips[k++] = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
		while (k < depth && fp >= t->stack_lo && fp + 16 <= t->stack_hi && !(fp & 7)) {
			const uint64_t *frame = (const uint64_t *)fp;
			if (!frame[1])
				break;
			ips[k++] = frame[1];
			if (frame[0] <= fp)
				break;
			fp = frame[0];
		}
		uint64_t h = 0x9e3779b97f4a7c15ull;
		for (int i = 0; i < k; i++)
			h = (h ^ ips[i]) * 0xff51afd7ed558ccdull;
		t->sink ^= h;
		t->frames += (uint64_t)k;
	}
	errno = saved_errno;
}

static void
stack_bounds(struct tstate *t)
{
	pthread_attr_t a;
	void *addr;
	size_t size;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		if (pthread_attr_getstack(&a, &addr, &size) == 0) {
			t->stack_lo = (uint64_t)addr;
			t->stack_hi = (uint64_t)addr + size;
		}
		pthread_attr_destroy(&a);
	}
}

static void
arm(void)
{
	struct tstate *t = &self;
	stack_bounds(t);
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = (uint64_t)(1000000000L / hz);
	a.sample_type = 0;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	if (trap) {
		/* No wake-ups: the watermark is a whole data page, never reached
		 * while the handler consumes every record. */
		a.sigtrap = 1;
		a.remove_on_exec = 1; /* the kernel demands it with sigtrap */
		a.sig_data = 0x77687973;
		a.watermark = 1;
		a.wakeup_watermark = RING_BYTES / 2;
	} else {
		a.wakeup_events = 1;
	}
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "floor: perf_event_open(task-clock): %s\n", strerror(errno));
		return;
	}
	struct f_owner_ex owner = {F_OWNER_TID, (pid_t)syscall(SYS_gettid)};
	void *ring = NULL;
	if (mode == MODE_NOSIG)
		; /* no ring, no signal */
	else if ((!trap && (fcntl(fd, F_SETFL, O_ASYNC) < 0 ||
			    fcntl(fd, F_SETSIG, sampling_signal) < 0 ||
			    fcntl(fd, F_SETOWN_EX, &owner) < 0)) ||
		 (ring = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
			 MAP_FAILED) {
		fprintf(stderr, "floor: setting up the perf event: %s\n", strerror(errno));
		close(fd);
		return;
	}
	t->ring = ring;
	t->fd = fd;
	atomic_fetch_add(&total_threads, 1);
	pthread_setspecific(key, t); /* the destructor disarms at thread exit */
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
}

static void
disarm(struct tstate *t)
{
	if (t->fd >= 0) {
		ioctl(t->fd, PERF_EVENT_IOC_DISABLE, 0);
		uint64_t count;
		if (mode == MODE_NOSIG && read(t->fd, &count, sizeof count) == sizeof count)
			t->samples += count / (uint64_t)(1000000000L / hz); /* periods elapsed */
		sigset_t s, old;
		sigemptyset(&s);
		sigaddset(&s, sampling_signal);
		pthread_sigmask(SIG_BLOCK, &s, &old); /* no handler while the ring goes */
		if (t->ring)
			munmap(t->ring, RING_BYTES);
		t->ring = NULL;
		close(t->fd);
		t->fd = -1;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	atomic_fetch_add(&total_signals, t->signals);
	atomic_fetch_add(&total_samples, t->samples);
	atomic_fetch_add(&total_frames, t->frames);
	atomic_fetch_xor(&checksum, t->sink);
	t->signals = t->samples = t->frames = t->sink = 0;
}

static void
thread_end(void *p)
{
	disarm(p);
}

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *
start_thread(void *p)
{
	struct start s = *(struct start *)p;
	free(p);
	arm();
	return s.fn(s.arg);
}

EXPORT int
pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	if (!real_pthread_create)
		real_pthread_create = (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
					       void *))dlsym(RTLD_NEXT, "pthread_create");
	struct start *s;
	if (mode == MODE_OFF || !(s = malloc(sizeof *s)))
		return real_pthread_create(th, attr, fn, arg);
	s->fn = fn;
	s->arg = arg;
	int rc = real_pthread_create(th, attr, start_thread, s);
	if (rc != 0)
		free(s);
	return rc;
}

static long
env_long(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return def;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < min || v > max) {
		fprintf(stderr, "floor: %s=%s is not in [%ld, %ld]; using %ld\n", name, s, min, max,
			def);
		return def;
	}
	return v;
}

__attribute__((constructor)) static void
floor_start(void)
{
	real_pthread_create = (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
				       void *))dlsym(RTLD_NEXT, "pthread_create");
	const char *m = getenv("FLOOR_MODE");
	if (m && *m) {
		int i = MODE_TRAP_FP;
		while (i >= 0 && strcmp(m, mode_names[i]))
			i--;
		if (i < 0)
			fprintf(stderr, "floor: FLOOR_MODE=%s is not off, ring, fp, nosig, trap or "
					"trap-fp; using ring\n", m);
		else
			mode = i;
	}
	walk = mode == MODE_FP || mode == MODE_TRAP_FP;
	trap = mode == MODE_TRAP || mode == MODE_TRAP_FP;
	hz = env_long("FLOOR_HZ", 1000, 1, 100000);
	depth = (int)env_long("FLOOR_DEPTH", 10, 1, 64);
	sampling_signal = trap ? SIGTRAP : (int)env_long("FLOOR_SIGNAL", SIGPROF, 1, SIGRTMAX);
	if (mode == MODE_OFF)
		return;
	pthread_key_create(&key, thread_end);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask); /* as whyslow: nothing interrupts a sample */
	sigaction(sampling_signal, &sa, NULL);
	arm();
}

__attribute__((destructor)) static void
floor_end(void)
{
	disarm(&self);
	fprintf(stderr,
		"floor: mode=%s hz=%ld threads=%llu signals=%llu samples=%llu frames=%llu "
		"(checksum %llx)\n",
		mode_names[mode], hz, (unsigned long long)total_threads,
		(unsigned long long)total_signals, (unsigned long long)total_samples,
		(unsigned long long)total_frames, (unsigned long long)checksum);
}
