/* Counter events as `whyslow record -e`, `--counters`, `--sample-on` and
 * `whyslow events` see them (docs/counters.md).
 *
 * A name is resolved in the whyslow process, before the run:
 *  - PAPI_* presets through PAPI (built with HAVE_PAPI): the preset must
 *    add to a PAPI event set on this machine (else PAPI's reason, and its
 *    component's reason when the component is disabled) and map to one
 *    native event (derived presets are refused, with their formula);
 *  - everything else (perf::PAGE-FAULTS, perf::INSTRUCTIONS,
 *    amd64_fam19h_zen4::RETIRED_INSTRUCTIONS...) and the native event of
 *    a preset through libpfm4's pfm_get_os_event_encoding() into a
 *    perf_event_attr (HAVE_LIBPFM), counting user mode only;
 *  - then the kernel must open it: perf_event_open on the whyslow process
 *    itself (else errno, explained: a KVM guest without a virtual PMU
 *    refuses every hardware event with ENOENT).
 * The collector gets the encodings through WHYSLOW_EVENTS and
 * WHYSLOW_EVENT_CODES (profiler/counters.h) and never loads PAPI.
 *
 * Not thread-safe (PAPI and libpfm4 are initialised once, lazily).
 */
#ifndef WHYSLOW_EVENTS_H
#define WHYSLOW_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ws_event {
	char *name;   /* as given */
	bool ok;      /* the kernel opened it here */
	char *reason; /* why not, one line (NULL when ok) */
	char *native; /* what it counts: libpfm4's full name ("perf::PERF_COUNT_SW_PAGE_FAULTS:u=1")
		       */
	uint32_t type; /* perf_event_attr */
	uint64_t config, config1, config2;
	uint32_t exclude; /* bit 0 user, 1 kernel, 2 hypervisor */
};

/* Resolve and check one name; returns 0 (ok) or -1 (out->reason says
 * why).  Free with ws_event_free. */
int ws_event_check(const char *name, struct ws_event *out);
void ws_event_free(struct ws_event *e);

/* Can this build count at all (libpfm4)?  With PAPI presets? */
bool ws_events_built(void);
bool ws_events_papi_built(void);
/* One line on the libraries: "PAPI 7.0.0.0 (perf_event component disabled:
 * ...), libpfm4"; static storage. */
const char *ws_events_backend(void);

/* The events PAPI knows as presets (every one, available or not), in
 * PAPI's order; *n of them.  Newly allocated names (free each and the
 * array); NULL without PAPI. */
char **ws_events_papi_presets(size_t *n);
/* Its one-line description ("Instructions completed"), or "". */
const char *ws_events_describe(const char *name);

/* The perf:: events whyslow lists (software first, then the kernel's
 * generic hardware events), NULL-terminated. */
extern const char *const ws_perf_events[];

/* --counters groups: by intent, each a list of slots; a slot lists
 * alternatives, the first available one is used (PAPI presets first,
 * then the kernel's generic events that work on Intel and AMD alike).
 * A required slot with no available alternative makes the group
 * unavailable; optional ones are left out, with a note. */
#define WS_GROUP_SLOTS 6
#define WS_SLOT_ALTS 6
struct ws_counter_slot {
	const char *what; /* "instructions" */
	bool optional;
	const char *alts[WS_SLOT_ALTS]; /* NULL-terminated */
};
struct ws_counter_group {
	const char *name;   /* "ipc" */
	const char *intent; /* one line */
	struct ws_counter_slot slots[WS_GROUP_SLOTS];
	size_t nslots;
};
extern const struct ws_counter_group ws_counter_groups[];
extern const size_t ws_ncounter_groups;
const struct ws_counter_group *ws_counter_group(const char *name);

/* Resolve a group: the chosen names (newly allocated, *n of them) or NULL
 * when a required slot has none; *why (newly allocated) then says which
 * slot and each alternative's reason, and otherwise lists the optional
 * slots left out (NULL when none). */
char **ws_counter_group_resolve(const struct ws_counter_group *g, size_t *n, char **why);

/* Does the kernel sample on ev's overflow every `period` occurrences
 * (some counters count but cannot interrupt)?  0, or -1 with *why. */
int ws_event_check_sampling(const struct ws_event *ev, uint64_t period, char **why);

/* Can the kernel run these events together as one group (they fit on the
 * PMU at once)?  0, or -1 with *why. */
int ws_events_check_group(const struct ws_event *ev, size_t n, char **why);

#endif
