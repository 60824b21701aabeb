/* CUPTI activity records -> whyslow's GPU rows (profile_format.h,
 * WS_REC_GPU).  The one code path from a buffer of CUpti_Activity records
 * to rows: profiler/gpu.c's buffer-completed callback calls
 * ws_gpu_take_buffer with CUPTI's cuptiActivityGetNextRecord, and
 * tests/gpu_synth.c with its own walker over synthetic records built from
 * the same CUPTI header structures.  No CUPTI function is called here.
 *
 * The row tables are caller-allocated (the collector maps them, a test
 * callocs them) and append-only: appends take a spin lock and are never
 * made in a signal handler; the count is published after the row is
 * complete, so a reader at the end (possibly in a fatal-signal handler)
 * sees whole rows only.
 */
#ifndef WHYSLOW_GPU_RECORDS_H
#define WHYSLOW_GPU_RECORDS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <cupti_activity.h>

#include "profile_format.h"

struct ws_gpu_rows {
	struct ws_gpu_activity *act; /* cap_act entries */
	struct ws_gpu_api *api;	     /* cap_api entries */
	uint32_t cap_act, cap_api;
	_Atomic uint32_t nact, napi;
	_Atomic uint64_t dropped_rows; /* no room left */
	_Atomic uint64_t skipped;      /* records of kinds whyslow does not keep */
	atomic_flag lock;
	int64_t offset_ns; /* added to CUPTI timestamps */
};

/* cuptiActivityGetNextRecord's signature (0 = CUPTI_SUCCESS: *rec set). */
typedef int (*ws_gpu_next_fn)(uint8_t *buf, size_t valid, CUpti_Activity **rec);

/* One CUPTI record -> one row.  Returns 0, or -1 for a kind whyslow does
 * not keep.  Async-signal-safe (pure). */
int ws_gpu_convert(const CUpti_Activity *rec, int64_t offset_ns, struct ws_gpu_activity *out);

/* Every record of a completed buffer, walked with next, appended to r.
 * Returns the number of rows appended.  Not async-signal-safe (lock). */
int ws_gpu_take_buffer(struct ws_gpu_rows *r, uint8_t *buf, size_t valid, ws_gpu_next_fn next);

/* Append an API call row.  Returns 0, or -1 when full (counted).  Not
 * async-signal-safe. */
int ws_gpu_add_api(struct ws_gpu_rows *r, const struct ws_gpu_api *a);

/* The WS_REC_GPU payload as three parts (h filled in from r, except
 * the fields the caller owns: flags, dropped_cupti, start/end).
 * Async-signal-safe. */
int ws_gpu_record_parts(struct ws_gpu_rows *r, struct ws_gpu *h, struct iovec parts[3]);

#endif
