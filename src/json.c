/*
 * json.c - the streaming JSON writer (see json.h).  Strings are escaped per
 * RFC 8259 section 7; bytes that are not valid UTF-8 come out as \u00XX of
 * the byte, so a hostile name in a packet can never break a JSON line.
 */
#include "json.h"

#include <inttypes.h>

void jw_init(struct jw *w, FILE *f)
{
    w->f = f;
    w->depth = 0;
    w->nonempty[0] = 0;
}

static void sep(struct jw *w, const char *key)
{
    if (w->nonempty[w->depth])
        putc(',', w->f);
    w->nonempty[w->depth] = 1;
    if (key) {
        putc('"', w->f);
        fputs(key, w->f); /* keys are our own literals: nothing to escape */
        fputs("\":", w->f);
    }
}

static void open_(struct jw *w, const char *key, int ch)
{
    sep(w, key);
    putc(ch, w->f);
    if (w->depth + 1 < JSON_MAX_DEPTH)
        w->depth++;
    w->nonempty[w->depth] = 0;
}

static void close_(struct jw *w, int ch)
{
    putc(ch, w->f);
    if (w->depth > 0)
        w->depth--;
}

void jw_obj_begin(struct jw *w, const char *key) { open_(w, key, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr_begin(struct jw *w, const char *key) { open_(w, key, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

/* Length of a valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static int utf8_len(const unsigned char *s)
{
    int n;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    /* the string is NUL-terminated and NUL is no continuation byte: no overread */
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

void jw_str(struct jw *w, const char *key, const char *s)
{
    sep(w, key);
    putc('"', w->f);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char ch = *p;
        if (ch == '"' || ch == '\\') {
            putc('\\', w->f);
            putc(ch, w->f);
            p++;
        } else if (ch < 0x20 || ch == 0x7f) {
            fprintf(w->f, "\\u%04x", ch);
            p++;
        } else {
            int n = utf8_len(p);
            if (n == 0) {
                fprintf(w->f, "\\u%04x", ch);
                p++;
            } else {
                fwrite(p, 1, (size_t)n, w->f);
                p += n;
            }
        }
    }
    putc('"', w->f);
}

void jw_uint(struct jw *w, const char *key, uint64_t v)
{
    sep(w, key);
    fprintf(w->f, "%" PRIu64, v);
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
    sep(w, key);
    fprintf(w->f, "%" PRId64, v);
}

void jw_bool(struct jw *w, const char *key, int v)
{
    sep(w, key);
    fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
    sep(w, key);
    fputs("null", w->f);
}

void jw_fixed(struct jw *w, const char *key, int64_t units, int64_t units_per_one, int digits)
{
    sep(w, key);
    const char *sign = units < 0 ? "-" : "";
    uint64_t u = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    uint64_t per = (uint64_t)units_per_one, whole = u / per, frac = u % per;
    /* scale the fraction to `digits` decimals (truncating finer units) */
    uint64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    frac = per >= scale ? frac / (per / scale) : frac * (scale / per);
    if (digits > 0)
        fprintf(w->f, "%s%" PRIu64 ".%0*" PRIu64, sign, whole, digits, frac);
    else
        fprintf(w->f, "%s%" PRIu64, sign, whole);
}
