/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls.h - TLS on a reassembled TCP connection, as a passive observer sees
 * it without keys: the record layer (SSL 3.0 to TLS 1.3, and the
 * SSLv2-compatible ClientHello), handshake messages reassembled across
 * records and segments, the ClientHello and ServerHello fields, the
 * server's certificate chain (verified through x509.c), alerts, and the
 * handshake's verdict.  Incremental and allocation-light: fed stream bytes
 * as they arrive, it buffers only a handshake message it must read
 * (hellos, certificates), and counts application data without keeping it.
 */
#ifndef SYNFIN_TLS_H
#define SYNFIN_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "keylog.h"
#include "namelist.h"
#include "x509.h"

/* Is this the start of a TLS (or SSLv2-compatible hello) byte stream?
 * 1 yes, 0 no, -1 need more bytes. */
int tls_sniff(const uint8_t *p, size_t n);

/* The handshake verdict vocabulary is a contract (synfin(1)). */
enum tls_hs_kind {
    TLS_HS_FULL,        /* a certificate-authenticated handshake completed */
    TLS_HS_RESUMED,     /* session id, ticket, or TLS 1.3 PSK accepted */
    TLS_HS_ANONYMOUS,   /* completed without a certificate: anon (EC)DH or PSK suite */
    TLS_HS_FAILED,      /* an alert or a RST ended it before Finished */
    TLS_HS_INCOMPLETE,  /* the capture ended first */
    TLS_HS_COUNT
};
const char *tls_hs_kind_name(enum tls_hs_kind k);

/* Codes in tls_summary.msgs beyond the handshake types, for messages that
 * share a type number with another: a HelloRetryRequest (a ServerHello on
 * the wire), SSL 2.0's CLIENT-MASTER-KEY, and the HelloRetryRequest of TLS
 * 1.3 drafts up to 21 (handshake type 6). */
enum { TLS_MSG_HRR = 0xf0, TLS_MSG_V2_CLIENT_MASTER_KEY = 0xf2, TLS_MSG_HRR_DRAFT = 0xf6 };
/* "ClientHello", "HelloRetryRequest", "ClientMasterKey", ..., NULL when unknown. */
const char *tls_msg_name(uint8_t code);

/* Caps on what a ClientHello's lists keep (JA3/JA4 count past them). */
#define TLS_LIST_MAX 64
#define TLS_MSGS_MAX 48
/* The ServerHello's extensions kept in order, for JA3S and JA4S. */
#define TLS_SH_EXT_MAX 32
/* The longest JA3 string kept beside its hash (a longer one is not kept). */
#define TLS_JA3_STRING_MAX 1024

struct tls_list {
    uint16_t v[TLS_LIST_MAX];
    uint8_t n;          /* kept */
    uint16_t total;     /* seen (GREASE included) */
};

struct tls_client_hello {
    uint16_t legacy_version;
    uint8_t random[32];
    struct tls_list ciphers, extensions, groups, key_share, sigalgs, versions;
    uint8_t point_formats[16], n_point_formats;
    char sni[256];           /* the first host_name exactly as sent (up to 255 bytes, NULs too), NUL-terminated */
    uint8_t sni_len;         /* its length: 0 when none was sent */
    uint8_t alpn[128];       /* the offered protocols exactly as sent, a list (namelist.h) */
    uint8_t session_id_len;
    uint8_t session_id[32];
    uint8_t ticket_offered;  /* session_ticket extension with a ticket in it */
    uint8_t psk_offered;     /* pre_shared_key extension */
    uint8_t early_data;
};

struct tls_server_hello {
    uint16_t legacy_version;
    uint8_t random[32];
    uint8_t etm;                 /* encrypt_then_mac (RFC 7366) agreed */
    uint16_t selected_version;   /* supported_versions, else legacy_version */
    uint16_t cipher;
    uint8_t session_id_len;
    uint8_t session_id[32];
    uint8_t hello_retry;         /* it was a HelloRetryRequest */
    uint8_t psk_accepted;        /* pre_shared_key in a TLS 1.3 ServerHello */
    uint16_t key_share_group;
    uint8_t compression;         /* the compression method: 0 null, 1 DEFLATE (RFC 3749) */
    uint8_t alpn_in_hello;       /* alpn came in the ServerHello itself (not EncryptedExtensions) */
    uint8_t n_ext;               /* extensions kept in ext, in wire order */
    uint16_t ext_total;          /* extensions in the hello */
    uint16_t ext[TLS_SH_EXT_MAX];
    uint8_t alpn[64];            /* the protocol chosen (one, RFC 7301 3.1), a list (namelist.h) */
};

/* How the server was authenticated (tls.auth): by its certificate, by a
 * pre-shared key (PSK suites, TLS 1.3 PSK), or not at all (anon suites). */
enum tls_auth { TLS_AUTH_UNKNOWN, TLS_AUTH_CERTIFICATE, TLS_AUTH_PSK, TLS_AUTH_ANONYMOUS };
/* "certificate", "psk", "anonymous", or NULL before a ServerHello. */
const char *tls_auth_name(enum tls_auth a);

/* Everything the model and the outputs know of one connection's TLS. */
struct tls_summary {
    /* per record: first, so that they share a cache line with the parser's state */
    uint64_t records[2], bytes[2];      /* per direction: [0] client to server */
    uint64_t app_records[2], app_bytes[2];
    uint16_t version;            /* the version in use: ServerHello's choice, else 0 */
    uint8_t established;         /* both Finished seen (or inferred, for TLS 1.3 without keys) */
    uint8_t encrypted_alerts;
    uint8_t seen_client_hello, seen_server_hello, sslv2_hello;
    struct tls_client_hello ch;
    struct tls_server_hello sh;
    enum tls_hs_kind handshake;
    uint32_t certificates;       /* certificates in the server's chain (when visible) */
    uint8_t cert_seen;
    uint8_t cert_verified;       /* cert_verdict holds a result */
    enum cert_verdict cert_verdict;
    struct cert_info leaf;       /* the server's certificate, parsed */
    uint8_t alert_seen, alert_level, alert_desc; /* the first alert in clear */
    uint8_t encrypted_alert_before_established;
    uint8_t rst_before_established;
    char ja3[33], ja4[40];
    char ja3_string[TLS_JA3_STRING_MAX];  /* what ja3 hashes; empty when longer than the cap */
    enum tls_auth auth;
    uint16_t group;                     /* the key exchange's named group (ServerHello key_share,
                                         * or a TLS 1.2 ECDHE ServerKeyExchange), 0 when none */
    uint8_t msgs[TLS_MSGS_MAX];         /* readable handshake message types, in wire order */
    uint8_t msg_from_server[TLS_MSGS_MAX];
    uint8_t n_msgs;
    uint8_t malformed;                  /* parsing stopped: the note says where */
    char note[96];
    /* decryption (with a key log) */
    uint8_t keys_offered;               /* a key log was given: decryption was attempted */
    uint8_t decrypt_failed;             /* keys missing or wrong: decrypt_note says which */
    uint64_t decrypted_records;
    char decrypt_note[96];
    /* the clear-text protocol or tunnel TLS started inside ("smtp", "http-connect"; static), or NULL */
    const char *upgraded_from;
};

/* One step of the handshake for the ladder, reported as it is parsed. */
enum tls_event_kind {
    TLS_EV_HANDSHAKE,       /* code: handshake type (a HelloRetryRequest has code 2 and hrr set) */
    TLS_EV_CCS,
    TLS_EV_ALERT,           /* code: level << 8 | description; code 0xffff: encrypted */
    TLS_EV_ENCRYPTED_HS,    /* a handshake record we cannot read */
    TLS_EV_APP_DATA,        /* code: records in this run */
    TLS_EV_ESTABLISHED,     /* the session is established after this point */
    TLS_EV_MALFORMED,
};
struct tls_event {
    enum tls_event_kind kind;
    int from_server;
    uint16_t code;
    const char *label;      /* ready to print: "Certificate (2, ok)", "Alert fatal bad_certificate" */
    const uint8_t *data;    /* decrypted: the plaintext shown in the detail pane (else NULL) */
    size_t data_len;
};
typedef void (*tls_event_fn)(void *ctx, const struct tls_event *ev);

/* Verification setup shared by all connections (owned by the caller). */
/* Fingerprints of ClientHellos already seen, shared by all connections of a
 * run: most clients are a few programs sending the same hello again and
 * again, and JA3 and JA4 hash a lot for a short answer. */
struct tls_fp_cache; /* tls_fingerprint.c */
struct tls_fp_cache *tls_fp_cache_new(void);
void tls_fp_cache_free(struct tls_fp_cache *fc);

struct tls_config {
    struct x509_verifier *(*verifier)(void *ctx); /* lazily loaded trust store, or NULL: no verification */
    /* may be NULL (always ready): 0 while verifier() would still wait for the
     * store to load; then, when nobody listens for the Certificate's label,
     * its check is put off (the message kept) instead of waiting */
    int (*verifier_ready)(void *ctx);
    void *verifier_ctx;
    /* the key log: a secret by client random and label (NULL: no key log, nothing decrypted) */
    const uint8_t *(*secret)(void *ctx, const uint8_t client_random[32], enum keylog_label label, size_t *len);
    void *secret_ctx;
    /* decrypted application data, in order, for the protocol inside (HTTP) */
    void (*plaintext)(void *ctx, int from_server, const uint8_t *p, size_t n);
    void *plaintext_ctx;
    struct tls_fp_cache *fingerprints;            /* may be NULL: computed every time */
    struct x509_leaf_cache *leaves;               /* the leaf's parse without verifier(); may be NULL */
    size_t max_message;     /* largest handshake message buffered (default 256 KiB) */
};

struct tls_conn;

struct tls_conn *tls_new(const struct tls_config *cfg, tls_event_fn on_event, void *ctx);
/* Stream bytes from the client (from_server=0) or the server, at time now_s (for verification). */
void tls_data(struct tls_conn *t, int from_server, const uint8_t *p, size_t n, int64_t now_s);
/* Bytes missing from a direction: record framing is lost there. */
void tls_gap(struct tls_conn *t, int from_server);
/* A RST was seen: before Finished, the handshake failed. */
void tls_rst(struct tls_conn *t);
/* The connection ended: settle the handshake verdict. */
void tls_end(struct tls_conn *t);
const struct tls_summary *tls_summary_of(const struct tls_conn *t);
/* TLS started inside another protocol (STARTTLS, a tunnel): its name, a static string (tls.upgraded_from). */
void tls_set_upgraded_from(struct tls_conn *t, const char *name);
/* The handshake in the words a person reads (ladder, list, summary): the
 * tls.handshake vocabulary, except "PSK" for a PSK handshake that
 * tls.handshake calls "anonymous" (completed without a certificate). */
const char *tls_hs_display_name(const struct tls_summary *s);
/* Bytes this parser holds now (for the memory cap). */
size_t tls_memory(const struct tls_conn *t);
void tls_free(struct tls_conn *t);

#endif
