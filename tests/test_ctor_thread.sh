#!/bin/sh
# A thread started by a library's constructor before the collector's own
# constructor ran (as OpenBLAS starts its thread pool) is sampled: libtctor
# starts ctor_worker, which burns 0.3 s while main burns 0.3 s in
# main_work.  Both threads must be in the report, ctor_worker with about
# half of the samples.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

d=$WORK/rec j=$WORK/report.json
ws_record "$d" -- "$(prog t_ctorthread)" || { fail "whyslow record -- t_ctorthread failed"; ws_finish; }
ws_report "$d" "$j" --by-thread || { fail "report failed"; ws_finish; }
threads=$(jq_get "$j" .header.threads)
w=$(fn_self "$j" ctor_worker)
m=$(fn_self "$j" main_work)
echo "$ws_name: $threads threads; ctor_worker $w %, main_work $m %"
[ "$threads" -eq 2 ] || fail "expected 2 threads (main and the constructor's), got $threads"
ge "$w" 35 || fail "ctor_worker has $w % of the samples, expected about 50 %"
ge "$m" 35 || fail "main_work has $m % of the samples, expected about 50 %"
[ "$ws_failed" -eq 0 ] || show_flat "$j"
ws_finish
