/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_tlsdecrypt.c - TLS record protection (tlsdecrypt.c) on records an
 * attacker controls: every (version, suite) pair tlsd_suite_supported
 * accepts, keys from the input, then a run of records decrypted in order
 * (with an occasional TLS 1.3 KeyUpdate).
 *
 * Input: [version:2][suite:2][flags][secret: 48][client random: 32]
 *        [server random: 32] then records [content type][length:2][body].
 * An unsupported (version, suite) is mapped onto one of the supported pairs.
 * flags bit 0: the server's direction, bit 1: encrypt_then_mac, bit 2: a
 * TLS 1.3 secret of 48 bytes (else 32; the wrong length for the suite's
 * hash must be refused, not misused).  A record of type 0xff is a KeyUpdate.
 *
 * tlsdecrypt.h's promises are the checks: a record decrypts into at most
 * its own length (out is a buffer of exactly `len` bytes, so ASan sees any
 * write past it); a TLS 1.3 record yields a real inner type (not 0); a
 * record that does not authenticate leaves `out` zeroed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsdecrypt.h"

#include "fuzz_common.h"

struct pair {
    uint16_t version, suite;
};
static struct pair *pairs;
static size_t npairs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pairs = malloc(4096 * sizeof *pairs);
    if (!pairs)
        abort();
    for (uint16_t v = 0x0300; v <= 0x0304; v++)
        for (uint32_t s = 0; s <= 0xffff && npairs < 4096; s++)
            if (tlsd_suite_supported(v, (uint16_t)s))
                pairs[npairs++] = (struct pair){v, (uint16_t)s};
    if (!npairs) {
        fprintf(stderr, "fuzz_tlsdecrypt: tlsd_suite_supported accepts nothing\n");
        exit(1);
    }
    return 0;
}

static FUZZ_NOCOV int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5 + 48 + 64 || size > (1u << 20))
        return 0;
    struct fin in;
    fin_init(&in, data, size);
    uint16_t version = fin_u16(&in), suite = fin_u16(&in);
    struct pair pr = {version, suite};
    if (!tlsd_suite_supported(version, suite))
        pr = pairs[((uint32_t)version << 16 | suite) % npairs];
    uint8_t flags = fin_u8(&in);
    size_t got;
    const uint8_t *secret = fin_take(&in, 48, &got);
    const uint8_t *cr = fin_take(&in, 32, &got);
    const uint8_t *sr = fin_take(&in, 32, &got);
    char err[256] = "";
    struct tlsd *d;
    if (pr.version == 0x0304) {
        size_t slen = (flags & 4) ? 48 : 32;
        d = tlsd_new_tls13(pr.suite, secret, slen, err, sizeof err);
        int sha384 = pr.suite == 0x1302;
        if ((slen == 48) != sha384)
            FUZZ_CHECK(d == NULL, "suite %#x took a %zu-byte traffic secret", pr.suite, slen);
    } else {
        d = tlsd_new_tls12(pr.version, pr.suite, secret, cr, sr, flags & 1, (flags >> 1) & 1, err, sizeof err);
        FUZZ_CHECK(d != NULL, "tlsd_new_tls12(%#x, %#x) refused a supported pair: %s", pr.version, pr.suite, err);
    }
    if (!d) {
        FUZZ_CHECK(err[0] != '\0', "a refusal without a message");
        return 0;
    }
    while (fin_left(&in) >= 3) {
        uint8_t type = fin_u8(&in);
        size_t len = fin_u16(&in);
        const uint8_t *body = fin_take(&in, len, &len);
        if (type == 0xff) {
            int rc = tlsd_key_update(d);
            FUZZ_CHECK(pr.version == 0x0304 ? rc == 0 : rc == -1, "tlsd_key_update at %#x: %d", pr.version, rc);
            continue;
        }
        /* exact-size copies: ASan sees reads past `in` and writes past `out` */
        uint8_t *rec = malloc(len ? len : 1), *out = malloc(len ? len : 1);
        if (!rec || !out)
            abort();
        memcpy(rec, body, len);
        memset(out, 0xa5, len);
        size_t out_len = (size_t)-1;
        uint8_t inner = 0xee;
        int rc = tlsd_decrypt(d, type, pr.version == 0x0304 ? 0x0303 : pr.version, rec, len, out, &out_len, &inner);
#ifdef TD_DEBUG
        fprintf(stderr, "version %#x suite %#x type %u len %zu: rc %d out_len %zu inner %u\n", pr.version, pr.suite,
                type, len, rc, rc == 0 ? out_len : 0, inner);
#endif
        if (rc == 0) {
            FUZZ_CHECK(out_len <= len, "%zu bytes of plaintext from a %zu-byte record", out_len, len);
            if (pr.version == 0x0304)
                FUZZ_CHECK(inner != 0, "a TLS 1.3 record with inner type 0");
            else
                FUZZ_CHECK(inner == type, "inner type %u for a record of type %u", inner, type);
        } else {
            FUZZ_CHECK(rc == -1, "tlsd_decrypt returned %d", rc);
            FUZZ_CHECK(all_zero(out, len), "a record that failed left bytes in out (suite %#x, version %#x)",
                       pr.suite, pr.version);
        }
        free(rec);
        free(out);
    }
    tlsd_free(d);
    return 0;
}
