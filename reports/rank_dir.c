/* The output directory shared by the ranks of one MPI job (see rank_dir.h). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "profile_format.h"
#include "rank_dir.h"
#include "util.h"

/* How long a rank waits for the claiming rank's marker line: its O_EXCL
 * create and its write are microseconds apart, but a shared file system
 * may show the new file before its contents. */
enum { MARKER_WAIT_MS = 30000, MARKER_POLL_MS = 20 };

static const char *
env(const char *name)
{
	const char *s = getenv(name);
	return s && *s ? s : NULL;
}

static bool
env_at_least(const char *name, long min)
{
	long v;
	const char *s = env(name);
	return s && ws_parse_long(s, min, LONG_MAX, &v);
}

bool
ws_mpi_rank(long *rank)
{
	/* the collector's order (profiler/settings.c env_rank) */
	static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK",
					   "SLURM_PROCID", "MV2_COMM_WORLD_RANK"};
	bool slurm_rank = env_at_least("SLURM_STEP_NUM_TASKS", 2) ||
			  (!env("SLURM_STEP_NUM_TASKS") && env("SLURM_STEP_ID") &&
			   env_at_least("SLURM_NTASKS", 2));
	*rank = -1;
	bool is_rank = false;
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *s = env(vars[i]);
		if (!s)
			continue;
		if (*rank < 0)
			*rank = atol(s);
		if (strcmp(vars[i], "SLURM_PROCID") || slurm_rank)
			is_rank = true;
	}
	if (!is_rank)
		*rank = -1;
	return is_rank;
}

char *
ws_mpi_job_identity(char **name)
{
	const char *ns = env("PMIX_NAMESPACE");
	if (!ns)
		ns = env("OMPI_MCA_ess_base_jobid");
	const char *hnp = env("OMPI_MCA_orte_hnp_uri");
	char *id;
	if (ns) {
		*name = ws_xstrdup(ns);
		id = ws_xasprintf("job %s%s%s", ns, hnp ? " launcher " : "", hnp ? hnp : "");
	} else if (env("SLURM_JOB_ID")) {
		const char *step = env("SLURM_STEP_ID") ? env("SLURM_STEP_ID") : "0";
		*name = ws_xasprintf("%s.%s", env("SLURM_JOB_ID"), step);
		id = ws_xasprintf("slurm %s", *name);
	} else {
		char host[256] = "";
		gethostname(host, sizeof host - 1);
		*name = ws_xasprintf("ppid%ld", (long)getppid());
		id = ws_xasprintf("launcher %ld on %s", (long)getppid(), host);
	}
	for (char *c = *name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != '_')
			*c = '_';
	/* one line */
	for (char *c = id; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	return id;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The marker's line (without its newline), waiting for it to be written;
 * NULL when none appears in time (*why: errno, ENOENT for no marker). */
static char *
read_marker(const char *path, int *why)
{
	for (long waited = 0;; waited += MARKER_POLL_MS) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			*why = errno;
			return NULL;
		}
		char buf[1024];
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			char *nl = strchr(buf, '\n');
			if (nl) {
				*nl = '\0';
				return ws_xstrdup(buf);
			}
		}
		if (waited >= MARKER_WAIT_MS) {
			*why = ETIMEDOUT;
			return NULL;
		}
		sleep_ms(MARKER_POLL_MS);
	}
}

/* Claim DIR for the job: 0 when this rank wrote the marker, 1 when another
 * one has (EEXIST), -1 on an error (printed). */
static int
write_marker(const char *dir, const char *path, const char *identity)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST)
			return 1;
		ws_errorf("%s: cannot write %s there: %s", dir, WS_RANK_DIR_MARKER,
			  strerror(errno));
		return -1;
	}
	char *line = ws_xasprintf("%s\n", identity);
	size_t len = strlen(line);
	ssize_t w = write(fd, line, len);
	int e = errno;
	free(line);
	if (close(fd) < 0 && w == (ssize_t)len) {
		w = -1;
		e = errno;
	}
	if (w != (ssize_t)len) {
		ws_errorf("%s: cannot write %s there: %s", dir, WS_RANK_DIR_MARKER,
			  w < 0 ? strerror(e) : "short write");
		return -1;
	}
	return 0;
}

/* What DIR holds besides the marker: *marker whether it is there, *other
 * whether anything else is, *mine whether a profile of rank rank is. */
static int
scan_dir(const char *dir, long rank, bool *marker, bool *other, bool *mine)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	*marker = *other = *mine = false;
	char tag[32];
	snprintf(tag, sizeof tag, ".r%ld.", rank);
	size_t sl = strlen(WS_FILE_SUFFIX);
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		size_t len = strlen(n);
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (!strcmp(n, WS_RANK_DIR_MARKER))
			*marker = true;
		else
			*other = true;
		if (rank >= 0 && strstr(n, tag) && len > sl &&
		    !strcmp(n + len - sl, WS_FILE_SUFFIX))
			*mine = true;
	}
	closedir(d);
	return 0;
}

int
ws_rank_dir(const char *dir, const char *identity, long rank, bool *created, int *status)
{
	*created = false;
	*status = WS_EXIT_FAIL;
	if (mkdir(dir, 0777) == 0) {
		*created = true;
	} else {
		struct stat st;
		int e = errno;
		if (e != EEXIST || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			ws_errorf("%s: cannot create the output directory: %s", dir,
				  e == EEXIST ? "exists and is not a directory" : strerror(e));
			*status = e == EEXIST ? WS_EXIT_USAGE : WS_EXIT_FAIL;
			return -1;
		}
	}
	char *path = ws_xasprintf("%s/%s", dir, WS_RANK_DIR_MARKER);
	int rc = -1;
	for (;;) {
		bool marker, other, mine;
		if (scan_dir(dir, rank, &marker, &other, &mine) < 0) {
			ws_errorf("%s: cannot read the output directory: %s", dir, strerror(errno));
			break;
		}
		/* the marker comes before anything else in a claimed DIR, but
		 * a scan may miss an entry made while it runs: look again */
		if (!marker && other)
			marker = access(path, F_OK) == 0;
		if (!marker && other) {
			ws_errorf("%s: already exists and is not empty: whyslow never "
				  "overwrites a recording; pick another -o",
				  dir);
			*status = WS_EXIT_USAGE;
			break;
		}
		if (!marker) {
			int w = write_marker(dir, path, identity);
			if (w < 0)
				break;
			if (w == 0) {
				rc = 0;
				break;
			}
			/* another rank claimed it just now */
		}
		int why;
		char *line = read_marker(path, &why);
		if (!line && why == ENOENT)
			continue; /* removed under us: look again */
		if (!line) {
			ws_errorf("%s: cannot read %s there%s: %s", dir, WS_RANK_DIR_MARKER,
				  why == ETIMEDOUT ? " (the rank that made it wrote nothing)" : "",
				  strerror(why));
			break;
		}
		bool same = !strcmp(line, identity);
		free(line);
		if (!same) {
			ws_errorf("%s: already exists and holds another job's recording: whyslow "
				  "never overwrites a recording; pick another -o",
				  dir);
			*status = WS_EXIT_USAGE;
		} else if (mine) {
			ws_errorf("%s: already holds a recording of rank %ld of this job (an "
				  "earlier run in the same job step): whyslow never overwrites a "
				  "recording; pick another -o",
				  dir, rank);
			*status = WS_EXIT_USAGE;
		} else {
			rc = 0;
		}
		break;
	}
	free(path);
	return rc;
}
