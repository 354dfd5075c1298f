/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zeek.c - conn_state and history derived as Zeek derives them (see zeek.h).
 *
 * The rules are Zeek's, read from its TCP analyzer (TCPSessionAdapter.cc:
 * update_history, update_window, update_last_seq, the Update*State
 * functions; TCP_Endpoint.cc; Connection::FlipRoles) and from conn.log's
 * conn_state function (base/protocols/conn/main.zeek).  Where synfin and
 * Zeek differ (how connections are split on port reuse, what a content gap
 * is) synfin(1), "ZEEK FIELDS", says so; tests/zeek.sh checks the result
 * against Zeek's own test baselines.
 */
#include "zeek.h"

#include <string.h>

#include "seq.h"

/* Letters given at most once per direction ("CheckHistory" masks). */
enum { H_SYN = 1, H_FIN = 2, H_RST = 4, H_FIN_RST = 8, H_DATA = 16, H_ACK = 32, H_MULTI = 64 };

#define TOO_LARGE_SEQ_DELTA 1048576

/* Kept out of line: they run a few times per connection, not per packet. */
#if defined(__GNUC__)
#define COLD __attribute__((noinline, cold))
#define OUT_OF_LINE __attribute__((noinline))
#else
#define COLD
#define OUT_OF_LINE
#endif

int zeek_likely_server_port(uint16_t port)
{
    /* the TCP ports of `redef likely_server_ports += {...}` in Zeek's base/protocols/ scripts */
    static const uint16_t ports[] = {
        21,   22,   25,   53,   79,   80,   81,   88,   110,  135,  139,  143,  389,  443,  445,
        502,  563,  585,  587,  614,  631,  636,  750,  989,  990,  992,  993,  995,  1080, 1434,
        1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669,
        8000, 8080, 8888, 20000,
    };
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (ports[i] == port)
            return 1;
    return 0;
}

COLD static void add(struct zeek_conn *z, char code)
{
    if (z->len < ZEEK_HISTORY_MAX) {
        z->history[z->len++] = code;
        z->history[z->len] = '\0';
    }
}

/* The letter in the case of the side's role: upper for the originator. */
static char cased(const struct zeek_conn *z, int side, char upper)
{
    return side == z->orig ? upper : (char)(upper - 'A' + 'a');
}

/* Add the letter the first time for this role; 1 when it was already seen. */
COLD static int check(struct zeek_conn *z, int side, uint8_t mask, char upper)
{
    uint8_t *seen = &z->seen[side == z->orig ? 0 : 1];
    if (*seen & mask)
        return 1;
    *seen |= mask;
    add(z, cased(z, side, upper));
    return 0;
}

/* c, g, t, w: the first, the tenth, the hundredth ... occurrence. */
COLD static void scaled(struct zeek_conn *z, int side, char upper, uint32_t *count, uint32_t *thresh)
{
    if (++*count != *thresh)
        return;
    add(z, cased(z, side, upper));
    uint32_t next = *thresh * 10;
    if (next <= *thresh)
        *count = 0;
    else
        *thresh = next;
}

static void set_state(struct zeek_ep *e, uint8_t s)
{
    if (s != e->state) {
        e->prev_state = e->state;
        e->state = s;
    }
}

static void init_seqs(struct zeek_ep *e, uint32_t start, uint32_t last)
{
    e->start_seq = e->ack_seq = start;
    e->last_seq = last;
}

static void flip(struct zeek_conn *z)
{
    z->orig = (uint8_t)!z->orig;
    add(z, '^');
}

static void start(struct zeek_conn *z, int from, const struct pkt *p)
{
    memset(z, 0, sizeof *z);
    z->started = 1;
    z->orig = (uint8_t)from;
    for (int i = 0; i < 2; i++)
        z->ep[i].rxmt_thresh = z->ep[i].win0_thresh = z->ep[i].gap_thresh = 1;
    /* a connection that does not start with a bare SYN: Zeek guesses the responder by its port */
    if (!(p->flags & TH_SYN) || (p->flags & TH_ACK)) {
        if (zeek_likely_server_port(p->sport)) {
            int f = zeek_likely_server_port(p->dport) ? !(p->flags & TH_SYN) && p->sport < p->dport : 1;
            if (f)
                flip(z);
        }
    }
}

void zeek_swap_sides(struct zeek_conn *z)
{
    struct zeek_ep t = z->ep[0];
    z->ep[0] = z->ep[1];
    z->ep[1] = t;
    z->orig = (uint8_t)!z->orig;
}

/* Letters for the flags and payload (update_history). */
static void history(struct zeek_conn *z, int from, uint8_t fl, uint32_t rel, uint32_t len)
{
    struct zeek_ep *e = &z->ep[from];
    int bits = !!(fl & TH_SYN) + !!(fl & TH_FIN) + !!(fl & TH_RST);
    if (bits > 1) {
        if ((fl & TH_FIN) && (fl & TH_RST))
            check(z, from, H_FIN_RST, 'I');
        else
            check(z, from, H_MULTI, 'Q');
    } else if (bits == 1) {
        if (fl & TH_SYN) {
            char code = (fl & TH_ACK) ? 'H' : 'S';
            if (check(z, from, H_SYN, code) && rel != e->hist_last_syn)
                add(z, cased(z, from, code));
            e->hist_last_syn = rel;
        }
        if (fl & TH_FIN) { /* a FIN's number is past its data */
            if (check(z, from, H_FIN, 'F') && rel + len != e->hist_last_fin)
                add(z, cased(z, from, 'F'));
            e->hist_last_fin = rel + len;
        }
        if (fl & TH_RST) {
            if (check(z, from, H_RST, 'R') && rel != e->hist_last_rst)
                add(z, cased(z, from, 'R'));
            e->hist_last_rst = rel;
        }
    } else if (len) {
        check(z, from, H_DATA, 'D');
    } else if (fl & TH_ACK) {
        check(z, from, H_ACK, 'A');
    }
}

/* The endpoint state machine (UpdateStateMachine and the Update*State functions). */
static void states(struct zeek_conn *z, int from, const struct pkt *p)
{
    struct zeek_ep *e = &z->ep[from], *peer = &z->ep[!from];
    uint8_t fl = p->flags;
    int is_orig = from == z->orig;
    switch (e->state) {
    case ZK_INACTIVE:
        if (fl & TH_SYN) {
            if (is_orig) {
                set_state(e, (fl & TH_ACK) ? ZK_SYN_ACK_SENT : ZK_SYN_SENT);
            } else {
                if (!(fl & TH_ACK) && peer->state == ZK_SYN_ACK_SENT && p->seq == e->start_seq) {
                    flip(z); /* the SYN+ACK came before its SYN */
                    set_state(peer, ZK_ESTABLISHED);
                }
                if (peer->state == ZK_SYN_SENT)
                    set_state(peer, ZK_ESTABLISHED);
                set_state(e, ZK_ESTABLISHED);
            }
        }
        if (fl & TH_FIN)
            set_state(e, ZK_CLOSED);
        if (fl & TH_RST)
            set_state(e, ZK_RESET);
        if (e->state == ZK_INACTIVE) {
            if (!is_orig && p->seg_len == 0 && z->ep[z->orig].state == ZK_SYN_SENT)
                ; /* an ACK of the SYN before the SYN+ACK: not yet a partial connection */
            else if ((fl & TH_ACK) && peer->state == ZK_ESTABLISHED)
                set_state(e, ZK_ESTABLISHED); /* its SYN was missed */
            else
                set_state(e, ZK_PARTIAL);
        }
        break;
    case ZK_SYN_SENT:
    case ZK_SYN_ACK_SENT:
        if (fl & TH_FIN)
            set_state(e, ZK_CLOSED);
        if (fl & TH_RST)
            set_state(e, ZK_RESET);
        break;
    case ZK_ESTABLISHED:
    case ZK_PARTIAL:
        if ((fl & TH_SYN) && !(fl & TH_ACK) && e->state == ZK_PARTIAL && peer->state == ZK_INACTIVE)
            set_state(e, ZK_SYN_SENT);
        if ((fl & TH_FIN) && !(fl & TH_RST)) {
            set_state(e, ZK_CLOSED);
            if (peer->state == ZK_RESET && peer->prev_state == ZK_CLOSED)
                set_state(peer, ZK_CLOSED); /* its FIN then RST was a normal close after all */
        }
        if (fl & TH_RST)
            set_state(e, ZK_RESET);
        break;
    case ZK_CLOSED:
        if ((fl & TH_RST) && peer->state != ZK_CLOSED)
            set_state(e, ZK_RESET);
        break;
    default: /* ZK_RESET: nothing moves it */
        break;
    }
}

static int clean(const struct zeek_ep *e)
{
    return e->state == ZK_ESTABLISHED || (e->state == ZK_CLOSED && e->prev_state == ZK_ESTABLISHED);
}

/* Every rule, for any packet (the steady state below takes most packets a shorter way). */
OUT_OF_LINE static void full(struct zeek_conn *z, int from, const struct pkt *p, int acked_gap)
{
    if (!z->started)
        start(z, from, p);
    struct zeek_ep *e = &z->ep[from], *peer = &z->ep[!from];
    uint8_t fl = p->flags;
    uint32_t len = p->seg_len;
    /* the sequence space the segment takes (a RST's payload is not in the stream) */
    uint32_t seg = (fl & TH_RST) ? 0 : len;
    seg += !!(fl & TH_SYN) + !!(fl & TH_FIN);
    uint32_t past = p->seq + seg;

    /* init_endpoint */
    switch (e->state) {
    case ZK_INACTIVE:
        if (fl & TH_SYN)
            init_seqs(e, p->seq, past);
        else
            init_seqs(e, p->seq - 1, p->seq);
        break;
    case ZK_SYN_SENT:
    case ZK_SYN_ACK_SENT:
        if ((fl & TH_SYN) && p->seq != e->start_seq)
            init_seqs(e, p->seq, past);
        break;
    case ZK_ESTABLISHED:
    case ZK_PARTIAL:
        if (fl & TH_SYN)
            init_seqs(e, p->seq, past);
        break;
    case ZK_RESET:
        if ((fl & TH_SYN) && e->prev_state == ZK_INACTIVE)
            init_seqs(e, p->seq, past);
        break;
    default:
        break;
    }

    history(z, from, fl, p->seq - e->start_seq, len);

    /* update_window: a zero window, unless it comes with or after a RST, or after the peer's FIN */
    if (p->win == 0 && !(fl & TH_RST) && peer->state != ZK_CLOSED && e->state != ZK_RESET)
        scaled(z, from, 'W', &e->win0_cnt, &e->win0_thresh);

    if (fl & TH_FIN)
        e->fin_seen = 1;
    if (p->payload_caplen < len && !(fl & TH_RST)) { /* bytes Zeek's reassembler never gets */
        uint32_t from_seq = p->seq + !!(fl & TH_SYN) + p->payload_caplen, end = p->seq + !!(fl & TH_SYN) + len;
        if (!e->has_hole || seq_lt(from_seq, e->hole_from))
            e->hole_from = from_seq;
        if (!e->has_hole || seq_gt(end, e->hole_end))
            e->hole_end = end;
        e->has_hole = 1;
    }

    if (fl & TH_ACK) {
        if (peer->state == ZK_INACTIVE) {
            init_seqs(peer, p->ack - 1, p->ack - 1); /* as if its SYN had been seen */
        } else if (seq_diff(p->ack, peer->start_seq) >= 0 && !(fl & TH_RST)) {
            int32_t d = seq_diff(p->ack, peer->ack_seq);
            if (!(p->ack == 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0)
                peer->ack_seq = p->ack;
        }
    }

    /* update_last_seq: payload that does not pass the highest sequence number is a retransmission */
    int32_t delta_last = seq_diff(past, e->last_seq);
    if ((fl & (TH_SYN | TH_RST)) && (delta_last > TOO_LARGE_SEQ_DELTA || delta_last < -TOO_LARGE_SEQ_DELTA))
        ;
    else if ((fl & TH_FIN) && e->last_seq == e->start_seq + 1)
        e->last_seq = past;
    else if (e->state == ZK_RESET)
        ;
    else if (delta_last > 0)
        e->last_seq = past;
    else if (len > 0)
        scaled(z, from, 'T', &e->rxmt_cnt, &e->rxmt_thresh);

    states(z, from, p);

    /* the acknowledgement revealed a content gap in the peer's bytes: 'g' only while both are cleanly open */
    if ((fl & TH_ACK) && peer->has_hole && seq_gt(p->ack, peer->hole_from)) {
        acked_gap = 1;
        if (seq_lt(p->ack, peer->hole_end))
            peer->hole_from = p->ack;
        else
            peer->has_hole = 0;
    }
    if (acked_gap && clean(e) && clean(peer))
        scaled(z, !from, 'G', &peer->gap_cnt, &peer->gap_thresh);
}

/*
 * The steady state, most packets of most connections: both sides established, no SYN, FIN or
 * RST, a window, the payload whole, no gap.  What full() would do then, and only that: the
 * once-per-side 'a' or 'd', the peer's acknowledged edge, the sender's highest sequence number
 * or a retransmission.  A few comparisons, no call.
 */
void zeek_packet(struct zeek_conn *z, int from, const struct pkt *p, int acked_gap)
{
    struct zeek_ep *e = &z->ep[from], *peer = &z->ep[!from];
    uint8_t fl = p->flags;
    uint32_t len = p->seg_len;
    if ((fl & (TH_SYN | TH_FIN | TH_RST)) || e->state != ZK_ESTABLISHED || peer->state != ZK_ESTABLISHED ||
        !p->win || p->payload_caplen < len || acked_gap || peer->has_hole) {
        full(z, from, p, acked_gap);
        return;
    }
    uint8_t bit = len ? H_DATA : (fl & TH_ACK) ? H_ACK : 0;
    if (bit && !(z->seen[from != z->orig] & bit))
        check(z, from, bit, len ? 'D' : 'A');
    if (fl & TH_ACK) {
        int32_t d = seq_diff(p->ack, peer->ack_seq);
        if (d > 0 && seq_diff(p->ack, peer->start_seq) >= 0 && !(p->ack == 0 && d > TOO_LARGE_SEQ_DELTA))
            peer->ack_seq = p->ack;
    }
    uint32_t past = p->seq + len;
    if (seq_diff(past, e->last_seq) > 0)
        e->last_seq = past;
    else if (len)
        scaled(z, from, 'T', &e->rxmt_cnt, &e->rxmt_thresh);
}

/* Zeek's Endpoint::Size, enough to tell a rejected attempt from a reset connection. */
static int64_t ep_size(const struct zeek_ep *e, const struct zeek_ep *peer)
{
    int no_data_acked = e->ack_seq == e->start_seq || e->ack_seq == e->start_seq + 1;
    if (e->prev_state == ZK_SYN_SENT && e->state == ZK_RESET && peer->state == ZK_INACTIVE && !no_data_acked)
        return 0;
    int64_t last = seq_diff(e->last_seq, e->start_seq), ack = seq_diff(e->ack_seq, e->start_seq);
    int64_t size = last > ack ? last : ack;
    if (size > 0)
        size--;
    if (e->fin_seen && size > 0)
        size--;
    return size;
}

/* /^\^?S[^HAFGIQ]*R/ on the history (conn_state's RSTOS0 test) */
static int syn_then_rst(const char *h)
{
    if (*h == '^')
        h++;
    if (*h++ != 'S')
        return 0;
    for (; *h && !strchr("HAFGIQ", *h); h++)
        if (*h == 'R')
            return 1;
    return 0;
}

const char *zeek_conn_state(const struct zeek_conn *z)
{
    const struct zeek_ep *o = &z->ep[z->orig], *r = &z->ep[!z->orig];
    uint8_t os = o->state, rs = r->state;
    int o_inactive = os == ZK_INACTIVE || os == ZK_PARTIAL;
    int r_inactive = rs == ZK_INACTIVE || rs == ZK_PARTIAL;
    if (rs == ZK_RESET) {
        if (os == ZK_SYN_SENT || os == ZK_SYN_ACK_SENT ||
            (os == ZK_RESET && ep_size(o, r) == 0 && ep_size(r, o) == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == ZK_RESET) {
        if (r_inactive)
            return syn_then_rst(z->history) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (rs == ZK_CLOSED && os == ZK_CLOSED)
        return "SF";
    if (os == ZK_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == ZK_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == ZK_SYN_SENT && rs == ZK_INACTIVE)
        return "S0";
    if (os == ZK_ESTABLISHED && rs == ZK_ESTABLISHED)
        return "S1";
    return "OTH";
}
