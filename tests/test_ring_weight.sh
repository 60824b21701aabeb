#!/bin/sh
# Perf ring records: only overflows are sampling periods.  t_perfring
# checks the record walk (SAMPLE counts 1, LOST its count, THROTTLE and
# UNTHROTTLE nothing, wrap-around).  Then t_ringlost burns 0.5 s in a
# handler that blocks every signal, sampled at 10,000 Hz: the 512-record
# ring fills and the kernel counts ~4,500 more overflows in a LOST record.
# The samples' weights must add up to at least 75 % of the CPU time x the
# rate.  (Before the fix: ~25 %, a LOST record counted 3 periods.)
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

"$(prog t_perfring)" >"$WORK/unit" 2>&1 || { fail "t_perfring:"; sed 's/^/    /' "$WORK/unit"; }
d=$WORK/rec j=$WORK/report.json
ws_record "$d" -F 10000 -- "$(prog t_ringlost)" 0.5 >"$WORK/out" 2>&1 || {
	fail "whyslow record -- t_ringlost failed"
	ws_finish
}
ws_report "$d" "$j" || { fail "report failed"; ws_finish; }
src=$(jq_get "$j" .header.source)
[ "$src" = perf-task-clock ] || { echo "$ws_name: source $src: no perf ring to check"; ws_finish; }
cpu=$(awk '$1 == "cpu" { print $2 }' "$WORK/out")
n=$(jq_get "$j" .header.samples)
ratio=$(awk -v n="$n" -v c="$cpu" 'BEGIN { printf "%.2f", n / (c * 10000) }')
echo "$ws_name: $n samples for $cpu s of CPU at 10,000 Hz: $ratio of the periods"
ge "$ratio" 0.75 || fail "the samples stand for $ratio of the periods, expected at least 0.75"
ws_finish
