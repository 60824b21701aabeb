#!/bin/sh
# CPU time spent in system calls counts as CPU time: t_syscalls splits its
# CPU time evenly between user_part (computing) and sys_part (read() of
# /dev/zero: nearly all kernel time).  In the default CPU-clock mode
# sys_part's total_percent must be within 8 points of its measured share
# (~50 %), and user_part's self_percent too.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

attempt() {
	d=$WORK/rec$1 j=$WORK/report$1.json t=$WORK/truth$1
	ws_record "$d" -F 2000 --source timer -- "$(prog t_syscalls)" "$t" || { echo "$ws_name: whyslow record -- t_syscalls failed"; return 1; }
	ws_report "$d" "$j" || return 1
	ok=0
	su=$(fn_self "$j" user_part) ts=$(fn_total "$j" sys_part)
	wu=$(truth "$t" cpu user_part) ws=$(truth "$t" cpu sys_part)
	echo "$ws_name: run $1 (source $(jq_get "$j" .header.source)): user_part self $su % (truth $wu %), sys_part total $ts % (truth $ws %, $(truth "$t" info sys_fraction) of it in the kernel)"
	near "$su" "$wu" 8 || { echo "    user_part: off by more than 8 points"; ok=1; }
	near "$ts" "$ws" 8 || { echo "    sys_part: off by more than 8 points (kernel time not sampled?)"; ok=1; }
	[ $ok -eq 0 ] || show_flat "$j"
	return $ok
}
retry_once attempt || fail "CPU time in system calls is not attributed to its caller"
ws_finish
