/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsdecrypt.c - record decryption for one direction of a TLS connection
 * (see tlsdecrypt.h).  This file owns the table of decryptable cipher
 * suites, the key derivations that turn a key log secret into record keys,
 * and the per-record checks around GnuTLS's ciphers.
 *
 * Specs:
 *  - SSL 3.0 (RFC 6101): key block 6.2.2 (MD5 of the master secret and a
 *    SHA-1 of salts 'A', 'BB', 'CCC'... with the randoms), export keys and
 *    IVs 6.2.2.1 (MD5 of the material and randoms), MAC 5.2.3.1 (two plain
 *    hashes with pad_1/pad_2, no version), CBC padding 5.2.3.2 (any bytes,
 *    shorter than a block), the IV chained as in TLS 1.0.
 *  - TLS 1.0-1.2 key block: RFC 5246 6.3 (RFC 2246 6.3, RFC 4346 6.3 for
 *    the older versions), PRF: RFC 5246 5 (P_SHA256, or the suite's hash)
 *    and RFC 2246 5 (P_MD5 xor P_SHA1, each over one half of the secret);
 *    export keys RFC 2246 6.3.1 ("client write key" / "server write key"
 *    over client_random + server_random, IVs from PRF("", "IV block")).
 *  - CBC records: RFC 5246 6.2.3.2 (explicit IV, TLS 1.1+), RFC 2246
 *    6.2.3.2 (TLS 1.0: the IV of a record is the last ciphertext block of
 *    the previous one), MAC: RFC 5246 6.2.3.1; encrypt-then-MAC: RFC 7366 3.
 *    Blocks of 16 (AES, Camellia) or 8 bytes (3DES, DES).
 *  - Stream and NULL records: RFC 5246 6.2.3.1 (content || MAC; RC4's key
 *    stream runs on from record to record).
 *  - AEAD records in TLS 1.2: RFC 5246 6.2.3.3 (additional data), RFC 5288
 *    3 (GCM nonce: 4 bytes from the key block, 8 explicit bytes on the
 *    wire; Camellia-GCM the same, RFC 6367), RFC 6655 3 and RFC 7251 (CCM,
 *    same nonce), RFC 7905 2 (ChaCha20-Poly1305: the 12-byte key block IV
 *    xor the sequence number).
 *  - TLS 1.3: RFC 8446 7.1 (HKDF-Expand-Label), 7.2 (KeyUpdate), 7.3
 *    (traffic keys), 5.2 (TLSInnerPlaintext, additional data = the record
 *    header) and 5.3 (per-record nonce).
 *
 * Why no constant-time care beyond gnutls_memcmp: synfin is a passive
 * reader of recorded traffic; nobody can use it as a padding oracle.
 *
 * Why a failed record still advances the state: the sender encrypted it
 * with that sequence number (and, in TLS 1.0 CBC, moved its cipher chain
 * on); whatever corrupted it on the way, the next record was sealed after
 * it.
 */
#include "tlsdecrypt.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_names.h"

enum { V30 = 0x0300, V10 = 0x0301, V11 = 0x0302, V12 = 0x0303, V13 = 0x0304 };

enum kind {
    K_CBC,           /* a block cipher in CBC mode + a MAC */
    K_STREAM,        /* RC4 + a MAC: the key stream runs on across records */
    K_NULL,          /* no cipher: plaintext + a MAC */
    K_AEAD_EXPLICIT, /* TLS 1.2 GCM/CCM: 4-byte salt, 8-byte nonce_explicit in the record */
    K_AEAD_XOR,      /* TLS 1.2 ChaCha20 and TLS 1.3: the IV xor the sequence number */
};

struct suite {
    uint16_t id;
    uint16_t min_version, max_version;
    uint8_t kind;
    uint8_t key_len;    /* the key material in the key block (export suites: 5 bytes) */
    uint8_t iv_len;     /* AEAD: the implicit IV; CBC: the block (the SSL 3.0/TLS 1.0 key block IV) */
    uint8_t tag_len;    /* AEAD only */
    uint8_t export_len; /* export suites: the length of the final key (RFC 2246 6.3.1); else 0 */
    gnutls_cipher_algorithm_t cipher;
    gnutls_mac_algorithm_t mac;  /* CBC, stream, NULL: the record MAC */
    gnutls_mac_algorithm_t hash; /* TLS 1.2 PRF hash; TLS 1.3 HKDF hash */
};

#define S256 GNUTLS_MAC_SHA256
#define S384 GNUTLS_MAC_SHA384
#define SHA1 GNUTLS_MAC_SHA1
#define MD5 GNUTLS_MAC_MD5
#define NOMAC GNUTLS_MAC_UNKNOWN
/* The MAC-protected suites with an MD5 or SHA-1 MAC are as old as SSL 3.0
 * (RFC 6101; AES and Camellia joined later, RFC 3268 and RFC 4132, and
 * implementations offer them in SSL 3.0 too); the SHA-256/384 MACs came
 * with TLS 1.2 (RFC 5246, RFC 5289, RFC 5932).  Export suites are SSL 3.0
 * and TLS 1.0's (RFC 4346 forbids them later, yet OpenSSL 1.0 negotiated
 * them up to TLS 1.2: the key derivation is then that version's PRF). */
#define BLK(id, c, key, blk, m) { id, V30, V12, K_CBC, key, blk, 0, 0, GNUTLS_CIPHER_##c, m, S256 }
#define BLK2(id, c, key, h) { id, V12, V12, K_CBC, key, 16, 0, 0, GNUTLS_CIPHER_##c, h, h }
#define CBC_SHA(id, bits) BLK(id, AES_##bits##_CBC, bits / 8, 16, SHA1)
#define CBC_SHA2(id, bits, h) BLK2(id, AES_##bits##_CBC, bits / 8, h)
#define CAM_SHA(id, bits) BLK(id, CAMELLIA_##bits##_CBC, bits / 8, 16, SHA1)
#define CAM_SHA2(id, bits, h) BLK2(id, CAMELLIA_##bits##_CBC, bits / 8, h)
#define DES3(id, m) BLK(id, 3DES_CBC, 24, 8, m)
#define DES(id, m) BLK(id, DES_CBC, 8, 8, m)
#define DES40(id, m) { id, V30, V12, K_CBC, 5, 8, 0, 8, GNUTLS_CIPHER_DES_CBC, m, S256 }
#define RC4(id, m) { id, V30, V12, K_STREAM, 16, 0, 0, 0, GNUTLS_CIPHER_ARCFOUR_128, m, S256 }
#define RC4_40(id, m) { id, V30, V12, K_STREAM, 5, 0, 0, 16, GNUTLS_CIPHER_ARCFOUR_128, m, S256 }
#define NUL(id, m) { id, V30, V12, K_NULL, 0, 0, 0, 0, GNUTLS_CIPHER_NULL, m, S256 }
#define NUL2(id, h) { id, V12, V12, K_NULL, 0, 0, 0, 0, GNUTLS_CIPHER_NULL, h, h }
#define GCM(id, bits, h) \
    { id, V12, V12, K_AEAD_EXPLICIT, bits / 8, 4, 16, 0, GNUTLS_CIPHER_AES_##bits##_GCM, NOMAC, h }
#define CAM_GCM(id, bits, h) \
    { id, V12, V12, K_AEAD_EXPLICIT, bits / 8, 4, 16, 0, GNUTLS_CIPHER_CAMELLIA_##bits##_GCM, NOMAC, h }
#define CCM(id, bits, h) \
    { id, V12, V12, K_AEAD_EXPLICIT, bits / 8, 4, 16, 0, GNUTLS_CIPHER_AES_##bits##_CCM, NOMAC, h }
#define CCM8(id, bits, h) \
    { id, V12, V12, K_AEAD_EXPLICIT, bits / 8, 4, 8, 0, GNUTLS_CIPHER_AES_##bits##_CCM_8, NOMAC, h }
#define CHACHA(id) \
    { id, V12, V12, K_AEAD_XOR, 32, 12, 16, 0, GNUTLS_CIPHER_CHACHA20_POLY1305, NOMAC, S256 }
#define TLS13(id, cipher, key, tag, h) \
    { id, V13, V13, K_AEAD_XOR, key, 12, tag, 0, cipher, NOMAC, h }

/* Every suite of the IANA registry whose record protection GnuTLS can run,
 * by number: AES (CBC, GCM, CCM), ChaCha20-Poly1305, Camellia (CBC, GCM),
 * 3DES, DES, DES40, RC4-128, RC4-40 and NULL, with an HMAC (SSL 3.0: its
 * own MAC) or an AEAD tag.  The key exchange is left out because the record
 * layer does not depend on it (Kerberos and SRP suites included).  Not
 * here: what GnuTLS has no cipher for (IDEA, SEED, ARIA, GOST, SM4) and
 * RC2-CBC-40, whose expanded 16-byte key GnuTLS's 40-bit RC2 cannot take.
 * The PRF hash of a TLS 1.2 suite is SHA-256 unless its name ends in
 * SHA384 (RFC 5246 5, RFC 5289, RFC 8492). */
static const struct suite suites[] = {
    NUL(0x0001, MD5),            /* TLS_RSA_WITH_NULL_MD5 */
    NUL(0x0002, SHA1),           /* TLS_RSA_WITH_NULL_SHA */
    RC4_40(0x0003, MD5),         /* TLS_RSA_EXPORT_WITH_RC4_40_MD5 */
    RC4(0x0004, MD5),            /* TLS_RSA_WITH_RC4_128_MD5 */
    RC4(0x0005, SHA1),           /* TLS_RSA_WITH_RC4_128_SHA */
    DES40(0x0008, SHA1),         /* TLS_RSA_EXPORT_WITH_DES40_CBC_SHA */
    DES(0x0009, SHA1),           /* TLS_RSA_WITH_DES_CBC_SHA */
    DES3(0x000a, SHA1),          /* TLS_RSA_WITH_3DES_EDE_CBC_SHA */
    DES40(0x000b, SHA1),         /* TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA */
    DES(0x000c, SHA1),           /* TLS_DH_DSS_WITH_DES_CBC_SHA */
    DES3(0x000d, SHA1),          /* TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA */
    DES40(0x000e, SHA1),         /* TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA */
    DES(0x000f, SHA1),           /* TLS_DH_RSA_WITH_DES_CBC_SHA */
    DES3(0x0010, SHA1),          /* TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA */
    DES40(0x0011, SHA1),         /* TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA */
    DES(0x0012, SHA1),           /* TLS_DHE_DSS_WITH_DES_CBC_SHA */
    DES3(0x0013, SHA1),          /* TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA */
    DES40(0x0014, SHA1),         /* TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA */
    DES(0x0015, SHA1),           /* TLS_DHE_RSA_WITH_DES_CBC_SHA */
    DES3(0x0016, SHA1),          /* TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA */
    RC4_40(0x0017, MD5),         /* TLS_DH_anon_EXPORT_WITH_RC4_40_MD5 */
    RC4(0x0018, MD5),            /* TLS_DH_anon_WITH_RC4_128_MD5 */
    DES40(0x0019, SHA1),         /* TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA */
    DES(0x001a, SHA1),           /* TLS_DH_anon_WITH_DES_CBC_SHA */
    DES3(0x001b, SHA1),          /* TLS_DH_anon_WITH_3DES_EDE_CBC_SHA */
    DES(0x001e, SHA1),           /* TLS_KRB5_WITH_DES_CBC_SHA */
    DES3(0x001f, SHA1),          /* TLS_KRB5_WITH_3DES_EDE_CBC_SHA */
    RC4(0x0020, SHA1),           /* TLS_KRB5_WITH_RC4_128_SHA */
    DES(0x0022, MD5),            /* TLS_KRB5_WITH_DES_CBC_MD5 */
    DES3(0x0023, MD5),           /* TLS_KRB5_WITH_3DES_EDE_CBC_MD5 */
    RC4(0x0024, MD5),            /* TLS_KRB5_WITH_RC4_128_MD5 */
    DES40(0x0026, SHA1),         /* TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA */
    RC4_40(0x0028, SHA1),        /* TLS_KRB5_EXPORT_WITH_RC4_40_SHA */
    DES40(0x0029, MD5),          /* TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5 */
    RC4_40(0x002b, MD5),         /* TLS_KRB5_EXPORT_WITH_RC4_40_MD5 */
    NUL(0x002c, SHA1),           /* TLS_PSK_WITH_NULL_SHA */
    NUL(0x002d, SHA1),           /* TLS_DHE_PSK_WITH_NULL_SHA */
    NUL(0x002e, SHA1),           /* TLS_RSA_PSK_WITH_NULL_SHA */
    CBC_SHA(0x002f, 128),        /* TLS_RSA_WITH_AES_128_CBC_SHA */
    CBC_SHA(0x0030, 128),        /* TLS_DH_DSS_WITH_AES_128_CBC_SHA */
    CBC_SHA(0x0031, 128),        /* TLS_DH_RSA_WITH_AES_128_CBC_SHA */
    CBC_SHA(0x0032, 128),        /* TLS_DHE_DSS_WITH_AES_128_CBC_SHA */
    CBC_SHA(0x0033, 128),        /* TLS_DHE_RSA_WITH_AES_128_CBC_SHA */
    CBC_SHA(0x0034, 128),        /* TLS_DH_anon_WITH_AES_128_CBC_SHA */
    CBC_SHA(0x0035, 256),        /* TLS_RSA_WITH_AES_256_CBC_SHA */
    CBC_SHA(0x0036, 256),        /* TLS_DH_DSS_WITH_AES_256_CBC_SHA */
    CBC_SHA(0x0037, 256),        /* TLS_DH_RSA_WITH_AES_256_CBC_SHA */
    CBC_SHA(0x0038, 256),        /* TLS_DHE_DSS_WITH_AES_256_CBC_SHA */
    CBC_SHA(0x0039, 256),        /* TLS_DHE_RSA_WITH_AES_256_CBC_SHA */
    CBC_SHA(0x003a, 256),        /* TLS_DH_anon_WITH_AES_256_CBC_SHA */
    NUL2(0x003b, S256),          /* TLS_RSA_WITH_NULL_SHA256 */
    CBC_SHA2(0x003c, 128, S256), /* TLS_RSA_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0x003d, 256, S256), /* TLS_RSA_WITH_AES_256_CBC_SHA256 */
    CBC_SHA2(0x003e, 128, S256), /* TLS_DH_DSS_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0x003f, 128, S256), /* TLS_DH_RSA_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0x0040, 128, S256), /* TLS_DHE_DSS_WITH_AES_128_CBC_SHA256 */
    CAM_SHA(0x0041, 128),        /* TLS_RSA_WITH_CAMELLIA_128_CBC_SHA */
    CAM_SHA(0x0042, 128),        /* TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA */
    CAM_SHA(0x0043, 128),        /* TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA */
    CAM_SHA(0x0044, 128),        /* TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA */
    CAM_SHA(0x0045, 128),        /* TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA */
    CAM_SHA(0x0046, 128),        /* TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA */
    CBC_SHA2(0x0067, 128, S256), /* TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0x0068, 256, S256), /* TLS_DH_DSS_WITH_AES_256_CBC_SHA256 */
    CBC_SHA2(0x0069, 256, S256), /* TLS_DH_RSA_WITH_AES_256_CBC_SHA256 */
    CBC_SHA2(0x006a, 256, S256), /* TLS_DHE_DSS_WITH_AES_256_CBC_SHA256 */
    CBC_SHA2(0x006b, 256, S256), /* TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 */
    CBC_SHA2(0x006c, 128, S256), /* TLS_DH_anon_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0x006d, 256, S256), /* TLS_DH_anon_WITH_AES_256_CBC_SHA256 */
    CAM_SHA(0x0084, 256),        /* TLS_RSA_WITH_CAMELLIA_256_CBC_SHA */
    CAM_SHA(0x0085, 256),        /* TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA */
    CAM_SHA(0x0086, 256),        /* TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA */
    CAM_SHA(0x0087, 256),        /* TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA */
    CAM_SHA(0x0088, 256),        /* TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA */
    CAM_SHA(0x0089, 256),        /* TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA */
    RC4(0x008a, SHA1),           /* TLS_PSK_WITH_RC4_128_SHA */
    DES3(0x008b, SHA1),          /* TLS_PSK_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0x008c, 128),        /* TLS_PSK_WITH_AES_128_CBC_SHA */
    CBC_SHA(0x008d, 256),        /* TLS_PSK_WITH_AES_256_CBC_SHA */
    RC4(0x008e, SHA1),           /* TLS_DHE_PSK_WITH_RC4_128_SHA */
    DES3(0x008f, SHA1),          /* TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0x0090, 128),        /* TLS_DHE_PSK_WITH_AES_128_CBC_SHA */
    CBC_SHA(0x0091, 256),        /* TLS_DHE_PSK_WITH_AES_256_CBC_SHA */
    RC4(0x0092, SHA1),           /* TLS_RSA_PSK_WITH_RC4_128_SHA */
    DES3(0x0093, SHA1),          /* TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0x0094, 128),        /* TLS_RSA_PSK_WITH_AES_128_CBC_SHA */
    CBC_SHA(0x0095, 256),        /* TLS_RSA_PSK_WITH_AES_256_CBC_SHA */
    GCM(0x009c, 128, S256),      /* TLS_RSA_WITH_AES_128_GCM_SHA256 */
    GCM(0x009d, 256, S384),      /* TLS_RSA_WITH_AES_256_GCM_SHA384 */
    GCM(0x009e, 128, S256),      /* TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 */
    GCM(0x009f, 256, S384),      /* TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 */
    GCM(0x00a0, 128, S256),      /* TLS_DH_RSA_WITH_AES_128_GCM_SHA256 */
    GCM(0x00a1, 256, S384),      /* TLS_DH_RSA_WITH_AES_256_GCM_SHA384 */
    GCM(0x00a2, 128, S256),      /* TLS_DHE_DSS_WITH_AES_128_GCM_SHA256 */
    GCM(0x00a3, 256, S384),      /* TLS_DHE_DSS_WITH_AES_256_GCM_SHA384 */
    GCM(0x00a4, 128, S256),      /* TLS_DH_DSS_WITH_AES_128_GCM_SHA256 */
    GCM(0x00a5, 256, S384),      /* TLS_DH_DSS_WITH_AES_256_GCM_SHA384 */
    GCM(0x00a6, 128, S256),      /* TLS_DH_anon_WITH_AES_128_GCM_SHA256 */
    GCM(0x00a7, 256, S384),      /* TLS_DH_anon_WITH_AES_256_GCM_SHA384 */
    GCM(0x00a8, 128, S256),      /* TLS_PSK_WITH_AES_128_GCM_SHA256 */
    GCM(0x00a9, 256, S384),      /* TLS_PSK_WITH_AES_256_GCM_SHA384 */
    GCM(0x00aa, 128, S256),      /* TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 */
    GCM(0x00ab, 256, S384),      /* TLS_DHE_PSK_WITH_AES_256_GCM_SHA384 */
    GCM(0x00ac, 128, S256),      /* TLS_RSA_PSK_WITH_AES_128_GCM_SHA256 */
    GCM(0x00ad, 256, S384),      /* TLS_RSA_PSK_WITH_AES_256_GCM_SHA384 */
    CBC_SHA2(0x00ae, 128, S256), /* TLS_PSK_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0x00af, 256, S384), /* TLS_PSK_WITH_AES_256_CBC_SHA384 */
    NUL2(0x00b0, S256),          /* TLS_PSK_WITH_NULL_SHA256 */
    NUL2(0x00b1, S384),          /* TLS_PSK_WITH_NULL_SHA384 */
    CBC_SHA2(0x00b2, 128, S256), /* TLS_DHE_PSK_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0x00b3, 256, S384), /* TLS_DHE_PSK_WITH_AES_256_CBC_SHA384 */
    NUL2(0x00b4, S256),          /* TLS_DHE_PSK_WITH_NULL_SHA256 */
    NUL2(0x00b5, S384),          /* TLS_DHE_PSK_WITH_NULL_SHA384 */
    CBC_SHA2(0x00b6, 128, S256), /* TLS_RSA_PSK_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0x00b7, 256, S384), /* TLS_RSA_PSK_WITH_AES_256_CBC_SHA384 */
    NUL2(0x00b8, S256),          /* TLS_RSA_PSK_WITH_NULL_SHA256 */
    NUL2(0x00b9, S384),          /* TLS_RSA_PSK_WITH_NULL_SHA384 */
    CAM_SHA2(0x00ba, 128, S256), /* TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0x00bb, 128, S256), /* TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0x00bc, 128, S256), /* TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0x00bd, 128, S256), /* TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0x00be, 128, S256), /* TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0x00bf, 128, S256), /* TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0x00c0, 256, S256), /* TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256 */
    CAM_SHA2(0x00c1, 256, S256), /* TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256 */
    CAM_SHA2(0x00c2, 256, S256), /* TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256 */
    CAM_SHA2(0x00c3, 256, S256), /* TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256 */
    CAM_SHA2(0x00c4, 256, S256), /* TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256 */
    CAM_SHA2(0x00c5, 256, S256), /* TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256 */
    TLS13(0x1301, GNUTLS_CIPHER_AES_128_GCM, 16, 16, S256),         /* TLS_AES_128_GCM_SHA256 */
    TLS13(0x1302, GNUTLS_CIPHER_AES_256_GCM, 32, 16, S384),         /* TLS_AES_256_GCM_SHA384 */
    TLS13(0x1303, GNUTLS_CIPHER_CHACHA20_POLY1305, 32, 16, S256),   /* TLS_CHACHA20_POLY1305_SHA256 */
    TLS13(0x1304, GNUTLS_CIPHER_AES_128_CCM, 16, 16, S256),         /* TLS_AES_128_CCM_SHA256 */
    TLS13(0x1305, GNUTLS_CIPHER_AES_128_CCM_8, 16, 8, S256),        /* TLS_AES_128_CCM_8_SHA256 */
    NUL(0xc001, SHA1),           /* TLS_ECDH_ECDSA_WITH_NULL_SHA */
    RC4(0xc002, SHA1),           /* TLS_ECDH_ECDSA_WITH_RC4_128_SHA */
    DES3(0xc003, SHA1),          /* TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0xc004, 128),        /* TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA */
    CBC_SHA(0xc005, 256),        /* TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA */
    NUL(0xc006, SHA1),           /* TLS_ECDHE_ECDSA_WITH_NULL_SHA */
    RC4(0xc007, SHA1),           /* TLS_ECDHE_ECDSA_WITH_RC4_128_SHA */
    DES3(0xc008, SHA1),          /* TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0xc009, 128),        /* TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA */
    CBC_SHA(0xc00a, 256),        /* TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA */
    NUL(0xc00b, SHA1),           /* TLS_ECDH_RSA_WITH_NULL_SHA */
    RC4(0xc00c, SHA1),           /* TLS_ECDH_RSA_WITH_RC4_128_SHA */
    DES3(0xc00d, SHA1),          /* TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0xc00e, 128),        /* TLS_ECDH_RSA_WITH_AES_128_CBC_SHA */
    CBC_SHA(0xc00f, 256),        /* TLS_ECDH_RSA_WITH_AES_256_CBC_SHA */
    NUL(0xc010, SHA1),           /* TLS_ECDHE_RSA_WITH_NULL_SHA */
    RC4(0xc011, SHA1),           /* TLS_ECDHE_RSA_WITH_RC4_128_SHA */
    DES3(0xc012, SHA1),          /* TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0xc013, 128),        /* TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA */
    CBC_SHA(0xc014, 256),        /* TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA */
    NUL(0xc015, SHA1),           /* TLS_ECDH_anon_WITH_NULL_SHA */
    RC4(0xc016, SHA1),           /* TLS_ECDH_anon_WITH_RC4_128_SHA */
    DES3(0xc017, SHA1),          /* TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0xc018, 128),        /* TLS_ECDH_anon_WITH_AES_128_CBC_SHA */
    CBC_SHA(0xc019, 256),        /* TLS_ECDH_anon_WITH_AES_256_CBC_SHA */
    DES3(0xc01a, SHA1),          /* TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA */
    DES3(0xc01b, SHA1),          /* TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA */
    DES3(0xc01c, SHA1),          /* TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0xc01d, 128),        /* TLS_SRP_SHA_WITH_AES_128_CBC_SHA */
    CBC_SHA(0xc01e, 128),        /* TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA */
    CBC_SHA(0xc01f, 128),        /* TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA */
    CBC_SHA(0xc020, 256),        /* TLS_SRP_SHA_WITH_AES_256_CBC_SHA */
    CBC_SHA(0xc021, 256),        /* TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA */
    CBC_SHA(0xc022, 256),        /* TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA */
    CBC_SHA2(0xc023, 128, S256), /* TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0xc024, 256, S384), /* TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 */
    CBC_SHA2(0xc025, 128, S256), /* TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0xc026, 256, S384), /* TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384 */
    CBC_SHA2(0xc027, 128, S256), /* TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0xc028, 256, S384), /* TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 */
    CBC_SHA2(0xc029, 128, S256), /* TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0xc02a, 256, S384), /* TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384 */
    GCM(0xc02b, 128, S256),      /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    GCM(0xc02c, 256, S384),      /* TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 */
    GCM(0xc02d, 128, S256),      /* TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256 */
    GCM(0xc02e, 256, S384),      /* TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384 */
    GCM(0xc02f, 128, S256),      /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    GCM(0xc030, 256, S384),      /* TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
    GCM(0xc031, 128, S256),      /* TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256 */
    GCM(0xc032, 256, S384),      /* TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384 */
    RC4(0xc033, SHA1),           /* TLS_ECDHE_PSK_WITH_RC4_128_SHA */
    DES3(0xc034, SHA1),          /* TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA */
    CBC_SHA(0xc035, 128),        /* TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA */
    CBC_SHA(0xc036, 256),        /* TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA */
    CBC_SHA2(0xc037, 128, S256), /* TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256 */
    CBC_SHA2(0xc038, 256, S384), /* TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384 */
    NUL(0xc039, SHA1),           /* TLS_ECDHE_PSK_WITH_NULL_SHA */
    NUL2(0xc03a, S256),          /* TLS_ECDHE_PSK_WITH_NULL_SHA256 */
    NUL2(0xc03b, S384),          /* TLS_ECDHE_PSK_WITH_NULL_SHA384 */
    CAM_SHA2(0xc072, 128, S256), /* TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0xc073, 256, S384), /* TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384 */
    CAM_SHA2(0xc074, 128, S256), /* TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0xc075, 256, S384), /* TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384 */
    CAM_SHA2(0xc076, 128, S256), /* TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0xc077, 256, S384), /* TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384 */
    CAM_SHA2(0xc078, 128, S256), /* TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0xc079, 256, S384), /* TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384 */
    CAM_GCM(0xc07a, 128, S256),  /* TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc07b, 256, S384),  /* TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc07c, 128, S256),  /* TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc07d, 256, S384),  /* TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc07e, 128, S256),  /* TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc07f, 256, S384),  /* TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc080, 128, S256),  /* TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc081, 256, S384),  /* TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc082, 128, S256),  /* TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc083, 256, S384),  /* TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc084, 128, S256),  /* TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc085, 256, S384),  /* TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc086, 128, S256),  /* TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc087, 256, S384),  /* TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc088, 128, S256),  /* TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc089, 256, S384),  /* TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc08a, 128, S256),  /* TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc08b, 256, S384),  /* TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc08c, 128, S256),  /* TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc08d, 256, S384),  /* TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc08e, 128, S256),  /* TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc08f, 256, S384),  /* TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc090, 128, S256),  /* TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc091, 256, S384),  /* TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_GCM(0xc092, 128, S256),  /* TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256 */
    CAM_GCM(0xc093, 256, S384),  /* TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384 */
    CAM_SHA2(0xc094, 128, S256), /* TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0xc095, 256, S384), /* TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384 */
    CAM_SHA2(0xc096, 128, S256), /* TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0xc097, 256, S384), /* TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384 */
    CAM_SHA2(0xc098, 128, S256), /* TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0xc099, 256, S384), /* TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384 */
    CAM_SHA2(0xc09a, 128, S256), /* TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256 */
    CAM_SHA2(0xc09b, 256, S384), /* TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384 */
    CCM(0xc09c, 128, S256),      /* TLS_RSA_WITH_AES_128_CCM */
    CCM(0xc09d, 256, S256),      /* TLS_RSA_WITH_AES_256_CCM */
    CCM(0xc09e, 128, S256),      /* TLS_DHE_RSA_WITH_AES_128_CCM */
    CCM(0xc09f, 256, S256),      /* TLS_DHE_RSA_WITH_AES_256_CCM */
    CCM8(0xc0a0, 128, S256),     /* TLS_RSA_WITH_AES_128_CCM_8 */
    CCM8(0xc0a1, 256, S256),     /* TLS_RSA_WITH_AES_256_CCM_8 */
    CCM8(0xc0a2, 128, S256),     /* TLS_DHE_RSA_WITH_AES_128_CCM_8 */
    CCM8(0xc0a3, 256, S256),     /* TLS_DHE_RSA_WITH_AES_256_CCM_8 */
    CCM(0xc0a4, 128, S256),      /* TLS_PSK_WITH_AES_128_CCM */
    CCM(0xc0a5, 256, S256),      /* TLS_PSK_WITH_AES_256_CCM */
    CCM(0xc0a6, 128, S256),      /* TLS_DHE_PSK_WITH_AES_128_CCM */
    CCM(0xc0a7, 256, S256),      /* TLS_DHE_PSK_WITH_AES_256_CCM */
    CCM8(0xc0a8, 128, S256),     /* TLS_PSK_WITH_AES_128_CCM_8 */
    CCM8(0xc0a9, 256, S256),     /* TLS_PSK_WITH_AES_256_CCM_8 */
    CCM8(0xc0aa, 128, S256),     /* TLS_PSK_DHE_WITH_AES_128_CCM_8 */
    CCM8(0xc0ab, 256, S256),     /* TLS_PSK_DHE_WITH_AES_256_CCM_8 */
    CCM(0xc0ac, 128, S256),      /* TLS_ECDHE_ECDSA_WITH_AES_128_CCM */
    CCM(0xc0ad, 256, S256),      /* TLS_ECDHE_ECDSA_WITH_AES_256_CCM */
    CCM8(0xc0ae, 128, S256),     /* TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 */
    CCM8(0xc0af, 256, S256),     /* TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8 */
    GCM(0xc0b0, 128, S256),      /* TLS_ECCPWD_WITH_AES_128_GCM_SHA256 */
    GCM(0xc0b1, 256, S384),      /* TLS_ECCPWD_WITH_AES_256_GCM_SHA384 */
    CCM(0xc0b2, 128, S256),      /* TLS_ECCPWD_WITH_AES_128_CCM_SHA256 */
    CCM(0xc0b3, 256, S384),      /* TLS_ECCPWD_WITH_AES_256_CCM_SHA384 */
    CHACHA(0xcca8),              /* TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 */
    CHACHA(0xcca9),              /* TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
    CHACHA(0xccaa),              /* TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 */
    CHACHA(0xccab),              /* TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 */
    CHACHA(0xccac),              /* TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 */
    CHACHA(0xccad),              /* TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256 */
    CHACHA(0xccae),              /* TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256 */
    GCM(0xd001, 128, S256),      /* TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 */
    GCM(0xd002, 256, S384),      /* TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384 */
    CCM8(0xd003, 128, S256),     /* TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256 */
    CCM(0xd005, 128, S256),      /* TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256 */
};

enum { BLOCK = 16, MAX_HASH = 48, MAX_KEY = 32, MAX_RECORD_BODY = 0xffff };

struct tlsd {
    const struct suite *s;
    uint16_t version;
    uint8_t etm;                /* CBC: encrypt-then-MAC */
    uint8_t mac_len;            /* CBC, stream, NULL: the MAC's length */
    uint8_t block;              /* CBC: the cipher's block (8 or 16) */
    uint64_t seq;
    gnutls_aead_cipher_hd_t aead;
    gnutls_cipher_hd_t cipher;  /* CBC and stream ciphers */
    gnutls_hmac_hd_t hmac;      /* TLS: keyed with this side's MAC key; reset after each use */
    gnutls_hash_hd_t hash;      /* SSL 3.0: its MAC is two plain hashes over the key and pads */
    uint8_t mac_key[MAX_HASH];  /* SSL 3.0: the MAC key, hashed into every MAC */
    uint8_t iv[BLOCK];          /* AEAD: the implicit IV; SSL 3.0/TLS 1.0 CBC: the chained IV */
    uint8_t secret[MAX_HASH];   /* TLS 1.3: the current traffic secret, for KeyUpdate */
    uint8_t secret_len;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const char *version_name(uint16_t v)
{
    switch (v) {
    case V30: return "SSL 3.0";
    case V10: return "TLS 1.0";
    case V11: return "TLS 1.1";
    case V12: return "TLS 1.2";
    case V13: return "TLS 1.3";
    default: return "an unknown version";
    }
}

/* The table is sorted by number (the unit test checks every entry). */
static const struct suite *find_suite(uint16_t id)
{
    size_t lo = 0, hi = sizeof suites / sizeof suites[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (suites[mid].id == id)
            return &suites[mid];
        if (suites[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int tlsd_suite_supported(uint16_t version, uint16_t suite)
{
    const struct suite *s = find_suite(suite);
    return s && version >= s->min_version && version <= s->max_version;
}

size_t tlsd_null_mac_len(uint16_t version, uint16_t suite)
{
    const struct suite *s = find_suite(suite);
    if (!s || s->kind != K_NULL || version < s->min_version || version > s->max_version)
        return 0;
    return gnutls_hmac_get_len(s->mac);
}

void tlsd_unsupported_note(uint16_t version, uint16_t suite, char *buf, size_t len)
{
    /* the ciphers of the IANA registry GnuTLS has no implementation of, by the word in their names */
    static const struct {
        const char *word, *why;
    } missing[] = {
        {"_SEED_", "GnuTLS has no SEED"},
        {"_IDEA_", "GnuTLS has no IDEA"},
        {"_ARIA_", "GnuTLS has no ARIA"},
        {"_RC2_", "GnuTLS runs no RC2 with the 16-byte export key"},
        {"GOST", "GnuTLS runs no GOST record protection"},
        {"_SM4_", "GnuTLS has no SM4"},
        {"_AEGIS_", "GnuTLS has no AEGIS"},
        {"_NULL_WITH_NULL_NULL", "no protection was negotiated"},
    };
    const char *name = tls_cipher_name(suite);
    const struct suite *s = find_suite(suite);
    if (!buf || !len)
        return;
    if (s && (version < s->min_version || version > s->max_version)) {
        snprintf(buf, len, "%s is not a %s suite", name ? name : "the cipher suite", version_name(version));
        return;
    }
    for (size_t i = 0; name && i < sizeof missing / sizeof missing[0]; i++)
        if (strstr(name, missing[i].word)) {
            snprintf(buf, len, "%.48s: %s", name, missing[i].why);
            return;
        }
    if (version < V30 || version > V13)
        snprintf(buf, len, "version 0x%04x is not decrypted", version);
    else
        snprintf(buf, len, "cipher suite 0x%04x is not one synfin decrypts", suite);
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* ---------------------------------------------------------------- key derivation */

/* Feed one piece to an HMAC; an empty piece (possibly NULL) is skipped. */
static int hmac_add(gnutls_hmac_hd_t h, const void *p, size_t n)
{
    return n ? gnutls_hmac(h, p, n) : 0;
}

/* RFC 5246 5: P_hash(secret, label || seed), written into out, or xored into
 * it (the TLS 1.0 PRF is the xor of two of them).  One keyed handle serves
 * every HMAC: gnutls_hmac_output resets it to the freshly keyed state. */
static int p_hash(gnutls_mac_algorithm_t mac, const uint8_t *secret, size_t secret_len,
                  const char *label, const uint8_t *seed, size_t seed_len,
                  uint8_t *out, size_t out_len, int xor_into)
{
    size_t hl = gnutls_hmac_get_len(mac), label_len = strlen(label);
    uint8_t a[MAX_HASH], block[MAX_HASH];
    gnutls_hmac_hd_t h;
    if (hl == 0 || hl > MAX_HASH || gnutls_hmac_init(&h, mac, secret, secret_len) < 0)
        return -1;
    int rc = 0;
    /* A(1) = HMAC(secret, A(0)), A(0) = label || seed */
    if (hmac_add(h, label, label_len) < 0 || hmac_add(h, seed, seed_len) < 0)
        rc = -1;
    gnutls_hmac_output(h, a);
    for (size_t done = 0; rc == 0 && done < out_len;) {
        /* HMAC(secret, A(i) || label || seed) is the next block of output */
        if (hmac_add(h, a, hl) < 0 || hmac_add(h, label, label_len) < 0 ||
            hmac_add(h, seed, seed_len) < 0)
            rc = -1;
        gnutls_hmac_output(h, block);
        size_t n = out_len - done < hl ? out_len - done : hl;
        for (size_t i = 0; rc == 0 && i < n; i++)
            out[done + i] = xor_into ? (uint8_t)(out[done + i] ^ block[i]) : block[i];
        done += n;
        if (rc == 0 && done < out_len) { /* A(i+1) = HMAC(secret, A(i)) */
            if (hmac_add(h, a, hl) < 0)
                rc = -1;
            gnutls_hmac_output(h, a);
        }
    }
    gnutls_hmac_deinit(h, NULL);
    gnutls_memset(a, 0, sizeof a);
    gnutls_memset(block, 0, sizeof block);
    return rc;
}

int tls_prf(int hash, const uint8_t *secret, size_t secret_len, const char *label,
            const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    if ((!secret && secret_len) || !label || (!seed && seed_len) || (!out && out_len))
        return -1;
    if (hash == GNUTLS_MAC_SHA256 || hash == GNUTLS_MAC_SHA384) {
        if (p_hash((gnutls_mac_algorithm_t)hash, secret, secret_len, label, seed, seed_len, out,
                   out_len, 0) < 0) {
            gnutls_memset(out, 0, out_len); /* no half-made key material */
            return -1;
        }
        return 0;
    }
    if (hash != 0)
        return -1;
    /* RFC 2246 5: S1 is the first half of the secret, S2 the second; with an
     * odd length they share the middle byte.  PRF = P_MD5(S1) xor P_SHA1(S2). */
    size_t half = (secret_len + 1) / 2;
    const uint8_t *s2 = secret_len ? secret + (secret_len - half) : secret;
    if (p_hash(GNUTLS_MAC_MD5, secret, half, label, seed, seed_len, out, out_len, 0) < 0 ||
        p_hash(GNUTLS_MAC_SHA1, s2, half, label, seed, seed_len, out, out_len, 1) < 0) {
        gnutls_memset(out, 0, out_len);
        return -1;
    }
    return 0;
}

int hkdf_expand_label(int hash, const uint8_t *secret, size_t secret_len, const char *label,
                      const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
    static const char prefix[] = "tls13 ";
    const size_t prefix_len = sizeof prefix - 1;
    if (hash != GNUTLS_MAC_SHA256 && hash != GNUTLS_MAC_SHA384)
        return -1;
    if (!secret || !label || (!context && context_len) || !out)
        return -1;
    size_t label_len = strlen(label);
    /* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel;
     * and HKDF-Expand gives at most 255 hash lengths (RFC 5869 2.3). */
    if (label_len + prefix_len > 255 || context_len > 255 || out_len == 0 ||
        out_len > 255u * gnutls_hmac_get_len((gnutls_mac_algorithm_t)hash))
        return -1;
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t n = 0;
    put16(info, (unsigned)out_len);
    n += 2;
    info[n++] = (uint8_t)(prefix_len + label_len);
    memcpy(info + n, prefix, prefix_len);
    n += prefix_len;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len)
        memcpy(info + n, context, context_len);
    n += context_len;
    /* gnutls_datum_t has no const member: GnuTLS only reads the key here. */
    gnutls_datum_t key = { (unsigned char *)secret, (unsigned)secret_len };
    gnutls_datum_t inf = { info, (unsigned)n };
    int rc = gnutls_hkdf_expand((gnutls_mac_algorithm_t)hash, &key, &inf, out, out_len) < 0 ? -1 : 0;
    if (rc < 0)
        gnutls_memset(out, 0, out_len);
    return rc;
}

/* ---------------------------------------------------------------- construction */

static struct tlsd *alloc_state(const struct suite *s, uint16_t version, char *err, size_t errlen)
{
    struct tlsd *d = calloc(1, sizeof *d);
    if (!d) {
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    d->s = s;
    d->version = version;
    return d;
}

/* A new AEAD handle for `key`; the old one (if any) is replaced only on success. */
static int set_aead_key(struct tlsd *d, const uint8_t *key, char *err, size_t errlen)
{
    gnutls_aead_cipher_hd_t h;
    gnutls_datum_t k = { (unsigned char *)key, d->s->key_len };
    int rc = gnutls_aead_cipher_init(&h, d->s->cipher, &k);
    if (rc < 0) {
        seterr(err, errlen, "GnuTLS cannot use %s: %s", gnutls_cipher_get_name(d->s->cipher),
               gnutls_strerror(rc));
        return -1;
    }
    if (d->aead)
        gnutls_aead_cipher_deinit(d->aead);
    d->aead = h;
    return 0;
}

/* SSL 3.0's key block (RFC 6101 6.2.2):
 *   MD5(ms || SHA1("A" || ms || server_random || client_random)) ||
 *   MD5(ms || SHA1("BB" || ms || ...)) || MD5(ms || SHA1("CCC" || ...)) ...
 * 0, or -1 (out zeroed). */
static int ssl3_key_block(const uint8_t ms[48], const uint8_t cr[32], const uint8_t sr[32], uint8_t *out, size_t len)
{
    gnutls_hash_hd_t md5, sha1;
    if (len > 26 * 16 || gnutls_hash_init(&md5, GNUTLS_DIG_MD5) < 0)
        return -1;
    if (gnutls_hash_init(&sha1, GNUTLS_DIG_SHA1) < 0) {
        gnutls_hash_deinit(md5, NULL);
        return -1;
    }
    uint8_t salt[26], inner[20], block[16];
    int rc = 0;
    for (size_t i = 0, done = 0; rc == 0 && done < len; i++) {
        memset(salt, (int)('A' + i), i + 1);
        /* gnutls_hash_output hands out the digest and resets the handle */
        if (gnutls_hash(sha1, salt, i + 1) < 0 || gnutls_hash(sha1, ms, 48) < 0 || gnutls_hash(sha1, sr, 32) < 0 ||
            gnutls_hash(sha1, cr, 32) < 0)
            rc = -1;
        gnutls_hash_output(sha1, inner);
        if (gnutls_hash(md5, ms, 48) < 0 || gnutls_hash(md5, inner, sizeof inner) < 0)
            rc = -1;
        gnutls_hash_output(md5, block);
        size_t n = len - done < sizeof block ? len - done : sizeof block;
        memcpy(out + done, block, n);
        done += n;
    }
    gnutls_hash_deinit(md5, NULL);
    gnutls_hash_deinit(sha1, NULL);
    gnutls_memset(inner, 0, sizeof inner);
    gnutls_memset(block, 0, sizeof block);
    if (rc < 0)
        gnutls_memset(out, 0, len);
    return rc;
}

/* MD5(a || b || c), cut to n bytes (n <= 16): SSL 3.0's export keys and IVs. */
static int md5_cut(const uint8_t *a, size_t al, const uint8_t *b, const uint8_t *c, uint8_t *out, size_t n)
{
    uint8_t md[16];
    gnutls_hash_hd_t h;
    if (n > sizeof md || gnutls_hash_init(&h, GNUTLS_DIG_MD5) < 0)
        return -1;
    int rc = (al && gnutls_hash(h, a, al) < 0) || gnutls_hash(h, b, 32) < 0 || gnutls_hash(h, c, 32) < 0 ? -1 : 0;
    gnutls_hash_deinit(h, md);
    memcpy(out, md, n);
    gnutls_memset(md, 0, sizeof md);
    return rc;
}

/* The final key and IV of an export suite's side, from its 5-byte key
 * material: SSL 3.0 hashes it with the randoms (RFC 6101 6.2.2.1), TLS runs
 * it through the PRF with a label and makes the IVs from the randoms alone
 * (RFC 2246 6.3.1).  TLS 1.1 and 1.2 carry an explicit IV in each record,
 * so the IV made here is only used by SSL 3.0 and TLS 1.0. */
static int export_keys(const struct suite *s, uint16_t version, int prf_hash, const uint8_t *material,
                       const uint8_t cr[32], const uint8_t sr[32], int from_server, uint8_t *key, uint8_t *iv)
{
    size_t ivl = s->kind == K_CBC ? s->iv_len : 0;
    if (version == V30) {
        const uint8_t *first = from_server ? sr : cr, *second = from_server ? cr : sr;
        if (md5_cut(material, s->key_len, first, second, key, s->export_len) < 0)
            return -1;
        return ivl ? md5_cut(NULL, 0, first, second, iv, ivl) : 0;
    }
    uint8_t seed[64], ivs[2 * BLOCK];
    memcpy(seed, cr, 32); /* client_random + server_random: the key expansion's order reversed */
    memcpy(seed + 32, sr, 32);
    if (tls_prf(prf_hash, material, s->key_len, from_server ? "server write key" : "client write key", seed,
                sizeof seed, key, s->export_len) < 0)
        return -1;
    if (!ivl)
        return 0;
    if (tls_prf(prf_hash, NULL, 0, "IV block", seed, sizeof seed, ivs, 2 * ivl) < 0)
        return -1;
    memcpy(iv, ivs + (from_server ? ivl : 0), ivl);
    gnutls_memset(ivs, 0, sizeof ivs);
    return 0;
}

/* A TLS 1.2-or-older key block and where each part of it lies. */
struct key_block {
    const struct suite *s;
    uint16_t version;
    int prf_hash;
    int mac_kind;         /* a MAC-then-cipher suite (CBC, stream, NULL), not an AEAD one */
    size_t mac_len, key_len, iv_len;
    uint8_t bytes[2 * (MAX_HASH + MAX_KEY + BLOCK)];
};

/* The key block of a master secret, 0; or -1 with the reason in err. */
static int key_block(struct key_block *kb, uint16_t version, uint16_t suite, const uint8_t master_secret[48],
                     const uint8_t client_random[32], const uint8_t server_random[32], char *err, size_t errlen)
{
    if (version < V30 || version > V12) {
        seterr(err, errlen, "version 0x%04x is not SSL 3.0 or TLS 1.0-1.2", version);
        return -1;
    }
    const struct suite *s = find_suite(suite);
    if (!s || version < s->min_version || version > s->max_version) {
        seterr(err, errlen, "cipher suite 0x%04x cannot be decrypted in %s", suite,
               version_name(version));
        return -1;
    }
    if (!master_secret || !client_random || !server_random) {
        seterr(err, errlen, "no master secret or random");
        return -1;
    }

    /* RFC 5246 6.3 (RFC 6101 6.2.2 the same): client MAC key, server MAC
     * key, client key, server key, client IV, server IV.  CBC needs the IVs
     * only in SSL 3.0 and TLS 1.0 (TLS 1.1 and 1.2 carry an explicit IV in
     * each record), and since they come last nothing else moves when they
     * are left out.  Export suites make their IVs elsewhere. */
    int mac_kind = s->kind == K_CBC || s->kind == K_STREAM || s->kind == K_NULL;
    kb->s = s;
    kb->version = version;
    kb->mac_kind = mac_kind;
    kb->mac_len = mac_kind ? gnutls_hmac_get_len(s->mac) : 0;
    kb->key_len = s->key_len;
    kb->iv_len = s->kind == K_CBC ? (version <= V10 && !s->export_len ? s->iv_len : 0)
                 : s->kind == K_AEAD_EXPLICIT || s->kind == K_AEAD_XOR ? s->iv_len : 0;
    size_t block_len = 2 * (kb->mac_len + kb->key_len + kb->iv_len);
    uint8_t seed[64]; /* server_random || client_random */
    memcpy(seed, server_random, 32);
    memcpy(seed + 32, client_random, 32);
    kb->prf_hash = version == V12 ? (int)s->hash : 0;
    if (version == V30 ? ssl3_key_block(master_secret, client_random, server_random, kb->bytes, block_len) < 0
                       : tls_prf(kb->prf_hash, master_secret, 48, "key expansion", seed, sizeof seed, kb->bytes,
                                 block_len) < 0) {
        seterr(err, errlen, "GnuTLS cannot compute the %s key block", version_name(version));
        return -1; /* nothing was left in the block */
    }
    return 0;
}

/* One side's record protection from the key block; NULL with the reason in err. */
static struct tlsd *side_of_block(const struct key_block *kb, const uint8_t client_random[32],
                                  const uint8_t server_random[32], int from_server, int etm, char *err,
                                  size_t errlen)
{
    const struct suite *s = kb->s;
    uint16_t version = kb->version;
    size_t mac_len = kb->mac_len, key_len = kb->key_len, iv_len = kb->iv_len;
    int mac_kind = kb->mac_kind;
    const uint8_t *mac_key = kb->bytes + (from_server ? mac_len : 0);
    const uint8_t *key = kb->bytes + 2 * mac_len + (from_server ? key_len : 0);
    const uint8_t *iv = kb->bytes + 2 * mac_len + 2 * key_len + (from_server ? iv_len : 0);
    uint8_t final_key[MAX_KEY], export_iv[BLOCK];

    struct tlsd *d = alloc_state(s, version, err, errlen);
    if (!d)
        goto fail;
    if (s->export_len) {
        if (export_keys(s, version, kb->prf_hash, key, client_random, server_random, from_server, final_key,
                        export_iv) < 0) {
            seterr(err, errlen, "GnuTLS cannot compute the %s export keys", version_name(version));
            goto fail;
        }
        key = final_key;
        key_len = s->export_len;
        iv = export_iv;
        iv_len = version <= V10 && s->kind == K_CBC ? s->iv_len : 0;
    }
    if (mac_kind) {
        int rc;
        d->etm = etm && s->kind == K_CBC && version >= V10 ? 1 : 0; /* RFC 7366 3: block ciphers only */
        d->mac_len = (uint8_t)mac_len;
        d->block = s->kind == K_CBC ? s->iv_len : 0;
        if (iv_len) /* past TLS 1.0 the IV stays zero: never used */
            memcpy(d->iv, iv, iv_len);
        if (s->kind != K_NULL) {
            gnutls_datum_t k = { (unsigned char *)key, (unsigned)key_len };
            gnutls_datum_t v = { d->iv, d->block };
            if ((rc = gnutls_cipher_init(&d->cipher, s->cipher, &k, d->block ? &v : NULL)) < 0) {
                d->cipher = NULL;
                seterr(err, errlen, "GnuTLS cannot use %s: %s", gnutls_cipher_get_name(s->cipher),
                       gnutls_strerror(rc));
                goto fail;
            }
        }
        if (version == V30) { /* RFC 6101 5.2.3.1: a hash, not an HMAC */
            memcpy(d->mac_key, mac_key, mac_len);
            if ((rc = gnutls_hash_init(&d->hash, (gnutls_digest_algorithm_t)s->mac)) < 0) {
                d->hash = NULL;
                seterr(err, errlen, "GnuTLS cannot use %s: %s", gnutls_mac_get_name(s->mac), gnutls_strerror(rc));
                goto fail;
            }
        } else if ((rc = gnutls_hmac_init(&d->hmac, s->mac, mac_key, mac_len)) < 0) {
            d->hmac = NULL;
            seterr(err, errlen, "GnuTLS cannot use HMAC-%s: %s", gnutls_mac_get_name(s->mac),
                   gnutls_strerror(rc));
            goto fail;
        }
    } else {
        memcpy(d->iv, iv, iv_len);
        if (set_aead_key(d, key, err, errlen) < 0)
            goto fail;
    }
    gnutls_memset(final_key, 0, sizeof final_key);
    gnutls_memset(export_iv, 0, sizeof export_iv);
    return d;
fail:
    gnutls_memset(final_key, 0, sizeof final_key);
    gnutls_memset(export_iv, 0, sizeof export_iv);
    tlsd_free(d);
    return NULL;
}

struct tlsd *tlsd_new_tls12(uint16_t version, uint16_t suite, const uint8_t master_secret[48],
                            const uint8_t client_random[32], const uint8_t server_random[32],
                            int from_server, int etm, char *err, size_t errlen)
{
    struct key_block kb;
    struct tlsd *d = NULL;
    if (key_block(&kb, version, suite, master_secret, client_random, server_random, err, errlen) == 0)
        d = side_of_block(&kb, client_random, server_random, from_server, etm, err, errlen);
    gnutls_memset(&kb, 0, sizeof kb);
    return d;
}

int tlsd_new_tls12_pair(uint16_t version, uint16_t suite, const uint8_t master_secret[48],
                        const uint8_t client_random[32], const uint8_t server_random[32], int etm,
                        struct tlsd **client, struct tlsd **server, char *err, size_t errlen)
{
    struct key_block kb;
    *client = *server = NULL;
    if (key_block(&kb, version, suite, master_secret, client_random, server_random, err, errlen) == 0 &&
        (*client = side_of_block(&kb, client_random, server_random, 0, etm, err, errlen)) != NULL &&
        !(*server = side_of_block(&kb, client_random, server_random, 1, etm, err, errlen))) {
        tlsd_free(*client);
        *client = NULL;
    }
    gnutls_memset(&kb, 0, sizeof kb);
    return *client ? 0 : -1;
}

/* RFC 8446 7.3: key and IV from a traffic secret. */
static int set_tls13_secret(struct tlsd *d, const uint8_t *secret, char *err, size_t errlen)
{
    uint8_t key[MAX_KEY], iv[12];
    int rc = -1;
    if (hkdf_expand_label((int)d->s->hash, secret, d->secret_len, "key", NULL, 0, key,
                          d->s->key_len) < 0 ||
        hkdf_expand_label((int)d->s->hash, secret, d->secret_len, "iv", NULL, 0, iv, sizeof iv) < 0)
        seterr(err, errlen, "GnuTLS cannot compute HKDF-Expand-Label");
    else if (set_aead_key(d, key, err, errlen) == 0) {
        memcpy(d->iv, iv, sizeof iv);
        if (d->secret != secret)
            memcpy(d->secret, secret, d->secret_len);
        rc = 0;
    }
    gnutls_memset(key, 0, sizeof key);
    gnutls_memset(iv, 0, sizeof iv);
    return rc;
}

struct tlsd *tlsd_new_tls13(uint16_t suite, const uint8_t *traffic_secret, size_t secret_len,
                            char *err, size_t errlen)
{
    const struct suite *s = find_suite(suite);
    if (!s || s->min_version != V13) {
        seterr(err, errlen, "cipher suite 0x%04x cannot be decrypted in TLS 1.3", suite);
        return NULL;
    }
    size_t hl = gnutls_hmac_get_len(s->hash);
    if (!traffic_secret || secret_len != hl) {
        seterr(err, errlen, "cipher suite 0x%04x needs a %zu-byte traffic secret, not %zu bytes",
               suite, hl, secret_len);
        return NULL;
    }
    struct tlsd *d = alloc_state(s, V13, err, errlen);
    if (!d)
        return NULL;
    d->secret_len = (uint8_t)secret_len;
    if (set_tls13_secret(d, traffic_secret, err, errlen) < 0) {
        tlsd_free(d);
        return NULL;
    }
    return d;
}

int tlsd_key_update(struct tlsd *d)
{
    if (!d || d->version != V13)
        return -1;
    uint8_t next[MAX_HASH];
    int rc = -1;
    /* RFC 8446 7.2: application_traffic_secret_N+1 =
     *   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) */
    if (hkdf_expand_label((int)d->s->hash, d->secret, d->secret_len, "traffic upd", NULL, 0, next,
                          d->secret_len) == 0 &&
        set_tls13_secret(d, next, NULL, 0) == 0) {
        d->seq = 0; /* RFC 8446 5.3: each new key starts at sequence 0 */
        rc = 0;
    }
    gnutls_memset(next, 0, sizeof next);
    return rc;
}

void tlsd_free(struct tlsd *d)
{
    if (!d)
        return;
    if (d->aead)
        gnutls_aead_cipher_deinit(d->aead);
    if (d->cipher)
        gnutls_cipher_deinit(d->cipher);
    if (d->hmac)
        gnutls_hmac_deinit(d->hmac, NULL);
    if (d->hash)
        gnutls_hash_deinit(d->hash, NULL);
    gnutls_memset(d, 0, sizeof *d);
    free(d);
}

/* ---------------------------------------------------------------- records */

/* The nonce of the records that xor the IV with the sequence number
 * (RFC 7905 2, RFC 8446 5.3): the 64-bit number, left-padded to 12 bytes. */
static void xor_nonce(const struct tlsd *d, uint64_t seq, uint8_t nonce[12])
{
    memcpy(nonce, d->iv, 12);
    for (int i = 11; i >= 4; i--, seq >>= 8)
        nonce[i] ^= (uint8_t)seq;
}

/* RFC 5246 6.2.3.1 / 6.2.3.3: seq_num || type || version || length. */
static void tls12_header(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t version, size_t length)
{
    put64(h, seq);
    h[8] = type;
    put16(h + 9, version);
    put16(h + 11, (unsigned)length);
}

static int open_aead(struct tlsd *d, uint64_t seq, uint8_t type, uint16_t version,
                     const uint8_t *in, size_t len, uint8_t *out, size_t *out_len,
                     uint8_t *inner_type)
{
    const struct suite *s = d->s;
    uint8_t nonce[12], aad[13];
    size_t aad_len, skip = 0;
    if (s->kind == K_AEAD_EXPLICIT) {
        /* RFC 5288 3 / RFC 6655 3: salt (key block) || nonce_explicit (record) */
        skip = 8;
        if (len < skip + s->tag_len)
            return -1;
        memcpy(nonce, d->iv, 4);
        memcpy(nonce + 4, in, 8);
    } else {
        if (len < s->tag_len)
            return -1;
        xor_nonce(d, seq, nonce);
    }
    if (d->version == V13) {
        /* RFC 8446 5.2: the additional data is the record header itself */
        aad[0] = type;
        put16(aad + 1, version);
        put16(aad + 3, (unsigned)len);
        aad_len = 5;
    } else {
        tls12_header(aad, seq, type, version, len - skip - s->tag_len);
        aad_len = 13;
    }
    size_t n = len;
    if (gnutls_aead_cipher_decrypt(d->aead, nonce, sizeof nonce, aad, aad_len, s->tag_len,
                                   in + skip, len - skip, out, &n) < 0)
        return -1;
    if (d->version != V13) {
        *inner_type = type;
        *out_len = n;
        return 0;
    }
    /* RFC 8446 5.2/5.4: TLSInnerPlaintext = content || type || zeros; the
     * type is the last non-zero byte, and a record without one is malformed. */
    while (n > 0 && out[n - 1] == 0)
        n--;
    if (n == 0)
        return -1;
    *inner_type = out[n - 1];
    out[n - 1] = 0;
    *out_len = n - 1;
    return 0;
}

/* SSL 3.0's MAC (RFC 6101 5.2.3.1): hash(key || pad_2 || hash(key || pad_1 ||
 * seq || type || length || data)), pad_1 = 0x36 and pad_2 = 0x5c repeated 48
 * times for MD5, 40 for SHA-1.  No version in it. */
static int ssl3_mac(struct tlsd *d, uint64_t seq, uint8_t type, const uint8_t *data, size_t len, uint8_t *mac)
{
    static const uint8_t pad1[48] = {
        0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36,
        0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36,
        0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36, 0x36,
    };
    static const uint8_t pad2[48] = {
        0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
        0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
        0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
    };
    size_t ml = d->mac_len, pl = ml == 16 ? 48 : 40;
    uint8_t h[11], inner[MAX_HASH];
    put64(h, seq);
    h[8] = type;
    put16(h + 9, (unsigned)len);
    int rc = gnutls_hash(d->hash, d->mac_key, ml) < 0 || gnutls_hash(d->hash, pad1, pl) < 0 ||
                     gnutls_hash(d->hash, h, sizeof h) < 0 || (len && gnutls_hash(d->hash, data, len) < 0)
                 ? -1 : 0;
    gnutls_hash_output(d->hash, inner); /* also resets the handle */
    if (gnutls_hash(d->hash, d->mac_key, ml) < 0 || gnutls_hash(d->hash, pad2, pl) < 0 ||
        gnutls_hash(d->hash, inner, ml) < 0)
        rc = -1;
    gnutls_hash_output(d->hash, mac);
    return rc;
}

/* The record MAC into mac: TLS's HMAC(mac_key, seq || type || version ||
 * length || data) (RFC 5246 6.2.3.1), or SSL 3.0's. */
static int record_mac(struct tlsd *d, uint64_t seq, uint8_t type, uint16_t version,
                      const uint8_t *data, size_t len, uint8_t *mac)
{
    if (d->version == V30)
        return ssl3_mac(d, seq, type, data, len, mac);
    uint8_t h[13];
    tls12_header(h, seq, type, version, len);
    int rc = hmac_add(d->hmac, h, sizeof h) < 0 || hmac_add(d->hmac, data, len) < 0 ? -1 : 0;
    gnutls_hmac_output(d->hmac, mac); /* also resets the handle for the next record */
    return rc;
}

static int open_cbc(struct tlsd *d, uint64_t seq, uint8_t type, uint16_t version,
                    const uint8_t *in, size_t len, uint8_t *out, size_t *out_len)
{
    const size_t ml = d->mac_len, bs = d->block;
    const size_t ivl = d->version >= V11 ? bs : 0; /* explicit IV in the record */
    uint8_t iv[BLOCK], mac[MAX_HASH];
    /* MAC-then-encrypt: IV || E(content || MAC || padding); the padded
     * plaintext holds at least the MAC and the padding length byte.
     * Encrypt-then-MAC: IV || E(content || padding) || MAC. */
    size_t ct_len;
    if (d->etm) {
        if (len < ivl + bs + ml || (len - ivl - ml) % bs)
            return -1;
        ct_len = len - ivl - ml;
    } else {
        if (len < ivl + ((ml + 1 + bs - 1) / bs) * bs || (len - ivl) % bs)
            return -1;
        ct_len = len - ivl;
    }
    const uint8_t *ct = in + ivl;
    memcpy(iv, ivl ? in : d->iv, bs);
    if (!ivl) /* SSL 3.0, TLS 1.0: the next record chains on from this one, whatever it holds */
        memcpy(d->iv, ct + ct_len - bs, bs);

    if (d->etm) { /* RFC 7366 3: the MAC covers IV and ciphertext; check it before decrypting */
        if (record_mac(d, seq, type, version, in, ivl + ct_len, mac) < 0 ||
            gnutls_memcmp(mac, in + ivl + ct_len, ml) != 0)
            return -1;
    }
    gnutls_cipher_set_iv(d->cipher, iv, bs);
    if (gnutls_cipher_decrypt2(d->cipher, ct, ct_len, out, ct_len) < 0)
        return -1;
    /* RFC 5246 6.2.3.2: padding_length bytes of value padding_length, then
     * padding_length itself (TLS 1.0 asks the same, RFC 2246 6.2.3.2).
     * SSL 3.0 (RFC 6101 5.2.3.2): any padding bytes, shorter than a block. */
    size_t pad = out[ct_len - 1];
    if (pad + 1 + (d->etm ? 0 : ml) > ct_len || (d->version == V30 && pad >= bs))
        return -1;
    for (size_t i = ct_len - 1 - pad; d->version != V30 && i < ct_len - 1; i++)
        if (out[i] != pad)
            return -1;
    size_t content_len = ct_len - 1 - pad - (d->etm ? 0 : ml);
    if (!d->etm) {
        if (record_mac(d, seq, type, version, out, content_len, mac) < 0 ||
            gnutls_memcmp(mac, out + content_len, ml) != 0)
            return -1;
    }
    /* What follows the content (MAC, padding) is not for the caller. */
    memset(out + content_len, 0, ct_len - content_len);
    *out_len = content_len;
    return 0;
}

/* RC4 (RFC 5246 6.2.3.1) and NULL: content || MAC, enciphered by the key
 * stream or not at all.  RC4's stream moves on whatever the record holds. */
static int open_stream(struct tlsd *d, uint64_t seq, uint8_t type, uint16_t version,
                       const uint8_t *in, size_t len, uint8_t *out, size_t *out_len)
{
    const size_t ml = d->mac_len;
    uint8_t mac[MAX_HASH];
    if (d->cipher) {
        if (gnutls_cipher_decrypt2(d->cipher, in, len, out, len) < 0)
            return -1;
    } else if (len) {
        memcpy(out, in, len);
    }
    if (len < ml)
        return -1;
    size_t content_len = len - ml;
    if (record_mac(d, seq, type, version, out, content_len, mac) < 0 ||
        gnutls_memcmp(mac, out + content_len, ml) != 0)
        return -1;
    memset(out + content_len, 0, ml);
    *out_len = content_len;
    return 0;
}

int tlsd_decrypt(struct tlsd *d, uint8_t content_type, uint16_t record_version,
                 const uint8_t *in, size_t len, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    if (!d)
        return -1;
    uint64_t seq = d->seq++;
    if (!in || !out || !out_len || !inner_type)
        return -1;
    int rc = -1;
    if (len <= MAX_RECORD_BODY) {
        switch (d->s->kind) {
        case K_CBC:
            rc = open_cbc(d, seq, content_type, record_version, in, len, out, out_len);
            break;
        case K_STREAM:
        case K_NULL:
            rc = open_stream(d, seq, content_type, record_version, in, len, out, out_len);
            break;
        default:
            rc = open_aead(d, seq, content_type, record_version, in, len, out, out_len, inner_type);
            break;
        }
        if (rc == 0 && d->s->kind != K_AEAD_EXPLICIT && d->s->kind != K_AEAD_XOR)
            *inner_type = content_type;
    }
    if (rc < 0) {
        memset(out, 0, len);
        *out_len = 0;
    }
    return rc;
}
