# Helpers of the Python tests (tests/test_python_*.sh).  Sourced after
# common.sh.  ws_pythons: the distinct CPython 3.11 executables to test,
# each the real binary (not a pyenv shim, which would run bash first):
# python3 on PATH and Debian's /usr/bin/python3.  Skips (77) when none is
# 3.11.
ws_pythons() {
	_seen=
	for _p in python3 /usr/bin/python3 /usr/bin/python3.11; do
		command -v "$_p" >/dev/null 2>&1 || continue
		_exe=$("$_p" -c 'import sys; print(sys.executable if sys.version_info[:2] == (3, 11) else "")' 2>/dev/null) || continue
		[ -n "$_exe" ] && [ -x "$_exe" ] || continue
		_real=$(readlink -f "$_exe")
		case " $_seen " in *" $_real "*) continue ;; esac
		_seen="$_seen $_real"
		echo "$_exe"
	done
}

ws_require_python() {
	PYTHONS=$(ws_pythons)
	[ -n "$PYTHONS" ] || skip "no CPython 3.11 found (python3, /usr/bin/python3): Python frames are supported for 3.11 only"
}

# marker_line FILE MARK: the number of the line of FILE that contains MARK.
marker_line() { grep -n "$2" "$1" | head -n 1 | cut -d: -f1; }
