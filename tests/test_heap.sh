#!/bin/sh
# The heap profile (profiler/heap.c, report --memory): t_heap's known
# allocations recorded with --heap-sample 1 (every allocation) must come out
# exactly: counts and bytes per allocating function, the memalign family,
# realloc, threads freeing each other's blocks (no false leak), the 10
# blocks t_leaky loses (found with their function), the 16 MiB peak within
# 3 %; the program's output and exit status unchanged; a constructor that
# allocates before main; fork children with heaps of their own; exact
# counts of programs that allocate once or never (t_heapmin: the collector's
# own blocks never counted); the C library's own buffers not counted as
# leaks (examples/leak noleak); --no-heap.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
p=$(prog t_heap)

# Unprofiled: the reference output and status.
"$p" exact >"$WORK/ref.out" 2>&1
ref_rc=$?
[ $ref_rc -eq 3 ] || hard_error "t_heap exact exited $ref_rc unprofiled"

ws_record "$WORK/rec" --heap-sample 1 -- "$p" exact >"$WORK/rec.out" 2>"$WORK/rec.err"
rc=$?
[ $rc -eq 3 ] || fail "exit status $rc under whyslow, 3 without"
cmp -s "$WORK/ref.out" "$WORK/rec.out" || fail "the program's output changed under whyslow"

# expect EXPR...: every expectation must pass on the recording $rec.
expect() {
	if ! "$WHYSLOW" report --expect "$1" "$rec" >"$WORK/x.out" 2>"$WORK/x.err"; then
		fail "expected $1: $(grep -h 'expectation failed' "$WORK/x.err" | head -1)"
	fi
}
rec=$WORK/rec
for e in 'allocs(t_small) == 1000' 'alloc_bytes(t_small) == 64000' \
	'allocs(t_zeroed) == 500' 'alloc_bytes(t_zeroed) == 50000' \
	'allocs(t_grow) == 101' 'allocs(t_aligned) == 5' 'alloc_bytes(t_aligned) == 13024' \
	'allocs(t_cross_alloc) == 4000' 'leaked(t_cross_alloc) == 0' \
	'leaked(t_small) == 0' 'leaked(t_peak) == 0' 'leaked(t_aligned) == 0' \
	'leaked(t_leaky) == 10000' 'leaked_allocs(t_leaky) == 10' \
	'allocs >= 5620' 'peak_heap >= 16777216' 'peak_heap <= 17280000'; do
	expect "$e"
done
if ws_report "$rec" "$WORK/r.json" --memory; then
	h=".process_memory[0].heap"
	for k in posix_memalign aligned_alloc memalign valloc pvalloc; do
		n=$(jq_get "$WORK/r.json" "$h.calls.$k")
		[ "$n" -ge 1 ] 2>/dev/null || fail "calls.$k = $n, t_heap made one"
	done
	exact=$(jq_get "$WORK/r.json" "$h.exact")
	[ "$exact" = true ] || fail "--heap-sample 1 is not reported as exact"
	# the constructor's block, the 10 lost ones: live at exit (exact)
	live=$(jq_get "$WORK/r.json" "$h.live_blocks_at_exit")
	[ "$live" -ge 11 ] 2>/dev/null || fail "$live blocks live at exit, t_heap left at least 11"
	# the leak's stack names its callers: t_leaky, then main
	st=$(jq -r "$h.leaks[] | select(.function == \"t_leaky\") | [.frames[].function] | join(\" \")" "$WORK/r.json")
	case "$st" in
	"t_leaky main"*) ;;
	*) fail "t_leaky's leak stack is '$st', not 't_leaky main ...'" ;;
	esac
	note "peak $(jq_get "$WORK/r.json" "$h.peak_bytes") bytes, $(jq_get "$WORK/r.json" "$h.allocations") allocations"
fi
"$WHYSLOW" report --memory "$rec" >"$WORK/r.txt" 2>&1 || fail "report --memory failed"
grep -q '^Leaks: 10.* allocations never freed' "$WORK/r.txt" ||
	grep -q '^Leaks: ' "$WORK/r.txt" || fail "no Leaks section in the text report"

# fork: each process has its own heap; the child's leak is the child's.
ws_record "$WORK/fork" --heap-sample 1 -- "$p" fork >"$WORK/fork.out" 2>&1 || fail "t_heap fork failed under whyslow"
rec=$WORK/fork
if ws_report "$rec" "$WORK/f.json" --memory; then
	ppid=$(jq -r '.processes | sort_by(.pid) | .[0].pid' "$WORK/f.json")
	cpid=$(jq -r '.processes | sort_by(.pid) | .[1].pid' "$WORK/f.json")
	[ -n "$cpid" ] && [ "$cpid" != null ] || fail "the fork child has no profile"
	for pair in "$ppid:leaked_allocs(t_parent_alloc) == 5" "$ppid:leaked_allocs(t_child_leak) == 0" \
		"$cpid:leaked_allocs(t_child_leak) == 7" "$cpid:leaked_allocs(t_parent_alloc) == 0" \
		"$cpid:leaked(t_child_leak) == 14000"; do
		pid=${pair%%:*} e=${pair#*:}
		"$WHYSLOW" report --pid "$pid" --expect "$e" "$rec" >/dev/null 2>"$WORK/x.err" ||
			fail "process $pid: expected $e: $(grep -h 'expectation failed' "$WORK/x.err" | head -1)"
	done
fi

# Exact counts of tiny programs: the collector's own blocks (glibc's dlerror
# buffers of its failed lookups, freed by the next dlsym, the program's or
# the collector's __libc_start_main wrapper) are never counted, neither
# allocated nor freed: one malloc and one free are 1 and 1, nothing is
# live at exit, and a program that allocates nothing shows no call and no
# negative figure.
m=$(prog t_heapmin)
heapmin() { # MODE: its recording's heap figures in $WORK/min-MODE.json
	ws_record "$WORK/min-$1" --heap-sample 1 -- "$m" "$1" >/dev/null 2>&1 ||
		fail "t_heapmin $1 failed under whyslow"
	ws_report "$WORK/min-$1" "$WORK/min-$1.json" --memory
}
H='.process_memory[0].heap'
# allocations and frees of malloc-family blocks, from the exact counts
ALLOCS="(.calls | .malloc + .calloc + .realloc + .posix_memalign + .aligned_alloc + .memalign + .valloc + .pvalloc)"
if heapmin one; then
	jq -e "$H | .calls.malloc == 1 and .calls.free == 1 and .calls.calloc == 0 and
		.calls.realloc == 0 and .live_blocks_at_exit == 0 and .live_bytes_at_exit == 0 and
		.peak_bytes >= 100 and .peak_bytes < 4096" "$WORK/min-one.json" >/dev/null ||
		fail "one malloc(100) and its free: $(jq -c "$H | {calls, peak_bytes, live_blocks_at_exit, live_bytes_at_exit}" "$WORK/min-one.json")"
	"$WHYSLOW" report --memory "$WORK/min-one" >"$WORK/min-one.txt" 2>&1
	grep -q 'exact counts: 1 malloc, 1 free$' "$WORK/min-one.txt" ||
		fail "text: $(grep 'exact counts' "$WORK/min-one.txt")"
	grep -q '0 B live in 0 blocks at exit' "$WORK/min-one.txt" ||
		fail "text: $(grep 'live in' "$WORK/min-one.txt")"
fi
if heapmin none; then
	jq -e "$H | ([.calls[]] | add) == 0 and .live_blocks_at_exit == 0 and
		.live_bytes_at_exit == 0 and .peak_bytes == 0" "$WORK/min-none.json" >/dev/null ||
		fail "no allocation: $(jq -c "$H | {calls, peak_bytes, live_blocks_at_exit, live_bytes_at_exit}" "$WORK/min-none.json")"
	"$WHYSLOW" report --memory "$WORK/min-none" 2>&1 | grep -q -- 'in -[0-9]' &&
		fail "a negative count in the text of a program that allocates nothing"
fi
if heapmin dlerr; then
	# the program frees one block of its own; more frees than allocations
	# are frees of blocks whose allocations were not counted
	jq -e "$H | .calls.free >= 1 and .calls.free <= ($ALLOCS) and .peak_bytes >= 100000 and
		.live_blocks_at_exit == ($ALLOCS) - .calls.free" "$WORK/min-dlerr.json" >/dev/null ||
		fail "dlopen, malloc, dlsym, free: $(jq -c "$H | {calls, peak_bytes, live_blocks_at_exit}" "$WORK/min-dlerr.json")"
fi

# A program that frees everything shows no leak, exactly: stdout's buffer
# (allocated by the C library's _IO_file_doallocate, never freed) is the C
# library's own, listed apart as kept by it and not counted as leaked.
leak=${TOP_BUILDDIR:?}/examples/leak
if [ -x "$leak" ]; then
	ws_record "$WORK/noleak" --heap-sample 1 -- "$leak" noleak 2000 4096 >/dev/null 2>&1 ||
		fail "leak noleak failed under whyslow"
	"$WHYSLOW" report --expect 'leaked == 0' --expect 'leaked_allocs == 0' \
		--expect 'leaked(process_items) == 0' "$WORK/noleak" >/dev/null 2>"$WORK/x.err" ||
		fail "leak noleak, exact: $(grep -h 'expectation failed' "$WORK/x.err" | head -2)"
	if ws_report "$WORK/noleak" "$WORK/nl.json" --memory; then
		jq -e "$H | .leaked_bytes == 0 and (.leaks | length) == 0 and .kept_by_libc_bytes >= 1024 and
			any(.kept_by_libc[]; .function | test(\"_IO_file_doallocate\"))" "$WORK/nl.json" >/dev/null ||
			fail "leak noleak: $(jq -c "$H | {leaked_bytes, kept_by_libc_bytes, leaks: [.leaks[].function], kept: [.kept_by_libc[].function]}" "$WORK/nl.json")"
	fi
	"$WHYSLOW" report --memory "$WORK/noleak" 2>&1 | grep -q '^  no leak: every allocation was freed' ||
		fail "text: leak noleak does not say 'no leak'"
	# the real leak stays a leak
	ws_record "$WORK/leak" --heap-sample 1 -- "$leak" leak 300 4096 >/dev/null 2>&1 ||
		fail "leak leak failed under whyslow"
	"$WHYSLOW" report --expect 'leaked_allocs(read_item) == 300' --expect 'leaked == 1228800' \
		"$WORK/leak" >/dev/null 2>"$WORK/x.err" ||
		fail "leak leak, exact: $(grep -h 'expectation failed' "$WORK/x.err" | head -2)"
else
	note "examples/leak is not built: its exact no-leak check is skipped"
fi

# --no-heap: no heap record, the same program.
ws_record "$WORK/off" --no-heap -- "$p" exact >"$WORK/off.out" 2>&1
[ $? -eq 3 ] || fail "exit status changed with --no-heap"
if ws_report "$WORK/off" "$WORK/o.json" --memory; then
	[ "$(jq_get "$WORK/o.json" '.process_memory[0].heap')" = null ] || fail "--no-heap still wrote a heap profile"
	[ "$(jq_get "$WORK/o.json" '.process_memory[0].rusage.max_rss_bytes')" -gt 0 ] || fail "no peak RSS"
fi
ws_finish
