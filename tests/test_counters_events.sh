#!/bin/sh
# whyslow events lists perf::TASK-CLOCK as available; a hardware preset
# (PAPI_TOT_INS) is listed with a reason where this machine cannot count it
# (a KVM guest without a virtual PMU), and then record -e PAPI_TOT_INS and
# --counters ipc stop before running anything (exit 2, the event and the
# reason named, no recording left).  An unknown name is refused the same
# way everywhere.  Where PAPI_TOT_INS is available those checks are
# skipped and said so.
. "${SRCDIR:-$(dirname "$0")}/counters_common.sh"

[ "$(event_available perf::TASK-CLOCK)" = true ] || fail "perf::TASK-CLOCK is not listed as available"
"$WHYSLOW" events >"$WORK/text" 2>&1 || fail "whyslow events failed"
grep -q "yes  perf::TASK-CLOCK" "$WORK/text" || fail "the text listing lacks perf::TASK-CLOCK"
grep -q "^  ipc " "$WORK/text" && grep -q "^  memory " "$WORK/text" || fail "the groups are not listed"
[ "$(jq_get "$EVENTS_JSON" '.groups | length')" = 4 ] || fail "4 groups expected in the JSON"

# An unknown event: exit 2, named, nothing run.
t=$WORK/unknown
if "$WHYSLOW" record -q -o "$t" -e perf::NO-SUCH-EVENT -- true >"$WORK/out" 2>"$WORK/err"; then
	fail "record -e perf::NO-SUCH-EVENT succeeded"
else
	st=$?
	[ $st = 2 ] || fail "record -e perf::NO-SUCH-EVENT exited $st, not 2"
fi
grep -q "perf::NO-SUCH-EVENT" "$WORK/err" || fail "the unknown event is not named: $(cat "$WORK/err")"
[ ! -e "$t" ] || fail "a recording directory was left for a run that did not happen"

if [ "$(jq_get "$EVENTS_JSON" '.papi_built')" != true ]; then
	note "built without PAPI: the preset checks are skipped"
elif [ "$(event_available PAPI_TOT_INS)" = true ]; then
	note "PAPI_TOT_INS is available on this machine: the unavailable-preset checks are skipped"
else
	reason=$(jq -r '[.events[] | select(.name == "PAPI_TOT_INS") | .reason][0]' "$EVENTS_JSON")
	[ -n "$reason" ] && [ "$reason" != null ] || fail "PAPI_TOT_INS is unavailable without a reason"
	note "PAPI_TOT_INS: $reason"
	t=$WORK/tot
	if "$WHYSLOW" record -q -o "$t" -e PAPI_TOT_INS -- "$(prog t_pages)" 10 1 >"$WORK/out" 2>"$WORK/err"; then
		fail "record -e PAPI_TOT_INS succeeded on a machine that cannot count it"
	else
		st=$?
		[ $st = 2 ] || fail "record -e PAPI_TOT_INS exited $st, not 2"
	fi
	grep -q "PAPI_TOT_INS cannot be counted here" "$WORK/err" && grep -qF "$reason" "$WORK/err" ||
		fail "record does not name PAPI_TOT_INS with its reason: $(cat "$WORK/err")"
	[ ! -e "$t" ] || fail "a recording directory was left for a run that did not happen"
	[ ! -s "$WORK/out" ] || fail "the program ran although an event was refused"
	if "$WHYSLOW" record -q -o "$WORK/ipc" --counters ipc -- true >"$WORK/out" 2>"$WORK/err"; then
		fail "--counters ipc succeeded without instructions and cycles"
	fi
	grep -q "counters ipc needs instructions" "$WORK/err" || fail "--counters ipc: $(cat "$WORK/err")"
fi

# The native alternatives of the vector and flops groups (reports/events.c)
# are names libpfm4 knows for the CPUs they are meant for: with its table
# forced to that CPU, each reaches the kernel (counted, or refused by the
# kernel here), never "libpfm4 does not know it".  Control: a name for
# another vendor's CPU is not known.
native_known() { # PMU NAME
	if LIBPFM_FORCE_PMU=$1 "$WHYSLOW" record -q -o "$WORK/native" -e "$2" -- true >/dev/null 2>"$WORK/err"; then
		rm -rf "$WORK/native"
		return 0
	fi
	! grep -q "does not know it" "$WORK/err"
}
if [ "$(jq_get "$EVENTS_JSON" .counters_built)" = true ]; then
	for pair in "icl FP_ARITH_INST_RETIRED:VECTOR" "icl FP_ARITH_INST_RETIRED:SCALAR" \
		"spr FP_ARITH_INST_RETIRED:VECTOR" "spr FP_ARITH_INST_RETIRED:SCALAR" \
		"skx FP_ARITH_INST_RETIRED:128B_PACKED_DOUBLE:128B_PACKED_SINGLE:256B_PACKED_DOUBLE:256B_PACKED_SINGLE:512B_PACKED_DOUBLE:512B_PACKED_SINGLE" \
		"skx FP_ARITH_INST_RETIRED:SCALAR_DOUBLE:SCALAR_SINGLE" \
		"amd64_fam19h_zen4 RETIRED_SSE_AVX_FLOPS:ANY" "amd64_fam17h_zen2 RETIRED_SSE_AVX_FLOPS:ANY"; do
		# shellcheck disable=SC2086 # PMU NAME
		native_known $pair || fail "libpfm4 forced to ${pair%% *} does not know ${pair#* }: $(cat "$WORK/err")"
	done
	native_known icl RETIRED_SSE_AVX_FLOPS:ANY &&
		fail "an AMD event was accepted for an Intel CPU: the check cannot fail"
	# the names are the groups' own
	for n in FP_ARITH_INST_RETIRED:VECTOR RETIRED_SSE_AVX_FLOPS:ANY; do
		jq -e --arg n "$n" '[.groups[].slots[].alternatives[]] | index($n)' "$EVENTS_JSON" >/dev/null ||
			fail "$n is not among the groups' alternatives"
	done
fi
ws_finish
