#!/bin/sh
# Processes, fork: t_fork works in parent_work, forks a child that works in
# child_work and leaves with exit(0) (run 1) or _exit(0) (run 2).  Each run
# must leave two .wsp files, the child's named after its pid; each file
# must be reportable on its own with samples; `report --pid CHILD` must
# show child_work and no parent_work, `--pid PARENT` the reverse.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

# Copies one .wsp file into a directory of its own and reports it alone.
report_alone() {
	_sub=$WORK/alone-$(basename "$1" .wsp)
	rm -rf "$_sub" && mkdir -p "$_sub" && cp "$1" "$_sub/" || hard_error "cannot copy $1"
	if ws_report "$_sub" "$_sub.json"; then
		_n=$(jq_get "$_sub.json" .header.samples)
		[ "$_n" -gt 0 ] || fail "$(basename "$1") alone: no samples"
	else
		fail "$(basename "$1") alone: whyslow report failed"
	fi
}

for how in exit _exit; do
	d=$WORK/rec-$how j=$WORK/$how.json
	if ! ws_record "$d" -- "$(prog t_fork)" $how >"$WORK/$how.out"; then
		fail "record -- t_fork $how failed"
		continue
	fi
	child=$(awk '$1 == "child" { print $2 }' "$WORK/$how.out")
	[ -n "$child" ] || hard_error "t_fork printed no child pid"
	nfiles=$(ls "$d" | grep -c '\.wsp$')
	echo "$ws_name: t_fork $how: child $child, files: $(ls "$d" | tr '\n' ' ')"
	[ "$nfiles" -eq 2 ] || fail "t_fork $how: expected 2 .wsp files, got $nfiles"
	ls "$d" | grep -q "\.$child\.wsp\$" || fail "t_fork $how: no file named after the child's pid $child"
	for f in "$d"/*.wsp; do
		report_alone "$f"
	done
	ws_report "$d" "$j" || { fail "t_fork $how: report of the whole directory failed"; continue; }
	np=$(jq_get "$j" '.processes | length')
	[ "$np" -eq 2 ] || fail "t_fork $how: expected 2 processes in the report, got $np"
	parent=$(jq -r --argjson c "$child" '[.processes[] | select(.pid != $c) | .pid][0] // empty' "$j")
	cppid=$(jq -r --argjson c "$child" '[.processes[] | select(.pid == $c) | .ppid][0] // empty' "$j")
	[ -n "$parent" ] && [ "$cppid" = "$parent" ] ||
		fail "t_fork $how: the child's ppid ($cppid) is not the parent's pid ($parent)"
	jq -r '.processes[] | "    pid \(.pid) ppid \(.ppid) \(.file): \(.samples) samples, end \(.end) \(.status), complete \(.complete)"' "$j"
	jc=$WORK/$how-child.json jp=$WORK/$how-parent.json
	if ws_report "$d" "$jc" --pid "$child"; then
		[ "$(jq_get "$jc" .header.samples)" -gt 0 ] || fail "t_fork $how: report --pid $child (child) has no samples"
		[ "$(fn_self_samples "$jc" child_work)" -gt 0 ] || { fail "t_fork $how: child has no samples in child_work"; show_flat "$jc"; }
		[ "$(fn_self_samples "$jc" parent_work)" -eq 0 ] || { fail "t_fork $how: child shows parent_work (the parent's samples were copied into the child?)"; show_flat "$jc"; }
	else
		fail "t_fork $how: report --pid $child failed"
	fi
	if [ -n "$parent" ] && ws_report "$d" "$jp" --pid "$parent"; then
		[ "$(fn_self_samples "$jp" parent_work)" -gt 0 ] || { fail "t_fork $how: parent has no samples in parent_work"; show_flat "$jp"; }
		[ "$(fn_self_samples "$jp" child_work)" -eq 0 ] || { fail "t_fork $how: parent shows child_work"; show_flat "$jp"; }
	else
		fail "t_fork $how: report --pid $parent (parent) failed"
	fi
done
ws_finish
