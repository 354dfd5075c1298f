/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_tcp.c - the TCP observer (tcp.c) and per-direction reassembly
 * (stream.c) on a synthetic connection, with a consumer that checks the
 * stream contract of stream.h: bytes (and gaps) are delivered in sequence
 * order, each offset exactly once, contiguously from 0; held bytes never
 * exceed the budget; after tcp_finish nothing is held and every extent
 * seen was delivered.  When a side's payload is synthetic, each byte is a
 * function of its sequence number, so the delivered bytes are checked too
 * (all copies agree, so "first copy wins" cannot blur the check).
 *
 * Input: a 12-byte header, then records.
 *   header: client ISN (4), server ISN (4), budget selector (1), client
 *           window scale (1), server window scale (1), spare (1)
 *   record: [ctl][flags][seq delta:2][ack delta:2][window:2][len:2][cap:1]
 *           then, when ctl bit 1 is set, `len` raw payload bytes
 *   ctl bit 0: sent by B (the server side's address), else by A
 *       bit 1: raw payload from the input (else synthetic, checked)
 *       bit 2: deltas are in units of 64 KiB (far jumps, wrap-around)
 *       bit 3: 100 ms pass before it (else 50 us)
 *       bit 4: the payload is cut by the snaplen: `cap` bytes captured
 *       bit 5: the TCP options carry window scale (from the header)
 * seq = the sender's next sequence number + delta; ack = the peer's next + delta.
 * A bare SYN that tcp_syn_starts_new accepts finishes the connection and
 * starts a new one, as pipeline.c does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "decode.h"
#include "stream.h"
#include "tcp.h"

#include "fuzz_common.h"

#define PORT_A 40000
#define PORT_B 443

static uint8_t synth(uint32_t seq)
{
    uint32_t x = seq * 2654435761u;
    return (uint8_t)(x >> 24 ^ x >> 11);
}

struct checker {
    struct conn *c;       /* the record */
    struct track *t;      /* its tracker */
    uint64_t expect[2];   /* per endpoint (0: A, 1: B): the next offset due */
    int raw[2];           /* this endpoint sent raw (unchecked) payload */
    uint64_t delivered_bytes[2], gap_bytes[2];
};

/* The stream of side `dir` belongs to endpoint A or B: sides can swap (take_roles_from_syn). */
static int endpoint_of(const struct checker *k, int dir) { return k->c->side[dir].port == PORT_A ? 0 : 1; }

/* Offset of the first byte of p[0..len) that is not the synthetic byte of its sequence number, or len. */
static FUZZ_NOCOV size_t synth_mismatch(const uint8_t *p, size_t len, uint32_t seq)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != synth(seq + (uint32_t)i))
            return i;
    return len;
}

__attribute__((no_sanitize("address"))) static FUZZ_NOCOV void synth_fill(uint8_t *p, size_t len, uint32_t seq)
{
    for (size_t i = 0; i < len; i++)
        p[i] = synth(seq + (uint32_t)i);
}

static FUZZ_NOCOV void touch(const uint8_t *p, size_t len)
{
    volatile uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= p[i];
    (void)x;
}

static void on_data(void *ctx, int dir, uint64_t off, const uint8_t *p, size_t len)
{
    struct checker *k = ctx;
    FUZZ_CHECK(dir == 0 || dir == 1, "dir %d", dir);
    int ep = endpoint_of(k, dir);
    FUZZ_CHECK(len > 0, "empty delivery");
    FUZZ_CHECK(off == k->expect[ep], "data at offset %llu, expected %llu (dir %d, len %zu)",
               (unsigned long long)off, (unsigned long long)k->expect[ep], dir, len);
    if (!k->raw[ep]) {
        uint32_t base = k->t->side[dir].stream.base_seq;
        size_t i = synth_mismatch(p, len, base + (uint32_t)off);
        FUZZ_CHECK(i == len, "byte at offset %llu is %02x, the segment carried %02x (base %u)",
                   (unsigned long long)(off + i), p[i], synth(base + (uint32_t)(off + i)), base);
    } else {
        touch(p, len);
    }
    k->expect[ep] += len;
    k->delivered_bytes[ep] += len;
}

static void on_gap(void *ctx, int dir, uint64_t off, uint64_t len)
{
    struct checker *k = ctx;
    FUZZ_CHECK(dir == 0 || dir == 1, "dir %d", dir);
    int ep = endpoint_of(k, dir);
    FUZZ_CHECK(len > 0, "empty gap");
    FUZZ_CHECK(off == k->expect[ep], "gap at offset %llu, expected %llu (dir %d, len %llu)",
               (unsigned long long)off, (unsigned long long)k->expect[ep], dir, (unsigned long long)len);
    k->expect[ep] += len;
    k->gap_bytes[ep] += len;
}

static void check_conn(const struct checker *k, size_t budget)
{
    const struct conn *c = k->c;
    for (int i = 0; i < 2; i++) {
        const struct side *s = &c->side[i];
        const struct stream *st = &k->t->side[i].stream;
        int ep = endpoint_of(k, i);
        FUZZ_CHECK(s->state < ST_COUNT, "side %d state %u", i, s->state);
        FUZZ_CHECK(st->held_bytes <= budget, "side %d holds %zu bytes, budget %zu", i, st->held_bytes, budget);
        FUZZ_CHECK(st->delivered == k->expect[ep], "side %d: stream delivered %llu, consumer got %llu", i,
                   (unsigned long long)st->delivered, (unsigned long long)k->expect[ep]);
        FUZZ_CHECK(st->count == &s->payload, "side %d counts into another side's record", i);
        FUZZ_CHECK(s->payload.gap_bytes == k->gap_bytes[ep], "side %d: gap_bytes %llu, consumer got %llu", i,
                   (unsigned long long)s->payload.gap_bytes, (unsigned long long)k->gap_bytes[ep]);
        FUZZ_CHECK(st->delivered <= st->highest, "side %d: delivered %llu past highest %llu", i,
                   (unsigned long long)st->delivered, (unsigned long long)st->highest);
    }
    FUZZ_CHECK(c->handshake < HS_COUNT && c->teardown < TD_COUNT, "verdicts %u %u", c->handshake, c->teardown);
    FUZZ_CHECK(c->closed_by >= -1 && c->closed_by <= 1, "closed_by %d", c->closed_by);
}

static void check_finished(const struct checker *k)
{
    for (int i = 0; i < 2; i++) {
        const struct stream *st = &k->t->side[i].stream;
        FUZZ_CHECK(st->held == NULL && st->held_bytes == 0 && st->held_count == 0,
                   "side %d: %u extents (%zu bytes) still held after tcp_finish", i, st->held_count, st->held_bytes);
        FUZZ_CHECK(st->delivered == st->highest, "side %d: after tcp_finish delivered %llu != highest %llu", i,
                   (unsigned long long)st->delivered, (unsigned long long)st->highest);
        FUZZ_CHECK(k->c->side[i].payload.bytes <= st->highest, "side %d: unique %llu > highest %llu", i,
                   (unsigned long long)k->c->side[i].payload.bytes, (unsigned long long)st->highest);
    }
    FUZZ_CHECK(k->t->final_, "final_ not set");
}

static const size_t budgets[] = {0, 1, 7, 100, 1500, 65536, (size_t)1 << 20};

static void finish(struct checker *k, const struct tcp_ctx *tc)
{
    tcp_finish(k->t, tc);
    check_conn(k, tc->reasm_budget);
    check_finished(k);
    track_free(k->t);
    conn_free(k->c);
    k->c = NULL;
    k->t = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12 || size > 65536)
        return 0;
    struct fin in;
    fin_init(&in, data, size);
    uint32_t next[2];
    next[0] = fin_u32(&in);
    next[1] = fin_u32(&in);
    size_t budget = budgets[fin_u8(&in) % (sizeof budgets / sizeof budgets[0])];
    uint8_t wscale[2] = {fin_u8(&in), fin_u8(&in)};
    (void)fin_u8(&in);

    struct checker k;
    memset(&k, 0, sizeof k);
    struct stream_consumer sc = {&k, on_data, on_gap};
    struct tcp_ctx tc = {budget, &sc};
    uint8_t *payload_buf = malloc(65536);
    if (!payload_buf)
        return 0;
    int64_t ts = 1700000000ll * 1000000000;
    uint64_t frame = 0, id = 0;

    while (fin_left(&in) >= 11) {
        uint8_t ctl = fin_u8(&in);
        uint8_t flags = fin_u8(&in);
        int16_t dseq = (int16_t)fin_u16(&in);
        int16_t dack = (int16_t)fin_u16(&in);
        uint16_t win = fin_u16(&in);
        uint16_t len = fin_u16(&in);
        uint8_t cap = fin_u8(&in);
        int from_b = ctl & 1;
        uint32_t unit = (ctl & 4) ? 65536u : 1u;
        ts += (ctl & 8) ? 100000000 : 50000;

        struct pkt p;
        memset(&p, 0, sizeof p);
        p.ipver = 4;
        uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
        memcpy(p.src, from_b ? b : a, 4);
        memcpy(p.dst, from_b ? a : b, 4);
        p.sport = from_b ? PORT_B : PORT_A;
        p.dport = from_b ? PORT_A : PORT_B;
        p.seq = next[from_b] + (uint32_t)(int32_t)dseq * unit;
        p.ack = next[!from_b] + (uint32_t)(int32_t)dack * unit;
        p.flags = flags;
        p.win = win;
        p.opt.wscale = (ctl & 32) ? wscale[from_b] : 0xff;
        p.ttl = 64;
        p.tcp_hlen = 20;
        p.seg_len = len;
        uint32_t data_seq = p.seq + ((flags & TH_SYN) ? 1u : 0u);
        uint32_t caplen = len;
        if (ctl & 16) {
            caplen = cap < len ? cap : len;
            p.truncated = caplen < len;
        }
        if (ctl & 2) {
            size_t got;
            const uint8_t *raw = fin_take(&in, caplen, &got);
            memcpy(payload_buf, raw, got);
            caplen = (uint32_t)got;
            p.truncated = caplen < len;
            k.raw[from_b] = 1;
        } else {
            synth_fill(payload_buf, caplen, data_seq);
        }
        p.payload_caplen = caplen;
        p.payload = caplen ? payload_buf : NULL;
        next[from_b] = data_seq + len + ((flags & TH_FIN) ? 1u : 0u);

        frame++;
        int from;
        if (k.c) {
            from = k.c->side[SIDE_CLIENT].port == p.sport ? SIDE_CLIENT : SIDE_SERVER;
            if ((p.flags & (TH_SYN | TH_ACK)) == TH_SYN && tcp_syn_starts_new(k.t, from, &p)) {
                finish(&k, &tc);
                memset(k.expect, 0, sizeof k.expect);
                memset(k.raw, 0, sizeof k.raw);
                memset(k.gap_bytes, 0, sizeof k.gap_bytes);
                if (ctl & 2)
                    k.raw[from_b] = 1;
            }
        }
        if (!k.c) {
            int client_first = tcp_first_sender_is_client(&p);
            k.c = conn_new(++id, &p, client_first, ts);
            if (!k.c || !(k.t = track_new(k.c))) {
                conn_free(k.c);
                k.c = NULL;
                break;
            }
            tcp_start(k.t, &p);
            from = client_first ? SIDE_CLIENT : SIDE_SERVER;
            FUZZ_CHECK(k.c->side[from].port == p.sport, "conn_new put the sender on the wrong side");
        }
        k.c->keep_events = 1;
        struct event ev;
        tcp_packet(k.t, from, &p, ts, frame, &tc, &ev);
        (void)conn_add_event(k.c, &ev);
        FUZZ_CHECK(ev.from <= 1 && ev.state[0] < ST_COUNT && ev.state[1] < ST_COUNT, "event from %u states %u/%u",
                   ev.from, ev.state[0], ev.state[1]);
        FUZZ_CHECK(k.c->side[ev.from].port == p.sport, "event says side %u sent it, that is port %u, not %u",
                   ev.from, k.c->side[ev.from].port, p.sport);
        check_conn(&k, budget);
    }
    if (k.c)
        finish(&k, &tc);
    free(payload_buf);
    return 0;
}
