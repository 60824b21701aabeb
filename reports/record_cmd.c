/* `whyslow record`: run a program with the collector preloaded
 * (docs/cli.md).
 *
 * The collector reaches the program through LD_PRELOAD, which the dynamic
 * loader honours only for dynamically linked programs that are not run in
 * secure-execution mode.  Those cases are refused up front with the reason,
 * because afterwards all there is to see is an empty recording.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "events.h"
#include "profile.h"
#include "rank_dir.h"
#include "util.h"

#ifndef PKGLIBDIR
#define PKGLIBDIR "/usr/local/lib/whyslow"
#endif

/* Exit statuses of a program that could not be run, as the shell uses them. */
enum { EXIT_NOEXEC = 126, EXIT_NOTFOUND = 127 };

struct record_opts {
	const char *output;
	long frequency, depth;
	int signal;
	const char *clock, *source;
	const char *openmp_runtime; /* "native" or "llvm" */
	bool no_mpi;
	bool gpu, no_gpu; /* --gpu, --no-gpu */
	bool quiet;
	long heap_sample;      /* 0: heap profile off */
	const char *events;    /* -e, comma-separated */
	const char *group;     /* --counters */
	const char *sample_on; /* --sample-on EVENT:PERIOD */
};

static void
usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: whyslow record [options] [--] PROGRAM [ARGS...]\n\n"
	    "Run PROGRAM with the sampling collector and write one profile file per process.\n\n"
	    "  -o, --output DIR        where the profile goes (default whyslow-YYYYmmdd-HHMMSS);\n"
	    "                          refused if DIR exists and is not empty\n"
	    "  -F, --frequency HZ      samples per second, 1..20000 (default 1000)\n"
	    "      --clock cpu|wall    sample CPU time or elapsed time (default cpu)\n"
	    "      --source auto|perf|timer\n"
	    "                          perf_event task clock, POSIX timers, or perf with\n"
	    "                          a fallback to timers (default auto)\n"
	    "      --depth N           stack depth limit, 1..1024 (default 128)\n"
	    "      --signal SIG        the sampling signal, a name or number; auto (the default):\n"
	    "                          the perf event's own SIGTRAP where the kernel has it\n"
	    "                          and no debugger is attached at start (the cheaper\n"
	    "                          delivery), else SIGPROF\n"
	    "      --openmp-runtime native|llvm\n"
	    "                          llvm: run an OpenMP program on LLVM's runtime (libomp,\n"
	    "                          which implements GCC's libgomp ABI too), preloaded in\n"
	    "                          front of the one it links, for its tool interface\n"
	    "                          (OMPT): each parallel region's time, per-thread work\n"
	    "                          and barrier waits in 'report --threads' (default native;\n"
	    "                          WHYSLOW_LIBOMP names another libomp.so)\n"
	    "      --no-mpi            do not time MPI calls (by default libwhyslow-mpi.so, where\n"
	    "                          it was built, is preloaded too: it times every MPI call\n"
	    "                          through PMPI for 'report --mpi')\n"
	    "      --gpu               trace the program's CUDA work with CUPTI for 'report "
	    "--gpu'\n"
	    "                          and say on stderr why when it cannot (without --gpu it is\n"
	    "                          traced too, as soon as the program initialises the CUDA\n"
	    "                          driver; docs/gpu.md)\n"
	    "      --no-gpu            do not trace CUDA work\n"
	    "      --heap-sample BYTES record about one allocation per BYTES allocated, with\n"
	    "                          its stack (default 524288; 1 = every allocation,\n"
	    "                          exact); allocator calls are always counted exactly\n"
	    "      --no-heap           no heap profile (malloc & co. are not followed)\n"
	    "  -e, --events LIST       count these events in every thread, comma-separated:\n"
	    "                          PAPI presets (PAPI_TOT_INS), perf:: events\n"
	    "                          (perf::PAGE-FAULTS) and native names; at most 8.\n"
	    "                          Each is checked before the run: one this machine\n"
	    "                          cannot count stops whyslow (exit 2) with the\n"
	    "                          reason; 'whyslow events' lists what works here\n"
	    "      --counters GROUP    count a group chosen by intent: ipc, memory, vector\n"
	    "                          or flops ('whyslow events' shows their events)\n"
	    "      --sample-on EVENT:PERIOD\n"
	    "                          sample every PERIOD occurrences of EVENT (counter\n"
	    "                          overflow) instead of CPU time, e.g.\n"
	    "                          perf::PAGE-FAULTS:100; samples then count events\n"
	    "  -q, --quiet             no summary line\n"
	    "  -h, --help              this help\n\n"
	    "The exit status is PROGRAM's; 'whyslow report DIR' shows the profile.\n\n"
	    "MPI: run each rank under its own whyslow record (mpirun -np 4 whyslow record\n"
	    "-- ./app): the ranks of one job share DIR (default whyslow-mpi-JOB), which the\n"
	    "first one marks with the job's identity (DIR/.whyslow-job); a rank of another\n"
	    "job is refused it.  'whyslow record -- mpirun ...' reaches ranks on other\n"
	    "hosts only if the launcher exports LD_PRELOAD and WHYSLOW_* (mpirun -x).\n");
}

/* Print a usage error; returns -1 for parse_options() to return. */
static int
usage_error(const char *fmt, const char *arg)
{
	fputs("whyslow: record: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (try 'whyslow record --help')\n", stderr);
	return -1;
}

/* A signal given as SIGPROF, PROF, prof, SIGRTMIN+3, RTMAX-1 or 27; 0 when
 * it is none, or one that cannot be caught. */
static int
parse_signal(const char *s)
{
	long n;
	if (ws_parse_long(s, 1, SIGRTMAX, &n))
		return n == SIGKILL || n == SIGSTOP ? 0 : (int)n;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcasecmp(s, abbrev) == 0)
			return sig == SIGKILL || sig == SIGSTOP ? 0 : sig;
	}
	int base;
	if (strncasecmp(s, "RTMIN", 5) == 0)
		base = SIGRTMIN;
	else if (strncasecmp(s, "RTMAX", 5) == 0)
		base = SIGRTMAX;
	else
		return 0;
	s += 5;
	if (*s == '\0')
		return base;
	if ((base == SIGRTMIN && *s != '+') || (base == SIGRTMAX && *s != '-'))
		return 0;
	if (!ws_parse_long(s + 1, 0, SIGRTMAX - SIGRTMIN, &n))
		return 0;
	return base == SIGRTMIN ? base + (int)n : base - (int)n;
}

static bool
one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

/* The option getopt_long() just rejected, as the user wrote it: a long
 * option is the word before optind; a short one is optopt, which may sit
 * inside a cluster such as -qZ. */
static const char *
bad_option(char **argv, char *buf, size_t n)
{
	const char *word = optind > 0 ? argv[optind - 1] : "";
	if (strncmp(word, "--", 2) == 0 || optopt == 0)
		return word;
	snprintf(buf, n, "-%c", optopt);
	return buf;
}

/* Parse the options; returns the index of PROGRAM in argv, or -1 after
 * printing why (with *status set). */
static int
parse_options(int argc, char **argv, struct record_opts *o, int *status)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"frequency", required_argument, NULL, 'F'},
	    {"clock", required_argument, NULL, 'c'},
	    {"source", required_argument, NULL, 's'},
	    {"depth", required_argument, NULL, 'd'},
	    {"signal", required_argument, NULL, 'S'},
	    {"openmp-runtime", required_argument, NULL, 'M'},
	    {"no-mpi", no_argument, NULL, 'P'},
	    {"gpu", no_argument, NULL, 'G'},
	    {"no-gpu", no_argument, NULL, 'U'},
	    {"events", required_argument, NULL, 'e'},
	    {"counters", required_argument, NULL, 'C'},
	    {"sample-on", required_argument, NULL, 'O'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"heap-sample", required_argument, NULL, 'H'},
	    {"no-heap", no_argument, NULL, 'N'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const clocks[] = {"cpu", "wall", NULL};
	static const char *const sources[] = {"auto", "perf", "timer", NULL};
	static const char *const runtimes[] = {"native", "llvm", NULL};
	*o = (struct record_opts){.frequency = 1000,
				  .depth = 128,
				  .signal = 0, /* auto */
				  .clock = "cpu",
				  .source = "auto",
				  .openmp_runtime = "native",
				  .heap_sample = 512 * 1024};
	*status = WS_EXIT_USAGE;
	/* "+": stop at PROGRAM, whose own options follow it; ":": report a
	 * missing argument apart from an unknown option. */
	opterr = 0;
	optind = 1;
	char flag[3];
	int c;
	while ((c = getopt_long(argc, argv, "+:o:F:e:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'F':
			if (!ws_parse_long(optarg, 1, 20000, &o->frequency))
				return usage_error("--frequency: '%s' is not a whole number of "
						   "samples per second in 1..20000",
						   optarg);
			break;
		case 'c':
			if (!one_of(optarg, clocks))
				return usage_error("--clock: '%s' is not cpu or wall", optarg);
			o->clock = optarg;
			break;
		case 's':
			if (!one_of(optarg, sources))
				return usage_error("--source: '%s' is not auto, perf or timer",
						   optarg);
			o->source = optarg;
			break;
		case 'd':
			if (!ws_parse_long(optarg, 1, 1024, &o->depth))
				return usage_error("--depth: '%s' is not a whole number in 1..1024",
						   optarg);
			break;
		case 'S':
			if (strcasecmp(optarg, "auto") == 0)
				o->signal = 0;
			else if (!(o->signal = parse_signal(optarg)))
				return usage_error("--signal: '%s' is not a signal that can be "
						   "caught (a name such as SIGPROF or SIGRTMIN+3, "
						   "or a number)",
						   optarg);
			break;
		case 'M':
			if (!one_of(optarg, runtimes))
				return usage_error("--openmp-runtime: '%s' is not native or llvm",
						   optarg);
			o->openmp_runtime = optarg;
			break;
		case 'P':
			o->no_mpi = true;
			break;
		case 'G':
			o->gpu = true;
			break;
		case 'U':
			o->no_gpu = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'H':
			if (!ws_parse_long(optarg, 1, 1l << 40, &o->heap_sample))
				return usage_error("--heap-sample: '%s' is not a number of bytes "
						   "in 1..2^40",
						   optarg);
			break;
		case 'N':
			o->heap_sample = 0;
			break;
		case 'e':
			if (o->events)
				return usage_error("%s",
						   "-e given twice: one comma-separated list");
			o->events = optarg;
			break;
		case 'C':
			if (!ws_counter_group(optarg))
				return usage_error("--counters: '%s' is not ipc, memory, vector or "
						   "flops",
						   optarg);
			o->group = optarg;
			break;
		case 'O':
			o->sample_on = optarg;
			break;
		case 'h':
			usage(stdout);
			*status = WS_EXIT_OK;
			return -1;
		case ':':
			return usage_error("option '%s' needs an argument",
					   bad_option(argv, flag, sizeof flag));
		default:
			return usage_error("unknown option '%s'",
					   bad_option(argv, flag, sizeof flag));
		}
	}
	if (o->sample_on && (strcmp(o->clock, "cpu") || !strcmp(o->source, "timer")))
		return usage_error("%s", "--sample-on samples a counter's overflows: it goes with "
					 "neither --clock wall nor --source timer");
	if (optind >= argc)
		return usage_error("%s", "no program to run: whyslow record [options] -- PROGRAM "
					 "[ARGS...]");
	return optind;
}

/* ---- finding the program, as execvp would ---- */

/* A program file that exec could run: regular and executable. */
static int
check_runnable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		return EACCES;
	return 0;
}

/* Search PATH for name like execvp: the first executable file wins, and a
 * non-executable one is reported only when no executable one was found.
 * Returns a new string, or NULL with *why set to ENOENT or EACCES. */
static char *
search_path(const char *name, int *why)
{
	if (strchr(name, '/')) {
		*why = check_runnable(name);
		return *why ? NULL : ws_xstrdup(name);
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";
	*why = ENOENT;
	for (const char *p = path;; p++) {
		const char *colon = strchrnul(p, ':');
		/* an empty element means the current directory */
		char *cand = colon == p ? ws_xasprintf("./%s", name)
					: ws_xasprintf("%.*s/%s", (int)(colon - p), p, name);
		int e = check_runnable(cand);
		if (e == 0)
			return cand;
		if (e == EACCES || e == EISDIR)
			*why = EACCES;
		free(cand);
		if (*colon == '\0')
			break;
		p = colon;
	}
	return NULL;
}

/* What exec would make of a file, checked for LD_PRELOAD to work.
 * Returns 0 when the program can be recorded, else an exit status after
 * printing the reason.  name is the user's spelling, for messages. */
static int check_program(const char *name, const char *path, int depth);

static bool
has_pt_interp(int fd, const Elf64_Ehdr *eh, bool *ok)
{
	*ok = false;
	uint64_t phnum = eh->e_phnum;
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return false;
	if (phnum == PN_XNUM) {
		/* the real count is in section header 0's sh_info */
		Elf64_Shdr sh;
		if (pread(fd, &sh, sizeof sh, (off_t)eh->e_shoff) != sizeof sh)
			return false;
		phnum = sh.sh_info;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof ph, (off_t)(eh->e_phoff + i * sizeof ph)) != sizeof ph)
			return false;
		if (ph.p_type == PT_INTERP) {
			*ok = true;
			return true;
		}
	}
	*ok = true;
	return false;
}

static int
check_elf(const char *name, const char *path, int fd)
{
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof eh, 0) != sizeof eh || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64) {
		ws_errorf("%s: not an x86_64 program: the collector can be loaded only into 64-bit "
			  "x86_64 programs",
			  name);
		return WS_EXIT_USAGE;
	}
	bool ok;
	bool dynamic = has_pt_interp(fd, &eh, &ok);
	if (!ok)
		return 0; /* unreadable program headers: exec will say what is wrong */
	if (!dynamic) {
		ws_errorf("%s: statically linked: LD_PRELOAD cannot load the collector into it; "
			  "relink it dynamically",
			  name);
		return WS_EXIT_USAGE;
	}
	return 0;
}

/* The loader runs set-user-ID, set-group-ID and file-capability programs
 * in secure-execution mode, where it ignores LD_PRELOAD of our library. */
static int
check_secure_exec(const char *name, const char *path, const struct stat *st)
{
	const char *what = NULL;
	if (st->st_mode & S_ISUID)
		what = "set-user-ID";
	else if (st->st_mode & S_ISGID)
		what = "set-group-ID";
	else if (getxattr(path, "security.capability", NULL, 0) > 0)
		what = "given file capabilities";
	if (!what)
		return 0;
	ws_errorf("%s: is %s: the loader ignores LD_PRELOAD for it, so the collector cannot "
		  "load; record a copy without that",
		  name, what);
	return WS_EXIT_USAGE;
}

/* "#!INTERP [ARG]": check the interpreter instead, following
 * "/usr/bin/env NAME" (or "env -S NAME ...") through PATH. */
static int
check_script(const char *name, int fd, int depth)
{
	char line[256];
	ssize_t n = pread(fd, line, sizeof line - 1, 0);
	if (n < 2)
		return 0;
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	char *save, *interp = strtok_r(line + 2, " \t", &save);
	char *arg = strtok_r(NULL, " \t", &save);
	if (!interp)
		return 0; /* exec will fail and say so */
	const char *base = strrchr(interp, '/');
	base = base ? base + 1 : interp;
	if (strcmp(base, "env") == 0 && arg) {
		if (strncmp(arg, "-S", 2) == 0)
			arg = arg[2] ? arg + 2 : strtok_r(NULL, " \t", &save);
		if (!arg || arg[0] == '-' || strchr(arg, '='))
			return 0; /* env options we do not follow: let exec decide */
		int why;
		char *resolved = search_path(arg, &why);
		if (!resolved)
			return 0; /* env will report it */
		int rc = check_program(arg, resolved, depth + 1);
		free(resolved);
		return rc;
	}
	if (check_runnable(interp) != 0)
		return 0;
	char *label = ws_xasprintf("%s (the interpreter of %s)", interp, name);
	int rc = check_program(label, interp, depth + 1);
	free(label);
	return rc;
}

static int
check_program(const char *name, const char *path, int depth)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return 0; /* e.g. execute-only: exec will decide */
	}
	char magic[4] = {0};
	ssize_t n = pread(fd, magic, sizeof magic, 0);
	int rc = 0;
	if (n == 4 && memcmp(magic, ELFMAG, SELFMAG) == 0) {
		rc = check_secure_exec(name, path, &st);
		if (rc == 0)
			rc = check_elf(name, path, fd);
	} else if (n >= 2 && magic[0] == '#' && magic[1] == '!' && depth < 4) {
		/* The kernel ignores set-ID bits on scripts: only the
		 * interpreter matters. */
		rc = check_script(name, fd, depth);
	}
	close(fd);
	return rc;
}

/* ---- where things go ---- */

/* The collector library: $WHYSLOW_LIB, the build tree's, or the installed
 * one.  Returns an absolute path, or NULL after printing why. */
static char *
find_library(void)
{
	const char *env = getenv("WHYSLOW_LIB");
	char *cand;
	if (env && *env) {
		cand = ws_xstrdup(env);
	} else {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
		cand = NULL;
		if (n > 0) {
			self[n] = '\0';
			char *slash = strrchr(self, '/');
			if (slash)
				*slash = '\0';
			cand = ws_xasprintf("%s/../profiler/.libs/libwhyslow.so", self);
			if (access(cand, R_OK) != 0) {
				free(cand);
				cand = NULL;
			}
		}
		if (!cand)
			cand = ws_xstrdup(PKGLIBDIR "/libwhyslow.so");
	}
	char *abs = realpath(cand, NULL);
	if (!abs || access(abs, R_OK) != 0) {
		ws_errorf("%s: cannot use the collector library: %s%s", cand, strerror(errno),
			  env && *env ? " (from WHYSLOW_LIB)" : " (is whyslow installed?)");
		free(cand);
		free(abs);
		return NULL;
	}
	free(cand);
	/* LD_PRELOAD separates its entries with spaces and colons. */
	if (strpbrk(abs, " :")) {
		ws_errorf("%s: LD_PRELOAD cannot name a path with a space or colon in it; "
			  "set WHYSLOW_LIB to another path of the library",
			  abs);
		free(abs);
		return NULL;
	}
	return abs;
}

static bool
dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

/* Make the output directory.  Returns its name as the user will type it
 * (a new string), *created saying whether we made it, or NULL.  When
 * whyslow record runs as one rank of an MPI job (mpirun -np 4 whyslow
 * record -- ./app), the ranks share one (rank_dir.h): -o DIR, or
 * whyslow-mpi-JOB. */
static char *
make_output_dir(const char *output, bool *created, int *status)
{
	*status = WS_EXIT_FAIL;
	*created = false;
	long rank;
	if (ws_mpi_rank(&rank)) {
		char *job;
		char *identity = ws_mpi_job_identity(&job);
		char *name = output ? ws_xstrdup(output) : ws_xasprintf("whyslow-mpi-%s", job);
		if (ws_rank_dir(name, identity, rank, created, status) < 0) {
			free(name);
			name = NULL;
		}
		free(identity);
		free(job);
		return name;
	}
	if (output) {
		struct stat st;
		if (stat(output, &st) == 0) {
			*status = WS_EXIT_USAGE;
			if (!S_ISDIR(st.st_mode)) {
				ws_errorf(
				    "%s: already exists and is not a directory; pick another -o",
				    output);
				return NULL;
			}
			if (!dir_is_empty(output)) {
				ws_errorf("%s: already exists and is not empty: whyslow never "
					  "overwrites a recording; pick another -o",
					  output);
				return NULL;
			}
			return ws_xstrdup(output);
		}
		if (mkdir(output, 0777) < 0) {
			ws_errorf("%s: cannot create the output directory: %s", output,
				  strerror(errno));
			return NULL;
		}
		*created = true;
		return ws_xstrdup(output);
	}
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(stamp, sizeof stamp, "whyslow-%Y%m%d-%H%M%S", localtime_r(&now, &tm));
	for (int n = 1; n < 1000; n++) {
		char *name = n == 1 ? ws_xstrdup(stamp) : ws_xasprintf("%s-%d", stamp, n);
		if (mkdir(name, 0777) == 0) {
			*created = true;
			return name;
		}
		int e = errno;
		free(name);
		if (e != EEXIST) {
			ws_errorf("%s: cannot create the output directory: %s", stamp, strerror(e));
			return NULL;
		}
	}
	ws_errorf("%s: too many recordings with this name; use -o", stamp);
	return NULL;
}

static void
set_env(const char *name, const char *value)
{
	if (setenv(name, value, 1) < 0)
		ws_die(WS_EXIT_FAIL, "cannot set %s: %s", name, strerror(errno));
}

/* LLVM's OpenMP runtime for --openmp-runtime=llvm: $WHYSLOW_LIBOMP, the
 * one configure found, or libomp.so.5 where Debian puts it.  Returns an
 * absolute path, or NULL after printing why. */
static char *
find_libomp(void)
{
#ifndef HAVE_OMPT
	ws_errorf("--openmp-runtime=llvm: this whyslow was built without the OpenMP tool "
		  "interface (configure found no omp-tools.h: install libomp-dev and rebuild)");
	return NULL;
#else
	const char *env = getenv("WHYSLOW_LIBOMP");
	const char *cands[] = {env && *env ? env : NULL, LIBOMP_PATH,
			       "/usr/lib/x86_64-linux-gnu/libomp.so.5",
			       "/usr/lib/aarch64-linux-gnu/libomp.so.5"};
	for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
		if (!cands[i] || !*cands[i])
			continue;
		char *abs = realpath(cands[i], NULL);
		if (abs && access(abs, R_OK) == 0 && !strpbrk(abs, " :"))
			return abs;
		if (i == 0)
			ws_errorf("%s (from WHYSLOW_LIBOMP): cannot use it: %s", cands[i],
				  abs ? "its path has a space or colon" : strerror(errno));
		free(abs);
		if (i == 0)
			return NULL;
	}
	ws_errorf("--openmp-runtime=llvm: LLVM's OpenMP runtime libomp.so.5 is not installed "
		  "(apt-get install libomp-dev, or set WHYSLOW_LIBOMP to its path)");
	return NULL;
#endif
}

/* The child's environment.  Set in whyslow itself: it does not exec. */
static void
setup_environment(const struct record_opts *o, const char *lib, const char *absdir)
{
	const char *prev = getenv("LD_PRELOAD");
	char *preload = prev && *prev ? ws_xasprintf("%s:%s", lib, prev) : ws_xstrdup(lib);
	set_env("LD_PRELOAD", preload);
	free(preload);
	char num[32];
	set_env("WHYSLOW_OUTPUT_DIR", absdir);
	snprintf(num, sizeof num, "%ld", o->frequency);
	set_env("WHYSLOW_FREQUENCY", num);
	set_env("WHYSLOW_CLOCK", o->clock);
	set_env("WHYSLOW_SOURCE", o->source);
	snprintf(num, sizeof num, "%ld", o->depth);
	set_env("WHYSLOW_DEPTH", num);
	if (o->signal)
		snprintf(num, sizeof num, "%d", o->signal);
	else
		snprintf(num, sizeof num, "auto");
	set_env("WHYSLOW_SIGNAL", num);
	set_env("WHYSLOW_HEAP", o->heap_sample ? "1" : "0");
	snprintf(num, sizeof num, "%ld", o->heap_sample ? o->heap_sample : 1);
	set_env("WHYSLOW_HEAP_SAMPLE", num);
#ifdef WS_HAVE_GPU
	/* GPU tracing (docs/gpu.md): the CUDA driver loads the collector
	 * (already preloaded) as its injection library at cuInit, unless
	 * another tool has claimed the injection already. */
	set_env("WHYSLOW_GPU", o->gpu && !o->no_gpu ? "1" : "0");
	const char *inj = getenv("CUDA_INJECTION64_PATH");
	if (!o->no_gpu && !(inj && *inj)) {
		char *first = ws_xstrdup(lib);
		char *colon = strchr(first, ':');
		if (colon)
			*colon = '\0';
		set_env("CUDA_INJECTION64_PATH", first);
		free(first);
	} else if (o->gpu && !o->no_gpu) {
		fprintf(stderr,
			"whyslow: GPU tracing is off: CUDA_INJECTION64_PATH is set already (%s)\n",
			inj);
	}
#else
	if (o->gpu)
		fprintf(stderr, "whyslow: GPU tracing is off: this whyslow was built without CUDA "
				"(configure --with-cuda)\n");
#endif
}

/* ---- counters ---- */

static char *event_code(const struct ws_event *e);

/* --sample-on EVENT:PERIOD: the period follows the last ':' (event names
 * hold colons). */
static int
setup_sample_on(const char *arg)
{
	const char *colon = strrchr(arg, ':');
	long period;
	if (!colon || colon == arg || !ws_parse_long(colon + 1, 1, 1000000000000L, &period)) {
		ws_errorf("record: --sample-on: '%s' is not EVENT:PERIOD (e.g. "
			  "perf::PAGE-FAULTS:100)",
			  arg);
		return WS_EXIT_USAGE;
	}
	char *name = ws_xasprintf("%.*s", (int)(colon - arg), arg);
	struct ws_event ev;
	int rc = 0;
	char *why = NULL;
	if (ws_event_check(name, &ev) < 0) {
		ws_errorf("record: --sample-on: %s cannot be counted here: %s\n  ('whyslow events' "
			  "lists what this machine can count)",
			  name, ev.reason);
		rc = WS_EXIT_USAGE;
	} else if ((ev.exclude |= 2u, /* user mode only: see sampler.c's open_perf */
		    ws_event_check_sampling(&ev, (uint64_t)period, &why) < 0)) {
		ws_errorf("record: --sample-on: %s", why);
		rc = WS_EXIT_USAGE;
	} else {
		char *code = event_code(&ev);
		char *v = ws_xasprintf("%s:%llx", code, (unsigned long long)period);
		set_env("WHYSLOW_SAMPLE_ON", v);
		set_env("WHYSLOW_SAMPLE_ON_NAME", name);
		free(v);
		free(code);
	}
	free(why);
	ws_event_free(&ev);
	free(name);
	return rc;
}

/* "TYPE:CONFIG:CONFIG1:CONFIG2:EXCLUDE" (profiler/counters.h) */
static char *
event_code(const struct ws_event *e)
{
	return ws_xasprintf("%x:%llx:%llx:%llx:%x", e->type, (unsigned long long)e->config,
			    (unsigned long long)e->config1, (unsigned long long)e->config2,
			    e->exclude);
}

static void
add_name(char ***names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return;
	*names = ws_xrealloc(*names, (*n + 1) * sizeof **names);
	(*names)[(*n)++] = ws_xstrdup(name);
}

/* Check -e, --counters and --sample-on before the run and put the
 * collector's variables in the environment.  0, or an exit status after
 * saying, for each event that cannot be counted here, why. */
static int
setup_counters(const struct record_opts *o)
{
	unsetenv("WHYSLOW_EVENTS");
	unsetenv("WHYSLOW_EVENT_CODES");
	unsetenv("WHYSLOW_SAMPLE_ON");
	unsetenv("WHYSLOW_SAMPLE_ON_NAME");
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	if (o->group) {
		char *why;
		size_t k;
		char **chosen = ws_counter_group_resolve(ws_counter_group(o->group), &k, &why);
		if (!chosen) {
			ws_errorf(
			    "record: %s\n  ('whyslow events' lists what this machine can count)",
			    why);
			free(why);
			return WS_EXIT_USAGE;
		}
		if (why)
			ws_errorf("record: %s", why);
		free(why);
		for (size_t i = 0; i < k; i++) {
			add_name(&names, &n, chosen[i]);
			free(chosen[i]);
		}
		free(chosen);
	}
	if (o->events) {
		char *copy = ws_xstrdup(o->events), *save, *tok;
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			add_name(&names, &n, tok);
		free(copy);
		if (!n) {
			ws_errorf("record: -e: no event named in '%s'", o->events);
			return WS_EXIT_USAGE;
		}
	}
	if (n > WS_MAX_EVENTS) {
		ws_errorf("record: %zu events asked for; at most %d are counted at once", n,
			  WS_MAX_EVENTS);
		rc = WS_EXIT_USAGE;
	}
	struct ws_event *ev = ws_xcalloc(n + 1, sizeof *ev);
	size_t bad = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (ws_event_check(names[i], &ev[i]) < 0) {
			ws_errorf("record: event %s cannot be counted here: %s", names[i],
				  ev[i].reason);
			bad++;
		}
	if (bad) {
		ws_errorf("record: nothing was run; 'whyslow events' lists what this machine can "
			  "count");
		rc = WS_EXIT_USAGE;
	}
	char *why = NULL;
	if (!rc && n && ws_events_check_group(ev, n, &why) < 0) {
		ws_errorf("record: %s", why);
		rc = WS_EXIT_USAGE;
	}
	free(why);
	if (!rc && n) {
		char *list = ws_xstrdup(""), *codes = ws_xstrdup("");
		for (size_t i = 0; i < n; i++) {
			char *c = event_code(&ev[i]);
			char *l2 = ws_xasprintf("%s%s%s", list, i ? "," : "", names[i]);
			char *c2 = ws_xasprintf("%s%s%s", codes, i ? "," : "", c);
			free(c);
			free(list);
			free(codes);
			list = l2;
			codes = c2;
		}
		set_env("WHYSLOW_EVENTS", list);
		set_env("WHYSLOW_EVENT_CODES", codes);
		free(list);
		free(codes);
	}
	for (size_t i = 0; i < n; i++) {
		ws_event_free(&ev[i]);
		free(names[i]);
	}
	free(ev);
	free(names);
	if (!rc && o->sample_on)
		rc = setup_sample_on(o->sample_on);
	return rc;
}

/* ---- running it ---- */

static volatile sig_atomic_t child_pid;

/* SIGTERM and SIGHUP sent to whyslow (by a batch system, a closing
 * terminal) are meant for the program. */
static void
forward_signal(int sig)
{
	int saved = errno;
	if (child_pid > 0)
		kill(child_pid, sig);
	errno = saved;
}

/* Fork and exec.  Returns the wait status, or -1 if the program could not
 * be started (*exec_errno then says why). */
static int
run_child(const char *path, char **argv, int *exec_errno)
{
	/* Block the signals we handle until the handlers are in place, so
	 * none is lost or kills whyslow between fork and sigaction. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	/* The child reports a failed exec through a close-on-exec pipe: a
	 * successful exec closes it with nothing written. */
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		ws_die(WS_EXIT_FAIL, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		ws_die(WS_EXIT_FAIL, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execv(path, argv);
		int e = errno;
		ssize_t w = write(fds[1], &e, sizeof e);
		(void)w;
		_exit(e == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
	}
	close(fds[1]);
	child_pid = pid;
	struct sigaction ign = {.sa_handler = SIG_IGN}, fwd = {.sa_handler = forward_signal};
	sigemptyset(&ign.sa_mask);
	sigemptyset(&fwd.sa_mask);
	/* The terminal sends SIGINT and SIGQUIT to the whole foreground
	 * group: the program gets them itself; whyslow waits for it. */
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigaction(SIGTERM, &fwd, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	*exec_errno = 0;
	ssize_t r;
	do
		r = read(fds[0], exec_errno, sizeof *exec_errno);
	while (r < 0 && errno == EINTR);
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			ws_die(WS_EXIT_FAIL, "waitpid: %s", strerror(errno));
	child_pid = 0;
	return r == sizeof *exec_errno ? -1 : status;
}

static bool
has_profiles(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *e;
	bool found = false;
	size_t sl = strlen(WS_FILE_SUFFIX);
	while (!found && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		found = n > sl && strcmp(e->d_name + n - sl, WS_FILE_SUFFIX) == 0;
	}
	closedir(d);
	return found;
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The one-line summary of what was recorded (unless quiet); what went
 * wrong is said even when quiet. */
static void
summarize(const char *dir, bool quiet)
{
	if (!has_profiles(dir)) {
		ws_errorf(
		    "no profile was written to %s: the program did not load the collector "
		    "(it may have cleared LD_PRELOAD or be statically linked; WHYSLOW_DEBUG=1 "
		    "shows the collector's messages)",
		    dir);
		return;
	}
	struct wsr_profile prof;
	struct ws_error err;
	if (ws_load_dir(dir, &prof, &err) < 0) {
		ws_errorf("%s", err.msg);
		return;
	}
	if (quiet) {
		ws_profile_free(&prof);
		return;
	}
	uint64_t samples = 0, threads = 0, dropped = 0, incomplete = 0;
	for (size_t i = 0; i < prof.nprocs; i++) {
		const struct wsr_process *p = &prof.procs[i];
		incomplete += !p->complete;
		threads += p->nthreads;
		for (size_t t = 0; t < p->nthreads; t++) {
			samples += p->threads[t].info.samples;
			for (int r = 0; r < WS_DROP_NREASONS; r++)
				dropped += p->threads[t].info.dropped[r];
		}
	}
	char inc[48] = "";
	if (incomplete)
		snprintf(inc, sizeof inc, ", %llu incomplete", (unsigned long long)incomplete);
	ws_errorf("%llu %s, %llu %s, %zu %s, %llu dropped%s; data in %s (whyslow report %s)",
		  (unsigned long long)samples, plural(samples, "sample", "samples"),
		  (unsigned long long)threads, plural(threads, "thread", "threads"), prof.nprocs,
		  plural(prof.nprocs, "process", "processes"), (unsigned long long)dropped, inc,
		  dir, dir);
	ws_profile_free(&prof);
}

/* Die of the signal that killed the program, so that whoever ran whyslow
 * (a shell, make, a batch system) sees what happened to it; no core file
 * of whyslow, which is not the one that crashed. */
static int
die_like(int sig)
{
	struct rlimit none = {0, 0};
	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig; /* a signal whose default is not to terminate */
}

static const char *
signal_name(int sig, char *buf, size_t n)
{
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev)
		snprintf(buf, n, "SIG%s", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, n, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, n, "signal %d", sig);
	return buf;
}

int
cmd_record(int argc, char **argv)
{
	struct record_opts o;
	int status;
	int prog = parse_options(argc, argv, &o, &status);
	if (prog < 0)
		return status;
	const char *name = argv[prog];
	int why;
	char *path = search_path(name, &why);
	if (!path) {
		if (why == ENOENT)
			ws_errorf("%s: no such program", name);
		else
			ws_errorf("%s: cannot run it: %s", name,
				  why == EISDIR ? "is a directory" : "permission denied");
		return why == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
	}
	int rc = check_program(name, path, 0);
	if (rc == 0)
		rc = setup_counters(&o);
	char *lib = rc ? NULL : find_library();
	if (rc == 0 && !lib)
		rc = WS_EXIT_FAIL;
	if (rc == 0 && !o.no_mpi) {
		/* the PMPI tracing library beside the collector, where built */
		char *mpi = ws_xstrdup(lib);
		char *slash = strrchr(mpi, '/');
		if (slash) {
			*slash = '\0';
			char *cand = ws_xasprintf("%s/libwhyslow-mpi.so", mpi);
			if (access(cand, R_OK) == 0) {
				char *both = ws_xasprintf("%s:%s", lib, cand);
				free(lib);
				lib = both;
			}
			free(cand);
		}
		free(mpi);
	}
	if (rc == 0 && strcmp(o.openmp_runtime, "llvm") == 0) {
		/* ours first: libomp looks ompt_start_tool up in the global scope */
		char *omp = find_libomp();
		if (omp) {
			char *both = ws_xasprintf("%s:%s", lib, omp);
			free(lib);
			free(omp);
			lib = both;
		} else {
			rc = WS_EXIT_FAIL;
		}
	}
	bool created = false;
	char *dir = rc ? NULL : make_output_dir(o.output, &created, &rc);
	char *absdir = dir ? realpath(dir, NULL) : NULL;
	if (dir && !absdir) {
		ws_errorf("%s: %s", dir, strerror(errno));
		rc = WS_EXIT_FAIL;
	}
	if (!absdir) {
		free(path);
		free(lib);
		free(dir);
		return rc;
	}
	setup_environment(&o, lib, absdir);

	int exec_errno;
	status = run_child(path, argv + prog, &exec_errno);
	int exit_code;
	if (status < 0) {
		ws_errorf("%s: cannot execute it: %s", name, strerror(exec_errno));
		if (created)
			rmdir(dir); /* nothing was recorded: leave no trace */
		exit_code = exec_errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
	} else {
		if (WIFSIGNALED(status)) {
			char buf[32];
			ws_errorf("%s was killed by %s%s", name,
				  signal_name(WTERMSIG(status), buf, sizeof buf),
				  WCOREDUMP(status) ? " (core dumped)" : "");
		}
		summarize(dir, o.quiet);
		exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : WS_EXIT_FAIL;
	}
	free(path);
	free(lib);
	free(dir);
	free(absdir);
	if (status >= 0 && WIFSIGNALED(status)) {
		fflush(NULL);
		return die_like(WTERMSIG(status));
	}
	return exit_code;
}
