#!/bin/sh
# The generic charts of reports/plot.c from synthetic data
# (machine_plot_synth.c): what gnuplot writes, not its pixels.  SVG: the
# root element, the title, axis labels, key entries and names, as written
# (noenhanced: '_' and '^' stay); PNG: the magic bytes; term: the names in
# the text plot; the script kept as FILE.gp, no temporary left for term;
# without gnuplot, the failure names what is missing.
. "${SRCDIR:-.}/common.sh"
SYNTH=$TESTS_DIR/machine_plot_synth
[ -x "$SYNTH" ] || hard_error "$SYNTH is not built"
command -v gnuplot >/dev/null 2>&1 || skip "gnuplot is not installed (apt-get install gnuplot-nox)"
ws_workdir
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"

svg_text() { # the text of every <text> element, one per line
	tr -d '\n' <"$1" | grep -o '<text[^>]*>[^<]*\(<tspan[^>]*>[^<]*</tspan>\)*[^<]*</text>' |
		sed 's/<[^>]*>//g'
}

# bars
"$SYNTH" bars "$WORK/bars.svg" || fail "bars.svg: exit $?"
sed -n '1,3p' "$WORK/bars.svg" | grep -q '^<svg' || fail "bars.svg: no <svg root element"
svg_text "$WORK/bars.svg" >"$WORK/bars.txt"
for s in 'synthetic profile: self and total' '% of samples' 'self %' 'total %' \
	alpha_kernel 'beta^loop' "gamma.*s helper" "delta .quoted."; do
	grep -q "$s" "$WORK/bars.txt" || fail "bars.svg: no text '$s': $(tr '\n' '|' <"$WORK/bars.txt")"
done
# hottest first: alpha_kernel is the first name drawn on the y axis
[ "$(grep -m1 -n 'alpha_kernel' "$WORK/bars.txt" | cut -d: -f1)" -lt "$(grep -m1 -n 'beta' "$WORK/bars.txt" | cut -d: -f1)" ] ||
	fail "bars.svg: the labels are not in order"
grep -q '^\$bars << EOD' "$WORK/bars.gp" || fail "bars.gp: the script is not kept beside the plot"
"$SYNTH" bars "$WORK/bars.png" || fail "bars.png: exit $?"
[ "$(head -c 8 "$WORK/bars.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
	fail "bars.png: no PNG magic"
"$SYNTH" bars term >"$WORK/bars.term" || fail "bars term: exit $?"
for s in alpha_kernel 'beta^loop' "gamma's helper" 'self %' 'total %'; do
	grep -qF "$s" "$WORK/bars.term" || fail "bars term: no '$s'"
done
[ -z "$(ls "$TMPDIR")" ] || fail "term left files in TMPDIR: $(ls "$TMPDIR")"

# roofline
"$SYNTH" roofline "$WORK/roof.svg" || fail "roof.svg: exit $?"
sed -n '1,3p' "$WORK/roof.svg" | grep -q '^<svg' || fail "roof.svg: no <svg root element"
svg_text "$WORK/roof.svg" >"$WORK/roof.txt"
for s in 'synthetic roofline' 'arithmetic intensity (FLOP/byte)' 'GFLOP/s' \
	'memory_bw: 50 GB/s' 'scalar_double: 12 GFLOP/s' 'avx512_double: 96 GFLOP/s' \
	stream_loop dense_kernel unknown_loop 'achieved unknown: on its roof' measured; do
	grep -qF "$s" "$WORK/roof.txt" || fail "roof.svg: no text '$s': $(tr '\n' '|' <"$WORK/roof.txt")"
done
grep -q 'logscale xy' "$WORK/roof.gp" || fail "roof.gp: not log-log"
"$SYNTH" roofline "$WORK/roof.png" || fail "roof.png: exit $?"
[ "$(head -c 8 "$WORK/roof.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
	fail "roof.png: no PNG magic"
"$SYNTH" roofline term >"$WORK/roof.term" || fail "roof term: exit $?"
for s in 'synthetic roofline' 'memory_bw: 50 GB/s' 'avx512_double: 96 GFLOP/s' 'arithmetic intensity'; do
	grep -qF "$s" "$WORK/roof.term" || fail "roof term: no '$s'"
done

# no gnuplot in PATH: a clear failure, nothing drawn
PATH=/nonexistent "$SYNTH" roofline "$WORK/none.svg" 2>"$WORK/none.err"
st=$?
[ "$st" = 3 ] || fail "without gnuplot: exit $st, expected 3 (WS_PLOT_NO_GNUPLOT)"
grep -q 'gnuplot is not installed (apt-get install gnuplot-nox); the script is .*none.gp' "$WORK/none.err" ||
	fail "without gnuplot: $(cat "$WORK/none.err")"
[ ! -e "$WORK/none.svg" ] || fail "without gnuplot, none.svg exists"
ws_finish
