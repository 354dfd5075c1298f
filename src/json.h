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
#include <string.h>

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

/* `key` is NULL inside arrays and for the top-level value.  Each call below is an inline
 * wrapper that measures its key where it is written: a literal key (they all are) costs no
 * strlen at run time. */
#define JW_KLEN(key) ((key) ? strlen(key) : 0)
void jw_obj_begin_k(struct jw *w, const char *key, size_t klen);
void jw_arr_begin_k(struct jw *w, const char *key, size_t klen);
void jw_strn_k(struct jw *w, const char *key, size_t klen, const char *s, size_t len);
void jw_uint_k(struct jw *w, const char *key, size_t klen, uint64_t v);
void jw_int_k(struct jw *w, const char *key, size_t klen, int64_t v);
void jw_bool_k(struct jw *w, const char *key, size_t klen, int v);
void jw_null_k(struct jw *w, const char *key, size_t klen);
void jw_fixed_k(struct jw *w, const char *key, size_t klen, int64_t units, int64_t units_per_one, int digits);

static inline void jw_obj_begin(struct jw *w, const char *key) { jw_obj_begin_k(w, key, JW_KLEN(key)); }
void jw_obj_end(struct jw *w);
static inline void jw_arr_begin(struct jw *w, const char *key) { jw_arr_begin_k(w, key, JW_KLEN(key)); }
void jw_arr_end(struct jw *w);
static inline void jw_str(struct jw *w, const char *key, const char *s)
{
    jw_strn_k(w, key, JW_KLEN(key), s, strlen(s));
}
/* The same for `len` bytes that may hold NULs (a name from the wire, exactly: NUL is "\u0000"). */
static inline void jw_strn(struct jw *w, const char *key, const char *s, size_t len)
{
    jw_strn_k(w, key, JW_KLEN(key), s, len);
}
static inline void jw_uint(struct jw *w, const char *key, uint64_t v) { jw_uint_k(w, key, JW_KLEN(key), v); }
static inline void jw_int(struct jw *w, const char *key, int64_t v) { jw_int_k(w, key, JW_KLEN(key), v); }
static inline void jw_bool(struct jw *w, const char *key, int v) { jw_bool_k(w, key, JW_KLEN(key), v); }
static inline void jw_null(struct jw *w, const char *key) { jw_null_k(w, key, JW_KLEN(key)); }
/* A fixed-point number with `digits` decimals, e.g. milliseconds from nanoseconds. */
static inline void jw_fixed(struct jw *w, const char *key, int64_t units, int64_t units_per_one, int digits)
{
    jw_fixed_k(w, key, JW_KLEN(key), units, units_per_one, digits);
}

#endif
