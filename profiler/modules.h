/* The objects loaded in the process (executable, shared libraries, vDSO):
 * path, load bias, address range, build-id, whether it has unwind tables,
 * and when it was loaded and unloaded.  Recorded at start, after every
 * dlopen/dlclose, and written at the end, so that reports symbolise
 * offline even libraries closed before exit.
 *
 * ws_modules_scan() takes the loader's lock (dl_iterate_phdr) and is never
 * called from a signal handler.  ws_modules_write() is async-signal-safe
 * (it reads the table, which only grows, without a lock).
 */
#ifndef WHYSLOW_MODULES_H
#define WHYSLOW_MODULES_H

#include <stdint.h>

int ws_modules_init(void);
/* Compare the loaded objects with the table: add new ones, mark vanished
 * ones unloaded.  Returns how many vanished (the caller then flushes the
 * unwinder's cache). */
int ws_modules_scan(void);
/* Hold the table's lock across fork (not inherited held by the child). */
void ws_modules_lock_for_fork(void);
void ws_modules_unlock_after_fork(int child);
/* Write one WS_REC_MODULE per entry; returns how many were written. */
uint32_t ws_modules_write(void);

#endif
