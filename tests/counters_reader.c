/* The reader's validation of WS_REC_COUNTERS and WS_REC_THREAD_COUNTERS
 * (reports/profile.c), on profiles built here byte by byte: a good one
 * loads with its counts in place; each defect (a count of events that does
 * not match, rows for a stack table of another size, a record whose size
 * contradicts its counts, thread counts without the event list, two event
 * lists, a thread that does not exist, an unknown status, an event name
 * with a NUL) is refused with a message naming it and never crashes
 * (built with ASan and UBSan). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"

static uint8_t buf[8192];
static size_t len;

static void
put(const void *p, size_t n)
{
	memcpy(buf + len, p, n);
	len += n;
}

static void
record(uint32_t type, const void *p, size_t n)
{
	struct ws_record_header h = {type, 0, n};
	put(&h, sizeof h);
	put(p, n);
	static const uint8_t zeros[8];
	put(zeros, (8 - n % 8) % 8);
}

enum defect {
	GOOD,
	NEVENTS_MISMATCH,
	STACKS_MISMATCH,
	SIZE_MISMATCH,
	NO_EVENT_LIST,
	TWO_EVENT_LISTS,
	NO_SUCH_THREAD,
	BAD_STATUS,
	NUL_IN_NAME,
	NDEFECTS
};
static const char *const expect_msg[NDEFECTS] = {
    NULL,
    "events, the counters record",
    "stack rows, thread 0 has 2 stacks",
    "need",
    "without a counters record",
    "a second counters record",
    "which has no thread record",
    "unknown status",
    "contains a NUL byte",
};

static void
build(enum defect d)
{
	len = 0;
	struct ws_file_header fh = {WS_MAGIC, WS_FORMAT_VERSION, sizeof fh, WS_ENDIAN_CHECK};
	put(&fh, sizeof fh);
	uint8_t proc[sizeof(struct ws_process) + 12] = {0};
	struct ws_process p = {.pid = 7, .clock = WS_CLOCK_CPU, .source = 1, .requested_hz = 1000};
	memcpy(proc, &p, sizeof p);
	record(WS_REC_PROCESS, proc, sizeof proc);
	/* thread 0: two stacks of one frame, 3 and 1 samples */
	uint8_t th[sizeof(struct ws_thread) + 2 * (sizeof(struct ws_stack) + 8)];
	struct ws_thread t = {.thread_index = 0, .tid = 7, .stack_count = 2, .samples = 4};
	memcpy(th, &t, sizeof t);
	size_t o = sizeof t;
	for (int s = 0; s < 2; s++) {
		struct ws_stack st = {1, 0, s ? 1 : 3};
		uint64_t ip = 0x1000 + 16 * (uint64_t)s;
		memcpy(th + o, &st, sizeof st);
		memcpy(th + o + sizeof st, &ip, 8);
		o += sizeof st + 8;
	}
	/* its counters: 2 events; totals, handler, 2 rows */
	struct ws_thread_counters tc = {.thread_index = d == NO_SUCH_THREAD ? 5 : 0,
					.nevents = d == NEVENTS_MISMATCH ? 1 : 2,
					.stack_count = d == STACKS_MISMATCH ? 1 : 2};
	uint64_t data[2 + 2 + 4] = {1000, 10, 5, 0, 700, 6, 200, 4};
	uint8_t tcb[sizeof tc + sizeof data + 8] = {0};
	memcpy(tcb, &tc, sizeof tc);
	size_t words = (2 + tc.stack_count) * tc.nevents;
	memcpy(tcb + sizeof tc, data, words * 8);
	record(WS_REC_THREAD_COUNTERS, tcb, sizeof tc + words * 8 + (d == SIZE_MISMATCH ? 8 : 0));
	record(WS_REC_THREAD, th, sizeof th);
	if (d != NO_EVENT_LIST) {
		struct {
			struct ws_counters h;
			struct ws_counter_event ev[2];
			char names[40];
		} c = {{2, 0},
		       {{1, WS_CTR_OK, 2, 0, 17}, {1, d == BAD_STATUS ? 9 : WS_CTR_OK, 3, 0, 22}},
		       "perf::PAGE-FAULTSperf::CONTEXT-SWITCHES"};
		if (d == NUL_IN_NAME)
			c.names[4] = 0;
		size_t n = sizeof c.h + sizeof c.ev + 17 + 22;
		record(WS_REC_COUNTERS, &c, n);
		if (d == TWO_EVENT_LISTS)
			record(WS_REC_COUNTERS, &c, n);
	}
	struct ws_end e = {.reason = WS_END_EXIT, .threads = 1};
	record(WS_REC_END, &e, sizeof e);
}

int
main(void)
{
	char path[] = "/tmp/whyslow-counters-reader.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 99;
	close(fd);
	int failures = 0;
	for (int d = 0; d < NDEFECTS; d++) {
		build((enum defect)d);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
			return 99;
		struct wsr_process p;
		struct ws_error err = {{0}};
		int rc = ws_load_file(path, &p, &err);
		if (d == GOOD) {
			const struct wsr_thread_counters *c =
			    rc == 0 && p.nthreads == 1 ? p.threads[0].counters : NULL;
			if (!c || p.nevents != 2 || strcmp(p.events[0].name, "perf::PAGE-FAULTS") ||
			    strcmp(p.events[1].name, "perf::CONTEXT-SWITCHES") ||
			    c->totals[0] != 1000 || c->handler[0] != 5 || c->rows[0] != 700 ||
			    c->rows[2] != 200 || c->rows[3] != 4) {
				printf("FAIL: the good profile: rc %d %s\n", rc, err.msg);
				failures++;
			}
		} else if (rc == 0 || !strstr(err.msg, expect_msg[d])) {
			printf("FAIL: defect %d: rc %d, message '%s', expected one with '%s'\n", d,
			       rc, err.msg, expect_msg[d]);
			failures++;
		} else {
			printf("defect %d refused: %s\n", d, err.msg);
		}
		if (rc == 0)
			ws_process_free(&p);
	}
	unlink(path);
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
