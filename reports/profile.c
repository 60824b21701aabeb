/* Loading and validating recorded profiles: the reader side of
 * profiler/profile_format.h.  docs/profile-format.md states the rules
 * checked here in prose.
 *
 * The whole file is read into one buffer.  Every number taken from it is
 * checked, with overflow-safe arithmetic, against the bytes that are left
 * before it is used as a length, a count or an index, so a corrupt file
 * yields a one-line error ("<file>: offset <N>: <what is wrong>") and never
 * an out-of-bounds read.  Fixed-size structures are copied out with
 * memcpy(), so nothing depends on the alignment of the buffer; the frame
 * arrays of the stack tables are used in place (they are 8-byte aligned
 * because every record is).
 */
#include "config.h"

#include "profile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The format's structures must not change size behind the version number's
 * back: a change here is a change of format (docs/profile-format.md). */
_Static_assert(sizeof(struct ws_file_header) == 24, "ws_file_header");
_Static_assert(sizeof(struct ws_record_header) == 16, "ws_record_header");
_Static_assert(sizeof(struct ws_process) == 56, "ws_process");
_Static_assert(sizeof(struct ws_module) == 56, "ws_module");
_Static_assert(sizeof(struct ws_samples) == 8, "ws_samples");
_Static_assert(sizeof(struct ws_sample) == 16, "ws_sample");
_Static_assert(sizeof(struct ws_thread) == 136, "ws_thread");
_Static_assert(sizeof(struct ws_stack) == 16, "ws_stack");
_Static_assert(sizeof(struct ws_note) == 8, "ws_note");
_Static_assert(sizeof(struct ws_end) == 48, "ws_end");
_Static_assert(sizeof(struct ws_heap) == 280, "ws_heap");
_Static_assert(sizeof(struct ws_heap_alloc) == 56, "ws_heap_alloc");
_Static_assert(sizeof(struct ws_rusage) == 96, "ws_rusage");
_Static_assert(sizeof(struct ws_counters) == 8, "ws_counters");
_Static_assert(sizeof(struct ws_counter_event) == 24, "ws_counter_event");
_Static_assert(sizeof(struct ws_thread_counters) == 40, "ws_thread_counters");
_Static_assert(sizeof(struct ws_regs) == 24, "ws_regs");
_Static_assert(sizeof(struct ws_regs_snapshot) == 152, "ws_regs_snapshot");

/* The most frames one stack may have.  The collector's depth limit is at
 * most 1024; anything beyond this is corruption, not a deep stack. */
#define WSR_MAX_FRAMES 4096u

/* What wsr_process.storage points to: everything the process's pointers
 * refer to that is not a separate allocation of its own. */
struct storage {
	uint8_t *buf; /* the file's bytes; wsr_stack.ips point into it */
	size_t size;
	/* Module lookup table: nbounds sorted addresses cutting the address
	 * space into intervals; owner[k] is the module that covers
	 * [bounds[k], bounds[k + 1]) or -1. */
	uint64_t *bounds;
	long *owner;
	size_t nbounds;
};

/* A WS_REC_SAMPLES record, remembered until every thread record is known. */
struct chunk {
	uint64_t off; /* file offset of the first ws_sample */
	uint32_t thread_index;
	uint32_t count;
	uint64_t py_off; /* its WS_REC_PYSAMPLES' first entry, 0: none */
};

/* A thread index or module id and the file offset of its record, to find
 * duplicates by sorting rather than by comparing every pair. */
struct key {
	uint32_t id;
	uint64_t off;
};

struct parser {
	const char *path;
	const uint8_t *buf;
	uint64_t size;
	struct ws_error *err;
	struct wsr_process *p;
	struct key *thread_keys, *module_keys; /* parallel to p->threads, p->modules */
	size_t thread_cap, module_cap, note_cap;
	struct chunk *chunks;
	size_t nchunks, chunk_cap;
	struct chunk *regs; /* WS_REC_REGS records (off: the first snapshot) */
	uint64_t *regs_seen;
	size_t nregs, regs_cap;
	uint64_t unknown_records;
	uint32_t unknown_type;
	uint64_t counters_off; /* the COUNTERS record's payload, 0: none yet */
	struct tcounters *tcs; /* THREAD_COUNTERS records, resolved at the end */
	size_t ntcs, tc_cap;
	struct pending_py *pys; /* PYCODE (+ PYSTACKS) records, attached at the end */
	size_t npys, pys_cap;
};

/* A thread's Python records until its thread record is known. */
struct pending_py {
	uint32_t thread_index;
	bool has_stacks;
	uint64_t off; /* the PYCODE record */
	struct wsr_python *py;
};

/* A WS_REC_THREAD_COUNTERS record, kept until the threads and the
 * process's event list are known. */
struct tcounters {
	uint64_t off; /* the payload */
	struct ws_thread_counters info;
};

/* A view of part of the file: the bytes of one record's payload. */
struct cursor {
	uint64_t off;  /* file offset of the next byte */
	uint64_t left; /* bytes left in the view */
};

static int fail(struct parser *ps, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct parser *ps, uint64_t off, const char *fmt, ...)
{
	char what[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(ps->err->msg, sizeof ps->err->msg, "%s: offset %" PRIu64 ": %s", ps->path, off,
		 what);
	return -1;
}

static void
add_note(struct wsr_process *p, size_t *cap, char *text)
{
	if (p->nnotes == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		p->notes = ws_xrealloc(p->notes, *cap * sizeof *p->notes);
	}
	p->notes[p->nnotes++] = text;
}

/* Copy n bytes from the cursor into dst, or fail naming what was wanted. */
static int
take(struct parser *ps, struct cursor *c, void *dst, uint64_t n, const char *rec, const char *what)
{
	if (c->left < n)
		return fail(ps, c->off,
			    "%s record too short for its %s (needs %" PRIu64 " bytes, %" PRIu64
			    " left)",
			    rec, what, n, c->left);
	if (dst)
		memcpy(dst, ps->buf + c->off, n);
	c->off += n;
	c->left -= n;
	return 0;
}

/* A string of len bytes at the cursor, as a new NUL-terminated string.
 * Strings are text: an embedded NUL byte is corruption. */
static int
take_string(struct parser *ps, struct cursor *c, uint64_t len, const char *rec, const char *what,
	    char **out)
{
	uint64_t at = c->off;
	if (take(ps, c, NULL, len, rec, what) < 0)
		return -1;
	const void *nul = memchr(ps->buf + at, '\0', len);
	if (nul)
		return fail(ps, at + (uint64_t)((const uint8_t *)nul - (ps->buf + at)),
			    "%s record: %s contains a NUL byte", rec, what);
	char *s = ws_xmalloc(len + 1);
	memcpy(s, ps->buf + at, len);
	s[len] = '\0';
	*out = s;
	return 0;
}

/* A uint32_t length followed by that many bytes (the process strings). */
static int
take_lstring(struct parser *ps, struct cursor *c, const char *what, char **out, uint32_t *len)
{
	if (take(ps, c, len, sizeof *len, "process", what) < 0)
		return -1;
	return take_string(ps, c, *len, "process", what, out);
}

/* The record must have been used up exactly: a longer payload than its
 * contents need is as wrong as a shorter one. */
static int
expect_end(struct parser *ps, const struct cursor *c, const char *rec)
{
	if (c->left)
		return fail(ps, c->off,
			    "%s record has %" PRIu64 " bytes more than its contents need", rec,
			    c->left);
	return 0;
}

/* Split /proc/self/cmdline-style bytes (each argument followed by a NUL;
 * the last one's may be missing) into argv. */
static size_t
count_args(const uint8_t *s, uint32_t len)
{
	size_t argc = 0;
	for (uint32_t i = 0; i < len; i++)
		if (s[i] == '\0' || i + 1 == len)
			argc++;
	return argc;
}

static void
split_cmdline(struct wsr_process *p, const uint8_t *s, uint32_t len)
{
	size_t argc = count_args(s, len);
	p->argv = ws_xcalloc(argc + 1, sizeof *p->argv);
	uint32_t start = 0;
	for (uint32_t i = 0; i < len; i++) {
		if (s[i] != '\0' && i + 1 != len)
			continue;
		uint32_t end = s[i] == '\0' ? i : i + 1;
		char *a = ws_xmalloc(end - start + 1);
		memcpy(a, s + start, end - start);
		a[end - start] = '\0';
		p->argv[p->argc++] = a;
		start = i + 1;
	}
}

static int
parse_process(struct parser *ps, struct cursor c)
{
	struct wsr_process *p = ps->p;
	struct ws_process *in = &p->info;
	uint64_t at = c.off;
	if (take(ps, &c, in, sizeof *in, "process", "fixed fields") < 0)
		return -1;
	if (in->clock != WS_CLOCK_CPU && in->clock != WS_CLOCK_WALL)
		return fail(ps, at + offsetof(struct ws_process, clock),
			    "process record: clock %" PRIu32 " is not cpu (1) or wall (2)",
			    in->clock);
	if (in->source > WS_SOURCE_PERF_EVENT)
		return fail(ps, at + offsetof(struct ws_process, source),
			    "process record: unknown sampling source %" PRIu32, in->source);
	uint32_t len = 0;
	if (take_lstring(ps, &c, "hostname", &p->hostname, &len) < 0 ||
	    take_lstring(ps, &c, "executable path", &p->exe, &len) < 0)
		return -1;
	if (take(ps, &c, &len, sizeof len, "process", "command line length") < 0)
		return -1;
	uint64_t cmd = c.off;
	if (take(ps, &c, NULL, len, "process", "command line") < 0)
		return -1;
	if (count_args(ps->buf + cmd, len) >= INT_MAX)
		return fail(ps, cmd, "process record: the command line has too many arguments");
	split_cmdline(p, ps->buf + cmd, len);
	return expect_end(ps, &c, "process");
}

static int
parse_module(struct parser *ps, struct cursor c)
{
	struct wsr_process *p = ps->p;
	struct ws_module m;
	uint64_t at = c.off;
	if (take(ps, &c, &m, sizeof m, "module", "fixed fields") < 0)
		return -1;
	if (m.start > m.end)
		return fail(ps, at + offsetof(struct ws_module, start),
			    "module record: start 0x%" PRIx64 " is above end 0x%" PRIx64, m.start,
			    m.end);
	char *path;
	if (take_string(ps, &c, m.path_len, "module", "path", &path) < 0)
		return -1;
	uint64_t bid = c.off;
	if (take(ps, &c, NULL, m.build_id_len, "module", "build-id") < 0 ||
	    expect_end(ps, &c, "module") < 0) {
		free(path);
		return -1;
	}
	if (p->nmodules == ps->module_cap) {
		ps->module_cap = ps->module_cap ? 2 * ps->module_cap : 16;
		p->modules = ws_xrealloc(p->modules, ps->module_cap * sizeof *p->modules);
		ps->module_keys =
		    ws_xrealloc(ps->module_keys, ps->module_cap * sizeof *ps->module_keys);
	}
	ps->module_keys[p->nmodules] = (struct key){m.id, at - sizeof(struct ws_record_header)};
	struct wsr_module *w = &p->modules[p->nmodules++];
	w->info = m;
	w->path = path;
	w->build_id = ws_xmalloc(m.build_id_len);
	memcpy(w->build_id, ps->buf + bid, m.build_id_len);
	return 0;
}

static int
parse_samples(struct parser *ps, struct cursor c)
{
	struct ws_samples s;
	if (take(ps, &c, &s, sizeof s, "samples", "fixed fields") < 0)
		return -1;
	uint64_t bytes = (uint64_t)s.count * sizeof(struct ws_sample); /* < 2^37: no overflow */
	if (bytes != c.left)
		return fail(ps, c.off,
			    "samples record: %" PRIu32 " samples need %" PRIu64
			    " bytes, the record has %" PRIu64,
			    s.count, bytes, c.left);
	if (ps->nchunks == ps->chunk_cap) {
		ps->chunk_cap = ps->chunk_cap ? 2 * ps->chunk_cap : 16;
		ps->chunks = ws_xrealloc(ps->chunks, ps->chunk_cap * sizeof *ps->chunks);
	}
	ps->chunks[ps->nchunks++] = (struct chunk){c.off, s.thread_index, s.count, 0};
	return 0;
}

/* WS_REC_PYSAMPLES: belongs to the last samples chunk of its thread before
 * it, which must have its count and first time.  The values are checked by
 * resolve_py_samples() once the thread's Python stacks are known. */
static int
parse_pysamples(struct parser *ps, struct cursor c)
{
	uint64_t at = c.off;
	struct ws_pysamples h;
	if (take(ps, &c, &h, sizeof h, "Python samples", "fixed fields") < 0)
		return -1;
	if ((uint64_t)h.count * sizeof(uint32_t) != c.left)
		return fail(ps, at + offsetof(struct ws_pysamples, count),
			    "Python samples record: %" PRIu32 " entries need %" PRIu64
			    " bytes, the record has %" PRIu64,
			    h.count, (uint64_t)h.count * sizeof(uint32_t), c.left);
	struct chunk *ch = NULL;
	for (size_t i = ps->nchunks; i-- > 0;)
		if (ps->chunks[i].thread_index == h.thread_index) {
			ch = &ps->chunks[i];
			break;
		}
	uint64_t t0 = 0;
	if (ch && ch->count)
		memcpy(&t0, ps->buf + ch->off + offsetof(struct ws_sample, time_ns), sizeof t0);
	if (!ch || ch->py_off || ch->count != h.count || t0 != h.first_time_ns)
		return fail(ps, at,
			    "Python samples record for thread %" PRIu32
			    " does not follow a samples chunk of that thread with %" PRIu32
			    " samples from %" PRIu64 " ns",
			    h.thread_index, h.count, h.first_time_ns);
	ch->py_off = c.off;
	return 0;
}

/* Parse the stack table that follows a ws_thread, checking every stack's
 * size before reading it.  The frames stay in the file buffer. */
static int
parse_stacks(struct parser *ps, struct cursor *c, struct wsr_thread *t)
{
	uint32_t n = t->info.stack_count;
	/* Every stack takes at least a ws_stack: bound the count before
	 * allocating for it. */
	if ((uint64_t)n * sizeof(struct ws_stack) > c->left)
		return fail(
		    ps, c->off - sizeof(struct ws_thread) + offsetof(struct ws_thread, stack_count),
		    "thread record: %" PRIu32 " stacks cannot fit in the %" PRIu64
		    " bytes left in the record",
		    n, c->left);
	t->stacks = ws_xcalloc(n, sizeof *t->stacks);
	uint64_t total = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct ws_stack s;
		uint64_t at = c->off;
		if (take(ps, c, &s, sizeof s, "thread", "stack header") < 0)
			return -1;
		if (s.nframes > WSR_MAX_FRAMES)
			return fail(ps, at,
				    "thread record: stack %" PRIu32 " has %" PRIu32
				    " frames, more than the limit of %u",
				    i, s.nframes, WSR_MAX_FRAMES);
		uint64_t ips = c->off;
		if (take(ps, c, NULL, (uint64_t)s.nframes * sizeof(uint64_t), "thread", "frames") <
		    0)
			return -1;
		t->stacks[i] = (struct wsr_stack){s.nframes, s.flags, s.count,
						  (const uint64_t *)(const void *)(ps->buf + ips)};
		if (__builtin_add_overflow(total, s.count, &total))
			return fail(ps, at + offsetof(struct ws_stack, count),
				    "thread record: stack sample counts overflow");
	}
	if (total != t->info.samples) {
		char *note = ws_xasprintf("thread %" PRIu32 ": its stacks hold %" PRIu64
					  " samples but its record says %" PRIu64,
					  t->info.thread_index, total, t->info.samples);
		add_note(ps->p, &ps->note_cap, note);
	}
	return 0;
}

static int
parse_thread(struct parser *ps, struct cursor c)
{
	struct wsr_process *p = ps->p;
	uint64_t at = c.off;
	struct ws_thread info;
	if (take(ps, &c, &info, sizeof info, "thread", "fixed fields") < 0)
		return -1;
	if (memchr(info.name, '\0', sizeof info.name) == NULL)
		return fail(ps, at + offsetof(struct ws_thread, name),
			    "thread record: the thread name is not NUL-terminated");
	if (info.source > WS_SOURCE_PERF_EVENT)
		return fail(ps, at + offsetof(struct ws_thread, source),
			    "thread record: unknown sampling source %" PRIu32, info.source);
	if (p->nthreads == ps->thread_cap) {
		ps->thread_cap = ps->thread_cap ? 2 * ps->thread_cap : 8;
		p->threads = ws_xrealloc(p->threads, ps->thread_cap * sizeof *p->threads);
		ps->thread_keys =
		    ws_xrealloc(ps->thread_keys, ps->thread_cap * sizeof *ps->thread_keys);
	}
	struct wsr_thread *t = &p->threads[p->nthreads];
	ps->thread_keys[p->nthreads++] =
	    (struct key){info.thread_index, at - sizeof(struct ws_record_header)};
	*t = (struct wsr_thread){.info = info};
	if (parse_stacks(ps, &c, t) < 0)
		return -1;
	return expect_end(ps, &c, "thread");
}

static int
parse_note(struct parser *ps, struct cursor c)
{
	struct ws_note n;
	char *text;
	if (take(ps, &c, &n, sizeof n, "note", "fixed fields") < 0 ||
	    take_string(ps, &c, n.len, "note", "text", &text) < 0)
		return -1;
	if (expect_end(ps, &c, "note") < 0) {
		free(text);
		return -1;
	}
	add_note(ps->p, &ps->note_cap, text);
	return 0;
}

static void
free_ompt(struct wsr_ompt *o)
{
	if (!o)
		return;
	for (uint32_t i = 0; o->regions && i < o->info.nregions; i++)
		free(o->regions[i].threads);
	free(o->regions);
	free(o->runtime);
	free(o);
}

static int
parse_ompt(struct parser *ps, struct cursor c)
{
	uint64_t at = c.off;
	if (ps->p->ompt)
		return fail(ps, at, "a second OpenMP (OMPT) record");
	struct ws_ompt h;
	if (take(ps, &c, &h, sizeof h, "OpenMP", "fixed fields") < 0)
		return -1;
	if (h.runtime_len > 4096)
		return fail(ps, at + offsetof(struct ws_ompt, runtime_len),
			    "OpenMP record: runtime name of %" PRIu32 " bytes", h.runtime_len);
	if (h.nregions > c.left / sizeof(struct ws_ompt_region))
		return fail(ps, at, "OpenMP record: %" PRIu32 " regions cannot fit in its %" PRIu64
			    " bytes", h.nregions, c.left);
	struct wsr_ompt *o = ws_xcalloc(1, sizeof *o);
	o->info = h;
	o->info.nregions = 0; /* counts the regions read, for free_ompt */
	uint64_t pad = ((uint64_t)h.runtime_len + 7) / 8 * 8 - h.runtime_len;
	if (take_string(ps, &c, h.runtime_len, "OpenMP", "runtime name", &o->runtime) < 0 ||
	    take(ps, &c, NULL, pad, "OpenMP", "padding") < 0)
		goto bad;
	o->regions = ws_xcalloc(h.nregions ? h.nregions : 1, sizeof *o->regions);
	for (uint32_t i = 0; i < h.nregions; i++) {
		struct wsr_ompt_region *r = &o->regions[i];
		uint64_t rat = c.off;
		if (take(ps, &c, &r->info, sizeof r->info, "OpenMP", "region") < 0)
			goto bad;
		o->info.nregions = i + 1;
		if (r->info.nthreads > h.max_threads ||
		    r->info.nthreads > c.left / sizeof(struct ws_ompt_thread)) {
			fail(ps, rat + offsetof(struct ws_ompt_region, nthreads),
			     "OpenMP record: region %" PRIu32 " has %" PRIu32
			     " thread numbers (at most %" PRIu32 ", and what fits in the record)",
			     i, r->info.nthreads, h.max_threads);
			goto bad;
		}
		r->threads = ws_xcalloc(r->info.nthreads ? r->info.nthreads : 1,
					sizeof *r->threads);
		if (take(ps, &c, r->threads, (uint64_t)r->info.nthreads * sizeof *r->threads,
			 "OpenMP", "threads") < 0)
			goto bad;
	}
	if (expect_end(ps, &c, "OpenMP") < 0)
		goto bad;
	ps->p->ompt = o;
	return 0;
bad:
	free_ompt(o);
	return -1;
}

static void
free_mpi(struct wsr_mpi *m)
{
	if (m)
		free(m->calls);
	free(m);
}

static int
parse_mpi(struct parser *ps, struct cursor c)
{
	uint64_t at = c.off;
	if (ps->p->mpi)
		return fail(ps, at, "a second MPI record");
	struct ws_mpi h;
	if (take(ps, &c, &h, sizeof h, "MPI", "fixed fields") < 0)
		return -1;
	if (h.ncalls > 256 || h.ncalls != c.left / sizeof(struct ws_mpi_call))
		return fail(ps, at + offsetof(struct ws_mpi, ncalls),
			    "MPI record: %" PRIu32 " calls do not match its %" PRIu64 " bytes",
			    h.ncalls, c.left);
	if (h.rank < 0 || (h.size && (uint32_t)h.rank >= h.size))
		return fail(ps, at + offsetof(struct ws_mpi, rank),
			    "MPI record: rank %" PRId32 " of %" PRIu32, h.rank, h.size);
	struct wsr_mpi *m = ws_xcalloc(1, sizeof *m);
	m->info = h;
	memcpy(m->library, h.library, sizeof h.library);
	m->library[sizeof h.library] = '\0';
	m->calls = ws_xcalloc(h.ncalls ? h.ncalls : 1, sizeof *m->calls);
	for (uint32_t i = 0; i < h.ncalls; i++) {
		uint64_t cat = c.off;
		struct ws_mpi_call *k = &m->calls[i];
		if (take(ps, &c, k, sizeof *k, "MPI", "call") < 0)
			goto bad;
		if (!memchr(k->name, '\0', sizeof k->name) || !k->name[0]) {
			fail(ps, cat, "MPI record: call %" PRIu32 " has no NUL-terminated name", i);
			goto bad;
		}
		if (k->kind < WS_MPI_P2P || k->kind > WS_MPI_OTHER) {
			fail(ps, cat + offsetof(struct ws_mpi_call, kind),
			     "MPI record: %s has unknown kind %" PRIu32, k->name, k->kind);
			goto bad;
		}
		if (k->max_ns > k->time_ns) {
			fail(ps, cat + offsetof(struct ws_mpi_call, max_ns),
			     "MPI record: %s's longest call is longer than all its calls", k->name);
			goto bad;
		}
	}
	if (expect_end(ps, &c, "MPI") < 0)
		goto bad;
	ps->p->mpi = m;
	return 0;
bad:
	free_mpi(m);
	return -1;
}

static void
free_gpu(struct wsr_gpu *g)
{
	if (g) {
		free(g->act);
		free(g->api);
	}
	free(g);
}

/* WS_REC_GPU: counts that match the size, known kinds, end >= start,
 * NUL-terminated names, frame counts in range. */
static int
parse_gpu(struct parser *ps, struct cursor c)
{
	uint64_t at = c.off;
	if (ps->p->gpu)
		return fail(ps, at, "a second GPU record");
	struct ws_gpu h;
	if (take(ps, &c, &h, sizeof h, "GPU", "fixed fields") < 0)
		return -1;
	uint64_t need = (uint64_t)h.nactivities * sizeof(struct ws_gpu_activity) +
			(uint64_t)h.napi * sizeof(struct ws_gpu_api);
	if (need != c.left)
		return fail(ps, at + offsetof(struct ws_gpu, nactivities),
			    "GPU record: %" PRIu32 " activities and %" PRIu32
			    " API calls need %" PRIu64 " bytes, the record has %" PRIu64,
			    h.nactivities, h.napi, need, c.left);
	if (h.end_ns < h.start_ns)
		return fail(ps, at + offsetof(struct ws_gpu, end_ns),
			    "GPU record: tracing ends before it starts");
	struct wsr_gpu *g = ws_xcalloc(1, sizeof *g);
	g->info = h;
	g->act = ws_xcalloc(h.nactivities ? h.nactivities : 1, sizeof *g->act);
	g->api = ws_xcalloc(h.napi ? h.napi : 1, sizeof *g->api);
	for (uint32_t i = 0; i < h.nactivities; i++) {
		uint64_t cat = c.off;
		struct ws_gpu_activity *a = &g->act[i];
		if (take(ps, &c, a, sizeof *a, "GPU", "activity") < 0)
			goto bad;
		if (a->kind < WS_GPU_KERNEL || a->kind > WS_GPU_UNIFIED) {
			fail(ps, cat, "GPU record: activity %" PRIu32 " has unknown kind %" PRIu32, i,
			     a->kind);
			goto bad;
		}
		if (a->end_ns < a->start_ns) {
			fail(ps, cat + offsetof(struct ws_gpu_activity, end_ns),
			     "GPU record: activity %" PRIu32 " ends before it starts", i);
			goto bad;
		}
		if (a->kind == WS_GPU_MEMCPY && (a->detail < WS_GPU_HTOD || a->detail > WS_GPU_COPY_OTHER)) {
			fail(ps, cat + offsetof(struct ws_gpu_activity, detail),
			     "GPU record: copy %" PRIu32 " has unknown direction %" PRIu32, i, a->detail);
			goto bad;
		}
		if (a->kind == WS_GPU_UNIFIED &&
		    (a->detail < WS_GPU_UM_HTOD || a->detail > WS_GPU_UM_DTOD)) {
			fail(ps, cat + offsetof(struct ws_gpu_activity, detail),
			     "GPU record: unified-memory event %" PRIu32 " has unknown kind %" PRIu32,
			     i, a->detail);
			goto bad;
		}
		if (a->kind == WS_GPU_UNIFIED ? a->memory > WS_GPU_UM_CAUSE_ACCESS_COUNTERS
					      : a->memory > WS_GPU_MEM_MANAGED) {
			fail(ps, cat + offsetof(struct ws_gpu_activity, memory),
			     "GPU record: activity %" PRIu32 " has unknown memory kind %" PRIu32, i,
			     a->memory);
			goto bad;
		}
		a->name[WS_GPU_NAME - 1] = '\0';
	}
	for (uint32_t i = 0; i < h.napi; i++) {
		uint64_t cat = c.off;
		struct ws_gpu_api *a = &g->api[i];
		if (take(ps, &c, a, sizeof *a, "GPU", "API call") < 0)
			goto bad;
		uint32_t d = a->domain & ~(uint32_t)WS_GPU_NESTED;
		if (d != WS_GPU_RUNTIME && d != WS_GPU_DRIVER) {
			fail(ps, cat + offsetof(struct ws_gpu_api, domain),
			     "GPU record: API call %" PRIu32 " has unknown domain %" PRIu32, i, a->domain);
			goto bad;
		}
		if (a->nframes > WS_GPU_API_FRAMES) {
			fail(ps, cat + offsetof(struct ws_gpu_api, nframes),
			     "GPU record: API call %" PRIu32 " has %" PRIu32 " frames (at most %d)", i,
			     a->nframes, WS_GPU_API_FRAMES);
			goto bad;
		}
		if (a->end_ns < a->start_ns) {
			fail(ps, cat + offsetof(struct ws_gpu_api, end_ns),
			     "GPU record: API call %" PRIu32 " ends before it starts", i);
			goto bad;
		}
		a->name[WS_GPU_API_NAME - 1] = '\0';
	}
	if (expect_end(ps, &c, "GPU") < 0)
		goto bad;
	ps->p->gpu = g;
	return 0;
bad:
	free_gpu(g);
	return -1;
}

static int
parse_end(struct parser *ps, struct cursor c)
{
	struct ws_end *e = &ps->p->end;
	uint64_t at = c.off;
	if (take(ps, &c, e, sizeof *e, "end", "fixed fields") < 0 || expect_end(ps, &c, "end") < 0)
		return -1;
	if (e->reason < WS_END_EXIT || e->reason > WS_END_EXEC)
		return fail(ps, at + offsetof(struct ws_end, reason),
			    "end record: unknown end reason %" PRIu32, e->reason);
	return 0;
}

/* WS_REC_HEAP: at most one; its stacks fill exactly stack_bytes, every
 * sampled allocation names one of them and is consistent in itself. */
static int
parse_heap(struct parser *ps, struct cursor c)
{
	struct wsr_process *p = ps->p;
	uint64_t at = c.off;
	if (p->heap)
		return fail(ps, at, "second heap record (a process has one)");
	struct wsr_heap *h = ws_xcalloc(1, sizeof *h);
	p->heap = h;
	if (take(ps, &c, &h->info, sizeof h->info, "heap", "fixed fields") < 0)
		return -1;
	const struct ws_heap *i = &h->info;
	if (i->sample_bytes == 0)
		return fail(ps, at + offsetof(struct ws_heap, sample_bytes),
			    "heap record: sampling interval of 0 bytes");
	if (i->stack_bytes > c.left ||
	    (uint64_t)i->stack_count * sizeof(struct ws_stack) > i->stack_bytes)
		return fail(ps, at + offsetof(struct ws_heap, stack_bytes),
			    "heap record: %" PRIu32 " stacks in %" PRIu64
			    " bytes do not fit the %" PRIu64 " bytes left",
			    i->stack_count, i->stack_bytes, c.left);
	struct cursor sc = {c.off, i->stack_bytes};
	h->stacks = ws_xcalloc(i->stack_count ? i->stack_count : 1, sizeof *h->stacks);
	uint64_t total = 0;
	for (uint32_t k = 0; k < i->stack_count; k++) {
		struct ws_stack s;
		uint64_t sat = sc.off;
		if (take(ps, &sc, &s, sizeof s, "heap", "stack header") < 0)
			return -1;
		/* 1 frame: the collector could not unwind (the caller alone) */
		if (s.nframes < 1 || s.nframes > WSR_MAX_FRAMES + 1)
			return fail(ps, sat, "heap record: stack %" PRIu32 " has %" PRIu32 " frames",
				    k, s.nframes);
		uint64_t ips = sc.off;
		if (take(ps, &sc, NULL, (uint64_t)s.nframes * sizeof(uint64_t), "heap", "frames") <
		    0)
			return -1;
		h->stacks[k] = (struct wsr_stack){s.nframes, s.flags, s.count,
						  (const uint64_t *)(const void *)(ps->buf + ips)};
		if (__builtin_add_overflow(total, s.count, &total))
			return fail(ps, sat, "heap record: stack counts overflow");
	}
	if (sc.left)
		return fail(ps, sc.off, "heap record: %" PRIu64 " bytes after its stacks",
			    sc.left);
	c.off += i->stack_bytes;
	c.left -= i->stack_bytes;
	if (c.left / sizeof(struct ws_heap_alloc) < i->alloc_count ||
	    c.left != i->alloc_count * sizeof(struct ws_heap_alloc))
		return fail(ps, at + offsetof(struct ws_heap, alloc_count),
			    "heap record: %" PRIu64 " sampled allocations do not match the %" PRIu64
			    " bytes left",
			    i->alloc_count, c.left);
	h->allocs = (const struct ws_heap_alloc *)(const void *)(ps->buf + c.off);
	for (uint64_t k = 0; k < i->alloc_count; k++) {
		struct ws_heap_alloc a;
		uint64_t aat = c.off + k * sizeof a;
		memcpy(&a, ps->buf + aat, sizeof a);
		const char *bad = NULL;
		if (a.stack >= i->stack_count)
			bad = "names a stack the record does not have";
		else if (a.kind >= WS_HEAP_NKINDS || a.kind == WS_HEAP_FREE ||
			 a.kind == WS_HEAP_MUNMAP)
			bad = "has an unknown kind of allocation";
		else if (!(a.probability > 0 && a.probability <= 1))
			bad = "has a sampling probability outside (0, 1]";
		else if (a.flags & ~(uint32_t)(WS_HALLOC_FREED | WS_HALLOC_REALLOCED))
			bad = "has unknown flags";
		else if (!(a.flags & WS_HALLOC_FREED) != !a.free_ns || (a.free_ns && a.free_ns < a.alloc_ns))
			bad = "has a free time that does not fit its flags or allocation time";
		if (bad)
			return fail(ps, aat, "heap record: sampled allocation %" PRIu64 " %s", k,
				    bad);
	}
	if (total != i->alloc_count)
		add_note(p, &ps->note_cap,
			 ws_xasprintf("heap record: its stacks count %" PRIu64
				      " sampled allocations but it holds %" PRIu64,
				      total, i->alloc_count));
	return 0;
}

static int
parse_rusage(struct parser *ps, struct cursor c)
{
	struct wsr_process *p = ps->p;
	struct ws_rusage r;
	uint64_t at = c.off;
	if (take(ps, &c, &r, sizeof r, "rusage", "fixed fields") < 0 ||
	    expect_end(ps, &c, "rusage") < 0)
		return -1;
	if (r.scope != WS_RUSAGE_PROCESS && r.scope != WS_RUSAGE_THREAD)
		return fail(ps, at + offsetof(struct ws_rusage, scope),
			    "rusage record: unknown scope %" PRIu32, r.scope);
	p->rusage = ws_xrealloc(p->rusage, (p->nrusage + 1) * sizeof *p->rusage);
	p->rusage[p->nrusage++] = r;
	return 0;
}

static int
parse_counters(struct parser *ps, struct cursor c)
{
	struct wsr_process *p = ps->p;
	struct ws_counters h;
	uint64_t at = c.off;
	if (ps->counters_off)
		return fail(ps, at, "a second counters record (the first is at offset %" PRIu64 ")",
			    ps->counters_off);
	if (take(ps, &c, &h, sizeof h, "counters", "fixed fields") < 0)
		return -1;
	if (h.nevents == 0 || h.nevents > WS_MAX_EVENTS)
		return fail(ps, at + offsetof(struct ws_counters, nevents),
			    "counters record: %" PRIu32 " events, not 1..%d", h.nevents,
			    WS_MAX_EVENTS);
	if (h.reserved)
		return fail(ps, at + offsetof(struct ws_counters, reserved),
			    "counters record: reserved field is not 0");
	ps->counters_off = at;
	struct ws_counter_event ev[WS_MAX_EVENTS];
	uint64_t evat = c.off;
	if (take(ps, &c, ev, h.nevents * sizeof ev[0], "counters", "events") < 0)
		return -1;
	p->events = ws_xcalloc(h.nevents, sizeof *p->events);
	for (uint32_t i = 0; i < h.nevents; i++) {
		uint64_t eat = evat + i * sizeof ev[0];
		if (ev[i].status > WS_CTR_FAILED)
			return fail(ps, eat + offsetof(struct ws_counter_event, status),
				    "counters record: event %" PRIu32
				    " has unknown status %" PRIu32,
				    i, ev[i].status);
		if (ev[i].name_len == 0 || ev[i].name_len > 1024)
			return fail(ps, eat + offsetof(struct ws_counter_event, name_len),
				    "counters record: event %" PRIu32 " has a name of %" PRIu32
				    " bytes (1..1024)",
				    i, ev[i].name_len);
	}
	for (uint32_t i = 0; i < h.nevents; i++) {
		struct wsr_counter_event *e = &p->events[p->nevents];
		if (take_string(ps, &c, ev[i].name_len, "counters", "event name", &e->name) < 0)
			return -1;
		e->type = ev[i].type;
		e->status = ev[i].status;
		e->err = ev[i].err;
		e->config = ev[i].config;
		p->nevents++;
	}
	return expect_end(ps, &c, "counters");
}

static int
parse_thread_counters(struct parser *ps, struct cursor c)
{
	struct ws_thread_counters h;
	uint64_t at = c.off;
	if (take(ps, &c, &h, sizeof h, "thread counters", "fixed fields") < 0)
		return -1;
	if (h.nevents == 0 || h.nevents > WS_MAX_EVENTS)
		return fail(ps, at + offsetof(struct ws_thread_counters, nevents),
			    "thread counters record: %" PRIu32 " events, not 1..%d", h.nevents,
			    WS_MAX_EVENTS);
	if (h.reserved)
		return fail(ps, at + offsetof(struct ws_thread_counters, reserved),
			    "thread counters record: reserved field is not 0");
	if (h.err && h.stack_count)
		return fail(ps, at + offsetof(struct ws_thread_counters, stack_count),
			    "thread counters record: a thread that counted nothing (errno %" PRIu32
			    ") has %" PRIu32 " stack rows",
			    h.err, h.stack_count);
	/* nevents <= 8: no overflow below 2^38 */
	uint64_t need = ((uint64_t)2 + h.stack_count) * h.nevents * sizeof(uint64_t);
	if (need != c.left)
		return fail(ps, c.off,
			    "thread counters record: %" PRIu32 " events and %" PRIu32
			    " stacks need %" PRIu64 " bytes after the fixed fields, the record has "
			    "%" PRIu64,
			    h.nevents, h.stack_count, need, c.left);
	if (ps->ntcs == ps->tc_cap) {
		ps->tc_cap = ps->tc_cap ? 2 * ps->tc_cap : 8;
		ps->tcs = ws_xrealloc(ps->tcs, ps->tc_cap * sizeof *ps->tcs);
	}
	ps->tcs[ps->ntcs++] = (struct tcounters){at, h};
	return 0;
}

static struct wsr_thread *thread_by_index(struct wsr_process *p, uint32_t index);

/* Attach the thread counters to their threads (threads sorted by now),
 * each checked against the process's event list and the thread's stack
 * table. */
static int
resolve_counters(struct parser *ps)
{
	struct wsr_process *p = ps->p;
	if (ps->ntcs && !p->nevents) {
		if (!p->complete) {
			add_note(p, &ps->note_cap,
				 ws_xasprintf("the counters of %zu thread%s were dropped: the file "
					      "ends before the list of events (incomplete file)",
					      ps->ntcs, ps->ntcs == 1 ? "" : "s"));
			return 0;
		}
		return fail(ps, ps->tcs[0].off - sizeof(struct ws_record_header),
			    "thread counters record without a counters record");
	}
	for (size_t i = 0; i < ps->ntcs; i++) {
		const struct tcounters *tc = &ps->tcs[i];
		uint64_t rec = tc->off - sizeof(struct ws_record_header);
		if (tc->info.nevents != p->nevents)
			return fail(ps, tc->off + offsetof(struct ws_thread_counters, nevents),
				    "thread counters record has %" PRIu32
				    " events, the counters record %zu",
				    tc->info.nevents, p->nevents);
		struct wsr_thread *t = thread_by_index(p, tc->info.thread_index);
		if (!t) {
			if (!p->complete)
				continue;
			return fail(ps, rec,
				    "thread counters record for thread %" PRIu32
				    ", which has no thread record",
				    tc->info.thread_index);
		}
		if (t->counters)
			return fail(ps, rec, "a second thread counters record for thread %" PRIu32,
				    tc->info.thread_index);
		if (!tc->info.err && tc->info.stack_count != t->info.stack_count)
			return fail(ps, tc->off + offsetof(struct ws_thread_counters, stack_count),
				    "thread counters record has %" PRIu32
				    " stack rows, thread %" PRIu32 " has %" PRIu32 " stacks",
				    tc->info.stack_count, tc->info.thread_index,
				    t->info.stack_count);
		struct wsr_thread_counters *w = ws_xcalloc(1, sizeof *w);
		const uint64_t *data =
		    (const uint64_t *)(const void *)(ps->buf + tc->off + sizeof tc->info);
		w->info = tc->info;
		w->totals = data;
		w->handler = data + tc->info.nevents;
		w->rows = tc->info.err ? NULL : data + 2 * tc->info.nevents;
		t->counters = w;
	}
	return 0;
}

static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
static struct wsr_thread *thread_by_index(struct wsr_process *p, uint32_t index);

/* WS_REC_REGS: checked here, attached to its thread by resolve_regs(). */
static int
parse_regs(struct parser *ps, struct cursor c)
{
	struct ws_regs r;
	uint64_t at = c.off;
	if (take(ps, &c, &r, sizeof r, "registers", "fixed fields") < 0)
		return -1;
	if (r.arch != WS_ARCH_X86_64)
		return fail(ps, at + offsetof(struct ws_regs, arch),
			    "registers record of unknown architecture %" PRIu32, r.arch);
	if (r.nregs != WS_X86_NREGS)
		return fail(ps, at + offsetof(struct ws_regs, nregs),
			    "registers record: %" PRIu32 " registers per snapshot, x86_64 has %d",
			    r.nregs, WS_X86_NREGS);
	if (r.count > r.seen)
		return fail(ps, at + offsetof(struct ws_regs, count),
			    "registers record: %" PRIu32 " snapshots of %" PRIu64 " samples", r.count,
			    r.seen);
	uint64_t bytes = (uint64_t)r.count * sizeof(struct ws_regs_snapshot);
	if (bytes != c.left)
		return fail(ps, c.off,
			    "registers record: %" PRIu32 " snapshots need %" PRIu64
			    " bytes, the record has %" PRIu64,
			    r.count, bytes, c.left);
	if (ps->nregs == ps->regs_cap) {
		ps->regs_cap = ps->regs_cap ? 2 * ps->regs_cap : 8;
		ps->regs = ws_xrealloc(ps->regs, ps->regs_cap * sizeof *ps->regs);
		ps->regs_seen = ws_xrealloc(ps->regs_seen, ps->regs_cap * sizeof *ps->regs_seen);
	}
	ps->regs_seen[ps->nregs] = r.seen;
	ps->regs[ps->nregs++] = (struct chunk){c.off, r.thread_index, r.count, 0};
	return 0;
}

static int
cmp_snapshot(const void *a, const void *b)
{
	uint64_t x = ((const struct ws_regs_snapshot *)a)->time_ns;
	uint64_t y = ((const struct ws_regs_snapshot *)b)->time_ns;
	return (x > y) - (x < y);
}

/* Attach the register snapshots to their threads (after resolve_samples
 * sorted the threads): one record per thread, stacks in its table. */
static int
resolve_regs(struct parser *ps)
{
	struct wsr_process *p = ps->p;
	for (size_t i = 0; i < ps->nregs; i++) {
		const struct chunk *ch = &ps->regs[i];
		uint64_t rec = ch->off - sizeof(struct ws_regs);
		struct wsr_thread *t = thread_by_index(p, ch->thread_index);
		if (!t) {
			if (!p->complete)
				continue; /* killed before its thread record */
			return fail(ps, rec,
				    "registers record for thread %" PRIu32
				    ", which has no thread record",
				    ch->thread_index);
		}
		if (t->regs)
			return fail(ps, rec, "a second registers record for thread %" PRIu32,
				    ch->thread_index);
		t->regs = ws_xcalloc(ch->count + 1, sizeof *t->regs);
		t->regs_seen = ps->regs_seen[i];
		memcpy(t->regs, ps->buf + ch->off, ch->count * sizeof *t->regs);
		t->nregs = ch->count;
		for (uint32_t k = 0; k < ch->count; k++)
			if (t->regs[k].stack >= t->info.stack_count)
				return fail(ps,
					    ch->off + k * sizeof *t->regs +
						offsetof(struct ws_regs_snapshot, stack),
					    "register snapshot %" PRIu32 " of thread %" PRIu32
					    " refers to stack %" PRIu32 " of %" PRIu32,
					    k, ch->thread_index, t->regs[k].stack,
					    t->info.stack_count);
		sort(t->regs, t->nregs, sizeof *t->regs, cmp_snapshot);
	}
	return 0;
}

static void
free_python(struct wsr_python *py)
{
	if (!py)
		return;
	for (uint32_t i = 0; py->codes && i < py->ncodes; i++) {
		free(py->codes[i].name);
		free(py->codes[i].file);
	}
	free(py->codes);
	free(py->stacks);
	free(py->native);
	free(py);
}

/* WS_REC_PYCODE: the code objects of one thread's Python frames. */
static int
parse_pycode(struct parser *ps, struct cursor c)
{
	struct ws_pycodes h;
	uint64_t at = c.off;
	if (take(ps, &c, &h, sizeof h, "Python code", "fixed fields") < 0)
		return -1;
	if ((uint64_t)h.count * sizeof(struct ws_pycode) > c.left)
		return fail(ps, at + offsetof(struct ws_pycodes, count),
			    "Python code record: %" PRIu32 " code objects cannot fit in %" PRIu64
			    " bytes",
			    h.count, c.left);
	for (size_t i = 0; i < ps->npys; i++)
		if (ps->pys[i].thread_index == h.thread_index)
			return fail(ps, at, "a second Python code record for thread %" PRIu32,
				    h.thread_index);
	struct wsr_python *py = ws_xcalloc(1, sizeof *py);
	py->py_version = h.py_version;
	py->codes = ws_xcalloc(h.count + 1, sizeof *py->codes);
	for (uint32_t i = 0; i < h.count; i++) {
		struct ws_pycode e;
		struct wsr_pycode *w = &py->codes[i];
		if (take(ps, &c, &e, sizeof e, "Python code", "code header") < 0 ||
		    take_string(ps, &c, e.name_len, "Python code", "name", &w->name) < 0 ||
		    take_string(ps, &c, e.file_len, "Python code", "file name", &w->file) < 0) {
			py->ncodes = i + 1;
			free_python(py);
			return -1;
		}
		py->ncodes = i + 1;
		w->firstlineno = e.firstlineno;
		w->linetable = ps->buf + c.off;
		w->linetable_len = e.linetable_len;
		if (take(ps, &c, NULL, e.linetable_len, "Python code", "line table") < 0) {
			free_python(py);
			return -1;
		}
	}
	py->ncodes = h.count;
	if (ps->npys == ps->pys_cap) {
		ps->pys_cap = ps->pys_cap ? 2 * ps->pys_cap : 8;
		ps->pys = ws_xrealloc(ps->pys, ps->pys_cap * sizeof *ps->pys);
	}
	ps->pys[ps->npys++] = (struct pending_py){h.thread_index, false, at, py};
	return expect_end(ps, &c, "Python code");
}

/* WS_REC_PYSTACKS: after its thread's WS_REC_PYCODE; every frame's code
 * index is checked. */
static int
parse_pystacks(struct parser *ps, struct cursor c)
{
	struct ws_pystacks h;
	uint64_t at = c.off;
	if (take(ps, &c, &h, sizeof h, "Python stacks", "fixed fields") < 0)
		return -1;
	struct pending_py *pp = NULL;
	for (size_t i = 0; i < ps->npys; i++)
		if (ps->pys[i].thread_index == h.thread_index)
			pp = &ps->pys[i];
	if (!pp)
		return fail(ps, at,
			    "Python stacks record for thread %" PRIu32
			    " without its Python code record before it",
			    h.thread_index);
	if (pp->has_stacks)
		return fail(ps, at, "a second Python stacks record for thread %" PRIu32,
			    h.thread_index);
	if ((uint64_t)h.stack_count * sizeof(struct ws_stack) > c.left)
		return fail(ps, at + offsetof(struct ws_pystacks, stack_count),
			    "Python stacks record: %" PRIu32 " stacks cannot fit in %" PRIu64
			    " bytes",
			    h.stack_count, c.left);
	struct wsr_python *py = pp->py;
	py->stacks = ws_xcalloc(h.stack_count + 1, sizeof *py->stacks);
	py->native = ws_xcalloc(h.stack_count + 1, sizeof *py->native);
	py->nstacks = h.stack_count;
	pp->has_stacks = true;
	uint64_t total = 0;
	for (uint32_t i = 0; i < h.stack_count; i++) {
		struct ws_stack s;
		uint64_t sat = c.off;
		if (take(ps, &c, &s, sizeof s, "Python stacks", "stack header") < 0)
			return -1;
		if (s.nframes < 2 || s.nframes > WSR_MAX_FRAMES + 1)
			return fail(ps, sat,
				    "Python stacks record: stack %" PRIu32 " has %" PRIu32
				    " frames",
				    i, s.nframes);
		uint64_t fo = c.off;
		if (take(ps, &c, NULL, (uint64_t)s.nframes * sizeof(uint64_t), "Python stacks",
			 "frames") < 0)
			return -1;
		const uint64_t *fw = (const uint64_t *)(const void *)(ps->buf + fo);
		if (fw[0] > UINT32_MAX)
			return fail(ps, fo,
				    "Python stacks record: stack %" PRIu32
				    " names native stack %" PRIu64,
				    i, fw[0]);
		for (uint32_t k = 1; k < s.nframes; k++)
			if ((fw[k] >> 32) >= py->ncodes)
				return fail(ps, fo + 8 * k,
					    "Python stacks record: frame %" PRIu32
					    " of stack %" PRIu32 " refers to code object %" PRIu64
					    " of %" PRIu32,
					    k, i, fw[k] >> 32, py->ncodes);
		py->native[i] = (uint32_t)fw[0];
		py->stacks[i] = (struct wsr_stack){s.nframes - 1, s.flags, s.count, fw + 1};
		if (__builtin_add_overflow(total, s.count, &total))
			return fail(ps, sat + offsetof(struct ws_stack, count),
				    "Python stacks record: sample counts overflow");
	}
	if (total != h.samples)
		return fail(ps, at + offsetof(struct ws_pystacks, samples),
			    "Python stacks record: its stacks hold %" PRIu64
			    " samples but it says %" PRIu64,
			    total, h.samples);
	py->samples = total;
	return expect_end(ps, &c, "Python stacks");
}

static int
parse_payload(struct parser *ps, uint32_t type, struct cursor c)
{
	switch (type) {
	case WS_REC_PROCESS:
		return parse_process(ps, c);
	case WS_REC_MODULE:
		return parse_module(ps, c);
	case WS_REC_SAMPLES:
		return parse_samples(ps, c);
	case WS_REC_PYSAMPLES:
		return parse_pysamples(ps, c);
	case WS_REC_THREAD:
		return parse_thread(ps, c);
	case WS_REC_NOTE:
		return parse_note(ps, c);
	case WS_REC_END:
		return parse_end(ps, c);
	case WS_REC_OMPT:
		return parse_ompt(ps, c);
	case WS_REC_MPI:
		return parse_mpi(ps, c);
	case WS_REC_GPU:
		return parse_gpu(ps, c);
	case WS_REC_HEAP:
		return parse_heap(ps, c);
	case WS_REC_RUSAGE:
		return parse_rusage(ps, c);
	case WS_REC_COUNTERS:
		return parse_counters(ps, c);
	case WS_REC_THREAD_COUNTERS:
		return parse_thread_counters(ps, c);
	case WS_REC_REGS:
		return parse_regs(ps, c);
	case WS_REC_PYCODE:
		return parse_pycode(ps, c);
	case WS_REC_PYSTACKS:
		return parse_pystacks(ps, c);
	default:
		/* A newer writer of the same version may add record types;
		 * they are skipped, and said so. */
		ps->unknown_records++;
		ps->unknown_type = type;
		return 0;
	}
}

static int
check_file_header(struct parser *ps)
{
	struct ws_file_header h;
	/* Say "not a profile" rather than "truncated" for a short file of
	 * something else. */
	size_t m = ps->size < sizeof h.magic ? (size_t)ps->size : sizeof h.magic;
	if (memcmp(ps->buf, WS_MAGIC, m) != 0)
		return fail(ps, 0, "not a whyslow profile (bad magic number)");
	if (ps->size < sizeof h)
		return fail(ps, 0, "truncated file header (needs %zu bytes, %" PRIu64 " left)",
			    sizeof h, ps->size);
	memcpy(&h, ps->buf, sizeof h);
	if (memcmp(h.magic, WS_MAGIC, sizeof h.magic) != 0)
		return fail(ps, 0, "not a whyslow profile (bad magic number)");
	if (h.version > WS_FORMAT_VERSION)
		return fail(ps, offsetof(struct ws_file_header, version),
			    "format version %" PRIu32 " is newer than this whyslow reads (%u); "
			    "upgrade whyslow",
			    h.version, WS_FORMAT_VERSION);
	if (h.version == 0)
		return fail(ps, offsetof(struct ws_file_header, version),
			    "format version 0 does not exist");
	if (h.endian != WS_ENDIAN_CHECK) {
		if (h.endian == __builtin_bswap64(WS_ENDIAN_CHECK))
			return fail(ps, offsetof(struct ws_file_header, endian),
				    "the file was written in the other byte order (big-endian); "
				    "whyslow reads little-endian profiles only");
		return fail(ps, offsetof(struct ws_file_header, endian),
			    "bad byte-order mark 0x%016" PRIx64, h.endian);
	}
	if (h.header_size != sizeof h)
		return fail(ps, offsetof(struct ws_file_header, header_size),
			    "header size is %" PRIu32 " bytes, format version 1 has %zu",
			    h.header_size, sizeof h);
	return 0;
}

/* Record the fact that the file stops short, at offset off, of a complete
 * profile.  Only a file whose process record is intact can be used. */
static int
truncated_tail(struct parser *ps, uint64_t off, const char *what, uint64_t need, bool first)
{
	uint64_t left = ps->size - off;
	if (first)
		return fail(ps, off, "truncated %s (needs %" PRIu64 " bytes, %" PRIu64 " left)",
			    what, need, left);
	add_note(ps->p, &ps->note_cap,
		 ws_xasprintf("%s: offset %" PRIu64 ": truncated %s (needs %" PRIu64
			      " bytes, %" PRIu64 " left): the rest of the file is ignored",
			      ps->path, off, what, need, left));
	return 0;
}

/* Walk the records.  Returns 0 when the walk stopped at the end of the
 * file, at END, or at a truncated last record. */
static int
walk_records(struct parser *ps)
{
	uint64_t off = sizeof(struct ws_file_header);
	bool first = true;
	while (off < ps->size) {
		uint64_t left = ps->size - off;
		struct ws_record_header rh;
		if (left < sizeof rh)
			return truncated_tail(ps, off, "record header", sizeof rh, first);
		memcpy(&rh, ps->buf + off, sizeof rh);
		uint64_t body = left - sizeof rh;
		uint64_t pad = (8 - rh.size % 8) % 8;
		if (rh.size > body || pad > body - rh.size) {
			uint64_t need = rh.size > UINT64_MAX - sizeof rh - pad
					    ? UINT64_MAX
					    : rh.size + sizeof rh + pad;
			return truncated_tail(ps, off, "record", need, first);
		}
		if (rh.reserved != 0)
			return fail(ps, off + offsetof(struct ws_record_header, reserved),
				    "record header's reserved field is %" PRIu32 ", not 0",
				    rh.reserved);
		if (rh.type == 0)
			return fail(ps, off, "record type 0 is not valid");
		if (first && rh.type != WS_REC_PROCESS)
			return fail(ps, off,
				    "the first record has type %" PRIu32
				    "; it must be the process record (1)",
				    rh.type);
		if (!first && rh.type == WS_REC_PROCESS)
			return fail(ps, off, "a second process record");
		uint64_t payload = off + sizeof rh;
		for (uint64_t i = 0; i < pad; i++)
			if (ps->buf[payload + rh.size + i] != 0)
				return fail(ps, payload + rh.size + i,
					    "padding byte after the record is not 0");
		if (parse_payload(ps, rh.type, (struct cursor){payload, rh.size}) < 0)
			return -1;
		first = false;
		off = payload + rh.size + pad;
		if (rh.type == WS_REC_END) {
			ps->p->complete = true;
			if (off != ps->size)
				return fail(ps, off,
					    "%" PRIu64
					    " bytes after the end record, which must be last",
					    ps->size - off);
		}
	}
	if (first)
		return fail(ps, off, "no process record: the file ends after its header");
	return 0;
}

/* qsort(), which must not be given a NULL array even of no elements. */
static void
sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static int
cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->off > y->off) - (x->off < y->off);
}

/* Thread indexes and module ids are unique in a process. */
static int
check_unique(struct parser *ps, struct key *keys, size_t n, const char *what)
{
	sort(keys, n, sizeof *keys, cmp_key);
	for (size_t i = 1; i < n; i++)
		if (keys[i].id == keys[i - 1].id)
			return fail(ps, keys[i].off,
				    "%s %" PRIu32
				    " was already used by the record at offset %" PRIu64,
				    what, keys[i].id, keys[i - 1].off);
	return 0;
}

static struct wsr_thread *
thread_by_index(struct wsr_process *p, uint32_t index)
{
	/* threads are sorted by thread_index by now */
	size_t lo = 0, hi = p->nthreads;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->threads[mid].info.thread_index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nthreads && p->threads[lo].info.thread_index == index ? &p->threads[lo]
									     : NULL;
}

static int
cmp_thread(const void *a, const void *b)
{
	uint32_t x = ((const struct wsr_thread *)a)->info.thread_index;
	uint32_t y = ((const struct wsr_thread *)b)->info.thread_index;
	return (x > y) - (x < y);
}

static int
cmp_sample(const void *a, const void *b)
{
	uint64_t x = ((const struct ws_sample *)a)->time_ns;
	uint64_t y = ((const struct ws_sample *)b)->time_ns;
	return (x > y) - (x < y);
}

/* Sort a thread's timeline by time, its Python stacks with it. */
static void
sort_timeline(struct wsr_thread *t)
{
	if (!t->py_samples) {
		sort(t->samples, t->nsamples, sizeof *t->samples, cmp_sample);
		return;
	}
	struct pair {
		struct ws_sample s; /* first: cmp_sample reads its time */
		uint32_t py;
	} *v = ws_xcalloc(t->nsamples, sizeof *v);
	for (size_t k = 0; k < t->nsamples; k++)
		v[k] = (struct pair){t->samples[k], t->py_samples[k]};
	sort(v, t->nsamples, sizeof *v, cmp_sample);
	for (size_t k = 0; k < t->nsamples; k++) {
		t->samples[k] = v[k].s;
		t->py_samples[k] = v[k].py;
	}
	free(v);
}

/* Attach the samples chunks to their threads, now that every thread record
 * has been read, checking each stack index against the thread's table. */
static int
resolve_samples(struct parser *ps)
{
	struct wsr_process *p = ps->p;
	sort(p->threads, p->nthreads, sizeof *p->threads, cmp_thread);
	uint64_t orphans = 0;
	for (size_t i = 0; i < ps->nchunks; i++) {
		const struct chunk *ch = &ps->chunks[i];
		struct wsr_thread *t = thread_by_index(p, ch->thread_index);
		if (!t) {
			/* A killed process may not have written its thread
			 * records: its timelines are lost, not the file. */
			if (!p->complete) {
				orphans += ch->count;
				continue;
			}
			return fail(ps, ch->off - sizeof(struct ws_samples),
				    "samples record for thread %" PRIu32
				    ", which has no thread record",
				    ch->thread_index);
		}
		t->nsamples += ch->count; /* bounded by the file size */
	}
	for (size_t i = 0; i < ps->nchunks; i++) {
		struct wsr_thread *t = thread_by_index(p, ps->chunks[i].thread_index);
		if (t && ps->chunks[i].py_off && !t->py_samples)
			t->py_samples = ws_xcalloc(t->nsamples ? t->nsamples : 1, sizeof(uint32_t));
	}
	for (size_t i = 0; i < p->nthreads; i++) {
		p->threads[i].samples =
		    ws_xcalloc(p->threads[i].nsamples, sizeof(struct ws_sample));
		p->threads[i].nsamples = 0;
	}
	for (size_t i = 0; i < ps->nchunks; i++) {
		const struct chunk *ch = &ps->chunks[i];
		struct wsr_thread *t = thread_by_index(p, ch->thread_index);
		if (!t)
			continue;
		for (uint32_t k = 0; k < ch->count; k++) {
			uint64_t at = ch->off + (uint64_t)k * sizeof(struct ws_sample);
			struct ws_sample s;
			memcpy(&s, ps->buf + at, sizeof s);
			if (s.stack >= t->info.stack_count)
				return fail(ps, at + offsetof(struct ws_sample, stack),
					    "sample %" PRIu32 " of thread %" PRIu32
					    " refers to stack %" PRIu32 " of %" PRIu32,
					    k, ch->thread_index, s.stack, t->info.stack_count);
			if (ch->py_off)
				memcpy(&t->py_samples[t->nsamples],
				       ps->buf + ch->py_off + (uint64_t)k * sizeof(uint32_t),
				       sizeof(uint32_t));
			t->samples[t->nsamples++] = s;
		}
	}
	for (size_t i = 0; i < p->nthreads; i++) {
		struct wsr_thread *t = &p->threads[i];
		for (size_t k = 1; k < t->nsamples; k++)
			if (t->samples[k].time_ns < t->samples[k - 1].time_ns) {
				/* qsort is not stable; equal times keep no order anyway */
				sort_timeline(t);
				break;
			}
	}
	if (orphans)
		add_note(p, &ps->note_cap,
			 ws_xasprintf("%" PRIu64 " timeline samples of threads without a thread "
				      "record were dropped (incomplete file)",
				      orphans));
	return 0;
}

static int
check_end_counts(struct parser *ps)
{
	struct wsr_process *p = ps->p;
	if (!p->complete)
		return 0;
	uint64_t at = ps->size - sizeof(struct ws_end);
	if (p->end.threads != p->nthreads)
		return fail(ps, at + offsetof(struct ws_end, threads),
			    "end record counts %" PRIu32 " thread records, the file has %zu",
			    p->end.threads, p->nthreads);
	if (p->end.modules != p->nmodules)
		return fail(ps, at + offsetof(struct ws_end, modules),
			    "end record counts %" PRIu32 " module records, the file has %zu",
			    p->end.modules, p->nmodules);
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Whether module a was loaded after module b (so it wins where both
 * cover an address: the older one was unloaded in between). */
static bool
loaded_later(const struct wsr_module *a, const struct wsr_module *b)
{
	if (a->info.load_ns != b->info.load_ns)
		return a->info.load_ns > b->info.load_ns;
	return a->info.id > b->info.id;
}

/* Build the table that ws_module_for() searches: the distinct start and end
 * addresses cut the address space into intervals, each owned by the
 * latest-loaded module covering it. */
static void
build_module_index(struct wsr_process *p, struct storage *st)
{
	size_t n = 0;
	st->bounds = ws_xmalloc(2 * p->nmodules * sizeof *st->bounds);
	for (size_t i = 0; i < p->nmodules; i++) {
		if (p->modules[i].info.start == p->modules[i].info.end)
			continue;
		st->bounds[n++] = p->modules[i].info.start;
		st->bounds[n++] = p->modules[i].info.end;
	}
	sort(st->bounds, n, sizeof *st->bounds, cmp_u64);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || st->bounds[u - 1] != st->bounds[i])
			st->bounds[u++] = st->bounds[i];
	st->nbounds = u;
	st->owner = ws_xmalloc((u ? u : 1) * sizeof *st->owner);
	for (size_t k = 0; k < u; k++)
		st->owner[k] = -1;
	for (size_t i = 0; i < p->nmodules; i++) {
		const struct ws_module *m = &p->modules[i].info;
		if (m->start == m->end)
			continue;
		const uint64_t *b = bsearch(&m->start, st->bounds, u, sizeof *st->bounds, cmp_u64);
		for (size_t k = (size_t)(b - st->bounds); k + 1 < u && st->bounds[k] < m->end; k++)
			if (st->owner[k] < 0 ||
			    loaded_later(&p->modules[i], &p->modules[st->owner[k]]))
				st->owner[k] = (long)i;
	}
}

const struct wsr_module *
ws_module_for(const struct wsr_process *p, uint64_t ip)
{
	const struct storage *st = p->storage;
	if (!st || st->nbounds < 2 || ip < st->bounds[0])
		return NULL;
	/* the last bound <= ip */
	size_t lo = 0, hi = st->nbounds;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->bounds[mid] <= ip)
			lo = mid;
		else
			hi = mid;
	}
	if (lo + 1 >= st->nbounds || st->owner[lo] < 0)
		return NULL;
	return &p->modules[st->owner[lo]];
}

/* Read the whole file.  Profiles are written once and not modified, so a
 * file that changes size while it is read is simply read as far as it
 * goes. */
static int
slurp(const char *path, struct storage *st, struct ws_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err->msg, sizeof err->msg, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat sb;
	const char *why = NULL;
	if (fstat(fd, &sb) < 0)
		why = strerror(errno);
	else if (S_ISDIR(sb.st_mode))
		why = "is a directory";
	else if (!S_ISREG(sb.st_mode))
		why = "not a regular file";
	if (why) {
		snprintf(err->msg, sizeof err->msg, "%s: %s", path, why);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)sb.st_size;
	st->buf = ws_xmalloc(cap);
	st->size = 0;
	while (st->size < cap) {
		ssize_t r = read(fd, st->buf + st->size, cap - st->size);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err->msg, sizeof err->msg, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		st->size += (size_t)r;
	}
	close(fd);
	return 0;
}

/* Attach the Python records to their threads. */
static int
resolve_python(struct parser *ps)
{
	struct wsr_process *p = ps->p;
	for (size_t i = 0; i < ps->npys; i++) {
		struct pending_py *pp = &ps->pys[i];
		struct wsr_thread *t = thread_by_index(p, pp->thread_index);
		if (!pp->has_stacks || !t) {
			if (!p->complete)
				continue; /* killed between the records: freed below */
			return fail(ps, pp->off - sizeof(struct ws_record_header),
				    pp->has_stacks ? "Python code record for thread %" PRIu32
						     ", which has no thread record"
						   : "Python code record for thread %" PRIu32
						     " without its Python stacks record",
				    pp->thread_index);
		}
		for (uint32_t k = 0; k < pp->py->nstacks; k++)
			if (pp->py->native[k] >= t->info.stack_count)
				return fail(ps, pp->off - sizeof(struct ws_record_header),
					    "Python stack %" PRIu32 " of thread %" PRIu32
					    " names native stack %" PRIu32 " of %" PRIu32,
					    k, pp->thread_index, pp->py->native[k],
					    t->info.stack_count);
		t->py = pp->py;
		pp->py = NULL;
	}
	return 0;
}

/* Check each sample's Python stack against its thread's Python table, in
 * the file's chunks: it must exist and belong to the sample's native
 * stack.  Without the table (a killed process, a failed write) the
 * timeline loses its Python frames, with a note in a complete file. */
static int
resolve_py_samples(struct parser *ps)
{
	struct wsr_process *p = ps->p;
	for (size_t i = 0; i < ps->nchunks; i++) {
		const struct chunk *ch = &ps->chunks[i];
		struct wsr_thread *t = thread_by_index(p, ch->thread_index);
		if (!ch->py_off || !t || !t->py_samples)
			continue;
		if (!t->py) {
			/* killed, or the table's own write failed (a full disk):
			 * the timeline loses its Python frames, nothing else */
			free(t->py_samples);
			t->py_samples = NULL;
			if (p->complete)
				add_note(p, &ps->note_cap,
					 ws_xasprintf("thread %" PRIu32
						      " has Python samples but no Python stacks "
						      "record: its timeline shows native frames only",
						      ch->thread_index));
			continue;
		}
		for (uint32_t k = 0; k < ch->count; k++) {
			uint64_t at = ch->py_off + (uint64_t)k * sizeof(uint32_t);
			uint32_t v;
			struct ws_sample smp;
			memcpy(&v, ps->buf + at, sizeof v);
			memcpy(&smp, ps->buf + ch->off + (uint64_t)k * sizeof smp, sizeof smp);
			if (v && (v > t->py->nstacks || t->py->native[v - 1] != smp.stack))
				return fail(ps, at,
					    "Python samples record: sample %" PRIu32 " of thread %" PRIu32
					    " names Python stack %" PRIu32 ", which %s",
					    k, ch->thread_index, v - 1,
					    v > t->py->nstacks ? "the thread's table does not have"
							       : "belongs to another native stack");
		}
	}
	return 0;
}

static void
free_parser(struct parser *ps)
{
	for (size_t i = 0; i < ps->npys; i++)
		free_python(ps->pys[i].py);
	free(ps->pys);
	free(ps->thread_keys);
	free(ps->module_keys);
	free(ps->chunks);
	free(ps->tcs);
	free(ps->regs);
	free(ps->regs_seen);
}

int
ws_load_file(const char *path, struct wsr_process *out, struct ws_error *err)
{
	*out = (struct wsr_process){0};
	struct storage *st = ws_xcalloc(1, sizeof *st);
	out->storage = st;
	out->file = ws_xstrdup(path);
	if (slurp(path, st, err) < 0) {
		ws_process_free(out);
		return -1;
	}
	struct parser ps = {.path = path, .buf = st->buf, .size = st->size, .err = err, .p = out};
	int rc = check_file_header(&ps);
	if (rc == 0)
		rc = walk_records(&ps);
	if (rc == 0)
		rc = check_unique(&ps, ps.thread_keys, out->nthreads, "thread index");
	if (rc == 0)
		rc = check_unique(&ps, ps.module_keys, out->nmodules, "module id");
	if (rc == 0)
		rc = resolve_samples(&ps);
	if (rc == 0)
		rc = resolve_counters(&ps);
	if (rc == 0)
		rc = resolve_regs(&ps);
	if (rc == 0)
		rc = resolve_python(&ps);
	if (rc == 0)
		rc = resolve_py_samples(&ps);
	if (rc == 0)
		rc = check_end_counts(&ps);
	if (rc == 0 && ps.unknown_records)
		add_note(out, &ps.note_cap,
			 ws_xasprintf("skipped %" PRIu64
				      " record%s of unknown type (such as %" PRIu32
				      "): written by a newer whyslow?",
				      ps.unknown_records, ps.unknown_records == 1 ? "" : "s",
				      ps.unknown_type));
	if (rc == 0 && !out->complete)
		add_note(out, &ps.note_cap,
			 ws_xasprintf("%s: incomplete profile (no end record): the process was "
				      "killed or its disk filled up before it finished writing",
				      path));
	free_parser(&ps);
	if (rc < 0) {
		ws_process_free(out);
		return -1;
	}
	if (!out->argv)
		out->argv = ws_xcalloc(1, sizeof *out->argv);
	build_module_index(out, st);
	return 0;
}

void
ws_process_free(struct wsr_process *p)
{
	if (!p)
		return;
	free(p->file);
	free(p->hostname);
	free(p->exe);
	for (int i = 0; p->argv && i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	for (size_t i = 0; i < p->nmodules; i++) {
		free(p->modules[i].path);
		free(p->modules[i].build_id);
	}
	free(p->modules);
	for (size_t i = 0; i < p->nthreads; i++) {
		free(p->threads[i].stacks);
		free(p->threads[i].samples);
		free(p->threads[i].py_samples);
		free(p->threads[i].counters);
		free(p->threads[i].regs);
		free_python(p->threads[i].py);
	}
	for (size_t i = 0; i < p->nevents; i++)
		free(p->events[i].name);
	free(p->events);
	free(p->threads);
	if (p->heap)
		free(p->heap->stacks);
	free(p->heap);
	free(p->rusage);
	for (size_t i = 0; i < p->nnotes; i++)
		free(p->notes[i]);
	free(p->notes);
	free_ompt(p->ompt);
	free_mpi(p->mpi);
	free_gpu(p->gpu);
	struct storage *st = p->storage;
	if (st) {
		free(st->buf);
		free(st->bounds);
		free(st->owner);
		free(st);
	}
	*p = (struct wsr_process){0};
}

int
ws_profile_check_usable(const struct wsr_profile *p, struct ws_error *err)
{
	const struct wsr_process *cut = NULL;
	for (size_t i = 0; i < p->nprocs; i++) {
		const struct wsr_process *pr = &p->procs[i];
		if (!pr->complete && !cut)
			cut = pr;
		for (size_t j = 0; j < pr->nthreads; j++)
			for (uint32_t k = 0; k < pr->threads[j].info.stack_count; k++)
				if (pr->threads[j].stacks[k].count)
					return 0;
	}
	if (!cut)
		return 0;
	/* the note that says where the file's data ends, when there is one */
	const char *where = NULL;
	for (size_t i = 0; i < cut->nnotes && !where; i++)
		if (strstr(cut->notes[i], ": offset "))
			where = cut->notes[i];
	if (where)
		snprintf(err->msg, sizeof err->msg, "%s; no samples are left to report", where);
	else
		snprintf(err->msg, sizeof err->msg,
			 "%s: incomplete profile (no end record) without a single sample: the "
			 "process was killed or its disk filled up before it wrote any",
			 cut->file);
	return -1;
}

void
ws_profile_free(struct wsr_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nprocs; i++)
		ws_process_free(&p->procs[i]);
	free(p->procs);
	free(p->dir);
	*p = (struct wsr_profile){0};
}

static bool
is_profile_name(const char *name)
{
	size_t n = strlen(name), s = strlen(WS_FILE_SUFFIX);
	return n > s && strcmp(name + n - s, WS_FILE_SUFFIX) == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_proc(const void *a, const void *b)
{
	const struct wsr_process *x = a, *y = b;
	if (x->info.start_mono_ns != y->info.start_mono_ns)
		return x->info.start_mono_ns < y->info.start_mono_ns ? -1 : 1;
	return strcmp(x->file, y->file);
}

/* The names of the profile files in dir, sorted, or -1. */
static int
list_profiles(const char *dir, char ***names, size_t *n, struct ws_error *err)
{
	struct stat sb;
	if (stat(dir, &sb) < 0) {
		snprintf(err->msg, sizeof err->msg, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err->msg, sizeof err->msg, "%s: not a directory", dir);
		return -1;
	}
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err->msg, sizeof err->msg, "%s: %s", dir, strerror(errno));
		return -1;
	}
	size_t cap = 0;
	*names = NULL;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_profile_name(e->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*names = ws_xrealloc(*names, cap * sizeof **names);
		}
		(*names)[(*n)++] = ws_xstrdup(e->d_name);
	}
	closedir(d);
	sort(*names, *n, sizeof **names, cmp_str);
	return 0;
}

int
ws_load_dir(const char *dir, struct wsr_profile *out, struct ws_error *err)
{
	*out = (struct wsr_profile){0};
	char **names;
	size_t n;
	if (list_profiles(dir, &names, &n, err) < 0)
		return -1;
	int rc = 0;
	if (n == 0) {
		snprintf(err->msg, sizeof err->msg, "no profile files (*%s) in %s", WS_FILE_SUFFIX,
			 dir);
		rc = -1;
	}
	out->dir = ws_xstrdup(dir);
	out->procs = ws_xcalloc(n, sizeof *out->procs);
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t dl = strlen(dir);
		char *path =
		    ws_xasprintf("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
		/* One unreadable file fails the whole recording: a report
		 * that silently leaves out a process would mislead. */
		rc = ws_load_file(path, &out->procs[out->nprocs], err);
		if (rc == 0)
			out->nprocs++;
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc < 0) {
		ws_profile_free(out);
		return -1;
	}
	sort(out->procs, out->nprocs, sizeof *out->procs, cmp_proc);
	return 0;
}
