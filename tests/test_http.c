/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_http.c - owns the unit tests of http.h: the sniffer, and the HTTP/1.x
 * framing of requests and responses (RFC 9112) on hand-written transcripts.
 *
 * Every transcript is fed three ways - each step whole, byte by byte, and in
 * random splits (fixed seeds) - and all must give the same summary and the
 * same message callbacks in the same order, since TCP may cut a stream
 * anywhere.  Each piece is a heap copy of exactly its length, so
 * AddressSanitizer catches a read past it.
 */
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "unit.h"

/* ------------------------------------------------------------ transcripts */

enum step_kind { TO_SERVER, TO_CLIENT, GAP_FROM_CLIENT, GAP_FROM_SERVER };

struct step {
    enum step_kind kind;
    const char *bytes;
    size_t len;
    uint64_t gap;
};

/* Bytes the client sends, bytes the server sends (string literals; embedded NULs kept). */
#define C(s) {TO_SERVER, (s), sizeof(s) - 1, 0}
#define S(s) {TO_CLIENT, (s), sizeof(s) - 1, 0}
#define GAP_C(n) {GAP_FROM_CLIENT, NULL, 0, (n)}
#define GAP_S(n) {GAP_FROM_SERVER, NULL, 0, (n)}
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Random splits per transcript: the long one gets many more. */
#define SMALL_ROUNDS 40
#define LONG_ROUNDS 400

#define LOG_CAP (256 * 1024)

/* What one run saw: the summary and every message callback, "C line\n" or "S line\n". */
struct outcome {
    struct http_summary sum;
    int log_full;
    size_t log_len;
    char log[LOG_CAP];
};

static void record_msg(void *ctx, int from_client, const char *line)
{
    struct outcome *o = ctx;
    size_t n = strlen(line);
    /* the contract: at most 80 bytes (the bytes sent: the outputs clean what they draw) */
    CU_ASSERT(n <= 80);
    if (o->log_len + n + 4 > LOG_CAP) {
        o->log_full = 1;
        return;
    }
    o->log[o->log_len++] = from_client ? 'C' : 'S';
    o->log[o->log_len++] = ' ';
    memcpy(o->log + o->log_len, line, n);
    o->log_len += n;
    o->log[o->log_len++] = '\n';
    o->log[o->log_len] = '\0';
}

enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RANDOM };

/* xorshift64*: deterministic per seed, so a failing split can be replayed. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A piece length for a random split: mostly small, sometimes large, never 0. */
static size_t random_piece(uint64_t *rng, size_t left)
{
    static const size_t caps[] = {1, 2, 3, 7, 16, 100, 1000, 10000};
    size_t cap = caps[next_random(rng) % COUNT(caps)];
    if (cap > left)
        cap = left;
    return 1 + (size_t)(next_random(rng) % cap);
}

static void feed_exact(struct http_conn *h, int from_client, const char *p, size_t n)
{
    uint8_t *copy = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, p, n);
    /* bytes it did not take (after a CONNECT or its 2xx) are given again, read on as HTTP */
    for (size_t at = 0; at < n;) {
        size_t used = http_data(h, from_client, copy + at, n - at);
        CU_ASSERT_FATAL(used <= n - at);
        at += used ? used : n - at;
    }
    free(copy);
}

static struct outcome *run(const struct step *steps, size_t nsteps, enum feed_mode mode, uint64_t seed)
{
    struct outcome *o = calloc(1, sizeof *o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    struct http_conn *h = http_new(record_msg, o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (size_t s = 0; s < nsteps; s++) {
        const struct step *st = &steps[s];
        if (st->kind == GAP_FROM_CLIENT || st->kind == GAP_FROM_SERVER) {
            http_gap(h, st->kind == GAP_FROM_CLIENT, st->gap);
            continue;
        }
        size_t pos = 0;
        while (pos < st->len) {
            size_t piece = mode == FEED_WHOLE ? st->len : mode == FEED_BYTES ? 1 : random_piece(&rng, st->len - pos);
            feed_exact(h, st->kind == TO_SERVER, st->bytes + pos, piece);
            pos += piece;
        }
    }
    http_end(h);
    o->sum = *http_summary_of(h);
    http_free(h);
    return o;
}

static int same_outcome(const struct outcome *a, const struct outcome *b)
{
    const struct http_summary *x = &a->sum, *y = &b->sum;
    if (x->requests != y->requests || x->responses != y->responses || x->first_status != y->first_status ||
        x->nhosts != y->nhosts || x->h2 != y->h2 || x->malformed != y->malformed ||
        strcmp(x->first_request, y->first_request) != 0 || a->log_full != b->log_full ||
        strcmp(a->log, b->log) != 0)
        return 0;
    for (unsigned i = 0; i < x->nhosts && i < HTTP_HOSTS_MAX; i++)
        if (strcmp(x->hosts[i], y->hosts[i]) != 0)
            return 0;
    return 1;
}

static void show_outcome(const char *label, const struct outcome *o)
{
    fprintf(stderr, "\n%s: requests=%u responses=%u first_status=%u first_request=\"%s\" nhosts=%u h2=%u "
                    "malformed=%u\n%s",
            label, o->sum.requests, o->sum.responses, o->sum.first_status, o->sum.first_request, o->sum.nhosts,
            o->sum.h2, o->sum.malformed, o->log);
}

/* Runs the transcript whole, byte by byte and in `rounds` random splits; all must agree. Returns the whole run. */
static struct outcome *feed_all_ways(const struct step *steps, size_t nsteps, unsigned rounds)
{
    struct outcome *whole = run(steps, nsteps, FEED_WHOLE, 0);
    CU_ASSERT_FALSE(whole->log_full);
    struct outcome *bytes = run(steps, nsteps, FEED_BYTES, 0);
    CU_ASSERT_TRUE(same_outcome(whole, bytes));
    if (!same_outcome(whole, bytes)) {
        show_outcome("whole", whole);
        show_outcome("byte by byte", bytes);
    }
    free(bytes);
    for (unsigned seed = 1; seed <= rounds; seed++) {
        struct outcome *split = run(steps, nsteps, FEED_RANDOM, seed);
        int same = same_outcome(whole, split);
        CU_ASSERT_TRUE(same);
        if (!same) {
            fprintf(stderr, "\nrandom split, seed %u differs", seed);
            show_outcome("whole", whole);
            show_outcome("split", split);
            free(split);
            break;
        }
        free(split);
    }
    return whole;
}

#define FEED(steps) feed_all_ways((steps), COUNT(steps), SMALL_ROUNDS)

/* A growing text for generated transcripts. */
struct text {
    char *buf;
    size_t len;
    size_t cap;
};

static void put_bytes(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (t->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(t->buf, cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(grown);
        t->buf = grown;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void put(struct text *t, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    CU_ASSERT_FATAL(n >= 0 && (size_t)n < sizeof tmp);
    put_bytes(t, tmp, (size_t)n);
}

static void put_repeated(struct text *t, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_bytes(t, &c, 1);
}

static struct step text_step(enum step_kind kind, const struct text *t)
{
    struct step s = {kind, t->buf, t->len, 0};
    return s;
}

/* ------------------------------------------------------------------ sniff */

static enum http_sniff sniff_exact(const char *p, size_t n, int from_client)
{
    uint8_t *copy = malloc(n ? n : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, p, n);
    enum http_sniff r = http_sniff(copy, n, from_client);
    free(copy);
    return r;
}

#define SNIFF_C(lit) sniff_exact((lit), sizeof(lit) - 1, 1)
#define SNIFF_S(lit) sniff_exact((lit), sizeof(lit) - 1, 0)

static void test_sniff_requests(void)
{
    CU_ASSERT_EQUAL(SNIFF_C("GET / HTTP/1.1\r\n"), HTTP_SNIFF_H1);
    CU_ASSERT_EQUAL(SNIFF_C("GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n"), HTTP_SNIFF_H1);
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
    for (size_t i = 0; i < COUNT(known); i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "%s /x HTTP/1.1\r\n", known[i]);
        CU_ASSERT_EQUAL(sniff_exact(line, (size_t)n, 1), HTTP_SNIFF_H1);
    }
    /* extension methods: uppercase, at most 20 letters */
    CU_ASSERT_EQUAL(SNIFF_C("PROPFIND /dav HTTP/1.1\r\n"), HTTP_SNIFF_H1);
    CU_ASSERT_EQUAL(SNIFF_C("ABCDEFGHIJKLMNOPQRST / HTTP/1.1\r\n"), HTTP_SNIFF_H1);
    CU_ASSERT_EQUAL(SNIFF_C("ABCDEFGHIJKLMNOPQRSTU / HTTP/1.1\r\n"), HTTP_SNIFF_NO);
    /* partial lines that may still be HTTP */
    CU_ASSERT_EQUAL(SNIFF_C(""), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_C("G"), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_C("GE"), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_C("GET "), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_C("GET /a"), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_C("GET /a HTTP/1."), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_C("GET /a HTTP/1.1"), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_C("GET /a HTTP/1.1\r"), HTTP_SNIFF_MORE);
    /* methods are case-sensitive (RFC 9110 §9.1) */
    CU_ASSERT_EQUAL(SNIFF_C("get / HTTP/1.1\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("Get / HTTP/1.1\r\n"), HTTP_SNIFF_NO);
    /* the shape must be exact */
    CU_ASSERT_EQUAL(SNIFF_C("GET  / HTTP/1.1\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("GET / HTTP/1.1 \r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("GET / HTTP/1.1\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("GET / HTTP/2.0\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("GET / http/1.1\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("GET /\x01 HTTP/1.1\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("GET\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C(" GET / HTTP/1.1\r\n"), HTTP_SNIFF_NO);
    /* other text protocols with uppercase commands */
    CU_ASSERT_EQUAL(SNIFF_C("EHLO mail.example.com\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("USER anonymous\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("OPTIONS rtsp://cam/ RTSP/1.0\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("SSH-2.0-OpenSSH_9.2\r\n"), HTTP_SNIFF_NO);
    /* only the request line decides: what follows it does not matter */
    CU_ASSERT_EQUAL(SNIFF_C("GET / HTTP/1.1\r\n\x16\x03\x01"), HTTP_SNIFF_H1);
}

static void test_sniff_window(void)
{
    /* a request line longer than the 8 KiB window is not taken for HTTP */
    struct text t = {0};
    put(&t, "GET /");
    put_repeated(&t, 'a', 8000);
    CU_ASSERT_EQUAL(sniff_exact(t.buf, t.len, 1), HTTP_SNIFF_MORE);
    put_repeated(&t, 'a', 1000);
    CU_ASSERT_EQUAL(sniff_exact(t.buf, t.len, 1), HTTP_SNIFF_NO);
    put(&t, " HTTP/1.1\r\n");
    CU_ASSERT_EQUAL(sniff_exact(t.buf, t.len, 1), HTTP_SNIFF_NO);
    free(t.buf);

    /* just inside the window */
    struct text u = {0};
    put(&u, "GET /");
    put_repeated(&u, 'b', 8192 - 5 - 11);
    put(&u, " HTTP/1.1\r\n");
    CU_ASSERT_EQUAL(u.len, 8192);
    CU_ASSERT_EQUAL(sniff_exact(u.buf, u.len, 1), HTTP_SNIFF_H1);
    free(u.buf);
}

static void test_sniff_binary_and_tls(void)
{
    static const char client_hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x8a\x11";
    CU_ASSERT_EQUAL(sniff_exact(client_hello, sizeof client_hello - 1, 1), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(sniff_exact(client_hello, 1, 1), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(sniff_exact(client_hello, sizeof client_hello - 1, 0), HTTP_SNIFF_NO);
    static const char server_hello[] = "\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03";
    CU_ASSERT_EQUAL(sniff_exact(server_hello, sizeof server_hello - 1, 0), HTTP_SNIFF_NO);

    /* pseudo-random binary: never HTTP from either side, and never an overread */
    uint64_t rng = 12345;
    for (int round = 0; round < 2000; round++) {
        char buf[64];
        size_t n = 1 + (size_t)(next_random(&rng) % sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)(next_random(&rng) & 0xff);
        buf[0] = (char)(0x80 | (unsigned char)buf[0]); /* not a letter: surely not a method or "HTTP" */
        CU_ASSERT_EQUAL(sniff_exact(buf, n, 1), HTTP_SNIFF_NO);
        CU_ASSERT_EQUAL(sniff_exact(buf, n, 0), HTTP_SNIFF_NO);
    }
    static const char zeros[16] = {0};
    CU_ASSERT_EQUAL(sniff_exact(zeros, sizeof zeros, 1), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(sniff_exact(zeros, sizeof zeros, 0), HTTP_SNIFF_NO);
}

static void test_sniff_h2_preface(void)
{
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    CU_ASSERT_EQUAL(SNIFF_C("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), HTTP_SNIFF_H2);
    CU_ASSERT_EQUAL(SNIFF_C("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04"), HTTP_SNIFF_H2);
    for (size_t n = 1; n < sizeof preface - 1; n++)
        CU_ASSERT_EQUAL(sniff_exact(preface, n, 1), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_C("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"), HTTP_SNIFF_NO);
    /* only a client sends the preface */
    CU_ASSERT_EQUAL(SNIFF_S("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), HTTP_SNIFF_NO);
}

static void test_sniff_responses(void)
{
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 200 OK\r\n"), HTTP_SNIFF_H1);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.0 404 "), HTTP_SNIFF_H1);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 100 Continue\r\n\r\n"), HTTP_SNIFF_H1);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 200\r\n"), HTTP_SNIFF_H1);
    CU_ASSERT_EQUAL(SNIFF_S(""), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_S("HT"), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1."), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 20"), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 200"), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 200\r"), HTTP_SNIFF_MORE);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 200x"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 099 "), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 600 "), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1 2x0 "), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/2 200 \r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_S("http/1.1 200 OK\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_S("HTTP/1.1  200 OK\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_S("SSH-2.0-OpenSSH_9.2\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_S("220 mail.example.com ESMTP\r\n"), HTTP_SNIFF_NO);
    /* a request is not a response */
    CU_ASSERT_EQUAL(SNIFF_S("GET / HTTP/1.1\r\n"), HTTP_SNIFF_NO);
    CU_ASSERT_EQUAL(SNIFF_C("HTTP/1.1 200 OK\r\n"), HTTP_SNIFF_NO);
}

/* ------------------------------------------------------- basic exchanges */

static void test_simple_get(void)
{
    static const struct step t[] = {
        C("GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_STRING_EQUAL(o->sum.first_request, "GET /index.html");
    CU_ASSERT_EQUAL(o->sum.first_status, 200);
    CU_ASSERT_EQUAL(o->sum.nhosts, 1);
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[0], "example.com");
    CU_ASSERT_EQUAL(o->sum.h2, 0);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C GET /index.html HTTP/1.1\nS HTTP/1.1 200 OK\n");
    free(o);
}

static void test_keep_alive(void)
{
    /* the first body holds a status line: read as body, it must not count */
    static const struct step t[] = {
        C("GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\nHTTP/1.1 500 Oops\r\n"),
        C("GET /b HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        S("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 2);
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    CU_ASSERT_EQUAL(o->sum.first_status, 200);
    CU_ASSERT_STRING_EQUAL(o->sum.first_request, "GET /a");
    CU_ASSERT_EQUAL(o->sum.nhosts, 1);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C GET /a HTTP/1.1\nS HTTP/1.1 200 OK\nC GET /b HTTP/1.1\nS HTTP/1.1 404 Not Found\n");
    free(o);
}

static void test_pipelined_chunked(void)
{
    /*
     * GET, HEAD, GET in one segment; three chunked answers in one.  The answer
     * to HEAD names chunked but has no body; the chunk data of the others
     * hold status lines that must be skipped.
     */
    static const struct step t[] = {
        C("GET /1 HTTP/1.1\r\nHost: a.example\r\n\r\n"
          "HEAD /2 HTTP/1.1\r\nHost: a.example\r\n\r\n"
          "GET /3 HTTP/1.1\r\nHost: a.example\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          "5;name=value\r\nhello\r\n"
          "1A ; ext ; other=\"q\"\r\nHTTP/1.1 999 fake\r\n\r\n1234\r\n"
          "0\r\nX-Trailer: one\r\nX-Other: two\r\n\r\n"
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 77\r\n\r\n"
          "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
          "1a\r\nHTTP/1.1 998 fake\r\n\r\nabcd\r\n"
          "0;last\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 3);
    CU_ASSERT_EQUAL(o->sum.responses, 3);
    CU_ASSERT_EQUAL(o->sum.first_status, 200);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C GET /1 HTTP/1.1\nC HEAD /2 HTTP/1.1\nC GET /3 HTTP/1.1\n"
                                   "S HTTP/1.1 200 OK\nS HTTP/1.1 200 OK\nS HTTP/1.1 201 Created\n");
    free(o);
}

static void test_head_has_no_body(void)
{
    static const struct step t[] = {
        C("HEAD /big HTTP/1.1\r\nHost: h\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
        C("GET /small HTTP/1.1\r\nHost: h\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        C("GET /third HTTP/1.1\r\nHost: h\r\n\r\n"),
        S("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 3);
    CU_ASSERT_EQUAL(o->sum.responses, 3);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->sum.first_request, "HEAD /big");
    CU_ASSERT_STRING_EQUAL(o->log, "C HEAD /big HTTP/1.1\nS HTTP/1.1 200 OK\nC GET /small HTTP/1.1\n"
                                   "S HTTP/1.1 200 OK\nC GET /third HTTP/1.1\nS HTTP/1.1 302 Found\n");
    free(o);
}

static void test_continue_then_final(void)
{
    static const struct step t[] = {
        C("POST /upload HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"),
        S("HTTP/1.1 100 Continue\r\n\r\n"),
        C("data"),
        S("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_EQUAL(o->sum.first_status, 201);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C POST /upload HTTP/1.1\nS HTTP/1.1 100 Continue\nS HTTP/1.1 201 Created\n");
    free(o);

    /*
     * Interim answers must not use up the request they precede: if the 103
     * took the HEAD from the queue, the 200 would wait for 50 body bytes and
     * swallow the next answer.
     */
    static const struct step u[] = {
        C("HEAD /h HTTP/1.1\r\n\r\nGET /g HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
          "HTTP/1.1 100 Continue\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
    };
    o = FEED(u);
    CU_ASSERT_EQUAL(o->sum.requests, 2);
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    CU_ASSERT_EQUAL(o->sum.first_status, 200);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C HEAD /h HTTP/1.1\nC GET /g HTTP/1.1\nS HTTP/1.1 103 Early Hints\n"
                                   "S HTTP/1.1 100 Continue\nS HTTP/1.1 200 OK\nS HTTP/1.1 200 OK\n");
    free(o);
}

static void test_204_304_no_body(void)
{
    static const struct step t[] = {
        C("DELETE /x HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"),
        C("GET /y HTTP/1.1\r\nIf-None-Match: \"abc\"\r\n\r\n"),
        S("HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\nTransfer-Encoding: chunked\r\n\r\n"),
        C("GET /z HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 3);
    CU_ASSERT_EQUAL(o->sum.responses, 3);
    CU_ASSERT_EQUAL(o->sum.first_status, 204);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C DELETE /x HTTP/1.1\nS HTTP/1.1 204 No Content\nC GET /y HTTP/1.1\n"
                                   "S HTTP/1.1 304 Not Modified\nC GET /z HTTP/1.1\nS HTTP/1.1 200 OK\n");
    free(o);
}

static void test_close_delimited(void)
{
    /* everything after the header section is body until the close, status lines included */
    static const struct step t[] = {
        C("GET /old HTTP/1.0\r\n\r\n"),
        S("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>\r\n"),
        S("HTTP/1.1 404 Not Found\r\n\r\n\x00\x01\x02 binary \xff\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_EQUAL(o->sum.first_status, 200);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C GET /old HTTP/1.0\nS HTTP/1.0 200 OK\n");
    free(o);
}

static void test_end_stops_everything(void)
{
    struct outcome *o = calloc(1, sizeof *o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    struct http_conn *h = http_new(record_msg, o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    static const char req[] = "GET / HTTP/1.0\r\n\r\n";
    static const char resp[] = "HTTP/1.0 200 OK\r\n\r\nbody";
    feed_exact(h, 1, req, sizeof req - 1);
    feed_exact(h, 0, resp, sizeof resp - 1);
    http_end(h);
    /* after the end nothing counts, not even a well-formed exchange */
    feed_exact(h, 1, req, sizeof req - 1);
    feed_exact(h, 0, "HTTP/1.0 200 OK\r\n\r\n", 19);
    http_end(h);
    const struct http_summary *s = http_summary_of(h);
    CU_ASSERT_EQUAL(s->requests, 1);
    CU_ASSERT_EQUAL(s->responses, 1);
    CU_ASSERT_EQUAL(s->malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C GET / HTTP/1.0\nS HTTP/1.0 200 OK\n");
    http_free(h);

    /* HTTP/2 (ALPN h2): frames after the end are not counted either */
    h = http_new(record_msg, o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    static const char settings[] = "\x00\x00\x00\x04\x00\x00\x00\x00\x00"; /* an empty SETTINGS frame */
    http_start_h2(h);
    feed_exact(h, 1, preface, sizeof preface - 1);
    feed_exact(h, 1, settings, sizeof settings - 1);
    feed_exact(h, 0, settings, sizeof settings - 1);
    http_end(h);
    feed_exact(h, 1, settings, sizeof settings - 1);
    feed_exact(h, 0, settings, sizeof settings - 1);
    s = http_summary_of(h);
    CU_ASSERT_EQUAL(s->h2_frames[0], 1);
    CU_ASSERT_EQUAL(s->h2_frames[1], 1);
    http_free(h);
    free(o);
    http_free(NULL);
}

static void test_post_with_body(void)
{
    /* 27 body bytes that look like a request line; a request without a length has no body */
    static const struct step t[] = {
        C("POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 27\r\n\r\n"
          "GET /not-a-request HTTP/1.1"
          "GET /next HTTP/1.1\r\n\r\n"
          "GET /after-bodyless HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 3);
    CU_ASSERT_EQUAL(o->sum.responses, 3);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->sum.first_request, "POST /form");
    CU_ASSERT_STRING_EQUAL(o->log, "C POST /form HTTP/1.1\nC GET /next HTTP/1.1\nC GET /after-bodyless HTTP/1.1\n"
                                   "S HTTP/1.1 200 OK\nS HTTP/1.1 200 OK\nS HTTP/1.1 200 OK\n");
    free(o);

    /* a chunked request body */
    static const struct step u[] = {
        C("PUT /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
          "4\r\nGET \r\nC\r\n/ HTTP/1.1\r\n\r\n0\r\n\r\n"
          "GET /real HTTP/1.1\r\n\r\n"),
    };
    o = FEED(u);
    CU_ASSERT_EQUAL(o->sum.requests, 2);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C PUT /f HTTP/1.1\nC GET /real HTTP/1.1\n");
    free(o);
}

/* --------------------------------------------------------------- framing */

/* One response with the given header block and body, then a 200 that must still be found. */
static struct outcome *one_response(const char *head_and_body)
{
    struct step t[3] = {
        C("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
        {TO_CLIENT, head_and_body, strlen(head_and_body), 0},
        S("HTTP/1.1 200 Next\r\nContent-Length: 0\r\n\r\n"),
    };
    return feed_all_ways(t, COUNT(t), SMALL_ROUNDS);
}

static void test_chunk_sizes(void)
{
    static const char *const good[] = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1F\r\n0123456789012345678901234567890\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1f\r\n0123456789012345678901234567890\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000000000000003\r\nabc\r\n000\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n3 ;a=b\r\nabc\r\n0\r\nT: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked;q=1\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    };
    for (size_t i = 0; i < COUNT(good); i++) {
        struct outcome *o = one_response(good[i]);
        CU_ASSERT_EQUAL(o->sum.responses, 2);
        CU_ASSERT_EQUAL(o->sum.malformed, 0);
        if (o->sum.responses != 2 || o->sum.malformed)
            fprintf(stderr, "\ngood chunked case %zu failed", i);
        free(o);
    }
    static const char *const bad[] = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x10\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", /* data longer than its size */
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        struct outcome *o = one_response(bad[i]);
        CU_ASSERT_EQUAL(o->sum.responses, 1);
        CU_ASSERT_EQUAL(o->sum.malformed, 1);
        if (o->sum.responses != 1 || !o->sum.malformed)
            fprintf(stderr, "\nbad chunked case %zu failed", i);
        free(o);
    }
    /* the largest size that fits in 64 bits is a size, not an overflow (the body just never ends here) */
    struct outcome *o = one_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc");
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);
}

static void test_content_length_values(void)
{
    static const char *const bad[] = {"-1", "abc", "12abc", "", "+5", "5, 6", "1 2", "0x10", "5,",
                                      "99999999999999999999999", "18446744073709551616"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        char resp[256];
        snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n", bad[i]);
        struct outcome *o = one_response(resp);
        CU_ASSERT_EQUAL(o->sum.malformed, 1);
        CU_ASSERT_EQUAL(o->sum.responses, 1);
        if (!o->sum.malformed)
            fprintf(stderr, "\nContent-Length \"%s\" was taken", bad[i]);
        free(o);
    }
    /* two fields with different lengths */
    struct outcome *o = one_response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
    CU_ASSERT_EQUAL(o->sum.malformed, 1);
    free(o);

    /* equal repeats are one length (RFC 9110 §8.6); OWS around the value is not part of it */
    static const char *const good[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length:3\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nCONTENT-LENGTH: \t 003 \t\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    };
    for (size_t i = 0; i < COUNT(good); i++) {
        o = one_response(good[i]);
        CU_ASSERT_EQUAL(o->sum.malformed, 0);
        CU_ASSERT_EQUAL(o->sum.responses, 2);
        free(o);
    }

    /* in a request too */
    static const struct step t[] = {
        C("POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\nGET / HTTP/1.1\r\n\r\n"),
    };
    o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.malformed, 1);
    free(o);
}

static void test_transfer_encoding_rules(void)
{
    /* Transfer-Encoding overrides Content-Length, whatever that says */
    struct outcome *o = one_response("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                                     "2\r\nok\r\n0\r\n\r\n");
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);
    o = one_response("HTTP/1.1 200 OK\r\nContent-Length: garbage\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);

    /* a response whose last coding is not chunked runs until the close */
    o = one_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 2\r\n\r\nxx");
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);

    /* a request whose last coding is not chunked cannot be framed (RFC 9112 §6.3 rule 4) */
    static const struct step t[] = {
        C("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxyz"),
        S("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
    };
    o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_EQUAL(o->sum.malformed, 1);
    free(o);
}

static void test_long_lines(void)
{
    /* a 9 KiB header line: malformed, and that direction stops */
    struct text req = {0};
    put(&req, "GET / HTTP/1.1\r\nX-Big: ");
    put_repeated(&req, 'x', 9 * 1024);
    put(&req, "\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
    struct step t[2] = {text_step(TO_SERVER, &req), S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")};
    struct outcome *o = feed_all_ways(t, COUNT(t), SMALL_ROUNDS);
    CU_ASSERT_EQUAL(o->sum.malformed, 1);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.responses, 1); /* the other direction goes on */
    free(o);
    free(req.buf);

    /* the cap is 8192 bytes before the LF, the CR included: 8191 + CRLF fits, 8192 + CRLF does not */
    for (int over = 0; over <= 1; over++) {
        struct text r = {0};
        put(&r, "GET / HTTP/1.1\r\n");
        put(&r, "X-Edge: ");
        put_repeated(&r, 'y', (size_t)(8191 - 8 + over));
        put(&r, "\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
        struct step u[1] = {text_step(TO_SERVER, &r)};
        o = feed_all_ways(u, COUNT(u), SMALL_ROUNDS);
        CU_ASSERT_EQUAL(o->sum.malformed, over);
        CU_ASSERT_EQUAL(o->sum.requests, over ? 1 : 2);
        free(o);
        free(r.buf);
    }

    /* a long request line: too long is malformed; a long one that fits is cut in the summary and callback */
    struct text big = {0};
    put(&big, "GET /");
    put_repeated(&big, 'p', 9000);
    put(&big, " HTTP/1.1\r\n\r\n");
    struct step v[1] = {text_step(TO_SERVER, &big)};
    o = feed_all_ways(v, COUNT(v), SMALL_ROUNDS);
    CU_ASSERT_EQUAL(o->sum.malformed, 1);
    CU_ASSERT_EQUAL(o->sum.requests, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "");
    free(o);
    free(big.buf);

    struct text fits = {0};
    put(&fits, "GET /");
    put_repeated(&fits, 'q', 300);
    put(&fits, " HTTP/1.1\r\n\r\n");
    struct step w[1] = {text_step(TO_SERVER, &fits)};
    o = feed_all_ways(w, COUNT(w), SMALL_ROUNDS);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_EQUAL(strlen(o->sum.first_request), HTTP_FIRST_REQUEST_MAX - 1);
    CU_ASSERT_NSTRING_EQUAL(o->sum.first_request, "GET /qqqq", 9);
    CU_ASSERT_EQUAL(o->log_len, 2 + 80 + 1);
    free(o);
    free(fits.buf);
}

static void test_malformed_lines(void)
{
    static const struct step no_colon[] = {
        C("GET / HTTP/1.1\r\nHost example.com\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    };
    struct outcome *o = FEED(no_colon);
    CU_ASSERT_EQUAL(o->sum.malformed, 1);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    free(o);

    /* RFC 9112 §5.1: whitespace before the colon is refused in a request, removed from a response */
    static const struct step space_colon_req[] = {C("GET / HTTP/1.1\r\nHost : example.com\r\n\r\n")};
    o = FEED(space_colon_req);
    CU_ASSERT_EQUAL(o->sum.malformed, 1);
    CU_ASSERT_EQUAL(o->sum.nhosts, 0);
    free(o);
    o = one_response("HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok");
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    free(o);

    static const char *const bad_status[] = {
        "HTTP/1.1 20 OK\r\n\r\n", "HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 600 High\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n", "ICY 200 OK\r\n\r\n", "\x16\x03\x03\x01\x10\r\n",
    };
    for (size_t i = 0; i < COUNT(bad_status); i++) {
        o = one_response(bad_status[i]);
        CU_ASSERT_EQUAL(o->sum.malformed, 1);
        CU_ASSERT_EQUAL(o->sum.responses, 0);
        free(o);
    }

    static const struct step bad_requests[][1] = {
        {C("GET /\x01 HTTP/1.1\r\n\r\n")},
        {C("GET / HTTP/1.1 extra\r\n\r\n")},
        {C("GET /\r\n\r\n")},
        {C("GET / HTTP/3.0\r\n\r\n")},
        {C("G(T / HTTP/1.1\r\n\r\n")},
        {C("GET  / HTTP/1.1\r\n\r\n")},
    };
    for (size_t i = 0; i < COUNT(bad_requests); i++) {
        o = feed_all_ways(bad_requests[i], 1, SMALL_ROUNDS);
        CU_ASSERT_EQUAL(o->sum.malformed, 1);
        CU_ASSERT_EQUAL(o->sum.requests, 0);
        CU_ASSERT_STRING_EQUAL(o->log, "");
        free(o);
    }

    /* chunk data not followed by CRLF */
    o = one_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n");
    CU_ASSERT_EQUAL(o->sum.malformed, 1);
    free(o);
}

static void test_line_endings(void)
{
    /* bare LF ends a line (RFC 9112 §2.2 allows it); empty lines before a start line are skipped */
    static const struct step t[] = {
        C("\r\n\nGET /lf HTTP/1.1\nHost: lf.example\n\n"),
        S("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n"),
        C("GET /crlf HTTP/1.1\r\n\r\n"),
        S("\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 2);
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_EQUAL(o->sum.nhosts, 1);
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[0], "lf.example");
    CU_ASSERT_STRING_EQUAL(o->log, "C GET /lf HTTP/1.1\nS HTTP/1.1 200 OK\nC GET /crlf HTTP/1.1\nS HTTP/1.1 200 OK\n");
    free(o);
}

static void test_folded_lines(void)
{
    /* a fold continues the previous field: ignored for most, more codings for Transfer-Encoding */
    static const struct step t[] = {
        C("GET / HTTP/1.1\r\nX-Long: part one,\r\n  part two\r\nHost: fold.example\r\n \tignored\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,\r\n chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        C("GET /2 HTTP/1.1\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 2);
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_EQUAL(o->sum.nhosts, 1);
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[0], "fold.example");
    free(o);

    /* a number split across a fold cannot be trusted */
    o = one_response("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 0\r\n\r\n0123456789");
    CU_ASSERT_EQUAL(o->sum.malformed, 1);
    free(o);
    /* ...but a fold of only whitespace adds nothing */
    o = one_response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n  \r\n\r\nok");
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    free(o);
}

/* ------------------------------------------------------------------ hosts */

static void test_hosts(void)
{
    static const struct step t[] = {
        C("GET /1 HTTP/1.1\r\nHost: example.com\r\n\r\n"
          "GET /2 HTTP/1.1\r\nhost:example.com\r\n\r\n"
          "GET /3 HTTP/1.1\r\nHOST: \t Example.COM \t\r\n\r\n"
          "GET /4 HTTP/1.1\r\nhOsT:   other.example:8080\r\n\r\n"
          "GET /5 HTTP/1.1\r\nHost:\r\n\r\n"
          "GET /6 HTTP/1.1\r\nX-Host: not.a.host\r\nHosts: nor.this\r\n\r\n"
          "GET /7 HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n"
          "GET /8 HTTP/1.1\r\nHost: bad\x01\xffname\r\n\r\n"),
        /* Host in a response or in trailers is not a request's Host */
        S("HTTP/1.1 200 OK\r\nHost: response.example\r\nTransfer-Encoding: chunked\r\n\r\n"
          "0\r\nHost: trailer.example\r\n\r\n"),
        C("POST /9 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: trailer.example\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 9);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_EQUAL_FATAL(o->sum.nhosts, 4);
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[0], "example.com");
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[1], "other.example:8080");
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[2], "[2001:db8::1]");
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[3], "bad\x01\xffname"); /* the bytes sent: outputs clean what they draw */
    /* nothing but zeros behind each NUL, so the summary can be compared or hashed whole */
    for (unsigned i = 0; i < HTTP_HOSTS_MAX; i++)
        for (size_t j = strlen(o->sum.hosts[i]); j < HTTP_HOST_LEN; j++)
            CU_ASSERT_EQUAL(o->sum.hosts[i][j], 0);
    free(o);

    /* at most HTTP_HOSTS_MAX, each cut at HTTP_HOST_LEN - 1 */
    struct text req = {0};
    for (int i = 0; i < HTTP_HOSTS_MAX + 3; i++) {
        put(&req, "GET /%d HTTP/1.1\r\nHost: ", i);
        put_repeated(&req, (char)('a' + i), 200);
        put(&req, "\r\n\r\n");
    }
    struct step u[1] = {text_step(TO_SERVER, &req)};
    o = feed_all_ways(u, COUNT(u), SMALL_ROUNDS);
    CU_ASSERT_EQUAL(o->sum.requests, HTTP_HOSTS_MAX + 3);
    CU_ASSERT_EQUAL_FATAL(o->sum.nhosts, HTTP_HOSTS_MAX);
    for (int i = 0; i < HTTP_HOSTS_MAX; i++) {
        CU_ASSERT_EQUAL(strlen(o->sum.hosts[i]), HTTP_HOST_LEN - 1);
        CU_ASSERT_EQUAL(o->sum.hosts[i][0], 'a' + i);
    }
    free(o);
    free(req.buf);
}

/* Values keep the bytes sent (JSON shows them exactly; termtext.h cleans what is drawn), but for NUL. */
static void test_values_exact(void)
{
    static const struct step t[] = {
        C("GET /caf\xc3\xa9\xe2\x80\xae HTTP/1.1\r\nHost: a\x1b[31m\0b\r\n\r\n"),
        S("HTTP/1.1 200 \x7f\xffOK\tfine\r\nContent-Length: 0\r\n\r\n"),
        S("HTTP/1.1 200 bare\rcr\r\nContent-Length: 0\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->sum.first_request, "GET /caf\xc3\xa9\xe2\x80\xae");
    CU_ASSERT_EQUAL_FATAL(o->sum.nhosts, 1);
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[0], "a\x1b[31m b"); /* the line reader reads NUL as SP, as a bare CR */
    CU_ASSERT_STRING_EQUAL(o->log, "C GET /caf\xc3\xa9\xe2\x80\xae HTTP/1.1\nS HTTP/1.1 200 \x7f\xffOK\tfine\n"
                                   "S HTTP/1.1 200 bare cr\n");
    free(o);
}

/* ------------------------------------------------------------------- gaps */

static void test_gaps(void)
{
    /* a gap in the server's headers: that side stops quietly, the client side goes on */
    static const struct step t[] = {
        C("GET /1 HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-"),
        GAP_S(100),
        S("Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        C("GET /2 HTTP/1.1\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.requests, 2);
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C GET /1 HTTP/1.1\nS HTTP/1.1 200 OK\nC GET /2 HTTP/1.1\n");
    free(o);

    /* a gap in the client's direction between requests stops the client side only */
    static const struct step u[] = {
        C("GET /1 HTTP/1.1\r\n\r\n"),
        GAP_C(20),
        C("GET /2 HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    };
    o = FEED(u);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);

    /* a gap wholly inside a Content-Length body or chunk data loses no framing */
    static const struct step v[] = {
        C("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01"),
        GAP_S(5),
        S("789"),
        S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01"),
        GAP_S(6),
        S("\r\n0\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"),
        GAP_S(4),
    };
    o = FEED(v);
    CU_ASSERT_EQUAL(o->sum.requests, 3);
    CU_ASSERT_EQUAL(o->sum.responses, 3);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);

    /* a gap longer than what the body has left does lose the framing */
    static const struct step w[] = {
        C("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01"),
        GAP_S(50),
        S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    };
    o = FEED(w);
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);

    /* a body read until the close survives any gap */
    static const struct step x[] = {
        C("GET / HTTP/1.0\r\n\r\n"),
        S("HTTP/1.0 200 OK\r\n\r\nabc"),
        GAP_S(1000000),
        S("def"),
    };
    o = FEED(x);
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);

    /* a zero-length gap is nothing */
    static const struct step y[] = {
        C("GET /1 HTTP/1.1\r\n"),
        GAP_C(0),
        C("\r\nGET /2 HTTP/1.1\r\n\r\n"),
    };
    o = FEED(y);
    CU_ASSERT_EQUAL(o->sum.requests, 2);
    free(o);
}

/* ---------------------------------------------------- protocol switches */

static void test_h2_preface_stops(void)
{
    static const struct step t[] = {
        C("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00"),
        S("\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64"),
        C("GET / HTTP/1.1\r\n\r\n"),
    };
    struct outcome *o = FEED(t);
    CU_ASSERT_EQUAL(o->sum.h2, 1);
    CU_ASSERT_EQUAL(o->sum.requests, 0);
    CU_ASSERT_EQUAL(o->sum.responses, 0);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "");
    free(o);
}

static void test_upgrade_and_connect(void)
{
    /* WebSocket: after 101 both sides speak frames, which are not malformed HTTP */
    static const struct step ws[] = {
        C("GET /chat HTTP/1.1\r\nHost: ws.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
        S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x06hello\n"),
        C("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"),
    };
    struct outcome *o = FEED(ws);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.responses, 0);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_STRING_EQUAL(o->log, "C GET /chat HTTP/1.1\nS HTTP/1.1 101 Switching Protocols\n");
    free(o);

    /* the client's frames may be fed before the server's 101 */
    static const struct step early[] = {
        C("GET /chat HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"),
        C("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58\r\n"),
        S("HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x05hello"),
    };
    o = FEED(early);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);

    /* an upgrade the server ignores: HTTP/1.1 goes on */
    static const struct step refused[] = {
        C("GET / HTTP/1.1\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        C("GET /more HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    };
    o = FEED(refused);
    CU_ASSERT_EQUAL(o->sum.requests, 2);
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);

    /*
     * CONNECT: a 2xx makes a tunnel, whatever length it names (RFC 9110
     * §9.3.6); TLS inside it is not HTTP.
     */
    static const struct step tunnel[] = {
        C("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
        S("HTTP/1.1 200 Connection established\r\nContent-Length: 0\r\n\r\n"),
        C("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n"),
        S("\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03\n"),
    };
    o = FEED(tunnel);
    CU_ASSERT_EQUAL(o->sum.requests, 1);
    CU_ASSERT_EQUAL(o->sum.responses, 1);
    CU_ASSERT_EQUAL(o->sum.first_status, 200);
    CU_ASSERT_STRING_EQUAL(o->sum.first_request, "CONNECT example.com:443");
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);

    /* a refused CONNECT is an ordinary response */
    static const struct step denied[] = {
        C("CONNECT example.com:443 HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\nnope"),
        C("CONNECT example.com:443 HTTP/1.1\r\nProxy-Authorization: Basic eDp5\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\n\r\n\x16\x03\x03"),
    };
    o = FEED(denied);
    CU_ASSERT_EQUAL(o->sum.requests, 2);
    CU_ASSERT_EQUAL(o->sum.responses, 2);
    CU_ASSERT_EQUAL(o->sum.first_status, 407);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);
}

/* --------------------------------------------------------------- pipelining */

static void test_pipeline_overflow(void)
{
    /*
     * 70 requests outstanding: the queue holds 64, the rest are only counted.
     * Their answers still line up, and once they are through, a HEAD is
     * tracked again (its answer's Content-Length must not be waited for).
     */
    struct text req = {0}, resp = {0};
    for (int i = 0; i < 70; i++) {
        put(&req, "GET /%d HTTP/1.1\r\n\r\n", i);
        put(&resp, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n%03d", i);
    }
    struct text tail_req = {0}, tail_resp = {0};
    put(&tail_req, "HEAD /h HTTP/1.1\r\n\r\nGET /g HTTP/1.1\r\n\r\n");
    put(&tail_resp, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    struct step t[4] = {text_step(TO_SERVER, &req), text_step(TO_CLIENT, &resp), text_step(TO_SERVER, &tail_req),
                        text_step(TO_CLIENT, &tail_resp)};
    struct outcome *o = feed_all_ways(t, COUNT(t), SMALL_ROUNDS);
    CU_ASSERT_EQUAL(o->sum.requests, 72);
    CU_ASSERT_EQUAL(o->sum.responses, 72);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);
    free(req.buf);
    free(resp.buf);
    free(tail_req.buf);
    free(tail_resp.buf);

    /*
     * Order across the overflow: with the queue full, /64 goes uncounted; the
     * first answer frees a slot, but the HEAD after it must still queue
     * behind /64, or /64's answer would be taken for the HEAD's and its body
     * for a status line.  (The HEAD's own answer is framed without knowing
     * it was HEAD: the documented cost of overflowing.)
     */
    struct text first = {0}, later_req = {0}, answers = {0};
    for (int i = 0; i < 65; i++)
        put(&first, "GET /%d HTTP/1.1\r\n\r\n", i);
    put(&later_req, "HEAD /h HTTP/1.1\r\n\r\n");
    for (int i = 1; i < 65; i++)
        put(&answers, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
    put(&answers, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    struct step u[4] = {text_step(TO_SERVER, &first), S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
                        text_step(TO_SERVER, &later_req), text_step(TO_CLIENT, &answers)};
    o = feed_all_ways(u, COUNT(u), SMALL_ROUNDS);
    CU_ASSERT_EQUAL(o->sum.requests, 66);
    CU_ASSERT_EQUAL(o->sum.responses, 66);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    free(o);
    free(first.buf);
    free(later_req.buf);
    free(answers.buf);
}

/*
 * A long keep-alive transcript mixing everything above, for the three-way
 * feeding equivalence: many random splits must see exactly what one whole
 * feed and one byte-by-byte feed see.
 */
static void test_long_transcript_three_ways(void)
{
    enum { ROUNDS = 60, MAX_STEPS = ROUNDS * 4 + 2 };
    struct text texts[MAX_STEPS];
    struct step steps[MAX_STEPS];
    memset(texts, 0, sizeof texts);
    size_t n = 0;
    unsigned want_requests = 0, want_responses = 0;
    for (int r = 0; r < ROUNDS; r++) {
        struct text *c = &texts[n], *s = &texts[n + 1];
        switch (r % 6) {
        case 0:
            put(c, "GET /r%d HTTP/1.1\r\nHost: h0.example\r\nAccept: */*\r\n\r\n", r);
            put(s, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", 17 + r);
            put(s, "HTTP/1.1 200 OK\r\n");
            put_repeated(s, 'b', (size_t)r);
            want_requests += 1;
            want_responses += 1;
            break;
        case 1:
            put(c, "GET /a%d HTTP/1.1\r\nhost: H1.EXAMPLE\r\n\r\nHEAD /b%d HTTP/1.1\r\n\r\nGET /c%d HTTP/1.1\r\n\r\n", r, r,
                r);
            put(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nHTTP/\r\n1B\r\n");
            put(s, "1.1 404 Not Found\r\n\r\n012345\r\n0\r\nX-Checksum: %d\r\n\r\n", r);
            put(s, "HTTP/1.1 200 OK\r\nContent-Length: 999\r\nTransfer-Encoding: chunked\r\n\r\n");
            put(s, "HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n");
            want_requests += 3;
            want_responses += 3;
            break;
        case 2:
            put(c, "POST /up%d HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 6\r\n\r\n", r);
            put(s, "HTTP/1.1 100 Continue\r\n\r\n");
            steps[n++] = text_step(TO_SERVER, c);
            steps[n++] = text_step(TO_CLIENT, s);
            c = &texts[n];
            s = &texts[n + 1];
            put(c, "GET /x"); /* six body bytes that look like the start of a request */
            put(s, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
            want_requests += 1;
            want_responses += 1;
            break;
        case 3:
            put(c, "PUT /p%d HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", r);
            put(s, "HTTP/1.1 204 No Content\r\nContent-Length: 44\r\n\r\n");
            want_requests += 1;
            want_responses += 1;
            break;
        case 4:
            put(c, "GET /cached%d HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n", r);
            put(s, "HTTP/1.1 304 Not Modified\r\nContent-Length: 4096\r\n\r\n");
            want_requests += 1;
            want_responses += 1;
            break;
        default:
            put(c, "OPTIONS * HTTP/1.1\nHost: h2.example\n\n");
            put(s, "HTTP/1.1 200 OK\r\nAllow: GET,\r\n HEAD\r\nContent-Length: 2, 2\r\n\r\nok");
            want_requests += 1;
            want_responses += 1;
            break;
        }
        steps[n++] = text_step(TO_SERVER, c);
        steps[n++] = text_step(TO_CLIENT, s);
    }
    put(&texts[n], "GET /last HTTP/1.0\r\n\r\n");
    steps[n] = text_step(TO_SERVER, &texts[n]);
    n++;
    put(&texts[n], "HTTP/1.0 200 OK\r\n\r\nHTTP/1.1 500 not a response\r\n\r\n\x00\x01\x02");
    steps[n] = text_step(TO_CLIENT, &texts[n]);
    n++;
    want_requests += 1;
    want_responses += 1;
    CU_ASSERT_FATAL(n <= MAX_STEPS);

    struct outcome *o = feed_all_ways(steps, n, LONG_ROUNDS);
    CU_ASSERT_EQUAL(o->sum.requests, want_requests);
    CU_ASSERT_EQUAL(o->sum.responses, want_responses);
    CU_ASSERT_EQUAL(o->sum.malformed, 0);
    CU_ASSERT_EQUAL(o->sum.first_status, 200);
    CU_ASSERT_STRING_EQUAL(o->sum.first_request, "GET /r0");
    CU_ASSERT_EQUAL_FATAL(o->sum.nhosts, 3);
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[0], "h0.example");
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[1], "H1.EXAMPLE");
    CU_ASSERT_STRING_EQUAL(o->sum.hosts[2], "h2.example");
    /* every start line reached the callback, in order */
    size_t lines = 0;
    for (size_t i = 0; i < o->log_len; i++)
        lines += o->log[i] == '\n';
    CU_ASSERT_EQUAL(lines, want_requests + want_responses + ROUNDS / 6);   /* + the 100 Continue lines */
    static const char log_start[] = "C GET /r0 HTTP/1.1\nS HTTP/1.1 200 OK\nC GET /a1 HTTP/1.1\nC HEAD /b1 HTTP/1.1\n";
    CU_ASSERT_NSTRING_EQUAL(o->log, log_start, sizeof log_start - 1);
    free(o);
    for (size_t i = 0; i < MAX_STEPS; i++)
        free(texts[i].buf);
}

int main(void)
{
    static const struct unit_case tests[] = {
        {"sniff: request lines", test_sniff_requests},
        {"sniff: the 8 KiB window", test_sniff_window},
        {"sniff: binary and TLS are not HTTP", test_sniff_binary_and_tls},
        {"sniff: HTTP/2 preface", test_sniff_h2_preface},
        {"sniff: status lines", test_sniff_responses},
        {"simple GET, 200 with Content-Length", test_simple_get},
        {"keep-alive, two requests", test_keep_alive},
        {"pipelined GET, HEAD, GET with chunked answers", test_pipelined_chunked},
        {"answer to HEAD has no body", test_head_has_no_body},
        {"100 Continue and 103 before the final answer", test_continue_then_final},
        {"204 and 304 have no body", test_204_304_no_body},
        {"HTTP/1.0 body delimited by the close", test_close_delimited},
        {"http_end stops everything", test_end_stops_everything},
        {"request bodies", test_post_with_body},
        {"chunk sizes: case, leading zeros, overflow, garbage", test_chunk_sizes},
        {"Content-Length values", test_content_length_values},
        {"Transfer-Encoding rules", test_transfer_encoding_rules},
        {"line cap 8 KiB", test_long_lines},
        {"malformed lines", test_malformed_lines},
        {"bare LF and leading empty lines", test_line_endings},
        {"folded lines", test_folded_lines},
        {"Host values", test_hosts},
        {"values kept as sent, NUL aside", test_values_exact},
        {"gaps", test_gaps},
        {"HTTP/2 preface stops parsing", test_h2_preface_stops},
        {"Upgrade and CONNECT", test_upgrade_and_connect},
        {"pipelining beyond the queue", test_pipeline_overflow},
        {"long transcript: whole = bytes = random splits", test_long_transcript_three_ways},
    };
    return unit_run("http", NULL, NULL, tests, UNIT_COUNT(tests));
}
