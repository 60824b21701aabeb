/* wordcount: corpus generator, preprocessing, word count and the word
 * autocorrelation kernels (wordcount.h), shared by wordcount, wordcount_mpi
 * and mkcorpus. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXAMPLE_NAME "wordcount"
#include "example_util.h"
#include "wordcount.h"

#define NOINLINE __attribute__((noinline))
#define VOCABULARY 50000
#define LINE_WIDTH 72

static void *
xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		die_errno(errno, "realloc");
	return q;
}

/* ---- the corpus ---- */

static uint64_t
next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
next_uniform(uint64_t *state)
{
	return (next_random(state) >> 11) * 0x1p-53;
}

/* The word of frequency rank r: 1, 2 or 3 syllables (consonant, vowel),
 * the most frequent words the shortest, as in real text.  Syllable strings
 * all have 2 letters, so the classes cannot collide; within a class the
 * ranks are scattered by an odd multiplier coprime with its size. */
static void
vocabulary_word(long r, char *out)
{
	static const char consonants[] = "bcdfghjklmnprstvwz", vowels[] = "aeiou";
	const long syllables = 18 * 5;
	long count, index;
	if (r < syllables) {
		count = 1;
		index = r * 37 % syllables;
	} else if (r < syllables + syllables * syllables) {
		count = 2;
		index = (r - syllables) * 4097 % (syllables * syllables);
	} else {
		long size = syllables * syllables * syllables;
		count = 3;
		index = (r - syllables - syllables * syllables) * 7919 % size;
	}
	for (long k = 0; k < count; k++) {
		long s = index % syllables;
		index /= syllables;
		*out++ = consonants[s / 5];
		*out++ = vowels[s % 5];
	}
	*out = '\0';
}

struct buffer {
	char *data;
	size_t len, cap;
	int column;
};

static void
put(struct buffer *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	for (size_t i = 0; i < n; i++)
		b->column = s[i] == '\n' ? 0 : b->column + 1;
}

/* A space, or a line break where the next `n` characters would pass the
 * line width. */
static void
space_before(struct buffer *b, size_t n)
{
	if (b->column == 0)
		return;
	if (b->column + 1 + n > LINE_WIDTH)
		put(b, "\n", 1);
	else
		put(b, " ", 1);
}

char *
make_corpus(long bytes, uint64_t seed, size_t *len)
{
	/* cumulative Zipf weights 1/(r+1) */
	double *cdf = malloc(VOCABULARY * sizeof *cdf), total = 0.0;
	if (!cdf)
		die_errno(errno, "malloc");
	for (long r = 0; r < VOCABULARY; r++)
		cdf[r] = total += 1.0 / (r + 1);

	uint64_t state = seed * 0x2545f4914f6cdd1dULL + 1;
	struct buffer b = {NULL, 0, 0, 0};
	b.cap = (size_t)bytes + 256;
	b.data = xrealloc(NULL, b.cap);
	int done = 0;
	while (!done) {
		int sentences = 4 + (int)(next_random(&state) % 8);
		for (int s = 0; s < sentences && !done; s++) {
			int words = 3 + (int)(next_random(&state) % 18);
			for (int w = 0; w < words && !done; w++) {
				/* the word: binary search of the cumulative weights */
				double u = next_uniform(&state) * total;
				long lo = 0, hi = VOCABULARY - 1;
				while (lo < hi) {
					long mid = (lo + hi) / 2;
					if (cdf[mid] > u)
						hi = mid;
					else
						lo = mid + 1;
				}
				char word[16], text[24];
				vocabulary_word(lo, word);
				if (w == 0)
					word[0] = (char)(word[0] - 'a' + 'A');
				uint64_t style = next_random(&state) % 600;
				if (style < 2)
					snprintf(text, sizeof text, "\"%s\"", word);
				else if (style < 4)
					snprintf(text, sizeof text, "(%s)", word);
				else if (style < 5)
					snprintf(text, sizeof text, "'%s'", word);
				else
					snprintf(text, sizeof text, "%s", word);
				size_t n = strlen(text);
				done = b.len + n >= (size_t)bytes;
				int last = w == words - 1 || done;
				const char *after = "";
				if (last) {
					uint64_t e = next_random(&state) % 100;
					after = e < 85 ? "." : e < 93 ? "?" : "!";
				} else {
					uint64_t p = next_random(&state) % 400;
					after = p < 40 ? "," : p < 48 ? ";" : p < 53 ? ":" : "";
					if (p >= 398) {
						/* a hyphenated pair: no space after */
						space_before(&b, n + 1);
						put(&b, text, n);
						put(&b, "-", 1);
						continue;
					}
				}
				if (b.len && b.data[b.len - 1] != '-')
					space_before(&b, n + strlen(after));
				put(&b, text, n);
				put(&b, after, strlen(after));
			}
		}
		put(&b, done ? "\n" : "\n\n", done ? 1 : 2);
	}
	free(cdf);
	b.data[b.len] = '\0';
	*len = b.len;
	return b.data;
}

char *
read_corpus(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char *data = xrealloc(NULL, cap);
	for (;;) {
		if (n + 1 >= cap)
			data = xrealloc(data, cap *= 2);
		ssize_t got = read(fd, data + n, cap - n - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			free(data);
			close(fd);
			errno = err;
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	data[n] = '\0';
	*len = n;
	return data;
}

/* ---- preprocessing and word count ---- */

static uint64_t
hash_word(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* More frequent first, then alphabetical. */
static int
ranks_before(const struct words *w, int32_t a, int32_t b)
{
	if (w->count[a] != w->count[b])
		return w->count[a] > w->count[b];
	return strcmp(w->word[a], w->word[b]) < 0;
}

/* Lowercases the text into w->storage with every delimiter and space made
 * a NUL, so each word is a string there; returns the number of words. */
NOINLINE long
split_words(const char *text, size_t len, struct words *w, char ***starts)
{
	static const char delimiters[] = ".,;:?$@^<>#%`!*-=()[]{}/\"' \t\n\r\v\f";
	unsigned char is_delim[256] = {0};
	for (const char *d = delimiters; *d; d++)
		is_delim[(unsigned char)*d] = 1;
	char *out = w->storage = xrealloc(NULL, len + 1);
	size_t cap = 1024;
	long n = 0;
	char **start = xrealloc(NULL, cap * sizeof *start);
	int in_word = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (is_delim[c] || c == '\0') {
			out[i] = '\0';
			in_word = 0;
			continue;
		}
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		if (!in_word) {
			if ((size_t)n == cap)
				start = xrealloc(start, (cap *= 2) * sizeof *start);
			start[n++] = out + i;
			in_word = 1;
		}
	}
	out[len] = '\0';
	*starts = start;
	return n;
}

/* Interns every word (open addressing on its FNV-1a hash) and counts. */
NOINLINE void
tally_words(char **start, long n, struct words *w)
{
	size_t slots = 1024, used = 0;
	int32_t *table = xrealloc(NULL, slots * sizeof *table);
	memset(table, 0xff, slots * sizeof *table); /* -1: empty */
	size_t cap = 1024;
	w->word = xrealloc(NULL, cap * sizeof *w->word);
	w->count = xrealloc(NULL, cap * sizeof *w->count);
	w->id = xrealloc(NULL, (size_t)(n ? n : 1) * sizeof *w->id);
	w->distinct = 0;
	for (long i = 0; i < n; i++) {
		size_t h = hash_word(start[i]) & (slots - 1);
		while (table[h] >= 0 && strcmp(w->word[table[h]], start[i]))
			h = (h + 1) & (slots - 1);
		if (table[h] < 0) {
			if ((size_t)w->distinct == cap) {
				cap *= 2;
				w->word = xrealloc(w->word, cap * sizeof *w->word);
				w->count = xrealloc(w->count, cap * sizeof *w->count);
			}
			table[h] = (int32_t)w->distinct;
			w->word[w->distinct] = start[i];
			w->count[w->distinct++] = 0;
			if (++used * 2 > slots) { /* grow and rehash */
				free(table);
				slots *= 2;
				table = xrealloc(NULL, slots * sizeof *table);
				memset(table, 0xff, slots * sizeof *table);
				for (long k = 0; k < w->distinct; k++) {
					size_t g = hash_word(w->word[k]) & (slots - 1);
					while (table[g] >= 0)
						g = (g + 1) & (slots - 1);
					table[g] = (int32_t)k;
				}
				h = hash_word(start[i]) & (slots - 1);
				while (table[h] != w->distinct - 1)
					h = (h + 1) & (slots - 1);
			}
		}
		w->count[table[h]]++;
		w->id[i] = table[h];
	}
	free(table);
}

int
count_words(const char *text, size_t len, struct words *w)
{
	memset(w, 0, sizeof *w);
	char **start;
	w->n = split_words(text, len, w, &start);
	tally_words(start, w->n, w);
	free(start);
	if (w->n == 0)
		return -1;
	/* the top words: insertion into a short sorted list */
	w->ntop = 0;
	for (long k = 0; k < w->distinct; k++) {
		int32_t id = (int32_t)k;
		if (w->ntop == TOP_WORDS && !ranks_before(w, id, w->top[TOP_WORDS - 1]))
			continue;
		int pos = w->ntop < TOP_WORDS ? w->ntop++ : TOP_WORDS - 1;
		while (pos > 0 && ranks_before(w, id, w->top[pos - 1])) {
			w->top[pos] = w->top[pos - 1];
			pos--;
		}
		w->top[pos] = id;
	}
	return 0;
}

void
free_words(struct words *w)
{
	free(w->storage);
	free(w->id);
	free(w->word);
	free(w->count);
	memset(w, 0, sizeof *w);
}

/* ---- the word autocorrelation ---- */

/* mask[i] = 1 where the text has `word`; returns how many. */
NOINLINE long
word_mask(const int32_t *id, long n, int32_t word, unsigned char *mask)
{
	long occurrences = 0;
	for (long i = 0; i < n; i++) {
		mask[i] = id[i] == word;
		occurrences += mask[i];
	}
	return occurrences;
}

NOINLINE long
word_acf(const int32_t *id, long n, int32_t word, int64_t *hits)
{
	unsigned char *mask = xrealloc(NULL, (size_t)n);
	long occurrences = word_mask(id, n, word, mask);
	for (long t = 0; t < LAGS; t++) {
		int64_t h = 0;
		for (long i = 1; i < n - t; i++)
			h += mask[i] & mask[i + t];
		hits[t] = h;
	}
	free(mask);
	return occurrences;
}

NOINLINE long
word_acf_sparse(const int32_t *id, long n, int32_t word, int64_t *hits)
{
	unsigned char *mask = xrealloc(NULL, (size_t)n);
	long occurrences = word_mask(id, n, word, mask);
	for (long t = 0; t < LAGS; t++)
		hits[t] = 0;
	for (long i = 1; i < n; i++) {
		if (!mask[i])
			continue;
		long lags = n - i < LAGS ? n - i : LAGS;
		for (long t = 0; t < lags; t++)
			hits[t] += mask[i + t];
	}
	free(mask);
	return occurrences;
}

/* The check: the same hits counted a third way, from the differences
 * between the word's positions (each pair p < q with q - p < LAGS and
 * p >= 1 is a hit at lag q - p, and each position p >= 1 one at lag 0).
 * O(occurrences x the occurrences within LAGS words). */
NOINLINE long
word_acf_pairs(const int32_t *id, long n, int32_t word, int64_t *hits)
{
	long occurrences = 0, *pos = xrealloc(NULL, (size_t)n * sizeof *pos);
	for (long i = 0; i < n; i++)
		if (id[i] == word)
			pos[occurrences++] = i;
	for (long t = 0; t < LAGS; t++)
		hits[t] = 0;
	for (long a = 0; a < occurrences; a++) {
		if (pos[a] < 1)
			continue;
		for (long b = a; b < occurrences && pos[b] - pos[a] < LAGS; b++)
			hits[pos[b] - pos[a]]++;
	}
	free(pos);
	return occurrences;
}

void
acf_average(int ntop, const int64_t (*hits)[LAGS], const long *occurrences, double *average)
{
	for (int t = 0; t < LAGS; t++) {
		double s = 0.0;
		for (int k = 0; k < ntop; k++)
			s += (double)hits[k][t] / occurrences[k];
		average[t] = ntop ? s / ntop : 0.0;
	}
}
