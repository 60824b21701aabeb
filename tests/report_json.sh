#!/bin/sh
# `whyslow report --json` (docs/cli.md, schema whyslow-report 1) on a
# recording with known stacks: valid JSON with the schema's keys and
# types, sections only when asked for, exact self/total counts (inlined
# functions as rows of their own, recursion counted once), Wilson error
# margins, call tree, source lines with their text, threads, processes,
# --pid/--tid filters, --top, an incomplete file, and the exit statuses of
# usage errors and unreadable recordings.
. "${SRCDIR:-.}/report_common.sh"
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq not found (apt-get install jq)"
	exit 77
fi

# check FILE DESCRIPTION JQ-EXPRESSION: the expression must be true.
check() {
	if ! jq -e "$3" "$1" >/dev/null 2>"$tmp/jqerr"; then
		fail "$2: $3 is not true: $(head -c 300 "$tmp/jqerr")"
	fi
}

J=$tmp/all.json
expect_status 0 "$WHYSLOW" report --json --tree --lines --by-thread "$REC" && cp "$tmp/out" "$J"
jq . "$J" >/dev/null || fail "report --json is not valid JSON"

# ---- the schema's keys and types ----
check "$J" top '.schema == "whyslow-report" and .version == 1'
check "$J" top '(keys | sort) == (["schema","version","header","flat","tree","lines","threads","processes"] | sort)'
check "$J" header '.header | (keys | sort) == (["dir","command","wall_seconds","cpu_seconds","clock",
	"source","requested_hz","achieved_hz","signal","processes","threads","samples","dropped",
	"unwind_failures","truncated","overhead_seconds","overhead_percent","collector_peak_bytes",
	"incomplete_processes","warnings","notes"] | sort)'
check "$J" header-types '.header | (.command | type) == "array" and (.warnings | type) == "array"
	and (.notes | type) == "array" and ([.wall_seconds, .cpu_seconds, .achieved_hz,
	.overhead_seconds, .overhead_percent, .samples, .requested_hz] | all(type == "number"))'
check "$J" flat-keys '.flat | length > 0 and all(keys | sort == (["function","module","file","line",
	"inlined","runtime","self_samples","total_samples","self_percent","total_percent","self_error",
	"total_error"] | sort))'
check "$J" tree-keys '[.tree | recurse(.children[]) | keys | sort] | unique |
	all(. as $k | ["function","total_samples","self_samples","total_percent","children"] |
	all(. as $x | $k | index($x)))'
check "$J" lines-keys '.lines | all(has("file") and has("line") and has("function") and
	has("samples") and has("percent") and has("text"))'
check "$J" threads-keys '.threads | all(has("host") and has("pid") and has("tid") and has("name") and
	has("samples") and has("percent") and has("cpu_seconds") and has("wall_seconds"))'
check "$J" processes-keys '.processes | all(keys | sort == (["host","pid","ppid","rank","file","command",
	"complete","end","status","samples","threads","signal"] | sort))'
check "$J" hosts 'all(.processes[], .threads[]; .host | type == "string" and length > 0)'
check "$J" no-runtime 'all(.flat[]; .runtime == null)'

# ---- the header ----
check "$J" header '.header | .samples == 150 and .threads == 2 and .processes == 1
	and .clock == "cpu" and .source == "perf-task-clock" and .requested_hz == 1000
	and .unwind_failures == 10 and .dropped == 0 and .truncated == 0
	and .incomplete_processes == 0 and .collector_peak_bytes == 1048576'
check "$J" header-times '.header | .wall_seconds == 0.25 and .cpu_seconds == 0.15
	and .overhead_seconds == 0.002 and (.overhead_percent - 1.33 | fabs) < 0.01
	and .achieved_hz == 1000'
check "$J" header-command '.header.command[1:] == ["write", "'"$REC"'"]'
check "$J" warning-short '.header.warnings | any(test("^only 150 samples: percentages below ~8 % are noise"))'
check "$J" warning-unwind '.header.warnings | any(test("6.7 % of samples \\(10\\) have stacks that end on an unwinder error"))'
check "$J" notes '.header.notes == ["synthetic profile written by report_symprog"]'

# ---- the flat profile ----
row() { echo ".flat[] | select(.function == \"$1\" and .inlined == $2)"; }
check "$J" order '[.flat[].function] == ["cold_leaf","hot_leaf","[unknown]","main","inl_helper","outer_fn"]'
check "$J" cold_leaf "$(row cold_leaf false) | .self_samples == 80 and .total_samples == 80
	and .self_percent == 53.33 and .line == $cold_leaf_line and (.file | endswith(\"report_symprog.c\"))
	and (.module | endswith(\"/report_symprog\"))"
check "$J" hot_leaf "$(row hot_leaf false) | .self_samples == 60 and .total_samples == 60
	and .self_percent == 40 and .line == $hot_leaf_line"
check "$J" inlined "$(row inl_helper true) | .self_samples == 0 and .total_samples == 60"
check "$J" not-inlined '[.flat[] | select(.function == "inl_helper" and .inlined == false)] | length == 0'
check "$J" recursion "$(row main false) | .self_samples == 0 and .total_samples == 140
	and (.total_percent - 93.33 | fabs) < 0.01"
check "$J" unknown '.flat[] | select(.function == "[unknown]") | .module == "[unknown]"
	and .file == null and .line == null and .self_samples == 10'
# Wilson 95 % half-widths: 80 of 150 -> 7.88, 140 of 150 -> 4.09, 0 of 150 -> 1.25
check "$J" errors "($(row cold_leaf false) | .self_error == 7.88)
	and ($(row main false) | .total_error == 4.09 and .self_error == 1.25)"

# ---- tree, lines, threads, processes ----
check "$J" tree-root '.tree | .function == "[root]" and .total_samples == 150 and .total_percent == 100'
check "$J" tree-path '.tree.children[] | select(.function == "main") | .total_samples == 140 and
	(.children[] | select(.function == "outer_fn") | .total_samples == 60 and
	 (.children[0] | .function == "inl_helper" and .inlined == true and
	  (.children[0] | .function == "hot_leaf" and .self_samples == 60)))'
check "$J" tree-recursion '.tree.children[] | select(.function == "main") | .children[] |
	select(.function == "main") | .total_samples == 50 and .children[0].function == "cold_leaf"'
check "$J" lines '.lines[0] | .samples == 80 and .function == "cold_leaf" and (.text | test("sink -= x;"))'
check "$J" lines-hot ".lines[1] | .function == \"hot_leaf\" and .line >= $hot_leaf_line and .line <= $hot_leaf_line + 2 and .samples == 60 and (.text | length > 0)"
check "$J" threads '.threads | length == 2 and .[0].tid == 1001 and .[0].samples == 100
	and .[0].name == "symprog" and .[0].cpu_seconds == 0.1 and .[0].wall_seconds == 0.2
	and .[1].tid == 1002 and .[1].samples == 50 and (.[1].percent - 33.33 | fabs) < 0.01'
check "$J" processes '.processes | length == 1 and .[0].complete == true and .[0].end == "exit"
	and .[0].status == 0 and .[0].samples == 150 and .[0].threads == 2 and (.[0].file | endswith(".wsp"))'

# ---- only what was asked for ----
expect_status 0 "$WHYSLOW" report --json "$REC" && cp "$tmp/out" "$tmp/plain.json"
check "$tmp/plain.json" sections '(keys | sort) == (["schema","version","header","flat","processes"] | sort)'

# ---- filters and --top ----
expect_status 0 "$WHYSLOW" report --json --tid 1001 "$REC" && cp "$tmp/out" "$tmp/tid.json"
check "$tmp/tid.json" tid '.header.samples == 100 and .header.threads == 1 and
	(.flat[] | select(.function == "hot_leaf") | .self_percent == 60) and
	(.flat[] | select(.function == "main") | .total_samples == 90)'
pid=$(jq '.processes[0].pid' "$J")
expect_status 0 "$WHYSLOW" report --json --pid "$pid" --top 2 "$REC" && cp "$tmp/out" "$tmp/top.json"
check "$tmp/top.json" top '.header.samples == 150 and (.flat | length) == 2'
expect_status 0 "$WHYSLOW" report --json --top 0 "$REC" && cp "$tmp/out" "$tmp/top0.json"
check "$tmp/top0.json" top0 '(.flat | length) == 6'
expect_status 0 "$WHYSLOW" report --json --tree --min-percent 35 "$REC" && cp "$tmp/out" "$tmp/min.json"
check "$tmp/min.json" min-percent '[.tree | recurse(.children[]) | .total_percent] | min >= 35'
check "$tmp/min.json" hidden '.tree.hidden_children == 1'
expect_status 1 "$WHYSLOW" report --json --pid 999999999 "$REC" &&
	grep -q '^whyslow: --pid 999999999: no such process' "$tmp/err" || fail "unknown --pid message: $(cat "$tmp/err")"
expect_status 1 "$WHYSLOW" report --tid 4242 "$REC"

# ---- an incomplete file (no end record) ----
# alone, it has no sample left to report: an error naming the file
"$SYMPROG" write "$tmp/inc" incomplete || exit 99
expect_status 1 "$WHYSLOW" report --json "$tmp/inc"
grep -q "^whyslow: $tmp/inc/.*\\.wsp: incomplete profile (no end record) without a single sample" "$tmp/err" ||
	fail "incomplete file without samples: $(cat "$tmp/err")"
expect_status 1 "$WHYSLOW" export --format folded "$tmp/inc"
grep -q "^whyslow: $tmp/inc/.*without a single sample" "$tmp/err" ||
	fail "export of an incomplete file without samples: $(cat "$tmp/err")"
# beside a complete process, it is reported and flagged
cp "$REC"/*.wsp "$tmp/inc/"
expect_status 0 "$WHYSLOW" report --json "$tmp/inc" && cp "$tmp/out" "$tmp/inc.json"
check "$tmp/inc.json" incomplete '.header.incomplete_processes == 1 and
	(.header.warnings | any(test("did not finish writing"))) and
	([.processes[] | select(.complete == false)] | length == 1 and
	 .[0].end == null and .[0].status == null)'
expect_status 0 "$WHYSLOW" export --format folded "$tmp/inc"
grep -q "^whyslow: warning: 1 process did not finish writing" "$tmp/err" ||
	fail "export does not warn about the incomplete process: $(cat "$tmp/err")"

# ---- warnings about damaged data ----
"$SYMPROG" write "$tmp/dmg" damaged || exit 99
expect_status 0 "$WHYSLOW" report --json "$tmp/dmg" && cp "$tmp/out" "$tmp/dmg.json"
# the main module has no unwind tables: the 100 samples whose stacks end
# there count as unwind failures (40 of them were flagged so by the
# collector); the 50 cut by the depth limit do not
check "$tmp/dmg.json" damaged-counts '.header | .dropped == 5 and .unwind_failures == 100 and .truncated == 50'
check "$tmp/dmg.json" damaged-dropped '.header.warnings | any(test("^5 samples were dropped \\(5 signal during the handler\\)"))'
check "$tmp/dmg.json" damaged-unwind '.header.warnings | any(test("^66.7 % of samples \\(100\\) have stacks that end on an unwinder error"))'
check "$tmp/dmg.json" damaged-eh '.header.warnings | any(. == "stacks through report_symprog are truncated: it has no unwind tables (.eh_frame_hdr), and its frame pointers, if any, led nowhere")'
check "$tmp/dmg.json" damaged-depth '.header.warnings | any(test("^50 samples \\(33.3 %\\) have stacks deeper than the depth limit of 128 frames"))'
check "$tmp/dmg.json" clean '[.header.warnings[] | select(test("dropped|eh_frame|depth"))] | length == 3'
check "$J" clean '[.header.warnings[] | select(test("dropped|eh_frame|depth|changed"))] | length == 0'

# ---- usage errors: 2; unreadable recordings: 1 ----
expect_status 2 "$WHYSLOW" report --top x "$REC"
expect_status 2 "$WHYSLOW" report --color sometimes "$REC"
expect_status 2 "$WHYSLOW" report --min-percent 101 "$REC"
expect_status 2 "$WHYSLOW" report --no-such-option "$REC"
expect_status 2 "$WHYSLOW" report "$REC" "$REC"
mkdir "$tmp/empty"
(cd "$tmp/empty" && "$WHYSLOW" report >"$tmp/out" 2>"$tmp/err")
[ $? -eq 2 ] && grep -q '^whyslow: no recording given and no whyslow-\* directory here$' "$tmp/err" ||
	fail "no recording: $(cat "$tmp/err")"
mkdir "$tmp/empty/whyslow-1" && cp "$REC"/*.wsp "$tmp/empty/whyslow-1/"
(cd "$tmp/empty" && "$WHYSLOW" report --json >"$tmp/out" 2>"$tmp/err") || fail "default directory: $(cat "$tmp/err")"
jq -e '.header.dir == "whyslow-1"' "$tmp/out" >/dev/null || fail "default directory is not whyslow-1"
printf 'garbage' >"$tmp/empty/whyslow-1/bad.wsp"
expect_status 1 "$WHYSLOW" report "$tmp/empty/whyslow-1" &&
	grep -q '^whyslow: .*bad.wsp' "$tmp/err" || fail "bad file message: $(cat "$tmp/err")"
finish
