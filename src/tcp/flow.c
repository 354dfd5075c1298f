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

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
           (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 | (uint64_t)p[6] << 8 | p[7];
}

static uint64_t be32(const uint8_t *p) { return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3]; }

/*
 * The hash of an unordered pair of endpoints: each endpoint made into
 * numbers (address, then port), the smaller pair first, so that both
 * directions hash alike; SipHash-1-3 over those words.  IPv4 takes two
 * words, IPv6 five.
 */
static uint64_t key_hash(const struct sip_key *k, int ipver, const uint8_t *a, uint16_t pa, const uint8_t *b,
                         uint16_t pb)
{
    uint64_t w[5];
    if (ipver == 6) {
        uint64_t ah = be64(a), al = be64(a + 8), bh = be64(b), bl = be64(b + 8);
        int swap = ah != bh ? ah > bh : al != bl ? al > bl : pa > pb;
        if (swap) {
            w[0] = bh, w[1] = bl, w[2] = ah, w[3] = al;
            w[4] = (uint64_t)pb << 16 | pa;
        } else {
            w[0] = ah, w[1] = al, w[2] = bh, w[3] = bl;
            w[4] = (uint64_t)pa << 16 | pb;
        }
        w[4] |= (uint64_t)6 << 32;
        return siphash13_words(k, w, 5);
    }
    uint64_t x = be32(a) << 16 | pa, y = be32(b) << 16 | pb;
    w[0] = x < y ? x : y;
    w[1] = (x < y ? y : x) | (uint64_t)(uint8_t)ipver << 48;
    return siphash13_words(k, w, 2);
}

static uint64_t track_hash(const struct sip_key *k, const struct track *t)
{
    const struct conn *c = t->c;
    return key_hash(k, c->ipver, c->side[0].addr, c->side[0].port, c->side[1].addr, c->side[1].port);
}

uint64_t flow_hash_pkt(const struct flow_table *ft, const struct pkt *p)
{
    return key_hash(&ft->key, p->ipver, p->src, p->sport, p->dst, p->dport);
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

/* Two addresses equal, compared as words (a memcmp of a length known only at run time is a
 * call, on every packet). */
static int addr_eq(const uint8_t *a, const uint8_t *b, int v6)
{
    if (!v6) {
        uint32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return x == y;
    }
    uint64_t x[2], y[2];
    memcpy(x, a, 16);
    memcpy(y, b, 16);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* Which side of t's connection sent p: 0 or 1, or -1 when p is not its. */
static int match(const struct track *t, const struct pkt *p)
{
    const struct conn *c = t->c;
    if (c->ipver != p->ipver)
        return -1;
    int v6 = p->ipver == 6;
    for (int s = 0; s < 2; s++) {
        const struct side *a = &c->side[s], *b = &c->side[!s];
        if (a->port == p->sport && b->port == p->dport && addr_eq(a->addr, p->src, v6) && addr_eq(b->addr, p->dst, v6))
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
        if (c && place(ns, n - 1, same_key ? ft->slots[i].hash : track_hash(key, c), c, &longest) < 0) {
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
    for (int tries = 0; place(ft->slots, ft->mask, track_hash(&ft->key, c), c, &ft->longest) < 0; tries++)
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
    uint64_t h = track_hash(&ft->key, c);
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
