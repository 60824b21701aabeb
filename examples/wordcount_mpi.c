/* wordcount_mpi: the word autocorrelation of wordcount.c with the words
 * split among MPI ranks.
 *
 * ENCCS "High Performance Data Analytics in Python", parallel-computing
 * episode (autocorrelation MPI solution, `time mpirun -np N python ...`):
 * every rank reads the book and counts its words; the 16 most frequent
 * words are split into blocks, the first (16 mod RANKS) ranks taking one
 * more; each rank computes its words' autocorrelations and rank 0 gathers
 * them and averages.  The variants:
 *
 *   serial  rank 0 computes all 16 words while the other ranks wait for
 *           the gather, sleeping between polls so as to leave rank 0 a
 *           core (the baseline, in the same launch)
 *   mpi     the block split, collected with MPI_Gatherv
 *   all     both in turn
 *
 * Usage: mpirun -np RANKS wordcount_mpi VARIANT [CORPUS | BYTES]
 *   as wordcount: a text file, or a whole number of bytes of text to
 *   generate in memory (seed 1), default 4000000.  Run as root, Open MPI
 *   wants --allow-run-as-root; with more ranks than cores, --oversubscribe.
 *
 * Rank 0 prints the word count, the averaged autocorrelation at lags 1 and
 * 99 and the times (the count, then the autocorrelation from a barrier to
 * the gathered result).  The gathered whole-number hits must equal those
 * counted from the differences between the words' positions
 * (word_acf_pairs), untimed on rank 0, so the averages equal wordcount's
 * to the last bit.  Every rank exits 0 ok, 1 on a
 * mismatch, 2 on a usage error or an unreadable file.
 *
 * Kernels: split_words, tally_words, word_mask, word_acf (wordcount_common.c),
 * acf_block.
 */
#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXAMPLE_NAME "wordcount_mpi"
#include "example_util.h"
#include "wordcount.h"

#define NOINLINE __attribute__((noinline))

/* The autocorrelation of top words [first, last) into hits/occurrences
 * (indexed from first). */
NOINLINE void
acf_block(const struct words *w, int first, int last, int64_t (*hits)[LAGS], int64_t *occurrences)
{
	for (int k = first; k < last; k++)
		occurrences[k - first] = word_acf(w->id, w->n, w->top[k], hits[k - first]);
}

/* Waits for a non-blocking operation with a 0.1 ms sleep between tests,
 * so that a rank with nothing to do leaves its core to the ones working
 * (MPI_Wait would poll flat out). */
static void
wait_quietly(MPI_Request *request)
{
	int done = 0;
	const struct timespec pause = {0, 100000};
	for (;;) {
		MPI_Test(request, &done, MPI_STATUS_IGNORE);
		if (done)
			return;
		nanosleep(&pause, NULL);
	}
}

/* The course's split: ntop / size words each, one more for the first
 * ntop % size ranks. */
static void
block(int ntop, int rank, int size, int *first, int *last)
{
	int base = ntop / size, extra = ntop % size;
	*first = rank * base + (rank < extra ? rank : extra);
	*last = *first + base + (rank < extra);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: mpirun -np RANKS wordcount_mpi serial|mpi|all [CORPUS | BYTES]\n"
		"  the autocorrelation of the %d most frequent words (lags 0..%d) of the\n"
		"  text file CORPUS, or of BYTES bytes of generated text (default %ld),\n"
		"  the words split among the ranks\n"
		"  exit 0 ok, 1 mismatch, 2 usage error or unreadable file\n",
		TOP_WORDS, LAGS - 1, DEFAULT_CORPUS_BYTES);
}

static int
run(const char *variant, const struct words *w, double count_time, int rank, int size)
{
	int all_on_0 = !strcmp(variant, "serial");
	int first, last;
	if (all_on_0) {
		first = 0;
		last = rank == 0 ? w->ntop : 0;
	} else {
		block(w->ntop, rank, size, &first, &last);
	}
	int mine = last - first;
	int64_t(*hits)[LAGS] = calloc(mine ? mine : 1, sizeof *hits);
	int64_t *occ = calloc(mine ? mine : 1, sizeof *occ);
	/* on rank 0, everything gathered: one record of 1 + LAGS numbers each */
	int64_t *gathered = NULL;
	int *counts = NULL, *displs = NULL;
	if (rank == 0) {
		gathered = calloc((size_t)w->ntop * (1 + LAGS), sizeof *gathered);
		counts = calloc(size, sizeof *counts);
		displs = calloc(size, sizeof *displs);
		if (!gathered || !counts || !displs)
			die_errno(errno, "calloc");
		for (int r = 0; r < size; r++) {
			int f, l;
			if (all_on_0) {
				f = 0;
				l = r == 0 ? w->ntop : 0;
			} else {
				block(w->ntop, r, size, &f, &l);
			}
			counts[r] = (l - f) * (1 + LAGS);
			displs[r] = f * (1 + LAGS);
		}
	}
	int64_t *packed = calloc((size_t)(mine ? mine : 1) * (1 + LAGS), sizeof *packed);
	if (!hits || !occ || !packed)
		die_errno(errno, "calloc");

	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = now();
	acf_block(w, first, last, hits, occ);
	for (int k = 0; k < mine; k++) {
		packed[k * (1 + LAGS)] = occ[k];
		memcpy(packed + k * (1 + LAGS) + 1, hits[k], sizeof hits[k]);
	}
	if (all_on_0) {
		/* the idle ranks wait without spinning */
		MPI_Request request;
		MPI_Igatherv(packed, mine * (1 + LAGS), MPI_INT64_T, gathered, counts, displs,
			     MPI_INT64_T, 0, MPI_COMM_WORLD, &request);
		wait_quietly(&request);
	} else {
		MPI_Gatherv(packed, mine * (1 + LAGS), MPI_INT64_T, gathered, counts, displs,
			    MPI_INT64_T, 0, MPI_COMM_WORLD);
	}
	double elapsed = now() - t0;

	int status = 0;
	if (rank == 0) {
		static int64_t all_hits[TOP_WORDS][LAGS], ref_hits[TOP_WORDS][LAGS];
		long all_occ[TOP_WORDS], ref_occ[TOP_WORDS];
		for (int k = 0; k < w->ntop; k++) {
			all_occ[k] = (long)gathered[k * (1 + LAGS)];
			memcpy(all_hits[k], gathered + k * (1 + LAGS) + 1, sizeof all_hits[k]);
			ref_occ[k] = word_acf_pairs(w->id, w->n, w->top[k], ref_hits[k]);
		}
		int ok = !memcmp(all_hits, ref_hits, (size_t)w->ntop * sizeof *all_hits) &&
			 !memcmp(all_occ, ref_occ, (size_t)w->ntop * sizeof *all_occ);
		double average[LAGS];
		acf_average(w->ntop, (const int64_t(*)[LAGS])all_hits, all_occ, average);
		printf("wordcount_mpi %-6s words=%ld distinct=%ld top=%s(%ld) acf[1]=%.12f "
		       "acf[99]=%.12f ranks=%d count=%.3f s acf=%.3f s\n",
		       variant, w->n, w->distinct, w->word[w->top[0]], w->count[w->top[0]],
		       average[1], average[LAGS - 1], all_on_0 ? 1 : size, count_time, elapsed);
		fflush(stdout);
		if (!ok) {
			fprintf(stderr,
				"wordcount_mpi: %s: autocorrelation differs from the count "
				"by position differences\n",
				variant);
			status = 1;
		}
	}
	if (all_on_0) {
		/* the gather is over for the idle ranks once they have sent their
		 * nothing: they wait here, for rank 0's verdict, without spinning */
		MPI_Request request;
		MPI_Ibcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD, &request);
		wait_quietly(&request);
	} else {
		MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
	}
	free(hits);
	free(occ);
	free(packed);
	free(gathered);
	free(counts);
	free(displs);
	return status;
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
	MPI_Init(&argc, &argv);
	int rank, size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);

	/* Rank 0 checks the arguments and tells the others. */
	int status = 0, help = 0;
	long bytes = DEFAULT_CORPUS_BYTES;
	const char *path = NULL;
	if (argc > 2 && !is_number(argv[2]))
		path = argv[2];
	if (rank == 0) {
		if (argc < 2 || argc > 3) {
			usage(stderr);
			status = 2;
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			help = 1;
		} else if (strcmp(argv[1], "serial") && strcmp(argv[1], "mpi") &&
			   strcmp(argv[1], "all")) {
			fprintf(stderr, "wordcount_mpi: unknown variant '%s'\n", argv[1]);
			usage(stderr);
			status = 2;
		} else if (argc > 2 && !path && parse_count(argv[2], 1, 1e10, "BYTES", &bytes)) {
			status = 2;
		}
	}
	long shared[3] = {status, help, bytes};
	MPI_Bcast(shared, 3, MPI_LONG, 0, MPI_COMM_WORLD);
	status = (int)shared[0];
	help = (int)shared[1];
	bytes = shared[2];

	/* Every rank reads (or generates) the text and counts its words, as
	 * every process of the course's script reads the book. */
	char *text = NULL;
	struct words w;
	memset(&w, 0, sizeof w);
	double count_time = 0.0;
	if (!status && !help) {
		size_t len;
		text = path ? read_corpus(path, &len) : make_corpus(bytes, DEFAULT_SEED, &len);
		int bad = 0;
		if (!text) {
			fprintf(stderr, "wordcount_mpi: %s: %s\n", path, strerror(errno));
			bad = 2;
		} else {
			double t0 = now();
			if (count_words(text, len, &w)) {
				if (rank == 0)
					fprintf(stderr, "wordcount_mpi: %s: no words\n",
						path ? path : "corpus");
				bad = 2;
			}
			count_time = now() - t0;
		}
		MPI_Allreduce(&bad, &status, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	}

	if (status || help) {
		/* nothing to run */
	} else if (strcmp(argv[1], "all")) {
		status = run(argv[1], &w, count_time, rank, size);
	} else {
		status = run("serial", &w, count_time, rank, size);
		int s = run("mpi", &w, count_time, rank, size);
		if (s > status)
			status = s;
	}
	free_words(&w);
	free(text);
	MPI_Finalize();
	return status;
}
