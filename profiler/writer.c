/* The profile file: creation and async-signal-safe record writing. */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "settings.h"
#include "profile_format.h"
#include "textbuf.h"

static _Atomic int fd = -1;
/* The file's identity: a program that closes every descriptor (closefrom,
 * close_range) may reuse the number, and whyslow must then neither write
 * into nor close the program's file. */
static dev_t file_dev;
static ino_t file_ino;
static char path[4096 + 256];

/* Is f the profile (device and inode as created)?  Async-signal-safe. */
static bool
is_our_file(int f)
{
	struct stat st;
	return fstat(f, &st) == 0 && st.st_dev == file_dev && st.st_ino == file_ino;
}

/* A descriptor of our file above the low numbers a program may dup2 over
 * (f itself if there is none free).  Async-signal-safe. */
static int
high_fd(int f)
{
	int high = fcntl(f, F_DUPFD_CLOEXEC, 512);
	if (high < 0)
		return f;
	close(f);
	return high;
}

/* Our descriptor, checked: when the program closed it (and perhaps reused
 * the number), the number is left alone and the file opened again by
 * name, so that the profile goes on.  -1 when that fails too.
 * Async-signal-safe. */
static int
current_fd(void)
{
	int f = atomic_load(&fd);
	if (f < 0 || is_our_file(f))
		return f;
	int again = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (again >= 0) {
		again = high_fd(again);
		if (!is_our_file(again)) { /* renamed or replaced since */
			close(again);
			again = -1;
		}
	}
	/* Another thread may have done the same meanwhile: one wins. */
	if (!atomic_compare_exchange_strong(&fd, &f, again)) {
		if (again >= 0)
			close(again);
		return atomic_load(&fd);
	}
	return again;
}

const char *
ws_writer_path(void)
{
	return path;
}

/* <dir>/<host>[.r<rank>].<pid>[.<n>].wsp */
static void
make_name(char *out, size_t cap, int attempt)
{
	struct ws_textbuf b = ws_textbuf_init(out, cap);
	char host[256] = "host";
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = 0;
	char *dot = strchr(host, '.');
	if (dot)
		*dot = 0;
	ws_text_str(&b, ws_cfg.outdir);
	ws_text_str(&b, "/");
	ws_text_str(&b, host);
	if (ws_cfg.rank >= 0) {
		ws_text_str(&b, ".r");
		ws_text_u64(&b, (uint64_t)ws_cfg.rank);
	}
	ws_text_str(&b, ".");
	ws_text_u64(&b, (uint64_t)getpid());
	if (attempt > 0) {
		ws_text_str(&b, ".");
		ws_text_u64(&b, (uint64_t)attempt);
	}
	ws_text_str(&b, WS_FILE_SUFFIX);
}

static int
write_all_v(int f, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(f, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
ws_writer_open(void)
{
	int f = -1;
	for (int attempt = 0; attempt < 1000; attempt++) {
		make_name(path, sizeof path, attempt);
		f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
		if (f >= 0)
			break;
		if (errno != EEXIST)
			return -errno;
	}
	if (f < 0)
		return -EEXIST;
	f = high_fd(f);
	struct stat st;
	if (fstat(f, &st) == 0) {
		file_dev = st.st_dev;
		file_ino = st.st_ino;
	}
	atomic_store(&fd, f);
	struct ws_file_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, WS_MAGIC, sizeof WS_MAGIC);
	h.version = WS_FORMAT_VERSION;
	h.header_size = sizeof h;
	h.endian = WS_ENDIAN_CHECK;
	struct iovec iov = {&h, sizeof h};
	return write_all_v(f, &iov, 1);
}

int
ws_writer_record(uint32_t type, const struct iovec *parts, int nparts)
{
	static const char zeros[8];
	struct iovec iov[8];
	struct ws_record_header rh = {type, 0, 0};
	int f = current_fd();
	if (f < 0)
		return -EBADF;
	if (nparts > 6)
		return -EINVAL;
	iov[0].iov_base = &rh;
	iov[0].iov_len = sizeof rh;
	for (int i = 0; i < nparts; i++) {
		iov[i + 1] = parts[i];
		rh.size += parts[i].iov_len;
	}
	int n = nparts + 1;
	size_t pad = (8 - rh.size % 8) % 8;
	if (pad) {
		iov[n].iov_base = (void *)zeros;
		iov[n].iov_len = pad;
		n++;
	}
	return write_all_v(f, iov, n);
}

void
ws_writer_close(void)
{
	int f = atomic_exchange(&fd, -1);
	if (f >= 0 && is_our_file(f))
		close(f);
}

void
ws_writer_forget(void)
{
	/* Fork child, first thing: the descriptor is the inherited copy
	 * (unless the parent's program had reused the number). */
	int f = atomic_exchange(&fd, -1);
	if (f >= 0 && is_our_file(f))
		close(f);
	path[0] = 0;
}
