/*
 * json.h - a small streaming JSON writer: keys, escaping and commas handled
 * in one place, so every JSON output (connections now, TLS and HTTP objects
 * later) spells values the same way.  Writes straight to a FILE; no tree is
 * ever built, so a JSON line costs no allocation.
 */
#ifndef SYNFIN_JSON_H
#define SYNFIN_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct jw {
    FILE *f;
    int depth;
    uint8_t nonempty[JSON_MAX_DEPTH]; /* a value was written at this depth: next needs a comma */
};

void jw_init(struct jw *w, FILE *f);
/* `key` is NULL inside arrays and for the top-level value. */
void jw_obj_begin(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *s);
void jw_uint(struct jw *w, const char *key, uint64_t v);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_null(struct jw *w, const char *key);
/* A fixed-point number with `digits` decimals, e.g. milliseconds from nanoseconds. */
void jw_fixed(struct jw *w, const char *key, int64_t units, int64_t units_per_one, int digits);

#endif
