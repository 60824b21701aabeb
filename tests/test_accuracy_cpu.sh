#!/bin/sh
# Accuracy: t_burn runs the same 60/30/10 mix (burn_60, burn_30, burn_10)
# in 3 threads, ~1.5 s of CPU in all.  The flat profile's self_percent of
# each function must be within 3 percentage points of the truth the
# program measured itself (per-function thread CPU time; in wall mode,
# per-function elapsed time over the threads' lifetimes).
#   test_accuracy_cpu.sh [cpu|wall|sigtrap]   (test_accuracy_wall.sh runs
#   "wall"; test_accuracy_sigtrap.sh "sigtrap": CPU clock, the perf event
#   delivering SIGTRAP itself, --signal SIGTRAP)
. "${SRCDIR:-$(dirname "$0")}/common.sh"
mode=${1:-cpu}
extra=
case $mode in
cpu | wall) ws_name=test_accuracy_$mode ;;
sigtrap) ws_name=test_accuracy_sigtrap mode=cpu extra="--signal SIGTRAP" ;;
*) hard_error "mode must be cpu, wall or sigtrap, not $mode" ;;
esac
ws_require
ws_workdir
TOL=3
HZ=4000

attempt() {
	d=$WORK/rec$1 j=$WORK/report$1.json t=$WORK/truth$1
	# shellcheck disable=SC2086 # extra is a word list
	if ! ws_record "$d" -F $HZ --clock "$mode" $extra -- "$(prog t_burn)" "$t"; then
		echo "$ws_name: whyslow record -F $HZ --clock $mode -- t_burn failed"
		return 1
	fi
	ws_report "$d" "$j" || return 1
	ok=0
	echo "$ws_name: run $1 ($mode clock): function, reported self%, truth % ($(truth "$t" info process_cpu_s) s CPU)"
	for f in burn_60 burn_30 burn_10; do
		got=$(fn_self "$j" $f)
		want=$(truth "$t" "$mode" $f)
		if near "$got" "$want" $TOL; then
			echo "    $f  $got  $want  ok"
		else
			echo "    $f  $got  $want  MISMATCH (tolerance $TOL points)"
			ok=1
		fi
	done
	[ $ok -eq 0 ] || show_flat "$j"
	return $ok
}

retry_once attempt || fail "$mode-clock attribution of burn_60/burn_30/burn_10 is off by more than $TOL points"
ws_finish
