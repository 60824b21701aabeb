/* A small JSON reader (see json_read.h). */
#include "config.h"

#include "json_read.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { MAX_DEPTH = 512 };

struct reader {
	const char *s;
	size_t len, pos;
	char *why;
};

static bool
failf(struct reader *r, const char *what)
{
	if (!r->why)
		r->why = ws_xasprintf("%s at byte %zu", what, r->pos);
	return false;
}

static void
skip_ws(struct reader *r)
{
	while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' ||
				   r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
		r->pos++;
}

static bool
literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);
	if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n))
		return failf(r, "unexpected character");
	r->pos += n;
	return true;
}

/* growing byte buffer for strings */
struct buf {
	char *b;
	size_t n, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->b = ws_xrealloc(b->b, b->cap);
	}
	memcpy(b->b + b->n, s, n);
	b->n += n;
	b->b[b->n] = '\0';
}

static void
put_utf8(struct buf *b, uint32_t c)
{
	char u[4];
	size_t n;
	if (c < 0x80)
		u[0] = (char)c, n = 1;
	else if (c < 0x800)
		u[0] = (char)(0xc0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3f)), n = 2;
	else if (c < 0x10000)
		u[0] = (char)(0xe0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3f)),
		u[2] = (char)(0x80 | (c & 0x3f)), n = 3;
	else
		u[0] = (char)(0xf0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3f)),
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f)), u[3] = (char)(0x80 | (c & 0x3f)), n = 4;
	put(b, u, n);
}

static bool
hex4(struct reader *r, uint32_t *out)
{
	if (r->len - r->pos < 4)
		return failf(r, "truncated \\u escape");
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = r->s[r->pos++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return failf(r, "bad \\u escape");
	}
	*out = v;
	return true;
}

/* At the opening quote. */
static bool
string(struct reader *r, char **out, size_t *outlen)
{
	struct buf b = {0};
	put(&b, "", 0);
	r->pos++;
	for (;;) {
		if (r->pos >= r->len) {
			free(b.b);
			return failf(r, "unterminated string");
		}
		unsigned char c = (unsigned char)r->s[r->pos];
		if (c == '"') {
			r->pos++;
			break;
		}
		if (c < 0x20) {
			free(b.b);
			return failf(r, "control character in string");
		}
		if (c != '\\') {
			size_t start = r->pos;
			while (r->pos < r->len && r->s[r->pos] != '"' && r->s[r->pos] != '\\' &&
			       (unsigned char)r->s[r->pos] >= 0x20)
				r->pos++;
			put(&b, r->s + start, r->pos - start);
			continue;
		}
		if (++r->pos >= r->len) {
			free(b.b);
			return failf(r, "unterminated string");
		}
		char e = r->s[r->pos++];
		const char *simple = NULL;
		switch (e) {
		case '"':
			simple = "\"";
			break;
		case '\\':
			simple = "\\";
			break;
		case '/':
			simple = "/";
			break;
		case 'b':
			simple = "\b";
			break;
		case 'f':
			simple = "\f";
			break;
		case 'n':
			simple = "\n";
			break;
		case 'r':
			simple = "\r";
			break;
		case 't':
			simple = "\t";
			break;
		case 'u': {
			uint32_t cp;
			if (!hex4(r, &cp)) {
				free(b.b);
				return false;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && r->len - r->pos >= 6 &&
			    r->s[r->pos] == '\\' && r->s[r->pos + 1] == 'u') {
				size_t save = r->pos;
				uint32_t lo;
				r->pos += 2;
				if (!hex4(r, &lo)) {
					free(b.b);
					return false;
				}
				if (lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					r->pos = save, cp = 0xfffd;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
			put_utf8(&b, cp);
			continue;
		}
		default:
			free(b.b);
			return failf(r, "bad escape in string");
		}
		put(&b, simple, 1);
	}
	*out = b.b;
	*outlen = b.n;
	return true;
}

static bool
number(struct reader *r, double *out)
{
	size_t start = r->pos;
	while (r->pos < r->len && strchr("+-0123456789.eE", r->s[r->pos]) && r->s[r->pos])
		r->pos++;
	size_t n = r->pos - start;
	if (!n || n > 63)
		return failf(r, "bad number");
	char tmp[64], *end;
	memcpy(tmp, r->s + start, n);
	tmp[n] = '\0';
	*out = strtod(tmp, &end);
	if (*end)
		return failf(r, "bad number");
	return true;
}

static bool value(struct reader *r, struct ws_jvalue *v, int depth);

static void
append(struct ws_jvalue *v, size_t *cap, struct ws_jvalue *item, char *key)
{
	if (v->n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		v->items = ws_xrealloc(v->items, *cap * sizeof *v->items);
		if (v->type == WS_JOBJECT)
			v->keys = ws_xrealloc(v->keys, *cap * sizeof *v->keys);
	}
	v->items[v->n] = *item;
	if (v->type == WS_JOBJECT)
		v->keys[v->n] = key;
	v->n++;
}

static bool
container(struct reader *r, struct ws_jvalue *v, int depth)
{
	bool object = r->s[r->pos] == '{';
	char close = object ? '}' : ']';
	v->type = object ? WS_JOBJECT : WS_JARRAY;
	size_t cap = 0;
	r->pos++;
	skip_ws(r);
	if (r->pos < r->len && r->s[r->pos] == close) {
		r->pos++;
		return true;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		skip_ws(r);
		if (object) {
			if (r->pos >= r->len || r->s[r->pos] != '"')
				return failf(r, "expected a key");
			if (!string(r, &key, &klen))
				return false;
			skip_ws(r);
			if (r->pos >= r->len || r->s[r->pos] != ':') {
				free(key);
				return failf(r, "expected ':'");
			}
			r->pos++;
		}
		struct ws_jvalue item;
		if (!value(r, &item, depth + 1)) {
			ws_json_free(&item);
			free(key);
			return false;
		}
		append(v, &cap, &item, key);
		skip_ws(r);
		if (r->pos >= r->len)
			return failf(r, "unterminated array or object");
		char c = r->s[r->pos++];
		if (c == close)
			return true;
		if (c != ',')
			return failf(r, "expected ',' or the end of an array or object");
	}
}

static bool
value(struct reader *r, struct ws_jvalue *v, int depth)
{
	memset(v, 0, sizeof *v);
	if (depth > MAX_DEPTH)
		return failf(r, "nested too deeply");
	skip_ws(r);
	if (r->pos >= r->len)
		return failf(r, "unexpected end");
	switch (r->s[r->pos]) {
	case '{':
	case '[':
		return container(r, v, depth);
	case '"':
		v->type = WS_JSTRING;
		return string(r, &v->str, &v->len);
	case 't':
		v->type = WS_JBOOL;
		v->boolean = true;
		return literal(r, "true");
	case 'f':
		v->type = WS_JBOOL;
		return literal(r, "false");
	case 'n':
		v->type = WS_JNULL;
		return literal(r, "null");
	default:
		v->type = WS_JNUMBER;
		return number(r, &v->number);
	}
}

int
ws_json_parse(const char *text, size_t len, struct ws_jvalue *out, char **why)
{
	struct reader r = {text, len, 0, NULL};
	bool ok = value(&r, out, 0);
	if (ok) {
		skip_ws(&r);
		if (r.pos != r.len)
			ok = failf(&r, "trailing characters");
	}
	if (!ok) {
		ws_json_free(out);
		*why = r.why;
		return -1;
	}
	return 0;
}

void
ws_json_free(struct ws_jvalue *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		ws_json_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof *v);
}

const struct ws_jvalue *
ws_json_get(const struct ws_jvalue *v, const char *key)
{
	if (!v || v->type != WS_JOBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->keys[i] && !strcmp(v->keys[i], key))
			return &v->items[i];
	return NULL;
}

const char *
ws_json_str(const struct ws_jvalue *v)
{
	return v && v->type == WS_JSTRING ? v->str : NULL;
}
