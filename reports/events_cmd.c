/* `whyslow events`: what this machine can count (docs/cli.md). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "events.h"
#include "json.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: whyslow events [--json] [--all]\n"
		   "\n"
		   "List what this machine can count for 'whyslow record -e' and --counters:\n"
		   "the kernel's perf:: events and PAPI's presets, each available or not with\n"
		   "the reason, and the --counters groups with the events each would use here.\n"
		   "Every event is checked for real (the kernel must open it).\n"
		   "\n"
		   "  --all      list every unavailable PAPI preset on its own line (by default\n"
		   "             presets that fail for the same reason share one line)\n"
		   "  --json     as JSON (schema whyslow-events, version 1, in docs/cli.md)\n"
		   "  -h, --help this help\n"
		   "\n"
		   "Exit status: 0, or 2 for a usage error.\n");
}

struct row {
	struct ws_event ev;
	const char *source; /* "perf", "papi" */
};

static void
check_all(struct row **rows, size_t *n)
{
	size_t np = 0;
	char **presets = ws_events_papi_presets(&np);
	size_t nperf = 0;
	while (ws_perf_events[nperf])
		nperf++;
	*rows = ws_xcalloc(nperf + np + 1, sizeof **rows);
	*n = 0;
	for (size_t i = 0; i < nperf; i++) {
		ws_event_check(ws_perf_events[i], &(*rows)[*n].ev);
		(*rows)[(*n)++].source = "perf";
	}
	for (size_t i = 0; i < np; i++) {
		ws_event_check(presets[i], &(*rows)[*n].ev);
		(*rows)[(*n)++].source = "papi";
		free(presets[i]);
	}
	free(presets);
}

static void
text_rows(const struct row *rows, size_t n, const char *source, bool all)
{
	size_t avail = 0, total = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].source, source)) {
			total++;
			avail += rows[i].ev.ok;
		}
	if (!strcmp(source, "perf"))
		printf("\nperf:: events (the kernel's): %zu of %zu available\n", avail, total);
	else
		printf("\nPAPI presets: %zu of %zu available\n", avail, total);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		if (strcmp(r->source, source) || !r->ev.ok)
			continue;
		printf("  yes  %-28s %s\n", r->ev.name, ws_events_describe(r->ev.name));
	}
	/* the unavailable ones, those sharing a reason together */
	bool *done = ws_xcalloc(n + 1, sizeof *done);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		if (done[i] || strcmp(r->source, source) || r->ev.ok)
			continue;
		if (all) {
			printf("  no   %-28s %s\n       %s\n", r->ev.name,
			       ws_events_describe(r->ev.name), r->ev.reason);
			continue;
		}
		size_t same = 0;
		printf("  no  ");
		for (size_t k = i; k < n; k++)
			if (!done[k] && !strcmp(rows[k].source, source) && !rows[k].ev.ok &&
			    !strcmp(rows[k].ev.reason, r->ev.reason)) {
				done[k] = true;
				printf("%s %s", same && same % 5 == 0 ? "\n      " : "",
				       rows[k].ev.name);
				same++;
			}
		printf("\n       %s\n", r->ev.reason);
	}
	free(done);
}

/* The status of each group's slots: the first available alternative, from
 * the rows already checked (a group's event not in the rows is checked). */
static const struct ws_event *
find_row(const struct row *rows, size_t n, const char *name, struct ws_event *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].ev.name, name))
			return &rows[i].ev;
	ws_event_check(name, extra);
	return extra;
}

static void
text_groups(const struct row *rows, size_t n)
{
	printf("\n--counters groups (each slot uses its first available event):\n");
	for (size_t g = 0; g < ws_ncounter_groups; g++) {
		const struct ws_counter_group *gr = &ws_counter_groups[g];
		bool ok = true;
		for (size_t s = 0; s < gr->nslots; s++) {
			bool found = false;
			for (size_t a = 0; a < WS_SLOT_ALTS && gr->slots[s].alts[a] && !found;
			     a++) {
				struct ws_event extra = {0};
				found = find_row(rows, n, gr->slots[s].alts[a], &extra)->ok;
				ws_event_free(&extra);
			}
			if (!found && !gr->slots[s].optional)
				ok = false;
		}
		printf("  %-7s %s\n          %s\n", gr->name, ok ? "available" : "NOT available",
		       gr->intent);
		for (size_t s = 0; s < gr->nslots; s++) {
			const struct ws_counter_slot *sl = &gr->slots[s];
			const char *chosen = NULL;
			printf("          %s%s: ", sl->what, sl->optional ? " (optional)" : "");
			for (size_t a = 0; a < WS_SLOT_ALTS && sl->alts[a]; a++) {
				struct ws_event extra = {0};
				bool avail = find_row(rows, n, sl->alts[a], &extra)->ok;
				ws_event_free(&extra);
				if (avail && !chosen)
					chosen = sl->alts[a];
				printf("%s%s", a ? " | " : "", sl->alts[a]);
			}
			printf(" -> %s\n", chosen ? chosen : "none here");
		}
	}
}

static int
json_out(const struct row *rows, size_t n)
{
	struct json j;
	json_init(&j, stdout, true);
	json_begin_object(&j);
	json_key(&j, "schema");
	json_string(&j, "whyslow-events");
	json_key(&j, "version");
	json_int(&j, 1);
	json_key(&j, "backend");
	json_string(&j, ws_events_backend());
	json_key(&j, "counters_built");
	json_bool(&j, ws_events_built());
	json_key(&j, "papi_built");
	json_bool(&j, ws_events_papi_built());
	json_key(&j, "events");
	json_begin_array(&j);
	for (size_t i = 0; i < n; i++) {
		const struct ws_event *e = &rows[i].ev;
		json_begin_object(&j);
		json_key(&j, "name");
		json_string(&j, e->name);
		json_key(&j, "source");
		json_string(&j, rows[i].source);
		json_key(&j, "available");
		json_bool(&j, e->ok);
		json_key(&j, "reason");
		json_string(&j, e->reason);
		json_key(&j, "description");
		json_string(&j, ws_events_describe(e->name));
		json_key(&j, "native");
		json_string(&j, e->native);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "groups");
	json_begin_array(&j);
	for (size_t g = 0; g < ws_ncounter_groups; g++) {
		const struct ws_counter_group *gr = &ws_counter_groups[g];
		json_begin_object(&j);
		json_key(&j, "name");
		json_string(&j, gr->name);
		json_key(&j, "intent");
		json_string(&j, gr->intent);
		bool ok = true;
		json_key(&j, "slots");
		json_begin_array(&j);
		for (size_t s = 0; s < gr->nslots; s++) {
			const struct ws_counter_slot *sl = &gr->slots[s];
			const char *chosen = NULL;
			json_begin_object(&j);
			json_key(&j, "what");
			json_string(&j, sl->what);
			json_key(&j, "optional");
			json_bool(&j, sl->optional);
			json_key(&j, "alternatives");
			json_begin_array(&j);
			for (size_t a = 0; a < WS_SLOT_ALTS && sl->alts[a]; a++) {
				struct ws_event extra = {0};
				if (find_row(rows, n, sl->alts[a], &extra)->ok && !chosen)
					chosen = sl->alts[a];
				ws_event_free(&extra);
				json_string(&j, sl->alts[a]);
			}
			json_end_array(&j);
			json_key(&j, "chosen");
			json_string(&j, chosen);
			json_end_object(&j);
			if (!chosen && !sl->optional)
				ok = false;
		}
		json_end_array(&j);
		json_key(&j, "available");
		json_bool(&j, ok);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	return json_finish(&j);
}

int
cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool json = false, all = false;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			usage(stdout);
			return WS_EXIT_OK;
		default:
			ws_errorf("events: unknown option '%s' (see whyslow events --help)",
				  argv[optind - 1]);
			return WS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ws_errorf("events: no arguments expected (got '%s')", argv[optind]);
		return WS_EXIT_USAGE;
	}
	struct row *rows;
	size_t n;
	check_all(&rows, &n);
	int rc;
	if (json) {
		rc = json_out(rows, n);
	} else {
		printf("whyslow events: what this machine can count\n  %s\n", ws_events_backend());
		text_rows(rows, n, "perf", all);
		text_rows(rows, n, "papi", all);
		if (!ws_events_papi_built())
			printf("  (built without PAPI: no presets)\n");
		text_groups(rows, n);
		printf("\nNative events of the CPU's PMU work with -e too, by libpfm4's names "
		       "(papi_native_avail or\nlibpfm4's showevtinfo list them).\n");
		rc = fflush(stdout) == 0 ? 0 : -1;
	}
	for (size_t i = 0; i < n; i++)
		ws_event_free(&rows[i].ev);
	free(rows);
	if (rc < 0) {
		ws_errorf("events: writing failed");
		return WS_EXIT_FAIL;
	}
	return WS_EXIT_OK;
}
