/* Offline symbolisation of recorded instruction pointers (elfutils libdwfl).
 *
 * Contract:
 *  - A symboliser serves any number of processes of one or more profiles.
 *    Each distinct module image (path, load bias, build-id) is opened once,
 *    in a Dwfl of its own, at its recorded load bias, and shared by every
 *    process that mapped it at that bias (fork children, MPI ranks).  One
 *    Dwfl per image rather than per process keeps modules that were
 *    dlclose()d and replaced at the same addresses from overlapping.
 *  - Separate debug info is found the standard way
 *    (dwfl_standard_find_debuginfo: .gnu_debuglink, /usr/lib/debug,
 *    /usr/lib/debug/.build-id/xx/yyyy.debug, debuginfod when configured).
 *  - ws_symbolize() maps one address to its chain of frames, innermost
 *    first: the functions inlined at that address (inlined = true), then the
 *    function that contains it.  The innermost frame's file:line is the
 *    line of the address; each outer frame's is the call site of the frame
 *    inside it (DW_AT_call_file/DW_AT_call_line).  Return addresses (stack
 *    frames 1..) are looked up at address - 1, the call instruction.
 *  - Fallbacks, in order: no DWARF for the address -> the ELF symbol table
 *    (name only, no line); no symbol -> "module+0xOFFSET" with OFFSET the
 *    ELF virtual address (lookup address - load bias) and module the file's
 *    basename; the vDSO -> "[vdso]"; an address in no module -> "[unknown]".
 *  - C++ names are demangled when libstdc++ can be loaded (demangle.h),
 *    otherwise they stay mangled.
 *  - Results are cached per (image, lookup address); every string in a
 *    frame is interned in the symboliser, so equal strings are equal
 *    pointers.  Frames and strings live until ws_symbolizer_free().
 *  - Problems with a module (file missing, build-id differs from the
 *    recorded one: "file changed since recording", main executable without
 *    debug info) become warnings, each at most once per module; the caller
 *    collects them with ws_symbolizer_warnings().  Nothing is printed.
 *  - Not thread-safe.
 */
#ifndef WHYSLOW_SYMBOLIZE_H
#define WHYSLOW_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct ws_frame {
	const char *function;  /* never NULL */
	const char *module;    /* module path as recorded, "[vdso]" or "[unknown]" */
	const char *file;      /* source file, NULL when unknown */
	unsigned line;	       /* 0 when unknown */
	const char *decl_file; /* where the function is declared, or NULL */
	unsigned decl_line;    /* 0 when unknown */
	bool inlined;	       /* inlined into the next (outer) frame */
	bool has_symbol;       /* false for module+0x..., [vdso], [unknown] */
};

struct ws_symbolizer;

struct ws_symbolizer *ws_symbolizer_new(void);
void ws_symbolizer_free(struct ws_symbolizer *s);

/* The frames of address ip in process p, innermost first; returns their
 * number (at least 1) and points *frames at them.  return_address: ip is a
 * return address (stack frame 1 and beyond), looked up at ip - 1. */
size_t ws_symbolize(struct ws_symbolizer *s, const struct wsr_process *p, uint64_t ip,
		    bool return_address, const struct ws_frame **frames);

/* The frame of a Python function at a line (docs/python.md), module
 * "[python]", owned by the symboliser like the others. */
const struct ws_frame *ws_symbolize_python(struct ws_symbolizer *s, const char *function,
					   const char *file, int32_t line, int32_t first_line);

/* A recorded stack with every address expanded into its frames. */
struct ws_chain {
	const struct ws_frame **frames; /* innermost first */
	size_t n, cap;
};
/* Expands stack st of process p into c (reusing c's memory).  A stack with
 * no addresses becomes the single frame "[unknown]". */
void ws_symbolize_stack(struct ws_symbolizer *s, const struct wsr_process *p,
			const struct wsr_stack *st, struct ws_chain *c);
void ws_chain_free(struct ws_chain *c);

/* Opens module m of process p now, so that its warnings are known. */
void ws_symbolizer_check_module(struct ws_symbolizer *s, const struct wsr_process *p,
				const struct wsr_module *m);

/* The file offset that module m's start address maps (for pprof's
 * Mapping.file_offset); false when the file cannot be read. */
bool ws_symbolizer_file_offset(struct ws_symbolizer *s, const struct wsr_process *p,
			       const struct wsr_module *m, uint64_t *offset);

/* The machine code of the function that contains address ip (a sampled
 * address, not a return address) of process p, for the disassembler, and
 * the DWARF facts of its compilation unit.  The function's bounds come
 * from the symbol table (its symbol's value and size), else from its DWARF
 * subprogram (the address range that holds ip); its bytes from the
 * module's file on disk (ip - load bias is the address in the file).
 * Everything is borrowed from the symboliser. */
struct ws_code {
	const char *function; /* the symbol (demangled) or DWARF name, interned */
	const char *module;   /* module path as recorded */
	uint64_t start;	      /* run-time address of the function's first byte */
	uint64_t file_start;  /* the same in the file (start - load bias) */
	uint64_t size;
	const uint8_t *bytes; /* size bytes */
	const char *producer; /* the CU's DW_AT_producer; NULL without DWARF */
	const char *comp_dir; /* the CU's DW_AT_comp_dir; NULL */
	const char *cu_name;  /* the CU's DW_AT_name (its source file); NULL */
};
/* 0, or -1 with *why (static text) saying why there is no code: address in
 * no module, the vDSO, the file unreadable, no symbol, bytes not in the
 * file. */
int ws_symbolizer_code(struct ws_symbolizer *s, const struct wsr_process *p, uint64_t ip,
		       struct ws_code *out, const char **why);

/* The warnings collected so far, in the order they arose. */
size_t ws_symbolizer_warnings(const struct ws_symbolizer *s, const char *const **warnings);

/* The module's name for display: the basename of a path. */
const char *ws_basename(const char *path);

#endif
