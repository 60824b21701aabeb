/* Sampling sources and the sampling handler.
 *
 * Each thread gets its own source whose signal goes to that thread only:
 *  - WS_SOURCE_PERF_TASK_CLOCK: perf_event_open(PERF_COUNT_SW_TASK_CLOCK)
 *    on the thread, overflow signalled to it (F_SETOWN_EX / F_SETSIG) and
 *    re-armed with PERF_EVENT_IOC_REFRESH after each sample: precise rates;
 *  - WS_SOURCE_CPU_TIMER: timer_create(CLOCK_THREAD_CPUTIME_ID), bound to
 *    the kernel tick (250 Hz on some kernels whatever is asked);
 *  - WS_SOURCE_WALL_TIMER: timer_create(CLOCK_MONOTONIC) with
 *    SIGEV_THREAD_ID, for wall-clock profiles.
 */
#ifndef WHYSLOW_SAMPLER_H
#define WHYSLOW_SAMPLER_H

#include <signal.h>
#include <stdbool.h>
#include <ucontext.h>

#include "threads.h"

/* Pick the source for this process, and with WHYSLOW_SIGNAL=auto the
 * sampling signal (ws_cfg.signal: SIGTRAP from the perf event itself where
 * the kernel can and no tracer is attached, else SIGPROF); not
 * signal-safe.  Returns the enum ws_source chosen; notes why a better one
 * is not available. */
int ws_sampler_choose(void);
/* The source in use. */
int ws_sampler_source(void);
/* Start / stop the calling thread's source (arm: not signal-safe;
 * disarm: async-signal-safe, from any thread). */
int ws_sampler_arm(struct ws_thread_state *t);
void ws_sampler_disarm(struct ws_thread_state *t);
/* Fork child: drop the inherited source of the parent's thread without
 * touching it (it is the parent's: disabling it would stop the parent). */
void ws_sampler_forget(struct ws_thread_state *t);
/* Was this delivery of the sampling signal sent by a whyslow source? */
bool ws_sampler_is_ours(const siginfo_t *info);
/* Take one sample of the calling thread; async-signal-safe. */
void ws_sampler_take(const siginfo_t *info, ucontext_t *uc);

#endif
