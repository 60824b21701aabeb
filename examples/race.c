/* race: a shared counter incremented by several threads.
 *
 * ENCCS "High Performance Data Analytics in Python", parallel-computing
 * episode (race.py, race_lock.py, race_dup.py): 4 workers increment one
 * shared integer and the final count comes out short; the fixes are a lock
 * around each increment and privatisation (each worker its own slot of a
 * shared array, the slots summed at the end).  The C variants:
 *
 *   unsafe     read, add one, write back (what Python's `counter += 1` does)
 *              with no synchronisation: updates get lost.  The only variant
 *              whose wrong count does not fail, since showing it is its
 *              point; whether updates are lost depends on the scheduling.
 *   atomic     one atomic fetch-and-add per increment (OpenMP `atomic`)
 *   locked     a mutex around each increment (race_lock.py, OpenMP
 *              `critical`): correct, and every increment contends
 *   reduction  each thread counts in a private variable, the totals are
 *              added at the end (OpenMP `reduction(+:counter)`)
 *   adjacent   each thread its own slot of one shared array (race_dup.py):
 *              correct, but the slots share a cache line, which bounces
 *              between cores on every increment (false sharing)
 *   padded     the same with each slot on its own 64-byte cache line
 *   all        every variant in turn
 *
 * Usage: race VARIANT [INCREMENTS] [THREADS]
 *   INCREMENTS per thread: default 100000 (the course's 10^5), except for
 *   adjacent/padded where it is 50000000 so the cache effect takes long
 *   enough to be seen and profiled.  THREADS: $OMP_NUM_THREADS, else 4.
 *
 * Prints the expected and the actual count and the time.  Exit 0 when the
 * count is right (always for unsafe), 1 when it is wrong, 2 on usage error.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXAMPLE_NAME "race"
#include "example_util.h"

#define NOINLINE __attribute__((noinline))
#define CACHE_LINE 64
#define MAX_THREADS 1024
#define DEFAULT_INCREMENTS 100000L
#define DEFAULT_SHARING_INCREMENTS 50000000L

/* The shared state of the counter variants. */
static long counter;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;

/* adjacent: one array of longs, all slots in one or two cache lines. */
static alignas(CACHE_LINE) long adjacent_slots[MAX_THREADS];

/* padded: each slot alone on its cache line. */
struct padded_slot {
	alignas(CACHE_LINE) long count;
};
static struct padded_slot padded_slots[MAX_THREADS];

static pthread_barrier_t start_line;

struct worker {
	pthread_t thread;
	int index;
	long increments;
	long result; /* reduction: the thread's private total */
};

/* Relaxed atomic loads and stores compile to plain moves: each increment is
 * a separate read, add and write to memory, as in the interpreter, without
 * the undefined behaviour of a plain data race in C. */
#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

NOINLINE void *
unsafe_worker(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(&start_line);
	for (long i = 0; i < w->increments; i++)
		STORE(&counter, LOAD(&counter) + 1);
	return NULL;
}

NOINLINE void *
atomic_worker(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(&start_line);
	for (long i = 0; i < w->increments; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

NOINLINE void *
locked_worker(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(&start_line);
	for (long i = 0; i < w->increments; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	return NULL;
}

NOINLINE void *
reduction_worker(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(&start_line);
	long mine = 0;
	for (long i = 0; i < w->increments; i++)
		mine++; /* private: the compiler may keep it in a register, or fold it */
	w->result = mine;
	return NULL;
}

NOINLINE void *
adjacent_worker(void *arg)
{
	struct worker *w = arg;
	long *slot = &adjacent_slots[w->index];
	pthread_barrier_wait(&start_line);
	for (long i = 0; i < w->increments; i++)
		STORE(slot, LOAD(slot) + 1);
	return NULL;
}

NOINLINE void *
padded_worker(void *arg)
{
	struct worker *w = arg;
	long *slot = &padded_slots[w->index].count;
	pthread_barrier_wait(&start_line);
	for (long i = 0; i < w->increments; i++)
		STORE(slot, LOAD(slot) + 1);
	return NULL;
}

static const struct variant {
	const char *name;
	void *(*worker)(void *);
	int sharing; /* adjacent/padded: larger default count */
	int may_be_wrong;
} variants[] = {
    {"unsafe", unsafe_worker, 0, 1},	 {"atomic", atomic_worker, 0, 0},
    {"locked", locked_worker, 0, 0},	 {"reduction", reduction_worker, 0, 0},
    {"adjacent", adjacent_worker, 1, 0}, {"padded", padded_worker, 1, 0},
};
#define NVARIANTS (sizeof variants / sizeof *variants)

static int
run(const struct variant *v, long increments, int threads)
{
	if (increments <= 0)
		increments = v->sharing ? DEFAULT_SHARING_INCREMENTS : DEFAULT_INCREMENTS;
	struct worker *workers = calloc(threads, sizeof *workers);
	if (!workers)
		die_errno(errno, "calloc");
	counter = 0;
	memset(adjacent_slots, 0, sizeof adjacent_slots);
	memset(padded_slots, 0, sizeof padded_slots);
	int err = pthread_barrier_init(&start_line, NULL, threads + 1);
	if (err)
		die_errno(err, "pthread_barrier_init");
	for (int t = 0; t < threads; t++) {
		workers[t].index = t;
		workers[t].increments = increments;
		err = pthread_create(&workers[t].thread, NULL, v->worker, &workers[t]);
		if (err)
			die_errno(err, "pthread_create");
	}
	/* All threads start together.  The clock starts before the release:
	 * afterwards this thread may not run again until a worker finishes. */
	double t0 = now();
	pthread_barrier_wait(&start_line);
	for (int t = 0; t < threads; t++) {
		err = pthread_join(workers[t].thread, NULL);
		if (err)
			die_errno(err, "pthread_join");
	}
	double elapsed = now() - t0;
	pthread_barrier_destroy(&start_line);

	long total = 0;
	if (v->worker == reduction_worker) {
		for (int t = 0; t < threads; t++)
			total += workers[t].result;
	} else if (v->worker == adjacent_worker) {
		for (int t = 0; t < threads; t++)
			total += adjacent_slots[t];
	} else if (v->worker == padded_worker) {
		for (int t = 0; t < threads; t++)
			total += padded_slots[t].count;
	} else {
		total = counter;
	}
	free(workers);

	long expected = increments * threads;
	printf("race %-9s threads=%d increments=%ld expected=%ld got=%ld lost=%ld time=%.3f s\n",
	       v->name, threads, increments, expected, total, expected - total, elapsed);
	fflush(stdout);
	if (total == expected)
		return 0;
	if (v->may_be_wrong) {
		printf("race unsafe: %ld of %ld updates lost (%.1f %%): the race the fixes "
		       "remove\n",
		       expected - total, expected, 100.0 * (expected - total) / expected);
		return 0;
	}
	fprintf(stderr, "race: %s: count %ld, expected %ld\n", v->name, total, expected);
	return 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: race unsafe|atomic|locked|reduction|adjacent|padded|all "
		"[INCREMENTS] [THREADS]\n"
		"  INCREMENTS per thread: default %ld (adjacent, padded: %ld)\n"
		"  THREADS: default $OMP_NUM_THREADS, else 4\n"
		"  exit 0 count right (unsafe: always), 1 count wrong, 2 usage error\n",
		DEFAULT_INCREMENTS, DEFAULT_SHARING_INCREMENTS);
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
	long increments = 0, threads = 4;
	threads = default_threads(MAX_THREADS);
	if (argc > 2 && parse_count(argv[2], 1, 1e12, "INCREMENTS", &increments))
		return 2;
	if (argc > 3 && parse_count(argv[3], 1, MAX_THREADS, "THREADS", &threads))
		return 2;

	int all = !strcmp(argv[1], "all"), status = 0, found = 0;
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (!all && strcmp(argv[1], variants[i].name))
			continue;
		found = 1;
		int s = run(&variants[i], increments, (int)threads);
		if (s > status)
			status = s;
	}
	if (!found) {
		fprintf(stderr, "race: unknown variant '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	return status;
}
