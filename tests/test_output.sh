#!/bin/sh
# The program's output and exit status are untouched: t_output writes a
# known mix to stdout and stderr (stdio and raw writes, all 256 byte
# values) and exits 7.  Under `whyslow record -q` both streams must be
# byte-identical to an unprofiled run, and the status 7.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

"$(prog t_output)" >"$WORK/out0" 2>"$WORK/err0"
rc0=$?
[ $rc0 -eq 7 ] || hard_error "t_output exits $rc0 unprofiled, not 7"
ws_record "$WORK/rec" -- "$(prog t_output)" >"$WORK/out1" 2>"$WORK/err1"
rc1=$?
[ $rc1 -eq 7 ] || fail "exit status $rc1 under whyslow record, 7 without"
for s in out err; do
	if ! cmp "$WORK/${s}0" "$WORK/${s}1"; then
		fail "std$s differs profiled ($(wc -c <"$WORK/${s}1") bytes) and unprofiled ($(wc -c <"$WORK/${s}0") bytes):"
		diff "$WORK/${s}0" "$WORK/${s}1" | head -20 | cat -v | sed 's/^/    /'
	fi
done
ws_finish
