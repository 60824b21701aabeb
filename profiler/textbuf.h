/* Async-signal-safe text formatting into a caller's buffer (no stdio):
 * strings and unsigned decimals, always NUL-terminated, silently cut at the
 * buffer's end. */
#ifndef WHYSLOW_TEXTBUF_H
#define WHYSLOW_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>

struct ws_textbuf {
	char *buf;
	size_t cap, len;
};

static inline struct ws_textbuf
ws_textbuf_init(char *buf, size_t cap)
{
	struct ws_textbuf b = {buf, cap, 0};
	if (cap)
		buf[0] = 0;
	return b;
}

static inline void
ws_text_str(struct ws_textbuf *b, const char *s)
{
	while (*s && b->len + 1 < b->cap)
		b->buf[b->len++] = *s++;
	if (b->cap)
		b->buf[b->len] = 0;
}

static inline void
ws_text_u64(struct ws_textbuf *b, uint64_t v)
{
	char tmp[24];
	int i = sizeof tmp - 1;
	tmp[i] = 0;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ws_text_str(b, tmp + i);
}

#endif
