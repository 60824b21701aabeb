/* A small streaming JSON writer (see json.h). */
#include "config.h"

#include "json.h"

#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void
json_init(struct json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof *j);
	j->f = f;
	j->pretty = pretty;
	j->cap = 64;
	j->first = ws_xcalloc(j->cap, sizeof *j->first);
	j->first[0] = true;
}

static void
newline(struct json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (size_t i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator before a value (or a key). */
static void
before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	if (j->depth > 0)
		newline(j);
	j->first[j->depth] = false;
}

static void
open_(struct json *j, char c)
{
	before_value(j);
	fputc(c, j->f);
	if (++j->depth == j->cap) {
		j->cap *= 2;
		j->first = ws_xrealloc(j->first, j->cap * sizeof *j->first);
	}
	j->first[j->depth] = true;
}

static void
close_(struct json *j, char c)
{
	bool empty = j->first[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (!empty)
		newline(j);
	fputc(c, j->f);
}

void
json_begin_object(struct json *j)
{
	open_(j, '{');
}

void
json_end_object(struct json *j)
{
	close_(j, '}');
}

void
json_begin_array(struct json *j)
{
	open_(j, '[');
}

void
json_end_array(struct json *j)
{
	close_(j, ']');
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp, min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void
json_escape(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n':
				fputs("\\n", f);
				break;
			case '\t':
				fputs("\\t", f);
				break;
			case '\r':
				fputs("\\r", f);
				break;
			case '\b':
				fputs("\\b", f);
				break;
			case '\f':
				fputs("\\f", f);
				break;
			default:
				fprintf(f, "\\u%04x", c);
			}
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else {
			size_t len = utf8_len(s + i, n - i);
			if (len) {
				fwrite(s + i, 1, len, f);
				i += len;
			} else {
				fputs("\\ufffd", f);
				i++;
			}
		}
	}
}

void
json_key(struct json *j, const char *key)
{
	before_value(j);
	fputc('"', j->f);
	json_escape(j->f, key, strlen(key));
	fputs(j->pretty ? "\": " : "\":", j->f);
	j->after_key = true;
}

void
json_string_n(struct json *j, const char *s, size_t n)
{
	before_value(j);
	fputc('"', j->f);
	json_escape(j->f, s, n);
	fputc('"', j->f);
}

void
json_string(struct json *j, const char *s)
{
	if (!s)
		json_null(j);
	else
		json_string_n(j, s, strlen(s));
}

void
json_int(struct json *j, int64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRId64, v);
}

void
json_uint(struct json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRIu64, v);
}

void
json_double(struct json *j, double v, int decimals)
{
	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	before_value(j);
	if (decimals < 1)
		decimals = 1;
	if (decimals > 17)
		decimals = 17;
	char buf[512];
	int n = snprintf(buf, sizeof buf, "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof buf) { /* huge: exponent form */
		fprintf(j->f, "%.17g", v);
		return;
	}
	/* drop trailing zeros, keep one decimal */
	char *dot = strchr(buf, '.');
	if (dot) {
		char *e = buf + n - 1;
		while (e > dot + 1 && *e == '0')
			*e-- = '\0';
	}
	if (!strcmp(buf, "-0.0"))
		strcpy(buf, "0.0");
	fputs(buf, j->f);
}

void
json_bool(struct json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void
json_null(struct json *j)
{
	before_value(j);
	fputs("null", j->f);
}

int
json_finish(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
	free(j->first);
	j->first = NULL;
	return ferror(j->f) ? -1 : 0;
}

void
json_key_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_string(j, v);
}

void
json_key_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void
json_key_double(struct json *j, const char *key, double v, int decimals)
{
	json_key(j, key);
	json_double(j, v, decimals);
}

void
json_key_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
