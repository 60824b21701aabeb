#!/bin/sh
# The course's random walk in Python with its planted bottleneck
# (examples/python/randomwalk.py all: fixed, then planted, in one run).
# What whyslow must show: the planted line (marked PLANTED: the mean of
# the whole path, recomputed at every step) is the hottest Python line,
# with > 50 % of all samples; the fixed walk (the same steps with a running
# total) has less than a twentieth of that line's samples in all.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
. "$SRCDIR/pyex_common.sh"
ws_require
pyex_python any
ws_workdir

STEPS=20000
l_planted=$(marker_line "$EX/randomwalk.py" PLANTED)
pyex_attempt() {
	pyex_record all randomwalk.py all $STEPS || return
	j=$WORK/all.json
	set -- $(py_line "$j" randomwalk.py "$l_planted")
	p_samples=$1 p_pct=$2
	set -- $(py_hottest_line "$j")
	hot=$1 hot_pct=$2
	set -- $(py_fn "$j" walk_fixed)
	f_samples=$1
	set -- $(py_fn "$j" walk_planted)
	wp_samples=$1
	note "planted line $l_planted: $p_samples samples, $p_pct % (walk_planted $wp_samples samples); hottest Python line $hot ($hot_pct %); walk_fixed $f_samples samples"
	[ "$hot" = "randomwalk.py:$l_planted" ] || pyex_bad "the hottest Python line is $hot, not the planted randomwalk.py:$l_planted"
	gt "$p_pct" 50 || pyex_bad "the planted line has $p_pct % of the samples, want > 50 %"
	lt=$(awk -v p="$p_samples" 'BEGIN { print p / 20 }')
	le "$f_samples" "$lt" || pyex_bad "walk_fixed has $f_samples samples, want <= $lt (a twentieth of the planted line's)"
}
pyex_run
