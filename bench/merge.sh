#!/bin/bash
# merge.sh: how long `whyslow report` takes to merge the files of a large
# MPI job: RANKS profile files (bench/mkranks: one per rank) of STACKS
# distinct stacks each, made of real return addresses in the C library so
# that symbolisation is real work.  Times, REPEAT times each, alternating:
# the default report (flat profile over every rank), `--rank 7` (one rank
# read from the merged recording), `--tree`, and `export --format folded`;
# prints the medians and min-max as a Markdown table, with the files' size.
#
# usage: BUILD=/path/to/build bench/merge.sh     (or: make -C bench merge)
# Environment: BUILD [.], RANKS [256], STACKS [10000], POOL [4000] (distinct
# addresses), REPEAT [3], KEEP=1 keeps the files.
# Exit status: 0 done, 1 a command failed, 2 setup error.
set -u -o pipefail
export LC_ALL=C
BUILD=$(cd "${BUILD:-.}" 2>/dev/null && pwd) || { echo "merge.sh: BUILD: no such directory" >&2; exit 2; }
WHYSLOW=$BUILD/reports/whyslow
MKRANKS=$BUILD/bench/mkranks
RANKS=${RANKS:-256} STACKS=${STACKS:-10000} POOL=${POOL:-4000} REPEAT=${REPEAT:-3}
for f in "$WHYSLOW" "$MKRANKS"; do
	[ -x "$f" ] || { echo "merge.sh: $f is not built (make; make -C bench mkranks)" >&2; exit 2; }
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/whyslow-merge.XXXXXX") || exit 2
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$dir"' EXIT
mkdir "$dir/rec"
start=$(date +%s.%N)
"$MKRANKS" "$dir/rec" "$RANKS" "$STACKS" "$POOL" || exit 1
gen=$(echo "$(date +%s.%N) - $start" | bc)
size=$(du -sm "$dir/rec" | cut -f1)
printf "merge.sh: %s files of %s stacks (%s MB) generated in %.2f s in %s\n" "$RANKS" "$STACKS" "$size" "$gen" "$dir/rec"

declare -A times
cmds=(flat rank tree folded)
run() {
	case $1 in
	flat) "$WHYSLOW" report --top 10 "$dir/rec" ;;
	rank) "$WHYSLOW" report --top 10 --rank 7 "$dir/rec" ;;
	tree) "$WHYSLOW" report --top 10 --tree "$dir/rec" ;;
	folded) "$WHYSLOW" export --format folded -o "$dir/out.folded" "$dir/rec" ;;
	esac
}
for ((i = 0; i < REPEAT; i++)); do
	order=("${cmds[@]}")
	((i % 2)) && order=(folded tree rank flat)
	for c in "${order[@]}"; do
		t0=$(date +%s.%N)
		run "$c" >"$dir/$c.out" 2>"$dir/$c.err" || { echo "merge.sh: $c failed: $(tail -3 "$dir/$c.err")" >&2; exit 1; }
		t1=$(date +%s.%N)
		times[$c]+="$(echo "$t1 - $t0" | bc) "
	done
	echo "merge.sh: repeat $((i + 1)) of $REPEAT done" >&2
done
grep -q "^  samples" "$dir/flat.out" || { echo "merge.sh: the report has no samples line" >&2; exit 1; }
echo
echo "| command ($RANKS ranks x $STACKS stacks) | median s | min-max s |"
echo "|---|---|---|"
for c in "${cmds[@]}"; do
	sorted=$(tr ' ' '\n' <<<"${times[$c]}" | grep . | sort -g)
	n=$(wc -l <<<"$sorted")
	med=$(sed -n "$(((n + 1) / 2))p" <<<"$sorted")
	printf '| %s | %.2f | %.2f-%.2f |\n' "$c" "$med" "$(head -1 <<<"$sorted")" "$(tail -1 <<<"$sorted")"
done
sed -n 's/^  \(time\|samples\) */  \1 /p' "$dir/flat.out" | head -2
