#!/bin/sh
# An exec that cannot succeed does not end the profile: t_execpath tries
# execvp("no-such-prog-xyz") (glibc's PATH search), then its own PATH
# search (execv of each entry + /no-such-prog-xyz, as Python's os.execvp
# does), then execv of a directory and of a file without execute
# permission -- all failing -- while a worker thread runs; then both
# threads work on and the program exits 0.  The recording must hold exactly
# one file, complete, ended by "exit", with samples in after_fail (main)
# and in worker_after (the worker stays sampled).  (Before the fix: one
# file per failed exec, and the worker unsampled after the first.)
# Then the same with a last exec of an executable file that is no program
# (ENOEXEC: it passes the checks, so the profile is written first): the
# process goes on in a second file, both complete and readable together,
# the second with samples in after_restart.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

mkdir -p "$WORK/bin1" "$WORK/bin2" "$WORK/adir"
: >"$WORK/notexec"
chmod 644 "$WORK/notexec"
PATH=$WORK/bin1:$WORK/bin2:$PATH
export PATH
d=$WORK/rec j=$WORK/report.json
if ! ws_record "$d" -- "$(prog t_execpath)" "$WORK/adir" "$WORK/notexec" >"$WORK/out" 2>&1; then
	fail "whyslow record -- t_execpath failed"
	sed 's/^/    /' "$WORK/out"
	ws_finish
fi
nfiles=$(ls "$d" | grep -c '\.wsp$')
echo "$ws_name: $(head -1 "$WORK/out"); files: $(ls "$d" | tr '\n' ' ')"
[ "$nfiles" -eq 1 ] || fail "expected exactly 1 .wsp file, got $nfiles"
ws_report "$d" "$j" || { fail "report failed"; ws_finish; }
jq -r '.processes[] | "    pid \(.pid) \(.file): \(.samples) samples, end \(.end) \(.status), complete \(.complete)"' "$j"
[ "$(jq_get "$j" '[.processes[] | select(.complete and .end == "exit" and .status == 0)] | length')" -ge 1 ] ||
	fail "no complete profile ended by exit 0"
for f in after_fail worker_after; do
	[ "$(fn_self_samples "$j" $f)" -gt 0 ] || { fail "no samples in $f after the failed execs"; show_flat "$j"; }
done

printf 'not a program\n' >"$WORK/badexec"
chmod 755 "$WORK/badexec"
d=$WORK/rec2 j=$WORK/report2.json
if ! ws_record "$d" -- "$(prog t_execpath)" "$WORK/adir" "$WORK/notexec" "$WORK/badexec" >"$WORK/out2" 2>&1; then
	fail "whyslow record -- t_execpath ... badexec failed"
	sed 's/^/    /' "$WORK/out2"
	ws_finish
fi
nfiles=$(ls "$d" | grep -c '\.wsp$')
[ "$nfiles" -eq 2 ] || fail "ENOEXEC: expected 2 .wsp files, got $nfiles"
ws_report "$d" "$j" || { fail "ENOEXEC: the two files are not readable"; ws_finish; }
jq -r '.processes[] | "    pid \(.pid) \(.file): \(.samples) samples, end \(.end) \(.status), complete \(.complete)"' "$j"
[ "$(jq_get "$j" .header.incomplete_processes)" -eq 0 ] || fail "ENOEXEC: incomplete profiles"
[ "$(fn_self_samples "$j" after_restart)" -gt 0 ] || { fail "ENOEXEC: no samples in after_restart"; show_flat "$j"; }
ws_finish
