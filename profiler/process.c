/* Processes: fork children, exec, _exit.
 *
 * fork: pthread_atfork handlers pause sampling around the fork (so no
 * handler holds a lock or half-written state that the child inherits) and
 * give the child a fresh profile file of its own.
 * exec: the exec family is interposed; the profile of the old image is
 * written before the exec, the environment passed on keeps LD_PRELOAD and
 * the WHYSLOW_* variables (so the new program is profiled too), and a
 * failed exec starts a new file.  In a vfork child (memory shared with the
 * parent) nothing of the parent's is touched.
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int ws_process_init(void);
int
ws_process_init(void)
{
	return pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* ---- exec ---- */

static bool
has_var(char *const *env, const char *name_eq)
{
	size_t n = strlen(name_eq);
	for (; env && *env; env++)
		if (!strncmp(*env, name_eq, n))
			return true;
	return false;
}

/* envp plus whatever the collector needs to follow the exec: LD_PRELOAD
 * naming libwhyslow.so and the WHYSLOW_* settings.  NULL when envp already
 * has them (or on allocation failure: then envp is used as it is). */
static char **
env_for_exec(char *const *envp)
{
	Dl_info info;
	if (!dladdr((void *)env_for_exec, &info) || !info.dli_fname)
		return NULL;
	const char *lib = info.dli_fname;
	size_t n = 0;
	for (char *const *e = envp; e && *e; e++)
		n++;
	size_t extra = 1;
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, "WHYSLOW_", 8))
			extra++;
	char **out = calloc(n + extra + 1, sizeof *out);
	if (!out)
		return NULL;
	size_t k = 0;
	bool preload_ok = false, changed = false;
	for (char *const *e = envp; e && *e; e++) {
		if (!strncmp(*e, "LD_PRELOAD=", 11)) {
			if (strstr(*e + 11, lib)) {
				preload_ok = true;
			} else {
				size_t len = strlen(lib) + strlen(*e) + 2;
				char *v = malloc(len);
				if (!v)
					continue;
				strcpy(v, "LD_PRELOAD=");
				strcat(v, lib);
				if ((*e)[11]) {
					strcat(v, ":");
					strcat(v, *e + 11);
				}
				out[k++] = v; /* leaked if exec succeeds: harmless */
				preload_ok = changed = true;
				continue;
			}
		}
		out[k++] = *e;
	}
	if (!preload_ok) {
		char *v = malloc(strlen(lib) + 12);
		if (v) {
			strcpy(v, "LD_PRELOAD=");
			strcat(v, lib);
			out[k++] = v;
			changed = true;
		}
	}
	for (char **e = environ; e && *e; e++) {
		if (strncmp(*e, "WHYSLOW_", 8))
			continue;
		char name[64];
		const char *eq = strchr(*e, '=');
		if (!eq || (size_t)(eq - *e) + 2 > sizeof name)
			continue;
		memcpy(name, *e, (size_t)(eq - *e) + 1);
		name[eq - *e + 1] = 0;
		if (!has_var(envp, name)) {
			out[k++] = *e;
			changed = true;
		}
	}
	out[k] = NULL;
	if (!changed) {
		free(out);
		return NULL;
	}
	return out;
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

static int
exec_profiled(const struct exec_call *c, char *const envp[])
{
	ws_real_init();
	if (!ws_collector_owns_process())
		return real_exec(c, envp);
	char **env = env_for_exec(envp);
	ws_collector_finish(WS_END_EXEC, 0);
	int rc = real_exec(c, env ? env : envp);
	int e = errno;
	free(env);
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
