#!/bin/sh
# `whyslow export --format pprof`: a gzip file whose content decodes as
# perftools.profiles.Profile (protoc --decode with report_profile.proto,
# and --decode_raw) with string_table[0] = "", sample types samples/count
# and cpu/nanoseconds, the period, one sample per stack with values
# [count, count * period] and pid/tid/thread labels, a location with two
# lines for the inlined call (inl_helper, then outer_fn), functions with
# names and files, the main module's mapping with its build-id.
. "${SRCDIR:-.}/report_common.sh"
if ! command -v protoc >/dev/null 2>&1; then
	echo "SKIP: protoc not found (apt-get install protobuf-compiler)"
	exit 77
fi

expect_status 0 "$WHYSLOW" export --format pprof -o "$tmp/p.pb.gz" "$REC"
[ "$(head -c 2 "$tmp/p.pb.gz" | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "not gzip"
gzip -dc "$tmp/p.pb.gz" >"$tmp/p.pb" || fail "gzip -d failed"
protoc --decode_raw <"$tmp/p.pb" >"$tmp/raw" || fail "protoc --decode_raw failed"
protoc --proto_path="$SRCDIR" --decode=perftools.profiles.Profile report_profile.proto \
	<"$tmp/p.pb" >"$tmp/d" 2>"$tmp/derr" || fail "protoc --decode failed: $(cat "$tmp/derr")"
d=$tmp/d

[ "$(grep -m1 '^string_table:' "$d")" = 'string_table: ""' ] || fail "string_table[0] is not empty"
# string_table index -> string
strings() { grep '^string_table:' "$d" | sed 's/^string_table: //'; }
str() { strings | sed -n "$(($1 + 1))p"; }
[ "$(grep -c '^sample {' "$d")" -eq 4 ] || fail "expected 4 samples"
# values: count and count * 1 ms
vals=$(awk '/^sample \{/ {s = 1} s && /^  value:/ {print $2} /^}/ {s = 0}' "$d" | paste -sd' ')
[ "$vals" = "60 60000000 30 30000000 10 10000000 50 50000000" ] || fail "sample values: $vals"
grep -q '^period: 1000000$' "$d" || fail "period"
types=$(awk '/^sample_type \{/ {s = 1} s && /type:|unit:/ {print $2} /^}/ {s = 0}' "$d" | while read -r i; do str "$i"; done | paste -sd' ')
[ "$types" = '"samples" "count" "cpu" "nanoseconds"' ] || fail "sample types: $types"
grep -q '^duration_nanos: 250000000$' "$d" || fail "duration"
strings | grep -qx '"pid"' && strings | grep -qx '"tid"' && strings | grep -qx '"thread"' || fail "labels"
strings | grep -qx '"inl_helper"' && strings | grep -qx '"hot_leaf"' || fail "function names"
# the inlined location: two lines, inl_helper at its call line, then outer_fn
fid() { awk -v want="$(strings | grep -nx "\"$1\"" | cut -d: -f1)" '
	/^function \{/ {f = 1} f && /^  id:/ {id = $2} f && /^  name:/ {if ($2 + 1 == want) print id} /^}/ {f = 0}' "$d"; }
inl=$(fid inl_helper)
outer=$(fid outer_fn)
awk -v a="$inl" -v b="$outer" -v la="$helper_call_line" -v lb="$outer_call_line" '
	/^location \{/ {l = 1; n = 0; s = ""} l && /function_id:/ {n++; s = s " " $2}
	l && /^    line:/ {s = s ":" $2} /^}/ {if (l && s == " " a ":" la " " b ":" lb) found = 1; l = 0}
	END {exit !found}' "$d" || fail "no location with lines inl_helper:$helper_call_line, outer_fn:$outer_call_line"
# the main module's mapping carries its build-id
bid=$(readelf -n "$SYMPROG" 2>/dev/null | awk '/Build ID/ {print $3}')
if [ -n "$bid" ]; then
	strings | grep -qx "\"$bid\"" || fail "build-id $bid not in the string table"
fi
grep -q '^  has_inline_frames: true$' "$d" || fail "has_inline_frames"
# writing binary to a terminal is refused; not testable without one
expect_status 0 "$WHYSLOW" export --format pprof "$REC"
cmp -s "$tmp/out" "$tmp/p.pb.gz" || gzip -dc <"$tmp/out" | cmp -s - "$tmp/p.pb" || fail "stdout differs from -o"
finish
