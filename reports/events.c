/* Counter events: names -> perf_event_attr, availability and reasons (see
 * events.h). */
#include "config.h"

#include "counter_table.h"
#include "events.h"
#include "perf_attr.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_PAPI
#include <papi.h>
#endif
#ifdef HAVE_LIBPFM
#include <perfmon/pfmlib_perf_event.h>
#endif

#include "util.h"

#ifndef PAPI_HUGE_STR_LEN
#define PAPI_HUGE_STR_LEN 1024
#define PAPI_MAX_STR_LEN 128
#endif

const char *const ws_perf_events[] = {
    "perf::TASK-CLOCK",	     "perf::CPU-CLOCK",
    "perf::PAGE-FAULTS",     "perf::MINOR-FAULTS",
    "perf::MAJOR-FAULTS",    "perf::CONTEXT-SWITCHES",
    "perf::CPU-MIGRATIONS",  "perf::CYCLES",
    "perf::INSTRUCTIONS",    "perf::CACHE-REFERENCES",
    "perf::CACHE-MISSES",    "perf::BRANCH-INSTRUCTIONS",
    "perf::BRANCH-MISSES",   "perf::L1-DCACHE-LOAD-MISSES",
    "perf::LLC-LOAD-MISSES", NULL,
};

const struct ws_counter_group ws_counter_groups[] = {
    {"ipc",
     "instructions per cycle: how busy the core is (IPC = instructions / cycles)",
     {{"instructions", false, {"PAPI_TOT_INS", "perf::INSTRUCTIONS"}},
      {"cycles", false, {"PAPI_TOT_CYC", "perf::CYCLES"}}},
     2},
    {"memory",
     "cache misses per 1000 instructions at each level, and page faults",
     {{"instructions", false, {"PAPI_TOT_INS", "perf::INSTRUCTIONS"}},
      {"L1 data cache misses", false, {"PAPI_L1_DCM", "perf::L1-DCACHE-LOAD-MISSES"}},
      {"L2 cache misses", true, {"PAPI_L2_DCM", "PAPI_L2_TCM"}},
      {"last-level cache misses",
       true,
       {"PAPI_L3_TCM", "perf::LLC-LOAD-MISSES", "perf::CACHE-MISSES"}},
      {"page faults", false, {"perf::PAGE-FAULTS"}}},
     5},
    {"vector",
     "the share of floating-point instructions that are vector (SIMD) ones",
     {{"floating-point instructions (or the scalar ones)",
       false,
       {"PAPI_FP_INS", "FP_ARITH_INST_RETIRED:SCALAR", WS_FP_ARITH_SCALAR}},
      {"vector instructions",
       false,
       {"PAPI_VEC_INS", "PAPI_VEC_DP", "PAPI_VEC_SP", "FP_ARITH_INST_RETIRED:VECTOR",
	WS_FP_ARITH_PACKED}},
      {"instructions", true, {"PAPI_TOT_INS", "perf::INSTRUCTIONS"}}},
     3},
    {"flops",
     "floating-point operations per second of each function's time",
     {{"floating-point operations",
       false,
       {"PAPI_DP_OPS", "PAPI_FP_OPS", "PAPI_SP_OPS", "RETIRED_SSE_AVX_FLOPS:ANY"}},
      {"cycles", true, {"PAPI_TOT_CYC", "perf::CYCLES"}}},
     2},
};
const size_t ws_ncounter_groups = sizeof ws_counter_groups / sizeof ws_counter_groups[0];

const struct ws_counter_group *
ws_counter_group(const char *name)
{
	for (size_t i = 0; i < ws_ncounter_groups; i++)
		if (!strcmp(ws_counter_groups[i].name, name))
			return &ws_counter_groups[i];
	return NULL;
}

bool
ws_events_built(void)
{
#ifdef HAVE_LIBPFM
	return true;
#else
	return false;
#endif
}

bool
ws_events_papi_built(void)
{
#ifdef HAVE_PAPI
	return true;
#else
	return false;
#endif
}

/* ---- PAPI ---- */

#ifdef HAVE_PAPI
static int papi_state; /* 0 not tried, 1 ok, -1 failed */
static char papi_why[512];

static bool
papi_init(void)
{
	if (papi_state)
		return papi_state > 0;
	int v = PAPI_library_init(PAPI_VER_CURRENT);
	if (v != PAPI_VER_CURRENT) {
		snprintf(papi_why, sizeof papi_why, "PAPI_library_init failed: %s",
			 v > 0 ? "version mismatch" : PAPI_strerror(v));
		papi_state = -1;
		return false;
	}
	papi_state = 1;
	return true;
}

/* ", component perf_event is disabled: <why>" when it is, else "". */
static const char *
component_why(int cidx)
{
	static char buf[PAPI_HUGE_STR_LEN + PAPI_MAX_STR_LEN + 64];
	const PAPI_component_info_t *ci = PAPI_get_component_info(cidx < 0 ? 0 : cidx);
	if (!ci || !ci->disabled) {
		buf[0] = 0;
		return buf;
	}
	snprintf(buf, sizeof buf, " (PAPI's %s component is disabled: %s)", ci->name,
		 ci->disabled_reason);
	return buf;
}
#endif

const char *
ws_events_backend(void)
{
	static char buf[PAPI_HUGE_STR_LEN + PAPI_MAX_STR_LEN + 512];
	size_t n = 0;
#ifdef HAVE_PAPI
	if (papi_init()) {
		int v = PAPI_get_opt(PAPI_LIB_VERSION, NULL);
		n += (size_t)snprintf(buf + n, sizeof buf - n, "PAPI %d.%d.%d%s",
				      PAPI_VERSION_MAJOR(v), PAPI_VERSION_MINOR(v),
				      PAPI_VERSION_REVISION(v), component_why(0));
	} else {
		n += (size_t)snprintf(buf + n, sizeof buf - n, "PAPI unusable: %s", papi_why);
	}
#else
	n += (size_t)snprintf(buf + n, sizeof buf - n, "built without PAPI (no PAPI_* presets)");
#endif
#ifdef HAVE_LIBPFM
	snprintf(buf + n, sizeof buf - n,
		 "; libpfm4 for event names; counted by whyslow's own perf_event groups");
#else
	snprintf(buf + n, sizeof buf - n, "; built without libpfm4: no counters");
#endif
	return buf;
}

char **
ws_events_papi_presets(size_t *n)
{
	*n = 0;
#ifdef HAVE_PAPI
	if (!papi_init())
		return NULL;
	char **out = NULL;
	int code = PAPI_PRESET_MASK;
	if (PAPI_enum_event(&code, PAPI_ENUM_FIRST) != PAPI_OK)
		return NULL;
	do {
		char name[PAPI_MAX_STR_LEN];
		if (PAPI_event_code_to_name(code, name) != PAPI_OK)
			continue;
		out = ws_xrealloc(out, (*n + 1) * sizeof *out);
		out[(*n)++] = ws_xstrdup(name);
	} while (PAPI_enum_event(&code, PAPI_ENUM_EVENTS) == PAPI_OK);
	return out;
#else
	return NULL;
#endif
}

const char *
ws_events_describe(const char *name)
{
#ifdef HAVE_PAPI
	static PAPI_event_info_t info;
	int code;
	if (!strncmp(name, "PAPI_", 5) && papi_init() &&
	    PAPI_event_name_to_code(name, &code) == PAPI_OK &&
	    PAPI_get_event_info(code, &info) == PAPI_OK)
		return info.short_descr;
#endif
	static const struct {
		const char *name, *what;
	} perf[] = {
	    {"perf::TASK-CLOCK", "CPU time of the thread, ns"},
	    {"perf::CPU-CLOCK", "CPU clock, ns"},
	    {"perf::PAGE-FAULTS", "page faults (minor and major)"},
	    {"perf::MINOR-FAULTS", "page faults served without I/O"},
	    {"perf::MAJOR-FAULTS", "page faults that waited for I/O"},
	    {"perf::CONTEXT-SWITCHES", "context switches"},
	    {"perf::CPU-MIGRATIONS", "moves to another CPU"},
	    {"perf::CYCLES", "core cycles"},
	    {"perf::INSTRUCTIONS", "instructions retired"},
	    {"perf::CACHE-REFERENCES", "last-level cache references"},
	    {"perf::CACHE-MISSES", "last-level cache misses"},
	    {"perf::BRANCH-INSTRUCTIONS", "branch instructions retired"},
	    {"perf::BRANCH-MISSES", "mispredicted branches"},
	    {"perf::L1-DCACHE-LOAD-MISSES", "L1 data cache load misses"},
	    {"perf::LLC-LOAD-MISSES", "last-level cache load misses"},
	};
	for (size_t i = 0; i < sizeof perf / sizeof perf[0]; i++)
		if (!strcmp(perf[i].name, name))
			return perf[i].what;
	return "";
}

/* ---- libpfm4 and the kernel ---- */

#ifdef HAVE_LIBPFM
static int pfm_state; /* 0 not tried, 1 ok, -1 failed */
static int pfm_init_rc;

static bool
pfm_init(void)
{
	if (!pfm_state) {
		pfm_init_rc = pfm_initialize();
		pfm_state = pfm_init_rc == PFM_SUCCESS ? 1 : -1;
	}
	return pfm_state > 0;
}
#endif

/* Why the kernel refused attr (errno e), in words. */
static char *
kernel_reason(const struct ws_event *ev, int e)
{
	const char *hint = "";
	bool hw = ev->type == PERF_TYPE_HARDWARE || ev->type == PERF_TYPE_HW_CACHE ||
		  ev->type == PERF_TYPE_RAW || ev->type >= PERF_TYPE_MAX;
	if (hw && (e == ENOENT || e == EOPNOTSUPP || e == ENODEV))
		hint = ": this machine gives no hardware counters to programs (a virtual machine "
		       "without a virtual PMU, or a PMU the kernel does not drive)";
	else if (e == EACCES || e == EPERM)
		hint = ": not allowed (kernel.perf_event_paranoid; try a lower value or "
		       "CAP_PERFMON)";
	return ws_xasprintf("the kernel refuses it (perf_event_open: %s)%s", strerror(e), hint);
}

static int
open_attr(const struct ws_event *ev, int group, bool disabled)
{
	struct perf_event_attr a;
	ws_perf_counter_attr(&a, ev->type, ev->config, ev->config1, ev->config2, ev->exclude,
			     disabled);
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, group, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A native (libpfm4) name into ev's attr; 0 or -1 with ev->reason. */
static int
encode_native(const char *name, struct ws_event *ev)
{
#ifdef HAVE_LIBPFM
	if (!pfm_init()) {
		ev->reason = ws_xasprintf("libpfm4 cannot start: %s", pfm_strerror(pfm_init_rc));
		return -1;
	}
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	pfm_perf_encode_arg_t arg;
	memset(&arg, 0, sizeof arg);
	arg.size = sizeof arg;
	arg.attr = &a;
	char *fstr = NULL;
	arg.fstr = &fstr;
	int rc = pfm_get_os_event_encoding(name, PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (rc != PFM_SUCCESS) {
		ev->reason = ws_xasprintf(
		    "libpfm4 does not know it on this machine (%s); 'whyslow events' lists what "
		    "works here, papi_native_avail every native name",
		    pfm_strerror(rc));
		return -1;
	}
	ev->native = ws_xstrdup(fstr ? fstr : name);
	free(fstr);
	ev->type = a.type;
	ev->config = a.config;
	ev->config1 = a.config1;
	ev->config2 = a.config2;
	ev->exclude =
	    (a.exclude_user ? 1u : 0) | (a.exclude_kernel ? 2u : 0) | (a.exclude_hv ? 4u : 0);
	return 0;
#else
	ev->reason = ws_xstrdup("whyslow was built without libpfm4 (install libpfm4-dev and "
				"reconfigure): no counters");
	return -1;
#endif
}

/* A PAPI preset: its one native event's name, or -1 with ev->reason. */
static int
papi_native(const char *name, char **native, struct ws_event *ev)
{
#ifdef HAVE_PAPI
	if (!papi_init()) {
		ev->reason = ws_xstrdup(papi_why);
		return -1;
	}
	int code, rc = PAPI_event_name_to_code(name, &code);
	if (rc != PAPI_OK) {
		ev->reason = ws_xasprintf("PAPI: %s%s", PAPI_strerror(rc), component_why(0));
		return -1;
	}
	int set = PAPI_NULL;
	rc = PAPI_create_eventset(&set);
	if (rc == PAPI_OK)
		rc = PAPI_add_event(set, code);
	if (set != PAPI_NULL) {
		PAPI_cleanup_eventset(set);
		PAPI_destroy_eventset(&set);
	}
	if (rc != PAPI_OK) {
		ev->reason = ws_xasprintf("PAPI: %s%s", PAPI_strerror(rc),
					  component_why(PAPI_get_event_component(code)));
		return -1;
	}
	PAPI_event_info_t info;
	if ((rc = PAPI_get_event_info(code, &info)) != PAPI_OK) {
		ev->reason = ws_xasprintf("PAPI: %s", PAPI_strerror(rc));
		return -1;
	}
	if (info.count != 1) {
		ev->reason =
		    ws_xasprintf("PAPI derives it from %u native events here (%s): whyslow "
				 "counts single events; give the native events with -e",
				 info.count, info.derived);
		return -1;
	}
	*native = ws_xstrdup(info.name[0]);
	return 0;
#else
	ev->reason = ws_xstrdup("whyslow was built without PAPI (install libpapi-dev and "
				"reconfigure): no PAPI_* presets; perf:: and native names work");
	return -1;
#endif
}

int
ws_event_check(const char *name, struct ws_event *out)
{
	*out = (struct ws_event){.name = ws_xstrdup(name)};
	if (!*name || strchr(name, ',')) {
		out->reason = ws_xstrdup("not an event name");
		return -1;
	}
	if (!ws_events_built()) {
		out->reason = ws_xstrdup("whyslow was built without libpfm4 (install libpfm4-dev "
					 "and reconfigure): no counters");
		return -1;
	}
	char *native = NULL;
	if (!strncmp(name, "PAPI_", 5) && papi_native(name, &native, out) < 0)
		return -1;
	int rc = encode_native(native ? native : name, out);
	free(native);
	if (rc < 0)
		return -1;
	/* Software events happen in the kernel (a context switch, a fault
	 * taken inside a system call): counted in user mode only, most would
	 * read 0.  Kernel mode too where the kernel allows it
	 * (perf_event_paranoid < 2 or CAP_PERFMON). */
	if (out->type == PERF_TYPE_SOFTWARE && (out->exclude & 2) && !strstr(name, ":k=") &&
	    !strstr(name, ":u=")) {
		out->exclude &= ~2u;
		int fd = open_attr(out, -1, true);
		if (fd >= 0) {
			close(fd);
			out->ok = true;
			return 0;
		}
		out->exclude |= 2u;
	}
	int fd = open_attr(out, -1, true);
	if (fd < 0) {
		out->reason = kernel_reason(out, -fd);
		return -1;
	}
	close(fd);
	out->ok = true;
	return 0;
}

void
ws_event_free(struct ws_event *e)
{
	free(e->name);
	free(e->reason);
	free(e->native);
	*e = (struct ws_event){0};
}

int
ws_event_check_sampling(const struct ws_event *ev, uint64_t period, char **why)
{
	struct perf_event_attr a;
	ws_perf_counter_attr(&a, ev->type, ev->config, ev->config1, ev->config2, ev->exclude, true);
	a.read_format = 0; /* a lone sampling event, not a group */
	a.sample_period = period;
	a.wakeup_events = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		*why = ws_xasprintf("%s cannot be sampled on its overflow here (perf_event_open "
				    "with a sample period: %s)",
				    ev->name, strerror(e));
		return -1;
	}
	close(fd);
	*why = NULL;
	return 0;
}

int
ws_events_check_group(const struct ws_event *ev, size_t n, char **why)
{
	*why = NULL;
	int fds[WS_SLOT_ALTS * WS_GROUP_SLOTS + 8];
	size_t open = 0;
	int rc = 0;
	for (size_t i = 0; i < n && i < sizeof fds / sizeof fds[0]; i++) {
		int fd = open_attr(&ev[i], open ? fds[0] : -1, open == 0);
		if (fd < 0) {
			*why = ws_xasprintf("%s cannot join a group with the events before it "
					    "(perf_event_open: %s)",
					    ev[i].name, strerror(-fd));
			rc = -1;
			break;
		}
		fds[open++] = fd;
	}
	if (rc == 0 && open) {
		/* A group that does not fit on the PMU never runs. */
		ioctl(fds[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
		struct timespec t0, t;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		volatile unsigned long x = 0;
		do {
			for (int k = 0; k < 10000; k++)
				x += (unsigned long)k;
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
		} while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) <
			 2000000L);
		uint64_t buf[3 + 64];
		ssize_t got = read(fds[0], buf, sizeof buf);
		if (got >= 24 && buf[1] > 0 && buf[2] == 0) {
			*why = ws_xasprintf("the %zu events do not fit on this machine's counters "
					    "together (the group never ran); ask for fewer",
					    n);
			rc = -1;
		}
	}
	for (size_t i = 0; i < open; i++)
		close(fds[i]);
	return rc;
}

char **
ws_counter_group_resolve(const struct ws_counter_group *g, size_t *n, char **why)
{
	*n = 0;
	*why = NULL;
	char **out = ws_xcalloc(g->nslots, sizeof *out);
	char *left_out = NULL;
	for (size_t s = 0; s < g->nslots; s++) {
		const struct ws_counter_slot *sl = &g->slots[s];
		char *reasons = NULL;
		bool found = false;
		for (size_t a = 0; a < WS_SLOT_ALTS && sl->alts[a] && !found; a++) {
			struct ws_event ev;
			if (ws_event_check(sl->alts[a], &ev) == 0) {
				out[(*n)++] = ws_xstrdup(sl->alts[a]);
				found = true;
			} else {
				char *r = ws_xasprintf("%s%s    %s: %s", reasons ? reasons : "",
						       reasons ? "\n" : "", sl->alts[a], ev.reason);
				free(reasons);
				reasons = r;
			}
			ws_event_free(&ev);
		}
		if (!found && !sl->optional) {
			free(*why);
			*why = ws_xasprintf("--counters %s needs %s, and none of its events works "
					    "here:\n%s",
					    g->name, sl->what, reasons ? reasons : "");
			free(reasons);
			free(left_out);
			for (size_t i = 0; i < *n; i++)
				free(out[i]);
			free(out);
			*n = 0;
			return NULL;
		}
		if (!found) {
			char *l = ws_xasprintf("%s%s%s (%s)", left_out ? left_out : "",
					       left_out ? "; " : "", sl->what, sl->alts[0]);
			free(left_out);
			left_out = l;
		}
		free(reasons);
	}
	if (left_out) {
		*why = ws_xasprintf("--counters %s: left out, not countable here: %s", g->name,
				    left_out);
		free(left_out);
	}
	return out;
}
