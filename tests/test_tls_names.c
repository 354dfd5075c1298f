/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tls_names.c - owns the unit tests of tls_names.h (and of the
 * generated tls_cipher_table.h it reads).  The expected names are the IANA
 * TLS registries' and the RFCs' (RFC 8446 sections 4 and 6, RFC 5246 7.2
 * and 7.4, RFC 6066, RFC 8701 for GREASE), typed here independently of
 * tls_names.c, so a typo in either shows up.
 */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <string.h>

#include "tls_cipher_table.h"
#include "tls_names.h"
#include "unit.h"

/* Compare a lookup with the expected name (NULL = no name), naming the
 * value in the failure message. */
#define CHECK_NAME(got, want)                                                 \
    do {                                                                      \
        const char *g_ = (got), *w_ = (want);                                 \
        if (w_ == NULL) {                                                     \
            CU_ASSERT_PTR_NULL(g_);                                           \
        } else {                                                              \
            CU_ASSERT_PTR_NOT_NULL(g_);                                       \
            if (g_) {                                                         \
                CU_ASSERT_STRING_EQUAL(g_, w_);                               \
            }                                                                 \
        }                                                                     \
    } while (0)

/* ---------------------------------------------------------- cipher suites */

static void test_cipher_known(void)
{
    static const struct {
        uint16_t v;
        const char *name;
    } k[] = {
        {0x0000, "TLS_NULL_WITH_NULL_NULL"},
        {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
        {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
        {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
        {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
        {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
        {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
        {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
        {0x1301, "TLS_AES_128_GCM_SHA256"},
        {0x1302, "TLS_AES_256_GCM_SHA384"},
        {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
        {0x1304, "TLS_AES_128_CCM_SHA256"},
        {0x1305, "TLS_AES_128_CCM_8_SHA256"},
        {0x5600, "TLS_FALLBACK_SCSV"},
        {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
        {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
        {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
        {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
        {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
        {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
        {0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8"},
        {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
        {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
        {0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"},
        {0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256"},
        {0xc106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S"},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        CHECK_NAME(tls_cipher_name(k[i].v), k[i].name);
}

/* Values with no IANA suite: unassigned, reserved, private use, GREASE,
 * and the vendor/draft suites Wireshark names but the generator drops. */
static void test_cipher_unknown(void)
{
    static const uint16_t u[] = {
        0x001c, 0x001d,         /* SSLv3 Fortezza: IANA reserved */
        0x0047, 0x005c, 0x0060, /* reserved for deployed implementations (EXPORT1024) */
        0x0066, 0x0080, 0x0083, /* reserved / pre-RFC GOST */
        0x00c8, 0x00fe, 0x0100, 0x1300, 0x1308,
        0x0a0a, 0x1a1a, 0xfafa, /* GREASE */
        0xc000, 0xc0ff,         /* unassigned (draft EC-JPAKE) */
        0xcc13, 0xcc14, 0xcc15, /* pre-RFC 7905 ChaCha20 */
        0xd000, 0xd004, 0xe001, 0xe410,
        0xfefe, 0xfeff, 0xffe0, 0xffe1, 0xffff,
    };
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        CU_ASSERT_PTR_NULL(tls_cipher_name(u[i]));
        CU_ASSERT_EQUAL(tls_cipher_is_certless(u[i]), 0);
    }
}

/* The generated table: ascending unique ids, IANA-style names, and every
 * row found by the binary search; nothing outside it has a name. */
static void test_cipher_table(void)
{
    size_t n = TLS_CIPHER_TABLE_LEN;
    CU_ASSERT(n >= 300);
    for (size_t i = 0; i < n; i++) {
        const struct tls_cipher_entry *e = &tls_cipher_table[i];
        if (i > 0)
            CU_ASSERT(tls_cipher_table[i - 1].id < e->id);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e->name);
        CU_ASSERT(strncmp(e->name, "TLS_", 4) == 0);
        CU_ASSERT_EQUAL(e->certless == 0 || e->certless == 1, 1);
        CHECK_NAME(tls_cipher_name(e->id), e->name);
        CU_ASSERT_EQUAL(tls_cipher_is_certless(e->id), e->certless);
        CU_ASSERT_FALSE(tls_is_grease(e->id));
    }
    size_t named = 0;
    for (uint32_t v = 0; v <= 0xffff; v++)
        named += tls_cipher_name((uint16_t)v) != NULL;
    CU_ASSERT_EQUAL(named, n);
}

/* The flag the generator derived, re-derived here from each name: anon,
 * or a PSK key exchange without a certificate (not RSA_PSK). */
static void test_certless_flags_match_names(void)
{
    for (size_t i = 0; i < TLS_CIPHER_TABLE_LEN; i++) {
        const char *s = tls_cipher_table[i].name;
        int want = strstr(s, "_anon_") != NULL || strncmp(s, "TLS_PSK_", 8) == 0 ||
                   strncmp(s, "TLS_DHE_PSK_", 12) == 0 || strncmp(s, "TLS_ECDHE_PSK_", 14) == 0;
        CU_ASSERT_EQUAL(tls_cipher_table[i].certless, want);
    }
}

static void test_certless_spot(void)
{
    /* anonymous */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x0018), 1); /* TLS_DH_anon_WITH_RC4_128_MD5 */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x0034), 1); /* TLS_DH_anon_WITH_AES_128_CBC_SHA */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x00a6), 1); /* TLS_DH_anon_WITH_AES_128_GCM_SHA256 */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xc018), 1); /* TLS_ECDH_anon_WITH_AES_128_CBC_SHA */
    /* PSK without a certificate */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x008c), 1); /* TLS_PSK_WITH_AES_128_CBC_SHA */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x00a8), 1); /* TLS_PSK_WITH_AES_128_GCM_SHA256 */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x0090), 1); /* TLS_DHE_PSK_WITH_AES_128_CBC_SHA */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xc035), 1); /* TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xccab), 1); /* TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xccac), 1); /* TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xc0aa), 1); /* TLS_PSK_DHE_WITH_AES_128_CCM_8 */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xd001), 1); /* TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 */
    /* RSA_PSK sends a certificate */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x0094), 0); /* TLS_RSA_PSK_WITH_AES_128_CBC_SHA */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x00ac), 0); /* TLS_RSA_PSK_WITH_AES_128_GCM_SHA256 */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xccae), 0); /* TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256 */
    /* TLS 1.3 suites say nothing about authentication */
    for (uint16_t v = 0x1301; v <= 0x1305; v++)
        CU_ASSERT_EQUAL(tls_cipher_is_certless(v), 0);
    /* certificate suites, SCSVs, the null suite */
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xc02f), 0);
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xc02b), 0);
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x009c), 0);
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0xcca8), 0);
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x0000), 0);
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x00ff), 0);
    CU_ASSERT_EQUAL(tls_cipher_is_certless(0x5600), 0);
}

/* ----------------------------------------------------------------- alerts */

static void test_alerts(void)
{
    static const struct {
        uint8_t v;
        const char *name;
    } k[] = {
        {0, "close_notify"},
        {10, "unexpected_message"},
        {20, "bad_record_mac"},
        {21, "decryption_failed"},
        {22, "record_overflow"},
        {30, "decompression_failure"},
        {40, "handshake_failure"},
        {41, "no_certificate"},
        {42, "bad_certificate"},
        {43, "unsupported_certificate"},
        {44, "certificate_revoked"},
        {45, "certificate_expired"},
        {46, "certificate_unknown"},
        {47, "illegal_parameter"},
        {48, "unknown_ca"},
        {49, "access_denied"},
        {50, "decode_error"},
        {51, "decrypt_error"},
        {52, "too_many_cids_requested"},
        {60, "export_restriction"},
        {70, "protocol_version"},
        {71, "insufficient_security"},
        {80, "internal_error"},
        {86, "inappropriate_fallback"},
        {90, "user_canceled"},
        {100, "no_renegotiation"},
        {109, "missing_extension"},
        {110, "unsupported_extension"},
        {111, "certificate_unobtainable"},
        {112, "unrecognized_name"},
        {113, "bad_certificate_status_response"},
        {114, "bad_certificate_hash_value"},
        {115, "unknown_psk_identity"},
        {116, "certificate_required"},
        {120, "no_application_protocol"},
        {121, "ech_required"},
    };
    const size_t nk = sizeof k / sizeof k[0];
    for (unsigned v = 0; v <= 255; v++) {
        const char *want = NULL;
        for (size_t i = 0; i < nk; i++)
            if (k[i].v == v)
                want = k[i].name;
        CHECK_NAME(tls_alert_name((uint8_t)v), want);
    }
}

static void test_alert_levels(void)
{
    CHECK_NAME(tls_alert_level_name(1), "warning");
    CHECK_NAME(tls_alert_level_name(2), "fatal");
    CU_ASSERT_PTR_NULL(tls_alert_level_name(0));
    CU_ASSERT_PTR_NULL(tls_alert_level_name(3));
    CU_ASSERT_PTR_NULL(tls_alert_level_name(255));
}

/* ------------------------------------------------------------- handshakes */

static void test_handshake_types(void)
{
    static const struct {
        uint8_t v;
        const char *name;
    } k[] = {
        {0, "HelloRequest"},
        {1, "ClientHello"},
        {2, "ServerHello"},
        {3, "HelloVerifyRequest"},
        {4, "NewSessionTicket"},
        {5, "EndOfEarlyData"},
        {8, "EncryptedExtensions"},
        {9, "RequestConnectionId"},
        {10, "NewConnectionId"},
        {11, "Certificate"},
        {12, "ServerKeyExchange"},
        {13, "CertificateRequest"},
        {14, "ServerHelloDone"},
        {15, "CertificateVerify"},
        {16, "ClientKeyExchange"},
        {17, "ClientCertificateRequest"},
        {20, "Finished"},
        {21, "CertificateURL"},
        {22, "CertificateStatus"},
        {23, "SupplementalData"},
        {24, "KeyUpdate"},
        {25, "CompressedCertificate"},
        {26, "EKTKey"},
        {254, "MessageHash"},
    };
    const size_t nk = sizeof k / sizeof k[0];
    for (unsigned v = 0; v <= 255; v++) {
        const char *want = NULL;
        for (size_t i = 0; i < nk; i++)
            if (k[i].v == v)
                want = k[i].name;
        CHECK_NAME(tls_handshake_name((uint8_t)v), want);
    }
    /* HelloRetryRequest is a ServerHello on the wire: no name for 6. */
    CU_ASSERT_PTR_NULL(tls_handshake_name(6));
}

/* ---------------------------------------------- extensions, groups, sigs */

static void test_extensions(void)
{
    CHECK_NAME(tls_extension_name(0), "server_name");
    CHECK_NAME(tls_extension_name(1), "max_fragment_length");
    CHECK_NAME(tls_extension_name(5), "status_request");
    CHECK_NAME(tls_extension_name(10), "supported_groups");
    CHECK_NAME(tls_extension_name(11), "ec_point_formats");
    CHECK_NAME(tls_extension_name(13), "signature_algorithms");
    CHECK_NAME(tls_extension_name(14), "use_srtp");
    CHECK_NAME(tls_extension_name(15), "heartbeat");
    CHECK_NAME(tls_extension_name(16), "application_layer_protocol_negotiation");
    CHECK_NAME(tls_extension_name(18), "signed_certificate_timestamp");
    CHECK_NAME(tls_extension_name(21), "padding");
    CHECK_NAME(tls_extension_name(22), "encrypt_then_mac");
    CHECK_NAME(tls_extension_name(23), "extended_master_secret");
    CHECK_NAME(tls_extension_name(27), "compress_certificate");
    CHECK_NAME(tls_extension_name(28), "record_size_limit");
    CHECK_NAME(tls_extension_name(34), "delegated_credential");
    CHECK_NAME(tls_extension_name(35), "session_ticket");
    CHECK_NAME(tls_extension_name(41), "pre_shared_key");
    CHECK_NAME(tls_extension_name(42), "early_data");
    CHECK_NAME(tls_extension_name(43), "supported_versions");
    CHECK_NAME(tls_extension_name(44), "cookie");
    CHECK_NAME(tls_extension_name(45), "psk_key_exchange_modes");
    CHECK_NAME(tls_extension_name(47), "certificate_authorities");
    CHECK_NAME(tls_extension_name(48), "oid_filters");
    CHECK_NAME(tls_extension_name(49), "post_handshake_auth");
    CHECK_NAME(tls_extension_name(50), "signature_algorithms_cert");
    CHECK_NAME(tls_extension_name(51), "key_share");
    CHECK_NAME(tls_extension_name(57), "quic_transport_parameters");
    CHECK_NAME(tls_extension_name(0x4469), "application_settings");
    CHECK_NAME(tls_extension_name(0xfe0d), "encrypted_client_hello");
    CHECK_NAME(tls_extension_name(0xff01), "renegotiation_info");
    /* reserved (TLS 1.3 drafts' key_share / ticket_early_data_info), GREASE, unassigned */
    CU_ASSERT_PTR_NULL(tls_extension_name(40));
    CU_ASSERT_PTR_NULL(tls_extension_name(46));
    CU_ASSERT_PTR_NULL(tls_extension_name(0x0a0a));
    CU_ASSERT_PTR_NULL(tls_extension_name(0xfafa));
    CU_ASSERT_PTR_NULL(tls_extension_name(0x1234));
    CU_ASSERT_PTR_NULL(tls_extension_name(0xffff));
}

static void test_groups(void)
{
    CU_ASSERT_TRUE(tls_names_sorted()); /* else a binary search misses names */
    CHECK_NAME(tls_group_name(23), "secp256r1");
    CHECK_NAME(tls_group_name(24), "secp384r1");
    CHECK_NAME(tls_group_name(25), "secp521r1");
    CHECK_NAME(tls_group_name(29), "x25519");
    CHECK_NAME(tls_group_name(30), "x448");
    CHECK_NAME(tls_group_name(26), "brainpoolP256r1");
    CHECK_NAME(tls_group_name(31), "brainpoolP256r1tls13");
    CHECK_NAME(tls_group_name(256), "ffdhe2048");
    CHECK_NAME(tls_group_name(257), "ffdhe3072");
    CHECK_NAME(tls_group_name(258), "ffdhe4096");
    CHECK_NAME(tls_group_name(259), "ffdhe6144");
    CHECK_NAME(tls_group_name(260), "ffdhe8192");
    CHECK_NAME(tls_group_name(0x11eb), "SecP256r1MLKEM768");
    CHECK_NAME(tls_group_name(0x11ec), "X25519MLKEM768");
    CHECK_NAME(tls_group_name(0x6399), "X25519Kyber768Draft00");
    CHECK_NAME(tls_group_name(0x0201), "MLKEM768");
    CU_ASSERT_PTR_NULL(tls_group_name(0));
    CU_ASSERT_PTR_NULL(tls_group_name(42));
    CU_ASSERT_PTR_NULL(tls_group_name(0x0a0a));
    CU_ASSERT_PTR_NULL(tls_group_name(0xffff));
}

static void test_sigschemes(void)
{
    CHECK_NAME(tls_sigscheme_name(0x0401), "rsa_pkcs1_sha256");
    CHECK_NAME(tls_sigscheme_name(0x0501), "rsa_pkcs1_sha384");
    CHECK_NAME(tls_sigscheme_name(0x0601), "rsa_pkcs1_sha512");
    CHECK_NAME(tls_sigscheme_name(0x0403), "ecdsa_secp256r1_sha256");
    CHECK_NAME(tls_sigscheme_name(0x0503), "ecdsa_secp384r1_sha384");
    CHECK_NAME(tls_sigscheme_name(0x0603), "ecdsa_secp521r1_sha512");
    CHECK_NAME(tls_sigscheme_name(0x0804), "rsa_pss_rsae_sha256");
    CHECK_NAME(tls_sigscheme_name(0x0805), "rsa_pss_rsae_sha384");
    CHECK_NAME(tls_sigscheme_name(0x0806), "rsa_pss_rsae_sha512");
    CHECK_NAME(tls_sigscheme_name(0x0807), "ed25519");
    CHECK_NAME(tls_sigscheme_name(0x0808), "ed448");
    CHECK_NAME(tls_sigscheme_name(0x0809), "rsa_pss_pss_sha256");
    CHECK_NAME(tls_sigscheme_name(0x080a), "rsa_pss_pss_sha384");
    CHECK_NAME(tls_sigscheme_name(0x080b), "rsa_pss_pss_sha512");
    CHECK_NAME(tls_sigscheme_name(0x0201), "rsa_pkcs1_sha1");
    CHECK_NAME(tls_sigscheme_name(0x0203), "ecdsa_sha1");
    CHECK_NAME(tls_sigscheme_name(0x0301), "rsa_pkcs1_sha224");
    CHECK_NAME(tls_sigscheme_name(0x0303), "ecdsa_sha224");
    CHECK_NAME(tls_sigscheme_name(0x0402), "dsa_sha256");
    CHECK_NAME(tls_sigscheme_name(0x0904), "mldsa44");
    CHECK_NAME(tls_sigscheme_name(0x081a), "ecdsa_brainpoolP256r1tls13_sha256");
    CU_ASSERT_PTR_NULL(tls_sigscheme_name(0x0000));
    CU_ASSERT_PTR_NULL(tls_sigscheme_name(0x080c)); /* unassigned */
    CU_ASSERT_PTR_NULL(tls_sigscheme_name(0x0101)); /* (md5, rsa): not named */
    CU_ASSERT_PTR_NULL(tls_sigscheme_name(0x0a0a));
    CU_ASSERT_PTR_NULL(tls_sigscheme_name(0xffff));
}

/* --------------------------------------------------------------- versions */

static void test_versions(void)
{
    char buf[32];
    CHECK_NAME(tls_version_name(0x0002, buf, sizeof buf), "SSL 2.0");
    CHECK_NAME(tls_version_name(0x0300, buf, sizeof buf), "SSL 3.0");
    CHECK_NAME(tls_version_name(0x0301, buf, sizeof buf), "TLS 1.0");
    CHECK_NAME(tls_version_name(0x0302, buf, sizeof buf), "TLS 1.1");
    CHECK_NAME(tls_version_name(0x0303, buf, sizeof buf), "TLS 1.2");
    CHECK_NAME(tls_version_name(0x0304, buf, sizeof buf), "TLS 1.3");
    /* the fixed names need no buffer */
    CHECK_NAME(tls_version_name(0x0303, NULL, 0), "TLS 1.2");

    const char *d = tls_version_name(0x7f12, buf, sizeof buf);
    CU_ASSERT_PTR_EQUAL(d, buf);
    CHECK_NAME(d, "TLS 1.3 (draft 18)");
    CHECK_NAME(tls_version_name(0x7f17, buf, sizeof buf), "TLS 1.3 (draft 23)");
    CHECK_NAME(tls_version_name(0x7f1c, buf, sizeof buf), "TLS 1.3 (draft 28)");
    CHECK_NAME(tls_version_name(0x7fff, buf, sizeof buf), "TLS 1.3 (draft 255)");
    /* Facebook's Fizz numbered its drafts 0xfb00 + N (Wireshark's names) */
    CHECK_NAME(tls_version_name(0xfb17, buf, sizeof buf), "TLS 1.3 (Facebook draft 23)");
    CHECK_NAME(tls_version_name(0xfb1a, buf, sizeof buf), "TLS 1.3 (Facebook draft 26)");
    /* exactly big enough, one short, none */
    char exact[sizeof "TLS 1.3 (draft 18)"];
    CHECK_NAME(tls_version_name(0x7f12, exact, sizeof exact), "TLS 1.3 (draft 18)");
    CU_ASSERT_PTR_NULL(tls_version_name(0x7f12, exact, sizeof exact - 1));
    CU_ASSERT_PTR_NULL(tls_version_name(0x7f12, NULL, 0));
    CU_ASSERT_PTR_NULL(tls_version_name(0x7f12, buf, 0));

    static const uint16_t u[] = {0x0000, 0x0001, 0x0200, 0x0305, 0x0400, 0x7e12,
                                 0x8012, 0xfeff, 0xfefd, 0xfefc, 0x0a0a, 0xffff};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        CU_ASSERT_PTR_NULL(tls_version_name(u[i], buf, sizeof buf));
}

/* ----------------------------------------------------------------- GREASE */

static void test_grease(void)
{
    static const uint16_t g[16] = {0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a,
                                   0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa};
    for (size_t i = 0; i < 16; i++) {
        CU_ASSERT_TRUE(tls_is_grease(g[i]));
        /* neighbours of each: +-1, the other nibble, mismatched bytes */
        CU_ASSERT_FALSE(tls_is_grease((uint16_t)(g[i] + 1)));
        CU_ASSERT_FALSE(tls_is_grease((uint16_t)(g[i] - 1)));
        CU_ASSERT_FALSE(tls_is_grease((uint16_t)(g[i] ^ 0x0001)));
        CU_ASSERT_FALSE(tls_is_grease((uint16_t)(g[i] ^ 0x0100)));
        CU_ASSERT_FALSE(tls_is_grease((uint16_t)((g[i] & 0xff00) | 0x0b)));
        CU_ASSERT_FALSE(tls_is_grease((uint16_t)((g[i] & 0xff00) | g[(i + 1) % 16] >> 8)));
    }
    CU_ASSERT_FALSE(tls_is_grease(0x0000));
    CU_ASSERT_FALSE(tls_is_grease(0x0a0b));
    CU_ASSERT_FALSE(tls_is_grease(0x0b0a));
    CU_ASSERT_FALSE(tls_is_grease(0x0a1a));
    CU_ASSERT_FALSE(tls_is_grease(0x1a0a));
    CU_ASSERT_FALSE(tls_is_grease(0xa0a0));
    CU_ASSERT_FALSE(tls_is_grease(0xfbfb));
    CU_ASSERT_FALSE(tls_is_grease(0xffff));
    /* exactly sixteen in the whole space */
    unsigned n = 0;
    for (uint32_t v = 0; v <= 0xffff; v++)
        n += tls_is_grease((uint16_t)v) ? 1u : 0u;
    CU_ASSERT_EQUAL(n, 16);
}

int main(void)
{
    static const struct unit_case tests[] = {
        {"cipher names, known", test_cipher_known},
        {"cipher names, unknown", test_cipher_unknown},
        {"cipher table sorted, unique, complete", test_cipher_table},
        {"certless flags follow the names", test_certless_flags_match_names},
        {"certless spot checks", test_certless_spot},
        {"alert descriptions", test_alerts},
        {"alert levels", test_alert_levels},
        {"handshake types", test_handshake_types},
        {"extensions", test_extensions},
        {"supported groups", test_groups},
        {"signature schemes", test_sigschemes},
        {"versions", test_versions},
        {"GREASE", test_grease},
    };
    return unit_run("tls_names", NULL, NULL, tests, UNIT_COUNT(tests));
}
