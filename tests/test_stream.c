/* SPDX-License-Identifier: BSD-2-Clause */
/* test_stream.c - owns the unit tests of stream.c (per-direction reassembly: order, overlaps, gaps, budget, wrap). */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "unit.h"

/* ---------------------------------------------------------------- recording consumer */

#define REC_CAP 4096
#define MAX_GAPS 64

struct rec {
    uint8_t data[REC_CAP];
    uint8_t what[REC_CAP]; /* 0 nothing, 1 data, 2 gap */
    uint64_t next;         /* the offset the next callback must start at */
    int order_errors;      /* callbacks that did not continue exactly where the last ended */
    int dir_errors;
    int dir;
    uint64_t data_bytes, gap_total;
    int ndata;
    int ngaps;
    struct { uint64_t off, len; } gaps[MAX_GAPS];
};

static void on_data(void *ctx, int dir, uint64_t off, const uint8_t *d, size_t len)
{
    struct rec *r = ctx;
    if (dir != r->dir)
        r->dir_errors++;
    if (off != r->next || len == 0)
        r->order_errors++;
    for (size_t i = 0; i < len; i++) {
        if (off + i < REC_CAP) {
            if (r->what[off + i])
                r->order_errors++;
            r->data[off + i] = d[i];
            r->what[off + i] = 1;
        }
    }
    r->next = off + len;
    r->data_bytes += len;
    r->ndata++;
}

static void on_gap(void *ctx, int dir, uint64_t off, uint64_t len)
{
    struct rec *r = ctx;
    if (dir != r->dir)
        r->dir_errors++;
    if (off != r->next || len == 0)
        r->order_errors++;
    for (uint64_t i = 0; i < len && off + i < REC_CAP; i++) {
        if (r->what[off + i])
            r->order_errors++;
        r->what[off + i] = 2;
    }
    if (r->ngaps < MAX_GAPS) {
        r->gaps[r->ngaps].off = off;
        r->gaps[r->ngaps].len = len;
    }
    r->ngaps++;
    r->next = off + len;
    r->gap_total += len;
}

static struct rec R;
static struct stream_consumer SC;
static struct stream S;
static struct payload_count CNT; /* what S counted */

static void fresh(int dir)
{
    memset(&R, 0, sizeof R);
    R.dir = dir;
    SC.ctx = &R;
    SC.on_data = on_data;
    SC.on_gap = on_gap;
    memset(&CNT, 0, sizeof CNT);
    stream_init(&S, &CNT);
}

static void done(void)
{
    CU_ASSERT_EQUAL(R.order_errors, 0);
    CU_ASSERT_EQUAL(R.dir_errors, 0);
    stream_free(&S);
}

/* Content: byte at stream offset `off` of copy `v` (different copies differ). */
static uint8_t pat(uint64_t off, int v) { return (uint8_t)(off * 7 + 3 + (uint64_t)v * 101); }

#define BUDGET ((size_t)1 << 20)

/* Feed [off, off+len) of copy v, captured in full. */
static enum seg_kind feed(uint32_t base, uint64_t off, uint32_t len, int v)
{
    uint8_t *b = malloc(len ? len : 1);
    for (uint32_t i = 0; i < len; i++)
        b[i] = pat(off + i, v);
    enum seg_kind k = stream_segment(&S, R.dir, base + (uint32_t)off, b, len, len, BUDGET, &SC);
    free(b);
    return k;
}

/* The recorder holds copy v's bytes as data in [a, b). */
static int has_data(uint64_t a, uint64_t b, int v)
{
    for (uint64_t i = a; i < b; i++)
        if (R.what[i] != 1 || R.data[i] != pat(i, v))
            return 0;
    return 1;
}

static int has_gap(uint64_t a, uint64_t b)
{
    for (uint64_t i = a; i < b; i++)
        if (R.what[i] != 2)
            return 0;
    return 1;
}

static int nothing(uint64_t a, uint64_t b)
{
    for (uint64_t i = a; i < b; i++)
        if (R.what[i] != 0)
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- tests */

static void test_in_order(void)
{
    const uint32_t base = 1000;
    fresh(0);
    stream_set_base(&S, base);
    CU_ASSERT_EQUAL(feed(base, 0, 10, 0), SEG_NEXT);
    CU_ASSERT_EQUAL(R.next, 10); /* delivered at once */
    CU_ASSERT_EQUAL(feed(base, 10, 5, 0), SEG_NEXT);
    CU_ASSERT_EQUAL(feed(base, 15, 1, 0), SEG_NEXT);
    CU_ASSERT_TRUE(has_data(0, 16, 0));
    CU_ASSERT_EQUAL(S.delivered, 16);
    CU_ASSERT_EQUAL(S.highest, 16);
    CU_ASSERT_EQUAL(CNT.bytes, 16);
    CU_ASSERT_EQUAL(S.held_count, 0);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    /* a zero-length segment is nothing */
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 16, NULL, 0, 0, BUDGET, &SC), SEG_NONE);
    stream_flush(&S, 0, &SC);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    CU_ASSERT_EQUAL(R.data_bytes, 16);
    CU_ASSERT_EQUAL(S.ended, 1);
    done();
}

static void test_first_segment_sets_base(void)
{
    fresh(1);
    CU_ASSERT_EQUAL(S.has_base, 0);
    CU_ASSERT_EQUAL(feed(777, 0, 4, 0), SEG_NEXT);
    CU_ASSERT_EQUAL(S.has_base, 1);
    CU_ASSERT_EQUAL(S.base_seq, 777);
    CU_ASSERT_TRUE(has_data(0, 4, 0));
    CU_ASSERT_EQUAL(stream_offset(&S, 781), 4);
    CU_ASSERT_EQUAL(stream_offset(&S, 770), -7);
    done();
}

static void test_out_of_order_312(void)
{
    const uint32_t base = 5000;
    fresh(0);
    stream_set_base(&S, base);
    CU_ASSERT_EQUAL(feed(base, 20, 10, 0), SEG_AHEAD); /* 3 */
    CU_ASSERT_EQUAL(R.ndata, 0);
    CU_ASSERT_EQUAL(S.held_count, 1);
    CU_ASSERT_EQUAL(S.held_bytes, 10);
    CU_ASSERT_EQUAL(S.highest, 30);
    CU_ASSERT_EQUAL(feed(base, 0, 10, 0), SEG_FILL); /* 1 */
    CU_ASSERT_EQUAL(R.next, 10);
    CU_ASSERT_TRUE(has_data(0, 10, 0));
    CU_ASSERT_TRUE(nothing(10, 30));
    CU_ASSERT_EQUAL(feed(base, 10, 10, 0), SEG_FILL); /* 2: everything flows */
    CU_ASSERT_TRUE(has_data(0, 30, 0));
    CU_ASSERT_EQUAL(S.delivered, 30);
    CU_ASSERT_EQUAL(S.held_count, 0);
    CU_ASSERT_EQUAL(S.held_bytes, 0);
    CU_ASSERT_EQUAL(CNT.bytes, 30);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    stream_flush(&S, 0, &SC);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    done();
}

static void test_overlap_first_copy_wins(void)
{
    const uint32_t base = 1;
    fresh(0);
    stream_set_base(&S, base);
    /* in order, then a retransmission overlapping the tail with other bytes */
    CU_ASSERT_EQUAL(feed(base, 0, 6, 0), SEG_NEXT);
    CU_ASSERT_EQUAL(feed(base, 3, 8, 1), SEG_FILL); /* 3..6 old, 6..11 new */
    CU_ASSERT_TRUE(has_data(0, 6, 0));
    CU_ASSERT_TRUE(has_data(6, 11, 1));
    CU_ASSERT_EQUAL(CNT.bytes, 11);

    /* held pieces: 20..30 (copy 0), then 15..25 (copy 1), then 11..15 (copy 2) */
    CU_ASSERT_EQUAL(feed(base, 20, 10, 0), SEG_AHEAD);
    CU_ASSERT_EQUAL(feed(base, 15, 10, 1), SEG_FILL);
    CU_ASSERT_EQUAL(S.held_bytes, 15);
    CU_ASSERT_EQUAL(feed(base, 11, 4, 2), SEG_FILL);
    CU_ASSERT_TRUE(has_data(11, 15, 2));
    CU_ASSERT_TRUE(has_data(15, 20, 1));
    CU_ASSERT_TRUE(has_data(20, 30, 0));
    CU_ASSERT_EQUAL(CNT.bytes, 30);

    /* one segment spanning several held pieces fills only the holes */
    CU_ASSERT_EQUAL(feed(base, 40, 2, 0), SEG_AHEAD);
    CU_ASSERT_EQUAL(feed(base, 44, 2, 0), SEG_AHEAD);
    CU_ASSERT_EQUAL(feed(base, 38, 12, 3), SEG_FILL); /* 38..40, 42..44, 46..50 fresh */
    CU_ASSERT_EQUAL(CNT.bytes, 30 + 2 + 2 + 8);
    CU_ASSERT_EQUAL(feed(base, 30, 8, 4), SEG_FILL);
    CU_ASSERT_TRUE(has_data(30, 38, 4));
    CU_ASSERT_TRUE(has_data(38, 40, 3));
    CU_ASSERT_TRUE(has_data(40, 42, 0));
    CU_ASSERT_TRUE(has_data(42, 44, 3));
    CU_ASSERT_TRUE(has_data(44, 46, 0));
    CU_ASSERT_TRUE(has_data(46, 50, 3));
    CU_ASSERT_EQUAL(CNT.bytes, 50);
    CU_ASSERT_EQUAL(S.delivered, 50);
    CU_ASSERT_EQUAL(S.held_count, 0);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    done();
}

static void test_exact_duplicates(void)
{
    const uint32_t base = 0x80000000u;
    fresh(1);
    stream_set_base(&S, base);
    CU_ASSERT_EQUAL(feed(base, 0, 10, 0), SEG_NEXT);
    CU_ASSERT_EQUAL(feed(base, 0, 10, 1), SEG_OLD);
    CU_ASSERT_EQUAL(feed(base, 2, 5, 1), SEG_OLD);
    CU_ASSERT_EQUAL(R.ndata, 1);
    CU_ASSERT_TRUE(has_data(0, 10, 0));
    /* duplicates of a held segment */
    CU_ASSERT_EQUAL(feed(base, 20, 5, 0), SEG_AHEAD);
    CU_ASSERT_EQUAL(feed(base, 20, 5, 1), SEG_OLD);
    CU_ASSERT_EQUAL(S.held_count, 1);
    CU_ASSERT_EQUAL(S.held_bytes, 5);
    CU_ASSERT_EQUAL(feed(base, 10, 10, 0), SEG_FILL);
    CU_ASSERT_TRUE(has_data(0, 25, 0));
    CU_ASSERT_EQUAL(feed(base, 20, 5, 1), SEG_OLD);
    CU_ASSERT_EQUAL(CNT.bytes, 25);
    CU_ASSERT_EQUAL(R.data_bytes, 25);
    done();
}

static void test_wraparound(void)
{
    const uint32_t base = 0xffffff00u;
    fresh(0);
    stream_set_base(&S, base);
    CU_ASSERT_EQUAL(feed(base, 0x000, 0x80, 0), SEG_NEXT);
    /* out of order across the wrap: 0x100.. (seq 0) before 0x80.. (seq 0xffffff80) */
    CU_ASSERT_EQUAL(feed(base, 0x100, 0x80, 0), SEG_AHEAD);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 0x00000000u, NULL, 0, 0, BUDGET, &SC), SEG_NONE);
    CU_ASSERT_EQUAL(feed(base, 0xc0, 0x80, 0), SEG_FILL); /* straddles seq 0 */
    CU_ASSERT_EQUAL(feed(base, 0x80, 0x40, 0), SEG_FILL);
    CU_ASSERT_TRUE(has_data(0, 0x180, 0));
    CU_ASSERT_EQUAL(S.delivered, 0x180);
    CU_ASSERT_EQUAL(stream_offset(&S, 0x10), 0x110);
    CU_ASSERT_EQUAL(stream_offset(&S, 0xfffffff0u), 0xf0);
    CU_ASSERT_EQUAL(feed(base, 0x180, 0x20, 0), SEG_NEXT);
    CU_ASSERT_EQUAL(feed(base, 0x100, 0x10, 1), SEG_OLD); /* seq 0..0x10 again */
    CU_ASSERT_TRUE(has_data(0, 0x1a0, 0));
    CU_ASSERT_EQUAL(CNT.bytes, 0x1a0);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    done();
}

/* Offsets keep counting past 2^32 bytes: feed 4 GiB of uncaptured extents, then real data. */
static void test_offsets_past_4g(void)
{
    const uint32_t base = 0x12345678u;
    const uint32_t chunk = 1u << 30;
    fresh(0);
    stream_set_base(&S, base);
    for (uint64_t off = 0; off < ((uint64_t)1 << 32); off += chunk)
        CU_ASSERT_EQUAL(stream_segment(&S, 0, base + (uint32_t)off, NULL, 0, chunk, BUDGET, &SC), SEG_NEXT);
    CU_ASSERT_EQUAL(S.delivered, (uint64_t)1 << 32);
    CU_ASSERT_EQUAL(R.gap_total, (uint64_t)1 << 32);
    uint8_t b[4] = {1, 2, 3, 4};
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base, b, 4, 4, BUDGET, &SC), SEG_NEXT);
    CU_ASSERT_EQUAL(R.next, ((uint64_t)1 << 32) + 4);
    CU_ASSERT_EQUAL(R.data_bytes, 4);
    CU_ASSERT_EQUAL(stream_offset(&S, base + 4), ((int64_t)1 << 32) + 4);
    done();
}

static void test_hole_at_flush(void)
{
    const uint32_t base = 42;
    fresh(1);
    stream_set_base(&S, base);
    CU_ASSERT_EQUAL(feed(base, 0, 3, 0), SEG_NEXT);
    CU_ASSERT_EQUAL(feed(base, 6, 3, 0), SEG_AHEAD);
    CU_ASSERT_EQUAL(feed(base, 12, 3, 0), SEG_AHEAD);
    CU_ASSERT_EQUAL(R.next, 3);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    stream_flush(&S, 1, &SC);
    CU_ASSERT_EQUAL(R.ngaps, 2);
    CU_ASSERT_EQUAL(R.gaps[0].off, 3);
    CU_ASSERT_EQUAL(R.gaps[0].len, 3);
    CU_ASSERT_EQUAL(R.gaps[1].off, 9);
    CU_ASSERT_EQUAL(R.gaps[1].len, 3);
    CU_ASSERT_TRUE(has_data(0, 3, 0));
    CU_ASSERT_TRUE(has_gap(3, 6));
    CU_ASSERT_TRUE(has_data(6, 9, 0));
    CU_ASSERT_TRUE(has_gap(9, 12));
    CU_ASSERT_TRUE(has_data(12, 15, 0));
    CU_ASSERT_EQUAL(CNT.gap_bytes, 6);
    CU_ASSERT_EQUAL(S.held_count, 0);
    CU_ASSERT_EQUAL(S.held_bytes, 0);
    CU_ASSERT_EQUAL(S.delivered, 15);
    CU_ASSERT_EQUAL(CNT.bytes, 9);
    done();
}

static void test_hole_acked(void)
{
    const uint32_t base = 0xfffffffau; /* the ACKs cross the wrap too */
    fresh(0);
    stream_set_base(&S, base);
    CU_ASSERT_EQUAL(feed(base, 0, 4, 0), SEG_NEXT);
    CU_ASSERT_EQUAL(feed(base, 10, 4, 0), SEG_AHEAD);
    /* ACKs at or below what was delivered change nothing */
    stream_acked(&S, 0, base + 4, &SC);
    stream_acked(&S, 0, base + 2, &SC);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    /* the peer ACKs past the hole: it was sent, the capture missed it */
    stream_acked(&S, 0, base + 10, &SC);
    CU_ASSERT_EQUAL_FATAL(R.ngaps, 1);
    CU_ASSERT_EQUAL(R.gaps[0].off, 4);
    CU_ASSERT_EQUAL(R.gaps[0].len, 6);
    CU_ASSERT_TRUE(has_data(10, 14, 0)); /* the held piece followed at once */
    CU_ASSERT_EQUAL(S.delivered, 14);
    CU_ASSERT_EQUAL(S.held_count, 0);
    /* later data is delivered normally */
    CU_ASSERT_EQUAL(feed(base, 14, 4, 0), SEG_NEXT);
    CU_ASSERT_TRUE(has_data(14, 18, 0));
    /* an ACK past everything seen: a gap up to it, and the stream's top moves */
    stream_acked(&S, 0, base + 20, &SC);
    CU_ASSERT_EQUAL_FATAL(R.ngaps, 2);
    CU_ASSERT_EQUAL(R.gaps[1].off, 18);
    CU_ASSERT_EQUAL(R.gaps[1].len, 2);
    CU_ASSERT_EQUAL(S.highest, 20);
    /* the missing bytes showing up late are old news */
    CU_ASSERT_EQUAL(feed(base, 18, 2, 0), SEG_OLD);
    CU_ASSERT_EQUAL(feed(base, 20, 3, 0), SEG_NEXT);
    CU_ASSERT_TRUE(has_data(20, 23, 0));
    /* a bogus ACK far beyond anything seen is ignored */
    stream_acked(&S, 0, base + 23 + (200u << 20), &SC);
    CU_ASSERT_EQUAL(R.ngaps, 2);
    CU_ASSERT_EQUAL(S.delivered, 23);
    CU_ASSERT_EQUAL(CNT.gap_bytes, 8);
    stream_flush(&S, 0, &SC);
    CU_ASSERT_EQUAL(R.ngaps, 2);
    done();
}

static void test_hole_acked_partially(void)
{
    const uint32_t base = 100;
    fresh(0);
    stream_set_base(&S, base);
    CU_ASSERT_EQUAL(feed(base, 0, 2, 0), SEG_NEXT);
    CU_ASSERT_EQUAL(feed(base, 10, 2, 0), SEG_AHEAD);
    CU_ASSERT_EQUAL(feed(base, 20, 2, 0), SEG_AHEAD);
    stream_acked(&S, 0, base + 15, &SC); /* covers the first hole and half the second */
    CU_ASSERT_EQUAL_FATAL(R.ngaps, 2);
    CU_ASSERT_TRUE(has_gap(2, 10));
    CU_ASSERT_TRUE(has_data(10, 12, 0));
    CU_ASSERT_TRUE(has_gap(12, 15));
    CU_ASSERT_EQUAL(S.delivered, 15);
    CU_ASSERT_EQUAL(feed(base, 15, 5, 0), SEG_FILL);
    CU_ASSERT_TRUE(has_data(15, 22, 0));
    CU_ASSERT_EQUAL(S.held_count, 0);
    done();
}

static void test_acked_without_base(void)
{
    fresh(0);
    stream_acked(&S, 0, 12345, &SC);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    CU_ASSERT_EQUAL(S.has_base, 0);
    stream_flush(&S, 0, &SC);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    done();
}

static void test_budget(void)
{
    const uint32_t base = 7;
    const size_t budget = 8;
    uint8_t b[16];
    fresh(0);
    stream_set_base(&S, base);
    for (int i = 0; i < 16; i++)
        b[i] = pat((uint64_t)i, 0);
    /* in-order bytes are never held, whatever the budget */
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base, b, 4, 4, budget, &SC), SEG_NEXT);
    for (int i = 0; i < 6; i++)
        b[i] = pat(10 + (uint64_t)i, 0);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 10, b, 6, 6, budget, &SC), SEG_AHEAD);
    CU_ASSERT_EQUAL(S.held_bytes, 6);
    CU_ASSERT_EQUAL(CNT.over_budget, 0);
    for (int i = 0; i < 6; i++)
        b[i] = pat(20 + (uint64_t)i, 0);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 20, b, 6, 6, budget, &SC), SEG_AHEAD);
    CU_ASSERT_EQUAL(S.held_bytes, 6);  /* 12 would pass the budget: not kept */
    CU_ASSERT_TRUE(S.held_bytes <= budget);
    CU_ASSERT_EQUAL(CNT.over_budget, 6);
    CU_ASSERT_EQUAL(S.held_count, 2);  /* its extent is remembered */
    /* a retransmission of the dropped extent is not a new byte */
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 20, b, 6, 6, budget, &SC), SEG_OLD);
    CU_ASSERT_EQUAL(CNT.bytes, 16);
    /* fill 4..10: the kept piece flows, the dropped one waits as an extent */
    for (int i = 0; i < 6; i++)
        b[i] = pat(4 + (uint64_t)i, 0);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 4, b, 6, 6, budget, &SC), SEG_FILL);
    CU_ASSERT_TRUE(has_data(0, 16, 0));
    CU_ASSERT_EQUAL(S.held_bytes, 0);
    for (int i = 0; i < 4; i++)
        b[i] = pat(16 + (uint64_t)i, 0);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 16, b, 4, 4, budget, &SC), SEG_FILL);
    /* the consumer gets a gap for what was not kept */
    CU_ASSERT_TRUE(has_data(0, 20, 0));
    CU_ASSERT_TRUE(has_gap(20, 26));
    CU_ASSERT_EQUAL(R.ngaps, 1);
    CU_ASSERT_EQUAL(S.delivered, 26);
    CU_ASSERT_EQUAL(S.held_count, 0);
    CU_ASSERT_EQUAL(CNT.bytes, 26);
    CU_ASSERT_EQUAL(CNT.gap_bytes, 6);
    done();
}

static void test_budget_many(void)
{
    const uint32_t base = 0xfffff000u;
    const size_t budget = 100;
    fresh(1);
    stream_set_base(&S, base);
    /* 50 held segments of 10 bytes ahead of a 10-byte hole */
    for (uint64_t off = 10; off < 510; off += 10) {
        uint8_t b[10];
        for (int i = 0; i < 10; i++)
            b[i] = pat(off + (uint64_t)i, 0);
        stream_segment(&S, 1, base + (uint32_t)off, b, 10, 10, budget, &SC);
        CU_ASSERT_TRUE(S.held_bytes <= budget);
    }
    CU_ASSERT_EQUAL(S.held_bytes, 100);
    CU_ASSERT_EQUAL(CNT.over_budget, 400);
    stream_flush(&S, 1, &SC);
    CU_ASSERT_TRUE(has_gap(0, 10));
    CU_ASSERT_TRUE(has_data(10, 110, 0));
    CU_ASSERT_TRUE(has_gap(110, 510));
    CU_ASSERT_EQUAL(CNT.gap_bytes, 410);
    CU_ASSERT_EQUAL(R.gap_total, 410);
    CU_ASSERT_EQUAL(R.data_bytes, 100);
    CU_ASSERT_EQUAL(S.held_count, 0);
    done();
}

static void test_truncated_payload(void)
{
    const uint32_t base = 300;
    uint8_t b[10];
    fresh(0);
    stream_set_base(&S, base);
    /* in order: 4 of 10 bytes captured */
    for (int i = 0; i < 10; i++)
        b[i] = pat((uint64_t)i, 0);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base, b, 4, 10, BUDGET, &SC), SEG_NEXT);
    CU_ASSERT_TRUE(has_data(0, 4, 0));
    CU_ASSERT_TRUE(has_gap(4, 10));
    CU_ASSERT_EQUAL(S.delivered, 10);
    CU_ASSERT_EQUAL(CNT.bytes, 10);
    CU_ASSERT_EQUAL(CNT.gap_bytes, 6);

    /* held: 20..30 with 3 captured, then 10..20 in full */
    for (int i = 0; i < 10; i++)
        b[i] = pat(20 + (uint64_t)i, 0);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 20, b, 3, 10, BUDGET, &SC), SEG_AHEAD);
    CU_ASSERT_EQUAL(S.held_bytes, 3);
    for (int i = 0; i < 10; i++)
        b[i] = pat(10 + (uint64_t)i, 0);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 10, b, 10, 10, BUDGET, &SC), SEG_FILL);
    CU_ASSERT_TRUE(has_data(10, 23, 0));
    CU_ASSERT_TRUE(has_gap(23, 30));
    CU_ASSERT_EQUAL(S.delivered, 30);
    CU_ASSERT_EQUAL(S.held_count, 0);

    /* nothing captured at all */
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 30, NULL, 0, 5, BUDGET, &SC), SEG_NEXT);
    CU_ASSERT_TRUE(has_gap(30, 35));
    /* caplen larger than seg_len is clamped */
    for (int i = 0; i < 10; i++)
        b[i] = pat(35 + (uint64_t)i, 0);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, base + 35, b, 10, 2, BUDGET, &SC), SEG_NEXT);
    CU_ASSERT_TRUE(has_data(35, 37, 0));
    CU_ASSERT_EQUAL(R.next, 37);
    CU_ASSERT_EQUAL(CNT.bytes, 37);
    done();
}

static void test_before_base(void)
{
    const uint32_t base = 1000;
    uint8_t b[20];
    fresh(0);
    stream_set_base(&S, base);
    for (int i = 0; i < 20; i++)
        b[i] = (uint8_t)i;
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 900, b, 20, 20, BUDGET, &SC), SEG_BEFORE_BASE);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 990, b, 10, 10, BUDGET, &SC), SEG_BEFORE_BASE); /* ends at the base */
    CU_ASSERT_EQUAL(R.ndata, 0);
    CU_ASSERT_EQUAL(CNT.bytes, 0);
    CU_ASSERT_EQUAL(S.highest, 0);
    /* straddling the base: only the part from the base on counts */
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 990, b, 20, 20, BUDGET, &SC), SEG_NEXT);
    CU_ASSERT_EQUAL(R.data_bytes, 10);
    CU_ASSERT_EQUAL(R.data[0], 10);
    CU_ASSERT_EQUAL(R.data[9], 19);
    CU_ASSERT_EQUAL(CNT.bytes, 10);
    /* overlapping delivered bytes, with the capture ending before the new ones: a gap for them */
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 1000 + 10 - 5, b, 3, 10, BUDGET, &SC), SEG_FILL);
    CU_ASSERT_TRUE(has_gap(10, 15));
    CU_ASSERT_EQUAL(S.delivered, 15);
    done();
    /* straddling the base with the capture ending before it: all a gap */
    fresh(0);
    stream_set_base(&S, base);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 990, b, 5, 20, BUDGET, &SC), SEG_NEXT);
    CU_ASSERT_EQUAL(R.ndata, 0);
    CU_ASSERT_TRUE(has_gap(0, 10));
    CU_ASSERT_EQUAL(S.delivered, 10);
    CU_ASSERT_EQUAL(CNT.bytes, 10);
    /* the bytes themselves arriving later are old */
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 1000, b, 10, 10, BUDGET, &SC), SEG_OLD);
    done();
    /* straddling the base with the capture ending inside the stream */
    fresh(0);
    stream_set_base(&S, base);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 990, b, 15, 20, BUDGET, &SC), SEG_NEXT);
    CU_ASSERT_EQUAL(R.data_bytes, 5);
    CU_ASSERT_EQUAL(R.data[0], 10);
    CU_ASSERT_EQUAL(R.data[4], 14);
    CU_ASSERT_TRUE(has_gap(5, 10));
    done();
    /* before the base across the 2^32 wrap */
    fresh(0);
    stream_set_base(&S, 5);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 0xfffffff0u, b, 10, 10, BUDGET, &SC), SEG_BEFORE_BASE);
    CU_ASSERT_EQUAL(stream_segment(&S, 0, 0xfffffffeu, b, 10, 10, BUDGET, &SC), SEG_NEXT);
    CU_ASSERT_EQUAL(R.data_bytes, 3);
    CU_ASSERT_EQUAL(R.data[0], 7);
    done();
}

static void test_unique_bytes(void)
{
    const uint32_t base = 0;
    fresh(0);
    stream_set_base(&S, base);
    feed(base, 50, 10, 0);  /* 50..60 */
    feed(base, 55, 10, 0);  /* 60..65 new */
    feed(base, 40, 30, 1);  /* 40..50, 65..70 new */
    feed(base, 0, 10, 0);   /* 0..10 */
    feed(base, 0, 10, 0);   /* nothing */
    feed(base, 5, 40, 2);   /* 10..40 new */
    CU_ASSERT_EQUAL(CNT.bytes, 70);
    CU_ASSERT_EQUAL(S.delivered, 70);
    CU_ASSERT_EQUAL(S.highest, 70);
    CU_ASSERT_EQUAL(R.data_bytes, 70);
    CU_ASSERT_EQUAL(R.ngaps, 0);
    CU_ASSERT_TRUE(has_data(0, 10, 0));
    CU_ASSERT_TRUE(has_data(10, 40, 2));
    CU_ASSERT_TRUE(has_data(40, 50, 1));
    CU_ASSERT_TRUE(has_data(50, 65, 0));
    CU_ASSERT_TRUE(has_data(65, 70, 1));
    done();
}

/* No consumer at all: bookkeeping still works. */
static void test_no_consumer(void)
{
    struct stream s;
    uint8_t b[8] = {0};
    struct payload_count cnt = {0};
    stream_init(&s, &cnt);
    stream_set_base(&s, 10);
    CU_ASSERT_EQUAL(stream_segment(&s, 0, 20, b, 8, 8, BUDGET, NULL), SEG_AHEAD);
    CU_ASSERT_EQUAL(stream_segment(&s, 0, 10, b, 4, 4, BUDGET, NULL), SEG_FILL);
    stream_acked(&s, 0, 16, NULL);
    stream_flush(&s, 0, NULL);
    CU_ASSERT_EQUAL(s.delivered, 18);
    CU_ASSERT_EQUAL(cnt.gap_bytes, 6);
    CU_ASSERT_EQUAL(cnt.bytes, 12);
    stream_free(&s);

    /* stream_free with held segments releases them (LeakSanitizer watches) */
    stream_init(&s, &cnt);
    stream_set_base(&s, 10);
    stream_segment(&s, 0, 30, b, 8, 8, BUDGET, NULL);
    stream_segment(&s, 0, 50, b, 8, 8, BUDGET, NULL);
    CU_ASSERT_EQUAL(s.held_count, 2);
    stream_free(&s);
    CU_ASSERT_EQUAL(s.held_count, 0);
    CU_ASSERT_EQUAL(s.held_bytes, 0);
    CU_ASSERT_PTR_NULL(s.held);
}

int main(void)
{
    static const struct unit_case tests[] = {
        {"in order", test_in_order},
        {"first segment sets the base", test_first_segment_sets_base},
        {"out of order 3,1,2", test_out_of_order_312},
        {"overlapping retransmission: first copy wins", test_overlap_first_copy_wins},
        {"exact duplicates delivered once", test_exact_duplicates},
        {"wrap-around across 2^32", test_wraparound},
        {"offsets past 4 GiB", test_offsets_past_4g},
        {"hole reported as gap at flush", test_hole_at_flush},
        {"hole ACKed by the peer", test_hole_acked},
        {"hole ACKed partially", test_hole_acked_partially},
        {"ACK before any base", test_acked_without_base},
        {"budget exceeded", test_budget},
        {"budget with many segments", test_budget_many},
        {"truncated payload (caplen < seg_len)", test_truncated_payload},
        {"segment before the base", test_before_base},
        {"unique_bytes counts each byte once", test_unique_bytes},
        {"no consumer; stream_free", test_no_consumer},
    };
    return unit_run("stream", NULL, NULL, tests, UNIT_COUNT(tests));
}
