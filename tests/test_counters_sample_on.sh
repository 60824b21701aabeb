#!/bin/sh
# record --sample-on perf::PAGE-FAULTS:PERIOD samples on the event's
# overflow instead of CPU time: t_pages's PAGES*ROUNDS faults give about
# PAGES*ROUNDS/PERIOD samples (within 5 %), >= 95 % of them in
# touch_pages (compute() faults nothing, so it gets none however long it
# runs), the header's source is perf-event and a note names the event.
# A hardware event where the kernel refuses it is an error (exit 2).
. "${SRCDIR:-$(dirname "$0")}/counters_common.sh"

PAGES=20000 ROUNDS=5 PERIOD=10
N=$((PAGES * ROUNDS))
d=$WORK/rec j=$WORK/report.json
ws_record "$d" --sample-on perf::PAGE-FAULTS:$PERIOD -- "$(prog t_pages)" $PAGES $ROUNDS >"$WORK/out" ||
	hard_error "record --sample-on failed"
ws_report "$d" "$j" || hard_error "report failed"
samples=$(jq_get "$j" .header.samples)
touch=$(fn_self "$j" touch_pages)
note "$samples samples (expected about $((N / PERIOD))), touch_pages $touch %"
ge "$samples" $((N / PERIOD * 95 / 100)) && le "$samples" $((N / PERIOD * 105 / 100)) ||
	fail "$samples samples for $N faults every $PERIOD"
ge "$touch" 95 || { fail "touch_pages has $touch % of the fault samples"; show_flat "$j"; }
[ "$(jq_get "$j" .header.source)" = perf-event ] || fail "the source is not perf-event"
jq -e '.header.notes | map(select(test("every 10 perf::PAGE-FAULTS"))) | length == 1' "$j" >/dev/null ||
	fail "no note names the sampling event"
# no rate was asked for: no warning about a timer coarser than asked, even
# where the samples come slower than the default 1000 Hz (a long period)
ws_record "$WORK/slow" --sample-on perf::PAGE-FAULTS:400 -- "$(prog t_pages)" $PAGES $ROUNDS >"$WORK/out" ||
	hard_error "record --sample-on perf::PAGE-FAULTS:400 failed"
ws_report "$WORK/slow" "$WORK/slow.json" || hard_error "report failed"
note "period 400: $(jq_get "$WORK/slow.json" .header.samples) samples at $(jq_get "$WORK/slow.json" .header.achieved_hz) Hz"
jq -e '.header.warnings | map(select(test("coarser than asked"))) | length == 0' "$WORK/slow.json" >/dev/null ||
	fail "a warning about the sampling rate under --sample-on: $(jq_get "$WORK/slow.json" .header.warnings)"
if [ "$(event_available perf::CYCLES)" != true ]; then
	if "$WHYSLOW" record -q -o "$WORK/cyc" --sample-on perf::CYCLES:100000 -- true 2>"$WORK/err"; then
		fail "--sample-on perf::CYCLES succeeded where the kernel refuses it"
	fi
	grep -q "perf::CYCLES cannot be counted here" "$WORK/err" || fail "$(cat "$WORK/err")"
fi
"$WHYSLOW" record -q -o "$WORK/bad" --sample-on perf::PAGE-FAULTS -- true 2>"$WORK/err" &&
	fail "--sample-on without a period succeeded"
ws_finish
