/* Per-thread stack table (see stacktab.h). */
#include "stacktab.h"

#include <string.h>

#include "arena.h"
#include "profile_format.h"

#define ARENA_STEP (64u * 1024u) /* accounting granularity, bytes */

int
ws_stacktab_init(struct ws_stacktab *t, uint32_t cap)
{
	memset(t, 0, sizeof *t);
	t->cap = cap;
	/* Room for every stack at an average of 64 frames. */
	t->words_cap = (size_t)cap * (2 + 64);
	t->slots = ws_map(cap * sizeof(uint64_t));
	t->offsets = ws_map(cap * sizeof(uint32_t));
	t->words = ws_map(t->words_cap * sizeof(uint64_t));
	if (!t->slots || !t->offsets || !t->words) {
		ws_stacktab_free(t);
		return -1;
	}
	/* The hash table is touched at random: count it whole. */
	ws_mem_account((int64_t)(cap * (sizeof(uint64_t) + sizeof(uint32_t))));
	return 0;
}

void
ws_stacktab_free(struct ws_stacktab *t)
{
	if (t->slots && t->offsets && t->words)
		ws_mem_account(
		    -(int64_t)(t->cap * (sizeof(uint64_t) + sizeof(uint32_t)) + t->accounted));
	ws_unmap(t->slots, t->cap * sizeof(uint64_t));
	ws_unmap(t->offsets, t->cap * sizeof(uint32_t));
	ws_unmap(t->words, t->words_cap * sizeof(uint64_t));
	memset(t, 0, sizeof *t);
}

static uint64_t
hash_stack(const uint64_t *ips, uint32_t n, uint32_t flags)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)n << 32) ^ flags;
	for (uint32_t i = 0; i < n; i++) {
		h ^= ips[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 33;
	}
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h;
}

int64_t
ws_stacktab_add(struct ws_stacktab *t, const uint64_t *ips, uint32_t n, uint32_t flags,
		uint32_t weight)
{
	uint64_t h = hash_stack(ips, n, flags);
	uint32_t tag = (uint32_t)(h >> 32) | 1u;
	uint32_t mask = t->cap - 1;
	for (uint32_t i = (uint32_t)h & mask, probes = 0; probes < t->cap;
	     i = (i + 1) & mask, probes++) {
		uint64_t s = t->slots[i];
		if (s == 0) {
			/* New stack: keep the table at most 3/4 full. */
			size_t need = 2 + n;
			if (t->count >= t->cap / 4 * 3 || t->used + need > t->words_cap)
				return -1;
			/* The entry first, counted last: a signal handler that
			 * interrupts this and writes the table out
			 * (ws_stacktab_committed) sees it whole or not at all. */
			uint32_t id = t->count;
			struct ws_stack *e = (struct ws_stack *)(t->words + t->used);
			e->nframes = n;
			e->flags = flags;
			e->count = weight;
			memcpy(t->words + t->used + 2, ips, n * sizeof(uint64_t));
			t->offsets[id] = (uint32_t)t->used;
			t->used += need;
			__atomic_store_n(&t->count, id + 1, __ATOMIC_RELEASE);
			t->slots[i] = ((uint64_t)tag << 32) | (id + 1u);
			size_t bytes = t->used * sizeof(uint64_t);
			if (bytes > t->accounted) {
				size_t grow = (bytes - t->accounted + ARENA_STEP - 1) / ARENA_STEP *
					      ARENA_STEP;
				t->accounted += grow;
				ws_mem_account((int64_t)grow);
			}
			return id;
		}
		if ((uint32_t)(s >> 32) != tag)
			continue;
		uint32_t id = (uint32_t)s - 1u;
		struct ws_stack *e = (struct ws_stack *)(t->words + t->offsets[id]);
		if (e->nframes == n && e->flags == flags &&
		    !memcmp(t->words + t->offsets[id] + 2, ips, n * sizeof(uint64_t))) {
			e->count += weight;
			return id;
		}
	}
	return -1;
}
