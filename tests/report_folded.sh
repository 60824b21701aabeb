#!/bin/sh
# `whyslow export --format folded`: one line per distinct symbolised
# stack, outermost first, inlined frames included (suffix _[i]), equal
# stacks merged, counts exact; -o FILE writes the same; usage errors exit 2.
. "${SRCDIR:-.}/report_common.sh"

expect_status 0 "$WHYSLOW" export --format folded "$REC"
cat >"$tmp/want" <<'END'
[unknown] 10
main;cold_leaf 30
main;main;cold_leaf 50
main;outer_fn;inl_helper_[i];hot_leaf 60
END
cmp -s "$tmp/out" "$tmp/want" || fail "folded stacks differ: $(diff "$tmp/want" "$tmp/out")"
expect_status 0 "$WHYSLOW" export -f folded -o "$tmp/f.txt" "$REC"
cmp -s "$tmp/f.txt" "$tmp/want" || fail "-o FILE differs"
[ -s "$tmp/out" ] && fail "-o FILE also wrote to stdout"
expect_status 2 "$WHYSLOW" export "$REC"
expect_status 2 "$WHYSLOW" export --format svg "$REC"
expect_status 1 "$WHYSLOW" export --format folded "$tmp/nonexistent"
grep -q '^whyslow: ' "$tmp/err" || fail "error message without whyslow: prefix"
finish
