/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keylog.c - the NSS key log reader (see keylog.h).  This file owns the
 * table of secrets by client random, the file position a live capture
 * resumes from, and the line syntax:
 *
 *   CLIENT_RANDOM <64 hex: ClientHello.random> <96 hex: master secret>
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 *   CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0, EXPORTER_SECRET,
 *   CLIENT_EARLY_TRAFFIC_SECRET, EARLY_EXPORTER_SECRET
 *       <64 hex> <64 or 96 hex: a secret of the suite's hash, RFC 8446 7.1>
 *
 * Fields are separated by spaces or tabs; CR before LF and trailing
 * blanks are ignored (files edited on Windows).  The hex must be exact:
 * even length, hex digits only, the length of the label's secret.
 *
 * Reading resumes: the state remembers the file (device, inode, its first
 * bytes), how far complete lines were consumed and their count, so a second
 * call reads only what was appended and reports true line numbers.  Only
 * whole lines are consumed; a line being written (no newline yet) is left
 * for the next call unless it already parses, which covers files whose last
 * line has no newline.
 *
 * Nothing here prints: open and read errors come back in the caller's
 * buffer, malformed lines through the caller's warn function.  Secrets
 * (and the buffers that held their hex) are zeroed before they are freed.
 */
#include "keylog.h"
#include "bytes.h"
#include "siphash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define STR_(x) #x
#define STR(x) STR_(x)

enum { SECRET_MAX = 48, RANDOM_LEN = 32, HEAD_LEN = 64, CHUNK = 64 * 1024 };

/* One secret.  Records live in chunks that never move, so a secret found
 * stays where it is; the index holds record numbers, not pointers. */
struct kl_rec {
    uint8_t random[RANDOM_LEN];
    uint8_t label, len;
    uint8_t v[SECRET_MAX];
};

struct keylog {
    struct kl_rec **chunks;
    size_t nchunks, cap_chunks;
    size_t rec_cap;    /* records the chunks hold */
    size_t nrecs;
    uint32_t *index;   /* open addressing by (random, label): record number + 1, 0 when empty */
    size_t index_mask;
    size_t max_bytes;  /* memory the secrets and their index may take (0: no bound) */
    int full_warned;
    unsigned shown;    /* malformed lines reported so far (the first KEYLOG_WARN_MAX) */
    /* where the last keylog_load stopped */
    char *path;
    dev_t dev;
    ino_t ino;
    off_t offset;      /* end of the last consumed line */
    off_t seen_size;   /* how far the last load read (or the size it found, if more) */
    unsigned line;     /* lines consumed */
    int mid_line;      /* the last line had no newline when it was consumed */
    uint8_t head[HEAD_LEN];
    size_t head_len;   /* the file's first bytes as they were read */
    int fd;            /* that file, kept open: after a live capture drops root, its path may be unreadable */
};

static const struct {
    const char *name;
    size_t len;
} labels[KL_COUNT] = {
#define LABEL(l, text) [l] = { text, sizeof text - 1 }
    LABEL(KL_CLIENT_RANDOM, "CLIENT_RANDOM"),
    LABEL(KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET, "CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
    LABEL(KL_SERVER_HANDSHAKE_TRAFFIC_SECRET, "SERVER_HANDSHAKE_TRAFFIC_SECRET"),
    LABEL(KL_CLIENT_TRAFFIC_SECRET_0, "CLIENT_TRAFFIC_SECRET_0"),
    LABEL(KL_SERVER_TRAFFIC_SECRET_0, "SERVER_TRAFFIC_SECRET_0"),
    LABEL(KL_EXPORTER_SECRET, "EXPORTER_SECRET"),
    LABEL(KL_CLIENT_EARLY_TRAFFIC_SECRET, "CLIENT_EARLY_TRAFFIC_SECRET"),
    LABEL(KL_EARLY_EXPORTER_SECRET, "EARLY_EXPORTER_SECRET"),
#undef LABEL
};

/* ---------------------------------------------------------------- the table */

/* Chunks of 64, 128, ... 4096 records, then 4096 each: a key log of a few lines costs a few KiB,
 * a long one no more than a chunk of slack. */
enum { FIRST_CHUNK = 64, REC_CHUNK = 4096, SMALL_CHUNKS = 7, SMALL_RECS = FIRST_CHUNK * ((1 << SMALL_CHUNKS) - 1),
       INDEX_MIN = 256 };

static size_t chunk_recs(size_t k) { return k < SMALL_CHUNKS ? (size_t)FIRST_CHUNK << k : REC_CHUNK; }

struct keylog *keylog_new(void)
{
    struct keylog *kl = calloc(1, sizeof *kl);
    if (!kl)
        return NULL;
    kl->index = calloc(INDEX_MIN, sizeof *kl->index);
    if (!kl->index) {
        free(kl);
        return NULL;
    }
    kl->index_mask = INDEX_MIN - 1;
    kl->fd = -1;
    return kl;
}

int keylog_grew(const struct keylog *kl)
{
    struct stat st;
    if (!kl || kl->fd < 0 || fstat(kl->fd, &st) < 0)
        return -1;
    return st.st_size != kl->seen_size;
}

void keylog_free(struct keylog *kl)
{
    if (!kl)
        return;
    for (size_t c = 0; c < kl->nchunks; c++) {
        explicit_bzero(kl->chunks[c], chunk_recs(c) * sizeof **kl->chunks);
        free(kl->chunks[c]);
    }
    free(kl->chunks);
    free(kl->index);
    free(kl->path);
    if (kl->fd >= 0)
        close(kl->fd);
    explicit_bzero(kl, sizeof *kl); /* head[] may hold the start of a line */
    free(kl);
}

void keylog_set_max_bytes(struct keylog *kl, size_t max)
{
    if (kl) {
        kl->max_bytes = max;
        kl->full_warned = 0; /* a new bound deserves its own warning */
    }
}

size_t keylog_memory(const struct keylog *kl)
{
    if (!kl)
        return 0;
    return sizeof *kl + kl->rec_cap * sizeof **kl->chunks + kl->cap_chunks * sizeof *kl->chunks +
           (kl->index_mask + 1) * sizeof *kl->index;
}

static struct kl_rec *rec_at(const struct keylog *kl, size_t i)
{
    if (i < SMALL_RECS) { /* chunk k starts at 64 * (2^k - 1) */
        unsigned k = 0;
        while (((size_t)FIRST_CHUNK << (k + 1)) - FIRST_CHUNK <= i)
            k++;
        return &kl->chunks[k][i - (((size_t)FIRST_CHUNK << k) - FIRST_CHUNK)];
    }
    i -= SMALL_RECS;
    return &kl->chunks[SMALL_CHUNKS + i / REC_CHUNK][i % REC_CHUNK];
}

/* The randoms come from the key log and the lookups from packets: a keyed hash all the same. */
static uint64_t key_hash(const uint8_t *random, unsigned label)
{
    uint8_t k[RANDOM_LEN + 1];
    memcpy(k, random, RANDOM_LEN);
    k[RANDOM_LEN] = (uint8_t)label;
    return hash_keyed(k, sizeof k);
}

/* The slot of (random, label): its record's, or the empty one where it would go. */
static size_t slot_of(const struct keylog *kl, const uint8_t *random, unsigned label)
{
    size_t i = (size_t)key_hash(random, label) & kl->index_mask;
    for (;;) {
        uint32_t r = kl->index[i];
        if (!r)
            return i;
        const struct kl_rec *rec = rec_at(kl, r - 1);
        if (rec->label == label && memcmp(rec->random, random, RANDOM_LEN) == 0)
            return i;
        i = (i + 1) & kl->index_mask;
    }
}

static struct kl_rec *find_rec(const struct keylog *kl, const uint8_t *random, unsigned label)
{
    uint32_t r = kl->index[slot_of(kl, random, label)];
    return r ? rec_at(kl, r - 1) : NULL;
}

/* Counted when asked (tests, rarely): a random is counted at its first
 * record, the one no other label of it precedes. */
size_t keylog_count(const struct keylog *kl)
{
    size_t n = 0;
    for (size_t i = 0; kl && i < kl->nrecs; i++) {
        const struct kl_rec *rec = rec_at(kl, i);
        int first = 1;
        for (unsigned l = 0; l < KL_COUNT && first; l++) {
            uint32_t r = l == rec->label ? 0 : kl->index[slot_of(kl, rec->random, l)];
            first = !r || r - 1 > i;
        }
        n += first;
    }
    return n;
}

const uint8_t *keylog_find(const struct keylog *kl, const uint8_t client_random[32],
                           enum keylog_label label, size_t *len)
{
    if (!kl || !client_random || (unsigned)label >= KL_COUNT)
        return NULL;
    const struct kl_rec *rec = find_rec(kl, client_random, label);
    if (!rec)
        return NULL;
    if (len)
        *len = rec->len;
    return rec->v;
}

/* Would `more` bytes still fit the bound? */
static int fits(const struct keylog *kl, size_t more)
{
    return !kl->max_bytes || keylog_memory(kl) + more <= kl->max_bytes;
}

/* Room for one more record: a new chunk, the index doubled at half full.  0, -1 out of memory, -2 over the bound. */
static int make_room(struct keylog *kl)
{
    if ((kl->nrecs + 1) * 2 > kl->index_mask + 1) {
        size_t n = (kl->index_mask + 1) * 2;
        if (n > (size_t)UINT32_MAX || !fits(kl, n * sizeof *kl->index))
            return -2;
        uint32_t *ni = calloc(n, sizeof *ni), *old = kl->index;
        if (!ni)
            return -1;
        kl->index = ni;
        kl->index_mask = n - 1;
        for (size_t i = 0; i < kl->nrecs; i++) {
            const struct kl_rec *rec = rec_at(kl, i);
            kl->index[slot_of(kl, rec->random, rec->label)] = (uint32_t)(i + 1);
        }
        free(old);
    }
    if (kl->nrecs == kl->rec_cap) {
        size_t recs = chunk_recs(kl->nchunks);
        if (!fits(kl, recs * sizeof **kl->chunks + sizeof *kl->chunks))
            return -2;
        if (kl->nchunks == kl->cap_chunks) {
            size_t cap = kl->cap_chunks ? kl->cap_chunks * 2 : 16;
            struct kl_rec **nc = realloc(kl->chunks, cap * sizeof *nc);
            if (!nc)
                return -1;
            kl->chunks = nc;
            kl->cap_chunks = cap;
        }
        if (!(kl->chunks[kl->nchunks] = malloc(recs * sizeof **kl->chunks)))
            return -1;
        kl->nchunks++;
        kl->rec_cap += recs;
    }
    return 0;
}

enum add_result { ADD_SAME, ADD_NEW, ADD_FULL, ADD_NOMEM };

static enum add_result add_secret(struct keylog *kl, const uint8_t *random, enum keylog_label label,
                                  const uint8_t *v, size_t len)
{
    struct kl_rec *rec = find_rec(kl, random, label);
    if (rec && rec->len == len && memcmp(rec->v, v, len) == 0)
        return ADD_SAME;
    if (!rec) {
        int room = make_room(kl);
        if (room < 0)
            return room == -2 ? ADD_FULL : ADD_NOMEM;
        rec = rec_at(kl, kl->nrecs);
        memcpy(rec->random, random, RANDOM_LEN);
        rec->label = (uint8_t)label;
        kl->index[slot_of(kl, random, label)] = (uint32_t)(kl->nrecs + 1);
        kl->nrecs++;
    }
    /* In place, so that pointers from keylog_find stay valid. */
    explicit_bzero(rec->v, sizeof rec->v);
    memcpy(rec->v, v, len);
    rec->len = (uint8_t)len;
    return ADD_NEW;
}

/* ---------------------------------------------------------------- lines */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Exactly 2*n hex digits into out[n]; 0, or -1. */
static int unhex(const char *p, size_t plen, uint8_t *out, size_t n)
{
    if (plen != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit_value((unsigned char)p[2 * i]), lo = hex_digit_value((unsigned char)p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int all_hex(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hex_digit_value((unsigned char)p[i]) < 0)
            return 0;
    return 1;
}

struct parsed {
    enum keylog_label label;
    uint8_t random[RANDOM_LEN];
    uint8_t secret[SECRET_MAX];
    size_t len;
};

enum parse_result { P_SKIP, P_SECRET, P_MALFORMED };

/* One line without its newline.  P_MALFORMED sets *why. */
static enum parse_result parse_line(const char *p, size_t n, struct parsed *out, const char **why)
{
    while (n > 0 && is_blank(p[n - 1]))
        n--;
    while (n > 0 && is_blank(*p))
        p++, n--;
    if (n == 0 || *p == '#')
        return P_SKIP;
    const char *f[4];
    size_t fl[4], nf = 0;
    for (size_t i = 0; i < n;) {
        if (is_blank(p[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && !is_blank(p[i]))
            i++;
        if (nf < 4) {
            f[nf] = p + start;
            fl[nf] = i - start;
        }
        nf++;
    }
    int label = -1;
    for (int l = 0; l < KL_COUNT; l++)
        if (fl[0] == labels[l].len && memcmp(f[0], labels[l].name, fl[0]) == 0)
            label = l;
    if (label < 0)
        return P_SKIP; /* another writer's label (e.g. NSS's old "RSA" lines): not ours */
    if (nf < 3) {
        *why = "missing fields: expected LABEL CLIENT_RANDOM SECRET";
        return P_MALFORMED;
    }
    if (nf > 3) {
        *why = "extra fields after the secret";
        return P_MALFORMED;
    }
    if (!all_hex(f[1], fl[1]) || !all_hex(f[2], fl[2])) {
        *why = "not hexadecimal";
        return P_MALFORMED;
    }
    if (unhex(f[1], fl[1], out->random, RANDOM_LEN) < 0) {
        *why = "the client random is not 64 hex digits";
        return P_MALFORMED;
    }
    /* CLIENT_RANDOM holds the 48-byte master secret; the TLS 1.3 secrets
     * are as long as the suite's hash: SHA-256 or SHA-384. */
    size_t len = fl[2] / 2;
    int ok = fl[2] % 2 == 0 && (label == KL_CLIENT_RANDOM ? len == 48 : (len == 32 || len == 48));
    if (!ok || unhex(f[2], fl[2], out->secret, len) < 0) {
        *why = label == KL_CLIENT_RANDOM ? "the master secret is not 96 hex digits"
                                         : "the secret is not 64 or 96 hex digits";
        return P_MALFORMED;
    }
    out->label = (enum keylog_label)label;
    out->len = len;
    return P_SECRET;
}

/* ---------------------------------------------------------------- the file */

static void seterr(char *err, size_t errlen, const char *what, const char *path, int e)
{
    if (err && errlen)
        snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
}

/* Read exactly n bytes at off (short only at end of file); -1 on error. */
static ssize_t read_at(int fd, void *buf, size_t n, off_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Is this the file the last call read, unchanged up to where it stopped? */
static int same_file(const struct keylog *kl, const char *path, const struct stat *st, int fd)
{
    if (!kl->path || strcmp(kl->path, path) != 0 || st->st_dev != kl->dev || st->st_ino != kl->ino ||
        st->st_size < kl->offset)
        return 0;
    uint8_t head[HEAD_LEN];
    ssize_t r = read_at(fd, head, kl->head_len, 0);
    int same = r == (ssize_t)kl->head_len && memcmp(head, kl->head, kl->head_len) == 0;
    explicit_bzero(head, sizeof head);
    return same;
}

struct reader {
    struct keylog *kl;
    const char *path;
    keylog_warn_fn warn;
    void *ctx;
    int added;
    int stop;          /* the memory bound was reached */
    uint64_t hidden;   /* malformed lines past the first KEYLOG_WARN_MAX, not reported one by one */
    char line[KEYLOG_MAX_LINE];
    size_t len;        /* bytes of the current line kept */
    int too_long;      /* the current line went past KEYLOG_MAX_LINE */
    int continuing;    /* the current line is the rest of one consumed without newline */
};

/* A malformed line: the first KEYLOG_WARN_MAX of a key log are reported, the rest counted. */
static void warn_line(struct reader *r, unsigned line, const char *why)
{
    if (r->kl->shown >= KEYLOG_WARN_MAX) {
        r->hidden++;
        return;
    }
    r->kl->shown++;
    if (r->warn)
        r->warn(r->ctx, r->path, line, why);
}

/* Something about the whole file, always said (line 0: no line). */
static void warn_file(struct reader *r, unsigned line, const char *why)
{
    if (r->warn)
        r->warn(r->ctx, r->path, line, why);
}

/* Use one parsed line; 0, or -1 when reading must stop (the entry cap). */
static int use_line(struct reader *r, unsigned lineno, enum parse_result pr,
                    const struct parsed *p, const char *why)
{
    if (pr == P_MALFORMED) {
        warn_line(r, lineno, why);
        return 0;
    }
    if (pr != P_SECRET)
        return 0;
    switch (add_secret(r->kl, p->random, p->label, p->secret, p->len)) {
    case ADD_NEW:
        r->added++;
        break;
    case ADD_SAME:
        break;
    case ADD_NOMEM:
        warn_file(r, lineno, "out of memory: secret not kept");
        break;
    case ADD_FULL:
        if (!r->kl->full_warned) {
            char why_full[160];
            snprintf(why_full, sizeof why_full,
                     "the key log's share of --memcap (%zu KiB) is full after %zu secrets: the rest of the key "
                     "log is not read",
                     r->kl->max_bytes >> 10, r->kl->nrecs);
            warn_file(r, lineno, why_full);
            r->kl->full_warned = 1;
        }
        return -1;
    }
    return 0;
}

/* A whole line (its newline seen) ending at file offset `end`. */
static void end_line(struct reader *r, off_t end)
{
    struct keylog *kl = r->kl;
    if (r->continuing) {
        /* The rest of a line consumed at the end of the file last time: it
         * is the newline we did not see then, unless the writer went on. */
        size_t i = 0;
        while (i < r->len && is_blank(r->line[i]))
            i++;
        if (i < r->len || r->too_long)
            warn_line(r, kl->line, "the line grew after it was read: its end is ignored");
        r->continuing = 0;
    } else {
        if (r->too_long) {
            warn_line(r, kl->line + 1, "line longer than " STR(KEYLOG_MAX_LINE) " bytes");
        } else {
            struct parsed p;
            const char *why = NULL;
            enum parse_result pr = parse_line(r->line, r->len, &p, &why);
            int full = use_line(r, kl->line + 1, pr, &p, why) < 0;
            explicit_bzero(&p, sizeof p);
            if (full) {
                r->stop = 1; /* this line stays unread: a later call tries it again */
                return;
            }
        }
        kl->line++;
    }
    kl->offset = end;
    kl->mid_line = 0;
    r->len = 0;
    r->too_long = 0;
}

int keylog_load(struct keylog *kl, const char *path, keylog_warn_fn warn, void *ctx, char *err,
                size_t errlen)
{
    if (!kl || !path) {
        if (err && errlen)
            snprintf(err, errlen, "no key log");
        return -1;
    }
    /* O_NONBLOCK: opening a FIFO with no writer must not wait (it is refused below) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), open_errno = errno;
    if (fd < 0 && kl->fd >= 0 && kl->path && strcmp(kl->path, path) == 0) {
        /* opened before the capture gave up root (a 0600 file of another user), or the
         * path is gone: the file read so far can still grow through the descriptor kept */
        fd = fcntl(kl->fd, F_DUPFD_CLOEXEC, 0);
    }
    if (fd < 0) {
        seterr(err, errlen, "cannot open key log", path, open_errno);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        seterr(err, errlen, "cannot read key log", path, errno);
        close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        seterr(err, errlen, "cannot read key log", path, EISDIR);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        /* /dev/zero never ends, a FIFO may never be written to, and neither can be read
         * again from where a live capture left off: a key log is a file */
        if (err && errlen)
            snprintf(err, errlen, "cannot read key log %s: not a regular file (%s); save the key log to a file",
                     path, S_ISFIFO(st.st_mode) ? "a FIFO or pipe" : S_ISCHR(st.st_mode) ? "a character device"
                           : S_ISSOCK(st.st_mode) ? "a socket" : S_ISBLK(st.st_mode) ? "a block device"
                                                                                      : "not a file");
        close(fd);
        return -1;
    }
    if (!same_file(kl, path, &st, fd)) {
        char *copy = strdup(path);
        if (!copy) {
            seterr(err, errlen, "cannot read key log", path, ENOMEM);
            close(fd);
            return -1;
        }
        free(kl->path);
        kl->path = copy;
        kl->dev = st.st_dev;
        kl->ino = st.st_ino;
        kl->offset = 0;
        kl->line = 0;
        kl->mid_line = 0;
        kl->head_len = 0;
    }

    struct reader *r = calloc(1, sizeof *r);
    char *buf = malloc(CHUNK);
    if (!r || !buf) {
        free(r);
        free(buf);
        seterr(err, errlen, "cannot read key log", path, ENOMEM);
        close(fd);
        return -1;
    }
    r->kl = kl;
    r->path = path;
    r->warn = warn;
    r->ctx = ctx;
    r->continuing = kl->mid_line;

    int rc = 0;
    off_t pos = kl->offset;
    for (;;) {
        ssize_t n = read_at(fd, buf, CHUNK, pos);
        if (n < 0) {
            seterr(err, errlen, "cannot read key log", path, errno);
            rc = -1;
            break;
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n && !r->stop; i++) {
            char c = buf[i];
            if (c == '\n') {
                end_line(r, pos + i + 1);
            } else if (r->len < sizeof r->line) {
                r->line[r->len++] = c;
            } else {
                r->too_long = 1;
            }
        }
        explicit_bzero(buf, (size_t)n);
        if (r->stop)
            break;
        pos += n;
    }
    /* what keylog_grew compares with: an unfinished last line or a load stopped early does not
     * count as new bytes */
    kl->seen_size = pos > st.st_size ? pos : st.st_size;
    /* The end of the file without a newline: a line still being written, or
     * a file whose last line has none.  Take it only when it already holds
     * a whole secret; anything else waits for its newline. */
    if (rc == 0 && !r->stop && !r->continuing && !r->too_long && r->len > 0) {
        struct parsed p;
        const char *why = NULL;
        if (parse_line(r->line, r->len, &p, &why) == P_SECRET &&
            use_line(r, kl->line + 1, P_SECRET, &p, why) == 0) {
            kl->line++;
            kl->offset = pos;
            kl->mid_line = 1;
        }
        explicit_bzero(&p, sizeof p);
    }
    /* Remember how the file starts, to notice when it is rewritten. */
    if (kl->head_len < HEAD_LEN && kl->offset > (off_t)kl->head_len) {
        size_t want = kl->offset < HEAD_LEN ? (size_t)kl->offset : HEAD_LEN;
        ssize_t got = read_at(fd, kl->head, want, 0);
        kl->head_len = got > 0 ? (size_t)got : 0;
    }
    if (r->hidden) {
        char why[128];
        snprintf(why, sizeof why, "%llu more malformed lines skipped (only the first %d are shown)",
                 (unsigned long long)r->hidden, KEYLOG_WARN_MAX);
        warn_file(r, 0, why);
    }
    int added = r->added;
    explicit_bzero(r, sizeof *r);
    free(r);
    free(buf);
    if (kl->fd >= 0)
        close(kl->fd);
    kl->fd = fd;
    return rc < 0 ? -1 : added;
}
