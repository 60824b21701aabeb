#!/bin/sh
# A multiprocessing.Pool ended with terminate() (tests/py_pool_term.py):
# its workers get SIGTERM while the collector writes their profiles at
# their os._exit.  The signal must wait for the profile (the collector
# blocks the asynchronous fatal signals while it writes), not interrupt it:
# every worker's profile is complete (END record) and has its samples, and
# the run ends as without whyslow (exit 0).  Before, each worker's handler
# waited 2 s for the interrupted writer, then died with an incomplete file
# and no samples.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
ws_require
ws_require_python
ws_workdir

k=0
for py in $PYTHONS; do
	k=$((k + 1))
	d=$WORK/rec$k j=$WORK/report$k.json
	if ! ws_record "$d" -- "$py" "$SRCDIR/py_pool_term.py" >"$WORK/out$k" 2>"$WORK/err$k"; then
		fail "$py: whyslow record failed: $(cat "$WORK/err$k")"
		continue
	fi
	grep -q '^pool_term ' "$WORK/out$k" || fail "$py: the script's output is missing"
	"$WHYSLOW" report --json "$d" >"$j" 2>"$j.err" || { fail "$py: report failed: $(cat "$j.err")"; continue; }
	n=$(jq '.processes | length' "$j")
	bad=$(jq -c '[.processes[] | select(.complete != true or .samples == 0) | [.pid, .samples, .end, .complete]]' "$j")
	note "$py: $n processes; incomplete or empty: $bad"
	[ "$n" -ge 5 ] || fail "$py: $n processes recorded, want the script and its 4 workers"
	[ "$bad" = "[]" ] || fail "$py: workers' profiles incomplete or empty: $bad"
done
ws_finish
