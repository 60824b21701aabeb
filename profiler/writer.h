/* The profile file of this process (profile_format.h).
 *
 * The file is opened once per process image (at start, in a fork child, and
 * again if an exec fails) with O_APPEND, and every record goes out as one
 * writev(), so records from different threads never interleave.  Its
 * identity (device, inode) is checked before each write and the close: a
 * program that closed every descriptor and reused the number keeps its
 * file untouched, and whyslow opens the profile again by name.
 *
 * Every function is async-signal-safe (the name is formatted without
 * stdio) and may run in the sampling handler or a fatal-signal handler.
 */
#ifndef WHYSLOW_WRITER_H
#define WHYSLOW_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Create a new file in the output directory (never overwriting one) and
 * write the file header.  Returns 0 or -errno. */
int ws_writer_open(void);
/* Write one record made of the given payload parts (at most 6); the record
 * header and padding are added.  Returns 0 or -errno. */
int ws_writer_record(uint32_t type, const struct iovec *parts, int nparts);
void ws_writer_close(void);
/* The file's path, for messages ("" before open). */
const char *ws_writer_path(void);
/* Drop the inherited descriptor without writing (fork child). */
void ws_writer_forget(void);

#endif
