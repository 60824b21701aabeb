/* wordcount: the parts shared by wordcount.c, wordcount_mpi.c and
 * mkcorpus.c (in wordcount_common.c): the corpus generator, the course's
 * preprocessing and word count, and the word autocorrelation kernels. */
#ifndef WHYSLOW_WORDCOUNT_H
#define WHYSLOW_WORDCOUNT_H

#include <stddef.h>
#include <stdint.h>

#define DEFAULT_CORPUS_BYTES 4000000L
#define DEFAULT_SEED 1L
#define TOP_WORDS 16
#define LAGS 100

/* ---- the corpus ---- */

/* English-like text of about `bytes` bytes (it stops at the first word
 * boundary past that): words drawn from a fixed vocabulary of VOCABULARY
 * made-up words with Zipf's law (the word of rank r has probability
 * proportional to 1 / r), in capitalised sentences with punctuation,
 * quotes, hyphens and paragraphs.  The same (bytes, seed) always gives the
 * same text.  Returns a malloc'd, NUL-terminated buffer; *len its length. */
char *make_corpus(long bytes, uint64_t seed, size_t *len);

/* The whole of `path`, NUL-terminated; NULL with errno set on failure. */
char *read_corpus(const char *path, size_t *len);

/* ---- preprocessing and word count ---- */

struct words {
	char *storage;		/* the lowercased text, one NUL-terminated word each */
	long n;			/* words in the text */
	int32_t *id;		/* id[i]: the i-th word's index in word[] */
	long distinct;		/* entries in word[] and count[] */
	char **word;		/* lowercased, NUL-terminated */
	long *count;		/* occurrences of each */
	int32_t top[TOP_WORDS]; /* the most frequent ids, most frequent first
				   (ties: alphabetical) */
	int ntop;
};

/* The course's preprocessing: delimiters (. , ; : ? $ @ ^ < > # % ` ! * - =
 * ( ) [ ] { } / " ') become spaces, the text is split on white space and
 * lowercased; then each word is counted (a hash table) and the most
 * frequent TOP_WORDS picked.  Returns 0, or -1 when the text has no words. */
int count_words(const char *text, size_t len, struct words *w);
void free_words(struct words *w);

/* ---- the word autocorrelation ---- */

/* The course's word_autocorr as whole numbers: for lags t < LAGS,
 * hits[t] = sum over i = 1 .. n-t-1 of mask[i] mask[i+t], where mask[i] is
 * 1 where word `id` stands; the autocorrelation is hits[t] / occurrences.
 * word_acf builds the 0/1 mask and runs through it once per lag,
 * O(LAGS n); word_acf_sparse visits only the word's own positions,
 * O(LAGS occurrences).  Both return the occurrences. */
long word_acf(const int32_t *id, long n, int32_t word, int64_t *hits);
long word_acf_sparse(const int32_t *id, long n, int32_t word, int64_t *hits);
/* The same from the differences between the word's positions, for the
 * checks: O(occurrences x the occurrences within LAGS words). */
long word_acf_pairs(const int32_t *id, long n, int32_t word, int64_t *hits);

/* The average over the top words of hits[k][t] / occurrences[k], in word
 * order, so every variant that gets the same whole numbers gets the same
 * doubles. */
void acf_average(int ntop, const int64_t (*hits)[LAGS], const long *occurrences, double *average);

#endif
