/* libunwind with a lock-free, checked address space (see unwind.h). */
#include <dlfcn.h>
#include <libunwind.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <ucontext.h>

#include "arena.h"
#include "cfi.h"
#include "modules.h"
#include "profile_format.h"
#include "unwind.h"

/* Exported by libunwind (its ptrace and coredump back-ends use it) but not
 * declared in its public headers. */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

struct unwind_ctx {
	const ucontext_t *uc;
	uint64_t stack_lo, stack_hi;
	uint64_t alt_lo, alt_hi;
	uint64_t seg_lo, seg_hi; /* the last readable segment seen, to spare lookups */
};

static unw_addr_space_t as;

/* libunwind x86_64 register numbers -> ucontext gregs indexes. */
static const int greg_of[17] = {
    REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI, REG_RBP, REG_RSP, REG_R8,
    REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP,
};

/* The loaded module that contains addr, its mapped span and its
 * .eh_frame_hdr.  Async-signal-safe (_dl_find_object is lock-free). */
static int
module_range(uint64_t addr, uint64_t *lo, uint64_t *hi, const uint8_t **eh_frame_hdr)
{
#ifdef HAVE__DL_FIND_OBJECT
	struct dl_find_object d;
	if (_dl_find_object((void *)addr, &d) != 0)
		return -1;
	*lo = (uint64_t)d.dlfo_map_start;
	*hi = (uint64_t)d.dlfo_map_end;
	*eh_frame_hdr = d.dlfo_eh_frame;
	return 0;
#else
	return -1;
#endif
}

/* [a, a + len) lies in one readable PT_LOAD segment of a loaded module:
 * its span alone is not enough, the gaps between segments may be
 * PROT_NONE (a library linked with a large max-page-size) or unmapped.
 * Caches the segment in c.  Async-signal-safe. */
static int
in_module(struct unwind_ctx *c, uint64_t a, uint64_t len)
{
	uint64_t map_lo, map_hi, lo, hi;
	const uint8_t *eh;
	if (module_range(a, &map_lo, &map_hi, &eh) != 0 ||
	    ws_modules_readable(map_lo, map_hi, eh, a, &lo, &hi) != 0 || a + len > hi)
		return 0;
	c->seg_lo = lo;
	c->seg_hi = hi;
	return 1;
}

static int
readable(struct unwind_ctx *c, uint64_t a)
{
	if (a + 8 < a)
		return 0;
	if (a >= c->stack_lo && a + 8 <= c->stack_hi)
		return 1;
	if (a >= c->alt_lo && a + 8 <= c->alt_hi)
		return 1;
	if (a >= c->seg_lo && a + 8 <= c->seg_hi)
		return 1;
	return in_module(c, a, 8);
}

static int
access_mem(unw_addr_space_t as_, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	if (write || !readable(arg, addr))
		return -UNW_EINVAL;
	memcpy(val, (const void *)addr, sizeof *val);
	return 0;
}

static int
access_reg(unw_addr_space_t as_, unw_regnum_t reg, unw_word_t *val, int write, void *arg)
{
	struct unwind_ctx *c = arg;
	if (write || reg < 0 || reg > 16)
		return -UNW_EBADREG;
	*val = (unw_word_t)c->uc->uc_mcontext.gregs[greg_of[reg]];
	return 0;
}

static int
access_fpreg(unw_addr_space_t as_, unw_regnum_t reg, unw_fpreg_t *val, int write, void *arg)
{
	return -UNW_EBADREG;
}

static int
resume(unw_addr_space_t as_, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

static int
get_proc_name(unw_addr_space_t as_, unw_word_t ip, char *buf, size_t len, unw_word_t *off,
	      void *arg)
{
	return -UNW_ENOINFO;
}

static void
put_unwind_info(unw_addr_space_t as_, unw_proc_info_t *pi, void *arg)
{
	/* libunwind frees table-format info itself (its own memory pool). */
}

static int
get_dyn_info_list_addr(unw_addr_space_t as_, unw_word_t *addr, void *arg)
{
	return -UNW_ENOINFO;
}

/* Size in bytes of a DW_EH_PE-encoded value we accept in .eh_frame_hdr. */
static int
enc_size(uint8_t enc)
{
	switch (enc & 0x0f) {
	case 0x02:
	case 0x0a:
		return 2; /* udata2, sdata2 */
	case 0x03:
	case 0x0b:
		return 4; /* udata4, sdata4 */
	case 0x04:
	case 0x0c:
		return 8; /* udata8, sdata8 */
	default:
		return -1;
	}
}

static int
find_proc_info(unw_addr_space_t as_, unw_word_t ip, unw_proc_info_t *pi, int need_unwind_info,
	       void *arg)
{
	struct unwind_ctx *c = arg;
	uint64_t lo, hi;
	const uint8_t *hdr = NULL;
	if (module_range(ip, &lo, &hi, &hdr) != 0 || !hdr)
		return -UNW_ENOINFO;
	/* The header is read here directly: it must be in a readable segment
	 * (4 bytes, then at most 8 + 8 of encoded pointer and count). */
	if (!in_module(c, (uint64_t)hdr, 4 + 8 + 8))
		return -UNW_ENOINFO;
	/* .eh_frame_hdr: version, eh_frame_ptr_enc, fde_count_enc, table_enc. */
	if (hdr[0] != 1 || hdr[3] != 0x3b /* DW_EH_PE_datarel | DW_EH_PE_sdata4 */)
		return -UNW_ENOINFO;
	int ptr_size = enc_size(hdr[1]), count_size = enc_size(hdr[2]);
	if (ptr_size < 0 || count_size < 0 || (hdr[2] & 0x70) != 0)
		return -UNW_ENOINFO;
	const uint8_t *p = hdr + 4 + ptr_size;
	uint64_t fde_count = 0;
	memcpy(&fde_count, p, (size_t)count_size); /* little-endian */
	if (count_size == 2)
		fde_count &= 0xffff;
	else if (count_size == 4)
		fde_count &= 0xffffffffu;
	p += count_size;
	if (fde_count == 0)
		return -UNW_ENOINFO;

	unw_dyn_info_t di;
	memset(&di, 0, sizeof di);
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = lo;
	di.end_ip = hi;
	di.u.rti.segbase = (unw_word_t)hdr;
	di.u.rti.table_data = (unw_word_t)p;
	di.u.rti.table_len = fde_count * 8 / sizeof(unw_word_t);
	return _Ux86_64_dwarf_search_unwind_table(as_, ip, &di, pi, need_unwind_info, arg);
}

int
ws_unwind_init(void)
{
	static unw_accessors_t acc = {
	    .find_proc_info = find_proc_info,
	    .put_unwind_info = put_unwind_info,
	    .get_dyn_info_list_addr = get_dyn_info_list_addr,
	    .access_mem = access_mem,
	    .access_reg = access_reg,
	    .access_fpreg = access_fpreg,
	    .resume = resume,
	    .get_proc_name = get_proc_name,
	};
	/* libunwind's one-time initialisation (run by the first call that
	 * needs it) opens a pipe, two descriptors in the program's lowest
	 * free numbers, that only its *local* address space uses to probe
	 * memory; whyslow's address space reads through access_mem above and
	 * never uses it.  Those two descriptors would be in the program and in
	 * every fork child, and libunwind closes them again by number should
	 * the probe ever fail, by then perhaps the program's files.  So the
	 * pipe is made to fail (no descriptor may be opened for the duration:
	 * the constructor runs before the program's code) and libunwind keeps
	 * -1 for it, which it handles by opening the pipe when first needed. */
	struct rlimit nofile;
	int limited = getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
		      setrlimit(RLIMIT_NOFILE, &(struct rlimit){0, nofile.rlim_max}) == 0;
	as = unw_create_addr_space(&acc, 0);
	if (as)
		unw_set_caching_policy(as, UNW_CACHE_PER_THREAD); /* runs the init */
	if (limited)
		setrlimit(RLIMIT_NOFILE, &nofile);
	if (as)
		ws_mem_account((int64_t)ws_cfi_cache_bytes());
	return as ? 0 : -1;
}

void
ws_unwind_flush(void)
{
	ws_cfi_flush();
	if (as)
		unw_flush_cache(as, 0, 0);
}

static int
stack_word(const struct unwind_ctx *c, uint64_t a, uint64_t *val)
{
	if (a + 8 < a ||
	    !((a >= c->stack_lo && a + 8 <= c->stack_hi) || (a >= c->alt_lo && a + 8 <= c->alt_hi)))
		return -1;
	memcpy(val, (const void *)a, sizeof *val);
	return 0;
}

/* The fast path (cfi.h): the stack from cached frame rules, two loads per
 * frame.  Returns the number of frames, or 0 when some frame needs
 * libunwind, which then unwinds the whole stack.  Where it answers, it
 * answers as libunwind would: the same end-of-stack conditions (undefined
 * return address or RBP), the same truncation. */
static uint32_t
fast_unwind(const struct unwind_ctx *c, uint64_t *ips, uint32_t max, uint32_t *flags)
{
	const greg_t *g = c->uc->uc_mcontext.gregs;
	uint64_t ip = (uint64_t)g[REG_RIP], cfa_prev = (uint64_t)g[REG_RSP];
	uint64_t rbp = (uint64_t)g[REG_RBP];
	uint32_t n = 1;
	for (uint32_t frame = 0;; frame++) {
		struct ws_cfi_rule r;
		/* A caller's rule is that of its call instruction (return address
		 * minus 1); the interrupted frame's, that of its PC. */
		if (!ws_cfi_rule(frame ? ip - 1 : ip, &r))
			return 0;
		uint64_t cfa = (r.cfa_rbp ? rbp : cfa_prev) + (uint64_t)(int64_t)r.cfa_off;
		if (r.ra_undef)
			break; /* the outermost frame */
		uint64_t ra, new_rbp = rbp;
		if (stack_word(c, cfa + (uint64_t)(int64_t)r.ra_off, &ra) < 0)
			return 0;
		if (r.rbp == WS_CFI_SAVED &&
		    stack_word(c, cfa + (uint64_t)(int64_t)r.rbp_off, &new_rbp) < 0)
			return 0;
		if (ra == ip && cfa == cfa_prev)
			return 0; /* no progress: libunwind reports the error */
		if (r.rbp == WS_CFI_UNDEF || ra == 0)
			break;
		if (n == max) {
			*flags |= WS_STK_TRUNCATED;
			break;
		}
		ips[n++] = ra;
		ip = ra;
		cfa_prev = cfa;
		rbp = new_rbp;
	}
	return n;
}

uint32_t
ws_unwind(const ucontext_t *uc, uint64_t stack_lo, uint64_t stack_hi, uint64_t *ips, uint32_t max,
	  uint32_t *flags)
{
	struct unwind_ctx c = {uc, stack_lo, stack_hi, 0, 0, 0, 0};
	uint64_t sp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
	*flags = 0;
	ips[0] = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	if (max <= 1 || !as)
		return 1;
	if (sp < stack_lo || sp >= stack_hi) {
		/* Interrupted on an alternate signal stack (or an unknown one). */
		stack_t ss;
		if (sigaltstack(NULL, &ss) == 0 && ss.ss_size) {
			c.alt_lo = (uint64_t)ss.ss_sp;
			c.alt_hi = c.alt_lo + ss.ss_size;
		}
	}
	uint32_t fast = fast_unwind(&c, ips, max, flags);
	if (fast)
		return fast;
	*flags = 0;
	unw_cursor_t cur;
	if (unw_init_remote(&cur, as, &c) < 0) {
		*flags |= WS_STK_UNWIND_ERR;
		return 1;
	}
	uint32_t n = 1;
	for (;;) {
		int r = unw_step(&cur);
		if (r == 0)
			break;
		if (r < 0) {
			*flags |= WS_STK_UNWIND_ERR;
			break;
		}
		unw_word_t ip;
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		if (n == max) {
			*flags |= WS_STK_TRUNCATED;
			break;
		}
		ips[n++] = ip;
	}
	return n;
}

void
ws_unwind_warm(uint64_t stack_lo, uint64_t stack_hi)
{
	ucontext_t uc;
	uint64_t ips[8];
	uint32_t flags;
	if (getcontext(&uc) == 0)
		ws_unwind(&uc, stack_lo, stack_hi, ips, 8, &flags);
}
