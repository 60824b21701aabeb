#!/bin/sh
# Threads created while other threads fork are still profiled:
# t_forkthreads has 2 threads forking in a loop while main creates 16
# workers (20 ms of CPU each in churn_work).  The parent's profile must
# list all 19 threads, at least the 16 workers with samples, and every
# fork child's profile must hold its one thread.  The overlap is a race,
# so the program runs 3 times; any run with a thread missing fails.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

run=1
while [ $run -le 3 ] && [ "$ws_failed" -eq 0 ]; do
	d=$WORK/rec$run j=$WORK/all$run.json jp=$WORK/parent$run.json
	if ! ws_record "$d" -- "$(prog t_forkthreads)"; then
		fail "run $run: whyslow record -- t_forkthreads failed"
		break
	fi
	ws_report "$d" "$j" || { fail "run $run: report failed"; break; }
	parent=$(jq -r '.processes | sort_by(.pid) | .[0].pid' "$j")
	ws_report "$d" "$jp" --by-thread --pid "$parent" || { fail "run $run: report --pid failed"; break; }
	listed=$(jq_get "$jp" '.threads | length')
	with=$(jq_get "$jp" '[.threads[] | select(.samples > 0)] | length')
	nchildren=$(jq_get "$j" '.processes | length - 1')
	threadless=$(jq_get "$j" '[.processes[] | select(.threads == 0)] | length')
	echo "$ws_name: run $run: parent $parent lists $listed threads ($with with samples); $nchildren fork children, $threadless without a thread"
	[ "$listed" -ge 19 ] || fail "run $run: expected 19 threads in the parent (main, 2 forkers, 16 workers), got $listed"
	[ "$with" -ge 16 ] || fail "run $run: expected at least 16 threads with samples, got $with"
	[ "$threadless" -eq 0 ] || fail "run $run: $threadless fork children have no thread in their profile (forked by an unregistered thread?)"
	[ "$ws_failed" -eq 0 ] || jq -r '.threads[] | "    tid \(.tid): \(.samples) samples, \(.cpu_seconds) s CPU"' "$jp"
	run=$((run + 1))
done
ws_finish
