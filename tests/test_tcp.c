/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcp.c - owns the unit tests of tcp.c (per-packet endpoint states, notes, handshake/teardown verdicts, port reuse). */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "decode.h"
#include "tcp.h"
#include "unit.h"

/* ---------------------------------------------------------------- harness */

#define CPORT 40000
#define SPORT 80
#define CI 1000u   /* client ISN */
#define SI 5000u   /* server ISN */
#define MS 1000000LL
#define T0 (1000 * MS)
#define WIN 65535

static const uint8_t CADDR[4] = {10, 0, 0, 1};
static const uint8_t SADDR[4] = {10, 0, 0, 2};
static uint8_t PAYLOAD[4096];

enum { SYN = TH_SYN, ACK = TH_ACK, FIN = TH_FIN, RST = TH_RST, PSH = TH_PSH };
enum { CL = 'c', SV = 's' };

static struct conn *C;
static struct track *T; /* C's tracker */
static struct tcp_ctx TC;
static struct event EV;
static uint64_t FRAME;
static int64_t NOW;

static uint16_t cport = CPORT, sport_ = SPORT;

static struct pkt mkpkt(int who, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = 4;
    int c = who == CL;
    memcpy(p.src, c ? CADDR : SADDR, 4);
    memcpy(p.dst, c ? SADDR : CADDR, 4);
    p.sport = c ? cport : sport_;
    p.dport = c ? sport_ : cport;
    p.seq = seq;
    p.ack = ack;
    p.flags = flags;
    p.win = WIN;
    p.opt.wscale = 0xff;
    p.payload = len ? PAYLOAD : NULL;
    p.payload_caplen = len;
    p.seg_len = len;
    p.ttl = 64;
    return p;
}

/* Which side of C sent p. */
static int side_of(const struct pkt *p)
{
    for (int s = 0; s < 2; s++)
        if (C->side[s].port == p->sport && !memcmp(C->side[s].addr, p->src, 4) && C->side[!s].port == p->dport &&
            !memcmp(C->side[!s].addr, p->dst, 4))
            return s;
    CU_FAIL_FATAL("packet does not belong to the connection");
    return -1;
}

static void reset_harness(void)
{
    C = NULL;
    T = NULL;
    memset(&TC, 0, sizeof TC);
    TC.reasm_budget = 1 << 20;
    FRAME = 0;
    NOW = T0;
    cport = CPORT;
    sport_ = SPORT;
    for (size_t i = 0; i < sizeof PAYLOAD; i++)
        PAYLOAD[i] = (uint8_t)i;
}

/* Feed one packet at NOW + dt (the first packet creates the connection, as the pipeline does). */
static const struct event *feed_at(const struct pkt *p, int64_t dt)
{
    NOW += dt;
    int from;
    if (!C) {
        int client_first = tcp_first_sender_is_client(p);
        C = conn_new(1, p, client_first, NOW);
        CU_ASSERT_PTR_NOT_NULL_FATAL(C);
        T = track_new(C);
        CU_ASSERT_PTR_NOT_NULL_FATAL(T);
        tcp_start(T, p);
        from = client_first ? SIDE_CLIENT : SIDE_SERVER;
    } else {
        from = side_of(p);
    }
    memset(&EV, 0xee, sizeof EV);
    tcp_packet(T, from, p, NOW, ++FRAME, &TC, &EV);
    return &EV;
}

static const struct event *feed(const struct pkt *p) { return feed_at(p, MS); }

static const char *stn(int s) { return tcp_state_name((enum tcp_state)s); }

/* Assert both states (-1: either), naming them and the step on failure. */
static void expect_states(const struct event *e, int c, int s, const char *what, int step, int line)
{
    char msg[200];
    int ok = (c < 0 || e->state[0] == c) && (s < 0 || e->state[1] == s);
    snprintf(msg, sizeof msg, "%s step %d: states %s/%s, expected %s/%s", what, step, stn(e->state[0]),
             stn(e->state[1]), c < 0 ? "*" : stn(c), s < 0 ? "*" : stn(s));
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line, msg, __FILE__, "", CU_FALSE);
}

static void expect_notes(const struct event *e, int notes, const char *what, int step, int line)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s step %d: notes 0x%x, expected 0x%x", what, step, e->notes, (unsigned)notes);
    CU_assertImplementation(e->notes == notes ? CU_TRUE : CU_FALSE, (unsigned)line, msg, __FILE__, "", CU_FALSE);
}

/* A scripted packet: who sends, flags, seq, ack, payload length, and what must follow. */
struct step {
    int who;
    uint8_t fl;
    uint32_t seq, ack, len;
    int st0, st1;  /* expected client/server states after it; -1: not checked */
    int notes;     /* expected notes; -1: not checked */
    int64_t dt;    /* since the previous packet; 0 means 1 ms */
};

static void run_steps(const struct step *st, size_t n, const char *what, int line)
{
    for (size_t i = 0; i < n; i++) {
        struct pkt p = mkpkt(st[i].who, st[i].fl, st[i].seq, st[i].ack, st[i].len);
        const struct event *e = feed_at(&p, st[i].dt ? st[i].dt : MS);
        if (st[i].st0 >= 0 || st[i].st1 >= 0)
            expect_states(e, st[i].st0, st[i].st1, what, (int)i + 1, line);
        if (st[i].notes >= 0)
            expect_notes(e, st[i].notes, what, (int)i + 1, line);
    }
}

#define RUN(steps, what) run_steps(steps, sizeof steps / sizeof steps[0], what, __LINE__)

static void finish(void)
{
    tcp_finish(T, &TC);
}

static void expect_verdicts(int hs, int td, int closed_by, int line)
{
    char msg[200];
    snprintf(msg, sizeof msg, "verdicts %s/%s/%d, expected %s/%s/%d", handshake_name((enum handshake_kind)C->handshake),
             teardown_name((enum teardown_kind)C->teardown), C->closed_by, handshake_name((enum handshake_kind)hs),
             teardown_name((enum teardown_kind)td), closed_by);
    int ok = C->handshake == hs && C->teardown == td && C->closed_by == closed_by;
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line, msg, __FILE__, "", CU_FALSE);
}

#define VERDICTS(hs, td, by) expect_verdicts(hs, td, by, __LINE__)

static void done(void)
{
    track_free(T);
    conn_free(C);
    C = NULL;
    T = NULL;
}

/* The complete handshake every later scenario starts from; t = T0+1ms .. T0+3ms. */
static const struct step HANDSHAKE[] = {
    {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, 0, 0},
    {SV, SYN | ACK, SI, CI + 1, 0, ST_SYN_SENT, ST_SYN_RECV, 0, 0},
    {CL, ACK, CI + 1, SI + 1, 0, ST_ESTABLISHED, ST_ESTABLISHED, 0, 0},
};

static void handshake(void) { RUN(HANDSHAKE, "handshake"); }

/* ---------------------------------------------------------------- handshakes */

static void test_normal_handshake(void)
{
    reset_harness();
    struct pkt p = mkpkt(CL, SYN, CI, 0, 0);
    CU_ASSERT_EQUAL(tcp_first_sender_is_client(&p), 1);
    C = conn_new(7, &p, 1, NOW);
    CU_ASSERT_PTR_NOT_NULL_FATAL(C);
    T = track_new(C);
    CU_ASSERT_PTR_NOT_NULL_FATAL(T);
    tcp_start(T, &p);
    CU_ASSERT_EQUAL(C->side[SIDE_CLIENT].state, ST_CLOSED);
    CU_ASSERT_EQUAL(C->side[SIDE_SERVER].state, ST_LISTEN);
    CU_ASSERT_EQUAL(C->side[SIDE_CLIENT].port, CPORT);
    CU_ASSERT_EQUAL(C->side[SIDE_SERVER].port, SPORT);
    CU_ASSERT_EQUAL(C->id, 7);
    CU_ASSERT_EQUAL(C->hs_rtt_ns, -1);
    CU_ASSERT_EQUAL(C->closed_by, -1);

    const struct event *e = feed_at(&p, 0);
    expect_states(e, ST_SYN_SENT, ST_LISTEN, "hs", 1, __LINE__);
    CU_ASSERT_EQUAL(e->from, SIDE_CLIENT);
    CU_ASSERT_EQUAL(e->rel_seq, 0);
    CU_ASSERT_EQUAL(e->rel_ack, 0);
    CU_ASSERT_EQUAL(e->frame, 1);
    CU_ASSERT_EQUAL(e->flags, SYN);
    CU_ASSERT_EQUAL(C->handshake, HS_SYN_ONLY);

    p = mkpkt(SV, SYN | ACK, SI, CI + 1, 0);
    e = feed_at(&p, 2 * MS);
    expect_states(e, ST_SYN_SENT, ST_SYN_RECV, "hs", 2, __LINE__);
    CU_ASSERT_EQUAL(e->from, SIDE_SERVER);
    CU_ASSERT_EQUAL(e->rel_seq, 0);
    CU_ASSERT_EQUAL(e->rel_ack, 1);
    CU_ASSERT_EQUAL(C->handshake, HS_NO_FINAL_ACK); /* live verdict */

    p = mkpkt(CL, ACK, CI + 1, SI + 1, 0);
    e = feed_at(&p, 3 * MS);
    expect_states(e, ST_ESTABLISHED, ST_ESTABLISHED, "hs", 3, __LINE__);
    CU_ASSERT_EQUAL(e->rel_seq, 1);
    CU_ASSERT_EQUAL(e->rel_ack, 1);
    CU_ASSERT_EQUAL(e->notes, 0);
    CU_ASSERT_EQUAL(e->ts_ns, T0 + 5 * MS);
    CU_ASSERT_EQUAL(C->hs_rtt_ns, 5 * MS);
    CU_ASSERT_EQUAL(C->handshake, HS_COMPLETE);

    finish();
    VERDICTS(HS_COMPLETE, TD_OPEN, -1);
    CU_ASSERT_EQUAL(C->syn_retransmits, 0);
    CU_ASSERT_EQUAL(C->packets, 3);
    CU_ASSERT_EQUAL(C->side[0].packets, 2);
    CU_ASSERT_EQUAL(C->side[1].packets, 1);
    CU_ASSERT_EQUAL(T->closed, CONN_OPEN);
    CU_ASSERT_EQUAL(T->final_, 1);
    done();
}

static void test_syn_only(void)
{
    reset_harness();
    static const struct step s[] = {{CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, 0, 0}};
    RUN(s, "syn-only");
    finish();
    VERDICTS(HS_SYN_ONLY, TD_OPEN, -1);
    CU_ASSERT_EQUAL(C->hs_rtt_ns, -1);
    CU_ASSERT_EQUAL(C->side[0].state, ST_SYN_SENT);
    CU_ASSERT_EQUAL(C->side[1].state, ST_LISTEN);
    done();
}

static void test_syn_retransmitted(void)
{
    reset_harness();
    static const struct step s[] = {
        {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, 0, 0},
        {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, NOTE_RETRANSMISSION, 1000 * MS},
        {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, NOTE_RETRANSMISSION, 2000 * MS},
    };
    RUN(s, "syn rexmit");
    CU_ASSERT_EQUAL(C->syn_retransmits, 2);
    CU_ASSERT_EQUAL(C->side[0].retransmissions, 2);
    struct pkt again = mkpkt(CL, SYN, CI, 0, 0);
    CU_ASSERT_FALSE(tcp_syn_starts_new(T, SIDE_CLIENT, &again));
    static const struct step t[] = {
        {SV, SYN | ACK, SI, CI + 1, 0, ST_SYN_SENT, ST_SYN_RECV, 0, 0},
        {CL, ACK, CI + 1, SI + 1, 0, ST_ESTABLISHED, ST_ESTABLISHED, 0, 0},
    };
    RUN(t, "syn rexmit");
    /* from the first SYN to the completing ACK */
    CU_ASSERT_EQUAL(C->hs_rtt_ns, 3002 * MS);
    finish();
    VERDICTS(HS_COMPLETE, TD_OPEN, -1);
    CU_ASSERT_EQUAL(C->syn_retransmits, 2);
    done();
}

static void test_syn_rejected(void)
{
    reset_harness();
    static const struct step s[] = {
        {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, 0, 0},
        {SV, RST | ACK, 0, CI + 1, 0, ST_CLOSED, ST_CLOSED, 0, 0},
    };
    RUN(s, "rejected");
    CU_ASSERT_EQUAL(T->closed, CONN_DONE);
    finish();
    VERDICTS(HS_REJECTED, TD_RESET, SIDE_SERVER);
    CU_ASSERT_EQUAL(C->hs_rtt_ns, -1);
    CU_ASSERT_EQUAL(C->side[1].rst, 1);
    done();
}

static void test_no_final_ack(void)
{
    reset_harness();
    static const struct step s[] = {
        {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, 0, 0},
        {SV, SYN | ACK, SI, CI + 1, 0, ST_SYN_SENT, ST_SYN_RECV, 0, 0},
        {SV, SYN | ACK, SI, CI + 1, 0, ST_SYN_SENT, ST_SYN_RECV, NOTE_RETRANSMISSION, 1000 * MS},
    };
    RUN(s, "no-final-ack");
    finish();
    VERDICTS(HS_NO_FINAL_ACK, TD_OPEN, -1);
    CU_ASSERT_EQUAL(C->side[0].state, ST_SYN_SENT);
    CU_ASSERT_EQUAL(C->side[1].state, ST_SYN_RECV);
    CU_ASSERT_EQUAL(C->hs_rtt_ns, -1);
    done();
}

/*
 * Simultaneous open (RFC 9293 figure 8): the SYNs cross.  The server's SYN
 * is its own act (LISTEN -> SYN_SENT); each SYN+ACK is its sender's answer
 * to the peer's SYN (SYN_SENT -> SYN_RECV) and acknowledges the peer's SYN,
 * which takes a peer already in SYN_RECV to ESTABLISHED; the second SYN+ACK
 * finds its sender's SYN acknowledged by the first, so after both SYN+ACKs
 * both sides are ESTABLISHED, as in the RFC's figure.
 */
static void test_simultaneous_open(void)
{
    reset_harness();
    static const struct step s[] = {
        {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, 0, 0},
        {SV, SYN, SI, 0, 0, ST_SYN_SENT, ST_SYN_SENT, 0, 0},
        {CL, SYN | ACK, CI, SI + 1, 0, ST_SYN_RECV, ST_SYN_SENT, 0, 0},
        /* the server's answer finds its own SYN already acknowledged: two edges */
        {SV, SYN | ACK, SI, CI + 1, 0, ST_ESTABLISHED, ST_ESTABLISHED, 0, 0},
    };
    RUN(s, "simultaneous open");
    finish();
    VERDICTS(HS_SIMULTANEOUS_OPEN, TD_OPEN, -1);
    done();

    /* the SYN+ACKs seen in the other order */
    reset_harness();
    static const struct step t[] = {
        {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, 0, 0},
        {SV, SYN, SI, 0, 0, ST_SYN_SENT, ST_SYN_SENT, 0, 0},
        {SV, SYN | ACK, SI, CI + 1, 0, ST_SYN_SENT, ST_SYN_RECV, 0, 0},
        {CL, SYN | ACK, CI, SI + 1, 0, ST_ESTABLISHED, ST_ESTABLISHED, 0, 0},
    };
    RUN(t, "simultaneous open, other order");
    finish();
    VERDICTS(HS_SIMULTANEOUS_OPEN, TD_OPEN, -1);
    done();
}

/* Whatever the SYN+ACK details, the first ACK after them leaves both ESTABLISHED. */
static void test_simultaneous_open_then_ack(void)
{
    reset_harness();
    static const struct step s[] = {
        {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, 0, 0},
        {SV, SYN, SI, 0, 0, ST_SYN_SENT, ST_SYN_SENT, 0, 0},
        {CL, SYN | ACK, CI, SI + 1, 0, -1, -1, -1, 0},
        {SV, SYN | ACK, SI, CI + 1, 0, -1, -1, -1, 0},
        {SV, ACK, SI + 1, CI + 1, 0, ST_ESTABLISHED, ST_ESTABLISHED, -1, 0},
        {CL, ACK, CI + 1, SI + 1, 0, ST_ESTABLISHED, ST_ESTABLISHED, -1, 0},
    };
    RUN(s, "simultaneous open + ACK");
    finish();
    VERDICTS(HS_SIMULTANEOUS_OPEN, TD_OPEN, -1);
    done();
}

/* A capture that reorders the SYN+ACK before the SYN: roles come from the SYN. */
static void test_synack_before_syn(void)
{
    reset_harness();
    struct pkt sa = mkpkt(SV, SYN | ACK, SI, CI + 1, 0);
    feed(&sa);
    struct pkt syn = mkpkt(CL, SYN, CI, 0, 0);
    const struct event *e = feed(&syn);
    CU_ASSERT_EQUAL(C->side[SIDE_CLIENT].port, CPORT);
    CU_ASSERT_EQUAL(e->from, SIDE_CLIENT);
    expect_states(e, ST_SYN_SENT, ST_SYN_RECV, "reordered", 2, __LINE__);
    struct pkt ack = mkpkt(CL, ACK, CI + 1, SI + 1, 0);
    e = feed(&ack);
    expect_states(e, ST_ESTABLISHED, ST_ESTABLISHED, "reordered", 3, __LINE__);
    finish();
    VERDICTS(HS_COMPLETE, TD_OPEN, -1);
    done();
}

/* ---------------------------------------------------------------- teardowns */

static void four_way_close_from_handshake(void)
{
    handshake();
    static const struct step s[] = {
        {CL, FIN | ACK, CI + 1, SI + 1, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        {SV, ACK, SI + 1, CI + 2, 0, ST_FIN_WAIT_2, ST_CLOSE_WAIT, 0, 0},
        {SV, FIN | ACK, SI + 1, CI + 2, 0, ST_FIN_WAIT_2, ST_LAST_ACK, 0, 0},
        {CL, ACK, CI + 2, SI + 2, 0, ST_TIME_WAIT, ST_CLOSED, 0, 0},
    };
    RUN(s, "four-way");
}


static void test_four_way(void)
{
    reset_harness();
    handshake();
    static const struct step s[] = {
        {CL, ACK | PSH, CI + 1, SI + 1, 10, ST_ESTABLISHED, ST_ESTABLISHED, 0, 0},
        {SV, ACK, SI + 1, CI + 11, 0, ST_ESTABLISHED, ST_ESTABLISHED, 0, 0},
        {CL, FIN | ACK, CI + 11, SI + 1, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        {SV, ACK, SI + 1, CI + 12, 0, ST_FIN_WAIT_2, ST_CLOSE_WAIT, 0, 0},
        {SV, FIN | ACK, SI + 1, CI + 12, 0, ST_FIN_WAIT_2, ST_LAST_ACK, 0, 0},
        {CL, ACK, CI + 12, SI + 2, 0, ST_TIME_WAIT, ST_CLOSED, 0, 0},
    };
    RUN(s, "four-way");
    CU_ASSERT_EQUAL(T->closed, CONN_DONE);
    CU_ASSERT_EQUAL(C->teardown, TD_FOUR_WAY); /* live, before finish */
    finish();
    VERDICTS(HS_COMPLETE, TD_FOUR_WAY, SIDE_CLIENT);
    CU_ASSERT_EQUAL(C->side[0].fin, 1);
    CU_ASSERT_EQUAL(C->side[1].fin, 1);
    done();
}

static void test_four_way_server_closes(void)
{
    reset_harness();
    handshake();
    static const struct step s[] = {
        {SV, FIN | ACK, SI + 1, CI + 1, 0, ST_ESTABLISHED, ST_FIN_WAIT_1, 0, 0},
        {CL, ACK, CI + 1, SI + 2, 0, ST_CLOSE_WAIT, ST_FIN_WAIT_2, 0, 0},
        {CL, ACK | PSH, CI + 1, SI + 2, 5, ST_CLOSE_WAIT, ST_FIN_WAIT_2, 0, 0}, /* half-closed: data still flows */
        {SV, ACK, SI + 2, CI + 6, 0, ST_CLOSE_WAIT, ST_FIN_WAIT_2, 0, 0},
        {CL, FIN | ACK, CI + 6, SI + 2, 0, ST_LAST_ACK, ST_FIN_WAIT_2, 0, 0},
        {CL, FIN | ACK, CI + 6, SI + 2, 0, ST_LAST_ACK, ST_FIN_WAIT_2, NOTE_RETRANSMISSION, 200 * MS},
        {SV, ACK, SI + 2, CI + 7, 0, ST_CLOSED, ST_TIME_WAIT, 0, 0},
    };
    RUN(s, "four-way by server");
    finish();
    VERDICTS(HS_COMPLETE, TD_FOUR_WAY, SIDE_SERVER);
    CU_ASSERT_EQUAL(C->side[0].fin, 2);
    done();
}

static void test_three_way(void)
{
    reset_harness();
    handshake();
    static const struct step s[] = {
        {CL, FIN | ACK, CI + 1, SI + 1, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        {SV, FIN | ACK, SI + 1, CI + 2, 0, ST_FIN_WAIT_2, ST_LAST_ACK, 0, 0},
        {CL, ACK, CI + 2, SI + 2, 0, ST_TIME_WAIT, ST_CLOSED, 0, 0},
    };
    RUN(s, "three-way");
    finish();
    VERDICTS(HS_COMPLETE, TD_THREE_WAY, SIDE_CLIENT);
    done();
}

static void test_simultaneous_close(void)
{
    reset_harness();
    handshake();
    static const struct step s[] = {
        {CL, FIN | ACK, CI + 1, SI + 1, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        /* the server's FIN does not acknowledge the client's: it was sent before that arrived */
        {SV, FIN | ACK, SI + 1, CI + 1, 0, ST_FIN_WAIT_1, ST_FIN_WAIT_1, 0, 0},
        /* the client answers the server's FIN with its own unacknowledged: CLOSING;
         * the server's FIN is acknowledged: FIN_WAIT_2 */
        {CL, ACK, CI + 2, SI + 2, 0, ST_CLOSING, ST_FIN_WAIT_2, 0, 0},
        {SV, ACK, SI + 2, CI + 2, 0, ST_TIME_WAIT, ST_TIME_WAIT, 0, 0},
    };
    RUN(s, "simultaneous close");
    finish();
    VERDICTS(HS_COMPLETE, TD_SIMULTANEOUS, SIDE_CLIENT);
    done();

    /* the two ACKs in the other order */
    reset_harness();
    handshake();
    static const struct step t[] = {
        {SV, FIN | ACK, SI + 1, CI + 1, 0, ST_ESTABLISHED, ST_FIN_WAIT_1, 0, 0},
        {CL, FIN | ACK, CI + 1, SI + 1, 0, ST_FIN_WAIT_1, ST_FIN_WAIT_1, 0, 0},
        {CL, ACK, CI + 2, SI + 2, 0, ST_CLOSING, ST_FIN_WAIT_2, 0, 0},
        {SV, ACK, SI + 2, CI + 2, 0, ST_TIME_WAIT, ST_TIME_WAIT, 0, 0},
    };
    RUN(t, "simultaneous close 2");
    finish();
    VERDICTS(HS_COMPLETE, TD_SIMULTANEOUS, SIDE_SERVER);
    done();
}

static void test_reset_after_fin(void)
{
    reset_harness();
    handshake();
    static const struct step s[] = {
        {CL, FIN | ACK, CI + 1, SI + 1, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        {SV, RST, SI + 1, 0, 0, ST_CLOSED, ST_CLOSED, 0, 0},
    };
    RUN(s, "reset after FIN");
    CU_ASSERT_EQUAL(T->closed, CONN_DONE);
    finish();
    VERDICTS(HS_COMPLETE, TD_RESET, SIDE_SERVER);
    done();

    /* a RST in the middle of an established connection */
    reset_harness();
    handshake();
    static const struct step t[] = {
        {CL, ACK | PSH, CI + 1, SI + 1, 10, ST_ESTABLISHED, ST_ESTABLISHED, 0, 0},
        {CL, RST | ACK, CI + 11, SI + 1, 0, ST_CLOSED, ST_CLOSED, 0, 0},
        /* a late packet from the peer leaves it closed */
        {SV, ACK, SI + 1, CI + 11, 0, ST_CLOSED, ST_CLOSED, -1, 0},
    };
    RUN(t, "reset");
    finish();
    VERDICTS(HS_COMPLETE, TD_RESET, SIDE_CLIENT);
    done();
}

/*
 * Teardown "reset" means a RST ended the connection.  A RST that arrives
 * after the four-way close completed (both FINs sent and acknowledged) ended
 * nothing: the teardown stays four-way (the states still go CLOSED).
 */
static void test_reset_after_complete_close(void)
{
    reset_harness();
    four_way_close_from_handshake();
    CU_ASSERT_EQUAL(C->teardown, TD_FOUR_WAY);
    static const struct step s[] = {
        {SV, RST, SI + 2, 0, 0, ST_CLOSED, ST_CLOSED, -1, 100 * MS},
    };
    RUN(s, "RST after close");
    finish();
    VERDICTS(HS_COMPLETE, TD_FOUR_WAY, SIDE_CLIENT);
    done();

    /* but a RST in place of the last ACK did end it */
    reset_harness();
    handshake();
    static const struct step t[] = {
        {CL, FIN | ACK, CI + 1, SI + 1, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        {SV, FIN | ACK, SI + 1, CI + 2, 0, ST_FIN_WAIT_2, ST_LAST_ACK, 0, 0},
        {CL, RST, CI + 2, 0, 0, ST_CLOSED, ST_CLOSED, -1, 0},
    };
    RUN(t, "RST instead of the last ACK");
    finish();
    VERDICTS(HS_COMPLETE, TD_RESET, SIDE_CLIENT);
    done();
}

static void test_half_closed(void)
{
    reset_harness();
    handshake();
    static const struct step s[] = {
        {CL, FIN | ACK, CI + 1, SI + 1, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        {SV, ACK, SI + 1, CI + 2, 0, ST_FIN_WAIT_2, ST_CLOSE_WAIT, 0, 0},
        {SV, ACK | PSH, SI + 1, CI + 2, 20, ST_FIN_WAIT_2, ST_CLOSE_WAIT, 0, 0},
        {CL, ACK, CI + 2, SI + 21, 0, ST_FIN_WAIT_2, ST_CLOSE_WAIT, 0, 0},
    };
    RUN(s, "half-closed");
    CU_ASSERT_EQUAL(T->closed, CONN_OPEN);
    finish();
    VERDICTS(HS_COMPLETE, TD_HALF_CLOSED, SIDE_CLIENT);
    done();
}

static void test_incomplete(void)
{
    reset_harness();
    handshake();
    static const struct step s[] = {
        {CL, FIN | ACK, CI + 1, SI + 1, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        {SV, ACK, SI + 1, CI + 2, 0, ST_FIN_WAIT_2, ST_CLOSE_WAIT, 0, 0},
        {SV, FIN | ACK, SI + 1, CI + 2, 0, ST_FIN_WAIT_2, ST_LAST_ACK, 0, 0},
    };
    RUN(s, "incomplete");
    CU_ASSERT_EQUAL(T->closed, CONN_CLOSING);
    finish();
    VERDICTS(HS_COMPLETE, TD_INCOMPLETE, SIDE_CLIENT);
    done();

    /* FIN, FIN+ACK, and no last ACK */
    reset_harness();
    handshake();
    static const struct step t[] = {
        {CL, FIN | ACK, CI + 1, SI + 1, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        {SV, FIN | ACK, SI + 1, CI + 2, 0, ST_FIN_WAIT_2, ST_LAST_ACK, 0, 0},
    };
    RUN(t, "incomplete 2");
    finish();
    VERDICTS(HS_COMPLETE, TD_INCOMPLETE, SIDE_CLIENT);
    done();
}

/* ---------------------------------------------------------------- mid-stream, port reuse */

static void test_mid_stream(void)
{
    /* first packet from the server (lower port): the higher port is the client */
    reset_harness();
    struct pkt p = mkpkt(SV, ACK | PSH, SI + 100, CI + 50, 100);
    CU_ASSERT_EQUAL(tcp_first_sender_is_client(&p), 0);
    const struct event *e = feed(&p);
    CU_ASSERT_EQUAL(C->side[SIDE_CLIENT].port, CPORT);
    CU_ASSERT_EQUAL(C->side[SIDE_SERVER].port, SPORT);
    CU_ASSERT_EQUAL(e->from, SIDE_SERVER);
    expect_states(e, ST_ESTABLISHED, ST_ESTABLISHED, "mid-stream", 1, __LINE__);
    CU_ASSERT_EQUAL(e->rel_seq, 1);
    CU_ASSERT_EQUAL(e->rel_ack, 1);
    CU_ASSERT_EQUAL(C->handshake, HS_MID_STREAM);
    static const struct step s[] = {
        {CL, ACK, CI + 50, SI + 200, 0, ST_ESTABLISHED, ST_ESTABLISHED, 0, 0},
        {CL, ACK | PSH, CI + 50, SI + 200, 10, ST_ESTABLISHED, ST_ESTABLISHED, 0, 0},
    };
    RUN(s, "mid-stream");
    CU_ASSERT_EQUAL(EV.rel_seq, 1);
    CU_ASSERT_EQUAL(EV.rel_ack, 101);
    finish();
    VERDICTS(HS_MID_STREAM, TD_OPEN, -1);
    CU_ASSERT_EQUAL(C->hs_rtt_ns, -1);
    done();

    /* first packet from the client (higher port) */
    reset_harness();
    p = mkpkt(CL, ACK, CI, SI, 0);
    CU_ASSERT_EQUAL(tcp_first_sender_is_client(&p), 1);
    e = feed(&p);
    CU_ASSERT_EQUAL(e->from, SIDE_CLIENT);
    CU_ASSERT_EQUAL(C->side[SIDE_CLIENT].port, CPORT);
    expect_states(e, ST_ESTABLISHED, ST_ESTABLISHED, "mid-stream 2", 1, __LINE__);
    /* and it closes like any other */
    static const struct step t[] = {
        {SV, FIN | ACK, SI, CI, 0, ST_ESTABLISHED, ST_FIN_WAIT_1, 0, 0},
        {CL, FIN | ACK, CI, SI + 1, 0, ST_LAST_ACK, ST_FIN_WAIT_2, 0, 0},
        {SV, ACK, SI + 1, CI + 1, 0, ST_CLOSED, ST_TIME_WAIT, 0, 0},
    };
    RUN(t, "mid-stream close");
    finish();
    VERDICTS(HS_MID_STREAM, TD_THREE_WAY, SIDE_SERVER);
    done();

    /* equal ports: the first sender is the client */
    reset_harness();
    cport = sport_ = 5000;
    p = mkpkt(SV, ACK, SI, CI, 0);
    CU_ASSERT_EQUAL(tcp_first_sender_is_client(&p), 1);
    e = feed(&p);
    CU_ASSERT_EQUAL(e->from, SIDE_CLIENT);
    CU_ASSERT_EQUAL(memcmp(C->side[SIDE_CLIENT].addr, SADDR, 4), 0);
    p = mkpkt(CL, ACK, CI, SI, 0);
    e = feed(&p);
    CU_ASSERT_EQUAL(e->from, SIDE_SERVER);
    finish();
    VERDICTS(HS_MID_STREAM, TD_OPEN, -1);
    done();
}

/* The first packet is a SYN+ACK (the capture missed the SYN): its sender is the server, whatever the ports. */
static void test_first_synack_sender_is_server(void)
{
    reset_harness();
    cport = 1023;   /* a client on a low port ... */
    sport_ = 50000; /* ... to a server on a high one */
    struct pkt p = mkpkt(SV, SYN | ACK, SI, CI + 1, 0);
    CU_ASSERT_EQUAL(tcp_first_sender_is_client(&p), 0);
    struct pkt q = mkpkt(CL, SYN, CI, 0, 0);
    CU_ASSERT_EQUAL(tcp_first_sender_is_client(&q), 1);
}

static void test_port_reuse(void)
{
    reset_harness();
    four_way_close_from_handshake();
    CU_ASSERT_EQUAL(T->closed, CONN_DONE);
    struct pkt same = mkpkt(CL, SYN, CI, 0, 0);
    struct pkt fresh = mkpkt(CL, SYN, CI + 100000, 0, 0);
    CU_ASSERT_FALSE(tcp_syn_starts_new(T, SIDE_CLIENT, &same)); /* the old SYN again */
    CU_ASSERT_TRUE(tcp_syn_starts_new(T, SIDE_CLIENT, &fresh));
    /* the server side opening the 4-tuple the other way round */
    struct pkt rev = mkpkt(SV, SYN, SI + 7, 0, 0);
    CU_ASSERT_TRUE(tcp_syn_starts_new(T, SIDE_SERVER, &rev));
    done();

    /* the new life works like any connection */
    reset_harness();
    struct pkt p = mkpkt(CL, SYN, CI + 100000, 0, 0);
    const struct event *e = feed(&p);
    expect_states(e, ST_SYN_SENT, ST_LISTEN, "reuse", 1, __LINE__);
    done();

    /* a SYN-only attempt, retried with a new ISN */
    reset_harness();
    feed(&same);
    CU_ASSERT_FALSE(tcp_syn_starts_new(T, SIDE_CLIENT, &same));
    CU_ASSERT_TRUE(tcp_syn_starts_new(T, SIDE_CLIENT, &fresh));
    done();

    /* a rejected attempt, retried with a new ISN */
    reset_harness();
    static const struct step rj[] = {
        {CL, SYN, CI, 0, 0, ST_SYN_SENT, ST_LISTEN, 0, 0},
        {SV, RST | ACK, 0, CI + 1, 0, ST_CLOSED, ST_CLOSED, 0, 0},
    };
    RUN(rj, "rejected");
    CU_ASSERT_FALSE(tcp_syn_starts_new(T, SIDE_CLIENT, &same));
    CU_ASSERT_TRUE(tcp_syn_starts_new(T, SIDE_CLIENT, &fresh));
    done();

    /* an established connection: a stray SYN is not a new connection */
    reset_harness();
    handshake();
    CU_ASSERT_FALSE(tcp_syn_starts_new(T, SIDE_CLIENT, &same));
    CU_ASSERT_FALSE(tcp_syn_starts_new(T, SIDE_CLIENT, &fresh));
    done();

    /* a mid-stream connection that carried data: a SYN begins a new life */
    reset_harness();
    struct pkt d = mkpkt(CL, ACK | PSH, CI + 1, SI + 1, 10);
    feed(&d);
    CU_ASSERT_TRUE(tcp_syn_starts_new(T, SIDE_CLIENT, &fresh));
    done();
}

/* ---------------------------------------------------------------- notes */

static void test_notes(void)
{
    reset_harness();
    handshake(); /* hs_rtt 2 ms: the out-of-order threshold */
    CU_ASSERT_EQUAL(C->hs_rtt_ns, 2 * MS);
    static const struct step s[] = {
        /* 1 */ {CL, ACK | PSH, CI + 1, SI + 1, 100, -1, -1, 0, 0},
        /* 2 */ {CL, ACK | PSH, CI + 101, SI + 1, 100, -1, -1, 0, 0},
        /* 3: the first again, not yet acknowledged */
        {CL, ACK | PSH, CI + 1, SI + 1, 100, -1, -1, NOTE_RETRANSMISSION, 0},
        /* 4 */ {SV, ACK, SI + 1, CI + 201, 0, -1, -1, 0, 0},
        /* 5: a retransmission of acknowledged bytes */
        {CL, ACK | PSH, CI + 101, SI + 1, 100, -1, -1, NOTE_RETRANSMISSION | NOTE_SPURIOUS_RETRANSMISSION, 0},
        /* 6: 201..301 never seen */
        {CL, ACK | PSH, CI + 301, SI + 1, 100, -1, -1, NOTE_LOST_SEGMENT, 0},
        /* 7, 8: the receiver repeats its ACK */
        {SV, ACK, SI + 1, CI + 201, 0, -1, -1, NOTE_DUP_ACK, MS / 10},
        {SV, ACK, SI + 1, CI + 201, 0, -1, -1, NOTE_DUP_ACK, MS / 10},
        /* 9: the hole filled soon after: out of order */
        {CL, ACK | PSH, CI + 201, SI + 1, 100, -1, -1, NOTE_OUT_OF_ORDER, MS / 10},
        /* 10 */ {SV, ACK, SI + 1, CI + 301, 0, -1, -1, 0, 0},
        /* 11: zero window (set below), with a new acknowledgment */
        {SV, ACK, SI + 1, CI + 401, 0, -1, -1, NOTE_ZERO_WINDOW, 0},
        /* 12: window opens again */
        {SV, ACK, SI + 1, CI + 401, 0, -1, -1, NOTE_WINDOW_UPDATE, 0},
        /* 13, 14: keep-alives, empty and with one garbage byte */
        {CL, ACK, CI + 400, SI + 1, 0, -1, -1, NOTE_KEEP_ALIVE, 0},
        {CL, ACK, CI + 400, SI + 1, 1, -1, -1, NOTE_KEEP_ALIVE, 0},
        /* 15: the same ACK again with nothing outstanding is not a dup ACK */
        {SV, ACK, SI + 1, CI + 401, 0, -1, -1, 0, 0},
        /* 16: 401..501 missing, then filled long after: a retransmission */
        {CL, ACK | PSH, CI + 501, SI + 1, 100, -1, -1, NOTE_LOST_SEGMENT, 0},
        {CL, ACK | PSH, CI + 401, SI + 1, 100, -1, -1, NOTE_RETRANSMISSION, 200 * MS},
    };
    /* step 11 advertises a zero window */
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        struct pkt p = mkpkt(s[i].who, s[i].fl, s[i].seq, s[i].ack, s[i].len);
        if (i == 10)
            p.win = 0;
        const struct event *e = feed_at(&p, s[i].dt ? s[i].dt : MS);
        expect_notes(e, s[i].notes, "notes", (int)i + 1, __LINE__);
        expect_states(e, ST_ESTABLISHED, ST_ESTABLISHED, "notes", (int)i + 1, __LINE__);
    }
    /* a truncated segment */
    struct pkt t = mkpkt(CL, ACK | PSH, CI + 601, SI + 1, 100);
    t.payload_caplen = 10;
    t.truncated = 1;
    const struct event *e = feed(&t);
    CU_ASSERT_EQUAL(e->notes, NOTE_TRUNCATED);
    CU_ASSERT_EQUAL(C->truncated_packets, 1);

    const struct side *cl = &C->side[SIDE_CLIENT], *sv = &C->side[SIDE_SERVER];
    CU_ASSERT_EQUAL(cl->retransmissions, 3);
    CU_ASSERT_EQUAL(cl->out_of_order, 1);
    CU_ASSERT_EQUAL(cl->lost_segments, 2);
    CU_ASSERT_EQUAL(cl->keep_alives, 2);
    CU_ASSERT_EQUAL(sv->dup_acks, 2);
    CU_ASSERT_EQUAL(sv->zero_windows, 1);
    CU_ASSERT_EQUAL(cl->payload.bytes, 700);
    finish();
    VERDICTS(HS_COMPLETE, TD_OPEN, -1);
    CU_ASSERT_EQUAL(C->app_kind, APP_NONE); /* the app layer (app.c) decides it, not the TCP observer */
    done();
}

/* A zero window that arrives with a new acknowledgment is just a zero window. */
static void test_zero_window_alone(void)
{
    reset_harness();
    handshake();
    struct pkt d = mkpkt(CL, ACK | PSH, CI + 1, SI + 1, 100);
    feed(&d);
    struct pkt z = mkpkt(SV, ACK, SI + 1, CI + 101, 0);
    z.win = 0;
    const struct event *e = feed(&z);
    CU_ASSERT_EQUAL(e->notes, NOTE_ZERO_WINDOW);
    /* a RST with window 0 is not a zero window */
    struct pkt r = mkpkt(SV, RST, SI + 1, 0, 0);
    r.win = 0;
    e = feed(&r);
    CU_ASSERT_EQUAL(e->notes, 0);
    done();
}

/*
 * RFC 9293 section 3.8.4: a keep-alive carries SEG.SEQ = SND.NXT - 1.  On a
 * connection that has sent no data yet, SND.NXT - 1 is the ISN itself.
 */
static void test_keep_alive_idle(void)
{
    reset_harness();
    handshake();
    struct pkt k = mkpkt(CL, ACK, CI, SI + 1, 0);
    const struct event *e = feed_at(&k, 7200 * 1000 * MS);
    CU_ASSERT_EQUAL(e->notes, NOTE_KEEP_ALIVE);
    struct pkt k1 = mkpkt(CL, ACK, CI, SI + 1, 1);
    e = feed_at(&k1, 75 * 1000 * MS);
    CU_ASSERT_EQUAL(e->notes, NOTE_KEEP_ALIVE);
    CU_ASSERT_EQUAL(C->side[SIDE_CLIENT].keep_alives, 2);
    expect_states(e, ST_ESTABLISHED, ST_ESTABLISHED, "idle keep-alive", 2, __LINE__);
    done();
}

/* ---------------------------------------------------------------- relative numbers, windows */

static void test_relative_wrap(void)
{
    const uint32_t ci = 0xfffffff0u, si = 0xffffffffu;
    reset_harness();
    struct pkt p = mkpkt(CL, SYN, ci, 0, 0);
    const struct event *e = feed(&p);
    CU_ASSERT_EQUAL(e->rel_seq, 0);
    p = mkpkt(SV, SYN | ACK, si, ci + 1, 0);
    e = feed(&p);
    CU_ASSERT_EQUAL(e->rel_seq, 0);
    CU_ASSERT_EQUAL(e->rel_ack, 1);
    p = mkpkt(CL, ACK, ci + 1, si + 1, 0); /* ack 0 */
    e = feed(&p);
    CU_ASSERT_EQUAL(e->rel_seq, 1);
    CU_ASSERT_EQUAL(e->rel_ack, 1);
    expect_states(e, ST_ESTABLISHED, ST_ESTABLISHED, "wrap", 3, __LINE__);
    p = mkpkt(CL, ACK | PSH, ci + 1, si + 1, 100); /* crosses 2^32 */
    e = feed(&p);
    CU_ASSERT_EQUAL(e->rel_seq, 1);
    CU_ASSERT_EQUAL(e->notes, 0);
    p = mkpkt(CL, ACK | PSH, ci + 101, si + 1, 100);
    e = feed(&p);
    CU_ASSERT_EQUAL(e->rel_seq, 101);
    CU_ASSERT_EQUAL(e->notes, 0);
    p = mkpkt(SV, ACK | PSH, si + 1, ci + 201, 50);
    e = feed(&p);
    CU_ASSERT_EQUAL(e->rel_seq, 1);
    CU_ASSERT_EQUAL(e->rel_ack, 201);
    CU_ASSERT_EQUAL(e->notes, 0);
    p = mkpkt(CL, ACK, ci + 201, si + 51, 0);
    e = feed(&p);
    CU_ASSERT_EQUAL(e->rel_seq, 201);
    CU_ASSERT_EQUAL(e->rel_ack, 51);
    CU_ASSERT_EQUAL(e->notes, 0);
    /* a retransmission across the wrap is still recognised */
    p = mkpkt(CL, ACK | PSH, ci + 1, si + 51, 100);
    e = feed(&p);
    CU_ASSERT_EQUAL(e->notes, NOTE_RETRANSMISSION | NOTE_SPURIOUS_RETRANSMISSION);
    /* and the close, with the FINs past the wrap */
    static const struct step s[] = {
        {CL, FIN | ACK, ci + 201, si + 51, 0, ST_FIN_WAIT_1, ST_ESTABLISHED, 0, 0},
        {SV, FIN | ACK, si + 51, ci + 202, 0, ST_FIN_WAIT_2, ST_LAST_ACK, 0, 0},
        {CL, ACK, ci + 202, si + 52, 0, ST_TIME_WAIT, ST_CLOSED, 0, 0},
    };
    RUN(s, "wrap close");
    CU_ASSERT_EQUAL(EV.rel_seq, 202);
    CU_ASSERT_EQUAL(EV.rel_ack, 52);
    finish();
    VERDICTS(HS_COMPLETE, TD_THREE_WAY, SIDE_CLIENT);
    CU_ASSERT_EQUAL(C->side[SIDE_CLIENT].payload.bytes, 200);
    CU_ASSERT_EQUAL(C->side[SIDE_SERVER].payload.bytes, 50);
    done();
}

static void test_window_scaling(void)
{
    reset_harness();
    struct pkt p = mkpkt(CL, SYN, CI, 0, 0);
    p.opt.wscale = 7;
    p.win = 64240;
    const struct event *e = feed(&p);
    CU_ASSERT_EQUAL(e->win, 64240); /* a SYN's window is never scaled */
    p = mkpkt(SV, SYN | ACK, SI, CI + 1, 0);
    p.opt.wscale = 20; /* clamped to 14 */
    p.win = 65160;
    e = feed(&p);
    CU_ASSERT_EQUAL(e->win, 65160);
    p = mkpkt(CL, ACK, CI + 1, SI + 1, 0);
    p.win = 502;
    e = feed(&p);
    CU_ASSERT_EQUAL(e->win, 502u << 7);
    p = mkpkt(SV, ACK, SI + 1, CI + 1, 0);
    p.win = 3;
    e = feed(&p);
    CU_ASSERT_EQUAL(e->win, 3u << 14);
    done();

    /* only one side offered scaling: windows stay raw */
    reset_harness();
    p = mkpkt(CL, SYN, CI, 0, 0);
    p.opt.wscale = 7;
    feed(&p);
    p = mkpkt(SV, SYN | ACK, SI, CI + 1, 0);
    feed(&p);
    p = mkpkt(CL, ACK, CI + 1, SI + 1, 0);
    p.win = 502;
    e = feed(&p);
    CU_ASSERT_EQUAL(e->win, 502);
    done();
}

/* ---------------------------------------------------------------- payload to the consumer */

struct collect {
    uint8_t buf[2][512];
    uint64_t next[2];
    uint64_t gaps[2];
    int bad;
};

static void col_data(void *ctx, int dir, uint64_t off, const uint8_t *d, size_t len)
{
    struct collect *k = ctx;
    if (dir < 0 || dir > 1 || off != k->next[dir] || off + len > sizeof k->buf[0]) {
        k->bad++;
        return;
    }
    memcpy(k->buf[dir] + off, d, len);
    k->next[dir] = off + len;
}

static void col_gap(void *ctx, int dir, uint64_t off, uint64_t len)
{
    struct collect *k = ctx;
    if (dir < 0 || dir > 1 || off != k->next[dir]) {
        k->bad++;
        return;
    }
    k->gaps[dir] += len;
    k->next[dir] = off + len;
}

static void test_payload_to_consumer(void)
{
    static struct collect k;
    static struct stream_consumer sc;
    memset(&k, 0, sizeof k);
    sc.ctx = &k;
    sc.on_data = col_data;
    sc.on_gap = col_gap;
    reset_harness();
    TC.consumer = &sc;
    handshake();
    /* 0..100 and 200..300 from the client; 100..200 never captured but ACKed */
    struct pkt p = mkpkt(CL, ACK | PSH, CI + 1, SI + 1, 100);
    feed(&p);
    p = mkpkt(CL, ACK | PSH, CI + 201, SI + 1, 100);
    p.payload = PAYLOAD + 200;
    feed(&p);
    CU_ASSERT_EQUAL(k.next[SIDE_CLIENT], 100);
    p = mkpkt(SV, ACK, SI + 1, CI + 301, 0);
    feed(&p);
    CU_ASSERT_EQUAL(k.next[SIDE_CLIENT], 300);
    CU_ASSERT_EQUAL(k.gaps[SIDE_CLIENT], 100);
    CU_ASSERT_EQUAL(memcmp(k.buf[SIDE_CLIENT], PAYLOAD, 100), 0);
    CU_ASSERT_EQUAL(memcmp(k.buf[SIDE_CLIENT] + 200, PAYLOAD + 200, 100), 0);
    /* the server answers; its FIN's sequence slot is not a gap */
    p = mkpkt(SV, ACK | PSH, SI + 1, CI + 301, 50);
    feed(&p);
    p = mkpkt(SV, FIN | ACK, SI + 51, CI + 301, 0);
    feed(&p);
    p = mkpkt(CL, ACK, CI + 301, SI + 52, 0);
    feed(&p);
    finish();
    CU_ASSERT_EQUAL(k.next[SIDE_SERVER], 50);
    CU_ASSERT_EQUAL(k.gaps[SIDE_SERVER], 0);
    CU_ASSERT_EQUAL(memcmp(k.buf[SIDE_SERVER], PAYLOAD, 50), 0);
    CU_ASSERT_EQUAL(k.bad, 0);
    finish(); /* idempotent */
    CU_ASSERT_EQUAL(k.next[SIDE_CLIENT], 300);
    done();
}

/* ---------------------------------------------------------------- the model's vocabulary */

static void test_names(void)
{
    static const char *const st[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT_1",
                                     "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"};
    for (int i = 0; i < ST_COUNT; i++)
        CU_ASSERT_STRING_EQUAL(tcp_state_name((enum tcp_state)i), st[i]);
    static const char *const hs[] = {"complete", "syn-only", "no-final-ack", "rejected", "simultaneous-open",
                                     "mid-stream"};
    for (int i = 0; i < HS_COUNT; i++)
        CU_ASSERT_STRING_EQUAL(handshake_name((enum handshake_kind)i), hs[i]);
    static const char *const td[] = {"four-way", "three-way", "simultaneous", "reset", "half-closed", "incomplete",
                                     "open"};
    for (int i = 0; i < TD_COUNT; i++)
        CU_ASSERT_STRING_EQUAL(teardown_name((enum teardown_kind)i), td[i]);
}

int main(void)
{
    static const struct unit_case handshake[] = {
        {"normal handshake", test_normal_handshake},
        {"SYN only", test_syn_only},
        {"SYN retransmitted", test_syn_retransmitted},
        {"SYN answered by RST", test_syn_rejected},
        {"no final ACK", test_no_final_ack},
        {"simultaneous open", test_simultaneous_open},
        {"simultaneous open, then ACKs", test_simultaneous_open_then_ack},
        {"SYN+ACK captured before the SYN", test_synack_before_syn},
        {"state, handshake and teardown names", test_names},
    };
    static const struct unit_case teardown[] = {
        {"four-way close", test_four_way},
        {"four-way close by the server", test_four_way_server_closes},
        {"three-way close", test_three_way},
        {"simultaneous close", test_simultaneous_close},
        {"reset (also after one FIN)", test_reset_after_fin},
        {"RST after a completed close", test_reset_after_complete_close},
        {"half-closed", test_half_closed},
        {"incomplete", test_incomplete},
    };
    static const struct unit_case mid_stream[] = {
        {"mid-stream", test_mid_stream},
        {"first packet a SYN+ACK", test_first_synack_sender_is_server},
        {"port reuse", test_port_reuse},
    };
    static const struct unit_case notes[] = {
        {"notes", test_notes},
        {"zero window alone", test_zero_window_alone},
        {"keep-alive on an idle connection", test_keep_alive_idle},
        {"relative seq/ack across 2^32", test_relative_wrap},
        {"window scaling", test_window_scaling},
        {"payload to the consumer", test_payload_to_consumer},
    };
    static const struct unit_suite suites[] = {
        {"handshake", NULL, NULL, handshake, UNIT_COUNT(handshake)},
        {"teardown", NULL, NULL, teardown, UNIT_COUNT(teardown)},
        {"mid-stream and port reuse", NULL, NULL, mid_stream, UNIT_COUNT(mid_stream)},
        {"notes and numbers", NULL, NULL, notes, UNIT_COUNT(notes)},
    };
    return unit_run_suites(suites, UNIT_COUNT(suites));
}
