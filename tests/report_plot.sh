#!/bin/sh
# whyslow report --plot: the flat profile as gnuplot bars.  term: the text
# plot after the complete report, with the function names; FILE.svg: the
# root element, title and names, FILE.gp kept; FILE.png: the magic bytes;
# --json with a file names it in "plot"; without gnuplot the report is
# still complete and the exit status is 1 with what is missing; usage
# errors.
. "${SRCDIR:-.}/report_common.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq missing"; exit 77; }

if command -v gnuplot >/dev/null 2>&1; then
	expect_status 0 "$WHYSLOW" report --plot term "$REC"
	grep -q '^Flat profile' "$tmp/out" || fail "term: no report before the plot"
	# the plot comes after the report: its title is after the flat profile
	[ "$(grep -n 'hottest of' "$tmp/out" | cut -d: -f1)" -gt "$(grep -n '^Flat profile' "$tmp/out" | cut -d: -f1)" ] ||
		fail "term: the plot is not after the report"
	for fn in hot_leaf cold_leaf outer_fn 'inl_helper \[inlined\]' 'self %' 'total %'; do
		sed -n '/hottest of/,$p' "$tmp/out" | grep -q "$fn" || fail "term: no '$fn' in the plot"
	done
	samples=$("$WHYSLOW" report --json "$REC" | jq .header.samples)
	expect_status 0 "$WHYSLOW" report --plot "$tmp/prof.svg" "$REC"
	sed -n '1,3p' "$tmp/prof.svg" | grep -q '^<svg' || fail "svg: no <svg root element"
	for s in "whyslow report $REC: 6 hottest of 6 functions, $samples samples" hot_leaf cold_leaf '% of samples'; do
		grep -qF "$s" "$tmp/prof.svg" || fail "svg: no '$s'"
	done
	# cold_leaf (most self samples) is the first label, at the top
	first=$(grep -o '<text>[a-z_]*_[a-z_]*</text>' "$tmp/prof.svg" | head -1)
	[ "$first" = '<text>cold_leaf</text>' ] || fail "svg: first label is $first, not cold_leaf"
	[ -s "$tmp/prof.gp" ] || fail "svg: the script prof.gp is not kept"
	grep -q 'plot written to' "$tmp/err" || fail "svg: no note of the file"
	expect_status 0 "$WHYSLOW" report --top 2 --plot "$tmp/prof.png" "$REC"
	[ "$(head -c 8 "$tmp/prof.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "png: no PNG magic"
	grep -q '2 hottest of 6' "$tmp/prof.gp" || fail "png: --top 2 does not cut the plot"
	expect_status 0 "$WHYSLOW" report --json --plot "$tmp/j.svg" "$REC"
	[ "$(jq -r '.plot.output + " " + .plot.script' "$tmp/out")" = "$tmp/j.svg $tmp/j.gp" ] ||
		fail "json: plot is $(jq -c .plot "$tmp/out")"
	[ -s "$tmp/j.svg" ] || fail "json: no j.svg"
fi
expect_status 0 "$WHYSLOW" report --json "$REC"
[ "$(jq 'has("plot")' "$tmp/out")" = false ] || fail "json without --plot has a plot key"

# no gnuplot: the report, then what is missing, exit 1
PATH=/nonexistent expect_status 1 "$WHYSLOW" report --plot term "$REC"
grep -q '^Flat profile' "$tmp/out" && grep -q hot_leaf "$tmp/out" || fail "no gnuplot: the report is incomplete"
grep -q 'gnuplot is not installed (apt-get install gnuplot-nox); the report above is complete' "$tmp/err" ||
	fail "no gnuplot: $(cat "$tmp/err")"

# usage
expect_status 2 "$WHYSLOW" report --plot prof.jpg "$REC"
expect_status 2 "$WHYSLOW" report --plot .svg "$REC"
expect_status 2 "$WHYSLOW" report --json --plot term "$REC"
grep -q 'needs' "$tmp/err" || fail "--json --plot term: $(cat "$tmp/err")"
finish
