/* A small JSON reader (RFC 8259) into a tree of values, for compiler
 * optimisation records (optrecord.c).
 *
 * Contract:
 *  - ws_json_parse() reads exactly one value (surrounded by white space)
 *    from text[0..len); text need not be NUL-terminated.  Bad input of any
 *    kind (truncation, bad escapes, nesting deeper than 512, trailing
 *    garbage) gives -1 and a message in *why (newly allocated) with the
 *    byte offset; it never reads outside text.
 *  - Strings are decoded to UTF-8 (\u escapes included, unpaired surrogates
 *    become U+FFFD) and NUL-terminated (an embedded \u0000 ends them early
 *    for C's purposes; len has the full length).
 *  - The tree owns its memory: ws_json_free() releases it.
 */
#ifndef WHYSLOW_JSON_READ_H
#define WHYSLOW_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

enum ws_jtype { WS_JNULL, WS_JBOOL, WS_JNUMBER, WS_JSTRING, WS_JARRAY, WS_JOBJECT };

struct ws_jvalue {
	enum ws_jtype type;
	bool boolean;
	double number;
	char *str; /* strings */
	size_t len;
	struct ws_jvalue *items; /* array elements; object values */
	char **keys;		 /* objects: keys[i] names items[i] */
	size_t n;
};

int ws_json_parse(const char *text, size_t len, struct ws_jvalue *out, char **why);
void ws_json_free(struct ws_jvalue *v);

/* The value of key in object v (the first one), NULL when v is not an
 * object or has no such key. */
const struct ws_jvalue *ws_json_get(const struct ws_jvalue *v, const char *key);
/* v's string, or NULL when v is NULL or not a string. */
const char *ws_json_str(const struct ws_jvalue *v);

#endif
