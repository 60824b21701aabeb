#!/bin/sh
# record -e perf::PAGE-FAULTS: t_pages's touch_pages faults in PAGES*ROUNDS
# fresh pages, compute() none.  touch_pages must get >= 90 % of the faults
# attributed to stacks and about PAGES*ROUNDS of them (within 3 %), compute
# under 1 % of that; the thread's total is PAGES*ROUNDS within 3 %; the
# expectations count() and share() agree; the counts are in the JSON and
# in the text report.  A second event in the same group
# (perf::CONTEXT-SWITCHES) is counted too and is not mixed into the first.
. "${SRCDIR:-$(dirname "$0")}/counters_common.sh"

PAGES=20000 ROUNDS=5
N=$((PAGES * ROUNDS))
d=$WORK/rec j=$WORK/report.json
ws_record "$d" -e perf::PAGE-FAULTS,perf::CONTEXT-SWITCHES -- "$(prog t_pages)" $PAGES $ROUNDS >"$WORK/out" ||
	hard_error "record failed"
ws_report "$d" "$j" --counters || hard_error "report failed"
total=$(counter_total "$j" perf::PAGE-FAULTS)
attributed=$(jq_get "$j" '.counters.events[0].attributed')
touch=$(fn_counter "$j" perf::PAGE-FAULTS touch_pages)
comp=$(fn_counter "$j" perf::PAGE-FAULTS compute)
note "faults: $total in all, $attributed attributed, touch_pages $touch, compute $comp (expected about $N in touch_pages)"
ge "$total" $((N * 97 / 100)) && le "$total" $((N * 103 / 100)) ||
	fail "the thread's page-fault total $total is not $N within 3 %"
ge "$touch" $((N * 97 / 100)) && le "$touch" $((N * 103 / 100)) ||
	fail "touch_pages got $touch faults, not $N within 3 %"
ge "$touch" "$(awk -v a="$attributed" 'BEGIN { print 0.9 * a }')" ||
	fail "touch_pages got less than 90 % of the attributed faults ($touch of $attributed)"
le "$comp" $((N / 100)) || fail "compute, which faults nothing, got $comp faults"
[ "$(jq_get "$j" '.counters.events[1].name')" = perf::CONTEXT-SWITCHES ] &&
	[ "$(jq_get "$j" '.counters.events[1].counted')" = true ] ||
	fail "perf::CONTEXT-SWITCHES was not counted"
le "$(counter_total "$j" perf::CONTEXT-SWITCHES)" $((N / 10)) ||
	fail "context switches $(counter_total "$j" perf::CONTEXT-SWITCHES): the faults leaked into the second column?"
# expectations
"$WHYSLOW" report --counters "$d" \
	--expect "share(perf::PAGE-FAULTS, touch_pages) >= 90" \
	--expect "count(perf::PAGE-FAULTS, touch_pages) >= $((N * 97 / 100))" \
	--expect "count(perf::PAGE-FAULTS, compute) < $((N / 100))" >"$WORK/text" 2>&1 ||
	fail "expectations on the counters failed: $(grep -i fail "$WORK/text")"
grep -q "touch_pages" "$WORK/text" && grep -q "page_faults_per_s" "$WORK/text" ||
	fail "the text report has no counters section: $(head -c 1500 "$WORK/text")"
# an event that was not recorded never reads 0
if "$WHYSLOW" report "$d" --expect "count(PAPI_TOT_INS, touch_pages) >= 0" >"$WORK/nc" 2>&1; then
	fail "an expectation on an event that was not counted passed"
fi
grep -q "not counted" "$WORK/nc" || fail "no 'not counted' for an event that was not recorded"
ws_finish
