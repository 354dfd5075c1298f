/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp.h - the TCP tracker: what a passive observer keeps of one connection
 * while its packets come (sequence numbers, what each side acknowledged,
 * the reassembly of both directions, the teardown's bookkeeping, the
 * parsers' state, the flow table's links and the memory it is counted
 * for), and how each packet moves the connection record (conn.h): states,
 * notes, counters, handshake and teardown verdicts.
 *
 * A track belongs to the pipeline and is freed when its connection is
 * finalized; the record it fills goes on to the outputs, which never see
 * a track.
 */
#ifndef SYNFIN_TCP_H
#define SYNFIN_TCP_H

#include "conn.h"
#include "decode.h"
#include "stream.h"

/* How far the teardown got: decides how long a connection lingers. */
enum conn_closed {
    CONN_OPEN = 0,
    CONN_CLOSING,   /* both FINs seen, a final ACK still expected */
    CONN_DONE,      /* a RST, or both FINs and their ACKs: only retransmissions can follow */
};

/* What the tracker keeps of one side, as sender. */
struct track_side {
    uint8_t syn_seen;        /* sent a SYN (bare or with ACK) */
    uint8_t fin_seen;
    uint8_t has_isn;
    uint8_t has_ack;
    uint32_t isn;            /* sequence number of its SYN, or first seq seen */
    uint32_t fin_seq;        /* sequence number the FIN occupies */
    uint32_t last_ack;       /* last acknowledgment number it sent */
    uint32_t last_win;       /* last raw window it advertised */
    int64_t highest_ts_ns;   /* when its highest sequence byte was last extended */
    struct stream stream;    /* the bytes it sent */
};

struct app_state;

struct track {
    struct conn *c;          /* the record it fills (not owned: the pipeline hands it to the sink) */
    struct track_side side[2];
    uint8_t closed;          /* enum conn_closed: how much of the teardown is over */
    uint8_t bare_syn_seen;   /* the client sent a bare SYN */
    uint8_t hs_acked;        /* the client acknowledged the server's SYN+ACK */
    uint8_t final_;          /* tcp_finish ran */
    uint8_t lru_list;        /* the flow table's age list it is on (flow.h) */

    /* teardown bookkeeping (the verdict's rules in tcp.c) */
    int8_t first_fin_by, first_rst_by;
    uint8_t second_fin_acks_first;  /* the second FIN acknowledged the first */
    uint8_t first_fin_acked_between;/* the second closer ACKed the first FIN before its own */
    uint8_t second_fin_acked;       /* the first closer ACKed the second FIN */
    int64_t syn_ts_ns;       /* first client SYN */

    /* the pipeline's */
    struct app_state *app;   /* the protocol parsers (app.h); NULL until bytes came */
    size_t mem;              /* bytes counted against the memory cap */
    size_t app_mem;          /* the parsers' part of mem, as last counted */
    size_t conn_mem;         /* the record's part, as last counted */
    uint8_t record_settled;  /* conn_mem cannot grow until events are kept again (see account) */
    struct track *lru_prev, *lru_next; /* neighbours on that list */
};

struct tcp_ctx {
    size_t reasm_budget;                     /* held out-of-order bytes per direction */
    const struct stream_consumer *consumer;  /* where reassembled bytes go; may be NULL */
};

/* A tracker for record c (NULL when out of memory); track_free frees its streams, not c nor its parsers. */
struct track *track_new(struct conn *c);
void track_free(struct track *t);
/* Bytes the tracker holds beside the record (its reassembly), for the memory cap. */
size_t track_memory(const struct track *t);

/* Which side starts a connection whose first packet is `p`: 1 if its sender is the client. */
int tcp_first_sender_is_client(const struct pkt *p);

/* Set the starting states of a connection just made from its first packet. */
void tcp_start(struct track *t, const struct pkt *p);

/*
 * A bare SYN arrived from `from` on an existing connection: does it begin a
 * new connection on the same 4-tuple (port reuse)?
 */
int tcp_syn_starts_new(const struct track *t, int from, const struct pkt *p);

/* Account one packet sent by side `from`; fill `ev` with what the ladder shows. */
void tcp_packet(struct track *t, int from, const struct pkt *p, int64_t ts_ns, uint64_t frame,
                const struct tcp_ctx *tc, struct event *ev);

/* The connection is over: deliver held bytes (gaps for holes), settle verdicts. */
void tcp_finish(struct track *t, const struct tcp_ctx *tc);

#endif
