#!/bin/sh
# Namespace: libwhyslow.so exports nothing beyond profiler/exports.list
# (the functions it interposes and its documented entry points); every
# other symbol could capture a program's own definition.
. "${SRCDIR:-$(dirname "$0")}/common.sh"
command -v nm >/dev/null 2>&1 || skip "nm missing (apt-get install binutils)"
[ -r "$WHYSLOW_LIB" ] || hard_error "libwhyslow.so is not built: $WHYSLOW_LIB"
list=$SRCDIR/../profiler/exports.list
[ -r "$list" ] || hard_error "no $list"
ws_workdir

# defined dynamic symbols; version nodes (type A) are not symbols
nm -D --defined-only "$WHYSLOW_LIB" >"$WORK/nm" || hard_error "nm -D $WHYSLOW_LIB failed"
awk 'NF >= 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' "$WORK/nm" | sort -u >"$WORK/exported"
sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$' | sort -u >"$WORK/allowed"
comm -23 "$WORK/exported" "$WORK/allowed" >"$WORK/extra"
if [ -s "$WORK/extra" ]; then
	fail "libwhyslow.so exports symbols that profiler/exports.list does not list:"
	grep -w -F -f "$WORK/extra" "$WORK/nm" | sed 's/^/    /'
fi
missing=$(comm -13 "$WORK/exported" "$WORK/allowed" | tr '\n' ' ')
[ -n "$missing" ] && echo "$ws_name: note: listed but not exported (fine): $missing"
echo "$ws_name: $(wc -l <"$WORK/exported") symbols exported"
ws_finish
