/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flow.h - the flow table: both directions of a TCP 4-tuple map to one live
 * connection.  Open addressing with linear probing over a keyed hash
 * (SipHash-1-3 under the process's secret key, siphash.h) of every key
 * byte, grown by doubling, so millions of live connections cost O(1) each,
 * and 4-tuples crafted to collide cost no more than random ones: no entry
 * lies more than a bounded number of slots from its home, so a lookup
 * reads at most that many.  The table also keeps live connections on age
 * lists (active, closing, done) so the pipeline can expire the oldest in
 * O(1).
 */
#ifndef SYNFIN_FLOW_H
#define SYNFIN_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "tcp.h"
#include "decode.h"
#include "siphash.h"

/* Age lists, one per lifetime rule: idle timeout, closing linger, done linger. */
enum flow_list { FLOW_ACTIVE = 0, FLOW_CLOSING = 1, FLOW_DONE = 2, FLOW_LISTS };

struct flow_table;

/* A table under the process's key (flow_new_keyed: under `key`, for tests that know it). */
struct flow_table *flow_new(void);
struct flow_table *flow_new_keyed(const struct sip_key *key);
/* Free the table; live connections' trackers are the caller's (take them with flow_oldest first). */
void flow_free(struct flow_table *ft);

/* The hash of a packet's 4-tuple (either direction) under the table's key. */
uint64_t flow_hash_pkt(const struct flow_table *ft, const struct pkt *p);
/* The tracker of this packet's 4-tuple's live connection, and which side sent it. */
struct track *flow_lookup(struct flow_table *ft, const struct pkt *p, int *from);
/* Add a connection's tracker (its record's addresses and ports are the key); -1 when out of memory. */
int flow_insert(struct flow_table *ft, struct track *c);
void flow_remove(struct flow_table *ft, struct track *c);
size_t flow_count(const struct flow_table *ft);
/* Bytes the slot array takes now, and how many more the next insert would
 * need at once (the new array while the old one is still held; 0 when it
 * will not grow): both belong inside --memcap. */
size_t flow_memory(const struct flow_table *ft);
size_t flow_grow_cost(const struct flow_table *ft);

/* What the table did against clustering, for tests and notes. */
struct flow_health {
    unsigned max_probe;      /* the bound: no entry lies further from its home */
    unsigned longest;        /* the longest probe any insert made since the last rebuild */
    uint64_t rekeys;         /* rebuilt under a new key: a run grew past the bound */
};
void flow_health(const struct flow_table *ft, struct flow_health *h);

/* Move c to the young end of list `l` (from wherever it was). */
void flow_touch(struct flow_table *ft, struct track *c, enum flow_list l);
/* The oldest connection on list `l`, or NULL. */
struct track *flow_oldest(const struct flow_table *ft, enum flow_list l);

#endif
