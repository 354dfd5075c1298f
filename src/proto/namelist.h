/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * namelist.h - a list of names from the wire (a certificate's
 * subjectAltNames, the protocols of an ALPN extension) kept as a list, in a
 * fixed byte array that summaries copy by value.
 *
 * A name is any bytes, a comma or a NUL included: joining names with ", "
 * and splitting them on "," again made one SAN "evil.test,www.bank.example"
 * into two names, and a NUL would end a C string early.  So each name is
 * stored with its length:
 *
 *   l[0..1]  bytes of entries used (little-endian)   l[2]  names that did not fit
 *   l[3..]   entries: one length byte, then that many bytes
 *
 * A zeroed array is an empty list.  Whole names only: one that does not
 * fit (or is longer than 255 bytes) is counted as not kept, never cut.
 */
#ifndef SYNFIN_NAMELIST_H
#define SYNFIN_NAMELIST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NAMELIST_HDR 3

static inline size_t namelist_used(const uint8_t *l) { return (size_t)l[0] | (size_t)l[1] << 8; }

static inline void namelist_clear(uint8_t *l, size_t cap)
{
    if (cap >= NAMELIST_HDR)
        memset(l, 0, NAMELIST_HDR);
}

/* Count a name seen but not kept (too long, unreadable). */
static inline void namelist_drop(uint8_t *l)
{
    if (l[2] < 255)
        l[2]++;
}

/* Append a name; 0, or -1 when it does not fit (counted in namelist_dropped). */
static inline int namelist_add(uint8_t *l, size_t cap, const void *name, size_t len)
{
    size_t used = namelist_used(l);
    if (cap < NAMELIST_HDR || len > 255 || NAMELIST_HDR + used + 1 + len > cap || used + 1 + len > 0xffff) {
        if (cap >= NAMELIST_HDR)
            namelist_drop(l);
        return -1;
    }
    uint8_t *e = l + NAMELIST_HDR + used;
    e[0] = (uint8_t)len;
    if (len)
        memcpy(e + 1, name, len);
    used += 1 + len;
    l[0] = (uint8_t)used;
    l[1] = (uint8_t)(used >> 8);
    return 0;
}

/* Names seen but not kept (the cap, or longer than 255 bytes); 255 means at least that many. */
static inline unsigned namelist_dropped(const uint8_t *l) { return l[2]; }

/* The name at *pos (start with 0): 1 and its bytes, or 0 at the end. */
static inline int namelist_next(const uint8_t *l, size_t *pos, const char **name, size_t *len)
{
    size_t used = namelist_used(l);
    if (*pos >= used)
        return 0;
    const uint8_t *e = l + NAMELIST_HDR + *pos;
    *len = e[0];
    *name = (const char *)e + 1;
    *pos += 1 + (size_t)e[0];
    return 1;
}

static inline size_t namelist_count(const uint8_t *l)
{
    size_t pos = 0, n = 0, len;
    const char *s;
    while (namelist_next(l, &pos, &s, &len))
        n++;
    return n;
}

/* Is the first name exactly `s`? */
static inline int namelist_first_is(const uint8_t *l, const char *s)
{
    size_t pos = 0, len;
    const char *name;
    return namelist_next(l, &pos, &name, &len) && len == strlen(s) && !memcmp(name, s, len);
}

#endif
