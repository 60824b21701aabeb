/* A small streaming JSON writer.
 *
 * Contract:
 *  - The caller emits a well-nested sequence of values; the writer puts in
 *    the commas, colons and (when pretty) newlines and indentation, and
 *    never a trailing comma.  Inside an object every value is preceded by
 *    json_key().
 *  - Strings are escaped per RFC 8259: '"', '\\' and every control
 *    character (U+0000..U+001F, and DEL as \u007f) are escaped; bytes that
 *    are not valid UTF-8 (stray continuation bytes, overlong forms,
 *    surrogates, > U+10FFFF, truncated sequences) become U+FFFD.
 *  - Numbers are finite: NaN and infinities are written as null.
 *  - Output goes to a stdio stream; json_finish() reports whether every
 *    write succeeded.
 */
#ifndef WHYSLOW_JSON_H
#define WHYSLOW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	bool pretty;
	size_t depth;
	bool *first; /* per depth: no value yet at this depth */
	size_t cap;
	bool after_key;
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s); /* NULL: null */
void json_string_n(struct json *j, const char *s, size_t n);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
/* v rounded to `decimals` places, trailing zeros dropped (one kept). */
void json_double(struct json *j, double v, int decimals);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A key and its value, in one call (the renderers' common pairs). */
void json_key_str(struct json *j, const char *key, const char *v); /* NULL: null */
void json_key_uint(struct json *j, const char *key, uint64_t v);
void json_key_double(struct json *j, const char *key, double v, int decimals);
void json_key_bool(struct json *j, const char *key, bool v);
/* Ends the document (newline), flushes and frees the writer's memory;
 * 0, or -1 if a write failed. */
int json_finish(struct json *j);

/* Escapes s as the body of a JSON string (no quotes) into f. */
void json_escape(FILE *f, const char *s, size_t n);

#endif
