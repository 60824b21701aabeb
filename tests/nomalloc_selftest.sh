#!/bin/sh
# Self-test of the allocation check: test_nomalloc.sh must pass with no
# profiler at all (no false alarms from the program's own allocations) and
# must FAIL when the "profiler" is libbadhandler.so, whose SIGPROF handler
# calls malloc.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
command -v jq >/dev/null 2>&1 || skip "jq missing (apt-get install jq)"
bad=$(testlib libbadhandler.so)
[ -r "$bad" ] || hard_error "test library not built: $bad"
t="${SRCDIR}/test_nomalloc.sh"

# The empty "collector": a library that does nothing (libtburn.so).
out=$(WS_NAME_SUFFIX=-selftest-none NOMALLOC_COLLECTOR=$(testlib libtburn.so) "$t" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
	echo "$out" | sed 's/^/    /'
	fail "test_nomalloc.sh fails without any signal handler (exit $rc): false alarm"
fi
out=$(WS_NAME_SUFFIX=-selftest-bad NOMALLOC_COLLECTOR=$bad "$t" 2>&1)
rc=$?
if [ $rc -ne 1 ] || ! echo "$out" | grep -q 'nomalloc: FAIL: malloc'; then
	echo "$out" | sed 's/^/    /'
	fail "test_nomalloc.sh did not catch libbadhandler.so's malloc in its SIGPROF handler (exit $rc, expected 1 with nomalloc: FAIL lines)"
else
	echo "$ws_name: test_nomalloc.sh caught the allocating handler:"
	echo "$out" | grep -m 3 'nomalloc: FAIL' | sed 's/^/    /'
fi
[ "$ws_failed" -eq 0 ] && rm -rf "$TESTS_DIR/test_nomalloc-selftest-bad.work"
ws_finish
