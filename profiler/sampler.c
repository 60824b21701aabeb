/* Sampling sources and the sample handler (see sampler.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "counters.h"
#include "perf_ring.h"
#include "python.h"
#include "sampler.h"
#include "settings.h"
#include "stacktab.h"
#include "unwind.h"

#define WS_TIMER_COOKIE ((void *)(uintptr_t)0x77687973u) /* "whys" */

static _Atomic int source;	   /* enum ws_source in use */
static _Atomic int perf_works;	   /* a perf source has been armed once */
static _Atomic int exclude_kernel; /* the kernel refused kernel-mode samples */

/* --sample-on: WHYSLOW_SAMPLE_ON = TYPE:CONFIG:CONFIG1:CONFIG2:EXCLUDE:PERIOD
 * (hex) and WHYSLOW_SAMPLE_ON_NAME, set by whyslow record after checking
 * that the kernel samples on that event. */
static struct {
	bool on;
	uint32_t type, exclude;
	uint64_t config, config1, config2, period;
	char name[128];
} sample_on;

static bool
parse_sample_on(const char *s)
{
	unsigned long long v[6];
	for (int i = 0; i < 6; i++) {
		char *end;
		errno = 0;
		v[i] = strtoull(s, &end, 16);
		if (errno || end == s || *end != (i == 5 ? '\0' : ':'))
			return false;
		s = end + (i < 5);
	}
	if (v[0] > UINT32_MAX || v[4] > 7 || v[5] == 0)
		return false;
	sample_on.type = (uint32_t)v[0];
	sample_on.config = v[1];
	sample_on.config1 = v[2];
	sample_on.config2 = v[3];
	sample_on.exclude = (uint32_t)v[4];
	sample_on.period = v[5];
	return true;
}

int
ws_sampler_source(void)
{
	return atomic_load(&source);
}

static int
read_paranoid(void)
{
	int fd = open("/proc/sys/kernel/perf_event_paranoid", O_RDONLY | O_CLOEXEC);
	char buf[16] = {0};
	if (fd < 0)
		return -99;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -99;
}

/* Is this process traced (a debugger or strace attached)?  From
 * /proc/self/status's TracerPid; false when it cannot be read. */
static bool
traced(void)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	const char *t = strstr(buf, "\nTracerPid:");
	return t && atoi(t + 12) != 0;
}

/* Can the kernel deliver a perf event's overflow as SIGTRAP itself
 * (attr.sigtrap, Linux >= 5.13)?  Opens a disabled event and closes it. */
static bool
kernel_has_sigtrap(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = 1000000;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.sigtrap = 1;
	a.remove_on_exec = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* WHYSLOW_SIGNAL unset or "auto": the perf event's own SIGTRAP delivery
 * where it can be used (about half the kernel's cost of a sample: no
 * irq_work self-interrupt; docs/overhead.md), SIGPROF elsewhere.  Not when
 * the process is traced from the start: a debugger stops on every
 * SIGTRAP. */
static void
choose_signal(int src)
{
	if (!ws_cfg.signal_auto ||
	    (src != WS_SOURCE_PERF_TASK_CLOCK && src != WS_SOURCE_PERF_EVENT))
		return;
	if (traced()) {
		ws_notef(
		    "a debugger or tracer was attached when the program started: samples are "
		    "delivered as SIGPROF, not as the perf event's cheaper SIGTRAP, on which a "
		    "debugger would stop");
		return;
	}
	if (kernel_has_sigtrap())
		ws_cfg.signal = SIGTRAP;
}

int
ws_sampler_choose(void)
{
	const char *so = getenv("WHYSLOW_SAMPLE_ON");
	if (so && *so && ws_cfg.clock == WS_CLOCK_CPU) {
		const char *name = getenv("WHYSLOW_SAMPLE_ON_NAME");
		snprintf(sample_on.name, sizeof sample_on.name, "%s", name && *name ? name : "?");
		if (parse_sample_on(so)) {
			sample_on.on = true;
			source = WS_SOURCE_PERF_EVENT;
			ws_notef("samples are taken every %llu %s events (--sample-on), not on CPU "
				 "time: a sample stands for %llu events",
				 (unsigned long long)sample_on.period, sample_on.name,
				 (unsigned long long)sample_on.period);
			choose_signal(source);
			return source;
		}
		ws_warnf("WHYSLOW_SAMPLE_ON=%s does not parse; sampling CPU time", so);
		ws_notef("WHYSLOW_SAMPLE_ON did not parse: CPU time was sampled instead of %s",
			 sample_on.name);
	}
	if (ws_cfg.clock == WS_CLOCK_WALL)
		source = WS_SOURCE_WALL_TIMER;
	else if (ws_cfg.source_pref == WS_PREF_TIMER)
		source = WS_SOURCE_CPU_TIMER;
	else
		source = WS_SOURCE_PERF_TASK_CLOCK;
	if (ws_cfg.clock == WS_CLOCK_WALL && ws_cfg.source_pref == WS_PREF_PERF)
		ws_notef("--source perf counts CPU time only; wall-clock sampling uses per-thread "
			 "CLOCK_MONOTONIC timers");
	choose_signal(source);
	return source;
}

#define RING_PAGE 4096
#define RING_BYTES (2 * RING_PAGE) /* metadata page + one data page */
/* Most periods one sample may stand for (the weight is a u32). */
#define MAX_WEIGHT (1u << 24)

#ifndef TRAP_PERF
#define TRAP_PERF 6 /* si_code of a perf event's SIGTRAP (attr.sigtrap) */
#endif
#define WS_PERF_COOKIE 0x77687973u /* attr.sig_data: "whys" */

static _Atomic int sigtrap_refused; /* the kernel has no attr.sigtrap */

/* si_perf_data: glibc's siginfo_t does not name it yet.  The kernel's
 * _sigfault layout on 64-bit: si_addr at 16, then the union whose _perf
 * member starts with the long si_perf_data, at 24. */
static unsigned long
si_perf_data(const siginfo_t *info)
{
	unsigned long v;
	memcpy(&v, (const char *)info + 24, sizeof v);
	return v;
}

/* Two ways to get the overflow to the thread as a signal:
 *  - SIGIO-style (any signal but SIGTRAP): a ring-buffer wake-up on every
 *    record (wakeup_events = 1) signals the fd's owner thread (F_SETOWN_EX,
 *    F_SETSIG).  The wake-up is an irq_work: in a VM a self-IPI and its
 *    exits, measured at ~18 µs a sample here against ~4 µs for the timer.
 *  - attr.sigtrap (when the sampling signal is SIGTRAP, Linux >= 5.13): the
 *    kernel sends SIGTRAP (si_code TRAP_PERF) itself, queued as task work on
 *    the way back to user mode (since 6.10), so no IPI; the ring is still
 *    mapped to count the periods, with a watermark it never reaches (no
 *    wake-ups).  About half the cost per sample on the reference VM
 *    (docs/overhead.md); kernels without it fall back to the first way.
 * Either way the handler only marks the records consumed, so no system call
 * is needed to re-arm (PERF_EVENT_IOC_REFRESH costs several microseconds in
 * a VM). */
static int
open_perf(struct ws_thread_state *t, void **ring, int exclude_kernel)
{
	bool trap = ws_cfg.signal == SIGTRAP && !atomic_load(&sigtrap_refused);
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = 1000000000ull / ws_cfg.hz;
	if (sample_on.on) {
		a.type = sample_on.type;
		a.config = sample_on.config;
		a.config1 = sample_on.config1;
		a.config2 = sample_on.config2;
		a.sample_period = sample_on.period;
		a.exclude_user = sample_on.exclude & 1;
		exclude_kernel = (sample_on.exclude >> 1) & 1;
	}
	a.disabled = 1;
	a.sample_type = 0; /* the records are only a wake-up; the handler unwinds */
	/* With exclude_kernel the task clock only ticks in user mode, and CPU
	 * time spent in system calls is never sampled; perf_event_paranoid >= 2
	 * demands it from unprivileged users. */
	a.exclude_kernel = (unsigned)exclude_kernel;
	a.exclude_hv = 1;
	if (trap) {
		a.sigtrap = 1;
		a.remove_on_exec = 1; /* required with sigtrap; exec re-arms anyway */
		a.sig_data = WS_PERF_COOKIE;
		a.watermark = 1;
		a.wakeup_watermark = RING_BYTES / 2; /* one data page: never reached */
	} else {
		a.wakeup_events = 1;
	}
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && trap && (errno == EINVAL || errno == E2BIG)) {
		/* A kernel without attr.sigtrap (< 5.13): SIGTRAP through F_SETSIG. */
		atomic_store(&sigtrap_refused, 1);
		ws_notef("this kernel cannot deliver perf samples as SIGTRAP itself (Linux < "
			 "5.13): SIGTRAP is sent the usual way (F_SETSIG)");
		return open_perf(t, ring, exclude_kernel);
	}
	if (fd < 0)
		return -errno;
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 256);
	if (high >= 0) {
		close(fd);
		fd = high;
	}
	struct f_owner_ex owner = {F_OWNER_TID, (pid_t)gettid()};
	struct stat st;
	if ((!trap && (fcntl(fd, F_SETFL, O_ASYNC) < 0 || fcntl(fd, F_SETSIG, ws_cfg.signal) < 0 ||
		       fcntl(fd, F_SETOWN_EX, &owner) < 0)) ||
	    ioctl(fd, PERF_EVENT_IOC_RESET, 0) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ID, &t->perf_id) < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	/* Its identity, checked before whyslow touches the number again. */
	t->perf_dev = (uint64_t)st.st_dev;
	t->perf_ino = (uint64_t)st.st_ino;
	*ring = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*ring == MAP_FAILED) {
		int e = errno;
		close(fd);
		*ring = NULL;
		return -e;
	}
	return fd;
}

static int
arm_timer(struct ws_thread_state *t, int src)
{
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = ws_cfg.signal;
	sev.sigev_value.sival_ptr = WS_TIMER_COOKIE;
	sev._sigev_un._tid = (pid_t)gettid();
	clockid_t clk = src == WS_SOURCE_WALL_TIMER ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID;
	if (timer_create(clk, &sev, &t->timer) != 0)
		return -errno;
	long period = 1000000000L / (long)ws_cfg.hz;
	struct itimerspec its = {{period / 1000000000L, period % 1000000000L},
				 {period / 1000000000L, period % 1000000000L}};
	if (timer_settime(t->timer, 0, &its, NULL) != 0) {
		int e = errno;
		timer_delete(t->timer);
		return -e;
	}
	atomic_store(&t->has_timer, 1);
	return 0;
}

int
ws_sampler_arm(struct ws_thread_state *t)
{
	ws_counters_thread_init(t);
	int src = atomic_load(&source);
	if (src == WS_SOURCE_PERF_EVENT) {
		void *ring = NULL;
		int fd = open_perf(t, &ring, 1);
		if (fd >= 0) {
			t->perf_ring = ring;
			t->perf_fd_last = fd;
			atomic_store(&t->perf_fd, fd);
			t->info.source = WS_SOURCE_PERF_EVENT;
			ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
			return 0;
		}
		/* No timer instead: that would pass time off as events. */
		t->info.source = WS_SOURCE_NONE;
		t->info.source_errno = (uint32_t)-fd;
		ws_notef("thread %u is not sampled: perf_event_open(%s, every %llu) failed: %s",
			 t->info.tid, sample_on.name, (unsigned long long)sample_on.period,
			 strerror(-fd));
		return fd;
	}
	if (src == WS_SOURCE_PERF_TASK_CLOCK) {
		void *ring = NULL;
		/* User time only: an overflow in kernel mode leaves the signal
		 * pending inside a system call, and calls that are never restarted
		 * (ppoll, pselect, semop...) would return EINTR to a program that
		 * handles no signal at all. */
		int fd = open_perf(t, &ring, 1);
		if (fd >= 0 && !atomic_exchange(&exclude_kernel, 1))
			ws_notef("the perf task clock samples user time: CPU time spent inside "
				 "system calls is not sampled (--source timer samples it, at the "
				 "kernel tick's rate)");
		if (fd >= 0) {
			t->perf_ring = ring;
			t->perf_fd_last = fd;
			atomic_store(&t->perf_fd, fd);
			t->info.source = WS_SOURCE_PERF_TASK_CLOCK;
			atomic_store(&perf_works, 1);
			ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
			return 0;
		}
		t->info.source_errno = (uint32_t)-fd;
		if (!atomic_load(&perf_works)) {
			/* The kernel refuses perf events here: fall back for everyone. */
			atomic_store(&source, WS_SOURCE_CPU_TIMER);
			ws_notef(
			    "perf_event_open(task-clock) failed: %s (perf_event_paranoid = %d); "
			    "sampling with POSIX CPU timers, whose rate is bound to the kernel "
			    "tick",
			    strerror(-fd), read_paranoid());
		} else {
			ws_notef("thread %u: perf_event_open failed (%s); this thread uses a POSIX "
				 "CPU timer",
				 t->info.tid, strerror(-fd));
		}
		src = WS_SOURCE_CPU_TIMER;
	}
	int rc = arm_timer(t, src);
	if (rc == 0) {
		t->info.source = (uint32_t)src;
		return 0;
	}
	t->info.source = WS_SOURCE_NONE;
	t->info.source_errno = (uint32_t)-rc;
	ws_notef("thread %u is not sampled: timer_create failed: %s", t->info.tid, strerror(-rc));
	return rc;
}

/* Is fd still t's perf event?  The program may have closed every
 * descriptor (closefrom, close_range, a loop) and reused the number for a
 * file of its own: whyslow must then neither ioctl nor close it.  The
 * inode (perf events are anonymous inodes) is checked first, so that the
 * ioctl never reaches a device file; the event id is unique.
 * Async-signal-safe. */
static bool
perf_fd_is_ours(const struct ws_thread_state *t, int fd)
{
	struct stat st;
	uint64_t id;
	return fstat(fd, &st) == 0 && (uint64_t)st.st_dev == t->perf_dev &&
	       (uint64_t)st.st_ino == t->perf_ino && ioctl(fd, PERF_EVENT_IOC_ID, &id) == 0 &&
	       id == t->perf_id;
}

/* Is the mapping at pg still the ring of a perf event (the kernel keeps
 * these two fields)?  Only a program that mapped over it would fail this;
 * then whyslow must not write data_tail into the program's memory.
 * Async-signal-safe. */
static bool
ring_is_ours(const struct perf_event_mmap_page *pg)
{
	return pg && pg->data_offset == RING_PAGE && pg->data_size == RING_BYTES - RING_PAGE;
}

void
ws_sampler_disarm(struct ws_thread_state *t)
{
	int fd = atomic_exchange(&t->perf_fd, -1);
	if (fd >= 0) {
		bool fd_ours = perf_fd_is_ours(t, fd);
		if (fd_ours)
			ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
		/* Unmapping the ring also ends an event whose descriptor the
		 * program closed (the mapping held the last reference). */
		if (ring_is_ours(t->perf_ring))
			munmap(t->perf_ring, RING_BYTES);
		t->perf_ring = NULL;
		if (fd_ours)
			close(fd);
	}
	if (atomic_exchange(&t->has_timer, 0))
		timer_delete(t->timer);
	ws_counters_thread_fini(t);
}

void
ws_sampler_forget(struct ws_thread_state *t)
{
	int fd = atomic_exchange(&t->perf_fd, -1);
	if (fd >= 0) {
		/* A fork child has no ring: perf rings are not copied
		 * (VM_DONTCOPY), so there is nothing to unmap or read. */
		t->perf_ring = NULL;
		if (perf_fd_is_ours(t, fd))
			close(fd); /* our copy of the parent's event */
	}
	atomic_store(&t->has_timer, 0);
	ws_counters_thread_forget(t);
}

bool
ws_sampler_is_ours(const siginfo_t *info)
{
	if (info->si_code == SI_TIMER)
		return info->si_value.sival_ptr == WS_TIMER_COOKIE;
	if (info->si_code == TRAP_PERF && info->si_signo == SIGTRAP)
		return si_perf_data(info) == WS_PERF_COOKIE;
	if (info->si_code == POLL_IN || info->si_code == POLL_HUP || info->si_code == POLL_OUT) {
		struct ws_thread_state *t = ws_self;
		return !t || info->si_fd == atomic_load(&t->perf_fd) ||
		       info->si_fd == t->perf_fd_last || atomic_load(&ws_phase) != WS_PHASE_RUNNING;
	}
	return false;
}

/* Mark every record of the ring read, so the kernel never finds it full,
 * and return how many sampling periods they stand for (perf_ring.h:
 * overflows, plus those the kernel lost while the ring was full; throttling
 * records count nothing).  Signals merge while one is pending, so one
 * signal may stand for many periods -- or for none, when the handler of
 * the previous signal already consumed this overflow's record. */
static uint32_t
consume_ring(struct ws_thread_state *t)
{
	struct perf_event_mmap_page *pg = t->perf_ring;
	if (!ring_is_ours(pg)) {
		t->perf_ring = NULL;
		return 1; /* no ring to count: one period per signal */
	}
	uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = pg->data_tail;
	uint64_t n = ws_perf_ring_periods((const uint8_t *)pg + RING_PAGE, RING_BYTES - RING_PAGE,
					  tail, head);
	__atomic_store_n(&pg->data_tail, head, __ATOMIC_RELEASE);
	return n > MAX_WEIGHT ? MAX_WEIGHT : (uint32_t)n;
}

/* Periods a timer signal stands for: 1 + the overruns the kernel counted. */
static uint32_t
timer_weight(const siginfo_t *info)
{
	if (info->si_code != SI_TIMER || info->si_overrun <= 0)
		return 1;
	return info->si_overrun > 100000 ? 100001u : 1u + (uint32_t)info->si_overrun;
}

void
ws_sampler_take(const siginfo_t *info, ucontext_t *uc)
{
	struct ws_thread_state *t = ws_self;
	if (!t || atomic_load_explicit(&t->orphaned, memory_order_relaxed))
		return; /* an orphan's data went to the file of a failed exec */
	if (atomic_exchange(&t->in_handler, 1)) {
		/* A perf ring is left alone (the outer run may be reading it):
		 * its records are counted by the next sample. */
		if (atomic_load(&t->perf_fd) < 0)
			t->info.dropped[WS_DROP_REENTRY] += timer_weight(info);
		return;
	}
	/* The phase first: once it is not RUNNING, whoever changed it may
	 * not wait for this handler, and the ring may be unmapped under it
	 * (except while PAUSED for a fork, when nothing is disarmed). */
	int phase = atomic_load(&ws_phase);
	int fd = atomic_load(&t->perf_fd);
	if (phase != WS_PHASE_RUNNING) {
		if (phase == WS_PHASE_PAUSED) /* after the end is not a loss */
			t->info.dropped[WS_DROP_PAUSED] +=
			    fd >= 0 ? consume_ring(t) : timer_weight(info);
		atomic_store(&t->in_handler, 0);
		return;
	}
	uint64_t t0 = ws_now_ns();
	uint32_t weight = fd >= 0 ? consume_ring(t) : timer_weight(info);
	if (weight == 0) { /* its period was counted by the previous sample */
		atomic_store(&t->in_handler, 0);
		return;
	}
	ws_counters_sample_begin(t);
	uint32_t flags;
	uint32_t n = ws_unwind(uc, t->stack_lo, t->stack_hi, t->scratch, ws_cfg.depth, &flags);
	if (flags & WS_STK_UNWIND_ERR)
		t->info.unwind_errors++;
	if (flags & WS_STK_TRUNCATED)
		t->info.truncated++;
	int64_t id = ws_stacktab_add(&t->tab, t->scratch, n, flags, weight);
	if (id < 0) {
		t->info.dropped[WS_DROP_TABLE_FULL] += weight;
	} else {
		t->info.samples += weight;
		struct ws_sample *s = &t->timeline[t->timeline_count++];
		s->time_ns = t0;
		s->stack = (uint32_t)id;
		s->weight = weight;
		ws_regs_take(&t->regs, uc, t0, (uint32_t)id);
		int64_t py = ws_py_take(__atomic_load_n(&t->py, __ATOMIC_ACQUIRE),
					n ? t->scratch[0] : 0, (uint32_t)id, weight);
		t->py_timeline[t->timeline_count - 1] = py >= 0 ? (uint32_t)py + 1 : 0;
		t->py_timeline_any |= py >= 0;
		if (t->timeline_count == WS_TIMELINE_CAP)
			ws_thread_flush_timeline(t);
	}
	ws_counters_sample_end(t, id);
	uint64_t dt = ws_now_ns() - t0;
	t->info.handler_ns += dt;
	if (dt > t->info.handler_max_ns)
		t->info.handler_max_ns = dt;
	atomic_store(&t->in_handler, 0);
}
