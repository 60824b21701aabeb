#!/bin/sh
# The FLOP kernels of `whyslow machine` (reports/machine_kernels.c) are the
# instructions they claim: in whyslow's own machine code, each kernel has
# its WS_KERN_CHAINS (12) independent chains as packed FMA (or mul and
# add) instructions at its width -- zmm for 512 bits, ymm for 256, xmm for
# 128 and scalar -- and nothing wider.
. "${SRCDIR:-.}/common.sh"
command -v objdump >/dev/null 2>&1 || skip "objdump is not installed (apt-get install binutils)"
[ -x "$WHYSLOW" ] || hard_error "whyslow is not built: $WHYSLOW"
ws_workdir
objdump -d --no-show-raw-insn "$WHYSLOW" >"$WORK/dis" || hard_error "objdump failed"

# body SYMBOL: the kernel's instructions
body() { awk -v f="<$1>:" '$2 == f { p = 1; next } /^$/ { p = 0 } p' "$WORK/dis"; }

# expect SYMBOL REGEX MIN: at least MIN instructions match REGEX
expect() {
	n=$(body "$1" | grep -c -E "$2")
	[ "$n" -ge "$3" ] || fail "$1: $n instructions match '$2', expected >= $3"
}
# never SYMBOL REGEX: no instruction matches
never() {
	n=$(body "$1" | grep -c -E "$2")
	[ "$n" -eq 0 ] || fail "$1: $n instructions match '$2', expected none: $(body "$1" | grep -E "$2" | head -3)"
}

for k in ws_kern_fma512_d ws_kern_fma512_s ws_kern_fma256_d ws_kern_fma256_s \
	ws_kern_fma128_d ws_kern_fma128_s ws_kern_scalar_fma_d ws_kern_scalar_fma_s \
	ws_kern_avx_d ws_kern_avx_s ws_kern_sse2_d ws_kern_sse2_s ws_kern_scalar_d ws_kern_scalar_s; do
	[ -n "$(body $k)" ] || fail "$k is not in whyslow's symbol table"
done
expect ws_kern_fma512_d 'vfmadd[0-9]+pd.*%zmm' 12
expect ws_kern_fma512_s 'vfmadd[0-9]+ps.*%zmm' 12
expect ws_kern_fma256_d 'vfmadd[0-9]+pd.*%ymm' 12
expect ws_kern_fma256_s 'vfmadd[0-9]+ps.*%ymm' 12
never ws_kern_fma256_d '%zmm'
expect ws_kern_fma128_d 'vfmadd[0-9]+pd +%xmm' 12
expect ws_kern_fma128_s 'vfmadd[0-9]+ps +%xmm' 12
never ws_kern_fma128_d '%[yz]mm'
expect ws_kern_scalar_fma_d 'vfmadd[0-9]+sd' 12
expect ws_kern_scalar_fma_s 'vfmadd[0-9]+ss' 12
never ws_kern_scalar_fma_d 'vfmadd[0-9]+p[sd]|%[yz]mm'
expect ws_kern_avx_d 'vmulpd.*%ymm' 6
expect ws_kern_avx_d 'vaddpd.*%ymm' 6
expect ws_kern_avx_s 'vmulps.*%ymm' 6
expect ws_kern_sse2_d '^[^v]*mulpd' 6
expect ws_kern_sse2_d '^[^v]*addpd' 6
never ws_kern_sse2_d '%[yz]mm'
expect ws_kern_scalar_d 'mulsd' 6
expect ws_kern_scalar_d 'addsd' 6
never ws_kern_scalar_d '[^v](mul|add)p[sd]|%[yz]mm'
never ws_kern_scalar_s '[^v](mul|add)p[sd]|%[yz]mm'
ws_finish
