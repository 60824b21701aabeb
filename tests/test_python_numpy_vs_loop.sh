#!/bin/sh
# Issue 7's NumPy test: a script with a pure-Python loop and a
# NumPy-vectorised version of the same computation (the course's
# f(x, y) = x**3 + 4 sin y, examples/python/vectorise.py all: 30 passes of
# the loop, 100 of NumPy, over 10^5 values, in one run).  The report must
# attribute the loop to its Python lines with most of their time in the
# interpreter, and the NumPy version to the line of the NumPy call with
# most of its time in native code:
#  - f_loop's lines: >= 20 % of the samples, >= 50 % interpreter time
#    (the rest: libm's pow and sin, called per element from the loop);
#  - the NUMPY_CALL line: the hottest Python line, >= 90 % native time,
#    and those native samples are in NumPy's extension modules or libm
#    (the flat profile's self samples there >= 80 % of the line's);
#  - the loop's interpreter share exceeds the NumPy line's by >= 40 points.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
. "$SRCDIR/pyex_common.sh"
ws_require
pyex_python numpy
ws_workdir

l_numpy=$(marker_line "$EX/vectorise.py" NUMPY_CALL)
pyex_attempt() {
	pyex_record all vectorise.py all 100000 || return
	j=$WORK/all.json
	loop=$(jq -r '[.python.lines[] | select(.function == "f_loop")] | "\(map(.self_samples) | add // 0) \(map(.self_percent) | add // 0) \(map(.native_samples) | add // 0)"' "$j")
	set -- $loop
	lo_samples=$1 lo_pct=$2 lo_native=$3
	lo_interp=$(awk -v s="$lo_samples" -v n="$lo_native" 'BEGIN { print (s > 0) ? 100 * (s - n) / s : 0 }')
	set -- $(py_line "$j" vectorise.py "$l_numpy")
	np_samples=$1 np_pct=$2 np_native=$3
	set -- $(py_hottest_line "$j")
	hot=$1
	# the native samples' functions, from the flat profile of the native stacks
	ext=$("$WHYSLOW" report --json --top 0 --no-python-merge "$WORK/all" |
		jq -r '[.flat[] | select(.module | test("^_multiarray_umath|^_umath|numpy|^libm[.-]|^libopenblas")) | .self_samples] | add // 0')
	note "loop: f_loop's lines $lo_samples samples ($lo_pct %), $lo_interp % interpreter; NumPy line $l_numpy: $np_samples samples ($np_pct %), $np_native % native; in NumPy's modules and libm: $ext samples; hottest Python line $hot"
	ge "$lo_pct" 20 || pyex_bad "f_loop's lines have $lo_pct % of the samples, want >= 20 %"
	ge "$lo_interp" 50 || pyex_bad "f_loop's lines are $lo_interp % interpreter time, want >= 50 % (most)"
	[ "$hot" = "vectorise.py:$l_numpy" ] || pyex_bad "the hottest Python line is $hot, not the NumPy call vectorise.py:$l_numpy"
	ge "$np_native" 90 || pyex_bad "the NumPy call's line is $np_native % native, want >= 90 %"
	ge "$ext" "$(awk -v s="$np_samples" 'BEGIN { print 0.8 * s }')" ||
		pyex_bad "only $ext samples in NumPy's modules and libm, want >= 80 % of the NumPy line's $np_samples"
	ge "$(awk -v a="$lo_interp" -v b="$np_native" 'BEGIN { print a - (100 - b) }')" 40 ||
		pyex_bad "the loop's interpreter share ($lo_interp %) is not 40 points above the NumPy line's ($(awk -v b="$np_native" 'BEGIN { print 100 - b }') %)"
}
pyex_run
