/* t_heapmin: programs whose exact heap counts are known, for
 * tests/test_heap.sh (whyslow record --heap-sample 1).
 *
 *   t_heapmin one     one malloc(100), one free: 1 malloc, 1 free, nothing
 *                     live at exit, a peak of at least 100 bytes
 *   t_heapmin none    no allocator call at all
 *   t_heapmin dlerr   a dlopen (after which the collector looks the new
 *                     object up for Python, and fails, leaving glibc's
 *                     error buffers), then a malloc(100000) and a dlsym of
 *                     the program's (which frees those buffers), a free:
 *                     the collector's buffers must not be counted, neither
 *                     their allocation nor their free
 *
 * Nothing is printed (stdout's buffer would be an allocation); exit 0. */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "one")) {
		void *p = malloc(100);
		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
		return 0;
	}
	if (!strcmp(mode, "none"))
		return 0;
	if (!strcmp(mode, "dlerr")) {
		/* libm: loaded already (libwhyslow.so needs it), so the loader
		 * allocates little of the program's own here */
		void *h = dlopen("libm.so.6", RTLD_NOW);
		if (!h)
			return 2;
		void *p = malloc(100000);
		__asm__ volatile("" : : "r"(p) : "memory");
		void *f = dlsym(h, "cos");
		free(p);
		return f ? 0 : 2;
	}
	return 2;
}
