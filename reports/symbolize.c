/* Offline symbolisation with elfutils libdwfl (see symbolize.h). */
#include "config.h"

#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"
#include "hmap.h"
#include "util.h"

/* One module file at one load bias, shared by the processes that mapped it. */
struct image {
	const char *path; /* interned */
	uint64_t bias;	  /* recorded load bias */
	uint8_t *build_id;
	uint32_t build_id_len;
	bool vdso;
	bool opened; /* open attempted */
	Dwfl *dwfl;
	Dwfl_Module *mod; /* NULL when the file could not be used */
	int64_t delta;	  /* Dwfl address = run-time address + delta */
	bool have_offset;
	uint64_t file_offset; /* of the recorded start address */
	uint64_t start;
	bool dwarf_checked;
	Dwarf_Die *last_cu; /* the last CU found without .debug_aranges */
	Dwarf_Addr last_cu_bias;
};

/* Cache entry: the frames of one lookup address in one image. */
struct entry {
	const struct image *im;
	uint64_t addr;
	size_t n;
	struct ws_frame frames[];
};

/* Which image a module of a process is. */
struct modlink {
	const struct wsr_module *m;
	struct image *im;
};

struct ws_symbolizer {
	struct ws_strpool strings;
	struct ws_hmap images;	 /* struct image, by path/bias/build-id */
	struct ws_hmap modlinks; /* struct modlink, by module address */
	struct ws_hmap cache;	 /* struct entry, by image and address */
	struct image **all_images;
	size_t nimages;
	struct modlink **all_links;
	size_t nlinks;
	struct entry **all_entries;
	size_t nentries;
	const char **warnings;
	size_t nwarnings;
	struct ws_frame unknown; /* "[unknown]" */
	struct ws_hmap pyframes; /* struct ws_frame of Python frames, by interned key */
	struct ws_frame **all_pyframes;
	size_t npyframes;
	char *debuginfo_path;
	Dwfl_Callbacks callbacks;
};

const char *
ws_basename(const char *path)
{
	if (!path)
		return "";
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

struct ws_symbolizer *
ws_symbolizer_new(void)
{
	struct ws_symbolizer *s = ws_xcalloc(1, sizeof *s);
	ws_strpool_init(&s->strings);
	ws_hmap_init(&s->images);
	ws_hmap_init(&s->modlinks);
	ws_hmap_init(&s->cache);
	ws_hmap_init(&s->pyframes);
	s->unknown.function = ws_intern(&s->strings, "[unknown]");
	s->unknown.module = s->unknown.function;
	s->callbacks.find_elf = dwfl_build_id_find_elf;
	s->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	s->callbacks.section_address = dwfl_offline_section_address;
	s->callbacks.debuginfo_path = &s->debuginfo_path; /* NULL: the default path */
	return s;
}

void
ws_symbolizer_free(struct ws_symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nimages; i++) {
		if (s->all_images[i]->dwfl)
			dwfl_end(s->all_images[i]->dwfl);
		free(s->all_images[i]->build_id);
		free(s->all_images[i]);
	}
	free(s->all_images);
	for (size_t i = 0; i < s->nlinks; i++)
		free(s->all_links[i]);
	free(s->all_links);
	for (size_t i = 0; i < s->nentries; i++)
		free(s->all_entries[i]);
	free(s->all_entries);
	for (size_t i = 0; i < s->npyframes; i++)
		free(s->all_pyframes[i]);
	free(s->all_pyframes);
	ws_hmap_free(&s->pyframes);
	free(s->warnings);
	ws_hmap_free(&s->images);
	ws_hmap_free(&s->modlinks);
	ws_hmap_free(&s->cache);
	ws_strpool_free(&s->strings);
	free(s);
}

static void warnf(struct ws_symbolizer *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct pyframe {
	struct ws_frame f;
	const char *key; /* interned */
};

static bool
pyframe_eq(const void *e, const void *key)
{
	return ((const struct pyframe *)e)->key == key;
}

const struct ws_frame *
ws_symbolize_python(struct ws_symbolizer *s, const char *function, const char *file, int32_t line,
		    int32_t first_line)
{
	char *k = ws_xasprintf("py\x1f%s\x1f%s\x1f%d\x1f%d", function, file, line, first_line);
	const char *key = ws_intern(&s->strings, k);
	free(k);
	uint64_t h = ws_hash_ptr(key, 0x7079);
	struct pyframe *e = ws_hmap_find(&s->pyframes, h, pyframe_eq, key);
	if (e)
		return &e->f;
	e = ws_xcalloc(1, sizeof *e);
	e->key = key;
	e->f.function = ws_intern(&s->strings, *function ? function : "[python]");
	e->f.module = ws_intern(&s->strings, "[python]");
	e->f.file = *file ? ws_intern(&s->strings, file) : NULL;
	e->f.line = line > 0 ? (unsigned)line : 0;
	e->f.decl_file = e->f.file;
	e->f.decl_line = first_line > 0 ? (unsigned)first_line : 0;
	e->f.has_symbol = true;
	ws_hmap_insert(&s->pyframes, h, e);
	s->all_pyframes =
	    ws_xrealloc(s->all_pyframes, (s->npyframes + 1) * sizeof *s->all_pyframes);
	s->all_pyframes[s->npyframes++] = (struct ws_frame *)e;
	return &e->f;
}

static void
warnf(struct ws_symbolizer *s, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		ws_die(WS_EXIT_FAIL, "out of memory");
	va_end(ap);
	s->warnings = ws_xrealloc(s->warnings, (s->nwarnings + 1) * sizeof *s->warnings);
	s->warnings[s->nwarnings++] = ws_intern(&s->strings, msg);
	free(msg);
}

size_t
ws_symbolizer_warnings(const struct ws_symbolizer *s, const char *const **warnings)
{
	*warnings = s->warnings;
	return s->nwarnings;
}

/* ---- images ---- */

struct image_key {
	const char *path; /* interned */
	uint64_t bias;
	const uint8_t *build_id;
	uint32_t build_id_len;
	bool vdso;
};

static bool
image_eq(const void *entry, const void *key)
{
	const struct image *im = entry;
	const struct image_key *k = key;
	return im->path == k->path && im->bias == k->bias && im->vdso == k->vdso &&
	       im->build_id_len == k->build_id_len &&
	       (!k->build_id_len || !memcmp(im->build_id, k->build_id, k->build_id_len));
}

static bool
link_eq(const void *entry, const void *key)
{
	return ((const struct modlink *)entry)->m == key;
}

static void
hex(char *out, size_t outsz, const uint8_t *b, size_t n)
{
	size_t i = 0;
	for (; i < n && 2 * i + 2 < outsz; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	out[2 * i] = '\0';
}

/* Compute the file offset of the image's start address from the program
 * headers: the first PT_LOAD segment maps p_offset at p_vaddr. */
static void
compute_file_offset(struct image *im)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(im->mod, &bias);
	size_t phnum;
	if (!elf || elf_getphdrnum(elf, &phnum))
		return;
	uint64_t start_vaddr = im->start - im->bias;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr mem, *ph = gelf_getphdr(elf, i, &mem);
		if (!ph || ph->p_type != PT_LOAD)
			continue;
		if (start_vaddr <= ph->p_vaddr && ph->p_vaddr - start_vaddr <= ph->p_offset) {
			im->file_offset = ph->p_offset - (ph->p_vaddr - start_vaddr);
			im->have_offset = true;
		}
		return; /* the lowest PT_LOAD comes first */
	}
}

static void
open_image(struct ws_symbolizer *s, struct image *im)
{
	im->opened = true;
	if (im->vdso)
		return;
	im->dwfl = dwfl_begin(&s->callbacks);
	if (!im->dwfl) {
		warnf(s, "%s: cannot start libdwfl: %s; its frames show as module+offset", im->path,
		      dwfl_errmsg(-1));
		return;
	}
	dwfl_report_begin(im->dwfl);
	/* add_p_vaddr = true: for ET_DYN the bias is exactly `base`; for
	 * ET_EXEC libdwfl ignores base and uses the file's own addresses
	 * (bias 0), which is also what a non-PIE executable runs at. */
	im->mod = dwfl_report_elf(im->dwfl, ws_basename(im->path), im->path, -1, im->bias, true);
	if (!im->mod) {
		int e = dwfl_errno();
		warnf(s, "%s: cannot read the module: %s; its frames show as module+offset",
		      im->path, e ? dwfl_errmsg(e) : strerror(errno));
		dwfl_report_end(im->dwfl, NULL, NULL);
		return;
	}
	dwfl_report_end(im->dwfl, NULL, NULL);

	GElf_Addr mbias = 0;
	if (dwfl_module_getelf(im->mod, &mbias))
		im->delta = (int64_t)(mbias - im->bias);
	if (im->delta)
		warnf(s,
		      "%s: recorded load bias 0x%" PRIx64 " but the file is not relocatable "
		      "(links at bias 0x%" PRIx64 "); addresses are translated",
		      im->path, im->bias, (uint64_t)mbias);

	if (im->build_id_len) {
		const unsigned char *bits;
		GElf_Addr vaddr;
		int n = dwfl_module_build_id(im->mod, &bits, &vaddr);
		if (n <= 0 || (uint32_t)n != im->build_id_len || memcmp(bits, im->build_id, n)) {
			char rec[2 * 20 + 1], now[2 * 20 + 1];
			hex(rec, sizeof rec, im->build_id, im->build_id_len);
			if (n > 0)
				hex(now, sizeof now, bits, n);
			else
				strcpy(now, "none");
			warnf(s,
			      "%s: file changed since recording (build-id %s recorded, %s on "
			      "disk): its symbols and lines may be wrong",
			      im->path, rec, now);
		}
	}
	compute_file_offset(im);
}

static struct image *
image_of(struct ws_symbolizer *s, const struct wsr_module *m)
{
	uint64_t lh = ws_hash_ptr(m, 0);
	struct modlink *l = ws_hmap_find(&s->modlinks, lh, link_eq, m);
	if (l)
		return l->im;

	struct image_key k = {
	    .path = ws_intern(&s->strings, m->path ? m->path : ""),
	    .bias = m->info.bias,
	    .build_id = m->build_id,
	    .build_id_len = m->build_id ? m->info.build_id_len : 0,
	    .vdso = (m->info.flags & WS_MOD_VDSO) != 0,
	};
	uint64_t h = ws_hash_ptr(k.path, k.bias);
	h = ws_hash_bytes(k.build_id, k.build_id_len, h ^ k.vdso);
	struct image *im = ws_hmap_find(&s->images, h, image_eq, &k);
	if (!im) {
		im = ws_xcalloc(1, sizeof *im);
		im->path = k.path;
		im->bias = k.bias;
		im->vdso = k.vdso;
		im->start = m->info.start;
		im->build_id_len = k.build_id_len;
		if (k.build_id_len) {
			im->build_id = ws_xmalloc(k.build_id_len);
			memcpy(im->build_id, k.build_id, k.build_id_len);
		}
		ws_hmap_insert(&s->images, h, im);
		s->all_images =
		    ws_xrealloc(s->all_images, (s->nimages + 1) * sizeof *s->all_images);
		s->all_images[s->nimages++] = im;
	}
	l = ws_xmalloc(sizeof *l);
	l->m = m;
	l->im = im;
	ws_hmap_insert(&s->modlinks, lh, l);
	s->all_links = ws_xrealloc(s->all_links, (s->nlinks + 1) * sizeof *s->all_links);
	s->all_links[s->nlinks++] = l;
	return im;
}

void
ws_symbolizer_check_module(struct ws_symbolizer *s, const struct wsr_process *p,
			   const struct wsr_module *m)
{
	struct image *im = image_of(s, m);
	if (!im->opened)
		open_image(s, im);
	if ((m->info.flags & WS_MOD_MAIN) && im->mod && !im->dwarf_checked) {
		im->dwarf_checked = true;
		Dwarf_Addr b;
		if (!dwfl_module_getdwarf(im->mod, &b))
			warnf(s,
			      "%s has no debug information: no source lines or inlined "
			      "functions (compile with -g)",
			      im->path);
	}
}

bool
ws_symbolizer_file_offset(struct ws_symbolizer *s, const struct wsr_process *p,
			  const struct wsr_module *m, uint64_t *offset)
{
	struct image *im = image_of(s, m);
	if (!im->opened)
		open_image(s, im);
	*offset = im->file_offset;
	return im->have_offset;
}

/* ---- lookups ---- */

struct frame_vec {
	struct ws_frame *v;
	size_t n, cap;
};

static struct ws_frame *
push_frame(struct frame_vec *fv)
{
	if (fv->n == fv->cap) {
		fv->cap = fv->cap ? fv->cap * 2 : 8;
		fv->v = ws_xrealloc(fv->v, fv->cap * sizeof *fv->v);
	}
	struct ws_frame *f = &fv->v[fv->n++];
	memset(f, 0, sizeof *f);
	return f;
}

/* A function name for display: demangled when possible, interned. */
static const char *
func_name(struct ws_symbolizer *s, const char *raw)
{
	char *d = ws_demangle(raw);
	const char *r = ws_intern(&s->strings, d ? d : raw);
	free(d);
	return r;
}

static const char *
die_name(struct ws_symbolizer *s, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	return name ? func_name(s, name) : NULL;
}

static void
set_decl(struct ws_symbolizer *s, struct ws_frame *f, Dwarf_Die *die)
{
	int line = 0;
	const char *file = dwarf_decl_file(die);
	if (file && dwarf_decl_line(die, &line) == 0 && line > 0) {
		f->decl_file = ws_intern(&s->strings, file);
		f->decl_line = (unsigned)line;
	}
}

static bool
is_function_tag(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_entry_point;
}

/* The CU DIE that covers Dwfl address a.  libdwfl finds it through
 * .debug_aranges, which clang does not emit by default: without one, walk
 * the CUs and ask each for its ranges (the last hit first). */
static Dwarf_Die *
addr_cu(struct image *im, Dwarf_Addr a, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(im->mod, a, bias);
	if (cu)
		return cu;
	if (im->last_cu && dwarf_haspc(im->last_cu, a - im->last_cu_bias) > 0) {
		*bias = im->last_cu_bias;
		return im->last_cu;
	}
	for (cu = dwfl_module_nextcu(im->mod, NULL, bias); cu;
	     cu = dwfl_module_nextcu(im->mod, cu, bias))
		if (dwarf_haspc(cu, a - *bias) > 0) {
			im->last_cu = cu;
			im->last_cu_bias = *bias;
			return cu;
		}
	return NULL;
}

/* The source file and line of Dwfl address a: libdwfl's line lookup, else
 * (no .debug_aranges) the line table of the CU found by addr_cu(). */
static const char *
addr_line(struct image *im, Dwarf_Addr a, int *line)
{
	*line = 0;
	Dwfl_Line *dl = dwfl_module_getsrc(im->mod, a);
	if (dl)
		return dwfl_lineinfo(dl, NULL, line, NULL, NULL, NULL);
	Dwarf_Addr bias;
	Dwarf_Die *cu = addr_cu(im, a, &bias);
	Dwarf_Line *l = cu ? dwarf_getsrc_die(cu, a - bias) : NULL;
	if (!l || dwarf_lineno(l, line) != 0)
		return NULL;
	return dwarf_linesrc(l, NULL, NULL);
}

/* The DWARF view: inlined chain + containing function.  Returns false when
 * no function DIE covers the address. */
static bool
dwarf_frames(struct ws_symbolizer *s, struct image *im, Dwarf_Addr a, const char *module,
	     struct frame_vec *fv)
{
	Dwarf_Addr cubias;
	Dwarf_Die *cudie = addr_cu(im, a, &cubias);
	if (!cudie)
		return false;
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes(cudie, a - cubias, &scopes);
	if (n <= 0) {
		free(scopes);
		return false;
	}
	Dwarf_Die innermost = scopes[0];
	free(scopes);
	scopes = NULL;
	/* The physical nesting of the innermost scope, out to the CU: inlined
	 * subroutines sit inside the DIE of the function they were inlined
	 * into. */
	n = dwarf_getscopes_die(&innermost, &scopes);
	if (n <= 0) {
		free(scopes);
		return false;
	}

	Dwarf_Files *files = NULL;
	size_t nfiles = 0;
	if (dwarf_getsrcfiles(cudie, &files, &nfiles) != 0)
		files = NULL;

	/* The innermost line comes from the line table. */
	int line = 0;
	const char *file = addr_line(im, a, &line);

	size_t first = fv->n;
	for (int i = 0; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (!is_function_tag(tag))
			continue;
		struct ws_frame *f = push_frame(fv);
		f->module = module;
		f->function = die_name(s, &scopes[i]);
		f->has_symbol = true;
		f->inlined = tag == DW_TAG_inlined_subroutine;
		f->file = file ? ws_intern(&s->strings, file) : NULL;
		f->line = line > 0 ? (unsigned)line : 0;
		set_decl(s, f, &scopes[i]);
		if (!f->inlined)
			break; /* the containing function: done */
		/* This function was called from the next one out, at: */
		Dwarf_Attribute attr;
		Dwarf_Word val;
		file = NULL;
		line = 0;
		if (files &&
		    dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr), &val) == 0 &&
		    val < nfiles)
			file = dwarf_filesrc(files, val, NULL, NULL);
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr), &val) == 0)
			line = (int)val;
	}
	free(scopes);
	if (fv->n == first)
		return false;
	/* An outermost function without a name: take the symbol table's. */
	struct ws_frame *outer = &fv->v[fv->n - 1];
	if (!outer->function) {
		GElf_Off off;
		GElf_Sym sym;
		const char *name = dwfl_module_addrinfo(im->mod, a, &off, &sym, NULL, NULL, NULL);
		outer->function = name ? func_name(s, name) : NULL;
	}
	for (size_t i = first; i < fv->n; i++)
		if (!fv->v[i].function)
			fv->v[i].function = ws_intern(&s->strings, "[anonymous]");
	return true;
}

static void
resolve(struct ws_symbolizer *s, struct image *im, uint64_t addr, struct frame_vec *fv)
{
	const char *module = im->vdso ? ws_intern(&s->strings, "[vdso]") : im->path;
	if (im->vdso) {
		struct ws_frame *f = push_frame(fv);
		f->function = module;
		f->module = module;
		return;
	}
	if (im->mod) {
		Dwarf_Addr a = addr + im->delta;
		if (dwarf_frames(s, im, a, module, fv))
			return;
		GElf_Off off;
		GElf_Sym sym;
		const char *name = dwfl_module_addrinfo(im->mod, a, &off, &sym, NULL, NULL, NULL);
		if (name) {
			struct ws_frame *f = push_frame(fv);
			f->function = func_name(s, name);
			f->module = module;
			f->has_symbol = true;
			/* A line table without a covering CU DIE is rare, but use it. */
			int line = 0;
			const char *file = addr_line(im, a, &line);
			if (file && line > 0) {
				f->file = ws_intern(&s->strings, file);
				f->line = (unsigned)line;
			}
			return;
		}
	}
	const char *base = ws_basename(im->path);
	char *name = ws_xasprintf("%s+0x%" PRIx64, *base ? base : "[anon]", addr - im->bias);
	struct ws_frame *f = push_frame(fv);
	f->function = ws_intern(&s->strings, name);
	f->module = module;
	free(name);
}

struct entry_key {
	const struct image *im;
	uint64_t addr;
};

static bool
entry_eq(const void *entry, const void *key)
{
	const struct entry *e = entry;
	const struct entry_key *k = key;
	return e->im == k->im && e->addr == k->addr;
}

size_t
ws_symbolize(struct ws_symbolizer *s, const struct wsr_process *p, uint64_t ip, bool return_address,
	     const struct ws_frame **frames)
{
	uint64_t addr = return_address && ip ? ip - 1 : ip;
	const struct wsr_module *m = ws_module_for(p, addr);
	if (!m) {
		*frames = &s->unknown;
		return 1;
	}
	struct image *im = image_of(s, m);
	struct entry_key k = {im, addr};
	uint64_t h = ws_hash_ptr(im, addr);
	struct entry *e = ws_hmap_find(&s->cache, h, entry_eq, &k);
	if (!e) {
		if (!im->opened)
			open_image(s, im);
		struct frame_vec fv = {0};
		resolve(s, im, addr, &fv);
		e = ws_xmalloc(sizeof *e + fv.n * sizeof e->frames[0]);
		e->im = im;
		e->addr = addr;
		e->n = fv.n;
		memcpy(e->frames, fv.v, fv.n * sizeof e->frames[0]);
		free(fv.v);
		ws_hmap_insert(&s->cache, h, e);
		s->all_entries =
		    ws_xrealloc(s->all_entries, (s->nentries + 1) * sizeof *s->all_entries);
		s->all_entries[s->nentries++] = e;
	}
	*frames = e->frames;
	return e->n;
}

/* ---- machine code ---- */

/* The bytes at Dwfl address a, at most *size of them (cut to the section's
 * end), from the module's main ELF file. */
static const uint8_t *
elf_bytes(Dwfl_Module *mod, Dwarf_Addr a, uint64_t *size)
{
	GElf_Addr bias = 0;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	if (!elf)
		return NULL;
	GElf_Addr v = a - bias;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		if (!sh || sh->sh_type != SHT_PROGBITS || !(sh->sh_flags & SHF_ALLOC) ||
		    v < sh->sh_addr || v - sh->sh_addr >= sh->sh_size)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		uint64_t off = v - sh->sh_addr;
		if (!d || !d->d_buf || off >= d->d_size)
			return NULL;
		if (*size > d->d_size - off)
			*size = d->d_size - off;
		return (const uint8_t *)d->d_buf + off;
	}
	return NULL;
}

/* The DWARF subprogram around Dwfl address a: its name and the range of
 * its addresses that holds a. */
static bool
dwarf_function_range(struct ws_symbolizer *s, struct image *im, Dwarf_Addr a, const char **name,
		     Dwarf_Addr *lo, Dwarf_Addr *hi)
{
	Dwarf_Addr cubias;
	Dwarf_Die *cudie = addr_cu(im, a, &cubias);
	Dwarf_Die *scopes = NULL;
	int n = cudie ? dwarf_getscopes(cudie, a - cubias, &scopes) : 0;
	bool found = false;
	for (int i = n - 1; i >= 0 && !found; i--) {
		if (dwarf_tag(&scopes[i]) != DW_TAG_subprogram)
			continue;
		Dwarf_Addr base, start, end;
		ptrdiff_t off = 0;
		while ((off = dwarf_ranges(&scopes[i], off, &base, &start, &end)) > 0)
			if (start <= a - cubias && a - cubias < end) {
				*lo = start + cubias;
				*hi = end + cubias;
				*name = die_name(s, &scopes[i]);
				found = *name != NULL;
				break;
			}
	}
	free(scopes);
	return found;
}

static const char *
cu_string(struct ws_symbolizer *s, Dwarf_Die *cu, int at)
{
	Dwarf_Attribute attr;
	const char *v = cu ? dwarf_formstring(dwarf_attr(cu, at, &attr)) : NULL;
	return v ? ws_intern(&s->strings, v) : NULL;
}

int
ws_symbolizer_code(struct ws_symbolizer *s, const struct wsr_process *p, uint64_t ip,
		   struct ws_code *out, const char **why)
{
	memset(out, 0, sizeof *out);
	const struct wsr_module *m = ws_module_for(p, ip);
	if (!m) {
		*why = "the address is in no recorded module";
		return -1;
	}
	struct image *im = image_of(s, m);
	if (!im->opened)
		open_image(s, im);
	if (im->vdso) {
		*why = "the vDSO has no file to read";
		return -1;
	}
	if (!im->mod) {
		*why = "the module's file cannot be read";
		return -1;
	}
	Dwarf_Addr a = ip + im->delta;
	GElf_Off off;
	GElf_Sym sym;
	const char *name = dwfl_module_addrinfo(im->mod, a, &off, &sym, NULL, NULL, NULL);
	Dwarf_Addr lo = 0, hi = 0;
	if (name && sym.st_size > 0 && off < sym.st_size) {
		lo = a - off;
		hi = lo + sym.st_size;
		name = func_name(s, name);
	} else if (!dwarf_function_range(s, im, a, &name, &lo, &hi)) {
		*why = "no symbol with a size and no DWARF function covers the address";
		return -1;
	}
	uint64_t size = hi - lo;
	const uint8_t *bytes = elf_bytes(im->mod, lo, &size);
	if (!bytes || lo + size <= a) {
		*why = "the module's file holds no code at the address";
		return -1;
	}
	GElf_Addr mbias = 0;
	dwfl_module_getelf(im->mod, &mbias);
	out->function = name;
	out->module = im->path;
	out->start = lo - (Dwarf_Addr)im->delta;
	out->file_start = lo - mbias;
	out->size = size;
	out->bytes = bytes;
	Dwarf_Addr cubias;
	Dwarf_Die *cu = addr_cu(im, a, &cubias);
	out->producer = cu_string(s, cu, DW_AT_producer);
	out->comp_dir = cu_string(s, cu, DW_AT_comp_dir);
	out->cu_name = cu_string(s, cu, DW_AT_name);
	return 0;
}

void
ws_symbolize_stack(struct ws_symbolizer *s, const struct wsr_process *p, const struct wsr_stack *st,
		   struct ws_chain *c)
{
	c->n = 0;
	if (st->nframes == 0) {
		if (!c->cap) {
			c->cap = 16;
			c->frames = ws_xrealloc(c->frames, c->cap * sizeof *c->frames);
		}
		c->frames[c->n++] = &s->unknown;
		return;
	}
	for (uint32_t i = 0; i < st->nframes; i++) {
		const struct ws_frame *fr;
		size_t n = ws_symbolize(s, p, st->ips[i], i > 0, &fr);
		if (c->n + n > c->cap) {
			c->cap = (c->n + n) * 2;
			c->frames = ws_xrealloc(c->frames, c->cap * sizeof *c->frames);
		}
		for (size_t j = 0; j < n; j++)
			c->frames[c->n++] = &fr[j];
	}
}

void
ws_chain_free(struct ws_chain *c)
{
	free(c->frames);
	memset(c, 0, sizeof *c);
}
