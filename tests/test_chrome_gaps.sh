#!/bin/sh
# The Chrome trace leaves out the time a thread did not run: t_sleephalf
# computes 50 ms and sleeps 50 ms, ten times.  Recorded in CPU time, the
# sleeps have no samples, and the main thread's flame chart must cover
# about half of its span (30 to 75 %), not all of it as when each sample
# lasted until the next.  Recorded in wall-clock time, the sleeps are
# sampled (in nanosleep) and the chart covers nearly all of it (90 % or
# more).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
command -v jq >/dev/null 2>&1 || skip "jq missing"

# covered SPAN TRACE TID: "covered span" of the thread's CPU events, in us
covered() {
	jq -r --argjson tid "$2" '[.traceEvents[] | select(.cat == "cpu" and .tid == $tid)] as $e |
		([$e[] | [.ts, .ts + .dur]] | sort | reduce .[] as $iv ({end: -1, sum: 0};
			if $iv[0] >= .end then {end: $iv[1], sum: (.sum + $iv[1] - $iv[0])}
			elif $iv[1] > .end then {end: $iv[1], sum: (.sum + $iv[1] - .end)}
			else . end) | .sum) as $c |
		"\($c) \(([$e[] | .ts + .dur] | max) - ([$e[] | .ts] | min))"' "$1"
}
for clock in cpu wall; do
	d=$WORK/$clock
	ws_record "$d" --clock $clock -- "$(prog t_sleephalf)" "$WORK/truth-$clock" >"$WORK/out" 2>&1 ||
		hard_error "whyslow record --clock $clock -- t_sleephalf failed: $(cat "$WORK/out")"
	"$WHYSLOW" export --format chrome -o "$WORK/$clock.json" "$d" 2>"$WORK/err" ||
		hard_error "export --format chrome failed: $(cat "$WORK/err")"
	tid=$(sed -n 's/^info main_tid //p' "$WORK/truth-$clock")
	set -- $(covered "$WORK/$clock.json" "$tid")
	pct=$(awk -v c="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? 100 * c / s : 0) }')
	note "$clock clock: the main thread's chart covers $pct % of its span"
	if [ $clock = cpu ]; then
		ge "$pct" 30 && le "$pct" 75 || fail "CPU time: the chart covers $pct % of the span (30-75 % expected: half of it is sleep)"
	else
		ge "$pct" 90 || fail "wall-clock time: the chart covers $pct % of the span (90 % or more expected)"
	fi
done
ws_finish
