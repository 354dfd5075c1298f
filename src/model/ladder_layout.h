/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ladder_layout.h - what a sequence diagram of one connection says, without
 * drawing it: one row per event with its label, its analysis tag, the state
 * labels that change on it, the protocol messages it carried (a TLS flight
 * in one segment is several arrows), and where a phase (TCP handshake, TLS
 * handshake, data, teardown) begins.  Plain functions, no I/O: the text ladder draws these
 * rows with characters, the TUI will draw the same rows with curses.
 */
#ifndef SYNFIN_LADDER_LAYOUT_H
#define SYNFIN_LADDER_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

#define LADDER_LABEL_MAX 128
#define LADDER_TAG_MAX 96

struct ladder_row {
    int64_t t_ns;                  /* the event's time */
    uint8_t from;                  /* SIDE_CLIENT: arrow to the right */
    char label[LADDER_LABEL_MAX];  /* "PSH+ACK seq=1 ack=1 len=90 win=502" */
    char tag[LADDER_TAG_MAX];      /* analysis notes, "" when none: "retransmission, dup-ack" */
    uint8_t state[2];              /* each side's state after the event */
    uint8_t changed[2];            /* that side's state changed on this event */
    const char *phase;             /* a phase starts at this row: its name, else NULL */
    size_t msg_first, msg_count;   /* the protocol messages it carried: c->msgs[first ..] */
};

/* The phases, in the order a connection lives them; a phase never goes back.  A protocol's
 * own negotiation (the TLS handshake; SMTP before its STARTTLS) is a phase of its own, one per
 * layer (LADDER_PHASE_PROTO + the layer's index), named by the protocol. */
enum ladder_phase {
    LADDER_PHASE_NONE, LADDER_PHASE_HANDSHAKE, LADDER_PHASE_PROTO,
    LADDER_PHASE_DATA = LADDER_PHASE_PROTO + PROTO_LAYERS_MAX, LADDER_PHASE_TEARDOWN
};

/* Carried from one row to the next: start with {0} for row 0. */
struct ladder_cursor {
    enum ladder_phase phase;
    size_t next_msg;
    char phase_text[32];           /* a protocol's phase: "TLS 1.2 handshake" */
};

/* The states both sides are drawn with before the first event. */
void ladder_initial_states(const struct conn *c, uint8_t st[2]);

/* Lay out event `i` of `c`, rows in order 0, 1, ... with the same cursor. */
void ladder_row(const struct conn *c, size_t i, struct ladder_cursor *cur, struct ladder_row *r);

/* "SYN+ACK", "PSH+ACK", "FIN+ACK", "RST", "none" for TH_* bits. */
void ladder_flags_str(uint8_t flags, char *buf, size_t len);

#endif
