#!/bin/sh
# The descriptors whyslow adds to a process: its profile, plus one perf
# event per sampled thread with the perf source (none with timers) -- so 2
# for a single-threaded process (docs/collector.md).  t_fdcount prints its
# open descriptors in the parent, in a fork child and after the child execs
# itself; each must be the unprofiled count + 2 (+ 1 with timers).  Nothing
# may survive the exec (close-on-exec), nor may the child keep anything of
# the parent's.  (Before the fix: + 4, libunwind's memory-probe pipe.)
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

"$(prog t_fdcount)" >"$WORK/plain" 2>&1 || hard_error "t_fdcount fails unprofiled"
d=$WORK/rec j=$WORK/report.json
ws_record "$d" -- "$(prog t_fdcount)" >"$WORK/out" 2>&1 || { fail "whyslow record -- t_fdcount failed"; ws_finish; }
ws_report "$d" "$j" || { fail "report failed"; ws_finish; }
src=$(jq_get "$j" .header.source)
add=1
[ "$src" = perf-task-clock ] && add=2
for who in parent child exec; do
	p=$(awk -v w=$who '$1 == w { print $2 }' "$WORK/plain")
	w=$(awk -v w=$who '$1 == w { print $2 }' "$WORK/out")
	echo "$ws_name: $who: $p descriptors unprofiled, $w under whyslow (source $src: expected + $add)"
	[ -n "$p" ] && [ -n "$w" ] || { fail "t_fdcount printed no count for $who"; continue; }
	[ "$w" -eq $((p + add)) ] || fail "$who has $w descriptors under whyslow, expected $p + $add"
done
ws_finish
