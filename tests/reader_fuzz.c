/* reader_fuzz: libFuzzer harness for the profile reader (reports/profile.c).
 * Each input is written to a temporary file and loaded; a crash, an
 * out-of-bounds access, undefined behaviour or a leak is a finding.
 *
 * Not built by `make check` (it needs clang's libFuzzer).  From a build
 * directory configured out of tree (BUILD has config.h, SRC the sources):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -I$BUILD -I$SRC/profiler -I$SRC/reports \
 *     $SRC/tests/reader_fuzz.c $SRC/reports/profile.c $SRC/reports/util.c \
 *     -o reader_fuzz
 *   mkdir -p fuzz-corpus
 *   ./reader_fuzz -max_total_time=300 -max_len=8192 fuzz-corpus $SRC/tests/corpus
 *
 * The seeds in tests/corpus (written by `mkprofile -c`) let it start from
 * correct and nearly correct profiles.  A crashing input it finds goes into
 * tests/corpus as bad-fuzz-<what>.wsp (or ok-/incomplete-) once fixed:
 * reader_check loads every file there.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"

static char path[64];
static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0) {
		const char *tmp = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/reader_fuzz.XXXXXX.wsp",
			 tmp && strlen(tmp) < 30 ? tmp : "/tmp");
		fd = mkstemps(path, 4);
		if (fd < 0)
			abort();
		/* the file is reused for every input and removed at once:
		 * ws_load_file() opens it by name, so keep the name alive via
		 * /proc/self/fd */
		char alias[64];
		snprintf(alias, sizeof alias, "/proc/self/fd/%d", fd);
		unlink(path);
		snprintf(path, sizeof path, "%s", alias);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	struct wsr_process p;
	struct ws_error err;
	if (ws_load_file(path, &p, &err) == 0) {
		/* touch everything the reader handed out */
		volatile uint64_t sink = 0;
		for (size_t t = 0; t < p.nthreads; t++) {
			const struct wsr_thread *th = &p.threads[t];
			for (uint32_t s = 0; s < th->info.stack_count; s++)
				for (uint32_t f = 0; f < th->stacks[s].nframes; f++)
					sink += th->stacks[s].ips[f];
			for (size_t k = 0; k < th->nsamples; k++)
				if (th->samples[k].stack >= th->info.stack_count)
					abort();
		}
		for (size_t m = 0; m < p.nmodules; m++)
			sink += (uintptr_t)ws_module_for(&p, p.modules[m].info.start);
		for (int a = 0; a < p.argc; a++)
			sink += strlen(p.argv[a]);
		(void)sink;
		ws_process_free(&p);
	} else if (!strstr(err.msg, path) || strchr(err.msg, '\n')) {
		abort(); /* errors are one line naming the file */
	}
	return 0;
}
