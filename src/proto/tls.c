/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls.c - the TLS observer (see tls.h).
 *
 * Specs: RFC 8446 (TLS 1.3: sections 4 and 5), draft-ietf-tls-tls13-14..28
 * (the drafts' ServerHello and HelloRetryRequest, 4.1.3-4.1.4), RFC 5246
 * (TLS 1.2: 6.2 record layer, 7.4 handshake), RFC 6101 (SSL 3.0), RFC 6176
 * and the SSL 2.0 draft (the SSLv2-compatible CLIENT-HELLO, RFC 5246
 * appendix E.2), RFC 3749 (DEFLATE records), RFC 8422 5.4 and RFC 5489 2
 * (the ECDHE ServerKeyExchange), RFC 6066 (server_name), RFC 7301 (ALPN),
 * RFC 8701 (GREASE).
 *
 * Two layers per direction.  The record layer frames bytes into records of
 * a content type; the handshake layer concatenates the bodies of readable
 * handshake records and cuts them into messages (a record may hold several
 * messages, a message may span records, a record may span TCP segments: the
 * parser only ever sees a byte stream, so all splits give the same result).
 * Only a message whose content we read (hellos, the server's Certificate) is
 * buffered, up to a cap; every other body is counted down and skipped.
 *
 * What cannot be read without keys is named by position: TLS 1.2 records
 * after a side's ChangeCipherSpec, and TLS 1.3 records after ServerHello;
 * a NULL-cipher suite's records are read anyway (content, then a MAC that
 * only keys can check).
 */
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "tls_deflate.h"
#include "tls_fingerprint.h"
#include "tls_names.h"
#include "tlsdecrypt.h"

enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23, CT_HEARTBEAT = 24 };
enum {
    HT_CLIENT_HELLO = 1, HT_SERVER_HELLO = 2, HT_NEW_SESSION_TICKET = 4, HT_HRR_DRAFT = 6,
    HT_ENCRYPTED_EXTENSIONS = 8, HT_CERTIFICATE = 11, HT_SERVER_KEY_EXCHANGE = 12, HT_FINISHED = 20,
    HT_KEY_UPDATE = 24,
};
enum {
    EXT_SERVER_NAME = 0, EXT_SUPPORTED_GROUPS = 10, EXT_EC_POINT_FORMATS = 11, EXT_SIGALGS = 13,
    EXT_ALPN = 16, EXT_SESSION_TICKET = 35, EXT_PRE_SHARED_KEY = 41, EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43, EXT_KEY_SHARE = 51, EXT_ENCRYPT_THEN_MAC = 22,
};
#define TLS13 0x0304
#define SSL30 0x0300
#define MAX_RECORD (16384 + 2048) /* RFC 5246 6.2.3: ciphertext may exceed the plaintext cap by 2048 */
#define MAX_PLAIN 16384           /* RFC 5246 6.2.2: a record's content once decompressed */
#define DEFAULT_MAX_MESSAGE (256u * 1024u)
#define MAX_CHAIN 16

/* RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest. */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

struct tls_dir {
    /* record layer */
    uint8_t hdr[5];
    uint8_t hdr_have;
    uint8_t rec_type;
    uint32_t rec_left;        /* body bytes of the current record still to come */
    uint8_t rec_readable;     /* the current record's body is plaintext we parse */
    uint8_t after_ccs;        /* (TLS <= 1.2) this side switched to encryption */
    uint8_t encrypted_hs;     /* encrypted handshake records seen from this side */
    uint8_t dead;             /* parse nothing more from this side */
    uint8_t resync;           /* framing lost (gap, mid-stream start): wait for a record at a segment start */
    uint8_t started;          /* the first byte was seen (SSLv2 detection happens there) */
    uint8_t sslv2;            /* this direction speaks SSLv2 records */
    /* handshake layer */
    uint8_t hs_hdr[4];
    uint8_t hs_hdr_have;
    uint8_t hs_type;
    uint32_t hs_len, hs_left;
    uint8_t *buf;             /* the message being kept, when kept */
    uint32_t buf_have;
    uint8_t keeping;
    /* alert layer (two bytes, possibly split) */
    uint8_t alert[2];
    uint8_t alert_have;
    /* a run of application data records, reported once per call */
    uint32_t app_run;
    /* decryption: this side's record protection, and the record being gathered for it */
    struct tlsd *dec;
    struct tlsd *dec_next;    /* made with the other side's (one key block serves both): taken at this side's CCS */
    uint8_t key_due;          /* TLS 1.3: a secret (enum keylog_label + 1) to look up at this side's next protected record */
    uint8_t decrypting;       /* the current record's body is gathered in rec, to be decrypted */
    uint8_t *rec;
    uint32_t rec_have, rec_len;
    uint16_t rec_version;     /* its outer version (the outer type is rec_type) */
    uint64_t rec_index;       /* records this side sent (for "failed at record N") */
    uint8_t dec_failed;
    struct tls_inflate *inflate; /* DEFLATE was negotiated: this side's records decompressed after decryption */
    uint8_t null_mac;         /* NULL cipher, no keys: records are read unchecked, this many MAC bytes cut off */
};

/* What every record touches comes first (the sides' record layers, the flags
 * after them, then the summary's counters at its head): a connection's
 * packets are far apart in a capture, so each one pays a cache miss per
 * line of this struct it reads. */
struct tls_conn {
    struct tls_dir dir[2];
    uint8_t v13;              /* ServerHello chose TLS 1.3: everything after it is encrypted */
    uint8_t hrr;              /* a HelloRetryRequest was seen: TLS 1.3, its CCS is only for middleboxes */
    uint8_t client_finished;  /* (1.3 without keys) the client's first encrypted record went by */
    uint8_t in_plaintext;     /* the bytes being parsed came out of a decrypted record */
    uint8_t in_null_clear;    /* ... out of a NULL-cipher record read without keys (not marked decrypted) */
    uint8_t ske_ec;           /* the suite's ServerKeyExchange names an elliptic curve (read for tls.group) */
    uint8_t ske_psk_hint;     /* ... after a PSK identity hint (ECDHE_PSK) */
    uint8_t cert_pending_v13;
    int64_t now_s;
    /* a Certificate whose check waits for the trust store (see verifier_ready) */
    uint8_t *cert_pending;
    uint32_t cert_pending_len;
    int64_t cert_pending_now_s;
    tls_event_fn on_event;
    void *ctx;
    uint8_t *plain;           /* room for one decrypted record */
    uint8_t *inflated;        /* room for one decompressed record (DEFLATE only) */
    struct tls_summary s;
    struct tls_config cfg;
};

static const char *const hs_kind_names[TLS_HS_COUNT] = {"full", "resumed", "anonymous", "failed", "incomplete"};

const char *tls_hs_kind_name(enum tls_hs_kind k) { return (unsigned)k < TLS_HS_COUNT ? hs_kind_names[k] : "?"; }

const char *tls_auth_name(enum tls_auth a)
{
    switch (a) {
    case TLS_AUTH_CERTIFICATE: return "certificate";
    case TLS_AUTH_PSK: return "psk";
    case TLS_AUTH_ANONYMOUS: return "anonymous";
    default: return NULL;
    }
}

const char *tls_hs_display_name(const struct tls_summary *s)
{
    if (s->handshake == TLS_HS_ANONYMOUS && s->auth == TLS_AUTH_PSK)
        return "PSK";
    return tls_hs_kind_name(s->handshake);
}

/* TLS 1.3 by any of its names: the RFC's 0x0304, drafts 0x7fNN (draft
 * NN), Facebook's drafts 0xfbNN (Wireshark's names for them). */
static int is_tls13(uint16_t v)
{
    return v == TLS13 || (v >> 8) == 0x7f || (v >> 8) == 0xfb;
}

/* Drafts up to 21 (draft-ietf-tls-tls13-21 4.1.3) sent their own version
 * in a ServerHello without session id and compression method; from draft
 * 22 on the ServerHello looks like TLS 1.2's and supported_versions names
 * the draft. */
static int draft_short_hello(uint16_t v)
{
    return (v >> 8) == 0x7f && (v & 0xff) < 22;
}
const char *tls_msg_name(uint8_t code)
{
    if (code == TLS_MSG_HRR)
        return "HelloRetryRequest";
    if (code == TLS_MSG_V2_CLIENT_MASTER_KEY)
        return "ClientMasterKey";
    if (code == TLS_MSG_HRR_DRAFT)
        return "HelloRetryRequest (draft)";
    return tls_handshake_name(code);
}

/* A record header (RFC 8446 5.1): content type, version, length. */
struct rec_hdr {
    uint8_t type, major, minor;
    uint16_t len;
};

/* The header at the start of p[0..n); 0 when fewer than five bytes are there. */
static int rec_hdr_read(const uint8_t *p, size_t n, struct rec_hdr *h)
{
    struct cursor c;
    cur_init(&c, p, n);
    h->type = cur_u8(&c);
    h->major = cur_u8(&c);
    h->minor = cur_u8(&c);
    h->len = cur_be16(&c);
    return !c.err;
}

/* A known content type and an SSL 3.0 .. TLS 1.3 record version. */
static int rec_hdr_plausible(const struct rec_hdr *h)
{
    return h->type >= CT_CCS && h->type <= CT_HEARTBEAT && h->major == 3 && h->minor <= 4;
}

int tls_sniff(const uint8_t *p, size_t n)
{
    struct cursor c;
    cur_init(&c, p, n);
    int first = cur_peek(&c, 0);
    if (first < 0)
        return -1;
    if (first >= CT_CCS && first <= CT_HEARTBEAT) {
        struct rec_hdr h;
        if (!rec_hdr_read(p, n, &h))
            return cur_peek(&c, 1) >= 0 && cur_peek(&c, 1) != 3 ? 0 : -1;
        return rec_hdr_plausible(&h) && h.len > 0 && h.len <= MAX_RECORD;
    }
    if (first & 0x80) { /* SSLv2 two-byte header, then CLIENT-HELLO (1) and a version */
        size_t len = cur_be16(&c) & 0x7fffu;
        uint8_t type = cur_u8(&c), major = cur_u8(&c), minor = cur_u8(&c);
        if (c.err)
            return -1;
        return type == 1 && ((major == 0 && minor == 2) || (major == 3 && minor <= 4)) && len >= 9;
    }
    return 0;
}

struct tls_conn *tls_new(const struct tls_config *cfg, tls_event_fn on_event, void *ctx)
{
    struct tls_conn *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (cfg)
        t->cfg = *cfg;
    if (!t->cfg.max_message)
        t->cfg.max_message = DEFAULT_MAX_MESSAGE;
    t->on_event = on_event;
    t->ctx = ctx;
    t->s.handshake = TLS_HS_INCOMPLETE;
    return t;
}

void tls_free(struct tls_conn *t)
{
    if (!t)
        return;
    for (int s = 0; s < 2; s++) {
        free(t->dir[s].buf);
        free(t->dir[s].rec);
        tlsd_free(t->dir[s].dec);
        tlsd_free(t->dir[s].dec_next);
        tls_inflate_free(t->dir[s].inflate);
    }
    free(t->plain);
    free(t->inflated);
    free(t->cert_pending);
    free(t);
}

const struct tls_summary *tls_summary_of(const struct tls_conn *t) { return &t->s; }
void tls_set_upgraded_from(struct tls_conn *t, const char *name) { t->s.upgraded_from = name; }

size_t tls_memory(const struct tls_conn *t)
{
    size_t n = sizeof *t + (t->plain ? MAX_RECORD : 0) + (t->inflated ? MAX_PLAIN : 0) + t->cert_pending_len;
    for (int s = 0; s < 2; s++) {
        const struct tls_dir *d = &t->dir[s];
        n += (d->buf ? d->hs_len : 0) + (d->rec ? MAX_RECORD : 0);
        if (d->dec || d->dec_next || d->inflate) /* only once records are protected: off the common path */
            n += (d->dec ? 512 : 0) + (d->dec_next ? 512 : 0) + (d->inflate ? TLS_INFLATE_MEMORY : 0);
    }
    return n;
}

static void emit_data(struct tls_conn *t, enum tls_event_kind k, int from_server, uint16_t code, const char *label,
                      const uint8_t *data, size_t len)
{
    if (!t->on_event)
        return;
    char marked[160];
    if (t->in_plaintext && !t->in_null_clear && k != TLS_EV_ESTABLISHED) { /* what the keys revealed says so */
        snprintf(marked, sizeof marked, "%s (decrypted)", label);
        label = marked;
    }
    struct tls_event ev = {k, from_server, code, label, t->in_plaintext ? data : NULL, t->in_plaintext ? len : 0};
    t->on_event(t->ctx, &ev);
}

static void emit(struct tls_conn *t, enum tls_event_kind k, int from_server, uint16_t code, const char *label)
{
    emit_data(t, k, from_server, code, label, NULL, 0);
}

static void malformed(struct tls_conn *t, int from_server, const char *what)
{
    struct tls_dir *d = &t->dir[from_server];
    if (!t->s.malformed) {
        t->s.malformed = 1;
        snprintf(t->s.note, sizeof t->s.note, "malformed %s from the %s", what, from_server ? "server" : "client");
        emit(t, TLS_EV_MALFORMED, from_server, 0, t->s.note);
    }
    d->dead = 1;
    free(d->buf);
    d->buf = NULL;
    d->keeping = 0;
}

/* ------------------------------------------------------------ hello parsing */

static void list_push(struct tls_list *l, uint16_t v)
{
    if (l->n < TLS_LIST_MAX)
        l->v[l->n++] = v;
    if (l->total < UINT16_MAX)
        l->total++;
}

static void read_u16_list(struct cursor c, struct tls_list *l, struct u16vec *all)
{
    while (cur_left(&c) >= 2) {
        uint16_t v = cur_be16(&c);
        list_push(l, v);
        hello_list_push(all, v);
    }
}

/* RFC 7301 section 3.1: ProtocolName protocol_name_list<2..2^16-1>, each <1..2^8-1> bytes, kept exactly. */
static void parse_alpn_list(struct cursor e, uint8_t *out, size_t cap)
{
    struct cursor l = cur_sub(&e, cur_be16(&e));
    namelist_clear(out, cap);
    while (cur_left(&l) > 0 && !l.err) {
        uint8_t n = cur_u8(&l);
        const uint8_t *s = cur_take(&l, n);
        if (!s || n == 0)
            break;
        namelist_add(out, cap, s, n);
    }
}

/* A hello's extensions block, when it has one: 1 and its cursor, 0 when absent (SSL 3.0 style), -1 malformed. */
static int extensions_block(struct cursor *c, struct cursor *exts)
{
    if (cur_left(c) == 0)
        return 0;
    *exts = cur_sub(c, cur_be16(c));
    return c->err ? -1 : 1;
}

/* The next extension of a block: 1 with its type and body, 0 at the end, -1 when malformed. */
static int next_extension(struct cursor *exts, uint16_t *type, struct cursor *body)
{
    if (cur_left(exts) < 4)
        return 0;
    *type = cur_be16(exts);
    *body = cur_sub(exts, cur_be16(exts));
    return exts->err ? -1 : 1;
}

static int parse_client_hello(struct tls_client_hello *ch, struct hello_lists *all, struct cursor c)
{
    memset(ch, 0, sizeof *ch);
    ch->legacy_version = cur_be16(&c);
    cur_copy(&c, ch->random, 32);
    ch->session_id_len = cur_u8(&c);
    if (ch->session_id_len > 32)
        return -1;
    cur_copy(&c, ch->session_id, ch->session_id_len);
    struct cursor cs = cur_sub(&c, cur_be16(&c));
    read_u16_list(cs, &ch->ciphers, &all->ciphers);
    cur_skip(&c, cur_u8(&c)); /* compression methods */
    if (c.err)
        return -1;
    struct cursor exts, e;
    uint16_t type;
    int r = extensions_block(&c, &exts);
    if (r <= 0)
        return r;
    while ((r = next_extension(&exts, &type, &e)) > 0) {
        list_push(&ch->extensions, type);
        hello_list_push(&all->extensions, type);
        switch (type) {
        case EXT_SERVER_NAME: {
            struct cursor l = cur_sub(&e, cur_be16(&e));
            while (cur_left(&l) >= 3) {
                uint8_t nt = cur_u8(&l);
                uint16_t nl = cur_be16(&l);
                const uint8_t *name = cur_take(&l, nl);
                if (name && nt == 0 && !ch->sni_len && nl > 0) {
                    /* exactly as sent (JSON shows it so); outputs that draw it clean it (termtext.h) */
                    ch->sni_len = (uint8_t)(nl < sizeof ch->sni - 1 ? nl : sizeof ch->sni - 1);
                    memcpy(ch->sni, name, ch->sni_len);
                    ch->sni[ch->sni_len] = '\0';
                }
            }
            break;
        }
        case EXT_SUPPORTED_GROUPS:
            read_u16_list(cur_sub(&e, cur_be16(&e)), &ch->groups, &all->groups);
            break;
        case EXT_EC_POINT_FORMATS: {
            uint8_t n = cur_u8(&e);
            for (unsigned i = 0; i < n && cur_left(&e) > 0; i++) {
                uint8_t f = cur_u8(&e);
                hello_list_push(&all->point_formats, f);
                if (ch->n_point_formats < sizeof ch->point_formats)
                    ch->point_formats[ch->n_point_formats++] = f;
            }
            break;
        }
        case EXT_SIGALGS:
            read_u16_list(cur_sub(&e, cur_be16(&e)), &ch->sigalgs, &all->sigalgs);
            break;
        case EXT_ALPN:
            parse_alpn_list(e, ch->alpn, sizeof ch->alpn);
            break;
        case EXT_SESSION_TICKET:
            ch->ticket_offered = cur_left(&e) > 0;
            break;
        case EXT_PRE_SHARED_KEY:
            ch->psk_offered = 1;
            break;
        case EXT_EARLY_DATA:
            ch->early_data = 1;
            break;
        case EXT_SUPPORTED_VERSIONS:
            read_u16_list(cur_sub(&e, cur_u8(&e)), &ch->versions, &all->versions);
            break;
        case EXT_KEY_SHARE: {
            struct cursor l = cur_sub(&e, cur_be16(&e));
            while (cur_left(&l) >= 4) {
                list_push(&ch->key_share, cur_be16(&l));
                cur_skip(&l, cur_be16(&l));
            }
            break;
        }
        default:
            break;
        }
    }
    return r;
}

static int parse_server_hello(struct tls_server_hello *sh, struct cursor c)
{
    memset(sh, 0, sizeof *sh);
    sh->legacy_version = cur_be16(&c);
    const uint8_t *random = cur_take(&c, 32);
    sh->hello_retry = random && !memcmp(random, hrr_random, 32);
    if (random)
        memcpy(sh->random, random, 32);
    if (draft_short_hello(sh->legacy_version)) {
        sh->cipher = cur_be16(&c); /* no session id, no compression method */
    } else {
        sh->session_id_len = cur_u8(&c);
        if (sh->session_id_len > 32)
            return -1;
        cur_copy(&c, sh->session_id, sh->session_id_len);
        sh->cipher = cur_be16(&c);
        sh->compression = cur_u8(&c);
    }
    if (c.err)
        return -1;
    sh->selected_version = sh->legacy_version;
    struct cursor exts, e;
    uint16_t type;
    int r = extensions_block(&c, &exts);
    if (r <= 0)
        return r;
    while ((r = next_extension(&exts, &type, &e)) > 0) {
        if (sh->n_ext < TLS_SH_EXT_MAX)
            sh->ext[sh->n_ext++] = type;
        if (sh->ext_total < UINT16_MAX)
            sh->ext_total++;
        switch (type) {
        case EXT_SUPPORTED_VERSIONS:
            if (cur_left(&e) >= 2)
                sh->selected_version = cur_be16(&e);
            break;
        case EXT_KEY_SHARE:
            sh->key_share_group = cur_be16(&e);
            break;
        case EXT_PRE_SHARED_KEY:
            sh->psk_accepted = 1;
            break;
        case EXT_ALPN:
            parse_alpn_list(e, sh->alpn, sizeof sh->alpn);
            sh->alpn_in_hello = 1;
            break;
        case EXT_ENCRYPT_THEN_MAC:
            sh->etm = 1;
            break;
        default:
            break;
        }
    }
    return r;
}

/* TLS 1.3 EncryptedExtensions (RFC 8446 4.3.1): where the server's ALPN choice hides. */
static void parse_encrypted_extensions(struct tls_server_hello *sh, struct cursor c)
{
    struct cursor exts, e;
    uint16_t type;
    if (extensions_block(&c, &exts) > 0)
        while (next_extension(&exts, &type, &e) > 0)
            if (type == EXT_ALPN)
                parse_alpn_list(e, sh->alpn, sizeof sh->alpn);
}

/* Put off checking a chain while the trust store still loads (its loader
 * thread would otherwise keep the reading waiting, tens of milliseconds);
 * wait only when a listener needs the verdict on the Certificate's arrow. */
static int put_off_check(struct tls_conn *t)
{
    return !t->on_event && t->cfg.verifier && t->cfg.verifier_ready && !t->cfg.verifier_ready(t->cfg.verifier_ctx);
}

/* The server's chain: count it, parse the leaf, verify as the client would
 * (or keep the message for verify_pending, when may_put_off). */
static void parse_certificate(struct tls_conn *t, struct cursor c, char *label, size_t cap, int may_put_off)
{
    const uint8_t *der[MAX_CHAIN];
    size_t len[MAX_CHAIN], n = 0, total = 0;
    struct cursor whole = c;
    if (t->v13)
        cur_skip(&c, cur_u8(&c)); /* certificate_request_context */
    struct cursor list = cur_sub(&c, cur_be24(&c));
    while (cur_left(&list) >= 3) {
        uint32_t l = cur_be24(&list);
        const uint8_t *d = cur_take(&list, l);
        if (!d)
            break;
        if (n < MAX_CHAIN) {
            der[n] = d;
            len[n++] = l;
        }
        total++;
        if (t->v13)
            cur_skip(&list, cur_be16(&list)); /* per-certificate extensions */
    }
    t->s.cert_seen = 1;
    t->s.certificates = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
    if (n == 0) {
        t->s.cert_verdict = CERT_MALFORMED;
        t->s.cert_verified = 1;
        if (t->on_event)
            snprintf(label, cap, "Certificate (empty)");
        return;
    }
    if (may_put_off && put_off_check(t)) {
        size_t body = cur_left(&whole);
        t->cert_pending = malloc(body ? body : 1);
        if (t->cert_pending) {
            cur_copy(&whole, t->cert_pending, body);
            t->cert_pending_len = (uint32_t)body;
            t->cert_pending_v13 = t->v13;
            t->cert_pending_now_s = t->now_s;
            return;
        } /* no room to keep it: wait for the store instead */
    }
    struct x509_verifier *v = t->cfg.verifier ? t->cfg.verifier(t->cfg.verifier_ctx) : NULL;
    if (!v) { /* verification is off: the leaf is still worth showing */
        if (x509_parse_cached(t->cfg.leaves, der[0], len[0], &t->s.leaf) < 0)
            memset(&t->s.leaf, 0, sizeof t->s.leaf);
        if (t->on_event)
            snprintf(label, cap, "Certificate (%zu)", total);
        return;
    }
    int leaf_ok;
    /* an SNI with a NUL in it names no host: checked whole, "evil.test\0.bank.example" must not pass for
     * evil.test (RFC 6066 3: a HostName holds no NUL), so the NUL becomes a byte no name may hold */
    char host[sizeof t->s.ch.sni];
    memcpy(host, t->s.ch.sni, sizeof host);
    for (size_t i = 0; i < t->s.ch.sni_len; i++)
        if (!host[i])
            host[i] = '/';
    t->s.cert_verdict = x509_check_server(v, der, len, n, host, t->now_s, &t->s.leaf, &leaf_ok);
    if (!leaf_ok)
        memset(&t->s.leaf, 0, sizeof t->s.leaf);
    t->s.cert_verified = 1;
    if (t->on_event)
        snprintf(label, cap, "Certificate (%zu, %s)", total, cert_verdict_name(t->s.cert_verdict));
}

/* Check a put-off chain: at the Certificate's time, with its version. */
static void verify_pending(struct tls_conn *t)
{
    uint8_t *body = t->cert_pending;
    if (!body)
        return;
    uint8_t v13 = t->v13;
    int64_t now_s = t->now_s;
    struct cursor c;
    cur_init(&c, body, t->cert_pending_len);
    t->v13 = t->cert_pending_v13;
    t->now_s = t->cert_pending_now_s;
    t->cert_pending = NULL;
    t->cert_pending_len = 0;
    char label[8];
    parse_certificate(t, c, label, sizeof label, 0);
    t->v13 = v13;
    t->now_s = now_s;
    free(body);
}

static void set_established(struct tls_conn *t, int from_server);

/* ------------------------------------------------------------ keys */

/* The first reason decryption stopped is the one the user needs. */
static void decrypt_problem(struct tls_conn *t, const char *note)
{
    t->s.decrypt_failed = 1;
    if (!t->s.decrypt_note[0])
        snprintf(t->s.decrypt_note, sizeof t->s.decrypt_note, "%s", note);
}

/* A side's record protection from a secret in the key log; 0, or -1 (the note says why). */
static int start_decrypting(struct tls_conn *t, int from_server, enum keylog_label label)
{
    if (!t->cfg.secret)
        return -1;
    t->s.keys_offered = 1;
    size_t len = 0;
    const uint8_t *secret = t->cfg.secret(t->cfg.secret_ctx, t->s.ch.random, label, &len);
    if (!secret) {
        decrypt_problem(t, "no key for this client random");
        return -1;
    }
    uint16_t suite = t->s.sh.cipher;
    if (t->v13 && t->s.version != TLS13) {
        decrypt_problem(t, "TLS 1.3 drafts are not decrypted (their key schedules and records differ)");
        return -1;
    }
    if (!tlsd_suite_supported(t->s.version, suite)) {
        char note[sizeof t->s.decrypt_note];
        tlsd_unsupported_note(t->s.version, suite, note, sizeof note);
        decrypt_problem(t, note);
        return -1;
    }
    /* RFC 3749: DEFLATE comes with the new cipher state; nothing else is in use */
    uint8_t comp = t->v13 ? 0 : t->s.sh.compression;
    if (comp > 1) {
        char note[64];
        snprintf(note, sizeof note, "compression method %u is not one synfin reads", comp);
        decrypt_problem(t, note);
        return -1;
    }
    char err[128];
    struct tlsd *d = NULL;
    struct tls_dir *other = &t->dir[!from_server];
    if (t->v13) {
        d = tlsd_new_tls13(suite, secret, len, err, sizeof err);
    } else if (t->dir[from_server].dec_next) { /* the other side's CCS made this side's keys too */
        d = t->dir[from_server].dec_next;
        t->dir[from_server].dec_next = NULL;
    } else if (len == 48) {
        struct tlsd *side[2];
        if (tlsd_new_tls12_pair(t->s.version, suite, secret, t->s.ch.random, t->s.sh.random, t->s.sh.etm,
                                &side[0], &side[1], err, sizeof err) == 0) {
            d = side[from_server];
            tlsd_free(other->dec_next);
            other->dec_next = side[!from_server];
        }
    }
    if (!d) {
        decrypt_problem(t, "the keys could not be derived");
        return -1;
    }
    struct tls_dir *dir = &t->dir[from_server];
    tls_inflate_free(dir->inflate);
    dir->inflate = NULL;
    if (comp == 1 && !(dir->inflate = tls_inflate_new())) {
        tlsd_free(d);
        decrypt_problem(t, "out of memory");
        return -1;
    }
    tlsd_free(dir->dec);
    dir->dec = d;
    dir->dec_failed = 0;
    return 0;
}

/* A TLS 1.3 side's next keys, looked up only when a record needs them (or at the end, for
 * the note): a live capture's key log is written by an endpoint while synfin watches the same
 * packets, and it logs each secret as it reads or answers the message that switches keys,
 * often a moment after synfin saw that message.  The side's first record under the new keys
 * comes after its endpoint logged them. */
static void key_due_now(struct tls_conn *t, int from_server)
{
    struct tls_dir *d = &t->dir[from_server];
    if (d->key_due) {
        enum keylog_label label = (enum keylog_label)(d->key_due - 1);
        d->key_due = 0;
        start_decrypting(t, from_server, label);
    }
}

/* A NULL-cipher side read without keys: only DEFLATE, if negotiated, stands between
 * the records and their content. */
static void start_null_reading(struct tls_conn *t, int from_server)
{
    struct tls_dir *dir = &t->dir[from_server];
    tls_inflate_free(dir->inflate);
    dir->inflate = NULL;
    if (t->s.sh.compression == 1 && !(dir->inflate = tls_inflate_new()))
        dir->null_mac = 0; /* no memory: the records stay unread */
}

/* A TLS 1.2 ECDHE ServerKeyExchange (RFC 8422 5.4, RFC 5489 2 for
 * ECDHE_PSK): [psk_identity_hint] ECParameters { curve_type, named curve }. */
static void parse_server_key_exchange(struct tls_conn *t, struct cursor c)
{
    if (t->ske_psk_hint)
        cur_skip(&c, cur_be16(&c));
    uint8_t curve_type = cur_u8(&c);
    uint16_t group = cur_be16(&c);
    if (!c.err && curve_type == 3) /* named_curve */
        t->s.group = group;
}

/* Which suites send an ServerKeyExchange that names a curve: ECDHE (any
 * authentication) and ECDH_anon, by their IANA names. */
static void note_key_exchange(struct tls_conn *t, uint16_t suite)
{
    const char *n = tls_cipher_name(suite);
    t->ske_ec = n && (!strncmp(n, "TLS_ECDHE_", 10) || !strncmp(n, "TLS_ECDH_anon_", 14));
    t->ske_psk_hint = n && !strncmp(n, "TLS_ECDHE_PSK_", 14);
}

/* tls.auth from the suite, or in TLS 1.3 from whether a PSK was accepted:
 * RSA_PSK suites show a certificate, so they count as certificate. */
static enum tls_auth auth_of(const struct tls_conn *t)
{
    const struct tls_summary *s = &t->s;
    if (!s->seen_server_hello || s->sh.hello_retry || s->version == 0x0002)
        return TLS_AUTH_UNKNOWN;
    if (t->v13)
        return s->sh.psk_accepted ? TLS_AUTH_PSK : TLS_AUTH_CERTIFICATE;
    if (!tls_cipher_is_certless(s->sh.cipher))
        return TLS_AUTH_CERTIFICATE;
    const char *n = tls_cipher_name(s->sh.cipher);
    return n && strstr(n, "_PSK_") ? TLS_AUTH_PSK : TLS_AUTH_ANONYMOUS;
}

static void record_msg_name(struct tls_conn *t, int from_server, uint8_t type)
{
    if (t->s.n_msgs < TLS_MSGS_MAX) {
        t->s.msgs[t->s.n_msgs] = type;
        t->s.msg_from_server[t->s.n_msgs] = (uint8_t)from_server;
        t->s.n_msgs++;
    }
}

/* A whole handshake message (body in d->buf when kept). */
static void handshake_message(struct tls_conn *t, int from_server, uint8_t type, const uint8_t *body, uint32_t len)
{
    /* labels are for the ladder: built only when someone listens */
    char label[128] = "";
    const char *name = t->on_event ? tls_handshake_name(type) : NULL;
    if (name)
        snprintf(label, sizeof label, "%s", name);
    else if (t->on_event)
        snprintf(label, sizeof label, "Handshake type %u", type);
    struct cursor c;
    cur_init(&c, body, body ? len : 0);

    if (type == HT_CLIENT_HELLO && !from_server && body) {
        struct hello_lists all = {0};
        struct tls_client_hello ch; /* a malformed second hello must not blank the first */
        int bad = parse_client_hello(&ch, &all, c) < 0;
        if (!bad) {
            t->s.ch = ch;
            tls_fingerprints(t->cfg.fingerprints, &t->s.ch, &all, t->s.ja3, t->s.ja4, t->s.ja3_string,
                             sizeof t->s.ja3_string);
        }
        hello_lists_free(&all);
        if (bad) {
            malformed(t, from_server, "ClientHello");
            return;
        }
        t->s.seen_client_hello = 1;
        if (t->s.ch.sni_len && t->on_event)
            snprintf(label, sizeof label, "ClientHello (SNI %.96s)", t->s.ch.sni);
    } else if (type == HT_SERVER_HELLO && from_server && body) {
        struct tls_server_hello sh;
        if (parse_server_hello(&sh, c) < 0) {
            malformed(t, from_server, "ServerHello");
            return;
        }
        t->s.sh = sh;
        t->s.seen_server_hello = 1;
        for (int s = 0; s < 2; s++) { /* new randoms: keys made from the old ones are for nobody */
            tlsd_free(t->dir[s].dec_next);
            t->dir[s].dec_next = NULL;
        }
        char vb[32];
        const char *vn = t->on_event ? tls_version_name(sh.selected_version, vb, sizeof vb) : NULL;
        const char *cn = t->on_event ? tls_cipher_name(sh.cipher) : NULL;
        if (sh.hello_retry) {
            snprintf(label, sizeof label, "HelloRetryRequest");
            type = TLS_MSG_HRR;
            t->hrr = 1;
        } else {
            t->s.version = sh.selected_version;
            t->v13 = is_tls13(sh.selected_version);
            if (t->v13)
                t->s.group = sh.key_share_group;
            else
                note_key_exchange(t, sh.cipher);
            if (t->v13 && t->cfg.secret) { /* RFC 8446 7.3: the handshake is protected from here */
                t->dir[0].key_due = KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET + 1;
                t->dir[1].key_due = KL_SERVER_HANDSHAKE_TRAFFIC_SECRET + 1;
            }
            if (t->on_event)
                snprintf(label, sizeof label, "ServerHello (%s%s%s)", vn ? vn : "?", cn ? ", " : "", cn ? cn : "");
        }
    } else if (type == HT_HRR_DRAFT && from_server) {
        /* drafts up to 21 (draft-ietf-tls-tls13-21 4.1.4): its own type */
        snprintf(label, sizeof label, "HelloRetryRequest");
        type = TLS_MSG_HRR_DRAFT;
        t->hrr = 1;
    } else if (type == HT_SERVER_KEY_EXCHANGE && from_server && body && t->ske_ec) {
        parse_server_key_exchange(t, c);
    } else if (type == HT_CERTIFICATE && from_server && body) {
        parse_certificate(t, c, label, sizeof label, 1);
    } else if (type == HT_ENCRYPTED_EXTENSIONS && from_server && body) {
        parse_encrypted_extensions(&t->s.sh, c);
    }
    record_msg_name(t, from_server, type);
    emit_data(t, TLS_EV_HANDSHAKE, from_server, type, label, body, len);
    if (t->in_plaintext && !t->v13 && type == HT_FINISHED) {
        /* both Finished messages read: the TLS <= 1.2 session is established */
        t->dir[from_server].encrypted_hs++;
        if (t->dir[0].encrypted_hs && t->dir[1].encrypted_hs)
            set_established(t, from_server);
    }
    if (t->in_plaintext && t->v13) {
        /* RFC 8446 7.2: after a side's Finished its application traffic keys take over;
         * a KeyUpdate moves that side's keys on */
        if (type == HT_FINISHED) {
            t->dir[from_server].key_due = (from_server ? KL_SERVER_TRAFFIC_SECRET_0 : KL_CLIENT_TRAFFIC_SECRET_0) + 1;
            if (!from_server)
                set_established(t, from_server);
        } else if (type == HT_KEY_UPDATE && t->dir[from_server].dec) {
            tlsd_key_update(t->dir[from_server].dec);
        }
    }
}

/* Is the body of this message read for the summary?  The answer must not
 * depend on who listens: --json and the ladder report the same connection. */
static int worth_reading(const struct tls_conn *t, int from_server, uint8_t type)
{
    if (type == HT_ENCRYPTED_EXTENSIONS)
        return from_server;
    if (type == HT_CLIENT_HELLO)
        return !from_server;
    if (type == HT_SERVER_HELLO)
        return from_server;
    if (type == HT_CERTIFICATE)
        return from_server && !t->s.cert_seen;
    if (type == HT_SERVER_KEY_EXCHANGE)
        return from_server && t->ske_ec && !t->s.group;
    return 0;
}

/* Bytes of readable handshake records, in order: cut into messages. */
static void handshake_bytes(struct tls_conn *t, int from_server, const uint8_t *p, size_t n)
{
    struct tls_dir *d = &t->dir[from_server];
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in) && !d->dead) {
        if (d->hs_hdr_have < 4) {
            d->hs_hdr_have = (uint8_t)cur_gather(&in, d->hs_hdr, d->hs_hdr_have, 4);
            if (d->hs_hdr_have < 4)
                continue;
            struct cursor h;
            cur_init(&h, d->hs_hdr, 4);
            d->hs_type = cur_u8(&h);
            d->hs_len = cur_be24(&h);
            d->hs_left = d->hs_len;
            d->buf_have = 0;
            int read = worth_reading(t, from_server, d->hs_type);
            /* decrypted, every body is kept too: the detail pane shows what the keys revealed */
            d->keeping = read || (t->in_plaintext && t->on_event);
            if (d->keeping && d->hs_len > t->cfg.max_message) {
                d->keeping = 0; /* too large to keep: named, not read; noted when the summary misses it */
                const char *what = d->hs_type == HT_CERTIFICATE ? "certificate message" : tls_msg_name(d->hs_type);
                if (read && what && (d->hs_type == HT_CERTIFICATE || !t->s.note[0]))
                    snprintf(t->s.note, sizeof t->s.note, "%s of %u bytes not read", what, d->hs_len);
            }
            if (d->keeping) {
                d->buf = malloc(d->hs_len ? d->hs_len : 1);
                if (!d->buf)
                    d->keeping = 0;
            }
        }
        size_t take = cur_left(&in) < d->hs_left ? cur_left(&in) : d->hs_left;
        if (d->keeping && take) {
            cur_copy(&in, d->buf + d->buf_have, take);
            d->buf_have += (uint32_t)take;
        } else {
            cur_skip(&in, take);
        }
        d->hs_left -= (uint32_t)take;
        if (d->hs_left == 0) {
            uint8_t type = d->hs_type;
            uint8_t *body = d->keeping ? d->buf : NULL;
            d->buf = NULL;
            d->keeping = 0;
            d->hs_hdr_have = 0;
            handshake_message(t, from_server, type, body, d->hs_len);
            free(body);
        }
    }
}

/* Record framing is lost: drop what was half-read and wait for a segment
 * that starts with a record header (tshark does the same after a gap). */
static void lose_framing(struct tls_conn *t, int from_server, const char *why)
{
    struct tls_dir *d = &t->dir[from_server];
    if (!t->s.note[0])
        snprintf(t->s.note, sizeof t->s.note, "record framing lost in the %s's bytes (%s)",
                 from_server ? "server" : "client", why);
    d->resync = 1;
    d->hdr_have = 0;
    d->rec_left = 0;
    d->hs_hdr_have = 0;
    d->alert_have = 0;
    free(d->buf);
    d->buf = NULL;
    d->keeping = 0;
}

/* Why the five bytes at p start no record: a header whose length is over the limit, or no header at all. */
static const char *not_a_record(const uint8_t *p, size_t n, char *buf, size_t len, const char *otherwise)
{
    struct rec_hdr h;
    if (rec_hdr_read(p, n, &h) && rec_hdr_plausible(&h)) {
        snprintf(buf, len, "a record header claims %u bytes, over 2^14+2048", (unsigned)h.len);
        return buf;
    }
    return otherwise;
}

/* Could a record begin here?  Five plausible header bytes, nothing less. */
static int record_starts(const uint8_t *p, size_t n)
{
    struct rec_hdr h;
    return rec_hdr_read(p, n, &h) && rec_hdr_plausible(&h) && h.len <= MAX_RECORD;
}

static void set_established(struct tls_conn *t, int from_server)
{
    if (t->s.established)
        return;
    t->s.established = 1;
    emit(t, TLS_EV_ESTABLISHED, from_server, 0, "TLS session established");
}

static void alert_bytes(struct tls_conn *t, int from_server, const uint8_t *p, size_t n)
{
    struct tls_dir *d = &t->dir[from_server];
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        d->alert_have = (uint8_t)cur_gather(&in, d->alert, d->alert_have, 2);
        if (d->alert_have < 2)
            continue;
        d->alert_have = 0;
        uint8_t level = d->alert[0], desc = d->alert[1];
        if (!t->s.alert_seen) {
            t->s.alert_seen = 1;
            t->s.alert_level = level;
            t->s.alert_desc = desc;
        }
        if (t->on_event) {
            char label[96], num[8];
            const char *ln = tls_alert_level_name(level), *dn = tls_alert_name(desc);
            snprintf(num, sizeof num, "%u", desc);
            snprintf(label, sizeof label, "Alert %s %s", ln ? ln : "?", dn ? dn : num);
            emit(t, TLS_EV_ALERT, from_server, (uint16_t)(level << 8 | desc), label);
        }
    }
}

/* A record header is complete: decide how its body will be read. */
static void record_start(struct tls_conn *t, int from_server)
{
    struct tls_dir *d = &t->dir[from_server];
    struct rec_hdr h;
    (void)rec_hdr_read(d->hdr, sizeof d->hdr, &h);
    d->rec_type = h.type;
    d->rec_left = h.len;
    if (h.type < CT_CCS || h.type > CT_HEARTBEAT || h.major != 3 || h.len > MAX_RECORD) {
        char why[64];
        lose_framing(t, from_server, not_a_record(d->hdr, sizeof d->hdr, why, sizeof why, "not a record boundary"));
        return;
    }
    t->s.records[from_server]++;
    t->s.bytes[from_server] += d->rec_left;
    d->rec_index++;
    int encrypted = d->after_ccs || (t->v13 && d->rec_type != CT_CCS);
    d->rec_readable = !encrypted && (d->rec_type == CT_HANDSHAKE || d->rec_type == CT_ALERT);
    d->decrypting = 0;
    if (encrypted && d->key_due && d->rec_type != CT_CCS)
        key_due_now(t, from_server);
    if (encrypted && (d->dec || d->null_mac) && !d->dec_failed && d->rec_type != CT_CCS) {
        /* a whole record is needed to decrypt it: gather its body (at most MAX_RECORD bytes) */
        if (!d->rec && !(d->rec = malloc(MAX_RECORD))) {
            decrypt_problem(t, "out of memory");
            d->dec_failed = 1;
        } else {
            d->decrypting = 1;
            d->rec_have = 0;
            d->rec_len = d->rec_left;
            d->rec_version = (uint16_t)(h.major << 8 | h.minor);
            return;
        }
    }

    switch (d->rec_type) {
    case CT_CCS:
        emit(t, TLS_EV_CCS, from_server, 0, "ChangeCipherSpec");
        if (!t->v13 && !t->hrr) { /* TLS 1.3's CCS changes nothing (RFC 8446 D.4) */
            d->after_ccs = 1;
            /* RFC 5246 7.1: this side's records are protected from the next one;
             * a NULL cipher protects nothing but integrity, so without keys its
             * records are still read (as tshark reads them), their MAC unchecked */
            if ((!t->cfg.secret || start_decrypting(t, from_server, KL_CLIENT_RANDOM) < 0) &&
                (d->null_mac = (uint8_t)tlsd_null_mac_len(t->s.version, t->s.sh.cipher)) != 0)
                start_null_reading(t, from_server);
        }
        break;
    case CT_ALERT:
        if (encrypted) {
            t->s.encrypted_alerts++;
            emit(t, TLS_EV_ALERT, from_server, 0xffff, "Alert (encrypted)");
        }
        break;
    case CT_HANDSHAKE:
        if (encrypted) {
            d->encrypted_hs++;
            emit(t, TLS_EV_ENCRYPTED_HS, from_server, 0, "encrypted handshake");
            /* TLS <= 1.2: the encrypted handshake record after CCS is Finished */
            if (t->dir[0].encrypted_hs && t->dir[1].encrypted_hs)
                set_established(t, from_server);
        }
        break;
    case CT_APPDATA:
        if (t->v13 && !t->s.established && (d->rec_left == 19 || d->rec_left == 11)) {
            /* 2 bytes of alert + the inner type + a 16- (or CCM_8's 8-) byte
             * tag: nothing else in a TLS 1.3 handshake is that short */
            t->s.encrypted_alerts++;
            t->s.encrypted_alert_before_established = 1;
            emit(t, TLS_EV_ALERT, from_server, 0xffff, "Alert (encrypted)");
        } else if (t->v13 && !t->s.established) {
            /* Without keys, TLS 1.3's handshake hides in application_data
             * records: the server's flight, then the client's Finished. */
            d->encrypted_hs++;
            emit(t, TLS_EV_ENCRYPTED_HS, from_server, 0, "encrypted handshake");
            if (!from_server && t->dir[1].encrypted_hs)
                set_established(t, from_server);
        } else {
            t->s.app_records[from_server]++;
            t->s.app_bytes[from_server] += d->rec_left;
            d->app_run++;
        }
        break;
    default:
        break;
    }
}

/* A gathered record: decrypt it, and read what it held as if it had come in clear. */
static void decrypt_record(struct tls_conn *t, int from_server)
{
    struct tls_dir *d = &t->dir[from_server];
    if (!t->plain && !(t->plain = malloc(MAX_RECORD)))
        return;
    size_t olen = 0;
    uint8_t inner = 0;
    if (!d->dec) { /* a NULL cipher without keys: the content, then the MAC we cannot check */
        if (d->rec_len < d->null_mac) {
            d->dec_failed = 1;
            malformed(t, from_server, "NULL-cipher record (shorter than its MAC)");
            return;
        }
        olen = d->rec_len - d->null_mac;
        memcpy(t->plain, d->rec, olen);
        inner = d->rec_type;
    } else if (tlsd_decrypt(d->dec, d->rec_type, d->rec_version, d->rec, d->rec_len, t->plain, &olen, &inner) < 0) {
        d->dec_failed = 1; /* wrong keys, or a record we missed: nothing more from this side */
        char note[80];
        snprintf(note, sizeof note, "record authentication failed at record %llu from the %s",
                 (unsigned long long)d->rec_index, from_server ? "server" : "client");
        decrypt_problem(t, note);
        emit(t, TLS_EV_ENCRYPTED_HS, from_server, 0, "encrypted record (authentication failed)");
        return;
    }
    if (d->inflate && inner != CT_CCS) {
        /* RFC 3749: decompression follows decryption, with a state per direction */
        if (!t->inflated && !(t->inflated = malloc(MAX_PLAIN)))
            return;
        size_t zlen = 0;
        if (tls_inflate_record(d->inflate, t->plain, olen, t->inflated, MAX_PLAIN, &zlen) < 0) {
            d->dec_failed = 1;
            char note[80];
            snprintf(note, sizeof note, "DEFLATE decompression failed at record %llu from the %s",
                     (unsigned long long)d->rec_index, from_server ? "server" : "client");
            decrypt_problem(t, note);
            emit(t, TLS_EV_ENCRYPTED_HS, from_server, 0, "compressed record (decompression failed)");
            return;
        }
        memcpy(t->plain, t->inflated, zlen);
        olen = zlen;
    }
    if (d->dec)
        t->s.decrypted_records++;
    t->in_plaintext = 1;
    t->in_null_clear = !d->dec;
    switch (inner) {
    case CT_HANDSHAKE:
        handshake_bytes(t, from_server, t->plain, olen);
        break;
    case CT_ALERT:
        alert_bytes(t, from_server, t->plain, olen);
        break;
    case CT_APPDATA:
        t->s.app_records[from_server]++;
        t->s.app_bytes[from_server] += olen;
        emit_data(t, TLS_EV_APP_DATA, from_server, 1, "ApplicationData", t->plain, olen);
        if (t->cfg.plaintext)
            t->cfg.plaintext(t->cfg.plaintext_ctx, from_server, t->plain, olen);
        break;
    default:
        break;
    }
    t->in_plaintext = 0;
    t->in_null_clear = 0;
}

/* SSLv2 records (two-byte header form): the CLIENT-HELLO is read, the rest named. */
static void sslv2_record(struct tls_conn *t, int from_server, const uint8_t *rec, size_t len)
{
    static const char *const v2_names[] = {NULL, "ClientHello", "ClientMasterKey", "ClientFinished",
                                           "ServerHello", "ServerVerify", "ServerFinished"};
    struct cursor c;
    cur_init(&c, rec, len);
    uint8_t type = cur_u8(&c);
    t->s.records[from_server]++;
    t->s.bytes[from_server] += len;
    if (type == 1 && !from_server && !t->s.seen_client_hello) {
        struct tls_client_hello *ch = &t->s.ch;
        struct hello_lists all = {0};
        memset(ch, 0, sizeof *ch);
        ch->legacy_version = cur_be16(&c);
        uint16_t cs_len = cur_be16(&c), sid_len = cur_be16(&c);
        uint16_t challenge_len = cur_be16(&c);
        struct cursor cs = cur_sub(&c, cs_len);
        while (cur_left(&cs) >= 3) {
            uint8_t hi = cur_u8(&cs);
            uint16_t lo = cur_be16(&cs);
            if (hi == 0) { /* a TLS cipher suite in SSLv2 clothing */
                list_push(&ch->ciphers, lo);
                hello_list_push(&all.ciphers, lo);
            }
        }
        cur_skip(&c, sid_len);
        /* RFC 5246 E.2: the challenge, right-aligned in 32 zero bytes, is
         * the ClientHello.random of the TLS session that follows (the key
         * log's CLIENT_RANDOM names it so) */
        if (challenge_len >= 16 && challenge_len <= 32)
            cur_copy(&c, ch->random + (32 - challenge_len), challenge_len);
        if (c.err || sid_len > 32) {
            hello_lists_free(&all);
            malformed(t, from_server, "SSLv2 CLIENT-HELLO");
            return;
        }
        t->s.seen_client_hello = 1;
        t->s.sslv2_hello = 1;
        tls_fingerprints(t->cfg.fingerprints, ch, &all, t->s.ja3, t->s.ja4, t->s.ja3_string, sizeof t->s.ja3_string);
        hello_lists_free(&all);
        record_msg_name(t, from_server, HT_CLIENT_HELLO);
        emit(t, TLS_EV_HANDSHAKE, from_server, HT_CLIENT_HELLO, "ClientHello (SSLv2 format)");
        return;
    }
    if (type == 4 && from_server) { /* SERVER-HELLO: the server speaks SSL 2.0 itself */
        t->s.seen_server_hello = 1;
        t->s.version = 0x0002;
        t->s.sh.selected_version = 0x0002;
    }
    if (type >= 1 && type <= 6 && (type == 1 || type == 4 || (type == 2 && !from_server))) {
        /* the messages SSL 2.0 sends in clear; the oracle numbers them as SSLv2 does */
        record_msg_name(t, from_server, type == 4 ? HT_SERVER_HELLO : type == 2 ? TLS_MSG_V2_CLIENT_MASTER_KEY
                                                                                : HT_CLIENT_HELLO);
        char label[48];
        snprintf(label, sizeof label, "%s (SSLv2)", v2_names[type]);
        emit(t, TLS_EV_HANDSHAKE, from_server, type, label);
    } else {
        emit(t, TLS_EV_ENCRYPTED_HS, from_server, 0, "SSLv2 encrypted record");
    }
}

/* SSLv2 framing: [len15][body] with the top bit set (3-byte headers with padding are not used by hellos). */
static void sslv2_bytes(struct tls_conn *t, int from_server, struct cursor *in)
{
    struct tls_dir *d = &t->dir[from_server];
    while (cur_left(in) && !d->dead) {
        if (d->hdr_have < 2) {
            d->hdr_have = (uint8_t)cur_gather(in, d->hdr, d->hdr_have, 2);
            if (d->hdr_have < 2)
                continue;
            struct cursor h;
            cur_init(&h, d->hdr, 2);
            uint16_t head = cur_be16(&h);
            if (!(head & 0x8000)) { /* the peer answered in TLS records after all */
                d->sslv2 = 0;
                d->hdr_have = 2;
                return;
            }
            d->rec_left = head & 0x7fffu;
            d->buf_have = 0;
            free(d->buf);
            d->buf = malloc(d->rec_left ? d->rec_left : 1);
            if (!d->buf) {
                malformed(t, from_server, "SSLv2 record (out of memory)");
                break;
            }
        }
        size_t take = cur_left(in) < d->rec_left - d->buf_have ? cur_left(in) : d->rec_left - d->buf_have;
        cur_copy(in, d->buf + d->buf_have, take);
        d->buf_have += (uint32_t)take;
        if (d->buf_have == d->rec_left) {
            sslv2_record(t, from_server, d->buf, d->rec_left);
            free(d->buf);
            d->buf = NULL;
            d->hdr_have = 0;
        }
    }
}

void tls_data(struct tls_conn *t, int from_server, const uint8_t *p, size_t n, int64_t now_s)
{
    struct tls_dir *d = &t->dir[from_server & 1];
    from_server &= 1;
    if (t->cert_pending && !put_off_check(t))
        verify_pending(t);
    t->now_s = now_s;
    struct cursor in;
    cur_init(&in, p, n);
    if (!d->started && n > 0) {
        d->started = 1;
        /* an SSLv2 header: the client's hello, or a server answering one in kind */
        d->sslv2 = (cur_peek(&in, 0) & 0x80) != 0 && (from_server ? t->s.sslv2_hello : tls_sniff(p, n) != 0);
        if (!d->sslv2 && n >= 5 && !record_starts(p, n)) { /* a capture that starts inside a record */
            char why[64];
            lose_framing(t, from_server, not_a_record(p, n, why, sizeof why, "the capture starts inside a record"));
        }
    }
    if (d->resync) {
        /* each call brings the bytes of one segment: try its start */
        if (!record_starts(p, n))
            return;
        d->resync = 0;
    }
    if (d->sslv2 && !d->dead)
        sslv2_bytes(t, from_server, &in);
    while (cur_left(&in) && !d->dead) {
        if (d->hdr_have < 5) {
            d->hdr_have = (uint8_t)cur_gather(&in, d->hdr, d->hdr_have, 5);
            if (d->hdr_have == 5)
                record_start(t, from_server);
            continue;
        }
        size_t take = cur_left(&in) < d->rec_left ? cur_left(&in) : d->rec_left;
        if (d->decrypting) {
            cur_copy(&in, d->rec + d->rec_have, take);
            d->rec_have += (uint32_t)take;
        } else {
            const uint8_t *part = cur_take(&in, take);
            if (d->rec_readable && d->rec_type == CT_HANDSHAKE)
                handshake_bytes(t, from_server, part, take);
            else if (d->rec_readable && d->rec_type == CT_ALERT)
                alert_bytes(t, from_server, part, take);
        }
        d->rec_left -= (uint32_t)take;
        if (d->rec_left == 0) {
            d->hdr_have = 0;
            if (d->decrypting) {
                d->decrypting = 0;
                decrypt_record(t, from_server);
            }
        }
    }
    if (d->app_run && t->on_event) {
        char label[48];
        if (d->app_run == 1)
            snprintf(label, sizeof label, "ApplicationData");
        else
            snprintf(label, sizeof label, "ApplicationData x%u", d->app_run);
        emit(t, TLS_EV_APP_DATA, from_server, (uint16_t)(d->app_run > 0xffff ? 0xffff : d->app_run), label);
    }
    d->app_run = 0;
}

void tls_gap(struct tls_conn *t, int from_server)
{
    if (!t->dir[from_server & 1].dead)
        lose_framing(t, from_server & 1, "bytes missing");
}

void tls_rst(struct tls_conn *t)
{
    if (!t->s.established)
        t->s.rst_before_established = 1;
}

void tls_end(struct tls_conn *t)
{
    struct tls_summary *s = &t->s;
    verify_pending(t); /* the store is waited for now, if it must be */
    key_due_now(t, 0); /* keys never needed are still looked up: their absence is in the note */
    key_due_now(t, 1);
    if (t->cfg.secret && !s->decrypted_records && !s->decrypt_note[0]) {
        s->keys_offered = 1; /* keys were there to use, but nothing needed them */
        snprintf(s->decrypt_note, sizeof s->decrypt_note, "no encrypted record to decrypt");
    }
    int fatal_before = (s->alert_seen || s->encrypted_alert_before_established) && !s->established;
    if (fatal_before || (s->rst_before_established && !s->established))
        s->handshake = TLS_HS_FAILED;
    else if (!s->established)
        s->handshake = TLS_HS_INCOMPLETE;
    else if (t->v13 ? s->sh.psk_accepted
                    : (s->sh.session_id_len && s->sh.session_id_len == s->ch.session_id_len &&
                       !memcmp(s->sh.session_id, s->ch.session_id, s->sh.session_id_len)) ||
                          (s->seen_server_hello && !s->cert_seen && s->ch.ticket_offered &&
                           !tls_cipher_is_certless(s->sh.cipher)))
        s->handshake = TLS_HS_RESUMED;
    else if (!t->v13 && tls_cipher_is_certless(s->sh.cipher))
        s->handshake = TLS_HS_ANONYMOUS;
    else
        s->handshake = TLS_HS_FULL;
    s->auth = auth_of(t);
}
