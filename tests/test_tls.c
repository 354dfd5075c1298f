/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tls.c - the TLS observer: a handshake built byte by byte from the
 * RFC layouts gives the same summary and the same messages whether it is
 * fed whole, byte by byte or in random splits; several messages in one
 * record, one message across records; every length field too large, too
 * small or zero ends in a clean "malformed" note; JA4 matches the example
 * in FoxIO's specification, JA4S and JA3S FoxIO's and tshark's values for a
 * real ServerHello; TLS 1.3 drafts' ServerHellos; tls.auth and tls.group;
 * NULL-cipher records read without keys; DEFLATE records.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <zlib.h>

#include "tls.h"
#include "tls_deflate.h"
#include "tls_fingerprint.h"
#include "tls_names.h"
#include "unit.h"
#include "x509.h"

/* ------------------------------------------------------------ a byte builder */

struct buf {
    uint8_t b[8192];
    size_t n;
};

static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8), put8(b, v); }
static void put24(struct buf *b, unsigned v) { put8(b, v >> 16), put16(b, v & 0xffff); }
static void putn(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n), b->n += n; }
static void fill(struct buf *b, uint8_t v, size_t n) { memset(b->b + b->n, v, n), b->n += n; }
/* Reserve a length field of `width` bytes; patch() writes what followed it. */
static size_t mark(struct buf *b, int width) { size_t at = b->n; fill(b, 0, (size_t)width); return at; }
static void patch(struct buf *b, size_t at, int width)
{
    size_t len = b->n - at - (size_t)width;
    for (int i = width - 1; i >= 0; i--, len >>= 8)
        b->b[at + (size_t)i] = (uint8_t)len;
}

static const uint16_t ja4_ciphers[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                       0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t ja4_exts[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                                    0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
static const uint16_t ja4_sigs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};

/* A ClientHello handshake message with the JA4 example's lists, GREASE sprinkled in. */
static void client_hello(struct buf *b)
{
    put8(b, 1);
    size_t len = mark(b, 3);
    put16(b, 0x0303);
    fill(b, 0x11, 32);
    put8(b, 32);
    fill(b, 0x22, 32);
    size_t cs = mark(b, 2);
    put16(b, 0x2a2a); /* GREASE: ignored by both fingerprints */
    for (size_t i = 0; i < sizeof ja4_ciphers / 2; i++)
        put16(b, ja4_ciphers[i]);
    patch(b, cs, 2);
    put8(b, 1), put8(b, 0);
    size_t exts = mark(b, 2);
    put16(b, 0xdada), put16(b, 0); /* a GREASE extension */
    for (size_t i = 0; i < sizeof ja4_exts / 2; i++) {
        uint16_t t = ja4_exts[i];
        put16(b, t);
        size_t el = mark(b, 2);
        if (t == 0x0000) { /* server_name */
            size_t l = mark(b, 2);
            put8(b, 0), put16(b, 15), putn(b, "www.synfin.test", 15);
            patch(b, l, 2);
        } else if (t == 0x0010) { /* ALPN */
            size_t l = mark(b, 2);
            put8(b, 2), putn(b, "h2", 2), put8(b, 8), putn(b, "http/1.1", 8);
            patch(b, l, 2);
        } else if (t == 0x000d) {
            size_t l = mark(b, 2);
            for (size_t k = 0; k < sizeof ja4_sigs / 2; k++)
                put16(b, ja4_sigs[k]);
            patch(b, l, 2);
        } else if (t == 0x002b) { /* supported_versions */
            put8(b, 6), put16(b, 0x3a3a), put16(b, 0x0304), put16(b, 0x0303);
        } else if (t == 0x000a) {
            put16(b, 6), put16(b, 0x001d), put16(b, 0x0017), put16(b, 0x0018);
        } else if (t == 0x0033) { /* key_share: x25519 */
            put16(b, 36), put16(b, 0x001d), put16(b, 32), fill(b, 0x33, 32);
        }
        patch(b, el, 2);
    }
    patch(b, exts, 2);
    patch(b, len, 3);
}

/* TLS 1.2 server flight: ServerHello, Certificate (garbage DER), ServerKeyExchange, ServerHelloDone. */
static void server_flight(struct buf *b)
{
    put8(b, 2);
    size_t len = mark(b, 3);
    put16(b, 0x0303);
    fill(b, 0x44, 32);
    put8(b, 0);
    put16(b, 0xc02f);
    put8(b, 0);
    size_t exts = mark(b, 2);
    put16(b, 0x0010);
    size_t el = mark(b, 2);
    put16(b, 3), put8(b, 2), putn(b, "h2", 2);
    patch(b, el, 2);
    patch(b, exts, 2);
    patch(b, len, 3);
    put8(b, 11); /* Certificate: one "certificate" that is not DER */
    len = mark(b, 3);
    size_t list = mark(b, 3);
    put24(b, 40), fill(b, 0x30, 40);
    patch(b, list, 3);
    patch(b, len, 3);
    put8(b, 12), put24(b, 70), fill(b, 0x55, 70);
    put8(b, 14), put24(b, 0);
}

static void record(struct buf *out, uint8_t type, const uint8_t *p, size_t n)
{
    put8(out, type), put16(out, 0x0303), put16(out, (unsigned)n), putn(out, p, n);
}

/* The whole conversation as (direction, bytes) chunks in wire order. */
struct flight {
    int from_server;
    struct buf bytes;
};
static struct flight conv[6];

static void build_conversation(void)
{
    struct buf m = {.n = 0};
    memset(conv, 0, sizeof conv);
    client_hello(&m);
    record(&conv[0].bytes, 22, m.b, m.n);

    /* the server's four messages: two records, one message split across them */
    m.n = 0;
    server_flight(&m);
    conv[1].from_server = 1;
    record(&conv[1].bytes, 22, m.b, 60);
    record(&conv[1].bytes, 22, m.b + 60, m.n - 60);

    uint8_t cke[] = {16, 0, 0, 33, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    uint8_t ccs[] = {1}, fin[40];
    memset(fin, 0x77, sizeof fin);
    record(&conv[2].bytes, 22, cke, sizeof cke);
    record(&conv[2].bytes, 20, ccs, 1);
    record(&conv[2].bytes, 22, fin, sizeof fin); /* encrypted Finished */
    conv[3].from_server = 1;
    record(&conv[3].bytes, 20, ccs, 1);
    record(&conv[3].bytes, 22, fin, sizeof fin);
    uint8_t app[300];
    memset(app, 0x99, sizeof app);
    record(&conv[4].bytes, 23, app, 120);
    record(&conv[4].bytes, 23, app, 300);
    conv[5].from_server = 1;
    record(&conv[5].bytes, 23, app, 250);
}

/* What the parser said, in a comparable form. */
struct transcript {
    char text[4096];
    size_t n;
};

static void on_event(void *ctx, const struct tls_event *ev)
{
    struct transcript *t = ctx;
    if (ev->kind == TLS_EV_APP_DATA)
        return; /* runs of records are reported per delivery, so they follow the splits by design */
    int w = snprintf(t->text + t->n, sizeof t->text - t->n, "%d:%d:%u:%s|", ev->from_server, (int)ev->kind, ev->code,
                     ev->label);
    if (w > 0 && (size_t)w < sizeof t->text - t->n)
        t->n += (size_t)w;
}

static unsigned rng = 12345;
static size_t rnd(size_t n) { rng = rng * 1103515245u + 12345u; return (rng >> 16) % n; }

/* Feed the conversation with chunks of `step` bytes (0: random sizes); return the summary. */
static struct tls_summary run(int step, struct transcript *tr)
{
    memset(tr, 0, sizeof *tr);
    struct tls_conn *t = tls_new(NULL, on_event, tr);
    for (size_t f = 0; f < sizeof conv / sizeof conv[0]; f++) {
        const struct buf *b = &conv[f].bytes;
        for (size_t at = 0; at < b->n;) {
            size_t n = step ? (size_t)step : 1 + rnd(64);
            if (n > b->n - at)
                n = b->n - at;
            /* a fresh heap copy of just this chunk: ASan sees any read past it */
            uint8_t *chunk = malloc(n);
            memcpy(chunk, b->b + at, n);
            tls_data(t, conv[f].from_server, chunk, n, 1700000000);
            free(chunk);
            at += n;
        }
    }
    tls_end(t);
    struct tls_summary s = *tls_summary_of(t);
    tls_free(t);
    return s;
}

static void test_whole_conversation(void)
{
    struct transcript tr;
    struct tls_summary s = run(100000, &tr);
    CU_ASSERT(s.seen_client_hello && s.seen_server_hello);
    CU_ASSERT_EQUAL(s.version, 0x0303);
    CU_ASSERT_STRING_EQUAL(s.ch.sni, "www.synfin.test");
    CU_ASSERT_EQUAL(namelist_count(s.ch.alpn), 2);
    size_t pos = 0, len;
    const char *name;
    CU_ASSERT(namelist_next(s.ch.alpn, &pos, &name, &len) && len == 2 && !memcmp(name, "h2", 2));
    CU_ASSERT(namelist_next(s.ch.alpn, &pos, &name, &len) && len == 8 && !memcmp(name, "http/1.1", 8));
    CU_ASSERT_EQUAL(namelist_count(s.sh.alpn), 1);
    CU_ASSERT(namelist_first_is(s.sh.alpn, "h2"));
    CU_ASSERT_EQUAL(s.sh.cipher, 0xc02f);
    CU_ASSERT_EQUAL(s.n_msgs, 6); /* CH, SH, Certificate, SKE, SHD, CKE; the Finisheds are encrypted */
    static const uint8_t want[] = {1, 2, 11, 12, 14, 16};
    CU_ASSERT(!memcmp(s.msgs, want, sizeof want));
    CU_ASSERT(s.established);
    CU_ASSERT_EQUAL(s.handshake, TLS_HS_FULL);
    CU_ASSERT_EQUAL(s.certificates, 1);
    CU_ASSERT_EQUAL(s.records[0], 6);
    CU_ASSERT_EQUAL(s.records[1], 5);
    CU_ASSERT_EQUAL(s.app_records[0], 2);
    CU_ASSERT_EQUAL(s.app_bytes[0], 420);
    CU_ASSERT_EQUAL(s.app_records[1], 1);
    CU_ASSERT(!s.malformed);
    CU_ASSERT_PTR_NOT_NULL(strstr(tr.text, "TLS session established"));
    CU_ASSERT_PTR_NOT_NULL(strstr(tr.text, "ClientHello (SNI www.synfin.test)"));
}

/* ------------------------------------------------ a certificate check put off */

/* A trust store that is "still loading" until the test says otherwise. */
struct slow_store {
    struct x509_verifier *v;
    int ready, calls;
};

static struct x509_verifier *slow_verifier(void *ctx)
{
    struct slow_store *st = ctx;
    st->calls++;
    return st->v;
}

static int slow_ready(void *ctx) { return ((struct slow_store *)ctx)->ready; }

static void feed_flights(struct tls_conn *t, size_t from, size_t to)
{
    for (size_t f = from; f < to; f++)
        tls_data(t, conv[f].from_server, conv[f].bytes.b, conv[f].bytes.n, 1700000000);
}

/* Without a listener, a Certificate that arrives while the store loads is
 * kept and checked later (at the next bytes once the store is there, or at
 * the end) with the same verdict; a listener (the ladder) waits instead. */
static void test_cert_check_put_off(void)
{
    char err[256];
    struct slow_store st = {x509_verifier_new(NULL, err, sizeof err), 1, 0};
    CU_ASSERT_PTR_NOT_NULL_FATAL(st.v);
    struct tls_config cfg = {.verifier = slow_verifier, .verifier_ready = slow_ready, .verifier_ctx = &st};

    /* the store ready from the start: checked at once */
    struct tls_conn *t = tls_new(&cfg, NULL, NULL);
    feed_flights(t, 0, 2);
    CU_ASSERT_EQUAL(st.calls, 1);
    size_t mem_checked = tls_memory(t);
    feed_flights(t, 2, 6);
    tls_end(t);
    struct tls_summary ref = *tls_summary_of(t);
    tls_free(t);
    CU_ASSERT(ref.cert_verified);

    /* still loading at the Certificate, ready before the client's next flight */
    st.ready = 0, st.calls = 0;
    t = tls_new(&cfg, NULL, NULL);
    feed_flights(t, 0, 2);
    CU_ASSERT_EQUAL(st.calls, 0);
    CU_ASSERT_FALSE(tls_summary_of(t)->cert_verified);
    CU_ASSERT(tls_memory(t) > mem_checked); /* the kept message counts against --memcap */
    st.ready = 1;
    feed_flights(t, 2, 3);
    CU_ASSERT_EQUAL(st.calls, 1);
    CU_ASSERT(tls_summary_of(t)->cert_verified);
    feed_flights(t, 3, 6);
    tls_end(t);
    CU_ASSERT_EQUAL(st.calls, 1);
    CU_ASSERT_EQUAL(tls_summary_of(t)->cert_verdict, ref.cert_verdict);
    CU_ASSERT_EQUAL(tls_summary_of(t)->certificates, ref.certificates);
    CU_ASSERT_EQUAL(tls_summary_of(t)->handshake, ref.handshake);
    tls_free(t);

    /* never ready while bytes flow: the end checks it */
    st.ready = 0, st.calls = 0;
    t = tls_new(&cfg, NULL, NULL);
    feed_flights(t, 0, 6);
    CU_ASSERT_EQUAL(st.calls, 0);
    tls_end(t);
    CU_ASSERT_EQUAL(st.calls, 1);
    CU_ASSERT(tls_summary_of(t)->cert_verified);
    CU_ASSERT_EQUAL(tls_summary_of(t)->cert_verdict, ref.cert_verdict);
    tls_free(t);

    /* a listener needs the verdict on the Certificate's arrow: no putting off */
    struct transcript tr;
    memset(&tr, 0, sizeof tr);
    st.ready = 0, st.calls = 0;
    t = tls_new(&cfg, on_event, &tr);
    feed_flights(t, 0, 2);
    CU_ASSERT_EQUAL(st.calls, 1);
    CU_ASSERT(tls_summary_of(t)->cert_verified);
    CU_ASSERT_PTR_NOT_NULL(strstr(tr.text, cert_verdict_name(ref.cert_verdict)));
    tls_end(t);
    tls_free(t);
    x509_verifier_free(st.v);
}

static void test_ja4_spec_example(void)
{
    struct transcript tr;
    struct tls_summary s = run(100000, &tr);
    /* FoxIO's JA4 technical details: the example hello's fingerprint */
    CU_ASSERT_STRING_EQUAL(s.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    CU_ASSERT_EQUAL(strlen(s.ja3), 32);
}

static void test_splits_agree(void)
{
    struct transcript whole, tr;
    struct tls_summary ref = run(100000, &whole);
    for (int step = 1; step <= 7; step++) {
        struct tls_summary s = run(step, &tr);
        CU_ASSERT(!memcmp(&s, &ref, sizeof s));
        CU_ASSERT_STRING_EQUAL(tr.text, whole.text);
    }
    for (int i = 0; i < 200; i++) {
        struct tls_summary s = run(0, &tr);
        CU_ASSERT(!memcmp(&s, &ref, sizeof s));
        CU_ASSERT_STRING_EQUAL(tr.text, whole.text);
    }
}

/* Corrupt one length field of the client's first record and feed it. */
static struct tls_summary with_client_bytes(const uint8_t *p, size_t n)
{
    struct transcript tr;
    memset(&tr, 0, sizeof tr);
    struct tls_conn *t = tls_new(NULL, on_event, &tr);
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, p, n);
    tls_data(t, 0, copy, n, 0);
    free(copy);
    tls_end(t);
    struct tls_summary s = *tls_summary_of(t);
    tls_free(t);
    return s;
}

static void test_length_fields(void)
{
    const struct buf *ch = &conv[0].bytes;
    /* offsets of the length fields inside record(ClientHello) */
    size_t rec_len = 3, hs_len = 6, sid_len = 5 + 4 + 2 + 32, cs_len = sid_len + 1 + 32;
    size_t offs[] = {rec_len, hs_len, sid_len, cs_len};
    int widths[] = {2, 3, 1, 2};
    unsigned values[] = {0, 1, 2, 0x7f, 0xff, 0xffff, 0xffffff};
    for (size_t f = 0; f < 4; f++)
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            struct buf b = *ch;
            unsigned val = values[v];
            for (int i = widths[f] - 1; i >= 0; i--, val >>= 8)
                b.b[offs[f] + (size_t)i] = (uint8_t)val;
            struct tls_summary s = with_client_bytes(b.b, b.n);
            /* a bad length either reads as other (valid-looking) fields or stops with a note */
            if (s.malformed)
                CU_ASSERT(strstr(s.note, "malformed") != NULL);
        }
    /* every byte past the cipher suites flipped or zeroed: a ClientHello read whole, or a
     * malformed one that says so; what was read stays inside its caps */
    unsigned malformed = 0, read = 0;
    for (size_t at = cs_len; at + 1 < ch->n; at++)
        for (int how = 0; how < 2; how++) {
            struct buf b = *ch;
            b.b[at] = how ? 0 : (uint8_t)(b.b[at] ^ 0x80);
            struct tls_summary s = with_client_bytes(b.b, b.n);
            if (s.malformed) {
                malformed++;
                CU_ASSERT(strstr(s.note, "malformed") != NULL);
            } else if (s.seen_client_hello) {
                read++;
            }
            CU_ASSERT(memchr(s.ch.sni, 0, sizeof s.ch.sni) != NULL);
            CU_ASSERT(memchr(s.ch.alpn, 0, sizeof s.ch.alpn) != NULL);
            CU_ASSERT(s.ch.ciphers.n <= TLS_LIST_MAX && s.ch.extensions.n <= TLS_LIST_MAX);
            CU_ASSERT(s.ch.ciphers.n <= s.ch.ciphers.total && s.ch.extensions.n <= s.ch.extensions.total);
        }
    /* a zeroed extension length or a flipped high bit breaks the framing somewhere */
    CU_ASSERT(malformed > 0);
    CU_ASSERT(read > 0);
    /* every prefix of the record */
    for (size_t n = 0; n < ch->n; n++) {
        struct tls_summary s = with_client_bytes(ch->b, n);
        CU_ASSERT(!s.seen_client_hello);
    }
}

/* A second ClientHello (as after a HelloRetryRequest) that is malformed must
 * not blank the first: its SNI still names the server the certificate is checked against. */
static void test_second_hello_malformed_keeps_first(void)
{
    const struct buf *ch = &conv[0].bytes;
    struct buf two = *ch;
    size_t sid_len = 5 + 4 + 2 + 32;
    memcpy(two.b + two.n, ch->b, ch->n);
    two.b[two.n + sid_len] = 38; /* a session id longer than the 32 bytes allowed */
    two.n += ch->n;
    struct tls_summary first = with_client_bytes(ch->b, ch->n);
    struct tls_summary s = with_client_bytes(two.b, two.n);
    CU_ASSERT(s.malformed);
    CU_ASSERT_STRING_EQUAL(s.ch.sni, "www.synfin.test");
    CU_ASSERT_EQUAL(s.ch.session_id_len, first.ch.session_id_len);
    CU_ASSERT_EQUAL(s.ch.ciphers.total, first.ch.ciphers.total);
    CU_ASSERT_STRING_EQUAL(s.ja4, first.ja4);
}

static void test_not_tls(void)
{
    CU_ASSERT_EQUAL(tls_sniff((const uint8_t *)"GET / HTTP/1.1\r\n", 16), 0);
    CU_ASSERT_EQUAL(tls_sniff(conv[0].bytes.b, 3), -1);
    CU_ASSERT_EQUAL(tls_sniff(conv[0].bytes.b, conv[0].bytes.n), 1);
    const uint8_t v2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15};
    CU_ASSERT_EQUAL(tls_sniff(v2, sizeof v2), 1);
    const uint8_t bad_version[] = {22, 3, 9, 0, 10};
    CU_ASSERT_EQUAL(tls_sniff(bad_version, sizeof bad_version), 0);
    const uint8_t garbage[] = {22, 3, 1, 0xff, 0xff}; /* longer than any record */
    CU_ASSERT_EQUAL(tls_sniff(garbage, sizeof garbage), 0);
    /* bytes that are no record header: framing is lost, said in the note, nothing parsed */
    struct tls_summary s = with_client_bytes((const uint8_t *)"\x30\x03\x03\x00\x05hello", 10);
    CU_ASSERT(!s.seen_client_hello && s.records[0] == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.note, "record framing lost"));
}

static void test_alert_fails_handshake(void)
{
    struct transcript tr;
    memset(&tr, 0, sizeof tr);
    struct tls_conn *t = tls_new(NULL, on_event, &tr);
    tls_data(t, 0, conv[0].bytes.b, conv[0].bytes.n, 0);
    const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40}; /* fatal handshake_failure */
    tls_data(t, 1, alert, 4, 0);                     /* split inside the header */
    tls_data(t, 1, alert + 4, 2, 0);                 /* and inside the body */
    tls_data(t, 1, alert + 6, 1, 0);
    tls_end(t);
    const struct tls_summary *s = tls_summary_of(t);
    CU_ASSERT_EQUAL(s->handshake, TLS_HS_FAILED);
    CU_ASSERT(s->alert_seen);
    CU_ASSERT_EQUAL(s->alert_desc, 40);
    CU_ASSERT_EQUAL(s->alert_level, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(tr.text, "Alert fatal handshake_failure"));
    tls_free(t);
}

static void test_rst_and_incomplete(void)
{
    struct transcript tr;
    struct tls_conn *t = tls_new(NULL, on_event, &tr);
    memset(&tr, 0, sizeof tr);
    tls_data(t, 0, conv[0].bytes.b, conv[0].bytes.n, 0);
    tls_end(t);
    CU_ASSERT_EQUAL(tls_summary_of(t)->handshake, TLS_HS_INCOMPLETE);
    tls_rst(t);
    tls_end(t);
    CU_ASSERT_EQUAL(tls_summary_of(t)->handshake, TLS_HS_FAILED);
    tls_free(t);
}

static void test_gap_stops_direction(void)
{
    struct transcript tr;
    memset(&tr, 0, sizeof tr);
    struct tls_conn *t = tls_new(NULL, on_event, &tr);
    tls_data(t, 0, conv[0].bytes.b, 20, 0);
    tls_gap(t, 0);
    tls_data(t, 0, conv[0].bytes.b + 40, conv[0].bytes.n - 40, 0);
    CU_ASSERT(!tls_summary_of(t)->seen_client_hello);
    CU_ASSERT_PTR_NOT_NULL(strstr(tls_summary_of(t)->note, "missing"));
    tls_free(t);
}

/* ------------------------------------------------ fingerprints of both hellos */

/* The JA3 string is what JA3 hashes: the example hello's lists in wire
 * order, decimal, GREASE left out (the hello has no point formats). */
static void test_ja3_string(void)
{
    struct transcript tr;
    struct tls_summary s = run(100000, &tr);
    const char *want = "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
                       "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,";
    CU_ASSERT_STRING_EQUAL(s.ja3_string, want);
    uint8_t md[16];
    char hex[33];
    CU_ASSERT_EQUAL(gnutls_hash_fast(GNUTLS_DIG_MD5, want, strlen(want), md), 0);
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    CU_ASSERT_STRING_EQUAL(s.ja3, hex);
}

/* A ServerHello with the extensions of FoxIO's JA4S test data for
 * arkime's badcurveball.pcap (python/test/testdata/badcurveball.pcap.json):
 * TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, server_name,
 * renegotiation_info, ec_point_formats, session_ticket, ALPN http/1.1:
 * JA4S t1205h1_c02b_845f7282a956; tshark 4.0's JA3S of the same hello is
 * "771,49195,0-65281-11-35-16", 2d1eb5817ece335c24904f516ad5da12. */
static void test_server_fingerprints(void)
{
    struct buf m = {.n = 0}, rec = {.n = 0};
    put8(&m, 2);
    size_t len = mark(&m, 3);
    put16(&m, 0x0303);
    fill(&m, 0x44, 32);
    put8(&m, 0);
    put16(&m, 0xc02b);
    put8(&m, 0);
    size_t exts = mark(&m, 2);
    put16(&m, 0x0000), put16(&m, 0);
    put16(&m, 0xff01), put16(&m, 1), put8(&m, 0);
    put16(&m, 0x000b), put16(&m, 2), put8(&m, 1), put8(&m, 0);
    put16(&m, 0x0023), put16(&m, 0);
    put16(&m, 0x0010), put16(&m, 11), put16(&m, 9), put8(&m, 8), putn(&m, "http/1.1", 8);
    patch(&m, exts, 2);
    patch(&m, len, 3);
    record(&rec, 22, m.b, m.n);
    struct tls_conn *t = tls_new(NULL, NULL, NULL);
    tls_data(t, 0, conv[0].bytes.b, conv[0].bytes.n, 0);
    tls_data(t, 1, rec.b, rec.n, 0);
    const struct tls_summary *s = tls_summary_of(t);
    char ja3s[33], str[256], ja4s[32];
    CU_ASSERT_EQUAL(tls_server_fingerprints(&s->sh, ja3s, str, sizeof str, ja4s), 0);
    CU_ASSERT_STRING_EQUAL(ja4s, "t1205h1_c02b_845f7282a956");
    CU_ASSERT_STRING_EQUAL(str, "771,49195,0-65281-11-35-16");
    CU_ASSERT_STRING_EQUAL(ja3s, "2d1eb5817ece335c24904f516ad5da12");
    /* another cipher: another JA3S and JA4S, the same extensions */
    struct tls_server_hello other = s->sh;
    other.cipher = 0xc02f;
    CU_ASSERT_EQUAL(tls_server_fingerprints(&other, ja3s, str, sizeof str, ja4s), 0);
    CU_ASSERT_STRING_EQUAL(ja4s, "t1205h1_c02f_845f7282a956");
    CU_ASSERT_STRING_EQUAL(str, "771,49199,0-65281-11-35-16");
    /* too small a room for the string: empty, the hashes still right */
    CU_ASSERT_EQUAL(tls_server_fingerprints(&s->sh, ja3s, str, 10, ja4s), 0);
    CU_ASSERT_STRING_EQUAL(str, "");
    CU_ASSERT_STRING_EQUAL(ja3s, "2d1eb5817ece335c24904f516ad5da12");
    tls_free(t);
}

/* ------------------------------------------------ TLS 1.3 drafts */

/* A client hello, then the server's hello built by `sh`, fed whole. */
static struct tls_summary with_server_hello(const struct buf *sh, struct transcript *tr)
{
    struct buf rec = {.n = 0};
    record(&rec, 22, sh->b, sh->n);
    memset(tr, 0, sizeof *tr);
    struct tls_conn *t = tls_new(NULL, on_event, tr);
    tls_data(t, 0, conv[0].bytes.b, conv[0].bytes.n, 0);
    tls_data(t, 1, rec.b, rec.n, 0);
    tls_end(t);
    struct tls_summary s = *tls_summary_of(t);
    tls_free(t);
    return s;
}

/* key_share with an x25519 entry (the ServerHello form: one KeyShareEntry) */
static void key_share_ext(struct buf *m)
{
    put16(m, 0x0033), put16(m, 36), put16(m, 0x001d), put16(m, 32), fill(m, 0x66, 32);
}

static void test_draft_server_hellos(void)
{
    struct transcript tr;
    char vb[40];
    /* draft-ietf-tls-tls13-18 4.1.3: version, random, cipher_suite, extensions */
    struct buf m = {.n = 0};
    put8(&m, 2);
    size_t len = mark(&m, 3);
    put16(&m, 0x7f12);
    fill(&m, 0x45, 32);
    put16(&m, 0x1301);
    size_t exts = mark(&m, 2);
    key_share_ext(&m);
    patch(&m, exts, 2);
    patch(&m, len, 3);
    struct tls_summary s = with_server_hello(&m, &tr);
    CU_ASSERT(!s.malformed);
    CU_ASSERT(s.seen_server_hello);
    CU_ASSERT_EQUAL(s.version, 0x7f12);
    CU_ASSERT_STRING_EQUAL(tls_version_name(s.version, vb, sizeof vb), "TLS 1.3 (draft 18)");
    CU_ASSERT_EQUAL(s.sh.cipher, 0x1301);
    CU_ASSERT_EQUAL(s.group, 0x001d);
    CU_ASSERT_EQUAL(s.sh.session_id_len, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(tr.text, "ServerHello (TLS 1.3 (draft 18), TLS_AES_128_GCM_SHA256)"));

    /* draft 22 on (and Facebook's 0xfb1a, its draft 26): TLS 1.2's layout, the
     * draft named in supported_versions */
    m.n = 0;
    put8(&m, 2);
    len = mark(&m, 3);
    put16(&m, 0x0303);
    fill(&m, 0x46, 32);
    put8(&m, 32), fill(&m, 0x22, 32);
    put16(&m, 0x1302);
    put8(&m, 0);
    exts = mark(&m, 2);
    put16(&m, 0x002b), put16(&m, 2), put16(&m, 0xfb1a);
    key_share_ext(&m);
    patch(&m, exts, 2);
    patch(&m, len, 3);
    s = with_server_hello(&m, &tr);
    CU_ASSERT(!s.malformed);
    CU_ASSERT_EQUAL(s.version, 0xfb1a);
    CU_ASSERT_STRING_EQUAL(tls_version_name(s.version, vb, sizeof vb), "TLS 1.3 (Facebook draft 26)");
    CU_ASSERT_EQUAL(s.group, 0x001d);

    /* draft 21 and older: the HelloRetryRequest is a message of its own, type 6 */
    struct buf hrr = {.n = 0};
    put8(&hrr, 6);
    len = mark(&hrr, 3);
    put16(&hrr, 0x7f15), put16(&hrr, 0x1301);
    exts = mark(&hrr, 2);
    put16(&hrr, 0x0033), put16(&hrr, 2), put16(&hrr, 0x0017);
    patch(&hrr, exts, 2);
    patch(&hrr, len, 3);
    s = with_server_hello(&hrr, &tr);
    CU_ASSERT(!s.malformed);
    CU_ASSERT_EQUAL(s.n_msgs, 2);
    CU_ASSERT_EQUAL(s.msgs[1], TLS_MSG_HRR_DRAFT);
    CU_ASSERT_STRING_EQUAL(tls_msg_name(TLS_MSG_HRR_DRAFT), "HelloRetryRequest (draft)");
    CU_ASSERT(!s.seen_server_hello);
}

/* ------------------------------------------------ auth and group */

/* The conversation with the server's hello choosing `suite` and its
 * ServerKeyExchange `ske` (len bytes). */
static struct tls_summary with_suite(uint16_t suite, const uint8_t *ske, size_t ske_len)
{
    struct buf m = {.n = 0}, rec = {.n = 0};
    put8(&m, 2);
    size_t len = mark(&m, 3);
    put16(&m, 0x0303);
    fill(&m, 0x44, 32);
    put8(&m, 0);
    put16(&m, suite);
    put8(&m, 0);
    put16(&m, 0);
    patch(&m, len, 3);
    put8(&m, 12), put24(&m, (unsigned)ske_len), putn(&m, ske, ske_len);
    put8(&m, 14), put24(&m, 0);
    record(&rec, 22, m.b, m.n);
    struct tls_conn *t = tls_new(NULL, NULL, NULL);
    tls_data(t, 0, conv[0].bytes.b, conv[0].bytes.n, 0);
    tls_data(t, 1, rec.b, rec.n, 0);
    feed_flights(t, 2, 6); /* both Finished (encrypted), application data */
    tls_end(t);
    struct tls_summary s = *tls_summary_of(t);
    tls_free(t);
    return s;
}

static void test_auth_and_group(void)
{
    /* RFC 8422 5.4: ECParameters { curve_type named_curve (3), secp256r1 } then the point */
    const uint8_t ecdhe[] = {3, 0x00, 0x17, 4, 1, 2, 3, 4};
    struct tls_summary s = with_suite(0xc02f, ecdhe, sizeof ecdhe);
    CU_ASSERT_EQUAL(s.group, 0x0017);
    CU_ASSERT_EQUAL(s.auth, TLS_AUTH_CERTIFICATE);
    CU_ASSERT_STRING_EQUAL(tls_auth_name(s.auth), "certificate");
    /* RFC 5489 2: ECDHE_PSK puts the identity hint first */
    const uint8_t ecdhe_psk[] = {0, 3, 'h', 'i', 'n', 3, 0x00, 0x1d, 1, 9};
    s = with_suite(0xc035, ecdhe_psk, sizeof ecdhe_psk);
    CU_ASSERT_EQUAL(s.group, 0x001d);
    CU_ASSERT_EQUAL(s.auth, TLS_AUTH_PSK);
    CU_ASSERT_EQUAL(s.handshake, TLS_HS_ANONYMOUS); /* the handshake vocabulary is a contract */
    CU_ASSERT_STRING_EQUAL(tls_hs_display_name(&s), "PSK");
    /* explicit curves are not named; finite-field DHE names no group at all */
    const uint8_t explicit_curve[] = {1, 0x00, 0x17, 0};
    CU_ASSERT_EQUAL(with_suite(0xc02f, explicit_curve, sizeof explicit_curve).group, 0);
    const uint8_t dhe[] = {0, 1, 23, 0, 1, 2, 0, 1, 5};
    s = with_suite(0x009e, dhe, sizeof dhe);
    CU_ASSERT_EQUAL(s.group, 0);
    CU_ASSERT_EQUAL(s.auth, TLS_AUTH_CERTIFICATE);
    /* anonymous ECDH */
    s = with_suite(0xc018, ecdhe, sizeof ecdhe);
    CU_ASSERT_EQUAL(s.auth, TLS_AUTH_ANONYMOUS);
    CU_ASSERT_EQUAL(s.group, 0x0017);
    CU_ASSERT_STRING_EQUAL(tls_hs_display_name(&s), "anonymous");
    /* RSA_PSK shows a certificate: certificate */
    CU_ASSERT_EQUAL(with_suite(0x0094, dhe, sizeof dhe).auth, TLS_AUTH_CERTIFICATE);
    /* no ServerHello: unknown */
    struct tls_summary none = with_client_bytes(conv[0].bytes.b, conv[0].bytes.n);
    CU_ASSERT_PTR_NULL(tls_auth_name(none.auth));
}

/* ------------------------------------------------ SSLv2 hello, NULL cipher */

/* RFC 5246 E.2: the SSLv2 CLIENT-HELLO's challenge, right-aligned in 32
 * zero bytes, is the random the key log names the session by. */
static void test_sslv2_challenge_is_the_random(void)
{
    const uint8_t hello[] = {0x80, 0x1f, 0x01, 0x03, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x10,
                             0x00, 0x00, 0x2f, 0x00, 0x00, 0x05,
                             0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
    struct tls_summary s = with_client_bytes(hello, sizeof hello);
    CU_ASSERT(s.seen_client_hello && s.sslv2_hello);
    uint8_t want[32] = {0};
    for (int i = 0; i < 16; i++)
        want[16 + i] = (uint8_t)(0xa0 + i);
    CU_ASSERT(!memcmp(s.ch.random, want, 32));
    CU_ASSERT_EQUAL(s.ch.ciphers.n, 2);
}

static void collect_plaintext(void *ctx, int from_server, const uint8_t *p, size_t n)
{
    struct buf *b = ctx;
    if (b->n + n + 2 < sizeof b->b) {
        put8(b, from_server ? 'S' : 'C');
        putn(b, p, n);
    }
}

/* A NULL-cipher suite (TLS_RSA_WITH_NULL_SHA) read without keys, as tshark
 * reads it: the records are content and a 20-byte MAC; the Finished and the
 * application data are read, not marked decrypted, not counted as such. */
static void test_null_cipher_without_keys(void)
{
    struct buf m = {.n = 0}, flight = {.n = 0}, got = {.n = 0};
    put8(&m, 2);
    size_t len = mark(&m, 3);
    put16(&m, 0x0303), fill(&m, 0x44, 32), put8(&m, 0), put16(&m, 0x0002), put8(&m, 0);
    patch(&m, len, 3);
    put8(&m, 11), put24(&m, 3), put24(&m, 0);
    put8(&m, 14), put24(&m, 0);
    record(&flight, 22, m.b, m.n);
    uint8_t fin[4 + 12 + 20], app[5 + 20], ccs[] = {1};
    memset(fin, 0xee, sizeof fin);
    fin[0] = 20, fin[1] = 0, fin[2] = 0, fin[3] = 12;
    memcpy(app, "hello", 5);
    memset(app + 5, 0x5a, 20);
    struct buf c = {.n = 0}, sv = {.n = 0};
    record(&c, 20, ccs, 1);
    record(&c, 22, fin, sizeof fin);
    record(&c, 23, app, sizeof app);
    record(&sv, 20, ccs, 1);
    record(&sv, 22, fin, sizeof fin);
    const uint8_t short_rec[] = {23, 3, 3, 0, 4, 1, 2, 3, 4}; /* shorter than the MAC */
    struct transcript tr;
    memset(&tr, 0, sizeof tr);
    struct tls_config cfg = {.plaintext = collect_plaintext, .plaintext_ctx = &got};
    struct tls_conn *t = tls_new(&cfg, on_event, &tr);
    tls_data(t, 0, conv[0].bytes.b, conv[0].bytes.n, 0);
    tls_data(t, 1, flight.b, flight.n, 0);
    tls_data(t, 0, c.b, c.n, 0);
    tls_data(t, 1, sv.b, sv.n, 0);
    tls_end(t);
    const struct tls_summary *s = tls_summary_of(t);
    CU_ASSERT(s->established);
    CU_ASSERT_EQUAL(s->n_msgs, 6); /* CH, SH, Certificate, SHD, Finished, Finished */
    CU_ASSERT_EQUAL(s->msgs[4], 20);
    CU_ASSERT_EQUAL(s->msgs[5], 20);
    CU_ASSERT_EQUAL(s->decrypted_records, 0);
    CU_ASSERT(got.n == 6 && !memcmp(got.b, "Chello", 6));
    CU_ASSERT_PTR_NOT_NULL(strstr(tr.text, "Finished|"));
    CU_ASSERT_PTR_NULL(strstr(tr.text, "decrypted"));
    CU_ASSERT(!s->malformed);
    tls_data(t, 1, short_rec, sizeof short_rec, 0);
    CU_ASSERT(tls_summary_of(t)->malformed);
    tls_free(t);
}

/* ------------------------------------------------ DEFLATE records */

/* Records compressed the way a peer compresses them (one zlib stream, a
 * sync flush after each record, RFC 3749) come back whole and in order;
 * garbage and oversized records fail and the stream stays failed. */
static void test_deflate_records(void)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    CU_ASSERT_EQUAL_FATAL(deflateInit(&zs, Z_DEFAULT_COMPRESSION), Z_OK);
    static const char *const texts[] = {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "", "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                                        "a longer record, repeated: a longer record, repeated"};
    struct tls_inflate *z = tls_inflate_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    size_t sizes[4] = {0};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        uint8_t comp[512], out[512];
        zs.next_in = (Bytef *)(uintptr_t)texts[i];
        zs.avail_in = (uInt)strlen(texts[i]);
        zs.next_out = comp;
        zs.avail_out = sizeof comp;
        int zr = deflate(&zs, Z_SYNC_FLUSH);
        CU_ASSERT(zr == Z_OK || (zr == Z_BUF_ERROR && !*texts[i])); /* nothing to flush after a flush */
        size_t clen = sizeof comp - zs.avail_out, n = 99;
        sizes[i] = clen;
        CU_ASSERT_EQUAL(tls_inflate_record(z, comp, clen, out, sizeof out, &n), 0);
        CU_ASSERT(n == strlen(texts[i]) && !memcmp(out, texts[i], n));
    }
    /* the same text again comes out smaller: the state ran on from record to record */
    CU_ASSERT(sizes[2] < sizes[0]);
    deflateEnd(&zs);
    tls_inflate_free(z);

    /* 100 bytes into room for 99: refused */
    uint8_t big[100], comp[256], out[128];
    memset(big, 'x', sizeof big);
    uLongf clen = sizeof comp;
    CU_ASSERT_EQUAL(compress(comp, &clen, big, sizeof big), Z_OK);
    z = tls_inflate_new();
    size_t n = 0;
    CU_ASSERT_EQUAL(tls_inflate_record(z, comp, clen, out, 99, &n), -1);
    CU_ASSERT_EQUAL(tls_inflate_record(z, comp, 0, out, sizeof out, &n), -1); /* failed for good */
    tls_inflate_free(z);
    z = tls_inflate_new();
    CU_ASSERT_EQUAL(tls_inflate_record(z, comp, clen, out, 100, &n), 0); /* exactly fits */
    CU_ASSERT_EQUAL(n, 100);
    tls_inflate_free(z);
    z = tls_inflate_new();
    CU_ASSERT_EQUAL(tls_inflate_record(z, (const uint8_t *)"not zlib at all", 15, out, sizeof out, &n), -1);
    tls_inflate_free(z);
    tls_inflate_free(NULL);
}

int main(void)
{
    build_conversation();
    static const struct unit_case tests[] = {
        {"a whole TLS 1.2 conversation", test_whole_conversation},
        {"JA4 of the specification's example", test_ja4_spec_example},
        {"whole, byte by byte, random splits agree", test_splits_agree},
        {"length fields too large, too small, zero", test_length_fields},
        {"a malformed second ClientHello keeps the first", test_second_hello_malformed_keeps_first},
        {"sniffing", test_not_tls},
        {"an alert before Finished fails the handshake", test_alert_fails_handshake},
        {"RST and capture end", test_rst_and_incomplete},
        {"a gap stops the direction", test_gap_stops_direction},
        {"a certificate check put off while the store loads", test_cert_check_put_off},
        {"the JA3 string", test_ja3_string},
        {"JA3S and JA4S", test_server_fingerprints},
        {"TLS 1.3 draft ServerHellos", test_draft_server_hellos},
        {"auth and group", test_auth_and_group},
        {"the SSLv2 challenge is the random", test_sslv2_challenge_is_the_random},
        {"a NULL cipher read without keys", test_null_cipher_without_keys},
        {"DEFLATE records", test_deflate_records},
    };
    return unit_run("tls", NULL, NULL, tests, UNIT_COUNT(tests));
}
