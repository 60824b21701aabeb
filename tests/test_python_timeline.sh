#!/bin/sh
# Python frames in the timeline (WS_REC_PYSAMPLES, docs/python.md): the
# Chrome trace of tests/py_hot.py (export --format chrome, every CPython
# 3.11 found) must show the Python functions in the order the script calls
# them, each inside a _PyEval_EvalFrameDefault and main's event on its
# thread, and give each one the share of the run that report --python
# gives it:
#  - interp_loop starts before native_call, native_call before the first
#    one_share, and one_share and two_shares alternate (30 calls each: >= 10
#    separate events of each);
#  - interp_loop's events stand for (args.samples) its total % of report
#    --python, within 1 point (their durations are wall time: under
#    make -j2 check their share of the chart was 5.8 to 24.7 % against
#    10.9 to 16 %).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
ws_require
ws_require_python
ws_workdir

k=0
for py in $PYTHONS; do
	k=$((k + 1))
	d=$WORK/rec$k t=$WORK/trace$k.json j=$WORK/report$k.json
	if ! ws_record "$d" -- "$py" "$SRCDIR/py_hot.py" 0.5; then
		fail "$py: whyslow record failed"
		continue
	fi
	"$WHYSLOW" export --format chrome -o "$t" "$d" 2>"$t.err" || {
		fail "$py: export --format chrome failed: $(cat "$t.err")"
		continue
	}
	ws_report "$d" "$j" --python || { fail "$py: report --python failed"; continue; }
	# the main thread's CPU events (the one with interp_loop)
	tid=$(jq -r '[.traceEvents[] | select(.cat == "cpu" and .name == "interp_loop") | .tid][0] // empty' "$t")
	if [ -z "$tid" ]; then
		fail "$py: no interp_loop event in the trace: $(jq -c '[.traceEvents[] | select(.cat == "cpu") | .name] | unique | .[:20]' "$t")"
		continue
	fi
	first() { jq -r --arg f "$1" --argjson tid "$tid" '[.traceEvents[] | select(.cat == "cpu" and .tid == $tid and .name == $f) | .ts] | min // -1' "$t"; }
	count() { jq -r --arg f "$1" --argjson tid "$tid" '[.traceEvents[] | select(.cat == "cpu" and .tid == $tid and .name == $f)] | length' "$t"; }
	a=$(first interp_loop) b=$(first native_call) c=$(first one_share) e=$(first two_shares)
	note "$py: first interp_loop $a, native_call $b, one_share $c, two_shares $e (us)"
	if ! awk -v a="$a" -v b="$b" -v c="$c" -v e="$e" 'BEGIN { exit !(a >= 0 && a < b && b < c && b < e) }'; then
		fail "$py: the Python functions are not in the script's order"
	fi
	n1=$(count one_share) n2=$(count two_shares)
	note "$py: $n1 one_share and $n2 two_shares events"
	[ "$n1" -ge 10 ] && [ "$n2" -ge 10 ] || fail "$py: one_share and two_shares do not alternate ($n1, $n2 events)"
	# every interp_loop event inside an eval-loop event and a main event
	for outer in _PyEval_EvalFrameDefault main; do
		bad=$(jq -r --arg o "$outer" --argjson tid "$tid" '[.traceEvents[] | select(.cat == "cpu" and .tid == $tid)] as $e |
			[$e[] | select(.name == "interp_loop") | . as $i |
			 select([$e[] | select(.name == $o and .ts <= $i.ts and .ts + .dur >= $i.ts + $i.dur - 0.002)] | length == 0)] | length' "$t")
		[ "$bad" = 0 ] || fail "$py: $bad interp_loop events outside a $outer event"
	done
	# interp_loop's share: the samples its trace events stand for
	# (args.samples) against report --python's share of all samples; the
	# events' durations are wall time, which a busy machine stretches
	share=$(jq -r --slurpfile r "$j" '([.traceEvents[] | select(.cat == "cpu" and .name == "interp_loop") |
		.args.samples] | add) / $r[0].header.samples * 100' "$t")
	want=$(jq -r '[.python.functions[] | select(.function == "interp_loop") | .total_percent] | max // 0' "$j")
	note "$py: interp_loop $share % of the trace's samples, $want % in report --python"
	awk -v s="$share" -v w="$want" 'BEGIN { d = s - w; if (d < 0) d = -d; exit !(w > 5 && d <= 1) }' ||
		fail "$py: interp_loop's share of the trace ($share %) is not report --python's ($want %)"
done
ws_finish
