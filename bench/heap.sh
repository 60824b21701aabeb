#!/bin/bash
# heap.sh: what the heap profile costs (docs/overhead.md, docs/memory.md).
#
# Runs bench/allocbench (one malloc and one free per iteration, 16..1040
# bytes) unprofiled, under `whyslow record --no-heap` (timer sampling only),
# under `whyslow record` (heap on, the default sampling of one allocation
# per 512 KiB) and `--heap-sample 1` (every allocation), REPEAT times,
# alternating the order within each repeat (A B C D, then D C B A) so that
# drift falls on every column alike.  Prints each column's median and
# min-max of wall seconds, and the ratios of the medians: heap on / heap off
# (the cost of the heap profile) and each / unprofiled.
#
# usage: BUILD=/path/to/build bench/heap.sh     (or: make -C bench heap)
# Environment: BUILD [.], WHYSLOW, REPEAT [9], ITER [20000000], THREADS [1],
# FREQ [1000], KEEP=1 keeps the scratch directory.
set -u -o pipefail
export LC_ALL=C
BUILD=${BUILD:-.}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || {
	echo "heap.sh: BUILD: no such directory" >&2
	exit 2
}
WHYSLOW=${WHYSLOW:-$BUILD/reports/whyslow}
REPEAT=${REPEAT:-9}
ITER=${ITER:-20000000}
THREADS=${THREADS:-1}
FREQ=${FREQ:-1000}
prog=$BUILD/bench/allocbench
[ -x "$prog" ] || { echo "heap.sh: $prog is not built (make -C bench allocbench)" >&2; exit 2; }
[ -x "$WHYSLOW" ] || { echo "heap.sh: $WHYSLOW is not built" >&2; exit 2; }
tmp=$(mktemp -d) || exit 2
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$tmp"' EXIT

cols=(unprofiled heap-off heap-default heap-exact)
run() {
	local col=$1 out=$tmp/$1.$2
	local t0 t1
	t0=$(date +%s%N)
	case $col in
	unprofiled) "$prog" "$ITER" "$THREADS" >"$out" ;;
	heap-off) "$WHYSLOW" record -q -F "$FREQ" --no-heap -o "$tmp/rec.$col.$2" -- "$prog" "$ITER" "$THREADS" >"$out" ;;
	heap-default) "$WHYSLOW" record -q -F "$FREQ" -o "$tmp/rec.$col.$2" -- "$prog" "$ITER" "$THREADS" >"$out" ;;
	heap-exact) "$WHYSLOW" record -q -F "$FREQ" --heap-sample 1 -o "$tmp/rec.$col.$2" -- "$prog" "$ITER" "$THREADS" >"$out" ;;
	esac || { echo "heap.sh: $col failed" >&2; exit 1; }
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000)) $col" >>"$tmp/times"
	rm -rf "$tmp/rec.$col.$2"
}
for ((r = 0; r < REPEAT; r++)); do
	if ((r % 2 == 0)); then order=("${cols[@]}"); else order=(heap-exact heap-default heap-off unprofiled); fi
	for c in "${order[@]}"; do run "$c" "$r"; done
done
median() { awk -v c="$1" '$2 == c { print $1 }' "$tmp/times" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { awk -v c="$1" '$2 == c { print $1 }' "$tmp/times" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f-%.3f", lo / 1e6, hi / 1e6 }'; }
echo "allocbench $ITER iterations x $THREADS threads, $REPEAT repeats, medians of wall seconds"
declare -A med
for c in "${cols[@]}"; do
	med[$c]=$(median "$c")
	printf "  %-13s %8.3f s  (%s)\n" "$c" "$(awk -v m="${med[$c]}" 'BEGIN { print m / 1e6 }')" "$(spread "$c")"
done
ratio() { awk -v a="${med[$1]}" -v b="${med[$2]}" 'BEGIN { printf "%.3f", a / b }'; }
echo "  heap-default / heap-off    $(ratio heap-default heap-off)   (the default heap profile's cost)"
echo "  heap-exact / heap-off      $(ratio heap-exact heap-off)"
echo "  heap-off / unprofiled      $(ratio heap-off unprofiled)"
echo "  heap-default / unprofiled  $(ratio heap-default unprofiled)"
echo "  heap-exact / unprofiled    $(ratio heap-exact unprofiled)"
