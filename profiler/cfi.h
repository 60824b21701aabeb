/* The unwinder's fast path: frame rules read from .eh_frame and cached per
 * address.
 *
 * libunwind costs about 0.3 µs per frame even when its own cache hits
 * (Debian's build has no per-thread cache: every step takes a mutex and
 * blocks signals around it), which made it most of the sampling handler's
 * time.  Most code needs nothing more than "CFA = RSP or RBP + n, the return
 * address at CFA + a, RBP saved at CFA + b or unchanged", so this module
 * interprets the common subset of DWARF call-frame instructions for an
 * address once, caches the resulting rule in a lock-free table shared by all
 * threads, and lets the unwinder apply it with two loads per frame.
 * Anything outside the subset (expressions, signal frames, registers other
 * than RSP/RBP defining the CFA, no unwind table...) answers "slow", and the
 * whole stack is then unwound by libunwind as before, so the fast path
 * never produces a stack libunwind would not.
 *
 * Everything here is async-signal-safe: no locks, no allocation; it reads
 * only inside the readable segment that holds the module's .eh_frame_hdr
 * (_dl_find_object and ws_modules_readable, both lock-free), and the
 * unwinder reads frames only inside the thread's (or the alternate signal)
 * stack.
 */
#ifndef WHYSLOW_CFI_H
#define WHYSLOW_CFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A frame rule (see cfi.c for the packing). */
struct ws_cfi_rule {
	bool cfa_rbp;  /* CFA = RBP + cfa_off (else RSP + cfa_off) */
	bool ra_undef; /* the return address is undefined: outermost frame */
	uint8_t rbp;   /* WS_CFI_SAME, WS_CFI_SAVED (at CFA + rbp_off), WS_CFI_UNDEF */
	int32_t cfa_off;
	int16_t ra_off; /* the return address is at CFA + ra_off */
	int16_t rbp_off;
};
enum { WS_CFI_SAME, WS_CFI_SAVED, WS_CFI_UNDEF };

/* The rule for code address `addr` (for a caller frame: the return address
 * minus 1).  Returns false when the fast path does not apply to it. */
bool ws_cfi_rule(uint64_t addr, struct ws_cfi_rule *r);
/* Forget every cached rule (after dlclose). */
void ws_cfi_flush(void);
/* Bytes the cache occupies, for the memory accounting. */
size_t ws_cfi_cache_bytes(void);

#endif
