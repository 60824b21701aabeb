#!/bin/sh
# `whyslow report --gpu` (text and JSON, docs/gpu.md) on profiles whose
# GPU record gpu_synth wrote through the collector's own path from
# synthetic CUPTI records: the transfer-bound one names both its verdicts
# and its transfer rows; the tiny-kernel one is launch-bound with a sync
# after every launch; the JSON has the schema's gpu keys; --expect checks
# the gpu metrics; a recording without GPU data says so (text) and has
# "gpu": null (JSON); --gpu --plot's timeline script.
. "${SRCDIR:-.}/report_common.sh"
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq not found (apt-get install jq)"
	exit 77
fi
./gpu_synth --write "$tmp" >/dev/null || fail "gpu_synth --write failed"

expect_status 0 "$WHYSLOW" report --gpu "$tmp/transfer"
grep -q '^  - transfer-bound: copies take 17.0x' "$tmp/out" || fail "no transfer-bound verdict"
grep -q '^  - pageable transfers: 56%' "$tmp/out" || fail "no pageable verdict"
grep -q '^  HtoD  *pageable  *2 .* 6.67$' "$tmp/out" || fail "HtoD pageable row"
grep -q 'launch-bound' "$tmp/out" && fail "launch-bound on one launch"
grep -q 'GPU-bound\|GPU-resident' "$tmp/out" && fail "GPU-bound or resident on a transfer-bound program"
grep -q '^  unified memory: not traced' "$tmp/out" || fail "no word on untraced unified memory"

# unified memory: the table, the verdict, the JSON
expect_status 0 "$WHYSLOW" report --gpu "$tmp/managed"
grep -q '^  migration HtoD  *10  *76.3 MiB  *0.005000$' "$tmp/out" ||
	fail "migration HtoD row: $(grep 'migration HtoD' "$tmp/out")"
grep -q '^  GPU page faults  *4  *400 groups' "$tmp/out" || fail "GPU page faults row"
grep -q '^  CPU page faults  *3  *3 faults  *-$' "$tmp/out" || fail "CPU page faults row"
grep -q '^  - page-fault migrations: unified memory moved 76.3 MiB on demand in 0.005000 s (50%' \
	"$tmp/out" || fail "no page-fault migrations verdict"
grep -q 'GPU-resident\|GPU-bound' "$tmp/out" && fail "GPU-resident or GPU-bound with page-fault migrations"
expect_status 0 "$WHYSLOW" report --gpu --json "$tmp/managed"
jq -e '.gpu.unified_memory | .traced and .migration_htod.amount == 80000000 and
	.gpu_page_faults.amount == 400 and .migration_percent_of_kernels == 50 and .prefetch_bytes == 8000000' "$tmp/out" >/dev/null ||
	fail "unified memory JSON: $(jq -c .gpu.unified_memory "$tmp/out")"
expect_status 0 "$WHYSLOW" report --gpu --expect 'gpu_um_migrations == 1' --expect 'gpu_bound == 0' \
	"$tmp/managed"

expect_status 0 "$WHYSLOW" report --gpu --json "$tmp/tiny"
J=$tmp/tiny.json
cp "$tmp/out" "$J"
jq -e '.gpu.verdicts == {"transfer_bound":false,"launch_bound":true,"gpu_idle_cpu_works":false,
	"sync_every_launch":true,"pageable_transfers":false,"page_fault_migrations":false,
	"gpu_resident":true,"gpu_bound":false}' "$J" >/dev/null || fail "tiny verdicts: $(jq -c .gpu.verdicts "$J")"
jq -e '.gpu.unified_memory.traced == false and .gpu.copies_in_kernel_window == 0' "$J" >/dev/null ||
	fail "tiny: unified memory or kernel window"
jq -e '.gpu.kernels[0] | .name == "tiny(float*)" and .calls == 1000 and .mean_us == 2 and
	.grid == [256,2,1] and .block == [128,1,1] and .registers == 32 and .shared_bytes == 4096' \
	"$J" >/dev/null || fail "tiny kernel row"
jq -e '.gpu | .launches == 1000 and .sync_after_launch == 1000 and .launch_overhead_us == 5' \
	"$J" >/dev/null || fail "launch figures"

# expectations on the gpu metrics
expect_status 0 "$WHYSLOW" report --gpu --expect 'gpu_launch_bound == 1' \
	--expect 'gpu_sync_after_launch_percent >= 90' --expect 'gpu_transfer_bound == 0' "$tmp/tiny"
expect_status 1 "$WHYSLOW" report --gpu --expect 'gpu_transfer_bound == 1' "$tmp/tiny"
expect_status 0 "$WHYSLOW" report --gpu --expect 'gpu_resident == 1' --expect 'gpu_bound == 0' \
	--expect 'gpu_kernel_window < 25' "$tmp/tiny"
expect_status 0 "$WHYSLOW" report --expect 'gpu_kernel_mean(tiny) == 2' "$tmp/tiny"
expect_status 0 "$WHYSLOW" report --expect 'gpu_kernel_mean(mat*) == 1000' "$tmp/transfer"
expect_status 1 "$WHYSLOW" report --expect 'gpu_kernel_mean(mat*) < 999' "$tmp/transfer"
# compare: the transfer profile's matmul kernel (1000 us) over tiny's (2 us)
expect_status 0 "$WHYSLOW" compare --expect \
	'before.gpu_kernel_mean(matmul) / after.gpu_kernel_mean(tiny) == 500' "$tmp/transfer" "$tmp/tiny"

# --gpu --plot: the timeline's script has one box per kernel (1), copy or
# memset (4) and top-level API call (4), on 3 tracks
if command -v gnuplot >/dev/null 2>&1; then
	expect_status 0 "$WHYSLOW" report --gpu --plot "$tmp/tl.svg" "$tmp/transfer"
	[ -s "$tmp/tl.svg" ] || fail "--gpu --plot drew no SVG"
	rows() { sed -n "/^\$k$1 << EOD/,/^EOD/p" "$tmp/tl.gp" | grep -c '^[0-9]'; }
	[ "$(rows 0)" = 1 ] && [ "$(rows 1)" = 4 ] && [ "$(rows 2)" = 4 ] ||
		fail "timeline boxes: $(rows 0) kernels, $(rows 1) copies, $(rows 2) API calls"
	grep -q "^set ytics ('7: stream 7' 0, '7: stream 0' 1, '7: API, thread 42' 2)" "$tmp/tl.gp" ||
		fail "timeline tracks: $(grep ytics "$tmp/tl.gp")"
	expect_status 1 "$WHYSLOW" report --gpu --plot "$tmp/none.svg" "$REC"
else
	echo "(gnuplot not installed: the timeline is not checked)"
fi

# a recording without GPU data
expect_status 0 "$WHYSLOW" report --gpu "$REC"
grep -q 'no GPU activity was traced' "$tmp/out" || fail "no explanation without GPU data"
expect_status 0 "$WHYSLOW" report --gpu --json "$REC"
jq -e '.gpu == null' "$tmp/out" >/dev/null || fail '"gpu" is not null without GPU data'
finish
