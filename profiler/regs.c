/* Register snapshots in a per-thread reservoir (see regs.h). */
#include "regs.h"

#include <string.h>
#include <sys/uio.h>

#include "arena.h"
#include "collector.h"
#include "settings.h"
#include "writer.h"

int
ws_regs_init(struct ws_regs_res *r, uint32_t thread_index)
{
	memset(r, 0, sizeof *r);
#if defined(__x86_64__)
	if (!ws_cfg.regs)
		return 0;
	r->bytes = (size_t)ws_cfg.regs * sizeof(struct ws_regs_snapshot);
	r->snap = ws_map(r->bytes);
	if (!r->snap) {
		r->bytes = 0;
		return -1;
	}
	ws_mem_account((int64_t)r->bytes);
	r->cap = ws_cfg.regs;
	ws_regs_reset(r);
	r->rng ^= (uint64_t)thread_index * 0x9e3779b97f4a7c15ull;
	if (!r->rng)
		r->rng = 1;
#else
	(void)thread_index;
#endif
	return 0;
}

void
ws_regs_free(struct ws_regs_res *r)
{
	if (r->snap) {
		ws_mem_account(-(int64_t)r->bytes);
		ws_unmap(r->snap, r->bytes);
	}
	memset(r, 0, sizeof *r);
}

void
ws_regs_reset(struct ws_regs_res *r)
{
	r->count = 0;
	r->seen = 0;
	r->rng = 0x2545f4914f6cdd1dull ^ ws_now_ns();
	if (!r->rng)
		r->rng = 1;
}

/* xorshift64 (Marsaglia): a few shifts, async-signal-safe. */
static uint64_t
next_random(struct ws_regs_res *r)
{
	uint64_t x = r->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->rng = x;
	return x;
}

void
ws_regs_take(struct ws_regs_res *r, const ucontext_t *uc, uint64_t time_ns, uint32_t stack)
{
#if defined(__x86_64__)
	if (!r->snap)
		return;
	uint64_t k = r->seen++;
	uint32_t slot;
	if (k < r->cap) {
		slot = (uint32_t)k;
		r->count = (uint32_t)k + 1;
	} else {
		/* algorithm R: keep sample k with probability cap / (k + 1);
		 * j uniform in [0, k] by a multiply-shift (no division) */
		uint64_t j = (uint64_t)(((unsigned __int128)next_random(r) * (k + 1)) >> 64);
		if (j >= r->cap)
			return;
		slot = (uint32_t)j;
	}
	struct ws_regs_snapshot *s = &r->snap[slot];
	const greg_t *g = uc->uc_mcontext.gregs;
	s->time_ns = time_ns;
	s->stack = stack;
	s->reserved = 0;
	s->regs[WS_X86_RIP] = (uint64_t)g[REG_RIP];
	s->regs[WS_X86_RAX] = (uint64_t)g[REG_RAX];
	s->regs[WS_X86_RCX] = (uint64_t)g[REG_RCX];
	s->regs[WS_X86_RDX] = (uint64_t)g[REG_RDX];
	s->regs[WS_X86_RBX] = (uint64_t)g[REG_RBX];
	s->regs[WS_X86_RSP] = (uint64_t)g[REG_RSP];
	s->regs[WS_X86_RBP] = (uint64_t)g[REG_RBP];
	s->regs[WS_X86_RSI] = (uint64_t)g[REG_RSI];
	s->regs[WS_X86_RDI] = (uint64_t)g[REG_RDI];
	s->regs[WS_X86_R8] = (uint64_t)g[REG_R8];
	s->regs[WS_X86_R9] = (uint64_t)g[REG_R9];
	s->regs[WS_X86_R10] = (uint64_t)g[REG_R10];
	s->regs[WS_X86_R11] = (uint64_t)g[REG_R11];
	s->regs[WS_X86_R12] = (uint64_t)g[REG_R12];
	s->regs[WS_X86_R13] = (uint64_t)g[REG_R13];
	s->regs[WS_X86_R14] = (uint64_t)g[REG_R14];
	s->regs[WS_X86_R15] = (uint64_t)g[REG_R15];
#else
	(void)r, (void)uc, (void)time_ns, (void)stack;
#endif
}

int
ws_regs_write(const struct ws_regs_res *r, uint32_t thread_index)
{
	if (!r->snap || !r->count)
		return 0;
	struct ws_regs h = {thread_index, r->count, WS_ARCH_X86_64, WS_X86_NREGS, r->seen};
	struct iovec parts[2] = {{&h, sizeof h},
				 {r->snap, r->count * sizeof(struct ws_regs_snapshot)}};
	return ws_writer_record(WS_REC_REGS, parts, 2);
}
