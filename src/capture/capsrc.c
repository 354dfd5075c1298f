/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capsrc.c - one capture file's bytes (see capsrc.h).
 *
 * A regular file is read with read(2) straight into the caller's buffer in
 * the caller's large pieces: on this machine 1 MiB reads walk a 1 GiB file
 * in 0.07 s of CPU, while mmap (faulting the pages in) costs 0.3 to 0.45 s,
 * so there is no mmap.  A stream (standard input, a FIFO, a pipe) is opened
 * once, never sought, and waited on with poll() so that a raised stop flag
 * is seen within POLL_MS even when the writer is silent.  gzip (RFC 1952,
 * several members one after the other, as `cat a.gz b.gz` makes) and zstd
 * (RFC 8878, several frames) are decompressed on the way.
 */
#include "capsrc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define IN_SIZE (256u << 10)   /* compressed bytes read at once */
#define POLL_MS 200
#define SKIP_SIZE (256u << 10) /* scratch for skipping forward in compressed content */

struct capsrc {
    int fd;
    int regular;
    int nowait;
    enum capsrc_kind kind;
    const volatile sig_atomic_t *stop;
    char name[160];
    int64_t size;            /* of the file */
    int64_t fpos;            /* file bytes read */
    int64_t cpos;            /* content bytes handed out */
    dev_t dev;
    ino_t ino;
    /* plain: the bytes read to see the magic, handed out first */
    uint8_t head[4];
    size_t head_len, head_pos;
    /* compressed */
    uint8_t *in;
    size_t in_len, in_pos;
    int in_eof;
    int done;                /* the compressed content ended cleanly */
    int failed;              /* corrupt or cut: the message is repeated */
    char fail_msg[CAPSRC_ERRLEN];
    z_stream z;
    int z_init;
    ZSTD_DCtx *zd;
    int frame_open;          /* zstd: a frame is not complete yet */
};

static void set_err(char *err, const struct capsrc *s, const char *what, const char *detail)
{
    snprintf(err, CAPSRC_ERRLEN, "%s: %s%s%s", s->name, what, detail ? ": " : "", detail ? detail : "");
}

/* One read(2) of the file itself: a stream is polled first so that the stop
 * flag is noticed; a signal handler installed with SA_RESTART does not
 * interrupt a blocking read, and poll() always returns early on a signal. */
static ssize_t raw_read(struct capsrc *s, uint8_t *dst, size_t n, char *err)
{
    for (;;) {
        if (!s->regular) {
            if (s->stop && *s->stop)
                return CAPSRC_STOPPED;
            struct pollfd pfd = {s->fd, POLLIN, 0};
            int pr = poll(&pfd, 1, s->nowait ? 0 : POLL_MS);
            if (pr == 0 && s->nowait)
                return CAPSRC_AGAIN;
            if (pr == 0 || (pr < 0 && errno == EINTR))
                continue;
        }
        ssize_t r = read(s->fd, dst, n);
        if (r >= 0) {
            s->fpos += r;
            return r;
        }
        if (errno == EINTR || errno == EAGAIN)
            continue;
        set_err(err, s, "cannot read", strerror(errno));
        return CAPSRC_FAIL;
    }
}

struct capsrc *capsrc_open(const char *path, const volatile sig_atomic_t *stop, char *err)
{
    struct capsrc *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, CAPSRC_ERRLEN, "%s: %s", path, strerror(ENOMEM));
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "%s", path);
    s->stop = stop;
    s->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    struct stat st;
    if (s->fd < 0 || fstat(s->fd, &st) < 0) {
        set_err(err, s, strerror(errno), NULL);
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        set_err(err, s, "is a directory", NULL);
        goto fail;
    }
    s->regular = S_ISREG(st.st_mode);
    s->size = s->regular ? st.st_size : 0;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    if (s->regular)
        (void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    /* the magic: up to four bytes, however a stream cuts them */
    while (s->head_len < sizeof s->head) {
        ssize_t r = raw_read(s, s->head + s->head_len, sizeof s->head - s->head_len, err);
        if (r < 0)
            goto fail;
        if (r == 0)
            break;
        s->head_len += (size_t)r;
    }
    if (s->head_len >= 2 && s->head[0] == 0x1f && s->head[1] == 0x8b) {
        s->kind = CAPSRC_GZIP;
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
            set_err(err, s, "cannot start gzip decompression", NULL);
            goto fail;
        }
        s->z_init = 1;
    } else if (s->head_len == 4 && s->head[0] == 0x28 && s->head[1] == 0xb5 && s->head[2] == 0x2f &&
               s->head[3] == 0xfd) {
        s->kind = CAPSRC_ZSTD;
        if (!(s->zd = ZSTD_createDCtx())) {
            set_err(err, s, "cannot start zstd decompression", NULL);
            goto fail;
        }
    }
    if (s->kind != CAPSRC_PLAIN) {
        if (!(s->in = malloc(IN_SIZE))) {
            set_err(err, s, strerror(ENOMEM), NULL);
            goto fail;
        }
        memcpy(s->in, s->head, s->head_len);
        s->in_len = s->head_len;
        s->head_len = 0;
    }
    return s;
fail:
    capsrc_close(s);
    return NULL;
}

static int fail(struct capsrc *s, char *err, const char *what, const char *detail)
{
    set_err(s->fail_msg, s, what, detail);
    s->failed = 1;
    memcpy(err, s->fail_msg, CAPSRC_ERRLEN);
    return CAPSRC_FAIL;
}

/* More compressed input; 0 at the end of the file. */
static ssize_t refill_in(struct capsrc *s, char *err)
{
    if (s->in_pos < s->in_len)
        return (ssize_t)(s->in_len - s->in_pos);
    s->in_pos = s->in_len = 0;
    if (s->in_eof)
        return 0;
    ssize_t r = raw_read(s, s->in, IN_SIZE, err);
    if (r > 0)
        s->in_len = (size_t)r;
    else if (r == 0)
        s->in_eof = 1;
    return r;
}

static ssize_t read_gzip(struct capsrc *s, uint8_t *dst, size_t n, char *err)
{
    size_t got = 0;
    while (got < n && !s->done) {
        if (s->in_pos == s->in_len) {
            if (got) /* hand out what is there rather than wait on a stream */
                break;
            ssize_t r = refill_in(s, err);
            if (r < 0)
                return r;
            if (r == 0)
                return fail(s, err, "truncated", "the gzip data ends before its end");
        }
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        s->z.next_out = dst + got;
        s->z.avail_out = (uInt)(n - got);
        int zr = inflate(&s->z, Z_NO_FLUSH);
        got = n - s->z.avail_out;
        s->in_pos = s->in_len - s->z.avail_in;
        if (zr == Z_STREAM_END) {
            /* another member may follow; anything else after the last one is ignored, as gzip -d does */
            ssize_t r = refill_in(s, err);
            if (r < 0)
                return r;
            if (r >= 2 && s->in[s->in_pos] == 0x1f && s->in[s->in_pos + 1] == 0x8b)
                inflateReset(&s->z);
            else
                s->done = 1;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            fail(s, err, "corrupt gzip data", s->z.msg ? s->z.msg : "inflate failed");
            return got ? (ssize_t)got : CAPSRC_FAIL; /* what came out before it first */
        }
    }
    return (ssize_t)got;
}

static ssize_t read_zstd(struct capsrc *s, uint8_t *dst, size_t n, char *err)
{
    size_t got = 0;
    while (got < n) {
        if (s->in_pos == s->in_len) {
            if (got)
                break;
            ssize_t r = refill_in(s, err);
            if (r < 0)
                return r;
            if (r == 0) {
                if (s->frame_open)
                    return fail(s, err, "truncated", "the zstd data ends before its end");
                s->done = 1;
                break;
            }
        }
        ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
        ZSTD_outBuffer out = {dst, n, got};
        size_t zr = ZSTD_decompressStream(s->zd, &out, &in);
        if (ZSTD_isError(zr)) {
            fail(s, err, "corrupt zstd data", ZSTD_getErrorName(zr));
            return got ? (ssize_t)got : CAPSRC_FAIL;
        }
        s->frame_open = zr != 0;
        s->in_pos = in.pos;
        got = out.pos;
    }
    return (ssize_t)got;
}

ssize_t capsrc_read(struct capsrc *s, uint8_t *dst, size_t n, char *err)
{
    ssize_t r;
    if (s->failed) {
        memcpy(err, s->fail_msg, CAPSRC_ERRLEN);
        return CAPSRC_FAIL;
    }
    if (!n)
        return 0;
    if (s->kind == CAPSRC_PLAIN && s->head_pos < s->head_len) {
        size_t k = s->head_len - s->head_pos < n ? s->head_len - s->head_pos : n;
        memcpy(dst, s->head + s->head_pos, k);
        s->head_pos += k;
        r = (ssize_t)k;
    } else if (s->kind == CAPSRC_PLAIN) {
        r = raw_read(s, dst, n, err);
    } else if (s->done) {
        r = 0;
    } else {
        r = s->kind == CAPSRC_GZIP ? read_gzip(s, dst, n, err) : read_zstd(s, dst, n, err);
    }
    if (r > 0)
        s->cpos += r;
    return r;
}

int capsrc_seek(struct capsrc *s, int64_t pos, char *err)
{
    if (!s->regular || pos < 0) {
        set_err(err, s, "cannot go back to a packet", s->regular ? "bad position" : "the input is a stream");
        return -1;
    }
    if (s->kind == CAPSRC_PLAIN) {
        if (lseek(s->fd, (off_t)pos, SEEK_SET) < 0) {
            set_err(err, s, "cannot go back to a packet", strerror(errno));
            return -1;
        }
        s->head_pos = s->head_len;
        s->fpos = s->cpos = pos;
        return 0;
    }
    if (pos < s->cpos) { /* compressed: start again from the beginning */
        if (lseek(s->fd, 0, SEEK_SET) < 0) {
            set_err(err, s, "cannot go back to a packet", strerror(errno));
            return -1;
        }
        s->fpos = s->cpos = 0;
        s->in_len = s->in_pos = 0;
        s->in_eof = s->done = s->failed = s->frame_open = 0;
        if (s->kind == CAPSRC_GZIP)
            inflateReset(&s->z);
        else
            ZSTD_DCtx_reset(s->zd, ZSTD_reset_session_only);
    }
    uint8_t *scratch = NULL;
    while (s->cpos < pos) {
        if (!scratch && !(scratch = malloc(SKIP_SIZE))) {
            set_err(err, s, strerror(ENOMEM), NULL);
            return -1;
        }
        int64_t want = pos - s->cpos;
        ssize_t r = capsrc_read(s, scratch, want < SKIP_SIZE ? (size_t)want : SKIP_SIZE, err);
        if (r <= 0) {
            if (r == 0)
                set_err(err, s, "cannot go back to a packet", "past the end");
            free(scratch);
            return -1;
        }
    }
    free(scratch);
    return 0;
}

void capsrc_nowait(struct capsrc *s, int on) { s->nowait = on; }
int capsrc_fd(const struct capsrc *s) { return s->regular ? -1 : s->fd; }
int64_t capsrc_tell(const struct capsrc *s) { return s->cpos; }
int capsrc_seekable(const struct capsrc *s) { return s->regular; }
enum capsrc_kind capsrc_kind(const struct capsrc *s) { return s->kind; }
int64_t capsrc_file_size(const struct capsrc *s) { return s->size; }
int64_t capsrc_file_pos(const struct capsrc *s) { return s->fpos; }

void capsrc_identity(const struct capsrc *s, dev_t *dev, ino_t *ino)
{
    *dev = s->dev;
    *ino = s->ino;
}

void capsrc_close(struct capsrc *s)
{
    if (!s)
        return;
    if (s->z_init)
        inflateEnd(&s->z);
    ZSTD_freeDCtx(s->zd);
    free(s->in);
    if (s->fd > STDIN_FILENO)
        close(s->fd);
    free(s);
}
