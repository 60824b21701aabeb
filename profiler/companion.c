/* Companion libraries' entry points (companion.h). */
#include "companion.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/uio.h>

#include "collector.h"
#include "writer.h"

#define WS_EXPORT __attribute__((visibility("default")))

enum { MAX_COMPANIONS = 8 };

static _Atomic(whyslow_finish_fn) finish_fns[MAX_COMPANIONS];

WS_EXPORT int
whyslow_companion_register(whyslow_finish_fn fn)
{
	if (!fn || atomic_load(&ws_phase) != WS_PHASE_RUNNING)
		return -1;
	for (int i = 0; i < MAX_COMPANIONS; i++) {
		whyslow_finish_fn none = NULL;
		if (atomic_compare_exchange_strong(&finish_fns[i], &none, fn))
			return 0;
		if (none == fn)
			return 0;
	}
	return -1;
}

WS_EXPORT int
whyslow_companion_write(uint32_t type, const void *payload, size_t len)
{
	if (!payload && len)
		return -EINVAL;
	struct iovec part = {(void *)payload, len};
	return ws_writer_record(type, &part, 1);
}

void
ws_companions_finish(void)
{
	for (int i = 0; i < MAX_COMPANIONS; i++) {
		whyslow_finish_fn fn = atomic_load(&finish_fns[i]);
		if (fn)
			fn();
	}
}
