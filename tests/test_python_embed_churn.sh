#!/bin/sh
# Python loaded by dlopen while threads start and end without pause
# (t_pyembed churn: a spawner thread runs 4 short threads at a time; the
# main thread dlopens libpython3.11, initialises it and runs embedded_hot
# for 0.3 s of CPU time), sampled at 4000 Hz, five times: the detection's
# walk of the thread registry (threads registering, exiting, being
# sampled) must never break the program -- each run exits 0 and its
# report has embedded_hot with >= 80 % of the samples with Python frames.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
t=$(prog t_pyembed)
[ -x "$t" ] || hard_error "test program not built: $t"
lib=
cfg_dir=$(python3.11-config --ldflags --embed 2>/dev/null | tr ' ' '\n' | sed -n 's/^-L//p' | head -n 1)
for l in /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 ${cfg_dir:+"$cfg_dir/libpython3.11.so.1.0"}; do
	[ -r "$l" ] && { lib=$l; break; }
done
[ -n "$lib" ] || skip "no libpython3.11.so.1.0 (apt-get install libpython3.11-dev)"
for i in 1 2 3 4 5; do
	d=$WORK/run$i
	if ! T_PY_SECONDS=0.3 ws_record "$d" -F 4000 -- "$t" churn "$lib" >"$d.out" 2>"$d.err"; then
		fail "run $i: t_pyembed churn failed: $(cat "$d.out" "$d.err" | head -n 5)"
		continue
	fi
	ws_report "$d" "$d.json" --python || { fail "run $i: report failed"; continue; }
	ps=$(jq_get "$d.json" .python.python_samples)
	hs=$(jq -r '[.python.functions[] | select(.function == "embedded_hot") | .self_samples] | add // 0' "$d.json")
	echo "$ws_name: run $i: $(cat "$d.out"), $(jq_get "$d.json" .header.threads) threads; embedded_hot $hs of $ps samples with Python frames"
	ge "$hs" "$(awk -v p="$ps" 'BEGIN { print 0.8 * p }')" && gt "$hs" 0 ||
		fail "run $i: embedded_hot has $hs of $ps samples with Python frames, want >= 80 %"
done
ws_finish
