#!/bin/sh
# Python frames in threads started by `threading` (tests/py_threads.py:
# four workers in worker()): at least four threads with Python frames, and
# worker holds most of the time (>= 60 %; the rest is start-up imports).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
ws_require
ws_require_python
ws_workdir

src=$SRCDIR/py_threads.py
l_hot=$(marker_line "$src" HOT_WORKER)
k=0
for py in $PYTHONS; do
	k=$((k + 1))
	d=$WORK/rec$k j=$WORK/report$k.json
	ws_record "$d" -- "$py" "$src" || { fail "$py: whyslow record failed"; continue; }
	ws_report "$d" "$j" --python || { fail "$py: report --python failed"; continue; }
	n=$(jq_get "$j" .python.threads)
	hot=$(jq -r '[.python.functions[] | select(.function == "worker") | .total_percent] | max // 0' "$j")
	line=$(jq -r --argjson l "$l_hot" '[.python.lines[] | select(.function == "worker" and .line == $l) | .self_percent] | add // 0' "$j")
	echo "$ws_name: $py: $n threads with Python frames; worker: $hot % of the samples (line $l_hot: $line %)"
	awk -v h="$line" 'BEGIN { exit !(h >= 20) }' || fail "$py: worker's line $l_hot has $line % of the samples, want >= 20 %"
	[ "$n" -ge 4 ] || fail "$py: $n threads with Python frames, want >= 4 (four workers)"
	awk -v h="$hot" 'BEGIN { exit !(h >= 60) }' || fail "$py: worker has $hot % of the samples, want >= 60 %"
done
ws_finish
