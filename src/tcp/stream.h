/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stream.h - reassembly of one direction of a TCP connection.
 *
 * Bytes are delivered to a consumer in sequence order, each byte exactly once
 * (the first copy seen wins when retransmissions overlap with different
 * content, as most TCP stacks do).  Segments that arrive ahead of a hole are
 * held, up to a byte budget; past the budget their extent is remembered but
 * not their bytes, so the consumer later gets a gap instead.  At most
 * STREAM_HELD_MAX segments wait: past that the oldest hole is given up (a
 * gap) so that a million out-of-order segments cost neither unbounded
 * memory nor a quadratic walk.  Offsets are
 * 64-bit counts from the first byte after the SYN (or the first byte seen in
 * a mid-stream capture), so sequence wrap-around never shows.
 */
#ifndef SYNFIN_STREAM_H
#define SYNFIN_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* What the TLS and HTTP parsers plug into: bytes in order, and the holes. */
struct stream_consumer {
    void *ctx;
    void (*on_data)(void *ctx, int dir, uint64_t offset, const uint8_t *data, size_t len);
    void (*on_gap)(void *ctx, int dir, uint64_t offset, uint64_t len);
};

/* How a segment related to what this direction had already carried. */
enum seg_kind {
    SEG_NONE = 0,     /* no payload */
    SEG_NEXT,         /* starts exactly where the stream's highest byte ended */
    SEG_AHEAD,        /* starts beyond it: bytes in between were not captured */
    SEG_OLD,          /* every byte seen before: a retransmission */
    SEG_FILL,         /* starts below the highest byte but brings unseen bytes */
    SEG_BEFORE_BASE,  /* lies entirely before the stream's first byte */
};

struct seg; /* a held out-of-order extent */

#define STREAM_HELD_MAX 512

struct stream {
    uint32_t base_seq;      /* sequence number of offset 0 */
    uint8_t has_base;
    uint8_t ended;
    uint64_t delivered;     /* next offset the consumer expects */
    uint64_t highest;       /* end of the highest extent seen */
    struct seg *held;       /* sorted by offset, non-overlapping, all >= delivered */
    size_t held_bytes;      /* payload bytes held (the budget counts these) */
    uint32_t held_count;
    struct payload_count *count; /* where it counts (the record's side): every sequence byte seen once,
                                  * bytes reported to the consumer as missing, bytes not kept because
                                  * the budget was spent, holes given up */
};

/* A stream counting into *count (which must outlive it). */
void stream_init(struct stream *s, struct payload_count *count);
void stream_set_base(struct stream *s, uint32_t base_seq);

/* Offset of a sequence number (may be negative: before the base). */
int64_t stream_offset(const struct stream *s, uint32_t seq);

/*
 * Feed a segment: `seq` and the payload length the IP header claims
 * (`seg_len`), of which the first `caplen` bytes were captured at `data`.
 * `budget` caps held bytes for this direction.  Returns how the segment
 * related to earlier ones; delivers whatever became contiguous.
 */
enum seg_kind stream_segment(struct stream *s, int dir, uint32_t seq, const uint8_t *data, uint32_t caplen,
                             uint32_t seg_len, size_t budget, const struct stream_consumer *sc);

/*
 * The peer acknowledged up to `seq` (exclusive): bytes below it that never
 * appeared were sent but missed by the capture, so give up waiting for them.
 */
void stream_acked(struct stream *s, int dir, uint32_t seq, const struct stream_consumer *sc);

/* End of the direction: deliver what is held, reporting holes as gaps. */
void stream_flush(struct stream *s, int dir, const struct stream_consumer *sc);

/* Bytes the held segments take. */
size_t stream_memory(const struct stream *s);

/* Free held segments. */
void stream_free(struct stream *s);

#endif
