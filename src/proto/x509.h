/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x509.h - the server's certificate chain as the client would judge it:
 * parsed with GnuTLS (subject, issuer, subjectAltNames, validity, key,
 * signature algorithm, serial number, SHA-256 fingerprint) and verified against the system trust store or a CA
 * file, at the time of the capture, with the hostname checked against SNI.
 * Errors come back as text in a caller's buffer; nothing here prints.
 */
#ifndef SYNFIN_X509_H
#define SYNFIN_X509_H

#include <stddef.h>
#include <stdint.h>

#include "namelist.h"

/* The verdict vocabulary is a contract (synfin(1)): never rename one. */
enum cert_verdict {
    CERT_OK,
    CERT_EXPIRED,
    CERT_NOT_YET_VALID,
    CERT_UNTRUSTED,
    CERT_SELF_SIGNED,
    CERT_HOSTNAME_MISMATCH,
    CERT_BAD_SIGNATURE,
    CERT_MALFORMED,        /* a certificate GnuTLS cannot parse */
    CERT_VERDICT_COUNT
};
/* "ok", "expired", "not-yet-valid", "untrusted", "self-signed",
 * "hostname-mismatch", "bad-signature", "malformed". */
const char *cert_verdict_name(enum cert_verdict v);

#define CERT_NAME_MAX 256
#define CERT_SANS_MAX 512

struct cert_info {
    char subject[CERT_NAME_MAX];   /* RFC 4514 string, e.g. "CN=www.example.com,O=Example" */
    char issuer[CERT_NAME_MAX];
    uint8_t sans[CERT_SANS_MAX];   /* DNS names exactly as sent and IP addresses as text: a list
                                    * (namelist.h), whole names up to the cap */
    int64_t not_before, not_after; /* epoch seconds */
    char key_type[16];             /* "RSA", "ECDSA", "Ed25519", ... */
    unsigned key_bits;
    char sig_alg[48];              /* "RSA-SHA256", "ECDSA-SHA384", ... (GnuTLS's names) */
    int self_signed;               /* subject == issuer and it verifies itself */
    uint8_t sha256[32];            /* SHA-256 of the DER (when has_sha256) */
    uint8_t has_sha256;
    uint8_t serial_len;            /* 0: no serial kept (absent, or longer than 32 bytes) */
    uint8_t serial[32];            /* the serial number's bytes, big-endian as encoded */
};

/* Parse one DER certificate; 0 on success, -1 when it is not one. */
int x509_parse(const uint8_t *der, size_t len, struct cert_info *out);

/* The same through a cache of the leaves parsed last (what --no-verify shows); lc may be NULL. */
struct x509_leaf_cache;
struct x509_leaf_cache *x509_leaf_cache_new(void);
void x509_leaf_cache_free(struct x509_leaf_cache *lc);
int x509_parse_cached(struct x509_leaf_cache *lc, const uint8_t *der, size_t len, struct cert_info *out);

struct x509_verifier;

/* Trust anchors: `ca_file` (PEM or DER, one or many), or the system store when NULL.
 * NULL with a message in err (at least 256 bytes) when they cannot be loaded. */
struct x509_verifier *x509_verifier_new(const char *ca_file, char *err, size_t errlen);
/* The anchors of a PEM bundle, each parsed only when a chain names it (trust_index.h): how
 * the system store is read.  Same verdicts as x509_verifier_new(bundle). */
struct x509_verifier *x509_verifier_new_lazy(const char *bundle, char *err, size_t errlen);
void x509_verifier_free(struct x509_verifier *v);

/*
 * Verify the chain as sent by the server (leaf first) at time `when`
 * (epoch seconds: the capture's), checking `hostname` (SNI; NULL or "" to
 * skip the check, as a client that sent no SNI cannot check it).  When
 * several problems exist, the most telling one is returned, in this order:
 * malformed, bad-signature, self-signed, untrusted, expired, not-yet-valid,
 * hostname-mismatch.
 */
enum cert_verdict x509_verify_chain(struct x509_verifier *v, const uint8_t *const *der, const size_t *len,
                                    size_t n, const char *hostname, int64_t when);

/*
 * What the analyzer needs of a server's chain in one call: the leaf parsed
 * (*leaf_ok says whether it could be) and the verdict, remembered per chain
 * and hostname so that the thousandth connection to a server costs a hash.
 */
enum cert_verdict x509_check_server(struct x509_verifier *v, const uint8_t *const *der, const size_t *len, size_t n,
                                    const char *hostname, int64_t when, struct cert_info *leaf, int *leaf_ok);

#endif
