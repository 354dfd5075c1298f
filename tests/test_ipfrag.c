/* SPDX-License-Identifier: BSD-2-Clause */
/* test_ipfrag.c - owns the unit tests of IP fragment reassembly (ipfrag.c): order, interleaving,
 * overlaps (first copy wins), anomalies, the 65535-byte bound, the timeout, the memory budget. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipfrag.h"
#include "unit.h"

#define SEC 1000000000LL

static uint8_t datagram[4096];

static void fill_datagram(void)
{
    for (size_t i = 0; i < sizeof datagram; i++)
        datagram[i] = (uint8_t)(i * 7 + 3);
}

/* A fragment of `datagram` (or of `bytes` when given) as the decoder hands it out. */
static struct pkt_frag frag(uint32_t id, uint32_t off, uint32_t len, int more, const uint8_t *bytes)
{
    struct pkt_frag f;
    memset(&f, 0, sizeof f);
    f.ipver = 4;
    f.proto = 17;
    f.id = id;
    f.offset = off;
    f.len = len;
    f.more = (uint8_t)more;
    f.data = bytes ? bytes : datagram + off;
    f.src[0] = 192, f.src[3] = 1;
    f.dst[0] = 198, f.dst[3] = 2;
    return f;
}

/* Add; on DONE check the bytes against the datagram's first `total`, free them; return the result. */
static enum ipfrag_result add_check(struct ipfrag *r, struct pkt_frag f, int64_t ts, uint32_t total)
{
    struct ipfrag_done d;
    enum ipfrag_result res = ipfrag_add(r, &f, ts, (int64_t)ts, &d);
    if (res == IPFRAG_DONE) {
        CU_ASSERT_EQUAL(d.len, total);
        CU_ASSERT_EQUAL(memcmp(d.data, datagram, total), 0);
        free(d.data);
    }
    return res;
}

static void test_in_any_order(void)
{
    fill_datagram();
    /* four fragments of 800 bytes: every one of the 24 orders completes at the last one */
    static const uint32_t off[4] = {0, 200, 400, 600}, len[4] = {200, 200, 200, 200};
    int perm[4] = {0, 1, 2, 3};
    int count = 0;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            for (int c = 0; c < 4; c++)
                for (int e = 0; e < 4; e++) {
                    if (a == b || a == c || a == e || b == c || b == e || c == e)
                        continue;
                    perm[0] = a, perm[1] = b, perm[2] = c, perm[3] = e;
                    struct ipfrag *r = ipfrag_new(0, 0);
                    for (int k = 0; k < 4; k++) {
                        int i = perm[k];
                        enum ipfrag_result res = add_check(r, frag(9, off[i], len[i], i != 3, NULL), k, 800);
                        CU_ASSERT_EQUAL(res, k == 3 ? IPFRAG_DONE : IPFRAG_HELD);
                    }
                    CU_ASSERT_EQUAL(ipfrag_pending(r), 0);
                    CU_ASSERT_EQUAL(ipfrag_memory(r), 0);
                    CU_ASSERT_EQUAL(ipfrag_stats(r)->reassembled, 1);
                    ipfrag_free(r);
                    count++;
                }
    CU_ASSERT_EQUAL(count, 24);
}

static void test_interleaved(void)
{
    fill_datagram();
    struct ipfrag *r = ipfrag_new(0, 0);
    /* two datagrams with the same id but different destinations, and a third with another id */
    struct pkt_frag a0 = frag(1, 0, 16, 1, NULL), a1 = frag(1, 16, 16, 0, NULL);
    struct pkt_frag b0 = frag(1, 0, 24, 1, NULL), b1 = frag(1, 24, 8, 0, NULL);
    b0.dst[3] = b1.dst[3] = 9;
    struct pkt_frag c0 = frag(2, 0, 8, 1, NULL), c1 = frag(2, 8, 40, 0, NULL);
    CU_ASSERT_EQUAL(add_check(r, a1, 1, 32), IPFRAG_HELD);
    CU_ASSERT_EQUAL(add_check(r, b0, 2, 32), IPFRAG_HELD);
    CU_ASSERT_EQUAL(add_check(r, c1, 3, 48), IPFRAG_HELD);
    CU_ASSERT_EQUAL(ipfrag_pending(r), 3);
    CU_ASSERT_EQUAL(add_check(r, b1, 4, 32), IPFRAG_DONE);
    CU_ASSERT_EQUAL(add_check(r, c0, 5, 48), IPFRAG_DONE);
    CU_ASSERT_EQUAL(add_check(r, a0, 6, 32), IPFRAG_DONE);
    /* the same datagram as IPv6 is another one */
    struct pkt_frag v6 = frag(1, 0, 16, 1, NULL);
    v6.ipver = 6;
    CU_ASSERT_EQUAL(add_check(r, v6, 7, 32), IPFRAG_HELD);
    CU_ASSERT_EQUAL(add_check(r, a1, 8, 32), IPFRAG_HELD);
    CU_ASSERT_EQUAL(ipfrag_pending(r), 2);
    ipfrag_flush(r);
    CU_ASSERT_EQUAL(ipfrag_stats(r)->incomplete, 2);
    CU_ASSERT_EQUAL(ipfrag_memory(r), 0);
    ipfrag_free(r);
}

static void test_overlaps_first_copy_wins(void)
{
    fill_datagram();
    struct ipfrag *r = ipfrag_new(0, 0);
    uint8_t evil[64];
    for (size_t i = 0; i < sizeof evil; i++)
        evil[i] = 0xee;
    struct ipfrag_done d;
    /* [0,32) first, then evil bytes over [16,48), then [48,64) last */
    struct pkt_frag f0 = frag(5, 0, 32, 1, NULL), fe = frag(5, 16, 32, 1, evil), f2 = frag(5, 48, 16, 0, NULL);
    CU_ASSERT_EQUAL(ipfrag_add(r, &f0, 0, 0, &d), IPFRAG_HELD);
    CU_ASSERT_EQUAL(ipfrag_add(r, &fe, 1, 1, &d), IPFRAG_HELD);
    CU_ASSERT_EQUAL(ipfrag_stats(r)->overlaps, 1);
    CU_ASSERT_EQUAL_FATAL(ipfrag_add(r, &f2, 2, 2, &d), IPFRAG_DONE);
    CU_ASSERT_EQUAL(d.len, 64);
    CU_ASSERT_EQUAL(memcmp(d.data, datagram, 32), 0);          /* the first copy */
    CU_ASSERT_EQUAL(memcmp(d.data + 32, evil, 16), 0);          /* only the evil fragment had these */
    CU_ASSERT_EQUAL(memcmp(d.data + 48, datagram + 48, 16), 0);
    CU_ASSERT_EQUAL(d.anomaly, 1);
    free(d.data);

    /* an identical copy (a duplicate frame) is no anomaly */
    struct pkt_frag g0 = frag(6, 0, 32, 1, NULL), g1 = frag(6, 32, 32, 0, NULL);
    CU_ASSERT_EQUAL(ipfrag_add(r, &g0, 3, 3, &d), IPFRAG_HELD);
    CU_ASSERT_EQUAL(ipfrag_add(r, &g0, 4, 4, &d), IPFRAG_HELD);
    CU_ASSERT_EQUAL_FATAL(ipfrag_add(r, &g1, 5, 5, &d), IPFRAG_DONE);
    CU_ASSERT_EQUAL(d.anomaly, 0);
    CU_ASSERT_EQUAL(ipfrag_stats(r)->overlaps, 1);
    free(d.data);

    /* a fragment covering two held ones and the hole between: only the hole is taken */
    struct pkt_frag h0 = frag(7, 0, 8, 1, NULL), h2 = frag(7, 16, 8, 1, NULL), h3 = frag(7, 24, 8, 0, NULL);
    struct pkt_frag hall = frag(7, 0, 32, 1, evil);
    CU_ASSERT_EQUAL(ipfrag_add(r, &h0, 6, 6, &d), IPFRAG_HELD);
    CU_ASSERT_EQUAL(ipfrag_add(r, &h2, 7, 7, &d), IPFRAG_HELD);
    CU_ASSERT_EQUAL(ipfrag_add(r, &h3, 8, 8, &d), IPFRAG_HELD);
    CU_ASSERT_EQUAL_FATAL(ipfrag_add(r, &hall, 9, 9, &d), IPFRAG_DONE);
    CU_ASSERT_EQUAL(memcmp(d.data, datagram, 8), 0);
    CU_ASSERT_EQUAL(memcmp(d.data + 8, evil, 8), 0);
    CU_ASSERT_EQUAL(memcmp(d.data + 16, datagram + 16, 16), 0);
    free(d.data);
    ipfrag_free(r);
}

static void test_anomalies(void)
{
    fill_datagram();
    struct ipfrag *r = ipfrag_new(0, 0);
    /* a tiny first fragment of TCP: counted, still reassembled */
    struct pkt_frag t0 = frag(1, 0, 8, 1, NULL), t1 = frag(1, 8, 40, 0, NULL);
    t0.proto = t1.proto = 6;
    CU_ASSERT_EQUAL(add_check(r, t0, 0, 48), IPFRAG_HELD);
    CU_ASSERT_EQUAL(add_check(r, t1, 1, 48), IPFRAG_DONE);
    CU_ASSERT_EQUAL(ipfrag_stats(r)->tiny, 1);
    /* two different ends: the first stands, bytes past it are dropped */
    struct pkt_frag e0 = frag(2, 0, 16, 1, NULL), e1 = frag(2, 16, 16, 0, NULL), e2 = frag(2, 16, 32, 0, NULL);
    CU_ASSERT_EQUAL(add_check(r, e1, 2, 32), IPFRAG_HELD);
    CU_ASSERT_EQUAL(add_check(r, e2, 3, 32), IPFRAG_HELD);
    CU_ASSERT_EQUAL(ipfrag_stats(r)->overlaps, 1);
    CU_ASSERT_EQUAL(add_check(r, e0, 4, 32), IPFRAG_DONE);
    /* past 65535 bytes: the datagram is given up */
    static const uint8_t sixteen[16];
    struct pkt_frag o0 = frag(3, 0, 16, 1, NULL), o1 = frag(3, 65528, 16, 0, sixteen);
    CU_ASSERT_EQUAL(add_check(r, o0, 5, 0), IPFRAG_HELD);
    CU_ASSERT_EQUAL(add_check(r, o1, 6, 0), IPFRAG_DROPPED);
    CU_ASSERT_EQUAL(ipfrag_stats(r)->oversized, 1);
    CU_ASSERT_EQUAL(ipfrag_pending(r), 0);
    /* a fragment the capture cut short cannot be used */
    struct pkt_frag c = frag(4, 0, 16, 1, NULL);
    c.cut = 1;
    CU_ASSERT_EQUAL(add_check(r, c, 7, 0), IPFRAG_DROPPED);
    CU_ASSERT_EQUAL(ipfrag_stats(r)->cut, 1);
    /* empty fragments are harmless; an empty datagram completes empty */
    struct pkt_frag z = frag(5, 0, 0, 0, NULL);
    z.data = NULL;
    struct ipfrag_done d;
    CU_ASSERT_EQUAL_FATAL(ipfrag_add(r, &z, 8, 8, &d), IPFRAG_HELD);
    CU_ASSERT_EQUAL(ipfrag_pending(r), 1);
    ipfrag_free(r);
}

static void test_timeout_and_offsets(void)
{
    fill_datagram();
    struct ipfrag *r = ipfrag_new(0, 60 * SEC);
    struct pkt_frag a0 = frag(1, 0, 16, 1, NULL), a1 = frag(1, 16, 16, 0, NULL);
    struct ipfrag_done d;
    CU_ASSERT_EQUAL(ipfrag_add(r, &a1, 0, 500, &d), IPFRAG_HELD);
    ipfrag_expire(r, 60 * SEC); /* exactly the timeout: still waiting */
    CU_ASSERT_EQUAL(ipfrag_pending(r), 1);
    ipfrag_expire(r, 60 * SEC + 1);
    CU_ASSERT_EQUAL(ipfrag_pending(r), 0);
    CU_ASSERT_EQUAL(ipfrag_stats(r)->timed_out, 1);
    /* the earliest file offset among the fragments is reported */
    CU_ASSERT_EQUAL(ipfrag_add(r, &a1, 61 * SEC, 900, &d), IPFRAG_HELD);
    CU_ASSERT_EQUAL_FATAL(ipfrag_add(r, &a0, 62 * SEC, 1000, &d), IPFRAG_DONE);
    CU_ASSERT_EQUAL(d.first_offset, 900);
    free(d.data);
    ipfrag_free(r);
}

static void test_budget(void)
{
    fill_datagram();
    /* room for about two datagrams of 2048 bytes: the oldest go first, the budget holds */
    size_t budget = 2 * (2048 + 512);
    struct ipfrag *r = ipfrag_new(budget, 0);
    for (uint32_t id = 1; id <= 20; id++) {
        struct pkt_frag f = frag(id, 0, 1024, 1, NULL);
        struct ipfrag_done d;
        enum ipfrag_result res = ipfrag_add(r, &f, id, id, &d);
        CU_ASSERT_NOT_EQUAL(res, IPFRAG_DONE);
        CU_ASSERT_TRUE(ipfrag_memory(r) <= budget);
    }
    CU_ASSERT_TRUE(ipfrag_stats(r)->evicted >= 18);
    CU_ASSERT_TRUE(ipfrag_pending(r) >= 1 && ipfrag_pending(r) <= 2);
    /* the newest survived: completing it works */
    struct pkt_frag last = frag(20, 1024, 8, 0, NULL);
    struct ipfrag_done d;
    CU_ASSERT_EQUAL_FATAL(ipfrag_add(r, &last, 21, 21, &d), IPFRAG_DONE);
    CU_ASSERT_EQUAL(memcmp(d.data, datagram, 1032), 0);
    free(d.data);
    ipfrag_free(r);

    /* a budget smaller than one datagram: it is dropped, nothing held past the budget */
    r = ipfrag_new(600, 0);
    struct pkt_frag big = frag(1, 0, 1024, 1, NULL);
    CU_ASSERT_EQUAL(ipfrag_add(r, &big, 0, 0, &d), IPFRAG_DROPPED);
    CU_ASSERT_TRUE(ipfrag_memory(r) <= 600);
    ipfrag_free(r);
}

/* Random fragments with random overlapping copies against a byte-by-byte model of "first copy wins". */
static void test_random_against_model(void)
{
    fill_datagram();
    uint32_t x = 777;
    for (int round = 0; round < 300; round++) {
        struct ipfrag *r = ipfrag_new(0, 0);
        uint32_t total = 64 + (uint32_t)(round % 37) * 8;
        uint8_t model[4096];
        uint8_t have[4096];
        memset(have, 0, sizeof have);
        uint8_t copies[40][512];
        int done = 0;
        for (int k = 0; k < 40 && !done; k++) {
            x = x * 1103515245u + 12345u;
            uint32_t a = (x >> 8) % total / 8 * 8;
            x = x * 1103515245u + 12345u;
            uint32_t len = 8 + (x >> 8) % 64;
            if (a + len > total)
                len = total - a;
            int last = a + len == total;
            for (uint32_t i = 0; i < len; i++)
                copies[k][i] = (uint8_t)(k & 1 ? x >> 3 : datagram[a + i]);
            for (uint32_t i = 0; i < len; i++)
                if (!have[a + i]) {
                    have[a + i] = 1;
                    model[a + i] = copies[k][i];
                }
            struct pkt_frag f = frag(1, a, len, !last, copies[k]);
            struct ipfrag_done d;
            enum ipfrag_result res = ipfrag_add(r, &f, k, k, &d);
            int complete = have[total - 1] != 0;
            for (uint32_t i = 0; i < total && complete; i++)
                complete = have[i];
            if (res == IPFRAG_DONE) {
                CU_ASSERT_TRUE(complete);
                CU_ASSERT_EQUAL(d.len, total);
                CU_ASSERT_EQUAL(memcmp(d.data, model, total), 0);
                free(d.data);
                done = 1;
            } else {
                CU_ASSERT_FALSE(complete);
            }
        }
        ipfrag_free(r);
    }
}

int main(void)
{
    static const struct unit_case cases[] = {
        {"fragments in any order", test_in_any_order},
        {"datagrams interleaved, keyed by addresses and version", test_interleaved},
        {"overlaps: the first copy wins", test_overlaps_first_copy_wins},
        {"tiny, two ends, oversized, cut, empty", test_anomalies},
        {"timeout and first offset", test_timeout_and_offsets},
        {"memory budget", test_budget},
        {"random fragments against a model", test_random_against_model},
    };
    static const struct unit_suite suites[] = {{"ipfrag", NULL, NULL, cases, UNIT_COUNT(cases)}};
    return unit_run_suites(suites, UNIT_COUNT(suites));
}
