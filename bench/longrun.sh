#!/bin/sh
# Long runs: does the collector drop samples or grow its memory with the
# length of the run?  Records bench/longrun (THREADS threads computing for
# DURATION seconds, defaults 8 and 600: the issue's "10-minute, 8-thread run
# at 1000 Hz") and prints what the report says about samples, drops and the
# collector's peak memory.  Exit 1 if anything was dropped or the recording
# is incomplete.  Run a short one first (DURATION=60) and compare the peak
# memory: it must not grow with DURATION.
#
#   BUILD=/path/to/build bench/longrun.sh
set -u
BUILD=${BUILD:-.}
WHYSLOW=${WHYSLOW:-$BUILD/reports/whyslow}
PROG=${PROG:-$BUILD/bench/longrun}
THREADS=${THREADS:-8}
DURATION=${DURATION:-600}
FREQ=${FREQ:-1000}
command -v jq >/dev/null || { echo "longrun: jq missing (apt-get install jq)"; exit 2; }
[ -x "$WHYSLOW" ] && [ -x "$PROG" ] || { echo "longrun: build first ($WHYSLOW, $PROG)"; exit 2; }
dir=$(mktemp -d /tmp/whyslow-longrun.XXXXXX)
echo "longrun: $THREADS threads x $DURATION s at -F $FREQ, recording in $dir/rec" >&2
timer=""
[ -x /usr/bin/time ] && timer="/usr/bin/time -f longrun:_%e_s_wall,_%M_KiB_max_RSS_of_the_profiled_program"
$timer "$WHYSLOW" record -q -F "$FREQ" -o "$dir/rec" -- "$PROG" "$THREADS" "$DURATION" || exit 1
"$WHYSLOW" report --json --by-thread "$dir/rec" >"$dir/report.json" || exit 1
jq -r '.header | "samples \(.samples)  achieved \(.achieved_hz) Hz  dropped \(.dropped)  unwind failures \(.unwind_failures)  incomplete \(.incomplete_processes)  collector peak memory \(.collector_peak_bytes) bytes  handler overhead \(.overhead_percent) %"' "$dir/report.json"
jq -r '.threads[] | "  tid \(.tid) \(.name): \(.samples) samples, \(.cpu_seconds) s CPU"' "$dir/report.json"
du -sh "$dir/rec" | sed 's/^/profile size: /'
dropped=$(jq '.header.dropped' "$dir/report.json")
incomplete=$(jq '.header.incomplete_processes' "$dir/report.json")
[ "$dropped" = 0 ] && [ "$incomplete" = 0 ] || { echo "longrun: FAILED: dropped $dropped, incomplete $incomplete"; exit 1; }
rm -rf "$dir"
