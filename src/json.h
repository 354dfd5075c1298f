/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.h - a small JSON writer: keys, escaping and commas handled in one
 * place, so every JSON output (connections now, TLS and HTTP objects) spells
 * values the same way.  A document is built in a buffer the writer owns and
 * goes out with one write (jw_flush), so a JSON line costs one stdio call;
 * no tree is ever built.
 */
#ifndef SYNFIN_JSON_H
#define SYNFIN_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct jw {
    FILE *f;
    char *buf;
    size_t len, cap;
    int oom;                          /* the buffer could not grow: the line is cut */
    int depth;
    uint8_t nonempty[JSON_MAX_DEPTH]; /* a value was written at this depth: next needs a comma */
};

/* Start a document written to f; jw_flush writes it, jw_free releases the buffer. */
void jw_init(struct jw *w, FILE *f);
/* Write what was built (plus a newline when `newline`) and start afresh; -1 on a short write. */
int jw_flush(struct jw *w, int newline);
void jw_free(struct jw *w);

/* `key` is NULL inside arrays and for the top-level value. */
void jw_obj_begin(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *s);
/* The same for `len` bytes that may hold NULs (a name from the wire, exactly: NUL is "\u0000"). */
void jw_strn(struct jw *w, const char *key, const char *s, size_t len);
void jw_uint(struct jw *w, const char *key, uint64_t v);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_null(struct jw *w, const char *key);
/* A fixed-point number with `digits` decimals, e.g. milliseconds from nanoseconds. */
void jw_fixed(struct jw *w, const char *key, int64_t units, int64_t units_per_one, int digits);

#endif
