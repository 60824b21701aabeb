#!/bin/sh
# `whyslow report` as text: the header's facts and warnings, aligned
# columns with percentages and error margins ("53.3%  ±7.9"), inlined rows
# marked, call tree guides, source lines with their text, the thread
# table; colour only when asked for or on a terminal (never with
# --color never or in a pipe), and a --help that names every option of
# docs/cli.md.
. "${SRCDIR:-.}/report_common.sh"

expect_status 0 "$WHYSLOW" report --tree --lines --by-thread "$REC"
out=$tmp/out
grep -q "^whyslow report: $REC\$" "$out" || fail "title line"
grep -q '^  samples   150 (0 dropped, 10 unwind failures, 0 truncated)$' "$out" || fail "samples line"
grep -q '^  sampling  cpu clock via perf-task-clock (SIGPROF), 1000 Hz requested, 1000.0 Hz achieved$' "$out" ||
	fail "sampling line"
grep -q '^  warning: only 150 samples' "$out" || fail "short-run warning"
grep -q '^  note: synthetic profile written by report_symprog$' "$out" || fail "note"
grep -Eq '^ +53\.3% +±7\.9 +53\.3% +±7\.9 +80  cold_leaf +report_symprog +report_symprog\.c:'"$cold_leaf_line"'$' "$out" ||
	fail "cold_leaf row"
grep -Eq ' 0  inl_helper \[inlined\] +report_symprog ' "$out" || fail "inlined row"
grep -Eq '^ +40\.0% +40\.0%  .*└─ hot_leaf ' "$out" || fail "tree row for hot_leaf"
grep -Eq 'report_symprog\.c:[0-9]+ +cold_leaf +sink -= x;$' "$out" || fail "hot line with its text"
grep -Eq '^ +[0-9]+ +1001 +symprog +100 +66\.7% +±7\.5 +0\.100 +0\.200$' "$out" || fail "thread row"
# columns line up: every flat row has its function where the title is
awk '/^Flat profile/ {f = 1; next} f && /^$/ {f = 0} f' "$out" | sed 's/±/+/g' >"$tmp/flat"
want=$(head -1 "$tmp/flat" | awk '{ print index($0, "function") }')
cols=$(tail -n +2 "$tmp/flat" | awk '{ print index($0, $6) }' | sort -u | paste -sd' ')
[ "$cols" = "$want" ] || fail "flat profile columns are not aligned ($cols, title at $want): $(cat "$tmp/flat")"
if grep -q "$(printf '\033')" "$out"; then fail "colour in a pipe"; fi
if grep -q ' $' "$out"; then fail "trailing blanks: $(grep -n ' $' "$out" | head -3)"; fi

expect_status 0 "$WHYSLOW" report --color always "$REC"
grep -q "$(printf '\033')\[" "$tmp/out" || fail "--color always gives no colour"
expect_status 0 env NO_COLOR=1 "$WHYSLOW" report --color never "$REC"
if grep -q "$(printf '\033')" "$tmp/out"; then fail "--color never gives colour"; fi

# --help: every option of docs/cli.md, exit 0 on stdout
expect_status 0 "$WHYSLOW" report --help
for o in --top --tree --lines --by-thread --pid --tid --min-percent --json --color; do
	grep -q -- "^  $o" "$tmp/out" || fail "report --help lacks $o"
done
expect_status 0 "$WHYSLOW" export --help
for o in --format --output; do
	grep -q -- "$o" "$tmp/out" || fail "export --help lacks $o"
done
finish
