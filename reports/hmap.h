/* Hash tables for the offline side: an open-addressing table of pointers to
 * caller-owned entries, and a string pool built on it.
 *
 * Contract:
 *  - struct ws_hmap stores entry pointers with their 64-bit hash; the caller
 *    owns the entries and passes an equality function on lookup.  Entries
 *    are never removed.  Iteration order is unspecified: callers that need
 *    a stable order keep their entries in an array of their own.
 *  - struct ws_strpool interns NUL-terminated strings: equal strings give
 *    the same pointer, valid until ws_strpool_free(), so interned strings
 *    can be compared and hashed by address.
 *  - Out of memory ends the program (util.h's ws_x* allocators).
 */
#ifndef WHYSLOW_HMAP_H
#define WHYSLOW_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ws_hmap {
	void **entries;
	uint64_t *hashes;
	size_t cap; /* power of two, or 0 */
	size_t len;
};

typedef bool (*ws_hmap_eq_fn)(const void *entry, const void *key);

void ws_hmap_init(struct ws_hmap *m);
/* Frees the table, not the entries. */
void ws_hmap_free(struct ws_hmap *m);
/* The entry with hash h for which eq(entry, key) holds, or NULL. */
void *ws_hmap_find(const struct ws_hmap *m, uint64_t h, ws_hmap_eq_fn eq, const void *key);
/* Adds an entry; the caller has checked that no equal entry is present. */
void ws_hmap_insert(struct ws_hmap *m, uint64_t h, void *entry);

uint64_t ws_hash_bytes(const void *p, size_t n, uint64_t seed);
uint64_t ws_hash_u64(uint64_t x, uint64_t seed);
static inline uint64_t
ws_hash_ptr(const void *p, uint64_t seed)
{
	return ws_hash_u64((uint64_t)(uintptr_t)p, seed);
}

struct ws_strpool {
	struct ws_hmap map;
	char **blocks;
	size_t nblocks;
	size_t used; /* bytes used in the last block */
};

void ws_strpool_init(struct ws_strpool *sp);
void ws_strpool_free(struct ws_strpool *sp);
/* The pooled copy of s (NULL for NULL). */
const char *ws_intern(struct ws_strpool *sp, const char *s);
/* The same for the n bytes at s (no NUL needed); n must not include a NUL. */
const char *ws_intern_n(struct ws_strpool *sp, const char *s, size_t n);

#endif
