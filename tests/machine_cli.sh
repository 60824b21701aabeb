#!/bin/sh
# `whyslow machine` end to end, with --quick sizes: the figures are sane
# (bandwidth in plausible bounds, vectors faster than scalar, all CPUs at
# least 0.8 of one core, only the widths this CPU has), the cache file is
# written and read back (no new measurement, same figures, its date
# shown), --refresh measures again, a corrupt or foreign cache file is
# named with what is wrong and measured again, $HOME/.cache without
# XDG_CACHE_HOME, an unwritable cache, usage errors, and --plot.
. "${SRCDIR:-.}/common.sh"
command -v jq >/dev/null 2>&1 || skip "jq missing (apt-get install jq)"
[ -x "$WHYSLOW" ] || hard_error "whyslow is not built: $WHYSLOW"
ws_workdir
export XDG_CACHE_HOME=$WORK/cache
CACHE=$XDG_CACHE_HOME/whyslow/machine-$(uname -n).json

# run STATUS ARGS...: whyslow machine ARGS, output in $WORK/out, $WORK/err
run() {
	want=$1
	shift
	"$WHYSLOW" machine "$@" >"$WORK/out" 2>"$WORK/err"
	got=$?
	[ "$got" = "$want" ] || fail "machine $*: exit $got, expected $want: $(head -c 600 "$WORK/err")"
}
j() { jq -r "$1" "$WORK/out"; }

# sane FILE: the figures' sanity; prints what is wrong
sane() {
	jq -r --argjson cpus "$(nproc)" '
	  [ (if .bandwidth.one_core_gb_s < 0.5 or .bandwidth.one_core_gb_s > 5000 then "one-core bandwidth \(.bandwidth.one_core_gb_s) GB/s is implausible" else empty end),
	    (if .bandwidth.all_cores_gb_s < 0.8 * .bandwidth.one_core_gb_s then "all-CPUs bandwidth \(.bandwidth.all_cores_gb_s) < 0.8 x one core \(.bandwidth.one_core_gb_s)" else empty end),
	    (if .cpus != $cpus then "cpus \(.cpus), nproc says \($cpus)" else empty end),
	    (.peaks[] | select(.all_cores_gflop_s < 0.8 * .one_core_gflop_s) |
	      "\(.precision) \(.vector_bits)-bit: all CPUs \(.all_cores_gflop_s) < 0.8 x one core \(.one_core_gflop_s)"),
	    (.peaks[] | select(.one_core_gflop_s < 0.05 or .one_core_gflop_s > 10000) |
	      "\(.precision) \(.vector_bits)-bit: \(.one_core_gflop_s) GFLOP/s on one core is implausible")
	  ] | .[]' "$1"
}

# 1. nothing cached: measured, with progress, and cached
run 0 --quick --json
grep -q 'no figures cached for this host yet: measuring' "$WORK/err" || fail "no note that it measures: $(cat "$WORK/err")"
grep -q 'memory bandwidth: triad' "$WORK/err" && grep -q 'double scalar' "$WORK/err" ||
	fail "no progress on stderr: $(cat "$WORK/err")"
[ "$(j .schema)/$(j .version)/$(j .quick)" = whyslow-machine/1/true ] || fail "JSON: $(head -c 300 "$WORK/out")"
[ -s "$CACHE" ] || fail "no cache file $CACHE"
cmp -s "$WORK/out" "$CACHE" || fail "--json differs from the cache file"
cp "$WORK/out" "$WORK/first.json"

# 2. sanity (a noisy spell on a shared machine gets one more try)
problems=$(sane "$WORK/first.json")
if [ -n "$problems" ]; then
	note "retrying once after: $problems"
	run 0 --quick --refresh --json
	cp "$WORK/out" "$WORK/first.json"
	problems=$(sane "$WORK/first.json")
fi
[ -z "$problems" ] || fail "$problems"
# only the widths this CPU has, and vectors beat scalar code
flags=$(grep -m1 '^flags' /proc/cpuinfo)
has512=$(jq '[.peaks[] | select(.vector_bits == 512)] | length' "$WORK/first.json")
has256=$(jq '[.peaks[] | select(.vector_bits == 256)] | length' "$WORK/first.json")
case "$flags" in
*' avx512f'*) [ "$has512" -eq 2 ] || fail "the CPU has AVX-512F but $has512 512-bit peaks" ;;
*) [ "$has512" -eq 0 ] || fail "512-bit peaks on a CPU without AVX-512F" ;;
esac
case "$flags" in
*' avx '*)
	[ "$has256" -eq 2 ] || fail "the CPU has AVX but $has256 256-bit peaks"
	ratio=$(jq '([.peaks[] | select(.precision == "double")] | max_by(.vector_bits).one_core_gflop_s) /
		([.peaks[] | select(.precision == "double" and .vector_bits == 0)][0].one_core_gflop_s)' "$WORK/first.json")
	jq -en "$ratio >= 1.5" >/dev/null || fail "widest double vectors only ${ratio}x scalar (>= 1.5 expected: 4 or 8 lanes)"
	;;
*) [ "$has256" -eq 0 ] || fail "256-bit peaks on a CPU without AVX" ;;
esac
case "$flags" in
*' fma '*) [ "$(jq '[.peaks[] | select(.fma | not)] | length' "$WORK/first.json")" -eq 0 ] || fail "FMA CPU, peaks without FMA" ;;
esac

# 3. read back: no measurement, the same figures, the date shown
run 0 --json
cmp -s "$WORK/out" "$WORK/first.json" || fail "the cached figures differ from the measured ones"
grep -q 'measuring\|memory bandwidth' "$WORK/err" && fail "measured again with a cache: $(cat "$WORK/err")"
run 0
grep -qF "measured $(jq -r .measured "$WORK/first.json"), from $CACHE" "$WORK/out" ||
	fail "text: no date and cache: $(head -3 "$WORK/out")"
grep -q 'triad (24 bytes/element)' "$WORK/out" && grep -q 'Ridge points' "$WORK/out" || fail "text: $(cat "$WORK/out")"
grep -q 'QUICK measurement' "$WORK/out" || fail "text: a quick measurement is not marked"

# 4. --refresh measures again
sleep 1
run 0 --refresh --quick --json
grep -q 'memory bandwidth: triad' "$WORK/err" || fail "--refresh did not measure"
[ "$(j .measured_at)" -gt "$(jq .measured_at "$WORK/first.json")" ] || fail "--refresh: not a newer measurement"

# 5. corrupt and foreign cache files: the reason, then a new measurement
corrupt() { # WHAT-TO-EXPECT, with the cache already spoiled
	run 0 --quick --json
	grep -qF "$1" "$WORK/err" || fail "cache '$2': no '$1' in: $(cat "$WORK/err")"
	grep -q 'measuring again' "$WORK/err" || fail "cache '$2': not measured again"
	jq -e '.schema == "whyslow-machine"' "$CACHE" >/dev/null || fail "cache '$2': not rewritten"
}
good=$WORK/first.json
printf 'garbage{' >"$CACHE"
corrupt "is not valid JSON" garbage
: >"$CACHE"
corrupt "is not valid JSON" empty
echo '{"schema": "whyslow-report", "version": 1}' >"$CACHE"
corrupt "schema: not a whyslow-machine file" schema
jq '.version = 2' "$good" >"$CACHE"
corrupt "version 2: this whyslow reads version 1" version
jq 'del(.bandwidth.one_core_gb_s)' "$good" >"$CACHE"
corrupt "bandwidth.one_core_gb_s: missing or not a number" field
jq '.peaks[1].vector_bits = 384' "$good" >"$CACHE"
corrupt "peaks[1].vector_bits: not 0, 128, 256 or 512" bits
jq '.bandwidth.all_cores_gb_s = -3' "$good" >"$CACHE"
corrupt "bandwidth.all_cores_gb_s: out of range" negative
jq '.host = "elsewhere"' "$good" >"$CACHE"
corrupt "was measured on elsewhere, not on this host" host

# 6. $HOME/.cache without XDG_CACHE_HOME
mkdir -p "$WORK/home"
env -u XDG_CACHE_HOME HOME="$WORK/home" "$WHYSLOW" machine --quick >/dev/null 2>"$WORK/err" ||
	fail "HOME cache: $(cat "$WORK/err")"
[ -s "$WORK/home/.cache/whyslow/machine-$(uname -n).json" ] || fail "no cache under \$HOME/.cache/whyslow"

# 7. a cache that cannot be written: the figures all the same, exit 1
: >"$WORK/a-file"
XDG_CACHE_HOME=$WORK/a-file run 1 --quick
grep -q 'the figures are not cached: cannot create' "$WORK/err" || fail "unwritable cache: $(cat "$WORK/err")"
grep -q 'triad (24 bytes/element)' "$WORK/out" || fail "unwritable cache: no figures"

# 8. usage
run 0 --help
grep -q '^usage: whyslow machine' "$WORK/out" || fail "--help"
run 2 --plot roof.jpg
run 2 --array-mib 0
run 2 --frobnicate
run 2 extra
run 2 --json --plot term

# 9. --plot: the empty roofline of this machine
if command -v gnuplot >/dev/null 2>&1; then
	run 0 --plot "$WORK/roof.svg"
	sed -n '1,3p' "$WORK/roof.svg" | grep -q '^<svg' || fail "--plot svg: no <svg root"
	for s in "roofline of $(uname -n)" 'memory (triad)' 'double scalar' 'arithmetic intensity (FLOP/byte)'; do
		grep -qF "$s" "$WORK/roof.svg" || fail "--plot svg: no '$s'"
	done
	[ "$has512" -eq 0 ] || grep -qF 'double 512-bit AVX-512F FMA' "$WORK/roof.svg" || fail "--plot svg: no 512-bit roof"
	[ -s "$WORK/roof.gp" ] || fail "--plot: roof.gp not kept"
	run 0 --plot term
	grep -q 'arithmetic intensity' "$WORK/out" && grep -q 'Ridge points' "$WORK/out" || fail "--plot term: $(tail -5 "$WORK/out")"
fi
PATH=/nonexistent run 1 --plot term
grep -q 'gnuplot is not installed (apt-get install gnuplot-nox)' "$WORK/err" || fail "no gnuplot: $(cat "$WORK/err")"
grep -q 'triad (24 bytes/element)' "$WORK/out" || fail "no gnuplot: the figures are missing"
ws_finish
