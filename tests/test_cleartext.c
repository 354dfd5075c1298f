/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_cleartext.c - owns the unit tests of the clear-text modules that
 * hand a connection to TLS or open a tunnel (cleartext.h: SMTP, FTP, POP3,
 * IMAP, NNTP, XMPP, LDAP, PostgreSQL, MySQL, SOCKS4, SOCKS5), driven through
 * their registry descriptors the way dispatch.c drives them.
 *
 * Each transcript is fed whole, byte by byte and in random splits: the JSON
 * object, the ladder messages, where the stream was handed over and what
 * the next layer receives (the client's held bytes, then everything after
 * the hand-over) must all be the same, and match what the transcript is
 * written to show.  Every prefix of every transcript is fed too: the
 * upgrade is accepted exactly when the prefix holds the whole answer, never
 * before.  Junk never crashes a module nor grows its memory.  Every piece is
 * a heap copy of exactly its length, so AddressSanitizer sees a read past it.
 */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleartext.h"
#include "conn.h"
#include "json.h"
#include "proto.h"
#include "unit.h"

extern const struct proto_desc tls_proto;

/* ------------------------------------------------------------ transcripts */

struct step {
    int from_client;
    const char *bytes;
    size_t len;
};
#define C(s) {1, (s), sizeof(s) - 1}
#define S(s) {0, (s), sizeof(s) - 1}

struct transcript {
    const char *proto;          /* the descriptor's name */
    const struct step *steps;
    size_t n;
};
#define T(name, arr) {(name), (arr), UNIT_COUNT(arr)}

/* ------------------------------------------------------------ one run */

#define LOG_CAP 16384
#define REST_CAP 4096

struct run {
    const struct proto_desc *d;
    void *st;
    int handed;
    const struct proto_desc *next;
    size_t handed_at;           /* bytes of the transcript fed when it handed over */
    size_t fed;                 /* bytes of the transcript fed so far */
    char log[LOG_CAP];
    size_t log_len;
    uint8_t rest[2][REST_CAP];  /* what the next layer gets, per direction [from_client] */
    size_t rest_len[2];
    char json[4096];
    size_t json_len;
};

static void on_message(void *ctx, int from_client, int kind, uint16_t code, const char *label, const uint8_t *data,
                       size_t len)
{
    (void)code, (void)data, (void)len;
    struct run *r = ctx;
    CU_ASSERT(strlen(label) < APP_MSG_LABEL);
    CU_ASSERT(kind == MSG_HANDSHAKE || kind == MSG_NOTE);
    int w = snprintf(r->log + r->log_len, LOG_CAP - r->log_len, "%c %s\n", from_client ? 'C' : 'S', label);
    if (w > 0 && (size_t)w < LOG_CAP - r->log_len)
        r->log_len += (size_t)w;
}

static void on_hand_over(void *ctx, const struct proto_desc *next)
{
    struct run *r = ctx;
    CU_ASSERT(!r->handed); /* once */
    r->handed = 1;
    r->next = next;
}

static void on_upper(void *ctx, int from_client, const uint8_t *p, size_t n)
{
    (void)ctx, (void)from_client, (void)p, (void)n;
    CU_FAIL("a clear-text module delivered plaintext upwards");
}

static void rest(struct run *r, int from_client, const uint8_t *p, size_t n)
{
    size_t room = REST_CAP - r->rest_len[from_client];
    CU_ASSERT_FATAL(n <= room);
    memcpy(r->rest[from_client] + r->rest_len[from_client], p, n);
    r->rest_len[from_client] += n;
}

static void feed(struct run *r, int from_client, const char *bytes, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, bytes, n);
    if (r->handed) {
        rest(r, from_client, copy, n);
    } else if (n) {
        size_t used = r->d->data(r->st, from_client, copy, n, 0);
        CU_ASSERT(used <= n);
        if (r->handed) {
            r->handed_at = r->fed + used;
            /* dispatch.c's order: what the parser held of the other side (it came first), then the rest */
            int held_client = 0;
            size_t held_len = 0;
            const uint8_t *held = r->d->held ? r->d->held(r->st, &held_client, &held_len) : NULL;
            if (held && held_len)
                rest(r, held_client, held, held_len);
            rest(r, from_client, copy + used, n - used);
        } else {
            CU_ASSERT(used == n);
        }
    }
    r->fed += n;
    free(copy);
}

enum mode { WHOLE, BYTES, RANDOM };

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Feed the transcript's first `limit` bytes (SIZE_MAX: all) as `mode` cuts them, then end. */
static struct run *run(const struct transcript *t, enum mode mode, uint64_t seed, size_t limit)
{
    struct run *r = calloc(1, sizeof *r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    r->d = proto_by_name(t->proto);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->d);
    struct proto_env env = {.ctx = r, .message = on_message, .upper = on_upper, .hand_over = on_hand_over};
    r->st = r->d->start(&env);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->st);
    uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 7;
    size_t left = limit;
    for (size_t i = 0; i < t->n && left; i++) {
        const struct step *s = &t->steps[i];
        size_t len = s->len < left ? s->len : left;
        left -= len;
        for (size_t at = 0; at < len;) {
            size_t piece = mode == WHOLE ? len - at : mode == BYTES ? 1 : 1 + (size_t)(next_random(&rng) % 23);
            if (piece > len - at)
                piece = len - at;
            feed(r, s->from_client, s->bytes + at, piece);
            at += piece;
        }
    }
    CU_ASSERT(r->d->memory(r->st) < 64 * 1024);
    r->d->end(r->st);
    struct jw w;
    jw_init(&w, NULL);
    jw_obj_begin(&w, NULL);
    r->d->json(&w, r->d->summary(r->st));
    jw_obj_end(&w);
    CU_ASSERT_FATAL(w.len < sizeof r->json);
    memcpy(r->json, w.buf, w.len);
    r->json[w.len] = '\0';
    r->json_len = w.len;
    jw_free(&w);
    return r;
}

static void release(struct run *r)
{
    r->d->free(r->st);
    free(r);
}

static size_t total(const struct transcript *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += t->steps[i].len;
    return n;
}

static const struct ct_summary *sum_of(const struct run *r) { return r->d->summary(r->st); }

static void same(const struct run *a, const struct run *b)
{
    CU_ASSERT_STRING_EQUAL(a->json, b->json);
    CU_ASSERT_EQUAL(a->log_len, b->log_len);
    CU_ASSERT(a->log_len == b->log_len && !memcmp(a->log, b->log, a->log_len));
    CU_ASSERT_EQUAL(a->handed, b->handed);
    CU_ASSERT(a->next == b->next);
    CU_ASSERT_EQUAL(a->handed_at, b->handed_at);
    for (int d = 0; d < 2; d++) {
        CU_ASSERT_EQUAL(a->rest_len[d], b->rest_len[d]);
        CU_ASSERT(a->rest_len[d] == b->rest_len[d] && !memcmp(a->rest[d], b->rest[d], a->rest_len[d]));
    }
}

/* What a transcript must show: the upgrade, what follows it, texts in the JSON, words never logged. */
struct expect {
    uint8_t upgrade;            /* enum ct_upgrade */
    int tunnel;                 /* handed to recognition (NULL) rather than TLS */
    const char *client_rest;    /* what the next layer gets from the client (with its length) */
    size_t client_rest_len;
    const char *server_rest;
    size_t server_rest_len;
    const char *json_has[6];    /* substrings of the JSON object */
    const char *never[4];       /* secrets that must appear in neither the JSON nor the ladder */
    uint32_t commands, responses;
};

/* Every way of cutting it gives the same; every prefix accepts exactly when it holds the answer. */
static void check(const struct transcript *t, const struct expect *e)
{
    struct run *whole = run(t, WHOLE, 0, SIZE_MAX);
    const struct ct_summary *s = sum_of(whole);
    CU_ASSERT_EQUAL(s->upgrade, e->upgrade);
    CU_ASSERT_EQUAL(s->commands, e->commands);
    CU_ASSERT_EQUAL(s->responses, e->responses);
    CU_ASSERT_EQUAL(whole->handed, e->upgrade == CT_UP_ACCEPTED);
    if (whole->handed)
        CU_ASSERT(whole->next == (e->tunnel ? NULL : &tls_proto));
    CU_ASSERT_EQUAL(whole->rest_len[1], e->client_rest_len);
    CU_ASSERT_EQUAL(whole->rest_len[0], e->server_rest_len);
    if (e->client_rest_len && whole->rest_len[1] == e->client_rest_len)
        CU_ASSERT(!memcmp(whole->rest[1], e->client_rest, e->client_rest_len));
    if (e->server_rest_len && whole->rest_len[0] == e->server_rest_len)
        CU_ASSERT(!memcmp(whole->rest[0], e->server_rest, e->server_rest_len));
    for (int i = 0; i < 6 && e->json_has[i]; i++) {
        if (!strstr(whole->json, e->json_has[i]))
            fprintf(stderr, "\n%s: no %s in %s\n", t->proto, e->json_has[i], whole->json);
        CU_ASSERT_PTR_NOT_NULL(strstr(whole->json, e->json_has[i]));
    }
    for (int i = 0; i < 4 && e->never[i]; i++) {
        CU_ASSERT_PTR_NULL(strstr(whole->json, e->never[i]));
        CU_ASSERT_PTR_NULL(strstr(whole->log, e->never[i]));
    }
    struct run *bytes = run(t, BYTES, 0, SIZE_MAX);
    same(whole, bytes);
    release(bytes);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct run *r = run(t, RANDOM, seed, SIZE_MAX);
        same(whole, r);
        release(r);
    }
    size_t all = total(t);
    for (size_t k = 0; k <= all; k++) {
        struct run *r = run(t, k % 2 ? BYTES : WHOLE, k, k);
        int accepted = sum_of(r)->upgrade == CT_UP_ACCEPTED;
        if (whole->handed) {
            CU_ASSERT_EQUAL(accepted, k >= whole->handed_at);
        } else {
            CU_ASSERT(!accepted);
        }
        CU_ASSERT_EQUAL(r->handed, accepted);
        release(r);
    }
    release(whole);
}

/* The first step's bytes, and each of their prefixes, make the module's sniffer say yes (or not yet). */
static void recognised_by(const struct transcript *t)
{
    const struct proto_desc *d = proto_by_name(t->proto);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    const struct step *first = &t->steps[0];
    const struct step *second = t->n > 1 && t->steps[1].from_client != first->from_client ? &t->steps[1] : NULL;
    for (size_t k = 1; k <= first->len; k++) {
        uint8_t *p = malloc(k);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        memcpy(p, first->bytes, k);
        enum proto_sniff r;
        if (d->sniff_pair) { /* SMTP and FTP: the greeting, then the client's first command decides */
            const uint8_t *o = (const uint8_t *)(second ? second->bytes : "");
            size_t on = second ? second->len : 0;
            r = first->from_client ? d->sniff_pair(p, k, NULL, 0) : d->sniff_pair(o, k == first->len ? on : 0, p, k);
        } else {
            r = d->sniff(p, k, first->from_client);
        }
        CU_ASSERT(r != PROTO_NO);
        if (k == first->len)
            CU_ASSERT_EQUAL(r, PROTO_YES);
        /* no other clear-text protocol claims them */
        for (const struct proto_desc *const *o = proto_table; *o; o++) {
            if (*o == d || !(*o)->start || (*o)->summary_size != sizeof(struct ct_summary))
                continue;
            enum proto_sniff x = (*o)->sniff_pair ? (first->from_client ? (*o)->sniff_pair(p, k, NULL, 0)
                                                                        : (*o)->sniff_pair(NULL, 0, p, k))
                                                  : (*o)->sniff(p, k, first->from_client);
            if (x == PROTO_YES && !(d->sniff_pair && (*o)->sniff_pair))
                fprintf(stderr, "\n%s's first bytes are claimed by %s too\n", d->name, (*o)->name);
            CU_ASSERT(x != PROTO_YES || (d->sniff_pair && (*o)->sniff_pair && !first->from_client));
        }
        free(p);
    }
}

/* ------------------------------------------------------------ SMTP */

#define TLS_C "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"
#define TLS_S "\x16\x03\x03\x00\x02\x02\x00"

static const struct step smtp_ok[] = {
    S("220 mx.example.com ESMTP ready\r\n"),
    C("EHLO client.example.com\r\n"),
    S("250-mx.example.com\r\n250-PIPELINING\r\n250 STARTTLS\r\n"),
    C("STARTTLS\r\n"),
    S("220 2.0.0 Ready to start TLS\r\n"),
    C(TLS_C),
    S(TLS_S),
};

static void test_smtp_accepted(void)
{
    struct transcript t = T("smtp", smtp_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .server_rest = TLS_S, .server_rest_len = sizeof TLS_S - 1, .commands = 2, .responses = 2,
                       .json_has = {"\"smtp\":{\"greeting\":\"220 mx.example.com ESMTP ready\"",
                                    "\"first_command\":\"EHLO client.example.com\"",
                                    "\"first_response\":\"250-mx.example.com\"", "\"upgrade\":\"accepted\"",
                                    "\"upgrade_response\":\"220 2.0.0 Ready to start TLS\""}};
    check(&t, &e);
    recognised_by(&t);
}

/* The client did not wait for the 220: its TLS bytes came with its STARTTLS, and still go to TLS. */
static const struct step smtp_early[] = {
    S("220 mx ESMTP\r\n"),
    C("EHLO c\r\nSTARTTLS\r\n" TLS_C),
    S("250 mx\r\n"),
    S("220 go ahead\r\n" TLS_S),
};

static void test_smtp_early_client(void)
{
    struct transcript t = T("smtp", smtp_early);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .server_rest = TLS_S, .server_rest_len = sizeof TLS_S - 1, .commands = 2, .responses = 2,
                       .json_has = {"\"upgrade_command\":\"STARTTLS\""}};
    check(&t, &e);
}

static const struct step smtp_refused[] = {
    S("220 mx ESMTP\r\n"),
    C("EHLO c\r\n"),
    S("250 mx\r\n"),
    C("STARTTLS\r\nQUIT\r\n"),
    S("454 4.7.0 TLS not available due to local problem\r\n"),
    S("221 bye\r\n"),
};

static void test_smtp_refused(void)
{
    struct transcript t = T("smtp", smtp_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 3, .responses = 3,
                       .json_has = {"\"upgrade\":\"refused\"",
                                    "\"upgrade_response\":\"454 4.7.0 TLS not available due to local problem\""}};
    check(&t, &e);
    struct run *r = run(&t, WHOLE, 0, SIZE_MAX);
    char title[640], label[128];
    r->d->title(r->d->summary(r->st), title, sizeof title, 0);
    r->d->label(r->d->summary(r->st), label, sizeof label, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(title, "STARTTLS refused (454 4.7.0 TLS not available"));
    CU_ASSERT_PTR_NOT_NULL(strstr(title, "stays clear text"));
    CU_ASSERT_STRING_EQUAL(label, "SMTP STARTTLS refused");
    CU_ASSERT(r->d->failed(r->d->summary(r->st), 1));
    release(r);
}

/* A message body and a BDAT chunk that say STARTTLS are data; AUTH's SASL lines are never shown. */
static const struct step smtp_data[] = {
    S("220 mx ESMTP\r\n"),
    C("EHLO c\r\nAUTH LOGIN\r\n"),
    S("250 mx\r\n334 VXNlcm5hbWU6\r\n"),
    C("dXNlcm5hbWU=\r\n"),
    S("334 UGFzc3dvcmQ6\r\n"),
    C("c2VjcmV0cGFzcw==\r\n"),
    S("235 2.7.0 Authentication successful\r\n"),
    C("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n"),
    S("250 ok\r\n250 ok\r\n354 go ahead\r\n"),
    C("Subject: x\r\n\r\nSTARTTLS\r\n.\r\n"),
    S("250 queued\r\n"),
    C("BDAT 10 LAST\r\nSTARTTLS\r\nQUIT\r\n"),
    S("250 ok\r\n221 bye\r\n"),
};

static void test_smtp_data_is_data(void)
{
    struct transcript t = T("smtp", smtp_data);
    struct expect e = {.upgrade = CT_UP_NONE, .commands = 7, .responses = 10,
                       .json_has = {"\"upgrade\":\"none\"", "\"upgrade_command\":null"},
                       .never = {"dXNlcm5hbWU=", "c2VjcmV0cGFzcw=="}};
    check(&t, &e);
}

/* ------------------------------------------------------------ FTP */

static const struct step ftp_ok[] = {
    S("220-Welcome\r\n to the test server\r\n220 ready\r\n"),
    C("AUTH TLS\r\n"),
    S("234 Proceed with negotiation.\r\n"),
    C(TLS_C),
};

static void test_ftp_accepted(void)
{
    struct transcript t = T("ftp", ftp_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .commands = 1, .responses = 1,
                       .json_has = {"\"ftp\":{\"greeting\":\"220-Welcome\"", "\"upgrade_command\":\"AUTH TLS\"",
                                    "\"upgrade_response\":\"234 Proceed with negotiation.\""}};
    check(&t, &e);
    recognised_by(&t);
}

static const struct step ftp_refused[] = {
    S("220 FTP server ready\r\n"),
    C("USER anonymous\r\n"),
    S("331 Please specify the password.\r\n"),
    C("PASS hunter2\r\n"),
    S("230 Login successful.\r\n"),
    C("AUTH SSL\r\n"),
    S("530 Please login with USER and PASS.\r\n"),
    C("LIST\r\n"),
    S("150 Here comes the directory listing.\r\n226 Directory send OK.\r\n"),
};

static void test_ftp_refused(void)
{
    struct transcript t = T("ftp", ftp_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 4, .responses = 5,
                       .json_has = {"\"first_command\":\"USER anonymous\"", "\"upgrade\":\"refused\""},
                       .never = {"hunter2"}};
    check(&t, &e);
}

/* ------------------------------------------------------------ POP3 */

static const struct step pop3_ok[] = {
    S("+OK POP3 ready\r\n"),
    C("CAPA\r\n"),
    S("+OK Capability list follows\r\nSTLS\r\n+OK not an answer\r\n.\r\n"),
    C("STLS\r\n"),
    S("+OK Begin TLS negotiation\r\n"),
    C(TLS_C),
};

static void test_pop3_accepted(void)
{
    struct transcript t = T("pop3", pop3_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .commands = 2, .responses = 2,
                       .json_has = {"\"greeting\":\"+OK POP3 ready\"", "\"upgrade_command\":\"STLS\"",
                                    "\"upgrade_response\":\"+OK Begin TLS negotiation\""}};
    check(&t, &e);
    recognised_by(&t);
}

static const struct step pop3_refused[] = {
    S("+OK ready\r\n"),
    C("USER bob\r\nPASS s3cr3t\r\n"),
    S("+OK\r\n+OK logged in\r\n"),
    C("STLS\r\n"),
    S("-ERR Command not permitted when TLS active\r\n"),
    C("QUIT\r\n"),
    S("+OK bye\r\n"),
};

static void test_pop3_refused(void)
{
    struct transcript t = T("pop3", pop3_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 4, .responses = 4,
                       .json_has = {"\"upgrade\":\"refused\"", "\"upgrade_response\":\"-ERR Command not permitted"},
                       .never = {"s3cr3t"}};
    check(&t, &e);
}

/* ------------------------------------------------------------ IMAP */

static const struct step imap_ok[] = {
    S("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"),
    C("a1 CAPABILITY\r\n"),
    S("* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n"),
    C("a2 STARTTLS\r\n"),
    /* a literal whose bytes look like the answer is not the answer */
    S("* 1 FETCH (BODY[] {20}\r\na2 OK fake answer\r\n)\r\n"),
    S("a2 OK Begin TLS negotiation now\r\n"),
    C(TLS_C),
};

static void test_imap_accepted(void)
{
    struct transcript t = T("imap", imap_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .commands = 2, .responses = 2,
                       .json_has = {"\"first_command\":\"a1 CAPABILITY\"", "\"upgrade_command\":\"STARTTLS\"",
                                    "\"upgrade_response\":\"a2 OK Begin TLS negotiation now\""}};
    check(&t, &e);
    recognised_by(&t);
}

static const struct step imap_refused[] = {
    S("* OK ready\r\n"),
    C("a1 LOGIN {3}\r\nbob {6}\r\nsecret\r\n"),
    S("a1 OK logged in\r\n"),
    C("a2 STARTTLS\r\n"),
    S("a1 OK wrong tag\r\n"),
    S("a2 BAD STARTTLS not allowed now\r\n"),
};

static void test_imap_refused(void)
{
    struct transcript t = T("imap", imap_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 2, .responses = 3,
                       .json_has = {"\"upgrade\":\"refused\"", "\"upgrade_response\":\"a2 BAD"},
                       .never = {"secret"}};
    check(&t, &e);
}

/* ------------------------------------------------------------ NNTP */

static const struct step nntp_ok[] = {
    S("200 news.example.com InterNetNews server ready\r\n"),
    C("CAPABILITIES\r\n"),
    S("101 Capability list:\r\nVERSION 2\r\nSTARTTLS\r\n.\r\n"),
    C("STARTTLS\r\n"),
    S("382 Continue with TLS negotiation\r\n"),
    C(TLS_C),
};

static void test_nntp_accepted(void)
{
    struct transcript t = T("nntp", nntp_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .commands = 2, .responses = 2,
                       .json_has = {"\"upgrade_response\":\"382 Continue with TLS negotiation\""}};
    check(&t, &e);
    recognised_by(&t);
}

static const struct step nntp_refused[] = {
    S("201 news ready (no posting)\r\n"),
    C("STARTTLS\r\n"),
    S("580 Can not initiate TLS negotiation\r\n"),
    C("QUIT\r\n"),
    S("205 bye\r\n"),
};

static void test_nntp_refused(void)
{
    struct transcript t = T("nntp", nntp_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 2, .responses = 2,
                       .json_has = {"\"upgrade_response\":\"580 Can not initiate TLS negotiation\""}};
    check(&t, &e);
}

/* ------------------------------------------------------------ XMPP */

#define XMPP_C_OPEN                                                                                                  \
    "<?xml version='1.0'?><stream:stream to='example.com' xmlns='jabber:client' "                                  \
    "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
#define XMPP_S_OPEN                                                                                                  \
    "<?xml version='1.0'?><stream:stream from='example.com' id='a>b' version='1.0' xmlns='jabber:client' "         \
    "xmlns:stream='http://etherx.jabber.org/streams'>"

static const struct step xmpp_ok[] = {
    C(XMPP_C_OPEN),
    S(XMPP_S_OPEN "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                  "</stream:features>"),
    C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
    S("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" TLS_S),
    C(TLS_C),
};

static void test_xmpp_accepted(void)
{
    struct transcript t = T("xmpp", xmpp_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .server_rest = TLS_S, .server_rest_len = sizeof TLS_S - 1, .commands = 1, .responses = 2,
                       .json_has = {"\"greeting\":\"<stream:stream from='example.com' id='a>b'",
                                    "\"first_command\":\"<stream:stream to='example.com'",
                                    "\"upgrade_command\":\"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\"",
                                    "\"upgrade_response\":\"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\""}};
    check(&t, &e);
    recognised_by(&t);
}

static const struct step xmpp_refused[] = {
    C(XMPP_C_OPEN),
    S(XMPP_S_OPEN "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"),
    C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
    S("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>"),
};

static void test_xmpp_refused(void)
{
    struct transcript t = T("xmpp", xmpp_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 1, .responses = 2,
                       .json_has = {"\"upgrade_response\":\"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\""}};
    check(&t, &e);
}

/* ------------------------------------------------------------ LDAP */

#define LDAP_STARTTLS "\x30\x1d\x02\x01\x01\x77\x18\x80\x16" "1.3.6.1.4.1.1466.20037"

static const struct step ldap_ok[] = {
    C(LDAP_STARTTLS),
    /* long-form lengths, and the responseName OpenLDAP adds */
    S("\x30\x84\x00\x00\x00\x24\x02\x01\x01\x78\x1f\x0a\x01\x00\x04\x00\x04\x00\x8a\x16"
      "1.3.6.1.4.1.1466.20037"),
    C(TLS_C),
};

static void test_ldap_accepted(void)
{
    struct transcript t = T("ldap", ldap_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .commands = 1, .responses = 1,
                       .json_has = {"\"upgrade_command\":\"extendedReq 1.3.6.1.4.1.1466.20037\"",
                                    "\"upgrade_response\":\"extendedResp success\""}};
    check(&t, &e);
    recognised_by(&t);
}

static const struct step ldap_refused[] = {
    C("\x30\x0c\x02\x01\x01\x60\x07\x02\x01\x03\x04\x00\x80\x00"), /* anonymous simple bind */
    S("\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00"),
    C("\x30\x1d\x02\x01\x02\x77\x18\x80\x16" "1.3.6.1.4.1.1466.20037"),
    S("\x30\x0c\x02\x01\x02\x78\x07\x0a\x01\x02\x04\x00\x04\x00"), /* protocolError */
    C("\x30\x05\x02\x01\x03\x42\x00"),                             /* unbind */
};

static void test_ldap_refused(void)
{
    struct transcript t = T("ldap", ldap_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 3, .responses = 2,
                       .json_has = {"\"first_command\":\"bindRequest\"", "\"first_response\":\"bindResponse success\"",
                                    "\"upgrade_response\":\"extendedResp protocolError\""}};
    check(&t, &e);
}

/* ------------------------------------------------------------ PostgreSQL */

static const struct step pg_ok[] = {
    C("\x00\x00\x00\x08\x04\xd2\x16\x2f"),
    S("S"),
    C(TLS_C),
};

static void test_pgsql_accepted(void)
{
    struct transcript t = T("postgresql", pg_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .commands = 1, .responses = 1,
                       .json_has = {"\"upgrade_command\":\"SSLRequest\"", "\"upgrade_response\":\"S\""}};
    check(&t, &e);
    recognised_by(&t);
}

static const struct step pg_refused[] = {
    C("\x00\x00\x00\x08\x04\xd2\x16\x2f"),
    S("N"),
    C("\x00\x00\x00\x20\x00\x03\x00\x00" "user\0bob\0database\0shop\0\0"),
    S("R\x00\x00\x00\x08\x00\x00\x00\x03"),
    C("p\x00\x00\x00\x0c" "hunter2\0"),
    S("R\x00\x00\x00\x08\x00\x00\x00\x00Z\x00\x00\x00\x05I"),
    C("Q\x00\x00\x00\x0dSELECT 1\0"),
};

static void test_pgsql_refused(void)
{
    struct transcript t = T("postgresql", pg_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 4, .responses = 4,
                       .json_has = {"\"upgrade_response\":\"N\"",
                                    "\"first_command\":\"SSLRequest\""},
                       .never = {"hunter2"}};
    check(&t, &e);
    struct run *r = run(&t, WHOLE, 0, SIZE_MAX);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->log, "C StartupMessage 3.0 user=bob database=shop\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r->log, "C Query: SELECT 1\n"));
    release(r);
}

/* ------------------------------------------------------------ MySQL */

#define MYSQL_GREETING                                                                                               \
    "\x4a\x00\x00\x00\x0a\x38\x2e\x30\x2e\x32\x38\x00\x13\x00\x00\x00\x3b\x2f\x33\x50\x3e\x52\x22\x32\x00\xff\xff" \
    "\xff\x02\x00\xff\xdf\x15\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x3d\x69\x5e\x71\x4d\x03\x5f\x3a\x61\x74\x10" \
    "\x67\x00mysql_native_password\x00"

static const struct step mysql_ok[] = {
    S(MYSQL_GREETING),
    C("\x20\x00\x00\x01\x85\xae\xff\x20\x00\x00\x00\x01\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" TLS_C),
    S(TLS_S),
};

static void test_mysql_accepted(void)
{
    struct transcript t = T("mysql", mysql_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .client_rest = TLS_C, .client_rest_len = sizeof TLS_C - 1,
                       .server_rest = TLS_S, .server_rest_len = sizeof TLS_S - 1, .commands = 1, .responses = 0,
                       .json_has = {"\"greeting\":\"8.0.28\"", "\"upgrade_command\":\"SSLRequest\"",
                                    "\"upgrade_response\":null"}};
    check(&t, &e);
    recognised_by(&t);
}

static const struct step mysql_clear[] = {
    S(MYSQL_GREETING),
    C("\x2e\x00\x00\x01\x85\xa6\x3f\x20\x00\x00\x00\x01\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00root\x00\x08s3cr3t!!"),
    S("\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00"),
    C("\x09\x00\x00\x00\x03SELECT 1"),
    S("\x01\x00\x00\x01\x01\x17\x00\x00\x02\x03\x64\x65\x66\x00\x00\x00\x01\x31\x00\x0c\x3f\x00\x01\x00\x00\x00"
      "\x08\x81\x00\x00\x00\x00\x02\x00\x00\x03\x01\x31\x05\x00\x00\x04\xfe\x00\x00\x02\x00"),
    C("\x01\x00\x00\x00\x01"),
};

static void test_mysql_clear(void)
{
    struct transcript t = T("mysql", mysql_clear);
    struct expect e = {.upgrade = CT_UP_NONE, .commands = 3, .responses = 2,
                       .json_has = {"\"first_command\":\"HandshakeResponse user=root\"", "\"first_response\":\"OK\""},
                       .never = {"s3cr3t"}};
    check(&t, &e);
    struct run *r = run(&t, WHOLE, 0, SIZE_MAX);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->log, "S result set (1 columns)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r->log, "C COM_QUIT\n"));
    release(r);
}

/* ------------------------------------------------------------ SOCKS */

static const struct step socks4_ok[] = {
    C("\x04\x01\x01\xbb\x00\x00\x00\x01" "alice\0" "www.example.com\0" TLS_C),
    S("\x00\x5a\x00\x00\x00\x00\x00\x00"),
    S(TLS_S),
};

static void test_socks4a_tunnel(void)
{
    struct transcript t = T("socks4", socks4_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .tunnel = 1, .client_rest = TLS_C,
                       .client_rest_len = sizeof TLS_C - 1, .server_rest = TLS_S, .server_rest_len = sizeof TLS_S - 1,
                       .commands = 1, .responses = 1,
                       .json_has = {"\"upgrade_command\":\"CONNECT www.example.com:443\"",
                                    "\"upgrade_response\":\"granted\"", "\"target\":\"www.example.com:443\""},
                       .never = {"alice"}};
    check(&t, &e);
    recognised_by(&t);
}

static const struct step socks4_refused[] = {
    C("\x04\x01\x00\x50\x0a\x00\x00\x01\0"),
    S("\x00\x5b\x00\x00\x00\x00\x00\x00"),
};

static void test_socks4_refused(void)
{
    struct transcript t = T("socks4", socks4_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 1, .responses = 1,
                       .json_has = {"\"upgrade_response\":\"rejected or failed\"", "\"target\":\"10.0.0.1:80\""}};
    check(&t, &e);
}

static const struct step socks5_ok[] = {
    C("\x05\x02\x00\x02"),
    S("\x05\x02"),
    C("\x01\x05" "alice" "\x06" "hunter"),
    S("\x01\x00"),
    C("\x05\x01\x00\x03\x0ewww.google.com\x00\x50"),
    S("\x05\x00\x00\x01\x0a\x00\x00\x02\x00\x50"),
    C("GET / HTTP/1.1\r\n"),
};

static void test_socks5_tunnel(void)
{
    struct transcript t = T("socks5", socks5_ok);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .tunnel = 1, .client_rest = "GET / HTTP/1.1\r\n",
                       .client_rest_len = 16, .commands = 3, .responses = 3,
                       .json_has = {"\"first_command\":\"greeting: no authentication, username/password\"",
                                    "\"upgrade_command\":\"CONNECT www.google.com:80\"",
                                    "\"upgrade_response\":\"succeeded\""},
                       .never = {"alice", "hunter"}};
    check(&t, &e);
    recognised_by(&t);
}

/* Greeting, request and the first application bytes in one segment (Tor's optimistic data), over IPv6. */
static const struct step socks5_optimistic[] = {
    C("\x05\x01\x00" "\x05\x01\x00\x04\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x01\xbb" TLS_C),
    S("\x05\x00" "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00" TLS_S),
};

static void test_socks5_optimistic(void)
{
    struct transcript t = T("socks5", socks5_optimistic);
    struct expect e = {.upgrade = CT_UP_ACCEPTED, .tunnel = 1, .client_rest = TLS_C,
                       .client_rest_len = sizeof TLS_C - 1, .server_rest = TLS_S, .server_rest_len = sizeof TLS_S - 1,
                       .commands = 2, .responses = 2, .json_has = {"\"target\":\"[2001:db8::1]:443\""}};
    check(&t, &e);
}

static const struct step socks5_refused[] = {
    C("\x05\x01\x00"),
    S("\x05\x00"),
    C("\x05\x01\x00\x01\xc0\x00\x02\x01\x00\x17"),
    S("\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00"),
};

static void test_socks5_refused(void)
{
    struct transcript t = T("socks5", socks5_refused);
    struct expect e = {.upgrade = CT_UP_REFUSED, .commands = 2, .responses = 2,
                       .json_has = {"\"upgrade_response\":\"connection refused\"", "\"target\":\"192.0.2.1:23\""}};
    check(&t, &e);
    struct run *r = run(&t, WHOLE, 0, SIZE_MAX);
    char title[640];
    r->d->title(r->d->summary(r->st), title, sizeof title, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(title, "CONNECT 192.0.2.1:23 refused (connection refused): stays clear text"));
    release(r);
}

/* ------------------------------------------------------------ bad bytes */

/* Junk into each module, both ways, in pieces: nothing crashes, memory stays bounded, nothing is accepted. */
static void test_junk(void)
{
    uint64_t rng = 42;
    for (const struct proto_desc *const *d = proto_table; *d; d++) {
        if ((*d)->summary_size != sizeof(struct ct_summary))
            continue;
        for (int round = 0; round < 64; round++) {
            struct run *r = calloc(1, sizeof *r);
            CU_ASSERT_PTR_NOT_NULL_FATAL(r);
            r->d = *d;
            struct proto_env env = {.ctx = r, .message = on_message, .upper = on_upper, .hand_over = on_hand_over};
            r->st = r->d->start(&env);
            CU_ASSERT_PTR_NOT_NULL_FATAL(r->st);
            for (int k = 0; k < 16 && !r->handed; k++) {
                char junk[300];
                size_t n = 1 + (size_t)(next_random(&rng) % sizeof junk);
                for (size_t i = 0; i < n; i++) /* printable text half the time: it reaches the line parsers */
                    junk[i] = (char)(round % 2 ? next_random(&rng) : 0x20 + next_random(&rng) % 0x5f);
                if (round % 4 == 1)
                    junk[n - 1] = '\n';
                r->fed = 0;
                feed(r, (int)(next_random(&rng) & 1), junk, n);
                if (next_random(&rng) % 8 == 0)
                    r->d->gap(r->st, (int)(next_random(&rng) & 1), 100);
            }
            CU_ASSERT(r->d->memory(r->st) < 64 * 1024);
            r->d->end(r->st);
            const struct ct_summary *s = r->d->summary(r->st);
            CU_ASSERT(s->upgrade <= CT_UP_REFUSED);
            char text[640];
            r->d->title(s, text, sizeof text, 0);
            r->d->label(s, text, sizeof text, 0);
            release(r);
        }
    }
}

/* What others send first is not taken for any clear-text protocol. */
static void test_sniff_refuses_others(void)
{
    static const struct step others[] = {
        C("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), C(TLS_C), S("HTTP/1.1 200 OK\r\n"), S("SSH-2.0-OpenSSH_9.2\r\n"),
        C("SSH-2.0-OpenSSH_9.2\r\n"), S(TLS_S), C("\x00\x00\x00\x2c\xff\x53\x4d\x42"), S("* BAD no\r\n"),
    };
    for (size_t i = 0; i < UNIT_COUNT(others); i++)
        for (const struct proto_desc *const *d = proto_table; *d; d++) {
            if ((*d)->summary_size != sizeof(struct ct_summary))
                continue;
            const uint8_t *p = (const uint8_t *)others[i].bytes;
            size_t n = others[i].len;
            enum proto_sniff r = (*d)->sniff_pair
                                     ? (others[i].from_client ? (*d)->sniff_pair(p, n, NULL, 0)
                                                              : (*d)->sniff_pair(NULL, 0, p, n))
                                     : (*d)->sniff(p, n, others[i].from_client);
            if (r != PROTO_NO)
                fprintf(stderr, "\n%s claims sample %zu\n", (*d)->name, i);
            CU_ASSERT_EQUAL(r, PROTO_NO);
        }
}

/* SMTP and FTP greet alike: the client's first command decides, and the greeting's words when it says. */
static void test_220(void)
{
    const uint8_t *g = (const uint8_t *)"220 host ready\r\n";
    size_t gn = 16;
    CU_ASSERT_EQUAL(ct_220_sniff(NULL, 0, g, gn), CT_220_MAYBE);
    CU_ASSERT_EQUAL(ct_220_sniff((const uint8_t *)"EHLO x\r\n", 8, g, gn), CT_220_SMTP);
    CU_ASSERT_EQUAL(ct_220_sniff((const uint8_t *)"ehlo x\r\n", 8, g, gn), CT_220_SMTP);
    CU_ASSERT_EQUAL(ct_220_sniff((const uint8_t *)"USER ftp\r\n", 10, g, gn), CT_220_FTP);
    CU_ASSERT_EQUAL(ct_220_sniff((const uint8_t *)"USER ftp\r\n", 10, NULL, 0), CT_220_MAYBE);
    CU_ASSERT_EQUAL(ct_220_sniff((const uint8_t *)"AUTH TLS\r\n", 10, NULL, 0), CT_220_FTP);
    CU_ASSERT_EQUAL(ct_220_sniff((const uint8_t *)"QUIT\r\n", 6, g, gn), CT_220_SMTP);
    CU_ASSERT_EQUAL(ct_220_sniff((const uint8_t *)"QUIT\r\n", 6, (const uint8_t *)"220 (vsFTPd 3.0.3)\r\n", 20),
                    CT_220_FTP);
    CU_ASSERT_EQUAL(ct_220_sniff(NULL, 0, (const uint8_t *)"220 mx ESMTP Postfix\r\n", 22), CT_220_SMTP);
    CU_ASSERT_EQUAL(ct_220_sniff(NULL, 0, (const uint8_t *)"220 ProFTPD Server\r\n", 20), CT_220_FTP);
    CU_ASSERT_EQUAL(ct_220_sniff(NULL, 0, (const uint8_t *)"221 bye\r\n", 9), CT_220_NO);
    CU_ASSERT_EQUAL(ct_220_sniff((const uint8_t *)"HELLO\r\n", 7, g, gn), CT_220_NO);
    CU_ASSERT_EQUAL(ct_220_sniff((const uint8_t *)"EH", 2, g, gn), CT_220_MAYBE);
}

/* A line longer than the reader keeps is read whole; its start is kept and its last bytes too. */
static void test_line_reader(void)
{
    struct ct_line *l = calloc(1, sizeof *l);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    size_t n = CT_LINE_MAX + 100;
    uint8_t *p = malloc(n + 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memset(p, 'a', n);
    memcpy(p + n, "{42}\r\nX", 7);
    int done = 0;
    size_t used = 0;
    while (!done && used < n + 7)
        used += ct_line_take(l, p + used, used + 10 < n + 7 ? 10 : n + 7 - used, &done);
    CU_ASSERT(done);
    CU_ASSERT_EQUAL(used, n + 6);
    CU_ASSERT(l->cut);
    CU_ASSERT_EQUAL(l->len, CT_LINE_MAX);
    CU_ASSERT(l->tail_len >= 4 && !memcmp(l->tail + l->tail_len - 4, "{42}", 4));
    ct_line_reset(l);
    used = ct_line_take(l, (const uint8_t *)"short\r\n", 7, &done);
    CU_ASSERT(done && used == 7 && l->len == 5 && !strcmp(l->buf, "short"));
    free(p);
    free(l);
}

int main(void)
{
    static const struct unit_case flows[] = {
        {"SMTP STARTTLS accepted", test_smtp_accepted},
        {"SMTP: a client that does not wait", test_smtp_early_client},
        {"SMTP STARTTLS refused (454)", test_smtp_refused},
        {"SMTP: message data, BDAT and SASL", test_smtp_data_is_data},
        {"FTP AUTH TLS accepted (234)", test_ftp_accepted},
        {"FTP AUTH SSL refused", test_ftp_refused},
        {"POP3 STLS accepted", test_pop3_accepted},
        {"POP3 STLS refused (-ERR)", test_pop3_refused},
        {"IMAP STARTTLS accepted (tagged OK)", test_imap_accepted},
        {"IMAP STARTTLS refused (BAD)", test_imap_refused},
        {"NNTP STARTTLS accepted (382)", test_nntp_accepted},
        {"NNTP STARTTLS refused (580)", test_nntp_refused},
        {"XMPP <proceed/>", test_xmpp_accepted},
        {"XMPP <failure/>", test_xmpp_refused},
        {"LDAP StartTLS success", test_ldap_accepted},
        {"LDAP StartTLS protocolError", test_ldap_refused},
        {"PostgreSQL SSLRequest 'S'", test_pgsql_accepted},
        {"PostgreSQL SSLRequest 'N'", test_pgsql_refused},
        {"MySQL SSL request", test_mysql_accepted},
        {"MySQL without SSL", test_mysql_clear},
        {"SOCKS4a granted", test_socks4a_tunnel},
        {"SOCKS4 rejected", test_socks4_refused},
        {"SOCKS5 with username/password", test_socks5_tunnel},
        {"SOCKS5 optimistic data", test_socks5_optimistic},
        {"SOCKS5 connection refused", test_socks5_refused},
    };
    static const struct unit_case bad[] = {
        {"junk", test_junk},
        {"others' first bytes", test_sniff_refuses_others},
        {"SMTP or FTP", test_220},
        {"long lines", test_line_reader},
    };
    static const struct unit_suite suites[] = {
        {"upgrades", NULL, NULL, flows, UNIT_COUNT(flows)},
        {"bad bytes", NULL, NULL, bad, UNIT_COUNT(bad)},
    };
    return unit_run_suites(suites, UNIT_COUNT(suites));
}
