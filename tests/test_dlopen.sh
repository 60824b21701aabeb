#!/bin/sh
# dlopen: t_dlopen loads libtburn.so (built by the tests), burns 250 ms in
# its tlib_burn, dlcloses it and works 50 ms more.  The report, symbolised
# offline after the library was gone, must name tlib_burn in libtburn.so
# with at least half of the samples (about 80 % is the truth).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
lib=$(testlib libtburn.so)
[ -r "$lib" ] || hard_error "test library not built: $lib"

d=$WORK/rec j=$WORK/report.json
ws_record "$d" -- "$(prog t_dlopen)" "$lib" >"$WORK/out" || { fail "whyslow record -- t_dlopen failed"; ws_finish; }
grep -q 'still loaded' "$WORK/out" &&
	echo "$ws_name: WARNING: $(cat "$WORK/out") -- profiled, dlclose did not unload the library"
ws_report "$d" "$j" || { fail "report failed"; ws_finish; }
p=$(fn_self "$j" tlib_burn)
m=$(jq -r '[.flat[] | select(.function == "tlib_burn") | .module][0] // ""' "$j")
echo "$ws_name: tlib_burn: $p % in $m"
ge "$p" 50 || fail "tlib_burn has $p % of the samples, expected about 80 %"
case $m in *libtburn*) ;; *) fail "tlib_burn's module is \"$m\", not libtburn.so" ;; esac
[ "$ws_failed" -eq 0 ] || show_flat "$j"
ws_finish
