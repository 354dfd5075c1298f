/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conn.h - the connection record: what synfin knows about one TCP
 * connection, and all that the outputs read of it.
 *
 * Everything an output shows comes from here: the two endpoints, each
 * side's TCP state, the handshake and teardown verdicts, counters, the
 * protocol layers (each describing itself, proto.h), and (when asked for)
 * one event per packet with both states after it.  The TCP tracker
 * (tcp.h: sequence numbers, reassembly, the flow table's links, memory
 * accounting) fills it and is freed when the connection is finalized; the
 * record goes on to the outputs, which know nothing of the tracker.
 *
 * Sides are indexed by role: SIDE_CLIENT (0) and SIDE_SERVER (1).
 */
#ifndef SYNFIN_CONN_H
#define SYNFIN_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "proto.h"
#include "zeek.h"

enum { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

#define CONN_IFACES 4 /* interfaces kept per connection (capture_pkt.iface); more are not listed */

/* RFC 9293 section 3.3.2 names, as a passive observer infers them. */
enum tcp_state {
    ST_CLOSED,
    ST_LISTEN,
    ST_SYN_SENT,
    ST_SYN_RECV,
    ST_ESTABLISHED,
    ST_FIN_WAIT_1,
    ST_FIN_WAIT_2,
    ST_CLOSE_WAIT,
    ST_CLOSING,
    ST_LAST_ACK,
    ST_TIME_WAIT,
    ST_COUNT
};

enum handshake_kind {
    HS_COMPLETE,
    HS_SYN_ONLY,
    HS_NO_FINAL_ACK,
    HS_REJECTED,
    HS_SIMULTANEOUS_OPEN,
    HS_MID_STREAM,
    HS_COUNT
};

enum teardown_kind {
    TD_FOUR_WAY,
    TD_THREE_WAY,
    TD_SIMULTANEOUS,
    TD_RESET,
    TD_HALF_CLOSED,
    TD_INCOMPLETE,
    TD_OPEN,
    TD_COUNT
};

enum app_kind {
    APP_NONE, APP_UNKNOWN, APP_TLS, APP_HTTP,
    /* clear-text protocols that can upgrade to TLS, and tunnels (while TLS never started) */
    APP_SMTP, APP_IMAP, APP_POP3, APP_FTP, APP_LDAP, APP_XMPP, APP_NNTP, APP_POSTGRESQL, APP_MYSQL,
    APP_SOCKS4, APP_SOCKS5,
    APP_COUNT
};

/* A protocol message drawn on the ladder beside the packet that carried its
 * last byte: several may share one packet (a TLS flight in one segment).
 * The kinds say where a message stands in the connection's story; what it
 * is, its layer's protocol says (proto.h), by its code. */
enum app_msg_kind {
    MSG_HANDSHAKE,     /* a protocol's negotiation: the TLS handshake, ChangeCipherSpec, ... */
    MSG_ALERT,
    MSG_DATA,          /* bulk application data: a run of it may fold into one line */
    MSG_REQUEST, MSG_RESPONSE,
    MSG_MARK,          /* not a message: a point in the story ("TLS session established") */
    MSG_NOTE,          /* something the parser could not follow */
};
#define APP_MSG_LABEL 80
struct app_msg {
    uint32_t event;          /* index of the packet event it belongs to */
    uint8_t from;            /* SIDE_CLIENT or SIDE_SERVER */
    uint8_t kind;            /* enum app_msg_kind */
    uint8_t layer;           /* the protocol layer that said it: index into conn.layers */
    uint16_t code;           /* what its protocol calls it: a handshake type, an alert, ... */
    char label[APP_MSG_LABEL];
    uint8_t *data;           /* decrypted content, for the detail pane (owned; NULL when none) */
    uint32_t data_len;
};


/* The VLAN tags and tunnels the connection's first packet came through (decode.h). */
struct conn_encap {
    uint8_t nvlan;           /* tags seen; vlan[] keeps the first PKT_VLAN_MAX */
    uint8_t nencap;
    uint16_t vlan[PKT_VLAN_MAX];
    struct encap encap[];    /* nencap of them, outermost first */
};

/* Analysis notes on one packet (Wireshark's tcp.analysis.* in spirit). */
enum {
    NOTE_RETRANSMISSION = 1 << 0,
    NOTE_SPURIOUS_RETRANSMISSION = 1 << 1,
    NOTE_OUT_OF_ORDER = 1 << 2,
    NOTE_DUP_ACK = 1 << 3,
    NOTE_ZERO_WINDOW = 1 << 4,
    NOTE_WINDOW_UPDATE = 1 << 5,
    NOTE_KEEP_ALIVE = 1 << 6,
    NOTE_LOST_SEGMENT = 1 << 7,
    NOTE_TRUNCATED = 1 << 8,
    NOTE_BAD_IP_LENGTH = 1 << 9,   /* the IPv4 total length passed the uncut frame (bytes there used) */
    NOTE_REASSEMBLED = 1 << 10,    /* the segment was put together from IP fragments */
    NOTE_COUNT_ = 11
};

/* One packet as the ladder shows it. */
struct event {
    int64_t ts_ns;
    int64_t offset;          /* where the packet's record lies in the file, -1: nowhere */
    uint64_t frame;          /* 1-based packet number in the capture */
    uint32_t rel_seq, rel_ack;
    uint32_t len;            /* payload length the headers claim */
    uint32_t win;            /* scaled when both SYNs agreed on scaling */
    uint16_t notes;
    uint8_t from;            /* SIDE_CLIENT or SIDE_SERVER: who sent it */
    uint8_t flags;           /* TH_* */
    uint8_t state[2];        /* each side's state after this packet */
};

/* What reassembly counted of one side's bytes (the tracker's streams keep it current). */
struct payload_count {
    uint64_t bytes;          /* distinct payload bytes it sent, by sequence number (retransmissions once) */
    uint64_t gap_bytes;      /* of its bytes, those reassembly reported missing */
    uint64_t over_budget;    /* out-of-order bytes not kept: the reassembly budget was spent */
    uint64_t holes_given_up; /* holes skipped because too many segments waited behind them */
};

/* One side of a connection, as sender: what the outputs read of it. */
struct side {
    uint8_t addr[PKT_ADDR_MAX];
    uint16_t port;
    uint8_t state;           /* enum tcp_state after the last packet */
    uint8_t wscale;          /* 0xff: no window-scale option on its SYN */
    uint64_t packets, syn, synack, fin, rst;
    uint64_t retransmissions, out_of_order, dup_acks, zero_windows, window_updates, lost_segments, keep_alives;
    struct payload_count payload;
};

/* The small fields lie together: a SYN flood holds millions of records. */
struct conn {
    uint64_t id;             /* rank of its first packet among connections */
    uint8_t ipver;
    uint8_t handshake;       /* enum handshake_kind */
    uint8_t teardown;        /* enum teardown_kind, computed by tcp_finish */
    int8_t closed_by;        /* SIDE_*, or -1 */
    uint8_t app_kind;        /* enum app_kind: set by the protocol layer */
    uint8_t start_state[2];  /* each side's state before its first packet */
    uint8_t nifaces;
    uint32_t ifaces[CONN_IFACES];        /* the capture's interfaces its packets came on, first seen first */
    uint16_t link;           /* link type of the capture (decode.h) */
    uint8_t evicted;         /* finalized early because memory ran short (--memcap) */
    uint8_t events_capped;   /* its events stopped being kept: memory ran short */
    uint8_t keep_events;     /* events are kept (only when an output asks for them) */
    uint8_t nlayers;         /* protocol layers in layers[] */
    uint8_t app_layer;       /* the layer its app_kind names (the one TCP's bytes ended in) */
    int64_t first_ts_ns, last_ts_ns;
    int64_t first_offset, last_offset; /* file offsets of its first and last packet (-1: none) */
    int64_t hs_rtt_ns;       /* -1 until the handshake completes (or when its SYN came late) */
    uint64_t syn_retransmits;
    uint64_t packets;
    uint64_t truncated_packets;

    /* how its packets came (decode.h) */
    struct conn_encap *encap;       /* its first packet's VLAN tags and tunnels; NULL when it had none */
    uint64_t offload_packets;       /* IP length 0 (segmentation offload, BIG TCP) or a jumbogram */
    uint64_t bad_ip_length_packets; /* IPv4 total length beyond an uncut frame */
    uint64_t reassembled_packets;   /* segments put together from IP fragments */
    uint64_t fragment_anomalies;    /* of those, ones with tiny or overlapping fragments */

    struct side side[2];
    struct zeek_conn zeek;   /* conn_state and history as Zeek derives them (zeek.c) */

    /* events (when keep_events) */
    struct event *events;
    size_t nevents, cap_events;
    uint64_t events_dropped;
    struct app_msg *msgs;    /* protocol messages on the ladder, with the events */
    size_t nmsgs, cap_msgs;

    /* its protocols, outermost first (TLS, then the HTTP inside it), each describing itself through
     * the registry (proto.h): no output names a protocol */
    struct proto_layer *layers;      /* PROTO_LAYERS_MAX of them once a protocol started (owned); NULL before */
    void *owned_summaries;           /* copies of the summaries when the connection outlives its parsers */
};

const char *tcp_state_name(enum tcp_state s);
const char *handshake_name(enum handshake_kind h);
const char *teardown_name(enum teardown_kind t);
const char *app_name(enum app_kind a);
/* Names of the NOTE_* bits in bit order, e.g. "retransmission". */
const char *note_name(unsigned bit);

/* Bytes the record holds now (its events, messages and layers; the tracker and the parsers count theirs). */
size_t conn_memory(const struct conn *c);

/* "ADDR:PORT" or "[v6]:PORT" for one side. */
void conn_endpoint_str(const struct conn *c, int side, char *buf, size_t len);
/* One side's address alone ("" when it cannot be written). */
void conn_addr_str(const struct conn *c, int side, char *buf, size_t len);

struct conn *conn_new(uint64_t id, const struct pkt *p, int from_is_client, int64_t ts_ns);
void conn_free(struct conn *c);
/* Append an event; returns 0, or -1 when memory ran out (counted). */
int conn_add_event(struct conn *c, const struct event *e);
/* Append a protocol message to the packet event being built (when events are kept). */
void conn_add_msg(struct conn *c, int layer, int from, enum app_msg_kind kind, uint16_t code, const char *label);
/* The same with content to show (a copy of at most APP_MSG_DATA_MAX bytes is kept). */
#define APP_MSG_DATA_MAX 4096
void conn_add_msg_data(struct conn *c, int layer, int from, enum app_msg_kind kind, uint16_t code,
                       const char *label, const uint8_t *data, size_t len);

#endif
