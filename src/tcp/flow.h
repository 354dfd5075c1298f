/*
 * flow.h - the flow table: both directions of a TCP 4-tuple map to one live
 * connection.  Open addressing with linear probing over a hash of every key
 * byte, grown by doubling, so millions of live connections cost O(1) each.
 * The table also keeps live connections on age lists (active, closing, done)
 * so the pipeline can expire the oldest in O(1).
 */
#ifndef SYNFIN_FLOW_H
#define SYNFIN_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "decode.h"

/* Age lists, one per lifetime rule: idle timeout, closing linger, done linger. */
enum flow_list { FLOW_ACTIVE = 0, FLOW_CLOSING = 1, FLOW_DONE = 2, FLOW_LISTS };

struct flow_table;

struct flow_table *flow_new(void);
/* Free the table; live connections are the caller's (take them with flow_pop_oldest first). */
void flow_free(struct flow_table *ft);

/* The live connection of this packet's 4-tuple, and which side sent it. */
struct conn *flow_lookup(struct flow_table *ft, const struct pkt *p, int *from);
/* Add a connection (its sides' addresses and ports are the key); -1 when out of memory. */
int flow_insert(struct flow_table *ft, struct conn *c);
void flow_remove(struct flow_table *ft, struct conn *c);
size_t flow_count(const struct flow_table *ft);
/* The table's hash of a 4-tuple (the same for both directions), for side tables keyed alike. */
uint64_t flow_hash_pkt(const struct pkt *p);
uint64_t flow_hash_conn(const struct conn *c);

/* Move c to the young end of list `l` (from wherever it was). */
void flow_touch(struct flow_table *ft, struct conn *c, enum flow_list l);
/* The oldest connection on list `l`, or NULL. */
struct conn *flow_oldest(const struct flow_table *ft, enum flow_list l);

#endif
