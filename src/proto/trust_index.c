/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trust_index.c - a bundle of trust anchors kept as DER and indexed by
 * subject name (see trust_index.h).  It owns the bundle's bytes, decoded in
 * place, and the table of where each anchor and its subject lie; GnuTLS gets
 * a parsed certificate of its own only for an anchor a chain names.
 *
 * PEM as GnuTLS reads a bundle: a block opened by "-----BEGIN CERTIFICATE"
 * or "-----BEGIN X509 CERTIFICATE", base64 up to "-----END", white space
 * anywhere.  The DER is walked only as far as the subject: Certificate and
 * TBSCertificate SEQUENCEs, the optional [0] version, serialNumber, the
 * signature AlgorithmIdentifier, issuer, validity, subject (RFC 5280 4.1).
 */
#include "trust_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "grow.h"

#define BUNDLE_MAX ((size_t)64 << 20) /* a bundle larger than this is not one */

struct anchor {
    size_t der, der_len;   /* offsets into the decoded bytes */
    size_t subj, subj_len;
    uint32_t hash;         /* of the subject: the cheap first comparison */
    uint8_t admitted;      /* handed to a trust list already */
};

struct trust_index {
    uint8_t *bytes;        /* the bundle, its certificates decoded over the PEM text */
    struct anchor *a;
    size_t n, cap, admitted;
};

static uint32_t name_hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* ---------------------------------------------------------------- reading */

static uint8_t *read_all(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) < 0)
        goto fail;
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > BUNDLE_MAX) {
        errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
        goto fail;
    }
    size_t want = (size_t)st.st_size, got = 0;
    if (!(buf = malloc(want ? want : 1)))
        goto fail;
    while (got < want) {
        ssize_t r = read(fd, buf + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto fail;
        if (r == 0)
            break; /* shrank while read: what was there */
        got += (size_t)r;
    }
    close(fd);
    *len = got;
    return buf;
fail:;
    int e = errno;
    free(buf);
    close(fd);
    errno = e;
    return NULL;
}

/* Where `lit` next occurs in p[from, len), or len (memchr to its first byte: a bundle is mostly
 * base64, which never holds the '-' or '\n' every literal here starts with). */
static size_t find(const uint8_t *p, size_t len, size_t from, const char *lit)
{
    size_t m = strlen(lit);
    while (from + m <= len) {
        const uint8_t *hit = memchr(p + from, lit[0], len - from - m + 1);
        if (!hit)
            break;
        size_t i = (size_t)(hit - p);
        if (memcmp(hit, lit, m) == 0)
            return i;
        from = i + 1;
    }
    return len;
}

/* Each byte's base64 value plus one; SPACE for white space (passed over), PAD for '=', and 0
 * for any other byte (none may stand in base64 text). */
enum { SPACE = 65, PAD = 66 };
static const uint8_t b64[256] = {
    ['\t'] = SPACE, ['\n'] = SPACE, ['\r'] = SPACE, [' '] = SPACE, ['='] = PAD,
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
    ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* Decode base64 text p[from, to) to out (which may be p itself, at or before
 * `from`: the output never overtakes the input); its length, or -1. */
static long b64_decode(const uint8_t *p, size_t from, size_t to, uint8_t *out)
{
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        uint8_t v = b64[p[i]];
        if (v == SPACE)
            continue;
        if (v == PAD) {
            pad++;
            continue;
        }
        if (pad || v == 0)
            return -1; /* a stray byte, or data after the padding */
        acc = acc << 6 | (uint32_t)(v - 1);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    if (pad > 2 || bits >= 6)
        return -1;
    return (long)n;
}

/* ---------------------------------------------------------------- DER */

/* One element's header: its tag, and a sub-cursor over its contents; the
 * element's whole encoding starts at *start. */
static int der_next(struct cursor *c, uint8_t *tag, struct cursor *body, size_t *start)
{
    *start = cur_offset(c);
    *tag = cur_u8(c);
    uint8_t l0 = cur_u8(c);
    size_t len = l0;
    if (l0 & 0x80) {
        unsigned k = l0 & 0x7f;
        if (k == 0 || k > 4)
            return -1; /* indefinite, or longer than any bundle */
        len = 0;
        for (unsigned i = 0; i < k; i++)
            len = len << 8 | cur_u8(c);
    }
    if (c->err || (*tag & 0x1f) == 0x1f) /* high tag numbers: not in a certificate's frame */
        return -1;
    *body = cur_sub(c, len);
    return c->err ? -1 : 0;
}

/* Where the subject Name lies in a certificate's DER (offsets into der). */
static int subject_of(const uint8_t *der, size_t len, size_t *at, size_t *n)
{
    struct cursor top, cert, tbs, field;
    uint8_t tag;
    size_t start;
    cur_init(&top, der, len);
    if (der_next(&top, &tag, &cert, &start) < 0 || tag != 0x30 || cur_left(&top))
        return -1;
    if (der_next(&cert, &tag, &tbs, &start) < 0 || tag != 0x30)
        return -1;
    size_t base = (size_t)(cur_here(&tbs) - der);
    /* [0] version (optional), serialNumber, signature, issuer, validity, subject */
    static const uint8_t want[] = {0x02, 0x30, 0x30, 0x30, 0x30};
    if (der_next(&tbs, &tag, &field, &start) < 0)
        return -1;
    if (tag == 0xa0 && der_next(&tbs, &tag, &field, &start) < 0)
        return -1;
    for (size_t k = 0;; k++) {
        if (tag != want[k])
            return -1;
        if (k + 1 == sizeof want)
            break;
        if (der_next(&tbs, &tag, &field, &start) < 0)
            return -1;
    }
    *at = base + start;
    *n = (size_t)(cur_end(&field) - der) - *at;
    return 0;
}

/* ---------------------------------------------------------------- index */

static void add_block(struct trust_index *ix, size_t *out, size_t from, size_t to)
{
    long n = b64_decode(ix->bytes, from, to, ix->bytes + *out);
    size_t at, sn;
    if (n <= 0 || subject_of(ix->bytes + *out, (size_t)n, &at, &sn) < 0)
        return; /* GnuTLS would not load it either */
    if (array_grow((void **)&ix->a, &ix->cap, ix->n, sizeof *ix->a) < 0)
        return;
    struct anchor *a = &ix->a[ix->n++];
    a->der = *out;
    a->der_len = (size_t)n;
    a->subj = *out + at;
    a->subj_len = sn;
    a->hash = name_hash(ix->bytes + a->subj, sn);
    a->admitted = 0;
    *out += (size_t)n;
}

struct trust_index *trust_index_load(const char *path)
{
    struct trust_index *ix = calloc(1, sizeof *ix);
    size_t len = 0;
    if (!ix || !(ix->bytes = read_all(path, &len))) {
        int e = ix ? errno : ENOMEM;
        free(ix);
        errno = e;
        return NULL;
    }
    static const char *const opens[] = {"-----BEGIN CERTIFICATE", "-----BEGIN X509 CERTIFICATE"};
    size_t pos = 0, out = 0;
    while (pos < len) {
        size_t b = find(ix->bytes, len, pos, "-----BEGIN ");
        if (b == len)
            break;
        int cert = 0;
        for (size_t k = 0; k < sizeof opens / sizeof opens[0]; k++)
            cert |= len - b >= strlen(opens[k]) && memcmp(ix->bytes + b, opens[k], strlen(opens[k])) == 0;
        size_t body = find(ix->bytes, len, b, "\n");  /* the text starts on the next line */
        size_t end = find(ix->bytes, len, body, "-----END");
        if (cert && end < len)
            add_block(ix, &out, body, end);
        pos = end < len ? end + 1 : len;
    }
    return ix;
}

void trust_index_free(struct trust_index *ix)
{
    if (!ix)
        return;
    free(ix->bytes);
    free(ix->a);
    free(ix);
}

size_t trust_index_count(const struct trust_index *ix) { return ix ? ix->n : 0; }
size_t trust_index_admitted(const struct trust_index *ix) { return ix ? ix->admitted : 0; }

const uint8_t *trust_index_subject(const struct trust_index *ix, size_t i, size_t *len)
{
    *len = ix->a[i].subj_len;
    return ix->bytes + ix->a[i].subj;
}

const uint8_t *trust_index_der(const struct trust_index *ix, size_t i, size_t *len)
{
    *len = ix->a[i].der_len;
    return ix->bytes + ix->a[i].der;
}

void trust_index_admit(struct trust_index *ix, gnutls_x509_trust_list_t tl, const uint8_t *name, size_t len)
{
    if (!ix || !name)
        return;
    uint32_t h = name_hash(name, len);
    for (size_t i = 0; i < ix->n; i++) {
        struct anchor *a = &ix->a[i];
        if (a->admitted || a->hash != h || a->subj_len != len || memcmp(ix->bytes + a->subj, name, len))
            continue;
        a->admitted = 1; /* tried once: one GnuTLS cannot parse stays out, as it would from the store */
        gnutls_x509_crt_t crt;
        if (gnutls_x509_crt_init(&crt) < 0)
            continue;
        gnutls_datum_t d = {ix->bytes + a->der, (unsigned)a->der_len};
        if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0 ||
            gnutls_x509_trust_list_add_cas(tl, &crt, 1, GNUTLS_TL_NO_DUPLICATES) != 1) {
            gnutls_x509_crt_deinit(crt); /* not taken: still ours */
            continue;
        }
        ix->admitted++; /* the list owns crt now (deinit with all=1 frees it) */
    }
}

const char *trust_index_system_bundle(void)
{
    /* Debian, Ubuntu, Arch, Alpine; Fedora, RHEL; openSUSE; the BSDs */
    static const char *const places[] = {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                                         "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (access(places[i], R_OK) == 0)
            return places[i];
    return NULL;
}
