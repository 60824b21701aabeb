#!/bin/sh
# report --memory places the hot loops on this machine's roofline
# (reports/an_roofline.c, render_roofline.c) with the peaks `whyslow
# machine` cached: stride's sum_columns does 1 FLOP (addsd) per 64 bytes
# fetched (one double used per cache line), so its intensity is 1/64 FLOP
# per byte, below the ridge (memory-bound), and its roof is intensity x the
# cached bandwidth, exactly; vectorise's f_simd calls libmvec's sin in its
# loop, so it is not placed (the callees' FLOP are not in the loop).
# Without cached peaks the section says to run `whyslow machine`.  --plot
# draws the roofline with --memory and the counters with --counters.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
stride=${TOP_BUILDDIR:?}/examples/stride
vectorise=$TOP_BUILDDIR/examples/vectorise
[ -x "$stride" ] || skip "examples/stride is not built"
"$WHYSLOW" report --help | grep -q -- '--memory' || hard_error "no report --memory"
export XDG_CACHE_HOME=$WORK/cache

ws_record "$WORK/cols" -- "$stride" columns 3000 2 >/dev/null || fail "record stride failed"
# no peaks yet
"$WHYSLOW" report --memory --json "$WORK/cols" >"$WORK/none.json" 2>/dev/null
jq -e '.roofline.why_not | test("whyslow machine")' "$WORK/none.json" >/dev/null ||
	fail "without cached peaks the roofline does not say to run whyslow machine: $(jq -c .roofline "$WORK/none.json")"

"$WHYSLOW" machine --quick >/dev/null 2>&1 || hard_error "whyslow machine --quick failed"
cache=$XDG_CACHE_HOME/whyslow/machine-$(uname -n).json
[ -s "$cache" ] || hard_error "no machine cache at $cache"
"$WHYSLOW" report --memory --json "$WORK/cols" >"$WORK/cols.json" 2>"$WORK/cols.err" ||
	fail "report --memory failed: $(cat "$WORK/cols.err")"
if ! jq -e '.memory_access' "$WORK/cols.json" >/dev/null 2>&1 || jq -e '.memory_access == null' "$WORK/cols.json" >/dev/null; then
	skip "no memory access analysis here (built without capstone)"
fi
loop() { jq -r ".roofline.loops[] | select(.function == \"sum_columns\") | $1" "$WORK/cols.json" | head -n 1; }
jq -c '.roofline | {ridge, bandwidth_bytes_per_s, peak_flops, all_cores, loops}' "$WORK/cols.json" | head -c 600
echo
[ "$(loop .bound)" = memory ] || fail "sum_columns is not memory-bound on the roofline"
near "$(loop .intensity)" 0.015625 0.0005 || fail "sum_columns' intensity is not 1/64 FLOP/byte"
bw=$(jq -r '.roofline.bandwidth_bytes_per_s' "$WORK/cols.json")
awk -v a="$(loop .attainable_flops)" -v i="$(loop .intensity)" -v b="$bw" \
	'BEGIN { r = a / (i * b); exit !(r > 0.999 && r < 1.001) }' ||
	fail "sum_columns' roof is not intensity x bandwidth"
# the roof's bandwidth is the cached one-core figure (one thread worked)
one=$(jq -r '.bandwidth.one_core_gb_s' "$cache")
awk -v b="$bw" -v o="$one" 'BEGIN { r = b / (o * 1e9); exit !(r > 0.999 && r < 1.001) }' ||
	fail "the roof's bandwidth $bw B/s is not the cached one-core triad figure ($one GB/s)"
[ "$(jq -r '.roofline.all_cores' "$WORK/cols.json")" = false ] || fail "one working thread, but the all-CPU roof was used"
"$WHYSLOW" report --memory "$WORK/cols" >"$WORK/cols.txt" 2>&1
grep -q '^Roofline: the hot loops under this machine' "$WORK/cols.txt" || fail "no Roofline section in the text"
grep -q 'sum_columns: memory-bound: 0.0156 FLOP/byte is below the ridge point' "$WORK/cols.txt" ||
	fail "no roofline verdict for sum_columns: $(sed -n '/^Roofline/,$p' "$WORK/cols.txt")"

# a loop that calls a function is not placed
if [ -x "$vectorise" ]; then
	ws_record "$WORK/simd" -- "$vectorise" f-simd 10000 3000 >/dev/null || fail "record f-simd failed"
	"$WHYSLOW" report --memory --json "$WORK/simd" >"$WORK/simd.json" 2>/dev/null
	[ "$(jq -r '.roofline.loops_with_calls' "$WORK/simd.json")" -ge 1 ] ||
		fail "f_simd's loop calls sin but is not counted as a loop with calls"
	jq -e '[.roofline.loops[] | select(.function == "f_simd")] | length == 0' "$WORK/simd.json" >/dev/null ||
		fail "f_simd's loop, which calls sin, was placed on the roofline"
fi

# --plot: the roofline with --memory
if command -v gnuplot >/dev/null 2>&1; then
	"$WHYSLOW" report --memory --plot "$WORK/roof.svg" "$WORK/cols" >/dev/null 2>&1 || fail "--memory --plot failed"
	grep -q '<svg' "$WORK/roof.svg" && grep -q 'sum_columns' "$WORK/roof.svg" && grep -q 'roofline' "$WORK/roof.svg" ||
		fail "the --memory plot is not a roofline with sum_columns"
	grep -q 'triad bandwidth' "$WORK/roof.svg" || fail "the roofline plot has no bandwidth roof"
	# --plot with --counters: the events' shares per function
	if "$WHYSLOW" record -q -e perf::PAGE-FAULTS -o "$WORK/pf" -- "$stride" rows 1000 1 >/dev/null 2>&1; then
		"$WHYSLOW" report --counters --plot "$WORK/ctr.svg" "$WORK/pf" >/dev/null 2>&1 || fail "--counters --plot failed"
		grep -q 'perf::PAGE-FAULTS' "$WORK/ctr.svg" && grep -q 'fill_matrix' "$WORK/ctr.svg" ||
			fail "the --counters plot does not show page faults per function"
	else
		note "perf::PAGE-FAULTS cannot be counted here: the counters plot is not checked"
	fi
else
	note "no gnuplot: the plots are not checked"
fi
ws_finish
