#!/bin/sh
# whyslow compare on Python programs: the merged stacks reach compare too.
# tests/py_hot.py at scale 1 and at scale 0.5 (half the iterations of
# every function): compare names interp_loop as a [python] function, and
# its time before over after is about 2 (1.5..2.7), checked with
# compare --expect; compare --json has the row with module [python].
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
ws_require
ws_require_python
ws_workdir
command -v jq >/dev/null 2>&1 || skip "jq not found (apt-get install jq)"

py=$(echo "$PYTHONS" | head -n 1)
attempt() {
	a=$WORK/full$1 b=$WORK/half$1
	ws_record "$a" -- "$py" "$SRCDIR/py_hot.py" 1 >/dev/null || { echo "$ws_name: record failed"; return 1; }
	ws_record "$b" -- "$py" "$SRCDIR/py_hot.py" 0.5 >/dev/null || { echo "$ws_name: record failed"; return 1; }
	ok=0
	"$WHYSLOW" compare --top 0 "$a" "$b" >"$WORK/cmp$1.txt" 2>&1 || { echo "    compare failed: $(tail -n 2 "$WORK/cmp$1.txt")"; return 1; }
	grep -q ' interp_loop  *\[python\]' "$WORK/cmp$1.txt" ||
		{ echo "    no interp_loop [python] row: $(grep interp_loop "$WORK/cmp$1.txt")"; ok=1; }
	"$WHYSLOW" compare --top 0 --expect 'before.time(interp_loop) / after.time(interp_loop) > 1.5' \
		--expect 'before.time(interp_loop) / after.time(interp_loop) < 2.7' "$a" "$b" >"$WORK/exp$1.txt" 2>&1 ||
		{ echo "    $(grep 'expectation failed' "$WORK/exp$1.txt")"; ok=1; }
	"$WHYSLOW" compare --json --top 0 "$a" "$b" >"$WORK/cmp$1.json" 2>"$WORK/cmp$1.err" ||
		{ echo "    compare --json failed"; return 1; }
	n=$(jq '[.. | objects | select(.function? == "interp_loop" and .module? == "[python]")] | length' "$WORK/cmp$1.json")
	echo "$ws_name: $py: interp_loop rows with module [python] in compare --json: $n"
	[ "$n" -ge 1 ] || ok=1
	return $ok
}
retry_once attempt || fail "compare does not show the Python functions"
ws_finish
