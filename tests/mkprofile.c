/* mkprofile: write a synthetic whyslow profile, correct or broken on
 * purpose, for the reader tests (test-only; see reader_synth.c).
 *
 *   mkprofile [-v VARIANT] [-t N] FILE   write one profile (default: valid),
 *                                        cut to its first N bytes with -t
 *   mkprofile -l                         list the variants
 *   mkprofile -c DIR                     write every variant into DIR as
 *                                        {ok,incomplete,bad}-VARIANT.wsp
 *
 * tests/corpus/ was made with `mkprofile -c tests/corpus`; reader_check
 * expects each file there to load, load as incomplete, or fail, by its
 * name's prefix.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader_synth.h"

static int
write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
		fprintf(stderr, "mkprofile: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static const char *
prefix(enum synth_expect e)
{
	return e == EXPECT_LOAD ? "ok" : e == EXPECT_INCOMPLETE ? "incomplete" : "bad";
}

static int
write_corpus(const char *dir)
{
	int rc = 0;
	for (const struct synth_variant *v = synth_variants; v->name; v++) {
		size_t n;
		uint8_t *p = synth_build(v->name, &n, NULL);
		char path[4096];
		snprintf(path, sizeof path, "%s/%s-%s.wsp", dir, prefix(v->expect), v->name);
		rc |= write_file(path, p, n);
		free(p);
	}
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: mkprofile [-v VARIANT] [-t BYTES] FILE | -l | -c DIR\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *variant = "valid";
	long truncate = -1;
	int c;
	while ((c = getopt(argc, argv, "v:t:lc:")) != -1) {
		switch (c) {
		case 'v':
			variant = optarg;
			break;
		case 't':
			truncate = strtol(optarg, NULL, 10);
			break;
		case 'l':
			for (const struct synth_variant *v = synth_variants; v->name; v++)
				printf("%-18s %-10s %s\n", v->name, prefix(v->expect), v->what);
			return 0;
		case 'c':
			return write_corpus(optarg);
		default:
			return usage();
		}
	}
	if (optind + 1 != argc)
		return usage();
	size_t n;
	uint8_t *p = synth_build(variant, &n, NULL);
	if (!p) {
		fprintf(stderr, "mkprofile: no variant '%s' (mkprofile -l lists them)\n", variant);
		return 2;
	}
	if (truncate >= 0 && (size_t)truncate < n)
		n = (size_t)truncate;
	int rc = write_file(argv[optind], p, n);
	free(p);
	return rc;
}
