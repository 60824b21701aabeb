/* `whyslow machine`'s measurements and their cache (see machine.h). */
#include "config.h"

#include "machine.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "json_read.h"
#include "machine_isa.h"
#include "machine_kernels.h"
#include "util.h"

enum { MIB = 1 << 20 };

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double
thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- threads: one per CPU we may run on, pinned ---- */

struct team {
	unsigned n;
	const int *cpus;
	void (*work)(void *arg, unsigned i, unsigned n);
	void *arg;
	pthread_barrier_t start;
};

struct member {
	struct team *t;
	unsigned i;
	double begin, end; /* its own clock readings around the work */
	double cpu;	   /* its CPU time for the work */
};

static void *
member_main(void *p)
{
	struct member *m = p;
	pthread_barrier_wait(&m->t->start);
	double cpu0 = thread_cpu();
	m->begin = now();
	m->t->work(m->t->arg, m->i, m->t->n);
	m->end = now();
	m->cpu = thread_cpu() - cpu0;
	return NULL;
}

/* Runs work(arg, i, n) in n threads, thread i pinned to cpus[i] where the
 * system lets us; the wall time from the first one's start to the last
 * one's end.  The threads read the clock themselves: the calling thread is
 * not pinned and may well wait for a CPU while they run.  With inv_cpu,
 * also the sum over the threads of 1 / (the thread's CPU time). */
static double
run_team_cpu(unsigned n, const int *cpus, void (*work)(void *, unsigned, unsigned), void *arg,
	     double *inv_cpu)
{
	struct team t = {.n = n, .cpus = cpus, .work = work, .arg = arg};
	struct member *m = ws_xcalloc(n, sizeof *m);
	pthread_t *th = ws_xcalloc(n, sizeof *th);
	pthread_barrier_init(&t.start, NULL, n + 1);
	unsigned made = 0;
	for (unsigned i = 0; i < n; i++) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpus[i], &set);
		pthread_attr_setaffinity_np(&attr, sizeof set, &set);
		m[i] = (struct member){.t = &t, .i = i};
		int rc = pthread_create(&th[i], &attr, member_main, &m[i]);
		if (rc != 0) /* unpinned, then */
			rc = pthread_create(&th[i], NULL, member_main, &m[i]);
		pthread_attr_destroy(&attr);
		if (rc != 0)
			break;
		made++;
	}
	double seconds = -1;
	if (made == n) {
		pthread_barrier_wait(&t.start);
		double begin = INFINITY, end = 0, inv = 0;
		for (unsigned i = 0; i < n; i++) {
			pthread_join(th[i], NULL);
			begin = fmin(begin, m[i].begin);
			end = fmax(end, m[i].end);
			inv += 1 / fmax(m[i].cpu, 1e-9);
		}
		seconds = end - begin;
		if (inv_cpu)
			*inv_cpu = inv;
	} else {
		/* cannot happen in practice; the made threads wait forever on
		 * the barrier, so give up on the whole measurement */
		ws_die(WS_EXIT_FAIL, "machine: cannot create %u threads", n);
	}
	pthread_barrier_destroy(&t.start);
	free(th);
	free(m);
	return seconds;
}

static double
run_team(unsigned n, const int *cpus, void (*work)(void *, unsigned, unsigned), void *arg)
{
	return run_team_cpu(n, cpus, work, arg, NULL);
}

/* The CPUs this process may run on (its affinity mask), newly allocated. */
static int *
usable_cpus(unsigned *n)
{
	cpu_set_t set;
	*n = 0;
	int *cpus = ws_xcalloc(CPU_SETSIZE, sizeof *cpus);
	if (sched_getaffinity(0, sizeof set, &set) == 0) {
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[(*n)++] = c;
	}
	if (*n == 0) {
		long k = sysconf(_SC_NPROCESSORS_ONLN);
		for (long c = 0; c < (k > 0 ? k : 1) && c < CPU_SETSIZE; c++)
			cpus[(*n)++] = (int)c;
	}
	return cpus;
}

/* ---- memory bandwidth: triad ---- */

struct triad {
	double *a, *b, *c;
	size_t n;
	bool init;
};

/* [lo, hi) of thread i of k, in whole cache lines */
static void
chunk(size_t n, unsigned i, unsigned k, size_t *lo, size_t *hi)
{
	size_t per = (n / k) & ~(size_t)7;
	*lo = per * i;
	*hi = i + 1 == k ? n : per * (i + 1);
}

static void
triad_work(void *arg, unsigned i, unsigned k)
{
	struct triad *t = arg;
	size_t lo, hi;
	chunk(t->n, i, k, &lo, &hi);
	if (t->init) { /* first touch: each page lands near the thread using it */
		for (size_t j = lo; j < hi; j++) {
			t->a[j] = 0;
			t->b[j] = 1;
			t->c[j] = 2;
		}
		return;
	}
	ws_kern_triad(t->a + lo, t->b + lo, t->c + lo, 3.0, hi - lo);
}

/* ---- floating point ---- */

static volatile double sink;
/* read at run time, so the compiler cannot fold the kernels' arithmetic */
static volatile double kern_a = 0.9999999, kern_b = 1e-7, kern_m = 1.0;

struct flops {
	ws_flop_kernel fn;
	long iters;
};

static void
flops_work(void *arg, unsigned i, unsigned k)
{
	struct flops *f = arg;
	sink = f->fn(f->iters, kern_a, kern_b, kern_m);
}

/* Iterations that take about target seconds on one thread. */
static long
calibrate(ws_flop_kernel fn, double target, const int *cpu)
{
	struct flops f = {fn, 1024};
	for (;;) {
		double t = run_team(1, cpu, flops_work, &f);
		if (t >= target / 2 || f.iters > (1L << 40)) {
			double scaled = f.iters * (target / fmax(t, 1e-9));
			return scaled < 1024 ? 1024 : (long)scaled;
		}
		double grow = t > 0 ? target / t : 100;
		f.iters = (long)(f.iters * fmin(fmax(grow, 2), 100));
	}
}

/* ---- facts about the machine ---- */

static void
cpu_model(char *out, size_t n)
{
	out[0] = '\0';
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "model name", 10))
			continue;
		char *v = strchr(line, ':');
		if (!v)
			break;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\n")] = '\0';
		snprintf(out, n, "%s", v);
		break;
	}
	fclose(f);
}

static uint64_t
mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	char line[256];
	unsigned long long kb = 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

static void
host_name(char *out, size_t n)
{
	if (gethostname(out, n) != 0 || !out[0])
		snprintf(out, n, "localhost");
	out[n - 1] = '\0';
}

static void progress(const struct ws_machine_options *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
progress(const struct ws_machine_options *o, const char *fmt, ...)
{
	if (!o->progress)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("whyslow: machine: ", o->progress);
	vfprintf(o->progress, fmt, ap);
	va_end(ap);
	fflush(o->progress);
}

static const char *
width_name(unsigned bits)
{
	switch (bits) {
	case 0:
		return "scalar";
	case 128:
		return "128-bit";
	case 256:
		return "256-bit";
	default:
		return "512-bit";
	}
}

int
ws_machine_measure(const struct ws_machine_options *o, struct ws_machine *out, char **why)
{
	struct ws_machine m;
	memset(&m, 0, sizeof m);
	*why = NULL;
	host_name(m.host, sizeof m.host);
	cpu_model(m.cpu, sizeof m.cpu);
	struct ws_machine_isa isa;
	ws_machine_isa(&isa);
	snprintf(m.widest, sizeof m.widest, "%s", isa.widest);
	m.fma = isa.fma;
	m.quick = o->quick;
	m.repeats = 5;
	unsigned ncpus;
	int *cpus = usable_cpus(&ncpus);
	m.cpus = ncpus;

	/* arrays: 4 x the last-level cache each (STREAM's rule), within
	 * 64 MiB..1 GiB and an eighth of the free memory each */
	long llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
	if (llc <= 0)
		llc = sysconf(_SC_LEVEL2_CACHE_SIZE);
	m.llc_bytes = llc > 0 ? (uint64_t)llc : 0;
	uint64_t bytes = o->array_bytes;
	if (!bytes && o->quick) {
		bytes = 16 * (uint64_t)MIB;
	} else if (!bytes) {
		bytes = 4 * m.llc_bytes;
		if (bytes < 64 * (uint64_t)MIB)
			bytes = 64 * (uint64_t)MIB;
		if (bytes > 1024 * (uint64_t)MIB)
			bytes = 1024 * (uint64_t)MIB;
		uint64_t avail = mem_available();
		if (avail && bytes > avail / 8)
			bytes = avail / 8 > 16 * (uint64_t)MIB ? avail / 8 : 16 * (uint64_t)MIB;
	}
	size_t n = (size_t)(bytes / sizeof(double)) & ~(size_t)7;
	m.array_bytes = n * sizeof(double);
	struct triad t = {0};
	t.n = n;
	/* 2 MiB aligned, huge pages asked for: fewer page faults to set them up
	 * and fewer TLB misses in the way of the bandwidth */
	if (posix_memalign((void **)&t.a, 2 * MIB, n * sizeof(double)) ||
	    posix_memalign((void **)&t.b, 2 * MIB, n * sizeof(double)) ||
	    posix_memalign((void **)&t.c, 2 * MIB, n * sizeof(double))) {
		*why = ws_xasprintf("cannot allocate three arrays of %.0f MiB for the triad",
				    (double)m.array_bytes / MIB);
		free(t.a);
		free(t.b);
		free(t.c);
		free(cpus);
		return -ENOMEM;
	}
	madvise(t.a, n * sizeof(double), MADV_HUGEPAGE); /* advice: failure is harmless */
	madvise(t.b, n * sizeof(double), MADV_HUGEPAGE);
	madvise(t.c, n * sizeof(double), MADV_HUGEPAGE);
	progress(o,
		 "memory bandwidth: triad a = b + s*c over 3 arrays of %.0f MiB, best of %u, "
		 "on one core and on %u CPU%s...",
		 (double)m.array_bytes / MIB, m.repeats, ncpus, ncpus == 1 ? "" : "s");
	t.init = true;
	run_team(ncpus, cpus, triad_work, &t);
	t.init = false;
	run_team(ncpus, cpus, triad_work, &t); /* warm-up, as STREAM drops its first pass */
	double best1 = INFINITY, bestn = INFINITY;
	for (unsigned r = 0; r < m.repeats; r++) { /* alternate: a noisy spell hits both */
		best1 = fmin(best1, run_team(1, cpus, triad_work, &t));
		bestn = fmin(bestn, run_team(ncpus, cpus, triad_work, &t));
	}
	free(t.a);
	free(t.b);
	free(t.c);
	double moved = 24.0 * (double)n;
	m.bw_one_core = moved / best1;
	m.bw_all_cores = moved / bestn;
	if (o->progress)
		fprintf(o->progress, " %.1f and %.1f GB/s\n", m.bw_one_core / 1e9,
			m.bw_all_cores / 1e9);

	/* floating point: per precision, scalar and each vector width this
	 * CPU has, with FMA where it has it */
	double target = o->quick ? 0.01 : 0.05;
	size_t nk;
	const struct ws_kern *k = ws_kern_all(&nk);
	for (int single = 0; single <= 1; single++)
		for (unsigned bits = 0; bits <= 512; bits = bits ? bits * 2 : 128) {
			const struct ws_kern *pick = NULL;
			for (size_t i = 0; i < nk; i++)
				if (k[i].single == single && k[i].bits == bits &&
				    ws_kern_supported(k[i].isa) && (!pick || k[i].fma))
					pick = &k[i];
			if (!pick || m.npeaks == WS_MACHINE_MAX_PEAKS)
				continue;
			progress(o, "%s %s %s%s...", single ? "single" : "double", width_name(bits),
				 pick->isa_name,
				 pick->fma && !strstr(pick->isa_name, "FMA") ? " FMA" : "");
			/* per thread, work over its own CPU time: a core's FMA units
			 * are its own, and another program taking turns on the CPU
			 * must not lower its peak (SMT siblings running at once still
			 * share theirs: their CPU times overlap) */
			struct flops f = {pick->fn, calibrate(pick->fn, target, cpus)};
			double r1 = 0, rn = 0, inv;
			for (unsigned r = 0; r < m.repeats; r++) {
				run_team_cpu(1, cpus, flops_work, &f, &inv);
				r1 = fmax(r1, inv);
				run_team_cpu(ncpus, cpus, flops_work, &f, &inv);
				rn = fmax(rn, inv);
			}
			struct ws_machine_peak *p = &m.peaks[m.npeaks++];
			p->precision = single ? WS_PREC_SINGLE : WS_PREC_DOUBLE;
			p->vector_bits = bits;
			p->lanes = pick->lanes;
			p->fma = pick->fma;
			snprintf(p->isa, sizeof p->isa, "%s", pick->isa_name);
			double work = pick->flops_per_iter * (double)f.iters;
			p->one_core = work * r1;
			p->all_cores = work * rn;
			if (o->progress)
				fprintf(o->progress, " %.1f and %.1f GFLOP/s\n", p->one_core / 1e9,
					p->all_cores / 1e9);
		}
	free(cpus);
	time_t now_s = time(NULL);
	struct tm tm;
	gmtime_r(&now_s, &tm);
	strftime(m.measured, sizeof m.measured, "%Y-%m-%dT%H:%M:%SZ", &tm);
	m.measured_at = (int64_t)now_s;
	*out = m;
	return 0;
}

/* ---- the cache ---- */

char *
ws_machine_cache_path(void)
{
	char host[256];
	host_name(host, sizeof host);
	for (char *c = host; *c; c++)
		if (*c == '/' || *c == ' ' || (unsigned char)*c < 0x20)
			*c = '_';
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		return ws_xasprintf("%s/whyslow/machine-%s.json", xdg, host);
	if (home && home[0] == '/')
		return ws_xasprintf("%s/.cache/whyslow/machine-%s.json", home, host);
	return NULL;
}

static const char *
prec_name(enum ws_precision p)
{
	return p == WS_PREC_SINGLE ? "single" : "double";
}

int
ws_machine_write_json(FILE *f, const struct ws_machine *m)
{
	struct json j;
	json_init(&j, f, true);
	json_begin_object(&j);
	json_key(&j, "schema");
	json_string(&j, "whyslow-machine");
	json_key(&j, "version");
	json_int(&j, 1);
	json_key(&j, "host");
	json_string(&j, m->host);
	json_key(&j, "cpu");
	json_string(&j, m->cpu);
	json_key(&j, "measured");
	json_string(&j, m->measured);
	json_key(&j, "measured_at");
	json_int(&j, m->measured_at);
	json_key(&j, "cpus");
	json_uint(&j, m->cpus);
	json_key(&j, "quick");
	json_bool(&j, m->quick);
	json_key(&j, "widest");
	json_string(&j, m->widest);
	json_key(&j, "fma");
	json_bool(&j, m->fma);
	json_key(&j, "llc_bytes");
	json_uint(&j, m->llc_bytes);
	json_key(&j, "array_bytes");
	json_uint(&j, m->array_bytes);
	json_key(&j, "repeats");
	json_uint(&j, m->repeats);
	json_key(&j, "bandwidth");
	json_begin_object(&j);
	json_key(&j, "kernel");
	json_string(&j, "triad");
	json_key(&j, "bytes_per_element");
	json_int(&j, 24);
	json_key(&j, "one_core_gb_s");
	json_double(&j, m->bw_one_core / 1e9, 4);
	json_key(&j, "all_cores_gb_s");
	json_double(&j, m->bw_all_cores / 1e9, 4);
	json_end_object(&j);
	json_key(&j, "peaks");
	json_begin_array(&j);
	for (size_t i = 0; i < m->npeaks; i++) {
		const struct ws_machine_peak *p = &m->peaks[i];
		json_begin_object(&j);
		json_key(&j, "precision");
		json_string(&j, prec_name(p->precision));
		json_key(&j, "vector_bits");
		json_uint(&j, p->vector_bits);
		json_key(&j, "lanes");
		json_uint(&j, p->lanes);
		json_key(&j, "fma");
		json_bool(&j, p->fma);
		json_key(&j, "isa");
		json_string(&j, p->isa);
		json_key(&j, "one_core_gflop_s");
		json_double(&j, p->one_core / 1e9, 4);
		json_key(&j, "all_cores_gflop_s");
		json_double(&j, p->all_cores / 1e9, 4);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	return json_finish(&j);
}

static int
mkdirs(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(dir, 0777);
		*p = '/';
		if (rc != 0 && errno != EEXIST)
			return -errno;
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
ws_machine_save(const struct ws_machine *m, const char *path, char **why)
{
	*why = NULL;
	char *own = path ? NULL : ws_machine_cache_path();
	if (!path && !own) {
		*why = ws_xasprintf("neither XDG_CACHE_HOME nor HOME is set to an absolute path");
		return -ENOENT;
	}
	if (!path)
		path = own;
	char *dir = ws_xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		rc = mkdirs(dir);
		if (rc < 0)
			*why = ws_xasprintf("cannot create %s: %s", dir, strerror(-rc));
	}
	free(dir);
	char *tmp = ws_xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = rc == 0 ? fopen(tmp, "w") : NULL;
	if (rc == 0 && !f) {
		rc = -errno;
		*why = ws_xasprintf("cannot write %s: %s", tmp, strerror(errno));
	}
	if (f) {
		int w = ws_machine_write_json(f, m);
		if (fclose(f) != 0 || w < 0) {
			rc = -EIO;
			*why = ws_xasprintf("cannot write %s: %s", tmp, strerror(errno));
		} else if (rename(tmp, path) != 0) {
			rc = -errno;
			*why =
			    ws_xasprintf("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		}
		if (rc < 0)
			unlink(tmp);
	}
	free(tmp);
	free(own);
	return rc;
}

/* ---- reading the cache back, validating every field ---- */

struct check {
	const char *what; /* "peaks[2]" or "" */
	char *why;
};

static bool
bad(struct check *c, const char *key, const char *problem)
{
	if (!c->why)
		c->why = ws_xasprintf("%s%s%s: %s", c->what, c->what[0] ? "." : "", key, problem);
	return false;
}

static bool
get_string(struct check *c, const struct ws_jvalue *o, const char *key, char *out, size_t n)
{
	const char *s = ws_json_str(ws_json_get(o, key));
	if (!s)
		return bad(c, key, "missing or not a string");
	if (strlen(s) >= n)
		return bad(c, key, "too long");
	snprintf(out, n, "%s", s);
	return true;
}

static bool
get_bool(struct check *c, const struct ws_jvalue *o, const char *key, bool *out)
{
	const struct ws_jvalue *v = ws_json_get(o, key);
	if (!v || v->type != WS_JBOOL)
		return bad(c, key, "missing or not true/false");
	*out = v->boolean;
	return true;
}

/* a number in [min, max]; integral when asked */
static bool
get_number(struct check *c, const struct ws_jvalue *o, const char *key, double min, double max,
	   bool integral, double *out)
{
	const struct ws_jvalue *v = ws_json_get(o, key);
	if (!v || v->type != WS_JNUMBER)
		return bad(c, key, "missing or not a number");
	if (!isfinite(v->number) || v->number < min || v->number > max ||
	    (integral && v->number != floor(v->number)))
		return bad(c, key, "out of range");
	*out = v->number;
	return true;
}

static bool
check_machine(struct check *c, const struct ws_jvalue *root, struct ws_machine *m)
{
	double v;
	const char *schema = ws_json_str(ws_json_get(root, "schema"));
	if (root->type != WS_JOBJECT || !schema || strcmp(schema, "whyslow-machine"))
		return bad(c, "schema", "not a whyslow-machine file");
	if (!get_number(c, root, "version", 0, 1e9, false, &v))
		return false;
	if (v != 1) {
		c->why = ws_xasprintf("version %g: this whyslow reads version 1", v);
		return false;
	}
	if (!get_string(c, root, "host", m->host, sizeof m->host) ||
	    !get_string(c, root, "cpu", m->cpu, sizeof m->cpu) ||
	    !get_string(c, root, "measured", m->measured, sizeof m->measured) ||
	    !get_number(c, root, "measured_at", 0, 1e15, true, &v))
		return false;
	m->measured_at = (int64_t)v;
	if (!get_number(c, root, "cpus", 1, CPU_SETSIZE, true, &v))
		return false;
	m->cpus = (unsigned)v;
	if (!get_bool(c, root, "quick", &m->quick) ||
	    !get_string(c, root, "widest", m->widest, sizeof m->widest) ||
	    !get_bool(c, root, "fma", &m->fma) ||
	    !get_number(c, root, "llc_bytes", 0, 1e15, true, &v))
		return false;
	m->llc_bytes = (uint64_t)v;
	if (!get_number(c, root, "array_bytes", 1, 1e15, true, &v))
		return false;
	m->array_bytes = (uint64_t)v;
	if (!get_number(c, root, "repeats", 1, 1000, true, &v))
		return false;
	m->repeats = (unsigned)v;
	const struct ws_jvalue *bw = ws_json_get(root, "bandwidth");
	if (!bw || bw->type != WS_JOBJECT)
		return bad(c, "bandwidth", "missing or not an object");
	c->what = "bandwidth";
	/* 1e-6 GB/s .. 1e6 GB/s: anything outside is no measurement */
	if (!get_number(c, bw, "one_core_gb_s", 1e-6, 1e6, false, &v))
		return false;
	m->bw_one_core = v * 1e9;
	if (!get_number(c, bw, "all_cores_gb_s", 1e-6, 1e6, false, &v))
		return false;
	m->bw_all_cores = v * 1e9;
	c->what = "";
	const struct ws_jvalue *peaks = ws_json_get(root, "peaks");
	if (!peaks || peaks->type != WS_JARRAY)
		return bad(c, "peaks", "missing or not an array");
	if (peaks->n == 0 || peaks->n > WS_MACHINE_MAX_PEAKS)
		return bad(c, "peaks", "not 1..16 entries");
	char what[32];
	for (size_t i = 0; i < peaks->n; i++) {
		const struct ws_jvalue *e = &peaks->items[i];
		struct ws_machine_peak *p = &m->peaks[i];
		snprintf(what, sizeof what, "peaks[%zu]", i);
		c->what = what;
		if (e->type != WS_JOBJECT)
			return bad(c, "", "not an object");
		char prec[8];
		if (!get_string(c, e, "precision", prec, sizeof prec))
			return false;
		if (strcmp(prec, "double") && strcmp(prec, "single"))
			return bad(c, "precision", "not double or single");
		p->precision = strcmp(prec, "single") ? WS_PREC_DOUBLE : WS_PREC_SINGLE;
		if (!get_number(c, e, "vector_bits", 0, 512, true, &v))
			return false;
		if (v != 0 && v != 128 && v != 256 && v != 512)
			return bad(c, "vector_bits", "not 0, 128, 256 or 512");
		p->vector_bits = (unsigned)v;
		if (!get_number(c, e, "lanes", 1, 64, true, &v))
			return false;
		p->lanes = (unsigned)v;
		if (!get_bool(c, e, "fma", &p->fma) ||
		    !get_string(c, e, "isa", p->isa, sizeof p->isa) ||
		    !get_number(c, e, "one_core_gflop_s", 1e-6, 1e9, false, &v))
			return false;
		p->one_core = v * 1e9;
		if (!get_number(c, e, "all_cores_gflop_s", 1e-6, 1e9, false, &v))
			return false;
		p->all_cores = v * 1e9;
	}
	m->npeaks = peaks->n;
	c->what = "";
	return true;
}

int
ws_machine_load(const char *path, struct ws_machine *out, char **why)
{
	*why = NULL;
	char *own = path ? NULL : ws_machine_cache_path();
	if (!path && !own) {
		*why = ws_xasprintf("no cache: neither XDG_CACHE_HOME nor HOME is set to an "
				    "absolute path");
		return -ENOENT;
	}
	const char *p = path ? path : own;
	FILE *f = fopen(p, "r");
	if (!f) {
		int e = errno;
		*why = ws_xasprintf("cannot read %s: %s", p, strerror(e));
		free(own);
		return e == ENOENT ? -ENOENT : -EINVAL;
	}
	enum { MAX = 1 << 20 };
	char *text = ws_xmalloc(MAX + 1);
	size_t len = fread(text, 1, MAX + 1, f);
	bool err = ferror(f);
	fclose(f);
	int rc = 0;
	struct ws_jvalue root;
	char *jwhy = NULL;
	struct ws_machine m;
	memset(&m, 0, sizeof m);
	if (err) {
		*why = ws_xasprintf("cannot read %s", p);
		rc = -EINVAL;
	} else if (len > MAX) {
		*why = ws_xasprintf("%s is not a whyslow-machine file: larger than 1 MiB", p);
		rc = -EINVAL;
	} else if (ws_json_parse(text, len, &root, &jwhy) < 0) {
		*why = ws_xasprintf("%s is not valid JSON: %s", p, jwhy);
		rc = -EINVAL;
	} else {
		struct check c = {"", NULL};
		if (!check_machine(&c, &root, &m)) {
			*why = ws_xasprintf("%s is not a valid whyslow-machine file: %s", p, c.why);
			rc = -EINVAL;
		} else if (own) {
			char host[256];
			host_name(host, sizeof host);
			if (strcmp(host, m.host)) {
				*why = ws_xasprintf("%s was measured on %s, not on this host (%s)",
						    p, m.host, host);
				rc = -EINVAL;
			}
		}
		free(c.why);
		ws_json_free(&root);
	}
	free(jwhy);
	free(text);
	free(own);
	if (rc == 0)
		*out = m;
	return rc;
}
