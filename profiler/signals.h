/* Signals: the collector keeps control of its sampling signal and sees the
 * fatal ones, while the program sees exactly the dispositions it set.
 *
 * sigaction() and signal() are interposed and virtualised: the program's
 * requests are recorded as its view (returned as the "old" action), and
 * the kernel gets whyslow's trampoline for
 *  - the sampling signal, always: deliveries from whyslow's sources are
 *    samples; any other delivery goes to the program's own handler, or gets
 *    the default action (so a program's own setitimer(ITIMER_PROF) keeps
 *    working, and gets no calls from whyslow's sampling);
 *  - fatal signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGINT,
 *    SIGTERM, SIGQUIT, SIGHUP, SIGXCPU) while the program leaves them at
 *    SIG_DFL: the profile is written, then the default action runs, so the
 *    exit status and core dump are what they would have been;
 *  - every signal the program handles, to count in each thread how many
 *    of the program's own signals arrived (sleep_restart.c needs that).
 * sigprocmask()/pthread_sigmask() are interposed so that the program cannot
 * block the sampling signal (that thread would silently go unsampled).
 */
#ifndef WHYSLOW_SIGNALS_H
#define WHYSLOW_SIGNALS_H

#include <stdbool.h>
#include <stdint.h>

/* Install the trampoline (not signal-safe; once, from the constructor). */
int ws_signals_init(void);

/* Hold / release the signal table's lock across fork (atfork handlers). */
void ws_signals_lock_for_fork(void);
void ws_signals_unlock_after_fork(void);

/* True once the program tried to block the sampling signal. */
bool ws_signals_mask_was_filtered(void);

/* Signals of the program's own (not whyslow's samples) handled by the
 * calling thread so far.  Async-signal-safe. */
extern __thread uint64_t ws_program_signals __attribute__((tls_model("initial-exec")));

#endif
