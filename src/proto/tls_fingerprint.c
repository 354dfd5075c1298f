/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls_fingerprint.c - JA3 and JA4 of a ClientHello, and the cache that makes
 * them cheap (see tls_fingerprint.h).
 *
 * JA3 (Salesforce): MD5 of the decimal lists.  JA4 (FoxIO, "JA4: TLS Client
 * Fingerprinting"): a readable prefix and two truncated SHA-256 hashes of the
 * sorted hex lists.  Both drop GREASE values (RFC 8701).  Text is built by hand
 * into room reserved once: formatting, not hashing, was the cost.
 */
#include "tls_fingerprint.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_names.h"

enum { EXT_SERVER_NAME = 0, EXT_ALPN = 16 };

void hello_list_push(struct u16vec *a, uint16_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        uint16_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return; /* the fingerprint misses a value rather than the program failing */
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
}

void hello_lists_free(struct hello_lists *l)
{
    free(l->ciphers.v);
    free(l->extensions.v);
    free(l->groups.v);
    free(l->point_formats.v);
    free(l->sigalgs.v);
    free(l->versions.v);
}

static const char hexdig[] = "0123456789abcdef"; /* the fingerprints' lower-case hex */

static void hex_digest(gnutls_digest_algorithm_t alg, const char *text, char *out, size_t chars)
{
    uint8_t md[64];
    size_t mdlen = gnutls_hash_get_len(alg);
    out[0] = '\0';
    if (mdlen == 0 || mdlen > sizeof md || gnutls_hash_fast(alg, text, strlen(text), md) < 0)
        return;
    size_t n = chars < 2 * mdlen ? chars : 2 * mdlen;
    for (size_t i = 0; i < n; i++)
        out[i] = hexdig[(md[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    out[n] = '\0';
}

/* The non-GREASE values, without SNI and ALPN when asked (JA4's extension list). */
static size_t clean(const struct u16vec *a, uint16_t *out, int drop_sni_alpn)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++) {
        uint16_t v = a->v[i];
        if (tls_is_grease(v) || (drop_sni_alpn && (v == EXT_SERVER_NAME || v == EXT_ALPN)))
            continue;
        out[n++] = v;
    }
    return n;
}

/* Text for a fingerprint, on the stack when it fits (it nearly always does). */
struct ftext {
    char *p;
    size_t len;
    char small[2048];
};

static int ftext_init(struct ftext *t, size_t need)
{
    t->len = 0;
    t->p = need <= sizeof t->small ? t->small : malloc(need);
    if (t->p)
        t->p[0] = '\0';
    return t->p ? 0 : -1;
}

static void ftext_free(struct ftext *t)
{
    if (t->p != t->small)
        free(t->p);
}

/* Append values joined by sep: decimal ("4865-4866", JA3) or four lower-case hex digits
 * ("1301,1302", JA4).  By hand, into room reserved at init (6 bytes per value): printf per
 * value cost more than the hashing. */
static void ftext_list(struct ftext *t, const uint16_t *v, size_t n, int hex, char sep)
{
    char *p = t->p + t->len;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = sep;
        unsigned x = v[i];
        if (hex) {
            p[0] = hexdig[x >> 12], p[1] = hexdig[(x >> 8) & 15], p[2] = hexdig[(x >> 4) & 15], p[3] = hexdig[x & 15];
            p += 4;
        } else {
            char tmp[5];
            int k = 0;
            do
                tmp[k++] = (char)('0' + x % 10);
            while ((x /= 10) && k < 5);
            while (k)
                *p++ = tmp[--k];
        }
    }
    *p = '\0';
    t->len = (size_t)(p - t->p);
}

static void ftext_ch(struct ftext *t, char c)
{
    t->p[t->len++] = c;
    t->p[t->len] = '\0';
}

/* Hello lists are short: an insertion sort beats qsort's setup. */
static void sort_u16(uint16_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint16_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* JA4's two version characters. */
static const char *ja4_version(uint16_t v)
{
    return v == 0x0304 ? "13" : v == 0x0303 ? "12" : v == 0x0302 ? "11" : v == 0x0301 ? "10"
         : v == 0x0300 ? "s3" : v == 0x0002 ? "s2" : "00";
}

/* JA4's ALPN characters: first and last of the first protocol in a list
 * (namelist.h; NULL: none), as hex digits when either is not alphanumeric. */
static void ja4_alpn(const uint8_t *list, char out[3])
{
    const char *first;
    size_t flen = 0, pos = 0;
    out[0] = out[1] = '0';
    out[2] = '\0';
    if (!list || !namelist_next(list, &pos, &first, &flen) || flen == 0)
        return;
    unsigned char a = (unsigned char)first[0], z = (unsigned char)first[flen - 1];
    int alnum = ((a >= '0' && a <= '9') || ((a | 0x20) >= 'a' && (a | 0x20) <= 'z')) &&
                ((z >= '0' && z <= '9') || ((z | 0x20) >= 'a' && (z | 0x20) <= 'z'));
    if (alnum) {
        out[0] = (char)a, out[1] = (char)z;
    } else {
        out[0] = hexdig[a >> 4];
        out[1] = hexdig[z & 15];
    }
}

/* JA3 (Salesforce): MD5 of "version,ciphers,extensions,groups,point formats", GREASE removed;
 * the string itself into text (cap bytes), or "" when it does not fit. */
static void make_ja3(uint16_t legacy_version, const struct hello_lists *l, char out[33], char *text, size_t cap)
{
    const struct u16vec *parts[] = {&l->ciphers, &l->extensions, &l->groups, &l->point_formats};
    size_t most = 1, room = 16;
    for (size_t i = 0; i < 4; i++) {
        room += parts[i]->n * 6 + 1;
        if (parts[i]->n > most)
            most = parts[i]->n;
    }
    uint16_t small[256], *tmp = most <= 256 ? small : malloc(most * sizeof *tmp);
    struct ftext t;
    out[0] = '\0';
    text[0] = '\0';
    if (tmp && ftext_init(&t, room) == 0) {
        uint16_t ver = legacy_version;
        ftext_list(&t, &ver, 1, 0, ',');
        for (size_t i = 0; i < 4; i++) {
            ftext_ch(&t, ',');
            ftext_list(&t, tmp, clean(parts[i], tmp, 0), 0, '-');
        }
        hex_digest(GNUTLS_DIG_MD5, t.p, out, 32);
        if (t.len < cap)
            memcpy(text, t.p, t.len + 1);
        ftext_free(&t);
    }
    if (tmp != small)
        free(tmp);
}

/* JA4 (FoxIO, "JA4: TLS Client Fingerprinting"), for TLS over TCP. */
static void make_ja4(const struct tls_client_hello *ch, const struct hello_lists *l, char out[40])
{
    uint16_t ver = ch->legacy_version;
    if (l->versions.n) { /* with supported_versions, its highest non-GREASE value decides */
        ver = 0;
        for (size_t i = 0; i < l->versions.n; i++)
            if (!tls_is_grease(l->versions.v[i]) && l->versions.v[i] > ver)
                ver = l->versions.v[i];
    }
    const char *vs = ja4_version(ver);
    size_t cap = l->ciphers.n + l->extensions.n + l->sigalgs.n + 1;
    uint16_t small[256], *v = cap <= 256 ? small : malloc(cap * sizeof *v);
    char hc[13] = "000000000000", he[13] = "000000000000";
    struct ftext t;
    if (!v || ftext_init(&t, cap * 6 + 16) < 0) {
        if (v != small)
            free(v);
        out[0] = '\0';
        return;
    }
    size_t nc = clean(&l->ciphers, v, 0);
    sort_u16(v, nc);
    ftext_list(&t, v, nc, 1, ',');
    if (nc)
        hex_digest(GNUTLS_DIG_SHA256, t.p, hc, 12);

    size_t ne_all = clean(&l->extensions, v, 0);
    size_t ne = clean(&l->extensions, v, 1);
    sort_u16(v, ne);
    t.len = 0;
    ftext_list(&t, v, ne, 1, ',');
    size_t ns = clean(&l->sigalgs, v, 0);
    if (ns) {
        ftext_ch(&t, '_');
        ftext_list(&t, v, ns, 1, ',');
    }
    if (ne)
        hex_digest(GNUTLS_DIG_SHA256, t.p, he, 12);
    ftext_free(&t);
    if (v != small)
        free(v);

    /* first and last character of the first ALPN value; hex digits when they are not alphanumeric */
    char alpn[3];
    ja4_alpn(ch->alpn, alpn);
    snprintf(out, 40, "t%s%c%02zu%02zu%s_%s_%s", vs, ch->sni_len ? 'd' : 'i', nc > 99 ? 99 : nc,
             ne_all > 99 ? 99 : ne_all, alpn, hc, he);
}

/* ------------------------------------------------------------ cache */

#define FP_SLOTS 256

struct fp_slot {
    uint64_t hash;
    uint16_t *key;        /* everything both fingerprints depend on, as u16 values */
    size_t key_len;
    char ja3[33], ja4[40];
    char *ja3_string;     /* NULL when it did not fit the caller's room */
};

struct tls_fp_cache {
    struct fp_slot slot[FP_SLOTS];
};

struct tls_fp_cache *tls_fp_cache_new(void) { return calloc(1, sizeof(struct tls_fp_cache)); }

void tls_fp_cache_free(struct tls_fp_cache *fc)
{
    if (!fc)
        return;
    for (size_t i = 0; i < FP_SLOTS; i++) {
        free(fc->slot[i].key);
        free(fc->slot[i].ja3_string);
    }
    free(fc);
}

/* The inputs of JA3 and JA4, flattened: version, each list with its length, SNI present, first ALPN. */
static uint16_t *fp_key(const struct tls_client_hello *ch, const struct hello_lists *l, size_t *len)
{
    const struct u16vec *parts[] = {&l->ciphers, &l->extensions, &l->groups, &l->point_formats, &l->sigalgs,
                                    &l->versions};
    const char *first = "";
    size_t alpn = 0, pos = 0;
    if (!namelist_next(ch->alpn, &pos, &first, &alpn))
        alpn = 0;
    size_t n = 3 + alpn;
    for (size_t i = 0; i < 6; i++)
        n += 1 + parts[i]->n;
    uint16_t *k = malloc(n * sizeof *k), *p = k;
    if (!k)
        return NULL;
    *p++ = ch->legacy_version;
    *p++ = ch->sni_len != 0;
    for (size_t i = 0; i < 6; i++) {
        *p++ = (uint16_t)parts[i]->n;
        if (parts[i]->n) /* an empty list has no array at all: memcpy must not see NULL */
            memcpy(p, parts[i]->v, parts[i]->n * sizeof *p);
        p += parts[i]->n;
    }
    *p++ = (uint16_t)alpn;
    for (size_t i = 0; i < alpn; i++)
        *p++ = (unsigned char)first[i];
    *len = n;
    return k;
}

static uint64_t fp_hash(const uint16_t *k, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 0x100000001b3ULL;
    return h ^ (h >> 31);
}

void tls_fingerprints(struct tls_fp_cache *fc, const struct tls_client_hello *ch, const struct hello_lists *l,
                      char ja3[33], char ja4[40], char *ja3_string, size_t cap)
{
    size_t klen = 0;
    uint16_t *key = fc ? fp_key(ch, l, &klen) : NULL;
    struct fp_slot *s = NULL;
    if (key) {
        uint64_t h = fp_hash(key, klen);
        s = &fc->slot[h % FP_SLOTS];
        if (s->key && s->hash == h && s->key_len == klen && !memcmp(s->key, key, klen * sizeof *key)) {
            memcpy(ja3, s->ja3, sizeof s->ja3);
            memcpy(ja4, s->ja4, sizeof s->ja4);
            size_t n = s->ja3_string ? strlen(s->ja3_string) : cap;
            if (n < cap)
                memcpy(ja3_string, s->ja3_string, n + 1);
            else
                ja3_string[0] = '\0';
            free(key);
            return;
        }
        free(s->key);
        free(s->ja3_string);
        s->ja3_string = NULL;
        s->key = key;
        s->key_len = klen;
        s->hash = h;
    }
    make_ja3(ch->legacy_version, l, ja3, ja3_string, cap);
    make_ja4(ch, l, ja4);
    if (s) {
        memcpy(s->ja3, ja3, sizeof s->ja3);
        memcpy(s->ja4, ja4, sizeof s->ja4);
        s->ja3_string = ja3_string[0] ? strdup(ja3_string) : NULL;
    }
}

int tls_server_fingerprints(const struct tls_server_hello *sh, char ja3s[33], char *ja3s_string, size_t cap,
                            char ja4s[32])
{
    ja3s[0] = ja4s[0] = '\0';
    if (cap)
        ja3s_string[0] = '\0';
    if (sh->ext_total > sh->n_ext)
        return -1; /* more extensions than were kept: the fingerprints would be wrong */
    /* JA3S (Salesforce): MD5 of "version,cipher,extensions" in decimal, the
     * extensions in wire order, nothing left out */
    struct ftext t;
    if (ftext_init(&t, 16 + 6 * (size_t)sh->n_ext) < 0)
        return -1;
    uint16_t v = sh->legacy_version, c = sh->cipher;
    ftext_list(&t, &v, 1, 0, ',');
    ftext_ch(&t, ',');
    ftext_list(&t, &c, 1, 0, ',');
    ftext_ch(&t, ',');
    ftext_list(&t, sh->ext, sh->n_ext, 0, '-');
    hex_digest(GNUTLS_DIG_MD5, t.p, ja3s, 32);
    if (t.len < cap)
        memcpy(ja3s_string, t.p, t.len + 1);
    /* JA4S (FoxIO, "JA4S: TLS Server/Session Fingerprint"): version
     * (supported_versions' choice), extension count, the ServerHello's ALPN,
     * the cipher in hex, and SHA-256 of the extensions in wire order */
    char he[13] = "000000000000", alpn[3];
    t.len = 0;
    ftext_list(&t, sh->ext, sh->n_ext, 1, ',');
    if (sh->n_ext)
        hex_digest(GNUTLS_DIG_SHA256, t.p, he, 12);
    ftext_free(&t);
    ja4_alpn(sh->alpn_in_hello ? sh->alpn : NULL, alpn);
    /* "t" version, two digits of extension count, ALPN, "_" cipher in four hex digits, "_" hash:
     * by hand, as snprintf cost more than the two digests' set-up on every TLS connection */
    const char *vs = ja4_version(sh->selected_version);
    unsigned next = sh->n_ext > 99 ? 99u : (unsigned)sh->n_ext;
    char *o = ja4s;
    *o++ = 't';
    *o++ = vs[0];
    *o++ = vs[1];
    *o++ = (char)('0' + next / 10);
    *o++ = (char)('0' + next % 10);
    *o++ = alpn[0];
    *o++ = alpn[1];
    *o++ = '_';
    for (int bit = 12; bit >= 0; bit -= 4)
        *o++ = hexdig[(sh->cipher >> bit) & 15];
    *o++ = '_';
    memcpy(o, he, 13); /* 1 + 2 + 2 + 2 + 1 + 4 + 1 + 12 + NUL = 26 of the 32 */
    return 0;
}
