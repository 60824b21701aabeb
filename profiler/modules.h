/* The objects loaded in the process (executable, shared libraries, vDSO):
 * path, load bias, address range, build-id, whether it has unwind tables,
 * and when it was loaded and unloaded.  Recorded at start, after every
 * dlopen/dlclose, and written at the end, so that reports symbolise
 * offline even libraries closed before exit.
 *
 * The table also keeps, for the unwinder, each module's readable PT_LOAD
 * segments (page-rounded, as the loader maps them): the gaps between a
 * module's segments may be PROT_NONE or unmapped, so "inside the module's
 * span" does not mean "readable".
 *
 * ws_modules_scan() takes the loader's lock (dl_iterate_phdr) and is never
 * called from a signal handler.  ws_modules_write() and
 * ws_modules_readable() are async-signal-safe (they read the table, which
 * only grows, and its index without a lock).
 */
#ifndef WHYSLOW_MODULES_H
#define WHYSLOW_MODULES_H

#include <stdint.h>

int ws_modules_init(void);
/* Compare the loaded objects with the table: add new ones, mark vanished
 * ones unloaded.  Returns how many vanished (the caller then flushes the
 * unwinder's cache).  With wait = 0 it gives up (returns 0) when the
 * table's lock is held: a fork holds it, perhaps in this very thread (an
 * atfork handler of the program calling dlopen). */
int ws_modules_scan(int wait);
/* Hold the table's lock across fork (not inherited held by the child). */
void ws_modules_lock_for_fork(void);
void ws_modules_unlock_after_fork(int child);
/* Write one WS_REC_MODULE per entry; returns how many were written. */
uint32_t ws_modules_write(void);
/* The readable segment that holds addr in the module the loader maps at
 * [map_start, map_end) with its .eh_frame_hdr at eh_frame_hdr (NULL if
 * none), all three as _dl_find_object() reports them.  Returns 0 and the
 * segment's bounds in *lo, *hi; -1 when addr is in no readable segment, or
 * the module is not (or no longer) the one the table recorded there (it
 * was loaded without dlopen, or is being loaded or unloaded right now).
 * Async-signal-safe, lock-free. */
int ws_modules_readable(uint64_t map_start, uint64_t map_end, const void *eh_frame_hdr,
			uint64_t addr, uint64_t *lo, uint64_t *hi);

#endif
