#!/bin/bash
# The cost of the register snapshots (WS_REC_REGS, profiler/regs.c): the
# same program recorded with WHYSLOW_REGS=0 (off) and with the default
# reservoir, alternating, REPEAT times; medians of the time spent in the
# sampling handler per sample and of the run's CPU time.
#   make -C bench regs [REPEAT=11] [FREQ=1000]
# BUILD is the build tree (the Makefile sets it).
set -u
BUILD=${BUILD:?the build tree}
REPEAT=${REPEAT:-11}
FREQ=${FREQ:-1000}
W=$BUILD/reports/whyslow
export WHYSLOW_LIB=$BUILD/profiler/.libs/libwhyslow.so
prog=(${PROG:-$BUILD/examples/stride columns 3000 3})
scratch=$(mktemp -d "${TMPDIR:-/tmp}/whyslow-bench-regs.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
command -v jq >/dev/null || { echo "needs jq"; exit 1; }
for i in $(seq "$REPEAT"); do
	for regs in 0 2048; do
		[ $((i % 2)) = 0 ] && regs=$((2048 - regs))
		out=$scratch/r$regs.$i
		WHYSLOW_REGS=$regs "$W" record -F "$FREQ" -o "$out" -- "${prog[@]}" >/dev/null 2>&1 || continue
		"$W" report --json "$out" | jq -r '.header | "\(.overhead_seconds / .samples * 1e9) \(.cpu_seconds) \(.samples)"' >>"$scratch/r$regs"
		rm -rf "$out"
	done
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "Register snapshots, $(date -u '+%Y-%m-%d %H:%M UTC'): ${prog[*]} at $FREQ Hz, $REPEAT runs each, alternated"
echo "| WHYSLOW_REGS | handler ns per sample (median) | CPU s (median) | samples (median) |"
echo "|---|---:|---:|---:|"
for regs in 0 2048; do
	f=$scratch/r$regs
	echo "| $regs | $(cut -d' ' -f1 "$f" | median | xargs printf '%.0f') | $(cut -d' ' -f2 "$f" | median) | $(cut -d' ' -f3 "$f" | median) |"
done
