/* SPDX-License-Identifier: BSD-2-Clause */
/* test_termtext.c - owns the unit tests of termtext.c (the terminal sanitiser: controls, C1, bidi, invalid UTF-8
 * escaped, widths measured on what is drawn, ASCII terminals, the cap, random bytes never getting through). */
#include <CUnit/Basic.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "termtext.h"
#include "unit.h"

static char out[1024];

static size_t clean(const char *s, size_t n, unsigned flags) { return tt_clean(out, sizeof out, s, n, flags); }
#define CLEAN(lit, flags) clean(lit, sizeof lit - 1, flags)

static void test_plain_kept(void)
{
    CU_ASSERT_EQUAL(CLEAN("www.synfin.test", 0), 15);
    CU_ASSERT_STRING_EQUAL(out, "www.synfin.test");
    CU_ASSERT_EQUAL(CLEAN("", 0), 0);
    CU_ASSERT_STRING_EQUAL(out, "");
}

/* The subject: an OSC title, a screen clear, SGR red, then RLO ... PDF and a C1 CSI. */
static void test_controls_escaped(void)
{
    size_t w = CLEAN("\x1b]0;PWNED-TITLE\x07\x1b[2J\x1b[31mRED\xe2\x80\xae" "evil\xe2\x80\xac\xc2\x9b" "31m", 0);
    const char *want = "\\x1b]0;PWNED-TITLE\\x07\\x1b[2J\\x1b[31mRED\\u202eevil\\u202c\\u009b31m";
    CU_ASSERT_STRING_EQUAL(out, want);
    CU_ASSERT_EQUAL(w, strlen(want));
    CU_ASSERT_EQUAL(tt_width(out), w);
    /* every C0 control, DEL, and the backslash itself (so "\x1b" typed in a name is not an escape) */
    CLEAN("a\tb\nc\rd\x7f" "e\\x1b", 0);
    CU_ASSERT_STRING_EQUAL(out, "a\\x09b\\x0ac\\x0dd\\x7fe\\\\x1b");
    /* a NUL inside a name given by length */
    clean("a\0b", 3, 0);
    CU_ASSERT_STRING_EQUAL(out, "a\\x00b");
}

static void test_c1_and_bidi(void)
{
    CLEAN("\xc2\x80|\xc2\x85|\xc2\x9f|\xc2\xa0", 0); /* U+0080, NEL, U+009F; U+00A0 is printable */
    CU_ASSERT_STRING_EQUAL(out, "\\u0080|\\u0085|\\u009f|\xc2\xa0");
    CLEAN("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae", 0); /* U+202A..U+202E */
    CU_ASSERT_STRING_EQUAL(out, "\\u202a\\u202b\\u202c\\u202d\\u202e");
    CLEAN("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 0); /* U+2066..U+2069 */
    CU_ASSERT_STRING_EQUAL(out, "\\u2066\\u2067\\u2068\\u2069");
    CLEAN("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0); /* LRM, RLM, ALM */
    CU_ASSERT_STRING_EQUAL(out, "\\u200e\\u200f\\u061c");
}

static void test_invalid_utf8(void)
{
    /* a lone continuation byte, 0xff, an overlong '/', an overlong CSI (C0 9B), a surrogate, past U+10FFFF, cut */
    CLEAN("\x80|\xff|\xc0\xaf|\xc0\x9b|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82", 0);
    CU_ASSERT_STRING_EQUAL(out, "\\x80|\\xff|\\xc0\\xaf|\\xc0\\x9b|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80|\\xe2\\x82");
}

/* Widths are the terminal's: wide characters take two columns, zero-width ones are escaped. */
static void test_widths(void)
{
    size_t w = CLEAN("caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80", 0); /* café 中文 😀 */
    CU_ASSERT_STRING_EQUAL(out, "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80");
    CU_ASSERT_EQUAL(w, 4 + 1 + 4 + 1 + 2);
    CU_ASSERT_EQUAL(tt_width(out), w);
    /* a zero-width space, a combining acute accent on its own, a BOM, a line separator, a tag character */
    w = CLEAN("a\xe2\x80\x8b" "b\xcc\x81" "c\xef\xbb\xbf\xe2\x80\xa8\xf3\xa0\x80\x81", 0);
    CU_ASSERT_STRING_EQUAL(out, "a\\u200bb\\u0301c\\ufeff\\u2028\\U000e0001");
    CU_ASSERT_EQUAL(w, strlen(out));
    /* fitting clean text into columns: whole characters only */
    size_t fw;
    const char *t = "ab\xe4\xb8\xad" "cd";
    CU_ASSERT_EQUAL(tt_fit(t, 3, &fw), 2); /* the wide character does not fit in the third column */
    CU_ASSERT_EQUAL(fw, 2);
    CU_ASSERT_EQUAL(tt_fit(t, 4, &fw), 5);
    CU_ASSERT_EQUAL(fw, 4);
    CU_ASSERT_EQUAL(tt_fit(t, 100, &fw), strlen(t));
    CU_ASSERT_EQUAL(fw, 6);
    CU_ASSERT_EQUAL(tt_fit("\xe2\x94\x82\xe2\x94\x80", 1, NULL), 3); /* box drawing: one column each */
    /* an escape is never cut in two */
    CU_ASSERT_EQUAL(tt_fit("ab\\u202ecd", 5, &fw), 2);
    CU_ASSERT_EQUAL(tt_fit("ab\\u202ecd", 8, &fw), 8);
    CU_ASSERT_EQUAL(fw, 8);
    CU_ASSERT_EQUAL(tt_fit("a\\x1b\\\\b", 5, &fw), 5);
    CU_ASSERT_EQUAL(tt_fit("a\\x1b\\\\b", 6, &fw), 5);
    CU_ASSERT_EQUAL(tt_fit("a\\x1b\\\\b", 7, &fw), 7);
}

static void test_ascii_terminal(void)
{
    size_t w = CLEAN("caf\xc3\xa9 \xe4\xb8\xad", TT_ASCII);
    CU_ASSERT_STRING_EQUAL(out, "caf\\u00e9 \\u4e2d");
    CU_ASSERT_EQUAL(w, strlen(out));
}

/* A small buffer: never overflowed, always terminated, escapes and characters whole. */
static void test_cap(void)
{
    char small[8];
    size_t w = tt_cleans(small, sizeof small, "ab\x1b" "cdef", 0);
    CU_ASSERT_STRING_EQUAL(small, "ab\\x1bc");
    CU_ASSERT_EQUAL(w, 7);
    w = tt_cleans(small, sizeof small, "abcde\x1b" "f", 0); /* the escape does not fit whole: nothing after */
    CU_ASSERT_STRING_EQUAL(small, "abcde");
    CU_ASSERT_EQUAL(w, 5);
    w = tt_cleans(small, sizeof small, "abcde\xe4\xb8\xad", 0);
    CU_ASSERT_STRING_EQUAL(small, "abcde");
    CU_ASSERT_EQUAL(w, 5);
    w = tt_cleans(small, 1, "abc", 0);
    CU_ASSERT_STRING_EQUAL(small, "");
    CU_ASSERT_EQUAL(w, 0);
    CU_ASSERT_EQUAL(tt_cleans(small, 0, "abc", 0), 0);
}

/* Nothing a terminal acts on gets through, whatever the bytes. */
static int safe(const unsigned char *s)
{
    for (; *s; s++) {
        if (*s < 0x20 || *s == 0x7f)
            return 0;
        if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
            return 0; /* C1 */
        if (s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae)
            return 0;
        if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
            return 0;
        if (*s >= 0x80) { /* a lead byte and its continuation bytes, or not UTF-8 */
            int extra = *s >= 0xc2 && *s <= 0xdf ? 1 : *s >= 0xe0 && *s <= 0xef ? 2 : *s >= 0xf0 && *s <= 0xf4 ? 3 : -1;
            if (extra < 0)
                return 0;
            for (int k = 1; k <= extra; k++)
                if ((s[k] & 0xc0) != 0x80)
                    return 0;
            s += extra;
        }
    }
    return 1;
}

static void test_random_bytes(void)
{
    uint32_t x = 12345;
    unsigned char in[64];
    int unsafe = 0, width_off = 0;
    for (int round = 0; round < 200000; round++) {
        size_t n = (size_t)(x % sizeof in);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            /* mostly the interesting ranges: controls, C1 leads, E2 80/81, invalid leads */
            static const unsigned char pick[] = {0x1b, 0x07, 0x9b, 0xc2, 0xe2, 0x80, 0x81, 0xae, 0xa6, 0xc0,
                                                 0xff, 0xed, 0xf4, 'a', '\\', 0x00, 0x7f, 0xe4, 0xb8};
            in[i] = (x & 1) ? (unsigned char)(x >> 8) : pick[(x >> 8) % sizeof pick];
        }
        size_t w = tt_clean(out, sizeof out, (const char *)in, n, 0);
        if (!safe((const unsigned char *)out) && !unsafe++) {
            fprintf(stderr, "\n  unsafe output for:");
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, " %02x", in[i]);
            fprintf(stderr, "\n  -> %s\n", out);
        }
        width_off += tt_width(out) != w;
    }
    CU_ASSERT_EQUAL(unsafe, 0);
    CU_ASSERT_EQUAL(width_off, 0);
}

int main(void)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8") && !setlocale(LC_CTYPE, "en_US.UTF-8")) {
        fprintf(stderr, "test_termtext: no UTF-8 locale (C.UTF-8): skipped\n");
        return 77;
    }
    static const struct unit_case tests[] = {
        {"plain text kept", test_plain_kept},
        {"C0 controls, DEL, backslash escaped", test_controls_escaped},
        {"C1 and bidi controls escaped", test_c1_and_bidi},
        {"invalid UTF-8 escaped byte by byte", test_invalid_utf8},
        {"widths: wide kept, zero-width escaped, fit", test_widths},
        {"an ASCII terminal: everything else escaped", test_ascii_terminal},
        {"the cap: whole escapes only", test_cap},
        {"random bytes: nothing gets through", test_random_bytes},
    };
    return unit_run("termtext", NULL, NULL, tests, UNIT_COUNT(tests));
}
