/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsdecrypt.h - TLS record protection undone, one direction at a time,
 * given the secrets of a key log (keylog.h): the SSL 3.0 key block and
 * export keys (RFC 6101 6.2.2), the TLS 1.0-1.2 key block (RFC 2246 5 and
 * 6.3, with 6.3.1's export keys; RFC 4346 5, RFC 5246 5 and 6.3), the TLS
 * 1.3 traffic keys (RFC 8446 7.1-7.3), and the record ciphers: CBC (AES,
 * Camellia, 3DES, DES, DES40) with HMAC or SSL 3.0's MAC, MAC-then-encrypt
 * (RFC 5246 6.2.3.2) or encrypt-then-MAC (RFC 7366), the RC4 stream and
 * NULL with a MAC (RFC 5246 6.2.3.1), AES-GCM, Camellia-GCM and AES-CCM
 * (RFC 5288, RFC 6367, RFC 6655, RFC 7251), ChaCha20-Poly1305 (RFC 7905)
 * and the TLS 1.3 AEAD record (RFC 8446 5.2-5.3).
 *
 * All cryptography is GnuTLS's (gnutls/crypto.h); this module only builds
 * nonces, additional data and MAC inputs, and checks what comes out.
 * Nothing here prints: constructors explain a refusal in the caller's
 * buffer, tlsd_decrypt says only whether the record authenticated.
 */
#ifndef SYNFIN_TLSDECRYPT_H
#define SYNFIN_TLSDECRYPT_H

#include <stddef.h>
#include <stdint.h>

struct tlsd; /* one direction's record protection state */

/* Does synfin know how to decrypt this suite (IANA number) at this version
 * (0x0300 SSL 3.0 .. 0x0304 TLS 1.3)?  1 yes, 0 no.  Supported: every suite
 * whose cipher GnuTLS runs, whatever its key exchange (the record layer
 * does not depend on it): AES, Camellia, 3DES, DES and DES40 in CBC mode,
 * RC4-128, RC4-40 and NULL, with an MD5 or SHA-1 MAC (SSL 3.0-TLS 1.2) or
 * SHA-256/384 (TLS 1.2); every AES-GCM, Camellia-GCM, AES-CCM, AES-CCM-8
 * and ChaCha20-Poly1305 suite of TLS 1.2; the five TLS 1.3 suites
 * 0x1301-0x1305.  Not: SEED, IDEA, ARIA, GOST, RC2-40 (see
 * tlsd_unsupported_note). */
int tlsd_suite_supported(uint16_t version, uint16_t suite);

/* A NULL-cipher suite's records are the plaintext and a MAC: its length
 * (16 MD5, 20 SHA-1, 32 SHA-256, 48 SHA-384), so that a reader without
 * keys can cut it off unchecked; 0 for every other suite. */
size_t tlsd_null_mac_len(uint16_t version, uint16_t suite);

/* Why a (version, suite) that tlsd_suite_supported refuses is not
 * decrypted, in one line for tls.decrypt_note: the cipher GnuTLS lacks
 * ("TLS_RSA_WITH_SEED_CBC_SHA: GnuTLS has no SEED"), or a suite the
 * version does not allow. */
void tlsd_unsupported_note(uint16_t version, uint16_t suite, char *buf, size_t len);

/* SSL 3.0-TLS 1.2: derive the key block from the 48-byte master secret with
 * the version's PRF (TLS 1.2: P_SHA256, or P_SHA384 for the suites whose PRF
 * hash is SHA-384; TLS 1.0/1.1: MD5 xor SHA-1; SSL 3.0: its MD5/SHA-1 salts;
 * export suites expand their keys after) and keep what `from_server`
 * (0: the client) writes with.  etm: encrypt_then_mac (RFC 7366) was
 * negotiated (ignored for AEAD suites, as RFC 7366 section 3 says).
 * NULL with a one-line message in err (errlen bytes) when the suite or
 * version is unsupported or GnuTLS refuses. */
struct tlsd *tlsd_new_tls12(uint16_t version, uint16_t suite, const uint8_t master_secret[48],
                            const uint8_t client_random[32], const uint8_t server_random[32],
                            int from_server, int etm, char *err, size_t errlen);

/* The same for both sides at once, from one key block: the PRF runs once
 * instead of twice.  0 with *client and *server set, or -1 with both NULL
 * and the reason in err. */
int tlsd_new_tls12_pair(uint16_t version, uint16_t suite, const uint8_t master_secret[48],
                        const uint8_t client_random[32], const uint8_t server_random[32], int etm,
                        struct tlsd **client, struct tlsd **server, char *err, size_t errlen);

/* TLS 1.3: the key and IV of a traffic secret (HKDF-Expand-Label "key" and
 * "iv" with the suite's hash); secret_len must be that hash's length. */
struct tlsd *tlsd_new_tls13(uint16_t suite, const uint8_t *traffic_secret, size_t secret_len,
                            char *err, size_t errlen);

/* Decrypt one whole record: its header fields and its body `in` of `len`
 * bytes, into `out` (room for len bytes; must not overlap `in`).  Sequence
 * numbers are kept inside, starting at 0.  TLS 1.3: *inner_type is the
 * inner content type and the zero padding is removed; TLS <= 1.2:
 * *inner_type = content_type.  Returns 0 with the plaintext length in
 * *out_len, or -1 when the record does not authenticate or is malformed;
 * then out holds nothing readable (it is zeroed), and only the sequence
 * number (and, for SSL 3.0/TLS 1.0 CBC, the chained IV, for RC4 the key
 * stream: the sender's cipher state moved on too) advances. */
int tlsd_decrypt(struct tlsd *d, uint8_t content_type, uint16_t record_version,
                 const uint8_t *in, size_t len, uint8_t *out, size_t *out_len, uint8_t *inner_type);

/* TLS 1.3 KeyUpdate (RFC 8446 7.2): move to the next traffic secret
 * (HKDF-Expand-Label "traffic upd") and restart the sequence at 0.
 * 0, or -1 (state unchanged) for a TLS 1.2 state or a GnuTLS failure. */
int tlsd_key_update(struct tlsd *d);

/* Zeroes the keys and frees; NULL is fine. */
void tlsd_free(struct tlsd *d);

/* Exposed for tests against published vectors.  Both return 0, or -1 on
 * bad arguments or a GnuTLS failure. */

/* The TLS PRF: hash is GNUTLS_MAC_SHA256 or GNUTLS_MAC_SHA384 (TLS 1.2,
 * RFC 5246 5), or 0 for the MD5 xor SHA-1 PRF of TLS 1.0/1.1 (RFC 2246 5). */
int tls_prf(int hash, const uint8_t *secret, size_t secret_len, const char *label,
            const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);

/* RFC 8446 7.1: HKDF-Expand(secret, HkdfLabel, out_len), the label given
 * without its "tls13 " prefix; hash is GNUTLS_MAC_SHA256 or SHA384. */
int hkdf_expand_label(int hash, const uint8_t *secret, size_t secret_len, const char *label,
                      const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len);

#endif
