/* SPDX-License-Identifier: BSD-2-Clause */
/* test_json.c - the JSON writer: commas, nesting, escaping of hostile strings, fixed-point numbers. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "unit.h"

static char *buf;
static size_t buflen;
static FILE *mem;

static struct jw cur;

static struct jw start(void)
{
    mem = open_memstream(&buf, &buflen);
    jw_init(&cur, mem);
    return cur;
}

static struct jw *writer;

static const char *finish(void)
{
    jw_flush(writer, 0);
    jw_free(writer);
    fclose(mem);
    return buf;
}

static void check(const char *want)
{
    const char *got = finish();
    if (strcmp(got, want))
        fprintf(stderr, "\n  got  %s\n  want %s\n", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(buf);
    buf = NULL;
}

static void test_commas_and_nesting(void)
{
    struct jw w = start();
    writer = &w;
    jw_obj_begin(&w, NULL);
    jw_uint(&w, "a", 1);
    jw_obj_begin(&w, "o");
    jw_obj_end(&w);
    jw_arr_begin(&w, "l");
    jw_str(&w, NULL, "x");
    jw_int(&w, NULL, -2);
    jw_null(&w, NULL);
    jw_bool(&w, NULL, 1);
    jw_arr_end(&w);
    jw_bool(&w, "f", 0);
    jw_obj_end(&w);
    check("{\"a\":1,\"o\":{},\"l\":[\"x\",-2,null,true],\"f\":false}");
}

static void test_escaping(void)
{
    struct jw w = start();
    writer = &w;
    jw_str(&w, NULL, "q\"b\\n\n\t\x01\x7f");
    check("\"q\\\"b\\\\n\\u000a\\u0009\\u0001\\u007f\"");
}

static void test_utf8_kept_invalid_escaped(void)
{
    struct jw w = start();
    writer = &w;
    /* é (valid 2-byte), € (3-byte), then a lone continuation byte, an overlong lead, a cut sequence */
    jw_str(&w, NULL, "\xc3\xa9\xe2\x82\xac\x80\xc0\xaf\xe2\x82");
    check("\"\xc3\xa9\xe2\x82\xac\\u0080\\u00c0\\u00af\\u00e2\\u0082\"");
}

/* RFC 3629 section 4: the lead bytes that take only part of the continuation range */
static void test_utf8_overlong_surrogate_too_big_escaped(void)
{
    struct jw w = start();
    writer = &w;
    /* overlong U+04D0 (E0 93 90), surrogate U+D800 (ED A0 80), U+110000 (F4 90 80 80), overlong '/' (F0 80 80 AF) */
    jw_str(&w, NULL, "\xe0\x93\x90|\xed\xa0\x80|\xf4\x90\x80\x80|\xf0\x80\x80\xaf");
    check("\"\\u00e0\\u0093\\u0090|\\u00ed\\u00a0\\u0080|\\u00f4\\u0090\\u0080\\u0080|"
          "\\u00f0\\u0080\\u0080\\u00af\"");
    /* the edges that are allowed stay raw: U+0800, U+D7FF, U+E000, U+10000, U+10FFFF */
    w = start();
    writer = &w;
    jw_str(&w, NULL, "\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
    check("\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
}

/* jw_strn: exactly `len` bytes, a NUL inside kept (escaped), a sequence cut by the end escaped, nothing past it read */
static void test_strn(void)
{
    struct jw w = start();
    writer = &w;
    char *exact = malloc(8); /* exact size: ASan sees any read past the end */
    CU_ASSERT_PTR_NOT_NULL_FATAL(exact);
    memcpy(exact, "a\0b,c \xe2\x82", 8);
    jw_arr_begin(&w, NULL);
    jw_strn(&w, NULL, exact, 8);
    jw_strn(&w, NULL, exact, 0);
    jw_arr_end(&w);
    check("[\"a\\u0000b,c \\u00e2\\u0082\",\"\"]");
    free(exact);
}

/* Each byte value alone at each place of a 24-byte run of 'a' (the writer looks at eight bytes
 * at a time): only the escaping rules decide what comes out, wherever the byte sits. */
static void test_every_byte_every_place(void)
{
    for (int v = 0; v < 256; v++)
        for (int at = 0; at < 24; at++) {
            char in[24], want[64], *o = want;
            memset(in, 'a', sizeof in);
            in[at] = (char)v;
            *o++ = '"';
            for (int i = 0; i < 24; i++) {
                unsigned char ch = (unsigned char)in[i];
                if (ch == '"' || ch == '\\')
                    o += sprintf(o, "\\%c", ch);
                else if (ch < 0x20 || ch >= 0x7f) /* control, DEL, and a lone byte of no UTF-8 sequence */
                    o += sprintf(o, "\\u%04x", ch);
                else
                    *o++ = (char)ch;
            }
            *o++ = '"';
            *o = '\0';
            struct jw w = start();
            writer = &w;
            jw_strn(&w, NULL, in, sizeof in);
            check(want);
        }
}

static void test_numbers(void)
{
    struct jw w = start();
    writer = &w;
    jw_arr_begin(&w, NULL);
    static const uint64_t u[] = {0, 7, 9, 10, 42, 99, 100, 101, 999, 1000, 65535, 1234567890123ULL, UINT64_MAX};
    for (size_t i = 0; i < sizeof u / sizeof *u; i++)
        jw_uint(&w, NULL, u[i]);
    jw_int(&w, NULL, -1);
    jw_int(&w, NULL, INT64_MIN);
    jw_arr_end(&w);
    check("[0,7,9,10,42,99,100,101,999,1000,65535,1234567890123,18446744073709551615,-1,-9223372036854775808]");
}

static void test_fixed(void)
{
    struct jw w = start();
    writer = &w;
    jw_arr_begin(&w, NULL);
    jw_fixed(&w, NULL, 1795631774935011123LL, 1000000000, 6); /* ns -> 6 decimals, truncated */
    jw_fixed(&w, NULL, 1795631774935011123LL, 1000000000, 9);
    jw_fixed(&w, NULL, 37000, 1000000, 3);                   /* 37 us in ms */
    jw_fixed(&w, NULL, 1234567, 1000000, 3);
    jw_fixed(&w, NULL, -1500, 1000, 3);
    jw_fixed(&w, NULL, 5, 1, 2);                             /* finer digits than the unit */
    jw_fixed(&w, NULL, 7, 1000, 0);
    jw_arr_end(&w);
    check("[1795631774.935011,1795631774.935011123,0.037,1.234,-1.500,5.00,0]");
}

int main(void)
{
    static const struct unit_case tests[] = {
        {"commas and nesting", test_commas_and_nesting},
        {"escaping", test_escaping},
        {"utf-8 kept, invalid bytes escaped", test_utf8_kept_invalid_escaped},
        {"utf-8 overlong, surrogate, past U+10FFFF escaped", test_utf8_overlong_surrogate_too_big_escaped},
        {"strings of a given length: NUL kept, cut sequence escaped", test_strn},
        {"every byte value at every place of a word", test_every_byte_every_place},
        {"integers, digit pairs and the extremes", test_numbers},
        {"fixed-point numbers", test_fixed},
    };
    return unit_run("json", NULL, NULL, tests, UNIT_COUNT(tests));
}
