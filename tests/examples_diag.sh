#!/bin/sh
# Check one example's diagnosis file (examples/NAME.diag, format in
# examples/README.md): record each variant at its test size under
# whyslow, then check every expectation with `whyslow report --expect` and
# `whyslow compare --expect`.  Variants that are not built here (exit 2:
# no OpenMP, MPI, BLAS, CUDA or GPU) skip their checks with the reason, and
# so do checks of report --vector's metrics when whyslow is built without
# capstone; `verdict NAME scalar|vectorised FUNCTION` lines are checked as
# `vector(FUNCTION) == CLASS`, `verdict NAME memory-bound|cache-friendly
# FUNCTION` as `memory(FUNCTION) == CLASS` (report --memory), `verdict NAME
# lock-contention|scheduling-overhead` as lock_contention or
# scheduling_overhead == 1 (report --threads), `verdict NAME imbalanced` as
# `busy_imbalance >= 1.15` (report --threads' threshold, WS_IMBALANCED in
# reports/analysis.h; record NAME with --clock wall), `verdict NAME scales`
# as the absence of what stops scaling in a CPU-time recording:
# lock_contention == 0 and busy_imbalance < 1.15 (pending for a run started
# with mpirun, and the speedup itself is a pending line: both need idle
# cores, which a 2-core machine running the test suite has not), `verdict NAME
# transfer-bound|launch-bound|sync-bound|gpu-idle|page-fault-migrations|
# gpu-resident|gpu-bound` as gpu_transfer_bound, gpu_launch_bound,
# gpu_sync_every_launch, gpu_idle_cpu_works, gpu_um_migrations,
# gpu_resident or gpu_bound == 1 (report --gpu, docs/gpu.md); `pending` lines and `verdict` lines whose
# report does not exist yet are listed, never run, never counted as passed.
#
# A diagnosis with a failed check is run a second time, and the second
# result stands (see the end).
#
# Usage: examples_diag.sh FILE.diag   (run by make check with WHYSLOW,
# WHYSLOW_LIB and TOP_BUILDDIR set; exit 0 pass, 1 fail, 77 nothing ran)
set -u
# no globbing: the lines' words hold shell patterns (self(libgomp*)) that
# must reach whyslow as written, whatever files the directory holds
set -f
diag=${1:?usage: examples_diag.sh FILE.diag}
if [ -z "${WHYSLOW:-}" ] || [ ! -x "$WHYSLOW" ]; then
	echo "SKIP: whyslow is not built (WHYSLOW='${WHYSLOW:-}')"
	exit 77
fi
bin=${TOP_BUILDDIR:?}/examples
unset DEBUGINFOD_URLS
# Open MPI refuses root without these, and oversubscribes 2 cores only when told
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/whyslow-diag.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0 pending=0 ran=0

# Reports that exist: a verdict class can be checked once its report has
# landed (docs/cli.md); until then its line is pending.
verdict_pending() {
	case $1 in
	scalar | vectorised) echo "the function whose class report --vector checks: verdict NAME $1 FUNCTION" ;;
	memory-bound | cache-friendly) echo "the function whose hottest loop report --memory checks: verdict NAME $1 FUNCTION" ;;
	serial-fraction) echo "a whyslow scale run, which the diagnosis format has not (tests/report_scale.sh checks scale's table and fit)" ;;
	false-sharing) echo "hardware counters (HITM) or a whyslow scale --weak run (tests/test_scale_false_sharing.sh shows it)" ;;
	idle-threads | communication) echo "a verdict name report --threads or --mpi gives (their metrics: idle, mpi)" ;;
	*) echo "a report that names this verdict" ;;
	esac
}

ok() {
	passed=$((passed + 1))
	echo "  pass     $*"
}
bad() {
	failed=$((failed + 1))
	echo "  FAIL     $*"
}
skip() {
	skipped=$((skipped + 1))
	echo "  skip     $*"
}

# run NAME [RECORD-OPTIONS --] [mpirun -np N] PROGRAM ARGS...
do_run() {
	name=$1
	shift
	opts=
	case " $* " in
	*" -- "*)
		while [ "$1" != "--" ]; do
			opts="$opts $1"
			shift
		done
		shift
		;;
	esac
	launcher=
	if [ "$1" = mpirun ]; then
		if ! command -v mpirun >/dev/null 2>&1; then
			echo "no mpirun" >"$tmp/$name.unavailable"
			skip "run $name: no mpirun here"
			return
		fi
		launcher="mpirun $2 $3"
		shift 3
	fi
	prog=$bin/$1
	shift
	if [ ! -x "$prog" ]; then
		echo "$(basename "$prog") is not built here" >"$tmp/$name.unavailable"
		skip "run $name: $(basename "$prog") is not built here (configure did not find what it needs)"
		return
	fi
	# shellcheck disable=SC2086 # opts and launcher are word lists
	"$WHYSLOW" record -o "$tmp/$name" $opts -- $launcher "$prog" "$@" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
	st=$?
	reason=$(grep -v '^whyslow:' "$tmp/$name.err" | head -n 1)
	# counters this machine cannot count (record -e, --counters: exit 2,
	# nothing run): skipped with the reason, like a variant not built here
	if [ "$st" -eq 2 ] && grep -q -e 'cannot be counted here' -e 'none of its events works here' "$tmp/$name.err"; then
		sed -n 's/^whyslow: record: //p' "$tmp/$name.err" | head -n 1 >"$tmp/$name.unavailable"
		skip "run $name: $(cat "$tmp/$name.unavailable")"
		return
	fi
	# an optional runtime that is not installed here (--openmp-runtime=llvm)
	if [ "$st" -ne 0 ] && grep -q -e 'libomp.so.5 is not installed' \
		-e 'without the OpenMP tool interface' "$tmp/$name.err"; then
		sed -n 's/^whyslow: //p' "$tmp/$name.err" | head -n 1 >"$tmp/$name.unavailable"
		skip "run $name: $(cat "$tmp/$name.unavailable")"
		return
	fi
	# a variant this build or machine lacks says so in one of these words;
	# any other exit 2 (a mistyped variant, a usage error) is a failure
	if [ "$st" -eq 2 ] && printf '%s\n' "$reason" | grep -q -e 'unavailable (built without' \
		-e 'not built:' -e 'no CUDA device'; then
		echo "$reason" >"$tmp/$name.unavailable"
		skip "run $name: $reason"
		return
	fi
	ran=$((ran + 1))
	if [ "$st" -ne 0 ]; then
		echo "exit $st" >"$tmp/$name.unavailable"
		bad "run $name: $(basename "$prog") $* exited $st: $(head -c 400 "$tmp/$name.err")"
		return
	fi
	[ -z "$launcher" ] || : >"$tmp/$name.mpi"
	ok "run $name: $(head -n 1 "$tmp/$name.out")"
}

# Names whose recordings are missing: the reason, else nothing.
missing() {
	for n in "$@"; do
		if [ -f "$tmp/$n.unavailable" ]; then
			echo "$n: $(cat "$tmp/$n.unavailable")"
			return
		fi
		if [ ! -d "$tmp/$n" ]; then
			echo "$n: no 'run $n' line before this check"
			return
		fi
	done
}

check() { # KIND NAMES... -- EXPR
	kind=$1
	shift
	names=
	while [ "$1" != "--" ]; do
		names="$names $1"
		shift
	done
	shift
	expr=$*
	# shellcheck disable=SC2086
	why=$(missing $names)
	if [ -n "$why" ]; then
		skip "$kind$names: $expr ($why)"
		return
	fi
	# shellcheck disable=SC2086
	set -- $names
	if [ "$kind" != compare ]; then
		# the vectorisation section too when the check is about it, to show
		# what was measured when it fails
		vector=
		case $expr in *packed\(* | *vwidth\(* | *vector\(*) vector=--vector ;; esac
		case $expr in *busy_imbalance* | idle* | omp_*) vector=--threads ;; esac
		case $expr in *memory\(* | *fetched\(* | *stride\(* | *intensity\(*) vector=--memory ;; esac
		# shellcheck disable=SC2086 # vector: zero or one word
		"$WHYSLOW" report --top 5 $vector --expect "$expr" "$tmp/$1" >"$tmp/check.out" 2>"$tmp/check.err"
	else
		"$WHYSLOW" compare --top 5 --expect "$expr" "$tmp/$1" "$tmp/$2" >"$tmp/check.out" 2>"$tmp/check.err"
	fi
	st=$?
	measured=$(sed -n 's/.*(measured: \(.*\))$/\1/p' "$tmp/check.err")
	if [ "$st" -eq 1 ] && grep -q 'built without capstone' "$tmp/check.err"; then
		skip "$kind$names: $expr (whyslow is built without capstone: install libcapstone-dev)"
		return
	fi
	if [ "$st" -eq 0 ]; then
		ok "$kind$names: $expr"
	elif [ "$st" -eq 1 ] && [ -n "$measured" ]; then
		bad "$kind$names: $expr (measured: $measured)"
		sed 's/^/           | /' "$tmp/check.out" | head -n 60
	else
		bad "$kind$names: $expr: whyslow exited $st: $(head -c 400 "$tmp/check.err")"
	fi
}

echo "$(basename "$diag"): what whyslow must report for each variant"
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2086 # split the line into words
	set -- $line
	what=$1
	shift
	case $what in
	run) do_run "$@" ;;
	expect)
		n=$1
		shift
		check expect "$n" -- "$@"
		;;
	compare)
		a=$1 b=$2
		shift 2
		check compare "$a" "$b" -- "$@"
		;;
	verdict)
		case $2 in
		hot-spot | allocation | indirect-calls)
			echo "  verdict  $1: $2 (shown by the flat profile: the expect lines check it)"
			;;
		memory-bound | cache-friendly)
			if [ $# -ge 3 ]; then
				check verdict "$1" -- "memory($3) == $2"
			else
				pending=$((pending + 1))
				echo "  pending  verdict $1: $2 (needs $(verdict_pending "$2"))"
			fi
			;;
		scalar | vectorised)
			if [ $# -ge 3 ]; then
				check verdict "$1" -- "vector($3) == $2"
			else
				pending=$((pending + 1))
				echo "  pending  verdict $1: $2 (needs $(verdict_pending "$2"))"
			fi
			;;
		imbalanced)
			# WS_IMBALANCED in reports/analysis.h
			check verdict "$1" -- "busy_imbalance >= 1.15"
			;;
		scales)
			# what a profile can show on any machine: none of what stops
			# a parallel program scaling (a lock, uneven work, ranks
			# waiting in MPI); the speedup itself needs idle cores, and
			# the diagnosis files keep it as a pending line
			if [ -f "$tmp/$1.mpi" ]; then
				pending=$((pending + 1))
				echo "  pending  verdict $1: scales (needs idle cores: on a busy 2-core machine the ranks' MPI share and imbalance vary 5-33 % and 1.04-1.47x)"
			else
				check verdict "$1" -- "lock_contention == 0"
				check verdict "$1" -- "busy_imbalance < 1.15"
			fi
			;;
		# report --gpu's verdicts (docs/gpu.md); skipped with the
		# recording where there is no GPU
		transfer-bound) check verdict "$1" -- "gpu_transfer_bound == 1" ;;
		launch-bound) check verdict "$1" -- "gpu_launch_bound == 1" ;;
		sync-bound) check verdict "$1" -- "gpu_sync_every_launch == 1" ;;
		# report --threads' (analysis.h: WS_LOCK_CONTENTION, WS_SCHED_*)
		lock-contention) check verdict "$1" -- "lock_contention == 1" ;;
		scheduling-overhead) check verdict "$1" -- "scheduling_overhead == 1" ;;
		gpu-idle) check verdict "$1" -- "gpu_idle_cpu_works == 1" ;;
		page-fault-migrations) check verdict "$1" -- "gpu_um_migrations == 1" ;;
		gpu-resident) check verdict "$1" -- "gpu_resident == 1" ;;
		gpu-bound) check verdict "$1" -- "gpu_bound == 1" ;;
		*)
			pending=$((pending + 1))
			echo "  pending  verdict $1: $2 (needs $(verdict_pending "$2"))"
			;;
		esac
		;;
	pending)
		pending=$((pending + 1))
		issue=$1
		shift
		echo "  pending  $* (issue $issue)"
		;;
	*)
		echo "$diag:$lineno: unknown line '$what' (run, expect, compare, verdict, pending)"
		exit 99
		;;
	esac
done <"$diag"
# Every line must have been read: a command that reads its standard input
# (mpirun does) would swallow the rest of the file, and its checks with it.
lines=$(awk 'END { print NR }' "$diag")
if [ "$lineno" -ne "$lines" ]; then
	echo "$diag: read $lineno of its $lines lines: a command consumed the diagnosis file"
	exit 99
fi

echo "$passed passed, $failed failed, $skipped skipped, $pending pending"
# A second attempt when a check failed: on a small shared machine another
# test can starve a variant (an MPI rank polling, a 512 MB page-faulting
# run) and change its timing.  Everything is recorded and checked again;
# the second attempt's result stands, so a wrong attribution, which fails
# both times, still fails.
if [ "$failed" -gt 0 ] && [ -z "${WHYSLOW_DIAG_ATTEMPT:-}" ]; then
	echo "$(basename "$diag"): a check failed; recording every variant again (attempt 2 of 2, its result stands)"
	rm -rf "$tmp"
	WHYSLOW_DIAG_ATTEMPT=2 exec sh "$0" "$diag"
fi
[ "$failed" -eq 0 ] || exit 1
[ "$ran" -gt 0 ] || exit 77
exit 0
