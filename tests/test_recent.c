/* SPDX-License-Identifier: BSD-2-Clause */
/* test_recent.c - owns the unit tests of recent.c (finished connections' 4-tuples and sequence spaces, for late packets). */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <string.h>

#include "conn.h"
#include "decode.h"
#include "recent.h"
#include "unit.h"

#define SEC 1000000000LL
#define CISN 1000u
#define SISN 0xfffffff0u /* the server's space wraps around 2^32 */

static struct pkt pkt(int from_client, uint16_t cport, uint8_t flags, uint32_t seq, uint32_t ack)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = 4;
    static const uint8_t cl[4] = {192, 0, 2, 10}, sv[4] = {198, 51, 100, 20};
    memcpy(p.src, from_client ? cl : sv, 4);
    memcpy(p.dst, from_client ? sv : cl, 4);
    p.sport = from_client ? cport : 80;
    p.dport = from_client ? 80 : cport;
    p.flags = flags;
    p.seq = seq;
    p.ack = ack;
    return p;
}

/* A finished connection: the client sent 100 bytes and a FIN, the server 50 bytes and a FIN. */
static struct track *finished(uint16_t cport, uint64_t id, int64_t last_ts)
{
    struct pkt syn = pkt(1, cport, TH_SYN, CISN, 0);
    struct conn *c = conn_new(id, &syn, 1, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    struct track *t = track_new(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    c->last_ts_ns = last_ts;
    struct track_side *cl = &t->side[SIDE_CLIENT], *sv = &t->side[SIDE_SERVER];
    cl->isn = CISN;
    sv->isn = SISN;
    stream_set_base(&cl->stream, CISN + 1);
    stream_set_base(&sv->stream, SISN + 1);
    cl->stream.highest = 100;
    sv->stream.highest = 50;
    cl->fin_seen = sv->fin_seen = 1;
    cl->fin_seq = CISN + 101;
    sv->fin_seq = SISN + 51;
    return t;
}

static void drop(struct track *t)
{
    conn_free(t->c);
    track_free(t);
}

static void test_late_packets(void)
{
    struct recent *rt = recent_new(64 * 1024);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
    CU_ASSERT(recent_memory(rt) >= 1024 * 4);
    struct track *c = finished(40000, 7, 10 * SEC);
    recent_add(rt, c);

    /* the server's FIN again, 13 s later: late, from connection 7 */
    struct pkt fin = pkt(0, 40000, TH_FIN | TH_ACK, SISN + 51, CISN + 102);
    CU_ASSERT_EQUAL(recent_match(rt, &fin, 23 * SEC), 7);
    /* a RST from the server with the number just past its FIN */
    struct pkt rst = pkt(0, 40000, TH_RST, SISN + 52, 0);
    CU_ASSERT_EQUAL(recent_match(rt, &rst, 26 * SEC), 7);
    /* the client's last ACK again */
    struct pkt ack = pkt(1, 40000, TH_ACK, CISN + 102, SISN + 52);
    CU_ASSERT_EQUAL(recent_match(rt, &ack, 20 * SEC), 7);

    /* not late: after the keep period, a SYN, numbers outside the spaces, another 4-tuple */
    CU_ASSERT_EQUAL(recent_match(rt, &fin, 10 * SEC + RECENT_KEEP_NS + 1), 0);
    struct pkt syn = pkt(1, 40000, TH_SYN, CISN + 5000000, 0);
    CU_ASSERT_EQUAL(recent_match(rt, &syn, 11 * SEC), 0);
    struct pkt far = pkt(0, 40000, TH_ACK, SISN + 100000, CISN + 102);
    CU_ASSERT_EQUAL(recent_match(rt, &far, 11 * SEC), 0);
    struct pkt badack = pkt(1, 40000, TH_ACK, CISN + 102, SISN + 5000);
    CU_ASSERT_EQUAL(recent_match(rt, &badack, 11 * SEC), 0);
    struct pkt other = pkt(0, 40001, TH_FIN | TH_ACK, SISN + 51, CISN + 102);
    CU_ASSERT_EQUAL(recent_match(rt, &other, 11 * SEC), 0);
    drop(c);
    recent_free(rt);
}

/* A full table forgets the connection that expires first, never more than one at a time. */
static void test_bounded(void)
{
    struct recent *rt = recent_new(0); /* the smallest: 1024 entries */
    size_t mem = recent_memory(rt);
    for (uint16_t i = 0; i < 5000; i++) {
        struct track *c = finished((uint16_t)(20000 + i), i + 1, (int64_t)i * SEC / 1000);
        recent_add(rt, c);
        drop(c);
    }
    CU_ASSERT_EQUAL(recent_memory(rt), mem);
    int newest = 0, oldest = 0;
    for (uint16_t i = 0; i < 5000; i++) {
        struct pkt fin = pkt(0, (uint16_t)(20000 + i), TH_FIN | TH_ACK, SISN + 51, CISN + 102);
        uint64_t id = recent_match(rt, &fin, 6 * SEC);
        CU_ASSERT(id == 0 || id == (uint64_t)i + 1);
        if (id && i >= 4900)
            newest++;
        if (id && i < 100)
            oldest++;
    }
    CU_ASSERT(newest >= 90);  /* the latest are (nearly) all remembered */
    CU_ASSERT(oldest <= 10);  /* the earliest made room */
    recent_free(rt);
}

int main(void)
{
    static const struct unit_case tests[] = {
        {"late FIN, RST and ACK of a finished connection", test_late_packets},
        {"a full table forgets the oldest", test_bounded},
    };
    return unit_run("recently finished connections", NULL, NULL, tests, UNIT_COUNT(tests));
}
