#!/bin/sh
# The reader validates the Python records (WS_REC_PYCODE, WS_REC_PYSTACKS,
# WS_REC_PYSAMPLES):
# a profile of tests/py_threads.py with one field corrupted at a time must
# be refused with a message naming the record, never crash or be reported.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
ws_require
ws_require_python
ws_workdir

py=$(echo "$PYTHONS" | head -n 1)
d=$WORK/rec
ws_record "$d" -- "$py" "$SRCDIR/py_threads.py" || hard_error "whyslow record failed"
f=$(ls "$d"/*.wsp | head -n 1)
"$WHYSLOW" report --python "$d" >/dev/null 2>"$WORK/good.err" || fail "the intact profile is refused: $(cat "$WORK/good.err")"
for what in codeindex nativeid codecount samples truncate pscount psindex psnative psorphan; do
	bad=$WORK/bad-$what
	mkdir -p "$bad"
	"$py" "$SRCDIR/py_corrupt.py" "$f" "$bad/x.wsp" "$what" || hard_error "py_corrupt.py $what failed"
	"$WHYSLOW" report --python "$bad" >"$bad/out" 2>"$bad/err"
	rc=$?
	echo "$ws_name: $what: exit $rc: $(head -n 1 "$bad/err")"
	[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] || fail "$what: exit status $rc, want a refusal (1..127)"
	grep -q "Python" "$bad/err" || fail "$what: the message does not name the Python record"
done
ws_finish
