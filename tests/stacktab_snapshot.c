/* A stack table written out from a signal handler that interrupted an
 * addition to it (a fatal signal, or an exec from a handler, while the
 * heap profile or the sampler adds a stack) must be whole: every counted
 * entry complete and the bytes exactly those entries.  Before the fix the
 * count went up before the entry was written, and one run in about a
 * hundred of tests/test_exec_signal.sh left a heap record of "1 stacks in
 * 0 bytes", which the reader refuses.
 *
 * The main thread adds NSTACKS distinct stacks (1 to 40 frames) while a
 * CLOCK_MONOTONIC timer interrupts it every 20 us; the handler takes
 * ws_stacktab_committed() and checks the last entry it covers.  Exit 0 when
 * every snapshot was whole, 1 when one was not.  (With the count raised
 * first, as before the fix, the first addition interrupted fails: ten
 * snapshots in; now the window is a few instructions wide and is hit now
 * and then, which the count "inside an addition" shows.) */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stacktab.h"

#define NSTACKS 200000
#define CAP (1u << 19)

static struct ws_stacktab tab;
static volatile sig_atomic_t bad, snapshots, inside;
static volatile size_t bad_bytes, bad_walked; /* what a bad snapshot said, expected */

/* Word offset of stack k's entry: entries j < k take 2 + (1 + j % 40). */
static size_t
expected_offset(uint32_t k)
{
	size_t full = k / 40, rest = k % 40;
	return full * (40 * 2 + 40 * 41 / 2) + rest * 2 + rest * (rest + 1) / 2;
}

/* The last committed entry must be whole, where the ones before it put it,
 * and the bytes must end with it (constant time: the handler runs every
 * 20 us). */
static void
on_timer(int sig)
{
	(void)sig;
	size_t bytes;
	uint32_t n = ws_stacktab_committed(&tab, &bytes);
	snapshots++;
	if (tab.used * sizeof(uint64_t) != bytes)
		inside++; /* interrupted in the middle of an addition */
	if (!n)
		return;
	uint32_t k = n - 1, nf = 1 + k % 40;
	size_t off = expected_offset(k);
	const struct ws_stack *e = (const struct ws_stack *)(tab.words + off);
	bool whole = tab.offsets[k] == off && e->nframes == nf && e->count >= 1 &&
		     (off + 2 + nf) * sizeof(uint64_t) == bytes;
	for (uint32_t f = 0; whole && f < nf; f++)
		whole = tab.words[off + 2 + f] == 0x400000u + (uint64_t)k * 64 + f;
	if (!whole) {
		bad = 1;
		bad_bytes = bytes;
		bad_walked = (off + 2 + nf) * sizeof(uint64_t);
	}
}

int
main(void)
{
	if (ws_stacktab_init(&tab, CAP) != 0) {
		fprintf(stderr, "stacktab_snapshot: no memory for the table\n");
		return 99;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_timer;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	timer_t timer;
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) {
		perror("stacktab_snapshot: timer_create");
		return 99;
	}
	struct itimerspec its = {{0, 20000}, {0, 20000}};
	timer_settime(timer, 0, &its, NULL);
	uint64_t ips[40];
	for (uint32_t i = 0; i < NSTACKS && !bad; i++) {
		uint32_t n = 1 + i % 40;
		for (uint32_t f = 0; f < n; f++)
			ips[f] = 0x400000u + (uint64_t)i * 64 + f;
		if (ws_stacktab_add(&tab, ips, n, 0, 1) < 0) {
			fprintf(stderr, "stacktab_snapshot: the table is full at %u\n", i);
			return 99;
		}
		ws_stacktab_add(&tab, ips, n, 0, 1); /* a repeat: counted, not added */
	}
	struct itimerspec off = {{0, 0}, {0, 0}};
	timer_settime(timer, 0, &off, NULL);
	printf("stacktab_snapshot: %d snapshots, %d inside an addition, %s\n", (int)snapshots,
	       (int)inside, bad ? "one NOT whole" : "all whole");
	if (bad) {
		printf("  bytes %zu, expected %zu\n", (size_t)bad_bytes, (size_t)bad_walked);
		return 1;
	}
	return 0;
}
