/* Small helpers shared by the whyslow subcommands (see util.h). */
#include "config.h"

#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static void
vmessage(const char *fmt, va_list ap)
{
	fputs("whyslow: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
ws_errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void
ws_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	exit(status);
}

void *
ws_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		ws_die(WS_EXIT_FAIL, "out of memory (%zu bytes)", n);
	return p;
}

void *
ws_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		ws_die(WS_EXIT_FAIL, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
ws_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		ws_die(WS_EXIT_FAIL, "out of memory (%zu bytes)", n);
	return p;
}

char *
ws_xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		ws_die(WS_EXIT_FAIL, "out of memory");
	return d;
}

char *
ws_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		ws_die(WS_EXIT_FAIL, "out of memory");
	return s;
}

bool
ws_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

char *
ws_latest_recording(void)
{
	DIR *d = opendir(".");
	if (!d)
		return NULL;
	char *best = NULL;
	struct timespec best_t = {0, 0};
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (strncmp(e->d_name, "whyslow-", 8) || stat(e->d_name, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (!best || st.st_mtim.tv_sec > best_t.tv_sec ||
		    (st.st_mtim.tv_sec == best_t.tv_sec && st.st_mtim.tv_nsec > best_t.tv_nsec) ||
		    (st.st_mtim.tv_sec == best_t.tv_sec && st.st_mtim.tv_nsec == best_t.tv_nsec &&
		     strcmp(e->d_name, best) > 0)) {
			free(best);
			best = ws_xstrdup(e->d_name);
			best_t = st.st_mtim;
		}
	}
	closedir(d);
	return best;
}

bool
ws_parse_color(const char *when, int *color)
{
	static const char *const names[] = {"never", "always", "auto"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(when, names[i])) {
			*color = i == 2 ? -1 : i;
			return true;
		}
	ws_errorf("--color: '%s' is not auto, always or never", when);
	return false;
}

bool
ws_use_color(FILE *f, int color)
{
	if (color >= 0)
		return color == 1;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	return isatty(fileno(f));
}

int
ws_terminal_width(FILE *f)
{
	struct winsize ws;
	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0)
		return ws.ws_col;
	return 0;
}

void
ws_textf(struct ws_text *t, const char *fmt, ...)
{
	va_list ap;
	char *piece;
	va_start(ap, fmt);
	if (vasprintf(&piece, fmt, ap) < 0)
		ws_die(WS_EXIT_FAIL, "out of memory");
	va_end(ap);
	char *old = t->s;
	t->s = ws_xasprintf("%s%s", old ? old : "", piece);
	free(old);
	free(piece);
}
