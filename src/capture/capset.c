/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capset.c - several capture files as one capture (see capset.h).
 *
 * Every file is opened once at the start to read its header and its first
 * packet's time; the files are then merged by timestamp: the next packet is
 * the earliest among the open files' next packets (the first file given
 * wins a tie), and a file joins the merge when its first packet is due.
 * Up to KEEP_OPEN files stay open after that first look (a stream always
 * does: it cannot be opened twice); more are opened again when due.
 *
 * A re-reader (the ladder, the detail pane) has its own readers of the same
 * files and uses what the main set learnt of them.  To replay the merge
 * from a packet in the middle, the main set keeps checkpoints: every
 * CP_EVERY packets, where each open file's next packet lies; when they
 * grow past CP_MAX, every other one is dropped and the interval doubles,
 * so they stay small however long the capture.
 */
#define _GNU_SOURCE /* strverscmp */
#include "capset.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grow.h"

#define KEEP_OPEN 8
#define QUEUE_MAX (64u << 20)    /* secrets found before the first packets, held until they go out */
#define CP_EVERY 16384
#define CP_MAX 4096
#define NONE SIZE_MAX

struct cs_file {
    char *path;                  /* main set: owned; re-reader: the main set's */
    struct capfile_meta *meta;   /* the same */
    struct capfile *f;           /* open reader, or NULL */
    struct capture_pkt head;     /* its next packet, not yet handed out */
    int has_head;
    int activated;               /* joined the merge */
    int done;                    /* read to its end */
    int has_packets;             /* it holds a packet: first_ts is its time */
    int64_t first_ts;
    int64_t probe_end;           /* secrets before this position went out with the first look */
    int stream, usec, pcapng;
    dev_t dev;
    ino_t ino;
    int64_t size, read_bytes;    /* the file's size; what its closed reader had read of it */
    struct capfile_report rep;   /* kept when its reader closes */
    int has_rep;
};

struct checkpoint {
    size_t first;                /* its open files' next packets: cph[first .. first + n) */
    uint32_t n;
    uint32_t pending;            /* how many files of the time order had joined */
};

struct cp_head {
    uint32_t file;
    int64_t pos;
};

struct secrets {
    uint8_t *p;
    size_t len;
};

struct capset {
    struct capset *main;         /* a re-reader's main set; NULL for a main set */
    struct cs_file *files;
    size_t nfiles;
    size_t *order;               /* file numbers by first packet time */
    size_t *rank;                /* the inverse: a file's place in order[] */
    size_t pending;              /* order[pending] is the next file to join */
    size_t last;                 /* the file whose head went out last (NONE) */
    int last_consumed;           /* ... and must be read on before the next pick */
    const volatile sig_atomic_t *stop;
    struct capfile_hooks hooks;
    int pool;
    int nowait;                  /* capset_nowait */
    int (*wait)(void *ctx);      /* read-ahead: wait for a batch to give a chunk back */
    void *wait_ctx;
    /* interfaces (main set only): locked, the analysing thread names them while this one reads */
    pthread_mutex_t lock;
    struct capset_iface *ifc;
    size_t nifc, capifc;
    /* secrets found by the first look at the files, handed out before any packet */
    struct secrets *queued;
    size_t nqueued, capqueued, qhead, queued_bytes;
    uint64_t lost_secrets;       /* secrets blocks before the first packets past QUEUE_MAX */
    const uint8_t *sec_p;
    size_t sec_len;
    struct capchunk *last_chunk;
    /* checkpoints (main set, several files) */
    struct checkpoint *cps;
    size_t ncps, capcps;
    struct cp_head *cph;
    size_t ncph, capcph;
    uint64_t since_cp, cp_every;
    /* directory members that are not captures */
    size_t skipped;
    char *first_skipped;
};

static struct capset *main_of(const struct capset *s) { return s->main ? s->main : (struct capset *)s; }

/* ------------------------------------------------------------ interfaces */

static uint32_t intern_iface(void *ctx, int dlt, const char *name, uint32_t local, uint32_t snaplen)
{
    struct capset *s = ctx;
    char buf[64];
    if (!name)
        snprintf(buf, sizeof buf, "#%u", local);
    const char *n = name ? name : buf;
    uint32_t gid = CAPFILE_NO_IFACE;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->nifc; i++)
        if (s->ifc[i].dlt == dlt && !strcmp(s->ifc[i].name, n)) {
            gid = (uint32_t)i;
            break;
        }
    if (gid == CAPFILE_NO_IFACE && s->nifc < CAPFILE_MAX_IFACES &&
        array_grow((void **)&s->ifc, &s->capifc, s->nifc, sizeof *s->ifc) == 0) {
        struct capset_iface *e = &s->ifc[s->nifc];
        memset(e, 0, sizeof *e);
        e->dlt = dlt;
        e->snaplen = snaplen;
        snprintf(e->name, sizeof e->name, "%s", n);
        e->named = name != NULL;
        e->isb = (struct capfile_isb){UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
        gid = (uint32_t)s->nifc++;
    }
    pthread_mutex_unlock(&s->lock);
    return gid;
}

static void keep_max(uint64_t *have, uint64_t v)
{
    if (v != UINT64_MAX && (*have == UINT64_MAX || v > *have))
        *have = v; /* cumulative counters: a ring of files repeats them, the largest is the total */
}

static void iface_stats(void *ctx, uint32_t gid, const struct capfile_isb *isb)
{
    struct capset *s = ctx;
    pthread_mutex_lock(&s->lock);
    if (gid < s->nifc) {
        keep_max(&s->ifc[gid].isb.received, isb->received);
        keep_max(&s->ifc[gid].isb.if_dropped, isb->if_dropped);
        keep_max(&s->ifc[gid].isb.os_dropped, isb->os_dropped);
        keep_max(&s->ifc[gid].isb.delivered, isb->delivered);
    }
    pthread_mutex_unlock(&s->lock);
}

size_t capset_ifaces(const struct capset *s)
{
    struct capset *m = main_of(s);
    pthread_mutex_lock(&m->lock);
    size_t n = m->nifc;
    pthread_mutex_unlock(&m->lock);
    return n;
}

int capset_iface(const struct capset *s, uint32_t gid, struct capset_iface *out)
{
    struct capset *m = main_of(s);
    int ok = 0;
    pthread_mutex_lock(&m->lock);
    if (gid < m->nifc) {
        *out = m->ifc[gid];
        ok = 1;
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}

void capset_count_unsupported(struct capset *s, uint32_t gid)
{
    struct capset *m = main_of(s);
    pthread_mutex_lock(&m->lock);
    if (gid < m->nifc)
        m->ifc[gid].unsupported++;
    pthread_mutex_unlock(&m->lock);
}

const char *capset_iface_name(const struct capset *s, uint32_t gid, char *buf, size_t len)
{
    struct capset_iface e;
    if (!capset_iface(s, gid, &e))
        return NULL;
    snprintf(buf, len, "%s", e.name);
    return buf;
}

/* ------------------------------------------------------------ one file */

static void close_file(struct cs_file *cf)
{
    if (!cf->f)
        return;
    cf->rep = *capfile_report(cf->f);
    cf->has_rep = 1;
    cf->read_bytes = capsrc_file_pos(capfile_src(cf->f));
    capfile_close(cf->f);
    cf->f = NULL;
    cf->has_head = 0;
}

static int open_reader(struct capset *s, size_t i, char *err)
{
    struct cs_file *cf = &s->files[i];
    int learn = !s->main;
    cf->f = capfile_open(cf->path, (uint32_t)i, &s->hooks, cf->meta, learn, s->stop, err);
    if (!cf->f)
        return -1;
    capfile_set_pool(cf->f, s->pool, s->hooks.wait_chunk);
    capfile_nowait(cf->f, s->nowait);
    if (!learn && capfile_seek(cf->f, 0, err) < 0) {
        close_file(cf);
        return -1;
    }
    return 0;
}

/* The file's next packet into its head.  Secrets are passed on (those the
 * first look handed out already are not); the end closes the file. */
static enum capfile_result advance(struct capset *s, struct cs_file *cf)
{
    for (;;) {
        enum capfile_result r = capfile_next(cf->f, &cf->head);
        cf->has_head = r == CAPFILE_PACKET;
        if (r == CAPFILE_SECRETS) {
            if (capfile_tell(cf->f) <= cf->probe_end)
                continue;
            s->sec_p = capfile_secrets(cf->f, &s->sec_len);
        } else if (r == CAPFILE_END) {
            cf->done = 1;
            close_file(cf);
        }
        return r;
    }
}

/* The first look at a file: its header, the secrets before its first
 * packet (queued), and that packet. */
static int probe(struct capset *s, size_t i, char *err)
{
    struct cs_file *cf = &s->files[i];
    if (!(cf->meta = calloc(1, sizeof *cf->meta))) {
        snprintf(err, CAPSRC_ERRLEN, "%s: out of memory", cf->path);
        return -1;
    }
    if (open_reader(s, i, err) < 0)
        return -1;
    const struct capsrc *src = capfile_src(cf->f);
    cf->stream = !capsrc_seekable(src);
    cf->size = capsrc_file_size(src);
    capsrc_identity(src, &cf->dev, &cf->ino);
    cf->usec = capfile_usec(cf->f);
    cf->pcapng = cf->meta->nsec && cf->meta->sec[0].pcapng;
    for (;;) {
        enum capfile_result r = capfile_next(cf->f, &cf->head);
        if (r == CAPFILE_SECRETS) {
            size_t len;
            const uint8_t *p = capfile_secrets(cf->f, &len);
            struct secrets q = {NULL, len};
            /* kept until the packets start: bounded, the rest are counted as lost */
            if (s->queued_bytes + len > QUEUE_MAX || !(q.p = malloc(len ? len : 1)) ||
                array_grow((void **)&s->queued, &s->capqueued, s->nqueued, sizeof *s->queued) < 0) {
                free(q.p);
                s->lost_secrets++;
                continue;
            }
            memcpy(q.p, p, len);
            s->queued[s->nqueued++] = q;
            s->queued_bytes += len;
            continue;
        }
        if (r == CAPFILE_STOPPED) {
            snprintf(err, CAPSRC_ERRLEN, "%s: interrupted", cf->path);
            close_file(cf);
            return -1;
        }
        cf->has_head = cf->has_packets = r == CAPFILE_PACKET;
        cf->first_ts = cf->has_head ? cf->head.ts_ns : INT64_MAX;
        cf->probe_end = capfile_tell(cf->f);
        if (!cf->has_head) {
            cf->done = 1;
            close_file(cf);
        }
        return 0;
    }
}

/* Join the merge: open (again) if needed and read the first packet. */
static enum capfile_result activate(struct capset *s, size_t i)
{
    struct cs_file *cf = &s->files[i];
    char err[CAPSRC_ERRLEN];
    cf->activated = 1;
    if (cf->done)
        return CAPFILE_END;
    if (cf->f && cf->has_head)
        return CAPFILE_PACKET;
    if (!cf->f && open_reader(s, i, err) < 0) {
        /* it could be read a moment ago: say why it cannot now, as damage of that file */
        cf->done = 1;
        cf->has_rep = 1;
        cf->rep.fail = 1;
        snprintf(cf->rep.fail_msg, sizeof cf->rep.fail_msg, "%s", err);
        return CAPFILE_END;
    }
    return advance(s, cf);
}

/* ------------------------------------------------------------ opening */

static int add_path(struct capset *s, const char *path, size_t *cap, unsigned char **from_dir, size_t *fdcap,
                    int dir)
{
    char *p = strdup(path);
    if (!p || array_grow((void **)&s->files, cap, s->nfiles, sizeof *s->files) < 0 ||
        array_grow((void **)from_dir, fdcap, s->nfiles, 1) < 0) {
        free(p);
        return -1;
    }
    memset(&s->files[s->nfiles], 0, sizeof *s->files);
    s->files[s->nfiles].path = p;
    (*from_dir)[s->nfiles++] = (unsigned char)dir;
    return 0;
}

static int by_version(const void *a, const void *b) { return strverscmp(*(char *const *)a, *(char *const *)b); }

/* A directory's regular files in name order (tcpdump -C: name, name1, name2, ... name10). */
static int add_dir(struct capset *s, const char *dir, size_t *cap, unsigned char **from_dir, size_t *fdcap,
                   char *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, CAPSRC_ERRLEN, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, ncap = 0;
    int rc = 0;
    struct dirent *e;
    size_t dl = strlen(dir);
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t l = dl + strlen(e->d_name) + 2;
        char *p = malloc(l);
        struct stat st;
        if (!p || array_grow((void **)&names, &ncap, n, sizeof *names) < 0) {
            free(p);
            rc = -1;
            break;
        }
        snprintf(p, l, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", e->d_name);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
            names[n++] = p;
        else
            free(p);
    }
    closedir(d);
    if (rc == 0)
        qsort(names, n, sizeof *names, by_version);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && add_path(s, names[i], cap, from_dir, fdcap, 1) < 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    if (rc < 0)
        snprintf(err, CAPSRC_ERRLEN, "%s: out of memory", dir);
    else if (!n)
        snprintf(err, CAPSRC_ERRLEN, "%s: no capture files in this directory", dir);
    return rc < 0 || !n ? -1 : 0;
}

static int by_first_ts(const void *a, const void *b, void *ctx)
{
    const struct capset *s = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const struct cs_file *x = &s->files[i], *y = &s->files[j];
    if (x->first_ts != y->first_ts)
        return x->first_ts < y->first_ts ? -1 : 1;
    return i < j ? -1 : i > j;
}

static void forget_file(struct cs_file *cf)
{
    close_file(cf);
    free(cf->path);
    capfile_meta_free(cf->meta);
    free(cf->meta);
}

struct capset *capset_open(const char *const *paths, size_t n, const volatile sig_atomic_t *stop, char *err)
{
    struct capset *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, CAPSRC_ERRLEN, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->stop = stop;
    s->pool = 2;
    s->last = NONE;
    s->cp_every = CP_EVERY;
    s->hooks = (struct capfile_hooks){.ctx = s, .iface = intern_iface, .stats = iface_stats};
    size_t cap = 0, fdcap = 0;
    unsigned char *from_dir = NULL; /* members of a directory that are no captures are left out */
    const char *dir_name = NULL;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int rc;
        if (strcmp(paths[i], "-") && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = add_dir(s, paths[i], &cap, &from_dir, &fdcap, err);
            dir_name = paths[i];
        } else if ((rc = add_path(s, paths[i], &cap, &from_dir, &fdcap, 0)) < 0) {
            snprintf(err, CAPSRC_ERRLEN, "out of memory");
        }
        if (rc < 0)
            goto fail;
    }
    if (!s->nfiles) {
        snprintf(err, CAPSRC_ERRLEN, "nothing to read");
        goto fail;
    }
    size_t kept = 0;
    for (size_t i = 0; i < s->nfiles; i++) {
        char perr[CAPSRC_ERRLEN];
        if (probe(s, i, perr) < 0) {
            if (!from_dir[i] || (stop && *stop)) {
                memcpy(err, perr, CAPSRC_ERRLEN);
                for (size_t k = i; k < s->nfiles; k++)
                    forget_file(&s->files[k]);
                s->nfiles = i;
                goto fail;
            }
            if (!s->skipped++)
                s->first_skipped = strdup(s->files[i].path);
            forget_file(&s->files[i]);
            continue;
        }
        if (kept != i) { /* renumber: its packets' offsets carry the number */
            s->files[kept] = s->files[i];
            if (s->files[kept].f)
                capfile_set_index(s->files[kept].f, (uint32_t)kept);
            s->files[kept].head.offset = (int64_t)kept << CAPFILE_POS_BITS | (s->files[kept].head.offset & CAPFILE_POS_MASK);
        }
        kept++;
    }
    s->nfiles = kept;
    if (!kept) {
        snprintf(err, CAPSRC_ERRLEN, "%s: no capture files in this directory", dir_name ? dir_name : paths[0]);
        goto fail;
    }
    free(from_dir);
    from_dir = NULL;
    for (size_t i = 0, open = 0; i < s->nfiles; i++)
        if (s->files[i].f && !s->files[i].stream && ++open > KEEP_OPEN)
            close_file(&s->files[i]);
    s->order = malloc(s->nfiles * sizeof *s->order);
    s->rank = malloc(s->nfiles * sizeof *s->rank);
    if (!s->order || !s->rank) {
        snprintf(err, CAPSRC_ERRLEN, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < s->nfiles; i++)
        s->order[i] = i;
    qsort_r(s->order, s->nfiles, sizeof *s->order, by_first_ts, s);
    for (size_t i = 0; i < s->nfiles; i++)
        s->rank[s->order[i]] = i;
    return s;
fail:
    free(from_dir);
    capset_close(s);
    return NULL;
}

/* ------------------------------------------------------------ the merge */

static void thin_checkpoints(struct capset *s)
{
    size_t k = 0, h = 0;
    for (size_t i = 0; i < s->ncps; i += 2) {
        struct checkpoint c = s->cps[i];
        memmove(&s->cph[h], &s->cph[c.first], c.n * sizeof *s->cph);
        c.first = h;
        h += c.n;
        s->cps[k++] = c;
    }
    s->ncps = k;
    s->ncph = h;
    s->cp_every *= 2;
}

static void checkpoint(struct capset *s)
{
    if (s->main || s->nfiles < 2 || ++s->since_cp < s->cp_every)
        return;
    s->since_cp = 0;
    size_t n = 0;
    for (size_t i = 0; i < s->nfiles; i++)
        n += s->files[i].has_head;
    while (s->ncph + n > s->capcph)
        if (array_grow((void **)&s->cph, &s->capcph, s->capcph, sizeof *s->cph) < 0)
            return;
    if (array_grow((void **)&s->cps, &s->capcps, s->ncps, sizeof *s->cps) < 0)
        return;
    struct checkpoint *c = &s->cps[s->ncps++];
    c->first = s->ncph;
    c->n = (uint32_t)n;
    c->pending = (uint32_t)s->pending;
    for (size_t i = 0; i < s->nfiles; i++)
        if (s->files[i].has_head)
            s->cph[s->ncph++] = (struct cp_head){(uint32_t)i, s->files[i].head.offset & CAPFILE_POS_MASK};
    if (s->ncps > CP_MAX)
        thin_checkpoints(s);
}

/* One file: no merge, the packets straight from its reader. */
static enum capfile_result single_next(struct capset *s, struct capture_pkt *pk)
{
    struct cs_file *cf = &s->files[0];
    enum capfile_result r;
    if (!cf->activated && (r = activate(s, 0)) != CAPFILE_PACKET)
        return r;
    if (cf->has_head) {
        *pk = cf->head;
        cf->has_head = 0;
        s->last_chunk = capfile_chunk(cf->f);
        return CAPFILE_PACKET;
    }
    if (!cf->f)
        return CAPFILE_END;
    for (;;) {
        r = capfile_next(cf->f, pk);
        if (r == CAPFILE_PACKET) {
            s->last_chunk = capfile_chunk(cf->f);
        } else if (r == CAPFILE_SECRETS) {
            if (capfile_tell(cf->f) <= cf->probe_end)
                continue;
            s->sec_p = capfile_secrets(cf->f, &s->sec_len);
        } else if (r == CAPFILE_END) {
            cf->done = 1;
            close_file(cf);
        }
        return r;
    }
}

enum capfile_result capset_next(struct capset *s, struct capture_pkt *pk)
{
    if (s->qhead < s->nqueued) {
        s->sec_p = s->queued[s->qhead].p;
        s->sec_len = s->queued[s->qhead++].len;
        return CAPFILE_SECRETS;
    }
    if (s->nfiles == 1)
        return single_next(s, pk);
    enum capfile_result r;
    if (s->last != NONE && s->last_consumed) {
        r = advance(s, &s->files[s->last]);
        if (r == CAPFILE_SECRETS || r == CAPFILE_STOPPED || r == CAPFILE_AGAIN)
            return r; /* read on from the same file next time */
        s->last_consumed = 0;
    }
    for (;;) {
        size_t best = NONE;
        for (size_t i = 0; i < s->nfiles; i++)
            if (s->files[i].has_head && (best == NONE || s->files[i].head.ts_ns < s->files[best].head.ts_ns))
                best = i;
        if (s->pending < s->nfiles) {
            size_t nx = s->order[s->pending];
            if (best == NONE || s->files[nx].first_ts <= s->files[best].head.ts_ns) {
                s->pending++;
                r = activate(s, nx);
                if (r == CAPFILE_SECRETS || r == CAPFILE_STOPPED || r == CAPFILE_AGAIN) {
                    s->last = nx;
                    s->last_consumed = 1;
                    return r;
                }
                continue;
            }
        }
        if (best == NONE)
            return CAPFILE_END;
        checkpoint(s);
        struct cs_file *cf = &s->files[best];
        *pk = cf->head;
        cf->has_head = 0;
        s->last = best;
        s->last_consumed = 1;
        s->last_chunk = capfile_chunk(cf->f);
        return CAPFILE_PACKET;
    }
}

const uint8_t *capset_secrets(const struct capset *s, size_t *len)
{
    *len = s->sec_len;
    return s->sec_p;
}

struct capchunk *capset_chunk(const struct capset *s) { return s->last_chunk; }

void capset_nowait(struct capset *s, int on)
{
    s->nowait = on;
    for (size_t i = 0; i < s->nfiles; i++)
        if (s->files[i].f)
            capfile_nowait(s->files[i].f, on);
}

int capset_fd(const struct capset *s)
{
    for (size_t i = 0; i < s->nfiles; i++)
        if (s->files[i].f && s->files[i].stream)
            return capsrc_fd(capfile_src(s->files[i].f));
    return -1;
}

static int wait_chunk(void *ctx)
{
    struct capset *s = ctx;
    return s->wait(s->wait_ctx);
}

void capset_set_pool(struct capset *s, int chunks, int (*wait)(void *ctx), void *ctx)
{
    s->pool = chunks;
    s->wait = wait;
    s->wait_ctx = ctx;
    s->hooks.wait_chunk = wait ? wait_chunk : NULL;
    for (size_t i = 0; i < s->nfiles; i++)
        if (s->files[i].f)
            capfile_set_pool(s->files[i].f, chunks, s->hooks.wait_chunk);
}

/* ------------------------------------------------------------ files */

size_t capset_files(const struct capset *s) { return s->nfiles; }
const char *capset_file_name(const struct capset *s, size_t i) { return i < s->nfiles ? s->files[i].path : NULL; }

const struct capfile_report *capset_file_report(const struct capset *s, size_t i)
{
    if (i >= s->nfiles)
        return NULL;
    const struct cs_file *cf = &s->files[i];
    return cf->f ? capfile_report(cf->f) : cf->has_rep ? &cf->rep : NULL;
}

uint64_t capset_lost_secrets(const struct capset *s) { return s->lost_secrets; }

size_t capset_skipped_files(const struct capset *s, const char **first)
{
    *first = s->first_skipped;
    return s->skipped;
}

int capset_usec(const struct capset *s)
{
    for (size_t i = 0; i < s->nfiles; i++)
        if (!s->files[i].usec)
            return 0;
    return 1;
}

int capset_pcapng(const struct capset *s)
{
    for (size_t i = 0; i < s->nfiles; i++)
        if (s->files[i].pcapng)
            return 1;
    return 0;
}

int capset_seekable(const struct capset *s)
{
    for (size_t i = 0; i < s->nfiles; i++)
        if (s->files[i].stream)
            return 0;
    return 1;
}

int capset_holds(const struct capset *s, dev_t dev, ino_t ino)
{
    for (size_t i = 0; i < s->nfiles; i++)
        if (!s->files[i].stream && s->files[i].dev == dev && s->files[i].ino == ino)
            return 1;
    return 0;
}

int64_t capset_position(const struct capset *s)
{
    int64_t p = 0;
    for (size_t i = 0; i < s->nfiles; i++) {
        const struct cs_file *cf = &s->files[i];
        p += cf->f ? capsrc_file_pos(capfile_src(cf->f)) : cf->activated && cf->done ? cf->size : 0;
    }
    return p;
}

int64_t capset_size(const struct capset *s)
{
    int64_t t = 0;
    for (size_t i = 0; i < s->nfiles; i++)
        t += s->files[i].size;
    return t;
}

/* ------------------------------------------------------------ re-readers */

struct capset *capset_reader(struct capset *m, char *err)
{
    if (!capset_seekable(m)) {
        snprintf(err, CAPSRC_ERRLEN, "the input is a stream (standard input or a pipe): its packets cannot be read again");
        return NULL;
    }
    struct capset *r = calloc(1, sizeof *r);
    if (!r || !(r->files = calloc(m->nfiles, sizeof *r->files)) || !(r->order = malloc(m->nfiles * sizeof *r->order)) ||
        !(r->rank = malloc(m->nfiles * sizeof *r->rank))) {
        snprintf(err, CAPSRC_ERRLEN, "out of memory");
        if (r) {
            free(r->files);
            free(r->order);
            free(r);
        }
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    r->main = m;
    r->nfiles = m->nfiles;
    r->pool = 2;
    r->last = NONE;
    r->stop = m->stop;
    for (size_t i = 0; i < m->nfiles; i++) {
        const struct cs_file *mf = &m->files[i];
        struct cs_file *cf = &r->files[i];
        cf->path = mf->path;
        cf->meta = mf->meta;
        cf->first_ts = mf->first_ts;
        cf->has_packets = mf->has_packets;
        cf->probe_end = INT64_MAX; /* a re-reader hands out no secrets */
        cf->done = !mf->has_packets;
        cf->size = mf->size;
    }
    memcpy(r->order, m->order, m->nfiles * sizeof *r->order);
    memcpy(r->rank, m->rank, m->nfiles * sizeof *r->rank);
    return r;
}

static void reset_reader(struct capset *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        struct cs_file *cf = &r->files[i];
        close_file(cf);
        cf->activated = 0;
        cf->done = !cf->has_packets;
    }
    r->pending = 0;
    r->last = NONE;
    r->last_consumed = 0;
}

/* Re-reader: make file i's head the record at pos. */
static int head_at(struct capset *r, size_t i, int64_t pos, char *err)
{
    struct cs_file *cf = &r->files[i];
    if (!cf->f && open_reader(r, i, err) < 0)
        return -1;
    if (capfile_seek(cf->f, pos, err) < 0)
        return -1;
    cf->activated = 1;
    cf->done = 0;
    if (advance(r, cf) != CAPFILE_PACKET) {
        snprintf(err, CAPSRC_ERRLEN, "%s: no packet at offset %lld", cf->path, (long long)pos);
        return -1;
    }
    return 0;
}

int capset_seek(struct capset *r, int64_t offset, char *err)
{
    const struct capset *m = r->main;
    size_t k = (size_t)(offset >> CAPFILE_POS_BITS);
    int64_t pos = offset & CAPFILE_POS_MASK;
    if (!m || offset < 0 || k >= r->nfiles) {
        snprintf(err, CAPSRC_ERRLEN, "cannot go back to offset %lld", (long long)offset);
        return -1;
    }
    reset_reader(r);
    if (r->nfiles == 1) {
        r->pending = 1;
        return head_at(r, 0, pos, err);
    }
    /* the last checkpoint from which the merge reaches the packet: its file had not joined
     * yet, or its next packet was at or before this one */
    size_t c = m->ncps;
    while (c > 0) {
        const struct checkpoint *cp = &m->cps[c - 1];
        int ok = r->rank[k] >= cp->pending;
        for (uint32_t h = 0; !ok && h < cp->n; h++)
            ok = m->cph[cp->first + h].file == k && m->cph[cp->first + h].pos <= pos;
        if (ok)
            break;
        c--;
    }
    if (!c)
        return 0; /* from the start */
    const struct checkpoint *cp = &m->cps[c - 1];
    r->pending = cp->pending;
    for (size_t i = 0; i < cp->pending; i++) {
        r->files[r->order[i]].activated = 1;
        r->files[r->order[i]].done = 1; /* unless it has a next packet below */
    }
    for (uint32_t h = 0; h < cp->n; h++)
        if (head_at(r, m->cph[cp->first + h].file, m->cph[cp->first + h].pos, err) < 0)
            return -1;
    return 0;
}

int capset_read_at(struct capset *r, int64_t offset, struct capture_pkt *pk, char *err)
{
    size_t k = (size_t)(offset >> CAPFILE_POS_BITS);
    if (!r->main || offset < 0 || k >= r->nfiles) {
        snprintf(err, CAPSRC_ERRLEN, "cannot go back to offset %lld", (long long)offset);
        return -1;
    }
    struct cs_file *cf = &r->files[k];
    if (head_at(r, k, offset & CAPFILE_POS_MASK, err) < 0)
        return -1;
    *pk = cf->head;
    cf->has_head = 0;
    if (pk->offset != offset) {
        snprintf(err, CAPSRC_ERRLEN, "%s: no packet at offset %lld", cf->path, (long long)(offset & CAPFILE_POS_MASK));
        return -1;
    }
    return 0;
}

void capset_close(struct capset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfiles; i++) {
        if (s->main)
            close_file(&s->files[i]);
        else
            forget_file(&s->files[i]);
    }
    free(s->files);
    free(s->order);
    free(s->rank);
    if (!s->main) {
        pthread_mutex_destroy(&s->lock);
        free(s->ifc);
        for (size_t i = 0; i < s->nqueued; i++)
            free(s->queued[i].p);
        free(s->queued);
        free(s->cps);
        free(s->cph);
        free(s->first_skipped);
    } else {
        pthread_mutex_destroy(&s->lock);
    }
    free(s);
}
