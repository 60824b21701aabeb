/* Register snapshots (WS_REC_REGS) in a real recording, as the reader
 * returns them (reports/profile.c), and the reader's checks of the record.
 *
 * Usage: access_regs DIR CAP
 *   DIR is a recording of one single-threaded process made with
 *   WHYSLOW_REGS=CAP and more samples than CAP.  Checks: the thread has
 *   exactly CAP snapshots of `seen` offered, seen at least its samples'
 *   handler runs; every snapshot's rip is the innermost address of its
 *   stack (the registers belong to that sample); times lie in the thread's
 *   life, in order, and cover the run (the reservoir is not only its
 *   start); rsp lies in the stack region the other snapshots show.  Then
 *   copies of the file with the record damaged (a stack index out of
 *   range, a count that does not match the size, an unknown architecture,
 *   a second record for the thread) must be refused with a message naming
 *   the problem.  Exit 0 pass, 1 fail, 99 error. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

static int failures;
#define FAIL(...)                                                                                  \
	do {                                                                                       \
		printf("FAIL: ");                                                                  \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		failures++;                                                                        \
	} while (0)

static uint8_t *
slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n + 64);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(b);
		return NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return b;
}

/* The offset of the first record of type t, or 0. */
static size_t
find_record(const uint8_t *b, size_t size, uint32_t t)
{
	size_t off = sizeof(struct ws_file_header);
	while (off + sizeof(struct ws_record_header) <= size) {
		struct ws_record_header h;
		memcpy(&h, b + off, sizeof h);
		if (h.type == t)
			return off;
		off += sizeof h + (h.size + 7) / 8 * 8;
	}
	return 0;
}

/* Load a damaged copy; it must fail with msg containing want. */
static void
refused(const char *tmpdir, const uint8_t *b, size_t size, const char *what, const char *want)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/damaged.wsp", tmpdir);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, size, f) != size) {
		FAIL("cannot write %s", path);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	struct wsr_process p;
	struct ws_error err = {{0}};
	if (ws_load_file(path, &p, &err) == 0) {
		FAIL("%s: the reader accepted it", what);
		ws_process_free(&p);
	} else if (!strstr(err.msg, want)) {
		FAIL("%s: message '%s' does not say '%s'", what, err.msg, want);
	} else {
		printf("ok: %s refused: %s\n", what, err.msg);
	}
	remove(path);
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: access_regs DIR CAP TMPDIR\n");
		return 99;
	}
	unsigned cap = (unsigned)atoi(argv[2]);
	struct wsr_profile prof;
	struct ws_error err;
	if (ws_load_dir(argv[1], &prof, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 99;
	}
	if (prof.nprocs != 1 || prof.procs[0].nthreads != 1) {
		fprintf(stderr, "expected one process with one thread\n");
		return 99;
	}
	const struct wsr_process *p = &prof.procs[0];
	const struct wsr_thread *t = &p->threads[0];
	printf("thread %u: %zu timeline samples, %zu snapshots of %llu offered\n", t->info.tid,
	       t->nsamples, t->nregs, (unsigned long long)t->regs_seen);
	if (t->nsamples <= 2 * cap)
		FAIL("only %zu samples: the run must offer more than twice CAP=%u", t->nsamples,
		     cap);
	if (t->nregs != cap)
		FAIL("%zu snapshots, expected CAP=%u", t->nregs, cap);
	/* one offer per handler run that recorded a sample */
	if (t->regs_seen != t->nsamples)
		FAIL("%llu offered, %zu samples recorded", (unsigned long long)t->regs_seen,
		     t->nsamples);
	uint64_t lo = UINT64_MAX, hi = 0, rsp_lo = UINT64_MAX, rsp_hi = 0;
	size_t rip_ok = 0;
	for (size_t i = 0; i < t->nregs; i++) {
		const struct ws_regs_snapshot *s = &t->regs[i];
		const struct wsr_stack *st = &t->stacks[s->stack];
		if (st->nframes && st->ips[0] == s->regs[WS_X86_RIP])
			rip_ok++;
		if (s->time_ns < t->info.start_ns || s->time_ns > t->info.end_ns)
			FAIL("snapshot %zu at %llu is outside the thread's life", i,
			     (unsigned long long)s->time_ns);
		if (i && s->time_ns < t->regs[i - 1].time_ns)
			FAIL("snapshots not in time order at %zu", i);
		lo = s->time_ns < lo ? s->time_ns : lo;
		hi = s->time_ns > hi ? s->time_ns : hi;
		uint64_t rsp = s->regs[WS_X86_RSP];
		rsp_lo = rsp < rsp_lo ? rsp : rsp_lo;
		rsp_hi = rsp > rsp_hi ? rsp : rsp_hi;
	}
	if (rip_ok != t->nregs)
		FAIL("%zu of %zu snapshots have rip == their stack's innermost address", rip_ok,
		     t->nregs);
	uint64_t first = t->samples[0].time_ns, last = t->samples[t->nsamples - 1].time_ns;
	uint64_t mid = first + (last - first) / 2;
	if (!(lo < mid && hi > mid))
		FAIL("the snapshots cover only one half of the run [%llu, %llu] of [%llu, %llu]",
		     (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)first,
		     (unsigned long long)last);
	if (rsp_hi - rsp_lo > (8u << 20))
		FAIL("rsp spans %llu bytes: not one thread's stack",
		     (unsigned long long)(rsp_hi - rsp_lo));
	if (!failures)
		printf("ok: rip matches every stack, times cover the run, rsp in one stack\n");

	/* damaged copies */
	size_t size;
	uint8_t *b = slurp(p->file, &size);
	size_t at = b ? find_record(b, size, WS_REC_REGS) : 0;
	if (!at) {
		FAIL("no registers record in %s", p->file);
	} else {
		size_t hdr = at + sizeof(struct ws_record_header);
		size_t snap0 = hdr + sizeof(struct ws_regs);
		uint8_t *c = malloc(size * 2 + 64);
		/* a stack index out of range */
		memcpy(c, b, size);
		uint32_t bad = 0xfffffff0u;
		memcpy(c + snap0 + offsetof(struct ws_regs_snapshot, stack), &bad, 4);
		refused(argv[3], c, size, "a snapshot's stack index out of range",
			"refers to stack");
		/* one snapshot more than the record holds */
		memcpy(c, b, size);
		uint32_t count;
		memcpy(&count, c + hdr + offsetof(struct ws_regs, count), 4);
		count++;
		memcpy(c + hdr + offsetof(struct ws_regs, count), &count, 4);
		refused(argv[3], c, size, "a count larger than the record", "snapshots need");
		/* an architecture the reader does not know */
		memcpy(c, b, size);
		uint32_t arch = 77;
		memcpy(c + hdr + offsetof(struct ws_regs, arch), &arch, 4);
		refused(argv[3], c, size, "an unknown architecture", "unknown architecture");
		/* more snapshots than samples offered */
		memcpy(c, b, size);
		uint64_t seen = 1;
		memcpy(c + hdr + offsetof(struct ws_regs, seen), &seen, 8);
		refused(argv[3], c, size, "more snapshots than samples", "snapshots of");
		/* the record twice: inserted again before END (the last record) */
		struct ws_record_header rh;
		memcpy(&rh, b + at, sizeof rh);
		size_t rlen = sizeof rh + (rh.size + 7) / 8 * 8;
		size_t end = find_record(b, size, WS_REC_END);
		if (end) {
			memcpy(c, b, end);
			memcpy(c + end, b + at, rlen);
			memcpy(c + end + rlen, b + end, size - end);
			refused(argv[3], c, size + rlen, "a second record for the thread",
				"a second registers record");
		}
		free(c);
	}
	free(b);
	ws_profile_free(&prof);
	if (failures) {
		printf("%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
