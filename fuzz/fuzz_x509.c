/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_x509.c - certificate parsing and chain verdicts (x509.c), against a
 * verifier that trusts tests/certs/root-ca.pem (the directory comes from
 * the environment variable SYNFIN_CERTS, else tests/certs relative to the
 * current directory or to the source tree this was built from).
 *
 * Input: [sel][host1 len][host1][host2 len][host2] then up to 4 DER blobs,
 * each but the last after a 2-byte big-endian length (the last takes the
 * rest).  sel bits 0-1: blobs - 1; bits 2-4: the capture time (inside the
 * test windows, at / just outside the leaf's window, far past, an 8-byte
 * value from the input, or 0); bit 5: host2 is present.
 *
 * Checks:
 *  - x509_parse of every blob: NUL-terminated fields, and the parsed names
 *    written by the JSON writer (as out_json.c does) make valid JSON in
 *    strict UTF-8;
 *  - one chain, one hostname, one time, one verdict: x509_verify_chain,
 *    x509_check_server on a fresh verifier (a cache miss) and again (a
 *    cache hit) must agree, and the leaf they return must be x509_parse's;
 *  - the same for host2 on the cached chain: the cache's own hostname
 *    matching (host_matches) must agree with GnuTLS's in x509_verify_chain.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "x509.h"

#include "fuzz_common.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

#define T_2025_06 1748736000LL
#define T_2031_06 1938038400LL

static char ca_path[4096];

static int exists(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *env = getenv("SYNFIN_CERTS");
    const char *cands[] = {env, "tests/certs", "../tests/certs", FUZZ_SRCDIR "/tests/certs"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        if (!cands[i] || !*cands[i])
            continue;
        snprintf(ca_path, sizeof ca_path, "%s/root-ca.pem", cands[i]);
        if (exists(ca_path))
            return 0;
    }
    fprintf(stderr, "fuzz_x509: root-ca.pem not found: set SYNFIN_CERTS to the tests/certs directory\n");
    exit(1);
}

static void check_info(const struct cert_info *ci)
{
    FUZZ_CHECK(memchr(ci->subject, 0, sizeof ci->subject) && memchr(ci->issuer, 0, sizeof ci->issuer) &&
                   memchr(ci->key_type, 0, sizeof ci->key_type) &&
                   memchr(ci->sig_alg, 0, sizeof ci->sig_alg),
               "a cert_info field is not NUL-terminated");
    FUZZ_CHECK(ci->self_signed == 0 || ci->self_signed == 1, "self_signed %d", ci->self_signed);
    /* what out_json.c writes of a certificate must stay valid JSON */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    struct jw w;
    jw_init(&w, f);
    jw_obj_begin(&w, NULL);
    jw_str(&w, "subject", ci->subject);
    jw_str(&w, "issuer", ci->issuer);
    size_t used = namelist_used(ci->sans), pos = 0, nlen;
    const char *name;
    FUZZ_CHECK(used + NAMELIST_HDR <= sizeof ci->sans, "sans: %zu bytes used", used);
    jw_arr_begin(&w, "sans");
    while (namelist_next(ci->sans, &pos, &name, &nlen)) {
        FUZZ_CHECK(pos <= used, "sans: a name runs past what the list uses");
        jw_strn(&w, NULL, name, nlen);
    }
    jw_arr_end(&w);
    jw_int(&w, "not_before", ci->not_before);
    jw_int(&w, "not_after", ci->not_after);
    jw_str(&w, "key_type", ci->key_type);
    jw_uint(&w, "key_bits", ci->key_bits);
    jw_str(&w, "signature_algorithm", ci->sig_alg);
    jw_obj_end(&w);
    jw_flush(&w, 1);
    jw_free(&w);
    fclose(f);
    size_t bad = 0;
    const char *why = json_lines_invalid(buf, len, &bad);
    if (why)
        fprintf(stderr, "JSON: %.*s\n", (int)len, buf);
    FUZZ_CHECK(why == NULL, "certificate fields written as invalid JSON: %s", why);
    free(buf);
}

static int64_t pick_time(unsigned sel, const struct cert_info *leaf, int leaf_ok)
{
    switch (sel) {
    case 0: return T_2025_06;
    case 1: return leaf_ok ? leaf->not_before : T_2025_06;
    case 2: return leaf_ok ? leaf->not_after : T_2025_06;
    case 3: return leaf_ok ? leaf->not_before - 1 : 0;
    case 4: return leaf_ok ? leaf->not_after + 1 : 0;
    case 5: return T_2031_06;
    default: return 0;
    }
}

static void copy_host(struct fin *in, char *out)
{
    size_t n = fin_u8(in), got;
    const uint8_t *p = fin_take(in, n, &got);
    memcpy(out, p, got);
    out[got] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 65536)
        return 0;
    struct fin in;
    fin_init(&in, data, size);
    uint8_t sel = fin_u8(&in);
    size_t nblobs = (sel & 3) + 1;
    char host1[256], host2[256];
    copy_host(&in, host1);
    int has_host2 = (sel >> 5) & 1;
    if (has_host2)
        copy_host(&in, host2);
    /* the time selector's 8 raw bytes, when chosen, come before the blobs */
    unsigned tsel = (sel >> 2) & 7;
    int64_t raw_time = 0;
    if (tsel == 6) {
        uint64_t hi = fin_u32(&in);
        raw_time = (int64_t)(hi << 32 | fin_u32(&in));
    }

    const uint8_t *der[4];
    size_t len[4];
    uint8_t *copies[4] = {NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < nblobs; i++) {
        size_t want = i + 1 < nblobs ? fin_u16(&in) : fin_left(&in);
        const uint8_t *p = fin_take(&in, want, &len[i]);
        /* each blob in a buffer of its exact size, so ASan sees over-reads */
        copies[i] = malloc(len[i] ? len[i] : 1);
        if (!copies[i])
            goto out;
        memcpy(copies[i], p, len[i]);
        der[i] = copies[i];
    }

    struct cert_info parsed[4];
    int parsed_ok[4];
    for (size_t i = 0; i < nblobs; i++) {
        parsed_ok[i] = x509_parse(der[i], len[i], &parsed[i]) == 0;
        if (parsed_ok[i])
            check_info(&parsed[i]);
    }

    char err[256];
    struct x509_verifier *v = x509_verifier_new(ca_path, err, sizeof err);
    FUZZ_CHECK(v != NULL, "cannot load %s: %s", ca_path, err);
    int64_t when = tsel == 6 ? raw_time : pick_time(tsel, &parsed[0], parsed_ok[0]);
    const char *h1 = host1[0] ? host1 : NULL;

    enum cert_verdict v1 = x509_verify_chain(v, der, len, nblobs, h1, when);
    struct cert_info leaf2, leaf3;
    int ok2 = -1, ok3 = -1;
    enum cert_verdict v2 = x509_check_server(v, der, len, nblobs, h1, when, &leaf2, &ok2);
    enum cert_verdict v3 = x509_check_server(v, der, len, nblobs, h1, when, &leaf3, &ok3);
    FUZZ_CHECK((unsigned)v1 < CERT_VERDICT_COUNT, "verdict %d", (int)v1);
    FUZZ_CHECK(v1 == v2, "x509_verify_chain says %s, x509_check_server (miss) says %s (host '%s', when %lld)",
               cert_verdict_name(v1), cert_verdict_name(v2), host1, (long long)when);
    FUZZ_CHECK(v2 == v3, "x509_check_server: %s on a miss, %s on the hit that follows (host '%s')",
               cert_verdict_name(v2), cert_verdict_name(v3), host1);
    FUZZ_CHECK(ok2 == parsed_ok[0] && ok3 == parsed_ok[0], "leaf_ok %d / %d, x509_parse says %d", ok2, ok3,
               parsed_ok[0]);
    if (parsed_ok[0]) {
        FUZZ_CHECK(!memcmp(&leaf2, &parsed[0], sizeof leaf2), "x509_check_server's leaf differs from x509_parse's");
        FUZZ_CHECK(!memcmp(&leaf3, &parsed[0], sizeof leaf3), "the cached leaf differs from x509_parse's");
    }
    if (has_host2) {
        const char *h2 = host2[0] ? host2 : NULL;
        struct cert_info leaf4;
        int ok4;
        enum cert_verdict v4 = x509_check_server(v, der, len, nblobs, h2, when, &leaf4, &ok4);
        enum cert_verdict v5 = x509_verify_chain(v, der, len, nblobs, h2, when);
        FUZZ_CHECK(v4 == v5,
                   "host '%s': x509_check_server (cached chain) says %s, x509_verify_chain says %s (when %lld)",
                   host2, cert_verdict_name(v4), cert_verdict_name(v5), (long long)when);
    }
    x509_verifier_free(v);
out:
    for (size_t i = 0; i < nblobs; i++)
        free(copies[i]);
    return 0;
}
