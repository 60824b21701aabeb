#!/bin/sh
# Processes, exec: `t_exec self` works in before_exec and execs itself
# (same pid) to work in after_exec; `t_exec sh` execs /bin/sh -c 'a loop'.
# Each run must leave two .wsp files (<host>.<pid>.wsp and
# <host>.<pid>.1.wsp), each reportable alone with samples; the first
# image's process must end with "exec".
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

for how in self sh; do
	d=$WORK/rec-$how j=$WORK/$how.json
	if ! ws_record "$d" -- "$(prog t_exec)" $how; then
		fail "record -- t_exec $how failed"
		continue
	fi
	echo "$ws_name: t_exec $how: files: $(ls "$d" | tr '\n' ' ')"
	nfiles=$(ls "$d" | grep -c '\.wsp$')
	[ "$nfiles" -eq 2 ] || fail "t_exec $how: expected 2 .wsp files, got $nfiles"
	ls "$d" | grep -q '\.[0-9]*\.1\.wsp$' || fail "t_exec $how: no <host>.<pid>.1.wsp file for the image after exec"
	for f in "$d"/*.wsp; do
		sub=$WORK/alone-$how-$(basename "$f" .wsp)
		mkdir -p "$sub" && cp "$f" "$sub/"
		if ws_report "$sub" "$sub.json"; then
			n=$(jq_get "$sub.json" .header.samples)
			echo "    $(basename "$f"): $n samples, command $(jq -c '.header.command' "$sub.json")"
			[ "$n" -gt 0 ] || fail "t_exec $how: $(basename "$f") alone has no samples"
		else
			fail "t_exec $how: $(basename "$f") alone: report failed"
		fi
	done
	ws_report "$d" "$j" || { fail "t_exec $how: report failed"; continue; }
	jq -r '.processes[] | "    pid \(.pid) \(.file) \(.command | join(" ")): \(.samples) samples, end \(.end) \(.status)"' "$j"
	[ "$(jq_get "$j" '.processes | length')" -eq 2 ] || fail "t_exec $how: expected 2 processes in the report"
	[ "$(jq_get "$j" '[.processes[] | select(.end == "exec")] | length')" -eq 1 ] ||
		fail "t_exec $how: expected one process that ended with \"exec\""
	[ "$(fn_self_samples "$j" before_exec)" -gt 0 ] || { fail "t_exec $how: no samples in before_exec"; show_flat "$j"; }
	if [ $how = self ]; then
		[ "$(fn_self_samples "$j" after_exec)" -gt 0 ] || { fail "t_exec self: no samples in after_exec"; show_flat "$j"; }
	else
		n=$(jq_get "$j" '[.processes[] | select(.command[0] | test("sh$")) | .samples] | add // 0')
		[ "$n" -gt 0 ] || fail "t_exec sh: the /bin/sh image has no samples"
	fi
done
ws_finish
