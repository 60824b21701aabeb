/* The JSON writer (reports/json.c): escaping of quotes, backslashes and
 * control characters, invalid UTF-8 replaced by U+FFFD (stray continuation
 * bytes, overlong forms, surrogates, code points above U+10FFFF, truncated
 * sequences), valid multi-byte UTF-8 kept, no trailing commas, empty
 * containers, non-finite numbers as null, rounding of doubles. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static int failures;

static void
expect(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want)) {
		printf("FAIL %s:\n  got  %s\n  want %s\n", what, got, want);
		failures++;
	}
}

static char *
escaped(const char *s, size_t n)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	json_escape(f, s, n);
	fclose(f);
	return buf;
}

#define ESC(s, want)                                                                               \
	do {                                                                                       \
		char *g = escaped(s, sizeof s - 1);                                                \
		expect(#s, g, want);                                                               \
		free(g);                                                                           \
	} while (0)

int
main(void)
{
	ESC("plain", "plain");
	ESC("q\"b\\s/", "q\\\"b\\\\s/");
	ESC("\n\t\r\b\f", "\\n\\t\\r\\b\\f");
	ESC("\x01\x1f\x7f", "\\u0001\\u001f\\u007f");
	ESC("a\0b", "a\\u0000b");
	ESC("caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x94\xa5",
	    "caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x94\xa5");
	ESC("\x80", "\\ufffd");					 /* stray continuation byte */
	ESC("\xc0\xaf", "\\ufffd\\ufffd");			 /* overlong '/' */
	ESC("\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd");		 /* overlong, 3 bytes */
	ESC("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd");		 /* surrogate U+D800 */
	ESC("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"); /* > U+10FFFF */
	ESC("ab\xc3", "ab\\ufffd");				 /* truncated at the end */
	ESC("\xe2\x80x", "\\ufffd\\ufffdx");			 /* truncated in the middle */
	ESC("\xff\xfe", "\\ufffd\\ufffd");

	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	struct json j;
	json_init(&j, f, false);
	json_begin_object(&j);
	json_key(&j, "a");
	json_begin_array(&j);
	json_end_array(&j);
	json_key(&j, "o");
	json_begin_object(&j);
	json_end_object(&j);
	json_key(&j, "n");
	json_begin_array(&j);
	json_double(&j, NAN, 2);
	json_double(&j, INFINITY, 2);
	json_double(&j, 1.0 / 3, 2);
	json_double(&j, 60.0, 2);
	json_double(&j, 2.5e-7, 6);
	json_double(&j, -0.0001, 2);
	json_int(&j, -5);
	json_uint(&j, 18446744073709551615u);
	json_bool(&j, true);
	json_null(&j);
	json_string(&j, NULL);
	json_string(&j, "x\"");
	json_end_array(&j);
	json_key(&j, "k\n");
	json_begin_array(&j);
	for (int d = 0; d < 300; d++)
		json_begin_array(&j);
	for (int d = 0; d < 300; d++)
		json_end_array(&j);
	json_end_array(&j);
	json_end_object(&j);
	int rc = json_finish(&j);
	fclose(f);
	char want[4096];
	char *p = want + sprintf(want, "{\"a\":[],\"o\":{},\"n\":[null,null,0.33,60.0,0.0,0.0,-5,"
				       "18446744073709551615,true,null,null,\"x\\\"\"],\"k\\n\":[");
	for (int d = 0; d < 300; d++)
		*p++ = '[';
	for (int d = 0; d < 300; d++)
		*p++ = ']';
	strcpy(p, "]}\n");
	expect("document", buf, want);
	if (rc != 0) {
		printf("FAIL json_finish returned %d\n", rc);
		failures++;
	}
	free(buf);

	/* pretty output: indentation, no trailing commas */
	f = open_memstream(&buf, &len);
	json_init(&j, f, true);
	json_begin_object(&j);
	json_key(&j, "a");
	json_int(&j, 1);
	json_key(&j, "b");
	json_begin_array(&j);
	json_int(&j, 2);
	json_int(&j, 3);
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
	fclose(f);
	expect("pretty", buf, "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    3\n  ]\n}\n");
	free(buf);

	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
