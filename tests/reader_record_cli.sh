#!/bin/sh
# `whyslow record`'s command line and process handling (docs/cli.md),
# without the collector: the checks and refusals happen before the program
# runs, and the runs here preload an empty library instead of libwhyslow.so
# so that they prove what record itself does.
#
# Proves: usage errors exit 2 with a "whyslow:" message naming the option;
# a missing program exits 127, an unrunnable one 126; a statically linked
# program (directly or as a script's interpreter, also via /usr/bin/env)
# and a set-user-ID program are refused before they run; -o never touches
# a non-empty directory; the default directory name gets -2 when taken;
# the collector's environment is set from the options; the program's exit
# status passes through; a program killed by a signal kills whyslow with
# the same signal; SIGTERM is forwarded to the program.  As an MPI rank
# (simulated with the launchers' variables) the ranks of one job share a
# directory that holds their job's marker, while Slurm's SLURM_PROCID
# alone (every batch script has it) is no rank, and neither another job
# nor an earlier run of the same rank joins an existing recording, even
# with the ranks starting at once.
set -u
# a test run inside an MPI job or a Slurm allocation is no rank itself
unset OMPI_COMM_WORLD_RANK PMIX_RANK PMI_RANK MV2_COMM_WORLD_RANK PMIX_NAMESPACE \
	OMPI_MCA_ess_base_jobid OMPI_MCA_orte_hnp_uri SLURM_PROCID SLURM_JOB_ID SLURM_STEP_ID \
	SLURM_STEP_NUM_TASKS SLURM_NTASKS

if [ -z "${WHYSLOW:-}" ] || [ ! -x "$WHYSLOW" ]; then
	echo "SKIP: whyslow is not built (WHYSLOW='${WHYSLOW:-}')"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/reader_record_cli.XXXXXX") || exit 99
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect STATUS PATTERN CMD...: run CMD, check its exit status and that its
# stderr contains PATTERN (a grep -E expression; empty: anything).
expect() {
	want=$1 pattern=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$want" ]; then
		fail "$*: exit status $got, expected $want; stderr: $(cat "$tmp/err")"
	elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$tmp/err"; then
		fail "$*: stderr lacks '$pattern': $(cat "$tmp/err")"
	fi
}

CC=${CC:-cc}
have_cc=no
if echo 'int main(void) { return 0; }' >"$tmp/t.c" && $CC -o "$tmp/t" "$tmp/t.c" 2>/dev/null; then
	have_cc=yes
fi

# A library for LD_PRELOAD that does nothing: runs prove what record does.
lib=
if [ $have_cc = yes ] && echo 'int whyslow_test_empty;' >"$tmp/empty.c" &&
	$CC -shared -fPIC -o "$tmp/libempty.so" "$tmp/empty.c" 2>/dev/null; then
	lib=$tmp/libempty.so
	cp "$lib" "$tmp/libother.so"
else
	echo "SKIP (part): no C compiler to build an empty preload library: runs are not tested"
fi
WHYSLOW_LIB=${lib:-$0}
export WHYSLOW_LIB
ulimit -c 0 2>/dev/null

# ---- usage errors: exit 2 and a message naming what is wrong
expect 2 '^whyslow: .*--bogus' "$WHYSLOW" record --bogus -- true
expect 2 '^whyslow: .*-Z' "$WHYSLOW" record -Z true
expect 2 '^whyslow: .*-o.*needs an argument' "$WHYSLOW" record -o
expect 2 '^whyslow: .*no program' "$WHYSLOW" record
expect 2 '^whyslow: .*no program' "$WHYSLOW" record -q --
expect 2 '^whyslow: .*--frequency' "$WHYSLOW" record -F 0 -- true
expect 2 '^whyslow: .*--frequency' "$WHYSLOW" record --frequency 100001 -- true
expect 2 '^whyslow: .*--frequency' "$WHYSLOW" record -F 10x -- true
expect 2 '^whyslow: .*--depth' "$WHYSLOW" record --depth 1025 -- true
expect 2 '^whyslow: .*--clock' "$WHYSLOW" record --clock sundial -- true
expect 2 '^whyslow: .*--source' "$WHYSLOW" record --source magic -- true
expect 2 '^whyslow: .*--signal' "$WHYSLOW" record --signal SIGBOGUS -- true
expect 2 '^whyslow: .*--signal' "$WHYSLOW" record --signal KILL -- true
expect 2 '^whyslow: .*--signal' "$WHYSLOW" record --signal SIGRTMIN+99 -- true
expect 0 '' "$WHYSLOW" record --help
grep -q 'usage: whyslow record' "$tmp/out" || fail "--help prints no usage on stdout"

# ---- programs that cannot be run
expect 127 '^whyslow: no-such-program-xyz: no such program' \
	"$WHYSLOW" record -- no-such-program-xyz
expect 127 'no such program' "$WHYSLOW" record -- "$tmp/missing/prog"
printf 'not a program\n' >"$tmp/noexec"
chmod 644 "$tmp/noexec"
if [ "$(id -u)" != 0 ]; then # root may execute anything with an x bit only
	expect 126 '^whyslow: .*noexec' "$WHYSLOW" record -- "$tmp/noexec"
fi
expect 126 'is a directory' "$WHYSLOW" record -- "$tmp"
# executable but neither ELF nor script: exec decides (ENOEXEC)
printf '\001\002garbage\n' >"$tmp/garbage"
chmod 755 "$tmp/garbage"
expect 126 'cannot execute' "$WHYSLOW" record -o "$tmp/o-garbage" -- "$tmp/garbage"
[ ! -e "$tmp/o-garbage" ] || fail "a failed exec left its output directory behind"

# ---- a statically linked program, directly and as an interpreter
if [ $have_cc = yes ] && $CC -static -o "$tmp/static" "$tmp/t.c" 2>/dev/null; then
	expect 2 'static: statically linked: LD_PRELOAD cannot load the collector' \
		"$WHYSLOW" record -o "$tmp/o-static" -- "$tmp/static"
	[ ! -e "$tmp/o-static" ] || fail "a refused program left an output directory"
	printf '#!%s -x\necho hi\n' "$tmp/static" >"$tmp/script"
	chmod 755 "$tmp/script"
	expect 2 'statically linked' "$WHYSLOW" record -- "$tmp/script"
	mkdir "$tmp/bin"
	cp "$tmp/static" "$tmp/bin/staticinterp"
	printf '#!/usr/bin/env staticinterp\necho hi\n' >"$tmp/envscript"
	chmod 755 "$tmp/envscript"
	PATH="$tmp/bin:$PATH" expect 2 'staticinterp: statically linked' \
		"$WHYSLOW" record -- "$tmp/envscript"
	# found through PATH like execvp
	PATH="$tmp/bin:$PATH" expect 2 'statically linked' "$WHYSLOW" record staticinterp
else
	echo "SKIP (part): cannot link a static program (no libc.a?): static refusal untested"
fi

# ---- a set-user-ID program: the loader would ignore LD_PRELOAD
if [ -x /bin/true ]; then
	cp /bin/true "$tmp/suid-true"
	chmod u+s "$tmp/suid-true"
	expect 2 'suid-true: is set-user-ID' "$WHYSLOW" record -o "$tmp/o-suid" -- "$tmp/suid-true"
	cp /bin/true "$tmp/sgid-true"
	chmod g+s "$tmp/sgid-true"
	expect 2 'set-group-ID' "$WHYSLOW" record -- "$tmp/sgid-true"
else
	echo "SKIP (part): no /bin/true to copy: set-user-ID refusal untested"
fi

# ---- the library
WHYSLOW_LIB=$tmp/nonexistent.so expect 1 'nonexistent.so.*WHYSLOW_LIB' \
	"$WHYSLOW" record -o "$tmp/o-nolib" -- true
[ ! -e "$tmp/o-nolib" ] || fail "a missing library left an output directory"

# ---- -o never overwrites a recording
mkdir "$tmp/full"
echo data >"$tmp/full/host.1.wsp"
before=$(cd "$tmp/full" && ls -la --time-style=full-iso . && cat host.1.wsp)
expect 2 'full: already exists and is not empty' "$WHYSLOW" record -o "$tmp/full" -- true
after=$(cd "$tmp/full" && ls -la --time-style=full-iso . && cat host.1.wsp)
[ "$before" = "$after" ] || fail "-o changed a non-empty directory"
echo x >"$tmp/afile"
expect 2 'afile: already exists and is not a directory' "$WHYSLOW" record -o "$tmp/afile" -- true

if [ -z "$lib" ]; then
	[ $failures = 0 ] || exit 1
	exit 0
fi

# ---- runs (with the empty library: no profile is written)
expect 3 'no profile was written to .*o-exit' "$WHYSLOW" record -o "$tmp/o-exit" -- sh -c 'exit 3'
[ -d "$tmp/o-exit" ] || fail "-o DIR was not created"
mkdir "$tmp/o-empty"
expect 0 '' "$WHYSLOW" record -q -o "$tmp/o-empty" -- true
# without --, options after PROGRAM are its own
(cd "$tmp" && expect 5 '' "$WHYSLOW" record -q -o o-nodash sh -c 'exit 5' -o o-not-ours)
[ -d "$tmp/o-nodash" ] && [ ! -e "$tmp/o-not-ours" ] || fail "options after PROGRAM taken by whyslow"

# the environment of the program
LD_PRELOAD=$tmp/libother.so expect 0 '' "$WHYSLOW" record -q -o "$tmp/o-env" -F 250 \
	--clock wall --source timer --depth 17 --signal SIGRTMIN+2 -- \
	sh -c 'env | grep -E "^(WHYSLOW_|LD_PRELOAD=)" | sort >"$0"' "$tmp/env.txt"
absdir=$(cd "$tmp/o-env" && pwd -P)
abslib=$(cd "$tmp" && pwd -P)/libempty.so
for want in "WHYSLOW_FREQUENCY=250" "WHYSLOW_CLOCK=wall" "WHYSLOW_SOURCE=timer" \
	"WHYSLOW_DEPTH=17" "WHYSLOW_OUTPUT_DIR=$absdir" "LD_PRELOAD=$abslib:$tmp/libother.so"; do
	grep -qxF "$want" "$tmp/env.txt" || fail "environment lacks $want: $(cat "$tmp/env.txt")"
done
sig=$(sed -n 's/^WHYSLOW_SIGNAL=//p' "$tmp/env.txt")
[ -n "$sig" ] && [ "$sig" -ge 34 ] || fail "WHYSLOW_SIGNAL=$sig for SIGRTMIN+2"
expect 0 '' "$WHYSLOW" record -q -o "$tmp/o-env2" --signal 12 -- \
	sh -c 'echo "$WHYSLOW_SIGNAL $WHYSLOW_FREQUENCY $WHYSLOW_CLOCK $WHYSLOW_SOURCE $WHYSLOW_DEPTH" >"$0"' \
	"$tmp/env2.txt"
[ "$(cat "$tmp/env2.txt")" = "12 1000 cpu auto 128" ] || fail "defaults: $(cat "$tmp/env2.txt")"

# default directory names: a taken one gets -2
mkdir "$tmp/cwd"
(cd "$tmp/cwd" && "$WHYSLOW" record -q -- true 2>/dev/null && "$WHYSLOW" record -q -- true 2>/dev/null)
n=$(cd "$tmp/cwd" && ls -d whyslow-[0-9]*-[0-9]* 2>/dev/null | wc -l)
[ "$n" = 2 ] || fail "two runs made $n default directories: $(ls "$tmp/cwd")"
ls "$tmp/cwd" | grep -Eqv '^whyslow-[0-9]{8}-[0-9]{6}(-2)?$' && fail "bad default names: $(ls "$tmp/cwd")"

# ---- MPI ranks (the launchers' variables simulated)
mkdir "$tmp/mpi"
cd "$tmp/mpi" || exit 99
full() { (cd "$tmp/full" && ls -la --time-style=full-iso . | grep -v ' \.\.$' && cat host.1.wsp); }
before=$(full)
# SLURM_PROCID alone is in every batch script and srun --pty shell: no rank,
# so two runs get two fresh directories, and -o keeps refusing a recording
for i in 1 2; do
	SLURM_PROCID=0 SLURM_JOB_ID=123 SLURM_NTASKS=4 expect 0 '' "$WHYSLOW" record -q -- true
done
n=$(ls -d whyslow-[0-9]*-[0-9]* 2>/dev/null | wc -l)
[ "$n" = 2 ] && [ -z "$(ls -d whyslow-mpi-* 2>/dev/null)" ] ||
	fail "SLURM_PROCID outside a step of several tasks was taken for a rank: $(ls)"
SLURM_PROCID=0 SLURM_JOB_ID=123 SLURM_STEP_ID=0 SLURM_STEP_NUM_TASKS=1 \
	expect 2 'full: already exists and is not empty' "$WHYSLOW" record -o "$tmp/full" -- true
[ "$before" = "$(full)" ] ||
	fail "a one-task Slurm step changed a non-empty directory"
# a step of two tasks: rank 0 makes whyslow-mpi-JOB.STEP with the marker,
# rank 1 joins it; a rank of another step, or the same rank again, does not
slurm() { # RANK STEP CMD...
	r=$1 s=$2
	shift 2
	SLURM_PROCID=$r SLURM_JOB_ID=123 SLURM_STEP_ID=$s SLURM_STEP_NUM_TASKS=2 "$@"
}
slurm 0 7 expect 0 '' "$WHYSLOW" record -q -- true
[ "$(cat whyslow-mpi-123.7/.whyslow-job 2>/dev/null)" = "slurm 123.7" ] ||
	fail "rank 0 of step 123.7 left no marker: $(ls -A whyslow-mpi-123.7 2>&1)"
slurm 1 7 expect 0 '' "$WHYSLOW" record -q -- true
slurm 1 8 expect 2 'holds another job.s recording' "$WHYSLOW" record -q -o whyslow-mpi-123.7 -- true
touch whyslow-mpi-123.7/host.r1.4242.wsp
slurm 1 7 expect 2 'already holds a recording of rank 1' "$WHYSLOW" record -q -- true
slurm 0 7 expect 2 'not empty' "$WHYSLOW" record -q -o "$tmp/full" -- true
[ "$before" = "$(full)" ] ||
	fail "a rank changed a non-empty directory without a marker"
# Open MPI: the namespace and the launcher's address make the job; an
# empty DIR made beforehand is claimed; 4 ranks starting at once agree
ompi() { # RANK JOB CMD...
	r=$1 j=$2
	shift 2
	OMPI_COMM_WORLD_RANK=$r PMIX_RANK=$r PMIX_NAMESPACE=$j \
		OMPI_MCA_orte_hnp_uri="$j.0;tcp://192.0.2.1:4242" "$@"
}
mkdir premade
for r in 0 1 2 3; do
	ompi $r 77 "$WHYSLOW" record -q -o premade -- true 2>"$tmp/race$r.err" &
done
ok=0
for r in 0 1 2 3; do
	wait %$((r + 1)) || ok=1
done
[ $ok = 0 ] || fail "4 ranks starting at once: $(cat "$tmp"/race?.err)"
[ "$(cat premade/.whyslow-job 2>/dev/null)" = "job 77 launcher 77.0;tcp://192.0.2.1:4242" ] ||
	fail "the ranks did not claim the empty DIR: $(ls -A premade)"
ompi 0 78 expect 2 'holds another job.s recording' "$WHYSLOW" record -q -o premade -- true
# two jobs starting at once on one new DIR: one of them gets it
for j in 80 81; do
	for r in 0 1; do
		ompi $r $j "$WHYSLOW" record -q -o twojobs -- true 2>"$tmp/two$j$r.err" &
	done
done
wait
job=$(sed 's/^job \([0-9]*\) .*/\1/' twojobs/.whyslow-job 2>/dev/null)
if [ "$job" = 80 ] || [ "$job" = 81 ]; then
	other=$((161 - job))
	for r in 0 1; do
		grep -q 'another job' "$tmp/two$job$r.err" && fail "job $job rank $r was refused its own DIR"
		grep -q 'another job' "$tmp/two$other$r.err" || fail "job $other rank $r joined job $job"
	done
else
	fail "two jobs at once: marker '$(cat twojobs/.whyslow-job 2>&1)'"
fi
cd "$tmp" || exit 99

# killed by a signal: whyslow dies of it too (the shell sees 128 + 11)
expect 139 'sh was killed by SIGSEGV' "$WHYSLOW" record -o "$tmp/o-segv" -- sh -c 'kill -SEGV $$'

# SIGTERM to whyslow reaches the program (which then dies of it)
"$WHYSLOW" record -q -o "$tmp/o-term" -- sh -c 'echo $$ >"$0"; exec sleep 30' "$tmp/child.pid" \
	2>"$tmp/term.err" &
wpid=$!
i=0
while [ ! -s "$tmp/child.pid" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM $wpid
wait $wpid
st=$?
[ $st = 143 ] || fail "SIGTERM to whyslow: exit status $st, expected 143: $(cat "$tmp/term.err")"
cpid=$(cat "$tmp/child.pid" 2>/dev/null)
if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then
	fail "the program survived SIGTERM to whyslow"
	kill -KILL "$cpid"
fi
grep -q 'killed by SIGTERM' "$tmp/term.err" || fail "no message for SIGTERM: $(cat "$tmp/term.err")"

[ $failures = 0 ] || exit 1
echo "reader_record_cli: all passed"
exit 0
