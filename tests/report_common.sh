# Sourced by the report_*.sh tests: checks the environment the test driver
# sets (tests/Makefile.am), makes a scratch directory and a recording with
# known stacks, and gives fail/expect helpers.
set -u

if [ -z "${WHYSLOW:-}" ] || [ ! -x "$WHYSLOW" ]; then
	echo "SKIP: whyslow is not built (WHYSLOW='${WHYSLOW:-}')"
	exit 77
fi
: "${TESTS_DIR:=.}"
SYMPROG=$TESTS_DIR/report_symprog
if [ ! -x "$SYMPROG" ]; then
	echo "SKIP: $SYMPROG is not built (make check builds it)"
	exit 77
fi
# no network look-ups for debug info during tests
unset DEBUGINFOD_URLS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/whyslow-report-test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	echo "ok"
	exit 0
}

# A recording of report_symprog's known stacks (see report_symprog.c):
#   thread 1001: hot_leaf <- inl_helper [inlined] <- outer_fn <- main  x60
#                cold_leaf <- main                                    x30
#                [unknown] (unwind error)                             x10
#   thread 1002: cold_leaf <- main <- main                            x50
REC=$tmp/rec
"$SYMPROG" write "$REC" || exit 99
eval "$("$SYMPROG" lines)" || exit 99

# expect_status STATUS CMD...: run CMD (output in $tmp/out, $tmp/err).
expect_status() {
	want=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "'$*' exited $got, expected $want; stderr: $(head -c 500 "$tmp/err")"
		return 1
	fi
	return 0
}
