#!/bin/sh
# Endings pass through `whyslow record`, and fatal ones leave a profile.
# t_crash burns 100 ms in crash_burn, then: SIGSEGV (shell sees 139),
# kill(getpid(), SIGTERM) (143), abort() (134), exit(3), _exit(255),
# return 0.  For each: record's exit status equals the program's own
# (checked unprofiled first), and the profile is readable, complete, has
# samples in crash_burn and says how the process ended.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
ulimit -c 0 2>/dev/null # no core files

# case  arguments  expected-status  end  end-status
cases='segv:segv:139:signal:11
term:term:143:signal:15
abort:abort:134:signal:6
exit3:exit 3:3:exit:3
_exit255:_exit 255:255:exit:255
return0:return 0:0:exit:0'

echo "$cases" | while IFS=: read -r name args want end estatus; do
	# shellcheck disable=SC2086
	"$(prog t_crash)" $args >/dev/null 2>&1
	plain=$?
	[ "$plain" -eq "$want" ] || { echo "ERROR: t_crash $args exits $plain unprofiled, not $want"; exit 99; }
	d=$WORK/rec-$name j=$WORK/$name.json
	# shellcheck disable=SC2086
	ws_record "$d" -- "$(prog t_crash)" $args >"$WORK/$name.out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: t_crash $args: whyslow record exited $got, the program alone $want"
		sed 's/^/    /' "$WORK/$name.out"
		echo bad >>"$WORK/failed"
	fi
	if ! ws_report "$d" "$j"; then
		echo "FAIL: t_crash $args: no readable profile"
		echo bad >>"$WORK/failed"
		continue
	fi
	n=$(fn_self_samples "$j" crash_burn)
	pend=$(jq_get "$j" '.processes[0].end') pst=$(jq_get "$j" '.processes[0].status')
	pcomplete=$(jq_get "$j" '.processes[0].complete')
	echo "$ws_name: t_crash $args: record exit $got (want $want), crash_burn $n samples, end $pend $pst, complete $pcomplete"
	if [ "$n" -le 0 ]; then
		echo "FAIL: t_crash $args: no samples in crash_burn"
		show_flat "$j"
		echo bad >>"$WORK/failed"
	fi
	if [ "$pend" != "$end" ] || [ "$pst" != "$estatus" ] || [ "$pcomplete" != true ]; then
		echo "FAIL: t_crash $args: process end is \"$pend\" $pst (complete: $pcomplete), expected \"$end\" $estatus (complete: true)"
		echo bad >>"$WORK/failed"
	fi
done
rc=$?
[ $rc -eq 99 ] && exit 99
[ -e "$WORK/failed" ] && fail "some endings were not passed through or left no usable profile"
ws_finish
