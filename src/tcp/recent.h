/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * recent.h - the 4-tuples of recently finished connections and the sequence
 * space each side used, kept for a TIME_WAIT-like while after the connection
 * was written out, so that a late FIN, ACK or RST of it (a FIN retransmitted
 * 13 s later, a RST long after the peer's FIN) is recognised as late instead
 * of becoming a new 1-packet mid-stream connection.
 *
 * A fixed-size table (sized at creation, so its memory is known up front):
 * four entries per bucket, chosen by a hash under the process's secret key
 * (siphash.h: the wire cannot aim at one bucket); when a bucket is full the
 * entry that expires first makes room.  Losing an entry early only means a late packet may
 * again look like a new connection.
 */
#ifndef SYNFIN_RECENT_H
#define SYNFIN_RECENT_H

#include <stddef.h>
#include <stdint.h>

#include "tcp.h"
#include "decode.h"

/* How long a finished connection's sequence space is remembered: Linux's TIME_WAIT. */
#define RECENT_KEEP_NS (60LL * 1000000000LL)

struct recent;

/* A table of about `bytes` (rounded down to a power of two of entries, at least 1024). */
struct recent *recent_new(size_t bytes);
void recent_free(struct recent *rt);
size_t recent_memory(const struct recent *rt);

/* Remember a connection as it is finalized (its tracker knows the sequence spaces). */
void recent_add(struct recent *rt, const struct track *t);

/*
 * Is `p` (with no live connection, arriving at ts_ns) a late packet of a
 * connection finished in the last RECENT_KEEP_NS: the same 4-tuple, no SYN,
 * its sequence number (and acknowledgment, if any) inside the spaces the
 * two sides used?  Returns that connection's id, or 0.
 */
uint64_t recent_match(const struct recent *rt, const struct pkt *p, int64_t ts_ns);

#endif
