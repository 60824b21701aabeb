/* Hash tables and the string pool (see hmap.h). */
#include "config.h"

#include "hmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
ws_hmap_init(struct ws_hmap *m)
{
	memset(m, 0, sizeof *m);
}

void
ws_hmap_free(struct ws_hmap *m)
{
	free(m->entries);
	free(m->hashes);
	memset(m, 0, sizeof *m);
}

void *
ws_hmap_find(const struct ws_hmap *m, uint64_t h, ws_hmap_eq_fn eq, const void *key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		void *e = m->entries[i];
		if (!e)
			return NULL;
		if (m->hashes[i] == h && eq(e, key))
			return e;
	}
}

static void
place(void **entries, uint64_t *hashes, size_t cap, uint64_t h, void *e)
{
	size_t mask = cap - 1;
	size_t i = h & mask;
	while (entries[i])
		i = (i + 1) & mask;
	entries[i] = e;
	hashes[i] = h;
}

void
ws_hmap_insert(struct ws_hmap *m, uint64_t h, void *entry)
{
	if ((m->len + 1) * 4 > m->cap * 3) { /* keep the load below 3/4 */
		size_t ncap = m->cap ? m->cap * 2 : 64;
		void **ne = ws_xcalloc(ncap, sizeof *ne);
		uint64_t *nh = ws_xcalloc(ncap, sizeof *nh);
		for (size_t i = 0; i < m->cap; i++)
			if (m->entries[i])
				place(ne, nh, ncap, m->hashes[i], m->entries[i]);
		free(m->entries);
		free(m->hashes);
		m->entries = ne;
		m->hashes = nh;
		m->cap = ncap;
	}
	place(m->entries, m->hashes, m->cap, h, entry);
	m->len++;
}

uint64_t
ws_hash_u64(uint64_t x, uint64_t seed)
{
	/* splitmix64's finaliser */
	x += seed + 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t
ws_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	/* FNV-1a, then mixed */
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return ws_hash_u64(h, n);
}

/* ---- string pool ---- */

enum { POOL_BLOCK = 64 * 1024 };

void
ws_strpool_init(struct ws_strpool *sp)
{
	memset(sp, 0, sizeof *sp);
	ws_hmap_init(&sp->map);
}

void
ws_strpool_free(struct ws_strpool *sp)
{
	for (size_t i = 0; i < sp->nblocks; i++)
		free(sp->blocks[i]);
	free(sp->blocks);
	ws_hmap_free(&sp->map);
	memset(sp, 0, sizeof *sp);
}

struct strkey {
	const char *s;
	size_t n;
};

static bool
str_eq(const void *entry, const void *key)
{
	const struct strkey *k = key;
	const char *e = entry;
	return !strncmp(e, k->s, k->n) && e[k->n] == '\0';
}

static char *
pool_alloc(struct ws_strpool *sp, size_t n)
{
	if (n > POOL_BLOCK / 4) { /* big strings get their own block */
		char *b = ws_xmalloc(n);
		sp->blocks = ws_xrealloc(sp->blocks, (sp->nblocks + 1) * sizeof *sp->blocks);
		/* keep the current small block last */
		if (sp->nblocks) {
			sp->blocks[sp->nblocks] = sp->blocks[sp->nblocks - 1];
			sp->blocks[sp->nblocks - 1] = b;
		} else {
			sp->blocks[0] = b;
			sp->used = POOL_BLOCK; /* no small block yet */
		}
		sp->nblocks++;
		return b;
	}
	if (!sp->nblocks || sp->used + n > POOL_BLOCK) {
		sp->blocks = ws_xrealloc(sp->blocks, (sp->nblocks + 1) * sizeof *sp->blocks);
		sp->blocks[sp->nblocks++] = ws_xmalloc(POOL_BLOCK);
		sp->used = 0;
	}
	char *p = sp->blocks[sp->nblocks - 1] + sp->used;
	sp->used += n;
	return p;
}

const char *
ws_intern_n(struct ws_strpool *sp, const char *s, size_t n)
{
	struct strkey k = {s, n};
	uint64_t h = ws_hash_bytes(s, n, 0);
	char *e = ws_hmap_find(&sp->map, h, str_eq, &k);
	if (e)
		return e;
	e = pool_alloc(sp, n + 1);
	memcpy(e, s, n);
	e[n] = '\0';
	ws_hmap_insert(&sp->map, h, e);
	return e;
}

const char *
ws_intern(struct ws_strpool *sp, const char *s)
{
	return s ? ws_intern_n(sp, s, strlen(s)) : NULL;
}
