/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capsrc.h - the bytes of one capture file, however it arrives: a regular
 * file, standard input, a FIFO or a process substitution (opened once, read
 * as a stream), each possibly compressed with gzip or zstd (recognised by
 * its magic, as tshark does).  Reads are large (the caller asks for 1 MiB)
 * and go straight into the caller's buffer; nothing here knows pcap.
 * Errors come back as text in the caller's buffer.
 */
#ifndef SYNFIN_CAPSRC_H
#define SYNFIN_CAPSRC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CAPSRC_ERRLEN 256

enum capsrc_kind { CAPSRC_PLAIN, CAPSRC_GZIP, CAPSRC_ZSTD };

/* What a read returned besides bytes. */
enum {
    CAPSRC_END = 0,          /* the end of the content */
    CAPSRC_FAIL = -1,        /* an I/O error or corrupt compressed data: message in err */
    CAPSRC_STOPPED = -2,     /* the stop flag was raised while waiting for a stream */
    CAPSRC_AGAIN = -3,       /* not waiting (capsrc_nowait): a stream has nothing to read now */
};

struct capsrc;

/* Open `path` ("-" is standard input) and look at its first bytes.  The
 * stop flag (may be NULL) is polled while a stream has nothing to read. */
struct capsrc *capsrc_open(const char *path, const volatile sig_atomic_t *stop, char *err);
/* The next bytes of content (decompressed), at most n, at least 1 unless
 * the content ended: a stream hands out what has arrived.  Returns the
 * count, CAPSRC_END, CAPSRC_FAIL or CAPSRC_STOPPED. */
ssize_t capsrc_read(struct capsrc *s, uint8_t *dst, size_t n, char *err);
/* A stream with nothing to read makes capsrc_read return CAPSRC_AGAIN
 * instead of waiting (a user interface reads between keystrokes). */
void capsrc_nowait(struct capsrc *s, int on);
/* The descriptor to poll for a stream's next bytes, -1 for a regular file. */
int capsrc_fd(const struct capsrc *s);
/* Go to content position `pos` (a compressed file is decompressed again
 * from its start when going back); -1 with err on a stream. */
int capsrc_seek(struct capsrc *s, int64_t pos, char *err);
/* Content position of the next byte capsrc_read returns. */
int64_t capsrc_tell(const struct capsrc *s);
/* Can it be read again (a regular file)? */
int capsrc_seekable(const struct capsrc *s);
enum capsrc_kind capsrc_kind(const struct capsrc *s);
/* The file's size and the bytes of it read so far (compressed bytes for a
 * compressed file; size 0 when unknown), for a progress bar. */
int64_t capsrc_file_size(const struct capsrc *s);
int64_t capsrc_file_pos(const struct capsrc *s);
/* The device and inode of the file (for refusing -w onto an input). */
void capsrc_identity(const struct capsrc *s, dev_t *dev, ino_t *ino);
void capsrc_close(struct capsrc *s);

#endif
