/* The collector's life cycle: start-up in the constructor, the end of the
 * process (exit, _exit, fatal signal, exec), fork children, and messages.
 *
 * Phases: sampling runs only in WS_PHASE_RUNNING.  Handlers announce
 * themselves (per-thread in_handler flag) before they test the phase, and
 * whoever leaves RUNNING waits for the flags to clear, so a fork, an exec
 * or the final write never overlaps a handler (Dekker-style, seq_cst).
 */
#ifndef WHYSLOW_COLLECTOR_H
#define WHYSLOW_COLLECTOR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum ws_phase {
	WS_PHASE_OFF = 0,     /* not started, or disabled */
	WS_PHASE_RUNNING = 1, /* sampling */
	WS_PHASE_PAUSED = 2,  /* fork in progress */
	WS_PHASE_STOPPED = 3, /* data written or being written */
};

extern _Atomic int ws_phase;
extern pid_t ws_pid; /* the pid whose profile this memory holds */

/* Async-signal-safe: CLOCK_MONOTONIC / CLOCK_REALTIME in nanoseconds. */
uint64_t ws_now_ns(void);
uint64_t ws_realtime_ns(void);

/* Write everything and stop sampling; idempotent, async-signal-safe (it
 * runs in fatal-signal handlers, and for an exec called from the program's
 * own signal handler).  reason is enum ws_end_reason; status the exit
 * status or signal. */
/* Start the collector if it has not been started: from the constructor,
 * and from pthread_create() for threads created by other libraries'
 * constructors before ours ran.  Not async-signal-safe; idempotent. */
void ws_collector_start_once(void);

void ws_collector_finish(int reason, int status);
/* After a failed exec: go on in a new file, the calling thread sampled.
 * Async-signal-safe when the calling thread was sampled (the usual case);
 * otherwise it registers the thread, which is not. */
void ws_collector_restart(void);
/* True when this process's collector is active and the memory is ours
 * (false in a vfork child sharing its parent's memory). */
bool ws_collector_owns_process(void);

/* Leave RUNNING for `phase` and wait until no handler runs; returns the
 * previous phase.  ws_resume() goes back to RUNNING. */
int ws_quiesce(int phase);
void ws_resume(void);

/* Hold the notes' lock across fork. */
void ws_notes_lock_for_fork(void);
void ws_notes_unlock_after_fork(int child);

/* "whyslow: ..." on stderr (printf-style; not signal-safe). */
void ws_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "whyslow: " and the strings up to NULL, on stderr in one write
 * (async-signal-safe). */
void ws_warns(const char *s, ...) __attribute__((sentinel));
/* The description of an errno value, without locale or allocation
 * (async-signal-safe). */
const char *ws_strerror(int e);
/* Same, only with WHYSLOW_DEBUG set. */
void ws_debugf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Add a note to the profile (shown by reports; not signal-safe). */
void ws_notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
