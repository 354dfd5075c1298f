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

struct kl_secret {
    struct kl_secret *next;
    uint8_t label, len;
    uint8_t v[SECRET_MAX];
};

struct kl_entry {
    struct kl_entry *next; /* hash chain */
    struct kl_secret *secrets;
    uint8_t random[RANDOM_LEN];
};

struct keylog {
    struct kl_entry **buckets;
    size_t nbuckets;   /* a power of two */
    size_t count;      /* entries */
    size_t max_entries;
    int full_warned;
    /* where the last keylog_load stopped */
    char *path;
    dev_t dev;
    ino_t ino;
    off_t offset;      /* end of the last consumed line */
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

struct keylog *keylog_new(void)
{
    struct keylog *kl = calloc(1, sizeof *kl);
    if (!kl)
        return NULL;
    kl->nbuckets = 256;
    kl->buckets = calloc(kl->nbuckets, sizeof *kl->buckets);
    if (!kl->buckets) {
        free(kl);
        return NULL;
    }
    kl->max_entries = KEYLOG_MAX_ENTRIES;
    kl->fd = -1;
    return kl;
}

void keylog_free(struct keylog *kl)
{
    if (!kl)
        return;
    for (size_t b = 0; b < kl->nbuckets; b++) {
        for (struct kl_entry *e = kl->buckets[b], *en; e; e = en) {
            en = e->next;
            for (struct kl_secret *s = e->secrets, *sn; s; s = sn) {
                sn = s->next;
                explicit_bzero(s, sizeof *s);
                free(s);
            }
            free(e);
        }
    }
    free(kl->buckets);
    free(kl->path);
    if (kl->fd >= 0)
        close(kl->fd);
    explicit_bzero(kl, sizeof *kl); /* head[] may hold the start of a line */
    free(kl);
}

void keylog_set_max_entries(struct keylog *kl, size_t max)
{
    if (kl) {
        kl->max_entries = max;
        kl->full_warned = 0; /* a new cap deserves its own warning */
    }
}

size_t keylog_count(const struct keylog *kl)
{
    return kl ? kl->count : 0;
}

/* FNV-1a: the randoms are random already, any mixing of all bytes will do. */
static size_t bucket_of(const struct keylog *kl, const uint8_t *random)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (int i = 0; i < RANDOM_LEN; i++)
        h = (h ^ random[i]) * 0x100000001b3u;
    return (size_t)(h ^ (h >> 32)) & (kl->nbuckets - 1);
}

static struct kl_entry *find_entry(const struct keylog *kl, const uint8_t *random)
{
    for (struct kl_entry *e = kl->buckets[bucket_of(kl, random)]; e; e = e->next)
        if (memcmp(e->random, random, RANDOM_LEN) == 0)
            return e;
    return NULL;
}

const uint8_t *keylog_find(const struct keylog *kl, const uint8_t client_random[32],
                           enum keylog_label label, size_t *len)
{
    if (!kl || !client_random || (unsigned)label >= KL_COUNT)
        return NULL;
    struct kl_entry *e = find_entry(kl, client_random);
    for (struct kl_secret *s = e ? e->secrets : NULL; s; s = s->next) {
        if (s->label == label) {
            if (len)
                *len = s->len;
            return s->v;
        }
    }
    return NULL;
}

/* Double the buckets when the chains get longer than one on average; when
 * memory is short the table just stays as it is (slower, still right). */
static void grow(struct keylog *kl)
{
    size_t n = kl->nbuckets * 2;
    struct kl_entry **nb = calloc(n, sizeof *nb);
    if (!nb)
        return;
    struct kl_entry **old = kl->buckets;
    size_t old_n = kl->nbuckets;
    kl->buckets = nb;
    kl->nbuckets = n;
    for (size_t b = 0; b < old_n; b++) {
        for (struct kl_entry *e = old[b], *en; e; e = en) {
            en = e->next;
            size_t i = bucket_of(kl, e->random);
            e->next = nb[i];
            nb[i] = e;
        }
    }
    free(old);
}

enum add_result { ADD_SAME, ADD_NEW, ADD_FULL, ADD_NOMEM };

static enum add_result add_secret(struct keylog *kl, const uint8_t *random, enum keylog_label label,
                                  const uint8_t *v, size_t len)
{
    struct kl_entry *e = find_entry(kl, random);
    if (!e) {
        if (kl->count >= kl->max_entries)
            return ADD_FULL;
        e = calloc(1, sizeof *e);
        if (!e)
            return ADD_NOMEM;
        memcpy(e->random, random, RANDOM_LEN);
        size_t b = bucket_of(kl, random);
        e->next = kl->buckets[b];
        kl->buckets[b] = e;
        if (++kl->count > kl->nbuckets)
            grow(kl);
    }
    struct kl_secret *s = e->secrets;
    while (s && s->label != label)
        s = s->next;
    if (s && s->len == len && memcmp(s->v, v, len) == 0)
        return ADD_SAME;
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return ADD_NOMEM;
        s->label = (uint8_t)label;
        s->next = e->secrets;
        e->secrets = s;
    }
    /* In place, so that pointers from keylog_find stay valid. */
    explicit_bzero(s->v, sizeof s->v);
    memcpy(s->v, v, len);
    s->len = (uint8_t)len;
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
    int stop;          /* the entry cap was reached */
    char line[KEYLOG_MAX_LINE];
    size_t len;        /* bytes of the current line kept */
    int too_long;      /* the current line went past KEYLOG_MAX_LINE */
    int continuing;    /* the current line is the rest of one consumed without newline */
};

static void warn_line(struct reader *r, unsigned line, const char *why)
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
        warn_line(r, lineno, "out of memory: secret not kept");
        break;
    case ADD_FULL:
        if (!r->kl->full_warned) {
            char why_full[96];
            snprintf(why_full, sizeof why_full,
                     "more than %zu client randoms: the rest of the key log is not read",
                     r->kl->max_entries);
            warn_line(r, lineno, why_full);
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
    int fd = open(path, O_RDONLY | O_CLOEXEC), open_errno = errno;
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
    int added = r->added;
    explicit_bzero(r, sizeof *r);
    free(r);
    free(buf);
    if (kl->fd >= 0)
        close(kl->fd);
    kl->fd = fd;
    return rc < 0 ? -1 : added;
}
