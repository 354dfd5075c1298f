/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * multi_view.h - several connections on one sequence diagram, as sngrep's
 * call flow of several dialogs or Wireshark's flow graph draw them, with
 * the TCP states and the protocol messages neither shows:
 *
 *   time      10.0.0.2          10.0.0.1:443       10.0.0.3
 *   0.000000  │ #1 :40000 → :443 SYN seq=0 len=0 │
 *             ├SYN_SENT ───────────── SYN_RECV ▶│
 *   0.000310  │                                  │ #2 :443 → :51000 ...
 *
 * One lifeline per endpoint address (the clients' first, in the order they
 * appear, then the servers'), every packet of every connection in time
 * order, the ports in the arrow's label, each connection's arrows tinted
 * with its own colour (lspan.tint), each side's state written on the arrow
 * where it changes (the sender's at its tail, the receiver's at its head),
 * the messages a packet's sender completed in it under its label.  Lines
 * come out as the single ladder's do (ladder_view.h), so one drawing code
 * shows both.
 */
#ifndef SYNFIN_MULTI_VIEW_H
#define SYNFIN_MULTI_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "ladder_view.h"

#define MULTI_MAX 32    /* connections on one diagram */
#define MULTI_LIVES 16  /* lifelines */

struct multi_entry {
    uint8_t conn;           /* index into the document's connections */
    uint32_t event;
    uint32_t msg_first, msg_count;
    uint8_t state[2], changed[2];
    uint64_t line0;         /* its first line */
    uint16_t nlines;
};

struct multi_doc {
    const struct conn *c[MULTI_MAX];
    size_t nc;
    int life_of[MULTI_MAX][2];    /* each connection's client and server lifeline */
    char life_name[MULTI_LIVES][64];
    int life_x[MULTI_LIVES];
    int nlives;
    int width;                    /* the diagram's columns (may be more than asked: lifelines need room) */
    int ascii;
    int64_t t0;                   /* the first packet's time */
    char title[160];
    struct multi_entry *e;
    size_t ne;
    uint32_t header_lines;
    uint64_t total_lines;
};

/* Lay out the connections (their events kept) on one diagram for `width` columns.  0, or -1 when memory
 * ran out or they are more than MULTI_MAX, or their addresses more than MULTI_LIVES. */
int multi_doc_build(struct multi_doc *d, const struct conn *const *c, size_t n, int width, int ascii,
                    const char *title);
/* Lines [from, from + n) into out; how many there were. */
size_t multi_doc_lines(const struct multi_doc *d, uint64_t from, size_t n, struct lline *out);
void multi_doc_free(struct multi_doc *d);

#endif
