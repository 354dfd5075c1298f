/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bytes.h - the one way synfin reads packet bytes.
 *
 * A cursor walks a buffer of known captured length.  Every read checks the
 * remaining length first; a read that would pass the end returns 0 and sets a
 * sticky error flag instead, so a parser can read a whole header and test
 * `cur.err` once at the end (the habit of tcpdump's GET_ macros, without the
 * longjmp).  Nothing here ever dereferences past p + len.
 */
#ifndef SYNFIN_BYTES_H
#define SYNFIN_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int err;
};

static inline void cur_init(struct cursor *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = p ? len : 0;
    c->pos = 0;
    c->err = 0;
}

static inline size_t cur_left(const struct cursor *c) { return c->err ? 0 : c->len - c->pos; }
static inline int cur_has(const struct cursor *c, size_t n) { return !c->err && c->len - c->pos >= n; }

/* Pointer to the next n bytes and advance, or NULL (and err) when fewer remain. */
static inline const uint8_t *cur_take(struct cursor *c, size_t n)
{
    if (!cur_has(c, n)) {
        c->err = 1;
        return NULL;
    }
    const uint8_t *r = c->p + c->pos;
    c->pos += n;
    return r;
}

static inline void cur_skip(struct cursor *c, size_t n) { (void)cur_take(c, n); }

/*
 * Looking before deciding.  cur_peek is the byte `off` places ahead, or -1
 * when there is none; a copy of the cursor (struct cursor look = *c) reads
 * further ahead without moving the original.  Neither sets err.
 */
static inline int cur_peek(const struct cursor *c, size_t off)
{
    return !c->err && c->len - c->pos > off ? c->p[c->pos + off] : -1;
}

/* Where the bytes left begin (cur_left of them), for keeping or handing on, and where they end
 * (one past the last); NULL for a cursor over nothing. */
static inline const uint8_t *cur_here(const struct cursor *c) { return c->p ? c->p + c->pos : NULL; }
static inline const uint8_t *cur_end(const struct cursor *c) { return c->p ? c->p + c->len : NULL; }
/* How many bytes were read so far (an alignment counts from here). */
static inline size_t cur_offset(const struct cursor *c) { return c->pos; }

/* Bound the cursor to its next n bytes (when it holds more); drop its last n bytes (a trailer). */
static inline void cur_bound(struct cursor *c, size_t n)
{
    if (!c->err && c->len - c->pos > n)
        c->len = c->pos + n;
}

static inline void cur_drop_tail(struct cursor *c, size_t n)
{
    if (!c->err)
        c->len = c->len - c->pos > n ? c->len - n : c->pos;
}

static inline uint8_t cur_u8(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 1);
    return b ? b[0] : 0;
}

static inline uint16_t cur_be16(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 2);
    return b ? (uint16_t)(b[0] << 8 | b[1]) : 0;
}

static inline uint16_t cur_le16(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 2);
    return b ? (uint16_t)(b[1] << 8 | b[0]) : 0;
}

static inline uint32_t cur_be24(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 3);
    return b ? (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2] : 0;
}

/* MySQL's packet length (3 bytes, least significant first). */
static inline uint32_t cur_le24(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 3);
    return b ? (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0] : 0;
}

static inline uint32_t cur_be32(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 4);
    return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

static inline uint32_t cur_le32(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 4);
    return b ? (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0] : 0;
}

/*
 * A header that may arrive split across segments: move bytes into buf
 * until it holds `want` (it holds `have` now); returns how many it holds.
 */
static inline size_t cur_gather(struct cursor *c, uint8_t *buf, size_t have, size_t want)
{
    while (have < want && cur_has(c, 1))
        buf[have++] = c->p[c->pos++];
    return have;
}

/* How many bytes lie before the next `byte` (*found 1), or all that are left (*found 0). */
static inline size_t cur_span_to(const struct cursor *c, uint8_t byte, int *found)
{
    size_t n = cur_left(c);
    const uint8_t *at = n ? memchr(c->p + c->pos, byte, n) : NULL;
    *found = at != NULL;
    return at ? (size_t)(at - (c->p + c->pos)) : n;
}

/* Copy n bytes out; on a short buffer the destination is zeroed and err set. */
static inline void cur_copy(struct cursor *c, void *dst, size_t n)
{
    const uint8_t *b = cur_take(c, n);
    if (!n)
        return; /* memcpy of nothing still wants valid pointers */
    if (b)
        memcpy(dst, b, n);
    else
        memset(dst, 0, n);
}

/* A sub-cursor over the next n bytes (clamped to what remains; err if short). */
static inline struct cursor cur_sub(struct cursor *c, size_t n)
{
    struct cursor s;
    size_t have = cur_left(c);
    if (n > have) {
        cur_init(&s, c->p ? c->p + c->pos : NULL, have);
        s.err = 1;
        c->pos = c->len;
        c->err = 1;
        return s;
    }
    cur_init(&s, c->p ? c->p + c->pos : NULL, n); /* NULL + 0 is undefined too */
    c->pos += n;
    return s;
}

/*
 * Do the bytes at the cursor spell `lit`?  1: all of it, and the cursor moves
 * past it; 0: a byte differs; -1: the bytes end first, agreeing so far (to a
 * sniffer: more bytes may settle it; a cursor in error has no bytes).  The
 * cursor moves only on 1; err is never set.  cur_literal_nocase ignores
 * ASCII case on both sides, as the text protocols read their keywords ("* ok"
 * greets like "* OK").
 */
static inline int cur_literal_how(struct cursor *c, const char *lit, int nocase)
{
    size_t k = 0;
    for (; lit[k]; k++) {
        int b = cur_peek(c, k);
        if (b < 0)
            return -1;
        int want = (unsigned char)lit[k];
        if (nocase) {
            b = b >= 'a' && b <= 'z' ? b - 32 : b;
            want = want >= 'a' && want <= 'z' ? want - 32 : want;
        }
        if (b != want)
            return 0;
    }
    cur_skip(c, k);
    return 1;
}

static inline int cur_literal(struct cursor *c, const char *lit) { return cur_literal_how(c, lit, 0); }
static inline int cur_literal_nocase(struct cursor *c, const char *lit) { return cur_literal_how(c, lit, 1); }

/* The value of one hexadecimal digit, or -1: key logs and chunk sizes both spell numbers in hex. */
static inline int hex_digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
