/* perf_attr.h: the perf_event_attr of one counter in a read group, shared by
 * the collector (counters.c: the events it counts in every thread) and the
 * command (reports/events.c: the same events opened once before the run, to
 * refuse what the kernel would refuse).  Both sides must ask the kernel for
 * exactly the same thing, so the attr is built here, once.
 *
 * ws_perf_counter_attr() is async-signal-safe (it only fills memory). */
#ifndef WHYSLOW_PERF_ATTR_H
#define WHYSLOW_PERF_ATTR_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* exclude: bit 0 user, bit 1 kernel, bit 2 hypervisor (as WHYSLOW_EVENTS
 * carries it from the command to the collector).  disabled: the group's leader
 * starts disabled and is enabled once the group is complete. */
static inline void
ws_perf_counter_attr(struct perf_event_attr *a, uint32_t type, uint64_t config, uint64_t config1,
		     uint64_t config2, unsigned exclude, bool disabled)
{
	memset(a, 0, sizeof *a);
	a->size = sizeof *a;
	a->type = type;
	a->config = config;
	a->config1 = config1;
	a->config2 = config2;
	a->exclude_user = exclude & 1;
	a->exclude_kernel = (exclude >> 1) & 1;
	a->exclude_hv = (exclude >> 2) & 1;
	a->disabled = disabled;
	a->read_format =
	    PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
}

#endif
