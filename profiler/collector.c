/* The collector's life cycle (see collector.h). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arena.h"
#include "collector.h"
#include "python.h"
#include "companion.h"
#include "heap.h"
#ifdef WS_HAVE_GPU
#include "gpu.h"
#endif
#include "counters.h"
#include "interpose.h"
#include "modules.h"
#include "ompt.h"
#include "profile_format.h"
#include "sampler.h"
#include "settings.h"
#include "signals.h"
#include "textbuf.h"
#include "threads.h"
#include "unwind.h"
#include "writer.h"

_Atomic int ws_phase = WS_PHASE_OFF;
pid_t ws_pid;

static _Atomic int finishing; /* 0 no, 1 in progress, 2 done */
static _Atomic uint32_t finishing_tid; /* the thread that writes */
static struct ws_process proc;
static char cmdline[16384];
static size_t cmdline_len;
static char exe[4096];

/* Notes: appended outside signal handlers, read by ws_collector_finish. */
#define NOTES_CAP 16384
static char notes[NOTES_CAP];
static _Atomic size_t notes_len;
static pthread_mutex_t notes_lock = PTHREAD_MUTEX_INITIALIZER;

int ws_process_init(void); /* process.c */

WS_EXPORT const char *whyslow_collector_version(void);
WS_EXPORT const char *
whyslow_collector_version(void)
{
	return PACKAGE_VERSION;
}

uint64_t
ws_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
ws_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
vmessage(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf, "whyslow: ");
	int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof buf - 2)
		len = sizeof buf - 2;
	buf[len++] = '\n';
	(void)!write(2, buf, len);
}

void
ws_warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void
ws_warns(const char *s, ...)
{
	char buf[1024];
	struct ws_textbuf b = ws_textbuf_init(buf, sizeof buf - 1);
	ws_text_str(&b, "whyslow: ");
	va_list ap;
	va_start(ap, s);
	for (; s; s = va_arg(ap, const char *))
		ws_text_str(&b, s);
	va_end(ap);
	buf[b.len++] = '\n';
	(void)!write(2, buf, b.len);
}

const char *
ws_strerror(int e)
{
	const char *d = strerrordesc_np(e); /* a static table, unlike strerror */
	return d ? d : "unknown error";
}

void
ws_debugf(const char *fmt, ...)
{
	if (!ws_cfg.debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void
ws_notef(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = strlen(buf);
	ws_debugf("note: %s", buf);
	pthread_mutex_lock(&notes_lock);
	size_t at = atomic_load(&notes_len);
	/* Each note once; stored NUL-separated. */
	for (size_t i = 0; i < at; i += strlen(notes + i) + 1)
		if (!strcmp(notes + i, buf))
			goto out;
	if (at + len + 1 <= NOTES_CAP) {
		memcpy(notes + at, buf, len + 1);
		atomic_store(&notes_len, at + len + 1);
	}
out:
	pthread_mutex_unlock(&notes_lock);
}

void
ws_notes_lock_for_fork(void)
{
	pthread_mutex_lock(&notes_lock);
}

void
ws_notes_unlock_after_fork(int child)
{
	if (child)
		pthread_mutex_init(&notes_lock, NULL);
	else
		pthread_mutex_unlock(&notes_lock);
}

bool
ws_collector_owns_process(void)
{
	int phase = atomic_load(&ws_phase);
	return phase != WS_PHASE_OFF && phase != WS_PHASE_STOPPED && getpid() == ws_pid;
}

int
ws_quiesce(int phase)
{
	int prev = atomic_exchange(&ws_phase, phase);
	ws_threads_wait_handlers();
	return prev;
}

void
ws_resume(void)
{
	atomic_store(&ws_phase, WS_PHASE_RUNNING);
}

static void
read_identity(void)
{
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	cmdline_len = 0;
	if (fd >= 0) {
		ssize_t n;
		while (cmdline_len < sizeof cmdline &&
		       (n = read(fd, cmdline + cmdline_len, sizeof cmdline - cmdline_len)) > 0)
			cmdline_len += (size_t)n;
		close(fd);
	}
	while (cmdline_len && cmdline[cmdline_len - 1] == 0)
		cmdline_len--;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
}

static int
write_process_record(void)
{
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	uint32_t hl = (uint32_t)strlen(host), el = (uint32_t)strlen(exe),
		 cl = (uint32_t)cmdline_len;
	struct iovec parts[6] = {
	    {&proc, sizeof proc}, {&hl, 4}, {host, hl}, {&el, 4}, {exe, el}, {&cl, 4},
	};
	/* Seven parts do not fit ws_writer_record's limit: the command line
	 * goes with its length in one buffer. */
	static char tail[4 + sizeof cmdline];
	memcpy(tail, &cl, 4);
	memcpy(tail + 4, cmdline, cl);
	parts[5].iov_base = tail;
	parts[5].iov_len = 4 + cl;
	return ws_writer_record(WS_REC_PROCESS, parts, 6);
}

/* Open this process's file and write its PROCESS record. */
static int
start_file(void)
{
	int rc = ws_writer_open();
	if (rc < 0) {
		ws_warns("cannot create a profile file in ", ws_cfg.outdir, ": ", ws_strerror(-rc),
			 "; this process is not profiled", NULL);
		return rc;
	}
	memset(&proc, 0, sizeof proc);
	proc.pid = (uint32_t)getpid();
	proc.ppid = (uint32_t)getppid();
	proc.rank = ws_cfg.rank;
	proc.clock = (uint32_t)ws_cfg.clock;
	proc.source = (uint32_t)ws_sampler_source();
	proc.requested_hz = ws_cfg.hz;
	proc.signal = (uint32_t)ws_cfg.signal;
	proc.max_depth = ws_cfg.depth;
	proc.start_mono_ns = ws_now_ns();
	proc.start_real_ns = ws_realtime_ns();
	read_identity();
	return write_process_record();
}

/* One NOTE record; async-signal-safe. */
static void
write_note(const char *text, uint32_t len)
{
	struct ws_note h = {len, 0};
	struct iovec parts[2] = {{&h, sizeof h}, {(void *)text, len}};
	ws_writer_record(WS_REC_NOTE, parts, 2);
}

/* Async-signal-safe: no lock (a note is complete before notes_len counts
 * it, and notes are never changed), no formatting. */
static void
write_notes(void)
{
	static const char mask_note[] =
	    "the program tried to block the sampling signal in a thread; whyslow kept it "
	    "unblocked so that every thread stays sampled";
	if (ws_signals_mask_was_filtered())
		write_note(mask_note, sizeof mask_note - 1);
	size_t len = atomic_load(&notes_len);
	for (size_t i = 0; i < len;) {
		uint32_t n = (uint32_t)strlen(notes + i);
		write_note(notes + i, n);
		i += n + 1;
	}
}

static void finish_process(int reason, int status);

void
ws_collector_finish(int reason, int status)
{
	if (getpid() != ws_pid)
		return; /* a vfork child: the memory is the parent's */
	uint32_t self = (uint32_t)syscall(SYS_gettid);
	int expected = 0;
	if (!atomic_compare_exchange_strong(&finishing, &expected, 1)) {
		/* This thread is the writer (a fault inside the writing): it
		 * cannot wait for itself. */
		if (atomic_load(&finishing_tid) == self)
			return;
		/* Another thread is writing (e.g. two threads crash at once): let
		 * it finish before this one dies, for at most ~2 s. */
		for (int i = 0; i < 200 && atomic_load(&finishing) == 1; i++) {
			struct timespec ts = {0, 10000000};
			ws_real.nanosleep(&ts, NULL);
		}
		return;
	}
	atomic_store(&finishing_tid, self);
	/* The asynchronous signals that end a process wait while this thread
	 * writes: one that comes now (multiprocessing's terminate() as a
	 * worker leaves through os._exit) is delivered when the profile is
	 * complete, instead of interrupting the writer and re-entering here.
	 * Another thread takes such a signal and waits above. */
	sigset_t block, old;
	sigemptyset(&block);
	static const int async_fatal[] = {SIGHUP,  SIGINT,    SIGQUIT, SIGTERM, SIGUSR1,
					  SIGUSR2, SIGALRM,   SIGVTALRM, SIGXCPU};
	for (size_t i = 0; i < sizeof async_fatal / sizeof async_fatal[0]; i++)
		sigaddset(&block, async_fatal[i]);
	int (*mask)(int, const sigset_t *, sigset_t *) =
	    ws_real.pthread_sigmask ? ws_real.pthread_sigmask : pthread_sigmask;
	mask(SIG_BLOCK, &block, &old);
	finish_process(reason, status);
	atomic_store(&finishing, 2);
	mask(SIG_SETMASK, &old, NULL);
}

/* ws_collector_finish's work, in the one thread that does it. */
static void
finish_process(int reason, int status)
{
	if (atomic_load(&ws_phase) == WS_PHASE_OFF)
		return;
	ws_quiesce(WS_PHASE_STOPPED);
	int64_t threads = ws_threads_finish();
	struct ws_end end;
	memset(&end, 0, sizeof end);
	ws_heap_finish();
	uint32_t modules = ws_modules_write();
	ws_ompt_write();
#ifdef WS_HAVE_GPU
	ws_gpu_write();
#endif
	ws_companions_finish();
	ws_counters_write_process();
	write_notes();
	if (threads < 0) {
		/* A thread that was writing its own record as it exited did not
		 * finish in 10 s: without END the file reads as incomplete,
		 * whereas a record after END would make it unreadable. */
		if (reason != WS_END_SIGNAL)
			ws_warns(ws_writer_path(),
				 " is incomplete: a thread ending with the process "
				 "did not finish writing its data",
				 NULL);
		ws_writer_close();
		return;
	}
	end.end_mono_ns = ws_now_ns();
	end.end_real_ns = ws_realtime_ns();
	end.reason = (uint32_t)reason;
	end.status = status;
	struct timespec ts;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
		end.process_cpu_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	end.collector_peak_bytes = ws_mem_peak();
	end.threads = (uint32_t)threads;
	end.modules = modules;
	struct iovec part = {&end, sizeof end};
	int rc = ws_writer_record(WS_REC_END, &part, 1);
	if (rc == -EBADF && reason != WS_END_SIGNAL)
		ws_warns(ws_writer_path(), " is incomplete: the program closed its descriptor",
			 NULL);
	else if (rc != 0 && reason != WS_END_SIGNAL)
		ws_warns("could not finish writing ", ws_writer_path(), ": ", ws_strerror(-rc),
			 NULL);
	ws_writer_close();
}

void
ws_collector_fork_child(void)
{
	ws_pid = getpid();
	ws_writer_forget();
	ws_threads_after_fork();
	ws_ompt_after_fork();
#ifdef WS_HAVE_GPU
	ws_gpu_fork_child();
#endif
	atomic_store(&notes_len, 0);
	ws_heap_fork_child();
	ws_py_fork_child();
	if (start_file() == 0) {
		ws_resume();
		struct ws_thread_state *me = ws_self;
		if (me)
			ws_sampler_arm(me);
	} else {
		atomic_store(&ws_phase, WS_PHASE_OFF);
	}
}

void
ws_collector_restart(void)
{
	/* The exec failed; the old file is complete.  Go on in a new one, with
	 * the calling thread sampled (other threads are no longer: their data
	 * is in the old file). */
	if (getpid() != ws_pid)
		return;
	atomic_store(&finishing_tid, 0);
	atomic_store(&finishing, 0);
	atomic_store(&ws_phase, WS_PHASE_PAUSED);
	ws_threads_after_exec_failure();
	ws_heap_fork_child(); /* the same fresh start as a fork child's */
	if (start_file() != 0) {
		atomic_store(&ws_phase, WS_PHASE_OFF);
		return;
	}
	ws_resume();
	struct ws_thread_state *me = ws_self;
	if (me)
		ws_sampler_arm(me);
	else
		ws_thread_register(1); /* a thread that was not sampled */
}

static void
at_exit(int status, void *arg)
{
	if (ws_collector_owns_process())
		ws_collector_finish(WS_END_EXIT, status & 0xff);
}

static void collector_start(void);

/* Our constructor, or the first pthread_create() of a library whose own
 * constructor runs before ours (OpenBLAS starts its thread pool there):
 * either way once, on the thread that loads the program. */
void
ws_collector_start_once(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, collector_start);
}

__attribute__((constructor)) static void
collector_constructor(void)
{
	ws_collector_start_once();
}

static void collector_start_guarded(void);

static void
collector_start(void)
{
	ws_heap_internal_begin(); /* its allocations are not the program's */
	collector_start_guarded();
	ws_heap_internal_end();
}

static void
collector_start_guarded(void)
{
	ws_real_init();
	if (ws_config_load() != 0)
		return;
	ws_counters_process_init();
	ws_pid = getpid();
	if (ws_modules_init() != 0 || ws_unwind_init() != 0 || ws_threads_init() != 0) {
		ws_warnf("cannot initialise the collector (out of memory?); not profiling");
		return;
	}
	ws_sampler_choose();
	ws_py_init();
	atomic_store(&ws_phase, WS_PHASE_RUNNING);
	if (ws_signals_init() != 0 || ws_process_init() != 0) {
		atomic_store(&ws_phase, WS_PHASE_OFF);
		ws_warnf("cannot install signal handlers; not profiling");
		return;
	}
	/* Arm the main thread first: the source actually used goes into the
	 * PROCESS record. */
	if (!ws_thread_register(1)) {
		atomic_store(&ws_phase, WS_PHASE_OFF);
		return;
	}
	if (start_file() != 0) {
		atomic_store(&ws_phase, WS_PHASE_OFF);
		if (ws_self)
			ws_sampler_disarm(ws_self);
		return;
	}
	ws_heap_start();
#ifdef WS_HAVE_GPU
	ws_gpu_init();
#endif
}

/* exit() status: an on_exit() handler registered from our own wrapper of
 * main.  Registered from the constructor it would run after _dl_fini (the
 * loader runs preloaded constructors before __libc_start_main registers
 * _dl_fini), too late to learn the status. */
typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int
main_wrapper(int argc, char **argv, char **envp)
{
	if (ws_collector_owns_process())
		on_exit(at_exit, NULL);
	return real_main(argc, argv, envp);
}

WS_EXPORT int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
				void (*fini)(void), void (*rtld_fini)(void), void *stack_end);
WS_EXPORT int
__libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
		  void (*rtld_fini)(void), void *stack_end)
{
	/* Under the heap guard: dlsym frees the error buffers that the
	 * collector's own failed lookups left (allocated under the guard, not
	 * counted), so their frees must not be counted either. */
	ws_heap_internal_begin();
	int (*real)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *) =
	    dlsym(RTLD_NEXT, "__libc_start_main");
	ws_heap_internal_end();
	real_main = main;
	return real(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

__attribute__((destructor)) static void
collector_stop(void)
{
	/* Reached only when exit() ran no on_exit handler of ours (a program
	 * not started through __libc_start_main): the status is unknown. */
	if (ws_collector_owns_process())
		ws_collector_finish(WS_END_EXIT, -1);
}
