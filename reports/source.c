/* Source file text, read once per file (see source.h). */
#include "config.h"

#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hmap.h"
#include "util.h"

enum { MAX_SOURCE = 64 << 20 };

struct srcfile {
	char *path;
	char *data;   /* the file, every line terminator replaced by NUL */
	char **lines; /* nlines pointers into data */
	size_t nlines;
};

struct ws_sources {
	struct ws_hmap map;
	struct srcfile **files;
	size_t nfiles;
};

struct ws_sources *
ws_sources_new(void)
{
	struct ws_sources *s = ws_xcalloc(1, sizeof *s);
	ws_hmap_init(&s->map);
	return s;
}

void
ws_sources_free(struct ws_sources *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfiles; i++) {
		free(s->files[i]->path);
		free(s->files[i]->data);
		free(s->files[i]->lines);
		free(s->files[i]);
	}
	free(s->files);
	ws_hmap_free(&s->map);
	free(s);
}

static bool
file_eq(const void *entry, const void *key)
{
	return !strcmp(((const struct srcfile *)entry)->path, key);
}

static void
load(struct srcfile *f)
{
	FILE *in = fopen(f->path, "rb");
	if (!in)
		return;
	struct stat st;
	if (fstat(fileno(in), &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_SOURCE) {
		fclose(in);
		return;
	}
	size_t size = (size_t)st.st_size;
	f->data = ws_xmalloc(size + 1);
	size_t got = fread(f->data, 1, size, in);
	fclose(in);
	f->data[got] = '\0';
	size_t cap = 0;
	char *p = f->data, *end = f->data + got;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *stop = nl ? nl : end;
		if (stop > p && stop[-1] == '\r')
			stop[-1] = '\0';
		*stop = '\0';
		if (f->nlines == cap) {
			cap = cap ? cap * 2 : 256;
			f->lines = ws_xrealloc(f->lines, cap * sizeof *f->lines);
		}
		f->lines[f->nlines++] = p;
		p = stop + 1;
	}
}

const char *
ws_source_line(struct ws_sources *s, const char *path, unsigned line)
{
	if (!path || !line)
		return "";
	uint64_t h = ws_hash_bytes(path, strlen(path), 0);
	struct srcfile *f = ws_hmap_find(&s->map, h, file_eq, path);
	if (!f) {
		f = ws_xcalloc(1, sizeof *f);
		f->path = ws_xstrdup(path);
		load(f);
		ws_hmap_insert(&s->map, h, f);
		s->files = ws_xrealloc(s->files, (s->nfiles + 1) * sizeof *s->files);
		s->files[s->nfiles++] = f;
	}
	return line <= f->nlines ? f->lines[line - 1] : "";
}
