/* Register snapshots (WS_REC_REGS): at each sample, besides its call stack,
 * the interrupted context's program counter and general-purpose registers,
 * kept in a fixed-size per-thread reservoir so that the whole run is
 * covered however long it is (reservoir sampling, Vitter's algorithm R,
 * with an xorshift generator).  The memory report reads them offline: the
 * values of loop-invariant registers give the strides that the machine
 * code takes from registers (reports/an_access.c).
 *
 * Cost: WHYSLOW_REGS snapshots per thread (default 2048, 0 turns the
 * snapshots off), each sizeof(struct ws_regs_snapshot) = 152 bytes: 304 KiB
 * of address space per thread, touched as it fills (the first 2048
 * samples).  x86_64 only: elsewhere nothing is kept and no record is
 * written.
 *
 * One reservoir belongs to one thread.  ws_regs_take() runs in that
 * thread's sampling handler and is async-signal-safe (no allocation, no
 * lock, no system call); init/free are not signal-safe; ws_regs_write()
 * and ws_regs_reset() are async-signal-safe and must not race the handler
 * (the thread's sampling is stopped or it is the thread itself).
 */
#ifndef WHYSLOW_REGS_H
#define WHYSLOW_REGS_H

#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#include "profile_format.h"

struct ws_regs_res {
	struct ws_regs_snapshot *snap; /* cap entries, NULL when off */
	uint32_t cap, count;
	uint64_t seen; /* samples offered */
	uint64_t rng;  /* xorshift64 state, never 0 */
	size_t bytes;  /* mapped */
};

/* Map the reservoir (cap from the settings; 0 or another architecture:
 * nothing).  Returns 0, or -1 when the mapping failed (then off). */
int ws_regs_init(struct ws_regs_res *r, uint32_t thread_index);
void ws_regs_free(struct ws_regs_res *r);
/* Offer the sample taken at time_ns with stack id `stack`. */
void ws_regs_take(struct ws_regs_res *r, const ucontext_t *uc, uint64_t time_ns, uint32_t stack);
/* Write the WS_REC_REGS record of thread thread_index (nothing when the
 * reservoir is empty).  Returns 0 or -errno. */
int ws_regs_write(const struct ws_regs_res *r, uint32_t thread_index);
/* Forget the snapshots (fork child, new file after a failed exec). */
void ws_regs_reset(struct ws_regs_res *r);

#endif
