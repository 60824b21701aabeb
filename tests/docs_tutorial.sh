#!/bin/sh
# docs/tutorial.sh still runs and tells the story docs/tutorial.md tells:
# path_stats found hot, gone after the fix, the check accepting the fixed
# walk and rejecting the slow one.
set -u
: "${TOP_BUILDDIR:?}" "${SRCDIR:?}"
out=$(mktemp "${TMPDIR:-/tmp}/whyslow-tutorial.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT
if ! sh "$SRCDIR/../docs/tutorial.sh" "$TOP_BUILDDIR" >"$out" 2>&1; then
	echo "FAIL: docs/tutorial.sh failed:"
	tail -n 20 "$out"
	exit 1
fi
failures=0
for want in '  path_stats  *randomwalk' 'gone  *0\.[0-9]*  0\.000  path_stats' \
	'submission accepted' 'expectation failed: hot != path_stats' 'exit status 1'; do
	if ! grep -q -- "$want" "$out"; then
		echo "FAIL: the tutorial's output lacks /$want/"
		failures=$((failures + 1))
	fi
done
[ "$failures" -eq 0 ] || { sed -n '1,400p' "$out"; exit 1; }
echo ok
