/* Thread registry, pthread_create interposition, per-thread records. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "collector.h"
#include "heap.h"
#include "counters.h"
#include "interpose.h"
#include "sampler.h"
#include "settings.h"
#include "textbuf.h"
#include "threads.h"
#include "unwind.h"
#include "python.h"
#include "writer.h"

__thread struct ws_thread_state *ws_self __attribute__((tls_model("initial-exec")));

#define MAX_SLOTS 65536u
/* FREE -> LIVE (registered) -> EXITING (the thread writes its own record)
 * -> FREE, or LIVE -> CLAIMED (the end of the process writes it), or
 * CLAIMED -> ORPHAN (a failed exec left the thread unsampled) -> FREE at
 * the thread's exit. */
enum { SLOT_FREE = 0, SLOT_LIVE = 1, SLOT_CLAIMED = 2, SLOT_EXITING = 3, SLOT_ORPHAN = 4 };

struct slot {
	_Atomic(struct ws_thread_state *) state;
	_Atomic int status;
};

static struct slot *slots;
static _Atomic uint32_t slot_hint;
static _Atomic uint32_t next_index;
static _Atomic uint32_t written_by_exit;
static pthread_key_t key;
/* Loops over the slots running now: an exiting thread must not unmap its
 * state while one of them may still read it. */
static _Atomic int scanners;
/* Threads between "about to claim their own record" and "written": the
 * end of the process waits for them (counted before the claim, so that
 * the end either claims the slot itself or sees the count). */
static _Atomic int exiting;
/* This thread is counted in `exiting`, with that state, and has written
 * its record (for an end of the process that interrupts it there). */
static __thread struct ws_thread_state *exiting_self __attribute__((tls_model("initial-exec")));
static __thread int exiting_written __attribute__((tls_model("initial-exec")));

static size_t
state_bytes(void)
{
	size_t page = 4096;
	return (sizeof(struct ws_thread_state) + page - 1) / page * page;
}

static void
read_name(struct ws_thread_state *t, int is_self)
{
	if (is_self) {
		prctl(PR_GET_NAME, t->info.name, 0, 0, 0);
		return;
	}
	char path[64];
	struct ws_textbuf b = ws_textbuf_init(path, sizeof path);
	ws_text_str(&b, "/proc/self/task/");
	ws_text_u64(&b, t->info.tid);
	ws_text_str(&b, "/comm");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[16];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	if (buf[n - 1] == '\n')
		n--;
	memset(t->info.name, 0, sizeof t->info.name);
	memcpy(t->info.name, buf, (size_t)n);
}

void
ws_thread_flush_timeline(struct ws_thread_state *t)
{
	if (!t->timeline_count)
		return;
	struct ws_samples h = {t->info.thread_index, t->timeline_count};
	struct iovec parts[2] = {{&h, sizeof h},
				 {t->timeline, t->timeline_count * sizeof(struct ws_sample)}};
	if (ws_writer_record(WS_REC_SAMPLES, parts, 2) != 0) { /* in periods, as every drop */
		for (uint32_t i = 0; i < t->timeline_count; i++)
			t->info.dropped[WS_DROP_TIMELINE] += t->timeline[i].weight;
	} else if (t->py_timeline_any) {
		/* the chunk's Python stacks, right after it (a loss costs the
		 * timeline its Python frames, not samples) */
		struct ws_pysamples ph = {t->info.thread_index, t->timeline_count,
					  t->timeline[0].time_ns};
		struct iovec pp[2] = {{&ph, sizeof ph},
				      {t->py_timeline, t->timeline_count * sizeof(uint32_t)}};
		ws_writer_record(WS_REC_PYSAMPLES, pp, 2);
	}
	t->timeline_count = 0;
	t->py_timeline_any = 0;
}

/* The CPU clock of thread tid, as pthread_getcpuclockid() makes it but
 * without reading the thread's pthread_t: at the end of the process a
 * detached thread may have exited and its struct pthread be unmapped
 * (clock_gettime then fails, and cpu_ns stays what it was).
 * Async-signal-safe. */
static clockid_t
thread_cpu_clock(uint32_t tid)
{
	return (clockid_t)((~(unsigned)tid << 3) | 4 /* per thread */ | 2 /* sched */);
}

/* Write t's samples and THREAD record.  Sampling of t must be stopped. */
static int
write_thread(struct ws_thread_state *t, int is_self, uint32_t flags)
{
	ws_thread_flush_timeline(t);
	ws_regs_write(&t->regs, t->info.thread_index); /* a loss costs no samples */
	ws_py_write(__atomic_load_n(&t->py, __ATOMIC_ACQUIRE), t->info.thread_index);
	t->info.end_ns = ws_now_ns();
	struct timespec ts;
	if (clock_gettime(is_self ? CLOCK_THREAD_CPUTIME_ID : thread_cpu_clock(t->info.tid), &ts) ==
	    0)
		t->info.cpu_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	read_name(t, is_self);
	t->info.flags |= flags;
	size_t stack_bytes;
	t->info.stack_count = ws_stacktab_committed(&t->tab, &stack_bytes);
	ws_counters_write_thread(t, t->info.stack_count);
	struct iovec parts[2] = {{&t->info, sizeof t->info}, {t->tab.words, stack_bytes}};
	return ws_writer_record(WS_REC_THREAD, parts, 2);
}

static void
release_state(struct ws_thread_state *t)
{
	ws_stacktab_free(&t->tab);
	ws_counters_thread_free(t);
	ws_regs_free(&t->regs);
	ws_py_thread_free(__atomic_exchange_n(&t->py, NULL, __ATOMIC_ACQ_REL));
	ws_mem_account(-(int64_t)state_bytes());
	ws_unmap(t, state_bytes());
}

/* Empty slot s whose state is t, once no loop over the slots can read t.
 * Async-signal-safe. */
static void
free_slot(uint32_t s, struct ws_thread_state *t)
{
	atomic_store(&slots[s].state, NULL);
	atomic_store(&slots[s].status, SLOT_FREE);
	while (atomic_load(&scanners))
		sched_yield();
	release_state(t);
}

/* Key destructor: the thread is ending (return, pthread_exit, cancel). */
static void
thread_exit(void *p)
{
	struct ws_thread_state *t = p;
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, ws_cfg.signal);
	ws_real.pthread_sigmask(SIG_BLOCK, &block, NULL);
	ws_self = NULL;
	ws_sampler_disarm(t);
	uint32_t s = t->slot;
	if (atomic_load(&t->orphaned)) {
		/* Only this thread touches an orphan's slot. */
		if (atomic_load(&slots[s].status) == SLOT_ORPHAN &&
		    atomic_load(&slots[s].state) == t)
			free_slot(s, t);
		return;
	}
	/* Counted first: ws_threads_finish() either claims this slot (then
	 * the CAS below fails) or sees the count and waits for the record. */
	atomic_fetch_add(&exiting, 1);
	exiting_written = 0;
	exiting_self = t;
	int expected = SLOT_LIVE;
	if (!atomic_compare_exchange_strong(&slots[s].status, &expected, SLOT_EXITING)) {
		exiting_self = NULL;
		atomic_fetch_sub(&exiting, 1);
		return; /* the end of the process claimed it first and writes it */
	}
	if (write_thread(t, 1, WS_THR_EXITED) == 0)
		atomic_fetch_add(&written_by_exit, 1);
	ws_heap_thread_exit(t->info.thread_index, t->info.tid);
	exiting_written = 1;
	exiting_self = NULL;
	atomic_fetch_sub(&exiting, 1);
	free_slot(s, t);
}

int
ws_threads_init(void)
{
	slots = ws_map(MAX_SLOTS * sizeof *slots);
	if (!slots)
		return -1;
	ws_mem_account(64 * 1024); /* the part of the registry in use, roughly */
	return pthread_key_create(&key, thread_exit) == 0 ? 0 : -1;
}

static int
take_slot(struct ws_thread_state *t)
{
	uint32_t start = atomic_load(&slot_hint);
	for (uint32_t i = 0; i < MAX_SLOTS; i++) {
		uint32_t s = (start + i) % MAX_SLOTS;
		int expected = SLOT_FREE;
		if (atomic_load(&slots[s].status) == SLOT_FREE &&
		    atomic_compare_exchange_strong(&slots[s].status, &expected, SLOT_LIVE)) {
			t->slot = s;
			atomic_store(&slots[s].state, t);
			atomic_store(&slot_hint, s + 1);
			return 0;
		}
	}
	return -1;
}

static void
find_stack(struct ws_thread_state *t)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
			t->stack_lo = (uint64_t)addr;
			t->stack_hi = (uint64_t)addr + size;
		}
		pthread_attr_destroy(&attr);
	}
}

static void
reset_info(struct ws_thread_state *t, int is_main)
{
	memset(&t->info, 0, sizeof t->info);
	t->info.thread_index = is_main ? 0 : atomic_fetch_add(&next_index, 1);
	t->info.tid = (uint32_t)gettid();
	t->info.flags = is_main ? WS_THR_MAIN : 0;
	t->info.start_ns = ws_now_ns();
	prctl(PR_GET_NAME, t->info.name, 0, 0, 0);
	t->timeline_count = 0;
	t->py_timeline_any = 0;
}

/* Threads are taken on while sampling runs, and also while another thread
 * forks (PAUSED): a thread created then lives on in the parent. */
static bool
taking_threads(void)
{
	int phase = atomic_load(&ws_phase);
	return phase == WS_PHASE_RUNNING || phase == WS_PHASE_PAUSED;
}

struct ws_thread_state *
ws_thread_register(int is_main)
{
	if (!taking_threads() || !slots)
		return NULL;
	struct ws_thread_state *t = ws_map(state_bytes());
	if (!t)
		return NULL;
	ws_mem_account((int64_t)state_bytes());
	if (ws_stacktab_init(&t->tab, ws_cfg.max_stacks) != 0) {
		ws_mem_account(-(int64_t)state_bytes());
		ws_unmap(t, state_bytes());
		return NULL;
	}
	if (is_main)
		atomic_store(&next_index, 1);
	reset_info(t, is_main);
	ws_regs_init(&t->regs, t->info.thread_index); /* off when it fails */
	t->self = pthread_self();
	t->perf_fd = -1;
	ws_heap_internal_begin();
	find_stack(t);
	ws_unwind_warm(t->stack_lo, t->stack_hi);
	ws_heap_internal_end();
	if (take_slot(t) != 0) {
		ws_notef("more than %u threads alive at once: later ones are not sampled",
			 MAX_SLOTS);
		release_state(t);
		return NULL;
	}
	/* After the slot is taken: an interpreter detected meanwhile (dlopen
	 * in another thread) either sees this slot or is seen here. */
	ws_py_thread_attach(&t->py); /* NULL unless a Python interpreter runs here */
	/* The end of the process may have begun since the check above, and
	 * its claim of the live slots passed this one: nothing of this thread
	 * may be written after END.  (Dekker with ws_threads_finish: the slot
	 * is LIVE before the phase is read; the phase left RUNNING before the
	 * claims.) */
	if (!taking_threads()) {
		int expected = SLOT_LIVE;
		if (atomic_compare_exchange_strong(&slots[t->slot].status, &expected, SLOT_EXITING))
			free_slot(t->slot, t);
		/* else: claimed, and written as a thread without samples. */
		return NULL;
	}
	ws_self = t;
	pthread_setspecific(key, t);
	ws_sampler_arm(t);
	return t;
}

void
ws_threads_wait_handlers(void)
{
	atomic_fetch_add(&scanners, 1);
	struct ws_thread_state *me = ws_self;
	uint64_t give_up = ws_now_ns() + 1000000000ull; /* a handler takes microseconds */
	for (uint32_t s = 0; s < MAX_SLOTS && slots; s++) {
		if (atomic_load(&slots[s].status) == SLOT_FREE)
			continue;
		struct ws_thread_state *t = atomic_load(&slots[s].state);
		if (t == me)
			continue; /* we may be inside our own handler (a fault there) */
		while (t && atomic_load(&t->in_handler) && ws_now_ns() < give_up)
			sched_yield();
	}
	atomic_fetch_sub(&scanners, 1);
}

void
ws_threads_disarm_all(void)
{
	atomic_fetch_add(&scanners, 1);
	for (uint32_t s = 0; s < MAX_SLOTS && slots; s++) {
		if (atomic_load(&slots[s].status) != SLOT_CLAIMED)
			continue;
		struct ws_thread_state *t = atomic_load(&slots[s].state);
		if (t)
			ws_sampler_disarm(t);
	}
	atomic_fetch_sub(&scanners, 1);
}

int64_t
ws_threads_finish(void)
{
	/* Claim every live thread first: a thread exiting now then leaves its
	 * state to us instead of unmapping it under our feet. */
	static uint8_t mine[MAX_SLOTS];
	for (uint32_t s = 0; s < MAX_SLOTS && slots; s++) {
		int expected = SLOT_LIVE;
		mine[s] = atomic_compare_exchange_strong(&slots[s].status, &expected, SLOT_CLAIMED);
	}
	ws_threads_disarm_all();
	ws_threads_wait_handlers();
	atomic_fetch_add(&scanners, 1);
	struct ws_thread_state *me = ws_self;
	for (uint32_t s = 0; s < MAX_SLOTS && slots; s++) {
		if (!mine[s])
			continue;
		struct ws_thread_state *t = atomic_load(&slots[s].state);
		if (t && write_thread(t, t == me, 0) == 0)
			atomic_fetch_add(&written_by_exit, 1);
	}
	atomic_fetch_sub(&scanners, 1);
	/* The end interrupted this thread's own exit (a fatal signal in its
	 * key destructor): its record is written here, if it was not. */
	int self = exiting_self != NULL;
	if (self && !exiting_written) {
		if (write_thread(exiting_self, 1, WS_THR_EXITED) == 0)
			atomic_fetch_add(&written_by_exit, 1);
		exiting_written = 1;
	}
	/* Threads that claimed their own record before the claims above are
	 * writing it now (a few system calls): END must come after. */
	uint64_t give_up = ws_now_ns() + 10 * 1000000000ull;
	while (atomic_load(&exiting) > self) {
		if (ws_now_ns() > give_up)
			return -1;
		sched_yield();
	}
	return atomic_load(&written_by_exit);
}

void
ws_threads_attach_python(void)
{
	atomic_fetch_add(&scanners, 1); /* an exiting thread keeps its state */
	for (uint32_t s = 0; s < MAX_SLOTS && slots; s++) {
		if (atomic_load(&slots[s].status) != SLOT_LIVE)
			continue;
		struct ws_thread_state *t = atomic_load(&slots[s].state);
		if (t)
			ws_py_thread_attach(&t->py);
	}
	atomic_fetch_sub(&scanners, 1);
}

uint32_t
ws_threads_written(void)
{
	return atomic_load(&written_by_exit);
}

/* The calling thread alone starts again as the main thread of a new file:
 * its counters and stack table are reset and its slot is LIVE again.
 * Async-signal-safe (mmap, munmap, prctl). */
static void
restart_self(struct ws_thread_state *me)
{
	atomic_store(&written_by_exit, 0);
	exiting_self = NULL;
	atomic_store(&next_index, 1);
	if (!me)
		return;
	atomic_store(&me->in_handler, 0);
	ws_stacktab_free(&me->tab);
	if (ws_stacktab_init(&me->tab, ws_cfg.max_stacks) != 0) {
		ws_self = NULL;
		return;
	}
	reset_info(me, 1);
	ws_regs_reset(&me->regs);
	ws_py_reset(__atomic_load_n(&me->py, __ATOMIC_ACQUIRE));
	atomic_store(&slots[me->slot].status, SLOT_LIVE);
}

void
ws_threads_after_fork(void)
{
	struct ws_thread_state *me = ws_self;
	/* Other threads do not exist in the child: forget them (their pages
	 * are copy-on-write copies of the parent's, never touched). */
	for (uint32_t s = 0; s < MAX_SLOTS && slots; s++) {
		if (atomic_load(&slots[s].status) == SLOT_FREE)
			continue;
		if (me && s == me->slot)
			continue;
		struct ws_thread_state *t = atomic_load(&slots[s].state);
		if (t)
			ws_sampler_forget(t); /* the parent's descriptors: close our copies */
		atomic_store(&slots[s].state, NULL);
		atomic_store(&slots[s].status, SLOT_FREE);
	}
	atomic_store(&scanners, 0);
	atomic_store(&exiting, 0); /* (after a failed exec the others' counts stand) */
	if (me) {
		ws_sampler_forget(me); /* timers are not inherited; perf events are */
		ws_mem_reset(state_bytes() + 64 * 1024 + me->regs.bytes);
	}
	restart_self(me);
}

void
ws_threads_after_exec_failure(void)
{
	struct ws_thread_state *me = ws_self;
	/* The other threads run on, unsampled (ws_collector_finish disarmed
	 * them): orphans keep their state, which their own exit unmaps, and
	 * their slot, which nobody else takes meanwhile. */
	atomic_fetch_add(&scanners, 1);
	for (uint32_t s = 0; s < MAX_SLOTS && slots; s++) {
		if (me && s == me->slot)
			continue;
		int expected = SLOT_CLAIMED;
		struct ws_thread_state *t = atomic_load(&slots[s].state);
		if (t && atomic_load(&slots[s].status) == SLOT_CLAIMED) {
			atomic_store(&t->orphaned, 1);
			atomic_compare_exchange_strong(&slots[s].status, &expected, SLOT_ORPHAN);
		}
	}
	atomic_fetch_sub(&scanners, 1);
	restart_self(me);
}

/* ---- pthread_create interposition ---- */

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *
thread_start(void *p)
{
	struct start s = *(struct start *)p;
	free(p);
	ws_thread_register(0);
	return s.fn(s.arg);
}

WS_EXPORT int
pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	ws_real_init();
	ws_collector_start_once();
	if (!taking_threads())
		return ws_real.pthread_create(thread, attr, fn, arg);
	struct start *s = malloc(sizeof *s);
	if (!s)
		return ws_real.pthread_create(thread, attr, fn, arg);
	s->fn = fn;
	s->arg = arg;
	int rc = ws_real.pthread_create(thread, attr, thread_start, s);
	if (rc != 0)
		free(s);
	return rc;
}
