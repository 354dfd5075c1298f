/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_keylog.c - the NSS key log reader (keylog.c, API in src/proto/keylog.h).
 *
 * Input: [split][file bytes...].  When split % 7 == 0 both tables are
 * bounded to the memory they take empty (keylog_set_max_bytes), so no
 * secret fits: that drives the "stop and warn once" path.  The file bytes are written to a temporary file and
 * read two ways:
 *  - whole: keylog_load once;
 *  - growing: the file first holds the lines up to a line boundary chosen
 *    by `split`, keylog_load, then the rest is appended and keylog_load
 *    is called again (keylog.h: "called again, continue reading from where
 *    it stopped"), as a live capture re-reads a key log that grows.
 * Both must know the same secrets: for every 64-hex-digit token in the
 * input (the client randoms the lines name, and a few more) and every
 * label, keylog_find must give the same answer, of a length keylog.h
 * allows (48 for CLIENT_RANDOM, 32 or 48 for the TLS 1.3 secrets), and the
 * counts must agree.  Warnings must name a line that exists (or line 0:
 * the count of malformed lines past the first few).  Every byte of
 * a secret returned is read, so ASan checks its bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "keylog.h"

#include "fuzz_common.h"

static char path[64];
static unsigned total_lines;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/tmp/fuzz_keylog.%ld.keys", (long)getpid());
    return 0;
}

static void on_warn(void *ctx, const char *p, unsigned line, const char *why)
{
    (void)ctx;
    FUZZ_CHECK(p != NULL && why != NULL, "warning without a path or a reason");
    FUZZ_CHECK(strlen(why) < 4096, "warning of %zu bytes", strlen(why));
    /* line 0: about the whole file (keylog.h), here only the count of malformed lines not shown one by one */
    FUZZ_CHECK(line == 0 ? strstr(why, "more malformed lines") != NULL : line <= total_lines + 1,
               "warning about line %u of a file of %u lines (%s)", line, total_lines, why);
}

static void write_file(const uint8_t *p, size_t n, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        abort();
    if (n && fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
}

#define MAX_RANDOMS 16

/* The client randoms worth asking about: every run of exactly 64 hex digits. */
static size_t find_randoms(const uint8_t *p, size_t n, uint8_t out[][32])
{
    size_t k = 0;
    memset(out[k++], 0, 32); /* one nobody logs (probably) */
    for (size_t i = 0; i < n && k < MAX_RANDOMS;) {
        size_t j = i;
        while (j < n && hex_digit_value(p[j]) >= 0)
            j++;
        if (j - i == 64) {
            for (size_t b = 0; b < 32; b++)
                out[k][b] = (uint8_t)(hex_digit_value(p[i + 2 * b]) << 4 | hex_digit_value(p[i + 2 * b + 1]));
            k++;
        }
        i = j > i ? j : i + 1;
    }
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 20))
        return 0;
    uint8_t split = data[0];
    const uint8_t *file = data + 1;
    size_t n = size - 1;
    total_lines = 0;
    for (size_t i = 0; i < n; i++)
        total_lines += file[i] == '\n';

    /* the growing file's first part ends just after a newline, at about split/255 of the file */
    size_t cut = n * split / 255;
    while (cut > 0 && file[cut - 1] != '\n')
        cut--;

    char err[256];
    struct keylog *whole = keylog_new(), *grown = keylog_new();
    if (!whole || !grown) {
        keylog_free(whole);
        keylog_free(grown);
        return 0;
    }
    if (split % 7 == 0) {
        keylog_set_max_bytes(whole, keylog_memory(whole));
        keylog_set_max_bytes(grown, keylog_memory(grown));
    }
    write_file(file, n, "wb");
    int added_whole = keylog_load(whole, path, on_warn, NULL, err, sizeof err);
    FUZZ_CHECK(added_whole >= 0, "keylog_load on a readable file: -1 (%s)", err);

    write_file(file, cut, "wb");
    int added1 = keylog_load(grown, path, on_warn, NULL, err, sizeof err);
    FUZZ_CHECK(added1 >= 0, "keylog_load (first part): -1 (%s)", err);
    write_file(file + cut, n - cut, "ab");
    int added2 = keylog_load(grown, path, on_warn, NULL, err, sizeof err);
    FUZZ_CHECK(added2 >= 0, "keylog_load (after it grew): -1 (%s)", err);

    FUZZ_CHECK(split % 7 || keylog_count(whole) == 0, "%zu client randoms past a bound no secret fits",
               keylog_count(whole));
    FUZZ_CHECK(keylog_count(whole) == keylog_count(grown),
               "%zu secrets read at once, %zu read in two parts (cut at byte %zu of %zu)", keylog_count(whole),
               keylog_count(grown), cut, n);
    FUZZ_CHECK(added1 + added2 == added_whole, "%d secrets added at once, %d + %d in two parts", added_whole,
               added1, added2);

    uint8_t randoms[MAX_RANDOMS][32];
    size_t nr = find_randoms(file, n, randoms);
    for (size_t r = 0; r < nr; r++) {
        for (int label = 0; label < KL_COUNT; label++) {
            size_t la = 0, lb = 0;
            const uint8_t *a = keylog_find(whole, randoms[r], (enum keylog_label)label, &la);
            const uint8_t *b = keylog_find(grown, randoms[r], (enum keylog_label)label, &lb);
            FUZZ_CHECK((a == NULL) == (b == NULL), "random %zu label %d: found %s at once, %s in two parts", r,
                       label, a ? "yes" : "no", b ? "yes" : "no");
            if (!a)
                continue;
            if (label == KL_CLIENT_RANDOM)
                FUZZ_CHECK(la == 48, "a CLIENT_RANDOM secret of %zu bytes", la);
            else
                FUZZ_CHECK(la == 32 || la == 48, "a TLS 1.3 secret (label %d) of %zu bytes", label, la);
            FUZZ_CHECK(la == lb && !memcmp(a, b, la), "random %zu label %d: different secrets", r, label);
        }
    }
    /* a missing file is -1 with a message, and changes nothing */
    size_t before = keylog_count(whole);
    err[0] = '\0';
    FUZZ_CHECK(keylog_load(whole, "/nonexistent/fuzz.keys", on_warn, NULL, err, sizeof err) == -1 && err[0],
               "a missing file did not give -1 and a message");
    FUZZ_CHECK(keylog_count(whole) == before, "a failed load changed the count");
    keylog_free(whole);
    keylog_free(grown);
    unlink(path);
    return 0;
}
