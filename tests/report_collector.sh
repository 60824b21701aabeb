#!/bin/sh
# End to end with the real collector: `whyslow record` runs report_burn
# (-g -O2; burn_a does all its work in the always_inline inner_loop and
# three times the work of burn_b), then `whyslow report --json` must
# attribute it: inner_loop [inlined] and burn_a 75 % +- 10 points, burn_b
# 25 % +- 10, main ~100 % total; source lines point into the loops; the
# folded and pprof exports of the same recording are well formed.
. "${SRCDIR:-.}/report_common.sh"
if [ -z "${WHYSLOW_LIB:-}" ] || [ ! -r "$WHYSLOW_LIB" ]; then
	echo "SKIP: the collector is not built (WHYSLOW_LIB='${WHYSLOW_LIB:-}')"
	exit 77
fi
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq not found (apt-get install jq)"
	exit 77
fi
BURN=$TESTS_DIR/report_burn
expect_status 0 "$WHYSLOW" record -q -o "$tmp/burn" -- "$BURN" 40000000 || finish
expect_status 0 "$WHYSLOW" report --json --lines --top 0 "$tmp/burn" || finish
J=$tmp/burn.json
cp "$tmp/out" "$J"
samples=$(jq '.header.samples' "$J")
if [ "$samples" -lt 200 ]; then
	echo "SKIP: only $samples samples (a slow or loaded machine?)"
	exit 77
fi
near() { # name inlined field want tolerance
	jq -e --arg f "$1" --argjson i "$2" --argjson w "$4" --argjson t "$5" \
		"[.flat[] | select(.function == \$f and .inlined == \$i) | .$3] | length == 1 and ((.[0] - \$w) | fabs) <= \$t" \
		"$J" >/dev/null || fail "$1 (inlined $2): $3 is $(jq --arg f "$1" "[.flat[] | select(.function == \$f) | .$3]" "$J" | tr -d ' \n'), expected $4 +- $5"
}
near inner_loop true self_percent 75 10
near inner_loop true total_percent 75 10
near burn_a false total_percent 75 10
near burn_a false self_percent 0 5
near burn_b false self_percent 25 10
near main false total_percent 100 3
jq -e '[.lines[] | select(.function == "inner_loop" or .function == "burn_b") | .percent] | add > 80' "$J" >/dev/null ||
	fail "the hot lines are not in the loops: $(jq -c '[.lines[:4][] | [.function, .line, .percent]]' "$J")"
jq -e '.lines[0].text | length > 0' "$J" >/dev/null || fail "no source text for the hottest line"

expect_status 0 "$WHYSLOW" export --format folded "$tmp/burn"
grep -Eq '(^|;)main;burn_a;inner_loop_\[i\] [0-9]+$' "$tmp/out" || fail "folded: no main;burn_a;inner_loop_[i] stack"
total=$(awk '{ n += $NF } END { print n }' "$tmp/out")
[ "$total" -eq "$samples" ] || fail "folded counts add up to $total, not $samples"
expect_status 0 "$WHYSLOW" export --format pprof -o "$tmp/burn.pb.gz" "$tmp/burn"
if command -v protoc >/dev/null 2>&1; then
	gzip -dc "$tmp/burn.pb.gz" | protoc --decode_raw >/dev/null || fail "pprof does not decode"
fi
finish
