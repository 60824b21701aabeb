/* Memory for the collector: anonymous mappings, never malloc, so that the
 * collector works whatever allocator the target uses and never calls into
 * it from a signal handler.  The collector accounts the bytes it holds so
 * that reports can state its peak memory.
 *
 * All functions are async-signal-safe (mmap/munmap are plain system calls;
 * the accounting is lock-free).
 */
#ifndef WHYSLOW_ARENA_H
#define WHYSLOW_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* Reserve `bytes` of zeroed address space (MAP_NORESERVE); NULL on failure.
 * Reserving does not count as held memory: call ws_mem_account() for the
 * parts actually used. */
void *ws_map(size_t bytes);
void ws_unmap(void *p, size_t bytes);

/* Add (or with a negative delta, remove) bytes the collector now holds. */
void ws_mem_account(int64_t delta);
/* Most bytes held at once since the process started (or since fork). */
uint64_t ws_mem_peak(void);
/* Reset the accounting to `current` bytes (fork child). */
void ws_mem_reset(uint64_t current);

#endif
