/* dlopen: loads the library named by argv[1], calls its tlib_burn for
 * 250 ms, dlcloses it (and checks it is gone), works 50 ms in main_after,
 * and exits 0.  The report must still name tlib_burn. */
#include "t_common.h"

#include <dlfcn.h>

T_NOINLINE void
main_after(void)
{
	T_BURN_CPU(0.05);
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: t_dlopen LIBRARY.so\n");
		return 2;
	}
	void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "t_dlopen: %s\n", dlerror());
		return 99;
	}
	double (*burn)(double) = (double (*)(double))dlsym(h, "tlib_burn");
	if (!burn) {
		fprintf(stderr, "t_dlopen: %s\n", dlerror());
		return 99;
	}
	burn(0.25);
	if (dlclose(h) != 0) {
		fprintf(stderr, "t_dlopen: dlclose: %s\n", dlerror());
		return 1;
	}
	void *again = dlopen(argv[1], RTLD_NOW | RTLD_NOLOAD);
	if (again) {
		printf("t_dlopen: note: %s is still loaded after dlclose\n", argv[1]);
		dlclose(again);
	}
	main_after();
	return 0;
}
