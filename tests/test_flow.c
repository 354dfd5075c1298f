/* SPDX-License-Identifier: BSD-2-Clause */
/* test_flow.c - owns the unit tests of flow.c (the 4-tuple table: lookup both ways, backward-shift removal, growth,
 * age lists, 4-tuples crafted to collide) and of siphash.c (the published vectors, the process key). */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "decode.h"
#include "flow.h"
#include "unit.h"

/* ---------------------------------------------------------------- helpers */

/* A packet from the client of a made-up connection number `i` (distinct i: distinct 4-tuples). */
static struct pkt client_pkt(int ipver, uint32_t i)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = (uint8_t)ipver;
    if (ipver == 4) {
        /* many clients in one /16 and a few servers: low address bits alone would collide */
        p.src[0] = 10;
        p.src[1] = 1;
        p.src[2] = (uint8_t)(i >> 8);
        p.src[3] = (uint8_t)i;
        p.dst[0] = 192;
        p.dst[1] = 0;
        p.dst[2] = 2;
        p.dst[3] = (uint8_t)(1 + (i >> 16));
    } else {
        p.src[0] = 0x20;
        p.src[1] = 0x01;
        p.src[2] = 0x0d;
        p.src[3] = 0xb8;
        p.src[13] = (uint8_t)(i >> 16);
        p.src[14] = (uint8_t)(i >> 8);
        p.src[15] = (uint8_t)i;
        p.dst[0] = 0x20;
        p.dst[1] = 0x01;
        p.dst[2] = 0x0d;
        p.dst[3] = 0xb8;
        p.dst[15] = 1;
    }
    p.sport = (uint16_t)(32768 + (i % 16));
    p.dport = 443;
    p.flags = TH_SYN;
    return p;
}

static struct pkt reversed(const struct pkt *p)
{
    struct pkt r = *p;
    memcpy(r.src, p->dst, PKT_ADDR_MAX);
    memcpy(r.dst, p->src, PKT_ADDR_MAX);
    r.sport = p->dport;
    r.dport = p->sport;
    return r;
}

/* The flow table holds trackers; each here wraps a fresh record. */
static struct track *tracked(struct conn *c)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    struct track *t = track_new(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static void drop(struct track *t)
{
    if (!t)
        return;
    conn_free(t->c);
    track_free(t);
}

static struct track *mkconn(int ipver, uint32_t i)
{
    struct pkt p = client_pkt(ipver, i);
    return tracked(conn_new(i + 1, &p, 1, 0));
}

/* Connection i is found from both directions, with the right sender side. */
static int found_both_ways(struct flow_table *ft, struct track *c, int ipver, uint32_t i)
{
    struct pkt p = client_pkt(ipver, i), r = reversed(&p);
    int from = -1;
    if (flow_lookup(ft, &p, &from) != c || from != SIDE_CLIENT)
        return 0;
    from = -1;
    if (flow_lookup(ft, &r, &from) != c || from != SIDE_SERVER)
        return 0;
    return 1;
}

static int absent(struct flow_table *ft, int ipver, uint32_t i)
{
    struct pkt p = client_pkt(ipver, i), r = reversed(&p);
    int from = -1;
    return !flow_lookup(ft, &p, &from) && !flow_lookup(ft, &r, &from);
}

static uint32_t rng = 2463534242u;
static uint32_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void shuffle(uint32_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = xorshift() % i;
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* ---------------------------------------------------------------- tests */

static void test_insert_lookup_both_ways(void)
{
    struct flow_table *ft = flow_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
    CU_ASSERT_EQUAL(flow_count(ft), 0);
    struct track *a = mkconn(4, 1), *b = mkconn(4, 2);
    CU_ASSERT_EQUAL(flow_insert(ft, a), 0);
    CU_ASSERT_EQUAL(flow_insert(ft, b), 0);
    CU_ASSERT_EQUAL(flow_count(ft), 2);
    CU_ASSERT_TRUE(found_both_ways(ft, a, 4, 1));
    CU_ASSERT_TRUE(found_both_ways(ft, b, 4, 2));
    CU_ASSERT_TRUE(absent(ft, 4, 3));

    /* same addresses, one port different: another flow */
    struct pkt p = client_pkt(4, 1);
    int from = -1;
    p.dport = 444;
    CU_ASSERT_PTR_NULL(flow_lookup(ft, &p, &from));
    /* the source and destination ports swapped but not the addresses: another flow */
    p = client_pkt(4, 1);
    uint16_t t = p.sport;
    p.sport = p.dport;
    p.dport = t;
    CU_ASSERT_PTR_NULL(flow_lookup(ft, &p, &from));

    flow_remove(ft, a);
    CU_ASSERT_EQUAL(flow_count(ft), 1);
    CU_ASSERT_TRUE(absent(ft, 4, 1));
    CU_ASSERT_TRUE(found_both_ways(ft, b, 4, 2));
    /* removing it again is harmless */
    flow_remove(ft, a);
    CU_ASSERT_EQUAL(flow_count(ft), 1);
    CU_ASSERT_TRUE(found_both_ways(ft, b, 4, 2));
    flow_remove(ft, b);
    CU_ASSERT_EQUAL(flow_count(ft), 0);
    drop(a);
    drop(b);
    flow_free(ft);
}

/* Both directions of a connection whose two endpoints share an address (loopback) or a port. */
static void test_same_address_or_port(void)
{
    struct flow_table *ft = flow_new();
    struct pkt p = client_pkt(4, 5);
    memcpy(p.dst, p.src, 4); /* 10.1.0.5:x -> 10.1.0.5:443 */
    struct track *c = tracked(conn_new(1, &p, 1, 0));
    CU_ASSERT_EQUAL(flow_insert(ft, c), 0);
    struct pkt r = reversed(&p);
    int from = -1;
    CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &p, &from), c);
    CU_ASSERT_EQUAL(from, SIDE_CLIENT);
    CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &r, &from), c);
    CU_ASSERT_EQUAL(from, SIDE_SERVER);

    struct pkt q = client_pkt(4, 6);
    q.dport = q.sport; /* same port both ends */
    struct track *d = tracked(conn_new(2, &q, 1, 0));
    CU_ASSERT_EQUAL(flow_insert(ft, d), 0);
    struct pkt qr = reversed(&q);
    CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &q, &from), d);
    CU_ASSERT_EQUAL(from, SIDE_CLIENT);
    CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &qr, &from), d);
    CU_ASSERT_EQUAL(from, SIDE_SERVER);
    flow_remove(ft, c);
    flow_remove(ft, d);
    drop(c);
    drop(d);
    flow_free(ft);
}

/*
 * Just under the first growth point (half of the initial slots) runs of
 * neighbouring entries are long and some wrap around the end of the array:
 * delete in random order and check after every deletion that every
 * remaining entry is still found (backward-shift deletion keeps runs intact).
 */
static void test_remove_random_order(void)
{
    enum { N = 2000, ROUNDS = 4 };
    static struct track *cs[N];
    static uint32_t order[N];
    static uint8_t gone[N];
    for (uint32_t round = 0; round < ROUNDS; round++) {
        const uint32_t id0 = round * 70001u; /* a different key set each round */
        struct flow_table *ft = flow_new();
        CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
        memset(gone, 0, sizeof gone);
        for (uint32_t i = 0; i < N; i++) {
            cs[i] = mkconn(4, id0 + i);
            CU_ASSERT_EQUAL_FATAL(flow_insert(ft, cs[i]), 0);
            order[i] = i;
        }
        CU_ASSERT_EQUAL(flow_count(ft), N);
        shuffle(order, N);
        int lost = 0, ghosts = 0, counts = 0;
        for (uint32_t k = 0; k < N && !lost && !ghosts; k++) {
            uint32_t v = order[k];
            flow_remove(ft, cs[v]);
            gone[v] = 1;
            if (!absent(ft, 4, id0 + v))
                ghosts++;
            for (uint32_t i = 0; i < N; i++)
                if (!gone[i] && !found_both_ways(ft, cs[i], 4, id0 + i))
                    lost++;
            if (flow_count(ft) != N - k - 1)
                counts++;
        }
        CU_ASSERT_EQUAL(lost, 0);
        CU_ASSERT_EQUAL(ghosts, 0);
        CU_ASSERT_EQUAL(counts, 0);
        CU_ASSERT_EQUAL(flow_count(ft), 0);
        for (uint32_t i = 0; i < N; i++)
            drop(cs[i]);
        flow_free(ft);
    }
}

/* Connections come and go for a long time at a steady load: nothing is lost, nothing lingers. */
static void test_churn(void)
{
    enum { LIVE = 1500, ROUNDS = 30000 };
    struct flow_table *ft = flow_new();
    static struct track *live[LIVE];
    static uint32_t ids[LIVE];
    uint32_t next = 0;
    for (int i = 0; i < LIVE; i++) {
        ids[i] = next++;
        live[i] = mkconn(6, ids[i]);
        CU_ASSERT_EQUAL_FATAL(flow_insert(ft, live[i]), 0);
    }
    int bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        int k = (int)(xorshift() % LIVE);
        flow_remove(ft, live[k]);
        if (!absent(ft, 6, ids[k]))
            bad++;
        drop(live[k]);
        ids[k] = next++;
        live[k] = mkconn(6, ids[k]);
        if (flow_insert(ft, live[k]) != 0)
            bad++;
        if (r % 1000 == 0)
            for (int i = 0; i < LIVE; i++)
                if (!found_both_ways(ft, live[i], 6, ids[i]))
                    bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(flow_count(ft), LIVE);
    for (int i = 0; i < LIVE; i++) {
        CU_ASSERT_TRUE(found_both_ways(ft, live[i], 6, ids[i]));
        flow_remove(ft, live[i]);
        drop(live[i]);
    }
    CU_ASSERT_EQUAL(flow_count(ft), 0);
    flow_free(ft);
}

static void test_grow(void)
{
    enum { N = 100000 };
    struct flow_table *ft = flow_new();
    struct track **cs = calloc(N, sizeof *cs);
    uint32_t *order = calloc(N, sizeof *order);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(order);
    for (uint32_t i = 0; i < N; i++) {
        cs[i] = mkconn(4, i);
        CU_ASSERT_EQUAL_FATAL(flow_insert(ft, cs[i]), 0);
        order[i] = i;
    }
    CU_ASSERT_EQUAL(flow_count(ft), N);
    int missing = 0;
    for (uint32_t i = 0; i < N; i++)
        if (!found_both_ways(ft, cs[i], 4, i))
            missing++;
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT_TRUE(absent(ft, 4, N + 5));
    /* remove in random order; check the rest every so often */
    shuffle(order, N);
    missing = 0;
    for (uint32_t k = 0; k < N; k++) {
        flow_remove(ft, cs[order[k]]);
        if (k % 20000 == 19999)
            for (uint32_t j = k + 1; j < N; j++)
                if (!found_both_ways(ft, cs[order[j]], 4, order[j]))
                    missing++;
    }
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT_EQUAL(flow_count(ft), 0);
    for (uint32_t i = 0; i < N; i++)
        drop(cs[i]);
    free(cs);
    free(order);
    flow_free(ft);
}

static void test_ipv4_vs_ipv6(void)
{
    struct flow_table *ft = flow_new();
    /* an IPv6 connection whose address bytes begin like the IPv4 one's, same ports */
    struct pkt p4 = client_pkt(4, 9);
    struct pkt p6 = p4;
    p6.ipver = 6;
    struct track *c4 = tracked(conn_new(1, &p4, 1, 0)), *c6 = tracked(conn_new(2, &p6, 1, 0));
    CU_ASSERT_EQUAL(flow_insert(ft, c4), 0);
    int from = -1;
    CU_ASSERT_PTR_NULL(flow_lookup(ft, &p6, &from)); /* the v4 flow does not answer a v6 packet */
    CU_ASSERT_EQUAL(flow_insert(ft, c6), 0);
    CU_ASSERT_EQUAL(flow_count(ft), 2);
    CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &p4, &from), c4);
    CU_ASSERT_EQUAL(from, SIDE_CLIENT);
    CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &p6, &from), c6);
    CU_ASSERT_EQUAL(from, SIDE_CLIENT);
    struct pkt r4 = reversed(&p4), r6 = reversed(&p6);
    CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &r4, &from), c4);
    CU_ASSERT_EQUAL(from, SIDE_SERVER);
    CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &r6, &from), c6);
    CU_ASSERT_EQUAL(from, SIDE_SERVER);
    flow_remove(ft, c4);
    CU_ASSERT_PTR_NULL(flow_lookup(ft, &p4, &from));
    CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &p6, &from), c6);
    flow_remove(ft, c6);
    CU_ASSERT_PTR_NULL(flow_lookup(ft, &p6, &from));
    drop(c4);
    drop(c6);

    /* many of each, interleaved */
    enum { N = 3000 };
    static struct track *a[N], *b[N];
    for (uint32_t i = 0; i < N; i++) {
        a[i] = mkconn(4, i);
        struct pkt q = client_pkt(4, i);
        q.ipver = 6;
        b[i] = tracked(conn_new(i, &q, 1, 0));
        CU_ASSERT_EQUAL_FATAL(flow_insert(ft, a[i]), 0);
        CU_ASSERT_EQUAL_FATAL(flow_insert(ft, b[i]), 0);
    }
    int wrong = 0;
    for (uint32_t i = 0; i < N; i++) {
        struct pkt q = client_pkt(4, i);
        if (flow_lookup(ft, &q, &from) != a[i])
            wrong++;
        q.ipver = 6;
        if (flow_lookup(ft, &q, &from) != b[i])
            wrong++;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    for (uint32_t i = 0; i < N; i++) {
        flow_remove(ft, a[i]);
        flow_remove(ft, b[i]);
        drop(a[i]);
        drop(b[i]);
    }
    CU_ASSERT_EQUAL(flow_count(ft), 0);
    flow_free(ft);
}

/* Walk list l from the oldest; compare with the expected conns. */
static int list_is(struct flow_table *ft, enum flow_list l, struct track *const *want, int n)
{
    struct track *c = flow_oldest(ft, l);
    struct track *prev = NULL;
    for (int i = 0; i < n; i++) {
        if (c != want[i] || c->lru_prev != prev || c->lru_list != l)
            return 0;
        prev = c;
        c = c->lru_next;
    }
    return c == NULL;
}

static void test_lru(void)
{
    struct flow_table *ft = flow_new();
    struct track *c[5];
    for (int i = 0; i < 5; i++) {
        c[i] = mkconn(4, (uint32_t)i);
        CU_ASSERT_EQUAL(flow_insert(ft, c[i]), 0);
    }
    CU_ASSERT_PTR_NULL(flow_oldest(ft, FLOW_ACTIVE));
    CU_ASSERT_PTR_NULL(flow_oldest(ft, FLOW_CLOSING));

    for (int i = 0; i < 5; i++)
        flow_touch(ft, c[i], FLOW_ACTIVE);
    {
        struct track *w[] = {c[0], c[1], c[2], c[3], c[4]};
        CU_ASSERT_TRUE(list_is(ft, FLOW_ACTIVE, w, 5));
    }
    /* touching the oldest makes it the youngest */
    flow_touch(ft, c[0], FLOW_ACTIVE);
    CU_ASSERT_PTR_EQUAL(flow_oldest(ft, FLOW_ACTIVE), c[1]);
    /* touching the youngest changes nothing */
    flow_touch(ft, c[0], FLOW_ACTIVE);
    /* touching one in the middle */
    flow_touch(ft, c[2], FLOW_ACTIVE);
    {
        struct track *w[] = {c[1], c[3], c[4], c[0], c[2]};
        CU_ASSERT_TRUE(list_is(ft, FLOW_ACTIVE, w, 5));
    }
    /* moving to the closing list */
    flow_touch(ft, c[3], FLOW_CLOSING);
    flow_touch(ft, c[1], FLOW_CLOSING);
    {
        struct track *wa[] = {c[4], c[0], c[2]};
        struct track *wc[] = {c[3], c[1]};
        CU_ASSERT_TRUE(list_is(ft, FLOW_ACTIVE, wa, 3));
        CU_ASSERT_TRUE(list_is(ft, FLOW_CLOSING, wc, 2));
    }
    /* touching on the closing list keeps it there, youngest */
    flow_touch(ft, c[3], FLOW_CLOSING);
    {
        struct track *wc[] = {c[1], c[3]};
        CU_ASSERT_TRUE(list_is(ft, FLOW_CLOSING, wc, 2));
    }
    /* removal unlinks: oldest, middle, youngest */
    flow_remove(ft, c[4]);
    flow_remove(ft, c[1]);
    {
        struct track *wa[] = {c[0], c[2]};
        struct track *wc[] = {c[3]};
        CU_ASSERT_TRUE(list_is(ft, FLOW_ACTIVE, wa, 2));
        CU_ASSERT_TRUE(list_is(ft, FLOW_CLOSING, wc, 1));
    }
    flow_remove(ft, c[2]);
    {
        struct track *wa[] = {c[0]};
        CU_ASSERT_TRUE(list_is(ft, FLOW_ACTIVE, wa, 1));
    }
    flow_remove(ft, c[3]);
    CU_ASSERT_PTR_NULL(flow_oldest(ft, FLOW_CLOSING));
    flow_remove(ft, c[0]);
    CU_ASSERT_PTR_NULL(flow_oldest(ft, FLOW_ACTIVE));
    CU_ASSERT_EQUAL(flow_count(ft), 0);
    /* a connection removed from the table is on no list */
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_PTR_NULL(c[i]->lru_prev);
        CU_ASSERT_PTR_NULL(c[i]->lru_next);
        drop(c[i]);
    }
    flow_free(ft);
}

/* Pop the oldest repeatedly, as the pipeline's expiry does. */
static void test_lru_pop_oldest(void)
{
    enum { N = 200 };
    struct flow_table *ft = flow_new();
    static struct track *c[N];
    for (uint32_t i = 0; i < N; i++) {
        c[i] = mkconn(4, i);
        flow_insert(ft, c[i]);
        flow_touch(ft, c[i], (i % 3) ? FLOW_ACTIVE : FLOW_CLOSING);
    }
    /* touch the even active ones again: they become the youngest, in order */
    for (uint32_t i = 0; i < N; i++)
        if ((i % 3) && !(i % 2))
            flow_touch(ft, c[i], FLOW_ACTIVE);
    uint32_t expect[N];
    int n = 0;
    for (uint32_t i = 0; i < N; i++)
        if ((i % 3) && (i % 2))
            expect[n++] = i;
    for (uint32_t i = 0; i < N; i++)
        if ((i % 3) && !(i % 2))
            expect[n++] = i;
    int wrong = 0;
    for (int k = 0; k < n; k++) {
        struct track *o = flow_oldest(ft, FLOW_ACTIVE);
        if (o != c[expect[k]])
            wrong++;
        if (!o)
            break;
        flow_remove(ft, o);
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_PTR_NULL(flow_oldest(ft, FLOW_ACTIVE));
    wrong = 0;
    for (uint32_t i = 0; i < N; i += 3) {
        struct track *o = flow_oldest(ft, FLOW_CLOSING);
        if (o != c[i])
            wrong++;
        if (!o)
            break;
        flow_remove(ft, o);
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(flow_count(ft), 0);
    for (uint32_t i = 0; i < N; i++)
        drop(c[i]);
    flow_free(ft);
}

/*
 * flow_remove tolerates a connection that is not in the table (it returns
 * when the probe finds none); that must hold for the age lists as well: a
 * fresh connection from conn_new, never inserted, must not disturb them.
 */
static void test_remove_never_inserted(void)
{
    struct flow_table *ft = flow_new();
    struct track *a = mkconn(4, 1), *b = mkconn(4, 2), *stranger = mkconn(4, 3);
    flow_insert(ft, a);
    flow_insert(ft, b);
    flow_touch(ft, a, FLOW_ACTIVE);
    flow_touch(ft, b, FLOW_ACTIVE);
    flow_remove(ft, stranger);
    CU_ASSERT_EQUAL(flow_count(ft), 2);
    struct track *w[] = {a, b};
    CU_ASSERT_TRUE(list_is(ft, FLOW_ACTIVE, w, 2));
    CU_ASSERT_PTR_EQUAL(flow_oldest(ft, FLOW_ACTIVE), a);
    flow_remove(ft, a);
    flow_remove(ft, b);
    drop(a);
    drop(b);
    drop(stranger);
    flow_free(ft);
}

/* ---------------------------------------------------------------- keyed hash */

/* SipHash-2-4 of 00 01 02 .. (len-1) under the key 00 01 .. 0f: the
 * reference implementation's vectors (Aumasson and Bernstein, vectors.h). */
static void test_siphash24_vectors(void)
{
    static const struct {
        size_t len;
        uint64_t want;
    } v[] = {
        {0, 0x726fdb47dd0e0e31ULL},  {1, 0x74f839c593dc67fdULL},  {7, 0xab0200f58b01d137ULL},
        {8, 0x93f5f5799a932462ULL},  {9, 0x9e0082df0ba9e4b0ULL},  {15, 0xa129ca6149be45e5ULL},
        {16, 0x3f2acc7f57c29bdbULL}, {31, 0x32d892fad841c342ULL}, {63, 0x958a324ceb064572ULL},
    };
    uint8_t kb[16], msg[64];
    for (int i = 0; i < 16; i++)
        kb[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    struct sip_key k = sip_key_from_bytes(kb);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        CU_ASSERT_EQUAL(siphash24(&k, msg, v[i].len), v[i].want);
}

/* SipHash-1-3 is the same machine with fewer rounds: it differs from 2-4,
 * depends on every key and message byte, and on the length alone. */
/* The word form is SipHash-1-3 of the words' little-endian bytes: the same function, fewer steps. */
static void test_siphash13_words(void)
{
    uint8_t kb[16], bytes[40];
    for (int i = 0; i < 16; i++)
        kb[i] = (uint8_t)(i * 7 + 1);
    struct sip_key k = sip_key_from_bytes(kb);
    uint64_t w[5];
    for (int i = 0; i < 5; i++) {
        w[i] = 0x0123456789abcdefULL * (uint64_t)(i + 3);
        for (int b = 0; b < 8; b++)
            bytes[i * 8 + b] = (uint8_t)(w[i] >> (8 * b));
    }
    for (size_t n = 0; n <= 5; n++)
        CU_ASSERT_EQUAL(siphash13_words(&k, w, n), siphash13(&k, bytes, n * 8));
}

static void test_siphash13(void)
{
    uint8_t kb[16], msg[64];
    for (int i = 0; i < 16; i++)
        kb[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    struct sip_key k = sip_key_from_bytes(kb);
    uint64_t h = siphash13(&k, msg, 37);
    CU_ASSERT_NOT_EQUAL(h, siphash24(&k, msg, 37));
    CU_ASSERT_EQUAL(h, siphash13(&k, msg, 37));
    int same = 0;
    for (int i = 0; i < 37; i++) {
        msg[i] ^= 1;
        same += siphash13(&k, msg, 37) == h;
        msg[i] ^= 1;
    }
    for (int i = 0; i < 16; i++) {
        kb[i] ^= 0x80;
        struct sip_key k2 = sip_key_from_bytes(kb);
        same += siphash13(&k2, msg, 37) == h;
        kb[i] ^= 0x80;
    }
    uint8_t zeros[9] = {0};
    same += siphash13(&k, zeros, 8) == siphash13(&k, zeros, 9);
    CU_ASSERT_EQUAL(same, 0);
}

/* The process key comes from SYNFIN_HASH_KEY when set (see main: this binary runs with it). */
static void test_process_key_from_env(void)
{
    char err[160] = "";
    CU_ASSERT_EQUAL(hashkey_init(err, sizeof err), 0);
    CU_ASSERT_TRUE(hashkey_fixed());
    uint8_t kb[16];
    for (int i = 0; i < 16; i++)
        kb[i] = (uint8_t)(0xf0 + i);
    struct sip_key want = sip_key_from_bytes(kb);
    CU_ASSERT_EQUAL(hashkey()->k0, want.k0);
    CU_ASSERT_EQUAL(hashkey()->k1, want.k1);
    CU_ASSERT_EQUAL(hash_keyed("synfin", 6), siphash13(&want, "synfin", 6));
    /* a fresh key derived from a fixed one is the same on every run, and another key */
    struct sip_key a = sip_key_fresh(1), b = sip_key_fresh(1), c = sip_key_fresh(2);
    CU_ASSERT_TRUE(a.k0 == b.k0 && a.k1 == b.k1);
    CU_ASSERT_FALSE(a.k0 == c.k0 && a.k1 == c.k1);
    CU_ASSERT_FALSE(a.k0 == want.k0 && a.k1 == want.k1);
}

/*
 * An attacker who knows the key (here: the test does) crafts IPv6 client
 * addresses whose hashes share their low 12 bits, so that all of them
 * start at one slot of the first table.  Without a bound every insert and
 * lookup would walk the whole cluster (N^2/2 probes); with it, the table
 * notices the run past the bound, rebuilds under a fresh key, and every
 * entry lies within the bound of its home again.
 */
static void test_crafted_collisions(void)
{
    enum { N = 600 };
    uint8_t kb[16];
    for (int i = 0; i < 16; i++)
        kb[i] = (uint8_t)(0x11 * i);
    struct sip_key key = sip_key_from_bytes(kb);
    struct flow_table *ft = flow_new_keyed(&key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
    static struct pkt crafted[N];
    uint64_t target = 0;
    int n = 0;
    for (uint32_t i = 0; n < N && i < 50000000u; i++) {
        struct pkt p = client_pkt(6, i);
        p.src[8] = (uint8_t)(i >> 24); /* room for more than 2^24 candidates */
        uint64_t h = flow_hash_pkt(ft, &p) & 0xfff;
        if (n == 0)
            target = h;
        if (h == target)
            crafted[n++] = p;
    }
    CU_ASSERT_EQUAL_FATAL(n, N);
    static struct track *cs[N];
    for (int i = 0; i < N; i++) {
        cs[i] = tracked(conn_new((uint64_t)i + 1, &crafted[i], 1, 0));
        CU_ASSERT_PTR_NOT_NULL_FATAL(cs[i]);
        CU_ASSERT_EQUAL_FATAL(flow_insert(ft, cs[i]), 0);
    }
    struct flow_health fh;
    flow_health(ft, &fh);
    CU_ASSERT_TRUE(fh.rekeys >= 1);              /* the cluster was noticed */
    CU_ASSERT_TRUE(fh.longest <= fh.max_probe);  /* and no run is past the bound */
    CU_ASSERT_TRUE(fh.longest < 64);             /* under a key the crafter did not know: a random spread */
    int bad = 0;
    for (int i = 0; i < N; i++) {
        int from = -1;
        struct pkt r = reversed(&crafted[i]);
        if (flow_lookup(ft, &crafted[i], &from) != cs[i] || from != SIDE_CLIENT)
            bad++;
        if (flow_lookup(ft, &r, &from) != cs[i] || from != SIDE_SERVER)
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    for (int i = 0; i < N; i++) {
        flow_remove(ft, cs[i]);
        drop(cs[i]);
    }
    CU_ASSERT_EQUAL(flow_count(ft), 0);
    flow_free(ft);
}

/* Random 4-tuples never come near the bound: no rebuild under a new key. */
static void test_random_no_rekey(void)
{
    enum { N = 300000 };
    struct flow_table *ft = flow_new();
    struct track **cs = calloc(N, sizeof *cs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cs);
    for (uint32_t i = 0; i < N; i++) {
        cs[i] = mkconn(6, i);
        CU_ASSERT_EQUAL_FATAL(flow_insert(ft, cs[i]), 0);
    }
    struct flow_health fh;
    flow_health(ft, &fh);
    CU_ASSERT_EQUAL(fh.rekeys, 0);
    CU_ASSERT_TRUE(fh.longest < fh.max_probe / 2);
    CU_ASSERT_TRUE(flow_memory(ft) >= N * 2 * 16);
    for (uint32_t i = 0; i < N; i++) {
        flow_remove(ft, cs[i]);
        drop(cs[i]);
    }
    free(cs);
    flow_free(ft);
}

int main(void)
{
    /* a fixed process key, as a reproducible run sets it */
    setenv("SYNFIN_HASH_KEY", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 1);
    static const struct unit_case tests[] = {
        {"insert, lookup both ways, remove", test_insert_lookup_both_ways},
        {"same address or same port at both ends", test_same_address_or_port},
        {"remove in random order keeps the rest findable", test_remove_random_order},
        {"churn at steady load", test_churn},
        {"grow past 100000", test_grow},
        {"IPv4 vs IPv6 with the same ports", test_ipv4_vs_ipv6},
        {"age lists: touch, oldest, move, remove", test_lru},
        {"age lists: popping the oldest", test_lru_pop_oldest},
        {"removing a connection never inserted", test_remove_never_inserted},
        {"SipHash-2-4: the published vectors", test_siphash24_vectors},
        {"SipHash-1-3: every byte counts", test_siphash13},
        {"SipHash-1-3 of words is of their bytes", test_siphash13_words},
        {"the process key from SYNFIN_HASH_KEY", test_process_key_from_env},
        {"4-tuples crafted to collide under a known key", test_crafted_collisions},
        {"random 4-tuples: no rebuild", test_random_no_rekey},
    };
    return unit_run("flow table", NULL, NULL, tests, UNIT_COUNT(tests));
}
