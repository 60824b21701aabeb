/* C++ demangling through a dlopen()ed libstdc++ (see demangle.h). */
#include "config.h"

#include "demangle.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef char *(*cxa_demangle_fn)(const char *mangled, char *buf, size_t *len, int *status);

static cxa_demangle_fn
demangler(void)
{
	static bool tried;
	static cxa_demangle_fn fn;
	if (!tried) {
		tried = true;
		/* Already in the process (e.g. via a C++ dependency) or loadable. */
		void *h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (h)
			fn = (cxa_demangle_fn)dlsym(h, "__cxa_demangle");
	}
	return fn;
}

char *
ws_demangle(const char *name)
{
	if (!name || strncmp(name, "_Z", 2))
		return NULL;
	cxa_demangle_fn fn = demangler();
	if (!fn)
		return NULL;
	int status = -1;
	char *d = fn(name, NULL, NULL, &status);
	return status == 0 ? d : NULL;
}
