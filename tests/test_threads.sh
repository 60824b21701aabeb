#!/bin/sh
# Threads: t_threads8 starts 4 workers, works 100 ms in main_work, starts
# 4 more; each worker burns 80 ms in thread_work.  `report --by-thread`
# must list main and the 8 workers (9 threads), at least 8 with samples
# (main may be idle in join; here it works, too).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

d=$WORK/rec j=$WORK/report.json
if ! ws_record "$d" -- "$(prog t_threads8)"; then
	fail "whyslow record -- t_threads8 failed"
	ws_finish
fi
ws_report "$d" "$j" --by-thread || { fail "report --by-thread failed"; ws_finish; }
entries=$(jq_get "$j" '.threads | length')
with=$(jq_get "$j" '[.threads[] | select(.samples > 0)] | length')
echo "$ws_name: $entries threads listed, $with with samples; header.threads=$(jq_get "$j" .header.threads)"
jq -r '.threads[] | "    tid \(.tid) \(.name): \(.samples) samples, \(.cpu_seconds) s CPU"' "$j"
[ "$entries" -ge 9 ] || fail "expected 9 threads (main + 8 workers) in --by-thread, got $entries"
[ "$with" -ge 8 ] || fail "expected at least 8 threads with samples, got $with"
[ "$(fn_self_samples "$j" thread_work)" -gt 0 ] || fail "no samples in thread_work"
[ "$(fn_self_samples "$j" main_work)" -gt 0 ] || fail "no samples in main_work"
[ "$ws_failed" -eq 0 ] || show_flat "$j"
ws_finish
