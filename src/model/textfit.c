/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * textfit.c - text fitted to columns with a visible mark where it was cut
 * (see textfit.h).
 */
#include "textfit.h"

#include <stdio.h>
#include <string.h>

#include "termtext.h"

static const char *ellipsis(int ascii) { return ascii ? "..." : "…"; }

/* Bytes of the unit (a character, or a whole escape of clean text) starting at p. */
static size_t unit_len(const unsigned char *p, size_t n)
{
    if (p[0] == '\\' && n >= 2) {
        size_t l = p[1] == 'x' ? 4 : p[1] == 'u' ? 6 : p[1] == 'U' ? 10 : 2;
        return l <= n ? l : n;
    }
    size_t l = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 1;
    return l <= n ? l : n;
}

/* Where the last `cols` columns of s begin (whole units only). */
static size_t tail_start(const char *s, size_t cols)
{
    size_t n = strlen(s), total = tt_width(s), at = 0;
    while (at < n && total > cols) {
        char one[16];
        size_t l = unit_len((const unsigned char *)s + at, n - at);
        memcpy(one, s + at, l < sizeof one ? l : sizeof one - 1);
        one[l < sizeof one ? l : sizeof one - 1] = '\0';
        size_t w = tt_width(one);
        total = total > w ? total - w : 0;
        at += l;
    }
    return at;
}

static size_t put(char *dst, size_t cap, const char *a, size_t alen, const char *b, const char *c)
{
    if (!cap)
        return 0;
    int n = snprintf(dst, cap, "%.*s%s%s", (int)alen, a, b, c);
    (void)n;
    return tt_width(dst);
}

size_t fit_end(char *dst, size_t cap, const char *src, size_t cols, int ascii)
{
    if (tt_width(src) <= cols)
        return put(dst, cap, src, strlen(src), "", "");
    const char *e = ellipsis(ascii);
    size_t ew = tt_width(e);
    if (cols <= ew)
        return put(dst, cap, src, tt_fit(src, cols, NULL), "", "");
    return put(dst, cap, src, tt_fit(src, cols - ew, NULL), e, "");
}

size_t fit_middle(char *dst, size_t cap, const char *src, size_t cols, int ascii)
{
    if (tt_width(src) <= cols)
        return put(dst, cap, src, strlen(src), "", "");
    const char *e = ellipsis(ascii);
    size_t ew = tt_width(e);
    if (cols <= ew + 1)
        return fit_end(dst, cap, src, cols, ascii);
    size_t room = cols - ew, tail = room / 2, head = room - tail; /* the head gets the odd column */
    return put(dst, cap, src, tt_fit(src, head, NULL), e, src + tail_start(src, tail));
}

size_t fit_endpoint(char *dst, size_t cap, const char *src, size_t cols, int ascii)
{
    if (tt_width(src) <= cols)
        return put(dst, cap, src, strlen(src), "", "");
    const char *colon = strrchr(src, ':');
    size_t pw = colon ? tt_width(colon) : 0;
    if (!colon || cols < pw + 2)
        return fit_middle(dst, cap, src, cols, ascii);
    char addr[256], cut[256];
    size_t al = (size_t)(colon - src) < sizeof addr ? (size_t)(colon - src) : sizeof addr - 1;
    memcpy(addr, src, al);
    addr[al] = '\0';
    /* "[2001:db8:…:1]": the bracket closes what it opened */
    int bracket = addr[0] == '[' && al > 1 && addr[al - 1] == ']';
    if (bracket && cols >= pw + 4) {
        addr[al - 1] = '\0';
        fit_middle(cut, sizeof cut, addr, cols - pw - 1, ascii);
        snprintf(dst, cap, "%s]%s", cut, colon);
    } else {
        fit_middle(cut, sizeof cut, addr, cols - pw, ascii);
        snprintf(dst, cap, "%s%s", cut, colon);
    }
    return tt_width(dst);
}
