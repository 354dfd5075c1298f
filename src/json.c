/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.c - the JSON writer (see json.h).  Strings are escaped per RFC 8259
 * section 7; bytes that are not valid UTF-8 come out as \u00XX of the byte,
 * so a hostile name in a packet can never break a JSON line.
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>

void jw_init(struct jw *w, FILE *f)
{
    memset(w, 0, sizeof *w);
    w->f = f;
}

void jw_free(struct jw *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

/* Room for n more bytes in the buffer; -1 (oom set) when it cannot grow. */
static int reserve(struct jw *w, size_t n)
{
    if (w->len + n <= w->cap)
        return 0;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + n)
        cap *= 2;
    char *b = realloc(w->buf, cap);
    if (!b) {
        w->oom = 1;
        return -1;
    }
    w->buf = b;
    w->cap = cap;
    return 0;
}

static void grow_put(struct jw *w, const void *p, size_t n)
{
    if (reserve(w, n) < 0)
        return;
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

/* Most pieces are a few bytes: copy those by hand rather than call memcpy. */
static inline void put(struct jw *w, const void *p, size_t n)
{
    if (n <= 16 && w->len + n <= w->cap) {
        const char *s = p;
        char *d = w->buf + w->len;
        switch (n) { /* falls through on purpose: one store per byte, no loop */
        case 16: d[15] = s[15]; /* fall through */
        case 15: d[14] = s[14]; /* fall through */
        case 14: d[13] = s[13]; /* fall through */
        case 13: d[12] = s[12]; /* fall through */
        case 12: d[11] = s[11]; /* fall through */
        case 11: d[10] = s[10]; /* fall through */
        case 10: d[9] = s[9]; /* fall through */
        case 9: d[8] = s[8]; /* fall through */
        case 8: d[7] = s[7]; /* fall through */
        case 7: d[6] = s[6]; /* fall through */
        case 6: d[5] = s[5]; /* fall through */
        case 5: d[4] = s[4]; /* fall through */
        case 4: d[3] = s[3]; /* fall through */
        case 3: d[2] = s[2]; /* fall through */
        case 2: d[1] = s[1]; /* fall through */
        case 1: d[0] = s[0]; /* fall through */
        default: break;
        }
        w->len += n;
        return;
    }
    grow_put(w, p, n);
}

static inline void put_ch(struct jw *w, char c)
{
    if (w->len < w->cap)
        w->buf[w->len++] = c;
    else
        grow_put(w, &c, 1);
}

int jw_flush(struct jw *w, int newline)
{
    if (newline)
        put_ch(w, '\n');
    size_t n = w->len;
    w->len = 0;
    w->depth = 0;
    w->nonempty[0] = 0;
    return n && fwrite(w->buf, 1, n, w->f) != n ? -1 : 0;
}

/* The comma before a value, and its key: one room check for the lot (every value starts here). */
static void sep(struct jw *w, const char *key, size_t klen)
{
    if (reserve(w, klen + 4) < 0)
        return;
    char *d = w->buf + w->len;
    if (w->nonempty[w->depth])
        *d++ = ',';
    w->nonempty[w->depth] = 1;
    if (key) { /* keys are our own literals: nothing to escape */
        *d++ = '"';
        memcpy(d, key, klen);
        d += klen;
        *d++ = '"';
        *d++ = ':';
    }
    w->len = (size_t)(d - w->buf);
}

static void open_(struct jw *w, const char *key, size_t klen, char ch)
{
    sep(w, key, klen);
    put_ch(w, ch);
    if (w->depth + 1 < JSON_MAX_DEPTH)
        w->depth++;
    w->nonempty[w->depth] = 0;
}

static void close_(struct jw *w, char ch)
{
    put_ch(w, ch);
    if (w->depth > 0)
        w->depth--;
}

void jw_obj_begin_k(struct jw *w, const char *key, size_t klen) { open_(w, key, klen, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr_begin_k(struct jw *w, const char *key, size_t klen) { open_(w, key, klen, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

/* Length of a valid UTF-8 sequence at s (1..4), or 0 when it is not one.
 * RFC 3629 section 4: no overlong forms, no surrogates, nothing past U+10FFFF;
 * certificate names arrive verbatim and must still make JSON every parser takes. */
static int utf8_len(const unsigned char *s, size_t left)
{
    int n;
    unsigned lo = 0x80, hi = 0xbf; /* what the second byte may be */
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] == 0xe0)
        n = 3, lo = 0xa0;
    else if (s[0] == 0xed)
        n = 3, hi = 0x9f;
    else if (s[0] >= 0xe1 && s[0] <= 0xef)
        n = 3;
    else if (s[0] == 0xf0)
        n = 4, lo = 0x90;
    else if (s[0] >= 0xf1 && s[0] <= 0xf3)
        n = 4;
    else if (s[0] == 0xf4)
        n = 4, hi = 0x8f;
    else
        return 0;
    if ((size_t)n > left || s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

static void escape_byte(struct jw *w, unsigned char ch)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
    put(w, e, sizeof e);
}

/* 1 for the bytes that go into a JSON string as they are: printable ASCII but '"' and '\\'. */
static const uint8_t plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* How many of the n bytes at s go in as they are.  Eight at a time while none of them needs a
 * look: each test below is exact for a whole word (no byte below 0x20, none with the top bit,
 * none equal to DEL, '"' or '\\'); the first word that fails goes byte by byte. */
static size_t plain_run(const unsigned char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, q, b, d;
        memcpy(&x, s + i, 8);
        q = x ^ (ones * '"');
        b = x ^ (ones * '\\');
        d = x ^ (ones * 0x7f);
        uint64_t bad = ((x - ones * 0x20) & ~x) | x | ((q - ones) & ~q) | ((b - ones) & ~b) | ((d - ones) & ~d);
        if (bad & high)
            break;
    }
    while (i < n && plain[s[i]])
        i++;
    return i;
}

void jw_strn_k(struct jw *w, const char *key, size_t klen, const char *s, size_t len)
{
    sep(w, key, klen);
    put_ch(w, '"');
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        /* a run of plain printable ASCII goes in at once */
        size_t run = plain_run(p, (size_t)(end - p));
        if (run) {
            put(w, p, run);
            p += run;
            continue;
        }
        unsigned char ch = *p;
        if (ch == '"' || ch == '\\') {
            char e[2] = {'\\', (char)ch};
            put(w, e, 2);
            p++;
        } else if (ch < 0x20 || ch == 0x7f) {
            escape_byte(w, ch);
            p++;
        } else {
            int n = utf8_len(p, (size_t)(end - p));
            if (n == 0) {
                escape_byte(w, ch);
                p++;
            } else {
                put(w, p, (size_t)n);
                p += n;
            }
        }
    }
    put_ch(w, '"');
}

/* Decimal digits of v ending at `end`, two at a time; returns where they start. */
static char *u64_digits(uint64_t v, char *end)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100) * 2;
        v /= 100;
        *--end = pairs[r + 1];
        *--end = pairs[r];
    }
    if (v >= 10) {
        *--end = pairs[v * 2 + 1];
        *--end = pairs[v * 2];
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

void jw_uint_k(struct jw *w, const char *key, size_t klen, uint64_t v)
{
    char buf[24], *d = u64_digits(v, buf + sizeof buf);
    sep(w, key, klen);
    put(w, d, (size_t)(buf + sizeof buf - d));
}

void jw_int_k(struct jw *w, const char *key, size_t klen, int64_t v)
{
    char buf[24], *end = buf + sizeof buf;
    char *d = u64_digits(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, end);
    if (v < 0)
        *--d = '-';
    sep(w, key, klen);
    put(w, d, (size_t)(end - d));
}

void jw_bool_k(struct jw *w, const char *key, size_t klen, int v)
{
    sep(w, key, klen);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void jw_null_k(struct jw *w, const char *key, size_t klen)
{
    sep(w, key, klen);
    put(w, "null", 4);
}

void jw_fixed_k(struct jw *w, const char *key, size_t klen, int64_t units, int64_t units_per_one, int digits)
{
    sep(w, key, klen);
    uint64_t u = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    uint64_t per = (uint64_t)units_per_one, whole = u / per, frac = u % per;
    /* scale the fraction to `digits` decimals (truncating finer units) */
    uint64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    frac = per >= scale ? frac / (per / scale) : frac * (scale / per);
    char buf[48], *end = buf + sizeof buf, *d = end;
    if (digits > 0) {
        for (int i = 0; i < digits; i++, frac /= 10)
            *--d = (char)('0' + frac % 10);
        *--d = '.';
    }
    d = u64_digits(whole, d);
    if (units < 0)
        *--d = '-';
    put(w, d, (size_t)(end - d));
}
