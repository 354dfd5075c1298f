/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x509.c - the server's certificate chain judged as a client would (see
 * x509.h).  This file owns every GnuTLS X.509 object synfin makes: the
 * trust list behind a verifier, and the certificates parsed for one call,
 * which are freed before that call returns.  Nothing here prints; errors
 * come back as text or as a verdict.
 *
 * Why the time checks are done by hand: a capture is judged at the time it
 * was taken, not at the time it is read, and GnuTLS can only verify "now"
 * (gnutls_time(); no trust-list or crt verify function takes a time).  So
 * the chain is verified with GNUTLS_VERIFY_DISABLE_TIME_CHECKS and
 * GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, and the validity windows are
 * compared with `when` here, over the path this file builds itself
 * (build_path below): the leaf and every certificate the server sent that
 * leads from it to the trust anchor.  The anchor's own window is not
 * checked (RFC 5280 section 6.1: the anchor is an input of path validation,
 * not part of the path; and a capture read years later should not turn
 * "expired" because a root in today's store has lapsed).  A leaf that is
 * itself an anchor (a pinned self-signed certificate in the CA file) is
 * still checked: it is what the server presented.  A window is inclusive at
 * both ends, as in RFC 5280 section 4.1.2.5.
 *
 * Signatures inside the chain are checked by hand as well: GnuTLS stops at
 * the first untrusted link and never looks at the signatures below it, and
 * x509.h ranks bad-signature above self-signed and untrusted.
 *
 * Choices the header leaves open:
 *  - n == 0 (or no arrays) is CERT_MALFORMED: there is nothing to verify.
 *    Callers do not do that.
 *  - Only the first X509_CHAIN_MAX (16) certificates are looked at, GnuTLS's
 *    own limit for sorting a chain (DEFAULT_MAX_VERIFY_DEPTH); the rest are
 *    ignored, not even parsed.
 *  - "self-signed" means the leaf is: issued by itself and its signature
 *    not proven bad.  A chain that ends in a private root the client does
 *    not know is "untrusted".
 *  - "untrusted" covers every other reason GnuTLS rejects the chain: no
 *    path to an anchor, a signer that is not a CA, an insecure signature
 *    algorithm (SHA-1), name or path-length constraints, unknown critical
 *    extensions, a leaf whose extended key usage excludes TLS servers.
 *  - A certificate whose validity time GnuTLS cannot read counts as not yet
 *    valid / expired, as in GnuTLS's own check.
 */
#include "x509.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "trust_index.h"

#define X509_CHAIN_MAX 16
#define CA_FILE_MAX (64u << 20) /* a CA bundle larger than this is not one */

/*
 * Servers send the same chain to every client, so a capture holds the same
 * few chains thousands of times.  A verdict splits into what time cannot
 * change (signatures, trust) and the path's validity window; the cache
 * keeps both per chain, with the parsed leaf, so a hit costs a fast hash
 * and a comparison of the chain's bytes, a hostname match on the kept names
 * and a comparison with the window (one chain serves many names: the
 * hostname is checked per call).
 */
#define CACHE_SLOTS 256

struct cached_verdict {
    uint64_t hash;             /* of the chain's bytes: picks the slot, and a cheap first check */
    uint8_t *chain;            /* the chain itself, each certificate after its 4-byte length */
    size_t chain_len;
    uint8_t used;
    enum cert_verdict timeless; /* bad-signature, self-signed, untrusted, or ok so far */
    int64_t not_before, not_after; /* the path's window: latest start, earliest end */
    gnutls_x509_crt_t leaf_crt; /* kept for what the name list cannot answer (IP addresses) */
    char **names;              /* the leaf's DNS subjectAltNames, or its CN when it has none */
    size_t n_names;
    struct cert_info leaf;
    int leaf_ok;
};

static void clear_slot(struct cached_verdict *slot);

struct x509_verifier {
    gnutls_x509_trust_list_t tl;
    struct trust_index *index; /* anchors not in tl until a chain names them; NULL: all are in tl */
    unsigned anchors;
    struct cached_verdict *cache; /* CACHE_SLOTS entries, or NULL when it could not be had */
    uint64_t hits, misses;
};

static const char *const verdict_names[CERT_VERDICT_COUNT] = {
    [CERT_OK] = "ok",
    [CERT_EXPIRED] = "expired",
    [CERT_NOT_YET_VALID] = "not-yet-valid",
    [CERT_UNTRUSTED] = "untrusted",
    [CERT_SELF_SIGNED] = "self-signed",
    [CERT_HOSTNAME_MISMATCH] = "hostname-mismatch",
    [CERT_BAD_SIGNATURE] = "bad-signature",
    [CERT_MALFORMED] = "malformed",
};

const char *cert_verdict_name(enum cert_verdict v)
{
    if ((unsigned)v >= CERT_VERDICT_COUNT)
        return "unknown";
    return verdict_names[v];
}

/* ---------------------------------------------------------------- strings */

/* Copy len bytes into dst[cap] as a C string: NULs become '?', and a cut
 * at the cap backs off to a UTF-8 character boundary. */
static void copy_cut(char *dst, size_t cap, const unsigned char *src, size_t len)
{
    if (cap == 0)
        return;
    size_t n = len;
    if (n > cap - 1) {
        n = cap - 1;
        while (n > 0 && (src[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] ? (char)src[i] : '?';
    dst[n] = '\0';
}

static void copy_str(char *dst, size_t cap, const char *s)
{
    copy_cut(dst, cap, (const unsigned char *)s, strlen(s));
}

/* One DN as an RFC 4514 string; empty when GnuTLS has none to give. */
static void get_dn(gnutls_x509_crt_t crt, int issuer, char *dst, size_t cap)
{
    gnutls_datum_t d = { NULL, 0 };
    int ret = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) : gnutls_x509_crt_get_dn3(crt, &d, 0);
    dst[0] = '\0';
    if (ret >= 0 && d.data)
        copy_cut(dst, cap, d.data, d.size);
    gnutls_free(d.data);
}

/* The type of SAN number seq when it is too long for our buffer (the
 * short-buffer error does not tell it); negative on error. */
static int long_san_type(gnutls_x509_crt_t crt, unsigned seq, size_t need)
{
    unsigned char *big = malloc(need + 1);
    size_t sz = need + 1;
    if (!big)
        return -1;
    int ret = gnutls_x509_crt_get_subject_alt_name(crt, seq, big, &sz, NULL);
    free(big);
    return ret;
}

/* DNS and IP subjectAltNames, each one name of the list however it is
 * spelled (a comma or a NUL in a DNS name stays inside it).  Whole names
 * only: one longer than a list entry, or past the cap, is counted as not
 * kept; other kinds (URI, e-mail, otherName) are not listed. */
static void get_sans(gnutls_x509_crt_t crt, uint8_t *dst, size_t cap)
{
    namelist_clear(dst, cap);
    /* bounded: a malformed extension may answer every number with an error */
    for (unsigned seq = 0; seq < 65536 && namelist_dropped(dst) < 255; seq++) {
        unsigned char buf[256]; /* a list entry holds at most 255 bytes */
        char text[INET6_ADDRSTRLEN];
        size_t sz = sizeof buf;
        int ret = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &sz, NULL);
        if (ret == GNUTLS_E_SHORT_MEMORY_BUFFER) {
            ret = long_san_type(crt, seq, sz);
            if (ret == GNUTLS_SAN_DNSNAME)
                namelist_drop(dst); /* too long to keep: counted */
            if (ret < 0 && ret != GNUTLS_E_SHORT_MEMORY_BUFFER)
                return;
            continue;
        }
        if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE || ret == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND)
            return; /* the end */
        if (ret < 0) {
            namelist_drop(dst); /* a name GnuTLS will not give (bad encoding): counted */
            continue;
        }
        if (ret == GNUTLS_SAN_DNSNAME) {
            namelist_add(dst, cap, buf, sz);
        } else if (ret == GNUTLS_SAN_IPADDRESS && (sz == 4 || sz == 16)) {
            if (inet_ntop(sz == 4 ? AF_INET : AF_INET6, buf, text, sizeof text))
                namelist_add(dst, cap, text, strlen(text));
        }
    }
}

/* GnuTLS's names are "EC/ECDSA", "EdDSA (Ed25519)", ...: x509.h promises shorter ones. */
static void get_key(gnutls_x509_crt_t crt, char *dst, size_t cap, unsigned *bits)
{
    unsigned b = 0;
    int pk = gnutls_x509_crt_get_pk_algorithm(crt, &b);
    const char *name;
    *bits = 0;
    if (pk < 0) {
        copy_str(dst, cap, "unknown");
        return;
    }
    *bits = b;
    switch (pk) {
    case GNUTLS_PK_RSA: name = "RSA"; break;
    case GNUTLS_PK_RSA_PSS: name = "RSA-PSS"; break;
    case GNUTLS_PK_DSA: name = "DSA"; break;
    case GNUTLS_PK_DH: name = "DH"; break;
    case GNUTLS_PK_ECDSA: name = "ECDSA"; break;
    case GNUTLS_PK_EDDSA_ED25519: name = "Ed25519"; break;
    case GNUTLS_PK_EDDSA_ED448: name = "Ed448"; break;
    case GNUTLS_PK_ECDH_X25519: name = "X25519"; break;
    case GNUTLS_PK_ECDH_X448: name = "X448"; break;
    default:
        name = gnutls_pk_get_name((gnutls_pk_algorithm_t)pk);
        if (!name)
            name = "unknown";
        break;
    }
    copy_str(dst, cap, name);
}

static void get_sig(gnutls_x509_crt_t crt, char *dst, size_t cap)
{
    int alg = gnutls_x509_crt_get_signature_algorithm(crt);
    const char *name = alg > 0 ? gnutls_sign_get_name((gnutls_sign_algorithm_t)alg) : NULL;
    if (name) {
        copy_str(dst, cap, name);
        return;
    }
    /* an algorithm GnuTLS does not know: its OID says more than "unknown" */
    char oid[128];
    size_t sz = sizeof oid;
    if (gnutls_x509_crt_get_signature_oid(crt, oid, &sz) >= 0)
        copy_cut(dst, cap, (const unsigned char *)oid, strnlen(oid, sizeof oid));
    else
        copy_str(dst, cap, "unknown");
}

/* ---------------------------------------------------------------- signatures */

/* Flags for checking one signature and nothing else.  DO_NOT_ALLOW_SAME
 * matters: without it GnuTLS declares a certificate verified by an
 * identical one without looking at the signature (so a self-signed
 * certificate would always "verify itself").  Weak algorithms are allowed
 * so that the signature is really computed; policy is the trust list's. */
#define SIG_ONLY_FLAGS                                                                              \
    (GNUTLS_VERIFY_DO_NOT_ALLOW_SAME | GNUTLS_VERIFY_DISABLE_CA_SIGN | GNUTLS_VERIFY_DISABLE_TIME_CHECKS | \
     GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_CRL_CHECKS | GNUTLS_VERIFY_ALLOW_BROKEN | \
     GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 | GNUTLS_VERIFY_IGNORE_UNKNOWN_CRIT_EXTENSIONS)

/* True when `issuer` is cert's issuer by name and the signature does not
 * verify with its key.  An algorithm GnuTLS cannot compute is not proof of
 * a bad signature. */
static int bad_signature(gnutls_x509_crt_t cert, gnutls_x509_crt_t issuer)
{
    unsigned status = 0;
    if (gnutls_x509_crt_verify(cert, &issuer, 1, SIG_ONLY_FLAGS, &status) < 0)
        return 0;
    return (status & GNUTLS_CERT_SIGNATURE_FAILURE) != 0;
}

static int self_signed(gnutls_x509_crt_t crt)
{
    return gnutls_x509_crt_check_issuer(crt, crt) && !bad_signature(crt, crt);
}

/* ---------------------------------------------------------------- parse */

static int import_der(gnutls_x509_crt_t *crt, const uint8_t *der, size_t len)
{
    *crt = NULL;
    if (!der || len == 0 || len > UINT_MAX)
        return -1;
    if (gnutls_x509_crt_init(crt) < 0) {
        *crt = NULL;
        return -1;
    }
    gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
    if (gnutls_x509_crt_import(*crt, &d, GNUTLS_X509_FMT_DER) < 0) {
        gnutls_x509_crt_deinit(*crt);
        *crt = NULL;
        return -1;
    }
    return 0;
}

int x509_parse(const uint8_t *der, size_t len, struct cert_info *out)
{
    gnutls_x509_crt_t crt;
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (import_der(&crt, der, len) < 0)
        return -1;
    get_dn(crt, 0, out->subject, sizeof out->subject);
    get_dn(crt, 1, out->issuer, sizeof out->issuer);
    get_sans(crt, out->sans, sizeof out->sans);
    out->not_before = (int64_t)gnutls_x509_crt_get_activation_time(crt);
    out->not_after = (int64_t)gnutls_x509_crt_get_expiration_time(crt);
    get_key(crt, out->key_type, sizeof out->key_type, &out->key_bits);
    get_sig(crt, out->sig_alg, sizeof out->sig_alg);
    out->self_signed = self_signed(crt);
    /* the serial as the certificate spells it (RFC 5280 4.1.2.2: at most 20
     * bytes, yet longer ones exist: those beyond the room are not kept) */
    size_t sl = sizeof out->serial;
    if (gnutls_x509_crt_get_serial(crt, out->serial, &sl) == 0 && sl <= sizeof out->serial)
        out->serial_len = (uint8_t)sl;
    gnutls_x509_crt_deinit(crt);
    /* the fingerprint other tools join on: SHA-256 of the DER */
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der, len, out->sha256) == 0)
        out->has_sha256 = 1;
    return 0;
}

/* ---------------------------------------------------------------- verifier */

static void set_err(char *err, size_t errlen, const char *file, const char *reason)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: cannot load CA certificates: %s", file, reason);
}

/* The whole file in a malloc'd buffer; NULL with errno set on failure. */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t used = 0, cap = 0;
    for (;;) {
        if (used == cap) {
            if (cap >= CA_FILE_MAX) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            size_t ncap = cap ? cap * 2 : 64 * 1024;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                fclose(f);
                errno = e;
                return NULL;
            }
            break;
        }
    }
    fclose(f);
    *len = used;
    return buf;
}

static int is_pem(const unsigned char *p, size_t len)
{
    static const char mark[] = "-----BEGIN ";
    size_t m = sizeof mark - 1;
    for (size_t i = 0; i + m <= len; i++)
        if (p[i] == '-' && memcmp(p + i, mark, m) == 0)
            return 1;
    return 0;
}

/* Anchors from a PEM bundle or one DER certificate; 0 or a reason. */
static const char *load_ca_file(gnutls_x509_trust_list_t tl, const char *path, unsigned *anchors)
{
    size_t len = 0;
    unsigned char *data = read_file(path, &len);
    if (!data)
        return strerror(errno);
    const char *reason = NULL;
    if (len == 0 || len > UINT_MAX) {
        reason = len ? strerror(EFBIG) : "empty file";
    } else {
        gnutls_datum_t d = { data, (unsigned)len };
        int ret = gnutls_x509_trust_list_add_trust_mem(tl, &d, NULL,
                                                       is_pem(data, len) ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER,
                                                       GNUTLS_TL_NO_DUPLICATES, 0);
        if (ret < 0)
            reason = gnutls_strerror(ret);
        else if (ret == 0)
            reason = "no certificates found";
        else
            *anchors = (unsigned)ret;
    }
    free(data);
    return reason;
}

struct x509_verifier *x509_verifier_new(const char *ca_file, char *err, size_t errlen)
{
    const char *what = ca_file ? ca_file : "system trust store", *bundle;
    if (err && errlen)
        err[0] = '\0';
    struct x509_verifier *v = calloc(1, sizeof *v);
    if (!v) {
        set_err(err, errlen, what, strerror(ENOMEM));
        return NULL;
    }
    int ret = gnutls_x509_trust_list_init(&v->tl, 0);
    if (ret < 0) {
        set_err(err, errlen, what, gnutls_strerror(ret));
        free(v);
        return NULL;
    }
    if (ca_file) {
        const char *reason = load_ca_file(v->tl, ca_file, &v->anchors);
        if (reason) {
            set_err(err, errlen, ca_file, reason);
            x509_verifier_free(v);
            return NULL;
        }
    } else if ((bundle = trust_index_system_bundle()) && (v->index = trust_index_load(bundle))) {
        v->anchors = (unsigned)trust_index_count(v->index);
    } else {
        /* No system store (or an empty one) is not an error: every chain
         * will then be "untrusted", which is what such a client would say. */
        ret = gnutls_x509_trust_list_add_system_trust(v->tl, GNUTLS_TL_NO_DUPLICATES, 0);
        v->anchors = ret > 0 ? (unsigned)ret : 0;
    }
    return v;
}

struct x509_verifier *x509_verifier_new_lazy(const char *bundle, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    struct x509_verifier *v = calloc(1, sizeof *v);
    int ret = v ? gnutls_x509_trust_list_init(&v->tl, 0) : GNUTLS_E_MEMORY_ERROR;
    if (ret < 0) {
        set_err(err, errlen, bundle, gnutls_strerror(ret));
        free(v);
        return NULL;
    }
    if (!(v->index = trust_index_load(bundle))) {
        set_err(err, errlen, bundle, strerror(errno));
        x509_verifier_free(v);
        return NULL;
    }
    v->anchors = (unsigned)trust_index_count(v->index);
    return v;
}

/* Every anchor GnuTLS could look for while verifying the chain: it finds them by the subject
 * and issuer names of the certificates it was given. */
static void admit_anchors(struct x509_verifier *v, gnutls_x509_crt_t *crts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        gnutls_datum_t d;
        if (gnutls_x509_crt_get_raw_issuer_dn(crts[i], &d) == 0) {
            trust_index_admit(v->index, v->tl, d.data, d.size);
            gnutls_free(d.data);
        }
        if (gnutls_x509_crt_get_raw_dn(crts[i], &d) == 0) {
            trust_index_admit(v->index, v->tl, d.data, d.size);
            gnutls_free(d.data);
        }
    }
}

void x509_verifier_free(struct x509_verifier *v)
{
    if (v && v->cache) {
        for (size_t i = 0; i < CACHE_SLOTS; i++)
            clear_slot(&v->cache[i]);
        free(v->cache);
    }
    if (!v)
        return;
    if (v->tl)
        gnutls_x509_trust_list_deinit(v->tl, 1);
    trust_index_free(v->index);
    free(v);
}

/* ---------------------------------------------------------------- verify */

/* Is cert's issuer in the trust list? */
static int issuer_trusted(gnutls_x509_trust_list_t tl, gnutls_x509_crt_t cert)
{
    gnutls_x509_crt_t issuer = NULL;
    if (!tl)
        return 0;
    /* GET_COPY: works for PKCS #11 stores too; the copy is ours to free */
    if (gnutls_x509_trust_list_get_issuer(tl, cert, &issuer, GNUTLS_TL_GET_COPY) < 0)
        return 0;
    if (issuer)
        gnutls_x509_crt_deinit(issuer);
    return 1;
}

/* The path the server's certificates make, as indices into crts: the leaf
 * first, then each certificate's issuer among those sent (any order, each
 * used once), stopping at a certificate whose issuer is a trust anchor, at
 * a self-issued one, or when the issuer was not sent. */
static size_t build_path(gnutls_x509_trust_list_t tl, gnutls_x509_crt_t *crts, size_t n, size_t *path)
{
    int used[X509_CHAIN_MAX] = { 0 };
    size_t len = 1;
    path[0] = 0;
    used[0] = 1;
    for (;;) {
        gnutls_x509_crt_t cur = crts[path[len - 1]];
        if (issuer_trusted(tl, cur) || gnutls_x509_crt_check_issuer(cur, cur))
            break;
        size_t next = n;
        for (size_t j = 0; j < n; j++)
            if (!used[j] && gnutls_x509_crt_check_issuer(cur, crts[j])) {
                next = j;
                break;
            }
        if (next == n)
            break;
        used[next] = 1;
        path[len++] = next;
    }
    return len;
}

/* GnuTLS's verdict on trust alone: 0 when the chain reaches an anchor.
 * Time is not looked at (see the top of the file), the hostname neither
 * (checked apart, so that it can rank last). */
static unsigned trust_status(struct x509_verifier *v, gnutls_x509_crt_t *crts, size_t n)
{
    if (!v)
        return GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
    gnutls_typed_vdata_st purpose = {
        .type = GNUTLS_DT_KEY_PURPOSE_OID,
        .data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER,
        .size = 0,
    };
    unsigned status = 0;
    int ret = gnutls_x509_trust_list_verify_crt2(v->tl, crts, (unsigned)n, &purpose, 1,
                                                 GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                                     GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
                                                 &status, NULL);
    if (ret < 0) /* GnuTLS could not decide: no trust established */
        return GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
    return status;
}

/* What time cannot change, and the window of time the path is valid in. */
struct judgement {
    enum cert_verdict timeless;
    uint8_t host_ok;
    int64_t not_before, not_after;
};

static void judge_timeless(struct x509_verifier *v, gnutls_x509_crt_t *crts, size_t n, const char *hostname,
                           struct judgement *j)
{
    size_t path[X509_CHAIN_MAX];
    if (v && v->index)
        admit_anchors(v, crts, n);
    size_t plen = build_path(v ? v->tl : NULL, crts, n, path);
    gnutls_x509_crt_t leaf = crts[0];

    j->timeless = CERT_OK;
    j->not_before = INT64_MIN;
    j->not_after = INT64_MAX;
    /* hostname: wildcards as RFC 6125 allows them; an IP address in SNI
     * (which RFC 6066 forbids) is matched against IP SANs */
    j->host_ok = !(hostname && hostname[0]) || gnutls_x509_crt_check_hostname2(leaf, hostname, 0);

    /* bad-signature: a link among the certificates sent, the leaf's own
     * signature when it claims to be its own issuer, or the link to the
     * anchor (which GnuTLS checks) */
    for (size_t k = 0; k + 1 < plen; k++)
        if (bad_signature(crts[path[k]], crts[path[k + 1]])) {
            j->timeless = CERT_BAD_SIGNATURE;
            return;
        }
    int self_issued = gnutls_x509_crt_check_issuer(leaf, leaf) != 0;
    if (self_issued && bad_signature(leaf, leaf)) {
        j->timeless = CERT_BAD_SIGNATURE;
        return;
    }
    unsigned status = trust_status(v, crts, n);
    if (status & GNUTLS_CERT_SIGNATURE_FAILURE) {
        j->timeless = CERT_BAD_SIGNATURE;
        return;
    }
    if (status != 0) {
        j->timeless = self_issued ? CERT_SELF_SIGNED : CERT_UNTRUSTED;
        return;
    }
    /* the validity window of every certificate of the path, not the anchor */
    for (size_t k = 0; k < plen; k++) {
        time_t nb = gnutls_x509_crt_get_activation_time(crts[path[k]]);
        time_t na = gnutls_x509_crt_get_expiration_time(crts[path[k]]);
        int64_t b = nb == (time_t)-1 ? INT64_MAX : (int64_t)nb; /* unreadable: never valid */
        int64_t a = na == (time_t)-1 ? INT64_MIN : (int64_t)na;
        if (b > j->not_before)
            j->not_before = b;
        if (a < j->not_after)
            j->not_after = a;
    }
}

/* The verdict at `when`, in the order of precedence x509.h gives. */
static enum cert_verdict verdict_at(const struct judgement *j, int64_t when)
{
    if (j->timeless != CERT_OK)
        return j->timeless;
    if (when > j->not_after)
        return CERT_EXPIRED;
    if (when < j->not_before)
        return CERT_NOT_YET_VALID;
    return j->host_ok ? CERT_OK : CERT_HOSTNAME_MISMATCH;
}

static enum cert_verdict judge(struct x509_verifier *v, gnutls_x509_crt_t *crts, size_t n, const char *hostname,
                               int64_t when)
{
    struct judgement j;
    judge_timeless(v, crts, n, hostname, &j);
    return verdict_at(&j, when);
}

enum cert_verdict x509_verify_chain(struct x509_verifier *v, const uint8_t *const *der, const size_t *len,
                                    size_t n, const char *hostname, int64_t when)
{
    gnutls_x509_crt_t crts[X509_CHAIN_MAX];
    size_t got = 0;
    enum cert_verdict verdict = CERT_MALFORMED;

    if (n == 0 || !der || !len)
        return CERT_MALFORMED;
    if (n > X509_CHAIN_MAX)
        n = X509_CHAIN_MAX;
    for (got = 0; got < n; got++)
        if (import_der(&crts[got], der[got], len[got]) < 0)
            goto out;
    verdict = judge(v, crts, n, hostname, when);
out:
    for (size_t i = 0; i < got; i++)
        gnutls_x509_crt_deinit(crts[i]);
    return verdict;
}

/* Each certificate after its length, as the cache keeps and compares chains. */
static size_t chain_bytes(const uint8_t *const *der, const size_t *len, size_t n, uint8_t *out)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (out) {
            out[at] = (uint8_t)(len[i] >> 24), out[at + 1] = (uint8_t)(len[i] >> 16);
            out[at + 2] = (uint8_t)(len[i] >> 8), out[at + 3] = (uint8_t)len[i];
            memcpy(out + at + 4, der[i], len[i]);
        }
        at += 4 + len[i];
    }
    return at;
}

/* A 64-bit mixing hash of the chain (not cryptographic: the bytes are
 * compared on a hit).  Four lanes take 32 bytes per step, so the multiplies
 * run side by side instead of each waiting for the one before: a chain is a
 * few kilobytes, hashed once per connection. */
static uint64_t chain_hash(const uint8_t *const *der, const size_t *len, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = der[i];
        size_t k = len[i];
        uint64_t lane[4] = {h ^ k, h + k, ~h ^ k, h - k};
        for (; k >= 32; k -= 32, p += 32)
            for (int j = 0; j < 4; j++) {
                uint64_t w;
                memcpy(&w, p + 8 * j, 8);
                lane[j] = (lane[j] ^ w) * 0xc4ceb9fe1a85ec53ULL;
                lane[j] ^= lane[j] >> 29;
            }
        h = (h ^ k) * 0xff51afd7ed558ccdULL;
        for (int j = 0; j < 4; j++)
            h = (h ^ lane[j]) * 0xc4ceb9fe1a85ec53ULL, h ^= h >> 31;
        for (; k >= 8; k -= 8, p += 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
            h ^= h >> 29;
        }
        uint64_t w = 0;
        memcpy(&w, p, k);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 32;
    }
    return h;
}

static int same_chain(const struct cached_verdict *slot, const uint8_t *const *der, const size_t *len, size_t n)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (at + 4 + len[i] > slot->chain_len)
            return 0;
        const uint8_t *c = slot->chain + at;
        size_t l = (size_t)c[0] << 24 | (size_t)c[1] << 16 | (size_t)c[2] << 8 | c[3];
        if (l != len[i] || memcmp(c + 4, der[i], l))
            return 0;
        at += 4 + l;
    }
    return at == slot->chain_len;
}

/* The names a DNS hostname is matched against (RFC 6125 6.4.4: the CN only without DNS SANs). */
static void collect_names(gnutls_x509_crt_t crt, struct cached_verdict *slot)
{
    char buf[256];
    size_t cap = 0;
    for (unsigned seq = 0;; seq++) {
        size_t len = sizeof buf - 1;
        unsigned critical;
        int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &len, &critical);
        if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (type != GNUTLS_SAN_DNSNAME)
            continue; /* too long or another kind: not a name to match */
        buf[len] = '\0';
        if (slot->n_names == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            char **n = realloc(slot->names, ncap * sizeof *n);
            if (!n)
                return;
            slot->names = n;
            cap = ncap;
        }
        if ((slot->names[slot->n_names] = strdup(buf)))
            slot->n_names++;
    }
    if (slot->n_names == 0) {
        size_t len = sizeof buf;
        if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &len) == 0 &&
            (slot->names = malloc(sizeof *slot->names)) && (slot->names[0] = strdup(buf)))
            slot->n_names = 1;
    }
}

static void clear_slot(struct cached_verdict *slot)
{
    if (slot->leaf_crt)
        gnutls_x509_crt_deinit(slot->leaf_crt);
    free(slot->chain);
    for (size_t i = 0; i < slot->n_names; i++)
        free(slot->names[i]);
    free(slot->names);
    memset(slot, 0, sizeof *slot);
}

/* RFC 6125 6.4.3: case-insensitive; a "*" may stand for the whole leftmost label only. */
static int name_matches(const char *pattern, const char *host, size_t host_len)
{
    if (pattern[0] == '*' && pattern[1] == '.') {
        const char *dot = memchr(host, '.', host_len);
        const char *rest = pattern + 1; /* ".example.com" */
        if (!dot || dot == host || !strchr(rest + 1, '.'))
            return 0; /* no label for the star, or a star over a public suffix like "*.com" */
        size_t tail = host_len - (size_t)(dot - host);
        return strlen(rest) == tail && !strncasecmp(rest, dot, tail);
    }
    return strlen(pattern) == host_len && !strncasecmp(pattern, host, host_len);
}

static int looks_like_ip(const char *h)
{
    unsigned char a[16];
    return inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1;
}

static int host_matches(const struct cached_verdict *slot, const char *hostname)
{
    if (!(hostname && hostname[0]))
        return 1;
    if (looks_like_ip(hostname))
        return slot->leaf_crt && gnutls_x509_crt_check_hostname2(slot->leaf_crt, hostname, 0);
    size_t len = strlen(hostname); /* RFC 6066 3: SNI carries no trailing dot, GnuTLS matches none either */
    for (size_t i = 0; i < slot->n_names; i++)
        if (name_matches(slot->names[i], hostname, len))
            return 1;
    return 0;
}

enum cert_verdict x509_check_server(struct x509_verifier *v, const uint8_t *const *der, const size_t *len, size_t n,
                                    const char *hostname, int64_t when, struct cert_info *leaf, int *leaf_ok)
{
    *leaf_ok = 0;
    if (n == 0 || !der || !len)
        return CERT_MALFORMED;
    if (n > X509_CHAIN_MAX)
        n = X509_CHAIN_MAX;
    struct cached_verdict *slot = NULL;
    uint64_t hash = chain_hash(der, len, n);
    if (v && !v->cache)
        v->cache = calloc(CACHE_SLOTS, sizeof *v->cache);
    if (v && v->cache) {
        slot = &v->cache[hash % CACHE_SLOTS];
        if (slot->used && slot->hash == hash && same_chain(slot, der, len, n)) {
            v->hits++;
            struct judgement j = {slot->timeless, (uint8_t)host_matches(slot, hostname), slot->not_before,
                                  slot->not_after};
            *leaf = slot->leaf;
            *leaf_ok = slot->leaf_ok;
            return verdict_at(&j, when);
        }
    }
    if (v)
        v->misses++;

    *leaf_ok = x509_parse(der[0], len[0], leaf) == 0;
    gnutls_x509_crt_t crts[X509_CHAIN_MAX];
    size_t got;
    struct judgement j = {CERT_MALFORMED, 0, INT64_MIN, INT64_MAX};
    for (got = 0; got < n; got++)
        if (import_der(&crts[got], der[got], len[got]) < 0)
            break;
    if (got == n)
        judge_timeless(v, crts, n, hostname, &j);
    if (slot) {
        clear_slot(slot);
        size_t clen = chain_bytes(der, len, n, NULL);
        slot->chain = malloc(clen);
        if (slot->chain) {
            chain_bytes(der, len, n, slot->chain);
            slot->chain_len = clen;
            slot->hash = hash;
            slot->used = 1;
        }
        slot->timeless = j.timeless;
        slot->not_before = j.not_before;
        slot->not_after = j.not_after;
        slot->leaf = *leaf;
        slot->leaf_ok = *leaf_ok;
        slot->leaf_crt = got == n ? crts[0] : NULL; /* the slot keeps the leaf */
        if (slot->leaf_crt)
            collect_names(slot->leaf_crt, slot);
    }
    for (size_t i = slot && got == n ? 1 : 0; i < got; i++)
        gnutls_x509_crt_deinit(crts[i]);
    return verdict_at(&j, when);
}

/* ---------------------------------------------------------------- leaves, unverified */

/* Without verification the leaf is still shown, and servers send the same one to every client:
 * parsing it with GnuTLS each time cost --no-verify a fifth more CPU than verifying (whose cache
 * keeps the parsed leaf) on the genpcap mix. */
#define LEAF_SLOTS 64

struct leaf_slot {
    uint64_t hash;
    uint8_t *der; /* NULL: empty */
    size_t len;
    int ok;
    struct cert_info info;
};

struct x509_leaf_cache {
    struct leaf_slot slot[LEAF_SLOTS];
};

struct x509_leaf_cache *x509_leaf_cache_new(void) { return calloc(1, sizeof(struct x509_leaf_cache)); }

void x509_leaf_cache_free(struct x509_leaf_cache *lc)
{
    if (!lc)
        return;
    for (size_t i = 0; i < LEAF_SLOTS; i++)
        free(lc->slot[i].der);
    free(lc);
}

int x509_parse_cached(struct x509_leaf_cache *lc, const uint8_t *der, size_t len, struct cert_info *out)
{
    if (!lc || !der || !out)
        return x509_parse(der, len, out);
    const uint8_t *const one[1] = {der};
    const size_t one_len[1] = {len};
    uint64_t h = chain_hash(one, one_len, 1);
    struct leaf_slot *s = &lc->slot[h % LEAF_SLOTS];
    if (s->der && s->hash == h && s->len == len && !memcmp(s->der, der, len)) {
        *out = s->info;
        return s->ok ? 0 : -1;
    }
    int r = x509_parse(der, len, out);
    uint8_t *copy = malloc(len ? len : 1);
    if (copy) { /* no room: the slot keeps what it had */
        memcpy(copy, der, len);
        free(s->der);
        s->der = copy;
        s->len = len;
        s->hash = h;
        s->ok = r == 0;
        s->info = *out;
    }
    return r;
}
