#!/bin/sh
# docs/tutorial.sh still runs and tells the story docs/tutorial.md tells:
# path_stats found hot, gone after the fix, the check accepting the fixed
# walk and rejecting the slow one; and, with NumPy, the Python loop's time
# in the interpreter and NumPy's in native code.
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
# section 6 (Python), where a CPython 3.11 with NumPy is installed: the
# loop mostly interpreter time, the NumPy line mostly native
if grep -q '^## 6. The same lesson in Python' "$out"; then
	loop=$(sed -n 's/^  f_loop (examples\/python\/vectorise.py:[0-9]*) .* \([0-9.]*\)%  *\([0-9.]*\)%$/\1/p' "$out" | head -n 1)
	np=$(sed -n 's/^  f_numpy (examples\/python\/vectorise.py:[0-9]*) .* \([0-9.]*\)%  *\([0-9.]*\)%$/\2/p' "$out" | head -n 1)
	echo "tutorial: f_loop ${loop:-?} % interpreter, f_numpy ${np:-?} % native"
	if ! awk -v l="${loop:-0}" -v n="${np:-0}" 'BEGIN { exit !(l >= 50 && n >= 90) }'; then
		echo "FAIL: the Python section does not show the loop in the interpreter and NumPy native"
		failures=$((failures + 1))
	fi
else
	echo "tutorial: no CPython 3.11 with NumPy: the Python section is not checked"
fi
[ "$failures" -eq 0 ] || { sed -n '1,400p' "$out"; exit 1; }
echo ok
