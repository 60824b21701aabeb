# Shared helpers of the collector's end-to-end tests (tests/test_*.sh).
# Sourced, not run.  Exit codes: 0 pass, 1 fail, 77 skip, 99 hard error.
#
# Environment (set by tests/Makefile.am for `make check`; the defaults let
# a script run by hand from the build's tests/ directory):
#   WHYSLOW      the whyslow command        WHYSLOW_LIB  libwhyslow.so
#   TESTS_DIR    build dir of tests/        SRCDIR       source dir of tests/
#   TOP_BUILDDIR top of the build tree
# WS_KEEP=1 keeps each test's work directory even when it passes;
# WS_NAME_SUFFIX is appended to the test's name (and work directory).

: "${TESTS_DIR:=$(pwd)}"
: "${SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
: "${TOP_BUILDDIR:=$TESTS_DIR/..}"
: "${WHYSLOW:=$TOP_BUILDDIR/reports/whyslow}"
: "${WHYSLOW_LIB:=$TOP_BUILDDIR/profiler/.libs/libwhyslow.so}"
export WHYSLOW WHYSLOW_LIB TESTS_DIR SRCDIR TOP_BUILDDIR
# `record` preloads $WHYSLOW_LIB: the library of this build, not an installed one.
unset WHYSLOW_OUTPUT_DIR WHYSLOW_FREQUENCY WHYSLOW_CLOCK WHYSLOW_SOURCE \
	WHYSLOW_DEPTH WHYSLOW_SIGNAL WHYSLOW_MAX_STACKS WHYSLOW_DEBUG
NO_COLOR=1
export NO_COLOR
LC_ALL=C
export LC_ALL

ws_name=$(basename "$0" .sh)${WS_NAME_SUFFIX:-}
ws_failed=0

skip() { echo "SKIP: $ws_name: $*"; exit 77; }
hard_error() { echo "ERROR: $ws_name: $*"; exit 99; }
# Records a failure and goes on (the script ends with ws_finish).
fail() { echo "FAIL: $ws_name: $*"; ws_failed=1; }
note() { echo "$ws_name: $*"; }

ws_require() {
	command -v jq >/dev/null 2>&1 || skip "jq missing (apt-get install jq)"
	[ -x "$WHYSLOW" ] || hard_error "whyslow is not built: $WHYSLOW"
	[ -r "$WHYSLOW_LIB" ] || hard_error "libwhyslow.so is not built: $WHYSLOW_LIB"
}

# A fresh work directory for this test, $WORK; removed at the end when the
# test passes (kept on failure, for a look at the profiles).
ws_workdir() {
	WORK=$TESTS_DIR/$ws_name.work
	rm -rf "$WORK"
	mkdir -p "$WORK" || hard_error "cannot create $WORK"
}

# ws_finish: exit with the verdict.
ws_finish() {
	if [ "$ws_failed" -ne 0 ]; then
		[ -n "${WORK:-}" ] && echo "$ws_name: profiles and outputs kept in $WORK"
		exit 1
	fi
	[ -n "${WORK:-}" ] && [ "${WS_KEEP:-0}" != 1 ] && rm -rf "$WORK"
	echo "PASS: $ws_name"
	exit 0
}

# A test program of this build.
prog() { echo "$TESTS_DIR/$1"; }
# A test library of this build (check_LTLIBRARIES put them in .libs/).
testlib() { echo "$TESTS_DIR/.libs/$1"; }

# ws_record DIR [record options] -- PROGRAM ARGS...: record into DIR
# (removed first), quietly; returns whyslow record's exit status.
ws_record() {
	_dir=$1
	shift
	rm -rf "$_dir"
	"$WHYSLOW" record -q -o "$_dir" "$@"
}

# ws_report DIR OUTFILE [report options]: the JSON report into OUTFILE;
# returns 0 when whyslow report succeeded and wrote valid JSON.
ws_report() {
	_dir=$1 _out=$2
	shift 2
	if ! "$WHYSLOW" report --json --top 0 "$@" "$_dir" >"$_out" 2>"$_out.err"; then
		echo "$ws_name: whyslow report --json --top 0 $* $_dir failed:"
		sed 's/^/    /' "$_out.err"
		return 1
	fi
	if ! jq -e '.schema == "whyslow-report"' "$_out" >/dev/null 2>&1; then
		echo "$ws_name: whyslow report wrote no whyslow-report JSON:"
		head -c 2000 "$_out" | sed 's/^/    /'
		return 1
	fi
	return 0
}

# jq_get JSON FILTER: one value (raw).
jq_get() { jq -r "$2" "$1"; }

# fn_self JSON FUNCTION: self_percent of FUNCTION (summed over its rows), 0 if absent.
fn_self() {
	jq -r --arg f "$2" '[.flat[] | select(.function == $f) | .self_percent] | add // 0' "$1"
}
# fn_self_samples JSON FUNCTION
fn_self_samples() {
	jq -r --arg f "$2" '[.flat[] | select(.function == $f) | .self_samples] | add // 0' "$1"
}
# fn_total JSON FUNCTION: total_percent of FUNCTION (largest row), 0 if absent.
fn_total() {
	jq -r --arg f "$2" '[.flat[] | select(.function == $f) | .total_percent] | max // 0' "$1"
}

# show_flat JSON [N]: the header's counts and the top N rows, for failure messages.
show_flat() {
	jq -r '"    header: samples=\(.header.samples) threads=\(.header.threads) processes=\(.header.processes) clock=\(.header.clock) source=\(.header.source) requested_hz=\(.header.requested_hz) achieved_hz=\(.header.achieved_hz) dropped=\(.header.dropped) unwind_failures=\(.header.unwind_failures)"' "$1"
	jq -r '(.header.warnings // [])[] | "    warning: \(.)"' "$1"
	jq -r --argjson n "${2:-12}" \
		'"    self%   total%  function (module)", (.flat[:$n][] | "    \(.self_percent)\t\(.total_percent)\t\(.function) (\(.module))")' "$1"
}

# Floating-point comparisons (awk): near A B TOL, ge A B, le A B.
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# truth FILE KIND NAME: a value from a test program's truth file
# (lines "KIND NAME VALUE").
truth() { awk -v k="$2" -v n="$3" '$1 == k && $2 == n { print $3; found = 1 } END { if (!found) print "nan" }' "$1"; }

# retry_once FUNCTION: run FUNCTION (which returns 0 on success); on
# failure say so and run it once more.  Timing-based assertions on a
# shared 2-core machine get one second chance; both runs are printed.
retry_once() {
	if "$1" 1; then
		return 0
	fi
	echo "$ws_name: first attempt failed; retrying once"
	"$1" 2
}
