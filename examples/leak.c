/* leak: a program that loses memory, and the same program fixed.
 *
 *   leak leak|noleak|all [ITEMS [SIZE]]
 *
 * Both variants process ITEMS items (default 20000): for each, load_item()
 * reads it into a fresh SIZE-byte buffer (read_item, default 4096 bytes)
 * and process_items() summarises it through a small record (make_record,
 * 64 bytes, always freed).  `leak` forgets the buffer of every item on
 * its early-return path (an error check that returns without free, the
 * classic leak), which is every item here; `noleak` frees it.  Both print
 * the checksum of the items and exit 0 when it is right.
 * `whyslow report --memory` names read_item as the leak's allocating
 * function with its stack, and shows no leak for noleak. */
#define EXAMPLE_NAME "leak"
#include <stdint.h>

#include "example_util.h"

struct record {
	uint64_t sum;
	uint64_t first, last;
	char pad[40];
};

static __attribute__((noinline)) unsigned char *
read_item(long i, long size)
{
	unsigned char *buf = malloc((size_t)size);
	if (!buf)
		die_errno(ENOMEM, "read_item");
	for (long k = 0; k < size; k++)
		buf[k] = (unsigned char)(i + k);
	return buf;
}

static __attribute__((noinline)) struct record *
make_record(void)
{
	struct record *r = calloc(1, sizeof *r);
	if (!r)
		die_errno(ENOMEM, "make_record");
	return r;
}

/* The item's checksum; `leaky`: the buffer is lost on the early return. */
static __attribute__((noinline)) uint64_t
load_item(long i, long size, int leaky)
{
	unsigned char *buf = read_item(i, size);
	struct record *r = make_record();
	for (long k = 0; k < size; k++)
		r->sum += buf[k];
	r->first = buf[0];
	r->last = buf[size - 1];
	uint64_t sum = r->sum;
	free(r);
	if (leaky && r != NULL) /* "nothing more to do with it": returns, forgets buf */
		return sum;
	free(buf);
	return sum;
}

static __attribute__((noinline)) uint64_t
process_items(long items, long size, int leaky)
{
	uint64_t total = 0;
	for (long i = 0; i < items; i++)
		total += load_item(i, size, leaky);
	return total;
}

/* The exact checksum: sum over items and bytes of (i + k) mod 256. */
static uint64_t
expected(long items, long size)
{
	uint64_t total = 0;
	for (long i = 0; i < items; i++) {
		uint64_t full = (uint64_t)(size / 256) * (255 * 256 / 2);
		for (long k = size / 256 * 256; k < size; k++)
			full += (unsigned char)(i + k);
		total += full;
	}
	return total;
}

static int
run(const char *variant, long items, long size)
{
	int leaky = !strcmp(variant, "leak");
	double t0 = now();
	uint64_t got = process_items(items, size, leaky);
	double t = now() - t0;
	uint64_t want = expected(items, size);
	printf("%-7s items %ld size %ld checksum %llu %s  %.3f s\n", variant, items, size,
	       (unsigned long long)got, got == want ? "ok" : "WRONG", t);
	return got == want ? 0 : 1;
}

int
main(int argc, char **argv)
{
	long items = 20000, size = 4096;
	if (argc < 2 || !strcmp(argv[1], "-h") ||
	    (strcmp(argv[1], "leak") && strcmp(argv[1], "noleak") && strcmp(argv[1], "all"))) {
		fprintf(argc < 2 || strcmp(argv[1], "-h") ? stderr : stdout,
			"usage: leak leak|noleak|all [ITEMS [SIZE]]\n");
		return argc >= 2 && !strcmp(argv[1], "-h") ? 0 : 2;
	}
	if ((argc > 2 && parse_count(argv[2], 1, 1e8, "ITEMS", &items) < 0) ||
	    (argc > 3 && parse_count(argv[3], 1, 1e9, "SIZE", &size) < 0))
		return 2;
	if (!strcmp(argv[1], "all"))
		return run("noleak", items, size) | run("leak", items, size);
	return run(argv[1], items, size);
}
