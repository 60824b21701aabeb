#!/bin/sh
# Sleeping shows in wall-clock profiles only: t_sleephalf's main thread
# alternates 50 ms of computing (compute) and a 50 ms nanosleep (do_sleep).
#  - --clock wall: the sleep (do_sleep, or a nanosleep / clock_nanosleep
#    frame below it) must have total_percent within 8 points of 50 % and of
#    its measured share of the main thread's wall time, compute the rest;
#  - --clock wall with T_HOG=1 (a spinning thread shares main's one CPU, so
#    compute often waits for the CPU): the same, counting main only
#    (--tid): time spent waiting for the CPU is elapsed time too;
#  - --clock cpu: the sleep at most 2 %, compute at least 85 %.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
export T_ROUNDS=8

# The largest total_percent of the sleep's frames.
sleep_total() {
	jq -r '[.flat[] | select(.function == "do_sleep" or (.function | test("nanosleep"))) | .total_percent] | max // 0' "$1"
}

attempt_wall() { # RUN [hog]
	d=$WORK/wall$2$1 j=$WORK/wall$2$1.json t=$WORK/truth-wall$2$1
	if [ -n "${2:-}" ]; then
		T_HOG=1 ws_record "$d" --clock wall -- "$(prog t_sleephalf)" "$t" || { echo "$ws_name: record --clock wall (T_HOG=1) failed"; return 1; }
		ws_report "$d" "$j" --tid "$(truth "$t" info main_tid)" || return 1
	else
		ws_record "$d" --clock wall -- "$(prog t_sleephalf)" "$t" || { echo "$ws_name: record --clock wall failed"; return 1; }
		ws_report "$d" "$j" || return 1
	fi
	got=$(sleep_total "$j") want=$(truth "$t" wall do_sleep) comp=$(fn_total "$j" compute)
	echo "$ws_name: wall run $1${2:+ with a CPU hog}: sleep total $got % (truth $want %), compute total $comp %, $(jq_get "$j" .header.samples) samples"
	ok=0
	near "$got" "$want" 8 || { echo "    sleep: reported $got %, measured $want %: off by more than 8 points"; ok=1; }
	near "$got" 50 8 || { echo "    sleep: $got % is not 50 % +- 8"; ok=1; }
	near "$comp" "$(awk -v w="$want" 'BEGIN { print 100 - w }')" 8 ||
		{ echo "    compute: reported $comp %, expected about 100 - $want %"; ok=1; }
	[ $ok -eq 0 ] || show_flat "$j"
	return $ok
}
attempt_hog() { attempt_wall "$1" -hog; }

attempt_cpu() {
	d=$WORK/cpu$1 j=$WORK/cpu$1.json t=$WORK/truth-cpu$1
	ws_record "$d" --clock cpu -- "$(prog t_sleephalf)" "$t" || { echo "$ws_name: record --clock cpu failed"; return 1; }
	ws_report "$d" "$j" || return 1
	got=$(sleep_total "$j") comp=$(fn_total "$j" compute)
	echo "$ws_name: cpu run $1: sleep total $got %, compute total $comp %"
	ok=0
	le "$got" 2 || { echo "    sleep shows in a CPU-time profile: $got % (at most 2 %)"; ok=1; }
	ge "$comp" 85 || { echo "    compute: $comp % of CPU samples (at least 85 %)"; ok=1; }
	[ $ok -eq 0 ] || show_flat "$j"
	return $ok
}

retry_once attempt_wall || fail "--clock wall does not show the sleep at its share"
retry_once attempt_hog || fail "--clock wall misses the time compute waited for the CPU (timer overruns not counted?)"
retry_once attempt_cpu || fail "--clock cpu shows the sleep or misses the compute"
ws_finish
