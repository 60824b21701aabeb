#!/bin/sh
# The reader's checks of WS_REC_HEAP and WS_REC_RUSAGE: a real recording
# (t_heap, every allocation sampled) with one field damaged at a time
# (t_heapbad) must be refused with a message naming the record, exit 1,
# never a crash; the undamaged file must load.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
ws_record "$WORK/rec" --heap-sample 1 -- "$(prog t_heap)" exact >/dev/null 2>&1
file=$(ls "$WORK"/rec/*.wsp | head -1)
[ -r "$file" ] || hard_error "no profile recorded"
"$WHYSLOW" report --memory "$WORK/rec" >/dev/null 2>"$WORK/good.err" || fail "the undamaged recording does not load: $(cat "$WORK/good.err")"
for what in stack prob count flags rusage; do
	d=$WORK/bad-$what
	mkdir -p "$d"
	"$(prog t_heapbad)" "$file" "$d/x.wsp" $what || hard_error "t_heapbad $what failed"
	"$WHYSLOW" report --memory "$d" >/dev/null 2>"$d/err"
	rc=$?
	case $what in rusage) rec=rusage ;; *) rec=heap ;; esac
	if [ $rc -ne 1 ]; then
		fail "$what: whyslow report exited $rc on a damaged $rec record (want 1)"
	elif ! grep -q "$rec record" "$d/err"; then
		fail "$what: the message does not name the $rec record: $(cat "$d/err")"
	else
		note "$what: $(cat "$d/err")"
	fi
done
# The collector's own fallback when it cannot unwind an allocation (the
# allocator's caller alone, a 1-frame stack; seen in Open MPI's threads) is
# not damage: the file must load and the allocation must still be counted.
d=$WORK/oneframe
mkdir -p "$d"
"$(prog t_heapbad)" "$file" "$d/x.wsp" oneframe || hard_error "t_heapbad oneframe failed"
if ! "$WHYSLOW" report --json --memory "$d" >"$d/out.json" 2>"$d/err"; then
	fail "a heap stack of 1 frame is refused: $(cat "$d/err")"
else
	note "a heap stack of 1 frame loads"
fi
ws_finish
