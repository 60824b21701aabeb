#!/bin/sh
# `whyslow compare` and `--expect` (docs/cli.md) on two recordings with
# known stacks (report_symprog write / write fast): BEFORE has hot_leaf x60,
# cold_leaf x80, 250 ms wall, 150 ms CPU; AFTER hot_leaf x6, 100 ms wall,
# 96 ms CPU.  Checks the speedups, the per-function times, the JSON schema,
# each metric of --expect passing and failing, and the usage errors.
. "${SRCDIR:-.}/report_common.sh"
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq not found (apt-get install jq)"
	exit 77
fi
FAST=$tmp/fast
"$SYMPROG" write "$FAST" fast || exit 99

check() {
	if ! jq -e "$3" "$1" >/dev/null 2>"$tmp/jqerr"; then
		fail "$2: $3 is not true: $(head -c 300 "$tmp/jqerr")"
	fi
}

# ---- text ----
expect_status 0 "$WHYSLOW" compare --color never "$REC" "$FAST"
grep -q '2\.50× faster' "$tmp/out" || fail "text: no '2.50× faster': $(head -5 "$tmp/out")"
grep -q '1\.56× less CPU' "$tmp/out" || fail "text: no '1.56× less CPU'"
# hot_leaf: 60 ms -> 6 ms self, the biggest change, so the first row
first=$(sed -n '/^Functions/{n;n;p;}' "$tmp/out")
case $first in
*0.060*0.006*-0.054*10.00×*hot_leaf*) ;;
*) fail "text: first function row is '$first', expected hot_leaf 0.060 -> 0.006" ;;
esac
grep -q 'Expectations' "$tmp/out" && fail "text: an Expectations section without --expect"

# ---- JSON ----
J=$tmp/cmp.json
expect_status 0 "$WHYSLOW" compare --json --lines "$REC" "$FAST" && cp "$tmp/out" "$J"
check "$J" schema '.schema == "whyslow-compare" and .version == 1'
check "$J" keys '(keys | sort) == (["schema","version","before","after","speedup",
	"cpu_speedup","functions","lines","verdicts","counters","heap"] | sort)'
check "$J" changed '(.verdicts | type) == "array" and (.counters | type) == "array" and
	(.heap | type) == "array"'
check "$J" speedup '.speedup == 2.5 and .cpu_speedup > 1.56 and .cpu_speedup < 1.57'
check "$J" headers '.before.header.samples == 150 and .after.header.samples == 96'
check "$J" hot_leaf '.functions[0] | .function == "hot_leaf" and .in == "both" and
	.self_samples == [60, 6] and .self_seconds == [0.06, 0.006]'
check "$J" cold_leaf '.functions[] | select(.function == "cold_leaf") |
	.self_samples == [80, 80] and .total_seconds == [0.08, 0.08]'
check "$J" lines '.lines[0] | .function == "hot_leaf" and .samples == [60, 6] and
	.line > '"$hot_leaf_line"' and (.text | length > 0)'
check "$J" nolines '.functions | length >= 4'
expect_status 0 "$WHYSLOW" compare --json "$REC" "$FAST"
jq -e 'has("lines") | not' "$tmp/out" >/dev/null || fail "json: lines without --lines"
# the same recording twice: nothing changed
expect_status 0 "$WHYSLOW" compare --json "$REC" "$REC"
jq -e '.speedup == 1 and all(.functions[]; .self_samples[0] == .self_samples[1] and .in == "both")' \
	"$tmp/out" >/dev/null || fail "json: a recording compared with itself shows a change"
# --top cuts rows
expect_status 0 "$WHYSLOW" compare --json --top 1 "$REC" "$FAST"
jq -e '.functions | length == 1' "$tmp/out" >/dev/null || fail "json: --top 1"

# ---- expectations: each must pass, and its negation must fail ----
# pass EXPR...: compare exits 0; failexp EXPR: exits 1 naming EXPR on stderr.
pass() {
	for e in "$@"; do
		expect_status 0 "$WHYSLOW" compare --expect "$e" "$REC" "$FAST" ||
			fail "--expect '$e' should pass"
	done
}
failexp() {
	for e in "$@"; do
		if expect_status 1 "$WHYSLOW" compare --expect "$e" "$REC" "$FAST"; then
			grep -qF "expectation failed: $e" "$tmp/err" ||
				fail "--expect '$e': failure not named on stderr: $(cat "$tmp/err")"
		fi
	done
}
pass 'speedup>=2.4' 'speedup < 2.6' 'cpu_speedup>1.5' 'speedup(hot_leaf) == 10' \
	'speedup(hot_leaf)>=9.9x' 'hot==cold_leaf' 'before.hot == cold*' 'hot != hot_leaf' \
	'after.self(hot_leaf) < 7%' 'before.self(hot_leaf) == 40' 'before.samples == 150' \
	'samples == 96' 'wall <= 0.1s' 'before.wall == 0.25' 'threads == 2' 'processes==1' \
	'total(outer_fn) > 6' 'before.total(main) > 93.3' 'before.total(main) < 93.4' 'time(cold_leaf) == 0.08' \
	'self(no_such_function) == 0' 'self(*_leaf) > 89.5' 'dropped == 0' 'rate >= 999' \
	'before.time(hot_leaf) / after.time(hot_leaf) == 10' 'self(hot_leaf)/self(cold_leaf) < 0.08' \
	'before.wall / wall >= 2.5x'
failexp 'speedup>=3' 'speedup(hot_leaf) < 5' 'hot==hot_leaf' 'before.self(hot_leaf) < 40' \
	'samples != 96' 'hot != cold_leaf' 'self(hot_leaf)/self(cold_leaf) > 0.08'
# several: all evaluated, every failure named, exit 1
expect_status 1 "$WHYSLOW" compare --expect 'speedup>=3' --expect 'hot==cold_leaf' \
	--expect 'samples<10' "$REC" "$FAST"
[ "$(grep -c 'expectation failed' "$tmp/err")" = 2 ] || fail "two failures, stderr: $(cat "$tmp/err")"
grep -q 'pass *hot==cold_leaf' "$tmp/out" || fail "text: the passing expectation is not listed"
expect_status 1 "$WHYSLOW" compare --json --expect 'speedup>=3' "$REC" "$FAST"
jq -e '.expectations == [{"expect": "speedup>=3", "passed": false, "measured": "2.5x"}]' \
	"$tmp/out" >/dev/null || fail "json expectations: $(jq -c .expectations "$tmp/out")"

# ---- report --expect: one recording ----
expect_status 0 "$WHYSLOW" report --expect 'hot==cold_leaf' --expect 'self(hot_leaf)==40' \
	--expect 'imbalance > 1.33' --expect 'imbalance < 1.34' \
	--expect 'hotline == report_symprog.c:*' "$REC"
grep -q 'pass  *hotline' "$tmp/out" || fail "report: hotline not listed as passed"
expect_status 1 "$WHYSLOW" report --expect 'hotline == other.c:*' "$REC"
expect_status 1 "$WHYSLOW" report --expect 'total(outer_fn) > 50' "$REC"
grep -q "expectation failed: total(outer_fn) > 50 (measured: 40 %)" "$tmp/err" ||
	fail "report: failure text: $(cat "$tmp/err")"
expect_status 1 "$WHYSLOW" report --json --expect 'threads==3' "$REC"
jq -e '.expectations[0].passed == false' "$tmp/out" >/dev/null || fail "report json expectations"

# ---- usage errors: exit 2, nothing run ----
for e in 'speedup>=2' 'before.hot==x' 'nosuch>1' 'self>1' 'hot>x' 'wall>=abc' 'wall>=1%' \
	'self(x' 'samples 5' 'samples==' 'hot / wall > 1' 'wall / > 1' 'wall / cpu > 1%'; do
	expect_status 2 "$WHYSLOW" report --expect "$e" "$REC" &&
		grep -q '^whyslow: --expect' "$tmp/err" || fail "report --expect '$e': $(cat "$tmp/err")"
done
expect_status 2 "$WHYSLOW" compare "$REC"
expect_status 2 "$WHYSLOW" compare "$REC" "$FAST" "$REC"
expect_status 2 "$WHYSLOW" compare --bogus "$REC" "$FAST"
expect_status 2 "$WHYSLOW" compare --expect 'after.speedup>1' "$REC" "$FAST"
expect_status 1 "$WHYSLOW" compare "$REC" "$tmp/no-such-dir"
grep -q "^whyslow: .*no-such-dir" "$tmp/err" || fail "missing recording: $(cat "$tmp/err")"
expect_status 0 "$WHYSLOW" compare --help
grep -q 'speedup' "$tmp/out" || fail "--help does not list the metrics"

# ---- the examples' diagnosis checker (examples_diag.sh) ----
if [ -x "${TOP_BUILDDIR:-}/examples/integrate" ]; then
	# a pattern reaches whyslow as written, whatever files the directory holds
	mkdir "$tmp/diag" && : >"$tmp/diag/total(integrate_zz)"
	printf 'run s integrate serial 20000000\nexpect s total(integrate_*) > 50\n' >"$tmp/diag/glob.diag"
	(cd "$tmp/diag" && sh "${SRCDIR:-.}/examples_diag.sh" glob.diag) >"$tmp/out" 2>&1 ||
		fail "examples_diag.sh globbed a pattern: $(cat "$tmp/out")"
	# whyslow record's own usage error (exit 2) is a failure, not a variant unavailable here
	printf 'run bad --no-such-option -- integrate serial 1000\n' >"$tmp/diag/bad.diag"
	(cd "$tmp/diag" && sh "${SRCDIR:-.}/examples_diag.sh" bad.diag) >"$tmp/out" 2>&1
	[ $? -eq 1 ] || fail "examples_diag.sh: a bad run line did not fail: $(cat "$tmp/out")"
	# nor is the example's own usage error: a mistyped variant exits 2 too
	printf 'run typo integrate serail 1000\n' >"$tmp/diag/typo.diag"
	(cd "$tmp/diag" && sh "${SRCDIR:-.}/examples_diag.sh" typo.diag) >"$tmp/out" 2>&1
	[ $? -eq 1 ] || fail "examples_diag.sh: a mistyped variant did not fail: $(cat "$tmp/out")"
fi
finish
