/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_cleartext.c - the clear-text modules that hand a connection to TLS
 * or open a tunnel (cleartext.h: SMTP, FTP, POP3, IMAP, NNTP, XMPP, LDAP,
 * PostgreSQL, MySQL, SOCKS4, SOCKS5), each through its registry descriptor
 * as dispatch.c drives it, on a connection's two byte streams.
 *
 * Input: one byte choosing the module (modulo their number), then chunks.
 * Each chunk starts with one byte:
 *   bit 7: from the server (else the client)
 *   bit 6: bytes are missing before it: a gap whose length is the next byte
 *   bits 0-5: its length; 63 means a 2-byte big-endian length follows
 *
 * The chunks are fed three ways: each split in two where its first byte
 * says, each whole, and one byte per call.  Once a module hands the stream
 * over, its bytes go to "the next layer" (the client's held bytes first),
 * as dispatch.c does.  Every way must give the same JSON object, the same
 * ladder messages, the same hand-over (where, and to whom) and the same
 * bytes for the next layer: abort() if not.  The JSON must be valid, a
 * module's memory bounded, a data() call never take more than it was given,
 * and the sniffers must not read past what they are given (ASan) on each
 * chunk as a side's first bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleartext.h"
#include "conn.h"
#include "json.h"
#include "proto.h"
#include "termtext.h"

#include "fuzz_common.h"

struct chunk {
    int from_client;
    uint64_t gap;
    const uint8_t *p;
    size_t n;
};

/* What one run saw, as hashes (cheap to compare). */
struct outcome {
    uint64_t msgs, nmsgs;
    int handed;
    const struct proto_desc *next;
    uint64_t handed_at;       /* bytes fed (both sides) when it handed over */
    uint64_t fed;
    uint64_t rest[2], rest_len[2];
    char *json;
    size_t json_len;
};

static uint64_t mix(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return (h ^ 0xff) * 0x100000001b3ULL;
}

static void on_message(void *ctx, int from_client, int kind, uint16_t code, const char *label, const uint8_t *data,
                       size_t len)
{
    (void)code, (void)data, (void)len;
    struct outcome *o = ctx;
    size_t n = strlen(label);
    FUZZ_CHECK(n < APP_MSG_LABEL, "a label of %zu bytes", n);
    FUZZ_CHECK(kind == MSG_HANDSHAKE || kind == MSG_NOTE, "message kind %d", kind);
    char drawn[APP_MSG_LABEL * 4 + 8];
    size_t w = tt_clean(drawn, sizeof drawn, label, n, 0);
    FUZZ_CHECK(w == tt_width(drawn), "tt_clean and tt_width disagree on a label");
    uint8_t who = (uint8_t)from_client;
    o->msgs = mix(mix(o->msgs, &who, 1), (const uint8_t *)label, n);
    o->nmsgs++;
}

static void on_hand_over(void *ctx, const struct proto_desc *next)
{
    struct outcome *o = ctx;
    FUZZ_CHECK(!o->handed, "handed over twice");
    o->handed = 1;
    o->next = next;
}

static void on_upper(void *ctx, int from_client, const uint8_t *p, size_t n)
{
    (void)ctx, (void)from_client, (void)p, (void)n;
    FUZZ_CHECK(0, "a clear-text module delivered plaintext upwards");
}

/* The next layer's bytes: hashed byte by byte, so however they were cut the hash is the same. */
static void to_next(struct outcome *o, int from_client, const uint8_t *p, size_t n)
{
    uint64_t h = o->rest[from_client];
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    o->rest[from_client] = h;
    o->rest_len[from_client] += n;
}

static void feed(const struct proto_desc *d, void *st, struct outcome *o, int from_client, const uint8_t *p,
                 size_t n)
{
    if (o->handed) {
        to_next(o, from_client, p, n);
    } else if (n) {
        size_t used = d->data(st, from_client, p, n, 0);
        FUZZ_CHECK(used <= n, "data() took %zu of %zu bytes", used, n);
        if (o->handed) {
            o->handed_at = o->fed + used;
            int held_client = 0;
            size_t held_len = 0;
            const uint8_t *held = d->held ? d->held(st, &held_client, &held_len) : NULL;
            FUZZ_CHECK(!held_len || held_client, "held bytes of the server");
            FUZZ_CHECK(held_len <= CT_HOLD_MAX, "%zu bytes held", held_len);
            if (held && held_len)
                to_next(o, held_client, held, held_len);
            to_next(o, from_client, p + used, n - used);
        } else {
            FUZZ_CHECK(used == n, "data() took %zu of %zu bytes without handing over", used, n);
        }
    }
    o->fed += n;
}

static int run(const struct proto_desc *d, const struct chunk *ch, size_t nch, int mode, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    struct proto_env env = {.ctx = o, .message = on_message, .upper = on_upper, .hand_over = on_hand_over};
    void *st = d->start(&env);
    if (!st)
        return -1;
    for (size_t i = 0; i < nch; i++) {
        if (ch[i].gap) {
            if (o->handed) {
                uint8_t g = 0xfe;
                to_next(o, ch[i].from_client, &g, 1);
            } else {
                d->gap(st, ch[i].from_client, ch[i].gap);
            }
        }
        if (mode == 2) {
            for (size_t k = 0; k < ch[i].n; k++)
                feed(d, st, o, ch[i].from_client, ch[i].p + k, 1);
        } else if (mode == 1) {
            feed(d, st, o, ch[i].from_client, ch[i].p, ch[i].n);
        } else {
            size_t cut = ch[i].n ? ch[i].p[0] % (ch[i].n + 1) : 0;
            feed(d, st, o, ch[i].from_client, ch[i].p, cut);
            feed(d, st, o, ch[i].from_client, ch[i].p + cut, ch[i].n - cut);
        }
        FUZZ_CHECK(d->memory(st) < 64 * 1024, "%zu bytes of memory", d->memory(st));
    }
    d->end(st);
    const struct ct_summary *s = d->summary(st);
    FUZZ_CHECK(s->upgrade <= CT_UP_REFUSED, "upgrade %u", s->upgrade);
    FUZZ_CHECK((s->upgrade == CT_UP_ACCEPTED) >= o->handed, "handed over without accepting");
    struct jw w;
    jw_init(&w, NULL);
    jw_obj_begin(&w, NULL);
    d->json(&w, s);
    jw_obj_end(&w);
    size_t bad;
    const char *why = json_lines_invalid(w.buf, w.len, &bad);
    FUZZ_CHECK(!why, "invalid JSON (%s): %.*s", why, (int)w.len, w.buf);
    o->json = w.buf;
    o->json_len = w.len;
    char text[640];
    for (int what = 0; what < 2; what++) { /* drawn for an ASCII terminal: nothing but printable ASCII */
        if (what)
            d->label(s, text, sizeof text, TT_ASCII);
        else
            d->title(s, text, sizeof text, TT_ASCII);
        for (const char *c = text; *c; c++)
            FUZZ_CHECK((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f, "byte %02x in an ASCII %s",
                       (unsigned char)*c, what ? "label" : "title");
    }
    struct proto_cells cells = {.verdict_index = -1};
    d->cells(s, &cells);
    d->search(s, text, sizeof text);
    d->free(st);
    return 0;
}

static void compare(const struct outcome *a, const struct outcome *b, const char *how)
{
    FUZZ_CHECK(a->json_len == b->json_len && !memcmp(a->json, b->json, a->json_len), "%s: JSON %.*s vs %.*s", how,
               (int)a->json_len, a->json, (int)b->json_len, b->json);
    FUZZ_CHECK(a->nmsgs == b->nmsgs && a->msgs == b->msgs, "%s: %llu vs %llu messages (or different ones)", how,
               (unsigned long long)a->nmsgs, (unsigned long long)b->nmsgs);
    FUZZ_CHECK(a->handed == b->handed && a->next == b->next, "%s: handed over %d vs %d", how, a->handed, b->handed);
    FUZZ_CHECK(a->handed_at == b->handed_at, "%s: handed over after %llu vs %llu bytes", how,
               (unsigned long long)a->handed_at, (unsigned long long)b->handed_at);
    for (int d = 0; d < 2; d++)
        FUZZ_CHECK(a->rest_len[d] == b->rest_len[d] && a->rest[d] == b->rest[d],
                   "%s: the next layer gets %llu vs %llu bytes from the %s (or different ones)", how,
                   (unsigned long long)a->rest_len[d], (unsigned long long)b->rest_len[d], d ? "client" : "server");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 18))
        return 0;
    const struct proto_desc *mods[32];
    size_t nmods = 0;
    for (const struct proto_desc *const *d = proto_table; *d && nmods < 32; d++)
        if ((*d)->summary_size == sizeof(struct ct_summary) && (*d)->json == ct_json)
            mods[nmods++] = *d;
    FUZZ_CHECK(nmods >= 11, "only %zu clear-text modules in the registry", nmods);
    struct fin in;
    fin_init(&in, data, size);
    const struct proto_desc *d = mods[fin_u8(&in) % nmods];
    size_t cap = 64, nch = 0;
    struct chunk *ch = malloc(cap * sizeof *ch);
    if (!ch)
        return 0;
    while (fin_left(&in) > 0) {
        uint8_t h = fin_u8(&in);
        size_t len = h & 63;
        uint64_t gap = 0;
        if (h & 64)
            gap = 1 + fin_u8(&in);
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
        /* a side's first bytes, as recognition sees them (with the other side's, for SMTP and FTP) */
        if (d->sniff_pair)
            (void)d->sniff_pair(c->p, c->n, c->p, c->n / 2);
        else
            (void)d->sniff(c->p, c->n, c->from_client);
    }
    struct outcome o[3];
    int ok = 1;
    for (int mode = 0; mode < 3; mode++)
        ok &= run(d, ch, nch, mode, &o[mode]) == 0;
    if (ok) {
        compare(&o[1], &o[0], "whole vs split in two");
        compare(&o[1], &o[2], "whole vs 1-byte pieces");
    }
    for (int mode = 0; mode < 3; mode++)
        free(o[mode].json); /* (NULL when its run could not start) */
    free(ch);
    return 0;
}
