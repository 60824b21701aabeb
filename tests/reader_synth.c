/* The synthetic profile of the reader tests (see reader_synth.h). */
#include "config.h"

#include "reader_synth.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- contents ---- */

const struct ws_process synth_process = {
    .pid = 4242,
    .ppid = 4200,
    .rank = -1,
    .clock = WS_CLOCK_CPU,
    .source = WS_SOURCE_PERF_TASK_CLOCK,
    .requested_hz = 997,
    .signal = 27,
    .max_depth = 128,
    .start_mono_ns = 5000000000ull,
    .start_real_ns = 1700000000123456789ull,
    .parent_file_id = 0,
};
const char synth_hostname[] = "node-17";
const char synth_exe[] = "/opt/app/bin/solver";
/* /proc/self/cmdline of `solver --n ""`: the last argument is empty */
const char synth_cmdline[] = "solver\0--n\0";
const uint32_t synth_cmdline_len = sizeof synth_cmdline; /* with the final NUL */
const char *const synth_argv[] = {"solver", "--n", "", NULL};

static const uint8_t bid_main[20] = {1,	 2,  3,	 4,  5,	 6,  7,	 8,  9,	 10,
				     11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
static const uint8_t bid_libc[20] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
				     0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3};
static const uint8_t bid_plugin[8] = {0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3};

#define MOD(ID, FLAGS, BIAS, START, END, LOAD, UNLOAD, PATH, BID, BIDLEN)                          \
	{                                                                                          \
		{ID, FLAGS, BIAS, START, END, LOAD, UNLOAD, sizeof(PATH) - 1, BIDLEN}, PATH, BID   \
	}
const struct synth_module synth_modules[SYNTH_NMODULES] = {
    MOD(0, WS_MOD_MAIN | WS_MOD_EH_FRAME_HDR, 0, 0x400000, 0x480000, 0, 0, "/opt/app/bin/solver",
	bid_main, 20),
    MOD(1, WS_MOD_EH_FRAME_HDR, 0x7f0000000000, 0x7f0000000000, 0x7f0000200000, 0, 0,
	"/lib/x86_64-linux-gnu/libc.so.6", bid_libc, 20),
    /* plugin_a was dlclose'd and plugin_b loaded over part of it */
    MOD(2, 0, 0x7f1000000000, 0x7f1000000000, 0x7f1000100000, 6000000000, 7000000000,
	"/opt/app/lib/plugin_a.so", bid_plugin, 8),
    MOD(3, 0, 0x7f1000000000, 0x7f1000000000, 0x7f1000080000, 8000000000, 0,
	"/opt/app/lib/plugin_b.so", bid_plugin, 8),
    MOD(4, WS_MOD_VDSO, 0x7ffff7fc1000, 0x7ffff7fc1000, 0x7ffff7fc3000, 0, 0, "", NULL, 0),
};

static const uint64_t t0_s0[] = {0x401000, 0x402000, 0x7f0000012345};
static uint64_t t0_s2[128]; /* filled by fill_deep_stack() */
static const uint64_t t1_s0[] = {0x7f1000000100, 0x401000};
static const uint64_t t1_s1[] = {0x7ffff7fc1500};

static const struct synth_stack t0_stacks[] = {
    {3, 0, 3, t0_s0},
    {0, WS_STK_UNWIND_ERR, 1, NULL},
    {128, WS_STK_TRUNCATED, 2, t0_s2},
};
static const struct synth_stack t1_stacks[] = {
    {2, 0, 2, t1_s0},
    {1, 0, 1, t1_s1},
};

const struct synth_thread synth_threads[SYNTH_NTHREADS] = {
    {{.thread_index = 0,
      .tid = 4242,
      .name = "solver",
      .flags = WS_THR_MAIN,
      .stack_count = 3,
      .start_ns = 5000000000,
      .end_ns = 9000000000,
      .cpu_ns = 3900000000,
      .samples = 6,
      .dropped = {1, 2, 3, 4},
      .unwind_errors = 1,
      .truncated = 2,
      .handler_ns = 12345,
      .handler_max_ns = 999,
      .source = WS_SOURCE_PERF_TASK_CLOCK,
      .source_errno = 0},
     t0_stacks},
    {{.thread_index = 1,
      .tid = 4243,
      .name = "worker-1",
      .flags = WS_THR_EXITED,
      .stack_count = 2,
      .start_ns = 5050000000,
      .end_ns = 5400000000,
      .cpu_ns = 340000000,
      .samples = 3,
      .dropped = {0, 0, 0, 0},
      .unwind_errors = 0,
      .truncated = 0,
      .handler_ns = 777,
      .handler_max_ns = 300,
      .source = WS_SOURCE_CPU_TIMER,
      .source_errno = 19},
     t1_stacks},
};

static const struct ws_sample c0[] = {{5100000000, 0, 0}, {5200000000, 1, 0}, {5300000000, 0, 0}};
static const struct ws_sample c1[] = {
    {5001000000, 0, 0}, {5002000000, 2, 0}, {5003000000, 0, 0}, {5004000000, 1, 0}};
static const struct ws_sample c2[] = {{5005000000, 0, 0}, {5006000000, 2, 0}};
const struct synth_chunk synth_chunks[SYNTH_NCHUNKS] = {{1, 3, c0}, {0, 4, c1}, {0, 2, c2}};

const char *const synth_notes[SYNTH_NNOTES] = {
    "sampling with signal 27 (SIGPROF) via the perf task clock", ""};

const struct ws_end synth_end = {
    .end_mono_ns = 9000000000,
    .end_real_ns = 1700000004123456789ull,
    .reason = WS_END_EXIT,
    .status = 3,
    .process_cpu_ns = 4240000000,
    .collector_peak_bytes = 1048576,
    .threads = SYNTH_NTHREADS,
    .modules = SYNTH_NMODULES,
};

/* ---- variants ---- */

const struct synth_variant synth_variants[] = {
    {"valid", EXPECT_LOAD, NULL, "a correct profile exercising every record type"},
    {"no-end", EXPECT_INCOMPLETE, "no end record", "the end record is missing"},
    {"truncated-tail", EXPECT_INCOMPLETE, "truncated record",
     "cut inside the last thread record (its samples are dropped)"},
    {"big-size-late", EXPECT_INCOMPLETE, "truncated record",
     "a late record's size runs past the end of the file"},
    {"empty", EXPECT_FAIL, "truncated file header", "an empty file"},
    {"truncated-header", EXPECT_FAIL, "truncated file header", "cut inside the file header"},
    {"header-only", EXPECT_FAIL, "no process record", "only the file header"},
    {"truncated-process", EXPECT_FAIL, "truncated record", "cut inside the process record"},
    {"big-size", EXPECT_FAIL, "truncated record",
     "the process record's size is larger than the file"},
    {"future-version", EXPECT_FAIL, "format version 2 is newer than this whyslow reads (1)",
     "format version 2"},
    {"version-zero", EXPECT_FAIL, "format version 0", "format version 0"},
    {"bad-magic", EXPECT_FAIL, "bad magic", "not a profile"},
    {"big-endian", EXPECT_FAIL, "byte order", "the byte-order mark of a big-endian writer"},
    {"bad-endian", EXPECT_FAIL, "byte-order mark", "a garbage byte-order mark"},
    {"bad-header-size", EXPECT_FAIL, "header size", "header_size is 32"},
    {"bad-stack", EXPECT_FAIL, "refers to stack 3 of 3", "a sample's stack index is out of range"},
    {"bad-stack-late", EXPECT_FAIL, "refers to stack 2 of 2",
     "a sample before its thread record has a stack index out of range"},
    {"huge-nframes", EXPECT_FAIL, "more than the limit of 4096", "a stack of 2^30 frames"},
    {"short-frames", EXPECT_FAIL, "too short for its frames",
     "a stack claims more frames than its record holds"},
    {"huge-stack-count", EXPECT_FAIL, "stacks cannot fit", "a thread claims 2^28 stacks"},
    {"dup-thread", EXPECT_FAIL, "thread index 0 was already used by the record at offset",
     "two thread records with index 0"},
    {"dup-module", EXPECT_FAIL, "module id 0 was already used", "two modules with id 0"},
    {"module-range", EXPECT_FAIL, "is above end", "a module whose start is above its end"},
    {"not-first", EXPECT_FAIL, "must be the process record",
     "a note record comes before the process record"},
    {"second-process", EXPECT_FAIL, "a second process record", "two process records"},
    {"after-end", EXPECT_FAIL, "after the end record", "a note record after the end record"},
    {"trailing-bytes", EXPECT_FAIL, "after the end record", "4 stray bytes after the end"},
    {"bad-padding", EXPECT_FAIL, "padding byte", "a non-zero padding byte"},
    {"bad-reserved", EXPECT_FAIL, "reserved field", "a record header's reserved field is set"},
    {"type-zero", EXPECT_FAIL, "record type 0", "a record of type 0"},
    {"long-string", EXPECT_FAIL, "too short for its hostname", "the hostname's length is 2^32-1"},
    {"nul-in-path", EXPECT_FAIL, "NUL byte", "a module path with a NUL byte in it"},
    {"samples-count", EXPECT_FAIL, "samples need", "a samples record claims 2^32-1 samples"},
    {"orphan-samples", EXPECT_FAIL, "no thread record",
     "samples of thread 7, which does not exist, in a complete file"},
    {"extra-bytes", EXPECT_FAIL, "more than its contents need",
     "a note record 8 bytes longer than its text"},
    {"end-count", EXPECT_FAIL, "end record counts 3 thread records",
     "the end record counts a thread that is not there"},
    {"bad-clock", EXPECT_FAIL, "clock 7", "an unknown clock"},
    {"bad-end-reason", EXPECT_FAIL, "end reason", "an unknown end reason"},
    {"unterminated-name", EXPECT_FAIL, "not NUL-terminated",
     "a thread name that fills all 16 bytes"},
    {NULL, 0, NULL, NULL},
};

const struct synth_variant *
synth_variant(const char *name)
{
	for (const struct synth_variant *v = synth_variants; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* ---- writing ---- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void
put(struct buf *b, const void *data, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 256;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	if (n)
		memcpy(b->p + b->n, data, n);
	b->n += n;
}

static void
put_u32(struct buf *b, uint32_t v)
{
	put(b, &v, sizeof v);
}

static size_t
begin_record(struct buf *b, uint32_t type)
{
	size_t at = b->n;
	struct ws_record_header rh = {type, 0, 0};
	put(b, &rh, sizeof rh);
	return at;
}

/* Set the record's size and pad it to 8 bytes. */
static void
end_record(struct buf *b, size_t at)
{
	uint64_t size = b->n - at - sizeof(struct ws_record_header);
	memcpy(b->p + at + offsetof(struct ws_record_header, size), &size, sizeof size);
	static const uint8_t zeros[8];
	put(b, zeros, (8 - size % 8) % 8);
}

static void
fill_deep_stack(void)
{
	for (size_t i = 0; i < 128; i++)
		t0_s2[i] = 0x400000 + 16 * i;
}

static void
write_process(struct buf *b)
{
	size_t at = begin_record(b, WS_REC_PROCESS);
	put(b, &synth_process, sizeof synth_process);
	put_u32(b, sizeof synth_hostname - 1);
	put(b, synth_hostname, sizeof synth_hostname - 1);
	put_u32(b, sizeof synth_exe - 1);
	put(b, synth_exe, sizeof synth_exe - 1);
	put_u32(b, synth_cmdline_len);
	put(b, synth_cmdline, synth_cmdline_len);
	end_record(b, at);
}

static void
write_module(struct buf *b, const struct synth_module *m)
{
	size_t at = begin_record(b, WS_REC_MODULE);
	put(b, &m->info, sizeof m->info);
	put(b, m->path, m->info.path_len);
	put(b, m->build_id, m->info.build_id_len);
	end_record(b, at);
}

static void
write_note(struct buf *b, const char *text, size_t extra)
{
	size_t at = begin_record(b, WS_REC_NOTE);
	struct ws_note n = {(uint32_t)strlen(text), 0};
	put(b, &n, sizeof n);
	put(b, text, n.len);
	static const uint8_t zeros[8];
	put(b, zeros, extra);
	end_record(b, at);
}

static void
write_chunk(struct buf *b, const struct synth_chunk *c)
{
	size_t at = begin_record(b, WS_REC_SAMPLES);
	struct ws_samples s = {c->thread_index, c->count};
	put(b, &s, sizeof s);
	put(b, c->samples, c->count * sizeof *c->samples);
	end_record(b, at);
}

static void
write_thread(struct buf *b, const struct synth_thread *t)
{
	size_t at = begin_record(b, WS_REC_THREAD);
	put(b, &t->info, sizeof t->info);
	for (uint32_t i = 0; i < t->info.stack_count; i++) {
		const struct synth_stack *s = &t->stacks[i];
		struct ws_stack h = {s->nframes, s->flags, s->count};
		put(b, &h, sizeof h);
		put(b, s->ips, s->nframes * sizeof(uint64_t));
	}
	end_record(b, at);
}

static void
write_unknown(struct buf *b)
{
	size_t at = begin_record(b, 99);
	put(b, "future stuff!", 13);
	end_record(b, at);
}

static void
write_end(struct buf *b)
{
	size_t at = begin_record(b, WS_REC_END);
	put(b, &synth_end, sizeof synth_end);
	end_record(b, at);
}

static bool
is(const char *name, const char *v)
{
	return strcmp(name, v) == 0;
}

/* Write the records, with the variants that change which records there
 * are or what they contain. */
static void
write_records(struct buf *b, const char *name, size_t off[R_COUNT])
{
	if (is(name, "not-first"))
		write_note(b, "too early", 0);
	off[R_PROCESS] = b->n;
	write_process(b);
	if (is(name, "second-process"))
		write_process(b);
	for (int i = 0; i < SYNTH_NMODULES; i++) {
		off[R_MOD0 + i] = b->n;
		write_module(b, &synth_modules[i]);
	}
	off[R_NOTE0] = b->n;
	write_note(b, synth_notes[0], is(name, "extra-bytes") ? 8 : 0);
	off[R_CHUNK0] = b->n;
	write_chunk(b, &synth_chunks[0]);
	off[R_CHUNK1] = b->n;
	write_chunk(b, &synth_chunks[1]);
	off[R_THREAD0] = b->n;
	write_thread(b, &synth_threads[0]);
	off[R_UNKNOWN] = b->n;
	write_unknown(b);
	off[R_CHUNK2] = b->n;
	write_chunk(b, &synth_chunks[2]);
	off[R_THREAD1] = b->n;
	write_thread(b, &synth_threads[1]);
	off[R_NOTE1] = b->n;
	write_note(b, synth_notes[1], 0);
	if (!is(name, "no-end")) {
		off[R_END] = b->n;
		write_end(b);
	}
	if (is(name, "after-end"))
		write_note(b, "too late", 0);
	if (is(name, "trailing-bytes"))
		put(b, "\0\0\0\0", 4);
}

static void
set32(uint8_t *p, size_t at, uint32_t v)
{
	memcpy(p + at, &v, sizeof v);
}

static void
set64(uint8_t *p, size_t at, uint64_t v)
{
	memcpy(p + at, &v, sizeof v);
}

enum { RH = sizeof(struct ws_record_header) };

/* The variants that damage bytes of a correct file.  Returns the new
 * size of the file. */
static size_t
damage(uint8_t *p, size_t size, const char *name, const size_t *off)
{
	size_t t0 = off[R_THREAD0] + RH, t1 = off[R_THREAD1] + RH;
	size_t first_stack = t0 + sizeof(struct ws_thread);
	if (is(name, "truncated-tail"))
		return off[R_THREAD1] + RH + 40;
	if (is(name, "big-size-late"))
		set64(p, off[R_NOTE1] + offsetof(struct ws_record_header, size), size + 4096);
	if (is(name, "empty"))
		return 0;
	if (is(name, "truncated-header"))
		return 20;
	if (is(name, "header-only"))
		return sizeof(struct ws_file_header);
	if (is(name, "truncated-process"))
		return off[R_PROCESS] + RH + 30;
	if (is(name, "big-size"))
		set64(p, off[R_PROCESS] + offsetof(struct ws_record_header, size), size + 4096);
	if (is(name, "future-version"))
		set32(p, offsetof(struct ws_file_header, version), WS_FORMAT_VERSION + 1);
	if (is(name, "version-zero"))
		set32(p, offsetof(struct ws_file_header, version), 0);
	if (is(name, "bad-magic"))
		memcpy(p, "WHYFAST", 8);
	if (is(name, "big-endian"))
		set64(p, offsetof(struct ws_file_header, endian),
		      __builtin_bswap64(WS_ENDIAN_CHECK));
	if (is(name, "bad-endian"))
		set64(p, offsetof(struct ws_file_header, endian), 42);
	if (is(name, "bad-header-size"))
		set32(p, offsetof(struct ws_file_header, header_size), 32);
	if (is(name, "bad-stack")) /* thread 0's second sample of chunk 1 */
		set32(p,
		      off[R_CHUNK1] + RH + sizeof(struct ws_samples) + sizeof(struct ws_sample) +
			  offsetof(struct ws_sample, stack),
		      3);
	if (is(name, "bad-stack-late")) /* chunk 0 comes before thread 1's record */
		set32(p,
		      off[R_CHUNK0] + RH + sizeof(struct ws_samples) +
			  offsetof(struct ws_sample, stack),
		      2);
	if (is(name, "huge-nframes"))
		set32(p, first_stack + offsetof(struct ws_stack, nframes), 1u << 30);
	if (is(name, "short-frames")) /* the last stack of thread 1 */
		set32(p,
		      off[R_NOTE1] - 8 - sizeof(struct ws_stack) +
			  offsetof(struct ws_stack, nframes),
		      2);
	if (is(name, "huge-stack-count"))
		set32(p, t0 + offsetof(struct ws_thread, stack_count), 1u << 28);
	if (is(name, "dup-thread"))
		set32(p, t1 + offsetof(struct ws_thread, thread_index), 0);
	if (is(name, "dup-module"))
		set32(p, off[R_MOD1] + RH + offsetof(struct ws_module, id), 0);
	if (is(name, "module-range"))
		set64(p, off[R_MOD1] + RH + offsetof(struct ws_module, start), 0x7f0000300000);
	if (is(name, "bad-padding")) /* module 0: 56 + 19 + 20 bytes, then 1 byte of padding */
		p[off[R_MOD1] - 1] = 0xff;
	if (is(name, "bad-reserved"))
		set32(p, off[R_MOD2] + offsetof(struct ws_record_header, reserved), 1);
	if (is(name, "type-zero"))
		set32(p, off[R_UNKNOWN] + offsetof(struct ws_record_header, type), 0);
	if (is(name, "long-string"))
		set32(p, off[R_PROCESS] + RH + sizeof(struct ws_process), UINT32_MAX);
	if (is(name, "nul-in-path"))
		p[off[R_MOD1] + RH + sizeof(struct ws_module) + 4] = '\0';
	if (is(name, "samples-count"))
		set32(p, off[R_CHUNK2] + RH + offsetof(struct ws_samples, count), UINT32_MAX);
	if (is(name, "orphan-samples"))
		set32(p, off[R_CHUNK2] + RH + offsetof(struct ws_samples, thread_index), 7);
	if (is(name, "end-count"))
		set32(p, off[R_END] + RH + offsetof(struct ws_end, threads), 3);
	if (is(name, "bad-clock"))
		set32(p, off[R_PROCESS] + RH + offsetof(struct ws_process, clock), 7);
	if (is(name, "bad-end-reason"))
		set32(p, off[R_END] + RH + offsetof(struct ws_end, reason), 9);
	if (is(name, "unterminated-name"))
		memset(p + t1 + offsetof(struct ws_thread, name), 'x', 16);
	return size;
}

uint8_t *
synth_build(const char *name, size_t *size, size_t offsets[R_COUNT])
{
	if (!name)
		name = "valid";
	if (!synth_variant(name))
		return NULL;
	fill_deep_stack();
	struct buf b = {0};
	struct ws_file_header h = {WS_MAGIC, WS_FORMAT_VERSION, sizeof h, WS_ENDIAN_CHECK};
	put(&b, &h, sizeof h);
	size_t off[R_COUNT] = {0};
	write_records(&b, name, off);
	b.n = damage(b.p, b.n, name, off);
	if (offsets)
		memcpy(offsets, off, sizeof off);
	*size = b.n;
	return b.p ? b.p : calloc(1, 1);
}
