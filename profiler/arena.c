/* Collector memory: anonymous mappings plus lock-free accounting. */
#include "arena.h"

#include <stdatomic.h>
#include <sys/mman.h>

static _Atomic int64_t mem_current;
static _Atomic int64_t mem_peak;

void *
ws_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void
ws_unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

void
ws_mem_account(int64_t delta)
{
	int64_t now = atomic_fetch_add(&mem_current, delta) + delta;
	int64_t peak = atomic_load(&mem_peak);
	while (now > peak && !atomic_compare_exchange_weak(&mem_peak, &peak, now))
		;
}

uint64_t
ws_mem_peak(void)
{
	return (uint64_t)atomic_load(&mem_peak);
}

void
ws_mem_reset(uint64_t current)
{
	atomic_store(&mem_current, (int64_t)current);
	atomic_store(&mem_peak, (int64_t)current);
}
