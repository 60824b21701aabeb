/* Small helpers shared by the whyslow subcommands. */
#ifndef WHYSLOW_UTIL_H
#define WHYSLOW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses of the whyslow command (docs/cli.md). */
enum { WS_EXIT_OK = 0, WS_EXIT_FAIL = 1, WS_EXIT_USAGE = 2 };

/* Print "whyslow: <formatted message>\n" to stderr. */
void ws_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ws_errorf() and exit(status). */
void ws_die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

void *ws_xmalloc(size_t n);
void *ws_xcalloc(size_t n, size_t size);
void *ws_xrealloc(void *p, size_t n);
char *ws_xstrdup(const char *s);
char *ws_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A sentence built piece by piece: ws_textf appends to t->s (NULL: empty;
 * malloc'd, the caller frees it); exits on out of memory. */
struct ws_text {
	char *s;
};
void ws_textf(struct ws_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a whole decimal number in [min, max]; false on anything else. */
bool ws_parse_long(const char *s, long min, long max, long *out);

/* The default recording directory to report on: the newest directory named
 * whyslow-* in the current directory, or NULL (caller prints why). */
char *ws_latest_recording(void);

/* --color WHEN: "auto", "always" or "never" into *color as -1, 1 or 0;
 * false, with the error printed, on anything else. */
bool ws_parse_color(const char *when, int *color);
/* Whether to colour stream f: color as ws_parse_color() gives it, auto
 * (-1) meaning a terminal with NO_COLOR unset or empty. */
bool ws_use_color(FILE *f, int color);
/* The width of terminal f in columns; 0 when f is not a terminal. */
int ws_terminal_width(FILE *f);

#endif
