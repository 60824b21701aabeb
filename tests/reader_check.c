/* reader_check: the profile reader (reports/profile.c) against correct,
 * damaged, truncated and random files.  Built with AddressSanitizer and
 * UndefinedBehaviorSanitizer (tests/reader.am): an out-of-bounds read, a
 * leak or undefined arithmetic aborts the test even where the result
 * looked right.
 *
 * What it proves:
 *  - a correct profile round-trips: every field of every record comes back
 *    as written (reader_synth.c), samples are joined to threads whose
 *    records come later, unknown record types are skipped, module lookup
 *    picks the latest-loaded module;
 *  - every damaged variant fails with "<file>: offset N: <what>" (one line)
 *    or, for a file cut short after its process record, loads as
 *    incomplete with a note;
 *  - every prefix of a correct file either fails that way or loads as
 *    incomplete; random files and randomly damaged profiles never crash;
 *  - directories: missing, not a directory, empty, with a bad file among
 *    good ones (an error naming the file), sorted by start time;
 *  - the committed corpus (tests/corpus) still matches what mkprofile
 *    writes and each file loads or fails as its name says.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "reader_synth.h"

static int failures;
static char tmpdir[4096];

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	failures++;
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			failf(__VA_ARGS__);                                                        \
	} while (0)

static char *
tmp_path(const char *name)
{
	static char path[8192];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
		printf("ERROR: %s: %s\n", path, strerror(errno));
		exit(99);
	}
}

static uint8_t *
read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096;
	uint8_t *p = malloc(cap);
	*n = 0;
	size_t r;
	while ((r = fread(p + *n, 1, cap - *n, f)) > 0) {
		*n += r;
		if (*n == cap)
			p = realloc(p, cap *= 2);
	}
	fclose(f);
	return p;
}

/* An error must be one line naming the file and an offset. */
static bool
good_error(const char *msg, const char *path)
{
	size_t n = strlen(path);
	return strncmp(msg, path, n) == 0 && strncmp(msg + n, ": offset ", 9) == 0 &&
	       !strchr(msg, '\n');
}

static bool
has_note(const struct wsr_process *p, const char *part)
{
	for (size_t i = 0; i < p->nnotes; i++)
		if (strstr(p->notes[i], part))
			return true;
	return false;
}

/* ---- the correct profile ---- */

static void
check_modules(const struct wsr_process *p)
{
	CHECK(p->nmodules == SYNTH_NMODULES, "nmodules %zu", p->nmodules);
	for (size_t i = 0; i < p->nmodules && i < SYNTH_NMODULES; i++) {
		const struct synth_module *m = &synth_modules[i];
		const struct wsr_module *r = &p->modules[i];
		CHECK(!memcmp(&r->info, &m->info, sizeof m->info), "module %zu: fixed fields", i);
		CHECK(!strcmp(r->path, m->path), "module %zu: path '%s'", i, r->path);
		CHECK(m->info.build_id_len == 0 ||
			  !memcmp(r->build_id, m->build_id, m->info.build_id_len),
		      "module %zu: build-id", i);
	}
	static const struct {
		uint64_t ip;
		int module; /* -1: none */
	} lookups[] = {
	    {0, -1},
	    {0x3fffff, -1},
	    {0x400000, 0},
	    {0x47ffff, 0},
	    {0x480000, -1},
	    {0x7f0000012345, 1},
	    {0x7f1000000100, 3}, /* plugin_b, loaded over plugin_a */
	    {0x7f100007ffff, 3},
	    {0x7f1000080000, 2}, /* only plugin_a ever covered this */
	    {0x7f10000fffff, 2},
	    {0x7f1000100000, -1},
	    {0x7ffff7fc1500, 4},
	    {UINT64_MAX, -1},
	};
	for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
		const struct wsr_module *m = ws_module_for(p, lookups[i].ip);
		long got = m ? (long)(m - p->modules) : -1;
		CHECK(got == lookups[i].module, "ws_module_for(0x%llx) = %ld, expected %d",
		      (unsigned long long)lookups[i].ip, got, lookups[i].module);
	}
}

static void
check_thread(const struct wsr_thread *t, const struct synth_thread *want,
	     const struct synth_chunk *const *chunks, size_t nchunks)
{
	uint32_t ix = want->info.thread_index;
	CHECK(!memcmp(&t->info, &want->info, sizeof t->info), "thread %u: fixed fields", ix);
	for (uint32_t s = 0; s < want->info.stack_count; s++) {
		const struct synth_stack *ws = &want->stacks[s];
		const struct wsr_stack *rs = &t->stacks[s];
		CHECK(rs->nframes == ws->nframes && rs->flags == ws->flags &&
			  rs->count == ws->count,
		      "thread %u stack %u: header", ix, s);
		CHECK(ws->nframes == 0 || !memcmp(rs->ips, ws->ips, ws->nframes * sizeof *rs->ips),
		      "thread %u stack %u: frames", ix, s);
	}
	size_t n = 0;
	for (size_t c = 0; c < nchunks; c++) {
		CHECK(n + chunks[c]->count <= t->nsamples, "thread %u: too few samples", ix);
		if (n + chunks[c]->count > t->nsamples)
			return;
		CHECK(!memcmp(t->samples + n, chunks[c]->samples,
			      chunks[c]->count * sizeof *t->samples),
		      "thread %u: samples of chunk %zu", ix, c);
		n += chunks[c]->count;
	}
	CHECK(n == t->nsamples, "thread %u: %zu samples, expected %zu", ix, t->nsamples, n);
}

static void
check_valid_process(const struct wsr_process *p, const char *path)
{
	CHECK(!strcmp(p->file, path), "file '%s'", p->file);
	CHECK(!memcmp(&p->info, &synth_process, sizeof p->info), "process fixed fields");
	CHECK(!strcmp(p->hostname, synth_hostname), "hostname '%s'", p->hostname);
	CHECK(!strcmp(p->exe, synth_exe), "exe '%s'", p->exe);
	int argc = 0;
	while (synth_argv[argc])
		argc++;
	CHECK(p->argc == argc, "argc %d, expected %d", p->argc, argc);
	for (int i = 0; i < argc && i < p->argc; i++)
		CHECK(!strcmp(p->argv[i], synth_argv[i]), "argv[%d] '%s'", i, p->argv[i]);
	CHECK(p->argv[p->argc] == NULL, "argv is not NULL-terminated");
	check_modules(p);
	CHECK(p->nthreads == SYNTH_NTHREADS, "nthreads %zu", p->nthreads);
	if (p->nthreads == SYNTH_NTHREADS) {
		/* thread 0: chunks 1 and 2, around its record; thread 1:
		 * chunk 0, which comes before its record */
		const struct synth_chunk *t0[] = {&synth_chunks[1], &synth_chunks[2]};
		const struct synth_chunk *t1[] = {&synth_chunks[0]};
		check_thread(&p->threads[0], &synth_threads[0], t0, 2);
		check_thread(&p->threads[1], &synth_threads[1], t1, 1);
	}
	CHECK(p->nnotes == SYNTH_NNOTES + 1, "%zu notes, expected %d + the unknown-record note",
	      p->nnotes, SYNTH_NNOTES);
	for (size_t i = 0; i < SYNTH_NNOTES && i < p->nnotes; i++)
		CHECK(!strcmp(p->notes[i], synth_notes[i]), "note %zu '%s'", i, p->notes[i]);
	CHECK(has_note(p, "of unknown type (such as 99)"), "no note about the skipped record");
	CHECK(p->complete, "not complete");
	CHECK(!memcmp(&p->end, &synth_end, sizeof p->end), "end record");
}

static void
test_valid(void)
{
	size_t n;
	uint8_t *buf = synth_build("valid", &n, NULL);
	char *path = tmp_path("valid.wsp");
	write_file(path, buf, n);
	free(buf);
	struct wsr_process p;
	struct ws_error err;
	if (ws_load_file(path, &p, &err) < 0) {
		failf("valid profile: %s", err.msg);
		return;
	}
	check_valid_process(&p, path);
	ws_process_free(&p);
	ws_process_free(&p); /* freeing a freed (zeroed) process is harmless */
	unlink(path);
}

/* ---- damaged files ---- */

static void
check_result(const char *what, const char *path, int rc, const struct wsr_process *p,
	     const struct ws_error *err, enum synth_expect expect, const char *message)
{
	switch (expect) {
	case EXPECT_LOAD:
		CHECK(rc == 0, "%s: %s", what, err->msg);
		CHECK(rc < 0 || p->complete, "%s: loaded as incomplete", what);
		break;
	case EXPECT_INCOMPLETE:
		CHECK(rc == 0, "%s: should load as incomplete: %s", what, err->msg);
		if (rc < 0)
			break;
		CHECK(!p->complete, "%s: loaded as complete", what);
		CHECK(has_note(p, "incomplete profile (no end record)"), "%s: no note", what);
		CHECK(!message || has_note(p, message), "%s: no note with '%s'", what, message);
		break;
	case EXPECT_FAIL:
		CHECK(rc < 0, "%s: loaded, should have failed", what);
		if (rc == 0)
			break;
		CHECK(good_error(err->msg, path), "%s: bad message '%s'", what, err->msg);
		CHECK(!message || strstr(err->msg, message), "%s: message '%s' lacks '%s'", what,
		      err->msg, message);
		CHECK(p->file == NULL && p->storage == NULL, "%s: output not cleared", what);
		break;
	}
}

static void
test_variants(void)
{
	for (const struct synth_variant *v = synth_variants; v->name; v++) {
		size_t n;
		uint8_t *buf = synth_build(v->name, &n, NULL);
		char name[256];
		snprintf(name, sizeof name, "%s.wsp", v->name);
		char *path = tmp_path(name);
		write_file(path, buf, n);
		free(buf);
		struct wsr_process p;
		struct ws_error err = {""};
		int rc = ws_load_file(path, &p, &err);
		check_result(v->name, path, rc, &p, &err, v->expect, v->message);
		if (rc == 0)
			ws_process_free(&p);
		unlink(path);
	}
}

/* Every prefix of a correct file: an error, or an incomplete profile
 * that holds what was complete. */
static void
test_truncations(void)
{
	size_t n;
	size_t off[R_COUNT];
	uint8_t *buf = synth_build("valid", &n, off);
	char *path = tmp_path("cut.wsp");
	size_t loaded = 0;
	for (size_t len = 0; len <= n; len++) {
		write_file(path, buf, len);
		struct wsr_process p;
		struct ws_error err = {""};
		int rc = ws_load_file(path, &p, &err);
		char what[64];
		snprintf(what, sizeof what, "cut at %zu of %zu", len, n);
		if (len == n) {
			check_result(what, path, rc, &p, &err, EXPECT_LOAD, NULL);
		} else if (len < off[R_MOD0]) {
			check_result(what, path, rc, &p, &err, EXPECT_FAIL, NULL);
		} else {
			check_result(what, path, rc, &p, &err, EXPECT_INCOMPLETE, NULL);
			loaded += rc == 0;
			/* whatever was loaded is the beginning of the truth */
			if (rc == 0 && len >= off[R_MOD2])
				CHECK(p.nmodules >= 2 &&
					  !strcmp(p.modules[1].path, synth_modules[1].path),
				      "%s: modules", what);
		}
		if (rc == 0)
			ws_process_free(&p);
	}
	CHECK(loaded == n - off[R_MOD0], "only %zu prefixes loaded", loaded);
	free(buf);
	unlink(path);
}

/* ---- random input ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull; /* fixed seed: failures reproduce */

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
load_random(const char *what, const uint8_t *buf, size_t n)
{
	char *path = tmp_path("random.wsp");
	write_file(path, buf, n);
	struct wsr_process p;
	struct ws_error err = {""};
	int rc = ws_load_file(path, &p, &err);
	if (rc < 0) {
		CHECK(good_error(err.msg, path), "%s: bad message '%s'", what, err.msg);
		return;
	}
	/* whatever loads must be consistent: walk it all */
	for (size_t t = 0; t < p.nthreads; t++) {
		const struct wsr_thread *th = &p.threads[t];
		uint64_t sum = 0;
		for (uint32_t s = 0; s < th->info.stack_count; s++)
			for (uint32_t f = 0; f < th->stacks[s].nframes; f++)
				sum += th->stacks[s].ips[f];
		for (size_t k = 0; k < th->nsamples; k++)
			CHECK(th->samples[k].stack < th->info.stack_count, "%s: stack index", what);
		(void)sum;
	}
	for (size_t m = 0; m < p.nmodules; m++)
		ws_module_for(&p, p.modules[m].info.start);
	ws_process_free(&p);
}

static void
test_random(void)
{
	uint8_t buf[4096];
	char what[64];
	/* pure noise, and noise behind a correct file header */
	for (int i = 0; i < 300; i++) {
		size_t n = next_random() % sizeof buf;
		for (size_t k = 0; k < n; k++)
			buf[k] = (uint8_t)next_random();
		if (i % 2) {
			struct ws_file_header h = {WS_MAGIC, WS_FORMAT_VERSION, sizeof h,
						   WS_ENDIAN_CHECK};
			memcpy(buf, &h, n < sizeof h ? n : sizeof h);
		}
		snprintf(what, sizeof what, "random file %d", i);
		load_random(what, buf, n);
	}
	/* a correct profile with a few bytes changed: gets deep into it */
	size_t n;
	uint8_t *valid = synth_build("valid", &n, NULL);
	uint8_t *copy = malloc(n);
	for (int i = 0; i < 600; i++) {
		memcpy(copy, valid, n);
		int changes = 1 + (int)(next_random() % 4);
		for (int c = 0; c < changes; c++) {
			size_t at = sizeof(struct ws_file_header) + next_random() % (n - 24);
			copy[at] = i % 3 ? (uint8_t)next_random() : copy[at] ^ 0x80;
		}
		snprintf(what, sizeof what, "damaged profile %d", i);
		load_random(what, copy, n - (i % 5 == 0 ? next_random() % n : 0));
	}
	free(copy);
	free(valid);
	unlink(tmp_path("random.wsp"));
}

/* ---- directories ---- */

static void
expect_dir_error(const char *dir, const char *part)
{
	struct wsr_profile prof;
	struct ws_error err = {""};
	int rc = ws_load_dir(dir, &prof, &err);
	CHECK(rc < 0, "%s: loaded", dir);
	CHECK(rc == 0 || strstr(err.msg, part), "%s: message '%s' lacks '%s'", dir, err.msg, part);
	CHECK(rc == 0 || !strchr(err.msg, '\n'), "%s: message of several lines", dir);
	if (rc == 0)
		ws_profile_free(&prof);
}

static void
test_dirs(void)
{
	char dir[8192], path[8192 + 64], msg[8300];
	snprintf(dir, sizeof dir, "%s/rec", tmpdir);
	expect_dir_error(dir, "No such file or directory");
	mkdir(dir, 0700);
	snprintf(msg, sizeof msg, "no profile files (*.wsp) in %s", dir);
	expect_dir_error(dir, msg);

	/* two processes, the later-started one first by name */
	size_t n, off[R_COUNT];
	uint8_t *buf = synth_build("valid", &n, off);
	snprintf(path, sizeof path, "%s/a.1.wsp", dir);
	write_file(path, buf, n);
	uint64_t earlier = synth_process.start_mono_ns - 1;
	memcpy(buf + off[R_PROCESS] + sizeof(struct ws_record_header) +
		   offsetof(struct ws_process, start_mono_ns),
	       &earlier, sizeof earlier);
	snprintf(path, sizeof path, "%s/b.2.wsp", dir);
	write_file(path, buf, n);
	snprintf(path, sizeof path, "%s/notes.txt", dir); /* not a profile: ignored */
	write_file(path, "hello", 5);
	struct wsr_profile prof;
	struct ws_error err = {""};
	if (ws_load_dir(dir, &prof, &err) < 0) {
		failf("good directory: %s", err.msg);
	} else {
		CHECK(prof.nprocs == 2, "good directory: %zu processes", prof.nprocs);
		CHECK(!strcmp(prof.dir, dir), "dir '%s'", prof.dir);
		CHECK(prof.nprocs == 2 && strstr(prof.procs[0].file, "b.2.wsp") &&
			  strstr(prof.procs[1].file, "a.1.wsp"),
		      "not sorted by start time");
		ws_profile_free(&prof);
		ws_profile_free(&prof);
	}

	/* a bad file among good ones fails the whole directory, by name */
	snprintf(path, sizeof path, "%s/c.3.wsp", dir);
	write_file(path, buf, off[R_MOD0] - 10); /* cut inside the process record */
	expect_dir_error(dir, path);
	unlink(path);
	free(buf);

	/* a profile name that is not a regular file */
	snprintf(path, sizeof path, "%s/d.wsp", dir);
	mkdir(path, 0700);
	expect_dir_error(dir, "d.wsp: is a directory");
	rmdir(path);

	/* the directory is a file */
	snprintf(path, sizeof path, "%s/a.1.wsp", dir);
	expect_dir_error(path, "not a directory");
	snprintf(path, sizeof path, "%s/nonexistent.wsp", tmpdir);
	struct wsr_process p;
	CHECK(ws_load_file(path, &p, &err) < 0 && strstr(err.msg, path) &&
		  strstr(err.msg, "No such file"),
	      "missing file: '%s'", err.msg);

	const char *names[] = {"a.1.wsp", "b.2.wsp", "notes.txt"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* ---- the committed corpus ---- */

static void
test_corpus(void)
{
	const char *srcdir = getenv("SRCDIR");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/corpus", srcdir ? srcdir : ".");
	DIR *d = opendir(dir);
	if (!d) {
		failf("%s: %s (the corpus of bad files is part of the tests)", dir,
		      strerror(errno));
		return;
	}
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d))) {
		const char *name = e->d_name;
		size_t len = strlen(name);
		if (len < 5 || strcmp(name + len - 4, ".wsp"))
			continue;
		enum synth_expect expect;
		const char *variant;
		if (!strncmp(name, "ok-", 3))
			expect = EXPECT_LOAD, variant = name + 3;
		else if (!strncmp(name, "incomplete-", 11))
			expect = EXPECT_INCOMPLETE, variant = name + 11;
		else if (!strncmp(name, "bad-", 4))
			expect = EXPECT_FAIL, variant = name + 4;
		else
			continue;
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", dir, name);
		struct wsr_process p;
		struct ws_error err = {""};
		int rc = ws_load_file(path, &p, &err);
		check_result(name, path, rc, &p, &err, expect, NULL);
		if (rc == 0)
			ws_process_free(&p);
		files++;
		/* a file made by mkprofile must still be what mkprofile makes */
		char vname[256];
		snprintf(vname, sizeof vname, "%.*s", (int)(len - 4 - (variant - name)), variant);
		if (!synth_variant(vname))
			continue; /* e.g. a crash found by the fuzzer */
		size_t want_n, got_n;
		uint8_t *want = synth_build(vname, &want_n, NULL);
		uint8_t *got = read_file(path, &got_n);
		CHECK(got && got_n == want_n && (!want_n || !memcmp(got, want, want_n)),
		      "%s is stale: regenerate the corpus with 'mkprofile -c %s'", path, dir);
		free(want);
		free(got);
	}
	closedir(d);
	CHECK(files >= 10, "%s: only %d corpus files", dir, files);
}

int
main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/reader_check.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("ERROR: mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return 99;
	}
	test_valid();
	test_variants();
	test_truncations();
	test_random();
	test_dirs();
	test_corpus();
	rmdir(tmpdir);
	if (failures) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("reader_check: all passed\n");
	return 0;
}
