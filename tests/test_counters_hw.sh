#!/bin/sh
# Hardware counters where the machine has them (skipped, with the reason,
# where it has not: a KVM guest without a virtual PMU, like the reference
# machine).  On a machine that counts:
#  - --counters ipc on integrate serial: integrate_range gets nearly all of
#    the instructions, and its IPC is a plausible number (0.2 to 8);
#  - --counters memory on stride: summing by columns misses L1 at least 3x
#    as often per instruction as summing by rows (8 doubles per 64-byte
#    line: up to 8x);
#  - --sample-on perf::CYCLES:PERIOD samples on the cycle counter's
#    overflow, and the samples land in integrate_range;
#  - --counters vector, where a vector group resolves: f_simd's vector
#    share is above f_scalar's by 30 points or more.
# Each group is checked only where 'whyslow events' says it resolves.
. "${SRCDIR:-$(dirname "$0")}/counters_common.sh"
ex() { echo "$TOP_BUILDDIR/examples/$1"; }

# group_available NAME: true/false, from whyslow events --json
group_available() {
	jq -r --arg n "$1" '[.groups[] | select(.name == $n) | .available][0] // false' "$EVENTS_JSON"
}
# fn_derived JSON METRIC FUNCTION: the function's derived metric (null if none)
fn_derived() {
	jq -r --arg m "$2" --arg f "$3" '[.counters.functions[] | select(.function == $f) | .derived[$m]][0] // "null"' "$1"
}
[ -x "$(ex integrate)" ] || hard_error "examples/integrate is not built"
if [ "$(group_available ipc)" != true ]; then
	skip "no hardware counters here: $(jq -r '[.events[] | select(.name == "perf::INSTRUCTIONS") | .reason][0]' "$EVENTS_JSON")"
fi

# ---- ipc ----
ws_record "$WORK/ipc" --counters ipc -- "$(ex integrate)" serial 100000000 >"$WORK/out" 2>&1 ||
	hard_error "record --counters ipc failed: $(cat "$WORK/out")"
"$WHYSLOW" report --counters --json "$WORK/ipc" >"$WORK/ipc.json" 2>"$WORK/err" ||
	hard_error "report --counters failed: $(cat "$WORK/err")"
ins=$(jq -r '[.counters.events[0].total][0]' "$WORK/ipc.json")
ins_fn=$(jq -r --arg e "$(jq -r '.counters.events[0].name' "$WORK/ipc.json")" \
	'[.counters.functions[] | select(.function == "integrate_range") | .self[$e]] | add // 0' "$WORK/ipc.json")
ipc=$(fn_derived "$WORK/ipc.json" ipc integrate_range)
note "ipc: $ins instructions, $ins_fn in integrate_range, IPC $ipc"
[ "$ipc" != null ] && awk -v v="$ipc" 'BEGIN { exit !(v >= 0.2 && v <= 8) }' ||
	fail "integrate_range's IPC is $ipc (0.2 to 8 expected)"
awk -v a="$ins_fn" -v t="$ins" 'BEGIN { exit !(t > 0 && a / t >= 0.8) }' ||
	fail "integrate_range has $ins_fn of $ins instructions (80 % expected)"

# ---- sampling on the cycle counter ----
ws_record "$WORK/cyc" --sample-on perf::CYCLES:1000000 -- "$(ex integrate)" serial 100000000 >"$WORK/out" 2>&1 ||
	hard_error "record --sample-on perf::CYCLES failed: $(cat "$WORK/out")"
ws_report "$WORK/cyc" "$WORK/cyc.json" || hard_error "report failed"
cs=$(jq_get "$WORK/cyc.json" .header.samples)
cr=$(fn_total "$WORK/cyc.json" integrate_range)
note "sample-on cycles: $cs samples, integrate_range $cr %"
[ "$cs" -ge 50 ] || fail "$cs samples on the cycle counter"
ge "$cr" 80 || fail "integrate_range has $cr % of the cycle samples"

# ---- memory: L1 misses per instruction, columns against rows ----
if [ "$(group_available memory)" = true ]; then
	for v in rows columns; do
		ws_record "$WORK/$v" --counters memory -- "$(ex stride)" $v 3000 3 >"$WORK/out" 2>&1 ||
			hard_error "record --counters memory -- stride $v failed: $(cat "$WORK/out")"
		"$WHYSLOW" report --counters --json "$WORK/$v" >"$WORK/$v.json" 2>"$WORK/err" ||
			hard_error "report failed: $(cat "$WORK/err")"
	done
	r=$(fn_derived "$WORK/rows.json" l1_mpki sum_rows)
	c=$(fn_derived "$WORK/columns.json" l1_mpki sum_columns)
	note "memory: L1 misses per 1000 instructions, rows $r, columns $c"
	[ "$r" != null ] && [ "$c" != null ] && awk -v r="$r" -v c="$c" 'BEGIN { exit !(c >= 3 * r && c > 0) }' ||
		fail "columns' L1 misses per 1000 instructions ($c) are not 3x rows' ($r)"
else
	note "the memory group does not resolve here: not checked"
fi

# ---- vector share, scalar against SIMD ----
if [ "$(group_available vector)" = true ]; then
	for v in f-scalar f-simd; do
		ws_record "$WORK/$v" --counters vector -- "$(ex vectorise)" $v 10000 3000 >"$WORK/out" 2>&1 ||
			hard_error "record --counters vector -- vectorise $v failed: $(cat "$WORK/out")"
		"$WHYSLOW" report --counters --json "$WORK/$v" >"$WORK/$v.json" 2>"$WORK/err" ||
			hard_error "report failed: $(cat "$WORK/err")"
	done
	s=$(fn_derived "$WORK/f-scalar.json" vector_share f_scalar)
	v=$(fn_derived "$WORK/f-simd.json" vector_share f_simd)
	note "vector share: f_scalar $s %, f_simd $v %"
	[ "$s" != null ] && [ "$v" != null ] && awk -v s="$s" -v v="$v" 'BEGIN { exit !(v >= s + 30) }' ||
		fail "f_simd's vector share ($v %) is not 30 points above f_scalar's ($s %)"
else
	note "the vector group does not resolve here: not checked"
fi
ws_finish
