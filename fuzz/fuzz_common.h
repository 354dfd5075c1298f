/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_common.h - helpers shared by the libFuzzer targets in fuzz/: the
 * failure macro, a reader for the inputs' little record formats, and a
 * strict JSON Lines validator (RFC 8259 grammar, strict UTF-8: no overlong
 * forms, no surrogates, nothing above U+10FFFF) used as an oracle on the
 * JSON writer's output.  Header-only: every target is one .c file.
 */
#ifndef SYNFIN_FUZZ_COMMON_H
#define SYNFIN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Byte loops of the harness itself: no coverage instrumentation (it would
 * dominate the run time and tell libFuzzer nothing about the code under test). */
#ifdef __clang__
#define FUZZ_NOCOV __attribute__((no_sanitize("coverage"), noinline))
#else /* tests/fuzz_replay.c's gcc build has no coverage to leave out */
#define FUZZ_NOCOV __attribute__((noinline))
#endif

/* An invariant broke: say which, then abort() so libFuzzer saves the input. */
#define FUZZ_CHECK(cond, ...)                                                        \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "\n*** fuzz invariant violated at %s:%d: %s\n    ",       \
                    __FILE__, __LINE__, #cond);                                      \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
            abort();                                                                 \
        }                                                                            \
    } while (0)

/* ------------------------------------------------------------ input reader */

struct fin {
    const uint8_t *p;
    size_t n, pos;
};

static inline void fin_init(struct fin *f, const uint8_t *p, size_t n)
{
    f->p = p;
    f->n = n;
    f->pos = 0;
}
static inline size_t fin_left(const struct fin *f) { return f->n - f->pos; }
static inline uint8_t fin_u8(struct fin *f) { return f->pos < f->n ? f->p[f->pos++] : 0; }
static inline uint16_t fin_u16(struct fin *f)
{
    uint16_t hi = fin_u8(f);
    return (uint16_t)(hi << 8 | fin_u8(f));
}
static inline uint32_t fin_u32(struct fin *f)
{
    uint32_t hi = fin_u16(f);
    return hi << 16 | fin_u16(f);
}
/* Up to n bytes (fewer at the end of the input); *got says how many. */
static inline const uint8_t *fin_take(struct fin *f, size_t n, size_t *got)
{
    size_t k = n < fin_left(f) ? n : fin_left(f);
    const uint8_t *r = f->p + f->pos;
    f->pos += k;
    *got = k;
    return r;
}

/* ------------------------------------------------------------ JSON oracle */

struct jv {
    const unsigned char *p;
    size_t n, i;
    const char *why;
};

static inline void jv_ws(struct jv *v)
{
    while (v->i < v->n && (v->p[v->i] == ' ' || v->p[v->i] == '\t' || v->p[v->i] == '\n' || v->p[v->i] == '\r'))
        v->i++;
}

static inline int jv_fail(struct jv *v, const char *why)
{
    if (!v->why)
        v->why = why;
    return 0;
}

/* One strict UTF-8 sequence at p[i]; its length, or 0. */
static inline size_t jv_utf8(const unsigned char *p, size_t n, size_t i)
{
    unsigned c = p[i];
    size_t len;
    unsigned lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c == 0xe0)
        len = 3, lo = 0xa0;
    else if (c == 0xed)
        len = 3, hi = 0x9f; /* no surrogates */
    else if (c >= 0xe1 && c <= 0xef)
        len = 3;
    else if (c == 0xf0)
        len = 4, lo = 0x90;
    else if (c >= 0xf1 && c <= 0xf3)
        len = 4;
    else if (c == 0xf4)
        len = 4, hi = 0x8f;
    else
        return 0;
    if (i + len > n)
        return 0;
    if (p[i + 1] < lo || p[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((p[i + k] & 0xc0) != 0x80)
            return 0;
    return len;
}

static inline int jv_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline int jv_string(struct jv *v)
{
    if (v->i >= v->n || v->p[v->i] != '"')
        return jv_fail(v, "string expected");
    v->i++;
    while (v->i < v->n) {
        unsigned char c = v->p[v->i];
        if (c == '"') {
            v->i++;
            return 1;
        }
        if (c < 0x20)
            return jv_fail(v, "control character in a string");
        if (c == '\\') {
            if (v->i + 1 >= v->n)
                return jv_fail(v, "escape at the end");
            unsigned char e = v->p[v->i + 1];
            if (e == 'u') {
                if (v->i + 6 > v->n || !jv_hex(v->p[v->i + 2]) || !jv_hex(v->p[v->i + 3]) ||
                    !jv_hex(v->p[v->i + 4]) || !jv_hex(v->p[v->i + 5]))
                    return jv_fail(v, "bad \\u escape");
                v->i += 6;
            } else if (strchr("\"\\/bfnrt", e) && e) {
                v->i += 2;
            } else {
                return jv_fail(v, "bad escape");
            }
            continue;
        }
        size_t l = jv_utf8(v->p, v->n, v->i);
        if (!l)
            return jv_fail(v, "invalid UTF-8 in a string");
        v->i += l;
    }
    return jv_fail(v, "unterminated string");
}

static inline int jv_number(struct jv *v)
{
    size_t s = v->i;
    if (v->i < v->n && v->p[v->i] == '-')
        v->i++;
    if (v->i >= v->n)
        return jv_fail(v, "number cut");
    if (v->p[v->i] == '0') {
        v->i++;
    } else if (v->p[v->i] >= '1' && v->p[v->i] <= '9') {
        while (v->i < v->n && v->p[v->i] >= '0' && v->p[v->i] <= '9')
            v->i++;
    } else {
        return jv_fail(v, "bad number");
    }
    if (v->i < v->n && v->p[v->i] == '.') {
        v->i++;
        size_t d = v->i;
        while (v->i < v->n && v->p[v->i] >= '0' && v->p[v->i] <= '9')
            v->i++;
        if (d == v->i)
            return jv_fail(v, "no digits after the point");
    }
    if (v->i < v->n && (v->p[v->i] == 'e' || v->p[v->i] == 'E')) {
        v->i++;
        if (v->i < v->n && (v->p[v->i] == '+' || v->p[v->i] == '-'))
            v->i++;
        size_t d = v->i;
        while (v->i < v->n && v->p[v->i] >= '0' && v->p[v->i] <= '9')
            v->i++;
        if (d == v->i)
            return jv_fail(v, "no exponent digits");
    }
    return v->i > s;
}

static inline int jv_value(struct jv *v, int depth);

static inline int jv_lit(struct jv *v, const char *lit)
{
    size_t l = strlen(lit);
    if (v->i + l > v->n || memcmp(v->p + v->i, lit, l))
        return jv_fail(v, "bad literal");
    v->i += l;
    return 1;
}

static inline int jv_value(struct jv *v, int depth)
{
    if (depth > 64)
        return jv_fail(v, "too deep");
    jv_ws(v);
    if (v->i >= v->n)
        return jv_fail(v, "value expected");
    unsigned char c = v->p[v->i];
    if (c == '{' || c == '[') {
        unsigned char close = c == '{' ? '}' : ']';
        v->i++;
        jv_ws(v);
        if (v->i < v->n && v->p[v->i] == close) {
            v->i++;
            return 1;
        }
        for (;;) {
            if (c == '{') {
                jv_ws(v);
                if (!jv_string(v))
                    return 0;
                jv_ws(v);
                if (v->i >= v->n || v->p[v->i] != ':')
                    return jv_fail(v, "':' expected");
                v->i++;
            }
            if (!jv_value(v, depth + 1))
                return 0;
            jv_ws(v);
            if (v->i < v->n && v->p[v->i] == ',') {
                v->i++;
                continue;
            }
            if (v->i < v->n && v->p[v->i] == close) {
                v->i++;
                return 1;
            }
            return jv_fail(v, "',' or a close expected");
        }
    }
    if (c == '"')
        return jv_string(v);
    if (c == 't')
        return jv_lit(v, "true");
    if (c == 'f')
        return jv_lit(v, "false");
    if (c == 'n')
        return jv_lit(v, "null");
    return jv_number(v);
}

/* NULL when buf[0..n) is one JSON text per line (JSON Lines), else the reason;
 * *bad_line is set to the 1-based line. */
static inline const char *json_lines_invalid(const char *buf, size_t n, size_t *bad_line)
{
    size_t line = 0, i = 0;
    while (i < n) {
        const char *nl = memchr(buf + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - buf) : n;
        line++;
        struct jv v = {(const unsigned char *)buf + i, end - i, 0, NULL};
        if (!jv_value(&v, 0) && !v.why)
            v.why = "invalid value";
        if (!v.why) {
            jv_ws(&v);
            if (v.i != v.n)
                v.why = "text after the value";
        }
        if (v.why) {
            *bad_line = line;
            return v.why;
        }
        i = end + 1;
    }
    return NULL;
}

/* ------------------------------------------------------------ key logs */

#include <glob.h>

/* The key logs of the repository's TLS recordings (captures/tls/ **.keys), so
 * that the seeds made from those recordings decrypt: their paths, in a
 * glob_t the caller frees.  The captures directory comes from the
 * environment variable SYNFIN_CAPTURES, else FUZZ_SRCDIR/captures. */
static inline size_t fuzz_key_files(glob_t *g, const char *srcdir)
{
    const char *env = getenv("SYNFIN_CAPTURES");
    char pat[4096];
    memset(g, 0, sizeof *g);
    snprintf(pat, sizeof pat, "%s/tls/*.keys", env && *env ? env : srcdir);
    int rc = glob(pat, 0, NULL, g);
    snprintf(pat, sizeof pat, "%s/tls/*/*.keys", env && *env ? env : srcdir);
    rc = glob(pat, rc == 0 ? GLOB_APPEND : 0, NULL, g);
    (void)rc;
    return g->gl_pathc;
}

#endif
