#!/bin/bash
# python.sh: what profiling a Python program costs (docs/python.md "Cost",
# docs/overhead.md "Python programs").
#
# Two workloads, each run REPEAT times in every column, the columns
# alternating within each repeat (A B C, then C B A, ...) so that drift of a
# shared machine falls on all alike:
#   loop:  a pure-Python loop (arithmetic, a dict, a list), by $PYTHON;
#   numpy: NumPy on 200,000-element arrays (elementwise ufuncs, sums) and
#          small matrix products, called from a Python loop, by $NUMPY_PYTHON
#          (Debian's /usr/bin/python3 has python3-numpy), with
#          OPENBLAS_NUM_THREADS=1 (one thread: no BLAS threads spinning on
#          a 2-core machine).
# Columns:
#   none:      the program alone;
#   whyslow:   whyslow record -F $FREQ (Python frames on, the default);
#   native:    the same with WHYSLOW_PYTHON=0 (native frames only), which
#              isolates the cost of reading the Python stacks;
#   py-spy:    py-spy record -r $FREQ -f raw, when py-spy is on PATH (it is
#              not packaged in Debian 12; `pip install py-spy` elsewhere);
#              otherwise the script says so and makes no comparison.
# Each program prints the CPU time of its work (cpu=S s, time.process_time
# around it, so interpreter start-up and profile writing are left aside:
# "own CPU").  Medians of wall, CPU (user + sys of the command) and own CPU
# time, their ratios to the unprofiled medians and the medians of the ratios
# paired by repeat, whyslow's samples, the Python share of them and the
# handler's time per sample.  On a machine shared with other work, the wall
# time mostly measures the waiting for a core; compare CPU times.
#
# usage: BUILD=/path/to/build bench/python.sh    (or: make -C bench python)
# Environment (defaults in brackets):
#   BUILD         the build directory [.]
#   WHYSLOW       [$BUILD/reports/whyslow]   WHYSLOW_LIB [$BUILD/profiler/.libs/libwhyslow.so]
#   PYTHON        interpreter of the loop workload [python3]
#   NUMPY_PYTHON  interpreter of the numpy workload [/usr/bin/python3]
#   REPEAT        runs per column [7]       FREQ   sampling rate, Hz [1000]
#   LOOP_N        iterations of the loop [6000000]  NUMPY_N  rounds of the numpy work [80]
#   PYSPY         py-spy [py-spy]; PYSPY=none skips that column
#   KEEP=1        keep the scratch directory
# Exit status: 0 done, 1 a run failed, 2 setup error.
set -u -o pipefail
export LC_ALL=C

BUILD=${BUILD:-.}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || {
	echo "python.sh: BUILD: no such directory" >&2
	exit 2
}
WHYSLOW=${WHYSLOW:-$BUILD/reports/whyslow}
WHYSLOW_LIB=${WHYSLOW_LIB:-$BUILD/profiler/.libs/libwhyslow.so}
PYTHON=${PYTHON:-python3}
NUMPY_PYTHON=${NUMPY_PYTHON:-/usr/bin/python3}
REPEAT=${REPEAT:-7}
FREQ=${FREQ:-1000}
LOOP_N=${LOOP_N:-6000000}
NUMPY_N=${NUMPY_N:-80}
PYSPY=${PYSPY:-py-spy}
export WHYSLOW_LIB
export OPENBLAS_NUM_THREADS=1 # see above

say() { echo "$*" >&2; }
case $REPEAT in '' | *[!0-9]* | 0)
	say "python.sh: REPEAT must be a positive whole number"
	exit 2
	;;
esac
[ -x "$WHYSLOW" ] || { say "python.sh: $WHYSLOW not built (make), or set BUILD"; exit 2; }
[ -r "$WHYSLOW_LIB" ] || { say "python.sh: $WHYSLOW_LIB not built"; exit 2; }
command -v jq >/dev/null || { say "python.sh: needs jq"; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/whyslow-bench-python.XXXXXX") || exit 2
if [ "${KEEP:-0}" = 1 ]; then
	say "python.sh: scratch files kept in $scratch"
else
	trap 'rm -rf "$scratch"' EXIT
fi
trap 'exit 130' INT TERM

# ---- the workloads ----------------------------------------------------------
cat >"$scratch/loop.py" <<'EOF'
import sys, time


def work(n):
    s, d, acc = 0, {}, []
    for i in range(n):
        s += i * i % 7
        d[i & 1023] = s
        if i % 97 == 0:
            acc.append(s)
    return s + len(d) + len(acc)


t, c = time.perf_counter(), time.process_time()
r = work(int(sys.argv[1]))
print(f"result={r} cpu={time.process_time() - c:.4f} s time={time.perf_counter() - t:.4f} s")
EOF
cat >"$scratch/numpy_work.py" <<'EOF'
import sys, time
import numpy as np


def elementwise(x, y):
    return float(np.sum(np.sqrt(x) * y + np.sin(y)))


def small_products(a, b):
    return float(np.trace(a @ b))


n = int(sys.argv[1])
rng = np.random.default_rng(1)
x, y = rng.random(200000), rng.random(200000)
a, b = rng.random((64, 64)), rng.random((64, 64))
t, c = time.perf_counter(), time.process_time()
s = 0.0
for _ in range(n):
    s += elementwise(x, y)
    for _ in range(20):
        s += small_products(a, b)
print(f"result={s:.6g} cpu={time.process_time() - c:.4f} s time={time.perf_counter() - t:.4f} s")
EOF

# the interpreters' real executables (not a pyenv shim, a shell script that
# would be profiled and timed too)
real_python() { "$1" -c 'import sys; print(sys.executable)' 2>/dev/null || echo "$1"; }
PYTHON=$(real_python "$PYTHON")
NUMPY_PYTHON=$(real_python "$NUMPY_PYTHON")
declare -A interp=([loop]=$PYTHON [numpy]=$NUMPY_PYTHON)
declare -A arg=([loop]=$LOOP_N [numpy]=$NUMPY_N)
declare -A script=([loop]=$scratch/loop.py [numpy]=$scratch/numpy_work.py)
workloads=()
for w in loop numpy; do
	py=${interp[$w]}
	if ! out=$("$py" "${script[$w]}" 10 2>&1); then
		say "python.sh: skipping $w: $py cannot run it: $(tail -n 1 <<<"$out")"
		continue
	fi
	workloads+=("$w")
done
[ ${#workloads[@]} -gt 0 ] || { say "python.sh: no workload can run"; exit 2; }

columns=(none whyslow native)
pyspy_reason=
if [ "$PYSPY" = none ]; then
	pyspy_reason="PYSPY=none"
elif ! command -v "$PYSPY" >/dev/null; then
	pyspy_reason="$PYSPY not found on PATH (not packaged in Debian 12; pip install py-spy needs the network)"
elif ! "$PYSPY" record -r "$FREQ" -f raw -o "$scratch/probe.spy" -- "$PYTHON" "$scratch/loop.py" 1000 \
	>"$scratch/probe.out" 2>&1; then
	pyspy_reason="$PYSPY record failed: $(tail -n 1 "$scratch/probe.out")"
fi
if [ -n "$pyspy_reason" ]; then
	say "python.sh: py-spy column not run: $pyspy_reason"
else
	columns+=(py-spy)
fi

# ---- one timed run ------------------------------------------------------------
# run_one COLUMN WORKLOAD I: appends "I wall user sys own samples
# python_samples handler_ns" to $scratch/WORKLOAD.COLUMN ("-" where not
# measured).
failed=0
run_one() {
	local col=$1 w=$2 i=$3 tag=$scratch/$2.$1.$3 cmd status own
	local py=${interp[$w]} samples=- pysamples=- handler=-
	case $col in
	none) cmd=("$py" "${script[$w]}" "${arg[$w]}") ;;
	whyslow) cmd=("$WHYSLOW" record -q -F "$FREQ" -o "$tag.d" -- "$py" "${script[$w]}" "${arg[$w]}") ;;
	native) cmd=(env WHYSLOW_PYTHON=0 "$WHYSLOW" record -q -F "$FREQ" -o "$tag.d" --
		"$py" "${script[$w]}" "${arg[$w]}") ;;
	py-spy) cmd=("$PYSPY" record -r "$FREQ" -f raw -o "$tag.spy" -- "$py" "${script[$w]}" "${arg[$w]}") ;;
	esac
	local TIMEFORMAT='%3R %3U %3S'
	{ time "${cmd[@]}" >"$tag.out" 2>"$tag.err"; } 2>"$tag.time"
	status=$?
	own=$(sed -n 's/.* cpu=\([0-9.]*\) s time=.*/\1/p' "$tag.out" | tail -n 1)
	if [ $status -ne 0 ] || [ -z "$own" ]; then
		say "python.sh: $w under $col failed (status $status):"
		tail -n 5 "$tag.out" "$tag.err" | sed 's/^/    /' >&2
		failed=1
		return 1
	fi
	if [ -d "$tag.d" ]; then
		read -r samples pysamples handler < <("$WHYSLOW" report --json --python --top 1 "$tag.d" 2>/dev/null |
			jq -r '"\(.header.samples) \(.python.python_samples // 0) \(if .header.samples > 0 then .header.overhead_seconds / .header.samples * 1e9 else "-" end)"')
		rm -rf "$tag.d"
	fi
	if [ -f "$tag.spy" ]; then # raw: "stack count" lines
		samples=$(awk '{ n += $NF } END { print n + 0 }' "$tag.spy")
		rm -f "$tag.spy"
	fi
	echo "$i $(tail -n 1 "$tag.time") $own ${samples:--} ${pysamples:--} ${handler:--}" >>"$scratch/$w.$col"
	say "  $w $col run $i: $(tail -n 1 "$tag.time" | cut -d' ' -f1) s wall, $own s own CPU, samples ${samples:--}"
	rm -f "$tag.out" "$tag.err" "$tag.time"
}

say "python.sh: ${workloads[*]} x (${columns[*]}), $REPEAT repeats, $FREQ Hz"
for w in "${workloads[@]}"; do
	for ((i = 1; i <= REPEAT; i++)); do
		order=("${columns[@]}")
		if ((i % 2 == 0)); then
			order=()
			for ((k = ${#columns[@]} - 1; k >= 0; k--)); do order+=("${columns[k]}"); done
		fi
		for c in "${order[@]}"; do run_one "$c" "$w" "$i"; done
	done
done

# ---- statistics -------------------------------------------------------------
# median(a, n): of a[1..n], sorted in place; "-" when n is 0 (awk, shared)
AWK_MEDIAN='
	function median(a, n,   i, j, t) {
		if (n == 0) return "-"
		for (i = 2; i <= n; i++) {
			t = a[i]
			for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
			a[j + 1] = t
		}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}'
# stats FILE: medians "wall cpu own samples pysamples handler_ns runs"
stats() {
	awk "$AWK_MEDIAN"'
	{
		n++; wall[n] = $2; cpu[n] = $3 + $4; own[n] = $5
		if ($6 != "-") { ns++; smp[ns] = $6 }
		if ($7 != "-") { np++; pys[np] = $7 }
		if ($8 != "-") { nh++; hnd[nh] = $8 }
	}
	END {
		if (n == 0) { print "- - - - - - 0"; exit }
		s = median(smp, ns); p = median(pys, np); h = median(hnd, nh)
		printf "%.3f %.3f %.3f %s %s %s %d\n", median(wall, n), median(cpu, n), median(own, n),
			s == "-" ? "-" : sprintf("%.0f", s), p == "-" ? "-" : sprintf("%.0f", p),
			h == "-" ? "-" : sprintf("%.0f", h), n
	}' "$1" 2>/dev/null || echo "- - - - - - 0"
}
# paired FILE BASE: medians over the repeats of this column's CPU and own
# time over the unprofiled run's of the same repeat, "cpu own" (the runs of
# one repeat follow each other, so they see about the same machine).
paired() {
	awk "$AWK_MEDIAN"'
	function median3(a, n,   m) { m = median(a, n); return m == "-" ? m : sprintf("%.3f", m) }
	FNR == NR { bc[$1] = $3 + $4; bo[$1] = $5; next }
	($1 in bc) && bc[$1] > 0 && bo[$1] > 0 { n++; c[n] = ($3 + $4) / bc[$1]; o[n] = $5 / bo[$1] }
	END { print median3(c, n), median3(o, n) }' "$2" "$1" 2>/dev/null || echo "- -"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }

describe() {
	case $1 in
	none) echo "unprofiled" ;;
	whyslow) echo "whyslow record -F $FREQ" ;;
	native) echo "WHYSLOW_PYTHON=0 whyslow record -F $FREQ" ;;
	py-spy) echo "py-spy record -r $FREQ -f raw" ;;
	esac
}
label() {
	case $1 in
	loop) echo "pure-Python loop ($("${interp[loop]}" -c 'import sys; print(sys.version.split()[0])'), $LOOP_N iterations)" ;;
	numpy) echo "NumPy ($("${interp[numpy]}" -c 'import sys, numpy; print(sys.version.split()[0], "numpy", numpy.__version__)'), $NUMPY_N rounds)" ;;
	esac
}

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "Profiling Python, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Machine: $(nproc) CPUs ($model), Linux $(uname -r); $REPEAT runs per cell, order alternated within each repeat."
echo
echo "| workload | command | median wall s | / unprofiled | median CPU s | / unprofiled | paired | median own CPU s | / unprofiled | paired | samples | with Python frames | handler ns / sample |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for w in "${workloads[@]}"; do
	read -r bw bc bo _ <<<"$(stats "$scratch/$w.none")"
	first=1
	for c in none whyslow native py-spy; do
		l=""
		[ $first = 1 ] && l=$(label "$w")
		first=0
		if [ "$c" = py-spy ] && [ -n "$pyspy_reason" ]; then
			echo "| $l | $(describe py-spy) | not run: $pyspy_reason | | | | | | | | | | |"
			continue
		fi
		read -r wall cpu own s p h n <<<"$(stats "$scratch/$w.$c")"
		if [ "$n" = 0 ]; then
			echo "| $l | $(describe "$c") | all runs failed | | | | | | | | | | |"
			continue
		fi
		[ "$n" -lt "$REPEAT" ] && wall="$wall ($n of $REPEAT runs)"
		read -r pc po <<<"$(paired "$scratch/$w.$c" "$scratch/$w.none")"
		echo "| $l | $(describe "$c") | $wall | $(ratio "$wall" "$bw") | $cpu | $(ratio "$cpu" "$bc") | $pc | $own | $(ratio "$own" "$bo") | $po | $s | $p | $h |"
	done
done
echo
echo "Medians.  own CPU: the work's CPU time as the script measures it (process_time),"
echo "without interpreter start-up and profile writing.  CPU: user + sys of the whole command."
echo "paired: the median over the repeats of the run's time over the same repeat's"
echo "unprofiled run."
echo "with Python frames: whyslow's samples that found a Python stack.  handler: whyslow's"
echo "time in its sample handler (header.overhead_seconds) per sample."
[ -n "$pyspy_reason" ] && echo "py-spy: not compared: $pyspy_reason."
exit $failed
