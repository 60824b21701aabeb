/* whyslow: the command-line front end.  Dispatches to the verbs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"

static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verbs[] = {
    {"record", cmd_record, "run a program under the sampling collector"},
    {"report", cmd_report,
     "print a recorded profile (flat, tree, lines; threads, vector, memory, ...)"},
    {"compare", cmd_compare, "two recordings side by side: speedup, what changed"},
    {"scale", cmd_scale, "record at several thread or rank counts: how it scales"},
    {"export", cmd_export, "convert a recording: folded stacks, pprof, Chrome trace"},
    {"machine", cmd_machine, "this machine's peak bandwidth and FLOP/s (the roofline)"},
    {"events", cmd_events, "what this machine can count (record -e, --counters)"},
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: whyslow <command> [options] [--] ...\n\n"
		"whyslow %s: measure before you optimise.\n\ncommands:\n",
		PACKAGE_VERSION);
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f,
		"\n'whyslow <command> --help' describes each command; the manual (cli.md,\n"
		"installed in share/doc/whyslow) has them all.\n"
		"Typical use:\n"
		"  whyslow record -- ./myprog args     # writes whyslow-<date>-<time>/\n"
		"  whyslow report                      # flat profile of the newest recording\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return WS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return WS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("whyslow %s\n", PACKAGE_VERSION);
		return WS_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);
	ws_errorf("'%s' is not a whyslow command (try 'whyslow --help')", argv[1]);
	return WS_EXIT_USAGE;
}
