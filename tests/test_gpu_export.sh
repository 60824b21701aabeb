#!/bin/sh
# `whyslow export --format chrome` (trace-event JSON, export_chrome.c): on a
# profile gpu_synth wrote from synthetic CUPTI records, valid JSON whose
# events follow the trace-event format (ph M or X; pid, tid, ts numbers;
# X events with dur >= 0), the GPU kernel and copies on their stream's
# track at the collector's CLOCK_MONOTONIC times in microseconds, the
# top-level CUDA API calls only (not the nested driver calls), a flow
# arrow (s/f pair) from each launching API call to its activity, the
# unified-memory events on their own track; on a CPU
# recording, each thread's samples as complete events that nest.
. "${SRCDIR:-.}/report_common.sh"
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq not found (apt-get install jq)"
	exit 77
fi
./gpu_synth --write "$tmp" >/dev/null || fail "gpu_synth --write failed"
T=$tmp/trace.json
expect_status 0 "$WHYSLOW" export --format chrome -o "$T" "$tmp/transfer"
jq -e '.traceEvents | type == "array" and length > 0' "$T" >/dev/null || fail "no traceEvents array"
jq -e 'all(.traceEvents[]; (.ph == "M" or .ph == "X" or .ph == "s" or .ph == "f") and (.pid | type) == "number" and
	(.tid | type) == "number" and (.name | type) == "string")' "$T" >/dev/null ||
	fail "an event without ph, pid, tid or name"
jq -e 'all(.traceEvents[] | select(.ph == "X"); (.ts | type) == "number" and .dur >= 0)' "$T" \
	>/dev/null || fail "a complete event without ts or dur"
# the kernel: T0 + offset + 11.01 ms, 1 ms long, on stream 7's track
jq -e '[.traceEvents[] | select(.cat == "gpu_kernel")] | length == 1 and
	.[0].name == "matmul(float const*, float const*, float*, int)" and
	.[0].ts == 1011015 and .[0].dur == 1000 and .[0].args.correlation == 2' "$T" >/dev/null ||
	fail "the kernel event"
jq -e '[.traceEvents[] | select(.cat == "gpu_memory")] | length == 4' "$T" >/dev/null ||
	fail "copies and memset: $(jq -c '[.traceEvents[] | select(.cat == "gpu_memory") | .name]' "$T")"
jq -e '[.traceEvents[] | select(.cat == "cuda_api")] | length == 4 and all(.[]; .name | startswith("cuda"))' \
	"$T" >/dev/null || fail "API calls: the 4 runtime calls, not the nested driver calls"
jq -e '[.traceEvents[] | select(.ph == "M" and .args.name == "GPU 0 stream 7")] | length == 1' "$T" \
	>/dev/null || fail "no track named for stream 7"
# flows: one per activity with an API call (3 copies, 1 kernel; the memset
# has none), each "s" on thread 42's API track (0x20000000 + 42) inside its
# call, each "f" on the activity's track at its start, bound to it
jq -e '[.traceEvents[] | select(.ph == "s")] | length == 4 and all(.[]; .tid == 536870954)' "$T" \
	>/dev/null || fail "flow starts: $(jq -c '[.traceEvents[] | select(.ph == "s")]' "$T")"
jq -e '[.traceEvents[] | select(.ph == "f")] | length == 4 and all(.[]; .bp == "e")' "$T" \
	>/dev/null || fail "flow ends"
jq -e '([.traceEvents[] | select(.ph == "s") | .id] | sort) ==
	([.traceEvents[] | select(.ph == "f") | .id] | sort)' "$T" >/dev/null || fail "unpaired flows"
# the kernel's: starts in cudaLaunchKernel (11 ms + 2.5 us after T0 on the
# CPU clock), ends at the kernel's start
jq -e '[.traceEvents[] | select(.cat == "gpu_kernel")][0] as $k |
	[.traceEvents[] | select(.ph == "f" and .ts == $k.ts)] | length == 1' "$T" >/dev/null ||
	fail "no flow into the kernel"
jq -e '[.traceEvents[] | select(.ph == "s" and .ts == 1011007.5)] | length == 1' "$T" >/dev/null ||
	fail "no flow out of cudaLaunchKernel"
M=$tmp/managed.json
expect_status 0 "$WHYSLOW" export --format chrome -o "$M" "$tmp/managed"
jq -e '[.traceEvents[] | select(.cat == "gpu_unified_memory")] | length == 20 and
	([.[] | select(.name == "migration HtoD")] | length == 10) and
	all(.[]; .tid == 268435456)' "$M" >/dev/null ||
	fail "unified-memory events: $(jq -c '[.traceEvents[] | select(.cat == "gpu_unified_memory") | .name] | group_by(.) | map([.[0], length])' "$M")"
jq -e '[.traceEvents[] | select(.ph == "M" and .args.name == "GPU 0 unified memory")] | length == 1' \
	"$M" >/dev/null || fail "no unified-memory track"

# CPU samples: complete events per thread that nest (each event ends
# within the events open around it)
C=$tmp/cpu.json
expect_status 0 "$WHYSLOW" export --format chrome -o "$C" "$REC"
jq -e '[.traceEvents[] | select(.cat == "cpu")] | length > 0' "$C" >/dev/null || fail "no CPU events"
jq -e '[.traceEvents[] | select(.cat == "cpu")] | group_by(.tid) | all(.[];
	sort_by(.ts, -.dur) | . as $e | [range(1; length) | . as $i |
	[$e[0:$i][] | select(.ts <= $e[$i].ts and .ts + .dur > $e[$i].ts)] |
	all(.[]; .ts + .dur >= $e[$i].ts + $e[$i].dur - 0.002)] | all)' "$C" >/dev/null ||
	fail "CPU events that do not nest"
jq -e '[.traceEvents[] | select(.cat == "cpu" and .name == "main")] | length > 0' "$C" >/dev/null ||
	fail "no main frame"
finish
