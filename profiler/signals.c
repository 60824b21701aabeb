/* Signal virtualisation (see signals.h). */
#include <errno.h>
#include <link.h>
#include <sched.h>
#include <ucontext.h>
#include <stdint.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "interpose.h"
#include "sampler.h"
#include "settings.h"
#include "signals.h"
#include "threads.h"

__thread uint64_t ws_program_signals __attribute__((tls_model("initial-exec")));

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000 /* set by libc, never by programs */
#endif

#define NSIGS 65

static struct sigaction user_act[NSIGS]; /* the program's view */
static _Atomic int owned[NSIGS];         /* the kernel has our trampoline */
static _Atomic int lock;
static bool ready;
static bool warned_handler, noted_mask;
static __thread sigset_t fork_saved_mask;

static int note_trusted(struct dl_phdr_info *info, size_t size, void *self);
static int apply(int sig);
static bool spin_lock_bounded(sigset_t *old);
static void spin_unlock(const sigset_t *old);

/* Signals whose default action ends the process: the profile is written
 * first when the program leaves them at SIG_DFL. */
static const int fatal_signals[] = {SIGSEGV, SIGBUS,  SIGFPE,  SIGILL,    SIGABRT, SIGINT,
				    SIGTERM, SIGQUIT, SIGHUP,  SIGXCPU,   SIGPIPE, SIGALRM,
				    SIGUSR1, SIGUSR2, SIGXFSZ, SIGVTALRM, SIGSYS,  SIGPWR};

static bool
is_fatal(int sig)
{
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		if (fatal_signals[i] == sig)
			return true;
	return false;
}

/* Signals whose default action is to terminate the process. */
static bool
default_terminates(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return false;
	default:
		return true;
	}
}

/* Signals whose default action stops the process (SIGSTOP cannot be
 * handled, so never reaches the trampoline).  Async-signal-safe. */
static bool
default_stops(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Does the action run a function of the program?  Async-signal-safe. */
static bool
has_handler(const struct sigaction *ua)
{
	return (ua->sa_flags & SA_SIGINFO)
		   ? ua->sa_sigaction != NULL
		   : (ua->sa_handler != SIG_DFL && ua->sa_handler != SIG_IGN);
}

/* SA_RESETHAND, emulated (the kernel never gets it from whyslow, whose
 * trampoline it would reset): the delivery that finds the handler still
 * installed runs it, and the disposition goes back to SIG_DFL first, for
 * the kernel too unless whyslow needs the trampoline for the default
 * (sampling signal, fatal signals), so that the next delivery gets the
 * default action -- a stop signal stops the process -- as without
 * whyslow.  Like the kernel, only the handler is reset (the flags and mask
 * stay).  Returns the action this delivery takes.  Async-signal-safe: the
 * lock blocks every signal before it is taken, so the interrupted code
 * never holds it, and it is not waited for long (see spin_lock_bounded);
 * without it the program's view alone is reset, atomically, and the
 * kernel's disposition is fixed at the next delivery (trampoline). */
static struct sigaction
reset_hand(int sig)
{
	sigset_t old;
	struct sigaction ua;
	if (spin_lock_bounded(&old)) {
		ua = user_act[sig];
		if ((ua.sa_flags & SA_RESETHAND) && has_handler(&ua)) {
			user_act[sig].sa_handler = SIG_DFL;
			apply(sig);
		}
		spin_unlock(&old);
		return ua;
	}
	ua = user_act[sig];
	void *expected = (void *)ua.sa_handler; /* sa_sigaction shares the storage */
	if (!__atomic_compare_exchange_n((void **)&user_act[sig].sa_handler, &expected,
					 (void *)SIG_DFL, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		ua = user_act[sig]; /* another delivery ran it (or it was replaced) */
	return ua;
}

static void
trampoline(int sig, siginfo_t *info, void *ucv)
{
	int saved_errno = errno;
	if (sig == ws_cfg.signal && ws_sampler_is_ours(info)) {
		ws_sampler_take(info, ucv);
		errno = saved_errno;
		return;
	}
	ws_program_signals++;
	struct sigaction ua = user_act[sig];
	if ((ua.sa_flags & SA_RESETHAND) && has_handler(&ua) && getpid() == ws_pid)
		ua = reset_hand(sig);
	if (sig == ws_cfg.signal && ua.sa_handler != SIG_DFL && ua.sa_handler != SIG_IGN) {
		/* The kernel blocked everything for our handler; the program's
		 * handler gets the mask it asked for. */
		sigset_t m = ((ucontext_t *)ucv)->uc_sigmask;
		sigorset(&m, &m, &ua.sa_mask);
		if (!(ua.sa_flags & SA_NODEFER))
			sigaddset(&m, sig);
		ws_real.pthread_sigmask(SIG_SETMASK, &m, NULL);
	}
	if ((ua.sa_flags & SA_SIGINFO) && ua.sa_sigaction) {
		ua.sa_sigaction(sig, info, ucv);
	} else if (ua.sa_handler == SIG_IGN) {
		/* ignored */
	} else if (ua.sa_handler != SIG_DFL) {
		ua.sa_handler(sig);
	} else if (default_stops(sig) && sig != ws_cfg.signal) {
		/* The program's view is SIG_DFL but the kernel still had the
		 * trampoline (a reset above could not take the lock, or this
		 * delivery raced it): the kernel gets the default now, and the
		 * signal, raised again (pending while this handler runs), stops
		 * the process the way the default action would have. */
		sigset_t old;
		if (atomic_load(&owned[sig]) && spin_lock_bounded(&old)) {
			if (!has_handler(&user_act[sig]) && user_act[sig].sa_handler == SIG_DFL)
				apply(sig);
			spin_unlock(&old);
		}
		if (!atomic_load(&owned[sig]))
			raise(sig);
	} else if (default_terminates(sig)) {
		/* Default action: keep the profile, then die the way the program
		 * would have.  The signal is blocked while we run; raising it
		 * leaves it pending until we return to the faulting code. */
		ws_collector_finish(WS_END_SIGNAL, sig);
		struct sigaction dfl;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		ws_real.sigaction(sig, &dfl, NULL);
		atomic_store(&owned[sig], 0);
		if (info->si_code > 0 &&
		    (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL)) {
			/* A fault: returning re-executes the instruction, which now
			 * takes the default action with the original siginfo. */
		} else {
			raise(sig);
		}
	}
	errno = saved_errno;
}

static void
spin_lock(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	ws_real.pthread_sigmask(SIG_SETMASK, &all, old);
	while (atomic_exchange(&lock, 1))
		;
}

/* spin_lock() for a signal handler: gives up after 50 ms rather than wait
 * for a holder that may itself wait for the interrupted code (a fork holds
 * the lock across glibc's fork, which takes malloc's locks, perhaps held
 * by the code this handler interrupted).  Returns whether the lock was
 * taken; then spin_unlock(old) releases it.  Async-signal-safe. */
static bool
spin_lock_bounded(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	ws_real.pthread_sigmask(SIG_SETMASK, &all, old);
	uint64_t give_up = ws_now_ns() + 50 * 1000000ull;
	while (atomic_exchange(&lock, 1)) {
		if (ws_now_ns() > give_up) {
			ws_real.pthread_sigmask(SIG_SETMASK, old, NULL);
			return false;
		}
		sched_yield();
	}
	return true;
}

static void
spin_unlock(const sigset_t *old)
{
	atomic_store(&lock, 0);
	ws_real.pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Give the kernel what `sig` needs now, from the program's view. */
static int
apply(int sig)
{
	const struct sigaction *ua = &user_act[sig];
	bool handler = (ua->sa_flags & SA_SIGINFO) ? ua->sa_sigaction != NULL
						   : (ua->sa_handler != SIG_DFL &&
						      ua->sa_handler != SIG_IGN);
	bool dfl = !handler && ua->sa_handler == SIG_DFL;
	if (sig == ws_cfg.signal || handler || (dfl && is_fatal(sig))) {
		struct sigaction k;
		memset(&k, 0, sizeof k);
		k.sa_sigaction = trampoline;
		k.sa_mask = ua->sa_mask;
		k.sa_flags = SA_SIGINFO | (ua->sa_flags & (SA_ONSTACK | SA_NODEFER | SA_RESTART |
							   SA_NOCLDSTOP | SA_NOCLDWAIT));
		if (sig == ws_cfg.signal) {
			/* Nothing may interrupt a sample (a siglongjmp out of a
			 * program's handler would leave it half done), except a
			 * fault in it. */
			sigfillset(&k.sa_mask);
			sigdelset(&k.sa_mask, SIGSEGV);
			sigdelset(&k.sa_mask, SIGBUS);
			sigdelset(&k.sa_mask, SIGFPE);
			sigdelset(&k.sa_mask, SIGILL);
			k.sa_flags = (k.sa_flags & ~SA_NODEFER) | SA_RESTART;
		}
		int rc = ws_real.sigaction(sig, &k, NULL);
		if (rc == 0)
			atomic_store(&owned[sig], 1);
		return rc;
	}
	atomic_store(&owned[sig], 0);
	return ws_real.sigaction(sig, ua, NULL);
}

int
ws_signals_init(void)
{
	dl_iterate_phdr(note_trusted, (void *)ws_signals_init);
	for (int sig = 1; sig < NSIGS; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (ws_real.sigaction(sig, NULL, &user_act[sig]) != 0)
			continue;
		user_act[sig].sa_flags &= ~SA_RESTORER;
		bool handled = user_act[sig].sa_handler != SIG_DFL && user_act[sig].sa_handler != SIG_IGN;
		if (sig == ws_cfg.signal || (is_fatal(sig) && user_act[sig].sa_handler == SIG_DFL) ||
		    handled)
			apply(sig);
	}
	ready = true;
	/* Never start with the sampling signal blocked. */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, ws_cfg.signal);
	ws_real.pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	return 0;
}

WS_EXPORT int
sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	ws_real_init();
	/* In a vfork child the table is the parent's: leave it alone. */
	if (!ready || sig <= 0 || sig >= NSIGS || sig == SIGKILL || sig == SIGSTOP ||
	    getpid() != ws_pid)
		return ws_real.sigaction(sig, act, oldact);
	sigset_t old;
	spin_lock(&old);
	struct sigaction prev = user_act[sig];
	int rc = 0;
	if (act) {
		user_act[sig] = *act;
		user_act[sig].sa_flags &= ~SA_RESTORER;
		rc = apply(sig);
		if (rc != 0)
			user_act[sig] = prev;
	}
	bool warn = act && sig == ws_cfg.signal && !warned_handler &&
		    ((act->sa_flags & SA_SIGINFO) ? act->sa_sigaction != NULL
						  : (act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN));
	if (warn)
		warned_handler = true;
	spin_unlock(&old);
	if (warn) {
		ws_warnf("the program installed its own handler for %s, whyslow's sampling "
			 "signal: whyslow keeps sampling on it and passes every %s that is not "
			 "one of its samples to the program's handler",
			 sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", sigabbrev_np(sig) ? sigabbrev_np(sig) : "it");
		ws_notef("the program installed its own %s handler; its own %s signals went to it, "
			 "whyslow's samples did not",
			 sigabbrev_np(sig), sigabbrev_np(sig));
	}
	if (rc == 0 && oldact)
		*oldact = prev;
	return rc;
}

WS_EXPORT __sighandler_t
signal(int sig, __sighandler_t handler)
{
	struct sigaction act, old;
	memset(&act, 0, sizeof act);
	act.sa_handler = handler;
	act.sa_flags = SA_RESTART; /* glibc's BSD semantics */
	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, sig > 0 && sig < NSIGS ? sig : SIGHUP);
	if (sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

/* Address ranges of libunwind and of this library: their own calls to
 * (pthread_)sigprocmask block every signal around their internal locks and
 * must not be filtered. */
static struct {
	uintptr_t lo, hi;
} trusted[8];
static int ntrusted;

static int
note_trusted(struct dl_phdr_info *info, size_t size, void *self)
{
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t s = info->dlpi_addr + ph->p_vaddr;
		if (s < lo)
			lo = s;
		if (s + ph->p_memsz > hi)
			hi = s + ph->p_memsz;
	}
	bool mine = (uintptr_t)self >= lo && (uintptr_t)self < hi;
	if ((mine || strstr(name, "libunwind")) && ntrusted < 8) {
		trusted[ntrusted].lo = lo;
		trusted[ntrusted].hi = hi;
		ntrusted++;
	}
	return 0;
}

static bool
trusted_caller(const void *ret)
{
	for (int i = 0; i < ntrusted; i++)
		if ((uintptr_t)ret >= trusted[i].lo && (uintptr_t)ret < trusted[i].hi)
			return true;
	return false;
}

/* System V semantics (signal() under -std=c99, sysv_signal): one-shot. */
static __sighandler_t
sysv(int sig, __sighandler_t handler)
{
	struct sigaction act, old;
	memset(&act, 0, sizeof act);
	act.sa_handler = handler;
	act.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&act.sa_mask);
	if (sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

WS_EXPORT __sighandler_t
sysv_signal(int sig, __sighandler_t handler)
{
	return sysv(sig, handler);
}

WS_EXPORT __sighandler_t
__sysv_signal(int sig, __sighandler_t handler)
{
	return sysv(sig, handler);
}

WS_EXPORT __sighandler_t
bsd_signal(int sig, __sighandler_t handler)
{
	return signal(sig, handler);
}

/* fork: no lock of ours may be inherited held by a thread that does not
 * exist in the child. */
void
ws_signals_lock_for_fork(void)
{
	sigset_t old;
	spin_lock(&old);
	fork_saved_mask = old;
}

void
ws_signals_unlock_after_fork(void)
{
	spin_unlock(&fork_saved_mask);
}

/* Remove the sampling signal from a set the program wants blocked. */
static const sigset_t *
filter_mask(int how, const sigset_t *set, sigset_t *copy, const void *caller)
{
	if (!ready || !set || how == SIG_UNBLOCK || !sigismember(set, ws_cfg.signal) ||
	    trusted_caller(caller))
		return set;
	*copy = *set;
	sigdelset(copy, ws_cfg.signal);
	if (!noted_mask) {
		noted_mask = true;
		/* Not ws_notef here: this may run in a signal handler. */
	}
	return copy;
}

/* libunwind blocks all signals around its internal locks (two system calls
 * per lock).  Inside whyslow's own handler that protection is already in
 * place: the sampling signal is blocked while the handler runs, and no other
 * code takes those locks.  So its calls from there are answered without a
 * system call; this halves the cost of a sample. */
static bool
unwinder_in_handler(const void *caller)
{
	struct ws_thread_state *t = ws_self;
	return t && atomic_load_explicit(&t->in_handler, memory_order_relaxed) &&
	       trusted_caller(caller);
}

WS_EXPORT int
sigprocmask(int how, const sigset_t *set, sigset_t *oldset)
{
	ws_real_init();
	if (unwinder_in_handler(__builtin_return_address(0))) {
		if (oldset)
			sigemptyset(oldset);
		return 0;
	}
	sigset_t copy;
	return ws_real.sigprocmask(how, filter_mask(how, set, &copy, __builtin_return_address(0)), oldset);
}

WS_EXPORT int
pthread_sigmask(int how, const sigset_t *set, sigset_t *oldset)
{
	ws_real_init();
	if (unwinder_in_handler(__builtin_return_address(0))) {
		if (oldset)
			sigemptyset(oldset);
		return 0;
	}
	sigset_t copy;
	return ws_real.pthread_sigmask(how, filter_mask(how, set, &copy, __builtin_return_address(0)), oldset);
}

bool
ws_signals_mask_was_filtered(void)
{
	return noted_mask;
}
