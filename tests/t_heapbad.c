/* t_heapbad: damage the WS_REC_HEAP record of a profile file, for
 * tests/test_heap_bad.sh (the reader must refuse it with a clear message).
 *
 *   t_heapbad IN OUT stack|prob|count|flags|rusage|oneframe
 *
 * stack: the first sampled allocation names a stack past the table;
 * prob: its probability is 0; count: alloc_count one too many;
 * flags: freed without a free time; rusage: an unknown rusage scope;
 * oneframe: not damage but the collector's fallback when it cannot unwind
 * (the allocator's caller alone): the first stack cut to 1 frame, which the
 * reader must accept.
 * Exit 0 done, 1 no such record in IN, 2 usage or I/O error. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_format.h"

int
main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		return 2;
	static unsigned char buf[64 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	const char *what = argv[3];
	int want = strcmp(what, "rusage") ? WS_REC_HEAP : WS_REC_RUSAGE;
	size_t off = sizeof(struct ws_file_header);
	int done = 0;
	while (!done && off + sizeof(struct ws_record_header) <= n) {
		struct ws_record_header rh;
		memcpy(&rh, buf + off, sizeof rh);
		size_t payload = off + sizeof rh;
		if ((int)rh.type == want) {
			if (want == WS_REC_RUSAGE) {
				uint32_t bad = 7;
				memcpy(buf + payload + offsetof(struct ws_rusage, scope), &bad, 4);
				done = 1;
				break;
			}
			struct ws_heap h;
			memcpy(&h, buf + payload, sizeof h);
			size_t a0 = payload + sizeof h + h.stack_bytes;
			if (!strcmp(what, "oneframe")) {
				struct ws_stack st;
				size_t s0 = payload + sizeof h;
				if (!h.stack_count)
					return 1;
				memcpy(&st, buf + s0, sizeof st);
				if (st.nframes < 2)
					return 1;
				size_t cut = (st.nframes - 1) * sizeof(uint64_t);
				size_t tail = s0 + sizeof st + sizeof(uint64_t);
				st.nframes = 1;
				memcpy(buf + s0, &st, sizeof st);
				h.stack_bytes -= cut;
				memcpy(buf + payload, &h, sizeof h);
				/* the record shrinks by cut bytes (a multiple of 8, so
				 * the padding stays); move the rest of the file down */
				rh.size -= cut;
				memcpy(buf + off, &rh, sizeof rh);
				memmove(buf + tail, buf + tail + cut, n - tail - cut);
				n -= cut;
				done = 1;
			} else if (!strcmp(what, "count")) {
				h.alloc_count++;
				memcpy(buf + payload, &h, sizeof h);
				done = 1;
			} else if (h.alloc_count) {
				struct ws_heap_alloc a;
				memcpy(&a, buf + a0, sizeof a);
				if (!strcmp(what, "stack"))
					a.stack = h.stack_count;
				else if (!strcmp(what, "prob"))
					a.probability = 0;
				else if (!strcmp(what, "flags")) {
					a.flags |= WS_HALLOC_FREED;
					a.free_ns = 0;
				} else
					return 2;
				memcpy(buf + a0, &a, sizeof a);
				done = 1;
			}
			break;
		}
		off = payload + ((rh.size + 7) & ~(uint64_t)7);
	}
	if (!done)
		return 1;
	f = fopen(argv[2], "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f))
		return 2;
	return 0;
}
