#!/bin/sh
# Async-signal safety: the sampling path never allocates.  t_mallocs's 4
# threads allocate in a tight loop, sampled at 10 kHz (CPU clock, then
# wall clock), with nomalloc.so (tests/nomalloc_check.c) preloaded after
# the collector: it fails the run when malloc & co. are called from a
# signal handler (a signal blocked that the thread did not block).  The
# collector is loaded through its documented environment, as `record`
# does, so that the order is exactly LD_PRELOAD="$WHYSLOW_LIB:nomalloc.so".
# The recording must then be readable and have samples (else the check
# proved nothing).
#
# NOMALLOC_COLLECTOR=LIB puts another library in the collector's place:
# tests/nomalloc_selftest.sh uses it to show that this test fails for a
# handler that allocates.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
collector=${NOMALLOC_COLLECTOR:-$WHYSLOW_LIB}
if [ -n "${NOMALLOC_COLLECTOR:-}" ]; then
	command -v jq >/dev/null 2>&1 || skip "jq missing (apt-get install jq)"
else
	ws_require
fi
ws_workdir
nomalloc=$(testlib nomalloc.so)
[ -r "$nomalloc" ] || hard_error "test library not built: $nomalloc"

for clock in cpu wall; do
	d=$WORK/rec-$clock
	mkdir -p "$d"
	timeout -k 5 60 env LD_PRELOAD="$collector:$nomalloc" WHYSLOW_OUTPUT_DIR="$d" \
		WHYSLOW_FREQUENCY=10000 WHYSLOW_CLOCK=$clock "$(prog t_mallocs)" >"$WORK/out-$clock" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		sed 's/^/    /' "$WORK/out-$clock"
		case $rc in
		124 | 137) fail "t_mallocs ($clock clock, 10 kHz) hung: killed after 60 s" ;;
		*) fail "t_mallocs ($clock clock, 10 kHz) exited $rc: an allocation from a signal handler? (see nomalloc: lines above)" ;;
		esac
		continue
	fi
	if grep -q 'nomalloc:' "$WORK/out-$clock"; then
		sed 's/^/    /' "$WORK/out-$clock"
		fail "nomalloc complained ($clock clock)"
		continue
	fi
	[ -n "${NOMALLOC_COLLECTOR:-}" ] && continue
	if ws_report "$d" "$WORK/$clock.json"; then
		n=$(jq_get "$WORK/$clock.json" .header.samples)
		echo "$ws_name: $clock clock: $n samples, no allocation from a handler"
		[ "$n" -gt 0 ] || fail "$clock clock: no samples: the collector did not sample, the check proved nothing"
	else
		fail "$clock clock: the recording is not readable"
	fi
done
ws_finish
