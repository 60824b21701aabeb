#!/bin/sh
# No deadlock: t_stress's 4 threads loop over dlopen/dlclose (libtburn.so
# and libm in turns), malloc/free and fork (child _exit(0), parent waits)
# for T_STRESS_SECONDS (default 1) while sampled at -F 10000.  Every run
# must finish within 60 s and exit 0; a run that times out is a deadlock.
#
# `make check` runs it REPEAT=5 times; the full stress is
#     REPEAT=50 tests/stress_dlopen_fork.sh
# (from the build's tests/ directory, or with TESTS_DIR set).
# CLOCK=wall stresses the wall-clock timers instead.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
REPEAT=${REPEAT:-5}
CLOCK=${CLOCK:-cpu}
lib=$(testlib libtburn.so)
[ -r "$lib" ] || hard_error "test library not built: $lib"

i=1
while [ $i -le "$REPEAT" ]; do
	d=$WORK/rec$i
	if [ $((i % 2)) -eq 1 ]; then
		args="$lib tlib_burn"
	else
		args="libm.so.6 cos"
	fi
	rm -rf "$d"
	# shellcheck disable=SC2086
	timeout -k 5 60 "$WHYSLOW" record -q -o "$d" -F 10000 --clock "$CLOCK" -- "$(prog t_stress)" $args >"$WORK/out$i" 2>&1
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		fail "run $i of $REPEAT (t_stress $args) did not finish in 60 s: deadlock? (profiles in $d)"
		sed 's/^/    /' "$WORK/out$i"
		break
	elif [ $rc -ne 0 ]; then
		fail "run $i of $REPEAT (t_stress $args) exited $rc"
		sed 's/^/    /' "$WORK/out$i"
		break
	fi
	nfiles=$(ls "$d" | grep -c '\.wsp$')
	if [ $i -eq 1 ] || [ $i -eq "$REPEAT" ]; then
		# the whole recording must be readable (not just finished)
		if ! ws_report "$d" "$WORK/report$i.json"; then
			fail "run $i: whyslow report failed on the recording"
			break
		fi
		echo "$ws_name: run $i: $nfiles profiles, $(jq_get "$WORK/report$i.json" .header.samples) samples, $(jq_get "$WORK/report$i.json" '.header.incomplete_processes') incomplete"
	else
		echo "$ws_name: run $i: $nfiles profiles"
	fi
	rm -rf "$d"
	i=$((i + 1))
done
ws_finish
