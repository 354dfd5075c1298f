/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stream.c - per-direction TCP reassembly (see stream.h for the contract).
 *
 * The common case, a segment that starts at or below the delivered point
 * with nothing held, is passed straight to the consumer without a copy.
 * Everything else walks the held list, which stays sorted and free of
 * overlaps, so "first copy wins" is just "only fill what is not covered".
 */
#include "stream.h"

#include <stdlib.h>
#include <string.h>

#include "seq.h"

/* The most a held-back ACK may claim beyond the data seen (bogus ACKs exist). */
#define MAX_ACK_JUMP ((uint64_t)64 << 20)

struct seg {
    struct seg *next;
    uint64_t off;
    uint32_t len;
    uint8_t has_data;  /* 0: extent known, bytes not kept (budget) or never captured */
    uint8_t data[];
};

void stream_init(struct stream *s, struct payload_count *count)
{
    memset(s, 0, sizeof *s);
    s->count = count;
}

void stream_set_base(struct stream *s, uint32_t base_seq)
{
    s->base_seq = base_seq;
    s->has_base = 1;
}

int64_t stream_offset(const struct stream *s, uint32_t seq)
{
    return seq_unwrap(seq, s->base_seq, (int64_t)s->delivered);
}

static void emit_data(struct stream *s, int dir, uint64_t off, const uint8_t *p, uint64_t n,
                      const struct stream_consumer *sc)
{
    (void)s;
    if (n && sc && sc->on_data)
        sc->on_data(sc->ctx, dir, off, p, (size_t)n);
}

static void emit_gap(struct stream *s, int dir, uint64_t off, uint64_t n, const struct stream_consumer *sc)
{
    if (!n)
        return;
    s->count->gap_bytes += n;
    if (sc && sc->on_gap)
        sc->on_gap(sc->ctx, dir, off, n);
}

/* Deliver held extents that now touch the delivered point. */
static void drain(struct stream *s, int dir, const struct stream_consumer *sc)
{
    while (s->held && s->held->off <= s->delivered) {
        struct seg *h = s->held;
        uint64_t end = h->off + h->len;
        if (end > s->delivered) {
            uint64_t skip = s->delivered - h->off;
            if (h->has_data)
                emit_data(s, dir, s->delivered, h->data + skip, end - s->delivered, sc);
            else
                emit_gap(s, dir, s->delivered, end - s->delivered, sc);
            s->delivered = end;
        }
        s->held = h->next;
        if (h->has_data)
            s->held_bytes -= h->len;
        s->held_count--;
        free(h);
    }
}

/* Insert a new extent at *link; returns the link just after it. */
static struct seg **hold(struct stream *s, struct seg **link, uint64_t off, uint64_t len, const uint8_t *data,
                 size_t budget)
{
    int keep = data && s->held_bytes + len <= budget;
    struct seg *h = malloc(sizeof *h + (keep ? len : 0));
    if (!h) { /* out of memory: remember nothing; the consumer will see a gap */
        s->count->over_budget += len;
        return link;
    }
    h->off = off;
    h->len = (uint32_t)len;
    h->has_data = (uint8_t)keep;
    if (keep) {
        memcpy(h->data, data, len);
        s->held_bytes += len;
    } else if (data) {
        s->count->over_budget += len;
    }
    h->next = *link;
    *link = h;
    s->held_count++;
    return &h->next;
}

/*
 * Place [a, b) of a segment whose captured bytes are [off, off+caplen):
 * delivered at once when it continues the stream, held otherwise.
 */
static void place(struct stream *s, int dir, struct seg **link, uint64_t a, uint64_t b, uint64_t off,
                  const uint8_t *data, uint32_t caplen, size_t budget, const struct stream_consumer *sc)
{
    uint64_t cap_end = off + caplen;
    if (a == s->delivered) {
        if (a < cap_end)
            emit_data(s, dir, a, data + (a - off), (b < cap_end ? b : cap_end) - a, sc);
        if (b > cap_end)
            emit_gap(s, dir, a > cap_end ? a : cap_end, b - (a > cap_end ? a : cap_end), sc);
        s->delivered = b;
        return;
    }
    /* a held piece is either wholly captured or partly: split at cap_end */
    if (a < cap_end && b > cap_end) {
        link = hold(s, link, a, cap_end - a, data + (a - off), budget);
        (void)hold(s, link, cap_end, b - cap_end, NULL, budget);
    } else {
        (void)hold(s, link, a, b - a, a < cap_end ? data + (a - off) : NULL, budget);
    }
}

/* Too many segments wait behind the first hole: stop waiting for it. */
static void give_up_first_hole(struct stream *s, int dir, const struct stream_consumer *sc)
{
    if (!s->held || s->held->off <= s->delivered)
        return;
    emit_gap(s, dir, s->delivered, s->held->off - s->delivered, sc);
    s->delivered = s->held->off;
    s->count->holes_given_up++;
    drain(s, dir, sc);
}

enum seg_kind stream_segment(struct stream *s, int dir, uint32_t seq, const uint8_t *data, uint32_t caplen,
                             uint32_t seg_len, size_t budget, const struct stream_consumer *sc)
{
    /* each turn drains at least the first held segment: the loop ends */
    while (s->held_count >= STREAM_HELD_MAX && s->held && s->held->off > s->delivered)
        give_up_first_hole(s, dir, sc);
    if (seg_len == 0)
        return SEG_NONE;
    if (!s->has_base)
        stream_set_base(s, seq);
    int64_t soff = stream_offset(s, seq);
    int64_t send = soff + (int64_t)seg_len;
    if (send <= 0)
        return SEG_BEFORE_BASE;
    if (caplen > seg_len)
        caplen = seg_len;
    if (soff < 0) { /* trim what lies before the base */
        uint64_t cut = (uint64_t)-soff;
        if (cut >= caplen) {
            data = NULL;
            caplen = 0;
        } else {
            data += cut;
            caplen -= (uint32_t)cut;
        }
        soff = 0;
    }
    uint64_t off = (uint64_t)soff, end = (uint64_t)send;
    enum seg_kind kind = off == s->highest ? SEG_NEXT : off > s->highest ? SEG_AHEAD : SEG_FILL;
    uint64_t fresh = 0;

    if (off <= s->delivered && !s->held) {
        /* fast path: in order (or overlapping old bytes), nothing held */
        if (end > s->delivered) {
            fresh = end - s->delivered;
            place(s, dir, &s->held, s->delivered, end, off, data, caplen, budget, sc);
        }
    } else {
        uint64_t pos = off > s->delivered ? off : s->delivered;
        struct seg **link = &s->held;
        while (pos < end) {
            while (*link && (*link)->off + (*link)->len <= pos)
                link = &(*link)->next;
            struct seg *h = *link;
            if (h && h->off <= pos) {
                pos = h->off + h->len;
                continue;
            }
            uint64_t piece_end = h && h->off < end ? h->off : end;
            fresh += piece_end - pos;
            place(s, dir, link, pos, piece_end, off, data, caplen, budget, sc);
            pos = piece_end;
        }
        drain(s, dir, sc);
    }
    if (end > s->highest)
        s->highest = end;
    s->count->bytes += fresh;
    if (kind == SEG_FILL && fresh == 0)
        kind = SEG_OLD;
    return kind;
}

void stream_acked(struct stream *s, int dir, uint32_t seq, const struct stream_consumer *sc)
{
    if (!s->has_base)
        return;
    int64_t a = stream_offset(s, seq);
    if (a <= (int64_t)s->delivered || (uint64_t)a > s->highest + MAX_ACK_JUMP)
        return;
    uint64_t ack = (uint64_t)a;
    while (s->delivered < ack) {
        uint64_t to = s->held && s->held->off < ack ? s->held->off : ack;
        emit_gap(s, dir, s->delivered, to - s->delivered, sc);
        s->delivered = to;
        drain(s, dir, sc);
    }
    if (ack > s->highest)
        s->highest = ack;
}

void stream_flush(struct stream *s, int dir, const struct stream_consumer *sc)
{
    while (s->held) {
        if (s->held->off > s->delivered) {
            emit_gap(s, dir, s->delivered, s->held->off - s->delivered, sc);
            s->delivered = s->held->off;
        }
        drain(s, dir, sc);
    }
    s->ended = 1;
}

size_t stream_memory(const struct stream *s) { return s->held_bytes + s->held_count * sizeof(struct seg); }

void stream_free(struct stream *s)
{
    while (s->held) {
        struct seg *h = s->held;
        s->held = h->next;
        free(h);
    }
    s->held_bytes = 0;
    s->held_count = 0;
}
