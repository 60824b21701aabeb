/* pprof export: perftools.profiles.Profile (github.com/google/pprof,
 * proto/profile.proto) in protobuf wire format, gzipped (see export.h).
 *
 *  - sample_type: samples/count and cpu/nanoseconds (wall/nanoseconds for
 *    --clock wall recordings); each Sample has one location per recorded
 *    address, leaf first, values [count, count * period], and labels
 *    pid, tid (numbers) and thread (the thread's name).
 *  - A Location is one recorded address in one mapping: its address is
 *    the lookup address (return addresses minus 1), its Lines the
 *    symboliser's frames, innermost (inlined) first, as pprof expects.
 *  - A Mapping is one module at one place: memory_start/limit, file_offset
 *    from the file's program headers, filename, build_id in hex, and
 *    has_functions/filenames/line_numbers/inline_frames set, since the
 *    locations are symbolised already.
 *  - A Function is a (name, module) pair; filename and start_line are the
 *    declaration when the debug info has it.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "export.h"
#include "hmap.h"
#include "pb.h"
#include "util.h"

/* profile.proto field numbers */
enum {
	PROFILE_SAMPLE_TYPE = 1,
	PROFILE_SAMPLE = 2,
	PROFILE_MAPPING = 3,
	PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5,
	PROFILE_STRING_TABLE = 6,
	PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10,
	PROFILE_PERIOD_TYPE = 11,
	PROFILE_PERIOD = 12,
	PROFILE_COMMENT = 13,
	PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	VALUETYPE_TYPE = 1,
	VALUETYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1,
	SAMPLE_VALUE = 2,
	SAMPLE_LABEL = 3,
	LABEL_KEY = 1,
	LABEL_STR = 2,
	LABEL_NUM = 3,
	MAPPING_ID = 1,
	MAPPING_MEMORY_START = 2,
	MAPPING_MEMORY_LIMIT = 3,
	MAPPING_FILE_OFFSET = 4,
	MAPPING_FILENAME = 5,
	MAPPING_BUILD_ID = 6,
	MAPPING_HAS_FUNCTIONS = 7,
	MAPPING_HAS_FILENAMES = 8,
	MAPPING_HAS_LINE_NUMBERS = 9,
	MAPPING_HAS_INLINE_FRAMES = 10,
	LOCATION_ID = 1,
	LOCATION_MAPPING_ID = 2,
	LOCATION_ADDRESS = 3,
	LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1,
	LINE_LINE = 2,
	FUNCTION_ID = 1,
	FUNCTION_NAME = 2,
	FUNCTION_SYSTEM_NAME = 3,
	FUNCTION_FILENAME = 4,
	FUNCTION_START_LINE = 5,
};

struct strent {
	const char *s; /* in pprof.pool */
	uint64_t index;
};

struct modent { /* a process's module -> mapping id */
	const struct wsr_module *m;
	uint64_t id;
};

struct mapent { /* a distinct mapping */
	const char *path;
	uint64_t start, end;
	const uint8_t *build_id;
	uint32_t build_id_len;
	uint64_t id;
};

struct locent {
	uint64_t mapping, addr, id;
};

struct funent {
	const char *function, *module;
	uint64_t id;
};

struct pprof {
	struct ws_symbolizer *sym;
	struct ws_strpool pool;
	struct ws_hmap strings, mods, maps, locs, funs;
	void **owned;
	size_t nowned;
	uint64_t nstrings, nmaps, nlocs, nfuns;
	struct pb strtab, mappings, locations, functions, samples;
};

static void *
own(struct pprof *pp, size_t size)
{
	void *p = ws_xcalloc(1, size);
	pp->owned = ws_xrealloc(pp->owned, (pp->nowned + 1) * sizeof *pp->owned);
	pp->owned[pp->nowned++] = p;
	return p;
}

static bool
str_eq(const void *e, const void *k)
{
	return !strcmp(((const struct strent *)e)->s, k);
}

/* The string table index of s. */
static uint64_t
str(struct pprof *pp, const char *s)
{
	if (!s)
		s = "";
	uint64_t h = ws_hash_bytes(s, strlen(s), 0);
	struct strent *e = ws_hmap_find(&pp->strings, h, str_eq, s);
	if (!e) {
		e = own(pp, sizeof *e);
		e->s = ws_intern(&pp->pool, s);
		e->index = pp->nstrings++;
		ws_hmap_insert(&pp->strings, h, e);
		pb_string(&pp->strtab, PROFILE_STRING_TABLE, s);
	}
	return e->index;
}

static bool
mod_eq(const void *e, const void *k)
{
	return ((const struct modent *)e)->m == k;
}

static bool
map_eq(const void *e, const void *k)
{
	const struct mapent *a = e, *b = k;
	return a->path == b->path && a->start == b->start && a->end == b->end &&
	       a->build_id_len == b->build_id_len &&
	       (!a->build_id_len || !memcmp(a->build_id, b->build_id, a->build_id_len));
}

/* The mapping id of module m of process p (0 for no module). */
static uint64_t
mapping(struct pprof *pp, const struct wsr_process *p, const struct wsr_module *m)
{
	if (!m)
		return 0;
	uint64_t mh = ws_hash_ptr(m, 0);
	struct modent *me = ws_hmap_find(&pp->mods, mh, mod_eq, m);
	if (me)
		return me->id;
	struct mapent k = {.path = ws_intern(&pp->pool, m->path),
			   .start = m->info.start,
			   .end = m->info.end,
			   .build_id = m->build_id,
			   .build_id_len = m->info.build_id_len};
	uint64_t h = ws_hash_ptr(k.path, k.start ^ (k.end << 1));
	h = ws_hash_bytes(k.build_id, k.build_id_len, h);
	struct mapent *e = ws_hmap_find(&pp->maps, h, map_eq, &k);
	if (!e) {
		e = own(pp, sizeof *e);
		*e = k;
		e->id = ++pp->nmaps;
		ws_hmap_insert(&pp->maps, h, e);
		char hex[2 * 64 + 1] = "";
		for (uint32_t i = 0; i < m->info.build_id_len && i < 64; i++)
			snprintf(hex + 2 * i, 3, "%02x", m->build_id[i]);
		uint64_t off = 0;
		if (!(m->info.flags & WS_MOD_VDSO))
			ws_symbolizer_file_offset(pp->sym, p, m, &off);
		struct pb b = {0};
		pb_uint(&b, MAPPING_ID, e->id);
		pb_uint(&b, MAPPING_MEMORY_START, m->info.start);
		pb_uint(&b, MAPPING_MEMORY_LIMIT, m->info.end);
		pb_uint(&b, MAPPING_FILE_OFFSET, off);
		pb_int(&b, MAPPING_FILENAME, (int64_t)str(pp, m->path));
		pb_int(&b, MAPPING_BUILD_ID, (int64_t)str(pp, hex));
		pb_bool(&b, MAPPING_HAS_FUNCTIONS, 1);
		pb_bool(&b, MAPPING_HAS_FILENAMES, 1);
		pb_bool(&b, MAPPING_HAS_LINE_NUMBERS, 1);
		pb_bool(&b, MAPPING_HAS_INLINE_FRAMES, 1);
		pb_message(&pp->mappings, PROFILE_MAPPING, &b);
		pb_free(&b);
	}
	me = own(pp, sizeof *me);
	me->m = m;
	me->id = e->id;
	ws_hmap_insert(&pp->mods, mh, me);
	return e->id;
}

static bool
fun_eq(const void *e, const void *k)
{
	const struct funent *a = e;
	const struct ws_frame *b = k;
	return a->function == b->function && a->module == b->module;
}

static uint64_t
function(struct pprof *pp, const struct ws_frame *fr)
{
	uint64_t h = ws_hash_ptr(fr->function, ws_hash_ptr(fr->module, 0));
	struct funent *e = ws_hmap_find(&pp->funs, h, fun_eq, fr);
	if (e)
		return e->id;
	e = own(pp, sizeof *e);
	e->function = fr->function;
	e->module = fr->module;
	e->id = ++pp->nfuns;
	ws_hmap_insert(&pp->funs, h, e);
	struct pb b = {0};
	pb_uint(&b, FUNCTION_ID, e->id);
	pb_int(&b, FUNCTION_NAME, (int64_t)str(pp, fr->function));
	pb_int(&b, FUNCTION_SYSTEM_NAME, (int64_t)str(pp, fr->function));
	const char *file = fr->decl_file ? fr->decl_file : fr->file;
	pb_int(&b, FUNCTION_FILENAME, (int64_t)str(pp, file ? file : ""));
	if (fr->decl_file && fr->decl_line)
		pb_int(&b, FUNCTION_START_LINE, fr->decl_line);
	pb_message(&pp->functions, PROFILE_FUNCTION, &b);
	pb_free(&b);
	return e->id;
}

static bool
loc_eq(const void *e, const void *k)
{
	const struct locent *a = e, *b = k;
	return a->mapping == b->mapping && a->addr == b->addr;
}

static uint64_t
location(struct pprof *pp, const struct wsr_process *p, uint64_t ip, bool ret)
{
	uint64_t addr = ret && ip ? ip - 1 : ip;
	struct locent k = {mapping(pp, p, ws_module_for(p, addr)), addr, 0};
	uint64_t h = ws_hash_u64(k.addr, k.mapping);
	struct locent *e = ws_hmap_find(&pp->locs, h, loc_eq, &k);
	if (e)
		return e->id;
	e = own(pp, sizeof *e);
	*e = k;
	e->id = ++pp->nlocs;
	ws_hmap_insert(&pp->locs, h, e);
	const struct ws_frame *fr;
	size_t n = ws_symbolize(pp->sym, p, ip, ret, &fr);
	struct pb b = {0}, line = {0};
	pb_uint(&b, LOCATION_ID, e->id);
	if (k.mapping)
		pb_uint(&b, LOCATION_MAPPING_ID, k.mapping);
	pb_uint(&b, LOCATION_ADDRESS, addr);
	for (size_t i = 0; i < n; i++) {
		pb_reset(&line);
		pb_uint(&line, LINE_FUNCTION_ID, function(pp, &fr[i]));
		if (fr[i].line)
			pb_int(&line, LINE_LINE, fr[i].line);
		pb_message(&b, LOCATION_LINE, &line);
	}
	pb_message(&pp->locations, PROFILE_LOCATION, &b);
	pb_free(&b);
	pb_free(&line);
	return e->id;
}

static void
value_type(struct pprof *pp, struct pb *out, uint32_t field, const char *type, const char *unit)
{
	struct pb b = {0};
	pb_int(&b, VALUETYPE_TYPE, (int64_t)str(pp, type));
	pb_int(&b, VALUETYPE_UNIT, (int64_t)str(pp, unit));
	pb_message(out, field, &b);
	pb_free(&b);
}

static void
label(struct pprof *pp, struct pb *sample, const char *key, const char *s, int64_t num)
{
	struct pb b = {0};
	pb_int(&b, LABEL_KEY, (int64_t)str(pp, key));
	if (s)
		pb_int(&b, LABEL_STR, (int64_t)str(pp, s));
	else
		pb_int(&b, LABEL_NUM, num);
	pb_message(sample, SAMPLE_LABEL, &b);
	pb_free(&b);
}

/* gzip (RFC 1952) the buffer into f. */
static int
gzip_to(FILE *f, const struct pb *data, struct ws_error *err)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		snprintf(err->msg, sizeof err->msg, "zlib: deflateInit2 failed");
		return -1;
	}
	unsigned char out[64 * 1024];
	zs.next_in = data->p;
	zs.avail_in = (uInt)data->n; /* profiles stay far below 4 GiB */
	int rc;
	do {
		zs.next_out = out;
		zs.avail_out = sizeof out;
		rc = deflate(&zs, Z_FINISH);
		if (rc == Z_STREAM_ERROR)
			break;
		size_t have = sizeof out - zs.avail_out;
		if (fwrite(out, 1, have, f) != have) {
			deflateEnd(&zs);
			snprintf(err->msg, sizeof err->msg, "writing the pprof profile failed");
			return -1;
		}
	} while (rc != Z_STREAM_END);
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		snprintf(err->msg, sizeof err->msg, "zlib: compression failed");
		return -1;
	}
	if (fflush(f) || ferror(f)) {
		snprintf(err->msg, sizeof err->msg, "writing the pprof profile failed");
		return -1;
	}
	return 0;
}

int
ws_export_pprof(FILE *f, const struct wsr_profile *prof, const struct ws_filter *filter,
		struct ws_symbolizer *sym, struct ws_error *err)
{
	struct pprof pp = {.sym = sym};
	ws_strpool_init(&pp.pool);
	ws_hmap_init(&pp.strings);
	ws_hmap_init(&pp.mods);
	ws_hmap_init(&pp.maps);
	ws_hmap_init(&pp.locs);
	ws_hmap_init(&pp.funs);
	str(&pp, ""); /* string_table[0] must be "" */

	const struct wsr_process *first = prof->nprocs ? &prof->procs[0] : NULL;
	bool wall = first && first->info.clock == WS_CLOCK_WALL;
	uint32_t hz = first && first->info.requested_hz ? first->info.requested_hz : 1000;
	int64_t period = (int64_t)(1000000000u / hz);
	const char *kind = wall ? "wall" : "cpu";

	struct pb head = {0};
	value_type(&pp, &head, PROFILE_SAMPLE_TYPE, "samples", "count");
	value_type(&pp, &head, PROFILE_SAMPLE_TYPE, kind, "nanoseconds");

	uint64_t *locs = NULL;
	size_t loccap = 0;
	uint64_t start = UINT64_MAX, end = 0;
	for (size_t i = 0; i < prof->nprocs; i++) {
		const struct wsr_process *p = &prof->procs[i];
		bool any = false;
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct wsr_thread *t = &p->threads[j];
			if (!ws_filter_thread(filter, p, t))
				continue;
			any = true;
			for (uint32_t k = 0; k < t->info.stack_count; k++) {
				const struct wsr_stack *st = &t->stacks[k];
				if (!st->count)
					continue;
				if (st->nframes > loccap) {
					loccap = st->nframes * 2;
					locs = ws_xrealloc(locs, loccap * sizeof *locs);
				}
				for (uint32_t n = 0; n < st->nframes; n++)
					locs[n] = location(&pp, p, st->ips[n], n > 0);
				struct pb s = {0};
				pb_packed(&s, SAMPLE_LOCATION_ID, locs, st->nframes);
				uint64_t values[2] = {st->count, st->count * (uint64_t)period};
				pb_packed(&s, SAMPLE_VALUE, values, 2);
				label(&pp, &s, "pid", NULL, p->info.pid);
				label(&pp, &s, "tid", NULL, t->info.tid);
				label(&pp, &s, "thread", t->info.name, 0);
				pb_message(&pp.samples, PROFILE_SAMPLE, &s);
				pb_free(&s);
			}
		}
		if (!any)
			continue;
		if (p->info.start_mono_ns < start)
			start = p->info.start_mono_ns;
		uint64_t e = p->complete ? p->end.end_mono_ns : p->info.start_mono_ns;
		for (size_t j = 0; !p->complete && j < p->nthreads; j++)
			if (p->threads[j].info.end_ns > e)
				e = p->threads[j].info.end_ns;
		if (e > end)
			end = e;
	}
	free(locs);

	struct pb tail = {0};
	if (first)
		pb_int(&tail, PROFILE_TIME_NANOS, (int64_t)first->info.start_real_ns);
	pb_int(&tail, PROFILE_DURATION_NANOS, end > start ? (int64_t)(end - start) : 0);
	value_type(&pp, &tail, PROFILE_PERIOD_TYPE, kind, "nanoseconds");
	pb_int(&tail, PROFILE_PERIOD, period);
	if (first) {
		size_t len = 1;
		for (int a = 0; a < first->argc; a++)
			len += strlen(first->argv[a]) + 1;
		char *cmd = ws_xcalloc(len + 32, 1);
		strcpy(cmd, "whyslow:");
		for (int a = 0; a < first->argc; a++) {
			strcat(cmd, " ");
			strcat(cmd, first->argv[a]);
		}
		pb_int(&tail, PROFILE_COMMENT, (int64_t)str(&pp, cmd));
		free(cmd);
	}
	pb_int(&tail, PROFILE_DEFAULT_SAMPLE_TYPE, (int64_t)str(&pp, kind));

	/* The Profile message: the repeated fields in field order. */
	struct pb all = {0};
	struct pb *parts[] = {&head,	     &pp.samples, &pp.mappings, &pp.locations,
			      &pp.functions, &pp.strtab,  &tail};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		struct pb *b = parts[i];
		if (b->n) {
			size_t n = all.n;
			all.cap = all.n + b->n + 64;
			all.p = ws_xrealloc(all.p, all.cap);
			memcpy(all.p + n, b->p, b->n);
			all.n += b->n;
		}
	}
	int rc = gzip_to(f, &all, err);

	pb_free(&all);
	pb_free(&head);
	pb_free(&tail);
	pb_free(&pp.strtab);
	pb_free(&pp.mappings);
	pb_free(&pp.locations);
	pb_free(&pp.functions);
	pb_free(&pp.samples);
	for (size_t i = 0; i < pp.nowned; i++)
		free(pp.owned[i]);
	free(pp.owned);
	ws_hmap_free(&pp.strings);
	ws_hmap_free(&pp.mods);
	ws_hmap_free(&pp.maps);
	ws_hmap_free(&pp.locs);
	ws_hmap_free(&pp.funs);
	ws_strpool_free(&pp.pool);
	return rc;
}
