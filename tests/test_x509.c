/* SPDX-License-Identifier: BSD-2-Clause */
/* test_x509.c - certificate parsing and chain verdicts (x509.c) on the
 * committed test certificates in tests/certs/ (made by make-certs.sh; see
 * the hierarchy and validity windows there).  SRCDIR (the repository top,
 * set by `make check`) locates them; "." when unset.  The capture time is
 * always given, so no result depends on today's date. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "trust_index.h"
#include "unit.h"
#include "x509.h"

/* 00:00:00 UTC on these days */
#define T_2021_06 1622505600LL
#define T_2023_06 1685577600LL
#define T_2024_01 1704067200LL /* leaf-rsa, leaf-ec: not before */
#define T_2025_06 1748736000LL /* inside every window but leaf-late's */
#define T_2026_06 1780272000LL /* int-ca expired, leaf-late not yet valid */
#define T_2027_06 1811808000LL
#define T_2028_01 1830297600LL /* leaf-rsa: not after */
#define T_2028_06 1843430400LL
#define T_2031_06 1938038400LL /* root-ca expired, leaf-ec valid */
#define T_2032_01 1956528000LL /* leaf-ec: not after */
#define T_2033_06 2001196800LL

#define HOST "www.synfin.test"

/* ---------------------------------------------------------------- fixtures */

struct blob {
    const char *name;
    uint8_t *data;
    size_t len;
};

static struct blob blobs[] = {
    { "root-ca.der", NULL, 0 },   { "int-ca.der", NULL, 0 },     { "leaf-rsa.der", NULL, 0 },
    { "leaf-late.der", NULL, 0 }, { "leaf-ec.der", NULL, 0 },    { "client-leaf.der", NULL, 0 },
    { "big.der", NULL, 0 },       { "selfsigned.der", NULL, 0 }, { "other-ca.der", NULL, 0 },
    { "other-leaf.der", NULL, 0 }, { "wildcard.der", NULL, 0 },
    /* made in memory by init_suite: */
    { "garbage", NULL, 0 },       { "truncated", NULL, 0 },      { "leaf-rsa-tampered", NULL, 0 },
    { "leaf-ec-tampered", NULL, 0 }, { "int-ca-tampered", NULL, 0 },
    { "selfsigned-tampered", NULL, 0 },
};
#define NBLOBS (sizeof blobs / sizeof blobs[0])

static struct x509_verifier *v_root;   /* root-ca.pem */
static struct x509_verifier *v_other;  /* other-ca.pem */
static struct x509_verifier *v_system; /* the system store */
/* The second run of the verdict tests reads every PEM anchor file as the system store is read
 * (x509_verifier_new_lazy): each verdict must be the same as with all anchors parsed. */
static int lazy;

static const char *path(const char *name);

static struct x509_verifier *anchors(const char *name, char *err, size_t errlen)
{
    size_t n = strlen(name);
    if (lazy && n > 4 && !strcmp(name + n - 4, ".pem"))
        return x509_verifier_new_lazy(path(name), err, errlen);
    return x509_verifier_new(path(name), err, errlen);
}

static char path_buf[4096];

static const char *path(const char *name)
{
    const char *top = getenv("SRCDIR");
    snprintf(path_buf, sizeof path_buf, "%s/tests/certs/%s", top && *top ? top : ".", name);
    return path_buf;
}

static uint8_t *read_all(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t used = 0, cap = 0, got;
    do {
        if (used == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + used, 1, cap - used, f);
        used += got;
    } while (got > 0);
    fclose(f);
    *len = used;
    return buf;
}

static struct blob *find(const char *name)
{
    for (size_t i = 0; i < NBLOBS; i++)
        if (!strcmp(blobs[i].name, name))
            return &blobs[i];
    fprintf(stderr, "test_x509: no blob %s\n", name);
    abort();
}

/* A copy of `from` with one bit of the signature flipped: the signature
 * BIT STRING ends the DER, so the last byte is inside it. */
static int tamper(const char *name, const char *from)
{
    struct blob *b = find(name), *src = find(from);
    if (!src->data || !(b->data = malloc(src->len)))
        return -1;
    memcpy(b->data, src->data, src->len);
    b->len = src->len;
    b->data[b->len - 1] ^= 0x01;
    return 0;
}

static int clean_suite(void);
static int load_all(void);

static int init_suite(void)
{
    if (load_all() < 0) {
        clean_suite(); /* CUnit does not call it when init fails */
        return -1;
    }
    return 0;
}

static int load_all(void)
{
    for (size_t i = 0; i < NBLOBS && strchr(blobs[i].name, '.'); i++) {
        blobs[i].data = read_all(path(blobs[i].name), &blobs[i].len);
        if (!blobs[i].data) {
            fprintf(stderr, "test_x509: cannot read %s (set SRCDIR to the repository top)\n", path_buf);
            return -1;
        }
    }
    struct blob *g = find("garbage");
    static const char junk[] = "\x30\x82\x01\x00 this is not a certificate at all";
    g->len = sizeof junk - 1;
    if (!(g->data = malloc(g->len)))
        return -1;
    memcpy(g->data, junk, g->len);
    struct blob *t = find("truncated"), *leaf = find("leaf-rsa.der");
    t->len = leaf->len / 2;
    if (!(t->data = malloc(t->len)))
        return -1;
    memcpy(t->data, leaf->data, t->len);
    if (tamper("leaf-rsa-tampered", "leaf-rsa.der") || tamper("leaf-ec-tampered", "leaf-ec.der") ||
        tamper("int-ca-tampered", "int-ca.der") || tamper("selfsigned-tampered", "selfsigned.der"))
        return -1;

    char err[512];
    v_root = anchors("root-ca.pem", err, sizeof err);
    if (!v_root)
        fprintf(stderr, "test_x509: %s\n", err);
    v_other = anchors("other-ca.pem", err, sizeof err);
    if (!v_other)
        fprintf(stderr, "test_x509: %s\n", err);
    v_system = x509_verifier_new(NULL, err, sizeof err);
    if (!v_system)
        fprintf(stderr, "test_x509: %s\n", err);
    return v_root && v_other && v_system ? 0 : -1;
}

static int clean_suite(void)
{
    for (size_t i = 0; i < NBLOBS; i++) {
        free(blobs[i].data);
        blobs[i].data = NULL;
    }
    x509_verifier_free(v_root);
    x509_verifier_free(v_other);
    x509_verifier_free(v_system);
    v_root = v_other = v_system = NULL;
    return 0;
}

/* Verify the chain of the named blobs (NULL-terminated, leaf first). */
static enum cert_verdict chain(struct x509_verifier *v, const char *host, int64_t when, ...)
{
    const uint8_t *der[32];
    size_t len[32], n = 0;
    va_list ap;
    va_start(ap, when);
    for (const char *name; (name = va_arg(ap, const char *)) && n < 32; n++) {
        struct blob *b = find(name);
        der[n] = b->data;
        len[n] = b->len;
    }
    va_end(ap);
    enum cert_verdict plain = x509_verify_chain(v, der, len, n, host, when);
    /* the cached path agrees with the plain one, when it fills its slot and when it hits it */
    for (int pass = 0; pass < 2 && v; pass++) {
        struct cert_info ci;
        int ok;
        enum cert_verdict cached = x509_check_server(v, der, len, n, host, when, &ci, &ok);
        if (cached != plain)
            fprintf(stderr, "\n  cached pass %d: %s, plain %s (host %s)\n", pass, cert_verdict_name(cached),
                    cert_verdict_name(plain), host ? host : "-");
        CU_ASSERT_EQUAL(cached, plain);
    }
    return plain;
}

#define VERDICT(got, want)                                                                                 \
    do {                                                                                                   \
        enum cert_verdict got_ = (got), want_ = (want);                                                    \
        if (got_ != want_)                                                                                 \
            fprintf(stderr, "\n  line %d: got %s, want %s\n", __LINE__, cert_verdict_name(got_),          \
                    cert_verdict_name(want_));                                                             \
        CU_ASSERT_EQUAL(got_, want_);                                                                      \
    } while (0)

/* ---------------------------------------------------------------- names */

static void test_verdict_names(void)
{
    static const char *const want[CERT_VERDICT_COUNT] = { "ok", "expired", "not-yet-valid", "untrusted",
                                                          "self-signed", "hostname-mismatch", "bad-signature",
                                                          "malformed" };
    for (int v = 0; v < CERT_VERDICT_COUNT; v++)
        CU_ASSERT_STRING_EQUAL(cert_verdict_name((enum cert_verdict)v), want[v]);
    CU_ASSERT_PTR_NOT_NULL(cert_verdict_name(CERT_VERDICT_COUNT));
}

/* ---------------------------------------------------------------- parse */

/* The SAN list joined by "|" (a character no test name holds), to compare with one string. */
static const char *sans_of(const struct cert_info *ci)
{
    static char buf[2 * CERT_SANS_MAX];
    size_t pos = 0, len, at = 0;
    const char *name;
    buf[0] = '\0';
    while (namelist_next(ci->sans, &pos, &name, &len)) {
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%.*s", at ? "|" : "", (int)len, name);
        if (at >= sizeof buf)
            break;
    }
    return buf;
}

static void test_parse_rsa_leaf(void)
{
    struct blob *b = find("leaf-rsa.der");
    struct cert_info ci;
    CU_ASSERT_EQUAL_FATAL(x509_parse(b->data, b->len, &ci), 0);
    CU_ASSERT_STRING_EQUAL(ci.subject, "CN=www.synfin.test,O=Synfin Tests");
    CU_ASSERT_PTR_NOT_NULL(strstr(ci.subject, "CN=www.synfin.test"));
    CU_ASSERT_STRING_EQUAL(ci.issuer, "CN=Synfin Test Intermediate CA,O=Synfin Tests");
    CU_ASSERT_STRING_EQUAL(sans_of(&ci), "www.synfin.test|192.0.2.10|2001:db8::10");
    CU_ASSERT_EQUAL(ci.not_before, T_2024_01);
    CU_ASSERT_EQUAL(ci.not_after, T_2028_01);
    CU_ASSERT_STRING_EQUAL(ci.key_type, "RSA");
    CU_ASSERT_EQUAL(ci.key_bits, 2048);
    CU_ASSERT_STRING_EQUAL(ci.sig_alg, "RSA-SHA256");
    CU_ASSERT_EQUAL(ci.self_signed, 0);
    /* as `openssl x509 -noout -serial -fingerprint -sha256 -in leaf-rsa.pem` prints them */
    CU_ASSERT(ci.serial_len == 1 && ci.serial[0] == 0x03);
    static const uint8_t sha256[32] = {0xB4, 0x51, 0x57, 0x56, 0x34, 0xFE, 0x65, 0xC7, 0x5C, 0x17, 0xD7,
                                       0xCC, 0xF9, 0xCA, 0x93, 0x64, 0xA6, 0x63, 0x3D, 0xAF, 0xEE, 0x24,
                                       0x1E, 0x7A, 0x3F, 0x5D, 0x43, 0x67, 0x82, 0x3D, 0xD3, 0xAA};
    CU_ASSERT(ci.has_sha256 && !memcmp(ci.sha256, sha256, 32));
}

static void test_parse_ecdsa(void)
{
    struct cert_info ci;
    struct blob *b = find("leaf-ec.der");
    CU_ASSERT_EQUAL_FATAL(x509_parse(b->data, b->len, &ci), 0);
    CU_ASSERT_STRING_EQUAL(ci.key_type, "ECDSA");
    CU_ASSERT_EQUAL(ci.key_bits, 256);
    CU_ASSERT_STRING_EQUAL(ci.sig_alg, "RSA-SHA256"); /* signed by the RSA root */
    CU_ASSERT_STRING_EQUAL(ci.issuer, "CN=Synfin Test Root CA,O=Synfin Tests");
    /* between the two: a URI SAN longer than the cap, skipped */
    CU_ASSERT_STRING_EQUAL(sans_of(&ci), "www.synfin.test|192.0.2.20");
    CU_ASSERT_EQUAL(ci.not_after, T_2032_01);
    CU_ASSERT_EQUAL(ci.self_signed, 0);

    b = find("selfsigned.der");
    CU_ASSERT_EQUAL_FATAL(x509_parse(b->data, b->len, &ci), 0);
    CU_ASSERT_STRING_EQUAL(ci.key_type, "ECDSA");
    CU_ASSERT_EQUAL(ci.key_bits, 256);
    CU_ASSERT_STRING_EQUAL(ci.sig_alg, "ECDSA-SHA256");
    CU_ASSERT_STRING_EQUAL(ci.subject, ci.issuer);
    CU_ASSERT_EQUAL(ci.self_signed, 1);
}

static void test_parse_self_signed_flag(void)
{
    struct cert_info ci;
    struct blob *b = find("root-ca.der");
    CU_ASSERT_EQUAL_FATAL(x509_parse(b->data, b->len, &ci), 0);
    CU_ASSERT_EQUAL(ci.self_signed, 1);
    CU_ASSERT_STRING_EQUAL(ci.subject, "CN=Synfin Test Root CA,O=Synfin Tests");
    CU_ASSERT_STRING_EQUAL(sans_of(&ci), "");
    CU_ASSERT_EQUAL(namelist_count(ci.sans), 0);
    b = find("int-ca.der");
    CU_ASSERT_EQUAL_FATAL(x509_parse(b->data, b->len, &ci), 0);
    CU_ASSERT_EQUAL(ci.self_signed, 0);
    /* subject == issuer but the signature does not verify: not self-signed */
    b = find("selfsigned-tampered");
    CU_ASSERT_EQUAL_FATAL(x509_parse(b->data, b->len, &ci), 0);
    CU_ASSERT_STRING_EQUAL(ci.subject, ci.issuer);
    CU_ASSERT_EQUAL(ci.self_signed, 0);
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int extra = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0)
            return 0;
        p++;
        for (int i = 0; i < extra; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

static void test_parse_caps(void)
{
    struct cert_info ci;
    struct blob *b = find("big.der");
    CU_ASSERT_EQUAL_FATAL(x509_parse(b->data, b->len, &ci), 0);
    /* the subject is 369 bytes; byte 255 is inside a 2-byte "é": cut before it */
    const char *prefix = "CN=big.synfin.test,OU=Organisational unit number 1 with a long long name,";
    CU_ASSERT_EQUAL(strncmp(ci.subject, prefix, strlen(prefix)), 0);
    CU_ASSERT_EQUAL(strlen(ci.subject), 254);
    CU_ASSERT(valid_utf8(ci.subject));
    CU_ASSERT_EQUAL((unsigned char)ci.subject[252], 0xC3);
    CU_ASSERT_EQUAL((unsigned char)ci.subject[253], 0xA9);
    /* 40 names of 18 bytes: whole names only, as many as fit (19 bytes each with its length) */
    size_t fit = (CERT_SANS_MAX - NAMELIST_HDR) / 19;
    CU_ASSERT_EQUAL(namelist_count(ci.sans), fit);
    CU_ASSERT_EQUAL(namelist_dropped(ci.sans), 40 - fit);
    char want[2 * CERT_SANS_MAX] = "";
    for (size_t i = 0; i < fit; i++) {
        char one[32];
        snprintf(one, sizeof one, "%shost%02zu.synfin.test", i ? "|" : "", i);
        strcat(want, one);
    }
    CU_ASSERT_STRING_EQUAL(sans_of(&ci), want);
    CU_ASSERT_STRING_EQUAL(ci.issuer, "CN=Synfin Test Root CA,O=Synfin Tests");
}

/* The leaves --no-verify shows come through a cache: the same answer as parsing, hit or miss. */
static void test_parse_cached(void)
{
    struct x509_leaf_cache *lc = x509_leaf_cache_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(lc);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < NBLOBS; i++) {
            struct cert_info want, got;
            memset(&want, 0, sizeof want);
            memset(&got, 0x55, sizeof got);
            int rw = x509_parse(blobs[i].data, blobs[i].len, &want);
            int rg = x509_parse_cached(lc, blobs[i].data, blobs[i].len, &got);
            CU_ASSERT_EQUAL(rg, rw);
            if (rw == 0 && rg == 0) {
                CU_ASSERT_STRING_EQUAL(got.subject, want.subject);
                CU_ASSERT_STRING_EQUAL(got.issuer, want.issuer);
                CU_ASSERT_EQUAL(got.not_after, want.not_after);
                CU_ASSERT_EQUAL(got.key_bits, want.key_bits);
                CU_ASSERT(!memcmp(got.sans, want.sans, sizeof got.sans));
                CU_ASSERT(!memcmp(got.sha256, want.sha256, sizeof got.sha256));
            }
        }
    }
    /* a certificate one byte shorter is another certificate, not a hit */
    struct cert_info ci;
    struct blob *leaf = find("leaf-rsa.der");
    CU_ASSERT_EQUAL(x509_parse_cached(lc, leaf->data, leaf->len - 1, &ci), -1);
    CU_ASSERT_EQUAL(x509_parse_cached(lc, leaf->data, leaf->len, NULL), -1);
    x509_leaf_cache_free(lc);
    CU_ASSERT_EQUAL(x509_parse_cached(NULL, leaf->data, leaf->len, &ci), 0);
}

static void test_parse_garbage(void)
{
    struct cert_info ci;
    struct blob *g = find("garbage"), *t = find("truncated"), *leaf = find("leaf-rsa.der");
    CU_ASSERT_EQUAL(x509_parse(g->data, g->len, &ci), -1);
    CU_ASSERT_EQUAL(x509_parse(t->data, t->len, &ci), -1);
    CU_ASSERT_EQUAL(x509_parse(leaf->data, 0, &ci), -1);
    CU_ASSERT_EQUAL(x509_parse(NULL, 10, &ci), -1);
    CU_ASSERT_EQUAL(x509_parse(leaf->data, leaf->len, NULL), -1);
    /* every prefix of a real certificate: no crash, never a success */
    for (size_t n = 1; n < leaf->len; n++) {
        uint8_t *copy = malloc(n); /* exact size, so ASan sees any overread */
        CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
        memcpy(copy, leaf->data, n);
        CU_ASSERT_EQUAL(x509_parse(copy, n, &ci), -1);
        free(copy);
    }
    /* every single-byte corruption: either parsed or refused, never a crash */
    uint8_t *copy = malloc(leaf->len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    for (size_t i = 0; i < leaf->len; i++) {
        memcpy(copy, leaf->data, leaf->len);
        copy[i] ^= 0xFF;
        int r = x509_parse(copy, leaf->len, &ci);
        CU_ASSERT(r == 0 || r == -1);
        if (r == 0)
            CU_ASSERT(strlen(ci.subject) < CERT_NAME_MAX && namelist_used(ci.sans) + NAMELIST_HDR <= CERT_SANS_MAX);
    }
    free(copy);
}

/* ---------------------------------------------------------------- verdicts */

static void test_ok(void)
{
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_OK);
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-ec.der", NULL), CERT_OK);
    VERDICT(chain(v_root, "WWW.Synfin.TEST", T_2025_06, "leaf-ec.der", NULL), CERT_OK);
    VERDICT(chain(v_root, "192.0.2.10", T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_OK);
}

static void test_hostname(void)
{
    VERDICT(chain(v_root, "other.example", T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_HOSTNAME_MISMATCH);
    VERDICT(chain(v_root, "synfin.test", T_2025_06, "leaf-ec.der", NULL), CERT_HOSTNAME_MISMATCH);
    VERDICT(chain(v_root, "192.0.2.11", T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_HOSTNAME_MISMATCH);
    /* no SNI: nothing to check */
    VERDICT(chain(v_root, NULL, T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_OK);
    VERDICT(chain(v_root, "", T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_OK);
    VERDICT(chain(v_root, NULL, T_2025_06, "big.der", NULL), CERT_OK);
}

/* RFC 6125 wildcards, through both the plain (GnuTLS) and the cached (own matcher) path. */
static void test_wildcard(void)
{
    char err[256];
    struct x509_verifier *w = x509_verifier_new(path("wildcard.pem"), err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    static const struct { const char *host; enum cert_verdict want; } cases[] = {
        {"a.synfin.test", CERT_OK},           {"WWW.SYNFIN.TEST", CERT_OK},
        {"www.synfin.test.", CERT_HOSTNAME_MISMATCH}, /* SNI never ends in a dot (RFC 6066 3) */
        {"synfin.test", CERT_HOSTNAME_MISMATCH}, /* the star needs a label */
        {"a.b.synfin.test", CERT_HOSTNAME_MISMATCH}, /* and only one */
        {"example.com", CERT_HOSTNAME_MISMATCH}, /* "*.com" is no wildcard a client honours */
        {"xsynfin.test", CERT_HOSTNAME_MISMATCH},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum cert_verdict got = chain(w, cases[i].host, T_2025_06, "wildcard.der", NULL);
        if (got != cases[i].want)
            fprintf(stderr, "\n  %s: got %s\n", cases[i].host, cert_verdict_name(got));
        CU_ASSERT_EQUAL(got, cases[i].want);
    }
    x509_verifier_free(w);
}

static void test_expired(void)
{
    /* the leaf's window ends at T_2032_01, inclusive */
    VERDICT(chain(v_root, HOST, T_2032_01, "leaf-ec.der", NULL), CERT_OK);
    VERDICT(chain(v_root, HOST, T_2032_01 + 1, "leaf-ec.der", NULL), CERT_EXPIRED);
    VERDICT(chain(v_root, HOST, T_2033_06, "leaf-ec.der", NULL), CERT_EXPIRED);
    VERDICT(chain(v_root, HOST, T_2028_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_EXPIRED);
    /* the leaf is valid, the intermediate is not: still expired */
    VERDICT(chain(v_root, HOST, T_2027_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_EXPIRED);
}

static void test_not_yet_valid(void)
{
    VERDICT(chain(v_root, HOST, T_2024_01, "leaf-ec.der", NULL), CERT_OK);
    VERDICT(chain(v_root, HOST, T_2024_01 - 1, "leaf-ec.der", NULL), CERT_NOT_YET_VALID);
    VERDICT(chain(v_root, HOST, T_2021_06, "leaf-ec.der", NULL), CERT_NOT_YET_VALID);
    VERDICT(chain(v_root, HOST, T_2023_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_NOT_YET_VALID);
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-late.der", "int-ca.der", NULL), CERT_NOT_YET_VALID);
}

static void test_anchor_time_not_checked(void)
{
    /* root-ca expired at the start of 2030; leaf-ec runs to 2032 */
    VERDICT(chain(v_root, HOST, T_2031_06, "leaf-ec.der", NULL), CERT_OK);
    /* also when the server sends the root along */
    VERDICT(chain(v_root, HOST, T_2031_06, "leaf-ec.der", "root-ca.der", NULL), CERT_OK);
    /* an expired certificate sent but not on the leaf's path does not count */
    VERDICT(chain(v_root, HOST, T_2027_06, "leaf-ec.der", "int-ca.der", NULL), CERT_OK);
}

static void test_untrusted(void)
{
    VERDICT(chain(v_other, HOST, T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_UNTRUSTED);
    VERDICT(chain(v_root, HOST, T_2025_06, "other-leaf.der", NULL), CERT_UNTRUSTED);
    /* a chain up to a root nobody trusts is untrusted, not self-signed */
    VERDICT(chain(v_root, HOST, T_2025_06, "other-leaf.der", "other-ca.der", NULL), CERT_UNTRUSTED);
    /* the intermediate is missing */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", NULL), CERT_UNTRUSTED);
    /* a certificate for TLS clients only */
    VERDICT(chain(v_root, HOST, T_2025_06, "client-leaf.der", NULL), CERT_UNTRUSTED);
    /* our test root is in no system store */
    VERDICT(chain(v_system, HOST, T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_UNTRUSTED);
    VERDICT(chain(NULL, HOST, T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_UNTRUSTED);
    VERDICT(chain(v_other, HOST, T_2025_06, "other-leaf.der", NULL), CERT_OK);
}

static void test_self_signed(void)
{
    VERDICT(chain(v_root, HOST, T_2025_06, "selfsigned.der", NULL), CERT_SELF_SIGNED);
    VERDICT(chain(v_system, HOST, T_2025_06, "selfsigned.der", NULL), CERT_SELF_SIGNED);
    VERDICT(chain(v_root, HOST, T_2025_06, "selfsigned.der", "other-ca.der", NULL), CERT_SELF_SIGNED);
    /* a self-signed certificate the user trusts (pinned in the CA file) */
    char err[512] = "";
    struct x509_verifier *pin = x509_verifier_new(path("selfsigned.pem"), err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pin);
    VERDICT(chain(pin, HOST, T_2025_06, "selfsigned.der", NULL), CERT_OK);
    VERDICT(chain(pin, HOST, T_2028_06, "selfsigned.der", NULL), CERT_EXPIRED);
    VERDICT(chain(pin, "other.example", T_2025_06, "selfsigned.der", NULL), CERT_HOSTNAME_MISMATCH);
    VERDICT(chain(pin, HOST, T_2025_06, "selfsigned-tampered", NULL), CERT_BAD_SIGNATURE);
    x509_verifier_free(pin);
}

static void test_bad_signature(void)
{
    /* a link among the certificates sent */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa-tampered", "int-ca.der", NULL), CERT_BAD_SIGNATURE);
    /* the link to the anchor */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-ec-tampered", NULL), CERT_BAD_SIGNATURE);
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", "int-ca-tampered", NULL), CERT_BAD_SIGNATURE);
    /* a self-signed certificate that does not verify itself */
    VERDICT(chain(v_root, HOST, T_2025_06, "selfsigned-tampered", NULL), CERT_BAD_SIGNATURE);
}

static void test_malformed(void)
{
    VERDICT(chain(v_root, HOST, T_2025_06, "garbage", NULL), CERT_MALFORMED);
    VERDICT(chain(v_root, HOST, T_2025_06, "truncated", NULL), CERT_MALFORMED);
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", "garbage", NULL), CERT_MALFORMED);
    VERDICT(chain(v_root, HOST, T_2025_06, NULL), CERT_MALFORMED); /* n == 0 */
    const uint8_t *der[2] = { find("leaf-ec.der")->data, NULL };
    size_t len[2] = { find("leaf-ec.der")->len, 10 };
    VERDICT(x509_verify_chain(v_root, der, len, 2, HOST, T_2025_06), CERT_MALFORMED);
    len[1] = 0;
    der[1] = der[0];
    VERDICT(x509_verify_chain(v_root, der, len, 2, HOST, T_2025_06), CERT_MALFORMED);
    VERDICT(x509_verify_chain(v_root, NULL, len, 1, HOST, T_2025_06), CERT_MALFORMED);
    VERDICT(x509_verify_chain(v_root, der, NULL, 1, HOST, T_2025_06), CERT_MALFORMED);
}

/* malformed, bad-signature, self-signed, untrusted, expired, not-yet-valid, hostname-mismatch */
static void test_precedence(void)
{
    /* malformed > bad-signature */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa-tampered", "garbage", NULL), CERT_MALFORMED);
    /* bad-signature > self-signed */
    VERDICT(chain(v_root, "other.example", T_2033_06, "selfsigned-tampered", NULL), CERT_BAD_SIGNATURE);
    /* bad-signature > untrusted (the link between the two sent certificates is bad) */
    VERDICT(chain(v_other, HOST, T_2025_06, "leaf-rsa-tampered", "int-ca.der", NULL), CERT_BAD_SIGNATURE);
    /* bad-signature > expired, hostname-mismatch */
    VERDICT(chain(v_root, "other.example", T_2033_06, "leaf-ec-tampered", NULL), CERT_BAD_SIGNATURE);
    /* self-signed > expired, not-yet-valid, hostname-mismatch */
    VERDICT(chain(v_root, "other.example", T_2033_06, "selfsigned.der", NULL), CERT_SELF_SIGNED);
    VERDICT(chain(v_root, "other.example", T_2021_06, "selfsigned.der", NULL), CERT_SELF_SIGNED);
    /* untrusted > expired, hostname-mismatch */
    VERDICT(chain(v_root, "other.example", T_2033_06, "other-leaf.der", NULL), CERT_UNTRUSTED);
    VERDICT(chain(v_other, "other.example", T_2021_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_UNTRUSTED);
    /* expired > not-yet-valid: the intermediate has expired, the leaf has not started */
    VERDICT(chain(v_root, HOST, T_2026_06, "leaf-late.der", "int-ca.der", NULL), CERT_EXPIRED);
    /* expired > hostname-mismatch, not-yet-valid > hostname-mismatch */
    VERDICT(chain(v_root, "other.example", T_2033_06, "leaf-ec.der", NULL), CERT_EXPIRED);
    VERDICT(chain(v_root, "other.example", T_2021_06, "leaf-ec.der", NULL), CERT_NOT_YET_VALID);
}

static void test_chain_order(void)
{
    /* root included, in order */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", "int-ca.der", "root-ca.der", NULL), CERT_OK);
    /* out of order */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", "root-ca.der", "int-ca.der", NULL), CERT_OK);
    /* with strangers and duplicates */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", "other-ca.der", "int-ca.der", "int-ca.der", NULL),
            CERT_OK);
    /* the time checks follow the path whatever the order */
    VERDICT(chain(v_root, HOST, T_2027_06, "leaf-rsa.der", "root-ca.der", "int-ca.der", NULL), CERT_EXPIRED);
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa-tampered", "root-ca.der", "int-ca.der", NULL),
            CERT_BAD_SIGNATURE);
}

static void test_chain_cap(void)
{
    /* 17 certificates: the one the path needs is 17th, past the cap */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", "other-ca.der", "other-ca.der", "other-ca.der",
                  "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der",
                  "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der",
                  "int-ca.der", NULL),
            CERT_UNTRUSTED);
    /* 17 certificates, the 17th garbage: never looked at */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", "int-ca.der", "other-ca.der", "other-ca.der",
                  "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der",
                  "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der",
                  "garbage", NULL),
            CERT_OK);
    /* exactly 16, the intermediate last */
    VERDICT(chain(v_root, HOST, T_2025_06, "leaf-rsa.der", "other-ca.der", "other-ca.der", "other-ca.der",
                  "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der",
                  "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "other-ca.der", "int-ca.der",
                  NULL),
            CERT_OK);
}

/* ---------------------------------------------------------------- verifier */

static void expect_load_error(const char *file, const char *reason)
{
    char err[512];
    memset(err, 'x', sizeof err);
    struct x509_verifier *v = x509_verifier_new(file, err, sizeof err);
    CU_ASSERT_PTR_NULL(v);
    x509_verifier_free(v);
    char want[sizeof err + 64];
    snprintf(want, sizeof want, "%s: cannot load CA certificates: ", file);
    CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
    CU_ASSERT(strlen(err) > strlen(want));
    if (reason)
        CU_ASSERT_STRING_EQUAL(err + strlen(want), reason);
    if (strncmp(err, want, strlen(want)))
        fprintf(stderr, "\n  error was: %.511s\n", err);
}

static void test_verifier_errors(void)
{
    expect_load_error(path("no-such-file.pem"), "No such file or directory");
    expect_load_error("/dev/null", "empty file");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path(""));
    expect_load_error(dir, "Is a directory");
    expect_load_error(path("README.md"), NULL); /* text: neither PEM nor DER */
    expect_load_error(path("make-certs.sh"), NULL);

    /* a short buffer is cut, not overrun; no buffer at all is fine */
    char small[12];
    CU_ASSERT_PTR_NULL(x509_verifier_new(path("no-such-file.pem"), small, sizeof small));
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
    CU_ASSERT_PTR_NULL(x509_verifier_new(path("no-such-file.pem"), NULL, 0));
    x509_verifier_free(NULL);
}

static void test_verifier_formats(void)
{
    char err[512] = "";
    /* one DER certificate */
    struct x509_verifier *der = x509_verifier_new(path("root-ca.der"), err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(der);
    CU_ASSERT_STRING_EQUAL(err, "");
    VERDICT(chain(der, HOST, T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_OK);
    VERDICT(chain(der, HOST, T_2025_06, "other-leaf.der", NULL), CERT_UNTRUSTED);
    x509_verifier_free(der);
    /* a PEM bundle of two */
    struct x509_verifier *both = anchors("ca-bundle.pem", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(both);
    VERDICT(chain(both, HOST, T_2025_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_OK);
    VERDICT(chain(both, HOST, T_2025_06, "other-leaf.der", NULL), CERT_OK);
    x509_verifier_free(both);
    /* an intermediate as the anchor: the path stops there, the root is not needed */
    struct x509_verifier *mid = anchors("int-ca.pem", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mid);
    VERDICT(chain(mid, HOST, T_2025_06, "leaf-rsa.der", NULL), CERT_OK);
    /* ... and its own window is then not checked */
    VERDICT(chain(mid, HOST, T_2027_06, "leaf-rsa.der", "int-ca.der", NULL), CERT_OK);
    x509_verifier_free(mid);
    /* the leaf itself as the anchor (pinned), though its issuer is not one: found by its own name */
    struct x509_verifier *pin = anchors("leaf-rsa.pem", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pin);
    VERDICT(chain(pin, HOST, T_2025_06, "leaf-rsa.der", NULL), CERT_OK);
    VERDICT(chain(pin, HOST, T_2025_06, "leaf-ec.der", NULL), CERT_UNTRUSTED);
    x509_verifier_free(pin);
}

/* ---------------------------------------------------------------- trust index */

static char *read_text(const char *name)
{
    size_t n = 0;
    uint8_t *b = read_all(path(name), &n);
    char *t = b ? realloc(b, n + 1) : NULL;
    if (!t) {
        free(b);
        return NULL;
    }
    t[n] = '\0';
    return t;
}

/* The subject the index found is the one GnuTLS finds, for every root of the system store, and
 * it holds as many as GnuTLS loads from the same file. */
static void test_index_system_store(void)
{
    const char *bundle = trust_index_system_bundle();
    if (!bundle) {
        fprintf(stderr, "\n  no system bundle here: skipped\n");
        return;
    }
    struct trust_index *ix = trust_index_load(bundle);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ix);
    gnutls_x509_trust_list_t tl;
    CU_ASSERT_EQUAL_FATAL(gnutls_x509_trust_list_init(&tl, 0), 0);
    int loaded = gnutls_x509_trust_list_add_trust_file(tl, bundle, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
    CU_ASSERT_EQUAL(trust_index_count(ix), (size_t)loaded);
    CU_ASSERT(trust_index_count(ix) > 0);
    size_t same = 0;
    for (size_t i = 0; i < trust_index_count(ix); i++) {
        size_t dl, sl;
        const uint8_t *der = trust_index_der(ix, i, &dl), *subj = trust_index_subject(ix, i, &sl);
        gnutls_x509_crt_t crt;
        gnutls_datum_t d = {(unsigned char *)der, (unsigned)dl}, dn;
        if (gnutls_x509_crt_init(&crt) < 0)
            continue;
        if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0 && gnutls_x509_crt_get_raw_dn(crt, &dn) == 0) {
            same += dn.size == sl && !memcmp(dn.data, subj, sl);
            gnutls_free(dn.data);
        }
        gnutls_x509_crt_deinit(crt);
    }
    CU_ASSERT_EQUAL(same, trust_index_count(ix));
    gnutls_x509_trust_list_deinit(tl, 1);
    /* nothing is parsed until a chain names an anchor */
    CU_ASSERT_EQUAL(trust_index_admitted(ix), 0);
    trust_index_free(ix);
}

/* An anchor is handed over when its subject is named, once; others stay unparsed. */
static void test_index_admits_by_name(void)
{
    struct trust_index *ix = trust_index_load(path("ca-bundle.pem"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(ix);
    CU_ASSERT_EQUAL(trust_index_count(ix), 2);
    gnutls_x509_crt_t root;
    gnutls_x509_trust_list_t tl;
    gnutls_datum_t d = {find("root-ca.der")->data, (unsigned)find("root-ca.der")->len}, dn;
    CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_init(&root), 0);
    CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_import(root, &d, GNUTLS_X509_FMT_DER), 0);
    CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_get_raw_dn(root, &dn), 0);
    CU_ASSERT_EQUAL_FATAL(gnutls_x509_trust_list_init(&tl, 0), 0);
    trust_index_admit(ix, tl, dn.data + 1, dn.size - 1); /* not the name: a part of it */
    CU_ASSERT_EQUAL(trust_index_admitted(ix), 0);
    trust_index_admit(ix, tl, dn.data, dn.size);
    CU_ASSERT_EQUAL(trust_index_admitted(ix), 1);
    trust_index_admit(ix, tl, dn.data, dn.size);
    CU_ASSERT_EQUAL(trust_index_admitted(ix), 1);
    gnutls_x509_crt_t issuer = NULL;
    gnutls_datum_t ld = {find("leaf-ec.der")->data, (unsigned)find("leaf-ec.der")->len};
    gnutls_x509_crt_t leaf;
    CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_init(&leaf), 0);
    CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_import(leaf, &ld, GNUTLS_X509_FMT_DER), 0);
    CU_ASSERT_EQUAL(gnutls_x509_trust_list_get_issuer(tl, leaf, &issuer, GNUTLS_TL_GET_COPY), 0);
    if (issuer)
        gnutls_x509_crt_deinit(issuer);
    gnutls_x509_crt_deinit(leaf);
    gnutls_free(dn.data);
    gnutls_x509_crt_deinit(root);
    gnutls_x509_trust_list_deinit(tl, 1);
    trust_index_free(ix);
}

/* A bundle with broken blocks: each is passed over, the good ones around it are kept. */
static void test_index_broken_bundle(void)
{
    char *root = read_text("root-ca.pem"), *other = read_text("other-ca.pem");
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    char tmpl[] = "/tmp/synfin-bundle-XXXXXX";
    int fd = mkstemp(tmpl);
    CU_ASSERT_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("# comments and blank lines before\n\n", f);
    for (const char *p = root; *p; p++) /* CRLF line ends */
        fputs(*p == '\n' ? "\r\n" : (char[2]){*p, 0}, f);
    fputs("-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n", f);
    /* a stray byte in the base64 */
    const char *mid = strchr(other, '\n') + 20;
    fprintf(f, "%.*s!%s", (int)(mid - other), other, mid);
    /* the DER cut short: the last lines of base64 gone */
    const char *end = strstr(other, "-----END");
    fprintf(f, "%.*s%s", (int)(end - other - 200), other, end);
    fputs(other, f);
    fputs("-----BEGIN CERTIFICATE-----\nMIIDJzCCAg+gAwIBAgIBATANBgkqhkiG9w0BAQsFADA1MRUwEwYDVQQKEwxTeW5m\n", f);
    CU_ASSERT_EQUAL(fclose(f), 0);
    struct trust_index *ix = trust_index_load(tmpl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ix);
    CU_ASSERT_EQUAL(trust_index_count(ix), 2);
    size_t dl;
    const uint8_t *der = trust_index_der(ix, 0, &dl);
    CU_ASSERT(dl == find("root-ca.der")->len && !memcmp(der, find("root-ca.der")->data, dl));
    der = trust_index_der(ix, 1, &dl);
    CU_ASSERT(dl == find("other-ca.der")->len && !memcmp(der, find("other-ca.der")->data, dl));
    trust_index_free(ix);
    unlink(tmpl);
    free(root);
    free(other);
    /* what cannot be read at all */
    errno = 0;
    CU_ASSERT_PTR_NULL(trust_index_load("/nonexistent/bundle.pem"));
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_PTR_NULL(trust_index_load("/tmp"));
    char err[512] = "";
    CU_ASSERT_PTR_NULL(x509_verifier_new_lazy("/nonexistent/bundle.pem", err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/bundle.pem"));
}

static int init_lazy_suite(void)
{
    lazy = 1;
    return init_suite();
}

int main(void)
{
    static const struct unit_case tests[] = {
        { "verdict names", test_verdict_names },
        { "parse: RSA leaf", test_parse_rsa_leaf },
        { "parse: ECDSA", test_parse_ecdsa },
        { "parse: self-signed flag", test_parse_self_signed_flag },
        { "parse: caps", test_parse_caps },
        { "parse: garbage", test_parse_garbage },
        { "parse: cached leaves", test_parse_cached },
        { "verdict: ok", test_ok },
        { "verdict: hostname", test_hostname },
        { "wildcards", test_wildcard },
        { "verdict: expired", test_expired },
        { "verdict: not yet valid", test_not_yet_valid },
        { "anchor time not checked", test_anchor_time_not_checked },
        { "verdict: untrusted", test_untrusted },
        { "verdict: self-signed", test_self_signed },
        { "verdict: bad signature", test_bad_signature },
        { "verdict: malformed", test_malformed },
        { "precedence", test_precedence },
        { "chain order", test_chain_order },
        { "chain cap", test_chain_cap },
        { "verifier: errors", test_verifier_errors },
        { "verifier: formats", test_verifier_formats },
    };
    static const struct unit_case index_tests[] = {
        { "index: the system store", test_index_system_store },
        { "index: admitted by name", test_index_admits_by_name },
        { "index: broken bundle", test_index_broken_bundle },
    };
    const struct unit_suite suites[] = {
        { "x509", init_suite, clean_suite, tests, UNIT_COUNT(tests) },
        { "x509, anchors parsed when named", init_lazy_suite, clean_suite, tests, UNIT_COUNT(tests) },
        { "trust index", init_suite, clean_suite, index_tests, UNIT_COUNT(index_tests) },
    };
    return unit_run_suites(suites, UNIT_COUNT(suites));
}
