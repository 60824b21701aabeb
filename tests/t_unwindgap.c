/* A corrupt frame aimed at a PROT_NONE gap of a loaded library.
 *   t_unwindgap LIBRARY [SECONDS]
 * dlopens LIBRARY (libtgap.so: segments 2 MiB apart), finds a page
 * between two of its segments that /proc/self/maps shows PROT_NONE, and
 * spins for SECONDS (default 0.3) of CPU in gap_spin, a function whose
 * unwind rule says "the caller's frame is at %rbp" while %rbp points into
 * that gap.  An unwinder that reads the gap faults (SIGSEGV inside the
 * sampling handler); whyslow's must end the stack there instead.
 * Exit 0 when done, 77 when the library has no PROT_NONE gap. */
#include "t_common.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>

/* gap_spin(frame, iterations): standard prologue and CFI (CFA = %rbp + 16
 * once %rbp is set), then %rbp = frame for the loop. */
void gap_spin(uint64_t frame, uint64_t iterations);
__asm__(".text\n"
	".globl gap_spin\n"
	".type gap_spin, @function\n"
	"gap_spin:\n"
	"	.cfi_startproc\n"
	"	push %rbp\n"
	"	.cfi_def_cfa_offset 16\n"
	"	.cfi_offset %rbp, -16\n"
	"	mov %rsp, %rbp\n"
	"	.cfi_def_cfa_register %rbp\n"
	"	mov %rdi, %rbp\n"
	"1:	dec %rsi\n"
	"	jnz 1b\n"
	"	mov %rsp, %rbp\n"
	"	pop %rbp\n"
	"	.cfi_def_cfa %rsp, 8\n"
	"	ret\n"
	"	.cfi_endproc\n"
	".size gap_spin, .-gap_spin\n");

struct find {
	uintptr_t in;  /* an address in the library */
	uintptr_t gap; /* result */
};

/* Is the page at addr mapped PROT_NONE ("---p" in /proc/self/maps)? */
static int
prot_none(uintptr_t addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi)
			found = !strcmp(perms, "---p");
	}
	if (f)
		fclose(f);
	return found;
}

static int
find_gap(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find *f = arg;
	uintptr_t prev_end = 0;
	int mine = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t s = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && f->in >= s && f->in < s + ph->p_memsz)
			mine = 1;
	}
	if (!mine)
		return 0;
	for (int i = 0; i < info->dlpi_phnum && !f->gap; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t s = info->dlpi_addr + ph->p_vaddr;
		uintptr_t lo = (prev_end + 4095) & ~(uintptr_t)4095, hi = s & ~(uintptr_t)4095;
		if (prev_end && hi >= lo + 3 * 4096 && prot_none(lo + 4096))
			f->gap = lo + 4096;
		prev_end = s + ph->p_memsz;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: t_unwindgap LIBRARY [SECONDS]\n");
		return 2;
	}
	void *h = dlopen(argv[1], RTLD_NOW);
	void *fn = h ? dlsym(h, "tgap_fn") : NULL;
	if (!fn) {
		fprintf(stderr, "t_unwindgap: %s\n", dlerror());
		return 99;
	}
	struct find f = {(uintptr_t)fn, 0};
	dl_iterate_phdr(find_gap, &f);
	if (!f.gap) {
		fprintf(stderr, "t_unwindgap: %s has no PROT_NONE gap between its segments\n",
			argv[1]);
		return 77;
	}
	double sec = argc > 2 ? atof(argv[2]) : 0.3;
	double end = t_now(CLOCK_THREAD_CPUTIME_ID) + sec;
	while (t_now(CLOCK_THREAD_CPUTIME_ID) < end)
		gap_spin(f.gap, 1000000);
	printf("gap %#lx\n", (unsigned long)f.gap);
	return 0;
}
