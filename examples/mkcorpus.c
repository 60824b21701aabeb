/* mkcorpus: writes the text corpus that wordcount reads.
 *
 * The course's word count and autocorrelation run over Project Gutenberg
 * books (22 KB to 2.6 MB; 64 of them, 33 MB).  This generates a stand-in,
 * nothing downloaded: made-up words whose frequencies follow Zipf's law
 * (rank r has probability proportional to 1 / r, over a vocabulary of
 * 50000), in capitalised sentences with commas, quotes, hyphens, lines of
 * at most 72 characters and paragraphs, so the course's preprocessing has
 * delimiters and capitals to deal with.  The same BYTES and SEED always
 * give the same text, byte for byte; wordcount BYTES generates the text of
 * seed 1 in memory.
 *
 * Usage: mkcorpus [BYTES] [SEED] > corpus.txt
 *   BYTES default 4000000 (it stops at the first word past that), SEED
 *   default 1.  Exit 0 ok, 2 on a usage or write error.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXAMPLE_NAME "mkcorpus"
#include "example_util.h"
#include "wordcount.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: mkcorpus [BYTES] [SEED] > corpus.txt\n"
		"  about BYTES bytes (default %ld) of Zipf-distributed made-up English;\n"
		"  the same BYTES and SEED (default %ld) give the same text\n"
		"  exit 0 ok, 2 usage or write error\n",
		DEFAULT_CORPUS_BYTES, DEFAULT_SEED);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 3) {
		usage(stderr);
		return 2;
	}
	long bytes = DEFAULT_CORPUS_BYTES, seed = DEFAULT_SEED;
	if (argc > 1 && parse_count(argv[1], 1, 1e10, "BYTES", &bytes))
		return 2;
	if (argc > 2 && parse_count(argv[2], 0, 1e15, "SEED", &seed))
		return 2;
	size_t len;
	char *text = make_corpus(bytes, (uint64_t)seed, &len);
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "mkcorpus: write error: %s\n", strerror(errno));
		free(text);
		return 2;
	}
	free(text);
	return 0;
}
