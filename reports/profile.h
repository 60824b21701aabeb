/* Loading and validating recorded profiles (reader side of
 * profiler/profile_format.h).
 *
 * Contract:
 *  - ws_load_file() reads one .wsp file; ws_load_dir() reads every .wsp file
 *    of a recording directory, sorted by start time.
 *  - Every length, count and index read from a file is checked against the
 *    file's size and the tables it refers to before it is used: a corrupt,
 *    truncated or future-version file yields -1 and a one-line message in
 *    err->msg naming the file and the byte offset of the problem; it never
 *    crashes and never reads out of bounds.
 *  - A file without WS_REC_END loads with complete = false (the process was
 *    killed hard); any data after the last complete record is ignored and
 *    noted in the process's notes. A file whose header or first record is
 *    bad is an error.
 *  - All memory belongs to the returned structures; free with
 *    ws_profile_free().
 */
#ifndef WHYSLOW_PROFILE_H
#define WHYSLOW_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile_format.h"

struct ws_error {
	char msg[512];
};

struct wsr_module {
	struct ws_module info;
	char *path;          /* NUL-terminated */
	uint8_t *build_id;   /* info.build_id_len bytes */
};

struct wsr_stack {
	uint32_t nframes;
	uint32_t flags;      /* enum ws_stack_flags */
	uint64_t count;
	const uint64_t *ips; /* nframes addresses, innermost first */
};

struct wsr_thread {
	struct ws_thread info;
	struct wsr_stack *stacks;   /* info.stack_count entries */
	struct ws_sample *samples;  /* timeline, time order */
	size_t nsamples;
	/* register snapshots (WS_REC_REGS), time order; stack checked
	 * against stack_count; none when not recorded */
	struct ws_regs_snapshot *regs;
	size_t nregs;
	uint64_t regs_seen; /* samples the reservoir was offered */
};

struct wsr_process {
	char *file;                 /* path of the .wsp file */
	struct ws_process info;
	char *hostname, *exe;
	char **argv;                /* argc strings, NULL-terminated */
	int argc;
	struct wsr_module *modules;
	size_t nmodules;
	struct wsr_thread *threads;
	size_t nthreads;
	char **notes;
	size_t nnotes;
	bool complete;              /* WS_REC_END was read */
	struct ws_end end;          /* valid when complete */
	void *storage;              /* owned buffers */
};

struct wsr_profile {
	char *dir;
	struct wsr_process *procs;  /* sorted by info.start_mono_ns */
	size_t nprocs;
};

int ws_load_file(const char *path, struct wsr_process *out, struct ws_error *err);
int ws_load_dir(const char *dir, struct wsr_profile *out, struct ws_error *err);
void ws_process_free(struct wsr_process *p);
void ws_profile_free(struct wsr_profile *p);

/* The module of process p that contains address ip (the most recently
 * loaded one when several did over time), or NULL. */
const struct wsr_module *ws_module_for(const struct wsr_process *p, uint64_t ip);

#endif
