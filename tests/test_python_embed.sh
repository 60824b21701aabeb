#!/bin/sh
# Python embedded in a C program, loaded after start-up (tests/t_pyembed.c,
# not linked to libpython): for every libpython3.11.so.1.0 found (Debian's,
# and the one python3.11-config --embed names):
#   hot local / hot global: dlopen libpython (RTLD_LOCAL, then RTLD_GLOBAL),
#     run embedded_hot() for 1 s (0.6 s) of CPU time: it holds >= 80 % of
#     the samples with Python frames and >= 90 % interpreter time, the flat
#     profile has it as a [python] frame with >= 60 % total, the folded
#     stacks run main;...;_PyEval_EvalFrameDefault;<module>;embedded_hot,
#     the note says it was loaded by dlopen, no "not supported" warning;
#     then the program dlcloses libpython and works 0.1 s more (whyslow
#     keeps libpython mapped: its handler must not fault);
#   plugin: a library linked against libpython (tpyplug.c, built here with
#     $CC) is dlopened RTLD_LOCAL: libpython arrives as its dependency; same
#     checks;
#   threads: two threads started before the dlopen run embedded_hot through
#     PyGILState_Ensure: each (--tid) has >= 50 samples with Python frames,
#     >= 80 % of them in embedded_hot;
#   idle: a libpython dlopened and never initialised: exit 0, the native
#     function native_after holds >= 50 % of the samples, no warning, the
#     note says Python was detected.
# A library without Python dlopened: dlerror() is still NULL after it.
# And once: libpython 3.12, 3.10 (pyenv's, when installed), 3.12 again and
# 3.11 dlopened: "whyslow: Python 3.12 is not supported" exactly once on
# stderr, nothing about the others (detection happens once), no Python
# frames; the program exits 0 and native_after is profiled.  libpython3.10
# alone: "whyslow: a Python older than 3.11 (in libpython3.10.so.1.0) is not
# supported" once.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir
: "${CC:=cc}"
t=$(prog t_pyembed)
[ -x "$t" ] || hard_error "test program not built: $t"

# The libpython3.11 shared libraries to test (distinct files).
libs= seen=
cfg_dir=$(python3.11-config --ldflags --embed 2>/dev/null | tr ' ' '\n' | sed -n 's/^-L//p' | head -n 1)
for l in /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 ${cfg_dir:+"$cfg_dir/libpython3.11.so.1.0"}; do
	[ -r "$l" ] || continue
	r=$(readlink -f "$l")
	case " $seen " in *" $r "*) continue ;; esac
	seen="$seen $r" libs="$libs $l"
done
[ -n "$libs" ] || skip "no libpython3.11.so.1.0 (apt-get install libpython3.11-dev, or a pyenv 3.11 built with --enable-shared)"

# no_warning ERRFILE WHAT: fail when whyslow named an unsupported Python.
no_warning() {
	if grep -q 'whyslow:.*not supported' "$1"; then
		fail "$2: unexpected warning: $(grep 'whyslow:' "$1" | head -n 3)"
	fi
}

# check_hot DIR WHAT: the Python and merged checks on a recorded run.
cfail() { fail "$@"; _bad=1; }
check_hot() {
	_d=$1 _w=$2 _j=$1.json _bad=0
	ws_report "$_d" "$_j" --python || { fail "$_w: report --python failed"; return; }
	_v=$(jq_get "$_j" '.python.version // ""')
	_ps=$(jq_get "$_j" .python.python_samples)
	_hs=$(jq -r '[.python.functions[] | select(.function == "embedded_hot") | .self_samples] | add // 0' "$_j")
	_nat=$(jq -r '[.python.functions[] | select(.function == "embedded_hot") | .native_samples] | add // 0' "$_j")
	_share=$(awk -v h="$_hs" -v p="$_ps" 'BEGIN { printf "%.1f", p ? 100 * h / p : 0 }')
	_interp=$(awk -v h="$_hs" -v n="$_nat" 'BEGIN { printf "%.1f", h ? 100 * (h - n) / h : 0 }')
	_flat=$(jq -r '[.flat[] | select(.function == "embedded_hot" and .module == "[python]") | .total_percent] | max // 0' "$_j")
	echo "$ws_name: $_w: Python $_v, $_ps samples with Python frames, embedded_hot $_hs ($_share %, interpreter $_interp %), flat total $_flat %"
	case $_v in 3.11.*) ;; *) cfail "$_w: Python version \"$_v\", want 3.11.x (not detected?)" ;; esac
	ge "$_share" 80 || cfail "$_w: embedded_hot has $_share % of the samples with Python frames, want >= 80 %"
	ge "$_interp" 90 || cfail "$_w: embedded_hot's interpreter time is $_interp %, want >= 90 %"
	ge "$_flat" 60 || cfail "$_w: the flat profile's embedded_hot [python] total is $_flat %, want >= 60 %"
	jq -e '[.header.notes[] | select(test("loaded by dlopen"))] | length == 1' "$_j" >/dev/null ||
		cfail "$_w: no note \"... loaded by dlopen ...\""
	"$WHYSLOW" export -f folded "$_d" >"$_d.folded" 2>/dev/null || cfail "$_w: export failed"
	grep -q '^.*;main;.*;_PyEval_EvalFrameDefault;<module>;embedded_hot[; ]' "$_d.folded" ||
		cfail "$_w: no merged stack main;...;_PyEval_EvalFrameDefault;<module>;embedded_hot"
	[ "$_bad" -eq 0 ] || show_flat "$_j" 8
}

k=0
for lib in $libs; do
	k=$((k + 1))
	echo "$ws_name: $lib"
	for how in local global; do
		d=$WORK/hot-$how$k
		sec=1
		[ $how = global ] && sec=0.6
		if ! T_PY_SECONDS=$sec ws_record "$d" -- "$t" hot "$lib" $how >"$d.out" 2>"$d.err"; then
			fail "hot $how: t_pyembed failed: $(cat "$d.out" "$d.err" | head -n 5)"
			continue
		fi
		no_warning "$d.err" "hot $how"
		check_hot "$d" "$lib hot $how"
	done

	# A plugin linked against libpython: Python comes as its dependency.
	plug=$WORK/libtpyplug$k.so
	if $CC -shared -fPIC -o "$plug" "$SRCDIR/tpyplug.c" "$lib" -Wl,-rpath,"$(dirname "$lib")" \
		2>"$WORK/cc$k.err"; then
		d=$WORK/plugin$k
		if ws_record "$d" -- "$t" plugin "$plug" >"$d.out" 2>"$d.err"; then
			no_warning "$d.err" plugin
			check_hot "$d" "$lib plugin"
		else
			fail "plugin: t_pyembed failed: $(cat "$d.out" "$d.err" | head -n 5)"
		fi
	else
		note "plugin case not run: $CC cannot link tpyplug.c against $lib: $(head -n 3 "$WORK/cc$k.err")"
	fi

	# Threads started before Python was loaded run Python later.
	d=$WORK/threads$k
	if T_PY_SECONDS=0.4 ws_record "$d" -- "$t" threads "$lib" >"$d.out" 2>"$d.err"; then
		no_warning "$d.err" threads
		ws_report "$d" "$d.json" --by-thread || fail "threads: report failed"
		pid=$(jq -r '.threads[0].pid' "$d.json")
		tids=$(jq -r --argjson p "$pid" '.threads[] | select(.tid != $p) | .tid' "$d.json")
		n=0
		for tid in $tids; do
			n=$((n + 1))
			ws_report "$d" "$d.$tid.json" --python --tid "$tid" || { fail "threads: report --tid $tid failed"; continue; }
			ps=$(jq_get "$d.$tid.json" .python.python_samples)
			hs=$(jq -r '[.python.functions[] | select(.function == "embedded_hot") | .self_samples] | add // 0' "$d.$tid.json")
			echo "$ws_name: threads: thread $tid: $ps samples with Python frames, embedded_hot $hs"
			ge "$ps" 50 || fail "threads: thread $tid (started before the dlopen) has $ps samples with Python frames, want >= 50"
			ge "$hs" "$(awk -v p="$ps" 'BEGIN { print 0.8 * p }')" ||
				fail "threads: thread $tid: embedded_hot has $hs of its $ps Python samples, want >= 80 %"
		done
		[ "$n" -eq 2 ] || fail "threads: $n threads besides the main one, want 2"
	else
		fail "threads: t_pyembed failed: $(cat "$d.out" "$d.err" | head -n 5)"
	fi

	# Loaded, never initialised.
	d=$WORK/idle$k
	if ws_record "$d" -- "$t" idle "$lib" >"$d.out" 2>"$d.err"; then
		no_warning "$d.err" idle
		ws_report "$d" "$d.json" || fail "idle: report failed"
		p=$(fn_self "$d.json" native_after)
		echo "$ws_name: idle: native_after $p %"
		ge "$p" 50 || fail "idle: native_after has $p % of the samples, want >= 50 %"
		jq -e '[.header.notes[] | select(test("^Python 3[.]11[.][0-9]+ loaded by dlopen"))] | length == 1' "$d.json" >/dev/null ||
			fail "idle: no note \"Python 3.11.x loaded by dlopen\": $(jq -c .header.notes "$d.json")"
	else
		fail "idle: t_pyembed failed (exit $?): $(cat "$d.out" "$d.err" | head -n 5)"
	fi
done

# A library without Python: the collector's failed lookup in it must not
# leave an error for the program's dlerror() (t_pyembed checks it after
# every successful dlopen).
tb=$(testlib libtburn.so)
if [ -r "$tb" ]; then
	d=$WORK/nopython
	ws_record "$d" -- "$t" idle "$tb" >"$d.out" 2>"$d.err" ||
		fail "nopython: t_pyembed idle libtburn.so failed: $(cat "$d.out" "$d.err" | head -n 5)"
else
	hard_error "test library not built: $tb"
fi

# Unsupported versions, loaded late: named once, native profiling goes on.
set -- $libs
l312= l310=
for v in 3.12 3.10; do
	for c in "$HOME"/.pyenv/versions/$v.*/lib/libpython$v.so.1.0 /usr/lib/x86_64-linux-gnu/libpython$v.so.1.0; do
		[ -r "$c" ] || continue
		[ $v = 3.12 ] && l312=$c || l310=$c
		break
	done
done
if [ -n "$l312" ]; then
	d=$WORK/unsupported
	# 3.12, the older one, 3.12 again (a second path: the same object), then 3.11.
	if ws_record "$d" -- "$t" idle "$l312" ${l310:+"$l310"} "$l312" "$1" >"$d.out" 2>"$d.err"; then
		n12=$(grep -c '^whyslow: Python 3.12 is not supported' "$d.err")
		nold=$(grep -c '^whyslow: a Python older than 3.11' "$d.err")
		echo "$ws_name: unsupported: $(grep -c '^whyslow:' "$d.err") whyslow line(s) on stderr: $(grep '^whyslow:' "$d.err" | tr '\n' '|')"
		[ "$n12" -eq 1 ] || fail "unsupported: \"whyslow: Python 3.12 is not supported\" $n12 times on stderr, want once"
		[ "$nold" -eq 0 ] || fail "unsupported: the older Python was named after 3.12 (detection must happen once)"
		ws_report "$d" "$d.json" --python || fail "unsupported: report failed"
		jq -e '.python.version == null' "$d.json" >/dev/null ||
			fail "unsupported: a Python was detected after the unsupported one: $(jq -c .python.version "$d.json")"
		p=$(fn_self "$d.json" native_after)
		echo "$ws_name: unsupported: native_after $p %"
		ge "$p" 50 || fail "unsupported: native_after has $p % of the samples, want >= 50 %"
	else
		fail "unsupported: t_pyembed failed: $(cat "$d.out" "$d.err" | head -n 5)"
	fi
else
	note "unsupported-version case not run: no libpython3.12.so.1.0 (pyenv's)"
fi
if [ -n "$l310" ]; then
	d=$WORK/older
	if ws_record "$d" -- "$t" idle "$l310" >"$d.out" 2>"$d.err"; then
		nold=$(grep -c '^whyslow: a Python older than 3.11 (in libpython3.10.so.1.0) is not supported' "$d.err")
		[ "$nold" -eq 1 ] || fail "older: libpython3.10 named $nold times on stderr, want once: $(cat "$d.err")"
	else
		fail "older: t_pyembed failed: $(cat "$d.out" "$d.err" | head -n 5)"
	fi
fi
ws_finish
