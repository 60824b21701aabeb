/* Call stacks from a signal context, with libunwind.
 *
 * Why not unw_init_local2(UNW_INIT_SIGNAL_FRAME): libunwind's local address
 * space finds unwind tables through dl_iterate_phdr(), which takes the
 * loader's lock; a handler that interrupts a thread inside dlopen/dlclose
 * then deadlocks (measured: 1 run in 4-6 of a dlopen/fork torture).  So the
 * collector gives libunwind an address space of its own (docs/unwinding.md):
 *  - find_proc_info looks the table up with glibc's lock-free
 *    _dl_find_object() and searches the module's .eh_frame_hdr with
 *    libunwind's dwarf_search_unwind_table();
 *  - access_mem reads only addresses inside the thread's stack (or the
 *    alternate signal stack) or inside a loaded module, so a corrupt frame
 *    chain ends the stack instead of crashing the target;
 *  - registers come from the interrupted ucontext;
 *  - without unwind tables libunwind falls back to the frame-pointer chain,
 *    read through the same checked access_mem.
 * Before libunwind, a fast path (cfi.h) unwinds with frame rules it reads
 * from .eh_frame itself and caches per address, reading only the thread's
 * stack; a stack with any frame outside its subset goes to libunwind whole.
 * (libunwind's own cache is global here, behind a mutex, and costs ~0.25 µs
 * a frame even when it hits.)
 */
#ifndef WHYSLOW_UNWIND_H
#define WHYSLOW_UNWIND_H

#include <stdint.h>
#include <ucontext.h>

/* Create the address space.  Not signal-safe; once per process. */
int ws_unwind_init(void);
/* Run one unwind in the calling thread outside any handler, so that
 * libunwind's per-thread cache and lazy state exist before the first
 * signal.  Not signal-safe. */
void ws_unwind_warm(uint64_t stack_lo, uint64_t stack_hi);
/* Forget cached unwind information (after dlclose).  Not signal-safe. */
void ws_unwind_flush(void);

/* Unwind the interrupted context uc into ips (at most max entries, frame 0
 * = the interrupted PC).  Returns the number of frames; *flags gets
 * WS_STK_TRUNCATED and/or WS_STK_UNWIND_ERR.  Async-signal-safe. */
uint32_t ws_unwind(const ucontext_t *uc, uint64_t stack_lo, uint64_t stack_hi, uint64_t *ips,
		   uint32_t max, uint32_t *flags);

#endif
