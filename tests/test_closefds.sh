#!/bin/sh
# A program that closes every descriptor keeps its files and its profile:
# a thread of t_closefds closes all descriptors >= 3 (whyslow's perf
# descriptors and profile among them), opens a file and dup2()s it onto
# every number that was open, then ends.  whyslow must not close or ioctl
# the program's file at that thread's end (it checks the perf event's id
# first), and the main thread then writes through every number: the file
# must hold what was written, the program exit 0 as it does unprofiled.
# The profile goes on (whyslow opens it again by name): complete, with
# samples in after_close.  (Before the fix: one of the numbers was closed
# under the program, and the profile ended incomplete.)
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

"$(prog t_closefds)" "$WORK/plain.txt" >"$WORK/plain" 2>&1 ||
	hard_error "t_closefds fails unprofiled: $(cat "$WORK/plain")"
d=$WORK/rec j=$WORK/report.json
ws_record "$d" -- "$(prog t_closefds)" "$WORK/file.txt" >"$WORK/out" 2>&1
rc=$?
echo "$ws_name: $(head -1 "$WORK/out"), exit $rc"
if [ $rc -ne 0 ]; then
	fail "whyslow record -- t_closefds exited $rc (the program alone: 0)"
	sed 's/^/    /' "$WORK/out"
fi
grep -q '^whyslow:' "$WORK/out" && { fail "whyslow complained:"; grep '^whyslow:' "$WORK/out" | sed 's/^/    /'; }
if ws_report "$d" "$j"; then
	[ "$(jq_get "$j" .header.incomplete_processes)" -eq 0 ] || fail "the profile is incomplete"
	[ "$(fn_self_samples "$j" after_close)" -gt 0 ] || { fail "no samples in after_close"; show_flat "$j"; }
else
	fail "the profile is not readable"
fi
ws_finish
