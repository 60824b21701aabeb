# Sourced by the counters tests (test_counters_*.sh): skip (77) where this
# build cannot count (no libpfm4) or the kernel refuses perf software
# events; EVENTS_JSON holds `whyslow events --json`.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
EVENTS_JSON=$WORK/events.json
"$WHYSLOW" events --json >"$EVENTS_JSON" 2>"$WORK/events.err" ||
	hard_error "whyslow events --json failed: $(cat "$WORK/events.err")"
[ "$(jq_get "$EVENTS_JSON" .counters_built)" = true ] ||
	skip "built without libpfm4: no counters ($(jq_get "$EVENTS_JSON" .backend))"
# event_available NAME: true/false
event_available() {
	jq -r --arg n "$1" '[.events[] | select(.name == $n) | .available][0] // false' "$EVENTS_JSON"
}
[ "$(event_available perf::PAGE-FAULTS)" = true ] ||
	skip "the kernel refuses perf::PAGE-FAULTS here: $(jq -r '[.events[] | select(.name == "perf::PAGE-FAULTS") | .reason][0]' "$EVENTS_JSON")"
# counter_total JSON EVENT: the event's total in a report --counters --json
counter_total() {
	jq -r --arg e "$2" '[.counters.events[] | select(.name == $e) | .total][0] // "null"' "$1"
}
# fn_counter JSON EVENT FUNCTION: FUNCTION's self count of EVENT (0 if absent)
fn_counter() {
	jq -r --arg e "$2" --arg f "$3" '[.counters.functions[] | select(.function == $f) | .self[$e]] | add // 0' "$1"
}
