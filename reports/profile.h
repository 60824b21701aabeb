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

/* A thread's counters (WS_REC_THREAD_COUNTERS), columns in the order of
 * the process's events.  err != 0: nothing counted (rows NULL). */
struct wsr_thread_counters {
	struct ws_thread_counters info;
	const uint64_t *totals;	 /* nevents: the thread's whole life */
	const uint64_t *handler; /* nevents: inside whyslow's handler */
	const uint64_t *rows;	 /* stack_count x nevents, or NULL */
};

/* An event of WS_REC_COUNTERS. */
struct wsr_counter_event {
	char *name; /* as requested: "perf::PAGE-FAULTS", "PAPI_TOT_INS" */
	uint32_t type, status, err; /* enum ws_counter_status; errno */
	uint64_t config;
};

/* A Python code object of WS_REC_PYCODE (docs/python.md). */
struct wsr_pycode {
	char *name, *file; /* qualified name, file name ("" when not copied) */
	int32_t firstlineno;
	const uint8_t *linetable; /* linetable_len bytes in the file buffer */
	uint32_t linetable_len;	  /* 0: lines unknown */
};
/* A thread's Python stacks (WS_REC_PYSTACKS + WS_REC_PYCODE); every frame
 * word's code index is checked against ncodes. */
struct wsr_python {
	uint32_t py_version; /* Py_Version of the interpreter */
	uint32_t ncodes;
	struct wsr_pycode *codes;
	uint32_t nstacks;
	struct wsr_stack *stacks; /* flags: ws_stack_flags | ws_pystack_flags; ips: the
				     frame words, innermost first */
	uint32_t *native;	  /* nstacks: each stack's native stack id, checked
				     against the thread's stack_count */
	uint64_t samples;
};
struct wsr_thread {
	struct ws_thread info;
	struct wsr_thread_counters *counters; /* NULL: not counted */
	struct wsr_stack *stacks;   /* info.stack_count entries */
	struct ws_sample *samples;  /* timeline, time order */
	size_t nsamples;
	/* parallel to samples: each one's Python stack (index + 1 in py's
	 * table, 0: none), checked against py; NULL when none was recorded */
	uint32_t *py_samples;
	/* register snapshots (WS_REC_REGS), time order; stack checked
	 * against stack_count; none when not recorded */
	struct ws_regs_snapshot *regs;
	size_t nregs;
	uint64_t regs_seen; /* samples the reservoir was offered */
	struct wsr_python *py; /* NULL: no Python frames recorded */
};

/* OpenMP parallel regions from OMPT (WS_REC_OMPT). */
struct wsr_ompt_region {
	struct ws_ompt_region info;
	struct ws_ompt_thread *threads; /* info.nthreads, by thread number */
};
struct wsr_ompt {
	struct ws_ompt info;
	char *runtime; /* the runtime's version string */
	struct wsr_ompt_region *regions;
};

/* MPI calls from the PMPI tracing library (WS_REC_MPI). */
struct wsr_mpi {
	struct ws_mpi info;
	char library[65]; /* info.library, NUL-terminated */
	struct ws_mpi_call *calls; /* info.ncalls, names NUL-terminated */
};

/* GPU activities and API calls from CUPTI (WS_REC_GPU, docs/gpu.md).
 * Names are NUL-terminated after loading. */
struct wsr_gpu {
	struct ws_gpu info;
	struct ws_gpu_activity *act; /* info.nactivities */
	struct ws_gpu_api *api;	     /* info.napi */
};

/* WS_REC_HEAP (docs/memory.md): its stacks count sampled allocations. */
struct wsr_heap {
	struct ws_heap info;
	struct wsr_stack *stacks;	     /* info.stack_count entries */
	const struct ws_heap_alloc *allocs; /* info.alloc_count, in the file buffer */
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
	struct wsr_ompt *ompt;      /* NULL: no OMPT record */
	struct wsr_mpi *mpi;        /* NULL: no MPI record */
	struct wsr_gpu *gpu;        /* NULL: no GPU record */
	struct wsr_heap *heap;      /* NULL: no heap record (heap profile off) */
	struct ws_rusage *rusage;   /* WS_REC_RUSAGE records, in file order */
	size_t nrusage;
	struct wsr_counter_event *events; /* WS_REC_COUNTERS; NULL without -e */
	size_t nevents;
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
/* A recording that cannot be reported: some process's file was cut short
 * (incomplete) and not one sample survived anywhere.  Returns 0 when there
 * is something to report; -1 with a one-line message in err naming the
 * file and the offset where its data ends.  A complete recording without
 * samples (a program that ran too briefly) is not an error. */
int ws_profile_check_usable(const struct wsr_profile *p, struct ws_error *err);
void ws_profile_free(struct wsr_profile *p);

/* The module of process p that contains address ip (the most recently
 * loaded one when several did over time), or NULL. */
const struct wsr_module *ws_module_for(const struct wsr_process *p, uint64_t ip);

#endif
