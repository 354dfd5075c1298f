/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tlsdecrypt.c - record decryption against published vectors and
 * real records:
 *  - the TLS PRF (SHA-256 and SHA-384: the test vectors circulated on the
 *    IETF TLS list; TLS 1.0 MD5/SHA-1: values computed with python3's hmac),
 *  - HKDF-Expand-Label and record decryption of RFC 8448 section 3 (Simple
 *    1-RTT Handshake), KeyUpdate from its client application secret,
 *  - records of the real captures in captures/tls/ (the files of tests/vectors:
 *    TLS 1.0/1.1/1.2 CBC with MAC-then-encrypt and encrypt-then-MAC, GCM,
 *    CCM, ChaCha20, TLS 1.3 GCM/CCM/ChaCha20; and, written by
 *    tests/mkvectors.py with tshark's plaintexts, 3DES, Camellia CBC/GCM,
 *    RC4, NULL, SSL 3.0 and the SSL 3.0 and TLS 1.0 export suites),
 *  - round trips for every suite the IANA registry names with a cipher
 *    GnuTLS runs (src/proto/tls_cipher_table.h), SSL 3.0 to TLS 1.3: the
 *    test seals records itself with GnuTLS's cipher API, from the suite's
 *    name, not from tlsdecrypt's table, with its own SSL 3.0 key block,
 *    MAC and export keys; tlsdecrypt must open them,
 *  - failures: a flipped bit anywhere, bad CBC padding, short or misaligned
 *    records, records out of sequence, TLS 1.3 records without a type.
 * SRCDIR (the repository top, default ".") locates tests/vectors.
 */
#include <CUnit/Basic.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_cipher_table.h"
#include "tlsdecrypt.h"
#include "unit.h"

/* An assertion with a formatted message (CUnit prints the message). */
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

/* Hex with any whitespace in it (the RFC's layout); returns the length, or (size_t)-1. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v;
        if (*s == ' ' || *s == '\n' || *s == '\t')
            continue;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            v = *s - 'A' + 10;
        else
            return (size_t)-1;
        if (hi < 0) {
            hi = v;
        } else {
            if (n == cap)
                return (size_t)-1;
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 ? n : (size_t)-1;
}

static int same_hex(const uint8_t *got, size_t len, const char *want_hex)
{
    uint8_t want[4096];
    size_t n = unhex(want_hex, want, sizeof want);
    return n == len && memcmp(got, want, len) == 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ PRF */

/* The TLS 1.2 PRF test vectors posted to the IETF TLS list (2009) and
 * reproduced widely; both were checked again here with python3:
 *   hmac-based P_hash(secret, b"test label" + seed) */
static void test_prf_sha256(void)
{
    uint8_t secret[16], seed[16], out[100];
    unhex("9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35", secret, sizeof secret);
    unhex("a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c", seed, sizeof seed);
    CU_ASSERT_EQUAL(tls_prf(GNUTLS_MAC_SHA256, secret, 16, "test label", seed, 16, out, 100), 0);
    CU_ASSERT(same_hex(out, 100,
                       "e3 f2 29 ba 72 7b e1 7b 8d 12 26 20 55 7c d4 53 c2 aa b2 1d 07 c3 d4 95"
                       "32 9b 52 d4 e6 1e db 5a 6b 30 17 91 e9 0d 35 c9 c9 a4 6b 4e 14 ba f9 af"
                       "0f a0 22 f7 07 7d ef 17 ab fd 37 97 c0 56 4b ab 4f bc 91 66 6e 9d ef 9b"
                       "97 fc e3 4f 79 67 89 ba a4 80 82 d1 22 ee 42 c5 a7 2e 5a 51 10 ff f7 01"
                       "87 34 7b 66"));
    /* A shorter output is a prefix of the longer one. */
    uint8_t part[33];
    CU_ASSERT_EQUAL(tls_prf(GNUTLS_MAC_SHA256, secret, 16, "test label", seed, 16, part, 33), 0);
    CU_ASSERT(memcmp(part, out, 33) == 0);
}

static void test_prf_sha384(void)
{
    uint8_t secret[16], seed[16], out[148];
    unhex("b8 0b 73 3d 6c ee fc dc 71 56 6e a4 8e 55 67 df", secret, sizeof secret);
    unhex("cd 66 5c f6 a8 44 7d d6 ff 8b 27 55 5e db 74 65", seed, sizeof seed);
    CU_ASSERT_EQUAL(tls_prf(GNUTLS_MAC_SHA384, secret, 16, "test label", seed, 16, out, 148), 0);
    CU_ASSERT(same_hex(out, 148,
                       "7b 0c 18 e9 ce d4 10 ed 18 04 f2 cf a3 4a 33 6a 1c 14 df fb 49 00 bb 5f"
                       "d7 94 21 07 e8 1c 83 cd e9 ca 0f aa 60 be 9f e3 4f 82 b1 23 3c 91 46 a0"
                       "e5 34 cb 40 0f ed 27 00 88 4f 9d c2 36 f8 0e dd 8b fa 96 11 44 c9 e8 d7"
                       "92 ec a7 22 a7 b3 2f c3 d4 16 d4 73 eb c2 c5 fd 4a bf da d0 5d 91 84 25"
                       "9b 5b f8 cd 4d 90 fa 0d 31 e2 de c4 79 e4 f1 a2 60 66 f2 ee a9 a6 92 36"
                       "a3 e5 26 55 c9 e9 ae e6 91 c8 f3 a2 68 54 30 8d 5e aa 3b e8 5e 09 90 70"
                       "3d 73 e5 6f"));
}

/* TLS 1.0/1.1 (RFC 2246 5).  No published vector exists; these outputs come
 * from an independent implementation in python3:
 *   def p_hash(hf, secret, seed, n):
 *       out, a = b"", seed
 *       while len(out) < n:
 *           a = hmac.new(secret, a, hf).digest()
 *           out += hmac.new(secret, a + seed, hf).digest()
 *       return out[:n]
 *   half = (len(secret) + 1) // 2
 *   prf = xor(p_hash(md5, secret[:half], label + seed, n),
 *             p_hash(sha1, secret[-half:], label + seed, n))
 * with label b"test label" and the seed of the SHA-256 vector above; the
 * 49-byte secret (bytes 1..49) makes the halves share their middle byte. */
static void test_prf_tls10(void)
{
    uint8_t seed[16], secret[49], out[100];
    unhex("a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c", seed, sizeof seed);
    for (int i = 0; i < 49; i++)
        secret[i] = (uint8_t)(i + 1);
    CU_ASSERT_EQUAL(tls_prf(0, secret, 49, "test label", seed, 16, out, 100), 0);
    CU_ASSERT(same_hex(out, 100,
                       "22740b785ba4a8be7d6d7b8da9f6521ed73a459471141f33fc7a4e178269717867cb788e"
                       "e78ed71a1631898bbd0194c0c4b9ad45edaf38a593b0a6585cc3ad80c4c1097f5ed748af"
                       "93335a22451ed861c68b43be96352977b7b7b386c4443e2b6e6dce92"));
    unhex("9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35", secret, 16);
    CU_ASSERT_EQUAL(tls_prf(0, secret, 16, "test label", seed, 16, out, 100), 0);
    CU_ASSERT(same_hex(out, 100,
                       "661740e6f98bc901efd2738502a71c03f76dd2f86298549b1148eff06714cf0f6b7c532c"
                       "d8c69f1530e0bb680eec34c495fa75a8bfcc9c335484c0d3d194ab6e32975903c50ebcdb"
                       "e9d67c0591bdbd80dddcc36d33ccd58adf96caae173f48dc40f983e2"));
}

static void test_prf_errors(void)
{
    uint8_t s[16] = { 0 }, out[16];
    CU_ASSERT_EQUAL(tls_prf(GNUTLS_MAC_SHA1, s, 16, "x", s, 16, out, 16), -1);
    CU_ASSERT_EQUAL(tls_prf(GNUTLS_MAC_SHA256, s, 16, NULL, s, 16, out, 16), -1);
    CU_ASSERT_EQUAL(tls_prf(GNUTLS_MAC_SHA256, NULL, 16, "x", s, 16, out, 16), -1);
    CU_ASSERT_EQUAL(tls_prf(GNUTLS_MAC_SHA256, s, 16, "x", s, 16, NULL, 16), -1);
    CU_ASSERT_EQUAL(tls_prf(GNUTLS_MAC_SHA256, s, 16, "x", NULL, 0, out, 16), 0); /* empty seed */
}

/* ------------------------------------------------------------------ RFC 8448 */

/* RFC 8448 section 3, "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256):
 * the traffic secrets ("derive secret tls13 c hs traffic" etc.), the keys
 * and IVs ("derive write/read traffic keys"), and protected records
 * ("complete record") with their payloads. */
static const char *const rfc_c_hs =
    "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21";
static const char *const rfc_s_hs =
    "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38";
static const char *const rfc_c_ap =
    "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5";
static const char *const rfc_s_ap =
    "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43";

/* {client} send handshake record: the client's Finished, under c hs. */
static const char *const rfc_client_finished_record =
    "17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b"
    "fc 44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46";
static const char *const rfc_client_finished =
    "14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42"
    "f2 ed d5 ce 61";
/* {client} send application_data record: payload 00 01 .. 31, under c ap, sequence 0. */
static const char *const rfc_client_app_record =
    "17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab"
    "3f 2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d"
    "ea e6 3a ee bb 21 69 49 15 e4";
/* {server} send handshake record: EncryptedExtensions, Certificate,
 * CertificateVerify, Finished in one record of 679 octets, under s hs. */
static const char *const rfc_server_flight_record =
    "17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 3f 50 0f 45 e4 89 e7 f3 3a f3"
    "5e df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca 07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23"
    "ea 78 b1 11 b4 29 ba 91 91 cd 05 d2 a3 89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec"
    "f7 b1 3b d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e f3 ab 20 e3"
    "7d 57 a6 b9 d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c 7d 0e 50 92 89 44 4c 9b 3a 64 8f"
    "1d 71 03 5d 2e d6 5b 0e 3c dd 0c ba e8 bf 2d 0b 22 78 12 cb b3 60 98 72 55 cc 74 41 10 c4 53"
    "ba a4 fc d6 10 92 8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 04 79 7e 36 a6 a7 3b 70 a2"
    "55 9c 09 ea d6 86 94 5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8 94 41 ac 66 27 2f d8 fb"
    "33 0e f8 19 05 79 b3 68 45 96 c9 60 bd 59 6e ea 52 0a 56 a8 d6 50 f5 63 aa d2 74 09 96 0d ca"
    "63 d3 e6 88 61 1e a5 e2 2f 44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 4e d6 54 0c 84 83"
    "8d 89 f7 2c 24 46 1a ad 6d 26 f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3 6a c1 b6 39 c6"
    "37 ce 34 31 17 b6 59 62 22 45 31 7b 49 ee da 0c 62 58 f1 00 d7 d9 61 ff b1 38 64 7e 92 ea 33"
    "0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e 1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f 24 3d 24 3d"
    "c7 33 9d 56 84 c8 b0 37 8b f3 02 44 da 8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c f9 3b"
    "16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 61 e6 6f 99 88 2b d8 9f c5 08 00 be cc a6 2d 6c 74"
    "11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be 5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18"
    "a3 96 fa 48 a1 81 d6 b6 fa 4f 9d 62 d5 13 af bb 99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88"
    "cb 56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59 77 b7 c7 a6 99 9b bf 10 dc 35 ae 69 f5 51"
    "56 14 63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38 eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f"
    "aa 63 97 8c 31 7f c9 fa 66 a7 3f 60 f0 50 4d e9 3b 5b 84 5e 27 55 92 c1 23 35 ee 34 0b bc 4f"
    "dd d5 02 78 40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5 d2 af 93 98 28 fd 4a e3 79 4e 44"
    "f9 4d f5 a6 31 ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e 75 0e dc 53 37 0d 2b";
/* The first message of the flight (EncryptedExtensions, 40 octets) and the
 * last (the server's Finished, 36 octets), as the RFC constructs them. */
static const char *const rfc_encrypted_extensions =
    "08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00"
    "1c 00 02 40 01 00 00 00 00";
static const char *const rfc_server_finished =
    "14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee 54"
    "54 b7 8f 07 18";

static void test_hkdf_rfc8448(void)
{
    static const struct {
        const char *secret, *key, *iv;
    } v[] = {
        { rfc_s_hs, "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc", "5d 31 3e b2 67 12 76 ee 13 00 0b 30" },
        { rfc_c_hs, "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01", "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f" },
        { rfc_s_ap, "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56", "cf 78 2b 88 dd 83 54 9a ad f1 e9 84" },
        { rfc_c_ap, "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51", "5b 78 92 3d ee 08 57 90 33 e5 23 d9" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t secret[32], key[16], iv[12];
        unhex(v[i].secret, secret, sizeof secret);
        CU_ASSERT_EQUAL(hkdf_expand_label(GNUTLS_MAC_SHA256, secret, 32, "key", NULL, 0, key, 16), 0);
        CU_ASSERT_EQUAL(hkdf_expand_label(GNUTLS_MAC_SHA256, secret, 32, "iv", NULL, 0, iv, 12), 0);
        CHECK(same_hex(key, 16, v[i].key), "RFC 8448 key %zu", i);
        CHECK(same_hex(iv, 12, v[i].iv), "RFC 8448 iv %zu", i);
    }
    /* RFC 8448 3, "derive secret for handshake tls13 derived": a context
     * (the empty transcript's hash) and a 32-byte output, from the early secret. */
    uint8_t early[32], hash[32], out[32];
    unhex("33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c e2 10 ad f3 00 aa 1f 26 60 e1 b2 2e 10 f1 70 f9 2a",
          early, sizeof early);
    unhex("e3 b0 c4 42 98 fc 1c 14 9a fb f4 c8 99 6f b9 24 27 ae 41 e4 64 9b 93 4c a4 95 99 1b 78 52 b8 55",
          hash, sizeof hash);
    CU_ASSERT_EQUAL(hkdf_expand_label(GNUTLS_MAC_SHA256, early, 32, "derived", hash, 32, out, 32), 0);
    CU_ASSERT(same_hex(out, 32,
                       "6f 26 15 a1 08 c7 02 c5 67 8f 54 fc 9d ba b6 97 16 c0 76 18 9c 48 25 0c eb ea c3 57 6c 36 11 ba"));
}

static void test_hkdf_errors(void)
{
    uint8_t s[32] = { 0 }, out[32];
    char long_label[260];
    memset(long_label, 'a', sizeof long_label - 1);
    long_label[sizeof long_label - 1] = 0;
    CU_ASSERT_EQUAL(hkdf_expand_label(GNUTLS_MAC_SHA1, s, 32, "key", NULL, 0, out, 16), -1);
    CU_ASSERT_EQUAL(hkdf_expand_label(GNUTLS_MAC_SHA256, s, 32, long_label, NULL, 0, out, 16), -1);
    CU_ASSERT_EQUAL(hkdf_expand_label(GNUTLS_MAC_SHA256, s, 32, "key", NULL, 300, out, 16), -1);
    CU_ASSERT_EQUAL(hkdf_expand_label(GNUTLS_MAC_SHA256, NULL, 32, "key", NULL, 0, out, 16), -1);
    CU_ASSERT_EQUAL(hkdf_expand_label(GNUTLS_MAC_SHA256, s, 32, "key", NULL, 0, out, 0), -1);
}

/* Decrypt a whole record given as hex (header included). */
static int open_hex(struct tlsd *d, const char *record_hex, uint8_t *out, size_t *out_len, uint8_t *type)
{
    uint8_t rec[2048];
    size_t n = unhex(record_hex, rec, sizeof rec);
    if (n == (size_t)-1 || n < 5 || (size_t)(rec[3] << 8 | rec[4]) != n - 5)
        return -2;
    return tlsd_decrypt(d, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), rec + 5, n - 5, out, out_len, type);
}

static struct tlsd *tls13_from_hex(uint16_t suite, const char *secret_hex)
{
    uint8_t secret[48];
    size_t n = unhex(secret_hex, secret, sizeof secret);
    char err[128] = "";
    struct tlsd *d = tlsd_new_tls13(suite, secret, n, err, sizeof err);
    CHECK(d != NULL, "tlsd_new_tls13: %s", err);
    return d;
}

static void test_rfc8448_client(void)
{
    uint8_t out[2048], type = 0, payload[50];
    size_t n = 0;
    struct tlsd *d = tls13_from_hex(0x1301, rfc_c_hs);
    if (!d)
        return;
    CU_ASSERT_EQUAL(open_hex(d, rfc_client_finished_record, out, &n, &type), 0);
    CU_ASSERT_EQUAL(type, 22);
    CU_ASSERT(same_hex(out, n, rfc_client_finished));
    tlsd_free(d);

    d = tls13_from_hex(0x1301, rfc_c_ap);
    if (!d)
        return;
    CU_ASSERT_EQUAL(open_hex(d, rfc_client_app_record, out, &n, &type), 0);
    for (int i = 0; i < 50; i++)
        payload[i] = (uint8_t)i;
    CU_ASSERT_EQUAL(type, 23);
    CU_ASSERT(n == 50 && memcmp(out, payload, 50) == 0);
    /* The same record again is the next sequence number: it must fail. */
    CU_ASSERT_EQUAL(open_hex(d, rfc_client_app_record, out, &n, &type), -1);
    tlsd_free(d);

    /* Under the other direction's key it does not open either. */
    d = tls13_from_hex(0x1301, rfc_s_ap);
    if (!d)
        return;
    CU_ASSERT_EQUAL(open_hex(d, rfc_client_app_record, out, &n, &type), -1);
    tlsd_free(d);
}

static void test_rfc8448_server_flight(void)
{
    uint8_t out[2048], type = 0, ee[64], fin[64];
    size_t n = 0;
    struct tlsd *d = tls13_from_hex(0x1301, rfc_s_hs);
    if (!d)
        return;
    CU_ASSERT_EQUAL(open_hex(d, rfc_server_flight_record, out, &n, &type), 0);
    CU_ASSERT_EQUAL(type, 22);
    CU_ASSERT_EQUAL(n, 657); /* 674 octets of body, less the 16-byte tag and the type */
    size_t ee_len = unhex(rfc_encrypted_extensions, ee, sizeof ee);
    size_t fin_len = unhex(rfc_server_finished, fin, sizeof fin);
    CU_ASSERT(n >= ee_len + fin_len && memcmp(out, ee, ee_len) == 0 &&
              memcmp(out + n - fin_len, fin, fin_len) == 0);
    tlsd_free(d);
}

/* KeyUpdate (RFC 8446 7.2) from RFC 8448's client application secret.  The
 * next secret and the two records were made with python3 (hmac-based
 * HKDF-Expand-Label, cryptography's AESGCM):
 *   next = HKDF-Expand-Label(c_ap, "traffic upd", "", 32)
 *   record 0: "after the key update", type 23, 3 bytes of zero padding
 *   record 1: "second", type 21 (nonce: iv xor 1) */
static void test_key_update(void)
{
    uint8_t out[2048], type = 0, next[32];
    size_t n = 0;
    uint8_t secret[32];
    unhex(rfc_c_ap, secret, sizeof secret);
    CU_ASSERT_EQUAL(hkdf_expand_label(GNUTLS_MAC_SHA256, secret, 32, "traffic upd", NULL, 0, next, 32), 0);
    CU_ASSERT(same_hex(next, 32, "fcdfcc72725aaee48bf64e4fd8b749cdbdbab39d90da0b26e2245ca6ea167207"));

    struct tlsd *d = tls13_from_hex(0x1301, rfc_c_ap);
    if (!d)
        return;
    CU_ASSERT_EQUAL(open_hex(d, rfc_client_app_record, out, &n, &type), 0);
    CU_ASSERT_EQUAL(tlsd_key_update(d), 0);
    CU_ASSERT_EQUAL(open_hex(d, "170303002869bdc5e3b1a4b03ffd4cf95ba8a00762744c08b4e5b54edd2b0f2cafb0"
                                "26222cdcdb1f257cb8b0a4", out, &n, &type), 0);
    CU_ASSERT(type == 23 && n == 20 && memcmp(out, "after the key update", 20) == 0);
    CU_ASSERT_EQUAL(open_hex(d, "1703030017070ab2aae23a46aed0d6a6d298935014c51fcf1d87c01b", out, &n,
                             &type), 0);
    CU_ASSERT(type == 21 && n == 6 && memcmp(out, "second", 6) == 0);
    /* One more update: the old records no longer open. */
    CU_ASSERT_EQUAL(tlsd_key_update(d), 0);
    CU_ASSERT_EQUAL(open_hex(d, "170303002869bdc5e3b1a4b03ffd4cf95ba8a00762744c08b4e5b54edd2b0f2cafb0"
                                "26222cdcdb1f257cb8b0a4", out, &n, &type), -1);
    tlsd_free(d);
    CU_ASSERT_EQUAL(tlsd_key_update(NULL), -1);
}

/* ------------------------------------------------------------------ suites from their names */

enum tkind { T_CBC, T_GCM, T_CCM, T_CHACHA, T_STREAM, T_NULL };

struct sparams {
    enum tkind kind;
    int tls13;
    gnutls_cipher_algorithm_t cipher;
    size_t key_len, tag_len;
    size_t block;      /* CBC: the cipher's block */
    size_t export_len; /* export suites: the final key's length (key_len is the 5-byte material) */
    gnutls_mac_algorithm_t mac, prf;
    uint16_t min_v, max_v;
};

/* What the IANA name of a suite says about its record protection; 0 when
 * it is not a suite synfin should decrypt: one whose cipher GnuTLS runs
 * (AES, Camellia, 3DES, DES, RC4, ChaCha20-Poly1305, or none), with an
 * MD5, SHA-1 or SHA-2 MAC or an AEAD tag.  Versions: MD5 and SHA-1 MAC
 * suites from SSL 3.0 to TLS 1.2, SHA-2 MACs and AEADs in TLS 1.2. */
static int params_from_name(const char *name, struct sparams *p)
{
    memset(p, 0, sizeof *p);
    p->prf = GNUTLS_MAC_SHA256;
    p->min_v = p->max_v = 0x0303;
    static const struct {
        const char *name;
        enum tkind kind;
        gnutls_cipher_algorithm_t cipher;
        size_t key, tag;
        gnutls_mac_algorithm_t hash;
    } tls13[] = {
        { "TLS_AES_128_GCM_SHA256", T_GCM, GNUTLS_CIPHER_AES_128_GCM, 16, 16, GNUTLS_MAC_SHA256 },
        { "TLS_AES_256_GCM_SHA384", T_GCM, GNUTLS_CIPHER_AES_256_GCM, 32, 16, GNUTLS_MAC_SHA384 },
        { "TLS_CHACHA20_POLY1305_SHA256", T_CHACHA, GNUTLS_CIPHER_CHACHA20_POLY1305, 32, 16, GNUTLS_MAC_SHA256 },
        { "TLS_AES_128_CCM_SHA256", T_CCM, GNUTLS_CIPHER_AES_128_CCM, 16, 16, GNUTLS_MAC_SHA256 },
        { "TLS_AES_128_CCM_8_SHA256", T_CCM, GNUTLS_CIPHER_AES_128_CCM_8, 16, 8, GNUTLS_MAC_SHA256 },
    };
    for (size_t i = 0; i < sizeof tls13 / sizeof tls13[0]; i++) {
        if (strcmp(name, tls13[i].name) == 0) {
            p->kind = tls13[i].kind;
            p->tls13 = 1;
            p->cipher = tls13[i].cipher;
            p->key_len = tls13[i].key;
            p->tag_len = tls13[i].tag;
            p->prf = tls13[i].hash;
            p->min_v = p->max_v = 0x0304;
            return 1;
        }
    }
    const char *w = strstr(name, "_WITH_");
    if (!w)
        return 0;
    w += 6;
    if (strcmp(w, "CHACHA20_POLY1305_SHA256") == 0) {
        p->kind = T_CHACHA;
        p->cipher = GNUTLS_CIPHER_CHACHA20_POLY1305;
        p->key_len = 32;
        p->tag_len = 16;
        return 1;
    }
    /* the cipher word, then what follows it: the MAC, or GCM/CCM and the PRF */
    static const struct {
        const char *word;
        enum tkind kind;
        gnutls_cipher_algorithm_t cipher, gcm;
        size_t key, block, export_len;
    } ciphers[] = {
        { "AES_128_", T_CBC, GNUTLS_CIPHER_AES_128_CBC, GNUTLS_CIPHER_AES_128_GCM, 16, 16, 0 },
        { "AES_256_", T_CBC, GNUTLS_CIPHER_AES_256_CBC, GNUTLS_CIPHER_AES_256_GCM, 32, 16, 0 },
        { "CAMELLIA_128_", T_CBC, GNUTLS_CIPHER_CAMELLIA_128_CBC, GNUTLS_CIPHER_CAMELLIA_128_GCM, 16, 16, 0 },
        { "CAMELLIA_256_", T_CBC, GNUTLS_CIPHER_CAMELLIA_256_CBC, GNUTLS_CIPHER_CAMELLIA_256_GCM, 32, 16, 0 },
        { "3DES_EDE_", T_CBC, GNUTLS_CIPHER_3DES_CBC, GNUTLS_CIPHER_UNKNOWN, 24, 8, 0 },
        /* export: 5 bytes of key material expanded (RFC 2246 6.3.1, RFC 2712 for Kerberos) */
        { "DES40_", T_CBC, GNUTLS_CIPHER_DES_CBC, GNUTLS_CIPHER_UNKNOWN, 5, 8, 8 },
        { "DES_CBC_40_", T_CBC, GNUTLS_CIPHER_DES_CBC, GNUTLS_CIPHER_UNKNOWN, 5, 8, 8 },
        { "DES_", T_CBC, GNUTLS_CIPHER_DES_CBC, GNUTLS_CIPHER_UNKNOWN, 8, 8, 0 },
        { "RC4_128_", T_STREAM, GNUTLS_CIPHER_ARCFOUR_128, GNUTLS_CIPHER_UNKNOWN, 16, 0, 0 },
        { "RC4_40_", T_STREAM, GNUTLS_CIPHER_ARCFOUR_128, GNUTLS_CIPHER_UNKNOWN, 5, 0, 16 },
        { "NULL_", T_NULL, GNUTLS_CIPHER_NULL, GNUTLS_CIPHER_UNKNOWN, 0, 0, 0 },
    };
    size_t c = 0;
    while (c < sizeof ciphers / sizeof ciphers[0] && strncmp(w, ciphers[c].word, strlen(ciphers[c].word)) != 0)
        c++;
    if (c == sizeof ciphers / sizeof ciphers[0] || strcmp(name, "TLS_NULL_WITH_NULL_NULL") == 0)
        return 0;
    if ((ciphers[c].export_len != 0) != (strstr(name, "EXPORT") != NULL))
        return 0;
    w += strlen(ciphers[c].word);
    p->key_len = ciphers[c].key;
    p->block = ciphers[c].block;
    p->export_len = ciphers[c].export_len;
    if (ciphers[c].kind == T_CBC) {
        if (strstr(ciphers[c].word, "CBC")) /* Kerberos's DES_CBC_40 */
            ;
        else if (strncmp(w, "CBC_", 4) == 0)
            w += 4;
        else if (ciphers[c].export_len == 0 && strncmp(w, "GCM_", 4) == 0 && ciphers[c].gcm != GNUTLS_CIPHER_UNKNOWN &&
                 (strcmp(w, "GCM_SHA256") == 0 || strcmp(w, "GCM_SHA384") == 0)) {
            p->kind = T_GCM;
            p->cipher = ciphers[c].gcm;
            p->tag_len = 16;
            p->block = 0;
            if (strcmp(w, "GCM_SHA384") == 0)
                p->prf = GNUTLS_MAC_SHA384;
            return 1;
        } else if (strncmp(w, "CCM", 3) == 0 && strncmp(ciphers[c].word, "AES", 3) == 0) {
            int eight = strncmp(w, "CCM_8", 5) == 0;
            const char *rest = w + (eight ? 5 : 3);
            if (*rest && strcmp(rest, "_SHA256") != 0 && strcmp(rest, "_SHA384") != 0)
                return 0;
            if (strcmp(rest, "_SHA384") == 0)
                p->prf = GNUTLS_MAC_SHA384;
            p->kind = T_CCM;
            p->tag_len = eight ? 8 : 16;
            p->block = 0;
            int b128 = ciphers[c].key == 16;
            p->cipher = b128 ? (eight ? GNUTLS_CIPHER_AES_128_CCM_8 : GNUTLS_CIPHER_AES_128_CCM)
                             : (eight ? GNUTLS_CIPHER_AES_256_CCM_8 : GNUTLS_CIPHER_AES_256_CCM);
            return 1;
        } else {
            return 0;
        }
    }
    p->kind = ciphers[c].kind;
    p->cipher = ciphers[c].cipher;
    if (strcmp(w, "SHA") == 0 || strcmp(w, "MD5") == 0) {
        p->mac = strcmp(w, "SHA") == 0 ? GNUTLS_MAC_SHA1 : GNUTLS_MAC_MD5;
        p->min_v = 0x0300;
    } else if (strcmp(w, "SHA256") == 0 || strcmp(w, "SHA384") == 0) {
        p->mac = p->prf = strcmp(w, "SHA256") == 0 ? GNUTLS_MAC_SHA256 : GNUTLS_MAC_SHA384;
    } else {
        return 0;
    }
    return 1;
}

static const char *iana_name(uint16_t id)
{
    for (size_t i = 0; i < sizeof tls_cipher_table / sizeof tls_cipher_table[0]; i++)
        if (tls_cipher_table[i].id == id)
            return tls_cipher_table[i].name;
    return NULL;
}

/* Every number, every version: supported exactly when the name says so. */
static void test_suite_table(void)
{
    static uint8_t want[0x10000][5]; /* [id][version - 0x0300] */
    memset(want, 0, sizeof want);
    size_t named = 0;
    for (size_t i = 0; i < sizeof tls_cipher_table / sizeof tls_cipher_table[0]; i++) {
        struct sparams p;
        if (!params_from_name(tls_cipher_table[i].name, &p))
            continue;
        named++;
        for (unsigned v = p.min_v; v <= p.max_v; v++)
            want[tls_cipher_table[i].id][v - 0x0300] = 1;
    }
    CU_ASSERT(named >= 130);
    size_t bad = 0;
    for (unsigned id = 0; id < 0x10000; id++) {
        for (unsigned v = 0x0300; v <= 0x0304; v++) {
            int got = tlsd_suite_supported((uint16_t)v, (uint16_t)id);
            if (got != want[id][v - 0x0300] && bad++ < 10)
                CHECK(0, "suite 0x%04x (%s) at version 0x%04x: supported %d", id,
                      iana_name((uint16_t)id) ? iana_name((uint16_t)id) : "?", v, got);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* Some by hand. */
    CU_ASSERT(tlsd_suite_supported(0x0304, 0x1301));
    CU_ASSERT(!tlsd_suite_supported(0x0303, 0x1301));
    CU_ASSERT(tlsd_suite_supported(0x0303, 0xc02f));
    CU_ASSERT(!tlsd_suite_supported(0x0302, 0xc02f));
    CU_ASSERT(tlsd_suite_supported(0x0301, 0xc013));
    CU_ASSERT(tlsd_suite_supported(0x0300, 0x002f));  /* SSL 3.0 AES-CBC-SHA */
    CU_ASSERT(tlsd_suite_supported(0x0303, 0x000a));  /* 3DES */
    CU_ASSERT(tlsd_suite_supported(0x0300, 0x0005));  /* RC4 */
    CU_ASSERT(tlsd_suite_supported(0x0303, 0x0041));  /* Camellia */
    CU_ASSERT(tlsd_suite_supported(0x0303, 0xc08b));  /* Camellia GCM */
    CU_ASSERT(!tlsd_suite_supported(0x0302, 0xc08b)); /* GCM before TLS 1.2 */
    CU_ASSERT(tlsd_suite_supported(0x0301, 0x0003));  /* RC4-40 export */
    CU_ASSERT(tlsd_suite_supported(0x0300, 0x0014));  /* DES40 export */
    CU_ASSERT(tlsd_suite_supported(0x0301, 0x0002));  /* NULL-SHA */
    CU_ASSERT(!tlsd_suite_supported(0x0302, 0x003b)); /* NULL-SHA256: TLS 1.2 */
    CU_ASSERT(!tlsd_suite_supported(0x0303, 0x0006)); /* RC2-40: GnuTLS cannot */
    CU_ASSERT(!tlsd_suite_supported(0x0303, 0x0096)); /* SEED */
    CU_ASSERT(!tlsd_suite_supported(0x0303, 0x0007)); /* IDEA */
    CU_ASSERT(!tlsd_suite_supported(0x0303, 0xc03c)); /* ARIA */
    CU_ASSERT(!tlsd_suite_supported(0x0303, 0x0000)); /* NULL_WITH_NULL_NULL: never negotiated */
    /* sorted: tlsdecrypt's binary search finds the first and the last */
    CU_ASSERT(tlsd_suite_supported(0x0303, 0x0001));
    CU_ASSERT(tlsd_suite_supported(0x0303, 0xd005));
}

/* ------------------------------------------------------------------ the test's own sealer */

/* Seals records the way a TLS peer does, straight from the RFCs, with a
 * fresh GnuTLS handle per record and one-shot hashes and HMACs (tlsdecrypt
 * keeps handles and streams its MAC input: a different code path).  SSL
 * 3.0's key block and export keys are made here by hand from RFC 6101 and
 * RFC 2246 6.3.1, not with tlsdecrypt's code. */
struct sealer {
    struct sparams p;
    uint16_t version;
    int etm;
    size_t mac_len;
    uint8_t mac_key[48], key[32], iv[16];
    uint64_t seq;
    size_t stream_pos; /* RC4: key stream bytes used by earlier records */
};

struct seal_opts {
    int pad_len;        /* CBC: padding length (-1: the least) */
    int bad_pad_byte;   /* CBC: one padding byte wrong */
    int pad_len_byte;   /* CBC: >= 0: the padding length byte says this instead */
    size_t zeros;       /* TLS 1.3: zero padding */
};
static const struct seal_opts plain_opts = { -1, 0, -1, 0 };

static void hdr13(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t version, size_t len)
{
    for (int i = 0; i < 8; i++)
        h[i] = (uint8_t)(seq >> (56 - 8 * i));
    h[8] = type;
    h[9] = (uint8_t)(version >> 8);
    h[10] = (uint8_t)version;
    h[11] = (uint8_t)(len >> 8);
    h[12] = (uint8_t)len;
}

/* hash(a || b || c || d), pieces may be empty: one gnutls_hash_fast over a copy. */
static int hash4(gnutls_digest_algorithm_t alg, const void *a, size_t al, const void *b, size_t bl, const void *c,
                 size_t cl, const void *d, size_t dl, uint8_t *out)
{
    static uint8_t buf[8192];
    if (al + bl + cl + dl > sizeof buf)
        return -1;
    if (al) /* memcpy must not see a NULL pointer, even for 0 bytes */
        memcpy(buf, a, al);
    if (bl)
        memcpy(buf + al, b, bl);
    if (cl)
        memcpy(buf + al + bl, c, cl);
    if (dl)
        memcpy(buf + al + bl + cl, d, dl);
    return gnutls_hash_fast(alg, buf, al + bl + cl + dl, out);
}

/* RFC 6101 6.2.2: MD5(ms + SHA('A' + ms + sr + cr)) + MD5(ms + SHA('BB' + ...)) + ... */
static int ssl3_block(const uint8_t *ms, const uint8_t *cr, const uint8_t *sr, uint8_t *out, size_t len)
{
    for (size_t i = 0, done = 0; done < len; i++) {
        uint8_t salt[26], randoms[64], sha[20], md5[16];
        memset(salt, 'A' + (int)i, i + 1);
        memcpy(randoms, sr, 32);
        memcpy(randoms + 32, cr, 32);
        if (hash4(GNUTLS_DIG_SHA1, salt, i + 1, ms, 48, randoms, 64, NULL, 0, sha) < 0 ||
            hash4(GNUTLS_DIG_MD5, ms, 48, sha, 20, NULL, 0, NULL, 0, md5) < 0)
            return -1;
        size_t n = len - done < 16 ? len - done : 16;
        memcpy(out + done, md5, n);
        done += n;
    }
    return 0;
}

static int sealer_tls12(struct sealer *s, const struct sparams *p, uint16_t version, int etm,
                        const uint8_t *ms, const uint8_t *cr, const uint8_t *sr, int from_server)
{
    memset(s, 0, sizeof *s);
    s->p = *p;
    s->version = version;
    s->etm = p->kind == T_CBC && etm && version >= 0x0301; /* RFC 7366 3: block ciphers only; not SSL 3.0 */
    int macs = p->kind == T_CBC || p->kind == T_STREAM || p->kind == T_NULL;
    s->mac_len = macs ? gnutls_hmac_get_len(p->mac) : 0;
    size_t iv_len = p->kind == T_CBC ? (version <= 0x0301 && !p->export_len ? p->block : 0)
                    : p->kind == T_CHACHA ? 12 : p->kind == T_GCM || p->kind == T_CCM ? 4 : 0;
    uint8_t seed[64], block[256];
    memcpy(seed, sr, 32);
    memcpy(seed + 32, cr, 32);
    size_t total = 2 * (s->mac_len + p->key_len + iv_len);
    int prf = version == 0x0303 ? (int)p->prf : 0;
    if (version == 0x0300 ? ssl3_block(ms, cr, sr, block, total) < 0
                          : tls_prf(prf, ms, 48, "key expansion", seed, 64, block, total) < 0)
        return -1;
    size_t o = 0;
    memcpy(s->mac_key, block + o + (from_server ? s->mac_len : 0), s->mac_len);
    o += 2 * s->mac_len;
    memcpy(s->key, block + o + (from_server ? p->key_len : 0), p->key_len);
    o += 2 * p->key_len;
    memcpy(s->iv, block + o + (from_server ? iv_len : 0), iv_len);
    if (!p->export_len)
        return 0;
    /* export (RFC 6101 6.2.2.1, RFC 2246 6.3.1): the final key from the
     * material and the randoms, the IV from the randoms alone */
    uint8_t material[5], md5[16], crsr[64], ivs[32];
    memcpy(material, s->key, 5);
    memcpy(crsr, cr, 32);
    memcpy(crsr + 32, sr, 32);
    const uint8_t *first = from_server ? sr : cr, *second = from_server ? cr : sr;
    if (version == 0x0300) {
        if (hash4(GNUTLS_DIG_MD5, material, 5, first, 32, second, 32, NULL, 0, md5) < 0)
            return -1;
        memcpy(s->key, md5, p->export_len);
        if (hash4(GNUTLS_DIG_MD5, first, 32, second, 32, NULL, 0, NULL, 0, md5) < 0)
            return -1;
        memcpy(s->iv, md5, p->block);
        return 0;
    }
    if (tls_prf(prf, material, 5, from_server ? "server write key" : "client write key", crsr, 64, s->key,
                p->export_len) < 0 ||
        tls_prf(prf, NULL, 0, "IV block", crsr, 64, ivs, 2 * p->block) < 0)
        return -1;
    memcpy(s->iv, ivs + (from_server ? p->block : 0), p->block);
    return 0;
}

static int sealer_tls13(struct sealer *s, const struct sparams *p, const uint8_t *secret, size_t len)
{
    memset(s, 0, sizeof *s);
    s->p = *p;
    s->version = 0x0304;
    return hkdf_expand_label((int)p->prf, secret, len, "key", NULL, 0, s->key, p->key_len) < 0 ||
                   hkdf_expand_label((int)p->prf, secret, len, "iv", NULL, 0, s->iv, 12) < 0
               ? -1
               : 0;
}

static size_t seal_aead(struct sealer *s, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                        const uint8_t *pt, size_t n, uint8_t *ct)
{
    gnutls_aead_cipher_hd_t h;
    gnutls_datum_t k = { s->key, (unsigned)s->p.key_len };
    size_t ct_len = n + s->p.tag_len;
    if (gnutls_aead_cipher_init(&h, s->p.cipher, &k) < 0)
        return 0;
    int rc = gnutls_aead_cipher_encrypt(h, nonce, 12, aad, aad_len, s->p.tag_len, pt, n, ct, &ct_len);
    gnutls_aead_cipher_deinit(h);
    return rc < 0 ? 0 : ct_len;
}

/* The record MAC: TLS's HMAC over seq || type || version || length || data,
 * or SSL 3.0's hash(key || pad_2 || hash(key || pad_1 || seq || type || length || data)). */
static int seal_mac(struct sealer *s, uint64_t seq, uint8_t type, const uint8_t *data, size_t n, uint8_t *mac)
{
    uint8_t h[13];
    hdr13(h, seq, type, s->version, n);
    if (s->version != 0x0300) {
        static uint8_t in[8192 + 13];
        memcpy(in, h, 13);
        memcpy(in + 13, data, n);
        return gnutls_hmac_fast(s->p.mac, s->mac_key, s->mac_len, in, n + 13, mac);
    }
    gnutls_digest_algorithm_t alg = s->p.mac == GNUTLS_MAC_MD5 ? GNUTLS_DIG_MD5 : GNUTLS_DIG_SHA1;
    size_t pl = s->p.mac == GNUTLS_MAC_MD5 ? 48 : 40;
    uint8_t pad1[48], pad2[48], hs[11], inner[20];
    memset(pad1, 0x36, sizeof pad1);
    memset(pad2, 0x5c, sizeof pad2);
    memcpy(hs, h, 9); /* seq, type: no version in SSL 3.0's MAC */
    hs[9] = h[11];
    hs[10] = h[12];
    if (hash4(alg, s->mac_key, s->mac_len, pad1, pl, hs, 11, data, n, inner) < 0)
        return -1;
    return hash4(alg, s->mac_key, s->mac_len, pad2, pl, inner, s->mac_len, NULL, 0, mac);
}

/* The record body for (type, pt); 0 on failure.  TLS 1.3 records go out as
 * type 23, version 0x0303. */
static size_t seal(struct sealer *s, uint8_t type, const uint8_t *pt, size_t n, uint8_t *body,
                   const struct seal_opts *o)
{
    uint8_t nonce[12], aad[13], buf[4096];
    uint64_t seq = s->seq++;
    if (s->p.tls13) {
        memcpy(buf, pt, n);
        buf[n] = type;
        memset(buf + n + 1, 0, o->zeros);
        size_t inner = n + 1 + o->zeros;
        memcpy(nonce, s->iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
        size_t len = inner + s->p.tag_len;
        uint8_t h[5] = { 23, 3, 3, (uint8_t)(len >> 8), (uint8_t)len };
        return seal_aead(s, nonce, h, 5, buf, inner, body);
    }
    if (s->p.kind == T_GCM || s->p.kind == T_CCM) {
        /* RFC 5288 3: any nonce_explicit will do; not the sequence number
         * here, so a decryptor that ignores the wire bytes would fail. */
        uint8_t explicit[8];
        for (int i = 0; i < 8; i++)
            explicit[i] = (uint8_t)(0xa5 ^ (seq * 7 + (uint64_t)i * 13));
        memcpy(nonce, s->iv, 4);
        memcpy(nonce + 4, explicit, 8);
        hdr13(aad, seq, type, s->version, n);
        memcpy(body, explicit, 8);
        size_t c = seal_aead(s, nonce, aad, 13, pt, n, body + 8);
        return c ? c + 8 : 0;
    }
    if (s->p.kind == T_CHACHA) { /* RFC 7905 2 */
        memcpy(nonce, s->iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
        hdr13(aad, seq, type, s->version, n);
        return seal_aead(s, nonce, aad, 13, pt, n, body);
    }
    size_t m = 0;
    memcpy(buf, pt, n);
    m = n;
    if (!s->etm) {
        if (seal_mac(s, seq, type, pt, n, buf + m) < 0)
            return 0;
        m += s->mac_len;
    }
    if (s->p.kind == T_NULL) {
        memcpy(body, buf, m);
        return m;
    }
    if (s->p.kind == T_STREAM) {
        /* RC4: a fresh handle, run past the key stream earlier records used */
        static uint8_t skip[1 << 16];
        gnutls_cipher_hd_t h;
        gnutls_datum_t k = { s->key, (unsigned)(s->p.export_len ? s->p.export_len : s->p.key_len) };
        if (s->stream_pos > sizeof skip || gnutls_cipher_init(&h, s->p.cipher, &k, NULL) < 0)
            return 0;
        int rc = (s->stream_pos ? gnutls_cipher_encrypt2(h, skip, s->stream_pos, skip, s->stream_pos) : 0) < 0 ||
                 gnutls_cipher_encrypt2(h, buf, m, body, m) < 0;
        gnutls_cipher_deinit(h);
        s->stream_pos += m;
        return rc ? 0 : m;
    }
    /* CBC: padding to the block; SSL 3.0's padding bytes are anything
     * (RFC 6101 5.2.3.2), TLS's all equal the length */
    const size_t bs = s->p.block;
    size_t pad = o->pad_len >= 0 ? (size_t)o->pad_len : (bs - (m + 1) % bs) % bs;
    memset(buf + m, (int)pad, pad + 1);
    if (s->version == 0x0300)
        for (size_t i = 0; i < pad; i++)
            buf[m + i] = (uint8_t)(0xc3 ^ (i * 29));
    m += pad + 1;
    if (o->bad_pad_byte && pad > 0)
        buf[m - 2] ^= 0x01;
    if (o->pad_len_byte >= 0)
        buf[m - 1] = (uint8_t)o->pad_len_byte;
    size_t ivl = s->version >= 0x0302 ? bs : 0, at = 0;
    uint8_t iv[16];
    if (ivl) {
        for (size_t i = 0; i < bs; i++)
            iv[i] = (uint8_t)(seq * 31 + (uint64_t)i);
        memcpy(body, iv, bs);
        at = bs;
    } else {
        memcpy(iv, s->iv, bs);
    }
    gnutls_cipher_hd_t h;
    gnutls_datum_t k = { s->key, (unsigned)(s->p.export_len ? s->p.export_len : s->p.key_len) },
                   v = { iv, (unsigned)bs };
    if (gnutls_cipher_init(&h, s->p.cipher, &k, &v) < 0)
        return 0;
    int rc = gnutls_cipher_encrypt2(h, buf, m, body + at, m);
    gnutls_cipher_deinit(h);
    if (rc < 0)
        return 0;
    at += m;
    if (!ivl)
        memcpy(s->iv, body + at - bs, bs);
    if (s->etm) { /* RFC 7366 3: MAC(seq || type || version || length || IV || ciphertext) */
        if (seal_mac(s, seq, type, body, at, body + at) < 0)
            return 0;
        at += s->mac_len;
    }
    return at;
}

static const uint8_t test_ms[48] = {
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
    0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe, 0x0b, 0xad, 0xf0, 0x0d, 0x12, 0x34, 0x56, 0x78,
};
static uint8_t test_cr[32], test_sr[32], test_secret[48];

static void fill_randoms(void)
{
    for (int i = 0; i < 32; i++) {
        test_cr[i] = (uint8_t)(0x40 + i);
        test_sr[i] = (uint8_t)(0x90 ^ (i * 3));
    }
    for (int i = 0; i < 48; i++)
        test_secret[i] = (uint8_t)(i * 11 + 5);
}

/* A sealer and a decryptor for the same side of a suite. */
static struct tlsd *pair(const struct sparams *p, uint16_t suite, uint16_t version, int from_server,
                         int etm, struct sealer *s)
{
    char err[160] = "";
    struct tlsd *d;
    if (p->tls13) {
        size_t hl = gnutls_hmac_get_len(p->prf);
        if (sealer_tls13(s, p, test_secret, hl) < 0)
            return NULL;
        d = tlsd_new_tls13(suite, test_secret, hl, err, sizeof err);
    } else {
        if (sealer_tls12(s, p, version, etm, test_ms, test_cr, test_sr, from_server) < 0)
            return NULL;
        d = tlsd_new_tls12(version, suite, test_ms, test_cr, test_sr, from_server, etm, err, sizeof err);
    }
    CHECK(d != NULL, "suite 0x%04x version 0x%04x: %s", suite, version, err);
    return d;
}

static void fill_text(uint8_t *p, size_t n, unsigned salt)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + salt);
}

/* Seal `n` bytes of type `type`, decrypt, compare. */
static int round_trip(struct sealer *s, struct tlsd *d, uint8_t type, size_t n, const struct seal_opts *o)
{
    uint8_t pt[2048] = { 0 }, body[4096], out[4096], got_type = 0xff;
    size_t out_len = 12345;
    fill_text(pt, n, type);
    size_t len = seal(s, type, pt, n, body, o);
    if (!len)
        return -2;
    uint8_t rt = s->p.tls13 ? 23 : type;
    uint16_t rv = s->p.tls13 ? 0x0303 : s->version;
    if (tlsd_decrypt(d, rt, rv, body, len, out, &out_len, &got_type) != 0)
        return -1;
    return out_len == n && memcmp(out, pt, n) == 0 && got_type == type ? 0 : -3;
}

static void test_round_trip_all(void)
{
    static const size_t sizes[] = { 0, 1, 15, 16, 100, 1500 };
    static const uint8_t types[] = { 22, 23, 21, 23, 23, 23 };
    size_t suites = 0;
    for (size_t i = 0; i < sizeof tls_cipher_table / sizeof tls_cipher_table[0]; i++) {
        struct sparams p;
        uint16_t id = tls_cipher_table[i].id;
        if (!params_from_name(tls_cipher_table[i].name, &p))
            continue;
        suites++;
        for (unsigned v = p.min_v; v <= p.max_v; v++) {
            for (int side = 0; side < (p.tls13 ? 1 : 2); side++) {
                for (int etm = 0; etm < 2; etm++) {
                    struct sealer s;
                    struct tlsd *d = pair(&p, id, (uint16_t)v, side, etm, &s);
                    if (!d)
                        continue;
                    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
                        int rc = round_trip(&s, d, types[k], sizes[k], &plain_opts);
                        CHECK(rc == 0, "%s version 0x%04x side %d etm %d record %zu: %d",
                              tls_cipher_table[i].name, v, side, etm, k, rc);
                    }
                    tlsd_free(d);
                    if (p.tls13)
                        continue;
                    /* The other side's keys do not open this side's records. */
                    struct sealer mine, unused;
                    struct tlsd *other = pair(&p, id, (uint16_t)v, !side, etm, &unused);
                    if (other && sealer_tls12(&mine, &p, (uint16_t)v, etm, test_ms, test_cr, test_sr, side) == 0)
                        CHECK(round_trip(&mine, other, 23, 10, &plain_opts) == -1, "%s: side %d opened side %d",
                              tls_cipher_table[i].name, !side, side);
                    tlsd_free(other);
                    /* Both sides from one key block open what each side sealed. */
                    struct tlsd *both[2] = { NULL, NULL };
                    char err[160] = "";
                    int rc = tlsd_new_tls12_pair((uint16_t)v, id, test_ms, test_cr, test_sr, etm, &both[0], &both[1],
                                                 err, sizeof err);
                    CHECK(rc == 0 && both[0] && both[1], "%s version 0x%04x: pair: %s", tls_cipher_table[i].name, v,
                          err);
                    for (int b = 0; rc == 0 && b < 2; b++) {
                        struct sealer sb;
                        CHECK(sealer_tls12(&sb, &p, (uint16_t)v, etm, test_ms, test_cr, test_sr, b) == 0 &&
                                  round_trip(&sb, both[b], 23, 100, &plain_opts) == 0 &&
                                  round_trip(&sb, both[b], 23, 1500, &plain_opts) == 0,
                              "%s version 0x%04x etm %d: the pair's side %d", tls_cipher_table[i].name, v, etm, b);
                    }
                    tlsd_free(both[0]);
                    tlsd_free(both[1]);
                }
            }
        }
    }
    CU_ASSERT(suites >= 130);
}

/* One suite of each record kind. */
static const struct kind_case {
    uint16_t suite, version;
    int etm;
} kinds[] = {
    { 0xc02f, 0x0303, 0 }, /* AES-128-GCM */
    { 0xc030, 0x0303, 0 }, /* AES-256-GCM, SHA-384 PRF */
    { 0xc09e, 0x0303, 0 }, /* AES-128-CCM */
    { 0xc0a2, 0x0303, 0 }, /* AES-128-CCM-8 */
    { 0xcca8, 0x0303, 0 }, /* ChaCha20-Poly1305 */
    { 0xc013, 0x0303, 0 }, /* CBC SHA-1 MAC-then-encrypt */
    { 0xc013, 0x0303, 1 }, /* CBC SHA-1 encrypt-then-MAC */
    { 0xc028, 0x0303, 0 }, /* CBC SHA-384 */
    { 0xc027, 0x0303, 1 }, /* CBC SHA-256 EtM */
    { 0xc013, 0x0302, 0 }, /* TLS 1.1 */
    { 0xc013, 0x0301, 0 }, /* TLS 1.0, chained IV */
    { 0xc013, 0x0301, 1 },
    { 0x1301, 0x0304, 0 }, /* TLS 1.3 */
    { 0x1302, 0x0304, 0 },
    { 0x1303, 0x0304, 0 },
    { 0x1304, 0x0304, 0 },
    { 0x1305, 0x0304, 0 },
    { 0x000a, 0x0303, 0 }, /* 3DES: 8-byte blocks, explicit IV */
    { 0x000a, 0x0303, 1 },
    { 0xc012, 0x0301, 0 }, /* 3DES in TLS 1.0: an 8-byte chained IV */
    { 0x0015, 0x0302, 0 }, /* DES */
    { 0x0014, 0x0301, 0 }, /* DES40 export, TLS 1.0: PRF-made key and IV */
    { 0x0014, 0x0303, 0 }, /* ... in TLS 1.2, as OpenSSL 1.0 allowed */
    { 0x0041, 0x0303, 0 }, /* Camellia-128-CBC */
    { 0xc077, 0x0303, 1 }, /* Camellia-256-CBC-SHA384 EtM */
    { 0xc08a, 0x0303, 0 }, /* Camellia-128-GCM */
    { 0xc08b, 0x0303, 0 }, /* Camellia-256-GCM, SHA-384 PRF */
    { 0x0005, 0x0303, 0 }, /* RC4-128 SHA */
    { 0x0004, 0x0301, 0 }, /* RC4-128 MD5 */
    { 0x0003, 0x0301, 0 }, /* RC4-40 export */
    { 0x0002, 0x0303, 0 }, /* NULL-SHA */
    { 0x0001, 0x0301, 0 }, /* NULL-MD5 */
    { 0x003b, 0x0303, 0 }, /* NULL-SHA256 */
    { 0x000a, 0x0300, 0 }, /* SSL 3.0: its own key block and MAC */
    { 0x002f, 0x0300, 0 },
    { 0x0005, 0x0300, 0 },
    { 0x0003, 0x0300, 0 }, /* SSL 3.0 export: MD5-made keys */
    { 0x0008, 0x0300, 0 },
    { 0x0001, 0x0300, 0 },
};

static struct tlsd *kind_pair(const struct kind_case *k, struct sealer *s, struct sparams *p)
{
    if (!params_from_name(iana_name(k->suite), p))
        return NULL;
    return pair(p, k->suite, k->version, 0, k->etm, s);
}

/* A flipped bit anywhere in a record (or its header) fails it, leaves
 * nothing in out, and the next record still opens. */
static void test_flipped_bit(void)
{
    for (size_t c = 0; c < sizeof kinds / sizeof kinds[0]; c++) {
        const struct kind_case *k = &kinds[c];
        struct sparams p;
        struct sealer s0;
        struct tlsd *probe = kind_pair(k, &s0, &p);
        if (!probe)
            continue;
        tlsd_free(probe);
        uint8_t pt[100], body0[512], body1[512], out[512], type;
        fill_text(pt, sizeof pt, 1);
        size_t len0 = seal(&s0, 23, pt, sizeof pt, body0, &plain_opts);
        size_t len1 = seal(&s0, 23, pt, 50, body1, &plain_opts);
        uint8_t rt = 23;
        uint16_t rv = p.tls13 ? 0x0303 : k->version;
        /* Positions: first byte, middle, last byte; and the header. */
        size_t where[] = { 0, len0 / 2, len0 - 1, (size_t)-1, (size_t)-2 };
        for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
            /* SSL 3.0 and TLS 1.0 CBC MAC-then-encrypt: the last block is
             * the next IV, a flip there breaks the next record too, as it
             * would for the peer. */
            if (k->version <= 0x0301 && p.kind == T_CBC && !k->etm && where[w] == len0 - 1)
                continue;
            /* SSL 3.0's MAC does not cover the version (RFC 6101 5.2.3.1) */
            if (k->version == 0x0300 && where[w] == (size_t)-2)
                continue;
            struct sealer s;
            struct tlsd *d = pair(&p, k->suite, k->version, 0, k->etm, &s);
            if (!d)
                continue;
            uint8_t b[512];
            memcpy(b, body0, len0);
            uint8_t t = rt;
            uint16_t v = rv;
            if (where[w] == (size_t)-1)
                t ^= 0x01;
            else if (where[w] == (size_t)-2)
                v ^= 0x0001;
            else
                b[where[w]] ^= 0x10;
            size_t out_len = 99;
            memset(out, 0xee, sizeof out);
            int rc = tlsd_decrypt(d, t, v, b, len0, out, &out_len, &type);
            CHECK(rc == -1, "suite 0x%04x version 0x%04x etm %d: flip at %ld opened", k->suite,
                  k->version, k->etm, (long)where[w]);
            CHECK(out_len == 0 && all_zero(out, len0), "suite 0x%04x: output left after a failure",
                  k->suite);
            rc = tlsd_decrypt(d, rt, rv, body1, len1, out, &out_len, &type);
            CHECK(rc == 0 && out_len == 50 && memcmp(out, pt, 50) == 0,
                  "suite 0x%04x version 0x%04x etm %d: record after a flip at %ld did not open",
                  k->suite, k->version, k->etm, (long)where[w]);
            tlsd_free(d);
        }
    }
}

/* Records that cannot be whole: too short, not a multiple of the block. */
static void test_malformed_lengths(void)
{
    for (size_t c = 0; c < sizeof kinds / sizeof kinds[0]; c++) {
        const struct kind_case *k = &kinds[c];
        struct sparams p;
        struct sealer s;
        struct tlsd *d = kind_pair(k, &s, &p);
        if (!d)
            continue;
        uint8_t body[512] = { 0 }, out[512], type;
        size_t out_len;
        static const size_t lens[] = { 0, 1, 7, 8, 15, 16, 17, 23, 24, 31, 33, 47 };
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            int rc = tlsd_decrypt(d, 23, p.tls13 ? 0x0303 : k->version, body, lens[i], out, &out_len, &type);
            CHECK(rc == -1, "suite 0x%04x: a %zu-byte body of zeros opened", k->suite, lens[i]);
        }
        tlsd_free(d);
        /* A real record cut short by a block, or grown by a byte. */
        d = kind_pair(k, &s, &p);
        if (!d)
            continue;
        uint8_t pt[64];
        fill_text(pt, sizeof pt, 3);
        size_t len = seal(&s, 23, pt, sizeof pt, body, &plain_opts);
        CU_ASSERT_EQUAL(tlsd_decrypt(d, 23, p.tls13 ? 0x0303 : k->version, body, len - 16, out, &out_len, &type), -1);
        CU_ASSERT_EQUAL(tlsd_decrypt(d, 23, p.tls13 ? 0x0303 : k->version, body, len + 1, out, &out_len, &type), -1);
        tlsd_free(d);
    }
}

/* CBC padding (RFC 5246 6.2.3.2): every byte must equal the length; the
 * length must fit; long (up to 255) padding is legal. */
static void test_cbc_padding(void)
{
    static const struct kind_case cbc[] = {
        { 0xc013, 0x0303, 0 }, { 0xc013, 0x0303, 1 }, { 0xc013, 0x0302, 0 },
        { 0xc013, 0x0301, 0 }, { 0xc013, 0x0301, 1 }, { 0xc028, 0x0303, 0 },
        { 0x000a, 0x0303, 0 }, { 0x000a, 0x0301, 1 }, { 0x0014, 0x0301, 0 }, /* 8-byte blocks */
    };
    for (size_t c = 0; c < sizeof cbc / sizeof cbc[0]; c++) {
        const struct kind_case *k = &cbc[c];
        struct sparams p;
        struct sealer s;
        struct tlsd *d = kind_pair(k, &s, &p);
        if (!d)
            continue;
        size_t ml = gnutls_hmac_get_len(p.mac), bs = p.block;
        /* 10 bytes of content: the least padding for content + MAC (MtE) or
         * content (EtM), plus a block or more. */
        size_t base = (bs - ((10 + (k->etm ? 0 : ml)) + 1) % bs) % bs;
        struct seal_opts o = plain_opts;
        o.pad_len = (int)(base + bs * 3);
        CHECK(round_trip(&s, d, 23, 10, &o) == 0, "suite 0x%04x etm %d: long padding refused", k->suite, k->etm);
        o.pad_len = (int)(base + (255 - base) / bs * bs); /* at most 255 */
        CHECK(round_trip(&s, d, 23, 10, &o) == 0, "suite 0x%04x etm %d: padding near 255 refused", k->suite, k->etm);
        o = plain_opts;
        o.pad_len = (int)(base + bs);
        o.bad_pad_byte = 1;
        CHECK(round_trip(&s, d, 23, 10, &o) == -1, "suite 0x%04x etm %d: a wrong padding byte passed", k->suite, k->etm);
        o = plain_opts;
        o.pad_len = (int)base;
        o.pad_len_byte = 250; /* longer than the record */
        CHECK(round_trip(&s, d, 23, 10, &o) == -1, "suite 0x%04x etm %d: padding past the start passed", k->suite, k->etm);
        /* After the failures, in sequence, a good record opens. */
        CHECK(round_trip(&s, d, 23, 10, &plain_opts) == 0, "suite 0x%04x etm %d: good record after bad padding", k->suite, k->etm);
        tlsd_free(d);
    }
}

/* SSL 3.0 padding (RFC 6101 5.2.3.2): any bytes, shorter than a block. */
static void test_ssl3_padding(void)
{
    static const struct kind_case cbc[] = { { 0x002f, 0x0300, 0 }, { 0x000a, 0x0300, 0 }, { 0x0008, 0x0300, 0 } };
    for (size_t c = 0; c < sizeof cbc / sizeof cbc[0]; c++) {
        const struct kind_case *k = &cbc[c];
        struct sparams p;
        struct sealer s;
        struct tlsd *d = kind_pair(k, &s, &p);
        if (!d)
            continue;
        size_t ml = gnutls_hmac_get_len(p.mac), bs = p.block;
        size_t base = (bs - (10 + ml + 1) % bs) % bs;
        struct seal_opts o = plain_opts;
        o.pad_len = (int)base; /* the sealer fills SSL 3.0 padding with bytes that are not its length */
        CHECK(round_trip(&s, d, 23, 10, &o) == 0, "suite 0x%04x: SSL 3.0 padding bytes checked", k->suite);
        /* content whose least padding is at least 2 bytes, one of them wrong: fine in SSL 3.0 */
        size_t n = 10;
        while ((bs - (n + ml + 1) % bs) % bs < 2)
            n++;
        o.pad_len = (int)((bs - (n + ml + 1) % bs) % bs);
        o.bad_pad_byte = 1;
        CHECK(round_trip(&s, d, 23, n, &o) == 0, "suite 0x%04x: SSL 3.0 padding bytes checked", k->suite);
        o = plain_opts;
        o.pad_len = (int)(base + bs); /* a block or more: not SSL 3.0 */
        CHECK(round_trip(&s, d, 23, 10, &o) == -1, "suite 0x%04x: SSL 3.0 padding of a block passed", k->suite);
        CHECK(round_trip(&s, d, 23, 10, &plain_opts) == 0, "suite 0x%04x: good record after bad padding", k->suite);
        tlsd_free(d);
    }
}

/* Records must come in order: the sequence number is in every MAC and nonce. */
static void test_sequence(void)
{
    for (size_t c = 0; c < sizeof kinds / sizeof kinds[0]; c++) {
        const struct kind_case *k = &kinds[c];
        struct sparams p;
        struct sealer s;
        struct tlsd *d = kind_pair(k, &s, &p);
        if (!d)
            continue;
        tlsd_free(d);
        uint8_t pt[40], body[3][256], out[256], type;
        size_t len[3], n;
        fill_text(pt, sizeof pt, 9);
        for (int i = 0; i < 3; i++)
            len[i] = seal(&s, 23, pt, sizeof pt, body[i], &plain_opts);
        uint16_t rv = p.tls13 ? 0x0303 : k->version;
        struct sealer unused;
        /* In order: all open. */
        d = pair(&p, k->suite, k->version, 0, k->etm, &unused);
        for (int i = 0; d && i < 3; i++)
            CHECK(tlsd_decrypt(d, 23, rv, body[i], len[i], out, &n, &type) == 0,
                  "suite 0x%04x: record %d in order", k->suite, i);
        tlsd_free(d);
        /* The second first: it fails at sequence 0. */
        d = pair(&p, k->suite, k->version, 0, k->etm, &unused);
        if (d && (k->version > 0x0301 || p.kind != T_CBC)) /* SSL 3.0, TLS 1.0 CBC fail too, but by their IV */
            CHECK(tlsd_decrypt(d, 23, rv, body[1], len[1], out, &n, &type) == -1,
                  "suite 0x%04x: record 1 opened at sequence 0", k->suite);
        tlsd_free(d);
        /* One missing: the third does not open in its place. */
        d = pair(&p, k->suite, k->version, 0, k->etm, &unused);
        if (d) {
            CU_ASSERT_EQUAL(tlsd_decrypt(d, 23, rv, body[0], len[0], out, &n, &type), 0);
            CHECK(tlsd_decrypt(d, 23, rv, body[2], len[2], out, &n, &type) == -1,
                  "suite 0x%04x: record 2 opened at sequence 1", k->suite);
        }
        tlsd_free(d);
    }
}

/* TLS 1.0: one bad record (damage outside its last block) does not stop
 * the chain: the next IV is that record's last ciphertext block. */
static void test_tls10_chain(void)
{
    /* AES (16-byte blocks) and 3DES (8) in TLS 1.0; AES and DES40 in SSL 3.0 */
    static const struct kind_case chains[] = { { 0xc013, 0x0301, 0 }, { 0xc013, 0x0301, 1 }, { 0xc012, 0x0301, 0 },
                                               { 0xc012, 0x0301, 1 }, { 0x002f, 0x0300, 0 }, { 0x0008, 0x0300, 0 } };
    for (size_t c = 0; c < sizeof chains / sizeof chains[0]; c++) {
        struct kind_case k = chains[c];
        struct sparams p;
        struct sealer s;
        struct tlsd *d = kind_pair(&k, &s, &p);
        if (!d)
            continue;
        CU_ASSERT_EQUAL(round_trip(&s, d, 23, 70, &plain_opts), 0);
        uint8_t pt[70], body[256], out[256], type;
        size_t n;
        fill_text(pt, sizeof pt, 2);
        size_t len = seal(&s, 23, pt, sizeof pt, body, &plain_opts);
        body[3] ^= 0x80;
        CU_ASSERT_EQUAL(tlsd_decrypt(d, 23, k.version, body, len, out, &n, &type), -1);
        CHECK(round_trip(&s, d, 23, 70, &plain_opts) == 0, "suite 0x%04x at 0x%04x: chain broken", k.suite, k.version);
        CU_ASSERT_EQUAL(round_trip(&s, d, 22, 3, &plain_opts), 0);
        tlsd_free(d);
    }
}

/* TLS 1.3 (RFC 8446 5.2): the inner type is the last non-zero byte, the
 * zeros after it are padding, and a record of zeros only is malformed. */
static void test_tls13_inner(void)
{
    static const uint16_t s13[] = { 0x1301, 0x1302, 0x1303, 0x1304, 0x1305 };
    for (size_t c = 0; c < sizeof s13 / sizeof s13[0]; c++) {
        struct kind_case k = { s13[c], 0x0304, 0 };
        struct sparams p;
        struct sealer s;
        struct tlsd *d = kind_pair(&k, &s, &p);
        if (!d)
            continue;
        struct seal_opts o = plain_opts;
        static const size_t zeros[] = { 0, 1, 10, 300, 2000 };
        static const uint8_t types[] = { 22, 21, 23, 24, 23 };
        for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++) {
            o.zeros = zeros[i];
            CHECK(round_trip(&s, d, types[i], 33, &o) == 0, "suite 0x%04x: %zu zeros", k.suite, zeros[i]);
            CHECK(round_trip(&s, d, types[i], 0, &o) == 0, "suite 0x%04x: empty, %zu zeros", k.suite, zeros[i]);
        }
        /* The content may end in zeros: only those after the type go. */
        uint8_t pt[8] = { 'a', 'b', 0, 0, 0, 0, 0, 0 }, body[256], out[256], type = 0;
        size_t n = 0;
        o.zeros = 5;
        size_t len = seal(&s, 23, pt, sizeof pt, body, &o);
        CU_ASSERT_EQUAL(tlsd_decrypt(d, 23, 0x0303, body, len, out, &n, &type), 0);
        CU_ASSERT(n == 8 && type == 23 && memcmp(out, pt, 8) == 0);
        /* Zeros only: no content type.  Sealed by hand as the inner plaintext. */
        uint8_t zero[20] = { 0 }, nonce[12], hdr[5] = { 23, 3, 3, 0, 0 };
        uint64_t seq = s.seq++;
        memcpy(nonce, s.iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
        hdr[4] = (uint8_t)(sizeof zero + p.tag_len);
        len = seal_aead(&s, nonce, hdr, 5, zero, sizeof zero, body);
        CU_ASSERT_EQUAL(tlsd_decrypt(d, 23, 0x0303, body, len, out, &n, &type), -1);
        /* ... and the sequence went on past it. */
        CU_ASSERT_EQUAL(round_trip(&s, d, 23, 12, &plain_opts), 0);
        tlsd_free(d);
    }
}

static void test_constructor_errors(void)
{
    char err[128];
    uint8_t secret[48] = { 0 };
    struct {
        uint16_t version, suite;
    } bad12[] = {
        { 0x0303, 0x0096 }, /* SEED: GnuTLS has none */
        { 0x0303, 0x0006 }, /* RC2-CBC-40 */
        { 0x0302, 0xc02f }, /* GCM before TLS 1.2 */
        { 0x0301, 0xc027 }, /* SHA-256 MAC before TLS 1.2 */
        { 0x0300, 0x009c }, /* GCM in SSL 3.0 */
        { 0x0002, 0x0005 }, /* SSL 2.0 */
        { 0x0304, 0x1301 }, /* TLS 1.3 through the TLS 1.2 constructor */
        { 0x0303, 0x1301 },
    };
    for (size_t i = 0; i < sizeof bad12 / sizeof bad12[0]; i++) {
        err[0] = 0;
        struct tlsd *d = tlsd_new_tls12(bad12[i].version, bad12[i].suite, test_ms, test_cr, test_sr, 0, 0,
                                        err, sizeof err);
        CHECK(d == NULL && err[0] != 0, "0x%04x at 0x%04x accepted", bad12[i].suite, bad12[i].version);
        tlsd_free(d);
    }
    CU_ASSERT_PTR_NULL(tlsd_new_tls12(0x0303, 0xc02f, NULL, test_cr, test_sr, 0, 0, err, sizeof err));
    CU_ASSERT_PTR_NULL(tlsd_new_tls12(0x0303, 0x0007, test_ms, test_cr, test_sr, 0, 0, NULL, 0));
    struct tlsd *c = (struct tlsd *)1, *sv = (struct tlsd *)1; /* the failure must clear both */
    err[0] = 0;
    CU_ASSERT_EQUAL(tlsd_new_tls12_pair(0x0304, 0xc02f, test_ms, test_cr, test_sr, 0, &c, &sv, err, sizeof err), -1);
    CU_ASSERT(c == NULL && sv == NULL && err[0] != '\0');
    err[0] = 0;
    CU_ASSERT_PTR_NULL(tlsd_new_tls13(0xc02f, secret, 32, err, sizeof err));
    CU_ASSERT(err[0] != 0);
    err[0] = 0;
    CU_ASSERT_PTR_NULL(tlsd_new_tls13(0x1301, secret, 48, err, sizeof err)); /* SHA-256: 32 bytes */
    CU_ASSERT(strstr(err, "32") != NULL);
    CU_ASSERT_PTR_NULL(tlsd_new_tls13(0x1302, secret, 32, err, sizeof err)); /* SHA-384: 48 bytes */
    CU_ASSERT_PTR_NULL(tlsd_new_tls13(0x1301, NULL, 32, err, 1));
    /* A TLS 1.2 state has no KeyUpdate; NULL is harmless everywhere. */
    struct tlsd *d = tlsd_new_tls12(0x0303, 0xc02f, test_ms, test_cr, test_sr, 1, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(d);
    CU_ASSERT_EQUAL(tlsd_key_update(d), -1);
    uint8_t out[16], type;
    size_t n;
    CU_ASSERT_EQUAL(tlsd_decrypt(d, 23, 0x0303, NULL, 0, out, &n, &type), -1);
    tlsd_free(d);
    tlsd_free(NULL);
    CU_ASSERT_EQUAL(tlsd_decrypt(NULL, 23, 0x0303, out, 0, out, &n, &type), -1);
}

/* ------------------------------------------------------------------ real records */

static char path_buf[4096];

static const char *vector_path(const char *name)
{
    const char *top = getenv("SRCDIR");
    snprintf(path_buf, sizeof path_buf, "%s/tests/vectors/%s", top && *top ? top : ".", name);
    return path_buf;
}

/* Runs one tests/vectors file (format in its header); returns the records
 * checked, or -1 when the file cannot be read. */
static int run_vector_file(const char *name)
{
    FILE *f = fopen(vector_path(name), "r");
    CHECK(f != NULL, "cannot open %s", path_buf);
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int records = 0, have_result = 0, rc = -1;
    struct tlsd *d = NULL;
    static uint8_t body[20000], out[20000], want[20000];
    size_t out_len = 0;
    uint8_t type = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        char w[5][256];
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '#' || line[0] == 0)
            continue;
        if (strncmp(line, "keys12 ", 7) == 0) {
            unsigned version, suite, etm;
            char side[16];
            uint8_t ms[48], cr[32], sr[32];
            char err[128] = "";
            int ok = sscanf(line, "keys12 %x %x %u %15s %255s %255s %255s", &version, &suite, &etm, side,
                            w[0], w[1], w[2]) == 7 &&
                     unhex(w[0], ms, 48) == 48 && unhex(w[1], cr, 32) == 32 && unhex(w[2], sr, 32) == 32;
            tlsd_free(d);
            d = ok ? tlsd_new_tls12((uint16_t)version, (uint16_t)suite, ms, cr, sr,
                                    strcmp(side, "server") == 0, (int)etm, err, sizeof err)
                   : NULL;
            CHECK(d != NULL, "%s:%u: %s", name, lineno, ok ? err : "bad keys12 line");
        } else if (strncmp(line, "keys13 ", 7) == 0) {
            unsigned suite;
            uint8_t secret[48];
            char err[128] = "";
            size_t n = 0;
            int ok = sscanf(line, "keys13 %x %255s", &suite, w[0]) == 2 &&
                     ((n = unhex(w[0], secret, 48)) == 32 || n == 48);
            tlsd_free(d);
            d = ok ? tlsd_new_tls13((uint16_t)suite, secret, n, err, sizeof err) : NULL;
            CHECK(d != NULL, "%s:%u: %s", name, lineno, ok ? err : "bad keys13 line");
        } else if (strncmp(line, "record ", 7) == 0) {
            unsigned t, v;
            int off = 0;
            size_t n;
            if (sscanf(line, "record %x %x %n", &t, &v, &off) != 2 || !off ||
                (n = unhex(line + off, body, sizeof body)) == (size_t)-1) {
                CHECK(0, "%s:%u: bad record line", name, lineno);
                goto out;
            }
            have_result = d && tlsd_decrypt(d, (uint8_t)t, (uint16_t)v, body, n, out, &out_len, &type) == 0;
            CHECK(have_result, "%s:%u: the record did not decrypt", name, lineno);
        } else if (strncmp(line, "plain ", 6) == 0) {
            unsigned t;
            int off = 0;
            size_t n;
            if (sscanf(line, "plain %x %n", &t, &off) != 1 || !off ||
                (n = unhex(line + off, want, sizeof want)) == (size_t)-1) {
                CHECK(0, "%s:%u: bad plain line", name, lineno);
                goto out;
            }
            if (have_result) {
                CHECK(type == t && out_len == n && memcmp(out, want, n) == 0,
                      "%s:%u: the plaintext differs (type %u, %zu bytes; want type %u, %zu bytes)", name,
                      lineno, type, out_len, t, n);
                records++;
            }
            have_result = 0;
        } else {
            CHECK(0, "%s:%u: unknown line", name, lineno);
        }
    }
    rc = records;
out:
    tlsd_free(d);
    free(line);
    fclose(f);
    return rc;
}

static void test_real_records(void)
{
    static const struct {
        const char *file;
        int records;
    } files[] = {
        { "tls10-cbc-sha1.txt", 5 },     /* TLS 1.0, ECDHE-RSA-AES128-SHA, chained IV */
        { "tls11-cbc-sha1.txt", 5 },     /* TLS 1.1, explicit IV */
        { "tls12-cbc-sha1-mte.txt", 5 }, /* TLS 1.2 CBC, MAC-then-encrypt */
        { "tls12-cbc-sha1-etm.txt", 5 }, /* TLS 1.2 CBC, encrypt-then-MAC */
        { "tls12-cbc-sha384.txt", 5 },   /* AES-256-CBC-SHA384, SHA-384 PRF, EtM */
        { "tls12-anon-ecdh.txt", 5 },    /* ECDH_anon AES-256-CBC-SHA, EtM */
        { "tls12-aes128gcm.txt", 5 },
        { "tls12-aes256gcm.txt", 5 },    /* SHA-384 PRF */
        { "tls12-rsa-kx.txt", 6 },       /* RSA key exchange, AES-128-GCM */
        { "tls12-psk.txt", 5 },          /* PSK, AES-128-GCM */
        { "tls12-aes128ccm.txt", 5 },    /* DHE-RSA AES-128-CCM */
        { "tls12-chacha20.txt", 5 },     /* RFC 7905 nonce */
        { "tls13-aes128gcm.txt", 10 },
        { "tls13-aes256gcm.txt", 10 },   /* SHA-384 secrets */
        { "tls13-chacha20.txt", 10 },
        { "tls13-aes128ccm.txt", 10 },
        /* the legacy suites (tests/mkvectors.py: plaintexts as tshark decrypts them) */
        { "tls12-3des.txt", 5 },         /* 3DES, 8-byte blocks, explicit IV, EtM */
        { "tls10-3des.txt", 5 },         /* 3DES, 8-byte chained IV, MtE */
        { "tls12-camellia128-cbc.txt", 5 },
        { "tls12-camellia256-cbc-sha256.txt", 5 },
        { "tls12-camellia128-gcm.txt", 5 },
        { "tls12-camellia256-gcm.txt", 5 }, /* SHA-384 PRF */
        { "tls12-rc4-sha.txt", 5 },      /* the RC4 key stream across records */
        { "tls10-rc4-md5.txt", 5 },      /* HMAC-MD5 */
        { "tls12-null-sha.txt", 5 },     /* NULL: the MAC checked */
        { "tls12-null-sha256.txt", 5 },
        { "tls11-null-md5.txt", 5 },
        { "ssl3-3des.txt", 6 },          /* SSL 3.0 key block, MAC, padding */
        { "ssl3-rc4-md5.txt", 6 },
        { "ssl3-null-sha.txt", 6 },
        { "ssl3-export-rc4-40.txt", 6 }, /* SSL 3.0 export keys (MD5) */
        { "ssl3-export-des40.txt", 6 },  /* ... and IVs */
        { "tls10-export-rc4-40.txt", 6 }, /* TLS 1.0 export keys (PRF) */
        { "tls10-export-des40.txt", 6 }, /* ... and the "IV block" */
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        int n = run_vector_file(files[i].file);
        CHECK(n == files[i].records, "%s: %d records decrypted, want %d", files[i].file, n,
              files[i].records);
    }
}

/* ------------------------------------------------------------------ main */

static int init_suite(void)
{
    fill_randoms();
    return 0;
}

static int clean_suite(void)
{
    return 0;
}

int main(void)
{
    static const struct unit_case tests[] = {
        { "PRF: TLS 1.2 SHA-256 vector", test_prf_sha256 },
        { "PRF: TLS 1.2 SHA-384 vector", test_prf_sha384 },
        { "PRF: TLS 1.0 MD5/SHA-1", test_prf_tls10 },
        { "PRF: bad arguments", test_prf_errors },
        { "HKDF-Expand-Label: RFC 8448", test_hkdf_rfc8448 },
        { "HKDF-Expand-Label: bad arguments", test_hkdf_errors },
        { "RFC 8448: client records", test_rfc8448_client },
        { "RFC 8448: server flight", test_rfc8448_server_flight },
        { "KeyUpdate", test_key_update },
        { "suite table = IANA names", test_suite_table },
        { "round trips: every suite", test_round_trip_all },
        { "flipped bits", test_flipped_bit },
        { "malformed lengths", test_malformed_lengths },
        { "CBC padding", test_cbc_padding },
        { "SSL 3.0 padding", test_ssl3_padding },
        { "sequence numbers", test_sequence },
        { "TLS 1.0 IV chain", test_tls10_chain },
        { "TLS 1.3 inner type and padding", test_tls13_inner },
        { "constructor errors", test_constructor_errors },
        { "real records from captures", test_real_records },
    };
    return unit_run("tlsdecrypt", init_suite, clean_suite, tests, UNIT_COUNT(tests));
}
