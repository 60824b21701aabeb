/* randomwalk: a 1-D random walk with a planted bottleneck for the profiler.
 *
 * ENCCS "High Performance Data Analytics in Python", optimization episode
 * (walk.py): the profiling demo, 10^6 steps of +-1, in which line_profiler
 * finds a cost nobody suspected (an `import` inside the per-step function).
 * The C variants all walk the same path (the step at i is a fixed function
 * of the seed and i) and keep track of the mean position and the largest
 * distance from the origin, printed as a progress check every CHECK_EVERY
 * steps and at the end:
 *
 *   fixed    keeps a running sum and maximum: O(1) work per step
 *   planted  the bottleneck: each progress check recomputes the mean and
 *            maximum of the whole path so far (path_stats), so the work per
 *            check grows with the walk and the total is quadratic
 *   setup    the course's other planted cost: every step builds its
 *            lookup table afresh (step_with_setup: allocate, fill, free),
 *            the C picture of walk.py's `import random` inside step()
 *   all      every variant in turn
 *
 * Usage: randomwalk VARIANT [STEPS] [SEED]
 *   STEPS default 1000000, SEED default 42.
 *
 * Each variant's final position, sums and checkpoint values are compared with
 * the fixed variant's (run untimed as the reference); exit 1 on a mismatch,
 * 2 on usage error.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXAMPLE_NAME "randomwalk"
#include "example_util.h"

#define NOINLINE __attribute__((noinline))
#define DEFAULT_STEPS 1000000L
#define DEFAULT_SEED 42UL
#define CHECK_EVERY 1000L

static uint64_t seed = DEFAULT_SEED;

struct walk {
	long *path; /* path[0] = 0, path[i] = position after step i */
	long steps;
	long final;
	long sum;      /* of all positions, path[0..steps] */
	long max;      /* largest |position| */
	long checksum; /* sum over the progress checks of (sum + max) so far */
};

/* splitmix64 of (seed, i): a counter-based generator, so every variant
 * walks exactly the same path. */
static inline uint64_t
mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One step: +1 or -1. */
NOINLINE long
step(long i)
{
	return (mix(seed ^ mix((uint64_t)i)) & 1) ? 1 : -1;
}

/* The same step, but it first builds its lookup table from scratch, as
 * walk.py's step() runs `import random` on every call. */
NOINLINE long
step_with_setup(long i)
{
	long *table = malloc(256 * sizeof *table);
	if (!table) {
		perror("randomwalk: malloc");
		exit(2);
	}
	for (int b = 0; b < 256; b++)
		table[b] = (b & 1) ? 1 : -1;
	long s = table[mix(seed ^ mix((uint64_t)i)) & 255];
	free(table);
	return s;
}

/* Sum of path[0..len) and the largest |path[k]|: O(len). */
NOINLINE void
path_stats(const long *path, long len, long *sum, long *max)
{
	long s = 0, m = 0;
	for (long k = 0; k < len; k++) {
		s += path[k];
		long d = path[k] < 0 ? -path[k] : path[k];
		if (d > m)
			m = d;
	}
	*sum = s;
	*max = m;
}

NOINLINE void
walk_fixed(struct walk *w)
{
	long x = 0, sum = 0, max = 0, checksum = 0;
	w->path[0] = 0;
	for (long i = 1; i <= w->steps; i++) {
		x += step(i);
		w->path[i] = x;
		sum += x;
		long d = x < 0 ? -x : x;
		if (d > max)
			max = d;
		if (i % CHECK_EVERY == 0)
			checksum += sum + max;
	}
	w->final = x;
	w->sum = sum;
	w->max = max;
	w->checksum = checksum;
}

NOINLINE void
walk_planted(struct walk *w)
{
	long x = 0, sum = 0, max = 0, checksum = 0;
	w->path[0] = 0;
	for (long i = 1; i <= w->steps; i++) {
		x += step(i);
		w->path[i] = x;
		if (i % CHECK_EVERY == 0) {
			path_stats(w->path, i + 1, &sum, &max); /* the whole path, again */
			checksum += sum + max;
		}
	}
	path_stats(w->path, w->steps + 1, &sum, &max);
	w->final = x;
	w->sum = sum;
	w->max = max;
	w->checksum = checksum;
}

NOINLINE void
walk_setup(struct walk *w)
{
	long x = 0, sum = 0, max = 0, checksum = 0;
	w->path[0] = 0;
	for (long i = 1; i <= w->steps; i++) {
		x += step_with_setup(i);
		w->path[i] = x;
		sum += x;
		long d = x < 0 ? -x : x;
		if (d > max)
			max = d;
		if (i % CHECK_EVERY == 0)
			checksum += sum + max;
	}
	w->final = x;
	w->sum = sum;
	w->max = max;
	w->checksum = checksum;
}

static const struct variant {
	const char *name;
	void (*walk)(struct walk *);
} variants[] = {
    {"fixed", walk_fixed},
    {"planted", walk_planted},
    {"setup", walk_setup},
};
#define NVARIANTS (sizeof variants / sizeof *variants)

static long *
new_path(long steps)
{
	long *p = malloc((size_t)(steps + 1) * sizeof *p);
	if (!p) {
		fprintf(stderr, "randomwalk: cannot allocate %ld steps: %s\n", steps,
			strerror(errno));
		exit(2);
	}
	return p;
}

static int
run(const struct variant *v, const struct walk *ref, long steps)
{
	struct walk w = {.path = new_path(steps), .steps = steps};
	double t0 = now();
	v->walk(&w);
	double elapsed = now() - t0;
	printf("randomwalk %-7s steps=%ld final=%ld mean=%.4f max=%ld checksum=%ld time=%.3f s\n",
	       v->name, steps, w.final, (double)w.sum / (steps + 1), w.max, w.checksum, elapsed);
	fflush(stdout);
	int ok = w.final == ref->final && w.sum == ref->sum && w.max == ref->max &&
		 w.checksum == ref->checksum &&
		 !memcmp(w.path, ref->path, (size_t)(steps + 1) * sizeof *w.path);
	free(w.path);
	if (!ok) {
		fprintf(stderr, "randomwalk: %s: result differs from the fixed variant's\n",
			v->name);
		return 1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: randomwalk fixed|planted|setup|all [STEPS] [SEED]\n"
		"  STEPS default %ld, SEED default %lu\n"
		"  exit 0 ok, 1 result differs from the fixed variant, 2 usage error\n",
		DEFAULT_STEPS, DEFAULT_SEED);
}

static int
parse_number(const char *s, double min, double max, const char *what, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v != floor(v) || v < min || v > max) {
		fprintf(stderr, "randomwalk: %s must be a whole number in [%.0f, %.0f], not '%s'\n",
			what, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
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
	double v;
	long steps = DEFAULT_STEPS;
	if (argc > 2) {
		if (parse_number(argv[2], 1, 1e10, "STEPS", &v))
			return 2;
		steps = (long)v;
	}
	if (argc > 3) {
		if (parse_number(argv[3], 0, 1e15, "SEED", &v))
			return 2;
		seed = (uint64_t)v;
	}

	int all = !strcmp(argv[1], "all"), found = 0, status = 0;
	struct walk ref = {.path = new_path(steps), .steps = steps};
	walk_fixed(&ref); /* the reference, untimed */
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (!all && strcmp(argv[1], variants[i].name))
			continue;
		found = 1;
		status |= run(&variants[i], &ref, steps);
	}
	free(ref.path);
	if (!found) {
		fprintf(stderr, "randomwalk: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	return status;
}
