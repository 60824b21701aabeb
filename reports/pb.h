/* A protocol buffers wire-format encoder, enough for pprof's profile.proto.
 *
 * Contract: a struct pb is a growable byte buffer (zero-initialise it);
 * each pb_* call appends one field (tag + value) in the wire format of
 * https://protobuf.dev/programming-guides/encoding/.  Nested messages are
 * encoded into a buffer of their own and appended with pb_message().
 * Out of memory ends the program.
 */
#ifndef WHYSLOW_PB_H
#define WHYSLOW_PB_H

#include <stddef.h>
#include <stdint.h>

struct pb {
	uint8_t *p;
	size_t n, cap;
};

void pb_varint(struct pb *b, uint64_t v);		/* a bare varint, no tag */
void pb_uint(struct pb *b, uint32_t field, uint64_t v); /* uint64/uint32 */
void pb_int(struct pb *b, uint32_t field, int64_t v);	/* int64 (not zigzag) */
void pb_bool(struct pb *b, uint32_t field, int v);
void pb_bytes(struct pb *b, uint32_t field, const void *p, size_t n);
void pb_string(struct pb *b, uint32_t field, const char *s);
/* A packed repeated uint64/int64 field. */
void pb_packed(struct pb *b, uint32_t field, const uint64_t *v, size_t n);
void pb_message(struct pb *b, uint32_t field, const struct pb *sub);
void pb_reset(struct pb *b); /* empty, memory kept */
void pb_free(struct pb *b);

#endif
