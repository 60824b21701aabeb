#!/bin/sh
# The unwinder reads only what is readable: t_unwindgap spins in gap_spin,
# whose frame pointer (and so its unwind rule's CFA) points into the
# PROT_NONE gap between two segments of libtgap.so (linked with
# -z max-page-size=0x200000), for 0.3 s sampled at 20,000 Hz.  Every
# sample unwinds through that frame.  The run must exit 0 (an unwinder
# that trusts the module's whole span faults in the sampling handler:
# status 139), its profile be complete, have samples in gap_spin and count
# the corrupt frames as unwind failures.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

lib=$(testlib libtgap.so)
[ -r "$lib" ] || hard_error "test library not built: $lib"
"$(prog t_unwindgap)" "$lib" 0.01 >"$WORK/plain" 2>&1
rc=$?
[ $rc -eq 77 ] && skip "$(cat "$WORK/plain")"
[ $rc -eq 0 ] || hard_error "t_unwindgap exits $rc unprofiled: $(cat "$WORK/plain")"

d=$WORK/rec j=$WORK/report.json
ws_record "$d" -F 20000 -- "$(prog t_unwindgap)" "$lib" 0.3 >"$WORK/out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	fail "whyslow record -- t_unwindgap exited $rc (the program alone: 0)"
	sed 's/^/    /' "$WORK/out"
	ws_finish
fi
ws_report "$d" "$j" || { fail "the profile is not readable"; ws_finish; }
n=$(fn_self_samples "$j" gap_spin)
uf=$(jq_get "$j" .header.unwind_failures)
inc=$(jq_get "$j" .header.incomplete_processes)
echo "$ws_name: $(cat "$WORK/out" | head -1); gap_spin $n samples, $uf unwind failures, $inc incomplete"
[ "$inc" -eq 0 ] || fail "the profile is incomplete"
[ "$n" -gt 0 ] || { fail "no samples in gap_spin"; show_flat "$j"; }
[ "$uf" -gt 0 ] || fail "the corrupt frames were not counted as unwind failures"
ws_finish
