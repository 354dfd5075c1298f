/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipfrag.h - IPv4 (RFC 791 section 3.2) and IPv6 (RFC 8200 section 4.5)
 * fragment reassembly, for a passive observer.
 *
 * Fragments are matched on (IP version, source, destination, protocol,
 * identification) and may come in any order, interleaved with other
 * datagrams.  Where fragments overlap, the bytes that arrived first win,
 * as in TCP reassembly (stream.h), and a fragment that disagrees with them
 * is counted as an overlap anomaly; a first fragment too short to hold a
 * TCP header (RFC 1858's tiny fragment) is counted too.  A datagram is
 * given up when it waited longer than the timeout, when it would pass
 * 65535 bytes, or when the budget is needed for newer ones (the oldest go
 * first).  Memory never exceeds the budget: the caller counts ipfrag_memory()
 * inside its own cap.
 */
#ifndef SYNFIN_IPFRAG_H
#define SYNFIN_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

#define IPFRAG_TIMEOUT_NS (60LL * 1000000000LL) /* RFC 8200's 60 s, for both versions */
#define IPFRAG_MAX_DATAGRAM 65535u

struct ipfrag_stats {
    uint64_t reassembled;  /* datagrams completed */
    uint64_t timed_out;    /* datagrams given up after the timeout */
    uint64_t evicted;      /* datagrams given up to stay within the budget */
    uint64_t oversized;    /* fragments that would pass 65535 bytes (their datagram is given up) */
    uint64_t cut;          /* fragments the capture cut short: their datagram cannot complete */
    uint64_t overlaps;     /* fragments whose bytes disagree with bytes already held (first copy kept) */
    uint64_t tiny;         /* first fragments of TCP too short for a TCP header */
    uint64_t incomplete;   /* datagrams still waiting when the capture ended (ipfrag_flush) */
};

/* A completed datagram: `data` is the caller's to free(). */
struct ipfrag_done {
    uint8_t *data;
    uint32_t len;
    int64_t first_offset;  /* file offset of its earliest fragment, -1 when unknown */
    uint8_t anomaly;       /* a tiny or overlapping fragment went into it */
};

enum ipfrag_result { IPFRAG_HELD, IPFRAG_DONE, IPFRAG_DROPPED };

struct ipfrag;

/* `budget`: bytes it may hold (0: IPFRAG_DEFAULT_BUDGET). */
#define IPFRAG_DEFAULT_BUDGET ((size_t)64 << 20)
struct ipfrag *ipfrag_new(size_t budget, int64_t timeout_ns);
void ipfrag_free(struct ipfrag *r);

/* One fragment seen at `ts_ns`, from the record at file offset `offset`. */
enum ipfrag_result ipfrag_add(struct ipfrag *r, const struct pkt_frag *f, int64_t ts_ns, int64_t offset,
                              struct ipfrag_done *out);
/* Give up what waited longer than the timeout by `now_ns`. */
void ipfrag_expire(struct ipfrag *r, int64_t now_ns);
/* Give up everything still waiting (end of the capture): counted as incomplete. */
void ipfrag_flush(struct ipfrag *r);

size_t ipfrag_memory(const struct ipfrag *r);
size_t ipfrag_pending(const struct ipfrag *r);
const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *r);

#endif
