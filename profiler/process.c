/* Processes: fork children, exec, _exit.
 *
 * fork: pthread_atfork handlers pause sampling around the fork (so no
 * handler holds a lock or half-written state that the child inherits) and
 * give the child a fresh profile file of its own.
 * exec: the exec family is interposed; the profile of the old image is
 * written before an exec that can succeed (the file exists and may be
 * executed: a failing candidate of a PATH search ends nothing), the
 * environment passed on keeps LD_PRELOAD and the WHYSLOW_* variables (so
 * the new program is profiled too), and an exec that fails anyway starts a
 * new file.  The whole path is async-signal-safe (exec from a signal
 * handler).  In a vfork child (memory shared with the parent) nothing of
 * the parent's is touched.
 * _exit/_Exit: the profile is written first (exit() is handled by on_exit
 * in collector.c).
 */
#include <dlfcn.h>
#include <errno.h>
#include <alloca.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "collector.h"
#include "interpose.h"
#include "profile_format.h"
#include "modules.h"
#include "settings.h"
#include "signals.h"

extern char **environ;

static __thread sigset_t fork_mask;

static __thread int fork_locked;

/* Pause sampling, then take the collector's locks (whatever the phase: a
 * fork child must never inherit one held by a thread it does not have). */
static void
fork_prepare(void)
{
	if (ws_collector_owns_process()) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, ws_cfg.signal);
		ws_real.pthread_sigmask(SIG_BLOCK, &s, &fork_mask);
		ws_quiesce(WS_PHASE_PAUSED);
	}
	/* Taken last, released first: the signal lock saves and restores the
	 * mask set just above. */
	fork_locked = atomic_load(&ws_phase) != WS_PHASE_OFF;
	if (fork_locked) {
		ws_notes_lock_for_fork();
		ws_modules_lock_for_fork();
		ws_signals_lock_for_fork();
	}
}

static void
fork_unlock(int child)
{
	if (!fork_locked)
		return;
	fork_locked = 0;
	ws_signals_unlock_after_fork();
	ws_modules_unlock_after_fork(child);
	ws_notes_unlock_after_fork(child);
}

static void
fork_parent(void)
{
	fork_unlock(0);
	if (atomic_load(&ws_phase) != WS_PHASE_PAUSED)
		return;
	ws_resume();
	ws_real.pthread_sigmask(SIG_SETMASK, &fork_mask, NULL);
}

void ws_collector_fork_child(void); /* collector.c */

static void
fork_child(void)
{
	fork_unlock(1);
	if (atomic_load(&ws_phase) != WS_PHASE_PAUSED)
		return;
	ws_collector_fork_child();
	ws_real.pthread_sigmask(SIG_SETMASK, &fork_mask, NULL);
}

static void prepare_exec_env(void);

/* Once, from the constructor (not signal-safe). */
int ws_process_init(void);
int
ws_process_init(void)
{
	prepare_exec_env();
	return pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* ---- exec ----
 *
 * Everything on this path is async-signal-safe: POSIX allows execve (and
 * execl, execle, execv, fexecve) in a signal handler, and a program may
 * call it from one that interrupted malloc or the loader.  So what the
 * new environment needs is prepared in the constructor, the environment
 * is assembled in a mapping of its own, and ws_collector_finish() takes
 * no lock. */

/* Prepared once by ws_process_init() (constructor), read-only after. */
static const char *lib_path; /* libwhyslow.so as the loader named it */
static size_t lib_len;
static char **saved_vars; /* "WHYSLOW_*=..." of the environment at start, NULL-ended */

/* Is lib one of the entries of an LD_PRELOAD value (separated by ':' or
 * ' ', as the loader reads them)?  Async-signal-safe. */
static bool
preloads_lib(const char *list)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ": ");
		if (n == lib_len && !memcmp(p, lib_path, n))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/* Does env have the variable of `var` ("NAME=value")?  Async-signal-safe. */
static bool
has_var(char *const *env, const char *var)
{
	size_t n = (size_t)(strchr(var, '=') - var) + 1;
	for (; env && *env; env++)
		if (!strncmp(*env, var, n))
			return true;
	return false;
}

/* envp plus what the collector needs to follow the exec: LD_PRELOAD
 * naming libwhyslow.so (added to, or put in front of, every LD_PRELOAD
 * entry) and the WHYSLOW_* settings it lacks.  Built in one anonymous
 * mapping (*map_len bytes, to unmap if the exec fails).  NULL when envp
 * already has them, or when no memory is left (envp is then used as it
 * is).  Async-signal-safe. */
static char **
env_for_exec(char *const *envp, size_t *map_len)
{
	*map_len = 0;
	if (!lib_path)
		return NULL;
	size_t n = 0, strings = 0, extra = 0;
	bool preload_seen = false, changed = false;
	for (char *const *e = envp; e && *e; e++, n++) {
		if (strncmp(*e, "LD_PRELOAD=", 11))
			continue;
		preload_seen = true;
		if (!preloads_lib(*e + 11)) {
			strings += strlen(*e) + lib_len + 2; /* "LD_PRELOAD=" lib ":" old NUL */
			changed = true;
		}
	}
	if (!preload_seen) {
		strings += 11 + lib_len + 1;
		extra++;
		changed = true;
	}
	for (char **v = saved_vars; v && *v; v++)
		if (!has_var(envp, *v)) {
			extra++;
			changed = true;
		}
	if (!changed)
		return NULL;
	size_t len = (n + extra + 1) * sizeof(char *) + strings;
	char **out = ws_map(len);
	if (!out)
		return NULL;
	char *str = (char *)(out + n + extra + 1);
	size_t k = 0;
	for (char *const *e = envp; e && *e; e++) {
		if (strncmp(*e, "LD_PRELOAD=", 11) || preloads_lib(*e + 11)) {
			out[k++] = *e;
			continue;
		}
		out[k++] = str;
		memcpy(str, "LD_PRELOAD=", 11);
		memcpy(str + 11, lib_path, lib_len);
		str += 11 + lib_len;
		if ((*e)[11])
			*str++ = ':';
		size_t rest = strlen(*e + 11) + 1;
		memcpy(str, *e + 11, rest);
		str += rest;
	}
	if (!preload_seen) {
		out[k++] = str;
		memcpy(str, "LD_PRELOAD=", 11);
		memcpy(str + 11, lib_path, lib_len + 1);
	}
	for (char **v = saved_vars; v && *v; v++)
		if (!has_var(envp, *v))
			out[k++] = *v;
	out[k] = NULL;
	*map_len = len;
	return out;
}

/* Prepare env_for_exec()'s constant parts (constructor, not signal-safe). */
static void
prepare_exec_env(void)
{
	Dl_info info;
	if (!dladdr((void *)prepare_exec_env, &info) || !info.dli_fname || !*info.dli_fname)
		return;
	size_t nvars = 0, bytes = strlen(info.dli_fname) + 1;
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, "WHYSLOW_", 8) && strchr(*e, '=')) {
			nvars++;
			bytes += strlen(*e) + 1;
		}
	size_t len = (nvars + 1) * sizeof(char *) + bytes;
	char **vars = ws_map(len);
	if (!vars)
		return;
	ws_mem_account((int64_t)len);
	char *str = (char *)(vars + nvars + 1);
	size_t k = 0;
	for (char **e = environ; e && *e && k < nvars; e++)
		if (!strncmp(*e, "WHYSLOW_", 8) && strchr(*e, '=')) {
			vars[k++] = str;
			size_t l = strlen(*e) + 1;
			memcpy(str, *e, l);
			str += l;
		}
	vars[k] = NULL;
	lib_len = strlen(info.dli_fname);
	memcpy(str, info.dli_fname, lib_len + 1);
	lib_path = str;
	saved_vars = vars;
}

/* Could exec of this file succeed: a regular file that the effective ids
 * may execute?  False only when the exec certainly fails (no such file,
 * a directory, no permission), the way the kernel checks.
 * Async-signal-safe (stat, faccessat). */
static bool
may_exec(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0;
}

/* The PATH search of execvp/execvpe (glibc's: PATH from the environment,
 * "/bin:/usr/bin" without one, an empty entry is the current directory):
 * does one of its candidates pass may_exec()?  Async-signal-safe (no
 * allocation; the path is built on the stack). */
static bool
search_may_exec(const char *file)
{
	if (!*file)
		return false;
	if (strchr(file, '/'))
		return may_exec(file);
	const char *path = "/bin:/usr/bin";
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, "PATH=", 5)) {
			path = *e + 5;
			break;
		}
	size_t flen = strlen(file);
	char buf[PATH_MAX];
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		const char *dir = n ? p : ".";
		size_t dlen = n ? n : 1;
		if (dlen + 1 + flen < sizeof buf) {
			memcpy(buf, dir, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, file, flen + 1);
			if (may_exec(buf))
				return true;
		}
		if (!p[n])
			return false;
		p += n + 1;
	}
}

/* One exec of the old image: write its profile, exec with an environment
 * that keeps the collector, and start a new file if the exec failed. */
struct exec_call {
	int kind; /* 0 execve, 1 execvpe, 2 fexecve */
	const char *file;
	int fd;
	char *const *argv;
};

static int
real_exec(const struct exec_call *c, char *const envp[])
{
	switch (c->kind) {
	case 0: return ws_real.execve(c->file, c->argv, envp);
	case 1: return ws_real.execvpe(c->file, c->argv, envp);
	default: return ws_real.fexecve(c->fd, c->argv, envp);
	}
}

/* Would the exec find an executable file?  (fexecve: any execute bit, the
 * one test that cannot refuse a descriptor the kernel would run.)
 * Async-signal-safe. */
static bool
exec_may_succeed(const struct exec_call *c)
{
	struct stat st;
	switch (c->kind) {
	case 0: return c->file && may_exec(c->file);
	case 1: return c->file && search_may_exec(c->file);
	default: return fstat(c->fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
	}
}

static int
exec_profiled(const struct exec_call *c, char *const envp[])
{
	ws_real_init();
	if (!ws_collector_owns_process())
		return real_exec(c, envp);
	size_t map_len;
	char **env = env_for_exec(envp, &map_len);
	char *const *use = env ? env : envp;
	/* An exec that cannot succeed (a PATH search trying its candidates,
	 * a missing program) must not end the profile: the process goes on. */
	bool finish = exec_may_succeed(c);
	if (finish)
		ws_collector_finish(WS_END_EXEC, 0);
	int rc = real_exec(c, use);
	int e = errno;
	ws_unmap(env, map_len);
	if (finish)
		ws_collector_restart();
	errno = e;
	return rc;
}

WS_EXPORT int
execve(const char *path, char *const argv[], char *const envp[])
{
	return exec_profiled(&(struct exec_call){0, path, -1, argv}, envp);
}

WS_EXPORT int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	return exec_profiled(&(struct exec_call){1, file, -1, argv}, envp);
}

WS_EXPORT int
fexecve(int fd, char *const argv[], char *const envp[])
{
	return exec_profiled(&(struct exec_call){2, NULL, fd, argv}, envp);
}

WS_EXPORT int
execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

WS_EXPORT int
execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* The list forms: gather the arguments, then the vector forms above. */
#define GATHER_ARGS(first, ap, argv, want_env, envp)                                                     \
	do {                                                                                       \
		size_t n_ = 1;                                                                     \
		va_list c_;                                                                        \
		va_copy(c_, ap);                                                                   \
		while (va_arg(c_, char *))                                                         \
			n_++;                                                                      \
		va_end(c_);                                                                        \
		argv = alloca((n_ + 1) * sizeof(char *));                                          \
		argv[0] = (char *)(first);                                                         \
		for (size_t i_ = 1; i_ <= n_; i_++)                                                \
			argv[i_] = va_arg(ap, char *);                                             \
		if (want_env)                                                                      \
			envp = va_arg(ap, char **);                                                \
	} while (0)

WS_EXPORT int
execl(const char *path, const char *arg, ...)
{
	char **argv;
	va_list ap;
	va_start(ap, arg);
	GATHER_ARGS(arg, ap, argv, 0, argv);
	va_end(ap);
	return execve(path, argv, environ);
}

WS_EXPORT int
execlp(const char *file, const char *arg, ...)
{
	char **argv;
	va_list ap;
	va_start(ap, arg);
	GATHER_ARGS(arg, ap, argv, 0, argv);
	va_end(ap);
	return execvpe(file, argv, environ);
}

WS_EXPORT int
execle(const char *path, const char *arg, ...)
{
	char **argv, **envp = NULL;
	va_list ap;
	va_start(ap, arg);
	GATHER_ARGS(arg, ap, argv, 1, envp);
	va_end(ap);
	return execve(path, argv, envp);
}

/* ---- _exit ---- */

WS_EXPORT void
_exit(int status)
{
	ws_real_init();
	if (ws_collector_owns_process())
		ws_collector_finish(WS_END_EXIT, status & 0xff);
	ws_real._exit(status);
}

WS_EXPORT void
_Exit(int status)
{
	ws_real_init();
	if (ws_collector_owns_process())
		ws_collector_finish(WS_END_EXIT, status & 0xff);
	ws_real._Exit(status);
}
