/* SPDX-License-Identifier: BSD-2-Clause */
/* test_zeek.c - owns the unit tests of zeek.c: conn_state and history letters by Zeek's rules
 * (base/protocols/conn/main.zeek and its TCP analyzer), packet by packet. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "unit.h"
#include "zeek.h"

enum { C = 0, S = 1 }; /* the client (port 40000) and the server (port 80) */
#define CISN 1000u
#define SISN 5000u

static struct zeek_conn z;

static void pkt(int from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = 4;
    p.sport = from == C ? 40000 : 80;
    p.dport = from == C ? 80 : 40000;
    p.flags = flags;
    p.seq = seq;
    p.ack = ack;
    p.seg_len = len;
    p.payload_caplen = len;
    p.win = 1000;
    zeek_packet(&z, from, &p, 0);
}

static void fresh(void) { memset(&z, 0, sizeof z); }

/* The client's SYN, the server's SYN+ACK, the client's ACK. */
static void handshake(void)
{
    fresh();
    pkt(C, TH_SYN, CISN, 0, 0);
    pkt(S, TH_SYN | TH_ACK, SISN, CISN + 1, 0);
    pkt(C, TH_ACK, CISN + 1, SISN + 1, 0);
}

static void test_normal(void)
{
    handshake();
    pkt(C, TH_ACK | TH_PSH, CISN + 1, SISN + 1, 100);
    pkt(S, TH_ACK, SISN + 1, CISN + 101, 0);
    pkt(S, TH_ACK | TH_PSH, SISN + 1, CISN + 101, 200);
    pkt(C, TH_ACK | TH_FIN, CISN + 101, SISN + 201, 0);
    pkt(S, TH_ACK | TH_FIN, SISN + 201, CISN + 102, 0);
    pkt(C, TH_ACK, CISN + 102, SISN + 202, 0);
    CU_ASSERT_STRING_EQUAL(z.history, "ShADadFf");
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "SF");
}

static void test_attempts(void)
{
    fresh();
    pkt(C, TH_SYN, CISN, 0, 0);
    pkt(C, TH_SYN, CISN, 0, 0); /* retransmitted: same number, no second letter */
    CU_ASSERT_STRING_EQUAL(z.history, "S");
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "S0");
    pkt(C, TH_SYN, CISN + 77, 0, 0); /* another number while SYN_SENT: Zeek starts the numbering again */
    CU_ASSERT_STRING_EQUAL(z.history, "S");
    pkt(C, TH_RST, CISN + 78, 0, 0);
    pkt(C, TH_SYN, CISN + 500, 0, 0); /* after its RST the numbering stays: a new number, a new letter */
    CU_ASSERT_STRING_EQUAL(z.history, "SRS");

    fresh();
    pkt(C, TH_SYN, CISN, 0, 0);
    pkt(S, TH_RST | TH_ACK, 0, CISN + 1, 0);
    CU_ASSERT_STRING_EQUAL(z.history, "Sr");
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "REJ");

    fresh(); /* the client gives up with a RST, never answered: RSTOS0 */
    pkt(C, TH_SYN, CISN, 0, 0);
    pkt(C, TH_RST, CISN + 1, 0, 0);
    CU_ASSERT_STRING_EQUAL(z.history, "SR");
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "RSTOS0");

    fresh(); /* a SYN and a FIN, nothing back: SH */
    pkt(C, TH_SYN, CISN, 0, 0);
    pkt(C, TH_FIN | TH_ACK, CISN + 1, 0, 0);
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "SH");
}

static void test_resets(void)
{
    handshake();
    pkt(C, TH_RST | TH_ACK, CISN + 1, SISN + 1, 0);
    CU_ASSERT_STRING_EQUAL(z.history, "ShAR");
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "RSTO");

    handshake();
    pkt(S, TH_RST, SISN + 1, 0, 0);
    pkt(S, TH_RST, SISN + 1, 0, 0); /* the same RST again: no letter */
    pkt(S, TH_RST, SISN + 9, 0, 0); /* another number: another letter */
    CU_ASSERT_STRING_EQUAL(z.history, "ShArr");
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "RSTR");

    /* FIN then RST by the client, then the server's FIN: a normal close after all (SF) */
    handshake();
    pkt(C, TH_FIN | TH_ACK, CISN + 1, SISN + 1, 0);
    pkt(C, TH_RST, CISN + 2, 0, 0);
    pkt(S, TH_FIN | TH_ACK, SISN + 1, CISN + 2, 0);
    CU_ASSERT_STRING_EQUAL(z.history, "ShAFRf");
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "SF");
}

static void test_half_closes(void)
{
    handshake();
    pkt(C, TH_FIN | TH_ACK, CISN + 1, SISN + 1, 0);
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "S2");
    handshake();
    pkt(S, TH_FIN | TH_ACK, SISN + 1, CISN + 1, 0);
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "S3");
    handshake();
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "S1");
}

static void test_flips(void)
{
    /* the first packet a SYN+ACK from port 80: Zeek makes its receiver the originator ("^") */
    fresh();
    pkt(S, TH_SYN | TH_ACK, SISN, CISN + 1, 0);
    pkt(S, TH_RST, SISN + 1, 0, 0);
    CU_ASSERT_STRING_EQUAL(z.history, "^hr");
    CU_ASSERT_EQUAL(z.orig, C);
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "RSTRH");

    fresh();
    pkt(S, TH_SYN | TH_ACK, SISN, CISN + 1, 0);
    pkt(S, TH_FIN | TH_ACK, SISN + 1, CISN + 1, 0);
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "SHR");

    /* mid-stream data, the first from the client's high port: no flip; both partial: OTH */
    fresh();
    pkt(C, TH_ACK, CISN + 1, SISN + 1, 10);
    pkt(S, TH_ACK, SISN + 1, CISN + 11, 10);
    CU_ASSERT_STRING_EQUAL(z.history, "Dd");
    CU_ASSERT_EQUAL(z.orig, C);
    CU_ASSERT_STRING_EQUAL(zeek_conn_state(&z), "OTH");
}

static void test_scaled(void)
{
    handshake();
    pkt(C, TH_ACK, CISN + 1, SISN + 1, 100);
    /* the same 100 bytes nine more times: 't' once; the tenth retransmission another 'T' */
    for (int i = 0; i < 9; i++)
        pkt(C, TH_ACK, CISN + 1, SISN + 1, 100);
    CU_ASSERT_STRING_EQUAL(z.history, "ShADT");
    pkt(C, TH_ACK, CISN + 1, SISN + 1, 100);
    CU_ASSERT_STRING_EQUAL(z.history, "ShADTT");
    /* a zero window from the server: 'w' */
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = 4;
    p.sport = 80;
    p.dport = 40000;
    p.flags = TH_ACK;
    p.seq = SISN + 1;
    p.ack = CISN + 101;
    zeek_packet(&z, S, &p, 0);
    CU_ASSERT_STRING_EQUAL(z.history, "ShADTTaw");
    /* an acknowledgement over bytes never seen: a gap in the server's data, 'g' */
    p.flags = TH_ACK;
    p.win = 100;
    p.sport = 40000;
    p.dport = 80;
    p.seq = CISN + 101;
    p.ack = SISN + 500;
    zeek_packet(&z, C, &p, 1);
    CU_ASSERT_STRING_EQUAL(z.history, "ShADTTawg");
}

static void test_history_bounded(void)
{
    handshake();
    for (uint32_t i = 0; i < 1000; i++) /* every RST with a new number would add a letter */
        pkt(S, TH_RST, SISN + 1 + i, 0, 0);
    CU_ASSERT(strlen(z.history) == ZEEK_HISTORY_MAX);
}

int main(void)
{
    static const struct unit_case cases[] = {
        {"a clean connection: ShADadFf, SF", test_normal},
        {"attempts: S0, REJ, RSTOS0, SH; a SYN repeats only with a new relative number", test_attempts},
        {"resets: RSTO, RSTR; FIN then RST then the peer's FIN is SF", test_resets},
        {"half closes: S2, S3; open: S1", test_half_closes},
        {"originator flips by port ('^'), RSTRH, SHR, OTH", test_flips},
        {"t, w, g: the 1st, 10th, 100th", test_scaled},
        {"history stops at ZEEK_HISTORY_MAX letters", test_history_bounded},
    };
    return unit_run("zeek", NULL, NULL, cases, UNIT_COUNT(cases));
}
