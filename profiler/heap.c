/* The heap source (see heap.h and docs/memory.md).
 *
 * Per allocator call, in the common case: the real call, the usable size of
 * the block (the real malloc_usable_size), two adds to the calling thread's
 * own counters, one atomic add to the live heap, and the per-thread
 * sampling countdown; per free, the usable size, the adds, and a look at a
 * 64 Ki-entry counting filter of sampled addresses (and, while blocks the
 * collector allocated under its guard are live, at a 4 Ki-entry one of
 * theirs).  Only a sampled
 * allocation (about one per WHYSLOW_HEAP_SAMPLE bytes) unwinds and takes
 * the lock.
 */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "arena.h"
#include "collector.h"
#include "heap.h"
#include "interpose.h"
#include "profile_format.h"
#include "settings.h"
#include "stacktab.h"
#include "threads.h"
#include "unwind.h"
#include "writer.h"

#define TLS __thread __attribute__((tls_model("initial-exec")))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- the real functions ---- */

static struct {
	void *(*malloc)(size_t);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void *(*reallocarray)(void *, size_t, size_t);
	void (*free)(void *);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	size_t (*usable)(void *);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*munmap)(void *, size_t);
} real;

/* The library's own mappings (from _dl_find_object, when the real
 * functions are resolved): frames there are stripped from heap stacks,
 * and mmap calls from there are the collector's. */
static uintptr_t self_lo, self_hi;

static _Atomic int resolved; /* 0 no, 1 in progress, 2 done */
static TLS int resolving_here;

/* dlsym's own allocations while the pointers are resolved: a bump arena
 * whose blocks carry their size in the 16 bytes before them. */
static _Alignas(64) char boot_mem[64 * 1024];
static _Atomic size_t boot_used;

static void *
boot_alloc(size_t n, size_t align)
{
	if (align < 16)
		align = 16;
	size_t need = n + 16 + align;
	size_t off = atomic_fetch_add(&boot_used, need);
	if (off + need > sizeof boot_mem)
		return NULL;
	uintptr_t p = (uintptr_t)boot_mem + off + 16;
	p = (p + align - 1) & ~(uintptr_t)(align - 1);
	((size_t *)p)[-1] = n;
	return (void *)p;
}

static inline bool
is_boot(const void *p)
{
	return (const char *)p >= boot_mem && (const char *)p < boot_mem + sizeof boot_mem;
}

static void *
need(const char *name, bool required)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p && required) {
		static const char msg[] =
		    "whyslow: cannot find the allocator function it needs; aborting\n";
		(void)!write(2, msg, sizeof msg - 1);
		abort();
	}
	return p;
}

static void
resolve(void)
{
	if (atomic_load_explicit(&resolved, memory_order_acquire) == 2)
		return;
	int expected = 0;
	if (!atomic_compare_exchange_strong(&resolved, &expected, 1)) {
		while (atomic_load_explicit(&resolved, memory_order_acquire) != 2)
			syscall(SYS_sched_yield);
		return;
	}
	resolving_here = 1;
	struct dl_find_object self;
	if (_dl_find_object((void *)resolve, &self) == 0) {
		self_lo = (uintptr_t)self.dlfo_map_start;
		self_hi = (uintptr_t)self.dlfo_map_end;
	}
	/* dlsym may call calloc (and free what it got): the boot arena. */
	real.malloc = need("malloc", true);
	real.calloc = need("calloc", true);
	real.realloc = need("realloc", true);
	real.reallocarray = need("reallocarray", false);
	real.free = need("free", true);
	real.posix_memalign = need("posix_memalign", true);
	real.aligned_alloc = need("aligned_alloc", false);
	real.memalign = need("memalign", false);
	real.valloc = need("valloc", false);
	real.pvalloc = need("pvalloc", false);
	real.usable = need("malloc_usable_size", true);
	real.mmap = need("mmap", true);
	real.munmap = need("munmap", true);
	resolving_here = 0;
	atomic_store_explicit(&resolved, 2, memory_order_release);
}

/* ---- exact counts ---- */

struct counts {
	uint64_t calls[WS_HEAP_NKINDS];
	uint64_t bytes[WS_HEAP_NKINDS];
	uint64_t failed;
	int64_t live_delta; /* usable bytes not yet added to live_bytes */
} __attribute__((aligned(64)));

#define NBLOCKS 4096
static struct counts blocks[NBLOCKS]; /* one per thread, never reused */
static _Atomic uint32_t nblocks;
static struct counts shared_counts; /* threads beyond NBLOCKS: atomic adds */
static TLS struct counts *my_counts;

/* One add, interrupt-safe on the thread's own block (a single instruction,
 * so a signal handler of the same thread cannot split it); atomic on the
 * shared one. */
static inline void
add_to(struct counts *c, uint64_t *field, uint64_t v)
{
	if (LIKELY(c != &shared_counts))
		__asm__ volatile("addq %1, %0" : "+m"(*field) : "er"(v));
	else
		__atomic_fetch_add(field, v, __ATOMIC_RELAXED);
}

static inline struct counts *
counts_of_thread(void)
{
	struct counts *c = my_counts;
	if (UNLIKELY(!c)) {
		uint32_t i = atomic_fetch_add(&nblocks, 1);
		c = i < NBLOCKS ? &blocks[i] : &shared_counts;
		my_counts = c;
	}
	return c;
}

static inline void
count(int kind, uint64_t bytes)
{
	struct counts *c = counts_of_thread();
	add_to(c, &c->calls[kind], 1);
	add_to(c, &c->bytes[kind], bytes);
}

static inline void
count_failed(void)
{
	struct counts *c = counts_of_thread();
	add_to(c, &c->failed, 1);
}

/* Live heap (usable bytes of malloc-family blocks) and its peak.  Each
 * thread adds its allocations and frees to a delta of its own (plain adds,
 * no locked instruction: those dominated the cost) and moves the delta to
 * the process-wide figure when it reaches flush_bytes either way, so the
 * process-wide live heap, and the peak taken from it, are exact to within
 * flush_bytes per thread (16 KiB; 0, exact, when every allocation is
 * sampled).  The peak's time is taken at the first free after a new peak:
 * the moment the heap leaves it. */
static _Atomic int64_t live_bytes;
static _Atomic int64_t peak_bytes;
static _Atomic uint64_t peak_ns;
static _Atomic int peak_unstamped;
static _Atomic uint64_t count_start_ns;
static _Atomic int counting = 1; /* off when the heap source is off */
static int64_t flush_bytes = 16 * 1024;
static int64_t base_live_blocks; /* blocks a fork child inherited */

static void
live_flush(struct counts *c)
{
	int64_t d = __atomic_exchange_n(&c->live_delta, 0, __ATOMIC_RELAXED);
	int64_t now = atomic_fetch_add_explicit(&live_bytes, d, memory_order_relaxed) + d;
	int64_t peak = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
	if (now > peak) {
		while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now))
			;
		if (!atomic_load_explicit(&peak_unstamped, memory_order_relaxed))
			atomic_store_explicit(&peak_unstamped, 1, memory_order_relaxed);
	}
}

static inline void
live_add(int64_t bytes)
{
	struct counts *c = counts_of_thread();
	add_to(c, (uint64_t *)&c->live_delta, (uint64_t)bytes);
	if (UNLIKELY(c->live_delta > flush_bytes) || c == &shared_counts)
		live_flush(c);
}

static inline void
live_sub(int64_t bytes)
{
	if (UNLIKELY(atomic_load_explicit(&peak_unstamped, memory_order_relaxed)) &&
	    atomic_exchange(&peak_unstamped, 0))
		atomic_store(&peak_ns, ws_now_ns());
	struct counts *c = counts_of_thread();
	add_to(c, (uint64_t *)&c->live_delta, (uint64_t)-bytes);
	if (UNLIKELY(c->live_delta < -flush_bytes) || c == &shared_counts)
		live_flush(c);
}

/* ---- sampling ---- */

static _Atomic int sampling; /* sampled allocations are recorded */
static bool heap_on;	     /* the source is on (ws_heap_start) */
static uint64_t sample_mean = 512 * 1024;
static TLS int guard;	      /* >0: in the collector's own code (not counted) */
static TLS int nosample;      /* >0: forking (counted, not sampled) */
static TLS bool seeded;	      /* countdown drawn */
static TLS int64_t countdown; /* bytes to the next sample */
static TLS uint64_t rng;
static TLS uint32_t my_tid;

/* The sampled allocations, in order, and an address -> index table of the
 * live ones (open addressing, linear probing, tombstones; rebuilt, larger
 * when needed, once live entries and tombstones fill half of it).  The
 * table is used only under the lock; a free looks first, without the
 * lock, at a 64 Ki-entry counting filter of the live sampled addresses'
 * hashes, and takes the lock only when the filter says "maybe". */
struct slot {
	uint64_t key; /* address, 0 empty, 1 tombstone */
	uint64_t index;
};
#define TOMB 1u
#define FILTER_BITS 16
static _Atomic uint16_t filter[1u << FILTER_BITS]; /* live sampled addresses per hash */
static _Atomic int64_t sampled_live;
static struct slot *table;
static uint64_t table_mask, table_used; /* used: live entries and tombstones */
static struct ws_heap_alloc *hlog;
static uint64_t log_cap;
static _Atomic uint64_t log_count;
static uint64_t log_accounted;
static uint64_t dropped;
static struct ws_stacktab stacks;
static _Atomic int lock_word;
static TLS int holding; /* this thread holds the lock */
static bool started;

static void
lock(void)
{
	for (unsigned spins = 0; atomic_exchange_explicit(&lock_word, 1, memory_order_acquire);
	     spins++)
		if (spins > 64)
			sched_yield();
	holding = 1;
}

static void
unlock(void)
{
	holding = 0;
	atomic_store_explicit(&lock_word, 0, memory_order_release);
}

static inline uint64_t
addr_hash(uint64_t a)
{
	a ^= a >> 29;
	a *= 0x9e3779b97f4a7c15ull;
	return a ^ (a >> 32);
}

static uint64_t
next_random(void)
{
	if (!rng)
		rng = ws_now_ns() ^ ((uint64_t)(uint32_t)syscall(SYS_gettid) << 32) ^
		      (uint64_t)(uintptr_t)&rng;
	uint64_t x = rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng = x ? x : 0x2545f4914f6cdd1dull;
	return x;
}

/* Bytes to the next sample: exponential with mean sample_mean. */
static int64_t
draw_interval(void)
{
	double u = ((next_random() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
	double v = -log(u) * (double)sample_mean;
	if (v < 1)
		v = 1;
	if (v > 1e15)
		v = 1e15;
	return (int64_t)v;
}

/* ---- the collector's own blocks ----
 *
 * Blocks allocated under the guard (the collector's: the error buffers of
 * its failed dlsym lookups, libunwind's set-up, pthread_getattr_np's) are
 * not counted, and their addresses are kept here so that their frees are
 * not counted either, whoever frees them: glibc frees a thread's dlerror
 * buffers in its next dlsym, which may be the program's.  A free the
 * counts never saw an allocation of would pull the live heap, and the
 * blocks live at exit, below the truth (below zero in a program that
 * allocates nothing).  A lock-free open-addressing table (keys: address;
 * 0 empty, TOMB freed, reused by inserts; slots never go back to 0, so a
 * lookup stops at the first 0) behind a counting filter of its addresses'
 * hashes: a free looks at one filter entry, and only while such a block is
 * live.  With OWN_SLOTS / 2 of them live, more are not kept (their frees
 * are then counted, as blocks the program freed). */
#define OWN_SLOTS 2048u
#define OWN_FILTER 4096u
static _Atomic uint64_t own_keys[OWN_SLOTS];
static _Atomic uint16_t own_filter[OWN_FILTER];
static _Atomic int64_t own_live;

/* Keep the collector's block a (allocated under the guard). */
static void
own_add(uint64_t a)
{
	if (atomic_load_explicit(&own_live, memory_order_relaxed) >= (int64_t)OWN_SLOTS / 2)
		return;
	uint64_t h = addr_hash(a);
	for (uint64_t i = h % OWN_SLOTS, n = 0; n < OWN_SLOTS; i = (i + 1) % OWN_SLOTS, n++) {
		uint64_t k = atomic_load(&own_keys[i]);
		if ((k == 0 || k == TOMB) && atomic_compare_exchange_strong(&own_keys[i], &k, a)) {
			atomic_fetch_add(&own_filter[h % OWN_FILTER], 1);
			atomic_fetch_add(&own_live, 1);
			return;
		}
	}
}

/* Before a is released: was it the collector's block?  Then it is
 * forgotten (its address may be reused as soon as it is released). */
static inline bool
own_take(uint64_t a)
{
	if (LIKELY(atomic_load_explicit(&own_live, memory_order_relaxed) == 0))
		return false;
	uint64_t h = addr_hash(a);
	if (LIKELY(!atomic_load_explicit(&own_filter[h % OWN_FILTER], memory_order_relaxed)))
		return false;
	for (uint64_t i = h % OWN_SLOTS, n = 0; n < OWN_SLOTS; i = (i + 1) % OWN_SLOTS, n++) {
		uint64_t k = atomic_load(&own_keys[i]);
		if (k == 0)
			return false;
		if (k == a) {
			atomic_store(&own_keys[i], TOMB);
			atomic_fetch_sub(&own_filter[h % OWN_FILTER], 1);
			atomic_fetch_sub(&own_live, 1);
			return true;
		}
	}
	return false;
}

/* A block's stack: unwound from here, the collector's own frames cut off.
 * Frame 0 becomes the call to the allocator (return address - 1). */
static __attribute__((noinline)) uint32_t
capture(uint64_t *ips, uint32_t max, uint32_t *flags, uintptr_t ra)
{
	struct ws_thread_state *t = ws_self;
	uint32_t n = 0;
	*flags = 0;
	if (t && t->stack_hi) {
		ucontext_t uc;
		memset(&uc.uc_mcontext, 0, sizeof uc.uc_mcontext);
		uint64_t rip, rsp, rbp;
		__asm__ volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
				 : "=r"(rip), "=r"(rsp), "=r"(rbp));
		uc.uc_mcontext.gregs[REG_RIP] = (greg_t)rip;
		uc.uc_mcontext.gregs[REG_RSP] = (greg_t)rsp;
		uc.uc_mcontext.gregs[REG_RBP] = (greg_t)rbp;
		n = ws_unwind(&uc, t->stack_lo, t->stack_hi, ips, max, flags);
	}
	uint32_t skip = 0;
	while (skip < n && ips[skip] >= self_lo && ips[skip] < self_hi)
		skip++;
	if (skip == n) { /* no stack: at least the caller */
		ips[0] = ra;
		n = 1;
		skip = 0;
		*flags |= WS_STK_UNWIND_ERR;
	}
	n -= skip;
	memmove(ips, ips + skip, n * sizeof *ips);
	ips[0] -= 1;
	return n;
}

static void
filter_add(uint64_t h, int d)
{
	_Atomic uint16_t *f = &filter[h & ((1u << FILTER_BITS) - 1)];
	uint16_t v = atomic_load_explicit(f, memory_order_relaxed);
	if (v != UINT16_MAX) /* saturated: stays set */
		atomic_store_explicit(f, (uint16_t)(v + d), memory_order_release);
}

/* Under the lock: mark entry idx freed now. */
static void
mark_freed(uint64_t idx, uint64_t now, uint32_t flags)
{
	hlog[idx].free_ns = now;
	hlog[idx].flags |= WS_HALLOC_FREED | flags;
}

/* Under the lock: the slot of address a, or NULL. */
static struct slot *
find_slot(uint64_t a, uint64_t h)
{
	for (uint64_t i = h & table_mask, probes = 0; probes <= table_mask;
	     i = (i + 1) & table_mask, probes++) {
		if (table[i].key == 0)
			return NULL;
		if (table[i].key == a)
			return &table[i];
	}
	return NULL;
}

static size_t
table_bytes(uint64_t slots)
{
	return slots * sizeof(struct slot);
}

/* Under the lock: a table of `slots` slots with the live entries of the
 * old one.  false when there is no memory (the old table stays). */
static bool
rebuild(uint64_t slots)
{
	struct slot *t = ws_map(table_bytes(slots)), *old = table;
	if (!t)
		return false;
	uint64_t old_slots = table ? table_mask + 1 : 0;
	table = t;
	table_mask = slots - 1;
	table_used = 0;
	for (uint64_t i = 0; i < old_slots; i++)
		if (old[i].key > TOMB) {
			uint64_t k = addr_hash(old[i].key) & table_mask;
			while (table[k].key)
				k = (k + 1) & table_mask;
			table[k] = old[i];
			table_used++;
		}
	ws_mem_account((int64_t)table_bytes(slots) - (int64_t)table_bytes(old_slots));
	ws_unmap(old, table_bytes(old_slots));
	return true;
}

/* Under the lock. */
static void
insert(uint64_t a, uint64_t idx, uint64_t now)
{
	uint64_t h = addr_hash(a);
	struct slot *old = find_slot(a, h);
	if (old) { /* its free was not seen (a guarded call): ended now */
		mark_freed(old->index, now, 0);
		old->index = idx;
		return;
	}
	if (2 * (table_used + 1) > table_mask + 1) {
		uint64_t live = (uint64_t)atomic_load(&sampled_live), slots = table_mask + 1;
		while (4 * (live + 1) > slots)
			slots *= 2;
		if (!rebuild(slots) && 4 * (table_used + 1) > 3 * (table_mask + 1)) {
			dropped++;
			hlog[idx].free_ns = now; /* untracked: counted as freed at once */
			hlog[idx].flags |= WS_HALLOC_FREED;
			return;
		}
	}
	for (uint64_t i = h & table_mask;; i = (i + 1) & table_mask) {
		uint64_t k = table[i].key;
		if (k == 0 || k == TOMB) {
			if (k == 0)
				table_used++;
			table[i].key = a;
			table[i].index = idx;
			filter_add(h, +1);
			atomic_fetch_add(&sampled_live, 1);
			return;
		}
	}
}

/* Record one sampled block.  Named for the reports: samples that land here
 * (its unwinding) are the heap profile's own cost. */
static void
whyslow_heap_sample(uint64_t addr, uint64_t size, int kind, double prob, uintptr_t ra)
{
	uint64_t ips[256];
	uint32_t max = ws_cfg.depth + 8 < 256 ? ws_cfg.depth + 8 : 256;
	uint32_t flags;
	guard++;
	uint32_t n = capture(ips, max, &flags, ra);
	if (n > ws_cfg.depth) {
		n = ws_cfg.depth;
		flags |= WS_STK_TRUNCATED;
	}
	if (!my_tid)
		my_tid = (uint32_t)syscall(SYS_gettid);
	uint64_t now = ws_now_ns();
	lock();
	if (!atomic_load(&sampling)) {
		unlock();
		guard--;
		return;
	}
	uint64_t idx = atomic_load_explicit(&log_count, memory_order_relaxed);
	int64_t sid = idx < log_cap ? ws_stacktab_add(&stacks, ips, n, flags, 1) : -1;
	if (sid < 0) {
		dropped++;
	} else {
		struct ws_heap_alloc *e = &hlog[idx];
		e->addr = addr;
		e->size = size;
		e->alloc_ns = now;
		e->free_ns = 0;
		e->probability = prob;
		e->stack = (uint32_t)sid;
		e->tid = my_tid;
		e->kind = (uint32_t)kind;
		e->flags = 0;
		uint64_t bytes = (idx + 1) * sizeof *hlog;
		if (bytes > log_accounted) {
			ws_mem_account(65536);
			log_accounted += 65536;
		}
		insert(addr, idx, now);
		atomic_store_explicit(&log_count, idx + 1, memory_order_release);
	}
	unlock();
	guard--;
}

/* May this call be sampled?  Not while the thread forks. */
static inline bool
may_sample(void)
{
	return !nosample && atomic_load_explicit(&sampling, memory_order_relaxed);
}

static inline bool
in_handler(void)
{
	struct ws_thread_state *t = ws_self;
	return t && atomic_load_explicit(&t->in_handler, memory_order_relaxed);
}

/* Is this call the collector's own: made under the guard (libunwind's,
 * while a sample is recorded), or from the sampling handler? */
static inline bool
collectors_call(void)
{
	if (guard)
		return true;
	return in_handler();
}

/* After an allocation of `size` bytes asked for, at p. */
static inline void
note_alloc(void *p, uint64_t size, int kind, uintptr_t ra, bool heap)
{
	if (!atomic_load_explicit(&counting, memory_order_relaxed))
		return;
	if (collectors_call()) {
		if (heap && guard && !in_handler())
			own_add((uint64_t)(uintptr_t)p); /* so that its free is not counted */
		return;
	}
	count(kind, size);
	if (heap)
		live_add((int64_t)real.usable(p));
	if (LIKELY((countdown -= (int64_t)size) > 0) || !may_sample())
		return;
	double prob = 1.0;
	if (sample_mean == 1) {
		countdown = 0; /* every allocation, empty ones too */
	} else if (!seeded) {
		seeded = true; /* this thread's first interval */
		countdown = draw_interval();
		return;
	} else {
		/* Sampled with probability 1 - exp(-size / mean): it stands for
		 * size / prob bytes (docs/memory.md). */
		prob = -expm1(-(double)size / (double)sample_mean);
		if (!(prob > 1e-300))
			prob = 1e-300;
		countdown = draw_interval();
	}
	whyslow_heap_sample((uint64_t)(uintptr_t)p, size, kind, prob, ra);
}

/* Before p is released (its address may be reused as soon as it is): end
 * its sampled entry, if it has one.  flags: enum ws_heap_alloc_flags. */
static inline void
unsample(void *p, uint32_t flags)
{
	if (LIKELY(atomic_load_explicit(&sampled_live, memory_order_relaxed) == 0) || holding)
		return; /* (holding: a free while this thread holds the lock, in a fork) */
	uint64_t a = (uint64_t)(uintptr_t)p, h = addr_hash(a);
	if (LIKELY(!atomic_load_explicit(&filter[h & ((1u << FILTER_BITS) - 1)],
					 memory_order_acquire)))
		return;
	uint64_t now = ws_now_ns();
	guard++;
	lock();
	struct slot *s = find_slot(a, h);
	if (s) {
		mark_freed(s->index, now, flags);
		s->key = TOMB;
		filter_add(h, -1);
		atomic_fetch_sub(&sampled_live, 1);
	}
	unlock();
	guard--;
}

/* Before the malloc-family block p is released: does its free count?  Not
 * for the collector's own blocks (forgotten here), nor from the sampling
 * handler; a block of the program's freed by the collector's code (under
 * the guard: glibc's dlerror state, say) does. */
static inline bool
counts_free(void *p)
{
	if (own_take((uint64_t)(uintptr_t)p))
		return false;
	return !in_handler();
}

/* Before p is released: the counts, and its sampled entry.  heap: a
 * malloc-family block (its usable size leaves the live heap); else
 * `bytes` are counted as they are (munmap). */
static inline void
note_free(void *p, int kind, uint64_t bytes, bool heap)
{
	if (!atomic_load_explicit(&counting, memory_order_relaxed))
		return;
	if (heap ? !counts_free(p) : collectors_call())
		return;
	if (heap) {
		bytes = real.usable(p);
		live_sub((int64_t)bytes);
	}
	count(kind, bytes);
	unsample(p, 0);
}

/* ---- the interposers ---- */

#define RA() ((uintptr_t)__builtin_return_address(0))

WS_EXPORT void *
malloc(size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2)) {
		if (resolving_here)
			return boot_alloc(n, 16);
		resolve();
	}
	void *p = real.malloc(n);
	if (LIKELY(p != NULL))
		note_alloc(p, n, WS_HEAP_MALLOC, RA(), true);
	else
		count_failed();
	return p;
}

WS_EXPORT void *
calloc(size_t k, size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2)) {
		if (resolving_here) {
			size_t b;
			if (__builtin_mul_overflow(k, n, &b))
				return NULL;
			return boot_alloc(b, 16); /* static memory: already zero */
		}
		resolve();
	}
	void *p = real.calloc(k, n);
	if (LIKELY(p != NULL))
		note_alloc(p, (uint64_t)k * n, WS_HEAP_CALLOC, RA(), true);
	else
		count_failed();
	return p;
}

WS_EXPORT void
free(void *p)
{
	if (!p || UNLIKELY(is_boot(p)))
		return;
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2))
		resolve();
	note_free(p, WS_HEAP_FREE, 0, true);
	real.free(p);
}

/* realloc and reallocarray: a free of the old block (its sampled entry
 * ends, flagged WS_HALLOC_REALLOCED) and an allocation of the new one. */
static void *
do_realloc(void *p, size_t n, uintptr_t ra)
{
	if (UNLIKELY(is_boot(p))) {
		void *q = malloc(n);
		if (q) {
			size_t old = ((size_t *)p)[-1];
			memcpy(q, p, old < n ? old : n);
		}
		return q;
	}
	if (p && n == 0) { /* glibc frees p and returns NULL */
		note_free(p, WS_HEAP_FREE, 0, true);
		return real.realloc(p, 0);
	}
	bool on = atomic_load_explicit(&counting, memory_order_relaxed);
	bool own = p && on && own_take((uint64_t)(uintptr_t)p);
	bool counted = p && on && !own && !in_handler();
	int64_t old = counted ? (int64_t)real.usable(p) : 0;
	if (counted)
		unsample(p, WS_HALLOC_REALLOCED);
	void *q = real.realloc(p, n);
	if (UNLIKELY(!q)) {
		if (own)
			own_add((uint64_t)(uintptr_t)p); /* still the collector's */
		count_failed(); /* p lives on (a sampled entry of it stays ended) */
		return q;
	}
	if (counted) {
		live_sub(old);
		count(WS_HEAP_FREE, (uint64_t)old);
	}
	note_alloc(q, n, WS_HEAP_REALLOC, ra, true);
	return q;
}

WS_EXPORT void *
realloc(void *p, size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2)) {
		if (resolving_here) {
			void *q = boot_alloc(n, 16);
			if (q && p)
				memcpy(q, p, ((size_t *)p)[-1] < n ? ((size_t *)p)[-1] : n);
			return q;
		}
		resolve();
	}
	return do_realloc(p, n, RA());
}

WS_EXPORT void *
reallocarray(void *p, size_t k, size_t n)
{
	size_t b;
	if (__builtin_mul_overflow(k, n, &b)) {
		errno = ENOMEM;
		return NULL;
	}
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2))
		resolve();
	return do_realloc(p, b, RA());
}

WS_EXPORT int
posix_memalign(void **out, size_t align, size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2)) {
		if (resolving_here) {
			*out = boot_alloc(n, align);
			return *out ? 0 : ENOMEM;
		}
		resolve();
	}
	int rc = real.posix_memalign(out, align, n);
	if (rc == 0)
		note_alloc(*out, n, WS_HEAP_POSIX_MEMALIGN, RA(), true);
	else
		count_failed();
	return rc;
}

/* The aligned forms that a C library may lack: posix_memalign stands in. */
static void *
aligned(void *(*fn)(size_t, size_t), size_t align, size_t n, int kind, uintptr_t ra)
{
	void *p = NULL;
	if (fn) {
		p = fn(align, n);
	} else if (real.posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, n)) {
		errno = ENOMEM;
		p = NULL;
	}
	if (p)
		note_alloc(p, n, kind, ra, true);
	else
		count_failed();
	return p;
}

WS_EXPORT void *
aligned_alloc(size_t align, size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2)) {
		if (resolving_here)
			return boot_alloc(n, align);
		resolve();
	}
	return aligned(real.aligned_alloc, align, n, WS_HEAP_ALIGNED_ALLOC, RA());
}

WS_EXPORT void *
memalign(size_t align, size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2)) {
		if (resolving_here)
			return boot_alloc(n, align);
		resolve();
	}
	return aligned(real.memalign, align, n, WS_HEAP_MEMALIGN, RA());
}

WS_EXPORT void *
valloc(size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2)) {
		if (resolving_here)
			return boot_alloc(n, 4096);
		resolve();
	}
	void *p = real.valloc ? real.valloc(n) : NULL;
	if (p)
		note_alloc(p, n, WS_HEAP_VALLOC, RA(), true);
	else
		count_failed();
	return p;
}

WS_EXPORT void *
pvalloc(size_t n)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2)) {
		if (resolving_here)
			return boot_alloc((n + 4095) & ~(size_t)4095, 4096);
		resolve();
	}
	void *p = real.pvalloc ? real.pvalloc(n) : NULL;
	if (p)
		note_alloc(p, n, WS_HEAP_PVALLOC, RA(), true);
	else
		count_failed();
	return p;
}

/* Anonymous mappings made by the program (not by the collector itself,
 * nor by libunwind under the guard, nor by the sampling handler). */
static inline bool
programs_map(uintptr_t ra)
{
	return !(ra >= self_lo && ra < self_hi);
}

WS_EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2))
		resolve();
	void *p = real.mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && (flags & MAP_ANONYMOUS) && programs_map(RA()))
		note_alloc(p, len, WS_HEAP_MMAP, RA(), false);
	return p;
}

WS_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
    __attribute__((alias("mmap")));

WS_EXPORT int
munmap(void *addr, size_t len)
{
	if (UNLIKELY(atomic_load_explicit(&resolved, memory_order_acquire) != 2))
		resolve();
	if (programs_map(RA()))
		note_free(addr, WS_HEAP_MUNMAP, len, false);
	return real.munmap(addr, len);
}

/* ---- life cycle ---- */

static void
fork_prepare(void)
{
	nosample++;
	lock();
}

static void
fork_parent(void)
{
	unlock();
	nosample--;
}

static void
fork_child(void)
{
	atomic_store(&lock_word, 0);
	nosample--;
}

int
ws_heap_start(void)
{
	resolve();
	const char *on = getenv("WHYSLOW_HEAP");
	if (on && !strcmp(on, "0")) {
		atomic_store(&counting, 0);
		return 0;
	}
	sample_mean = (uint64_t)ws_env_long("WHYSLOW_HEAP_SAMPLE", 512 * 1024, 1, 1l << 40);
	log_cap = (uint64_t)ws_env_long("WHYSLOW_HEAP_MAX_SAMPLES", 1l << 20, 1024, 1l << 28);
	hlog = ws_map(log_cap * sizeof *hlog);
	if (!hlog || !rebuild(1024) || ws_stacktab_init(&stacks, ws_cfg.max_stacks) != 0) {
		ws_notef("the heap profile is off: no memory for its tables");
		atomic_store(&counting, 0);
		return -1;
	}
	ws_mem_account((int64_t)sizeof filter);
	if (sample_mean == 1)
		flush_bytes = 0;
	heap_on = true;
	started = true;
	if (pthread_atfork(fork_prepare, fork_parent, fork_child) != 0) {
		ws_notef("the heap profile is off: pthread_atfork failed");
		atomic_store(&counting, 0);
		heap_on = false;
		return -1;
	}
	uint64_t zero = 0;
	atomic_compare_exchange_strong(&count_start_ns, &zero, ws_now_ns());
	atomic_store(&sampling, 1);
	return 0;
}

void
ws_heap_internal_begin(void)
{
	guard++;
}

void
ws_heap_internal_end(void)
{
	guard--;
}

/* getrusage into a record; async-signal-safe. */
static void
write_rusage(int scope, uint32_t thread_index, uint32_t tid)
{
	struct rusage ru;
	if (getrusage(scope == WS_RUSAGE_PROCESS ? RUSAGE_SELF : RUSAGE_THREAD, &ru) != 0)
		return;
	struct ws_rusage r;
	memset(&r, 0, sizeof r);
	r.scope = (uint32_t)scope;
	r.thread_index = thread_index;
	r.tid = tid;
	r.time_ns = ws_now_ns();
	r.maxrss_kib = (uint64_t)ru.ru_maxrss;
	r.minflt = (uint64_t)ru.ru_minflt;
	r.majflt = (uint64_t)ru.ru_majflt;
	r.nvcsw = (uint64_t)ru.ru_nvcsw;
	r.nivcsw = (uint64_t)ru.ru_nivcsw;
	r.utime_ns =
	    (uint64_t)ru.ru_utime.tv_sec * 1000000000ull + (uint64_t)ru.ru_utime.tv_usec * 1000;
	r.stime_ns =
	    (uint64_t)ru.ru_stime.tv_sec * 1000000000ull + (uint64_t)ru.ru_stime.tv_usec * 1000;
	r.inblock = (uint64_t)ru.ru_inblock;
	r.oublock = (uint64_t)ru.ru_oublock;
	struct iovec part = {&r, sizeof r};
	ws_writer_record(WS_REC_RUSAGE, &part, 1);
}

void
ws_heap_thread_exit(uint32_t thread_index, uint32_t tid)
{
	write_rusage(WS_RUSAGE_THREAD, thread_index, tid);
}

/* Blocks allocated minus blocks freed, from the exact counts. */
static int64_t
live_blocks_counted(const struct ws_heap *h)
{
	int64_t n = 0;
	for (int k = 0; k < WS_HEAP_MMAP; k++)
		if (k != WS_HEAP_FREE)
			n += (int64_t)h->calls[k];
	return n - (int64_t)h->calls[WS_HEAP_FREE];
}

void
ws_heap_finish(void)
{
	write_rusage(WS_RUSAGE_PROCESS, 0, 0);
	if (!heap_on)
		return;
	if (atomic_exchange(&peak_unstamped, 0) || !atomic_load(&peak_ns))
		atomic_store(&peak_ns, ws_now_ns());
	/* A fatal signal may have arrived with the lock held (by this thread,
	 * or one that will never run again): wait a bounded time. */
	bool locked = false;
	if (!guard)
		for (int i = 0; i < 20000 && !locked; i++) {
			locked = !atomic_exchange_explicit(&lock_word, 1, memory_order_acquire);
			if (!locked)
				sched_yield();
		}
	if (locked)
		holding = 1;
	atomic_store(&sampling, 0);
	struct ws_heap h;
	memset(&h, 0, sizeof h);
	h.sample_bytes = sample_mean;
	size_t stack_bytes;
	h.stack_count = ws_stacktab_committed(&stacks, &stack_bytes);
	h.stack_bytes = stack_bytes;
	h.alloc_count = atomic_load(&log_count);
	h.alloc_dropped = dropped;
	h.start_ns = atomic_load(&count_start_ns);
	uint32_t nb = atomic_load(&nblocks);
	for (uint32_t b = 0; b <= nb && b <= NBLOCKS; b++) {
		const struct counts *c = b < nb && b < NBLOCKS ? &blocks[b] : &shared_counts;
		for (int k = 0; k < WS_HEAP_NKINDS; k++) {
			h.calls[k] += c->calls[k];
			h.bytes[k] += c->bytes[k];
		}
		h.failed += c->failed;
	}
	h.live_bytes = atomic_load(&live_bytes);
	for (uint32_t b = 0; b < nb && b < NBLOCKS; b++)
		h.live_bytes += blocks[b].live_delta; /* not flushed yet */
	h.peak_bytes = (uint64_t)atomic_load(&peak_bytes);
	if (h.live_bytes > (int64_t)h.peak_bytes)
		h.peak_bytes = (uint64_t)h.live_bytes;
	h.peak_ns = atomic_load(&peak_ns);
	h.live_blocks = base_live_blocks + (int64_t)live_blocks_counted(&h);
	/* Never below zero: a free of a block whose allocation was not counted
	 * (one the collector's table of its own could not keep) would do it. */
	if (h.live_blocks < 0)
		h.live_blocks = 0;
	if (h.live_bytes < 0)
		h.live_bytes = 0;
	struct iovec parts[3] = {
	    {&h, sizeof h}, {stacks.words, h.stack_bytes}, {hlog, h.alloc_count * sizeof *hlog}};
	int rc = ws_writer_record(WS_REC_HEAP, parts, 3);
	if (rc != 0)
		ws_debugf("the heap record was not written: %s", ws_strerror(-rc));
	if (locked)
		unlock();
}

void
ws_heap_fork_child(void)
{
	if (!heap_on)
		return;
	/* The parent's samples are the parent's; blocks the child inherited
	 * stay in the live heap (the child frees them), but not sampled. */
	struct ws_heap h;
	memset(&h, 0, sizeof h);
	uint32_t nb = atomic_load(&nblocks);
	for (uint32_t b = 0; b <= nb && b <= NBLOCKS; b++) {
		struct counts *c = b < nb && b < NBLOCKS ? &blocks[b] : &shared_counts;
		for (int k = 0; k < WS_HEAP_NKINDS; k++)
			h.calls[k] += c->calls[k];
		live_flush(c);
		memset(c, 0, sizeof *c);
	}
	base_live_blocks += live_blocks_counted(&h);
	atomic_store(&peak_bytes, atomic_load(&live_bytes));
	atomic_store(&peak_ns, 0);
	atomic_store(&peak_unstamped, 1);
	atomic_store(&count_start_ns, ws_now_ns());
	for (size_t i = 0; i < sizeof filter / sizeof filter[0]; i++)
		atomic_store_explicit(&filter[i], 0, memory_order_relaxed);
	atomic_store(&sampled_live, 0);
	memset(table, 0, table_bytes(table_mask + 1));
	table_used = 0;
	atomic_store(&log_count, 0);
	dropped = 0;
	ws_stacktab_free(&stacks);
	if (ws_stacktab_init(&stacks, ws_cfg.max_stacks) != 0) {
		heap_on = false;
		atomic_store(&sampling, 0);
		atomic_store(&counting, 0);
		return;
	}
	atomic_store(&sampling, 1);
}
