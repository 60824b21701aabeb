/* A synthetic profile for the reader tests: its contents (so that a test
 * can compare what the reader returns with what was written) and a builder
 * that writes it, correctly or with one deliberate defect.
 *
 * Used by mkprofile (writes files) and reader_check (builds in memory).
 */
#ifndef WHYSLOW_READER_SYNTH_H
#define WHYSLOW_READER_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "profile_format.h"

/* ---- the contents ---- */

struct synth_module {
	struct ws_module info;
	const char *path;
	const uint8_t *build_id;
};

struct synth_stack {
	uint32_t nframes, flags;
	uint64_t count;
	const uint64_t *ips;
};

struct synth_thread {
	struct ws_thread info;
	const struct synth_stack *stacks; /* info.stack_count */
};

struct synth_chunk {
	uint32_t thread_index, count;
	const struct ws_sample *samples;
};

extern const struct ws_process synth_process;
extern const char synth_hostname[], synth_exe[];
extern const char synth_cmdline[]; /* synth_cmdline_len bytes, NULs inside */
extern const uint32_t synth_cmdline_len;
extern const char *const synth_argv[]; /* what synth_cmdline means, NULL-ended */
enum { SYNTH_NMODULES = 5, SYNTH_NTHREADS = 2, SYNTH_NCHUNKS = 3, SYNTH_NNOTES = 2 };
extern const struct synth_module synth_modules[SYNTH_NMODULES];
extern const struct synth_thread synth_threads[SYNTH_NTHREADS]; /* by thread_index */
extern const struct synth_chunk synth_chunks[SYNTH_NCHUNKS];	/* in file order */
extern const char *const synth_notes[SYNTH_NNOTES];
extern const struct ws_end synth_end;

/* Records in file order (after the file header). */
enum synth_record {
	R_PROCESS,
	R_MOD0,
	R_MOD1,
	R_MOD2,
	R_MOD3,
	R_MOD4,
	R_NOTE0,
	R_CHUNK0, /* thread 1, before thread 1's record */
	R_CHUNK1, /* thread 0 */
	R_THREAD0,
	R_UNKNOWN, /* type 99: readers skip it */
	R_CHUNK2,  /* thread 0, after its record */
	R_THREAD1,
	R_NOTE1,
	R_END,
	R_COUNT
};

/* ---- the variants ---- */

enum synth_expect {
	EXPECT_LOAD,	   /* loads, complete */
	EXPECT_INCOMPLETE, /* loads, complete = false */
	EXPECT_FAIL,	   /* refused with "<file>: offset N: ..." */
};

struct synth_variant {
	const char *name;
	enum synth_expect expect;
	const char *message; /* a part of the reader's message (error or note) */
	const char *what;    /* the defect, for humans */
};

/* Every variant; the first is "valid".  NULL-name terminated. */
extern const struct synth_variant synth_variants[];

/* Build variant `name` (NULL: "valid").  Returns a malloc'ed buffer and
 * its size, or NULL for an unknown name.  offsets (may be NULL) receives
 * each record's file offset (R_COUNT entries; 0 for a record left out). */
uint8_t *synth_build(const char *name, size_t *size, size_t offsets[R_COUNT]);

/* The variant called name, or NULL. */
const struct synth_variant *synth_variant(const char *name);

#endif
