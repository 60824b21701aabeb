#!/bin/sh
# The offsets the sample handler reads CPython through
# (profiler/python_layout.h) against offsetof() in the installed 3.11
# headers, for every python3.11 whose development headers are installed
# (Debian: libpython3.11-dev; pyenv builds carry theirs).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_workdir
: "${CC:=cc}"
top_srcdir=$(cd "$SRCDIR/.." && pwd)
n=0
for inc in /usr/include/python3.11 \
	$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null); do
	[ -r "$inc/internal/pycore_frame.h" ] || continue
	n=$((n + 1))
	if ! $CC -std=gnu11 -I"$inc" -I"$top_srcdir/profiler" -o "$WORK/check$n" \
		"$SRCDIR/py_layout_check.c" 2>"$WORK/cc$n.err"; then
		sed 's/^/    /' "$WORK/cc$n.err" | head -20
		fail "py_layout_check.c does not compile against $inc"
		continue
	fi
	echo "$ws_name: $inc:"
	"$WORK/check$n"
	rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || fail "the layout differs from $inc"
done
[ "$n" -gt 0 ] || skip "no CPython 3.11 internal headers (apt-get install libpython3.11-dev)"
ws_finish
