/* A thread's table of distinct call stacks: an open-addressing hash table
 * over a bump-allocated arena whose layout is exactly the stack part of a
 * WS_REC_THREAD record (struct ws_stack + addresses, one after the other,
 * in insertion order, which is also the stack id).  Memory grows with the
 * number of distinct stacks, never with the length of the run.
 *
 * One table belongs to one thread; ws_stacktab_add() is async-signal-safe
 * and runs only in that thread's sampling handler.  init/free are not
 * signal-safe (they map and unmap memory and must not race the handler).
 */
#ifndef WHYSLOW_STACKTAB_H
#define WHYSLOW_STACKTAB_H

#include <stddef.h>
#include <stdint.h>

#include "profile_format.h"

struct ws_stacktab {
	uint64_t *slots;   /* (tag << 32) | (id + 1); 0 = empty */
	uint32_t *offsets; /* id -> word offset of its entry in words[] */
	uint64_t *words;   /* the arena */
	uint32_t cap;	   /* slots, a power of two */
	uint32_t count;	   /* distinct stacks */
	size_t used;	   /* arena words in use */
	size_t words_cap;
	size_t accounted; /* arena bytes counted in ws_mem_account */
};

int ws_stacktab_init(struct ws_stacktab *t, uint32_t cap);
void ws_stacktab_free(struct ws_stacktab *t);
/* Count `weight` sampling periods of this stack; returns its id, or -1 when
 * the table or arena is full (the caller counts the drop). */
int64_t ws_stacktab_add(struct ws_stacktab *t, const uint64_t *ips, uint32_t n, uint32_t flags,
			uint32_t weight);
/* The stacks committed so far: their number and the bytes of the arena
 * that hold exactly them, ready to be written after a struct ws_thread.
 * Consistent even when it runs in a signal handler that interrupted
 * ws_stacktab_add on this thread (a fatal signal, an exec from a handler):
 * an entry is counted only once it is complete.  Async-signal-safe. */
static inline uint32_t
ws_stacktab_committed(const struct ws_stacktab *t, size_t *bytes)
{
	uint32_t n = __atomic_load_n(&t->count, __ATOMIC_ACQUIRE);
	if (!n) {
		*bytes = 0;
		return 0;
	}
	uint32_t last = t->offsets[n - 1];
	const struct ws_stack *e = (const struct ws_stack *)(t->words + last);
	*bytes = ((size_t)last + 2 + e->nframes) * sizeof(uint64_t);
	return n;
}

#endif
