#!/bin/sh
# The course's word count in Python (examples/python/wordcount.py all
# 2000000: a dict updated by a Python loop, then collections.Counter, on
# the same generated text, in one run).  What whyslow must show:
#  - dict: count_dict's per-word lines (marked DICT_LOOP: the for, the
#    strip and lower, the tests and the update) hold >= 75 % of its samples
#    other than those of `words = text.split()` (which both variants do),
#    >= 80 % of them in the interpreter (bytecode and the str and dict
#    builtins);
#  - counter: count_counter's time is all in its one line (marked COUNTER,
#    >= 90 % of its samples): no Python line runs per word.
# (No timing check: splitting the text, which both variants do, costs as
# much as the counting here, mostly in page faults, system time that the
# CPU clock's samples do not see.)
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
. "$SRCDIR/pyex_common.sh"
ws_require
pyex_python any
ws_workdir

src=$EX/wordcount.py
loop_lines=$(grep -n DICT_LOOP "$src" | cut -d: -f1 | tr '\n' ',' | sed 's/,$//')
l_counter=$(marker_line "$src" COUNTER)
l_split=$(marker_line "$src" DICT_SPLIT)
pyex_attempt() {
	pyex_record all wordcount.py all 2000000 || return
	j=$WORK/all.json
	set -- $(jq -r --argjson ls "[$loop_lines]" '[.python.lines[] | select(.function == "count_dict" and (.line as $l | $ls | index($l)))]
		| "\(map(.self_samples) | add // 0) \(map(.native_samples) | add // 0)"' "$j")
	l_samples=$1 l_native=$2
	set -- $(py_fn "$j" count_dict)
	d_samples=$1
	set -- $(py_line "$j" wordcount.py "$l_split")
	s_samples=$1
	set -- $(py_under "$j" count_counter)
	c_samples=$1
	set -- $(jq -r --argjson l "$l_counter" '[.python.stacks[] | select(.stack | test("(^|;)count_counter:" + ($l | tostring) + "(;|$)"))] | map(.self_samples) | add // 0' "$j")
	cl_samples=$1
	l_interp=$(awk -v s="$l_samples" -v n="$l_native" 'BEGIN { print (s > 0) ? 100 * (s - n) / s : 0 }')
	note "dict: count_dict $d_samples samples, the split line $s_samples, the loop lines ($loop_lines) $l_samples, $l_interp % interpreter; counter: count_counter $c_samples samples, $cl_samples at line $l_counter (printed: dict $(printed all dict time) s, counter $(printed all counter time) s)"
	ge "$l_samples" "$(awk -v d="$d_samples" -v s="$s_samples" 'BEGIN { print 0.75 * (d - s) }')" ||
		pyex_bad "the loop's lines have $l_samples of count_dict's $d_samples samples ($s_samples splitting), want >= 75 % of the rest"
	gt "$l_samples" 0 && ge "$l_interp" 80 || pyex_bad "the loop's lines are $l_interp % interpreter time, want >= 80 %"
	gt "$c_samples" 0 && ge "$cl_samples" "$(awk -v c="$c_samples" 'BEGIN { print 0.9 * c }')" ||
		pyex_bad "count_counter's line $l_counter has $cl_samples of its $c_samples samples, want >= 90 %"
}
pyex_run
