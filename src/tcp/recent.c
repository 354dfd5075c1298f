/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * recent.c - recently finished connections' 4-tuples and sequence spaces
 * (see recent.h).
 */
#include "recent.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "seq.h"
#include "siphash.h"

#define WAYS 4

struct entry {
    uint64_t hash;           /* 0: empty */
    uint64_t id;
    int64_t until_ns;        /* remembered until then */
    uint8_t addr[2][PKT_ADDR_MAX];
    uint16_t port[2];
    uint8_t ipver;
    uint32_t lo[2], hi[2];   /* each side's sequence space: its ISN .. just past its last byte or FIN */
};

struct recent {
    struct entry *e;
    size_t buckets;          /* a power of two; WAYS entries each */
};

struct recent *recent_new(size_t bytes)
{
    size_t n = 1024;
    while (n * 2 * sizeof(struct entry) <= bytes)
        n *= 2;
    struct recent *rt = calloc(1, sizeof *rt);
    if (!rt)
        return NULL;
    /* mmap, not calloc: pages untouched until a connection lands there cost neither memory nor
     * a memset at start, whatever the allocator's thresholds (hugeheap.c raises them above
     * this table, and calloc then clears it whole) */
    void *m = mmap(NULL, n * sizeof *rt->e, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        free(rt);
        return NULL;
    }
    rt->e = m;
    rt->buckets = n / WAYS;
    return rt;
}

void recent_free(struct recent *rt)
{
    if (rt) {
        munmap(rt->e, rt->buckets * WAYS * sizeof *rt->e);
        free(rt);
    }
}

size_t recent_memory(const struct recent *rt) { return rt ? sizeof *rt + rt->buckets * WAYS * sizeof *rt->e : 0; }

/* The 4-tuple in one order whichever side is first, hashed under the process key. */
static uint64_t tuple_hash(uint8_t ipver, const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp)
{
    size_t alen = ipver == 6 ? 16 : 4;
    int r = memcmp(a, b, alen);
    if (r > 0 || (r == 0 && ap > bp)) {
        const uint8_t *t = a;
        uint16_t tp = ap;
        a = b, ap = bp, b = t, bp = tp;
    }
    uint8_t key[1 + 2 * (PKT_ADDR_MAX + 2)], *k = key;
    *k++ = ipver;
    memcpy(k, a, alen), k += alen;
    *k++ = (uint8_t)(ap >> 8), *k++ = (uint8_t)ap;
    memcpy(k, b, alen), k += alen;
    *k++ = (uint8_t)(bp >> 8), *k++ = (uint8_t)bp;
    return hash_keyed(key, (size_t)(k - key)) | 1; /* 0 marks an empty entry */
}

static struct entry *bucket(const struct recent *rt, uint64_t hash)
{
    return &rt->e[((hash >> 17) & (rt->buckets - 1)) * WAYS];
}

/* The sequence number just past what a side sent: its FIN, else its highest byte. */
static uint32_t space_end(const struct track_side *s)
{
    if (s->fin_seen)
        return s->fin_seq + 1;
    if (s->stream.has_base)
        return s->stream.base_seq + (uint32_t)s->stream.highest;
    return s->isn + 1;
}

void recent_add(struct recent *rt, const struct track *t)
{
    const struct conn *c = t->c;
    if (!rt)
        return;
    uint64_t hash = tuple_hash(c->ipver, c->side[0].addr, c->side[0].port, c->side[1].addr, c->side[1].port);
    struct entry *b = bucket(rt, hash), *slot = &b[0];
    for (int w = 0; w < WAYS; w++) { /* an empty entry, else the one that expires first */
        if (!b[w].hash) {
            slot = &b[w];
            break;
        }
        if (b[w].until_ns < slot->until_ns)
            slot = &b[w];
    }
    memset(slot, 0, sizeof *slot);
    slot->hash = hash;
    slot->id = c->id;
    slot->until_ns = c->last_ts_ns + RECENT_KEEP_NS;
    slot->ipver = c->ipver;
    for (int s = 0; s < 2; s++) {
        memcpy(slot->addr[s], c->side[s].addr, PKT_ADDR_MAX);
        slot->port[s] = c->side[s].port;
        slot->lo[s] = t->side[s].isn;
        slot->hi[s] = space_end(&t->side[s]);
    }
}

/* Is seq within lo .. hi + 1 (a RST or ACK may carry the number just past the FIN)? */
static int within(uint32_t seq, uint32_t lo, uint32_t hi) { return seq - lo <= hi + 1 - lo; }

uint64_t recent_match(const struct recent *rt, const struct pkt *p, int64_t ts_ns)
{
    if (!rt || (p->flags & TH_SYN))
        return 0;
    uint64_t hash = tuple_hash(p->ipver, p->src, p->sport, p->dst, p->dport);
    size_t alen = p->ipver == 6 ? 16 : 4;
    const struct entry *b = bucket(rt, hash);
    for (int w = 0; w < WAYS; w++) {
        const struct entry *e = &b[w];
        if (e->hash != hash || e->ipver != p->ipver || ts_ns > e->until_ns)
            continue;
        for (int s = 0; s < 2; s++) {
            if (e->port[s] != p->sport || e->port[!s] != p->dport || memcmp(e->addr[s], p->src, alen) ||
                memcmp(e->addr[!s], p->dst, alen))
                continue;
            if (!within(p->seq, e->lo[s], e->hi[s]))
                return 0;
            if ((p->flags & TH_ACK) && !within(p->ack, e->lo[!s], e->hi[!s]))
                return 0;
            return e->id;
        }
    }
    return 0;
}
