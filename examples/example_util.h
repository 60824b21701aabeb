/* Helpers shared by the examples: timing, argument parsing, errors.
 * Define EXAMPLE_NAME (the program's name, for messages) before including. */
#ifndef WHYSLOW_EXAMPLE_UTIL_H
#define WHYSLOW_EXAMPLE_UTIL_H

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef EXAMPLE_NAME
#error "define EXAMPLE_NAME before including example_util.h"
#endif

/* Seconds on the monotonic clock. */
static inline double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* "NAME: what: strerror(err)" on stderr, exit 2. */
static inline void
die_errno(int err, const char *what)
{
	fprintf(stderr, EXAMPLE_NAME ": %s: %s\n", what, strerror(err));
	exit(2);
}

/* A whole number in [min, max] (1e8 and 100000000 alike); -1 with a message
 * on anything else. */
static inline int
parse_count(const char *s, double min, double max, const char *what, long *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v != floor(v) || v < min || v > max) {
		fprintf(stderr,
			EXAMPLE_NAME ": %s must be a whole number in [%.0f, %.0f], not '%s'\n",
			what, min, max, s);
		return -1;
	}
	*out = (long)v;
	return 0;
}

/* The thread count from $OMP_NUM_THREADS ("8", or the first level of
 * "8,2"), else 4. */
static inline long
default_threads(long max)
{
	const char *env = getenv("OMP_NUM_THREADS");
	if (env && *env) {
		long v = strtol(env, NULL, 10);
		if (v >= 1 && v <= max)
			return v;
	}
	return 4;
}

#endif
