#!/bin/sh
# MPI ranks: `whyslow record -- mpirun -np 2 integrate_mpi` leaves one file
# per rank named <host>.r<rank>.<pid>.wsp, the processes carry their rank
# in the JSON, and `report --rank R` keeps exactly rank R's process
# (an unknown rank is an error).  Skips without Open MPI.
. "${SRCDIR:-.}/report_common.sh"
prog=${TOP_BUILDDIR:?}/examples/integrate_mpi
if [ ! -x "$prog" ] || ! command -v mpirun >/dev/null 2>&1; then
	echo "SKIP: no MPI here (integrate_mpi or mpirun missing)"
	exit 77
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
D=$tmp/mpi
expect_status 0 "$WHYSLOW" record -o "$D" -- mpirun -np 2 "$prog" mpi 20000000 || finish
for r in 0 1; do
	n=$(ls "$D" | grep -c "\.r$r\.[0-9]*\.wsp\$")
	[ "$n" = 1 ] || fail "expected one file for rank $r, found $n: $(ls "$D")"
done
expect_status 0 "$WHYSLOW" report --json "$D"
jq -e '[.processes[] | select(.rank != null) | .rank] | sort == [0, 1]' "$tmp/out" >/dev/null ||
	fail "processes' ranks: $(jq -c '[.processes[] | .rank]' "$tmp/out")"
for r in 0 1; do
	expect_status 0 "$WHYSLOW" report --json --rank $r "$D"
	jq -e ".header.processes == 1 and (.processes | length == 1) and .processes[0].rank == $r and
		.header.samples > 0" "$tmp/out" >/dev/null ||
		fail "--rank $r: $(jq -c '[.header.processes, [.processes[] | .rank]]' "$tmp/out")"
done
expect_status 0 "$WHYSLOW" report --json --rank 0 --rank 1 "$D"
jq -e '.header.processes == 2' "$tmp/out" >/dev/null || fail "--rank 0 --rank 1 is not both ranks"
expect_status 1 "$WHYSLOW" report --rank 9 "$D"
grep -q 'no process of that MPI rank' "$tmp/err" || fail "--rank 9: $(cat "$tmp/err")"
expect_status 2 "$WHYSLOW" report --rank -1 "$D"

# whyslow scale --ranks: one recording per count, each rank recorded by its
# own whyslow record (LAUNCHER COUNT whyslow record ... -- PROGRAM), so
# the recordings hold the ranks' processes and no launcher, in a directory
# their job claimed; the table's times are the ranks' own (their first
# start to their last end), not mpirun's start-up.  The launcher here
# drops whyslow's variables, as one that starts ranks on other hosts does
# (Open MPI's mpirun without -x): the ranks are recorded all the same.
drop="env -u LD_PRELOAD -u WHYSLOW_OUTPUT_DIR -u WHYSLOW_CLOCK -u WHYSLOW_FREQUENCY"
expect_status 0 "$WHYSLOW" scale --ranks 1,2 --repeat 1 -F 500 --launcher "$drop mpirun -np" -o "$tmp/scale" \
	-- "$prog" mpi 10000000
[ -d "$tmp/scale/1-1" ] && [ -d "$tmp/scale/2-1" ] || fail "scale --ranks: no recordings: $(ls "$tmp/scale")"
grep -q 'ranks=2 ' "$tmp/scale/2-1.out" || fail "scale --ranks: the run at 2 was not 2 ranks: $(cat "$tmp/scale/2-1.out")"
grep -q '^ *2  *[0-9.]*  *[0-9.]*-[0-9.]*  *[0-9.]*x' "$tmp/out" || fail "scale --ranks: no row for 2 ranks: $(cat "$tmp/out")"
[ -s "$tmp/scale/2-1/.whyslow-job" ] || fail "scale --ranks: the ranks' directory has no job marker"
"$WHYSLOW" report --json "$tmp/scale/2-1" >"$tmp/all.json" || fail "report of 2-1"
jq -e '[.processes[] | .rank] | sort == [0, 1]' "$tmp/all.json" >/dev/null ||
	fail "scale --ranks: not just the 2 ranks recorded: $(jq -c '[.processes[] | [.rank, .command]]' "$tmp/all.json")"
jq -e '.header.clock == "wall" and .header.requested_hz == 500' "$tmp/all.json" >/dev/null ||
	fail "scale --ranks: the ranks did not get scale's wall clock and -F 500: $(jq -c .header "$tmp/all.json")"
ranks=$(jq .header.wall_seconds "$tmp/all.json")
table=$(awk '$1 == 2 {print $2}' "$tmp/scale/scale.dat")
awk -v r="$ranks" -v t="$table" 'BEGIN { exit !(t - r < 0.0015 && r - t < 0.0015) }' ||
	fail "scale --ranks: table wall $table s is not the ranks' own $ranks s"

# The function table is the ranks' work: Open MPI's helper threads, which
# sleep in poll/epoll_wait all along, are left out, and the samples blocked
# in the kernel are one [waiting] line, so that no C library wait is named.
# With both ranks on one core (taskset, --bind-to none), integrate_range's
# summed wall time doubles at 2 ranks: it must be the function named, where
# the helper threads' poll used to be.  taskset also makes the 2 ranks more
# than the cores whyslow may use, which is warned about.  (The doubling is
# a timing: a test hogging that core during one count only can hide it, so
# a failed attempt gets one more.)
pinned() {
	out=$tmp/pinned$1.txt
	taskset -c 0 "$WHYSLOW" scale --ranks 1,2 --repeat 1 --top 0 --launcher "mpirun --bind-to none -np" \
		-o "$tmp/pinned$1" -- "$prog" mpi 50000000 >"$out" 2>"$tmp/pinned$1.err" ||
		{ echo "  scale failed: $(tail -3 "$tmp/pinned$1.err")"; return 1; }
	ok=0
	grep -q 'warning: 2 ranks is more than the 1 cores here' "$out" ||
		{ echo "  no warning about cores under taskset -c 0"; ok=1; }
	# a row of a wait in the kernel worth 10 ms or more at either count
	sed -n '/^Functions:/,/^$/p' "$out" | grep -v 'Functions:\|\[waiting\]\|left out:' |
		awk '$0 ~ /poll|epoll_wait|nanosleep|futex_abstimed_wait|pthread_cond/ && ($1 >= 0.01 || $2 >= 0.01)' |
		grep -q . && { echo "  a wait in the kernel is a function row"; ok=1; }
	grep -q '\[waiting\] (blocked in the kernel' "$out" || { echo "  no waiting line"; ok=1; }
	n=$(sed -n 's/^ *left out: \([0-9]*\) threads\{0,1\} at 2 ranks.*/\1/p' "$out")
	[ -n "$n" ] && [ "$n" -ge 2 ] || { echo "  Open MPI's helper threads were not left out"; ok=1; }
	grep -q '^  integrate_range takes [0-9]* % of the scaling loss' "$out" ||
		{ echo "  integrate_range is not named"; ok=1; }
	[ $ok = 0 ] || { echo "  attempt $1:"; sed -n '1,/^Functions/p;/integrate_range\|waiting\|left out\|takes/p' "$out"; }
	return $ok
}
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	pinned 1 || { echo "first attempt failed; retrying once" && pinned 2; } ||
		fail "scale --ranks on one core: a wait is named or integrate_range is not (above)"
else
	echo "SKIP (part): no taskset: the named function is not checked"
fi
finish
