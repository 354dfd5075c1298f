/*
 * flow.c - the flow table (see flow.h).
 *
 * The key is the two endpoints in a canonical order, so both directions of a
 * connection hash alike; every byte of addresses and ports enters the hash
 * (a hash of low address bits alone goes quadratic on one subnet).
 * Deletion shifts later entries back (no tombstones), so lookups stay short
 * however many connections come and go.
 */
#include "flow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_SLOTS 4096u

struct slot {
    uint64_t hash;
    struct conn *c; /* NULL: empty */
};

struct flow_table {
    struct slot *slots;
    size_t mask;
    size_t count;
    struct conn *head[FLOW_LISTS], *tail[FLOW_LISTS];
};

struct endpoint {
    const uint8_t *addr;
    uint16_t port;
};

static uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

static uint64_t hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix(h, w);
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    return mix(h, w ^ ((uint64_t)n << 56));
}

static int ep_cmp(struct endpoint a, struct endpoint b, size_t alen)
{
    int r = memcmp(a.addr, b.addr, alen);
    return r ? r : (int)a.port - (int)b.port;
}

static uint64_t key_hash(int ipver, struct endpoint a, struct endpoint b)
{
    size_t alen = ipver == 6 ? 16 : 4;
    if (ep_cmp(a, b, alen) > 0) {
        struct endpoint t = a;
        a = b;
        b = t;
    }
    uint64_t h = hash_bytes(0x5f3759df ^ (uint64_t)ipver, a.addr, alen);
    h = hash_bytes(h, b.addr, alen);
    h = mix(h, (uint64_t)a.port << 16 | b.port);
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    return h ^ (h >> 32);
}

static uint64_t conn_hash(const struct conn *c)
{
    struct endpoint a = {c->side[0].addr, c->side[0].port}, b = {c->side[1].addr, c->side[1].port};
    return key_hash(c->ipver, a, b);
}

uint64_t flow_hash_conn(const struct conn *c) { return conn_hash(c); }

uint64_t flow_hash_pkt(const struct pkt *p)
{
    struct endpoint a = {p->src, p->sport}, b = {p->dst, p->dport};
    return key_hash(p->ipver, a, b);
}

struct flow_table *flow_new(void)
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
    return ft;
}

void flow_free(struct flow_table *ft)
{
    if (!ft)
        return;
    free(ft->slots);
    free(ft);
}

size_t flow_count(const struct flow_table *ft) { return ft->count; }

/* Which side of c sent p: 0 or 1, or -1 when p is not c's. */
static int match(const struct conn *c, const struct pkt *p)
{
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

struct conn *flow_lookup(struct flow_table *ft, const struct pkt *p, int *from)
{
    struct endpoint a = {p->src, p->sport}, b = {p->dst, p->dport};
    uint64_t h = key_hash(p->ipver, a, b);
    for (size_t i = h & ft->mask;; i = (i + 1) & ft->mask) {
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
}

static void place(struct slot *slots, size_t mask, uint64_t h, struct conn *c)
{
    size_t i = h & mask;
    while (slots[i].c)
        i = (i + 1) & mask;
    slots[i].hash = h;
    slots[i].c = c;
}

static int grow(struct flow_table *ft)
{
    size_t n = (ft->mask + 1) * 2;
    struct slot *ns = calloc(n, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i <= ft->mask; i++)
        if (ft->slots[i].c)
            place(ns, n - 1, ft->slots[i].hash, ft->slots[i].c);
    free(ft->slots);
    ft->slots = ns;
    ft->mask = n - 1;
    return 0;
}

int flow_insert(struct flow_table *ft, struct conn *c)
{
    if ((ft->count + 1) * 2 > ft->mask + 1 && grow(ft) < 0)
        return -1;
    place(ft->slots, ft->mask, conn_hash(c), c);
    ft->count++;
    c->lru_list = FLOW_LISTS; /* on no list yet */
    return 0;
}

static void unlink_lru(struct flow_table *ft, struct conn *c)
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

void flow_remove(struct flow_table *ft, struct conn *c)
{
    uint64_t h = conn_hash(c);
    size_t i = h & ft->mask;
    while (ft->slots[i].c != c) {
        if (!ft->slots[i].c)
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

void flow_touch(struct flow_table *ft, struct conn *c, enum flow_list l)
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

struct conn *flow_oldest(const struct flow_table *ft, enum flow_list l) { return ft->head[l]; }
