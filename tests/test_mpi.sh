#!/bin/sh
# PMPI tracing (profiler/mpi_trace.c, libwhyslow-mpi.so; report --mpi):
# `mpirun -np 2 whyslow record -- t_mpi` writes both ranks into one
# directory (the job's), and the report counts exactly what t_mpi calls:
# 10 MPI_Send of 8000 bytes on rank 0, 10 MPI_Recv on rank 1, 5
# MPI_Allreduce of 32 bytes per rank, one MPI_Barrier per rank.  Rank 1
# computes 3x as long as rank 0, so the computing imbalance is near 1.5
# (3 / mean 2) and rank 0 waits longest (at the barrier, at least half of
# rank 1's extra compute time).  The program's
# output is unchanged; --no-mpi records no MPI data; --rank 1 keeps rank 1
# only; --expect mpi / mpi_imbalance evaluate, and fail without data.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
prog=$(prog t_mpi)
[ -x "$prog" ] || skip "t_mpi is not built (no MPI here)"
command -v mpirun >/dev/null 2>&1 || skip "no mpirun"
[ -r "$(dirname "$WHYSLOW_LIB")/libwhyslow-mpi.so" ] || skip "libwhyslow-mpi.so is not built (no mpi.h)"
# Open MPI refuses root without these, and oversubscribes 2 cores only when told
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
native=$(mpirun -np 2 "$prog" 40000000 2>"$WORK/native.err") || hard_error "t_mpi failed on its own: $(tail -3 "$WORK/native.err")"

attempt() {
	d=$WORK/rec$1 j=$WORK/report$1.json
	rm -rf "$d"
	got=$(mpirun -np 2 "$WHYSLOW" record -q -o "$d" -- "$prog" 40000000 2>"$WORK/rec$1.err") ||
		{ echo "$ws_name: mpirun whyslow record failed: $(tail -3 "$WORK/rec$1.err")"; return 1; }
	ok=0
	[ "$got" = "$native" ] || { echo "    printed '$got' under whyslow, '$native' without"; ok=1; }
	[ "$(ls "$d" | wc -l)" = 2 ] || { echo "    not one file per rank in $d: $(ls "$d")"; ok=1; }
	ws_report "$d" "$j" --mpi || return 1
	jq -r '.mpi.calls[]? | "    \(.name) calls \(.calls) bytes \(.bytes) seconds \(.seconds)"' "$j"
	jq -r '.mpi.ranks[]? | "    rank \(.rank): compute \(.compute_seconds) s, MPI \(.mpi_seconds) s, waiting \(.waiting_seconds) s"' "$j"
	call() { jq -r --arg n "$1" ".mpi.calls[] | select(.name == \$n) | $2" "$j"; }
	[ "$(call MPI_Send .calls)" = 10 ] && [ "$(call MPI_Send .bytes)" = 80000 ] ||
		{ echo "    MPI_Send: not 10 calls of 8000 bytes"; ok=1; }
	[ "$(call MPI_Recv .calls)" = 10 ] || { echo "    MPI_Recv: not 10 calls"; ok=1; }
	[ "$(call MPI_Allreduce .calls)" = 10 ] && [ "$(call MPI_Allreduce .bytes)" = 320 ] ||
		{ echo "    MPI_Allreduce: not 2 x 5 calls of 32 bytes"; ok=1; }
	[ "$(call MPI_Barrier .calls)" = 2 ] || { echo "    MPI_Barrier: not 2 calls"; ok=1; }
	[ "$(call MPI_Init .calls)" = 2 ] || { echo "    MPI_Init: not once per rank"; ok=1; }
	[ "$(jq_get "$j" '.mpi.ranks | length')" = 2 ] || { echo "    not 2 ranks"; ok=1; }
	near "$(jq_get "$j" .mpi.compute_imbalance)" 1.5 0.25 || { echo "    computing imbalance not 1.5 +- 0.25"; ok=1; }
	[ "$(jq_get "$j" .mpi.most_computing_rank)" = 1 ] || { echo "    rank 1 does not compute the most"; ok=1; }
	[ "$(jq_get "$j" .mpi.most_waiting_rank)" = 0 ] || { echo "    rank 0 does not wait the longest"; ok=1; }
	# and how long: at the barrier rank 0 waits for rank 1's extra compute
	r() { jq -r --argjson k "$1" ".mpi.ranks[] | select(.rank == \$k) | .$2" "$j"; }
	awk -v w="$(r 0 waiting_seconds)" -v c0="$(r 0 compute_seconds)" -v c1="$(r 1 compute_seconds)" \
		'BEGIN { exit !(c1 > c0 && w >= 0.5 * (c1 - c0)) }' ||
		{ echo "    rank 0 waits $(r 0 waiting_seconds) s, less than half of rank 1's extra compute ($(r 1 compute_seconds) - $(r 0 compute_seconds) s)"; ok=1; }
	return "$ok"
}
retry_once attempt || fail "PMPI call counts, bytes or times are wrong"

d=$WORK/rec1
[ -d "$WORK/rec2" ] && d=$WORK/rec2
"$WHYSLOW" report --mpi --expect 'mpi < 90' --expect 'mpi_imbalance > 1.2' "$d" >"$WORK/text" 2>&1 ||
	fail "mpi expectations did not evaluate: $(tail -3 "$WORK/text")"
grep -q '^MPI (PMPI, ' "$WORK/text" || fail "no MPI section in report --mpi"
"$WHYSLOW" report --json --mpi --rank 1 "$d" | jq -e '.mpi.ranks | length == 1 and .[0].rank == 1' >/dev/null ||
	fail "--rank 1 did not keep rank 1 only"

# without -o the ranks agree on one directory, named by the job
mkdir "$WORK/cwd"
(cd "$WORK/cwd" && mpirun -np 2 "$WHYSLOW" record -q -- "$prog" 1000000 >/dev/null 2>&1) ||
	fail "mpirun whyslow record without -o failed"
set -- "$WORK"/cwd/whyslow-mpi-*
[ $# = 1 ] && [ -d "$1" ] && [ "$(ls "$1" | wc -l)" = 2 ] ||
	fail "the ranks did not share one whyslow-mpi-JOB directory: $(ls -R "$WORK/cwd" | tr '\n' ' ')"

# --no-mpi: nothing timed, and the metrics say so
mpirun -np 2 "$WHYSLOW" record -q --no-mpi -o "$WORK/nompi" -- "$prog" 1000000 >/dev/null 2>&1 ||
	fail "record --no-mpi failed"
"$WHYSLOW" report --json --mpi "$WORK/nompi" | jq -e '.mpi == null' >/dev/null || fail "--no-mpi recorded MPI calls"
"$WHYSLOW" report --expect 'mpi < 50' "$WORK/nompi" >/dev/null 2>"$WORK/nompi.err" &&
	fail "the mpi metric passed without MPI data"
grep -q 'no rank' "$WORK/nompi.err" || fail "the failed mpi check does not say there was no MPI data"

# a program that is not MPI runs with the library preloaded, untouched
out=$("$WHYSLOW" record -q -o "$WORK/plain" -- sh -c 'echo plain; exit 3')
[ $? = 3 ] && [ "$out" = plain ] || fail "a non-MPI program's output or exit status changed"
ws_finish
