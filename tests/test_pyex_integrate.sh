#!/bin/sh
# The course's integration exercise in Python (examples/python/integrate.py
# all: serial, threading, multiprocessing, 4 workers), recorded in one run.
# What whyslow must show:
#  - threading: the worker function integrate_block runs in >= 4 threads,
#    each with >= 10 % of its samples (the work is spread over the
#    threads), yet the threads together used about one core: their CPU
#    time over the variant's wall time <= 1.3 (the GIL: one thread at a
#    time), and the wall time does not drop: threading >= 0.7 x serial;
#  - integrate_block is mostly interpreter time (>= 50 %; the rest is
#    libm's pow for x**1.5);
#  - multiprocessing: >= 4 child processes, each with samples in
#    integrate_block (an interpreter each, so they can run at once).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
. "$SRCDIR/pyex_common.sh"
ws_require
pyex_python any
ws_workdir

N=3000000
pyex_attempt() {
	pyex_record all integrate.py all $N 4 || return
	j=$WORK/all.json d=$WORK/all
	main=$(jq -r '.processes | min_by(.pid) | .pid' "$j")
	ts=$(printed all serial time) tt=$(printed all threading time)
	# threads of the main process, other than the main thread, with samples in integrate_block
	nthr=0 cpu=0 tsamples=
	for tid in $("$WHYSLOW" report --json --top 0 --by-thread --pid "$main" "$d" | jq -r --argjson p "$main" '.threads[] | select(.tid != $p) | .tid'); do
		"$WHYSLOW" report --json --top 0 --by-thread --python --tid "$tid" "$d" >"$WORK/tid.json" || continue
		s=$(jq -r '[.python.functions[] | select(.function == "integrate_block") | .total_samples] | add // 0' "$WORK/tid.json")
		[ "$s" -gt 0 ] || continue
		nthr=$((nthr + 1))
		tsamples="$tsamples $s"
		cpu=$(awk -v a="$cpu" -v b="$(jq -r '[.threads[].cpu_seconds] | add' "$WORK/tid.json")" 'BEGIN { print a + b }')
	done
	set -- $(py_fn "$j" integrate_block)
	ib_native=$3
	note "threading: $nthr worker threads in integrate_block (samples:$tsamples), their CPU $cpu s over ${tt} s of wall time; serial ${ts} s; integrate_block ${ib_native} % native"
	[ "$nthr" -ge 4 ] || pyex_bad "threading: $nthr threads have samples in integrate_block, want >= 4"
	tot=$(echo $tsamples | awk '{ for (i = 1; i <= NF; i++) t += $i; print t + 0 }')
	for s in $tsamples; do
		ge "$s" "$(awk -v t="$tot" 'BEGIN { print t * 0.10 }')" || pyex_bad "threading: a worker thread has $s of the $tot integrate_block samples, want >= 10 % each"
	done
	le "$(awk -v c="$cpu" -v w="$tt" 'BEGIN { print (w > 0) ? c / w : 99 }')" 1.3 ||
		pyex_bad "threading: the threads used $cpu s of CPU in $tt s: more than one core at a time, yet the GIL lets one run"
	ge "$tt" "$(awk -v s="$ts" 'BEGIN { print 0.7 * s }')" ||
		pyex_bad "threading took $tt s, serial $ts s: the threads were faster than one loop, the GIL forbids that"
	le "$ib_native" 50 || pyex_bad "integrate_block is $ib_native % native, want <= 50 % (mostly bytecode)"
	# multiprocessing: the pool's children
	nproc=0
	for pid in $(jq -r --argjson p "$main" '.processes[] | select(.pid != $p) | .pid' "$j"); do
		"$WHYSLOW" report --json --top 0 --python --pid "$pid" "$d" >"$WORK/pid.json" || continue
		s=$(jq -r '[.python.functions[] | select(.function == "integrate_block") | .total_samples] | add // 0' "$WORK/pid.json")
		[ "$s" -gt 0 ] && nproc=$((nproc + 1))
	done
	note "multiprocessing: $nproc child processes with samples in integrate_block (time $(printed all multiprocessing time) s)"
	[ "$nproc" -ge 4 ] || pyex_bad "multiprocessing: $nproc child processes ran integrate_block, want >= 4"
}
pyex_run
