#!/bin/sh
# SA_RESETHAND, emulated by the collector's signal virtualisation, ends
# like the kernel's: t_sigreset's child installs a SIGTSTP handler with
# SA_RESETHAND and raises SIGTSTP twice.  The first runs the handler once
# (and leaves SIG_DFL installed); the second must stop the child (its
# parent sees it stopped by SIGTSTP, continues it), and the child exits 0.
# Checked unprofiled first; under whyslow the output and exit status must
# be the same, and both processes' profiles complete.  (Before the fix the
# second SIGTSTP was ignored: "child did not stop".)
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

"$(prog t_sigreset)" >"$WORK/plain" 2>&1
rc=$?
[ $rc -eq 0 ] || hard_error "t_sigreset fails unprofiled ($rc): $(cat "$WORK/plain")"
d=$WORK/rec j=$WORK/report.json
ws_record "$d" -- "$(prog t_sigreset)" >"$WORK/out" 2>&1
rc=$?
echo "$ws_name: under whyslow: $(tr '\n' ';' <"$WORK/out") exit $rc"
[ $rc -eq 0 ] || fail "whyslow record -- t_sigreset exited $rc (the program alone: 0)"
cmp -s "$WORK/plain" "$WORK/out" || {
	fail "the output differs from the unprofiled run's"
	sed 's/^/    plain: /' "$WORK/plain"
	sed 's/^/    whyslow: /' "$WORK/out"
}
if ws_report "$d" "$j"; then
	[ "$(jq_get "$j" '.processes | length')" -eq 2 ] || fail "expected 2 processes"
	[ "$(jq_get "$j" .header.incomplete_processes)" -eq 0 ] || fail "incomplete profiles"
else
	fail "the profile is not readable"
fi
ws_finish
