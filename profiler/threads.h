/* The threads of the process: their sampling state and the registry.
 *
 * A thread is registered before its first instruction of user code (the
 * pthread_create wrapper runs ws_thread_register() in the new thread before
 * the start routine; the constructor registers the initial thread) and is
 * finished by a pthread key destructor, which runs on return, pthread_exit
 * and cancellation alike.  Each thread's state lives in its own mapping.
 *
 * Ownership: exactly one party writes a thread's record, either the thread
 * at its exit or ws_threads_finish() at the end of the process; a per-slot
 * claim decides which.  A thread that claimed its own record before the
 * end of the process has it written before the END record: the end waits
 * for it.  The sampling handler reaches the state only through the
 * thread's own TLS pointer.  The `py` member may be set once by another
 * thread (ws_py_thread_attach, when Python is loaded later by dlopen):
 * it is read with __atomic_load_n (acquire).
 */
#ifndef WHYSLOW_THREADS_H
#define WHYSLOW_THREADS_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "profile_format.h"
#include "regs.h"
#include "stacktab.h"

#define WS_TIMELINE_CAP 4096 /* samples per SAMPLES chunk */

struct ws_thread_state {
	struct ws_thread info; /* the counters the handler updates live here */
	pthread_t self;
	uint64_t stack_lo, stack_hi;
	struct ws_stacktab tab;
	uint32_t timeline_count;
	struct ws_sample timeline[WS_TIMELINE_CAP];
	/* each timeline sample's Python stack (index + 1 in py's table, 0:
	 * none), written as WS_REC_PYSAMPLES when any sample had one */
	uint32_t py_timeline[WS_TIMELINE_CAP];
	uint32_t py_timeline_any;
	_Atomic int perf_fd;	     /* -1 unless the perf source runs */
	void *perf_ring;	     /* its mapped ring buffer (records counted, consumed) */
	int perf_fd_last;	     /* the last perf fd, kept after disarm: a signal
					queued before the disarm arrives after it */
	uint64_t perf_id;	     /* the event's id and inode: the descriptor is */
	uint64_t perf_dev, perf_ino; /* checked before it is touched again */
	timer_t timer;
	_Atomic int has_timer;
	_Atomic int in_handler;
	_Atomic int orphaned;	    /* left behind by a failed exec: not sampled, no record */
	uint32_t slot;		    /* registry slot */
	struct ws_counters_thread *counters; /* counters.c's, NULL without -e */
	uint64_t scratch[1024 + 1]; /* unwinder output */
	struct ws_regs_res regs;    /* register snapshots (regs.h) */
	struct ws_py_thread *py;    /* Python frames (python.h), NULL when off */
};

/* The calling thread's state, NULL when it is not sampled.  TLS with the
 * initial-exec model: reading it is async-signal-safe. */
extern __thread struct ws_thread_state *ws_self __attribute__((tls_model("initial-exec")));

/* Once per process (not signal-safe). */
int ws_threads_init(void);
/* Register and start sampling the calling thread (not signal-safe). */
struct ws_thread_state *ws_thread_register(int is_main);
/* Wait until no registered thread is inside the sampling handler
 * (bounded); async-signal-safe. */
void ws_threads_wait_handlers(void);
/* Write every live thread's data (after sampling stopped), after waiting
 * for the threads that are writing their own record as they exit;
 * async-signal-safe.  Returns the number of THREAD records in the file, or
 * -1 when an exiting thread did not finish writing in time (its record
 * may still come: the caller must not write END). */
int64_t ws_threads_finish(void);
/* Stop every thread's sampling source; async-signal-safe. */
void ws_threads_disarm_all(void);
/* Write the calling thread's pending timeline samples; async-signal-safe,
 * only from that thread's handler or with its sampling stopped. */
void ws_thread_flush_timeline(struct ws_thread_state *t);
/* Fork child: forget every other thread (they do not exist here) and
 * reset the caller's data (async-signal-safe). */
void ws_threads_after_fork(void);
/* After a failed exec, the other threads still run but their data went to
 * the finished file: they are left unsampled (orphaned: their exit writes
 * nothing).  The caller's data is reset; the caller re-arms it.
 * Async-signal-safe. */
void ws_threads_after_exec_failure(void);
/* Give every registered thread its Python tables (python.h), after an
 * interpreter loaded by dlopen was detected; not signal-safe. */
void ws_threads_attach_python(void);
/* Records written so far by exiting threads. */
uint32_t ws_threads_written(void);

#endif
