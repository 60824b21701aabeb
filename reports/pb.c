/* Protocol buffers wire-format encoder (see pb.h). */
#include "config.h"

#include "pb.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

static void
reserve(struct pb *b, size_t n)
{
	if (b->n + n <= b->cap)
		return;
	b->cap = (b->n + n) * 2 + 64;
	b->p = ws_xrealloc(b->p, b->cap);
}

static void
append(struct pb *b, const void *p, size_t n)
{
	reserve(b, n);
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

void
pb_varint(struct pb *b, uint64_t v)
{
	uint8_t buf[10];
	size_t n = 0;
	do {
		buf[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			buf[n] |= 0x80;
		n++;
	} while (v);
	append(b, buf, n);
}

static void
tag(struct pb *b, uint32_t field, int wire)
{
	pb_varint(b, (uint64_t)field << 3 | (uint64_t)wire);
}

void
pb_uint(struct pb *b, uint32_t field, uint64_t v)
{
	tag(b, field, WIRE_VARINT);
	pb_varint(b, v);
}

void
pb_int(struct pb *b, uint32_t field, int64_t v)
{
	tag(b, field, WIRE_VARINT);
	pb_varint(b, (uint64_t)v); /* negative: ten bytes, as protobuf does */
}

void
pb_bool(struct pb *b, uint32_t field, int v)
{
	pb_uint(b, field, v ? 1 : 0);
}

void
pb_bytes(struct pb *b, uint32_t field, const void *p, size_t n)
{
	tag(b, field, WIRE_LEN);
	pb_varint(b, n);
	append(b, p, n);
}

void
pb_string(struct pb *b, uint32_t field, const char *s)
{
	pb_bytes(b, field, s, strlen(s));
}

void
pb_packed(struct pb *b, uint32_t field, const uint64_t *v, size_t n)
{
	struct pb tmp = {0};
	for (size_t i = 0; i < n; i++)
		pb_varint(&tmp, v[i]);
	pb_bytes(b, field, tmp.p, tmp.n);
	pb_free(&tmp);
}

void
pb_message(struct pb *b, uint32_t field, const struct pb *sub)
{
	pb_bytes(b, field, sub->p, sub->n);
}

void
pb_reset(struct pb *b)
{
	b->n = 0;
}

void
pb_free(struct pb *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}
