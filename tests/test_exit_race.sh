#!/bin/sh
# Ending while samples are in flight: a sampling signal that arrives while
# a thread or the process stops sampling (thread exit, exit(), the final
# write) must be absorbed by the collector, never delivered to the
# program's default SIGPROF action.  Short programs sampled at the highest
# rate (-F 20000) end right in that window: t_crash (3 ms, then returns
# 0) 8 times and t_threads8 (8 threads of 3 ms each) 3 times.  Every run
# must exit 0 and leave complete profiles.  Stops at the 3rd failure.
# (Before the fix of 2d7b0fa about a quarter of such runs died of SIGPROF;
# RUNS=N multiplies the counts by N for a longer hunt.)
#
# Threads ending while the process ends: t_exitrace's threads return while
# the main thread calls exit(), so they write their own records while the
# end writes the rest.  "slow": each exiting thread is held up 200 ms
# between its samples and its THREAD record (t_exitrace interposes prctl,
# which the collector calls there): the END record must wait for them
# (before the fix: "samples record for thread N, which has no thread
# record", every run).  "detached": threads that are gone (stack unmapped)
# while the end writes their records (before the fix: SIGSEGV, most runs).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

nfail=0
run() { # NAME COUNT PROGRAM ARGS...
	_name=$1 _count=$2
	shift 2
	_i=1
	while [ $_i -le "$_count" ] && [ $nfail -lt 3 ]; do
		_d=$WORK/$_name$_i
		ws_record "$_d" -F 20000 -- "$@" >"$_d.out" 2>&1
		_rc=$?
		if [ $_rc -ne 0 ]; then
			nfail=$((nfail + 1))
			fail "$_name run $_i: whyslow record exited $_rc (128+$((_rc - 128)): $(kill -l $((_rc - 128)) 2>/dev/null))"
			sed 's/^/    /' "$_d.out"
		elif ! ws_report "$_d" "$_d.json"; then
			nfail=$((nfail + 1))
			fail "$_name run $_i: the profile is not readable"
		else
			_inc=$(jq_get "$_d.json" '.header.incomplete_processes')
			if [ "$_inc" != 0 ]; then
				nfail=$((nfail + 1))
				fail "$_name run $_i: $_inc incomplete profile(s)"
				jq -r '.header.warnings[]? | "    warning: \(.)"' "$_d.json"
			else
				rm -rf "$_d" "$_d.out" "$_d.json" "$_d.json.err"
			fi
		fi
		_i=$((_i + 1))
	done
}

RUNS=${RUNS:-1}
T_CRASH_SECONDS=0.003 run exit $((8 * RUNS)) "$(prog t_crash)" return 0
T_THREAD_SECONDS=0.003 T_MAIN_SECONDS=0.003 run threads $((3 * RUNS)) "$(prog t_threads8)"
run slow $((2 * RUNS)) "$(prog t_exitrace)" 8 slow
run detached $((4 * RUNS)) "$(prog t_exitrace)" 32 detached
ws_finish
