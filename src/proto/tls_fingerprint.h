/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls_fingerprint.h - JA3 and JA4 client fingerprints, JA3S and JA4S server
 * fingerprints.
 *
 * The hello parser (tls.c) collects every value of the ClientHello's lists,
 * uncapped, into hello_lists; tls_fingerprints turns them into the two
 * fingerprint strings, through a cache shared by a run's connections.
 */
#ifndef SYNFIN_TLS_FINGERPRINT_H
#define SYNFIN_TLS_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "tls.h"

/* Every value of a ClientHello list, uncapped: JA3 and JA4 hash them all. */
struct u16vec {
    uint16_t *v;
    size_t n, cap;
};

struct hello_lists {
    struct u16vec ciphers, extensions, groups, point_formats, sigalgs, versions;
};

/* Append one value; on allocation failure the fingerprint misses it rather than the program failing. */
void hello_list_push(struct u16vec *a, uint16_t x);
void hello_lists_free(struct hello_lists *l);

/* JA3 (32 hex digits), its string (into ja3_string, cap bytes; "" when
 * longer) and JA4 of a hello, from the cache when the same inputs were
 * seen; fc may be NULL (computed every time). */
void tls_fingerprints(struct tls_fp_cache *fc, const struct tls_client_hello *ch, const struct hello_lists *l,
                      char ja3[33], char ja4[40], char *ja3_string, size_t cap);

/* JA3S (MD5 hex) with its string (cap bytes, "" when longer) and JA4S of
 * a ServerHello; the outputs need nothing but the hello, so the JSON writer
 * makes them when it writes (no work for outputs that do not show them).
 * 0, or -1 (all empty) when the hello had more extensions than it keeps. */
int tls_server_fingerprints(const struct tls_server_hello *sh, char ja3s[33], char *ja3s_string, size_t cap,
                            char ja4s[32]);

#endif
