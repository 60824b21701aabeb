/* Unit test of profiler/perf_ring.h: the sampling periods in a perf ring's
 * records.  SAMPLE records (8 bytes with sample_type 0) count one each,
 * LOST records their count, THROTTLE / UNTHROTTLE and unknown records
 * nothing; records wrap around the end of the data area; a record that
 * claims to run past head ends the walk.  Exit 0 when every case holds. */
#include <stdio.h>
#include <string.h>

#include "perf_ring.h"

#define SIZE 256 /* data area of the synthetic ring, a power of two */

static uint8_t data[SIZE];
static uint64_t head;
static int failed;

static void
put_u64(uint64_t v)
{
	memcpy(data + (head & (SIZE - 1)), &v, 8);
	head += 8;
}

static void
put(uint32_t type, uint16_t size, const uint64_t *body, int nbody)
{
	struct perf_event_header h = {type, 0, size};
	uint64_t w;
	memcpy(&w, &h, 8);
	put_u64(w);
	for (int i = 0; i < nbody; i++)
		put_u64(body[i]);
}

static void
sample(void)
{
	put(PERF_RECORD_SAMPLE, 8, NULL, 0);
}

static void
check(const char *what, uint64_t tail, uint64_t want)
{
	uint64_t got = ws_perf_ring_periods(data, SIZE, tail, head);
	printf("%s %s: %llu periods (want %llu)\n", got == want ? "ok  " : "FAIL", what,
	       (unsigned long long)got, (unsigned long long)want);
	if (got != want)
		failed = 1;
}

int
main(void)
{
	uint64_t tail;

	head = tail = 0;
	check("empty ring", tail, 0);

	sample();
	sample();
	sample();
	check("three samples", tail, 3);

	tail = head;
	uint64_t throttle[3] = {123456789, 42, 42}; /* time, id, stream_id */
	put(PERF_RECORD_THROTTLE, 32, throttle, 3);
	sample();
	put(PERF_RECORD_UNTHROTTLE, 32, throttle, 3);
	check("throttle, sample, unthrottle", tail, 1);

	tail = head;
	uint64_t lost[2] = {42, 1000}; /* id, lost */
	put(PERF_RECORD_LOST, 24, lost, 2);
	sample();
	check("lost 1000, then a sample", tail, 1001);

	tail = head;
	uint64_t other[2] = {7, 7};
	put(99, 24, other, 2); /* a type this code does not know */
	sample();
	check("unknown record, sample", tail, 1);

	/* Wrap: start 16 bytes before the end, a LOST record whose count
	 * lies past the end, then samples. */
	head = tail = 100 * SIZE - 16;
	put(PERF_RECORD_LOST, 24, lost, 2);
	sample();
	sample();
	check("lost record wrapping the end", tail, 1002);

	/* A full ring of samples. */
	head = tail = 7 * SIZE;
	for (int i = 0; i < SIZE / 8; i++)
		sample();
	check("full ring", tail, SIZE / 8);

	/* A record that claims more bytes than were written: the walk stops. */
	head = tail = 0;
	sample();
	put(PERF_RECORD_SAMPLE, 64, NULL, 0);
	check("record running past head", tail, 1);

	return failed;
}
