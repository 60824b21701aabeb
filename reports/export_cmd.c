/* `whyslow export`: convert a recording to folded stacks or pprof
 * (docs/cli.md). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "commands.h"
#include "export.h"
#include "profile.h"
#include "symbolize.h"
#include "util.h"

static void
usage(FILE *f)
{
	fputs("usage: whyslow export --format folded|pprof|chrome [-o FILE] [DIR]\n"
	      "\n"
	      "Convert the profile recorded in DIR (default: the newest whyslow-* directory\n"
	      "in the current directory) for other tools.  Addresses are symbolised here;\n"
	      "inlined functions are frames of their own.\n"
	      "\n"
	      "formats:\n"
	      "  folded   one line per distinct stack, 'outer;...;inner COUNT', for\n"
	      "           flamegraph.pl and speedscope; inlined functions end in '_[i]'\n"
	      "  pprof    a gzipped profile.proto for pprof and speedscope, with samples\n"
	      "           labelled pid, tid and thread\n"
	      "  chrome   Chrome trace / Perfetto JSON (trace-event format): each\n"
	      "           thread's samples as a flame chart, and the GPU's kernels and\n"
	      "           copies per stream and the CUDA API calls (record on a CUDA\n"
	      "           program) on the same time axis\n"
	      "\n"
	      "options:\n"
	      "  -f, --format FORMAT  folded, pprof or chrome (required)\n"
	      "  -o, --output FILE    write to FILE instead of standard output (pprof is\n"
	      "                       binary: it is not written to a terminal)\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Warnings about the data (files changed since recording, ...) go to stderr.\n"
	      "Exit status: 0 success, 1 unreadable recording or failed write, 2 usage error.\n",
	      f);
}

static const struct option options[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int
cmd_export(int argc, char **argv)
{
	const char *format = NULL, *output = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return WS_EXIT_OK;
		case ':':
			ws_errorf("export: %s needs an argument (see whyslow export --help)",
				  argv[optind - 1]);
			return WS_EXIT_USAGE;
		default:
			ws_errorf("export: unknown option '%s' (see whyslow export --help)",
				  argv[optind - 1]);
			return WS_EXIT_USAGE;
		}
	}
	if (!format) {
		ws_errorf("export: --format folded|pprof|chrome is required");
		return WS_EXIT_USAGE;
	}
	bool pprof = !strcmp(format, "pprof"), chrome = !strcmp(format, "chrome");
	if (!pprof && !chrome && strcmp(format, "folded")) {
		ws_errorf("export: --format: '%s' is not folded, pprof or chrome", format);
		return WS_EXIT_USAGE;
	}
	if (argc - optind > 1) {
		ws_errorf("export: one recording directory at most (got '%s' and '%s')",
			  argv[optind], argv[optind + 1]);
		return WS_EXIT_USAGE;
	}
	if (pprof && !output && isatty(STDOUT_FILENO)) {
		ws_errorf("export: not writing binary pprof data to a terminal; use -o FILE or "
			  "redirect the output");
		return WS_EXIT_USAGE;
	}
	char *dir = optind < argc ? ws_xstrdup(argv[optind]) : ws_latest_recording();
	if (!dir) {
		ws_errorf("no recording given and no whyslow-* directory here");
		return WS_EXIT_USAGE;
	}

	struct wsr_profile prof;
	struct ws_error err;
	if (ws_load_dir(dir, &prof, &err) < 0) {
		ws_errorf("%s", err.msg);
		free(dir);
		return WS_EXIT_FAIL;
	}
	if (ws_profile_check_usable(&prof, &err) < 0) {
		ws_errorf("%s", err.msg);
		ws_profile_free(&prof);
		free(dir);
		return WS_EXIT_FAIL;
	}
	FILE *f = stdout;
	if (output && !(f = fopen(output, pprof ? "wb" : "w"))) {
		ws_errorf("%s: %s", output, strerror(errno));
		ws_profile_free(&prof);
		free(dir);
		return WS_EXIT_FAIL;
	}
	struct ws_symbolizer *sym = ws_symbolizer_new();
	/* What report would warn about (a process cut short, too few samples,
	 * truncated stacks) holds for the exported data too: say it here. */
	struct ws_header h;
	ws_header_build(&prof, NULL, sym, &h);
	for (size_t i = 0; i < h.nwarnings; i++)
		ws_errorf("warning: %s", h.warnings[i]);
	ws_header_free(&h);
	int rc = pprof	  ? ws_export_pprof(f, &prof, NULL, sym, &err)
		 : chrome ? ws_export_chrome(f, &prof, NULL, sym, &err)
			  : ws_export_folded(f, &prof, NULL, sym, &err);
	if (output && fclose(f) && rc == 0) {
		snprintf(err.msg, sizeof err.msg, "%s: %s", output, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		ws_errorf("export: %s", err.msg);
	const char *const *w;
	size_t nw = ws_symbolizer_warnings(sym, &w);
	for (size_t i = 0; i < nw; i++)
		ws_errorf("warning: %s", w[i]);
	ws_symbolizer_free(sym);
	ws_profile_free(&prof);
	free(dir);
	return rc < 0 ? WS_EXIT_FAIL : WS_EXIT_OK;
}
