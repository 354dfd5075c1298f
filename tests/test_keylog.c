/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_keylog.c - the NSS key log reader: every label, comments, blank
 * lines, CRLF, blanks around fields, malformed lines reported with their
 * line numbers while the rest is used, unknown labels skipped silently,
 * re-reading a file that grows (only the new lines, true line numbers, a
 * last line without newline), a file replaced, truncated or rewritten (read
 * from the start), the memory bound, no count limit, capped warnings,
 * files that are not regular files, and the key logs recorded beside the
 * captures in captures/tls/ (SRCDIR: the repository top, default ".").
 * Files are written in a fresh directory under $TMPDIR (default /tmp),
 * removed at the end.
 */
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keylog.h"
#include "unit.h"

static char msg_buf[512];
static const char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *msgf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg_buf, sizeof msg_buf, fmt, ap);
    va_end(ap);
    return msg_buf;
}
#define CHECK(cond, ...) CU_assertImplementation(!!(cond), __LINE__, msgf(__VA_ARGS__), __FILE__, "", CU_FALSE)

/* ------------------------------------------------------------------ files */

static char dir[256];
static char file_buf[512];

/* A static buffer: copy the result to keep it past the next call. */
static const char *tmp_path(const char *name)
{
    snprintf(file_buf, sizeof file_buf, "%s/%s", dir, name);
    return file_buf;
}

static void write_file(const char *path, const char *mode, const char *text)
{
    FILE *f = fopen(path, mode);
    CHECK(f != NULL, "cannot write %s", path);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

/* ------------------------------------------------------------------ warnings */

struct warning {
    unsigned line;
    char why[160];
};
static struct warning warnings[64];
static unsigned n_warnings;
static char warned_path[512];

static void on_warn(void *ctx, const char *path, unsigned line, const char *why)
{
    (void)ctx;
    snprintf(warned_path, sizeof warned_path, "%s", path);
    if (n_warnings < sizeof warnings / sizeof warnings[0]) {
        warnings[n_warnings].line = line;
        snprintf(warnings[n_warnings].why, sizeof warnings[n_warnings].why, "%s", why);
    }
    n_warnings++;
}

static void clear_warnings(void)
{
    n_warnings = 0;
    memset(warnings, 0, sizeof warnings);
}

static int warned_at(unsigned line, const char *why_part)
{
    for (unsigned i = 0; i < n_warnings && i < sizeof warnings / sizeof warnings[0]; i++)
        if (warnings[i].line == line && (!why_part || strstr(warnings[i].why, why_part)))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ values */

/* A client random made of one repeated byte, as hex and as bytes. */
static const char *rnd_hex(uint8_t b)
{
    static char s[32][65]; /* enough for every argument of one printf */
    static int k;
    char *p = s[k++ & 31];
    for (int i = 0; i < 32; i++)
        snprintf(p + 2 * i, 3, "%02x", b);
    return p;
}

static const uint8_t *rnd(uint8_t b)
{
    static uint8_t r[4][32];
    static int k;
    uint8_t *p = r[k++ & 3];
    memset(p, b, 32);
    return p;
}

/* A secret of n bytes: i + seed, hex. */
static const char *sec_hex(size_t n, uint8_t seed)
{
    static char s[32][97];
    static int k;
    char *p = s[k++ & 31];
    for (size_t i = 0; i < n; i++)
        snprintf(p + 2 * i, 3, "%02x", (uint8_t)(i + seed));
    return p;
}

static int secret_is(const struct keylog *kl, uint8_t r, enum keylog_label label, size_t n, uint8_t seed)
{
    size_t len = 0;
    const uint8_t *v = keylog_find(kl, rnd(r), label, &len);
    if (!v || len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] != (uint8_t)(i + seed))
            return 0;
    return 1;
}

static int load(struct keylog *kl, const char *path)
{
    char err[256] = "";
    int n = keylog_load(kl, path, on_warn, NULL, err, sizeof err);
    CHECK(n >= 0, "keylog_load %s: %s", path, err);
    return n;
}

/* ------------------------------------------------------------------ tests */

static const char *const names[KL_COUNT] = {
    "CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET",
    "CLIENT_EARLY_TRAFFIC_SECRET", "EARLY_EXPORTER_SECRET",
};

static void test_every_label(void)
{
    char text[4096] = "";
    size_t at = 0;
    /* Random 0x11: every TLS 1.3 label with SHA-256 secrets; random 0x22:
     * SHA-384 secrets; random 0x33: a TLS 1.2 master secret. */
    for (int l = 1; l < KL_COUNT; l++)
        at += (size_t)snprintf(text + at, sizeof text - at, "%s %s %s\n", names[l], rnd_hex(0x11),
                               sec_hex(32, (uint8_t)l));
    for (int l = 1; l < KL_COUNT; l++)
        at += (size_t)snprintf(text + at, sizeof text - at, "%s %s %s\n", names[l], rnd_hex(0x22),
                               sec_hex(48, (uint8_t)(l + 100)));
    snprintf(text + at, sizeof text - at, "CLIENT_RANDOM %s %s\n", rnd_hex(0x33), sec_hex(48, 7));
    write_file(tmp_path("labels.keys"), "w", text);

    struct keylog *kl = keylog_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(kl);
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, tmp_path("labels.keys")), 2 * (KL_COUNT - 1) + 1);
    CU_ASSERT_EQUAL(n_warnings, 0);
    CU_ASSERT_EQUAL(keylog_count(kl), 3);
    for (int l = 1; l < KL_COUNT; l++) {
        CHECK(secret_is(kl, 0x11, (enum keylog_label)l, 32, (uint8_t)l), "%s (32 bytes)", names[l]);
        CHECK(secret_is(kl, 0x22, (enum keylog_label)l, 48, (uint8_t)(l + 100)), "%s (48 bytes)", names[l]);
        CU_ASSERT_PTR_NULL(keylog_find(kl, rnd(0x33), (enum keylog_label)l, NULL));
    }
    CU_ASSERT(secret_is(kl, 0x33, KL_CLIENT_RANDOM, 48, 7));
    CU_ASSERT_PTR_NULL(keylog_find(kl, rnd(0x11), KL_CLIENT_RANDOM, NULL));
    CU_ASSERT_PTR_NULL(keylog_find(kl, rnd(0x44), KL_CLIENT_RANDOM, NULL));
    CU_ASSERT_PTR_NULL(keylog_find(kl, rnd(0x33), KL_COUNT, NULL));
    CU_ASSERT_PTR_NULL(keylog_find(NULL, rnd(0x33), KL_CLIENT_RANDOM, NULL));
    CU_ASSERT_EQUAL(keylog_count(NULL), 0);
    keylog_free(kl);
    keylog_free(NULL);
}

/* Comments, blank lines, CRLF, tabs and blanks around the fields,
 * upper-case hex, unknown labels: used or skipped without a word. */
static void test_syntax(void)
{
    char text[4096];
    snprintf(text, sizeof text,
             "# SSL/TLS secrets log file, generated by NSS\r\n"
             "\r\n"
             "CLIENT_RANDOM %s %s\r\n"
             "   \t  \n"
             "  CLIENT_RANDOM\t%s   %s  \t\n"
             "#CLIENT_RANDOM %s %s\n"
             "RSA 0123456789abcdef 0123\n"
             "SOME_FUTURE_LABEL %s %s\n"
             "lowercase_label x\n"
             "CLIENT_TRAFFIC_SECRET_0 %s %s\r\n",
             rnd_hex(0x01), sec_hex(48, 1), rnd_hex(0x02), sec_hex(48, 2), rnd_hex(0x03), sec_hex(48, 3),
             rnd_hex(0x04), sec_hex(48, 4), rnd_hex(0x05), sec_hex(32, 5));
    /* Upper-case hex is hex too. */
    for (char *p = strstr(text, "CLIENT_TRAFFIC_SECRET_0") + 24; *p && *p != '\r'; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    write_file(tmp_path("syntax.keys"), "w", text);
    struct keylog *kl = keylog_new();
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, tmp_path("syntax.keys")), 3);
    CHECK(n_warnings == 0, "%u warnings, first at line %u: %s", n_warnings, warnings[0].line, warnings[0].why);
    CU_ASSERT(secret_is(kl, 0x01, KL_CLIENT_RANDOM, 48, 1));
    CU_ASSERT(secret_is(kl, 0x02, KL_CLIENT_RANDOM, 48, 2));
    CU_ASSERT_PTR_NULL(keylog_find(kl, rnd(0x03), KL_CLIENT_RANDOM, NULL));
    CU_ASSERT_PTR_NULL(keylog_find(kl, rnd(0x04), KL_CLIENT_RANDOM, NULL));
    CU_ASSERT(secret_is(kl, 0x05, KL_CLIENT_TRAFFIC_SECRET_0, 32, 5));
    CU_ASSERT_EQUAL(keylog_count(kl), 3);
    keylog_free(kl);
}

/* Each malformed line is reported with its number and reason; the good
 * lines around them are used. */
static void test_malformed(void)
{
    char longline[5000];
    memset(longline, 'a', sizeof longline - 1);
    longline[sizeof longline - 1] = 0;
    char bad_hex[97];
    snprintf(bad_hex, sizeof bad_hex, "%s", sec_hex(48, 9));
    bad_hex[10] = 'g';
    char text[16384];
    snprintf(text, sizeof text,
             "CLIENT_RANDOM %s %s\n"                    /* 1 good */
             "CLIENT_RANDOM %s %s\n"                    /* 2 bad hex in the secret */
             "CLIENT_RANDOM %s %s\n"                    /* 3 wrong length: 32 bytes */
             "CLIENT_RANDOM %s %s0\n"                   /* 4 odd length */
             "CLIENT_RANDOM %s\n"                       /* 5 missing the secret */
             "CLIENT_RANDOM\n"                          /* 6 missing both */
             "CLIENT_RANDOM %.62s %s\n"                 /* 7 short client random */
             "CLIENT_RANDOM %s %s extra\n"              /* 8 extra field */
             "SERVER_TRAFFIC_SECRET_0 %s %s\n"          /* 9 TLS 1.3 secret of 40 bytes */
             "CLIENT_RANDOM %s %s\n"                    /* 10 good */
             "CLIENT_RANDOM %s %s\n"                    /* 11 over-long (4096+) */
             "CLIENT_RANDOM zz%.62s %s\n"               /* 12 bad hex in the random */
             "CLIENT_RANDOM %s %s\n",                   /* 13 good */
             rnd_hex(0x01), sec_hex(48, 1),
             rnd_hex(0x02), bad_hex,
             rnd_hex(0x03), sec_hex(32, 3),
             rnd_hex(0x04), sec_hex(48, 4),
             rnd_hex(0x05),
             rnd_hex(0x07), sec_hex(48, 7),
             rnd_hex(0x08), sec_hex(48, 8),
             rnd_hex(0x09), sec_hex(40, 9),
             rnd_hex(0x0a), sec_hex(48, 10),
             rnd_hex(0x0b), longline,
             rnd_hex(0x0c), sec_hex(48, 12),
             rnd_hex(0x0d), sec_hex(48, 13));
    write_file(tmp_path("bad.keys"), "w", text);
    struct keylog *kl = keylog_new();
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, tmp_path("bad.keys")), 3);
    CU_ASSERT_EQUAL(n_warnings, 10);
    CU_ASSERT_STRING_EQUAL(warned_path, tmp_path("bad.keys"));
    CU_ASSERT(warned_at(2, "hexadecimal"));
    CU_ASSERT(warned_at(3, "96 hex digits"));
    CU_ASSERT(warned_at(4, "96 hex digits"));
    CU_ASSERT(warned_at(5, "missing"));
    CU_ASSERT(warned_at(6, "missing"));
    CU_ASSERT(warned_at(7, "client random"));
    CU_ASSERT(warned_at(8, "extra"));
    CU_ASSERT(warned_at(9, "64 or 96"));
    CU_ASSERT(warned_at(11, "longer than 4096"));
    CU_ASSERT(warned_at(12, "hexadecimal"));
    CU_ASSERT(!warned_at(1, NULL) && !warned_at(10, NULL) && !warned_at(13, NULL));
    CU_ASSERT(secret_is(kl, 0x01, KL_CLIENT_RANDOM, 48, 1));
    CU_ASSERT(secret_is(kl, 0x0a, KL_CLIENT_RANDOM, 48, 10));
    CU_ASSERT(secret_is(kl, 0x0d, KL_CLIENT_RANDOM, 48, 13));
    CU_ASSERT_EQUAL(keylog_count(kl), 3);
    /* A NULL warn function is allowed. */
    struct keylog *quiet = keylog_new();
    char err[128];
    CU_ASSERT_EQUAL(keylog_load(quiet, tmp_path("bad.keys"), NULL, NULL, err, sizeof err), 3);
    keylog_free(quiet);
    keylog_free(kl);
}

/* A live capture calls again as the file grows: only the new lines are
 * read, and their numbers follow on. */
static void test_growing(void)
{
    const char *path = tmp_path("grow.keys");
    char text[1024];
    snprintf(text, sizeof text, "# first part\nCLIENT_RANDOM %s %s\nCLIENT_RANDOM %s %s\n", rnd_hex(0x01),
             sec_hex(48, 1), rnd_hex(0x02), sec_hex(48, 2));
    write_file(path, "w", text);
    struct keylog *kl = keylog_new();
    clear_warnings();
    CU_ASSERT_EQUAL(keylog_grew(kl), -1); /* nothing loaded yet */
    CU_ASSERT_EQUAL(load(kl, path), 2);
    CU_ASSERT_EQUAL(keylog_grew(kl), 0);
    CU_ASSERT_EQUAL(load(kl, path), 0); /* nothing new */
    /* Appended: a repeat of line 2 (same secret: nothing added), a new
     * random, a malformed line (line 6), and a new secret for random 1. */
    snprintf(text, sizeof text, "CLIENT_RANDOM %s %s\nCLIENT_RANDOM %s %s\nCLIENT_RANDOM %s\n"
                                "CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s\n",
             rnd_hex(0x01), sec_hex(48, 1), rnd_hex(0x03), sec_hex(48, 3), rnd_hex(0x04), rnd_hex(0x01),
             sec_hex(32, 9));
    write_file(path, "a", text);
    CU_ASSERT_EQUAL(keylog_grew(kl), 1); /* a live lookup that misses reads on now */
    CU_ASSERT_EQUAL(load(kl, path), 2);
    CU_ASSERT_EQUAL(keylog_grew(kl), 0);
    CU_ASSERT_EQUAL(n_warnings, 1);
    CU_ASSERT(warned_at(6, "missing"));
    CU_ASSERT(secret_is(kl, 0x03, KL_CLIENT_RANDOM, 48, 3));
    CU_ASSERT(secret_is(kl, 0x01, KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET, 32, 9));
    CU_ASSERT_EQUAL(keylog_count(kl), 3);
    /* A changed secret replaces the old one in place. */
    size_t len;
    const uint8_t *before = keylog_find(kl, rnd(0x02), KL_CLIENT_RANDOM, &len);
    snprintf(text, sizeof text, "CLIENT_RANDOM %s %s\n", rnd_hex(0x02), sec_hex(48, 0x42));
    write_file(path, "a", text);
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT(secret_is(kl, 0x02, KL_CLIENT_RANDOM, 48, 0x42));
    CU_ASSERT_PTR_EQUAL(keylog_find(kl, rnd(0x02), KL_CLIENT_RANDOM, &len), before);
    /* The next malformed line is line 9. */
    write_file(path, "a", "CLIENT_RANDOM 00\n");
    CU_ASSERT_EQUAL(load(kl, path), 0);
    CU_ASSERT(warned_at(9, NULL));
    keylog_free(kl);
}

/* A line still being written has no newline yet: it waits.  A last line
 * that parses is used even without one (and its newline, when it comes,
 * is not a new line). */
static void test_partial_lines(void)
{
    const char *path = tmp_path("partial.keys");
    char line[256];
    snprintf(line, sizeof line, "CLIENT_RANDOM %s %s", rnd_hex(0x01), sec_hex(48, 1));
    struct keylog *kl = keylog_new();
    clear_warnings();
    /* Half a line. */
    char half[128];
    snprintf(half, sizeof half, "%.100s", line);
    write_file(path, "w", half);
    CU_ASSERT_EQUAL(load(kl, path), 0);
    CU_ASSERT_EQUAL(n_warnings, 0);
    CU_ASSERT_EQUAL(keylog_grew(kl), 0); /* read to its end: waiting for the rest is not growth */
    /* The rest, newline included. */
    write_file(path, "a", line + 100);
    write_file(path, "a", "\n");
    CU_ASSERT_EQUAL(keylog_grew(kl), 1);
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT_EQUAL(n_warnings, 0);
    CU_ASSERT(secret_is(kl, 0x01, KL_CLIENT_RANDOM, 48, 1));
    /* A whole line without newline: used now. */
    snprintf(line, sizeof line, "CLIENT_RANDOM %s %s", rnd_hex(0x02), sec_hex(48, 2));
    write_file(path, "a", line);
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT(secret_is(kl, 0x02, KL_CLIENT_RANDOM, 48, 2));
    /* Its newline (CRLF) and a malformed line: that is line 3, not 4. */
    write_file(path, "a", "\r\nCLIENT_RANDOM\n");
    CU_ASSERT_EQUAL(load(kl, path), 0);
    CHECK(n_warnings == 1 && warnings[0].line == 3, "%u warnings, line %u", n_warnings, warnings[0].line);
    /* A comment without newline waits too (it is no secret). */
    clear_warnings();
    write_file(path, "a", "# a comment");
    CU_ASSERT_EQUAL(load(kl, path), 0);
    write_file(path, "a", " goes on\nCLIENT_RANDOM x\n");
    CU_ASSERT_EQUAL(load(kl, path), 0);
    CHECK(n_warnings == 1 && warnings[0].line == 5, "%u warnings, line %u", n_warnings, warnings[0].line);
    keylog_free(kl);
}

/* Replaced (a new inode), truncated, or rewritten in place: read again
 * from line 1; the secrets already known stay known. */
static void test_replaced(void)
{
    char path[512], p2[512];
    snprintf(path, sizeof path, "%s", tmp_path("replace.keys"));
    snprintf(p2, sizeof p2, "%s", tmp_path("replace.keys.new"));
    char text[1024];
    snprintf(text, sizeof text, "CLIENT_RANDOM %s %s\nCLIENT_RANDOM %s %s\nCLIENT_RANDOM %s %s\n", rnd_hex(0x01),
             sec_hex(48, 1), rnd_hex(0x02), sec_hex(48, 2), rnd_hex(0x03), sec_hex(48, 3));
    write_file(path, "w", text);
    struct keylog *kl = keylog_new();
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, path), 3);

    /* Another file renamed over it (longer than what was read). */
    snprintf(text, sizeof text, "CLIENT_RANDOM x\nCLIENT_RANDOM %s %s\nCLIENT_RANDOM %s %s\nCLIENT_RANDOM %s %s\n",
             rnd_hex(0x04), sec_hex(48, 4), rnd_hex(0x05), sec_hex(48, 5), rnd_hex(0x06), sec_hex(48, 6));
    write_file(p2, "w", text);
    CU_ASSERT_EQUAL(rename(p2, path), 0);
    CU_ASSERT_EQUAL(load(kl, path), 3);
    CU_ASSERT(n_warnings == 1 && warnings[0].line == 1);
    CU_ASSERT(secret_is(kl, 0x01, KL_CLIENT_RANDOM, 48, 1)); /* still known */
    CU_ASSERT(secret_is(kl, 0x06, KL_CLIENT_RANDOM, 48, 6));

    /* Truncated in place to something shorter. */
    clear_warnings();
    snprintf(text, sizeof text, "CLIENT_RANDOM %s %s\n", rnd_hex(0x07), sec_hex(48, 7));
    write_file(path, "w", text);
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT(secret_is(kl, 0x07, KL_CLIENT_RANDOM, 48, 7));

    /* Rewritten in place, same inode, longer than before: the first bytes differ. */
    snprintf(text, sizeof text, "# rewritten\nCLIENT_RANDOM %s %s\nCLIENT_RANDOM y\n", rnd_hex(0x08),
             sec_hex(48, 8));
    write_file(path, "w", text);
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT(secret_is(kl, 0x08, KL_CLIENT_RANDOM, 48, 8));
    CU_ASSERT(n_warnings == 1 && warnings[0].line == 3);

    /* Replaced by a file that starts the same (so only the inode tells),
     * with a new secret in line 2. */
    clear_warnings();
    char first[256];
    snprintf(first, sizeof first, "CLIENT_RANDOM %s %s\n", rnd_hex(0x09), sec_hex(48, 9));
    snprintf(text, sizeof text, "%sCLIENT_RANDOM %s %s\n", first, rnd_hex(0x0a), sec_hex(48, 10));
    write_file(path, "w", text);
    CU_ASSERT_EQUAL(load(kl, path), 2);
    snprintf(text, sizeof text, "%sCLIENT_RANDOM %s %s\n", first, rnd_hex(0x0a), sec_hex(48, 11));
    write_file(p2, "w", text);
    CU_ASSERT_EQUAL(rename(p2, path), 0);
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT(secret_is(kl, 0x0a, KL_CLIENT_RANDOM, 48, 11));
    /* Truncated in place to its first line and a malformed one: shorter
     * than what was read, same first bytes. */
    snprintf(text, sizeof text, "%sCLIENT_RANDOM z\n", first);
    write_file(path, "w", text);
    CU_ASSERT_EQUAL(load(kl, path), 0);
    CU_ASSERT(n_warnings == 1 && warnings[0].line == 2);
    snprintf(text, sizeof text, "# rewritten\nCLIENT_RANDOM %s %s\nCLIENT_RANDOM y\n", rnd_hex(0x08),
             sec_hex(48, 8));
    write_file(path, "w", text);
    CU_ASSERT_EQUAL(load(kl, path), 0);

    /* Another path: read from its start, whatever was read elsewhere. */
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, tmp_path("labels.keys")), 15); /* written by test_every_label */
    CU_ASSERT_EQUAL(load(kl, path), 0);
    CU_ASSERT(n_warnings == 1 && warnings[0].line == 3);
    CU_ASSERT_EQUAL(keylog_count(kl), 13);
    keylog_free(kl);
}

/* A live capture reads the key log as root, then gives root up: the path may
 * no longer open (a 0600 file of another user; here, simpler: renamed away),
 * but the file keeps growing and its new lines must still be read. */
static void test_kept_open(void)
{
    char path[512], moved[512];
    snprintf(path, sizeof path, "%s", tmp_path("kept.keys"));
    snprintf(moved, sizeof moved, "%s", tmp_path("kept.keys.moved"));
    char text[1024];
    snprintf(text, sizeof text, "CLIENT_RANDOM %s %s\n", rnd_hex(0x11), sec_hex(48, 0x11));
    write_file(path, "w", text);
    struct keylog *kl = keylog_new();
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT_EQUAL(rename(path, moved), 0);
    snprintf(text, sizeof text, "CLIENT_RANDOM %s %s\nCLIENT_RANDOM q\n", rnd_hex(0x12), sec_hex(48, 0x12));
    write_file(moved, "a", text);
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT(secret_is(kl, 0x12, KL_CLIENT_RANDOM, 48, 0x12));
    CU_ASSERT(n_warnings == 1 && warnings[0].line == 3); /* true line numbers go on */
    /* a new file at the path is read from its start */
    clear_warnings();
    snprintf(text, sizeof text, "CLIENT_RANDOM %s %s\n", rnd_hex(0x13), sec_hex(48, 0x13));
    write_file(path, "w", text);
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT(secret_is(kl, 0x13, KL_CLIENT_RANDOM, 48, 0x13));
    /* never opened: still an error */
    char err[256] = "";
    CU_ASSERT_EQUAL(keylog_load(kl, tmp_path("never.keys"), on_warn, NULL, err, sizeof err), -1);
    CU_ASSERT(strstr(err, "never.keys") != NULL);
    keylog_free(kl);
}

static void test_open_errors(void)
{
    struct keylog *kl = keylog_new();
    char err[256] = "";
    CU_ASSERT_EQUAL(keylog_load(kl, tmp_path("does-not-exist.keys"), on_warn, NULL, err, sizeof err), -1);
    CU_ASSERT(strstr(err, "does-not-exist.keys") != NULL);
    CU_ASSERT(strchr(err, '\n') == NULL);
    err[0] = 0;
    CU_ASSERT_EQUAL(keylog_load(kl, dir, on_warn, NULL, err, sizeof err), -1); /* a directory */
    CU_ASSERT(err[0] != 0);
    CU_ASSERT_EQUAL(keylog_load(kl, tmp_path("does-not-exist.keys"), NULL, NULL, NULL, 0), -1);
    CU_ASSERT_EQUAL(keylog_load(kl, NULL, NULL, NULL, err, sizeof err), -1);
    /* An empty file is no error. */
    write_file(tmp_path("empty.keys"), "w", "");
    CU_ASSERT_EQUAL(load(kl, tmp_path("empty.keys")), 0);
    CU_ASSERT_EQUAL(keylog_count(kl), 0);
    keylog_free(kl);
}

/* Past the memory bound: stop, warn once; the secrets before it were kept;
 * raised, the rest is read. */
static void test_memory_bound(void)
{
    const char *path = tmp_path("cap.keys");
    char text[4096] = "";
    size_t at = 0;
    for (uint8_t r = 1; r <= 5; r++)
        at += (size_t)snprintf(text + at, sizeof text - at, "CLIENT_RANDOM %s %s\n", rnd_hex(r), sec_hex(48, r));
    write_file(path, "w", text);
    struct keylog *kl = keylog_new();
    size_t empty = keylog_memory(kl);
    keylog_set_max_bytes(kl, empty); /* not even one chunk of records fits */
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, path), 0);
    CU_ASSERT_EQUAL(keylog_count(kl), 0);
    CU_ASSERT_EQUAL(n_warnings, 1);
    CU_ASSERT(warned_at(1, "--memcap"));
    CU_ASSERT(keylog_memory(kl) <= empty);
    /* Again: still full, no second warning. */
    CU_ASSERT_EQUAL(load(kl, path), 0);
    CU_ASSERT_EQUAL(n_warnings, 1);
    /* Raised: the rest is read. */
    keylog_set_max_bytes(kl, 0);
    CU_ASSERT_EQUAL(load(kl, path), 5);
    CU_ASSERT_EQUAL(keylog_count(kl), 5);
    CU_ASSERT(secret_is(kl, 5, KL_CLIENT_RANDOM, 48, 5));
    CU_ASSERT(keylog_memory(kl) > empty);
    keylog_free(kl);
}

/* No count limit: past the million client randoms that used to be the cap,
 * every secret is still found, the newest included, and the memory stays
 * near 90 bytes a secret. */
static void test_no_count_limit(void)
{
    enum { N = 1100000 };
    const char *path = tmp_path("big.keys");
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static const char hexd[] = "0123456789abcdef";
    char line[256];
    memcpy(line, "CLIENT_RANDOM ", 14);
    for (unsigned i = 0; i < N; i++) {
        char *p = line + 14;
        for (int j = 0; j < 64; j++)
            *p++ = hexd[j < 8 ? (i >> (28 - 4 * j)) & 15 : (j * 7 + i) & 15];
        *p++ = ' ';
        for (int j = 0; j < 96; j++)
            *p++ = hexd[j < 8 ? (i >> (28 - 4 * j)) & 15 : j & 15];
        *p++ = '\n';
        fwrite(line, 1, (size_t)(p - line), f);
    }
    fclose(f);
    struct keylog *kl = keylog_new();
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, path), N);
    CU_ASSERT_EQUAL(keylog_count(kl), N);
    CU_ASSERT_EQUAL(n_warnings, 0);
    size_t missing = 0;
    for (unsigned i = 0; i < N; i += N / 1000 + 1) {
        uint8_t r[32];
        for (int j = 0; j < 32; j++) {
            int hi = 2 * j, lo = 2 * j + 1;
            int h = hi < 8 ? (int)((i >> (28 - 4 * hi)) & 15) : (hi * 7 + (int)i) & 15;
            int l = lo < 8 ? (int)((i >> (28 - 4 * lo)) & 15) : (lo * 7 + (int)i) & 15;
            r[j] = (uint8_t)(h << 4 | l);
        }
        size_t len = 0;
        const uint8_t *v = keylog_find(kl, r, KL_CLIENT_RANDOM, &len);
        if (!v || len != 48 || v[0] != (uint8_t)(i >> 24))
            missing++;
    }
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT(keylog_memory(kl) < (size_t)N * 100);
    keylog_free(kl);
    unlink(path);
}

/* Malformed lines beyond the first few are counted, not reported one by one. */
static void test_warnings_capped(void)
{
    const char *path = tmp_path("garbage.keys");
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; i < 5000; i++)
        fprintf(f, "CLIENT_RANDOM not-hex-at-all %d\n", i);
    fprintf(f, "CLIENT_RANDOM %s %s\n", rnd_hex(0x77), sec_hex(48, 7));
    fclose(f);
    struct keylog *kl = keylog_new();
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, path), 1);
    CU_ASSERT_EQUAL(n_warnings, KEYLOG_WARN_MAX + 1);
    CU_ASSERT(warned_at(1, NULL) && warned_at(KEYLOG_WARN_MAX, NULL) && !warned_at(KEYLOG_WARN_MAX + 1, NULL));
    CU_ASSERT(warned_at(0, "4990 more malformed lines"));
    CU_ASSERT(secret_is(kl, 0x77, KL_CLIENT_RANDOM, 48, 7));
    /* the same key log read on (a live capture): the first few were said already, only a count */
    f = fopen(path, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "CLIENT_RANDOM x\nCLIENT_RANDOM y\n");
    fclose(f);
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, path), 0);
    CU_ASSERT_EQUAL(n_warnings, 1);
    CU_ASSERT(warned_at(0, "2 more malformed lines"));
    keylog_free(kl);
    unlink(path);
}

/* Not a regular file: refused at once with the reason, neither read forever nor waited on. */
static void test_not_a_file(void)
{
    struct keylog *kl = keylog_new();
    char err[256] = "";
    CU_ASSERT_EQUAL(keylog_load(kl, "/dev/zero", on_warn, NULL, err, sizeof err), -1);
    CU_ASSERT(strstr(err, "/dev/zero") && strstr(err, "not a regular file") && strstr(err, "character device"));
    const char *fifo = tmp_path("fifo.keys");
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    err[0] = 0;
    CU_ASSERT_EQUAL(keylog_load(kl, fifo, on_warn, NULL, err, sizeof err), -1); /* no writer: must not block */
    CU_ASSERT(strstr(err, "not a regular file") && strstr(err, "FIFO"));
    CU_ASSERT_EQUAL(keylog_count(kl), 0);
    keylog_free(kl);
}

/* Many entries: the table grows and every secret stays findable. */
static void test_many(void)
{
    const char *path = tmp_path("many.keys");
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (unsigned i = 0; i < 5000; i++) {
        fprintf(f, "CLIENT_RANDOM %08x", i);
        for (int j = 0; j < 7; j++)
            fprintf(f, "%08x", i * 2654435761u + (unsigned)j);
        fprintf(f, " %s\n", sec_hex(48, (uint8_t)i));
    }
    fclose(f);
    struct keylog *kl = keylog_new();
    clear_warnings();
    CU_ASSERT_EQUAL(load(kl, path), 5000);
    CU_ASSERT_EQUAL(keylog_count(kl), 5000);
    size_t missing = 0;
    for (unsigned i = 0; i < 5000; i++) {
        uint8_t r[32];
        for (int j = 0; j < 8; j++) {
            unsigned w = j == 0 ? i : i * 2654435761u + (unsigned)(j - 1);
            r[4 * j] = (uint8_t)(w >> 24), r[4 * j + 1] = (uint8_t)(w >> 16);
            r[4 * j + 2] = (uint8_t)(w >> 8), r[4 * j + 3] = (uint8_t)w;
        }
        size_t len = 0;
        const uint8_t *v = keylog_find(kl, r, KL_CLIENT_RANDOM, &len);
        if (!v || len != 48 || v[0] != (uint8_t)i)
            missing++;
    }
    CU_ASSERT_EQUAL(missing, 0);
    keylog_free(kl);
}

/* The key logs the recordings wrote (gnutls-cli, openssl s_client, curl). */
static void test_real_key_logs(void)
{
    static const struct {
        const char *file;
        size_t entries;
        enum keylog_label label;
    } logs[] = {
        { "captures/tls/tls12-ecdhe-rsa.keys", 1, KL_CLIENT_RANDOM },
        { "captures/tls/tls13-full.keys", 1, KL_SERVER_TRAFFIC_SECRET_0 },
        { "captures/tls/tls13-psk-resume.keys", 2, KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET },
        { "captures/tls/ciphers/tls13-aes256gcm.keys", 1, KL_EXPORTER_SECRET },
        { "captures/tls/https-get.keys", 1, KL_CLIENT_TRAFFIC_SECRET_0 },
    };
    const char *top = getenv("SRCDIR");
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", top && *top ? top : ".", logs[i].file);
        struct keylog *kl = keylog_new();
        clear_warnings();
        int n = load(kl, path);
        CHECK(n > 0 && n_warnings == 0, "%s: %d secrets, %u warnings", path, n, n_warnings);
        CHECK(keylog_count(kl) == logs[i].entries, "%s: %zu entries", path, keylog_count(kl));
        /* The first line's random has that label. */
        FILE *f = fopen(path, "r");
        char line[512], hex[65];
        uint8_t r[32];
        while (f && fgets(line, sizeof line, f) && line[0] == '#')
            ;
        if (f && sscanf(line, "%*s %64s", hex) == 1) {
            for (int j = 0; j < 32; j++) {
                unsigned b;
                sscanf(hex + 2 * j, "%2x", &b);
                r[j] = (uint8_t)b;
            }
            size_t len = 0;
            CHECK(keylog_find(kl, r, logs[i].label, &len) != NULL && (len == 32 || len == 48),
                  "%s: label %d missing", path, (int)logs[i].label);
        }
        if (f)
            fclose(f);
        keylog_free(kl);
    }
}

/* ------------------------------------------------------------------ main */

static int init_suite(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/test_keylog.XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(dir) ? 0 : 1;
}

static int clean_suite(void)
{
    static const char *const files[] = {
        "labels.keys", "syntax.keys", "bad.keys", "grow.keys", "partial.keys", "replace.keys",
        "replace.keys.new", "empty.keys", "cap.keys", "many.keys", "kept.keys", "kept.keys.moved", "fifo.keys",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(tmp_path(files[i]));
    return rmdir(dir) == 0 ? 0 : 1;
}

int main(void)
{
    static const struct unit_case tests[] = {
        { "every label", test_every_label },
        { "comments, blanks, CRLF, unknown labels", test_syntax },
        { "malformed lines", test_malformed },
        { "a growing file", test_growing },
        { "lines without newline", test_partial_lines },
        { "replaced, truncated, rewritten", test_replaced },
        { "read on through the descriptor kept when the path no longer opens", test_kept_open },
        { "open errors", test_open_errors },
        { "memory bound", test_memory_bound },
        { "no count limit: 1.1 million client randoms", test_no_count_limit },
        { "malformed lines past the first few are counted", test_warnings_capped },
        { "not a regular file: /dev/zero, a FIFO", test_not_a_file },
        { "many entries", test_many },
        { "real key logs", test_real_key_logs },
    };
    return unit_run("keylog", init_suite, clean_suite, tests, UNIT_COUNT(tests));
}
