/* Per-thread counter groups and their attribution to sampled stacks (see
 * counters.h and docs/counters.md). */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arena.h"
#include "collector.h"
#include "counters.h"
#include "perf_attr.h"
#include "profile_format.h"
#include "settings.h"
#include "threads.h"
#include "writer.h"

struct event {
	char name[128];
	uint32_t type;
	uint64_t config, config1, config2;
	uint32_t exclude; /* bit 0 user, 1 kernel, 2 hypervisor */
};

static struct event events[WS_MAX_EVENTS];
static uint32_t nevents;
/* The first failure seen in any thread: which event, and errno. */
static _Atomic uint32_t first_err, first_err_event;

/* What the group leader's read() returns: PERF_FORMAT_GROUP with the
 * enabled and running times. */
struct group_read {
	uint64_t nr, time_enabled, time_running;
	uint64_t values[WS_MAX_EVENTS];
};

struct ws_counters_thread {
	int fds[WS_MAX_EVENTS]; /* -1: closed */
	int leader;		/* fds[0], or -1 */
	uint64_t leader_dev, leader_ino, leader_id;
	uint32_t err; /* errno of the open that failed, 0 */
	uint32_t flags;
	uint64_t prev[WS_MAX_EVENTS];	 /* values at the last read */
	uint64_t pending[WS_MAX_EVENTS]; /* deltas read as the handler began */
	bool pending_ok;
	uint64_t handler[WS_MAX_EVENTS]; /* counted inside the handler: nobody's */
	uint64_t totals[WS_MAX_EVENTS];	 /* at fini */
	uint64_t time_enabled, time_running;
	uint64_t *sums; /* [max_stacks][nevents], its own mapping */
	size_t sums_bytes;
};

bool
ws_counters_enabled(void)
{
	return nevents > 0;
}

/* One "TYPE:CONFIG:CONFIG1:CONFIG2:EXCLUDE" (hex) of WHYSLOW_EVENT_CODES. */
static bool
parse_code(const char *s, size_t len, struct event *e)
{
	char buf[128];
	if (len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	unsigned long long v[5];
	const char *p = buf;
	for (int i = 0; i < 5; i++) {
		char *end;
		errno = 0;
		v[i] = strtoull(p, &end, 16);
		if (errno || end == p || *end != (i == 4 ? '\0' : ':'))
			return false;
		p = end + (i < 4);
	}
	e->type = (uint32_t)v[0];
	e->config = v[1];
	e->config1 = v[2];
	e->config2 = v[3];
	e->exclude = (uint32_t)v[4];
	return v[0] <= UINT32_MAX && v[4] <= 7;
}

int
ws_counters_process_init(void)
{
	const char *names = getenv("WHYSLOW_EVENTS");
	const char *codes = getenv("WHYSLOW_EVENT_CODES");
	nevents = 0;
	if (!names || !*names)
		return 0;
	if (!codes || !*codes) {
		ws_warnf("WHYSLOW_EVENTS is set without WHYSLOW_EVENT_CODES (whyslow record sets "
			 "both); no counters");
		ws_notef("counters are off: WHYSLOW_EVENTS was set without WHYSLOW_EVENT_CODES "
			 "(use whyslow record -e)");
		return -1;
	}
	const char *n = names, *c = codes;
	while (*n) {
		if (nevents == WS_MAX_EVENTS)
			goto bad;
		struct event *e = &events[nevents];
		size_t len = strcspn(n, ",");
		if (len == 0 || len >= sizeof e->name)
			goto bad;
		memcpy(e->name, n, len);
		e->name[len] = 0;
		n += len + (n[len] == ',');
		size_t clen = strcspn(c, ",");
		if (!parse_code(c, clen, e))
			goto bad;
		c += clen + (c[clen] == ',');
		nevents++;
	}
	if (*c)
		goto bad;
	return 0;
bad:
	ws_warnf("WHYSLOW_EVENTS / WHYSLOW_EVENT_CODES do not parse (at most %d events, each "
		 "TYPE:CONFIG:CONFIG1:CONFIG2:EXCLUDE in hex); no counters",
		 WS_MAX_EVENTS);
	ws_notef("counters are off: WHYSLOW_EVENTS / WHYSLOW_EVENT_CODES did not parse");
	nevents = 0;
	return -1;
}

static void
close_all(struct ws_counters_thread *c)
{
	for (uint32_t i = 0; i < nevents; i++)
		if (c->fds[i] >= 0) {
			close(c->fds[i]);
			c->fds[i] = -1;
		}
	c->leader = -1;
}

/* Is the leader's descriptor still the event we opened?  The program may
 * have closed every descriptor and reused the number: whyslow must then
 * neither read nor close it (a read would take the program's data).
 * Perf events share one anonymous inode, so the event id decides.
 * Async-signal-safe. */
static bool
leader_is_ours(const struct ws_counters_thread *c)
{
	struct stat st;
	uint64_t id;
	return c->leader >= 0 && fstat(c->leader, &st) == 0 &&
	       (uint64_t)st.st_dev == c->leader_dev && (uint64_t)st.st_ino == c->leader_ino &&
	       ioctl(c->leader, PERF_EVENT_IOC_ID, &id) == 0 && id == c->leader_id;
}

/* One read of the whole group; false when it cannot be read. */
static bool
read_group(struct ws_counters_thread *c, struct group_read *g)
{
	if (!leader_is_ours(c))
		return false;
	ssize_t want = (ssize_t)((3 + nevents) * sizeof(uint64_t));
	ssize_t n;
	do
		n = read(c->leader, g, (size_t)want);
	while (n < 0 && errno == EINTR);
	return n == want && g->nr == nevents;
}

static int
open_one(const struct event *e, int group)
{
	struct perf_event_attr a;
	/* the leader starts the group */
	ws_perf_counter_attr(&a, e->type, e->config, e->config1, e->config2, e->exclude, group < 0);
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, group, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Above the numbers a program dup2()s over. */
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 256);
	if (high >= 0) {
		close(fd);
		fd = high;
	}
	return fd;
}

void
ws_counters_thread_init(struct ws_thread_state *t)
{
	if (!nevents)
		return;
	struct ws_counters_thread *c = t->counters;
	if (!c) {
		size_t bytes = (sizeof *c + 4095) / 4096 * 4096;
		c = ws_map(bytes);
		if (!c) {
			ws_notef("thread %u: no memory for its counters; not counted", t->info.tid);
			return;
		}
		ws_mem_account((int64_t)bytes);
		/* One row per possible stack id; the pages are touched only as
		 * stacks are added (the mapping is MAP_NORESERVE). */
		c->sums_bytes = (size_t)ws_cfg.max_stacks * nevents * sizeof(uint64_t);
		c->sums = ws_map(c->sums_bytes);
		if (!c->sums) {
			ws_unmap(c, bytes);
			ws_mem_account(-(int64_t)bytes);
			ws_notef("thread %u: no memory for its counters; not counted", t->info.tid);
			return;
		}
		t->counters = c;
	} else {
		memset(c->sums, 0, c->sums_bytes);
	}
	for (uint32_t i = 0; i < WS_MAX_EVENTS; i++)
		c->fds[i] = -1;
	c->leader = -1;
	c->err = 0;
	c->flags = 0;
	c->time_enabled = c->time_running = 0;
	memset(c->prev, 0, sizeof c->prev);
	memset(c->handler, 0, sizeof c->handler);
	c->pending_ok = false;
	memset(c->totals, 0, sizeof c->totals);
	for (uint32_t i = 0; i < nevents; i++) {
		int fd = open_one(&events[i], i ? c->fds[0] : -1);
		if (fd < 0) {
			close_all(c);
			c->err = (uint32_t)-fd;
			uint32_t none = 0;
			if (atomic_compare_exchange_strong(&first_err, &none, c->err))
				atomic_store(&first_err_event, i);
			ws_notef("thread %u: counter %s could not be opened: %s; this thread's "
				 "counters are not reported",
				 t->info.tid, events[i].name, ws_strerror(-fd));
			return;
		}
		c->fds[i] = fd;
	}
	c->leader = c->fds[0];
	struct stat st;
	if (fstat(c->leader, &st) < 0 || ioctl(c->leader, PERF_EVENT_IOC_ID, &c->leader_id) < 0) {
		int e = errno;
		close_all(c);
		c->err = (uint32_t)e;
		ws_notef("thread %u: counters not reported: %s", t->info.tid, ws_strerror(e));
		return;
	}
	c->leader_dev = (uint64_t)st.st_dev;
	c->leader_ino = (uint64_t)st.st_ino;
	ioctl(c->leader, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
	ioctl(c->leader, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void
ws_counters_sample_begin(struct ws_thread_state *t)
{
	struct ws_counters_thread *c = t->counters;
	if (!c || c->leader < 0)
		return;
	struct group_read g;
	c->pending_ok = read_group(c, &g);
	if (!c->pending_ok)
		return; /* the deltas go to the next sample that reads */
	for (uint32_t i = 0; i < nevents; i++)
		c->pending[i] = g.values[i] - c->prev[i];
}

void
ws_counters_sample_end(struct ws_thread_state *t, int64_t stack)
{
	struct ws_counters_thread *c = t->counters;
	if (!c || c->leader < 0 || !c->pending_ok)
		return;
	c->pending_ok = false;
	if (stack < 0 || (uint64_t)stack >= ws_cfg.max_stacks)
		return; /* a dropped sample: its deltas go to the next one */
	uint64_t *row = c->sums + (size_t)stack * nevents;
	for (uint32_t i = 0; i < nevents; i++) {
		row[i] += c->pending[i];
		c->prev[i] += c->pending[i];
	}
	/* What the handler itself did (unwinding, the first touch of a page
	 * of the stack table) is nobody's: the next delta starts here. */
	struct group_read g;
	if (read_group(c, &g)) {
		for (uint32_t i = 0; i < nevents; i++) {
			c->handler[i] += g.values[i] - c->prev[i];
			c->prev[i] = g.values[i];
		}
	}
}

void
ws_counters_thread_fini(struct ws_thread_state *t)
{
	struct ws_counters_thread *c = t->counters;
	if (!c || c->leader < 0)
		return;
	struct group_read g;
	if (read_group(c, &g)) {
		memcpy(c->totals, g.values, nevents * sizeof(uint64_t));
		c->time_enabled = g.time_enabled;
		c->time_running = g.time_running;
		if (g.time_running < g.time_enabled)
			c->flags |= WS_TCTR_MULTIPLEXED;
	} else {
		c->err = EBADF; /* the program closed the descriptor */
	}
	if (leader_is_ours(c))
		close_all(c);
	else
		c->leader = -1; /* the numbers are the program's now */
}

void
ws_counters_thread_forget(struct ws_thread_state *t)
{
	struct ws_counters_thread *c = t->counters;
	if (!c || c->leader < 0)
		return;
	if (leader_is_ours(c))
		close_all(c);
	c->leader = -1;
}

void
ws_counters_write_thread(struct ws_thread_state *t, uint32_t stack_count)
{
	struct ws_counters_thread *c = t->counters;
	if (!nevents)
		return;
	struct ws_thread_counters h;
	memset(&h, 0, sizeof h);
	h.thread_index = t->info.thread_index;
	h.nevents = nevents;
	static const uint64_t zeros[WS_MAX_EVENTS];
	if (!c)
		return; /* never armed: no record, the reader says "not counted" */
	if (c->err) {
		/* Nothing counted: no rows, totals of zero that mean nothing. */
		h.err = c->err;
		struct iovec parts[3] = {
		    {&h, sizeof h}, {(void *)zeros, nevents * 8}, {(void *)zeros, nevents * 8}};
		ws_writer_record(WS_REC_THREAD_COUNTERS, parts, 3);
		return;
	}
	h.stack_count = stack_count;
	h.flags = c->flags;
	h.time_enabled = c->time_enabled;
	h.time_running = c->time_running;
	struct iovec parts[4] = {{&h, sizeof h},
				 {c->totals, nevents * 8},
				 {c->handler, nevents * 8},
				 {c->sums, (size_t)stack_count * nevents * 8}};
	ws_writer_record(WS_REC_THREAD_COUNTERS, parts, 4);
}

void
ws_counters_thread_free(struct ws_thread_state *t)
{
	struct ws_counters_thread *c = t->counters;
	if (!c)
		return;
	t->counters = NULL;
	ws_unmap(c->sums, c->sums_bytes);
	size_t bytes = (sizeof *c + 4095) / 4096 * 4096;
	ws_unmap(c, bytes);
	ws_mem_account(-(int64_t)bytes);
}

void
ws_counters_write_process(void)
{
	if (!nevents)
		return;
	static struct {
		struct ws_counters h;
		struct ws_counter_event ev[WS_MAX_EVENTS];
		char names[WS_MAX_EVENTS * 128];
	} rec;
	memset(&rec, 0, sizeof rec);
	rec.h.nevents = nevents;
	size_t at = 0;
	uint32_t err = atomic_load(&first_err), bad = atomic_load(&first_err_event);
	for (uint32_t i = 0; i < nevents; i++) {
		struct ws_counter_event *e = &rec.ev[i];
		e->type = events[i].type;
		e->config = events[i].config;
		e->name_len = (uint32_t)strlen(events[i].name);
		if (err && i == bad) {
			e->status = WS_CTR_FAILED;
			e->err = err;
		}
		memcpy(rec.names + at, events[i].name, e->name_len);
		at += e->name_len;
	}
	struct iovec parts[3] = {
	    {&rec.h, sizeof rec.h}, {rec.ev, nevents * sizeof rec.ev[0]}, {rec.names, at}};
	ws_writer_record(WS_REC_COUNTERS, parts, 3);
}
