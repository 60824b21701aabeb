#!/bin/sh
# report --threads splits each thread's wall-clock samples into busy,
# OpenMP runtime and idle (blocked in the kernel).  t_busyidle's
# halfsleeper computes and sleeps in turns (idle the share of its life it
# measured sleeping, within 10 points), its waiter sits in
# pthread_cond_wait and main in pthread_join (both >= 90 % idle); nothing
# is in an OpenMP runtime.  Only the halfsleeper took part in the work, so
# the busy imbalance is 1.  The JSON section threads_busy has its keys,
# --expect 'idle ...' and 'busy_imbalance ...' evaluate, and a CPU-time
# recording says that idle time needs --clock wall.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

# idle % of thread TID in JSON
idle_pct() {
	jq -r --argjson t "$2" '.threads_busy.threads[] | select(.tid == $t) | 100 * .idle_samples / .samples' "$1"
}
show_busy() {
	jq -r '.threads_busy.threads[] | "    tid \(.tid): samples \(.samples) busy \(.busy_samples) runtime \(.runtime_samples) idle \(.idle_samples)"' "$1"
	jq -r '"    imbalance \(.threads_busy.imbalance) over \(.threads_busy.threads_took_part) threads, idle \(.threads_busy.idle_percent) %"' "$1"
}

attempt() {
	d=$WORK/rec$1 j=$WORK/report$1.json t=$WORK/truth$1
	ws_record "$d" --clock wall -- "$(prog t_busyidle)" "$t" || { echo "$ws_name: record failed"; return 1; }
	ws_report "$d" "$j" --threads || return 1
	half=$(truth "$t" info halfsleeper_tid) waiter=$(truth "$t" info waiter_tid) main=$(truth "$t" info main_tid)
	want=$(truth "$t" idle halfsleeper)
	got_half=$(idle_pct "$j" "$half") got_waiter=$(idle_pct "$j" "$waiter") got_main=$(idle_pct "$j" "$main")
	echo "$ws_name: run $1: halfsleeper idle $got_half % (truth $want %), waiter $got_waiter %, main $got_main %"
	ok=0
	near "$got_half" "$want" 10 || { echo "    halfsleeper's idle share off by more than 10 points"; ok=1; }
	ge "$got_waiter" 90 || { echo "    the thread in pthread_cond_wait is not idle"; ok=1; }
	ge "$got_main" 90 || { echo "    the thread in pthread_join is not idle"; ok=1; }
	[ "$(jq_get "$j" '[.threads_busy.threads[].runtime_samples] | add')" = 0 ] ||
		{ echo "    samples in an OpenMP runtime that this program does not use"; ok=1; }
	[ "$(jq_get "$j" '.threads_busy.threads_took_part')" = 1 ] && near "$(jq_get "$j" .threads_busy.imbalance)" 1 0.001 ||
		{ echo "    only the halfsleeper works: imbalance 1 over 1 thread expected"; ok=1; }
	[ "$(jq_get "$j" '.threads_busy.busiest.tid')" = "$half" ] ||
		{ echo "    the busiest thread is not the halfsleeper"; ok=1; }
	[ "$ok" = 0 ] || show_busy "$j"
	return "$ok"
}
retry_once attempt || fail "busy/idle split of wall-clock samples is wrong"

# the JSON keys (docs/cli.md), whatever the run measured
j=$WORK/report1.json
[ -f "$WORK/report2.json" ] && j=$WORK/report2.json
jq -e '.threads_busy | (.clock == "wall") and has("imbalance") and has("imbalanced")
	and has("idle_percent") and has("runtime_percent") and has("blocked_percent") and has("lock_percent") and has("lock_contention") and has("scheduling_overhead")
	and has("threads_took_part") and (.busiest | has("pid") and has("tid") and has("hot_line"))
	and (.threads | length == 3)
	and all(.threads[]; has("pid") and has("tid") and has("name") and has("samples")
		and has("busy_samples") and has("runtime_samples") and has("idle_samples")
		and has("busy_seconds") and has("runtime_seconds") and has("idle_seconds")
		and has("busy_percent") and has("took_part"))' "$j" >/dev/null ||
	fail "threads_busy lacks keys: $(jq -c .threads_busy "$j" | head -c 600)"
d=$WORK/rec1
[ -d "$WORK/rec2" ] && d=$WORK/rec2
"$WHYSLOW" report --expect 'idle > 60' --expect 'busy_imbalance < 1.01' "$d" >"$WORK/expect.out" 2>&1 ||
	fail "--expect 'idle > 60' / 'busy_imbalance < 1.01' failed: $(grep 'expectation failed' "$WORK/expect.out")"
# without --json: the section is there, with the verdict's words
"$WHYSLOW" report --threads "$d" >"$WORK/text.out" 2>&1 || fail "report --threads failed"
grep -q 'busy imbalance 1.00' "$WORK/text.out" && grep -q 'blocked)' "$WORK/text.out" ||
	fail "report --threads text lacks the imbalance or idle lines: $(cat "$WORK/text.out")"

# CPU time: the report says idle time needs --clock wall
ws_record "$WORK/cpu" -- "$(prog t_busyidle)" "$WORK/truth-cpu" || fail "CPU-time record failed"
"$WHYSLOW" report --threads "$WORK/cpu" >"$WORK/cpu.out" 2>&1 || fail "report --threads (CPU) failed"
grep -q 'idle time needs whyslow record --clock wall' "$WORK/cpu.out" ||
	fail "a CPU-time report --threads does not say idle time needs --clock wall"
ws_finish
