/* The collector's configuration, read once from WHYSLOW_* environment
 * variables at start-up (never from the target's argv).  docs/cli.md lists
 * the variables.  Not async-signal-safe; the result is read-only after. */
#ifndef WHYSLOW_SETTINGS_H
#define WHYSLOW_SETTINGS_H

#include <stdbool.h>

/* Highest sampling rate: above it the handler and the kernel's signal
 * delivery take most of the CPU (measured: 52 % at 50 kHz on a 2-core VM). */
#define WS_MAX_HZ 20000

enum ws_source_pref { WS_PREF_AUTO, WS_PREF_PERF, WS_PREF_TIMER };

struct ws_config {
	char outdir[4096];
	unsigned hz;	     /* requested rate */
	int clock;	     /* enum ws_clock */
	int source_pref;     /* enum ws_source_pref */
	unsigned depth;	     /* stack depth limit */
	int signal;	     /* sampling signal */
	bool signal_auto;    /* WHYSLOW_SIGNAL unset or "auto": the sampler picks it */
	unsigned max_stacks; /* distinct stacks per thread (power of two) */
	int rank;	     /* MPI rank from the environment, -1 if none */
	unsigned regs;	     /* register snapshots kept per thread (regs.h), 0: off */
	bool debug;	     /* WHYSLOW_DEBUG: diagnostics on stderr */
};

extern struct ws_config ws_cfg;

/* Fill ws_cfg.  Returns 0, or -1 after printing why profiling is off. */
int ws_config_load(void);
/* WHYSLOW_<name> as a whole number in [min, max]; def when it is unset,
 * and with a warning when it is not such a number (not signal-safe). */
long ws_env_long(const char *name, long def, long min, long max);

#endif
