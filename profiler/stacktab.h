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

struct ws_stacktab {
	uint64_t *slots;     /* (tag << 32) | (id + 1); 0 = empty */
	uint32_t *offsets;   /* id -> word offset of its entry in words[] */
	uint64_t *words;     /* the arena */
	uint32_t cap;        /* slots, a power of two */
	uint32_t count;      /* distinct stacks */
	size_t used;         /* arena words in use */
	size_t words_cap;
	size_t accounted;    /* arena bytes counted in ws_mem_account */
};

int ws_stacktab_init(struct ws_stacktab *t, uint32_t cap);
void ws_stacktab_free(struct ws_stacktab *t);
/* Count `weight` sampling periods of this stack; returns its id, or -1 when
 * the table or arena is full (the caller counts the drop). */
int64_t ws_stacktab_add(struct ws_stacktab *t, const uint64_t *ips, uint32_t n, uint32_t flags,
			uint32_t weight);
/* Bytes of the arena, ready to be written after a struct ws_thread. */
static inline size_t
ws_stacktab_bytes(const struct ws_stacktab *t)
{
	return t->used * sizeof(uint64_t);
}

#endif
