#!/bin/sh
# Samples dropped while a fork pauses sampling are counted in periods, like
# every drop: in t_forkpause, a worker's sampling signals wait while it
# burns 0.2 s in a handler that blocks every signal, and arrive, merged into
# one signal standing for ~200 periods (at 1,000 Hz), while another
# thread's fork has sampling paused.  The profile must count at least half
# of them as dropped.  (Before the fix: 1.)
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

d=$WORK/rec j=$WORK/report.json
ws_record "$d" -F 1000 -- "$(prog t_forkpause)" 0.2 >"$WORK/out" 2>&1 || {
	fail "whyslow record -- t_forkpause failed"
	sed 's/^/    /' "$WORK/out"
	ws_finish
}
ws_report "$d" "$j" || { fail "report failed"; ws_finish; }
dropped=$(jq_get "$j" .header.dropped)
echo "$ws_name: $dropped periods dropped during the fork (about 200 expected)"
jq -r '(.header.warnings // [])[] | "    warning: \(.)"' "$j"
[ "$dropped" -ge 100 ] || fail "only $dropped periods counted as dropped, expected about 200"
ws_finish
