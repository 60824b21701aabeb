#!/bin/sh
# A library without unwind tables is named: t_noeh spins in t_noeh_cb,
# called back from noeh_spin in libtnoeh.so (no .eh_frame_hdr, no frame
# pointers), itself called from main through t_noeh_work.  No unwinder can
# find noeh_spin's callers; libunwind's frame-pointer fallback reports the
# end of the stack rather than an error.
# The report must count those samples as unwind failures and warn that
# stacks through libtnoeh.so are truncated, naming it.  Control: the same
# report names no module when the program spins in its own code (a
# complete stack through main counts no failure).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

lib=$(testlib libtnoeh.so)
[ -r "$lib" ] || hard_error "test library not built: $lib"
if readelf -lW "$lib" 2>/dev/null | grep -q GNU_EH_FRAME; then
	hard_error "$lib has an .eh_frame_hdr: the build did not make the library this test needs"
fi

d=$WORK/rec j=$WORK/report.json
ws_record "$d" -- "$(prog t_noeh)" "$lib" 2000000 >"$WORK/out" 2>&1 ||
	hard_error "whyslow record -- t_noeh failed: $(cat "$WORK/out")"
ws_report "$d" "$j" || { fail "the profile is not readable"; ws_finish; }
samples=$(jq_get "$j" .header.samples)
uf=$(jq_get "$j" .header.unwind_failures)
n=$(fn_self_samples "$j" t_noeh_cb)
echo "$ws_name: $samples samples, $n in t_noeh_cb, $uf unwind failures"
[ "$n" -ge 50 ] || { fail "too few samples in t_noeh_cb ($n)"; show_flat "$j"; ws_finish; }
# every sample in t_noeh_cb lost the callers of noeh_spin: all of them count
[ "$uf" -ge "$n" ] || fail "$uf unwind failures for $n samples whose stacks stop in libtnoeh.so"
"$WHYSLOW" report --json "$d" | grep -q '"[^"]*stacks through libtnoeh.so are truncated' ||
	fail "no warning naming libtnoeh.so: $(jq_get "$j" .header.warnings)"

# control: a program with unwind tables everywhere names nothing
c=$WORK/ctl jc=$WORK/ctl.json
T_BURN_SECONDS=0.3 ws_record "$c" -- "$(prog t_burn)" "$WORK/truth" >"$WORK/out" 2>&1 ||
	hard_error "whyslow record -- t_burn failed: $(cat "$WORK/out")"
ws_report "$c" "$jc" || { fail "the control profile is not readable"; ws_finish; }
ucf=$(jq_get "$jc" .header.unwind_failures)
[ "$ucf" -eq 0 ] || fail "$ucf unwind failures in a program with unwind tables"
grep -q 'are truncated' "$jc" && fail "a module was named in the control run"
ws_finish
