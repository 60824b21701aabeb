#!/bin/sh
# Counters in a thread created after the collector started: t_pages's
# worker thread faults in PAGES*ROUNDS pages while the main thread only
# computes.  With --tid, the worker's page-fault total is PAGES*ROUNDS
# within 3 % and touch_pages holds >= 90 % of its attributed faults; the
# main thread's total is under 3 % of that (its counts are its own).
. "${SRCDIR:-$(dirname "$0")}/counters_common.sh"

PAGES=20000 ROUNDS=5
N=$((PAGES * ROUNDS))
d=$WORK/rec
ws_record "$d" -e perf::PAGE-FAULTS -- "$(prog t_pages)" $PAGES $ROUNDS thread >"$WORK/out" ||
	hard_error "record failed"
ws_report "$d" "$WORK/all.json" --by-thread || hard_error "report failed"
[ "$(jq_get "$WORK/all.json" '.threads | length')" = 2 ] || fail "2 threads expected"
main=$(jq_get "$WORK/all.json" '.processes[0].pid')
worker=$(jq -r --argjson m "$main" '[.threads[] | select(.tid != $m) | .tid][0]' "$WORK/all.json")
ws_report "$d" "$WORK/w.json" --counters --tid "$worker" || hard_error "report --tid failed"
ws_report "$d" "$WORK/m.json" --counters --tid "$main" || hard_error "report --tid failed"
wt=$(counter_total "$WORK/w.json" perf::PAGE-FAULTS)
mt=$(counter_total "$WORK/m.json" perf::PAGE-FAULTS)
wa=$(jq_get "$WORK/w.json" '.counters.events[0].attributed')
wtouch=$(fn_counter "$WORK/w.json" perf::PAGE-FAULTS touch_pages)
note "worker $worker: $wt faults ($wtouch in touch_pages of $wa attributed); main $main: $mt"
[ "$(jq_get "$WORK/w.json" .counters.threads_counted)" = 1 ] || fail "the worker was not counted"
ge "$wt" $((N * 97 / 100)) && le "$wt" $((N * 103 / 100)) ||
	fail "the worker's total $wt is not $N within 3 %"
ge "$wtouch" "$(awk -v a="$wa" 'BEGIN { print 0.9 * a }')" ||
	fail "touch_pages has less than 90 % of the worker's attributed faults"
le "$mt" $((N * 3 / 100)) || fail "the main thread has $mt faults: the worker's counts leaked into it"
ws_finish
