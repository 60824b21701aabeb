#!/bin/sh
# The sampling signal is SIGTRAP by default where the perf event can deliver
# it itself (--signal auto), and a program that handles SIGTRAP itself
# keeps its behaviour: t_owntrap raises 500 SIGTRAPs and executes 500
# breakpoint instructions while burning CPU; its handler must see exactly
# those, never a sample, profiled as unprofiled, and the profile must have
# samples in owntrap_burn.  Then the fallback: a process that a tracer
# (strace) has attached from its start samples on SIGPROF, and the report
# says why.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

"$(prog t_owntrap)" >"$WORK/plain.out" 2>&1 || hard_error "t_owntrap fails unprofiled: $(cat "$WORK/plain.out")"

d=$WORK/rec j=$WORK/report.json
ws_record "$d" -- "$(prog t_owntrap)" >"$WORK/prof.out" 2>"$WORK/prof.err"
rc=$?
echo "$ws_name: profiled: $(cat "$WORK/prof.out") (exit $rc)"
[ $rc -eq 0 ] || fail "t_owntrap's handler did not see exactly its own traps under whyslow: $(cat "$WORK/prof.out" "$WORK/prof.err")"
ws_report "$d" "$j" || { fail "whyslow report failed"; ws_finish; }
sig=$(jq_get "$j" .header.signal)
note "sampling signal: $sig"
if [ "$sig" != SIGTRAP ] && [ "$(jq_get "$j" .header.source)" = perf-task-clock ]; then
	# a kernel without attr.sigtrap (< 5.13) keeps SIGPROF
	note "this kernel cannot deliver perf samples as SIGTRAP: SIGPROF was used"
	[ "$sig" = SIGPROF ] || fail "sampling signal $sig, neither SIGTRAP nor SIGPROF"
fi
[ "$(fn_self_samples "$j" owntrap_burn)" -gt 50 ] || { fail "too few samples in owntrap_burn"; show_flat "$j"; }

# a tracer attached from the start: SIGPROF, and the note says why
if command -v strace >/dev/null 2>&1 && [ "$sig" = SIGTRAP ]; then
	t=$WORK/traced
	ws_record "$t" -- strace -o /dev/null "$(prog t_owntrap)" >"$WORK/tr.out" 2>"$WORK/tr.err" ||
		fail "t_owntrap under strace under whyslow failed: $(cat "$WORK/tr.out" "$WORK/tr.err")"
	ws_report "$t" "$WORK/tr.json" || hard_error "report of the traced run failed"
	own=$(jq -r '[.processes[] | select(.command[0] | endswith("t_owntrap")) | .signal][0]' "$WORK/tr.json")
	tracer=$(jq -r '.processes[0].signal' "$WORK/tr.json")
	note "under strace: strace sampled on $tracer, the traced t_owntrap on $own"
	[ "$own" = SIGPROF ] || fail "the traced process sampled on $own, not SIGPROF"
	[ "$tracer" = SIGTRAP ] || fail "strace itself (not traced) sampled on $tracer, not SIGTRAP"
	jq -e '.header.notes | any(test("tracer was attached"))' "$WORK/tr.json" >/dev/null ||
		fail "no note says why the traced process used SIGPROF"
else
	note "strace is not installed (or SIGTRAP was not used): the tracer case is not checked"
fi
ws_finish
