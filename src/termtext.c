/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * termtext.c - the terminal sanitiser (see termtext.h).
 *
 * UTF-8 is decoded strictly (RFC 3629 section 4: no overlong forms, no
 * surrogates, nothing past U+10FFFF): a terminal may well take an overlong
 * C0 0x9B for CSI.  Widths come from wcwidth(3) in the locale the program
 * runs in (main sets LC_CTYPE from the environment), so the layout counts
 * the columns the terminal will use; a character the locale cannot draw is
 * escaped rather than guessed at.
 */
#define _XOPEN_SOURCE 700
#include "termtext.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* The code point at s (n bytes left) and its length, or 0 when the bytes are not UTF-8. */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    int len;
    unsigned lo = 0x80, hi = 0xbf;
    uint32_t v;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, v = s[0] & 0x1f;
    else if (s[0] == 0xe0)
        len = 3, v = 0, lo = 0xa0;
    else if (s[0] == 0xed)
        len = 3, v = 0xd, hi = 0x9f;
    else if (s[0] >= 0xe1 && s[0] <= 0xef)
        len = 3, v = s[0] & 0x0f;
    else if (s[0] == 0xf0)
        len = 4, v = 0, lo = 0x90;
    else if (s[0] >= 0xf1 && s[0] <= 0xf3)
        len = 4, v = s[0] & 0x07;
    else if (s[0] == 0xf4)
        len = 4, v = 4, hi = 0x8f;
    else
        return 0;
    if ((size_t)len > n || s[1] < lo || s[1] > hi)
        return 0;
    v = v << 6 | (s[1] & 0x3f);
    for (int i = 2; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    *cp = v;
    return len;
}

static int is_bidi_control(uint32_t cp)
{
    return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Columns a kept character takes, or 0 when it must be escaped. */
static int drawn_width(uint32_t cp, unsigned flags)
{
    if (cp < 0x80)
        return cp >= 0x20 && cp != 0x7f && cp != '\\';
    if ((flags & TT_ASCII) || cp <= 0x9f || is_bidi_control(cp))
        return 0;
    int w = wcwidth((wchar_t)cp);
    return w > 0 ? w : 0;
}

/* Append n bytes if they fit whole (leaving room for the NUL); 0, or -1 when they do not. */
static int put(char *dst, size_t cap, size_t *at, const char *p, size_t n)
{
    if (*at + n + 1 > cap)
        return -1;
    memcpy(dst + *at, p, n);
    *at += n;
    return 0;
}

size_t tt_clean(char *dst, size_t cap, const char *src, size_t len, unsigned flags)
{
    if (cap == 0)
        return 0;
    const unsigned char *s = (const unsigned char *)src;
    size_t at = 0, width = 0, i = 0;
    while (i < len) {
        uint32_t cp = 0;
        int n = utf8_decode(s + i, len - i, &cp);
        char esc[16];
        int el;
        if (n == 0) {
            el = snprintf(esc, sizeof esc, "\\x%02x", s[i]);
            n = 1;
        } else if (cp == '\\') {
            el = snprintf(esc, sizeof esc, "\\\\");
        } else if (cp < 0x20 || cp == 0x7f) {
            el = snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
        } else {
            int w = drawn_width(cp, flags);
            if (w > 0) {
                if (put(dst, cap, &at, (const char *)s + i, (size_t)n) < 0)
                    break;
                width += (size_t)w;
                i += (size_t)n;
                continue;
            }
            el = cp < 0x10000 ? snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp)
                              : snprintf(esc, sizeof esc, "\\U%08x", (unsigned)cp);
        }
        if (put(dst, cap, &at, esc, (size_t)el) < 0)
            break;
        width += (size_t)el;
        i += (size_t)n;
    }
    dst[at] = '\0';
    return width;
}

size_t tt_cleans(char *dst, size_t cap, const char *src, unsigned flags)
{
    return tt_clean(dst, cap, src, strlen(src), flags);
}

/* Width of one character of clean (or synfin's own) text: a character the
 * locale cannot measure (box drawing under LANG=C, in tests) counts one. */
static size_t char_width(const unsigned char *s, size_t n, int *len)
{
    uint32_t cp;
    *len = utf8_decode(s, n, &cp);
    if (*len == 0) {
        *len = 1;
        return 1;
    }
    if (cp < 0x80)
        return 1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : (size_t)w;
}

size_t tt_width(const char *s)
{
    size_t w = 0, n = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    while (n > 0) {
        int len;
        w += char_width(p, n, &len);
        p += len;
        n -= (size_t)len;
    }
    return w;
}

/* In clean text a backslash always starts an escape: its length, so that a cut never splits one. */
static int escape_len(const unsigned char *p, size_t n)
{
    int len = n < 2 ? 1 : p[1] == 'x' ? 4 : p[1] == 'u' ? 6 : p[1] == 'U' ? 10 : 2;
    return (size_t)len <= n ? len : (int)n;
}

size_t tt_fit(const char *s, size_t cols, size_t *width)
{
    size_t w = 0, n = strlen(s), at = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (at < n) {
        int len;
        size_t cw;
        if (p[at] == '\\')
            cw = (size_t)(len = escape_len(p + at, n - at));
        else
            cw = char_width(p + at, n - at, &len);
        if (w + cw > cols)
            break;
        w += cw;
        at += (size_t)len;
    }
    if (width)
        *width = w;
    return at;
}
