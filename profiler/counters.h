/* Counters (whyslow record -e / --counters): per-thread perf_event counter
 * groups whose deltas are added, at each sample, to the sampled stack.
 *
 * `whyslow record` resolves every event name in its own process (PAPI for
 * presets, libpfm4 for perf:: and native names), checks that the kernel
 * opens it, and hands the collector the encodings in the environment:
 *   WHYSLOW_EVENTS       the names, comma-separated, as requested
 *   WHYSLOW_EVENT_CODES  one TYPE:CONFIG:CONFIG1:CONFIG2:EXCLUDE per name
 *                        (hex; EXCLUDE bit 0 user, 1 kernel, 2 hypervisor)
 * so the collector never loads PAPI or libpfm4 into the program: it opens
 * the events with perf_event_open itself, one group per thread, and reads
 * them with one read(2) of the group leader in the sampling handler.
 * docs/counters.md explains why (PAPI_read in a signal handler, PAPI's
 * perf_event component in a KVM guest).
 *
 * Life cycle (the one every source has):
 *   process init   ws_counters_process_init()  from the constructor
 *   thread init    ws_counters_thread_init()   when a thread's sampling is
 *                  armed (registration, fork child, after a failed exec)
 *   sample         ws_counters_sample()        in the sampling handler
 *   thread fini    ws_counters_thread_fini()   when its sampling is
 *                  disarmed (its exit, or the end of the process)
 *   fork child     ws_counters_thread_forget() the parent's group, inherited
 *   process fini   ws_counters_write_process() before END
 * Every function that touches a thread's state runs with that thread's
 * sampling stopped or from its own handler, as the sampler's do.
 */
#ifndef WHYSLOW_COUNTERS_H
#define WHYSLOW_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

struct ws_thread_state;

/* Parse WHYSLOW_EVENTS / WHYSLOW_EVENT_CODES (not signal-safe).  Returns
 * 0 (also when no counters are asked for), or -1 after a warning when the
 * variables do not parse (counters are then off, with a note). */
int ws_counters_process_init(void);
/* Are counters asked for (async-signal-safe)? */
bool ws_counters_enabled(void);

/* Open and start the calling thread's group, zero its sums (not
 * signal-safe: it may map memory; the first time only).  A failure is
 * kept in the thread's state and noted; sampling goes on without counts. */
void ws_counters_thread_init(struct ws_thread_state *t);
/* At the start of t's sampling handler: read the group (the deltas since
 * the last read are the program's).  At its end: add them to stack
 * `stack` of t's table (-1: the sample was dropped, they go to the next
 * one) and read again, so that the handler's own work counts for no
 * stack.  Async-signal-safe; only from t's own sampling handler. */
void ws_counters_sample_begin(struct ws_thread_state *t);
void ws_counters_sample_end(struct ws_thread_state *t, int64_t stack);
/* Read the final totals and close the group; async-signal-safe, from any
 * thread once t's handler cannot run. */
void ws_counters_thread_fini(struct ws_thread_state *t);
/* Fork child: the group is the parent thread's; close our copies of its
 * descriptors without reading (async-signal-safe). */
void ws_counters_thread_forget(struct ws_thread_state *t);
/* Write t's WS_REC_THREAD_COUNTERS record (stack_count rows); nothing when
 * counters are off.  Async-signal-safe. */
void ws_counters_write_thread(struct ws_thread_state *t, uint32_t stack_count);
/* Unmap t's counter memory (thread state released; not signal-safe). */
void ws_counters_thread_free(struct ws_thread_state *t);
/* Write the process's WS_REC_COUNTERS record; async-signal-safe. */
void ws_counters_write_process(void);

#endif
