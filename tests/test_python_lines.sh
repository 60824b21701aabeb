#!/bin/sh
# Python frames (docs/python.md): `report --python` on tests/py_hot.py, run
# by every CPython 3.11 found (pyenv's, linking libpython3.11.so, and
# Debian's, with the interpreter in its executable), must name
#  - the hot line of the pure-Python loop, with >= 90 % interpreter time;
#  - the zlib.compress line, with >= 80 % native time;
#  - two_shares at twice one_share's time (same loop body, twice the
#    iterations, called alternately): the ratio of their shares within 1.6..2.5, the same for
#    their hot lines within 1.5..2.7, and each function's share equal to
#    the sum of its lines' shares within 0.5 points;
#  - merged into the native stacks: the flat profile's interp_loop (module
#    [python]) has the same total as in --python within 1 point, its hot
#    line is in --lines, and the call paths (export --format folded, the
#    tree's) run _PyEval_EvalFrameDefault;<module>;main;interp_loop;
#    --no-python-merge shows
#    no [python] frame.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
ws_require
ws_require_python
ws_workdir

src=$SRCDIR/py_hot.py
l_interp=$(marker_line "$src" HOT_INTERP)
l_native=$(marker_line "$src" HOT_NATIVE)
l_one=$(marker_line "$src" HOT_ONE)
l_two=$(marker_line "$src" HOT_TWO)
k=0
for py in $PYTHONS; do
	k=$((k + 1))
	d=$WORK/rec$k j=$WORK/report$k.json
	if ! ws_record "$d" -- "$py" "$src"; then
		fail "$py: whyslow record failed"
		continue
	fi
	ws_report "$d" "$j" --python || { fail "$py: report --python failed"; continue; }
	ver=$(jq_get "$j" .python.version)
	line() { # LINE -> "self_percent native_percent"
		jq -r --argjson l "$1" '[.python.lines[] | select(.line == $l and (.file | endswith("py_hot.py")))] | if length == 0 then "0 0" else "\(.[0].self_percent) \(.[0].native_percent)" end' "$j"
	}
	func() { # NAME -> total_percent
		jq -r --arg f "$1" '[.python.functions[] | select(.function == $f) | .total_percent] | max // 0' "$j"
	}
	set -- $(line "$l_interp"); i_self=$1 i_nat=$2
	set -- $(line "$l_native"); n_self=$1 n_nat=$2
	set -- $(line "$l_one"); o_line=$1
	set -- $(line "$l_two"); t_line=$1
	o_fn=$(func one_share) t_fn=$(func two_shares)
	echo "$ws_name: $py (Python $ver): line $l_interp $i_self % ($i_nat % native), line $l_native $n_self % ($n_nat % native), one_share $o_fn % (line $o_line %), two_shares $t_fn % (line $t_line %)"
	awk -v s="$i_self" -v n="$i_nat" 'BEGIN { exit !(s >= 4 && n <= 10) }' ||
		fail "$py: the pure-Python loop's line $l_interp: $i_self % of the time, $i_nat % native (want >= 4 %, <= 10 % native)"
	awk -v s="$n_self" -v n="$n_nat" 'BEGIN { exit !(s >= 5 && n >= 80) }' ||
		fail "$py: zlib.compress's line $l_native: $n_self % of the time, $n_nat % native (want >= 5 %, >= 80 % native)"
	awk -v o="$o_fn" -v t="$t_fn" 'BEGIN { exit !(o > 0 && t / o >= 1.6 && t / o <= 2.5) }' ||
		fail "$py: two_shares / one_share = $t_fn / $o_fn, want 1.6..2.5 (twice the work)"
	awk -v o="$o_line" -v t="$t_line" 'BEGIN { exit !(o > 0 && t / o >= 1.5 && t / o <= 2.7) }' ||
		fail "$py: line $l_two / line $l_one = $t_line / $o_line, want 1.5..2.7 (twice the work)"
	for f in one_share two_shares interp_loop native_call; do
		fs=$(func "$f")
		ls=$(jq -r --arg f "$f" '[.python.lines[] | select(.function == $f) | .self_percent] | add // 0' "$j")
		awk -v a="$fs" -v b="$ls" 'BEGIN { x = a - b; exit !(a > 0 && x < 0.5 && x > -0.5) }' ||
			fail "$py: $f has $fs % of the time but its lines $ls %"
	done
	jq -e '.python.stacks[] | select(.stack | test("^<module>:[0-9]+;main:[0-9]+;interp_loop:'"$l_interp"'$"))' "$j" >/dev/null ||
		fail "$py: no Python stack <module>;main;interp_loop:$l_interp"
	m=$WORK/merged$k.json
	ws_report "$d" "$m" --lines || { fail "$py: report --lines failed"; continue; }
	flat=$(jq -r '[.flat[] | select(.function == "interp_loop" and .module == "[python]") | .total_percent] | max // 0' "$m")
	pyt=$(func interp_loop)
	hotl=$(jq -r --argjson l "$l_interp" '[.lines[] | select(.function == "interp_loop" and .line == $l) | .percent] | add // 0' "$m")
	echo "$ws_name: $py: merged: interp_loop total $flat % (--python $pyt %), line $l_interp in --lines $hotl %"
	awk -v a="$flat" -v b="$pyt" 'BEGIN { x = a - b; exit !(a > 0 && x < 1 && x > -1) }' ||
		fail "$py: the flat profile's interp_loop has $flat % total, --python $pyt %"
	awk -v h="$hotl" 'BEGIN { exit !(h >= 1) }' || fail "$py: --lines gives line $l_interp $hotl %, want >= 1 %"
	# the call tree's paths, as folded stacks (the JSON tree is too deep for jq)
	"$WHYSLOW" export --format folded -o "$WORK/folded$k" "$d" 2>/dev/null ||
		fail "$py: whyslow export --format folded failed"
	grep -q '_PyEval_EvalFrameDefault;<module>;main;interp_loop[; ]' "$WORK/folded$k" ||
		fail "$py: no stack _PyEval_EvalFrameDefault;<module>;main;interp_loop in the call paths"
	n=$($WHYSLOW report --json --top 0 --no-python-merge "$d" | jq '[.flat[] | select(.module == "[python]")] | length')
	[ "$n" = 0 ] || fail "$py: --no-python-merge still shows $n [python] functions"
done
ws_finish
