#!/bin/sh
# OMPT (profiler/ompt.c, report --threads' OpenMP section): a GCC-built
# OpenMP program recorded with --openmp-runtime=llvm runs on LLVM's libomp,
# which starts whyslow's tool.  t_ompt runs region_a 13 times and region_b
# 5 times, teams of 2; region_b's thread 1 works 3x thread 0 before a
# barrier.  Checked: the program prints what it prints on its own runtime;
# each region's instance count is exact and it is named by function and
# source line; region_b's imbalance is near 1.5 (3 / mean 2) and its
# waiting 33 % on an idle machine (thread 0 waits 2 of the team's 6 parts:
# 2 threads x 3), thread 1 the busiest, region_a balanced; --expect omp_* evaluate; the JSON has the section; without
# --openmp-runtime=llvm (libgomp) the report says how to get region data,
# and WHYSLOW_OMPT=0 keeps the tool off.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
[ -x "$(prog t_ompt)" ] || skip "t_ompt is not built (no OpenMP compiler)"
out=$("$WHYSLOW" record -q --openmp-runtime=llvm -o "$WORK/probe" -- true 2>&1)
case $out in *"libomp.so.5 is not installed"* | *"without the OpenMP tool interface"*)
	skip "no OMPT here: $out" ;;
esac

native=$("$(prog t_ompt)" 13 5 3000000) || hard_error "t_ompt failed on its own"

attempt() {
	d=$WORK/rec$1 j=$WORK/report$1.json
	rm -rf "$d"
	got=$("$WHYSLOW" record -q --openmp-runtime=llvm --clock wall -o "$d" -- "$(prog t_ompt)" 13 5 3000000) ||
		{ echo "$ws_name: record failed"; return 1; }
	ok=0
	[ "$got" = "$native" ] || { echo "    on libomp the program printed '$got', on its own runtime '$native'"; ok=1; }
	ws_report "$d" "$j" --threads || return 1
	jq -r '.threads_busy.openmp.regions[]? | "    \(.function) \(.file):\(.line) runs \(.instances) team \(.team) imbalance \(.imbalance) (CPU \(.cpu_imbalance)) waiting \(.wait_percent) %"' "$j"
	reg() { jq -r --arg f "$1" ".threads_busy.openmp.regions[] | select(.function == \$f) | $2" "$j"; }
	[ "$(reg region_a .instances)" = 13 ] || { echo "    region_a: not 13 runs"; ok=1; }
	[ "$(reg region_b .instances)" = 5 ] || { echo "    region_b: not 5 runs"; ok=1; }
	[ "$(reg region_b .team)" = 2 ] || { echo "    region_b: team is not 2"; ok=1; }
	case $(reg region_b .file) in *t_ompt.c) ;; *) echo "    region_b: not located in t_ompt.c"; ok=1 ;; esac
	# 1.5 and 33 % on an idle machine (measured 1.50, 33.2 %); another
	# program taking turns on the cores stretches both threads' work and
	# the region alike (1.38-1.47 and 44-47 % measured under make -j2)
	ge "$(reg region_b .imbalance)" 1.25 && le "$(reg region_b .imbalance)" 1.75 ||
		{ echo "    region_b: imbalance not in 1.25..1.75 (1.5 expected)"; ok=1; }
	# in CPU time the work is the program's own split, whatever else runs
	near "$(reg region_b .cpu_imbalance)" 1.5 0.15 || { echo "    region_b: CPU-time imbalance not 1.5 +- 0.15"; ok=1; }
	ge "$(reg region_b .wait_percent)" 15 || { echo "    region_b: thread 0's wait not seen (waiting < 15 %)"; ok=1; }
	[ "$(reg region_b .busiest_thread_num)" = 1 ] || { echo "    region_b: thread 1 is not the busiest"; ok=1; }
	le "$(reg region_a .cpu_imbalance)" 1.15 || { echo "    region_a: imbalanced in CPU time, though balanced"; ok=1; }
	le "$(jq_get "$j" .threads_busy.openmp.serial_percent)" 30 ||
		{ echo "    more than 30 % serial, though the program is regions end to end"; ok=1; }
	return "$ok"
}
retry_once attempt || fail "OpenMP region data from OMPT is wrong"

# the text section and the expectations on one recording
d=$WORK/rec1
[ -d "$WORK/rec2" ] && d=$WORK/rec2
"$WHYSLOW" report --threads --expect 'omp_serial < 50' --expect 'omp_wait >= 0' "$d" >"$WORK/text" 2>&1 ||
	fail "omp_* expectations did not evaluate: $(tail -3 "$WORK/text")"
grep -q '^OpenMP parallel regions (OMPT, ' "$WORK/text" || fail "no OpenMP section in report --threads"

# on libgomp: no OMPT, and the report says how to get it
"$WHYSLOW" record -q --clock wall -o "$WORK/gomp" -- "$(prog t_ompt)" 2 2 1000000 >/dev/null || fail "record on libgomp failed"
"$WHYSLOW" report --threads "$WORK/gomp" >"$WORK/gomp.txt" 2>&1
grep -q 'record with --openmp-runtime=llvm' "$WORK/gomp.txt" || fail "no hint to --openmp-runtime=llvm on libgomp"
"$WHYSLOW" report --expect 'omp_imbalance > 0' "$WORK/gomp" >/dev/null 2>"$WORK/gomp.err" &&
	fail "omp_imbalance passed without OMPT data"
grep -q 'OMPT was not recorded' "$WORK/gomp.err" || fail "the failed omp_ check does not say OMPT was not recorded"

# WHYSLOW_OMPT=0: the tool stays off
WHYSLOW_OMPT=0 "$WHYSLOW" record -q --openmp-runtime=llvm -o "$WORK/off" -- "$(prog t_ompt)" 2 2 1000000 >/dev/null ||
	fail "record with WHYSLOW_OMPT=0 failed"
"$WHYSLOW" report --json --threads "$WORK/off" | jq -e '.threads_busy.openmp == null' >/dev/null ||
	fail "WHYSLOW_OMPT=0 did not keep the tool off"

# a bad --openmp-runtime is a usage error
"$WHYSLOW" record --openmp-runtime=intel -- true 2>"$WORK/bad.err"
[ $? = 2 ] || fail "--openmp-runtime=intel is not a usage error"
ws_finish
