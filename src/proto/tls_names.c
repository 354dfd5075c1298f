/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls_names.c - owns the number-to-name lookups of tls_names.h: cipher
 * suites, alerts, handshake types, extensions, supported groups, signature
 * schemes, protocol versions, and RFC 8701 GREASE.
 *
 * Where the names come from:
 *  - cipher suites: the IANA TLS Cipher Suites registry names, generated
 *    into tls_cipher_table.h by tls_names_gen.py from Wireshark's
 *    `tshark -G values` (cross-checked against OpenSSL's standard names);
 *    see that script's header.  Do not edit the table by hand.
 *  - everything else: written here by hand from the RFC presentation
 *    language cited above each table, spelled as the IANA TLS registries
 *    spell them, checked against Wireshark 4.0's value strings.
 *
 * Only const tables, no state: every function is a pure lookup returning a
 * string literal (or, for TLS 1.3 drafts, the caller's buffer), NULL when
 * the value has no name, and the caller prints the number.
 */
#include "tls_names.h"

#include <stddef.h>
#include <stdio.h>

#include "tls_cipher_table.h"

/* A (value, name) row of the hand-written 16-bit tables below.  They are
 * short and scanned linearly, so their order is for the reader only (kept
 * ascending anyway); the 350-row cipher table is binary-searched. */
struct tls_name16 {
    uint16_t v;
    const char *name;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Binary search: every table below is in increasing order (tls_names_sorted
 * checks it for the tests); the hot one is a ClientHello's groups, per connection. */
static const char *find16(const struct tls_name16 *t, size_t n, uint16_t v)
{
    size_t lo = 0, hi = n; /* search [lo, hi) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].v == v)
            return t[mid].name;
        if (t[mid].v < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int increasing16(const struct tls_name16 *t, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (t[i - 1].v >= t[i].v)
            return 0;
    return 1;
}

/* ------------------------------------------------------------ cipher suites */

static const struct tls_cipher_entry *cipher_find(uint16_t suite)
{
    size_t lo = 0, hi = TLS_CIPHER_TABLE_LEN; /* search [lo, hi) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint16_t id = tls_cipher_table[mid].id;
        if (id == suite)
            return &tls_cipher_table[mid];
        if (id < suite)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *tls_cipher_name(uint16_t suite)
{
    const struct tls_cipher_entry *e = cipher_find(suite);
    return e ? e->name : NULL;
}

int tls_cipher_is_certless(uint16_t suite)
{
    const struct tls_cipher_entry *e = cipher_find(suite);
    return e ? e->certless : 0;
}

/* ------------------------------------------------------------------- alerts */

/* AlertDescription: RFC 8446 section 6 (TLS 1.3), plus the values RFC 5246
 * section 7.2 and earlier protocols define that TLS 1.3 only reserves, and
 * later additions.  IANA now lists the values TLS 1.3 retired with a
 * "_RESERVED" suffix; an analyzer sees them from peers of the protocol that
 * defined them, so they carry that protocol's name here. */
static const char *const alert_names[256] = {
    [0] = "close_notify",                      /* RFC 8446 6.1 */
    [10] = "unexpected_message",               /* RFC 8446 6.2 */
    [20] = "bad_record_mac",
    [21] = "decryption_failed",                /* RFC 2246 7.2.2, RFC 5246 7.2 (_RESERVED) */
    [22] = "record_overflow",
    [30] = "decompression_failure",            /* RFC 5246 7.2.2 */
    [40] = "handshake_failure",
    [41] = "no_certificate",                   /* RFC 6101 5.4.2 (SSL 3.0); RFC 5246 _RESERVED */
    [42] = "bad_certificate",
    [43] = "unsupported_certificate",
    [44] = "certificate_revoked",
    [45] = "certificate_expired",
    [46] = "certificate_unknown",
    [47] = "illegal_parameter",
    [48] = "unknown_ca",
    [49] = "access_denied",
    [50] = "decode_error",
    [51] = "decrypt_error",
    [52] = "too_many_cids_requested",          /* RFC 9147 9 (DTLS 1.3) */
    [60] = "export_restriction",               /* RFC 2246 7.2.2; RFC 5246 _RESERVED */
    [70] = "protocol_version",
    [71] = "insufficient_security",
    [80] = "internal_error",
    [86] = "inappropriate_fallback",           /* RFC 7507 2 */
    [90] = "user_canceled",
    [100] = "no_renegotiation",                /* RFC 5246 7.2.2 */
    [109] = "missing_extension",               /* RFC 8446 6.2 */
    [110] = "unsupported_extension",
    [111] = "certificate_unobtainable",        /* RFC 6066 9; RFC 8446 reserved */
    [112] = "unrecognized_name",               /* RFC 6066 3 */
    [113] = "bad_certificate_status_response", /* RFC 6066 8 */
    [114] = "bad_certificate_hash_value",      /* RFC 6066 9; RFC 8446 reserved */
    [115] = "unknown_psk_identity",            /* RFC 4279 2 */
    [116] = "certificate_required",            /* RFC 8446 6.2 */
    [120] = "no_application_protocol",         /* RFC 7301 3.2 */
    [121] = "ech_required",                    /* draft-ietf-tls-esni (ECH) */
};

const char *tls_alert_name(uint8_t description)
{
    return alert_names[description];
}

/* AlertLevel: RFC 8446 section 6, RFC 5246 section 7.2. */
const char *tls_alert_level_name(uint8_t level)
{
    switch (level) {
    case 1:
        return "warning";
    case 2:
        return "fatal";
    default:
        return NULL;
    }
}

/* ---------------------------------------------------------- handshake types */

/* HandshakeType: RFC 8446 section 4 and RFC 5246 section 7.4, with the
 * types other RFCs add, each named by the struct its RFC defines for the
 * message (CamelCase).  6 is TLS 1.3 draft hello_retry_request, reserved
 * in RFC 8446: a HelloRetryRequest is a ServerHello, named by the parser. */
static const char *const handshake_names[256] = {
    [0] = "HelloRequest",              /* RFC 5246 7.4.1.1 */
    [1] = "ClientHello",               /* RFC 8446 4.1.2 */
    [2] = "ServerHello",               /* RFC 8446 4.1.3 */
    [3] = "HelloVerifyRequest",        /* RFC 6347 4.2.1 (DTLS) */
    [4] = "NewSessionTicket",          /* RFC 8446 4.6.1, RFC 5077 3.3 */
    [5] = "EndOfEarlyData",            /* RFC 8446 4.5 */
    [8] = "EncryptedExtensions",       /* RFC 8446 4.3.1 */
    [9] = "RequestConnectionId",       /* RFC 9147 9 (DTLS 1.3) */
    [10] = "NewConnectionId",          /* RFC 9147 9 (DTLS 1.3) */
    [11] = "Certificate",              /* RFC 8446 4.4.2 */
    [12] = "ServerKeyExchange",        /* RFC 5246 7.4.3 */
    [13] = "CertificateRequest",       /* RFC 8446 4.3.2 */
    [14] = "ServerHelloDone",          /* RFC 5246 7.4.5 */
    [15] = "CertificateVerify",        /* RFC 8446 4.4.3 */
    [16] = "ClientKeyExchange",        /* RFC 5246 7.4.7 */
    [17] = "ClientCertificateRequest", /* RFC 9261 (exported authenticators) */
    [20] = "Finished",                 /* RFC 8446 4.4.4 */
    [21] = "CertificateURL",           /* RFC 6066 5 */
    [22] = "CertificateStatus",        /* RFC 6066 8 */
    [23] = "SupplementalData",         /* RFC 4680 2 */
    [24] = "KeyUpdate",                /* RFC 8446 4.6.3 */
    [25] = "CompressedCertificate",    /* RFC 8879 4 */
    [26] = "EKTKey",                   /* RFC 8870 */
    [254] = "MessageHash",             /* RFC 8446 4.4.1 (transcript only) */
};

const char *tls_handshake_name(uint8_t type)
{
    return handshake_names[type];
}

/* --------------------------------------------------------------- extensions */

/* ExtensionType: RFC 8446 section 4.2 for TLS 1.3's, the IANA TLS
 * ExtensionType Values registry for the rest (the defining RFC on each
 * row), and the few unregistered code points browsers send. */
static const struct tls_name16 extension_names[] = {
    {0, "server_name"},                              /* RFC 6066 3 */
    {1, "max_fragment_length"},                      /* RFC 6066 4 */
    {2, "client_certificate_url"},                   /* RFC 6066 5 */
    {3, "trusted_ca_keys"},                          /* RFC 6066 6 */
    {4, "truncated_hmac"},                           /* RFC 6066 7 */
    {5, "status_request"},                           /* RFC 6066 8 */
    {6, "user_mapping"},                             /* RFC 4681 */
    {7, "client_authz"},                             /* RFC 5878 */
    {8, "server_authz"},                             /* RFC 5878 */
    {9, "cert_type"},                                /* RFC 6091 */
    {10, "supported_groups"},                        /* RFC 8446 4.2.7, RFC 8422 5.1.1 */
    {11, "ec_point_formats"},                        /* RFC 8422 5.1.2 */
    {12, "srp"},                                     /* RFC 5054 */
    {13, "signature_algorithms"},                    /* RFC 8446 4.2.3 */
    {14, "use_srtp"},                                /* RFC 5764 4.1.1 */
    {15, "heartbeat"},                               /* RFC 6520 2 */
    {16, "application_layer_protocol_negotiation"},  /* RFC 7301 3.1 */
    {17, "status_request_v2"},                       /* RFC 6961 */
    {18, "signed_certificate_timestamp"},            /* RFC 6962 3.3.1 */
    {19, "client_certificate_type"},                 /* RFC 7250 3 */
    {20, "server_certificate_type"},                 /* RFC 7250 3 */
    {21, "padding"},                                 /* RFC 7685 3 */
    {22, "encrypt_then_mac"},                        /* RFC 7366 2 */
    {23, "extended_master_secret"},                  /* RFC 7627 5.1 */
    {24, "token_binding"},                           /* RFC 8472 */
    {25, "cached_info"},                             /* RFC 7924 */
    {26, "tls_lts"},                                 /* draft-gutmann-tls-lts */
    {27, "compress_certificate"},                    /* RFC 8879 3 */
    {28, "record_size_limit"},                       /* RFC 8449 4 */
    {29, "pwd_protect"},                             /* RFC 8492 */
    {30, "pwd_clear"},                               /* RFC 8492 */
    {31, "password_salt"},                           /* RFC 8492 */
    {32, "ticket_pinning"},                          /* RFC 8672 */
    {33, "tls_cert_with_extern_psk"},                /* RFC 8773 */
    {34, "delegated_credential"},                    /* RFC 9345 */
    {35, "session_ticket"},                          /* RFC 5077 3.2, RFC 8447 */
    {36, "TLMSP"},                                   /* ETSI TS 103 523-2 */
    {37, "TLMSP_proxying"},                          /* ETSI TS 103 523-2 */
    {38, "TLMSP_delegate"},                          /* ETSI TS 103 523-2 */
    {39, "supported_ekt_ciphers"},                   /* RFC 8870 */
    {41, "pre_shared_key"},                          /* RFC 8446 4.2.11 */
    {42, "early_data"},                              /* RFC 8446 4.2.10 */
    {43, "supported_versions"},                      /* RFC 8446 4.2.1 */
    {44, "cookie"},                                  /* RFC 8446 4.2.2 */
    {45, "psk_key_exchange_modes"},                  /* RFC 8446 4.2.9 */
    {47, "certificate_authorities"},                 /* RFC 8446 4.2.4 */
    {48, "oid_filters"},                             /* RFC 8446 4.2.5 */
    {49, "post_handshake_auth"},                     /* RFC 8446 4.2.6 */
    {50, "signature_algorithms_cert"},               /* RFC 8446 4.2.3 */
    {51, "key_share"},                               /* RFC 8446 4.2.8 */
    {52, "transparency_info"},                       /* RFC 9162 */
    {53, "connection_id (deprecated)"},              /* RFC 9146 3 (IANA's spelling) */
    {54, "connection_id"},                           /* RFC 9146 3 */
    {55, "external_id_hash"},                        /* RFC 8844 */
    {56, "external_session_id"},                     /* RFC 8844 */
    {57, "quic_transport_parameters"},               /* RFC 9001 8.2 */
    {58, "ticket_request"},                          /* RFC 9149 */
    {59, "dnssec_chain"},                            /* RFC 9102 */
    {0x3374, "next_protocol_negotiation"},           /* draft-agl-tls-nextprotoneg; not IANA */
    {0x4469, "application_settings"},                /* draft-vvv-tls-alps (ALPS, first code point) */
    {0x44cd, "application_settings"},                /* draft-vvv-tls-alps (ALPS, Chrome's current code point) */
    {0xfd00, "ech_outer_extensions"},                /* draft-ietf-tls-esni 5.1 */
    {0xfe0d, "encrypted_client_hello"},              /* draft-ietf-tls-esni 5 */
    {0xff01, "renegotiation_info"},                  /* RFC 5746 3.2 */
};

const char *tls_extension_name(uint16_t type)
{
    return find16(extension_names, COUNT(extension_names), type);
}

/* --------------------------------------------------------- supported groups */

/* NamedGroup: RFC 8446 section 4.2.7 (secp256r1..x448, ffdhe*), RFC 8422
 * section 5.1.1 (the older curves, deprecated there), and the IANA TLS
 * Supported Groups registry for the rest (defining document on each row). */
static const struct tls_name16 group_names[] = {
    {1, "sect163k1"},                 /* RFC 8422 5.1.1 (deprecated) */
    {2, "sect163r1"},
    {3, "sect163r2"},
    {4, "sect193r1"},
    {5, "sect193r2"},
    {6, "sect233k1"},
    {7, "sect233r1"},
    {8, "sect239k1"},
    {9, "sect283k1"},
    {10, "sect283r1"},
    {11, "sect409k1"},
    {12, "sect409r1"},
    {13, "sect571k1"},
    {14, "sect571r1"},
    {15, "secp160k1"},
    {16, "secp160r1"},
    {17, "secp160r2"},
    {18, "secp192k1"},
    {19, "secp192r1"},
    {20, "secp224k1"},
    {21, "secp224r1"},
    {22, "secp256k1"},
    {23, "secp256r1"},                /* RFC 8446 4.2.7 */
    {24, "secp384r1"},
    {25, "secp521r1"},
    {26, "brainpoolP256r1"},          /* RFC 7027 */
    {27, "brainpoolP384r1"},
    {28, "brainpoolP512r1"},
    {29, "x25519"},                   /* RFC 8446 4.2.7, RFC 8422 */
    {30, "x448"},
    {31, "brainpoolP256r1tls13"},     /* RFC 8734 */
    {32, "brainpoolP384r1tls13"},
    {33, "brainpoolP512r1tls13"},
    {34, "GC256A"},                   /* RFC 9189 */
    {35, "GC256B"},
    {36, "GC256C"},
    {37, "GC256D"},
    {38, "GC512A"},
    {39, "GC512B"},
    {40, "GC512C"},
    {41, "curveSM2"},                 /* RFC 8998 */
    {256, "ffdhe2048"},               /* RFC 8446 4.2.7, RFC 7919 */
    {257, "ffdhe3072"},
    {258, "ffdhe4096"},
    {259, "ffdhe6144"},
    {260, "ffdhe8192"},
    {512, "MLKEM512"},                /* draft-connolly-tls-mlkem-key-agreement */
    {513, "MLKEM768"},
    {514, "MLKEM1024"},
    {0x11eb, "SecP256r1MLKEM768"},    /* draft-kwiatkowski-tls-ecdhe-mlkem */
    {0x11ec, "X25519MLKEM768"},
    {0x11ed, "SecP384r1MLKEM1024"},
    {0x6399, "X25519Kyber768Draft00"},    /* draft-tls-westerbaan-xyber768d00 (obsolete) */
    {0x639a, "SecP256r1Kyber768Draft00"}, /* draft-kwiatkowski-tls-ecdhe-kyber (obsolete) */
    {0xff01, "arbitrary_explicit_prime_curves"}, /* RFC 8422 5.1.1 (deprecated) */
    {0xff02, "arbitrary_explicit_char2_curves"},
};

const char *tls_group_name(uint16_t group)
{
    return find16(group_names, COUNT(group_names), group);
}

/* -------------------------------------------------------- signature schemes */

/* SignatureScheme: RFC 8446 section 4.2.3, and the IANA TLS SignatureScheme
 * registry for later additions.  TLS 1.2's signature_algorithms carries
 * (HashAlgorithm, SignatureAlgorithm) pairs (RFC 5246 section 7.4.1.4.1)
 * in the same two bytes; the pairs RFC 8446 gives no name (DSA, SHA-224,
 * "Reserved for backward compatibility" at IANA) are named after its
 * pattern, as OpenSSL does. */
static const struct tls_name16 sigscheme_names[] = {
    {0x0201, "rsa_pkcs1_sha1"},           /* RFC 8446 4.2.3 (legacy) */
    {0x0202, "dsa_sha1"},                 /* RFC 5246 7.4.1.4.1 pair (sha1, dsa) */
    {0x0203, "ecdsa_sha1"},               /* RFC 8446 4.2.3 (legacy) */
    {0x0301, "rsa_pkcs1_sha224"},         /* RFC 5246 7.4.1.4.1 pair (sha224, rsa) */
    {0x0302, "dsa_sha224"},               /* RFC 5246 pair (sha224, dsa) */
    {0x0303, "ecdsa_sha224"},             /* RFC 5246 pair (sha224, ecdsa) */
    {0x0401, "rsa_pkcs1_sha256"},         /* RFC 8446 4.2.3 */
    {0x0402, "dsa_sha256"},               /* RFC 5246 pair (sha256, dsa) */
    {0x0403, "ecdsa_secp256r1_sha256"},   /* RFC 8446 4.2.3 */
    {0x0420, "rsa_pkcs1_sha256_legacy"},  /* draft-davidben-tls13-pkcs1 */
    {0x0501, "rsa_pkcs1_sha384"},         /* RFC 8446 4.2.3 */
    {0x0502, "dsa_sha384"},               /* RFC 5246 pair (sha384, dsa) */
    {0x0503, "ecdsa_secp384r1_sha384"},   /* RFC 8446 4.2.3 */
    {0x0520, "rsa_pkcs1_sha384_legacy"},  /* draft-davidben-tls13-pkcs1 */
    {0x0601, "rsa_pkcs1_sha512"},         /* RFC 8446 4.2.3 */
    {0x0602, "dsa_sha512"},               /* RFC 5246 pair (sha512, dsa) */
    {0x0603, "ecdsa_secp521r1_sha512"},   /* RFC 8446 4.2.3 */
    {0x0620, "rsa_pkcs1_sha512_legacy"},  /* draft-davidben-tls13-pkcs1 */
    {0x0704, "eccsi_sha256"},             /* draft-wang-tls-raw-public-key-with-ibc */
    {0x0705, "iso_ibs1"},
    {0x0706, "iso_ibs2"},
    {0x0707, "iso_chinese_ibs"},
    {0x0708, "sm2sig_sm3"},               /* RFC 8998 */
    {0x0709, "gostr34102012_256a"},       /* RFC 9367 */
    {0x070a, "gostr34102012_256b"},
    {0x070b, "gostr34102012_256c"},
    {0x070c, "gostr34102012_256d"},
    {0x070d, "gostr34102012_512a"},
    {0x070e, "gostr34102012_512b"},
    {0x070f, "gostr34102012_512c"},
    {0x0804, "rsa_pss_rsae_sha256"},      /* RFC 8446 4.2.3 */
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080a, "rsa_pss_pss_sha384"},
    {0x080b, "rsa_pss_pss_sha512"},
    {0x081a, "ecdsa_brainpoolP256r1tls13_sha256"}, /* RFC 8734 */
    {0x081b, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081c, "ecdsa_brainpoolP512r1tls13_sha512"},
    {0x0904, "mldsa44"},                  /* draft-ietf-tls-mldsa */
    {0x0905, "mldsa65"},
    {0x0906, "mldsa87"},
};

const char *tls_sigscheme_name(uint16_t scheme)
{
    return find16(sigscheme_names, COUNT(sigscheme_names), scheme);
}

/* ----------------------------------------------------------------- versions */

/* ProtocolVersion: SSL 2.0 (0x0002, its own CLIENT-HELLO), SSL 3.0 (RFC 6101
 * 5.2.1), TLS 1.0-1.2 (RFC 2246, 4346, 5246), TLS 1.3 (RFC 8446 4.2.1); the
 * TLS 1.3 drafts sent 0x7f00 + draft number (RFC 8446's drafts, section 4.2.1
 * of each).  A draft is written into buf ("TLS 1.3 (draft 18)", at most 20
 * bytes); NULL when buf is NULL or too short, so nothing is ever truncated. */
const char *tls_version_name(uint16_t version, char *buf, unsigned len)
{
    switch (version) {
    case 0x0002:
        return "SSL 2.0";
    case 0x0300:
        return "SSL 3.0";
    case 0x0301:
        return "TLS 1.0";
    case 0x0302:
        return "TLS 1.1";
    case 0x0303:
        return "TLS 1.2";
    case 0x0304:
        return "TLS 1.3";
    default:
        break;
    }
    /* draft-ietf-tls-tls13-N sent 0x7f00 + N; Facebook's Fizz sent its own
     * drafts as 0xfb00 + N (Wireshark names them so too) */
    if ((version >> 8) == 0x7f || (version >> 8) == 0xfb) {
        if (buf == NULL || len == 0)
            return NULL;
        int n = snprintf(buf, len, "TLS 1.3 (%sdraft %u)", (version >> 8) == 0xfb ? "Facebook " : "",
                         (unsigned)(version & 0xff));
        if (n < 0 || (unsigned)n >= len)
            return NULL;
        return buf;
    }
    return NULL;
}

/* ------------------------------------------------------------------- GREASE */

/* RFC 8701 section 2: 0x0a0a, 0x1a1a, ..., 0xfafa - both bytes equal, each
 * of the form 0x?a. */
int tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

int tls_names_sorted(void)
{
    return increasing16(extension_names, COUNT(extension_names)) && increasing16(group_names, COUNT(group_names)) &&
           increasing16(sigscheme_names, COUNT(sigscheme_names));
}
