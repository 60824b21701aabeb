#!/bin/bash
# floor.sh: what an in-process signal sampler cannot avoid paying, next to
# what whyslow pays.
#
# Runs each workload unprofiled, under bench/libfloor.so (bench/floor.c: the
# same perf task-clock event and signal as whyslow, with a handler that only
# consumes the perf ring, or that also walks ~10 frame pointers; other modes
# take the signal away or deliver it another way) and under
# one or more builds of whyslow's collector, REPEAT times, alternating the
# order within each repeat (A B C D, then D C B A, ...).  Every profiled
# column is the program with a library preloaded and nothing else (no
# `whyslow record` process), so the CPU columns compare the samplers alone.
# Prints medians, min-max spreads, samples per CPU-second and the extra CPU
# per sample, as a Markdown table.  Method: docs/overhead.md.
#
# usage: BUILD=/path/to/build bench/floor.sh      (or: make -C bench floor)
#
# Environment (defaults in brackets):
#   BUILD        the build directory [.]
#   WHYSLOW      the whyslow command, to read sample counts [$BUILD/reports/whyslow]
#   WHYSLOW_LIBS whyslow collectors to compare, NAME=PATH separated by spaces
#                [whyslow=$BUILD/profiler/.libs/libwhyslow.so]; e.g.
#                WHYSLOW_LIBS="before=/tmp/a.so after=/tmp/b.so" (NAME: letters,
#                digits, _); WHYSLOW_ENV_NAME, if set, adds VAR=VALUE words to
#                that column's environment, e.g. WHYSLOW_ENV_trap="WHYSLOW_SIGNAL=5"
#   FLOOR_LIB    the floor library [$BUILD/bench/.libs/libfloor.so]
#   FLOOR_MODES  floor columns, FLOOR_MODE values (bench/floor.c) [ring fp];
#                also nosig (the timer alone), trap, trap-fp (SIGTRAP delivery)
#   EXAMPLES     where integrate is [$BUILD/examples]
#   REPEAT       runs of each command [11]
#   FREQ         sampling rate, Hz [1000]
#   N_SERIAL     bins for `integrate serial` [300000000]
#   N_THREADS    bins for `integrate pthreads N THREADS` [600000000]
#   THREADS      threads of the second workload [8]
#   WORKLOADS    which workloads [serial threads]
#   KEEP=1       keep the scratch directory
#
# Exit status: 0 done, 1 a command failed or printed a wrong result, 2 usage
# or setup error.
set -u -o pipefail
export LC_ALL=C

BUILD=${BUILD:-.}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || {
	echo "floor.sh: BUILD: no such directory" >&2
	exit 2
}
WHYSLOW=${WHYSLOW:-$BUILD/reports/whyslow}
WHYSLOW_LIBS=${WHYSLOW_LIBS:-whyslow=$BUILD/profiler/.libs/libwhyslow.so}
FLOOR_LIB=${FLOOR_LIB:-$BUILD/bench/.libs/libfloor.so}
FLOOR_MODES=${FLOOR_MODES:-ring fp}
EXAMPLES=${EXAMPLES:-$BUILD/examples}
REPEAT=${REPEAT:-11}
FREQ=${FREQ:-1000}
N_SERIAL=${N_SERIAL:-300000000}
N_THREADS=${N_THREADS:-600000000}
THREADS=${THREADS:-8}
WORKLOADS=${WORKLOADS:-serial threads}

integrate=$EXAMPLES/integrate
say() { echo "$*" >&2; }
case $REPEAT in '' | *[!0-9]* | 0)
	say "floor.sh: REPEAT must be a positive whole number"
	exit 2
	;;
esac
[ -x "$integrate" ] || { say "floor.sh: $integrate not found: build first"; exit 2; }
[ -r "$FLOOR_LIB" ] || { say "floor.sh: $FLOOR_LIB not found: make -C bench"; exit 2; }

# Columns: none, floor:MODE..., lib:NAME...
columns=(none)
declare -A lib_of=()
for m in $FLOOR_MODES; do
	case $m in ring | fp | off | nosig | trap | trap-fp) columns+=("floor:$m") ;; *)
		say "floor.sh: FLOOR_MODES: unknown mode '$m' (ring fp nosig trap trap-fp off)"
		exit 2
		;;
	esac
done
for spec in $WHYSLOW_LIBS; do
	name=${spec%%=*} path=${spec#*=}
	if [ "$name" = "$spec" ] || [ -z "$name" ] || [[ $name == *[!A-Za-z0-9_]* ]]; then
		say "floor.sh: WHYSLOW_LIBS: '$spec' is not NAME=PATH"
		exit 2
	fi
	[ -r "$path" ] || { say "floor.sh: $path not found"; exit 2; }
	lib_of[$name]=$path
	columns+=("lib:$name")
done

scratch=$(mktemp -d /tmp/whyslow-floor.XXXXXX) || exit 2
if [ "${KEEP:-0}" = 1 ]; then
	say "floor.sh: scratch files kept in $scratch"
else
	trap 'rm -rf "$scratch"' EXIT
fi
trap 'exit 130' INT TERM

# run_one COLUMN WORKLOAD INDEX ARGS...: appends
# "wall cpu own samples handler_s index" to $scratch/WORKLOAD.COLUMN.
failed=0
run_one() {
	local col=$1 workload=$2 i=$3
	shift 3
	local tag=$scratch/$workload.${col//:/-}.$i status own samples=- hsec=- env=()
	case $col in
	none) ;;
	floor:*) env=(LD_PRELOAD="$FLOOR_LIB" FLOOR_MODE="${col#floor:}" FLOOR_HZ="$FREQ") ;;
	lib:*)
		mkdir -p "$tag.wsdir"
		env=(LD_PRELOAD="${lib_of[${col#lib:}]}" WHYSLOW_OUTPUT_DIR="$tag.wsdir"
			WHYSLOW_FREQUENCY="$FREQ")
		local extra_var=WHYSLOW_ENV_${col#lib:} extra
		read -r -a extra <<<"${!extra_var:-}"
		env+=("${extra[@]}")
		;;
	esac
	local TIMEFORMAT='%3R %3U %3S'
	{ time env "${env[@]}" "$@" >"$tag.out" 2>"$tag.err"; } 2>"$tag.time"
	status=$?
	read -r wall user sys <"$tag.time"
	own=$(sed -n 's/.* time=\([0-9.]*\) s$/\1/p' "$tag.out" | tail -n 1)
	if [ $status -ne 0 ] || [ -z "$own" ]; then
		say "floor.sh: $workload under $col failed (status $status):"
		sed 's/^/    /' "$tag.out" "$tag.err" | tail -n 5 >&2
		failed=1
		return 1
	fi
	case $col in
	floor:*)
		samples=$(sed -n 's/^floor: .* samples=\([0-9]*\) .*/\1/p' "$tag.err" | tail -n 1)
		;;
	lib:*)
		local json
		json=$("$WHYSLOW" report --json "$tag.wsdir" 2>/dev/null)
		samples=$(sed -n 's/^ *"samples": *\([0-9][0-9]*\).*/\1/p' <<<"$json" | head -n 1)
		hsec=$(sed -n 's/^ *"overhead_seconds": *\([0-9.e+-]*\).*/\1/p' <<<"$json" | head -n 1)
		[ "${KEEP:-0}" = 1 ] || rm -rf "$tag.wsdir"
		;;
	esac
	local cpu
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
	echo "$wall $cpu $own ${samples:--} ${hsec:--} $i" >>"$scratch/$workload.${col//:/-}"
	printf '  %-8s %-14s run %2d: %s s wall, %s s CPU, %s s own, samples %s\n' "$workload" \
		"$col" "$i" "$wall" "$cpu" "$own" "${samples:--}" >&2
	return 0
}

declare -A command_of=(
	[serial]="$integrate serial $N_SERIAL"
	[threads]="$integrate pthreads $N_THREADS $THREADS"
)
declare -A label_of=(
	[serial]="integrate serial $N_SERIAL"
	[threads]="integrate pthreads $N_THREADS $THREADS"
)
for workload in $WORKLOADS; do
	[ -n "${command_of[$workload]+x}" ] || { say "floor.sh: unknown workload $workload"; exit 2; }
done

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M')
say "floor.sh: columns ${columns[*]}, $REPEAT repeats, -F $FREQ, load average $load_start"
for workload in $WORKLOADS; do
	read -r -a args <<<"${command_of[$workload]}"
	for ((i = 1; i <= REPEAT; i++)); do
		order=("${columns[@]}")
		if ((i % 2 == 0)); then
			order=()
			for ((k = ${#columns[@]} - 1; k >= 0; k--)); do
				order+=("${columns[k]}")
			done
		fi
		for col in "${order[@]}"; do
			run_one "$col" "$workload" "$i" "${args[@]}"
		done
	done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# stats FILE [BASEFILE]: medians and ranges, and the median over the repeats of
# (this run's CPU - the same repeat's unprofiled CPU), which cancels drift
# that affects a whole repeat.
stats() {
	awk -v base="${2:-}" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) {
			t = a[i]
			for (j = i - 1; j >= 1 && a[j] > t; j--)
				a[j + 1] = a[j]
			a[j + 1] = t
		}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	base != "" && FILENAME == base { bcpu[$6] = $2; next }
	{
		n++; wall[n] = $1; cpu[n] = $2; own[n] = $3
		if (n == 1 || $1 < wlo) wlo = $1
		if (n == 1 || $1 > whi) whi = $1
		if (n == 1 || $2 < clo) clo = $2
		if (n == 1 || $2 > chi) chi = $2
		if ($4 != "-") { ns++; smp[ns] = $4 }
		if ($5 != "-") { nh++; hs[nh] = $5 }
		if ($6 in bcpu) { nd++; d[nd] = $2 - bcpu[$6] }
	}
	END {
		if (n == 0) { print "- - - - - - - - - - 0"; exit }
		printf "%.3f %.3f %.3f %.3f %.3f %.3f %.3f %s %s %s %d\n", median(wall, n), wlo, whi,
			median(cpu, n), clo, chi, median(own, n),
			ns ? sprintf("%.0f", median(smp, ns)) : "-",
			nh ? sprintf("%.6f", median(hs, nh)) : "-",
			nd ? sprintf("%.4f", median(d, nd)) : "-", n
	}' ${2:+"$2"} "$1" 2>/dev/null || echo "- - - - - - - - - - 0"
}

describe() {
	case $1 in
	none) echo "unprofiled" ;;
	floor:ring) echo "floor: ring only" ;;
	floor:fp) echo "floor: ring + 10-frame FP walk" ;;
	floor:off) echo "floor: preloaded, not armed" ;;
	floor:nosig) echo "floor: event armed, no signal" ;;
	floor:trap) echo "floor: sigtrap, ring only" ;;
	floor:trap-fp) echo "floor: sigtrap, ring + FP walk" ;;
	lib:*)
		local extra_var=WHYSLOW_ENV_${1#lib:}
		echo "whyslow (${1#lib:}) ${lib_of[${1#lib:}]}${!extra_var:+ ${!extra_var}}"
		;;
	esac
}

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "The floor of in-process sampling, $date_start UTC"
echo "Machine: $(nproc) CPUs ($model), Linux $(uname -r); load average $load_start at the start, $load_end at the end;"
echo "runs per cell: $REPEAT, order alternated within each repeat; -F $FREQ."
echo
echo "| workload | sampler | median wall (s) | min–max (s) | median CPU (s) | min–max (s) | CPU vs unprofiled | paired extra CPU (s) | own time (s) | own vs unprofiled | samples | samples per CPU-s | extra CPU per sample (µs) | handler per sample (µs) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for workload in $WORKLOADS; do
	basefile=$scratch/$workload.none
	read -r _ _ _ base_cpu _ _ base_own _ <<<"$(stats "$basefile")"
	first=1
	for col in "${columns[@]}"; do
		label=""
		[ $first = 1 ] && label="\`${label_of[$workload]}\`"
		first=0
		base=$basefile
		[ "$col" = none ] && base=
		read -r wall wlo whi cpu clo chi own samples hsec dcpu runs \
			<<<"$(stats "$scratch/$workload.${col//:/-}" "$base")"
		if [ "$runs" = 0 ]; then
			echo "| $label | $(describe "$col") | all runs failed | | | | | | | | | | | |"
			continue
		fi
		[ "$runs" -lt "$REPEAT" ] && wall="$wall ($runs of $REPEAT runs)"
		awk -v c="$col" -v wall="$wall" -v wlo="$wlo" -v whi="$whi" -v cpu="$cpu" \
			-v clo="$clo" -v chi="$chi" -v own="$own" -v smp="$samples" -v hs="$hsec" \
			-v d="$dcpu" -v bc="$base_cpu" -v bo="$base_own" -v label="$label" \
			-v name="$(describe "$col")" 'BEGIN {
			pc = bc > 0 ? sprintf("%.1f %%", 100 * cpu / bc) : "-"
			po = bo > 0 ? sprintf("%.1f %%", 100 * own / bo) : "-"
			if (c == "none") { d = "—"; smp = "—"; rate = "—"; per = "—"; hper = "—" }
			else {
				rate = (smp != "-" && bc > 0) ? sprintf("%.0f", smp / bc) : "-"
				per = (smp != "-" && smp > 0 && d != "-") ? sprintf("%.1f", 1e6 * d / smp) : "-"
				hper = (hs != "-" && smp != "-" && smp > 0) ? sprintf("%.1f", 1e6 * hs / smp) : "—"
				d = d == "-" ? "-" : sprintf("%+.3f", d)
			}
			printf "| %s | %s | %s | %s–%s | %s | %s–%s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				label, name, wall, wlo, whi, cpu, clo, chi, pc, d, own, po, smp, rate, per, hper
		}'
	done
done
echo
echo "Medians over the runs.  CPU: user + sys of the program (the samplers run in"
echo "it).  paired extra CPU: the median over the repeats of this run's CPU minus the"
echo "same repeat's unprofiled CPU.  extra CPU per sample: that over the median"
echo "samples.  handler per sample: whyslow's own measurement of its handler."
echo "own: the computation's time as the program reports it."
exit $failed
