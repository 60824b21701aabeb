#!/bin/sh
# A program with its own SIGPROF profiler keeps its behaviour: t_ownprof
# installs a SIGPROF handler (sigaction) and a 100 Hz ITIMER_PROF and
# burns 1 s of CPU.  Profiled, its handler must be called by its own timer
# about as often as unprofiled (within 30 %), never by whyslow's sampling
# (a call with another si_code), sigaction must still report its handler,
# and the profile must still have samples in own_burn.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

"$(prog t_ownprof)" >"$WORK/plain.out" || hard_error "t_ownprof fails unprofiled: $(cat "$WORK/plain.out")"
n0=$(awk '{ print $2 }' "$WORK/plain.out")
echo "$ws_name: unprofiled: $(cat "$WORK/plain.out")"
ge "$n0" 50 || hard_error "t_ownprof's itimer fired only $n0 times in 1 s of CPU unprofiled"

d=$WORK/rec j=$WORK/report.json
ws_record "$d" -- "$(prog t_ownprof)" >"$WORK/prof.out" 2>"$WORK/prof.err"
rc=$?
echo "$ws_name: profiled:   $(cat "$WORK/prof.out") (exit $rc)"
if [ $rc -ne 0 ]; then
	[ $rc -eq 2 ] && fail "sigaction(SIGPROF) no longer reports the program's own handler"
	fail "whyslow record -- t_ownprof exited $rc: $(cat "$WORK/prof.err")"
	ws_finish
fi
n1=$(awk '{ print $2 }' "$WORK/prof.out")
m1=$(awk '{ print $4 }' "$WORK/prof.out")
[ "$m1" -eq 0 ] || fail "the program's SIGPROF handler got $m1 calls that were not from its own itimer"
lo=$(awk -v n="$n0" 'BEGIN { print n * 0.7 }') hi=$(awk -v n="$n0" 'BEGIN { print n * 1.3 }')
ge "$n1" "$lo" && le "$n1" "$hi" || fail "its handler ran $n1 times profiled, $n0 unprofiled (allowed $lo..$hi)"
if ws_report "$d" "$j"; then
	jq -r '(.header.notes // [])[], (.header.warnings // [])[] | "    note: \(.)"' "$j"
	[ "$(jq_get "$j" .header.samples)" -gt 0 ] || fail "the profile has no samples"
	[ "$(fn_self_samples "$j" own_burn)" -gt 0 ] || { fail "no samples in own_burn"; show_flat "$j"; }
else
	fail "whyslow report failed"
fi
ws_finish
