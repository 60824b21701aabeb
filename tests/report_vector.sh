#!/bin/sh
# `whyslow report --vector` (docs/cli.md) end to end: one loop kernel
# (report_vector_kernel.c) built scalar (-O2 -fno-tree-vectorize) and
# vectorised (-O3 -march=x86-64-v3), recorded, and checked in the JSON and
# the text: the class, the packed share, the vector width, the producer's
# flags, the loop's source lines; the packed/vwidth/vector expectations in
# report and compare, and compare's vector(kernel) verdict change; GCC's
# and clang's optimisation records (the compiler's reason next to the
# loop), bad records ignored, and another build's record (an -O3 one) not
# shown for a rebuild that made none.  Skips
# without capstone; the vectorised half skips on a CPU without AVX2.
. "${SRCDIR:-.}/report_common.sh"
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq not found (apt-get install jq)"
	exit 77
fi
# without capstone: exit 1 and say so (the synthetic recording's addresses
# are not code, so with capstone this only has to work)
"$WHYSLOW" report --vector "$REC" >"$tmp/out" 2>"$tmp/err"
st=$?
if grep -q 'built without capstone' "$tmp/err"; then
	[ "$st" -eq 1 ] || fail "--vector without capstone exited $st, expected 1"
	grep -qx 'whyslow: --vector: built without capstone (install libcapstone-dev and reconfigure)' \
		"$tmp/err" || fail "no-capstone message: $(cat "$tmp/err")"
	[ "$failures" -eq 0 ] || finish
	echo "SKIP: whyslow is built without capstone (install libcapstone-dev and reconfigure)"
	exit 77
fi
[ "$st" -eq 0 ] || fail "report --vector on a synthetic recording exited $st: $(cat "$tmp/err")"
CC=${CC:-cc}
K=$SRCDIR/report_vector_kernel.c
line_of() { grep -n "$1" "$K" | cut -d: -f1; }
kfirst=$(line_of kernel-loop-first) klast=$(line_of kernel-loop-last)
afirst=$(line_of alias-loop-first) alast=$(line_of alias-loop-last)
dfirst=$(line_of dot-loop-first) dlast=$(line_of dot-loop-last)
# clang records its flags only when asked to
record_flags=
if $CC --version 2>/dev/null | grep -qi clang; then
	record_flags=-grecord-command-line
fi

check() { # FILE WHAT JQ-EXPRESSION
	if ! jq -e "$3" "$1" >/dev/null 2>"$tmp/jqerr"; then
		fail "$2: $3 is not true: $(head -c 300 "$tmp/jqerr")"
		jq -c "$4" "$1" 2>/dev/null | head -c 1500
		echo
	fi
}
# record NAME PROGRAM ARGS...: a recording in $tmp/NAME, its --vector JSON in
# $tmp/NAME.json
record() {
	name=$1
	shift
	if ! "$WHYSLOW" record -q -o "$tmp/$name" -- "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
		echo "cannot record $*: $(head -c 300 "$tmp/$name.err")"
		exit 99
	fi
	"$WHYSLOW" report --vector --json "$tmp/$name" >"$tmp/$name.json" ||
		fail "report --vector --json $name exited $?"
}
F() { # the row of function $1
	echo ".vector.functions[] | select(.function == \"$1\")"
}

# ---- scalar: -O2 -fno-tree-vectorize, no -march ----
mkdir "$tmp/plain" "$tmp/records" || exit 99
cd "$tmp/plain" || exit 99
# shellcheck disable=SC2086 # record_flags: zero or one word
$CC -g -O2 -fno-tree-vectorize $record_flags -o scalar "$K" || exit 99
record scalar ./scalar kernel 3e8
S=$tmp/scalar.json
check "$S" cpu '.vector.cpu.source == "cpuid of the machine running the report" and
	(.vector.cpu.bits | IN(128, 256, 512))' .vector.cpu
check "$S" kernel-row "[$(F kernel)] | length == 1" .vector
check "$S" scalar "$(F kernel) | .analysed and .class == \"scalar\" and .packed_percent < 10 and
	.vector_bits == 0 and .samples >= 50" "$(F kernel)"
check "$S" producer "$(F kernel) | .producer | .opt == \"-O2\" and .tree_vectorize == false and
	.vectoriser == false and .flags_recorded and (.march == null or .march == \"x86-64\")" \
	"$(F kernel) | .producer"
check "$S" loop "$(F kernel) | .loops[0] | .innermost and .class == \"scalar\" and
	(.file | endswith(\"report_vector_kernel.c\")) and
	.first_line >= $kfirst and .last_line <= $klast and .first_line <= .last_line and
	.own_samples > 0 and .static_mix.fp_scalar_double >= 2 and .static_mix.fp_packed_double == 0" \
	"$(F kernel) | .loops"
check "$S" verdict "$(F kernel) | .loops[0].verdict | test(\"^scalar double loop, 0 % packed, built with -O2 -fno-tree-vectorize and no -march: the vectoriser was off; this CPU could do\")" \
	"$(F kernel) | .loops[0].verdict"
check "$S" hint "$(F kernel) | .opt_record == null and (.opt_record_hint | test(\"-fsave-optimization-record\"))" \
	"$(F kernel) | .opt_record_hint"
# the text
expect_status 0 "$WHYSLOW" report --vector --color never "$tmp/scalar"
grep -q '^Vectorisation' "$tmp/out" || fail "text: no Vectorisation section"
grep -q 'this CPU (cpuid of the machine running this report)' "$tmp/out" ||
	fail "text: the CPU line does not say whose CPU it is"
grep -q '^ *[0-9.]*% *scalar *0\.0% .* kernel ' "$tmp/out" ||
	fail "text: no 'scalar 0.0% ... kernel' row: $(sed -n '/^Vectorisation/,$p' "$tmp/out" | head -8)"
grep -q "^    loop report_vector_kernel\.c:$kfirst" "$tmp/out" ||
	fail "text: no loop at report_vector_kernel.c:$kfirst"
expect_status 0 "$WHYSLOW" report --top 5 "$tmp/scalar"
grep -q '^Vectorisation' "$tmp/out" && fail "text: a Vectorisation section without --vector"
expect_status 0 "$WHYSLOW" report --json "$tmp/scalar"
jq -e 'has("vector") | not' "$tmp/out" >/dev/null || fail "json: vector without --vector"
expect_status 0 "$WHYSLOW" report --vector --json --top 1 "$tmp/scalar"
jq -e '.vector.functions | length == 1' "$tmp/out" >/dev/null || fail "json: --top 1 --vector"
# expectations
expect_status 0 "$WHYSLOW" report --expect 'vector(kernel) == scalar' \
	--expect 'packed(kernel) < 10' --expect 'vwidth(kernel) == 0' --expect 'vector(kern*) == scalar' \
	--expect 'packed(no_such_function) == 0' "$tmp/scalar"
expect_status 1 "$WHYSLOW" report --expect 'vector(kernel) == vectorised' "$tmp/scalar" &&
	{ grep -q 'expectation failed: vector(kernel) == vectorised (measured: scalar)' "$tmp/err" ||
		fail "failed vector(): $(cat "$tmp/err")"; }
expect_status 1 "$WHYSLOW" report --expect 'vector(no_such_function) == scalar' "$tmp/scalar" &&
	{ grep -q '(measured: (none))' "$tmp/err" || fail "absent function: $(cat "$tmp/err")"; }
for e in 'vector(kernel) > 3' 'packed > 5' 'vwidth(kernel) >= wide' 'vector == scalar'; do
	expect_status 2 "$WHYSLOW" report --expect "$e" "$tmp/scalar" ||
		fail "--expect '$e' is not a usage error"
done

# ---- vectorised: -O3 -march=x86-64-v3 (AVX2, FMA) ----
# shellcheck disable=SC2086
if ! $CC -g -O3 -march=x86-64-v3 $record_flags -o vector "$K" 2>"$tmp/cc.err"; then
	echo "note: $CC cannot build -march=x86-64-v3: $(head -c 200 "$tmp/cc.err"); vectorised half skipped"
elif ! ./vector kernel 1000 >/dev/null 2>&1; then
	echo "note: this CPU cannot run x86-64-v3 code (AVX2, FMA): vectorised half skipped"
else
	record vector ./vector kernel 6e8
	V=$tmp/vector.json
	check "$V" vectorised "$(F kernel) | .class == \"vectorised\" and .packed_percent > 80 and
		.vector_bits == 256 and .element == \"double\"" "$(F kernel)"
	check "$V" producer "$(F kernel) | .producer | .opt == \"-O3\" and .march == \"x86-64-v3\" and
		.isa == \"AVX2\" and .isa_bits == 256 and .fma and .vectoriser" "$(F kernel) | .producer"
	check "$V" loop "$(F kernel) | .loops[0] | .class == \"vectorised\" and .vector_bits == 256 and
		.first_line >= $kfirst and .last_line <= $klast and .static_mix.fp_256 >= 1 and
		(.verdict | test(\"^vectorised: [0-9]+ % of FP instructions packed, 256-bit \\\\(AVX2\\\\)\"))" \
		"$(F kernel) | .loops[0]"
	expect_status 0 "$WHYSLOW" report --expect 'vector(kernel) == vectorised' \
		--expect 'packed(kernel) > 80' --expect 'vwidth(kernel) == 256' "$tmp/vector"
	expect_status 0 "$WHYSLOW" compare --expect 'before.vector(kernel) == scalar' \
		--expect 'after.vector(kernel) == vectorised' --expect 'after.vwidth(kernel) >= 256' \
		--expect 'before.packed(kernel) < 10' \
		--expect 'after.packed(kernel) / before.packed(kernel) > 8' "$tmp/scalar" "$tmp/vector"
	expect_status 1 "$WHYSLOW" compare --expect 'vector(kernel) == scalar' "$tmp/scalar" "$tmp/vector"
	# compare's Changed section: kernel's class and packed share before and
	# after, as report --vector gives them for each run
	pb=$(jq -r "$(F kernel) | .packed_percent" "$S")
	pa=$(jq -r "$(F kernel) | .packed_percent" "$V")
	expect_status 0 "$WHYSLOW" compare --json "$tmp/scalar" "$tmp/vector"
	jq -e --argjson pb "$pb" --argjson pa "$pa" '[.verdicts[] | select(.name == "vector")] ==
		[{"name": "vector", "function": "kernel", "functions": ["kernel", "kernel"],
		"before": "scalar", "after": "vectorised", "what": "packed", "unit": "%",
		"values": [$pb, $pa]}]' "$tmp/out" >/dev/null ||
		fail "compare json verdicts: $(jq -c .verdicts "$tmp/out"), report: $pb -> $pa"
	expect_status 0 "$WHYSLOW" compare --color never "$tmp/scalar" "$tmp/vector"
	grep -Eq '^  vector\(kernel\) +scalar +vectorised +packed ' "$tmp/out" ||
		fail "compare text: no 'vector(kernel) scalar vectorised' line: $(sed -n '/^Changed/,$p' "$tmp/out")"
fi

# ---- optimisation records: the compiler's reason next to the loop ----
cd "$tmp/records" || exit 99
mkdir obj junk || exit 99
if $CC --version 2>/dev/null | grep -q 'Free Software Foundation' &&
	$CC -g -O3 --param=vect-max-version-for-alias-checks=0 -fsave-optimization-record \
		-c "$K" -o obj/report_vector_kernel.o 2>"$tmp/cc.err" &&
	$CC obj/report_vector_kernel.o -o alias; then
	ls obj/*.opt-record.json.gz >/dev/null 2>&1 || fail "GCC wrote no .opt-record.json.gz in obj/"
	# records that must be ignored (newer, named after the source): not
	# gzip, JSON cut short, a gzip stream cut short, YAML that is garbage
	echo 'not a record' >junk/report_vector_kernel.a.opt-record.json.gz
	printf '[{"format": "1"}, [], [{"kind": "failure", "location": {"file": "report_vector_kernel.c", "line": ' |
		gzip >junk/report_vector_kernel.b.opt-record.json.gz
	head -c 2000 obj/report_vector_kernel.c.opt-record.json.gz >junk/report_vector_kernel.c.opt-record.json.gz
	printf -- '--- !Missed\nPass: loop-vectorize\nDebugLoc: { File: \n  - String: '"'"'unterminated\n\001\377' \
		>junk/report_vector_kernel.opt.yaml
	record alias ./alias alias 3e8
	A=$tmp/alias.json
	check "$A" gcc-record "$(F copy_alias) | .class == \"scalar\" and
		(.opt_record | endswith(\"obj/report_vector_kernel.c.opt-record.json.gz\")) and
		.loops[0].first_line >= $afirst and .loops[0].last_line <= $alast and
		(.loops[0].remarks | length > 0 and all(.kind | IN(\"missed\", \"passed\", \"analysis\"))) and
		(.loops[0].remarks[0].text | test(\"alias\")) and
		(.loops[0].verdict | test(\"did not vectorise it \\\\(GCC: .*alias\"))" "$(F copy_alias)"
	expect_status 0 "$WHYSLOW" report --vector --color never "$tmp/alias"
	grep -q '      compiler (missed, report_vector_kernel.c:[0-9]*): .*alias' "$tmp/out" ||
		fail "text: no compiler remark about aliasing: $(grep -A6 '^  copy_alias' "$tmp/out")"
	grep -q '    optimisation record: ' "$tmp/out" || fail "text: the record's path is not shown"
	# The same source rebuilt -O0 without -fsave-optimization-record, in
	# the same place: the -O3 build's record (still there) is not this
	# build's; the producer (GCC lists its switches) says none was made.
	if $CC -g -O0 -c "$K" -o obj/report_vector_kernel.o && $CC obj/report_vector_kernel.o -o alias0; then
		ls obj/report_vector_kernel.c.opt-record.json.gz >/dev/null 2>&1 || fail "the -O3 record is gone"
		record alias0 ./alias0 alias 1e8
		check "$tmp/alias0.json" stale-record "$(F copy_alias) | .opt_record == null and
			(.producer.opt == \"-O0\") and (.opt_record_hint | test(\"-fsave-optimization-record\")) and
			all(.loops[]; (.remarks // []) | length == 0)" "$(F copy_alias)"
		expect_status 0 "$WHYSLOW" report --vector --color never "$tmp/alias0"
		grep -q '    optimisation record: \|compiler (passed\|compiler (missed' "$tmp/out" &&
			fail "text: another build's record is shown for the -O0 build"
	else
		fail "cannot rebuild the kernel -O0"
	fi
else
	echo "note: $CC is not GCC (or has no -fsave-optimization-record): GCC record part skipped"
fi
# The source under a long path: LLVM then wraps each DebugLoc map over two
# lines, which the reader must join (a distcheck build path did that).
long=a-directory-whose-name-is-long-enough-that-llvm-wraps-the-debug-location-map
mkdir -p "$long" && cp "$K" "$long/report_vector_kernel.c"
if command -v clang >/dev/null 2>&1 &&
	clang -g -O2 -fsave-optimization-record -c "$long/report_vector_kernel.c" \
		-o obj/kernel_clang.o 2>"$tmp/cc.err" &&
	clang obj/kernel_clang.o -o dotc; then
	# clang names it after the object: kernel_clang.opt.yaml (the stem of the
	# source is not in it: found by the fallback that reads other records)
	record dotc ./dotc dot 3e8
	C=$tmp/dotc.json
	check "$C" clang-record "$(F dot) | .class == \"scalar\" and
		(.opt_record | endswith(\"obj/kernel_clang.opt.yaml\")) and
		.loops[0].first_line >= $dfirst and .loops[0].last_line <= $dlast and
		(.loops[0].remarks | any(.text | test(\"reorder floating-point\"))) and
		.producer.compiler == \"clang\" and .producer.flags_recorded == false" "$(F dot)"
else
	echo "note: no clang with -fsave-optimization-record: clang record part skipped"
fi
finish
