/*
 * tcp.h - the TCP observer: per-endpoint states, analysis notes, handshake
 * and teardown verdicts, and the hand-off of payload to stream reassembly.
 */
#ifndef SYNFIN_TCP_H
#define SYNFIN_TCP_H

#include "conn.h"
#include "decode.h"
#include "stream.h"

struct tcp_ctx {
    size_t reasm_budget;                     /* held out-of-order bytes per direction */
    const struct stream_consumer *consumer;  /* may be NULL */
};

/* Which side starts a connection whose first packet is `p`: 1 if its sender is the client. */
int tcp_first_sender_is_client(const struct pkt *p);

/* Set the starting states of a connection just made from its first packet. */
void tcp_start(struct conn *c, const struct pkt *p);

/*
 * A bare SYN arrived from `from` on an existing connection: does it begin a
 * new connection on the same 4-tuple (port reuse)?
 */
int tcp_syn_starts_new(const struct conn *c, int from, const struct pkt *p);

/* Account one packet sent by side `from`; fill `ev` with what the ladder shows. */
void tcp_packet(struct conn *c, int from, const struct pkt *p, int64_t ts_ns, uint64_t frame,
                const struct tcp_ctx *tc, struct event *ev);

/* The connection is over: deliver held bytes (gaps for holes), settle verdicts. */
void tcp_finish(struct conn *c, const struct tcp_ctx *tc);

/* Recompute handshake, teardown and closed_by from what was seen so far. */
void tcp_verdicts(struct conn *c);

#endif
