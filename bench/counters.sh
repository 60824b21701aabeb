#!/bin/bash
# counters.sh: what reading counters at each sample costs.
#
# Three commands side by side, REPEAT times, alternating their order
# (A B C, then C B A, ...):
#   plain     the workload unprofiled
#   record    whyslow record (timer samples only)
#   counters  whyslow record -e perf::PAGE-FAULTS,perf::CONTEXT-SWITCHES
#             (a group of two, read twice in every sample: as the handler
#             starts and as it ends, each read an fstat, an ioctl and a
#             read of the group leader; docs/counters.md)
# Prints the median wall time of each, its ratio to plain, and the median
# time in the sample handler per sample of the two recordings (from the
# profile's own accounting), then a Markdown table for docs/overhead.md.
#
# usage: BUILD=/path/to/build bench/counters.sh     (or: make -C bench counters)
# Environment: BUILD [.], WHYSLOW [$BUILD/reports/whyslow], REPEAT [9],
#   FREQ [1000], N [150000000 bins of examples/integrate serial, ~0.6 s here],
#   EVENTS [perf::PAGE-FAULTS,perf::CONTEXT-SWITCHES], KEEP=1 keeps the scratch.
# Exit status: 0 done, 1 a run failed, 2 setup error.
set -u -o pipefail
export LC_ALL=C
BUILD=${BUILD:-.}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "counters.sh: BUILD: no such directory" >&2; exit 2; }
WHYSLOW=${WHYSLOW:-$BUILD/reports/whyslow}
REPEAT=${REPEAT:-9} FREQ=${FREQ:-1000} N=${N:-150000000}
EVENTS=${EVENTS:-perf::PAGE-FAULTS,perf::CONTEXT-SWITCHES}
PROG=$BUILD/examples/integrate
for f in "$WHYSLOW" "$PROG"; do
	[ -x "$f" ] || { echo "counters.sh: $f is not built" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "counters.sh: needs jq" >&2; exit 2; }
"$WHYSLOW" events --json | jq -e --arg e "${EVENTS%%,*}" '[.events[] | select(.name == $e and .available)] | length == 1' >/dev/null ||
	{ echo "counters.sh: ${EVENTS%%,*} cannot be counted here (whyslow events)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/whyslow-bench-counters.XXXXXX") || exit 2
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$tmp"' EXIT

declare -A times per_sample
now() { date +%s.%N; }
run() { # run NAME REP
	local name=$1 rep=$2 t0 t1 d=$tmp/$1.$2
	t0=$(now)
	case $name in
	plain) "$PROG" serial "$N" >/dev/null ;;
	record) "$WHYSLOW" record -q -F "$FREQ" -o "$d" -- "$PROG" serial "$N" >/dev/null ;;
	counters) "$WHYSLOW" record -q -F "$FREQ" -e "$EVENTS" -o "$d" -- "$PROG" serial "$N" >/dev/null ;;
	esac || { echo "counters.sh: $name failed" >&2; exit 1; }
	t1=$(now)
	times[$name]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') "
	if [ "$name" != plain ]; then
		per_sample[$name]+="$("$WHYSLOW" report --json "$d" | jq -r '.header | if .samples > 0 then 1e6 * .overhead_seconds / .samples else 0 end') "
		rm -rf "$d"
	fi
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

order=(plain record counters)
for ((r = 1; r <= REPEAT; r++)); do
	if ((r % 2)); then seq=("${order[@]}"); else seq=(counters record plain); fi
	for c in "${seq[@]}"; do run "$c" "$r"; done
done
mp=$(echo "${times[plain]}" | median)
echo "counters.sh: integrate serial $N, $FREQ Hz, $REPEAT repeats, events $EVENTS"
printf "%-10s %10s %8s %16s\n" command "median s" ratio "handler us/sample"
for c in plain record counters; do
	m=$(echo "${times[$c]}" | median)
	h=-
	[ "$c" != plain ] && h=$(echo "${per_sample[$c]}" | median)
	printf "%-10s %10.3f %8.3f %16s\n" "$c" "$m" "$(awk -v a="$m" -v b="$mp" 'BEGIN { print a / b }')" "$h"
done
echo
echo "| command | median wall s | / unprofiled | handler µs per sample |"
echo "|---|---|---|---|"
for c in plain record counters; do
	m=$(echo "${times[$c]}" | median)
	h=-
	[ "$c" != plain ] && h=$(printf "%.2f" "$(echo "${per_sample[$c]}" | median)")
	printf "| %s | %.3f | %.3f | %s |\n" "$c" "$m" "$(awk -v a="$m" -v b="$mp" 'BEGIN { print a / b }')" "$h"
done
