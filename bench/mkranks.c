/* mkranks: write the profile files of a synthetic MPI job, for
 * bench/merge.sh: RANKS files (one per rank, as `mpirun -np RANKS whyslow
 * record` leaves them) of STACKS distinct stacks each, in the format of
 * profiler/profile_format.h.
 *
 * The stacks are made of real code addresses, so that `whyslow report`
 * symbolises for real: return addresses inside the C library that this
 * program maps (its path, load bias, build-id and PT_LOAD range as the
 * collector would record them), drawn from POOL distinct addresses, 6 to
 * 24 frames deep, each stack counted 1 to 50 times.  Like real stacks they
 * share their outer frames: each is a walk down a call graph in which
 * every function calls 3 others; the innermost frame makes it distinct.  Every rank has its
 * own pid and stack set (seeded by the rank); all are on one host, "bench".
 * With -H HOSTS the ranks are dealt round-robin to hosts bench0 ..
 * bench<HOSTS-1>, and the pids restart on each host (rank r: pid
 * 100000 + r / HOSTS), as on a cluster whose nodes hand out the same pids:
 * for tests/report_hosts.sh, which checks that a merged report tells them
 * apart.
 *
 * usage: mkranks [-H HOSTS] DIR RANKS STACKS [POOL]   (DIR must exist)
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "profile_format.h"

struct libc_image {
	char path[512];
	uint64_t bias, start, end;	   /* the whole mapped range */
	uint64_t text_start, text_end; /* the executable PT_LOAD */
	uint8_t build_id[64];
	uint32_t build_id_len;
};

static int
find_libc(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	struct libc_image *li = arg;
	if (!strstr(info->dlpi_name, "libc.so"))
		return 0;
	snprintf(li->path, sizeof li->path, "%s", info->dlpi_name);
	li->bias = info->dlpi_addr;
	li->start = UINT64_MAX;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD) {
			uint64_t a = info->dlpi_addr + ph->p_vaddr, b = a + ph->p_memsz;
			if (a < li->start)
				li->start = a;
			if (b > li->end)
				li->end = b;
			if (ph->p_flags & PF_X) {
				li->text_start = a;
				li->text_end = b;
			}
		} else if (ph->p_type == PT_NOTE) {
			const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
			const uint8_t *e = p + ph->p_memsz;
			while (p + sizeof(ElfW(Nhdr)) <= e) {
				const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
				const uint8_t *name = p + sizeof *n;
				const uint8_t *desc = name + ((n->n_namesz + 3) & ~3u);
				if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
				    !memcmp(name, "GNU", 4) && n->n_descsz <= sizeof li->build_id) {
					memcpy(li->build_id, desc, n->n_descsz);
					li->build_id_len = n->n_descsz;
				}
				p = desc + ((n->n_descsz + 3) & ~3u);
			}
		}
	}
	return 1;
}

static uint64_t rng;
static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int fd;
static const char *fname;

static void
record(uint32_t type, const struct iovec *parts, int n)
{
	struct ws_record_header h = {type, 0, 0};
	for (int i = 0; i < n; i++)
		h.size += parts[i].iov_len;
	static const uint8_t zero[8];
	struct iovec v[10];
	v[0] = (struct iovec){&h, sizeof h};
	for (int i = 0; i < n; i++)
		v[i + 1] = parts[i];
	v[n + 1] = (struct iovec){(void *)zero, (8 - h.size % 8) % 8};
	size_t want = sizeof h + h.size + v[n + 1].iov_len;
	ssize_t w = writev(fd, v, n + 2);
	if (w < 0 || (size_t)w != want) {
		fprintf(stderr, "mkranks: %s: %s\n", fname, w < 0 ? strerror(errno) : "short write");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	int hosts = 0; /* 0: one host, "bench" */
	if (argc > 2 && !strcmp(argv[1], "-H")) {
		hosts = atoi(argv[2]);
		if (hosts < 1) {
			fprintf(stderr, "mkranks: -H HOSTS must be positive\n");
			return 2;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: mkranks [-H HOSTS] DIR RANKS STACKS [POOL]\n");
		return 2;
	}
	int ranks = atoi(argv[2]), stacks = atoi(argv[3]), pool = argc > 4 ? atoi(argv[4]) : 4000;
	if (ranks < 1 || stacks < 1 || pool < 1) {
		fprintf(stderr, "mkranks: RANKS, STACKS and POOL must be positive\n");
		return 2;
	}
	struct libc_image li = {0};
	if (!dl_iterate_phdr(find_libc, &li) || !li.text_end) {
		fprintf(stderr, "mkranks: cannot find the C library's code\n");
		return 1;
	}
	/* the pool: return addresses spread over libc's code */
	uint64_t *addrs = malloc((size_t)pool * sizeof *addrs);
	rng = 0x9E3779B97F4A7C15ull;
	for (int i = 0; i < pool; i++)
		addrs[i] = li.text_start + next() % (li.text_end - li.text_start);
	char host[64] = "bench";
	uint64_t *frames = malloc((size_t)stacks * 24 * sizeof *frames);
	struct ws_stack *st = malloc((size_t)stacks * sizeof *st);
	struct iovec *parts = malloc(((size_t)stacks * 2 + 1) * sizeof *parts);
	for (int r = 0; r < ranks; r++) {
		char path[4096];
		uint32_t pid = 100000 + (uint32_t)(hosts ? r / hosts : r);
		if (hosts)
			snprintf(host, sizeof host, "bench%d", r % hosts);
		snprintf(path, sizeof path, "%s/%s.r%d.%u.wsp", argv[1], host, r, pid);
		fname = path;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0) {
			fprintf(stderr, "mkranks: %s: %s\n", path, strerror(errno));
			return 1;
		}
		struct ws_file_header fh = {WS_MAGIC, WS_FORMAT_VERSION, sizeof fh, WS_ENDIAN_CHECK};
		if (write(fd, &fh, sizeof fh) != sizeof fh) {
			fprintf(stderr, "mkranks: %s: %s\n", path, strerror(errno));
			return 1;
		}
		uint64_t t0 = 1000000000ull * (uint64_t)(r + 1);
		struct ws_process p = {pid, 1, r, WS_CLOCK_CPU, WS_SOURCE_PERF_TASK_CLOCK, 1000,
				       27, 128, t0, t0, 0};
		const char exe[] = "/bench/app", cmd[] = "/bench/app";
		uint32_t hl = (uint32_t)strlen(host), el = sizeof exe - 1, cl = sizeof cmd - 1;
		struct iovec pv[] = {{&p, sizeof p},	    {&hl, 4}, {host, hl}, {&el, 4},
				     {(void *)exe, el}, {&cl, 4}, {(void *)cmd, cl}};
		record(WS_REC_PROCESS, pv, 7);
		struct ws_module m = {0,	0,	  li.bias, li.start, li.end, 0, 0,
				      (uint32_t)strlen(li.path), li.build_id_len};
		struct iovec mv[] = {{&m, sizeof m}, {li.path, m.path_len}, {li.build_id, m.build_id_len}};
		record(WS_REC_MODULE, mv, 3);
		/* the stacks: distinct by construction (frame 1 encodes the index) */
		rng = 0x2545F4914F6CDD1Dull ^ ((uint64_t)r * 0x9E3779B97F4A7C15ull);
		uint64_t total = 0;
		size_t nf = 0;
		for (int s = 0; s < stacks; s++) {
			uint32_t depth = 6 + (uint32_t)(next() % 19);
			st[s] = (struct ws_stack){depth, 0, 1 + next() % 50};
			total += st[s].count;
			uint64_t *f = frames + nf;
			/* outermost first: a walk down a call graph in which every
			 * function calls 3 others, as real stacks share their
			 * outer frames; the leaf makes the stack distinct */
			uint64_t node = 0;
			for (uint32_t k = depth; k-- > 1;) {
				node = (node * 0x9E3779B97F4A7C15ull + 1 + next() % 3) >> 7;
				f[k] = addrs[node % (uint64_t)pool];
			}
			f[0] = addrs[(uint64_t)s % (uint64_t)pool] + (uint64_t)(s / pool) % 16;
			parts[2 * s + 1] = (struct iovec){&st[s], sizeof st[s]};
			parts[2 * s + 2] = (struct iovec){f, depth * sizeof *f};
			nf += depth;
		}
		struct ws_thread t;
		memset(&t, 0, sizeof t);
		t.thread_index = 0;
		t.tid = pid;
		snprintf(t.name, sizeof t.name, "app");
		t.flags = WS_THR_MAIN;
		t.stack_count = (uint32_t)stacks;
		t.start_ns = t0;
		t.end_ns = t0 + total * 1000000ull;
		t.cpu_ns = total * 1000000ull;
		t.samples = total;
		t.source = WS_SOURCE_PERF_TASK_CLOCK;
		/* one THREAD record: header part, then the stacks (writev in slices) */
		struct ws_record_header h = {WS_REC_THREAD, 0, sizeof t};
		for (int s = 0; s < stacks; s++)
			h.size += sizeof st[s] + st[s].nframes * sizeof(uint64_t);
		struct iovec hv[2] = {{&h, sizeof h}, {&t, sizeof t}};
		if (writev(fd, hv, 2) != (ssize_t)(sizeof h + sizeof t)) {
			fprintf(stderr, "mkranks: %s: write failed\n", path);
			return 1;
		}
		for (int s = 0; s < stacks;) {
			int n = stacks - s > 500 ? 500 : stacks - s;
			size_t want = 0;
			for (int k = 0; k < 2 * n; k++)
				want += parts[2 * s + 1 + k].iov_len;
			if (writev(fd, parts + 2 * s + 1, 2 * n) != (ssize_t)want) {
				fprintf(stderr, "mkranks: %s: write failed\n", path);
				return 1;
			}
			s += n;
		}
		static const uint8_t zero[8];
		size_t pad = (8 - h.size % 8) % 8;
		if (pad && write(fd, zero, pad) != (ssize_t)pad)
			return 1;
		struct ws_end e = {t.end_ns, t.end_ns, WS_END_EXIT, 0, t.cpu_ns, 0, 1, 1};
		struct iovec ev[] = {{&e, sizeof e}};
		record(WS_REC_END, ev, 1);
		close(fd);
	}
	free(addrs);
	free(frames);
	free(st);
	free(parts);
	return 0;
}
