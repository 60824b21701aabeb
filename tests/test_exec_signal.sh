#!/bin/sh
# exec from a signal handler: t_execsig's SIGUSR1 handler execs the
# program while its main thread loops over malloc/free (a helper thread
# sends the signal after 1-20 ms, and makes malloc take its lock).  The
# collector's exec path must allocate nothing and take no lock that the
# interrupted code may hold.  RUNS=N runs (default 10), each within 20 s
# (a timeout is a deadlock), must exit 0 and leave two complete files: the
# first image ended by "exec", the second ("t_execsig child") with samples
# in after_exec -- the exec'd program is profiled too.  Stops at the 3rd
# failure.  (Before the fix, 9 runs in 10 hung in calloc.)  Then, where a
# deadlock is a matter of timing, one run proves it: with nomalloc.so
# (tests/nomalloc_check.c) preloaded after the collector, the exec path
# run from the handler must not call the allocator at all.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
command -v timeout >/dev/null 2>&1 || skip "timeout(1) missing"

RUNS=${RUNS:-10}
nfail=0 i=1
while [ $i -le "$RUNS" ] && [ $nfail -lt 3 ]; do
	d=$WORK/rec$i j=$WORK/report$i.json
	rm -rf "$d"
	timeout -k 5 20 "$WHYSLOW" record -q -o "$d" -- "$(prog t_execsig)" >"$WORK/out$i" 2>&1
	rc=$?
	bad=
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		bad="did not finish in 20 s (deadlock in the exec from the signal handler?)"
	elif [ $rc -ne 0 ]; then
		bad="exited $rc"
	elif ! ws_report "$d" "$j"; then
		bad="the recording is not readable"
	else
		np=$(jq_get "$j" '.processes | length')
		ne=$(jq_get "$j" '[.processes[] | select(.end == "exec")] | length')
		inc=$(jq_get "$j" .header.incomplete_processes)
		nc=$(jq_get "$j" '[.processes[] | select(.command[1] == "child") | .samples] | add // 0')
		na=$(fn_self_samples "$j" after_exec)
		[ "$np" -eq 2 ] && [ "$ne" -eq 1 ] && [ "$inc" -eq 0 ] && [ "$nc" -gt 0 ] && [ "$na" -gt 0 ] ||
			bad="expected 2 complete processes, one ended by exec, the exec'd one with samples in after_exec; got $np processes, $ne ended by exec, $inc incomplete, $nc samples in the exec'd image, $na in after_exec"
	fi
	if [ -n "$bad" ]; then
		nfail=$((nfail + 1))
		fail "run $i: $bad"
		sed 's/^/    /' "$WORK/out$i"
	else
		rm -rf "$d" "$j" "$j.err" "$WORK/out$i"
	fi
	i=$((i + 1))
done
[ $nfail -eq 0 ] && echo "$ws_name: $RUNS runs, each exec'd from the handler and profiled"

nomalloc=$(testlib nomalloc.so)
[ -r "$nomalloc" ] || hard_error "test library not built: $nomalloc"
d=$WORK/rec-nomalloc
mkdir -p "$d"
timeout -k 5 20 env LD_PRELOAD="$WHYSLOW_LIB:$nomalloc" WHYSLOW_OUTPUT_DIR="$d" \
	"$(prog t_execsig)" >"$WORK/out-nomalloc" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -q 'nomalloc:' "$WORK/out-nomalloc"; then
	fail "with nomalloc.so: exit $rc, an allocation in the exec path run from a signal handler?"
	sed 's/^/    /' "$WORK/out-nomalloc"
elif [ "$(ls "$d" | grep -c '\.wsp$')" -ne 2 ]; then
	fail "with nomalloc.so: expected 2 files, got: $(ls "$d" | tr '\n' ' ')"
else
	echo "$ws_name: with nomalloc.so: no allocation in the exec path"
fi
ws_finish
