/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flow.c - the flow table (see flow.h).
 *
 * The key is the two endpoints in a canonical order, so both directions of a
 * connection hash alike; every byte of addresses and ports enters the hash.
 * The hash is SipHash-1-3 under a secret key: whoever writes the packets
 * cannot compute which 4-tuples share a slot.  Linear probing keeps a run
 * in one or two cache lines; an insert that would land more than
 * PROBE_BOUND slots from its home means the key is known or the table is
 * unlucky, and the table is rebuilt under a fresh key (doubled if that
 * does not help), so every lookup reads at most PROBE_BOUND + 1 slots.
 * Deletion shifts later entries back (no tombstones), which only moves
 * entries nearer their home, so lookups stay short however many
 * connections come and go.
 */
#include "flow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_SLOTS 4096u
/* At a load of at most 1/2, a random key puts an entry more than 100 slots
 * from home about once in 10^9 inserts (measured: the longest probe of
 * 4 million random 4-tuples into 8 million slots is about 40). */
#define PROBE_BOUND 128u
#define REKEY_TRIES 8

struct slot {
    uint64_t hash;
    struct track *c; /* NULL: empty */
};

struct flow_table {
    struct slot *slots;
    size_t mask;
    size_t count;
    struct sip_key key;
    unsigned longest;
    uint64_t rekeys;
    struct track *head[FLOW_LISTS], *tail[FLOW_LISTS];
};

struct endpoint {
    const uint8_t *addr;
    uint16_t port;
};

static int ep_cmp(struct endpoint a, struct endpoint b, size_t alen)
{
    int r = memcmp(a.addr, b.addr, alen);
    return r ? r : (int)a.port - (int)b.port;
}

static uint64_t key_hash(const struct sip_key *k, int ipver, struct endpoint a, struct endpoint b)
{
    size_t alen = ipver == 6 ? 16 : 4;
    if (ep_cmp(a, b, alen) > 0) {
        struct endpoint t = a;
        a = b;
        b = t;
    }
    uint8_t buf[1 + 2 * (16 + 2)], *p = buf;
    *p++ = (uint8_t)ipver;
    memcpy(p, a.addr, alen);
    p += alen;
    *p++ = (uint8_t)(a.port >> 8);
    *p++ = (uint8_t)a.port;
    memcpy(p, b.addr, alen);
    p += alen;
    *p++ = (uint8_t)(b.port >> 8);
    *p++ = (uint8_t)b.port;
    return siphash13(k, buf, (size_t)(p - buf));
}

static uint64_t conn_hash(const struct sip_key *k, const struct track *t)
{
    const struct conn *c = t->c;
    struct endpoint a = {c->side[0].addr, c->side[0].port}, b = {c->side[1].addr, c->side[1].port};
    return key_hash(k, c->ipver, a, b);
}

uint64_t flow_hash_pkt(const struct flow_table *ft, const struct pkt *p)
{
    struct endpoint a = {p->src, p->sport}, b = {p->dst, p->dport};
    return key_hash(&ft->key, p->ipver, a, b);
}

struct flow_table *flow_new_keyed(const struct sip_key *key)
{
    struct flow_table *ft = calloc(1, sizeof *ft);
    if (!ft)
        return NULL;
    ft->slots = calloc(INITIAL_SLOTS, sizeof *ft->slots);
    if (!ft->slots) {
        free(ft);
        return NULL;
    }
    ft->mask = INITIAL_SLOTS - 1;
    ft->key = *key;
    return ft;
}

struct flow_table *flow_new(void) { return flow_new_keyed(hashkey()); }

void flow_free(struct flow_table *ft)
{
    if (!ft)
        return;
    free(ft->slots);
    free(ft);
}

size_t flow_count(const struct flow_table *ft) { return ft->count; }

size_t flow_memory(const struct flow_table *ft) { return (ft->mask + 1) * sizeof *ft->slots; }

size_t flow_grow_cost(const struct flow_table *ft)
{
    return (ft->count + 1) * 2 > ft->mask + 1 ? 2 * (ft->mask + 1) * sizeof *ft->slots : 0;
}

void flow_health(const struct flow_table *ft, struct flow_health *h)
{
    h->max_probe = PROBE_BOUND;
    h->longest = ft->longest;
    h->rekeys = ft->rekeys;
}

/* Which side of c sent p: 0 or 1, or -1 when p is not c's. */
static int match(const struct track *t, const struct pkt *p)
{
    const struct conn *c = t->c;
    size_t alen = p->ipver == 6 ? 16 : 4;
    if (c->ipver != p->ipver)
        return -1;
    for (int s = 0; s < 2; s++) {
        const struct side *a = &c->side[s], *b = &c->side[!s];
        if (a->port == p->sport && b->port == p->dport && !memcmp(a->addr, p->src, alen) &&
            !memcmp(b->addr, p->dst, alen))
            return s;
    }
    return -1;
}

struct track *flow_lookup(struct flow_table *ft, const struct pkt *p, int *from)
{
    uint64_t h = flow_hash_pkt(ft, p);
    size_t i = h & ft->mask;
    for (unsigned d = 0; d <= PROBE_BOUND; d++, i = (i + 1) & ft->mask) {
        struct slot *s = &ft->slots[i];
        if (!s->c)
            return NULL;
        if (s->hash == h) {
            int m = match(s->c, p);
            if (m >= 0) {
                *from = m;
                return s->c;
            }
        }
    }
    return NULL; /* nothing lies further from its home */
}

/* c into the first free slot from its home; -1 (nothing changed) when that is past the bound. */
static int place(struct slot *slots, size_t mask, uint64_t h, struct track *c, unsigned *longest)
{
    size_t i = h & mask;
    unsigned d = 0;
    while (slots[i].c) {
        if (++d > PROBE_BOUND)
            return -1;
        i = (i + 1) & mask;
    }
    slots[i].hash = h;
    slots[i].c = c;
    if (d > *longest)
        *longest = d;
    return 0;
}

/* Every entry into n slots under `key`: 0, -1 when a run passed the bound
 * (the table is unchanged), -2 when memory ran out. */
static int rebuild(struct flow_table *ft, size_t n, const struct sip_key *key)
{
    int same_key = key->k0 == ft->key.k0 && key->k1 == ft->key.k1;
    struct slot *ns = calloc(n, sizeof *ns);
    if (!ns)
        return -2;
    unsigned longest = 0;
    for (size_t i = 0; i <= ft->mask; i++) {
        struct track *c = ft->slots[i].c;
        if (c && place(ns, n - 1, same_key ? ft->slots[i].hash : conn_hash(key, c), c, &longest) < 0) {
            free(ns);
            return -1;
        }
    }
    free(ft->slots);
    ft->slots = ns;
    ft->mask = n - 1;
    ft->key = *key;
    ft->longest = longest;
    return 0;
}

/* A run grew past the bound: the same entries into n slots under fresh
 * keys until they fit, twice as many slots after a few tries.  0, or -1
 * out of memory. */
static int rekey(struct flow_table *ft, size_t n)
{
    for (int tries = 0; tries < REKEY_TRIES; tries++) {
        if (tries >= 2)
            n *= 2;
        struct sip_key k = sip_key_fresh(++ft->rekeys);
        int r = rebuild(ft, n, &k);
        if (r != -1)
            return r == 0 ? 0 : -1;
    }
    return -1;
}

int flow_insert(struct flow_table *ft, struct track *c)
{
    if ((ft->count + 1) * 2 > ft->mask + 1) {
        size_t n = (ft->mask + 1) * 2;
        int r = rebuild(ft, n, &ft->key);
        if (r == -2 || (r == -1 && rekey(ft, n) < 0))
            return -1;
    }
    for (int tries = 0; place(ft->slots, ft->mask, conn_hash(&ft->key, c), c, &ft->longest) < 0; tries++)
        if (tries >= REKEY_TRIES || rekey(ft, ft->mask + 1) < 0)
            return -1;
    ft->count++;
    c->lru_list = FLOW_LISTS; /* on no list yet */
    return 0;
}

static void unlink_lru(struct flow_table *ft, struct track *c)
{
    if (c->lru_list >= FLOW_LISTS)
        return;
    int l = c->lru_list;
    if (c->lru_prev)
        c->lru_prev->lru_next = c->lru_next;
    else
        ft->head[l] = c->lru_next;
    if (c->lru_next)
        c->lru_next->lru_prev = c->lru_prev;
    else
        ft->tail[l] = c->lru_prev;
    c->lru_prev = c->lru_next = NULL;
    c->lru_list = FLOW_LISTS;
}

void flow_remove(struct flow_table *ft, struct track *c)
{
    uint64_t h = conn_hash(&ft->key, c);
    size_t i = h & ft->mask;
    for (unsigned d = 0; ft->slots[i].c != c; d++) {
        if (!ft->slots[i].c || d >= PROBE_BOUND)
            return; /* not in the table: nor on its lists */
        i = (i + 1) & ft->mask;
    }
    unlink_lru(ft, c);
    /* backward-shift deletion: pull later members of the run into the hole */
    size_t hole = i;
    for (size_t j = (i + 1) & ft->mask; ft->slots[j].c; j = (j + 1) & ft->mask) {
        size_t home = ft->slots[j].hash & ft->mask;
        /* j may move to the hole if its home is not in (hole, j] cyclically */
        int between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!between) {
            ft->slots[hole] = ft->slots[j];
            hole = j;
        }
    }
    ft->slots[hole].c = NULL;
    ft->slots[hole].hash = 0;
    ft->count--;
}

void flow_touch(struct flow_table *ft, struct track *c, enum flow_list l)
{
    if (c->lru_list == l && ft->tail[l] == c)
        return;
    unlink_lru(ft, c);
    c->lru_prev = ft->tail[l];
    c->lru_next = NULL;
    if (ft->tail[l])
        ft->tail[l]->lru_next = c;
    else
        ft->head[l] = c;
    ft->tail[l] = c;
    c->lru_list = (uint8_t)l;
}

struct track *flow_oldest(const struct flow_table *ft, enum flow_list l) { return ft->head[l]; }
