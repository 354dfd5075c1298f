/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * follow.h - a connection's stream as Wireshark's "Follow TCP Stream"
 * shows it: the payload of both directions, each put in sequence order
 * (retransmitted bytes once, out-of-order ones in their place), the holes
 * marked as gaps, the two directions interleaved in the order the packets
 * came.  With a key log the decrypted application data takes the TCP
 * payload's place.  No curses: the interface draws the pieces.
 */
#ifndef SYNFIN_FOLLOW_H
#define SYNFIN_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

struct follow_piece {
    uint8_t dir;         /* SIDE_CLIENT: the client's bytes */
    uint8_t gap;         /* `len` bytes that were never seen (no data) */
    uint8_t cut;         /* the bytes kept of a record are its first ones only */
    uint32_t event;      /* the packet it came in */
    uint64_t len;
    size_t at;           /* its bytes in follow.data */
};

struct follow {
    struct follow_piece *p;
    size_t n, cap;
    uint8_t *data;
    size_t len, data_cap;
    uint64_t bytes[2], gaps[2];  /* by direction */
    int decrypted;       /* the pieces are decrypted application data */
    int truncated;       /* stopped at the byte budget */
    uint64_t unread;     /* packets whose bytes could not be read (their payload counts as gaps) */
};

/* The captured bytes of event i's packet: its length (0: not available); *dlt set. */
typedef uint32_t (*follow_packet_fn)(void *ctx, uint32_t event, const uint8_t **data, uint32_t *wirelen, int *dlt);

/* Build the stream of c, keeping at most `budget` bytes of payload.  0, or -1 when memory ran out. */
int follow_build(struct follow *f, const struct conn *c, follow_packet_fn get, void *ctx, size_t budget);
void follow_free(struct follow *f);

#endif
