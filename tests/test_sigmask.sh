#!/bin/sh
# Blocking the sampling signal does not hide a thread: t_blockprof's three
# workers block SIGPROF (pthread_sigmask; sigprocmask) or every signal
# (pthread_sigmask SIG_SETMASK of a full set), then burn 150 ms each in
# their own function.  Each function must get at least 10 % of the samples
# (about a third is the truth), and 3 threads must have samples.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

d=$WORK/rec j=$WORK/report.json
ws_record "$d" -- "$(prog t_blockprof)" || { fail "whyslow record -- t_blockprof failed"; ws_finish; }
ws_report "$d" "$j" --by-thread || { fail "report failed"; ws_finish; }
for f in burn_pthread_sigmask burn_sigprocmask burn_all_blocked; do
	p=$(fn_self "$j" $f)
	echo "$ws_name: $f: $p %"
	ge "$p" 10 || fail "$f (signals blocked by the program) has $p % of the samples, expected about 33 %"
done
with=$(jq_get "$j" '[.threads[] | select(.samples > 0)] | length')
[ "$with" -ge 3 ] || fail "only $with threads have samples"
[ "$ws_failed" -eq 0 ] || show_flat "$j"
ws_finish
