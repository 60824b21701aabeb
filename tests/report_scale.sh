#!/bin/sh
# `whyslow scale` end to end: examples/integrate pthreads at 1 and 2
# threads ({threads} in the arguments), 2 repeats: one recording per count
# and repeat, the table with both counts, the function table, scale.dat and
# scale.gp, a text plot where gnuplot exists; a warning when the count
# exceeds the CPUs of whyslow's affinity mask (taskset); and the errors: bad lists,
# no program, an existing -o, a run that fails.  (Timings are not checked:
# ws_scale_build's arithmetic is, exactly, by report_scale_fit.)
. "${SRCDIR:-.}/report_common.sh"
prog=${TOP_BUILDDIR:?}/examples/integrate
[ -x "$prog" ] || { echo "SKIP: $prog is not built"; exit 77; }
D=$tmp/scale

expect_status 0 "$WHYSLOW" scale --threads 1,2 --repeat 2 -o "$D" -- "$prog" pthreads 20000000 '{threads}'
for run in 1-1 1-2 2-1 2-2; do
	[ -d "$D/$run" ] || fail "no recording $D/$run"
	grep -q "threads=${run%-*} " "$D/$run.out" || fail "$run.out: the program did not run with ${run%-*} threads: $(cat "$D/$run.out")"
done
grep -q '^ *1  *[0-9.]*  *[0-9.]*-[0-9.]*  *1\.00x  *100%' "$tmp/out" || fail "no baseline row: $(cat "$tmp/out")"
grep -q '^ *2  *[0-9.]*  *[0-9.]*-[0-9.]*  *[0-9.]*x' "$tmp/out" || fail "no row for 2 threads"
grep -q 'Amdahl fit: serial fraction' "$tmp/out" || fail "no Amdahl fit"
grep -q 'integrate_range' "$tmp/out" || fail "the function table does not name integrate_range"
grep -q 'pthreads_worker\|integrate_range' "$tmp/out" || fail "no functions"
[ "$(grep -c '^[12] ' "$D/scale.dat")" = 2 ] || fail "scale.dat: $(cat "$D/scale.dat")"
grep -q "plot '$D/scale.dat'" "$D/scale.gp" || fail "scale.gp does not plot scale.dat"
grep -q '2 threads, run 2 of 2' "$tmp/err" || fail "no progress on stderr: $(cat "$tmp/err")"
# OpenMP: the runtime's rows are tagged (tiny tasks: its scheduling grows
# with the threads), the program's own are not
chunks=$TOP_BUILDDIR/examples/chunks
if [ -x "$chunks" ] && "$chunks" tiny 200 1 >/dev/null 2>&1; then
	expect_status 0 "$WHYSLOW" scale --threads 1,2 --repeat 1 -o "$tmp/omp" -- "$chunks" tiny 8000
	grep -q 'libgomp.*\[OpenMP runtime\]\|libomp.*\[OpenMP runtime\]\|GOMP_.*\[OpenMP runtime\]' "$tmp/out" ||
		fail "no OpenMP runtime row tagged in scale's table: $(cat "$tmp/out")"
	grep 'chunk_sum\|mean_chunked' "$tmp/out" | grep -q 'OpenMP runtime' &&
		fail "the program's own function is tagged as the runtime: $(cat "$tmp/out")"
fi

if command -v gnuplot >/dev/null 2>&1; then
	expect_status 0 "$WHYSLOW" scale --threads 1,2 --repeat 1 -o "$tmp/plot" --plot term -- "$prog" pthreads 10000000 '{threads}'
	grep -q 'speedup' "$tmp/out" && grep -q 'parallel efficiency' "$tmp/out" || fail "--plot term drew nothing"
	expect_status 0 "$WHYSLOW" scale --threads 1,2 --repeat 1 -o "$tmp/png" --plot "$tmp/s.png" -- "$prog" pthreads 10000000 '{threads}'
	[ -s "$tmp/s.png" ] || fail "--plot FILE.png wrote nothing"
	# paths with a quote reach gnuplot intact (no shell, quotes doubled)
	expect_status 0 "$WHYSLOW" scale --threads 1,2 --repeat 1 -o "$tmp/it's" --plot "$tmp/it's.svg" -- "$prog" pthreads 10000000 '{threads}'
	[ -s "$tmp/it's.svg" ] || fail "--plot with a quote in the path wrote nothing: $(cat "$tmp/err")"
fi

# more threads than the CPUs whyslow may use (its affinity, as in a Slurm
# cpuset) is warned about, on stderr and in the table
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	expect_status 0 taskset -c 0 "$WHYSLOW" scale --threads 1,2 --repeat 1 -o "$tmp/pinned" -- "$prog" serial 1000000
	grep -q 'warning: 2 threads is more than the 1 cores here' "$tmp/err" &&
		grep -q 'warning: 2 threads is more than the 1 cores here' "$tmp/out" ||
		fail "taskset -c 0 scale --threads 1,2: no warning: $(cat "$tmp/err" "$tmp/out")"
fi

# errors
expect_status 2 "$WHYSLOW" scale --threads 2,1 -- "$prog" serial
expect_status 2 "$WHYSLOW" scale --threads 1,x -- "$prog" serial
expect_status 2 "$WHYSLOW" scale --threads 1,2
expect_status 2 "$WHYSLOW" scale -- "$prog" serial
expect_status 2 "$WHYSLOW" scale --threads 1 --plot out.jpg -- "$prog" serial
expect_status 1 "$WHYSLOW" scale --threads 1 -o "$D" -- "$prog" serial 1000000
grep -q 'never overwritten' "$tmp/err" || fail "existing -o: $(cat "$tmp/err")"
expect_status 1 "$WHYSLOW" scale --threads 1 -o "$tmp/bad" -- "$prog" serial not-a-number
grep -q 'exited 2: see' "$tmp/err" || fail "failing run: $(cat "$tmp/err")"
finish
