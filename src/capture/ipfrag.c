/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipfrag.c - IP fragment reassembly (see ipfrag.h).
 *
 * Each datagram being reassembled owns one buffer, grown to the highest
 * byte seen, and a sorted list of the byte ranges already filled.  A
 * fragment copies in only the bytes of its range not yet filled, so the
 * first copy of a byte wins; the ranges tell completeness.  Datagrams sit
 * in a hash table for lookup and on a list in order of their first
 * fragment's arrival, for the timeout and for eviction under the budget.
 */
#include "ipfrag.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"

#define NBUCKETS 256
#define MIN_TCP_HEADER 20

struct span {
    uint32_t start, end;
};

struct dgram {
    struct dgram *hnext;           /* hash chain */
    struct dgram *older, *newer;   /* arrival order */
    uint8_t ipver, proto;
    uint8_t anomaly;
    uint16_t bucket;
    uint32_t id;
    uint8_t src[PKT_ADDR_MAX], dst[PKT_ADDR_MAX];
    int64_t first_ts;
    int64_t first_offset;
    uint32_t total;                /* the datagram's length, once its last fragment came; 0 before */
    uint8_t *buf;
    uint32_t cap;
    struct span *spans;
    uint32_t nspans, capspans;
    size_t mem;
};

struct ipfrag {
    struct dgram *bucket[NBUCKETS];
    struct dgram *oldest, *newest;
    size_t pending;
    size_t mem, budget;
    int64_t timeout_ns;
    struct ipfrag_stats st;
};

struct ipfrag *ipfrag_new(size_t budget, int64_t timeout_ns)
{
    struct ipfrag *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->budget = budget ? budget : IPFRAG_DEFAULT_BUDGET;
    r->timeout_ns = timeout_ns > 0 ? timeout_ns : IPFRAG_TIMEOUT_NS;
    return r;
}

static unsigned hash(const struct pkt_frag *f)
{
    size_t alen = f->ipver == 6 ? 16 : 4;
    uint32_t h = f->id * 2654435761u ^ f->proto;
    for (size_t i = 0; i < alen; i++)
        h = (h ^ f->src[i] ^ (uint32_t)f->dst[i] << 8) * 16777619u;
    return (h ^ h >> 15) % NBUCKETS;
}

static int same(const struct dgram *g, const struct pkt_frag *f)
{
    size_t alen = f->ipver == 6 ? 16 : 4;
    return g->ipver == f->ipver && g->id == f->id && g->proto == f->proto && !memcmp(g->src, f->src, alen) &&
           !memcmp(g->dst, f->dst, alen);
}

static void drop(struct ipfrag *r, struct dgram *g)
{
    struct dgram **pp = &r->bucket[g->bucket];
    while (*pp && *pp != g)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = g->hnext;
    if (g->older)
        g->older->newer = g->newer;
    else
        r->oldest = g->newer;
    if (g->newer)
        g->newer->older = g->older;
    else
        r->newest = g->older;
    r->mem -= g->mem;
    r->pending--;
    free(g->buf);
    free(g->spans);
    free(g);
}

void ipfrag_free(struct ipfrag *r)
{
    if (!r)
        return;
    while (r->oldest)
        drop(r, r->oldest);
    free(r);
}

void ipfrag_expire(struct ipfrag *r, int64_t now_ns)
{
    while (r->oldest && now_ns - r->oldest->first_ts > r->timeout_ns) {
        r->st.timed_out++;
        drop(r, r->oldest);
    }
}

void ipfrag_flush(struct ipfrag *r)
{
    while (r->oldest) {
        r->st.incomplete++;
        drop(r, r->oldest);
    }
}

/* Make room for `need` more bytes by giving up the oldest datagrams (never `keep`). */
static int room_for(struct ipfrag *r, size_t need, const struct dgram *keep)
{
    while (r->mem + need > r->budget) {
        struct dgram *g = r->oldest;
        if (g == keep)
            g = g->newer;
        if (!g)
            return -1;
        r->st.evicted++;
        drop(r, g);
    }
    return 0;
}

static void account(struct ipfrag *r, struct dgram *g, size_t now)
{
    r->mem = r->mem - g->mem + now;
    g->mem = now;
}

static size_t dgram_mem(const struct dgram *g)
{
    return sizeof *g + g->cap + (size_t)g->capspans * sizeof *g->spans;
}

static struct dgram *find_or_make(struct ipfrag *r, const struct pkt_frag *f, int64_t ts_ns, int64_t offset)
{
    unsigned b = hash(f);
    for (struct dgram *g = r->bucket[b]; g; g = g->hnext)
        if (same(g, f))
            return g;
    if (room_for(r, sizeof(struct dgram), NULL) < 0)
        return NULL;
    struct dgram *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->ipver = f->ipver;
    g->proto = f->proto;
    g->id = f->id;
    memcpy(g->src, f->src, PKT_ADDR_MAX);
    memcpy(g->dst, f->dst, PKT_ADDR_MAX);
    g->first_ts = ts_ns;
    g->first_offset = offset;
    g->bucket = (uint16_t)b;
    g->hnext = r->bucket[b];
    r->bucket[b] = g;
    g->older = r->newest;
    if (r->newest)
        r->newest->newer = g;
    else
        r->oldest = g;
    r->newest = g;
    r->pending++;
    account(r, g, dgram_mem(g));
    return g;
}

/* Grow the buffer to hold `end` bytes and the span list to hold one more range. */
static int reserve(struct ipfrag *r, struct dgram *g, uint32_t end)
{
    uint32_t cap = g->cap, capspans = g->capspans;
    if (end > cap) {
        cap = cap ? cap : 2048;
        while (cap < end)
            cap *= 2;
        if (cap > IPFRAG_MAX_DATAGRAM)
            cap = IPFRAG_MAX_DATAGRAM;
    }
    if (g->nspans + 1 > capspans)
        capspans = capspans ? capspans * 2 : 8;
    size_t grow = (size_t)(cap - g->cap) + (size_t)(capspans - g->capspans) * sizeof *g->spans;
    if (grow && room_for(r, grow, g) < 0)
        return -1;
    if (cap != g->cap) {
        uint8_t *nb = realloc(g->buf, cap);
        if (!nb)
            return -1;
        g->buf = nb;
        g->cap = cap;
    }
    if (capspans != g->capspans) {
        struct span *ns = realloc(g->spans, capspans * sizeof *ns);
        if (!ns)
            return -1;
        g->spans = ns;
        g->capspans = capspans;
    }
    account(r, g, dgram_mem(g));
    return 0;
}

/* Copy in the bytes of [from, to) no span covers yet; 1 when a covered byte differed. */
static int fill(struct dgram *g, uint32_t from, uint32_t to, const uint8_t *data)
{
    int differs = 0;
    uint32_t at = from;
    struct cursor frag; /* stands at at - from: the fragment's byte for datagram offset `at` */
    cur_init(&frag, data, to - from);
    for (uint32_t i = 0; i < g->nspans && at < to; i++) {
        const struct span *s = &g->spans[i];
        if (s->end <= at)
            continue;
        if (s->start >= to)
            break;
        if (s->start > at) {
            cur_copy(&frag, g->buf + at, s->start - at);
            at = s->start;
        }
        uint32_t hi = s->end < to ? s->end : to;
        const uint8_t *again = cur_take(&frag, hi - at);
        if (again && memcmp(g->buf + at, again, hi - at) != 0)
            differs = 1;
        at = hi;
    }
    if (at < to)
        cur_copy(&frag, g->buf + at, to - at);
    return differs;
}

/* Add [a, b) to the sorted spans, merging what touches it (room for one more was reserved). */
static void add_span(struct dgram *g, uint32_t a, uint32_t b)
{
    uint32_t i = 0;
    while (i < g->nspans && g->spans[i].end < a)
        i++;
    uint32_t j = i;
    while (j < g->nspans && g->spans[j].start <= b) {
        if (g->spans[j].start < a)
            a = g->spans[j].start;
        if (g->spans[j].end > b)
            b = g->spans[j].end;
        j++;
    }
    /* spans i..j-1 merge into one at i */
    if (j == i) {
        memmove(&g->spans[i + 1], &g->spans[i], (g->nspans - i) * sizeof *g->spans);
        g->nspans++;
    } else if (j > i + 1) {
        memmove(&g->spans[i + 1], &g->spans[j], (g->nspans - j) * sizeof *g->spans);
        g->nspans -= j - i - 1;
    }
    g->spans[i].start = a;
    g->spans[i].end = b;
}

enum ipfrag_result ipfrag_add(struct ipfrag *r, const struct pkt_frag *f, int64_t ts_ns, int64_t offset,
                              struct ipfrag_done *out)
{
    if (f->cut) {
        r->st.cut++;
        return IPFRAG_DROPPED;
    }
    uint32_t a = f->offset, b = f->offset + f->len;
    struct dgram *g = find_or_make(r, f, ts_ns, offset);
    if (!g) {
        r->st.evicted++;
        return IPFRAG_DROPPED;
    }
    if (b > IPFRAG_MAX_DATAGRAM || b < a) {
        r->st.oversized++;
        drop(r, g);
        return IPFRAG_DROPPED;
    }
    if (a == 0 && f->more && f->proto == 6 && f->len < MIN_TCP_HEADER) {
        r->st.tiny++;
        g->anomaly = 1;
    }
    int disagrees = 0; /* with what the datagram already holds: counted once per fragment */
    if (!f->more) {
        if (g->total && g->total != b)
            disagrees = 1; /* a second, different end: the first one stands */
        else
            g->total = b;
    }
    if (g->total && b > g->total) { /* bytes past the end the last fragment set */
        disagrees = 1;
        b = g->total > a ? g->total : a;
    }
    if (b > a) {
        if (reserve(r, g, b) < 0) {
            r->st.evicted++;
            drop(r, g);
            return IPFRAG_DROPPED;
        }
        disagrees |= fill(g, a, b, f->data);
        add_span(g, a, b);
    }
    if (disagrees) {
        r->st.overlaps++;
        g->anomaly = 1;
    }
    if (offset >= 0 && (g->first_offset < 0 || offset < g->first_offset))
        g->first_offset = offset;
    if (!g->total || g->nspans != 1 || g->spans[0].start != 0 || g->spans[0].end != g->total)
        return IPFRAG_HELD;

    /* complete: hand the buffer over */
    out->data = g->buf;
    out->len = g->total;
    out->first_offset = g->first_offset;
    out->anomaly = g->anomaly;
    g->buf = NULL;
    g->cap = 0;
    r->st.reassembled++;
    drop(r, g);
    if (!out->data) { /* an empty datagram: nothing was ever allocated */
        out->data = malloc(1);
        if (!out->data)
            return IPFRAG_DROPPED;
    }
    return IPFRAG_DONE;
}

size_t ipfrag_memory(const struct ipfrag *r) { return r->mem; }
size_t ipfrag_pending(const struct ipfrag *r) { return r->pending; }
const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *r) { return &r->st; }
