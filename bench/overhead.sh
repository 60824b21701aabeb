#!/bin/bash
# shellcheck disable=SC2317 # the probe_* functions are called by name
# overhead.sh: what profiling costs, whyslow side by side with its peers.
#
# Runs each workload unprofiled, under `whyslow record`, under `perf record`
# and under gperftools' CPU profiler, REPEAT times, alternating the order
# within each repeat (A B C D, then D C B A, ...) so drift in a noisy machine
# falls on every column alike.  Prints medians, min-max spreads, the ratio to
# the unprofiled median and the samples each profiler collected, then a
# Markdown table for docs/overhead.md.  Method: docs/overhead.md.
#
# usage: BUILD=/path/to/build bench/overhead.sh      (or: make -C bench bench)
#
# Environment (defaults in brackets):
#   BUILD        the build directory [.]
#   WHYSLOW      the whyslow command [$BUILD/reports/whyslow]
#   WHYSLOW_LIB  the collector [$BUILD/profiler/.libs/libwhyslow.so]
#   EXAMPLES     where integrate is [$BUILD/examples]
#   REPEAT       runs of each command [11]
#   FREQ         requested sampling rate, Hz, for every profiler [1000]
#   N_SERIAL     bins for `integrate serial` [300000000, about 1.2 s here]
#   N_THREADS    bins for `integrate pthreads N THREADS` [600000000]
#   THREADS      threads of the second workload [8]
#   PERF         perf [perf]; PERF=none skips the perf column
#   GPERF_LIB    gperftools' profiler [/usr/lib/x86_64-linux-gnu/libprofiler.so];
#                GPERF_LIB=none skips the gperftools column
#   PPROF        gperftools' pprof [google-pprof]
#   TOOLS        columns to run [whyslow perf gperf]; the unprofiled one always runs;
#                whyslow-sigprof is whyslow with --signal SIGPROF (the perf
#                event's SIGIO-style delivery, the default before --signal auto)
#   KEEP=1       keep the scratch directory (profiles and logs)
#
# Exit status: 0 done, 1 a command failed or printed a wrong result, 2 usage
# or setup error (nothing to measure).
set -u -o pipefail
export LC_ALL=C

BUILD=${BUILD:-.}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || {
	echo "overhead.sh: BUILD: no such directory" >&2
	exit 2
}
WHYSLOW=${WHYSLOW:-$BUILD/reports/whyslow}
WHYSLOW_LIB=${WHYSLOW_LIB:-$BUILD/profiler/.libs/libwhyslow.so}
EXAMPLES=${EXAMPLES:-$BUILD/examples}
REPEAT=${REPEAT:-11}
FREQ=${FREQ:-1000}
N_SERIAL=${N_SERIAL:-300000000}
N_THREADS=${N_THREADS:-600000000}
THREADS=${THREADS:-8}
PERF=${PERF:-perf}
GPERF_LIB=${GPERF_LIB:-/usr/lib/x86_64-linux-gnu/libprofiler.so}
PPROF=${PPROF:-google-pprof}
TOOLS=${TOOLS:-whyslow perf gperf}
export WHYSLOW_LIB

integrate=$EXAMPLES/integrate
case $REPEAT in '' | *[!0-9]* | 0)
	echo "overhead.sh: REPEAT must be a positive whole number" >&2
	exit 2
	;;
esac
if [ ! -x "$integrate" ]; then
	echo "overhead.sh: $integrate not found: build first (make), or set BUILD or EXAMPLES" >&2
	exit 2
fi

scratch=$(mktemp -d /tmp/whyslow-overhead.XXXXXX) || exit 2
if [ "${KEEP:-0}" = 1 ]; then
	echo "overhead.sh: scratch files kept in $scratch" >&2
else
	trap 'rm -rf "$scratch"' EXIT
fi
trap 'exit 130' INT TERM

say() { echo "$*" >&2; }

# ---- which profilers can run here ----------------------------------------
# A column runs only when a short probe under that profiler succeeds and
# leaves a profile; otherwise the reason is printed and the column skipped.
declare -A skip_reason=()
columns=(none)
probe_args=(serial 1000000)

probe_whyslow() {
	[ -x "$WHYSLOW" ] || { echo "$WHYSLOW not built"; return 1; }
	[ -r "$WHYSLOW_LIB" ] || { echo "$WHYSLOW_LIB not built"; return 1; }
	local out
	rm -rf "$scratch/probe-whyslow"
	if ! out=$("$WHYSLOW" record -F "$FREQ" -o "$scratch/probe-whyslow" -- "$integrate" \
		"${probe_args[@]}" 2>&1 >/dev/null); then
		echo "whyslow record failed: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
		return 1
	fi
	ls "$scratch/probe-whyslow"/*.wsp >/dev/null 2>&1 || {
		echo "whyslow record wrote no profile"
		return 1
	}
}

probe_perf() {
	[ "$PERF" != none ] || { echo "PERF=none"; return 1; }
	command -v "$PERF" >/dev/null || { echo "$PERF not found (Debian: linux-perf)"; return 1; }
	local out paranoid
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo '?')
	if ! out=$("$PERF" record -q -e cpu-clock -F "$FREQ" -g -o "$scratch/probe.perf" -- \
		"$integrate" "${probe_args[@]}" 2>&1 >/dev/null); then
		echo "perf record refused (kernel.perf_event_paranoid=$paranoid): $(tail -n 1 <<<"$out")"
		return 1
	fi
}

probe_gperf() {
	[ "$GPERF_LIB" != none ] || { echo "GPERF_LIB=none"; return 1; }
	[ -r "$GPERF_LIB" ] || {
		echo "$GPERF_LIB not found (Debian: libgoogle-perftools-dev)"
		return 1
	}
	LD_PRELOAD=$GPERF_LIB CPUPROFILE=$scratch/probe.prof CPUPROFILE_FREQUENCY=$FREQ \
		"$integrate" "${probe_args[@]}" >/dev/null 2>&1 || {
		echo "the program failed under gperftools"
		return 1
	}
	[ -s "$scratch/probe.prof" ] || { echo "gperftools wrote no profile"; return 1; }
}

for tool in $TOOLS; do
	case $tool in whyslow | whyslow-sigprof | perf | gperf) ;; *)
		say "overhead.sh: unknown tool '$tool' in TOOLS (whyslow whyslow-sigprof perf gperf)"
		exit 2
		;;
	esac
	if reason=$("probe_${tool%-sigprof}"); then
		columns+=("$tool")
	else
		skip_reason[$tool]=$reason
		say "overhead.sh: skipping $tool: $reason"
	fi
done
rm -rf "$scratch"/probe*

# ---- one timed run ---------------------------------------------------------
# run TOOL WORKLOAD INDEX ARGS...: runs the command, appends
# "wall user sys own samples" to $scratch/WORKLOAD.TOOL (own: the time the
# program itself reports for its computation; samples "-" when not read),
# and returns the command's status.
failed=0
run_one() {
	local tool=$1 workload=$2 i=$3
	shift 3
	local tag=$scratch/$workload.$tool.$i timing status samples=- own cmd
	case $tool in
	none) cmd=("$@") ;;
	whyslow) cmd=("$WHYSLOW" record -F "$FREQ" -o "$tag.wsdir" -- "$@") ;;
	whyslow-sigprof) cmd=("$WHYSLOW" record -F "$FREQ" --signal SIGPROF -o "$tag.wsdir" -- "$@") ;;
	perf) cmd=("$PERF" record -q -e cpu-clock -F "$FREQ" -g -o "$tag.perf" -- "$@") ;;
	gperf) cmd=(env LD_PRELOAD="$GPERF_LIB" CPUPROFILE="$tag.prof"
		CPUPROFILE_FREQUENCY="$FREQ" "$@") ;;
	esac
	local TIMEFORMAT='%3R %3U %3S'
	{ time "${cmd[@]}" >"$tag.out" 2>"$tag.err"; } 2>"$tag.time"
	status=$?
	timing=$(tail -n 1 "$tag.time")
	own=$(sed -n 's/.* time=\([0-9.]*\) s$/\1/p' "$tag.out" | tail -n 1)
	if [ $status -ne 0 ] || [ -z "$own" ]; then
		say "overhead.sh: $workload under $tool failed (status $status):"
		sed 's/^/    /' "$tag.out" "$tag.err" | tail -n 5 >&2
		failed=1
		return 1
	fi
	case $tool in
	whyslow | whyslow-sigprof)
		samples=$(sed -n 's/^whyslow: \([0-9][0-9]*\) samples.*/\1/p' "$tag.err" | tail -n 1)
		if [ -z "$samples" ]; then
			samples=$("$WHYSLOW" report --json "$tag.wsdir" 2>/dev/null |
				sed -n 's/.*"samples": *\([0-9][0-9]*\).*/\1/p' | head -n 1)
		fi
		rm -rf "$tag.wsdir"
		;;
	perf)
		# One line per sample (perf report's "# Samples: 1K" is rounded).
		samples=$("$PERF" script -i "$tag.perf" -G -F tid 2>/dev/null | wc -l)
		rm -f "$tag.perf" "$tag.perf.old"
		;;
	gperf)
		if command -v "$PPROF" >/dev/null; then
			samples=$("$PPROF" --text "$1" "$tag.prof" 2>/dev/null |
				sed -n 's/^Total: \([0-9][0-9]*\) samples.*/\1/p')
		fi
		if [ -z "$samples" ]; then # its own summary line on stderr
			samples=$(sed -n 's|^PROFILE: interrupts/evictions/bytes = \([0-9]*\)/.*|\1|p' \
				"$tag.err")
		fi
		rm -f "$tag.prof"
		;;
	esac
	echo "$timing $own ${samples:--}" >>"$scratch/$workload.$tool"
	printf '  %-8s %-7s run %2d: %s s wall, %s s own, samples %s\n' "$workload" "$tool" \
		"$i" "${timing%% *}" "$own" "${samples:--}" >&2
	return 0
}

# ---- the runs ---------------------------------------------------------------
workloads=(serial threads)
declare -A command_of=(
	[serial]="$integrate serial $N_SERIAL"
	[threads]="$integrate pthreads $N_THREADS $THREADS"
)
declare -A label_of=(
	[serial]="integrate serial $N_SERIAL"
	[threads]="integrate pthreads $N_THREADS $THREADS"
)

say "overhead.sh: ${#columns[@]} columns (${columns[*]}), $REPEAT repeats, -F $FREQ"
for workload in "${workloads[@]}"; do
	read -r -a args <<<"${command_of[$workload]}"
	for ((i = 1; i <= REPEAT; i++)); do
		order=("${columns[@]}")
		if ((i % 2 == 0)); then # reversed every other repeat: ABCD, DCBA, ...
			order=()
			for ((k = ${#columns[@]} - 1; k >= 0; k--)); do
				order+=("${columns[k]}")
			done
		fi
		for tool in "${order[@]}"; do
			run_one "$tool" "$workload" "$i" "${args[@]}"
		done
	done
done

# ---- statistics ---------------------------------------------------------------
# stats FILE: "wall lo hi cpu own samples runs": medians of the wall time,
# the CPU time (user + sys, the profiler's own processes included), the
# program's own time and the samples; lo and hi the wall extremes.
stats() {
	awk '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) {
			t = a[i]
			for (j = i - 1; j >= 1 && a[j] > t; j--)
				a[j + 1] = a[j]
			a[j + 1] = t
		}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		n++; wall[n] = $1; cpu[n] = $2 + $3; own[n] = $4
		if (n == 1 || $1 < lo) lo = $1
		if (n == 1 || $1 > hi) hi = $1
		if ($5 != "-") { ns++; smp[ns] = $5 }
	}
	END {
		if (n == 0) { print "- - - - - - 0"; exit }
		printf "%.3f %.3f %.3f %.3f %.3f %s %d\n", median(wall, n), lo, hi, median(cpu, n),
			median(own, n), ns ? sprintf("%.0f", median(smp, ns)) : "-", n
	}' "$1" 2>/dev/null || echo "- - - - - - 0"
}

# percent A B: A / B in %, or "-".
percent() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.1f %%", 100 * a / b }'
}

describe() {
	case $1 in
	none) echo "unprofiled" ;;
	whyslow) echo "whyslow record -F $FREQ" ;;
	whyslow-sigprof) echo "whyslow record -F $FREQ --signal SIGPROF" ;;
	perf) echo "perf record -e cpu-clock -F $FREQ -g" ;;
	gperf) echo "gperftools CPUPROFILE_FREQUENCY=$FREQ" ;;
	esac
}

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "Overhead of sampling profilers, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Machine: $(nproc) CPUs ($model), Linux $(uname -r); runs per cell: $REPEAT, order alternated within each repeat."
echo
echo "| workload | profiler | median wall (s) | min–max (s) | wall vs unprofiled | program's own time (s) | own vs unprofiled | CPU incl. profiler (s) | CPU vs unprofiled | samples (median) | samples per program CPU-second |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for workload in "${workloads[@]}"; do
	read -r base_wall _ _ base_cpu base_own _ <<<"$(stats "$scratch/$workload.none")"
	first=1
	for tool in none whyslow whyslow-sigprof perf gperf; do
		name=$(describe "$tool")
		label=""
		[ $first = 1 ] && label="\`${label_of[$workload]}\`"
		if [ -n "${skip_reason[$tool]+x}" ]; then
			echo "| $label | $name | skipped: ${skip_reason[$tool]} | | | | | | | | |"
			first=0
			continue
		fi
		[[ " ${columns[*]} " == *" $tool "* ]] || continue
		first=0
		read -r wall lo hi cpu own samples runs <<<"$(stats "$scratch/$workload.$tool")"
		if [ "$runs" = 0 ]; then
			echo "| $label | $name | all runs failed | | | | | | | | |"
			continue
		fi
		[ "$runs" -lt "$REPEAT" ] && wall="$wall ($runs of $REPEAT runs)"
		rate=$(awk -v s="$samples" -v c="$base_cpu" 'BEGIN {
			if (s == "-" || c == "-" || c + 0 == 0) print "-"; else printf "%.0f", s / c }')
		[ "$tool" = none ] && { samples=—; rate=—; }
		echo "| $label | $name | $wall | $lo–$hi | $(percent "$wall" "$base_wall") |" \
			"$own | $(percent "$own" "$base_own") | $cpu | $(percent "$cpu" "$base_cpu") |" \
			"$samples | $rate |"
	done
done
echo
echo "Medians over the runs.  own: the computation's time as the program reports it"
echo "(no profiler start-up or shutdown).  CPU: user + sys of the whole command, the"
echo "profiler's own processes included; steadier than wall time on a shared machine."
echo "samples per program CPU-second: the median samples over the unprofiled median"
echo "CPU time, the profiler's effective rate (requested: $FREQ)."
exit $failed
