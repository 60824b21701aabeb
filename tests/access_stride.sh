#!/bin/sh
# `whyslow report --memory` (reports/an_access.c) end to end on loops with
# known access patterns (access_kernel.c, built here with fixed flags):
#  - contig: stride 8, every fetched byte used: cache-friendly, fetched 1;
#  - column: stride 8 x STRIDE bytes where STRIDE is a run-time value (a
#    register the loop adds), found from the register snapshots: with
#    STRIDE 1000 exactly 8000 bytes, memory-bound, fetched 8; recorded
#    with WHYSLOW_REGS=0 the stride is unknown (the snapshots are the
#    cause), and with STRIDE 3 the same code gives 24 bytes (not a
#    constant of the code);
#  - aos: 16 of 64 bytes of each struct used: fetched 4, memory-bound;
#  - chase: the address comes from a load: stride unknown, class unknown;
# the JSON and the text agree; compare works on fetched().  Then the
# register snapshots of a recording, as the reader returns them
# (access_regs: rip matches the stack, the reservoir covers the run, damaged
# records refused).  Skips without capstone or not on x86_64.
. "${SRCDIR:-.}/report_common.sh"
if [ "$(uname -m)" != x86_64 ]; then
	echo "SKIP: register snapshots are recorded on x86_64 only (this is $(uname -m))"
	exit 77
fi
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq not found (apt-get install jq)"
	exit 77
fi
"$WHYSLOW" report --memory "$REC" >"$tmp/out" 2>"$tmp/err"
st=$?
if grep -q 'built without capstone' "$tmp/err"; then
	[ "$st" -eq 1 ] || fail "--memory without capstone exited $st, expected 1"
	[ "$failures" -eq 0 ] || finish
	echo "SKIP: whyslow is built without capstone (install libcapstone-dev and reconfigure)"
	exit 77
fi
[ "$st" -eq 0 ] || fail "report --memory on a synthetic recording exited $st: $(cat "$tmp/err")"
grep -q 'no register snapshots in this recording' "$tmp/out" ||
	fail "a recording without snapshots does not say so: $(head -c 600 "$tmp/out")"

CC=${CC:-cc}
K=$tmp/access_kernel
$CC -O2 -fno-tree-vectorize -g -o "$K" "$SRCDIR/access_kernel.c" || {
	echo "ERROR: cannot build access_kernel.c with $CC"
	exit 99
}
rec() { # NAME ENV... -- ARGS
	name=$1
	shift
	env "$@" >/dev/null 2>"$tmp/$name.err" || fail "record $name failed: $(cat "$tmp/$name.err")"
}
rec contig "$WHYSLOW" record -o "$tmp/contig" -- "$K" contig
rec column "$WHYSLOW" record -o "$tmp/column" -- "$K" column 1000
rec column3 "$WHYSLOW" record -o "$tmp/column3" -- "$K" column 3
rec noregs WHYSLOW_REGS=0 "$WHYSLOW" record -o "$tmp/noregs" -- "$K" column 1000
rec aos "$WHYSLOW" record -o "$tmp/aos" -- "$K" aos
rec chase "$WHYSLOW" record -o "$tmp/chase" -- "$K" chase
rec regs WHYSLOW_REGS=64 "$WHYSLOW" record -o "$tmp/regs" -- "$K" contig

expect() { # RECORDING EXPR...
	r=$1
	shift
	for e in "$@"; do
		if ! "$WHYSLOW" report --memory --expect "$e" "$tmp/$r" >"$tmp/x.out" 2>"$tmp/x.err"; then
			fail "$r: $e: $(grep -h 'expectation failed\|whyslow:' "$tmp/x.err" | head -n 3)"
			sed -n '/^Memory access/,$p' "$tmp/x.out" | head -n 30
		fi
	done
}
expect contig 'memory(contig) == cache-friendly' 'stride(contig) == 8' 'fetched(contig) <= 1.05' \
	'intensity(contig) >= 0.12' 'intensity(contig) <= 0.13'
expect column 'memory(column) == memory-bound' 'stride(column) == 8000' 'fetched(column) >= 7.9' \
	'fetched(column) <= 8.1'
expect column3 'stride(column) == 24' 'memory(column) == memory-bound' 'fetched(column) >= 2.9' \
	'fetched(column) <= 3.1'
expect noregs 'memory(column) == unknown' 'stride(column) == 0'
expect aos 'memory(move) == memory-bound' 'stride(move) == 64' 'fetched(move) >= 3.9' \
	'fetched(move) <= 4.1'
expect chase 'memory(chase) == unknown'

# the JSON says the same, with the stride coming from the snapshots
"$WHYSLOW" report --memory --json "$tmp/column" >"$tmp/column.json" ||
	fail "report --memory --json exited $?"
j() { jq -r "$1" "$tmp/column.json"; }
[ "$(j '.memory_access.snapshots > 100')" = true ] ||
	fail "JSON: snapshots $(j '.memory_access.snapshots'), expected > 100"
L='.memory_access.functions[] | select(.function == "column") | .loops[0]'
[ "$(j "$L | .class")" = memory-bound ] || fail "JSON: column's class $(j "$L | .class")"
[ "$(j "$L | .streams[0].stride")" = 8000 ] || fail "JSON: column's stride $(j "$L | .streams[0].stride")"
[ "$(j "$L | .streams[0].new_page")" = true ] || fail "JSON: column's stream is not a new page"
[ "$(j "$L | .snapshots > 0")" = true ] || fail "JSON: no snapshot in column's loop"
[ "$(j "$L | .bytes_fetched")" = 64 ] || fail "JSON: column fetches $(j "$L | .bytes_fetched") bytes"
[ "$(j "$L | .bytes_useful")" = 8 ] || fail "JSON: column uses $(j "$L | .bytes_useful") bytes"
# the text: the verdict in words
"$WHYSLOW" report --memory "$tmp/column" >"$tmp/column.txt"
grep -q 'memory-bound: each load of column strides 8000 bytes (a new cache line each iteration, and a new 4 KiB page' \
	"$tmp/column.txt" || fail "text verdict: $(grep -A12 '^Memory access' "$tmp/column.txt")"
"$WHYSLOW" report --memory "$tmp/chase" >"$tmp/chase.txt"
grep -q 'stride unknown: its value comes from a load' "$tmp/chase.txt" ||
	fail "chase: no reason for the unknown stride: $(grep -A12 '^Memory access' "$tmp/chase.txt")"
# compare: fetched per useful byte, column against contig
"$WHYSLOW" compare --expect 'before.fetched(column) / after.fetched(contig) >= 7' \
	"$tmp/column" "$tmp/contig" >/dev/null 2>"$tmp/cmp.err" ||
	fail "compare fetched(): $(cat "$tmp/cmp.err")"

# the snapshots themselves, and the reader's checks of the record
rdir=$tmp/regs
"$TESTS_DIR/access_regs" "$rdir" 64 "$tmp" >"$tmp/regs.out" 2>&1
st=$?
cat "$tmp/regs.out"
[ "$st" -eq 0 ] || fail "access_regs exited $st"
finish
