/* Counting the sampling periods in a perf ring buffer's records.
 *
 * The sampler's perf events have sample_type = 0: each overflow writes one
 * PERF_RECORD_SAMPLE of 8 bytes (the header alone).  The kernel also writes
 * records that are not overflows: PERF_RECORD_THROTTLE / UNTHROTTLE (the
 * event was throttled for exceeding perf_event_max_sample_rate, then
 * resumed) and PERF_RECORD_LOST (overflows whose records did not fit
 * because the ring was full, with their number).  So the periods a signal
 * stands for are the SAMPLE records plus the counts of the LOST records;
 * throttling records and any other type count nothing.
 *
 * Pure and async-signal-safe: reads the data area only, writes nothing.
 */
#ifndef WHYSLOW_PERF_RING_H
#define WHYSLOW_PERF_RING_H

#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>

/* The 8-byte aligned u64 at ring position pos (data_size a power of two,
 * so an aligned word never wraps). */
static inline uint64_t
ws_ring_u64(const uint8_t *data, uint64_t data_size, uint64_t pos)
{
	uint64_t v;
	memcpy(&v, data + (pos & (data_size - 1)), sizeof v);
	return v;
}

/* Periods recorded in data[tail, head) (positions as in data_tail and
 * data_head, not yet reduced modulo data_size).  A record that claims to
 * run past head ends the walk: the rest is not trusted. */
static inline uint64_t
ws_perf_ring_periods(const uint8_t *data, uint64_t data_size, uint64_t tail, uint64_t head)
{
	uint64_t periods = 0;
	if (head - tail > data_size)
		tail = head - data_size; /* cannot happen with a sane ring */
	for (uint64_t pos = tail; head - pos >= sizeof(struct perf_event_header);) {
		struct perf_event_header h;
		uint64_t w = ws_ring_u64(data, data_size, pos);
		memcpy(&h, &w, sizeof h);
		if (h.size < sizeof h || h.size % 8 || h.size > head - pos)
			break;
		if (h.type == PERF_RECORD_SAMPLE)
			periods++;
		else if (h.type == PERF_RECORD_LOST && h.size >= 24)
			periods += ws_ring_u64(data, data_size, pos + 16); /* {hdr, id, lost} */
		pos += h.size;
	}
	return periods;
}

#endif
