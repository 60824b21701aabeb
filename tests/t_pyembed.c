/* Python embedded in a program, loaded late by dlopen
 * (test_python_embed.sh).  Not linked to libpython: every Python function
 * is looked up with dlsym, so the interpreter arrives after whyslow's
 * start-up detection.
 *
 *   t_pyembed hot LIBPYTHON local|global
 *       dlopen LIBPYTHON (RTLD_LOCAL or RTLD_GLOBAL), Py_InitializeEx, run
 *       embedded_hot() (pure-Python arithmetic) for T_PY_SECONDS (1 s of the
 *       thread's CPU time, time.thread_time),
 *       Py_FinalizeEx, dlclose, then 0.1 s of native work in native_after
 *       (whyslow keeps libpython mapped: its handler still reads it).
 *   t_pyembed plugin PLUGIN
 *       dlopen PLUGIN (RTLD_LOCAL), a library linked against libpython
 *       (tpyplug.c): its tpyplug_run() initialises Python and runs the same
 *       code.  libpython arrives as PLUGIN's dependency.  dlclose, native
 *       work as above.
 *   t_pyembed threads LIBPYTHON
 *       two threads started before the dlopen burn native CPU, wait; the
 *       main thread loads and initialises Python and releases the GIL; each
 *       thread then runs embedded_hot() through PyGILState_Ensure.
 *   t_pyembed churn LIBPYTHON
 *       while a spawner thread starts and ends short threads (1 ms of native
 *       work each) without pause, load and initialise Python and run
 *       embedded_hot(): the detection walks the thread registry while
 *       threads register and exit.
 *   t_pyembed idle LIB...
 *       dlopen each LIB (a libpython, never initialised: any version), then
 *       burn native CPU in native_after for 0.3 s.
 * Exit 0 on success, 99 when a library or symbol is missing, 1 when Python
 * reports an error. */
#include "t_common.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

static const char py_code[] = "import time\n"
			      "def embedded_hot(seconds):\n"
			      "    end = time.thread_time() + seconds\n"
			      "    s = 0\n"
			      "    while True:\n"
			      "        for i in range(20000):\n"
			      "            s += i * i % 7\n"
			      "        if time.thread_time() >= end:\n"
			      "            return s\n";

/* The few CPython functions used (stable ABI). */
static void (*py_init)(int);
static int (*py_run)(const char *);
static int (*py_fini)(void);
static int (*gil_ensure)(void);
static void (*gil_release)(int);
static void *(*save_thread)(void);
static void (*restore_thread)(void *);

static void *
need(void *h, const char *name)
{
	void *f = dlsym(h, name);
	if (!f) {
		fprintf(stderr, "t_pyembed: %s\n", dlerror());
		exit(99);
	}
	return f;
}

static void *
open_or_die(const char *path, int mode)
{
	void *h = dlopen(path, mode);
	if (!h) {
		fprintf(stderr, "t_pyembed: %s\n", dlerror());
		exit(99);
	}
	/* The collector's own lookups after our dlopen must leave no error. */
	const char *e = dlerror();
	if (e) {
		fprintf(stderr, "t_pyembed: dlopen succeeded but dlerror() says: %s\n", e);
		exit(1);
	}
	return h;
}

static void
bind_python(void *h)
{
	py_init = (void (*)(int))need(h, "Py_InitializeEx");
	py_run = (int (*)(const char *))need(h, "PyRun_SimpleString");
	py_fini = (int (*)(void))need(h, "Py_FinalizeEx");
	gil_ensure = (int (*)(void))need(h, "PyGILState_Ensure");
	gil_release = (void (*)(int))need(h, "PyGILState_Release");
	save_thread = (void *(*)(void))need(h, "PyEval_SaveThread");
	restore_thread = (void (*)(void *))need(h, "PyEval_RestoreThread");
}

static char run_line[64];

static int
run_hot(void)
{
	py_init(0);
	if (py_run(py_code) != 0 || py_run(run_line) != 0)
		return 1;
	return py_fini() == 0 ? 0 : 1;
}

static pthread_barrier_t ready, go;

T_NOINLINE static void
thread_native(void)
{
	T_BURN_CPU(0.05);
	__asm__ volatile("" ::: "memory");
}

static void *
worker(void *arg)
{
	(void)arg;
	thread_native();
	pthread_barrier_wait(&ready); /* started before the dlopen */
	pthread_barrier_wait(&go);    /* Python is initialised */
	int g = gil_ensure();
	int rc = py_run(run_line);
	gil_release(g);
	return rc == 0 ? NULL : (void *)1;
}

static int
run_threads(const char *lib)
{
	pthread_t th[2];
	pthread_barrier_init(&ready, NULL, 3);
	pthread_barrier_init(&go, NULL, 3);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, worker, NULL) != 0)
			return 99;
	pthread_barrier_wait(&ready);
	bind_python(open_or_die(lib, RTLD_NOW | RTLD_LOCAL));
	py_init(0);
	if (py_run(py_code) != 0)
		return 1;
	void *ts = save_thread();
	pthread_barrier_wait(&go);
	int bad = 0;
	for (int i = 0; i < 2; i++) {
		void *r;
		pthread_join(th[i], &r);
		bad |= r != NULL;
	}
	restore_thread(ts);
	return py_fini() == 0 && !bad ? 0 : 1;
}

static volatile int churning = 1;
static volatile long churned;

static void *
short_thread(void *arg)
{
	(void)arg;
	T_BURN_CPU(0.001);
	return NULL;
}

static void *
spawner(void *arg)
{
	(void)arg;
	while (churning) {
		pthread_t th[4];
		int n = 0;
		for (; n < 4; n++)
			if (pthread_create(&th[n], NULL, short_thread, NULL) != 0)
				break;
		for (int i = 0; i < n; i++)
			pthread_join(th[i], NULL);
		churned += n;
	}
	return NULL;
}

static int
run_churn(const char *lib)
{
	pthread_t sp;
	if (pthread_create(&sp, NULL, spawner, NULL) != 0)
		return 99;
	while (churned < 8)
		T_SPIN(1000); /* threads come and go before the dlopen */
	void *h = open_or_die(lib, RTLD_NOW | RTLD_LOCAL);
	bind_python(h);
	int rc = run_hot();
	churning = 0;
	pthread_join(sp, NULL);
	dlclose(h);
	printf("t_pyembed: %ld short threads\n", churned);
	return rc;
}

T_NOINLINE static void
native_after(double sec)
{
	T_BURN_CPU(sec);
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: t_pyembed hot|plugin|threads|churn|idle LIBRARY...\n");
		return 2;
	}
	double sec = t_env_double("T_PY_SECONDS", 1.0);
	snprintf(run_line, sizeof run_line, "embedded_hot(%.3f)\n", sec);
	const char *mode = argv[1];
	if (!strcmp(mode, "hot")) {
		int local = argc < 4 || strcmp(argv[3], "global");
		void *h = open_or_die(argv[2], RTLD_NOW | (local ? RTLD_LOCAL : RTLD_GLOBAL));
		bind_python(h);
		int rc = run_hot();
		dlclose(h);
		native_after(0.1);
		return rc;
	}
	if (!strcmp(mode, "plugin")) {
		void *h = open_or_die(argv[2], RTLD_NOW | RTLD_LOCAL);
		int (*run)(const char *, const char *) =
		    (int (*)(const char *, const char *))need(h, "tpyplug_run");
		int rc = run(py_code, run_line);
		dlclose(h);
		native_after(0.1);
		return rc == 0 ? 0 : 1;
	}
	if (!strcmp(mode, "threads"))
		return run_threads(argv[2]);
	if (!strcmp(mode, "churn"))
		return run_churn(argv[2]);
	if (!strcmp(mode, "idle")) {
		for (int i = 2; i < argc; i++)
			open_or_die(argv[i], RTLD_NOW | RTLD_LOCAL);
		native_after(0.3);
		return 0;
	}
	fprintf(stderr, "t_pyembed: unknown mode %s\n", mode);
	return 2;
}
