#!/bin/sh
# The symboliser (reports/symbolize.c) on report_symprog, a -g -O2 program
# with an always_inline function, built as a PIE and as a non-PIE
# executable, and on copies of both without debug info (objcopy
# --strip-debug: symbol table fallback) and without any symbols (strip -s:
# module+0xOFFSET), and a copy whose debug info lives in a separate file
# found through .gnu_debuglink (dwfl_standard_find_debuginfo), which must
# symbolise as well as the original.  report_symprog.c holds the checks: inlined frames with
# their call lines, return addresses looked up at address - 1, load bias,
# cache, [vdso], [unknown], libc through its symbol table, the
# "file changed since recording" warning once per module.
set -u
: "${TESTS_DIR:=.}"
unset DEBUGINFOD_URLS
for t in objcopy strip; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "SKIP: $t (binutils) not found"
		exit 77
	fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/report_symbolize.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0
run() {
	"$@"
	rc=$?
	if [ $rc -eq 99 ]; then
		status=99
	elif [ $rc -ne 0 ] && [ $status -eq 0 ]; then
		status=1
	fi
}
for kind in pie nopie; do
	prog=$TESTS_DIR/report_symprog
	[ $kind = nopie ] && prog=${prog}_nopie
	if [ ! -x "$prog" ]; then
		echo "hard error: $prog is not built"
		exit 99
	fi
	run "$prog" check full $kind "$tmp/full-$kind"
	objcopy --strip-debug "$prog" "$tmp/nodebug-$kind" || exit 99
	run "$tmp/nodebug-$kind" check nodebug $kind "$tmp/nodebug-rec-$kind"
	objcopy --only-keep-debug "$prog" "$tmp/separate-$kind.debug" || exit 99
	objcopy --strip-debug --add-gnu-debuglink="$tmp/separate-$kind.debug" "$prog" \
		"$tmp/separate-$kind" || exit 99
	run "$tmp/separate-$kind" check full $kind "$tmp/separate-rec-$kind"
	strip -s -o "$tmp/stripped-$kind" "$prog" || exit 99
	run "$tmp/stripped-$kind" check stripped $kind "$tmp/stripped-rec-$kind"
done
exit $status
