/* wordcount: word counts and the word autocorrelation over a text corpus.
 *
 * ENCCS "High Performance Data Analytics in Python", parallel-computing
 * episode (exercise/autocorrelation*.py and the word-count-hpda repo): a
 * book is split into lowercased words, the words counted, and for each of
 * the 16 most frequent words the autocorrelation of its 0/1 mask over the
 * text is computed for lags 0..99 (sum over i of mask[i] mask[i+t], divided
 * by the word's count) and the 16 averaged.  The cost is words x lags x n
 * (16 x 100 x 730k at the default size).  The variants:
 *
 *   serial  the words one after another (autocorrelation.py)
 *   openmp  the words shared among OpenMP threads, one word per task of a
 *           dynamic schedule (the course's Pool(4).map over words; needs
 *           OpenMP at build time, else it says so and exits 2)
 *   sparse  the algorithmic fix: visit only the positions where the word
 *           stands and look LAGS ahead, O(LAGS x occurrences) instead of
 *           O(LAGS x n) per word (the course suggests computing only the
 *           100 lags wanted, or an FFT)
 *   all     every variant in turn
 *
 * Usage: wordcount VARIANT [CORPUS | BYTES] [THREADS]
 *   CORPUS a text file (mkcorpus writes one; a Project Gutenberg book
 *   works too); a whole number instead generates that many bytes of text in
 *   memory with mkcorpus's generator and seed 1 (name a file ./1000 to read
 *   a file of that name).  Default: 4000000 bytes generated (about 730k
 *   words, the size of a long book).  THREADS (openmp) default
 *   $OMP_NUM_THREADS, else 4.
 *
 * Prints the word count, the top word, the averaged autocorrelation at lags
 * 1 and 99 and the time of the count and of the autocorrelation.  The
 * whole-number hits of every word and lag must equal those counted a third
 * way, untimed, from the differences between the word's positions
 * (word_acf_pairs, cheap): every variant then has the same hits, and the
 * averages, computed from them in one order, are equal to the last bit.
 * Exit 0 ok, 1 a mismatch, 2 usage error, an unreadable file or no OpenMP.
 *
 * Kernels: make_corpus, split_words, tally_words (the count), word_mask,
 * word_acf, word_acf_sparse, word_acf_pairs (wordcount_common.c),
 * acf_serial, acf_openmp, acf_sparse, acf_reference.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define EXAMPLE_NAME "wordcount"
#include "example_util.h"
#include "wordcount.h"

#define NOINLINE __attribute__((noinline))
#define MAX_THREADS 1024

struct result {
	int64_t hits[TOP_WORDS][LAGS];
	long occurrences[TOP_WORDS];
};

NOINLINE void
acf_serial(const struct words *w, struct result *r)
{
	for (int k = 0; k < w->ntop; k++)
		r->occurrences[k] = word_acf(w->id, w->n, w->top[k], r->hits[k]);
}

#ifdef _OPENMP
NOINLINE void
acf_openmp(const struct words *w, struct result *r, int threads)
{
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
	for (int k = 0; k < w->ntop; k++)
		r->occurrences[k] = word_acf(w->id, w->n, w->top[k], r->hits[k]);
}
#endif

NOINLINE void
acf_sparse(const struct words *w, struct result *r)
{
	for (int k = 0; k < w->ntop; k++)
		r->occurrences[k] = word_acf_sparse(w->id, w->n, w->top[k], r->hits[k]);
}

static const char *const variants[] = {"serial", "openmp", "sparse"};
#define NVARIANTS (sizeof variants / sizeof *variants)

/* The reference: the hits counted from the differences between positions
 * (word_acf_pairs), computed once, untimed. */
static struct result reference;
static int have_reference;

NOINLINE void
acf_reference(const struct words *w, struct result *r)
{
	for (int k = 0; k < w->ntop; k++)
		r->occurrences[k] = word_acf_pairs(w->id, w->n, w->top[k], r->hits[k]);
}

static int
run(const char *variant, const struct words *w, double count_time, int threads)
{
	static struct result r;
	memset(&r, 0, sizeof r);
	int used = 1;
	double t0 = now();
	if (!strcmp(variant, "serial")) {
		acf_serial(w, &r);
	} else if (!strcmp(variant, "openmp")) {
#ifdef _OPENMP
		acf_openmp(w, &r, threads);
		used = threads;
#else
		(void)threads;
		fprintf(stderr, "wordcount: openmp: unavailable (built without OpenMP)\n");
		return 2;
#endif
	} else {
		acf_sparse(w, &r);
	}
	double elapsed = now() - t0;

	if (!have_reference) {
		acf_reference(w, &reference);
		have_reference = 1;
	}
	int ok = !memcmp(r.hits, reference.hits, sizeof r.hits) &&
		 !memcmp(r.occurrences, reference.occurrences, sizeof r.occurrences);

	double average[LAGS];
	acf_average(w->ntop, (const int64_t(*)[LAGS])r.hits, r.occurrences, average);
	printf("wordcount %-6s words=%ld distinct=%ld top=%s(%ld) acf[1]=%.12f acf[99]=%.12f "
	       "threads=%d count=%.3f s acf=%.3f s\n",
	       variant, w->n, w->distinct, w->word[w->top[0]], w->count[w->top[0]], average[1],
	       average[LAGS - 1], used, count_time, elapsed);
	fflush(stdout);
	if (!ok) {
		fprintf(stderr,
			"wordcount: %s: autocorrelation differs from the count by position "
			"differences\n",
			variant);
		return 1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: wordcount serial|openmp|sparse|all [CORPUS | BYTES] [THREADS]\n"
		"  word counts and the autocorrelation of the %d most frequent words over\n"
		"  lags 0..%d in the text file CORPUS, or in BYTES bytes of generated text\n"
		"  (mkcorpus, seed 1); default %ld bytes generated\n"
		"  THREADS for openmp: default $OMP_NUM_THREADS, else 4\n"
		"  exit 0 ok, 1 mismatch, 2 usage error, unreadable file or no OpenMP\n",
		TOP_WORDS, LAGS - 1, DEFAULT_CORPUS_BYTES);
}

/* A whole number: the size of text to generate; else a file name. */
static int
is_number(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	return !errno && end != s && !*end && v == floor(v) && v >= 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	int all = !strcmp(argv[1], "all"), found = 0;
	for (size_t i = 0; i < NVARIANTS; i++)
		found |= !strcmp(argv[1], variants[i]);
	if (!all && !found) {
		fprintf(stderr, "wordcount: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	long bytes = DEFAULT_CORPUS_BYTES, threads = default_threads(MAX_THREADS);
	const char *path = NULL;
	if (argc > 2) {
		if (!is_number(argv[2]))
			path = argv[2];
		else if (parse_count(argv[2], 1, 1e10, "BYTES", &bytes))
			return 2;
	}
	if (argc > 3 && parse_count(argv[3], 1, MAX_THREADS, "THREADS", &threads))
		return 2;

	size_t len;
	char *text = path ? read_corpus(path, &len) : make_corpus(bytes, DEFAULT_SEED, &len);
	if (!text) {
		fprintf(stderr, "wordcount: %s: %s\n", path, strerror(errno));
		return 2;
	}
	struct words w;
	double t0 = now();
	int empty = count_words(text, len, &w);
	double count_time = now() - t0;
	if (empty) {
		fprintf(stderr, "wordcount: %s: no words\n", path ? path : "corpus");
		return 2;
	}

	int status = 0;
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (!all && strcmp(argv[1], variants[i]))
			continue;
		int s = run(variants[i], &w, count_time, (int)threads);
		if (s == 2 && all)
			continue; /* unavailable: not a failure of `all` */
		if (s > status)
			status = s;
	}
	free_words(&w);
	free(text);
	return status;
}
