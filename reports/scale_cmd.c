/* `whyslow scale`: record a program at several thread or rank counts and
 * say how it scales, and which function stops it (docs/cli.md, scale.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "commands.h"
#include "plot.h"
#include "profile.h"
#include "scale.h"
#include "symbolize.h"
#include "util.h"

extern char **environ;

enum { MAX_COUNTS = 64, MAX_REPEAT = 100 };

static void
usage(FILE *f)
{
	fputs("usage: whyslow scale --threads LIST | --ranks LIST [options] -- PROGRAM [ARGS...]\n"
	      "\n"
	      "Record PROGRAM at each count of LIST (e.g. 1,2,4,8), REPEAT times each, and\n"
	      "print the strong-scaling table: median wall time with its spread, speedup,\n"
	      "parallel efficiency and the Karp-Flatt serial fraction at each count, an\n"
	      "Amdahl fit (serial fraction, the speedup it predicts at the largest count and\n"
	      "at infinity), and per function its self time summed over the threads that\n"
	      "work at each count: where the thread-seconds that perfect scaling would not\n"
	      "spend went.  Threads that take no part in the work (MPI progress threads,\n"
	      "as report --threads tells them) are left out, and the samples blocked in\n"
	      "the kernel are one [waiting] line, so that the program's function is named.\n"
	      "\n"
	      "  --threads LIST     thread counts: OMP_NUM_THREADS is set, and {threads} in\n"
	      "                     ARGS is replaced by the count\n"
	      "  --ranks LIST       MPI rank counts: runs LAUNCHER COUNT whyslow record ...\n"
	      "                     -- PROGRAM ARGS ({ranks} in ARGS is replaced too): each\n"
	      "                     rank records itself, on any host; times are the ranks'\n"
	      "                     own (from the first rank's start to the last one's end)\n"
	      "  --launcher CMD     the MPI launcher and its count option (default\n"
	      "                     'mpirun -np'; e.g. 'srun -n', 'mpiexec -n')\n"
	      "  --weak             weak scaling: the work grows with the count (each thread\n"
	      "                     or rank does the same amount): the table has the scaled\n"
	      "                     speedup count x T(first)/T(count) and the efficiency\n"
	      "                     T(first)/T(count), a Gustafson fit instead of Amdahl's,\n"
	      "                     and a function's loss is its time at the largest count\n"
	      "                     less count-ratio times its time at the first\n"
	      "  --repeat N         runs per count, 1..100 (default 3; the median is used)\n"
	      "  -o, --output DIR   where the recordings go (default whyslow-scale-DATE-TIME):\n"
	      "                     DIR/N-R/ for count N, repeat R, with the program's output\n"
	      "                     in DIR/N-R.out; DIR/scale.dat and DIR/scale.gp for gnuplot\n"
	      "  --clock cpu|wall   sampled clock (default wall: waiting shows as time)\n"
	      "  -F, --frequency HZ samples per second (default 1000)\n"
	      "  --top N            functions in the table (default 10; 0 = all)\n"
	      "  --plot FILE        draw speedup against ideal and efficiency with gnuplot:\n"
	      "                     FILE.png, FILE.svg, or 'term' for a text plot here\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Progress goes to stderr, with a warning when a count exceeds the cores\n"
	      "whyslow may run on (its CPU affinity).  Exit status: 0 done, 1 a run failed\n"
	      "or could not be read, 2 usage error.\n",
	      f);
}

enum {
	OPT_THREADS = 256,
	OPT_RANKS,
	OPT_LAUNCHER,
	OPT_REPEAT,
	OPT_CLOCK,
	OPT_TOP,
	OPT_PLOT,
	OPT_WEAK
};

static const struct option options[] = {
    {"threads", required_argument, NULL, OPT_THREADS},
    {"ranks", required_argument, NULL, OPT_RANKS},
    {"launcher", required_argument, NULL, OPT_LAUNCHER},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"output", required_argument, NULL, 'o'},
    {"clock", required_argument, NULL, OPT_CLOCK},
    {"frequency", required_argument, NULL, 'F'},
    {"top", required_argument, NULL, OPT_TOP},
    {"plot", required_argument, NULL, OPT_PLOT},
    {"weak", no_argument, NULL, OPT_WEAK},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* "1,2,4" into ascending distinct counts; false on anything else. */
static bool
parse_counts(const char *s, int *counts, size_t *n)
{
	*n = 0;
	char *copy = ws_xstrdup(s), *save = NULL;
	bool ok = true;
	for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
		long v;
		ok = ws_parse_long(tok, 1, 100000, &v) && *n < MAX_COUNTS &&
		     (*n == 0 || v > counts[*n - 1]);
		if (ok)
			counts[(*n)++] = (int)v;
	}
	free(copy);
	return ok && *n > 0;
}

/* s with every {name} replaced by value (newly allocated). */
static char *
substitute(const char *s, const char *name, int value)
{
	char key[32], num[16];
	snprintf(key, sizeof key, "{%s}", name);
	snprintf(num, sizeof num, "%d", value);
	size_t klen = strlen(key), n = 0;
	char *out = ws_xmalloc(strlen(s) * 4 + 16);
	while (*s) {
		if (!strncmp(s, key, klen)) {
			strcpy(out + n, num);
			n += strlen(num);
			s += klen;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
	return out;
}

struct scale_opts {
	int counts[MAX_COUNTS];
	size_t ncounts;
	bool ranks, weak;
	const char *launcher, *output, *clock, *plot;
	char *absoutput; /* output, absolute: the ranks may start elsewhere */
	long repeat, frequency, top;
	char **prog; /* PROGRAM ARGS..., NULL-terminated */
};

/* Run one recording; 0, or -1 with the reason printed. */
static int
run_one(const struct scale_opts *o, const char *self, int count, long repeat)
{
	char *dir = ws_xasprintf("%s/%d-%ld", o->absoutput, count, repeat);
	char *out = ws_xasprintf("%s/%d-%ld.out", o->output, count, repeat);
	char *hz = ws_xasprintf("%ld", o->frequency);
	size_t nprog = 0;
	while (o->prog[nprog])
		nprog++;
	char **argv = ws_xcalloc(nprog + 32, sizeof *argv);
	size_t n = 0;
	char *launcher_copy = NULL, *count_arg = NULL;
	/* with ranks, LAUNCHER COUNT whyslow record ... -- PROGRAM: each rank
	 * runs its own whyslow record, which sets up the collector's
	 * environment wherever the launcher puts it (another host included),
	 * and the ranks share one directory (rank_dir.h) */
	if (o->ranks) {
		launcher_copy = ws_xstrdup(o->launcher);
		char *save = NULL;
		for (char *w = strtok_r(launcher_copy, " \t", &save); w && n < 16;
		     w = strtok_r(NULL, " \t", &save))
			argv[n++] = w;
		argv[n++] = count_arg = ws_xasprintf("%d", count);
	}
	argv[n++] = (char *)self;
	argv[n++] = "record";
	argv[n++] = "-q";
	argv[n++] = "-o";
	argv[n++] = dir;
	argv[n++] = "--clock";
	argv[n++] = (char *)o->clock;
	argv[n++] = "-F";
	argv[n++] = hz;
	argv[n++] = "--";
	size_t first_arg = n;
	for (size_t i = 0; i < nprog; i++)
		argv[n++] = substitute(o->prog[i], o->ranks ? "ranks" : "threads", count);
	argv[n] = NULL;

	/* the environment: OMP_NUM_THREADS for thread counts */
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	char **envp = ws_xcalloc(nenv + 2, sizeof *envp);
	size_t e = 0;
	char *omp = ws_xasprintf("OMP_NUM_THREADS=%d", count);
	for (size_t i = 0; i < nenv; i++)
		if (o->ranks || strncmp(environ[i], "OMP_NUM_THREADS=", 16))
			envp[e++] = environ[i];
	if (!o->ranks)
		envp[e++] = omp;
	envp[e] = NULL;

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC,
					 0666);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	int status = 0;
	if (rc == 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	int result = 0;
	if (rc != 0) {
		ws_errorf("scale: cannot run %s: %s", argv[0], strerror(rc));
		result = -1;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			ws_errorf("scale: the run at %d %s (repeat %ld) exited %d: see %s", count,
				  o->ranks ? "ranks" : "threads", repeat, WEXITSTATUS(status), out);
		else
			ws_errorf("scale: the run at %d %s (repeat %ld) died of signal %d: see %s",
				  count, o->ranks ? "ranks" : "threads", repeat, WTERMSIG(status),
				  out);
		result = -1;
	}
	for (size_t i = first_arg; i < n; i++)
		free(argv[i]);
	free(count_arg);
	free(launcher_copy);
	free(argv);
	free(envp);
	free(omp);
	free(hz);
	free(out);
	free(dir);
	return result;
}

/* ---- output ---- */

/* What a run's function table leaves out: the threads that did not take
 * part in the work (scale.h, ws_scale_flat_build). */
struct left_out {
	size_t threads;
	uint64_t samples;
	double hz; /* the run's achieved rate */
};

/* One row of the function table. */
static void
print_fn(FILE *f, const struct ws_scale *s, const struct ws_scale_fn *fn, const char *note)
{
	double most = 0;
	for (size_t i = 0; i < s->npoints; i++)
		most = fmax(most, fn->seconds[i]);
	if (most < 0.0005)
		return; /* rounds to nothing at every count */
	fputs("  ", f);
	for (size_t i = 0; i < s->npoints; i++)
		fprintf(f, "%8.3f", fn->seconds[i]);
	char share[16] = "";
	if (fn->loss > 0 && s->total_loss > 0)
		snprintf(share, sizeof share, "%.0f%%", 100 * fn->loss / s->total_loss);
	fprintf(f, "  %+8.3f  %5s  %s%s%s%s\n", fn->loss, share, fn->function,
		fn->inlined ? " [inlined]" : "", fn->runtime ? " [OpenMP runtime]" : "", note);
}

static void
print_table(FILE *f, const struct scale_opts *o, const struct ws_scale *s,
	    const struct left_out *left, long cores)
{
	const char *unit = o->ranks ? "ranks" : "threads";
	fprintf(f, "whyslow scale:");
	for (char **a = o->prog; *a; a++)
		fprintf(f, " %s", *a);
	fprintf(f, "\n  %s", unit);
	for (size_t i = 0; i < o->ncounts; i++)
		fprintf(f, "%s%d", i ? "," : " ", o->counts[i]);
	fprintf(f, ", %ld repeat%s each, %s clock; recordings in %s\n", o->repeat,
		o->repeat == 1 ? "" : "s", o->clock, o->output);
	if (cores > 0 && o->counts[o->ncounts - 1] > cores)
		fprintf(
		    f,
		    "  warning: %d %s is more than the %ld cores here (whyslow's CPU affinity): "
		    "beyond %ld the %s share cores and cannot speed up\n",
		    o->counts[o->ncounts - 1], unit, cores, cores, unit);
	if (s->weak)
		fprintf(f, "  weak scaling: the work grows with the %s\n", unit);
	fprintf(f, "\n  %7s  %8s  %15s  %7s  %10s  %10s\n", unit, "wall s", "min-max",
		s->weak ? "scaled" : "speedup", "efficiency", s->weak ? "" : "Karp-Flatt");
	for (size_t i = 0; i < s->npoints; i++) {
		const struct ws_scale_point *p = &s->points[i];
		char kf[32] = "";
		if (!isnan(p->karp_flatt))
			snprintf(kf, sizeof kf, "%.3f", p->karp_flatt);
		char range[64];
		snprintf(range, sizeof range, "%.3f-%.3f", p->min, p->max);
		fprintf(f, "  %7d  %8.3f  %15s  %6.2fx  %9.0f%%  %10s\n", p->count, p->median,
			range, p->speedup, 100 * p->efficiency, kf);
	}
	if (s->fitted && s->weak) {
		fprintf(f,
			"\n  Gustafson fit: serial fraction %.1f %%; scaled speedup %.2fx at %d %s "
			"(ideal %d)\n",
			100 * s->serial_fraction, s->predicted_max, s->points[s->npoints - 1].count,
			unit, s->points[s->npoints - 1].count / s->points[0].count);
	} else if (s->fitted) {
		char limit[64];
		if (isinf(s->predicted_inf))
			snprintf(limit, sizeof limit, "no limit");
		else
			snprintf(limit, sizeof limit, "at most %.1fx", s->predicted_inf);
		fprintf(f,
			"\n  Amdahl fit: serial fraction %.1f %%; it predicts %.2fx at %d %s and "
			"%s with unlimited %s\n",
			100 * s->serial_fraction, s->predicted_max, s->points[s->npoints - 1].count,
			unit, limit, unit);
	}
	if (s->npoints < 2 || !s->nfns)
		return;
	fprintf(f,
		"\nFunctions: self seconds summed over the %s that work at each count (%s "
		"clock%s), largest scaling loss first\n  ",
		o->ranks ? "ranks' threads" : "threads", o->clock,
		strcmp(o->clock, "wall") ? "" : "; blocked in the kernel: " WS_SCALE_WAITING);
	for (size_t i = 0; i < s->npoints; i++)
		fprintf(f, "%8d", s->points[i].count);
	fprintf(f, "  %8s  %5s  function\n", "loss", "share");
	const struct ws_scale_fn *worst = NULL, *waiting = NULL;
	size_t shown = 0;
	for (size_t j = 0; j < s->nfns; j++) {
		const struct ws_scale_fn *fn = &s->fns[j];
		bool is_waiting = !strcmp(fn->function, WS_SCALE_WAITING);
		if (is_waiting)
			waiting = fn;
		else if (!worst)
			worst = fn;
		if (is_waiting || (o->top && shown >= (size_t)o->top))
			continue;
		shown++;
		print_fn(f, s, fn, "");
	}
	if (waiting)
		print_fn(f, s, waiting, " (blocked in the kernel: poll, futex waits, sleeps, ...)");
	/* the threads left out, at the largest count */
	size_t last = (s->npoints - 1) * (size_t)o->repeat;
	double threads = 0, seconds = 0;
	for (long r = 0; r < o->repeat; r++) {
		threads += (double)left[last + r].threads / (double)o->repeat;
		if (left[last + r].hz > 0)
			seconds +=
			    (double)left[last + r].samples / left[last + r].hz / (double)o->repeat;
	}
	if (threads > 0)
		fprintf(f,
			"  left out: %.0f thread%s at %d %s that did not take part in the work "
			"(as in report --threads: blocked or idle nearly all along, e.g. an MPI "
			"library's progress threads), %.3f s of their time\n",
			threads, threads >= 1.5 ? "s" : "", s->points[s->npoints - 1].count, unit,
			seconds);
	if (worst && worst->loss > 0 && s->total_loss > 0)
		fprintf(
		    f,
		    "\n  %s takes %.0f %% of the scaling loss: %.3f more %s-seconds at %d %s than "
		    "at %d\n",
		    worst->function, 100 * worst->loss / s->total_loss, worst->loss,
		    o->ranks ? "rank" : "thread", s->points[s->npoints - 1].count, unit,
		    s->points[0].count);
	if (waiting && waiting->loss > 0 && s->total_loss > 0)
		fprintf(
		    f,
		    "%s  waiting (threads blocked in the kernel) takes %.0f %% of it: %.3f more "
		    "%s-seconds\n",
		    worst && worst->loss > 0 ? "" : "\n", 100 * waiting->loss / s->total_loss,
		    waiting->loss, o->ranks ? "rank" : "thread");
}

/* DIR/scale.dat and DIR/scale.gp; with plot, run gnuplot on them. */
static int
write_plot(const struct scale_opts *o, const struct ws_scale *s)
{
	char *dat = ws_xasprintf("%s/scale.dat", o->output);
	char *gp = ws_xasprintf("%s/scale.gp", o->output);
	int rc = 0;
	FILE *f = fopen(dat, "w");
	if (f) {
		fprintf(f, "# count median_wall min max speedup ideal efficiency amdahl\n");
		double p0 = s->points[0].count;
		for (size_t i = 0; i < s->npoints; i++) {
			const struct ws_scale_point *p = &s->points[i];
			double q = p->count / p0;
			double f0 = s->serial_fraction;
			double am = !s->fitted ? NAN
				    : s->weak  ? q - f0 * (q - 1)
					       : 1 / (f0 + (1 - f0) / q);
			fprintf(f, "%d %.6f %.6f %.6f %.4f %.4f %.4f %.4f\n", p->count, p->median,
				p->min, p->max, p->speedup, q, p->efficiency, am);
		}
		rc = fclose(f);
	}
	if (!f || rc) {
		ws_errorf("scale: cannot write %s: %s", dat, strerror(errno));
		free(dat);
		free(gp);
		return -1;
	}
	/* the terminal lines; without --plot, a text plot (gnuplot DIR/scale.gp) */
	struct ws_plot_target target = {WS_PLOT_TERM, NULL};
	if (o->plot)
		ws_plot_parse(o->plot, &target); /* checked in cmd_scale */
	char *term = ws_plot_terminal(&target, 900, 420, 79, 24);
	f = fopen(gp, "w");
	if (!f) {
		ws_errorf("scale: cannot write %s: %s", gp, strerror(errno));
		free(dat);
		free(gp);
		free(term);
		return -1;
	}
	const char *unit = o->ranks ? "ranks" : "threads";
	char *qdat = ws_gp_string(dat);
	fprintf(f,
		"# whyslow scale: speedup and efficiency; gnuplot %s/scale.gp\n%s"
		"set multiplot layout 1,2\n"
		"set key top left\nset grid\nset xlabel '%s'\n"
		"set title '%s'\n"
		"plot %s using 1:6 with lines title 'ideal', "
		"'' using 1:5 with linespoints title 'measured'%s\n"
		"set title 'parallel efficiency'\nset yrange [0:*]\n"
		"plot %s using 1:($7*100) with linespoints title 'efficiency %%'\n"
		"unset multiplot\n",
		o->output, term, unit, s->weak ? "scaled speedup (weak scaling)" : "speedup", qdat,
		!s->fitted ? ""
		: s->weak  ? ", '' using 1:8 with lines dashtype 2 title 'Gustafson fit'"
			   : ", '' using 1:8 with lines dashtype 2 title 'Amdahl fit'",
		qdat);
	free(qdat);
	free(term);
	fclose(f);
	if (o->plot) {
		int prc = ws_plot_run(gp);
		if (prc != 0) {
			ws_errorf("scale: --plot: %s; the data and script are in %s and %s",
				  ws_plot_strerror(prc), dat, gp);
			rc = -1;
		} else if (strcmp(o->plot, "term")) {
			fprintf(stderr, "whyslow: scale: plot written to %s\n", o->plot);
		}
	}
	free(dat);
	free(gp);
	return rc;
}

/* The CPUs whyslow may run on, which the program inherits: its affinity
 * mask (taskset, a Slurm or container cpuset), else the online ones. */
static long
usable_cpus(void)
{
	for (int ncpus = 1024; ncpus <= (1 << 20); ncpus *= 2) {
		cpu_set_t *set = CPU_ALLOC(ncpus);
		if (!set)
			break;
		size_t size = CPU_ALLOC_SIZE(ncpus);
		CPU_ZERO_S(size, set);
		if (sched_getaffinity(0, size, set) == 0) {
			long n = CPU_COUNT_S(size, set);
			CPU_FREE(set);
			return n;
		}
		CPU_FREE(set);
		if (errno != EINVAL)
			break;
	}
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* Where we are, for the recordings: this very program. */
static char *
self_path(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return ws_xstrdup(buf);
}

int
cmd_scale(int argc, char **argv)
{
	struct scale_opts o = {
	    .launcher = "mpirun -np", .clock = "wall", .repeat = 3, .frequency = 1000, .top = 10};
	bool have_counts = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:ho:F:", options, NULL)) != -1) {
		switch (c) {
		case OPT_THREADS:
		case OPT_RANKS:
			if (have_counts) {
				ws_errorf("scale: give --threads or --ranks, once");
				return WS_EXIT_USAGE;
			}
			if (!parse_counts(optarg, o.counts, &o.ncounts)) {
				ws_errorf(
				    "scale: --%s: '%s' is not a list of ascending counts like "
				    "1,2,4,8",
				    c == OPT_RANKS ? "ranks" : "threads", optarg);
				return WS_EXIT_USAGE;
			}
			o.ranks = c == OPT_RANKS;
			have_counts = true;
			break;
		case OPT_LAUNCHER:
			o.launcher = optarg;
			break;
		case OPT_REPEAT:
			if (!ws_parse_long(optarg, 1, MAX_REPEAT, &o.repeat)) {
				ws_errorf("scale: --repeat: '%s' is not a number in 1..%d", optarg,
					  MAX_REPEAT);
				return WS_EXIT_USAGE;
			}
			break;
		case 'o':
			o.output = optarg;
			break;
		case OPT_CLOCK:
			if (strcmp(optarg, "cpu") && strcmp(optarg, "wall")) {
				ws_errorf("scale: --clock: '%s' is not cpu or wall", optarg);
				return WS_EXIT_USAGE;
			}
			o.clock = optarg;
			break;
		case 'F':
			if (!ws_parse_long(optarg, 1, 20000, &o.frequency)) {
				ws_errorf("scale: -F: '%s' is not a rate in 1..20000 Hz", optarg);
				return WS_EXIT_USAGE;
			}
			break;
		case OPT_TOP:
			if (!ws_parse_long(optarg, 0, 1000000, &o.top)) {
				ws_errorf("scale: --top: '%s' is not a number >= 0", optarg);
				return WS_EXIT_USAGE;
			}
			break;
		case OPT_PLOT:
			o.plot = optarg;
			break;
		case OPT_WEAK:
			o.weak = true;
			break;
		case 'h':
			usage(stdout);
			return WS_EXIT_OK;
		case ':':
			ws_errorf("scale: %s needs an argument (see whyslow scale --help)",
				  argv[optind - 1]);
			return WS_EXIT_USAGE;
		default:
			ws_errorf("scale: unknown option '%s' (see whyslow scale --help)",
				  argv[optind - 1]);
			return WS_EXIT_USAGE;
		}
	}
	if (!have_counts) {
		ws_errorf("scale: give the counts to run, --threads 1,2,4 or --ranks 1,2,4");
		return WS_EXIT_USAGE;
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc) {
		ws_errorf("scale: no program to run (whyslow scale --threads 1,2 -- PROGRAM ...)");
		return WS_EXIT_USAGE;
	}
	struct ws_plot_target target;
	if (o.plot && ws_plot_parse(o.plot, &target) < 0) {
		ws_errorf("scale: --plot: '%s' is not FILE.png, FILE.svg or term", o.plot);
		return WS_EXIT_USAGE;
	}
	o.prog = argv + optind;
	char *output = NULL;
	if (!o.output) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		char stamp[32];
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		output = ws_xasprintf("whyslow-scale-%s", stamp);
		o.output = output;
	}
	if (mkdir(o.output, 0777) != 0) {
		ws_errorf("scale: cannot create %s: %s%s", o.output, strerror(errno),
			  errno == EEXIST
			      ? " (give a new -o DIR: earlier runs are never overwritten)"
			      : "");
		free(output);
		return WS_EXIT_FAIL;
	}
	char *self = self_path();
	if (!self) {
		ws_errorf("scale: cannot find the whyslow executable (/proc/self/exe)");
		free(output);
		return WS_EXIT_FAIL;
	}
	o.absoutput = realpath(o.output, NULL);
	if (!o.absoutput) {
		ws_errorf("scale: %s: %s", o.output, strerror(errno));
		free(self);
		free(output);
		return WS_EXIT_FAIL;
	}
	long cores = usable_cpus();
	if (cores > 0 && o.counts[o.ncounts - 1] > cores)
		ws_errorf("scale: warning: %d %s is more than the %ld cores here (whyslow's CPU "
			  "affinity)",
			  o.counts[o.ncounts - 1], o.ranks ? "ranks" : "threads", cores);

	int rc = WS_EXIT_OK;
	size_t nruns = o.ncounts * (size_t)o.repeat;
	struct wsr_profile *profs = ws_xcalloc(nruns, sizeof *profs);
	struct ws_header *headers = ws_xcalloc(nruns, sizeof *headers);
	struct ws_flat *flats = ws_xcalloc(nruns, sizeof *flats);
	struct ws_scale_run *runs = ws_xcalloc(nruns, sizeof *runs);
	bool *loaded = ws_xcalloc(nruns, sizeof *loaded);
	struct left_out *left = ws_xcalloc(nruns, sizeof *left);
	struct ws_symbolizer *sym = ws_symbolizer_new();
	/* repeats outermost, so that a slow spell of a shared machine hits every
	 * count rather than one */
	for (long r = 1; r <= o.repeat && rc == WS_EXIT_OK; r++)
		for (size_t i = 0; i < o.ncounts && rc == WS_EXIT_OK; i++) {
			fprintf(stderr, "whyslow: scale: %d %s, run %ld of %ld...", o.counts[i],
				o.ranks ? "ranks" : "threads", r, o.repeat);
			if (run_one(&o, self, o.counts[i], r) < 0) {
				fputc('\n', stderr);
				rc = WS_EXIT_FAIL;
				break;
			}
			size_t k = i * (size_t)o.repeat + (size_t)(r - 1);
			char *dir = ws_xasprintf("%s/%d-%ld", o.output, o.counts[i], r);
			struct ws_error err;
			if (ws_load_dir(dir, &profs[k], &err) < 0) {
				fputc('\n', stderr);
				ws_errorf("%s", err.msg);
				rc = WS_EXIT_FAIL;
			} else {
				loaded[k] = true;
				/* with ranks, only the ranks' processes (a
				 * recording of the launcher too, as whyslow made
				 * them before: its start-up and polling threads
				 * would be most of a short run) */
				uint32_t *ids = ws_xcalloc((size_t)o.counts[i], sizeof *ids);
				for (int id = 0; id < o.counts[i]; id++)
					ids[id] = (uint32_t)id;
				struct ws_filter f = {.ranks = ids, .nranks = (size_t)o.counts[i]};
				const struct ws_filter *filter = o.ranks ? &f : NULL;
				ws_header_build(&profs[k], filter, sym, &headers[k]);
				ws_scale_flat_build(&profs[k], filter, sym, &flats[k],
						    &left[k].threads, &left[k].samples);
				left[k].hz = headers[k].achieved_hz;
				free(ids);
				runs[k] = (struct ws_scale_run){&headers[k], &flats[k]};
				fprintf(stderr, " %.3f s\n", headers[k].wall_seconds);
			}
			free(dir);
		}
	if (rc == WS_EXIT_OK) {
		struct ws_scale s;
		/* every function: the top cut is the printer's, which keeps
		 * the waiting line apart */
		ws_scale_build(o.counts, o.ncounts, (size_t)o.repeat, runs, 0, o.weak, &s);
		print_table(stdout, &o, &s, left, cores);
		if (write_plot(&o, &s) < 0)
			rc = WS_EXIT_FAIL;
		ws_scale_free(&s);
	}
	for (size_t k = 0; k < nruns; k++)
		if (loaded[k]) {
			ws_flat_free(&flats[k]);
			ws_header_free(&headers[k]);
			ws_profile_free(&profs[k]);
		}
	ws_symbolizer_free(sym);
	free(loaded);
	free(left);
	free(runs);
	free(flats);
	free(headers);
	free(profs);
	free(self);
	free(o.absoutput);
	free(output);
	return rc;
}
