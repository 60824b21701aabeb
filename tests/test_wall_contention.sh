#!/bin/sh
# Wall-clock mode counts the time a thread waits for a CPU: t_wallshare
# pins itself to one CPU, where two workers compute (spin_share) while
# main sleeps as long.  In a --clock wall profile spin_share must have its
# share of the threads' elapsed time (about two thirds, measured by the
# program) within 5 points, although each worker ran only about half of
# that time.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

attempt() {
	d=$WORK/rec$1 j=$WORK/report$1.json t=$WORK/truth$1
	ws_record "$d" --clock wall -- "$(prog t_wallshare)" "$t" || { echo "$ws_name: record failed"; return 1; }
	ws_report "$d" "$j" || return 1
	got=$(fn_self "$j" spin_share) want=$(truth "$t" wall spin_share)
	echo "$ws_name: run $1: spin_share $got % (truth $want %; the workers ran $(truth "$t" info spin_cpu_fraction) of their time), achieved $(jq_get "$j" .header.achieved_hz) Hz"
	near "$got" "$want" 5 && return 0
	echo "    off by more than 5 points"
	show_flat "$j"
	return 1
}
retry_once attempt || fail "wall-clock samples miss the time threads wait for the CPU"
ws_finish
