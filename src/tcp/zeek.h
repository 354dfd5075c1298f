/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zeek.h - a connection's conn_state and history as Zeek's conn.log derives
 * them, so a Zeek user finds the fields they know (synfin(1), "ZEEK FIELDS").
 *
 * Zeek follows each endpoint through its own small state machine (INACTIVE,
 * SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET), names an
 * originator (the first packet's sender, flipped by its rules: "^"), and
 * spells what it saw as letters.  This module replays those rules beside
 * synfin's own TCP model, which it neither reads nor changes: a handful of
 * comparisons per packet, no allocation.
 */
#ifndef SYNFIN_ZEEK_H
#define SYNFIN_ZEEK_H

#include <stdint.h>

#include "decode.h"

/* Zeek's endpoint states (base/init-bare.zeek: TCP_INACTIVE ... TCP_RESET). */
enum zeek_state {
    ZK_INACTIVE,
    ZK_SYN_SENT,
    ZK_SYN_ACK_SENT,
    ZK_PARTIAL,
    ZK_ESTABLISHED,
    ZK_CLOSED,
    ZK_RESET,
};

/* Zeek's history is unbounded; ours stops at this many letters (synfin(1)). */
#define ZEEK_HISTORY_MAX 47

/* One endpoint, as Zeek's TCP_Endpoint keeps it (sequence numbers raw, 32-bit). */
struct zeek_ep {
    uint8_t state, prev_state;
    uint8_t fin_seen;
    uint8_t has_hole;        /* payload it sent was cut by the snapshot length and not yet acknowledged */
    uint32_t hole_from, hole_end;
    uint32_t start_seq, last_seq, ack_seq;
    uint32_t hist_last_syn, hist_last_fin, hist_last_rst; /* relative to start_seq */
    uint32_t rxmt_cnt, rxmt_thresh, win0_cnt, win0_thresh, gap_cnt, gap_thresh;
};

struct zeek_conn {
    struct zeek_ep ep[2];    /* indexed like conn.side: SIDE_CLIENT, SIDE_SERVER */
    uint8_t started;
    uint8_t orig;            /* which side Zeek calls the originator */
    uint8_t seen[2];         /* history letters already given once, per role (0: originator) */
    uint8_t len;
    char history[ZEEK_HISTORY_MAX + 1];
};

/*
 * One packet sent by side `from` (0 or 1).  `acked_gap`: its acknowledgement
 * revealed bytes of the peer that the capture never showed (a content gap;
 * bytes the snapshot length cut off are tracked here, as Zeek does not
 * reassemble them either).
 */
void zeek_packet(struct zeek_conn *z, int from, const struct pkt *p, int acked_gap);

/* The two sides swapped places in conn.side (a late SYN named the client): follow them. */
void zeek_swap_sides(struct zeek_conn *z);

/* conn.log's conn_state (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH). */
const char *zeek_conn_state(const struct zeek_conn *z);

/* A port Zeek's default scripts list in likely_server_ports (its originator guess). */
int zeek_likely_server_port(uint16_t port);

#endif
