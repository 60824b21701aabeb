#!/bin/sh
# mpi4py as users run it, under whyslow record's defaults: mpi4py's
# extension module is loaded RTLD_LOCAL, and so is the libmpi it links;
# libwhyslow-mpi.so (preloaded by record) wraps mpi4py's MPI_Init_thread
# and must find PMPI_Init_thread in a library that dlsym(RTLD_NEXT /
# RTLD_DEFAULT) cannot see (it asks every loaded object through its own
# RTLD_NOLOAD handle; before, it printed "PMPI_Init_thread not found in the
# program's MPI library" and aborted every rank).  Wants: the program's
# output and status kept, and report --mpi counting 10 MPI_Allreduce.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
ws_require
ws_require_python
ws_workdir
command -v mpirun >/dev/null 2>&1 || skip "no mpirun (Debian: openmpi-bin)"
py=
for p in $PYTHONS; do
	"$p" -c 'import mpi4py' 2>/dev/null && { py=$p; break; }
done
[ -n "$py" ] || skip "no CPython 3.11 with mpi4py (Debian: python3-mpi4py, for /usr/bin/python3)"
[ -r "$(dirname "$WHYSLOW_LIB")/libwhyslow-mpi.so" ] || skip "libwhyslow-mpi.so is not built (no mpi.h)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
src=$SRCDIR/py_mpi.py
native=$(mpirun -np 2 "$py" "$src" 1000 2>"$WORK/native.err" | sort) ||
	hard_error "$py py_mpi.py failed on its own: $(tail -n 3 "$WORK/native.err")"
d=$WORK/rec
if ! "$WHYSLOW" record -q -o "$d" -- mpirun -np 2 "$py" "$src" 100000 >"$WORK/out" 2>"$WORK/err"; then
	fail "$py: mpi4py ranks failed under whyslow record: $(grep -m 1 'libwhyslow-mpi\|Abort\|abort' "$WORK/err" || tail -n 1 "$WORK/err")"
fi
[ "$(sort "$WORK/out")" = "$native" ] || fail "printed '$(sort "$WORK/out")' under whyslow, '$native' without"
if [ -d "$d" ] && ws_report "$d" "$WORK/mpi.json" --mpi; then
	n=$(jq -r '[.mpi.calls[]? | select(.name == "MPI_Allreduce") | .calls] | add // 0' "$WORK/mpi.json")
	[ "$n" = 10 ] || fail "report --mpi counts $n MPI_Allreduce, want 10"
else
	fail "no report --mpi"
fi
ws_finish
