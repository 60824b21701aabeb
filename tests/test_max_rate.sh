#!/bin/sh
# The highest documented rate does not starve the program: t_burn with
# 0.2 s of CPU (3 threads), recorded at -F 20000 (the documented maximum), must finish (timeout
# 60 s) in at most 5 times its unprofiled wall time plus 0.5 s, and keep
# attributing burn_60 within 5 points.  (A handler that takes longer than
# the sampling period livelocks: each return finds the next sample due.)
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# One attempt; the accuracy check runs again once when it misses: at this
# rate the handler takes a quarter of the CPU, and another test on the two
# cores shifts the shares by a few points.  Starving the program fails at
# once.
attempt() {
	t0=$(now_ms)
	T_BURN_SECONDS=0.2 "$(prog t_burn)" "$WORK/truth-plain$1" || hard_error "t_burn fails unprofiled"
	plain=$(($(now_ms) - t0))
	d=$WORK/rec$1 j=$WORK/report$1.json
	t0=$(now_ms)
	T_BURN_SECONDS=0.2 timeout -k 5 60 "$WHYSLOW" record -q -o "$d" -F 20000 -- "$(prog t_burn)" "$WORK/truth$1"
	rc=$?
	prof=$(($(now_ms) - t0))
	limit=$((plain * 5 + 500))
	echo "$ws_name: unprofiled $plain ms, at -F 20000 $prof ms (limit $limit ms), exit $rc"
	if [ $rc -ne 0 ]; then
		fail "whyslow record -F 20000 -- t_burn exited $rc$( [ $rc -eq 124 ] && echo ' (timed out after 60 s)')"
		ws_finish
	fi
	[ "$prof" -le "$limit" ] || { fail "at -F 20000 the program took $prof ms, unprofiled $plain ms: starved by the sampling handler?"; ws_finish; }
	ws_report "$d" "$j" || return 1
	jq -r '.header | "    samples \(.samples), achieved \(.achieved_hz) Hz, handler overhead \(.overhead_percent) %"' "$j"
	got=$(fn_self "$j" burn_60) want=$(truth "$WORK/truth$1" cpu burn_60)
	near "$got" "$want" 5 || { echo "    burn_60: $got %, truth $want %"; show_flat "$j"; return 1; }
	return 0
}
retry_once attempt || fail "burn_60 is not attributed within 5 points at -F 20000"
# Above the maximum is a usage error, not a livelock.
"$WHYSLOW" record -q -o "$WORK/rec-too-fast" -F 100000 -- true 2>"$WORK/too-fast.err"
rc=$?
[ $rc -eq 2 ] || fail "-F 100000 exited $rc, want 2 (usage error)"
grep -q 'frequency' "$WORK/too-fast.err" || { fail "no message naming --frequency"; cat "$WORK/too-fast.err"; }
ws_finish
