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

# whyslow scale --ranks: one recording per count through the launcher; the
# table's times are the ranks' own (their first start to their last end),
# not the whole run with mpirun's start-up
expect_status 0 "$WHYSLOW" scale --ranks 1,2 --repeat 1 -o "$tmp/scale" -- "$prog" mpi 10000000
[ -d "$tmp/scale/1-1" ] && [ -d "$tmp/scale/2-1" ] || fail "scale --ranks: no recordings: $(ls "$tmp/scale")"
grep -q 'ranks=2 ' "$tmp/scale/2-1.out" || fail "scale --ranks: the run at 2 was not 2 ranks: $(cat "$tmp/scale/2-1.out")"
grep -q '^ *2  *[0-9.]*  *[0-9.]*-[0-9.]*  *[0-9.]*x' "$tmp/out" || fail "scale --ranks: no row for 2 ranks: $(cat "$tmp/out")"
"$WHYSLOW" report --json "$tmp/scale/2-1" >"$tmp/all.json" &&
	"$WHYSLOW" report --json --rank 0 --rank 1 "$tmp/scale/2-1" >"$tmp/ranks.json" || fail "report of 2-1"
whole=$(jq .header.wall_seconds "$tmp/all.json")
ranks=$(jq .header.wall_seconds "$tmp/ranks.json")
table=$(awk '$1 == 2 {print $2}' "$tmp/scale/scale.dat")
awk -v w="$whole" -v r="$ranks" -v t="$table" 'BEGIN { exit !(t - r < 0.0015 && r - t < 0.0015 && r < w) }' ||
	fail "scale --ranks: table wall $table s is not the ranks' own $ranks s (whole run $whole s)"
finish
