/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_replay.c - runs a libFuzzer target's entry point on files, without
 * libFuzzer.
 *
 * Every bug the fuzzers found is kept as a reproducer in fuzz/regress/NAME/.
 * Linked with fuzz/fuzz_NAME.c this driver lets `make check` (and its
 * sanitized build in CI) replay them with the ordinary compiler, so a fix
 * that regresses fails the suite even where clang is not installed.  The
 * targets' own checks abort(); a sanitizer report ends the run the same way.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* optional in a target, as in libFuzzer */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        size_t len = 0;
        uint8_t *data = slurp(argv[i], &len);
        if (!data) {
            fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
            return 2;
        }
        LLVMFuzzerTestOneInput(data, len);
        free(data);
        printf("replayed %s (%zu bytes)\n", argv[i], len);
    }
    return 0;
}
