/* WHYSLOW_* environment variables -> struct ws_config. */
#include "settings.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "profile_format.h"

struct ws_config ws_cfg;

long
ws_env_long(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return def;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		ws_warnf("%s=%s is not a number in [%ld, %ld]; using %ld", name, s, min, max, def);
		return def;
	}
	return v;
}

static int
env_rank(void)
{
	static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK",
					   "SLURM_PROCID", "MV2_COMM_WORLD_RANK"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *s = getenv(vars[i]);
		if (s && *s)
			return atoi(s);
	}
	return -1;
}

int
ws_config_load(void)
{
	const char *dir = getenv("WHYSLOW_OUTPUT_DIR");
	if (!dir || !*dir)
		dir = ".";
	if (strlen(dir) >= sizeof ws_cfg.outdir) {
		ws_warnf("WHYSLOW_OUTPUT_DIR is too long; profiling is off");
		return -1;
	}
	strcpy(ws_cfg.outdir, dir);
	ws_cfg.hz = (unsigned)ws_env_long("WHYSLOW_FREQUENCY", 1000, 1, WS_MAX_HZ);
	ws_cfg.depth = (unsigned)ws_env_long("WHYSLOW_DEPTH", 128, 1, 1024);
	/* unset or "auto": SIGPROF until the sampler knows whether the perf
	 * event can deliver SIGTRAP itself (ws_sampler_choose) */
	const char *sig = getenv("WHYSLOW_SIGNAL");
	ws_cfg.signal_auto = !sig || !*sig || !strcmp(sig, "auto");
	ws_cfg.signal =
	    ws_cfg.signal_auto ? SIGPROF : (int)ws_env_long("WHYSLOW_SIGNAL", SIGPROF, 1, SIGRTMAX);
	if (ws_cfg.signal == SIGKILL || ws_cfg.signal == SIGSTOP || ws_cfg.signal == SIGSEGV ||
	    ws_cfg.signal == SIGBUS || ws_cfg.signal == SIGFPE || ws_cfg.signal == SIGILL) {
		ws_warnf("WHYSLOW_SIGNAL=%d cannot be a sampling signal; using SIGPROF",
			 ws_cfg.signal);
		ws_cfg.signal = SIGPROF;
	}
	long stacks = ws_env_long("WHYSLOW_MAX_STACKS", 16384, 64, 1 << 24);
	unsigned p2 = 64;
	while (p2 < stacks)
		p2 <<= 1;
	ws_cfg.max_stacks = p2;
	ws_cfg.regs = (unsigned)ws_env_long("WHYSLOW_REGS", 2048, 0, 1 << 20);

	const char *clk = getenv("WHYSLOW_CLOCK");
	ws_cfg.clock = WS_CLOCK_CPU;
	if (clk && !strcmp(clk, "wall"))
		ws_cfg.clock = WS_CLOCK_WALL;
	else if (clk && *clk && strcmp(clk, "cpu"))
		ws_warnf("WHYSLOW_CLOCK=%s is neither cpu nor wall; using cpu", clk);

	const char *src = getenv("WHYSLOW_SOURCE");
	ws_cfg.source_pref = WS_PREF_AUTO;
	if (src && !strcmp(src, "perf"))
		ws_cfg.source_pref = WS_PREF_PERF;
	else if (src && !strcmp(src, "timer"))
		ws_cfg.source_pref = WS_PREF_TIMER;
	else if (src && *src && strcmp(src, "auto"))
		ws_warnf("WHYSLOW_SOURCE=%s is not auto, perf or timer; using auto", src);

	const char *dbg = getenv("WHYSLOW_DEBUG");
	ws_cfg.debug = dbg && *dbg && strcmp(dbg, "0");
	ws_cfg.rank = env_rank();
	return 0;
}
