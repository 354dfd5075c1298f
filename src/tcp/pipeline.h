/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline.h - one packet at a time through decode -> flow table -> TCP
 * observer -> reassembly, and finished connections out to a sink.
 *
 * Connections are finalized while reading: a finished one (RST, or both
 * FINs and their ACKs) after a short linger for retransmissions, one still
 * waiting for its final ACK after a longer one, an idle one after the idle
 * timeout, the rest at the end in first-packet order.  So
 * memory follows the connections open at once, not the size of the input.
 */
#ifndef SYNFIN_PIPELINE_H
#define SYNFIN_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "ipfrag.h"

struct pipeline_config {
    size_t reasm_budget;       /* held out-of-order bytes per direction */
    int64_t idle_timeout_ns;   /* finalize a connection silent this long */
    int64_t linger_ns;         /* keep a finished connection this long for retransmissions */
    int64_t closing_linger_ns; /* keep one whose final ACK is still due this long */
    int keep_events;           /* record one event per packet (ladder, TUI) */
    struct app_ctx *app;       /* protocol parsers' shared setup (caller-owned); NULL: no parsing */
    size_t memcap;             /* bytes the data may hold: the open connections, the flow table, the
                                * key log (app_shared_memory), *outside_mem; past it the oldest
                                * connections are evicted (0: none).  See pipeline_budget. */
    const size_t *outside_mem; /* bytes held beside the pipeline that count too (the interface's list); may be NULL */
    uint64_t events_only_id;   /* with keep_events: only for this id (0: all) */
    uint32_t shard_k, shard_n; /* follow only the connections of shard k of n (shard.h); n 0: all */
};

/*
 * Where connections go.  conn_new (may be NULL) sees each one as it opens:
 * a live view can follow it while packets arrive.  conn_done sees it
 * finished; it returns 0 and the pipeline frees the connection, or 1 and
 * the sink keeps it (its protocol summaries detached from the parsers) and
 * frees it later with conn_free.
 */
struct conn_sink {
    void *ctx;
    int (*conn_done)(void *ctx, struct conn *c);
    void (*conn_new)(void *ctx, struct conn *c);
};

struct pipeline_stats {
    uint64_t packets;          /* frames read */
    uint64_t tcp;              /* TCP segments analysed */
    uint64_t not_ip, not_tcp;  /* counted and skipped */
    uint64_t fragments;        /* IP fragments held for reassembly (or given up), not TCP themselves */
    uint64_t truncated_headers;/* headers cut by the snapshot length: skipped */
    uint64_t malformed;        /* headers that contradict themselves: skipped */
    uint64_t truncated_payload;/* payload cut by snaplen: used as far as it goes */
    uint64_t connections;      /* connections seen */
    uint64_t port_reuse;       /* new connections on a 4-tuple still held */
    uint64_t late_packets;     /* packets of connections finished and written out (recent.h) */
    uint64_t other_shard;      /* TCP segments of connections in other shards (--shard), skipped */
    uint64_t out_of_memory;    /* packets dropped because memory ran out */
    uint64_t max_open;         /* most connections held at once */
    /* what the caps cost (see synfin(1), "capped") */
    uint64_t evicted;          /* connections finalized early: memory ran short */
    uint64_t reassembly_bytes; /* out-of-order bytes not kept: the reassembly budget was spent */
    uint64_t holes_given_up;   /* holes skipped because too many segments waited behind them */
    uint64_t events_capped;    /* connections whose events stopped being kept */
    size_t peak_memory;        /* most bytes the open connections held at once */
    /* decoding (see decode.h) */
    uint64_t encrypted;        /* protected 802.11 frames, DTLS CAPWAP packets: skipped */
    uint64_t too_deep;         /* packets nested in more than PKT_ENCAP_MAX encapsulations: skipped */
    uint64_t offload_lengths;  /* TCP segments whose IP length came from the frame (offload, BIG TCP, jumbograms) */
    uint64_t bad_ip_length;    /* TCP segments whose IPv4 total length passed the uncut frame */
    struct ipfrag_stats frag;  /* IP fragment reassembly */
};

struct pipeline;

/*
 * The part of --memcap the data may take: the cap less what the program
 * itself needs (libraries, the trust store, buffers, the allocator's slack:
 * 16 MiB plus 1/64 of the cap, a quarter of caps below 64 MiB), so that the
 * whole process stays under the cap.
 */
size_t pipeline_budget(size_t memcap);

struct pipeline *pipeline_new(const struct pipeline_config *cfg, const struct conn_sink *sink);
/* One frame; `offset` is where its record lies in the file, for reading it again (-1: nowhere). */
void pipeline_packet(struct pipeline *pl, int dlt, int64_t ts_ns, const uint8_t *data, uint32_t caplen,
                     uint32_t wirelen, int64_t offset);
/* The same, from interface `iface` of the capture: a connection keeps the interfaces
 * its packets came on (pipeline_packet is interface 0). */
void pipeline_packet_on(struct pipeline *pl, uint32_t iface, int dlt, int64_t ts_ns, const uint8_t *data,
                        uint32_t caplen, uint32_t wirelen, int64_t offset);
/* Finalize what has been idle or lingering long enough by `now_ns` (live ticks). */
void pipeline_expire(struct pipeline *pl, int64_t now_ns);
/* Finalize every connection still open, in first-packet order. */
void pipeline_finish(struct pipeline *pl);
const struct pipeline_stats *pipeline_stats(const struct pipeline *pl);
void pipeline_free(struct pipeline *pl);

#endif
