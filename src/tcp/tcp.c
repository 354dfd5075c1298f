/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp.c - what a passive observer can infer about a TCP connection
 * (RFC 9293 section 3.3.2 state diagram, seen from the wire).
 *
 * A side's state changes on the row where the capture shows it (see
 * move_states); a SYN and SYN+ACK with no final ACK leave SYN_SENT and
 * SYN_RECV.  The handshake and teardown verdicts follow the rules
 * documented in synfin(1), computed incrementally so a live view is always
 * current.
 */
#include "tcp.h"

#include <stdlib.h>
#include <string.h>

#include "seq.h"

#define OOO_DEFAULT_NS 3000000 /* out-of-order if the hole is younger than this (or the RTT) */

static int bare_syn(const struct pkt *p) { return (p->flags & (TH_SYN | TH_ACK)) == TH_SYN; }

struct track *track_new(struct conn *c)
{
    struct track *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->c = c;
    t->syn_ts_ns = -1;
    t->first_fin_by = t->first_rst_by = -1;
    for (int i = 0; i < 2; i++)
        stream_init(&t->side[i].stream, &c->side[i].payload);
    return t;
}

void track_free(struct track *t)
{
    if (!t)
        return;
    for (int i = 0; i < 2; i++)
        stream_free(&t->side[i].stream);
    free(t);
}

size_t track_memory(const struct track *t)
{
    /* with the allocator's header, as conn_memory counts it: a flood holds millions */
    return sizeof *t + 16 + stream_memory(&t->side[0].stream) + stream_memory(&t->side[1].stream);
}

int tcp_first_sender_is_client(const struct pkt *p)
{
    if (p->flags & TH_SYN) /* a bare SYN comes from the client, a SYN+ACK from the server */
        return !(p->flags & TH_ACK);
    /* mid-stream: the higher port is the client; ties go to the first sender */
    return p->sport >= p->dport;
}

void tcp_start(struct track *t, const struct pkt *p)
{
    struct conn *c = t->c;
    if (bare_syn(p)) {
        c->side[SIDE_CLIENT].state = ST_CLOSED;
        c->side[SIDE_SERVER].state = ST_LISTEN;
        c->handshake = HS_SYN_ONLY;
    } else {
        c->side[SIDE_CLIENT].state = ST_ESTABLISHED;
        c->side[SIDE_SERVER].state = ST_ESTABLISHED;
        c->handshake = HS_MID_STREAM;
    }
    c->start_state[SIDE_CLIENT] = c->side[SIDE_CLIENT].state;
    c->start_state[SIDE_SERVER] = c->side[SIDE_SERVER].state;
    c->teardown = TD_OPEN;
}

/* Has this side sent anything past its SYN: data, a FIN, a RST? */
static int carried(const struct track *t, int i)
{
    const struct stream *st = &t->side[i].stream;
    return st->highest || st->delivered || t->c->side[i].fin || t->c->side[i].rst;
}

static int carried_anything(const struct track *t) { return carried(t, 0) || carried(t, 1); }

/*
 * How far below the sequence numbers a side has shown a SYN of the same
 * connection may lie: the capture missed or reordered the packets between.
 * A new connection's random ISN lands in this window once in 4096.
 */
#define LATE_SYN_WINDOW (1u << 20)

/* A bare SYN from `from` whose ISN sits just below what that side already
 * sent: its own connection's SYN, captured after some of its packets. */
static int late_own_syn(const struct track *t, int from, const struct pkt *p)
{
    const struct track_side *s = &t->side[from];
    return s->has_isn && !s->syn_seen && seq_leq(p->seq, s->isn) && s->isn - p->seq < LATE_SYN_WINDOW;
}

int tcp_syn_starts_new(const struct track *t, int from, const struct pkt *p)
{
    const struct conn *c = t->c;
    const struct track_side *s = &t->side[from];
    if (t->closed)
        return !s->syn_seen || p->seq != s->isn;
    if (!t->bare_syn_seen) /* mid-stream so far: a SYN after real traffic is a new life, unless it is this one's */
        return carried_anything(t) && !late_own_syn(t, from, p);
    if (from != SIDE_CLIENT || p->seq == s->isn)
        return 0;
    /* the client tries again with a new ISN */
    switch (c->handshake) {
    case HS_SYN_ONLY:
    case HS_REJECTED:
        return 1;
    default:
        return c->side[from].state == ST_TIME_WAIT || c->side[from].state == ST_CLOSED;
    }
}

/*
 * A first bare SYN shows up on a connection that began without one: the
 * capture reordered it.  Its sender is the client.  If nothing but the
 * handshake came before it, what came before is redrawn as the handshake it
 * was; if data did, the SYN is a late copy of the connection's start, which
 * no longer counts as mid-stream, and the states stay as the data showed them.
 */
static void take_roles_from_syn(struct track *t, int from)
{
    struct conn *c = t->c;
    if (from == SIDE_SERVER) {
        struct side s = c->side[0];
        c->side[0] = c->side[1];
        c->side[1] = s;
        struct track_side ts = t->side[0];
        t->side[0] = t->side[1];
        t->side[1] = ts;
        for (int i = 0; i < 2; i++) /* each stream counts into its side's record again */
            t->side[i].stream.count = &c->side[i].payload;
        for (size_t i = 0; i < c->nevents; i++)
            c->events[i].from = (uint8_t)!c->events[i].from;
        zeek_swap_sides(&c->zeek);
    }
    if (carried_anything(t))
        return;
    /* What came before the SYN was guessed as mid-stream: redraw it as the
     * handshake it was (a SYN+ACK seen first leaves the server SYN_RECV). */
    int synack = 0;
    for (size_t i = 0; i < c->nevents; i++) {
        struct event *e = &c->events[i];
        synack |= e->from == SIDE_SERVER && (e->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
        e->state[SIDE_CLIENT] = ST_CLOSED;
        e->state[SIDE_SERVER] = synack ? ST_SYN_RECV : ST_LISTEN;
    }
    struct side *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    cl->state = c->start_state[SIDE_CLIENT] = ST_CLOSED;
    sv->state = sv->synack ? ST_SYN_RECV : ST_LISTEN;
    c->start_state[SIDE_SERVER] = ST_LISTEN;
}

/* Handshake, teardown and closed_by from what was seen so far. */
static void verdicts(struct track *t)
{
    struct conn *c = t->c;
    const struct side *sv = &c->side[SIDE_SERVER];
    const struct track_side *cl = &t->side[SIDE_CLIENT], *svt = &t->side[SIDE_SERVER];
    /* handshake */
    if (!t->bare_syn_seen)
        c->handshake = HS_MID_STREAM;
    else if (sv->syn)
        c->handshake = HS_SIMULTANEOUS_OPEN;
    else if (sv->synack)
        c->handshake = t->hs_acked ? HS_COMPLETE : HS_NO_FINAL_ACK;
    else if (sv->rst)
        c->handshake = HS_REJECTED;
    else
        c->handshake = HS_SYN_ONLY;
    /* teardown */
    c->closed_by = -1;
    if (t->first_rst_by >= 0) {
        c->teardown = TD_RESET;
        c->closed_by = t->first_rst_by;
    } else if (cl->fin_seen && svt->fin_seen) {
        c->closed_by = t->first_fin_by;
        if (!t->second_fin_acks_first)
            c->teardown = TD_SIMULTANEOUS;
        else if (!t->second_fin_acked)
            c->teardown = TD_INCOMPLETE;
        else if (t->first_fin_acked_between)
            c->teardown = TD_FOUR_WAY;
        else
            c->teardown = TD_THREE_WAY;
    } else if (cl->fin_seen || svt->fin_seen) {
        c->teardown = TD_HALF_CLOSED;
        c->closed_by = t->first_fin_by;
    } else {
        c->teardown = TD_OPEN;
    }
}

/* The sequence number just past a FIN: what its acknowledgment carries. */
static uint32_t fin_end(const struct track_side *s) { return s->fin_seq + 1; }

/* Teardown bookkeeping, before this packet's own FIN is recorded. */
static void note_teardown(struct track *t, int from, const struct pkt *p)
{
    int has_ack = p->flags & TH_ACK, fin = p->flags & TH_FIN;
    int first = t->first_fin_by;
    if (first < 0 || !has_ack)
        return;
    const struct track_side *closer = &t->side[first];
    const struct track_side *other = &t->side[!first];
    if (from != first && !other->fin_seen && !fin && p->ack == fin_end(closer))
        t->first_fin_acked_between = 1;
    if (from == first && other->fin_seen && p->ack == fin_end(other))
        t->second_fin_acked = 1;
}

static void record_fin(struct track *t, int from, const struct pkt *p, uint32_t data_seq)
{
    struct track_side *s = &t->side[from];
    t->c->side[from].fin++;
    if (s->fin_seen)
        return;
    s->fin_seen = 1;
    s->fin_seq = data_seq + p->seg_len;
    if (t->first_fin_by < 0) {
        t->first_fin_by = (int8_t)from;
    } else if (from != t->first_fin_by) {
        const struct track_side *closer = &t->side[t->first_fin_by];
        t->second_fin_acks_first = (p->flags & TH_ACK) && p->ack == fin_end(closer);
    }
}

/* Does this packet acknowledge the receiver's SYN?  Its FIN? */
static int acks_syn(const struct track_side *r, const struct pkt *p)
{
    return (p->flags & TH_ACK) && r->syn_seen && seq_gt(p->ack, r->isn);
}

static int acks_fin(const struct track_side *r, const struct pkt *p)
{
    return (p->flags & TH_ACK) && r->fin_seen && seq_geq(p->ack, fin_end(r));
}

/*
 * One rule on every row (synfin(1), "TCP MODEL"): a side's state changes on
 * the row where the capture shows it, which for a passive observer is
 *   - its own act: a SYN, a SYN+ACK (its answer to the peer's SYN), a FIN;
 *   - its answer to the peer's SYN or FIN: the ACK that covers it;
 *   - the acknowledgement of its own SYN or FIN by the peer.
 * So a side never moves on the row of a packet it has not yet been seen to
 * receive, and every change is an edge of RFC 9293's diagram (figure 5), or
 * two edges one segment causes (a FIN+ACK that answers a FIN: ESTABLISHED ->
 * CLOSE_WAIT -> LAST_ACK), or a RST to CLOSED.  Anything else on the wire (a
 * FIN from SYN_SENT, a SYN+ACK from CLOSED) leaves the state as it was.
 */
static void move_states(struct track *t, int from, const struct pkt *p)
{
    struct side *s = &t->c->side[from], *r = &t->c->side[!from];
    const struct track_side *ts = &t->side[from], *tr = &t->side[!from];
    uint8_t fl = p->flags;
    if (fl & TH_RST) {
        s->state = ST_CLOSED;
        r->state = ST_CLOSED;
        return;
    }
    if (acks_syn(tr, p)) {
        /* the client answers the SYN+ACK (RFC 9293: SYN_SENT -> ESTABLISHED on rcv SYN,ACK);
         * a SYN+ACK in a simultaneous open is an own act, below */
        if (s->state == ST_SYN_SENT && !(fl & TH_SYN))
            s->state = ST_ESTABLISHED;
        if (r->state == ST_SYN_RECV)
            r->state = ST_ESTABLISHED;
    }
    if (acks_fin(tr, p)) {
        switch (s->state) { /* its answer to the peer's FIN */
        case ST_SYN_RECV: /* the FIN's ACK covers the SYN too: ESTABLISHED on the way */
        case ST_ESTABLISHED: s->state = ST_CLOSE_WAIT; break;
        case ST_FIN_WAIT_1: s->state = ST_CLOSING; break;
        case ST_FIN_WAIT_2: s->state = ST_TIME_WAIT; break;
        default: break; /* the same answer again */
        }
        switch (r->state) { /* the peer's FIN acknowledged */
        case ST_FIN_WAIT_1: r->state = ST_FIN_WAIT_2; break;
        case ST_CLOSING: r->state = ST_TIME_WAIT; break;
        case ST_LAST_ACK: r->state = ST_CLOSED; break;
        default: break;
        }
    }
    if (fl & TH_SYN) {
        if (!(fl & TH_ACK)) {
            if (s->state == ST_CLOSED || s->state == ST_LISTEN)
                s->state = ST_SYN_SENT;
        } else if (s->state == ST_LISTEN || s->state == ST_SYN_SENT) {
            s->state = ST_SYN_RECV; /* it got the peer's SYN (crossed SYNs: SYN_SENT -> SYN_RECV) */
            /* crossed SYNs whose other SYN+ACK came first: that already acknowledged this
             * side's SYN, so this answer finds it ESTABLISHED (RFC 9293 figure 8) */
            if (ts->syn_seen && tr->has_ack && seq_gt(tr->last_ack, ts->isn))
                s->state = ST_ESTABLISHED;
        }
    }
    if (fl & TH_FIN) {
        if (s->state == ST_ESTABLISHED || s->state == ST_SYN_RECV)
            s->state = ST_FIN_WAIT_1;
        else if (s->state == ST_CLOSE_WAIT)
            s->state = ST_LAST_ACK;
        /* else a retransmitted FIN, or one the diagram has no edge for */
    }
}

static int finished(const struct side *s) { return s->state == ST_TIME_WAIT || s->state == ST_CLOSED; }

static uint8_t closed_level(const struct track *t)
{
    int fins = t->side[0].fin_seen && t->side[1].fin_seen;
    if (t->first_rst_by >= 0 || (fins && finished(&t->c->side[0]) && finished(&t->c->side[1])))
        return CONN_DONE;
    return fins ? CONN_CLOSING : CONN_OPEN;
}

static uint16_t analyse(struct track *t, int from, const struct pkt *p, int64_t ts_ns, uint32_t data_seq,
                        const struct tcp_ctx *tc)
{
    struct side *s = &t->c->side[from];
    struct track_side *ts = &t->side[from], *tr = &t->side[!from];
    uint8_t fl = p->flags;
    uint16_t notes = 0;
    int ctl = fl & (TH_SYN | TH_FIN | TH_RST);
    struct stream *st = &ts->stream;

    if (p->truncated)
        notes |= NOTE_TRUNCATED;
    if (p->win == 0 && !ctl)
        notes |= NOTE_ZERO_WINDOW;

    /* keep-alive: zero or one byte at one below the next expected sequence number */
    int keepalive = !ctl && p->seg_len <= 1 && st->has_base &&
                    stream_offset(st, p->seq) == (int64_t)st->highest - 1;
    if (keepalive) {
        notes |= NOTE_KEEP_ALIVE;
    } else if (p->seg_len) {
        uint64_t before = st->highest;
        enum seg_kind k = stream_segment(st, from, data_seq, p->payload, p->payload_caplen, p->seg_len,
                                         tc->reasm_budget, tc->consumer);
        int64_t thresh = t->c->hs_rtt_ns > 0 ? t->c->hs_rtt_ns : OOO_DEFAULT_NS;
        switch (k) {
        case SEG_OLD:
            notes |= NOTE_RETRANSMISSION;
            if (tr->has_ack && seq_leq(data_seq + p->seg_len, tr->last_ack))
                notes |= NOTE_SPURIOUS_RETRANSMISSION;
            break;
        case SEG_FILL:
            notes |= ts_ns - ts->highest_ts_ns < thresh ? NOTE_OUT_OF_ORDER : NOTE_RETRANSMISSION;
            break;
        case SEG_AHEAD:
            notes |= NOTE_LOST_SEGMENT;
            break;
        default:
            break;
        }
        if (st->highest > before)
            ts->highest_ts_ns = ts_ns;
    } else if ((fl & TH_SYN) && p->seq == ts->isn && ((fl & TH_ACK) ? s->synack : s->syn) > 1) {
        /* the same kind of SYN again (counted before this runs); a SYN+ACK
         * after one's own SYN is a simultaneous open, not a retransmission */
        notes |= NOTE_RETRANSMISSION;
    } else if ((fl & TH_FIN) && ts->fin_seen && data_seq == ts->fin_seq) {
        notes |= NOTE_RETRANSMISSION;
    }

    if ((fl & TH_ACK) && !ctl && p->seg_len == 0 && ts->has_ack && p->ack == ts->last_ack) {
        if (p->win != ts->last_win)
            notes |= NOTE_WINDOW_UPDATE;
        else if (!keepalive && tr->stream.has_base &&
                 stream_offset(&tr->stream, p->ack) < (int64_t)tr->stream.highest)
            notes |= NOTE_DUP_ACK;
    }

    if (notes & (NOTE_RETRANSMISSION))
        s->retransmissions++;
    if (notes & NOTE_OUT_OF_ORDER)
        s->out_of_order++;
    if (notes & NOTE_DUP_ACK)
        s->dup_acks++;
    if (notes & NOTE_ZERO_WINDOW)
        s->zero_windows++;
    if (notes & NOTE_WINDOW_UPDATE)
        s->window_updates++;
    if (notes & NOTE_LOST_SEGMENT)
        s->lost_segments++;
    if (notes & NOTE_KEEP_ALIVE)
        s->keep_alives++;
    return notes;
}

void tcp_packet(struct track *t, int from, const struct pkt *p, int64_t ts_ns, uint64_t frame,
                const struct tcp_ctx *tc, struct event *ev)
{
    struct conn *c = t->c;
    uint8_t fl = p->flags;
    int late_syn = 0;
    if (bare_syn(p) && !t->bare_syn_seen && c->handshake == HS_MID_STREAM) {
        late_syn = carried_anything(t);
        take_roles_from_syn(t, from);
        from = SIDE_CLIENT;
    }
    struct side *s = &c->side[from], *r = &c->side[!from];
    struct track_side *ts = &t->side[from], *tr = &t->side[!from];
    c->packets++;
    s->packets++;
    if (ts_ns > c->last_ts_ns)
        c->last_ts_ns = ts_ns;
    if (p->truncated)
        c->truncated_packets++;

    /* sequence bases */
    int new_isn = 0;
    if (fl & TH_SYN) {
        if (!ts->syn_seen) {
            ts->isn = p->seq;
            ts->has_isn = 1;
            if (!ts->stream.has_base)
                stream_set_base(&ts->stream, p->seq + 1);
            if (p->opt.wscale != 0xff)
                s->wscale = p->opt.wscale > 14 ? 14 : p->opt.wscale;
        } else if ((fl & TH_ACK) && p->seq != ts->isn && !carried(t, from)) {
            new_isn = 1; /* answered again with a new ISN before any data: the data follows this one */
        }
        if (fl & TH_ACK)
            s->synack++;
        else
            s->syn++;
        if (!(fl & TH_ACK) && from == SIDE_CLIENT) {
            if (!t->bare_syn_seen) {
                t->bare_syn_seen = 1;
                t->syn_ts_ns = ts_ns;
            } else {
                c->syn_retransmits++;
            }
        }
    } else if (!ts->has_isn) {
        ts->isn = p->seq - 1;
        ts->has_isn = 1;
    }
    if ((fl & TH_ACK) && !tr->has_isn) {
        tr->isn = p->ack - 1;
        tr->has_isn = 1;
    }
    uint32_t data_seq = p->seq + ((fl & TH_SYN) ? 1u : 0u);
    /* the stream counts from the new ISN before this segment's own bytes are placed (a SYN+ACK may carry
     * some); the ISN itself moves after the analysis, which tells a new SYN+ACK from a repeated one by it */
    if (new_isn)
        stream_set_base(&ts->stream, p->seq + 1);

    uint16_t notes = analyse(t, from, p, ts_ns, data_seq, tc);
    if (late_syn) { /* the connection's own SYN, captured after its data */
        notes |= NOTE_OUT_OF_ORDER;
        s->out_of_order++;
    }
    if (new_isn)
        ts->isn = p->seq;

    /* bytes the peer acknowledges but the capture never showed */
    uint64_t gap_before = r->payload.gap_bytes;
    if (fl & TH_ACK) {
        uint32_t upto = tr->fin_seen && seq_gt(p->ack, tr->fin_seq) ? tr->fin_seq : p->ack;
        stream_acked(&tr->stream, !from, upto, tc->consumer);
    }

    /* handshake completion: the client's first ACK after the SYN+ACK; its RTT when the SYN came first */
    if (from == SIDE_CLIENT && !t->hs_acked && r->synack && (fl & TH_ACK) && !(fl & (TH_SYN | TH_RST))) {
        t->hs_acked = 1;
        if (t->bare_syn_seen)
            c->hs_rtt_ns = ts_ns - t->syn_ts_ns;
    }

    note_teardown(t, from, p);
    move_states(t, from, p);
    if (fl & TH_FIN)
        record_fin(t, from, p, data_seq);
    if (fl & TH_RST) {
        s->rst++;
        if (t->first_rst_by < 0 && t->closed != CONN_DONE) /* after a complete close a RST ends nothing */
            t->first_rst_by = (int8_t)from;
    }
    if (fl & TH_SYN)
        ts->syn_seen = 1;
    if (fl & TH_ACK) {
        ts->last_ack = p->ack;
        ts->has_ack = 1;
    }
    ts->last_win = p->win;

    t->closed = closed_level(t);
    verdicts(t);
    zeek_packet(&c->zeek, from, p, r->payload.gap_bytes != gap_before);

    if (ev) {
        int scaled = !(fl & TH_SYN) && s->wscale != 0xff && r->wscale != 0xff;
        ev->ts_ns = ts_ns;
        ev->frame = frame;
        ev->rel_seq = p->seq - ts->isn;
        ev->rel_ack = (fl & TH_ACK) ? p->ack - tr->isn : 0;
        ev->len = p->seg_len;
        ev->win = scaled ? (uint32_t)p->win << s->wscale : p->win;
        ev->notes = notes;
        ev->from = (uint8_t)from;
        ev->flags = fl;
        ev->state[0] = c->side[0].state;
        ev->state[1] = c->side[1].state;
    }
}

void tcp_finish(struct track *t, const struct tcp_ctx *tc)
{
    if (t->final_)
        return;
    for (int i = 0; i < 2; i++)
        stream_flush(&t->side[i].stream, i, tc->consumer);
    verdicts(t);
    t->final_ = 1;
}
