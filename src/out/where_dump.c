/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * where_dump.c - the selected connections' packets to the -w file (see
 * where_dump.h).
 *
 * Held packets live in a queue in arrival order, their bytes in 1 MiB
 * chunks; each remembers the previous held packet of the same four-tuple
 * slot, so a verdict walks its connection's packets only.  The queue's
 * front goes as soon as no open connection can claim it: everything older
 * than the oldest open connection's first packet.
 */
#include "where_dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "loader.h"

#define CHUNK (1u << 20)
#define SLOTS (1u << 16)
#define NONE UINT64_MAX

struct held {
    uint64_t key;          /* the four-tuple, either direction */
    uint64_t prev;         /* the previous held packet of the same slot (NONE) */
    int64_t ts;
    uint32_t caplen, wirelen;
    int dlt;
    uint32_t iface;
    uint8_t *data;         /* in a chunk */
};

struct chunk {
    uint8_t *buf;
    size_t used;
    uint64_t last;         /* the last packet stored in it */
};

struct opened {
    uint64_t id;
    int64_t first_ts;
    int done;
};

struct where_dump {
    struct capture *cap;   /* writes the file */
    struct capture *reader;/* a file: read again from here */
    size_t budget, mem;
    uint64_t lost;
    /* held packets: seq head .. tail-1 in a ring */
    struct held *q;
    uint64_t head, tail;
    size_t qcap;
    struct chunk *chunks;  /* oldest first */
    size_t nchunks, chunks_cap;
    uint64_t slot[SLOTS];  /* the latest held packet of each slot (NONE) */
    /* open connections, in the order they began */
    struct opened *open;
    size_t open_head, open_n, open_cap;
};

static uint64_t mix(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* The same for both directions: the lower endpoint first. */
static uint64_t tuple_key(int ipver, const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp)
{
    size_t al = ipver == 6 ? 16 : 4;
    int swap = memcmp(a, b, al) > 0 || (!memcmp(a, b, al) && ap > bp);
    const uint8_t *lo = swap ? b : a, *hi = swap ? a : b;
    uint16_t lp = swap ? bp : ap, hp = swap ? ap : bp;
    uint8_t ports[4] = {(uint8_t)(lp >> 8), (uint8_t)lp, (uint8_t)(hp >> 8), (uint8_t)hp};
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)ipver;
    h = mix(h, lo, al);
    h = mix(h, hi, al);
    return mix(h, ports, 4);
}

static uint64_t conn_key(const struct conn *c)
{
    return tuple_key(c->ipver, c->side[0].addr, c->side[0].port, c->side[1].addr, c->side[1].port);
}

struct where_dump *where_dump_new(struct capture *cap, int reread, size_t budget, char *err)
{
    struct where_dump *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, CAPTURE_ERRLEN, "out of memory");
        return NULL;
    }
    d->cap = cap;
    d->budget = budget ? budget : (size_t)64 << 20;
    for (size_t i = 0; i < SLOTS; i++)
        d->slot[i] = NONE;
    if (reread && !(d->reader = capture_reopen(cap, err))) {
        free(d);
        return NULL;
    }
    return d;
}

static struct held *at(const struct where_dump *d, uint64_t seq) { return &d->q[seq % d->qcap]; }

/* Let go of the oldest held packet. */
static void drop_front(struct where_dump *d)
{
    struct held *h = at(d, d->head);
    d->mem -= h->caplen + sizeof *h;
    d->head++;
    while (d->nchunks && d->chunks[0].last < d->head && (d->nchunks > 1 || d->head == d->tail)) {
        d->mem -= CHUNK;
        free(d->chunks[0].buf);
        memmove(d->chunks, d->chunks + 1, --d->nchunks * sizeof *d->chunks);
    }
}

/* The first packet an open connection may still claim: the oldest open one's first. */
static void release(struct where_dump *d, int64_t keep_from)
{
    while (d->open_n && d->open[d->open_head].done) {
        d->open_head = (d->open_head + 1) % d->open_cap;
        d->open_n--;
    }
    int64_t oldest = d->open_n ? d->open[d->open_head].first_ts : keep_from;
    while (d->head < d->tail && at(d, d->head)->ts < oldest)
        drop_front(d);
}

static uint8_t *room(struct where_dump *d, size_t n)
{
    struct chunk *c = d->nchunks ? &d->chunks[d->nchunks - 1] : NULL;
    if (!c || c->used + n > CHUNK) {
        if (d->nchunks == d->chunks_cap) {
            size_t cap = d->chunks_cap ? d->chunks_cap * 2 : 16;
            struct chunk *nc = realloc(d->chunks, cap * sizeof *nc);
            if (!nc)
                return NULL;
            d->chunks = nc;
            d->chunks_cap = cap;
        }
        c = &d->chunks[d->nchunks];
        if (!(c->buf = malloc(n > CHUNK ? n : CHUNK)))
            return NULL;
        c->used = 0;
        d->nchunks++;
        d->mem += CHUNK;
    }
    uint8_t *p = c->buf + c->used;
    c->used += n;
    c->last = d->tail;
    return p;
}

void where_dump_packet(struct where_dump *d, const struct capture_pkt *pk)
{
    if (d->reader)
        return;
    struct pkt p;
    if (decode_packet(pk->dlt, pk->data, pk->caplen, pk->wirelen, &p) != DECODE_OK)
        return; /* not a TCP segment of a connection (IP fragments are not held) */
    release(d, pk->ts_ns);
    while (d->head < d->tail && d->mem + pk->caplen + sizeof(struct held) > d->budget)
        drop_front(d); /* over the budget: the oldest go (their connection's verdict counts them lost) */
    if (d->tail - d->head == d->qcap) {
        size_t cap = d->qcap ? d->qcap * 2 : 4096;
        struct held *q = malloc(cap * sizeof *q);
        if (!q)
            return;
        for (uint64_t s = d->head; s < d->tail; s++)
            q[s % cap] = *at(d, s);
        free(d->q);
        d->q = q;
        d->mem += (cap - d->qcap) * sizeof *q;
        d->qcap = cap;
    }
    uint8_t *data = room(d, pk->caplen);
    if (!data)
        return;
    memcpy(data, pk->data, pk->caplen);
    uint64_t key = tuple_key(p.ipver, p.src, p.sport, p.dst, p.dport);
    struct held *h = at(d, d->tail);
    *h = (struct held){key, d->slot[key % SLOTS], pk->ts_ns, pk->caplen, pk->wirelen, pk->dlt, pk->iface, data};
    d->slot[key % SLOTS] = d->tail;
    d->tail++;
    d->mem += pk->caplen + sizeof *h;
}

void where_dump_opened(struct where_dump *d, const struct conn *c)
{
    if (d->reader)
        return;
    if (d->open_n == d->open_cap) {
        size_t cap = d->open_cap ? d->open_cap * 2 : 256;
        struct opened *o = malloc(cap * sizeof *o);
        if (!o)
            return;
        for (size_t i = 0; i < d->open_n; i++)
            o[i] = d->open[(d->open_head + i) % d->open_cap];
        free(d->open);
        d->open = o;
        d->open_head = 0;
        d->open_cap = cap;
    }
    d->open[(d->open_head + d->open_n++) % d->open_cap] = (struct opened){c->id, c->first_ts_ns, 0};
}

static void mark_done(struct where_dump *d, uint64_t id)
{
    size_t lo = 0, hi = d->open_n; /* ids began in order: bisect */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (d->open[(d->open_head + mid) % d->open_cap].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < d->open_n && d->open[(d->open_head + lo) % d->open_cap].id == id)
        d->open[(d->open_head + lo) % d->open_cap].done = 1;
}

static int write_one(void *ctx, const struct capture_pkt *pk, char *err)
{
    struct where_dump *d = ctx;
    return capture_dump_packet(d->cap, pk, err) < 0;
}

int where_dump_verdict(struct where_dump *d, const struct conn *c, int match, char *err)
{
    if (d->reader) {
        if (!match)
            return 0;
        struct span_target t;
        span_target_of_conn(c, &t);
        long n = spans_read_from(d->reader, &t, 1, write_one, d, err);
        if (n < 0)
            return -1;
        if ((uint64_t)n < c->packets)
            d->lost += c->packets - (uint64_t)n;
        return 0;
    }
    int rc = 0;
    if (match) {
        uint64_t key = conn_key(c), n = 0;
        uint64_t *seqs = NULL;
        size_t ns = 0, cap = 0;
        for (uint64_t s = d->slot[key % SLOTS]; s != NONE && s >= d->head && s < d->tail; s = at(d, s)->prev) {
            const struct held *h = at(d, s);
            if (h->ts < c->first_ts_ns)
                break;
            if (h->key != key || h->ts > c->last_ts_ns)
                continue;
            if (ns == cap) {
                cap = cap ? cap * 2 : 64;
                uint64_t *ns2 = realloc(seqs, cap * sizeof *seqs);
                if (!ns2)
                    break;
                seqs = ns2;
            }
            seqs[ns++] = s;
        }
        for (size_t i = ns; i-- > 0 && rc == 0;) { /* in the order they came */
            const struct held *h = at(d, seqs[i]);
            struct capture_pkt pk = {h->ts, h->caplen, h->wirelen, h->data, -1, h->dlt, h->iface};
            rc = capture_dump_packet(d->cap, &pk, err);
            n++;
        }
        free(seqs);
        if (n < c->packets)
            d->lost += c->packets - n;
    }
    mark_done(d, c->id);
    return rc;
}

uint64_t where_dump_lost(const struct where_dump *d) { return d->lost; }
size_t where_dump_memory(const struct where_dump *d) { return d->mem; }

void where_dump_free(struct where_dump *d)
{
    if (!d)
        return;
    capture_close(d->reader);
    for (size_t i = 0; i < d->nchunks; i++)
        free(d->chunks[i].buf);
    free(d->chunks);
    free(d->q);
    free(d->open);
    free(d);
}
