#!/bin/sh
# The course's strided sum in Python (examples/python/stride.py all 5000 3:
# a 5000 x 5000 C-order NumPy matrix summed 3 times by row slices, then 3
# times by column slices, in one run).  What whyslow must show: the time
# of both is native (NumPy's reduction loop, >= 70 % of the samples under
# each function), and summing by columns takes >= 2.5 times the samples of
# summing by rows: the same additions, so the difference is the access
# pattern (a column's doubles are 40 000 bytes apart).  Measured in the
# same run; tried twice (a timing on a shared machine).
. "${SRCDIR:-$(dirname "$0")}/common.sh"
. "$SRCDIR/python_common.sh"
. "$SRCDIR/pyex_common.sh"
ws_require
pyex_python numpy
ws_workdir

pyex_attempt() {
	pyex_record all stride.py all 5000 3 || return
	j=$WORK/all.json
	set -- $(py_under "$j" sum_rows)
	r_samples=$1 r_native=$2
	set -- $(py_under "$j" sum_columns)
	c_samples=$1 c_native=$2
	ratio=$(awk -v c="$c_samples" -v r="$r_samples" 'BEGIN { print (r > 0) ? c / r : 0 }')
	note "sum_rows: $r_samples samples, $r_native % native; sum_columns: $c_samples samples, $c_native % native; columns / rows = $ratio (printed: rows $(printed all rows time) s, columns $(printed all columns time) s per sum)"
	ge "$r_native" 70 || pyex_bad "sum_rows is $r_native % native, want >= 70 % (NumPy's loop)"
	ge "$c_native" 70 || pyex_bad "sum_columns is $c_native % native, want >= 70 % (NumPy's loop)"
	ge "$ratio" 2.5 || pyex_bad "sum_columns has $ratio times sum_rows' samples, want >= 2.5"
}
pyex_run
