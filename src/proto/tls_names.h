/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls_names.h - names from the IANA TLS registries (cipher suites, alerts,
 * handshake types, extensions, supported groups, signature schemes,
 * versions), as RFCs and IANA spell them.  Plain lookups: a value with no
 * registered name returns NULL and the caller prints the number.
 */
#ifndef SYNFIN_TLS_NAMES_H
#define SYNFIN_TLS_NAMES_H

#include <stdint.h>

/* "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" (IANA Description column), or NULL. */
const char *tls_cipher_name(uint16_t suite);
/* The suite authenticates no server certificate: anonymous (DH_anon, ECDH_anon)
 * or pure/ECDHE/DHE PSK; RSA_PSK does send a certificate, so it is not one. */
int tls_cipher_is_certless(uint16_t suite);
/* "close_notify", "handshake_failure", ... (RFC 8446 section 6), or NULL. */
const char *tls_alert_name(uint8_t description);
/* "warning", "fatal", or NULL. */
const char *tls_alert_level_name(uint8_t level);
/* "ClientHello", "ServerHello", "NewSessionTicket", "Certificate", ...
 * in the RFCs' CamelCase; HelloRetryRequest is a ServerHello on the wire
 * and is named by the parser, not here.  NULL when unknown. */
const char *tls_handshake_name(uint8_t type);
/* "server_name", "application_layer_protocol_negotiation", ..., or NULL. */
const char *tls_extension_name(uint16_t type);
/* "x25519", "secp256r1", "ffdhe2048", ..., or NULL. */
const char *tls_group_name(uint16_t group);
/* "rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256", ..., or NULL. */
const char *tls_sigscheme_name(uint16_t scheme);
/* "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3", "SSL 2.0"; TLS 1.3
 * drafts 0x7f12.. as "TLS 1.3 (draft 18)" and Facebook's 0xfb1a.. as
 * "TLS 1.3 (Facebook draft 26)" into buf; NULL for anything else. */
const char *tls_version_name(uint16_t version, char *buf, unsigned len);
/* RFC 8701 GREASE values (0x0a0a, 0x1a1a, ... 0xfafa). */
int tls_is_grease(uint16_t v);
/* 1 when the extension, group and signature scheme tables are in increasing
 * order, as their binary search needs (for the tests). */
int tls_names_sorted(void);

#endif
