# Helpers of the tests of the course's Python exercises
# (examples/python/, tests/test_pyex_*.sh).  Sourced after common.sh and
# python_common.sh.
#
# pyex_python numpy|any: sets PY to the CPython 3.11 to run the exercises
# with: the first of ws_pythons that imports NumPy (Debian's
# /usr/bin/python3 with python3-numpy; pyenv's python3 has none), or, for
# `any`, the first 3.11 when none has NumPy.  Skips (77) with the reason.
pyex_python() {
	PYTHONS=$(ws_pythons)
	[ -n "$PYTHONS" ] || skip "no CPython 3.11 found (python3, /usr/bin/python3): Python frames are supported for 3.11 only"
	PY=
	for _p in $PYTHONS; do
		if "$_p" -c 'import numpy' >/dev/null 2>&1; then
			PY=$_p
			break
		fi
	done
	if [ -z "$PY" ]; then
		[ "$1" = any ] || skip "no CPython 3.11 with NumPy (tried: $(echo $PYTHONS)): install python3-numpy (Debian) for /usr/bin/python3"
		set -- $PYTHONS
		PY=$1
	fi
	note "Python: $PY ($("$PY" -c 'import sys; print(sys.version.split()[0])'))"
}

# The exercises, in the source tree; no __pycache__ written there (a
# read-only source tree under distcheck, a clean checkout otherwise).
EX=$SRCDIR/../examples/python
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

# pyex_record NAME SCRIPT ARGS...: record `$PY $EX/SCRIPT ARGS` into
# $WORK/NAME (its output in $WORK/NAME.out) and write `report --python
# --json` to $WORK/NAME.json.  Returns 1 (with the reason) when the script
# failed, which includes a wrong result.
pyex_record() {
	_n=$1 _s=$2
	shift 2
	if ! ws_record "$WORK/$_n" -- "$PY" "$EX/$_s" "$@" >"$WORK/$_n.out" 2>"$WORK/$_n.err"; then
		pyex_bad "$_s $*: exited non-zero under whyslow record (a wrong result is exit 1):"
		sed 's/^/    /' "$WORK/$_n.out" "$WORK/$_n.err" | head -n 20
		return 1
	fi
	sed "s/^/$ws_name: /" "$WORK/$_n.out"
	ws_report "$WORK/$_n" "$WORK/$_n.json" --python || {
		pyex_bad "report --python on $_n failed"
		return 1
	}
}

# py_line JSON FILE LINE: "self_samples self_percent native_percent" of
# that Python line (all functions at it, e.g. a genexpr's), "0 0 0" if absent.
py_line() {
	jq -r --arg f "$2" --argjson l "$3" '[.python.lines[] | select(.line == $l and (.file | endswith("/" + $f)))]
		| if length == 0 then "0 0 0" else
		  "\(map(.self_samples) | add) \(map(.self_percent) | add) \(100 * (map(.native_samples) | add) / (map(.self_samples) | add))" end' "$1"
}

# py_fn JSON FUNCTION: "total_samples self_samples native_percent_of_self"
# of a Python function (the largest row of that name), "0 0 0" if absent.
py_fn() {
	jq -r --arg f "$2" '[.python.functions[] | select(.function == $f)] | max_by(.total_samples)
		| if . == null then "0 0 0" else "\(.total_samples) \(.self_samples) \(.native_percent)" end' "$1"
}

# py_under JSON FUNCTION: "samples native_percent" of the Python stacks
# that run through FUNCTION (its own lines and everything it called).
py_under() {
	jq -r --arg f "$2" '[.python.stacks[] | select(.stack | test("(^|;)" + $f + ":[0-9]+(;|$)"))]
		| if length == 0 then "0 0" else
		  "\(map(.self_samples) | add) \(100 * (map(.native_samples) | add) / (map(.self_samples) | add))" end' "$1"
}

# py_hottest_line JSON: "FILE:LINE self_percent" of the hottest Python line.
py_hottest_line() {
	jq -r '.python.lines | max_by(.self_samples) | if . == null then "none 0" else "\(.file | split("/") | last):\(.line) \(.self_percent)" end' "$1"
}

# printed NAME VARIANT KEY: the value of KEY=... on the variant's output line.
printed() {
	sed -n "s/^[a-z]* $2: .*[ ]$3=\([^ ]*\).*/\1/p" "$WORK/$1.out" | head -n 1
}

# Each test's checks run in a function pyex_attempt N, which records and
# checks everything and says what it measured; a failed check calls
# pyex_bad.  pyex_run runs it, and once more when a check failed (a timing
# on a 2-core machine shared with other tests); the second result stands,
# so a wrong attribution, which fails both times, fails the test.
pyex_bad() {
	echo "FAIL: $ws_name (attempt $pyex_try): $*"
	pyex_failed=1
}
pyex_run() {
	for pyex_try in 1 2; do
		pyex_failed=0
		pyex_attempt "$pyex_try"
		[ "$pyex_failed" -eq 0 ] && break
		[ "$pyex_try" -eq 1 ] && note "a check failed; recording again (attempt 2 of 2, its result stands)"
	done
	[ "$pyex_failed" -eq 0 ] || fail "failed on both attempts (above)"
	ws_finish
}
