#!/bin/sh
# Python frames in processes started by multiprocessing (tests/py_mp.py:
# two fork and two spawn children in child_work()): at least four
# processes whose Python frames name child_work, and the script's exit
# status is kept.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
ws_require
ws_require_python
ws_workdir

src=$SRCDIR/py_mp.py
k=0
for py in $PYTHONS; do
	k=$((k + 1))
	d=$WORK/rec$k
	ws_record "$d" -- "$py" "$src" || { fail "$py: whyslow record (or the script) failed"; continue; }
	n=0
	for pid in $("$WHYSLOW" report --json "$d" | jq -r '.processes[].pid'); do
		s=$("$WHYSLOW" report --json --top 0 --python --pid "$pid" "$d" |
			jq -r '[.python.functions[] | select(.function == "child_work") | .total_samples] | add // 0')
		[ "$s" -gt 0 ] && n=$((n + 1))
	done
	echo "$ws_name: $py: $n processes with samples in child_work"
	[ "$n" -ge 4 ] || fail "$py: $n processes ran child_work in their Python frames, want 4 (2 fork, 2 spawn)"
done
ws_finish
