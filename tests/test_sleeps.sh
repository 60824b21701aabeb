#!/bin/sh
# Sleeps are not cut short by sampling: t_sleeps runs sleep(1),
# nanosleep(300 ms), usleep(200000), poll(NULL, 0, 300), select(100 ms),
# clock_nanosleep (relative and absolute) and epoll_wait(100 ms) in two
# threads, timing each; it exits 1 if one returned early or failed.
# Profiled with --clock wall (a signal every 500 us in every thread), it
# must still exit 0.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
ws_require
ws_workdir

"$(prog t_sleeps)" || hard_error "t_sleeps fails unprofiled"
d=$WORK/rec
ws_record "$d" --clock wall -F 2000 -- "$(prog t_sleeps)" 2>"$WORK/err"
rc=$?
if [ $rc -ne 0 ]; then
	sed 's/^/    /' "$WORK/err"
	fail "t_sleeps under whyslow record --clock wall exited $rc (a sleep was cut short or failed)"
fi
ws_finish
