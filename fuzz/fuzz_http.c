/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_http.c - the HTTP/1.x parser (http.c) on a connection's two byte
 * streams.
 *
 * Input: [options] then chunks.  options bit 0: the connection is HTTP/2
 * from the start (http_start_h2, as when TLS's ALPN chose "h2"): frames are
 * counted.  Each chunk starts with one byte:
 *   bit 7: from the server (else the client)
 *   bit 6: bytes are missing before it: a gap whose length is the next byte
 *          (0 means 1000000)
 *   bits 0-5: its length; 63 means a 2-byte big-endian length follows
 *
 * The chunks are fed three ways: as given (with the message callback on),
 * each chunk whole, and each chunk one byte per call.  http.c is a byte
 * stream parser whose gaps are byte counts, so every split must give the
 * same summary (requests, responses, first request, first status, hosts,
 * h2, the HTTP/2 frame counts, malformed) and the same sequence of message
 * lines: abort() if not.
 * The summary's own invariants (caps, NUL termination, printable text) are
 * checked as well.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "termtext.h"

#include "fuzz_common.h"

struct chunk {
    int from_client;
    uint64_t gap;
    const uint8_t *p;
    size_t n;
};

/* The message lines a run reported, in order (a hash and a count: cheap to compare). */
struct msgs {
    uint64_t hash, count;
};

/* The values keep the bytes sent; what an output draws of them (termtext.h) holds no control. */
static void check_drawn(const char *s, size_t n, const char *what)
{
    char drawn[1024];
    size_t w = tt_clean(drawn, sizeof drawn, s, n, 0);
    FUZZ_CHECK(w == tt_width(drawn), "%s: tt_clean says %zu columns, tt_width %zu", what, w, tt_width(drawn));
    for (const char *c = drawn; *c; c++)
        FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f, "control byte %02x drawn from %s", (unsigned char)*c,
                   what);
}

static void on_msg(void *ctx, int from_client, const char *line)
{
    struct msgs *m = ctx;
    FUZZ_CHECK(from_client == 0 || from_client == 1, "from_client %d", from_client);
    FUZZ_CHECK(line != NULL, "message without a line");
    size_t n = strlen(line);
    FUZZ_CHECK(n <= 80, "message line of %zu bytes", n);
    check_drawn(line, n, "a message line");
    uint64_t h = m->hash ^ (uint64_t)from_client;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)line[i]) * 0x100000001b3ULL;
    m->hash = (h ^ 0xff) * 0x100000001b3ULL;
    m->count++;
}

static void check_printable(const char *s, size_t cap, const char *what)
{
    const char *end = memchr(s, '\0', cap);
    FUZZ_CHECK(end != NULL, "%s is not NUL-terminated within %zu bytes", what, cap);
    if (end)
        check_drawn(s, (size_t)(end - s), what);
}

static void check_summary(const struct http_summary *s)
{
    check_printable(s->first_request, sizeof s->first_request, "first_request");
    FUZZ_CHECK(s->nhosts <= HTTP_HOSTS_MAX, "nhosts %u", s->nhosts);
    for (unsigned i = 0; i < s->nhosts; i++) {
        check_printable(s->hosts[i], sizeof s->hosts[i], "a host");
        FUZZ_CHECK(s->hosts[i][0] != '\0', "host %u is empty", i);
    }
    FUZZ_CHECK(s->first_status == 0 || (s->first_status >= 200 && s->first_status <= 599), "first_status %u",
               s->first_status);
    FUZZ_CHECK((s->responses == 0) == (s->first_status == 0), "responses %u, first_status %u", s->responses,
               s->first_status);
    FUZZ_CHECK((s->requests == 0) == (s->first_request[0] == '\0'), "requests %u, first_request '%s'",
               s->requests, s->first_request);
    FUZZ_CHECK(s->h2 <= 1 && s->malformed <= 1, "flags %u %u", s->h2, s->malformed);
    FUZZ_CHECK(!s->h2_tls || s->h2, "h2_tls without h2");
}

/* Bytes it did not take (after a CONNECT or its 2xx answer) are given again: read on as HTTP. */
static void feed(struct http_conn *h, int from_client, const uint8_t *p, size_t n)
{
    for (size_t at = 0; at < n;) {
        size_t used = http_data(h, from_client, p + at, n - at);
        FUZZ_CHECK(used <= n - at, "http_data took %zu of %zu bytes", used, n - at);
        at += used ? used : n - at;
    }
}

static struct http_conn *run(const struct chunk *ch, size_t nch, int mode, int h2, struct msgs *m)
{
    struct http_conn *h = http_new(on_msg, m);
    if (!h)
        return NULL;
    if (h2)
        http_start_h2(h);
    for (size_t i = 0; i < nch; i++) {
        if (ch[i].gap)
            http_gap(h, ch[i].from_client, ch[i].gap);
        if (mode == 2) {
            for (size_t k = 0; k < ch[i].n; k++)
                feed(h, ch[i].from_client, ch[i].p + k, 1);
        } else if (mode == 1) {
            feed(h, ch[i].from_client, ch[i].p, ch[i].n);
        } else {
            /* as given, but in two calls split where the chunk's first byte says */
            size_t cut = ch[i].n ? ch[i].p[0] % (ch[i].n + 1) : 0;
            feed(h, ch[i].from_client, ch[i].p, cut);
            feed(h, ch[i].from_client, ch[i].p + cut, ch[i].n - cut);
        }
    }
    (void)http_memory(h);
    http_end(h);
    return h;
}

static void compare(const struct http_summary *a, const struct http_summary *b, const char *how)
{
    FUZZ_CHECK(a->requests == b->requests, "%s: requests %u vs %u", how, a->requests, b->requests);
    FUZZ_CHECK(a->responses == b->responses, "%s: responses %u vs %u", how, a->responses, b->responses);
    FUZZ_CHECK(!strcmp(a->first_request, b->first_request), "%s: first_request '%s' vs '%s'", how,
               a->first_request, b->first_request);
    FUZZ_CHECK(a->first_status == b->first_status, "%s: first_status %u vs %u", how, a->first_status,
               b->first_status);
    FUZZ_CHECK(a->nhosts == b->nhosts, "%s: nhosts %u vs %u", how, a->nhosts, b->nhosts);
    for (unsigned i = 0; i < a->nhosts; i++)
        FUZZ_CHECK(!strcmp(a->hosts[i], b->hosts[i]), "%s: host %u '%s' vs '%s'", how, i, a->hosts[i], b->hosts[i]);
    FUZZ_CHECK(a->h2 == b->h2 && a->h2_tls == b->h2_tls, "%s: h2 %u/%u vs %u/%u", how, a->h2, a->h2_tls, b->h2,
               b->h2_tls);
    for (int d = 0; d < 2; d++)
        FUZZ_CHECK(a->h2_frames[d] == b->h2_frames[d], "%s: %llu vs %llu HTTP/2 frames from the %s", how,
                   (unsigned long long)a->h2_frames[d], (unsigned long long)b->h2_frames[d], d ? "server" : "client");
    FUZZ_CHECK(a->malformed == b->malformed, "%s: malformed %u vs %u", how, a->malformed, b->malformed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    struct fin in;
    fin_init(&in, data, size);
    int h2 = fin_u8(&in) & 1;
    size_t cap = 64, nch = 0;
    struct chunk *ch = malloc(cap * sizeof *ch);
    if (!ch)
        return 0;
    while (fin_left(&in) > 0) {
        uint8_t h = fin_u8(&in);
        size_t len = h & 63;
        uint64_t gap = 0;
        if (h & 64) {
            gap = fin_u8(&in);
            if (gap == 0)
                gap = 1000000;
        }
        if (len == 63)
            len = fin_u16(&in);
        if (nch == cap) {
            struct chunk *n2 = realloc(ch, (cap *= 2) * sizeof *ch);
            if (!n2) {
                free(ch);
                return 0;
            }
            ch = n2;
        }
        struct chunk *c = &ch[nch++];
        c->from_client = !(h >> 7);
        c->gap = gap;
        c->p = fin_take(&in, len, &c->n);
    }

    struct msgs m[3] = {{0, 0}, {0, 0}, {0, 0}};
    struct http_conn *h[3];
    for (int mode = 0; mode < 3; mode++)
        h[mode] = run(ch, nch, mode, h2, &m[mode]);
    if (h[0] && h[1] && h[2]) {
        for (int mode = 0; mode < 3; mode++)
            check_summary(http_summary_of(h[mode]));
        compare(http_summary_of(h[1]), http_summary_of(h[0]), "whole vs split in two");
        compare(http_summary_of(h[1]), http_summary_of(h[2]), "whole vs 1-byte pieces");
        FUZZ_CHECK(m[1].count == m[2].count && m[1].hash == m[2].hash,
                   "whole vs 1-byte pieces: %llu vs %llu message lines (or different ones)",
                   (unsigned long long)m[1].count, (unsigned long long)m[2].count);
        FUZZ_CHECK(m[1].count == m[0].count && m[1].hash == m[0].hash,
                   "whole vs split in two: %llu vs %llu message lines (or different ones)",
                   (unsigned long long)m[1].count, (unsigned long long)m[0].count);
    }
    for (int mode = 0; mode < 3; mode++)
        http_free(h[mode]);
    free(ch);
    return 0;
}
