/* Output must be untouched: writes a known mix to stdout and stderr
 * (stdio, buffered and unbuffered, raw write(2), all 256 byte values),
 * burns a little CPU in between, and exits 7. */
#include "t_common.h"

#include <unistd.h>

T_NOINLINE void
output_work(void)
{
	T_BURN_CPU(0.03);
	__asm__ volatile("" ::: "memory");
}

int
main(void)
{
	printf("stdout: first line\n");
	fprintf(stderr, "stderr: first line\n");
	for (int i = 0; i < 2000; i++) {
		printf("stdout line %d %x\n", i, i * 2654435761u);
		if (i % 100 == 0)
			fprintf(stderr, "stderr line %d\n", i);
	}
	output_work();
	fflush(stdout);
	unsigned char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (unsigned char)i;
	if (write(1, bytes, sizeof bytes) != sizeof bytes || write(2, bytes, sizeof bytes) != sizeof bytes)
		return 99;
	output_work();
	printf("stdout: no newline at the end");
	fprintf(stderr, "stderr: last line\n");
	output_work();
	return 7;
}
