/* Exports of a recording to other tools' formats (`whyslow export`).
 *
 * Contract: each exporter writes the threads that pass the filter (NULL:
 * all) to f and returns 0, or -1 with a message in err (a write failed,
 * compression failed).  Names come from the symboliser, inlined functions
 * included.
 *  - folded: one line per distinct symbolised stack, outermost function
 *    first, frames joined by ';', then a space and the sample count (the
 *    input of flamegraph.pl and speedscope).  Equal stacks are merged,
 *    lines are sorted.  Inlined functions carry the suffix "_[i]"
 *    (flamegraph.pl colours them); ';' and line breaks in names become
 *    ':' and ' '.
 *  - pprof: perftools.profiles.Profile (profile.proto), gzipped.
 *  - chrome: the trace-event JSON format (Chrome's about:tracing, Perfetto,
 *    speedscope): each thread's samples as nested complete ("X") events,
 *    a frame lasting while consecutive samples share it; the GPU's
 *    kernels and copies per stream and the top-level CUDA API calls per
 *    thread (WS_REC_GPU) as complete events with their correlation id;
 *    ts and dur in microseconds of CLOCK_MONOTONIC (export_chrome.c).
 */
#ifndef WHYSLOW_EXPORT_H
#define WHYSLOW_EXPORT_H

#include <stdio.h>

#include "analysis.h"
#include "profile.h"
#include "symbolize.h"

int ws_export_folded(FILE *f, const struct wsr_profile *prof, const struct ws_filter *filter,
		     struct ws_symbolizer *sym, struct ws_error *err);
int ws_export_pprof(FILE *f, const struct wsr_profile *prof, const struct ws_filter *filter,
		    struct ws_symbolizer *sym, struct ws_error *err);

int ws_export_chrome(FILE *f, const struct wsr_profile *prof, const struct ws_filter *filter,
		     struct ws_symbolizer *sym, struct ws_error *err);

#endif
