#!/bin/sh
# Hosts in a merged report: a job's rank files from two hosts whose pids
# coincide (bench/mkranks -H 2: ranks 0 and 1 are pid 100000 on bench0 and
# bench1).  Checked: the JSON's processes[], threads[] (--by-thread) and
# threads_busy.threads[] (--threads) carry each row's host, the one its
# file was written on, and (host, pid, tid) tells every row apart; the text
# tables (Processes, --by-thread, --threads) get a host column, with one
# row per host for the same pid; the busiest thread's hottest line is taken
# from that thread alone, not from the thread of the same pid and tid on
# the other host; with one host the text has no host column and the JSON
# still names it.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
mk=$TOP_BUILDDIR/bench/mkranks
[ -x "$mk" ] || skip "bench/mkranks is not built (make -C bench mkranks)"

mkdir "$WORK/two" "$WORK/one" || hard_error "mkdir"
"$mk" -H 2 "$WORK/two" 4 60 || hard_error "mkranks -H 2 failed"
"$mk" "$WORK/one" 2 60 || hard_error "mkranks failed"

j=$WORK/two.json
ws_report "$WORK/two" "$j" --threads --by-thread || fail "report of two hosts failed"
# every process: its host, the same as its file name's
jq -e '(.processes | length) == 4 and
	all(.processes[]; .host == (.file | split(".")[0]))' "$j" >/dev/null ||
	fail "processes[].host is not each file's host: $(jq -c '[.processes[] | [.host, .file]]' "$j")"
[ "$(jq -c '[.processes[].host] | unique' "$j")" = '["bench0","bench1"]' ] ||
	fail "not both hosts in processes[]: $(jq -c '[.processes[].host]' "$j")"
# the same pid on both hosts, told apart
[ "$(jq '[.processes[] | select(.pid == 100000)] | length' "$j")" = 2 ] ||
	hard_error "mkranks -H 2 did not give pid 100000 to both hosts"
for t in .threads .threads_busy.threads; do
	jq -e "($t | length) == 4 and ([$t[] | [.host, .pid, .tid]] | unique | length) == 4 and
		([$t[] | .host] | unique) == [\"bench0\", \"bench1\"]" "$j" >/dev/null ||
		fail "$t: rows not told apart by host: $(jq -c "[$t[] | [.host, .pid, .tid]]" "$j")"
done
# a thread's samples are its own host's: each row's samples equal its
# process's
jq -e '([.processes[] | {key: "\(.host)/\(.pid)", value: .samples}] | from_entries) as $p |
	all(.threads[]; .samples == $p["\(.host)/\(.pid)"])' "$j" >/dev/null ||
	fail "--by-thread's samples are not each host's process's"
# the busiest thread's hottest line: a share of that thread's samples only
# (samples / percent is the thread's total; both hosts' pid 100000 together
# would be about twice it)
b=$(jq -r '.threads_busy.busiest | "\(.host) \(.pid) \(.tid)"' "$j")
set -- $b
own=$(jq --arg h "$1" --argjson p "$2" '.threads_busy.threads[] | select(.host == $h and .pid == $p) | .samples' "$j")
hot=$(jq '.threads_busy.busiest.hot_line | if . == null then 0 else .samples * 100 / .percent end' "$j")
if [ "$hot" = 0 ]; then
	note "no line information for the C library here: the busiest thread's line is not checked"
else
	near "$hot" "$own" "$(awk -v o="$own" 'BEGIN { print o * 0.02 + 1 }')" ||
		fail "the busiest thread's ($b) hottest line is a share of $hot samples, its own are $own"
fi

# text: a host column, one row per host for pid 100000
"$WHYSLOW" report --threads --by-thread "$WORK/two" >"$WORK/two.txt" 2>&1 || fail "text report failed"
for title in '^Processes' '^Threads: each thread' '^Threads: busy'; do
	sed -n "/$title/,/^\$/p" "$WORK/two.txt" >"$WORK/section"
	grep -q '^ *host  *pid ' "$WORK/section" || fail "no host column in '$title': $(cat "$WORK/section")"
	for h in bench0 bench1; do
		grep -q "^ *$h  *100000 " "$WORK/section" || fail "no row of $h pid 100000 in '$title'"
	done
done

# one host: no host column, the JSON still names it
ws_report "$WORK/one" "$WORK/one.json" --by-thread || fail "report of one host failed"
jq -e 'all(.processes[]; .host == "bench") and all(.threads[]; .host == "bench")' "$WORK/one.json" >/dev/null ||
	fail "one host: host is not bench: $(jq -c '[.processes[].host]' "$WORK/one.json")"
"$WHYSLOW" report --by-thread "$WORK/one" >"$WORK/one.txt" 2>&1 || fail "text report of one host failed"
grep -q '^ *host ' "$WORK/one.txt" && fail "one host, yet a host column"
grep -q '^ *pid  *ppid ' "$WORK/one.txt" || fail "no Processes table for the two processes of one host"
ws_finish
