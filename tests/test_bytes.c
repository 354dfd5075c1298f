/* SPDX-License-Identifier: BSD-2-Clause */
/* test_bytes.c - owns the unit tests of bytes.h (the bounds-checked cursor) and seq.h (sequence arithmetic). */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "seq.h"
#include "unit.h"

static const uint8_t B[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

/* A heap copy of exactly n bytes of B, so ASan sees any overread. */
static uint8_t *exact(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p, B, n);
    return p;
}

/* ---- each width at exact length, one short, zero length ---- */

static void test_u8(void)
{
    struct cursor c;
    uint8_t *p = exact(1);
    cur_init(&c, p, 1);
    CU_ASSERT_EQUAL(cur_u8(&c), 0x11);
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(cur_left(&c), 0);
    free(p);

    p = exact(0);
    cur_init(&c, p, 0);
    CU_ASSERT_EQUAL(cur_u8(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);
}

static void test_be16(void)
{
    struct cursor c;
    uint8_t *p = exact(2);
    cur_init(&c, p, 2);
    CU_ASSERT_EQUAL(cur_be16(&c), 0x1122);
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(c.pos, 2);
    free(p);

    p = exact(1);
    cur_init(&c, p, 1);
    CU_ASSERT_EQUAL(cur_be16(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    CU_ASSERT_EQUAL(c.pos, 0);
    free(p);

    p = exact(0);
    cur_init(&c, p, 0);
    CU_ASSERT_EQUAL(cur_be16(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);
}

static void test_le16(void)
{
    struct cursor c;
    uint8_t *p = exact(2);
    cur_init(&c, p, 2);
    CU_ASSERT_EQUAL(cur_le16(&c), 0x2211);
    CU_ASSERT_EQUAL(c.err, 0);
    free(p);

    p = exact(1);
    cur_init(&c, p, 1);
    CU_ASSERT_EQUAL(cur_le16(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);

    p = exact(0);
    cur_init(&c, p, 0);
    CU_ASSERT_EQUAL(cur_le16(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);
}

static void test_be24(void)
{
    struct cursor c;
    uint8_t *p = exact(3);
    cur_init(&c, p, 3);
    CU_ASSERT_EQUAL(cur_be24(&c), 0x112233u);
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(c.pos, 3);
    free(p);

    p = exact(2);
    cur_init(&c, p, 2);
    CU_ASSERT_EQUAL(cur_be24(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);

    p = exact(0);
    cur_init(&c, p, 0);
    CU_ASSERT_EQUAL(cur_be24(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);
}

/* MySQL's packet length: the least significant byte first */
static void test_le24(void)
{
    struct cursor c;
    uint8_t *p = exact(3);
    cur_init(&c, p, 3);
    CU_ASSERT_EQUAL(cur_le24(&c), 0x332211u);
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(c.pos, 3);
    free(p);

    p = exact(4);
    cur_init(&c, p, 4);
    cur_u8(&c);
    CU_ASSERT_EQUAL(cur_le24(&c), 0x443322u); /* from where the cursor is */
    CU_ASSERT_EQUAL(cur_left(&c), 0);
    free(p);

    p = exact(2);
    cur_init(&c, p, 2);
    CU_ASSERT_EQUAL(cur_le24(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    CU_ASSERT_EQUAL(c.pos, 0);
    free(p);

    p = exact(0);
    cur_init(&c, p, 0);
    CU_ASSERT_EQUAL(cur_le24(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);
}

static void test_be32(void)
{
    struct cursor c;
    uint8_t *p = exact(4);
    cur_init(&c, p, 4);
    CU_ASSERT_EQUAL(cur_be32(&c), 0x11223344u);
    CU_ASSERT_EQUAL(c.err, 0);
    free(p);

    p = exact(3);
    cur_init(&c, p, 3);
    CU_ASSERT_EQUAL(cur_be32(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);

    p = exact(0);
    cur_init(&c, p, 0);
    CU_ASSERT_EQUAL(cur_be32(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);

    /* the top bit survives (no sign extension through int promotion) */
    static const uint8_t hi[4] = {0xff, 0xfe, 0xfd, 0xfc};
    cur_init(&c, hi, 4);
    CU_ASSERT_EQUAL(cur_be32(&c), 0xfffefdfcu);
}

static void test_le32(void)
{
    struct cursor c;
    uint8_t *p = exact(4);
    cur_init(&c, p, 4);
    CU_ASSERT_EQUAL(cur_le32(&c), 0x44332211u);
    CU_ASSERT_EQUAL(c.err, 0);
    free(p);

    p = exact(3);
    cur_init(&c, p, 3);
    CU_ASSERT_EQUAL(cur_le32(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);

    p = exact(0);
    cur_init(&c, p, 0);
    CU_ASSERT_EQUAL(cur_le32(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);

    static const uint8_t hi[4] = {0xfc, 0xfd, 0xfe, 0xff};
    cur_init(&c, hi, 4);
    CU_ASSERT_EQUAL(cur_le32(&c), 0xfffefdfcu);
}

static void test_sequence_of_reads(void)
{
    struct cursor c;
    uint8_t *p = exact(8);
    cur_init(&c, p, 8);
    CU_ASSERT_EQUAL(cur_u8(&c), 0x11);
    CU_ASSERT_EQUAL(cur_be16(&c), 0x2233);
    CU_ASSERT_EQUAL(cur_le16(&c), 0x5544);
    CU_ASSERT_EQUAL(cur_be24(&c), 0x667788u);
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(cur_left(&c), 0);
    CU_ASSERT_FALSE(cur_has(&c, 1));
    CU_ASSERT_TRUE(cur_has(&c, 0));
    free(p);
}

static void test_null_buffer(void)
{
    struct cursor c;
    cur_init(&c, NULL, 100); /* a NULL buffer has no bytes whatever len says */
    CU_ASSERT_EQUAL(c.len, 0);
    CU_ASSERT_EQUAL(cur_left(&c), 0);
    CU_ASSERT_EQUAL(cur_u8(&c), 0);
    CU_ASSERT_EQUAL(c.err, 1);
}

/* ---- sticky error ---- */

static void test_sticky_error(void)
{
    struct cursor c;
    uint8_t *p = exact(5);
    cur_init(&c, p, 5);
    CU_ASSERT_EQUAL(cur_be32(&c), 0x11223344u);
    CU_ASSERT_EQUAL(cur_be16(&c), 0); /* one short */
    CU_ASSERT_EQUAL(c.err, 1);
    /* the byte that remains is no longer readable: the error sticks */
    CU_ASSERT_EQUAL(cur_left(&c), 0);
    CU_ASSERT_FALSE(cur_has(&c, 1));
    CU_ASSERT_FALSE(cur_has(&c, 0));
    CU_ASSERT_EQUAL(cur_u8(&c), 0);
    CU_ASSERT_PTR_NULL(cur_take(&c, 0));
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);

    /* skip past the end sets the error too */
    p = exact(3);
    cur_init(&c, p, 3);
    cur_skip(&c, 4);
    CU_ASSERT_EQUAL(c.err, 1);
    CU_ASSERT_EQUAL(cur_u8(&c), 0);
    free(p);

    /* cur_take: pointer on success, NULL on failure */
    p = exact(4);
    cur_init(&c, p, 4);
    CU_ASSERT_PTR_EQUAL(cur_take(&c, 3), p);
    CU_ASSERT_PTR_NULL(cur_take(&c, 2));
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);

    /* a huge n must not wrap the length check */
    p = exact(4);
    cur_init(&c, p, 4);
    cur_u8(&c);
    CU_ASSERT_PTR_NULL(cur_take(&c, SIZE_MAX));
    CU_ASSERT_EQUAL(c.err, 1);
    free(p);
}

/* ---- cur_literal: a sniffer's keyword, whole, different, or cut short ---- */

/* A heap copy of exactly the bytes of `text`, so ASan sees any read past them. */
static uint8_t *exact_text(const char *text, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p, text, n);
    return p;
}

static void test_literal(void)
{
    struct cursor c;
    uint8_t *p = exact_text("+OK ready", 9);
    cur_init(&c, p, 9);
    CU_ASSERT_EQUAL(cur_literal(&c, "+OK"), 1);
    CU_ASSERT_EQUAL(cur_offset(&c), 3); /* moved past it */
    CU_ASSERT_EQUAL(cur_peek(&c, 0), ' ');
    CU_ASSERT_EQUAL(cur_literal(&c, " ready"), 1);
    CU_ASSERT_EQUAL(cur_left(&c), 0);
    CU_ASSERT_EQUAL(cur_literal(&c, ""), 1); /* nothing to match: matched, at the end too */
    CU_ASSERT_EQUAL(cur_literal(&c, "x"), -1);
    CU_ASSERT_EQUAL(c.err, 0);
    free(p);

    /* a byte differs: 0, and the cursor stays (the next keyword is tried from the same place) */
    p = exact_text("+ok", 3);
    cur_init(&c, p, 3);
    CU_ASSERT_EQUAL(cur_literal(&c, "+OK"), 0);
    CU_ASSERT_EQUAL(cur_offset(&c), 0);
    CU_ASSERT_EQUAL(cur_literal(&c, "-ERR"), 0);
    CU_ASSERT_EQUAL(c.err, 0);
    free(p);

    /* the bytes end inside it, agreeing so far: -1, nothing read past them, the cursor stays */
    p = exact_text("<stream:str", 11);
    cur_init(&c, p, 11);
    CU_ASSERT_EQUAL(cur_literal(&c, "<stream:stream"), -1);
    CU_ASSERT_EQUAL(cur_offset(&c), 0);
    CU_ASSERT_EQUAL(c.err, 0);
    /* ... unless a byte before the end already differs */
    CU_ASSERT_EQUAL(cur_literal(&c, "<stream:x"), 0);
    free(p);

    /* no bytes at all: more may come */
    cur_init(&c, NULL, 0);
    CU_ASSERT_EQUAL(cur_literal(&c, "220"), -1);
    CU_ASSERT_EQUAL(cur_literal_nocase(&c, "220"), -1);

    /* a cursor in error has nothing left to match */
    p = exact_text("220", 3);
    cur_init(&c, p, 3);
    cur_skip(&c, 4);
    CU_ASSERT_EQUAL(cur_literal(&c, "220"), -1);
    free(p);
}

static void test_literal_nocase(void)
{
    struct cursor c;
    uint8_t *p = exact_text("* ok IMAP", 9);
    cur_init(&c, p, 9);
    CU_ASSERT_EQUAL(cur_literal(&c, "* OK"), 0);        /* case counts for cur_literal */
    CU_ASSERT_EQUAL(cur_literal_nocase(&c, "* OK"), 1); /* and not here */
    CU_ASSERT_EQUAL(cur_offset(&c), 4);
    CU_ASSERT_EQUAL(cur_literal_nocase(&c, " imap"), 1); /* either side may be lower case */
    free(p);

    p = exact_text("StLs\r\n", 6);
    cur_init(&c, p, 6);
    CU_ASSERT_EQUAL(cur_literal_nocase(&c, "CAPA\r\n"), 0);
    CU_ASSERT_EQUAL(cur_literal_nocase(&c, "STLS\r\n"), 1);
    free(p);

    /* only ASCII letters fold: '@' (0x40) is not '`' (0x60), 0xe9 is not 0xc9 */
    p = exact_text("@\xe9", 2);
    cur_init(&c, p, 2);
    CU_ASSERT_EQUAL(cur_literal_nocase(&c, "`"), 0);
    cur_skip(&c, 1);
    CU_ASSERT_EQUAL(cur_literal_nocase(&c, "\xc9"), 0);
    free(p);

    p = exact_text("ap", 2);
    cur_init(&c, p, 2);
    CU_ASSERT_EQUAL(cur_literal_nocase(&c, "APOP "), -1);
    CU_ASSERT_EQUAL(cur_offset(&c), 0);
    free(p);
}

/* ---- cur_sub ---- */

static void test_sub_inside(void)
{
    struct cursor c;
    uint8_t *p = exact(8);
    cur_init(&c, p, 8);
    cur_u8(&c);
    struct cursor s = cur_sub(&c, 4);
    CU_ASSERT_EQUAL(s.err, 0);
    CU_ASSERT_EQUAL(s.len, 4);
    CU_ASSERT_EQUAL(s.pos, 0);
    CU_ASSERT_PTR_EQUAL(s.p, p + 1);
    CU_ASSERT_EQUAL(c.pos, 5);
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(cur_be32(&s), 0x22334455u);
    CU_ASSERT_EQUAL(cur_u8(&s), 0); /* the sub-cursor ends at its own end */
    CU_ASSERT_EQUAL(s.err, 1);
    CU_ASSERT_EQUAL(c.err, 0);      /* ...without touching the parent */
    CU_ASSERT_EQUAL(cur_be24(&c), 0x667788u);
    free(p);

    /* exactly what remains, and zero bytes */
    p = exact(4);
    cur_init(&c, p, 4);
    s = cur_sub(&c, 4);
    CU_ASSERT_EQUAL(s.err, 0);
    CU_ASSERT_EQUAL(s.len, 4);
    CU_ASSERT_EQUAL(cur_left(&c), 0);
    CU_ASSERT_EQUAL(c.err, 0);
    s = cur_sub(&c, 0);
    CU_ASSERT_EQUAL(s.err, 0);
    CU_ASSERT_EQUAL(s.len, 0);
    CU_ASSERT_EQUAL(c.err, 0);
    free(p);
}

static void test_sub_clamped(void)
{
    struct cursor c;
    uint8_t *p = exact(6);
    cur_init(&c, p, 6);
    cur_be16(&c);
    struct cursor s = cur_sub(&c, 10); /* 4 remain */
    CU_ASSERT_EQUAL(s.err, 1);
    CU_ASSERT_EQUAL(s.len, 4);          /* clamped to what remains */
    CU_ASSERT_PTR_EQUAL(s.p, p + 2);
    CU_ASSERT_EQUAL(cur_left(&s), 0);   /* but marked short: unreadable */
    CU_ASSERT_EQUAL(cur_u8(&s), 0);
    CU_ASSERT_EQUAL(c.err, 1);
    CU_ASSERT_EQUAL(c.pos, c.len);
    CU_ASSERT_EQUAL(cur_left(&c), 0);
    free(p);

    /* from an already failed cursor: nothing */
    p = exact(2);
    cur_init(&c, p, 2);
    cur_be32(&c);
    s = cur_sub(&c, 1);
    CU_ASSERT_EQUAL(s.err, 1);
    CU_ASSERT_EQUAL(s.len, 0);
    free(p);

    /* from a NULL-buffer cursor */
    cur_init(&c, NULL, 0);
    s = cur_sub(&c, 3);
    CU_ASSERT_EQUAL(s.err, 1);
    CU_ASSERT_EQUAL(s.len, 0);
    CU_ASSERT_PTR_NULL(s.p);
}

/* ---- cur_copy ---- */

static void test_copy(void)
{
    struct cursor c;
    uint8_t *p = exact(6);
    uint8_t d[8];
    memset(d, 0xaa, sizeof d);
    cur_init(&c, p, 6);
    cur_copy(&c, d, 4);
    CU_ASSERT_EQUAL(c.err, 0);
    CU_ASSERT_EQUAL(memcmp(d, B, 4), 0);
    CU_ASSERT_EQUAL(d[4], 0xaa); /* nothing written past n */

    memset(d, 0xaa, sizeof d);
    cur_copy(&c, d, 4); /* only 2 remain: zeroed, error */
    CU_ASSERT_EQUAL(c.err, 1);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(d[i], 0);
    CU_ASSERT_EQUAL(d[4], 0xaa);

    /* and on a cursor already in error, even for a length that would fit */
    memset(d, 0xaa, sizeof d);
    cur_copy(&c, d, 1);
    CU_ASSERT_EQUAL(d[0], 0);
    CU_ASSERT_EQUAL(d[1], 0xaa);
    free(p);

    /* zero length buffer */
    p = exact(0);
    cur_init(&c, p, 0);
    memset(d, 0xaa, sizeof d);
    cur_copy(&c, d, 3);
    CU_ASSERT_EQUAL(c.err, 1);
    CU_ASSERT_EQUAL(d[0], 0);
    CU_ASSERT_EQUAL(d[2], 0);
    CU_ASSERT_EQUAL(d[3], 0xaa);
    free(p);
}

/* ---- seq.h ---- */

static void test_seq_compare(void)
{
    CU_ASSERT_EQUAL(seq_diff(5, 3), 2);
    CU_ASSERT_EQUAL(seq_diff(3, 5), -2);
    CU_ASSERT_TRUE(seq_lt(3, 5));
    CU_ASSERT_FALSE(seq_lt(5, 5));
    CU_ASSERT_TRUE(seq_leq(5, 5));
    CU_ASSERT_TRUE(seq_geq(5, 5));
    CU_ASSERT_FALSE(seq_gt(5, 5));

    /* across the 2^32 wrap: 0x10 comes after 0xfffffff0 */
    CU_ASSERT_EQUAL(seq_diff(0x10, 0xfffffff0u), 0x20);
    CU_ASSERT_EQUAL(seq_diff(0xfffffff0u, 0x10), -0x20);
    CU_ASSERT_TRUE(seq_lt(0xfffffff0u, 0x10));
    CU_ASSERT_TRUE(seq_leq(0xfffffff0u, 0x10));
    CU_ASSERT_TRUE(seq_gt(0x10, 0xfffffff0u));
    CU_ASSERT_TRUE(seq_geq(0x10, 0xfffffff0u));
    CU_ASSERT_FALSE(seq_gt(0xfffffff0u, 0x10));
    CU_ASSERT_FALSE(seq_lt(0x10, 0xfffffff0u));
    CU_ASSERT_TRUE(seq_lt(0xffffffffu, 0));
    CU_ASSERT_TRUE(seq_gt(0, 0xffffffffu));

    /* within half the space, plain order holds both ways */
    CU_ASSERT_TRUE(seq_lt(0, 0x7fffffffu));
    CU_ASSERT_TRUE(seq_gt(0x80000001u, 0x00000002u));
}

static void test_seq_unwrap(void)
{
    /* plain */
    CU_ASSERT_EQUAL(seq_unwrap(1010, 1000, 0), 10);
    CU_ASSERT_EQUAL(seq_unwrap(1000, 1000, 0), 0);
    /* before the base: negative */
    CU_ASSERT_EQUAL(seq_unwrap(990, 1000, 0), -10);
    CU_ASSERT_EQUAL(seq_unwrap(0xfffffff6u, 0, 0), -10);
    /* base just below the wrap, seq past it */
    CU_ASSERT_EQUAL(seq_unwrap(0x100, 0xffffff00u, 0), 0x200);
    CU_ASSERT_EQUAL(seq_unwrap(0x100, 0xffffff00u, 0x1f0), 0x200);
    CU_ASSERT_EQUAL(seq_unwrap(0xffffff80u, 0xffffff00u, 0x1f0), 0x80);
    /* after more than 2^32 bytes the offset keeps growing past 32 bits */
    int64_t four_g = (int64_t)1 << 32;
    CU_ASSERT_EQUAL(seq_unwrap(1005, 1000, four_g + 10), four_g + 5);
    CU_ASSERT_EQUAL(seq_unwrap(1020, 1000, four_g + 10), four_g + 20);
    CU_ASSERT_EQUAL(seq_unwrap(990, 1000, four_g + 10), four_g - 10);
    CU_ASSERT_EQUAL(seq_unwrap(1000 + 0x10, 1000, 3 * four_g - 0x10), 3 * four_g + 0x10);
    /* the nearest candidate to ref, either side */
    CU_ASSERT_EQUAL(seq_unwrap(1000 + 0x7fffffffu, 1000, 0), 0x7fffffff);
    CU_ASSERT_EQUAL(seq_unwrap(1000 + 0x80000001u, 1000, 0), -(int64_t)0x7fffffff);
    CU_ASSERT_EQUAL(seq_unwrap(1000 + 0x80000001u, 1000, 0x10000), 0x80000001);
}

int main(void)
{
    static const struct unit_case cursor[] = {
        {"u8", test_u8},
        {"be16", test_be16},
        {"le16", test_le16},
        {"be24", test_be24},
        {"le24", test_le24},
        {"be32", test_be32},
        {"le32", test_le32},
        {"sequence of reads", test_sequence_of_reads},
        {"NULL buffer", test_null_buffer},
        {"sticky error", test_sticky_error},
        {"cur_sub inside", test_sub_inside},
        {"cur_sub clamped", test_sub_clamped},
        {"cur_copy", test_copy},
        {"cur_literal", test_literal},
        {"cur_literal_nocase", test_literal_nocase},
    };
    static const struct unit_case seq[] = {
        {"comparisons across the wrap", test_seq_compare},
        {"seq_unwrap", test_seq_unwrap},
    };
    static const struct unit_suite suites[] = {
        {"cursor", NULL, NULL, cursor, UNIT_COUNT(cursor)},
        {"seq", NULL, NULL, seq, UNIT_COUNT(seq)},
    };
    return unit_run_suites(suites, UNIT_COUNT(suites));
}
