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
finish
