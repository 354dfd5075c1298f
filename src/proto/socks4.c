/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * socks4.c - SOCKS 4 and 4a in the protocol registry: read until the proxy
 * grants the request, then the stream is handed over to recognition (what
 * the tunnel carries, TLS mostly, is recognised like a new connection).
 * cleartext.h has what the clear-text modules share.
 *
 *   SOCKS 4 (Ying-Da Lee, "SOCKS: A protocol for TCP proxy across
 *            firewalls"): the request VN=4, CD (1 CONNECT, 2 BIND),
 *            DSTPORT, DSTIP, USERID, NUL; the reply VN=0, CD (90 granted,
 *            91 rejected or failed, 92 and 93 rejected for identd), DSTPORT,
 *            DSTIP: 8 bytes.  BIND is answered twice: the tunnel starts
 *            after the second grant.
 *   SOCKS 4a: DSTIP 0.0.0.x (x not 0) says a host name follows the USERID,
 *            NUL-terminated.
 *
 * Recognised by the client's whole request.  The user id is never kept.
 * The client's bytes after its request wait for the reply (a client that
 * sends its first bytes at once): the tunnel's when granted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cleartext.h"
#include "conn.h"

#define FIELD_MAX 255 /* a user id or host name longer than this is not SOCKS */

enum client_state { FIXED, USERID, HOST, SENT };

struct socks4 {
    struct ct_base b;
    uint8_t state;            /* enum client_state */
    uint8_t fixed[8];
    uint8_t have;             /* bytes of `fixed`, or of the reply being read */
    uint16_t field_len;       /* bytes of the user id or host so far */
    char host[FIELD_MAX + 1];
    uint8_t reply[8];
    uint8_t rhave;            /* bytes of the reply being read */
    uint8_t replies;          /* grants seen */
};

/* At the cursor: bytes up to a NUL, at most FIELD_MAX, printable.  1 (*len its bytes, the cursor past
 * its NUL), 0 when it is no such field, -1 when its NUL has not come yet. */
static int field(struct cursor *c, size_t *len)
{
    for (size_t i = 0;; i++) {
        int ch = cur_peek(c, i);
        if (ch < 0)
            return -1;
        if (ch == 0) {
            *len = i;
            cur_skip(c, i + 1);
            return 1;
        }
        if (i >= FIELD_MAX || ch < 0x20 || ch > 0x7e)
            return 0;
    }
}

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    if (!from_client)
        return PROTO_NO;
    struct cursor c;
    cur_init(&c, p, n);
    int vn = cur_peek(&c, 0), cd = cur_peek(&c, 1);
    if ((vn >= 0 && vn != 4) || (cd >= 0 && cd != 1 && cd != 2))
        return PROTO_NO;
    if (!cur_has(&c, 9))
        return PROTO_MAYBE;
    uint8_t fixed[8];
    cur_copy(&c, fixed, sizeof fixed);
    size_t len;
    int r = field(&c, &len); /* the user id */
    if (r <= 0)
        return r < 0 ? PROTO_MAYBE : PROTO_NO;
    if (fixed[4] == 0 && fixed[5] == 0 && fixed[6] == 0 && fixed[7] != 0) { /* 4a: the host name follows */
        r = field(&c, &len);
        if (r <= 0)
            return r < 0 ? PROTO_MAYBE : PROTO_NO;
        return len > 0 ? PROTO_YES : PROTO_NO;
    }
    return PROTO_YES;
}

static const char *reply_name(uint8_t cd)
{
    switch (cd) {
    case 90: return "granted";
    case 91: return "rejected or failed";
    case 92: return "rejected: no identd";
    case 93: return "rejected: identd user mismatch";
    default: return NULL;
    }
}

static void request_done(struct socks4 *s)
{
    struct ct_base *b = &s->b;
    char target[CT_TEXT_MAX], text[CT_TEXT_MAX + 16];
    unsigned port = (unsigned)s->fixed[2] << 8 | s->fixed[3];
    int n;
    if (s->field_len && s->fixed[4] == 0 && s->fixed[5] == 0 && s->fixed[6] == 0)
        n = snprintf(target, sizeof target, "%.*s:%u", (int)s->field_len, s->host, port);
    else
        n = snprintf(target, sizeof target, "%u.%u.%u.%u:%u", s->fixed[4], s->fixed[5], s->fixed[6], s->fixed[7], port);
    size_t tl = n > 0 && (size_t)n < sizeof target ? (size_t)n : strlen(target);
    ct_set(&b->sum.target, target, tl);
    int m = snprintf(text, sizeof text, "%s %.*s", s->fixed[1] == 2 ? "BIND" : "CONNECT", (int)tl, target);
    size_t ml = m > 0 && (size_t)m < sizeof text ? (size_t)m : strlen(text);
    b->sum.commands++;
    ct_keep(&b->sum.first_command, text, ml);
    ct_msg_text(b, 1, text, ml);
    ct_request(b, text, ml, 1);
    s->state = SENT;
}

static size_t client(struct socks4 *s, const uint8_t *p, size_t n)
{
    struct ct_base *b = &s->b;
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in) && s->state != SENT) {
        uint8_t c = cur_u8(&in);
        switch (s->state) {
        case FIXED:
            s->fixed[s->have++] = c;
            if (s->have == 8) {
                if (s->fixed[0] != 4 || (s->fixed[1] != 1 && s->fixed[1] != 2)) {
                    ct_malformed(b, 1);
                    return n;
                }
                s->state = USERID;
                s->field_len = 0;
            }
            break;
        case USERID: /* not kept: it names a person */
        case HOST:
            if (c == 0) {
                int socks4a = s->fixed[4] == 0 && s->fixed[5] == 0 && s->fixed[6] == 0 && s->fixed[7] != 0;
                if (s->state == USERID && socks4a) {
                    s->state = HOST;
                    s->field_len = 0;
                } else {
                    request_done(s);
                }
            } else if (s->field_len >= FIELD_MAX) {
                ct_malformed(b, 1);
                return n;
            } else {
                if (s->state == HOST)
                    s->host[s->field_len] = (char)c;
                s->field_len++;
            }
            break;
        default:
            break;
        }
    }
    if (s->state == SENT && cur_left(&in) && !b->holding) /* bytes after a request already answered */
        return n;
    return cur_offset(&in);
}

static size_t server(struct socks4 *s, const uint8_t *p, size_t n)
{
    struct ct_base *b = &s->b;
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        s->rhave = (uint8_t)cur_gather(&in, s->reply, s->rhave, 8);
        if (s->rhave < 8)
            continue;
        s->rhave = 0;
        const char *name = reply_name(s->reply[1]);
        if ((s->reply[0] != 0 && s->reply[0] != 4) || !name) {
            ct_malformed(b, 0);
            return n;
        }
        b->sum.responses++;
        ct_keep(&b->sum.first_response, name, strlen(name));
        ct_msg(b, 0, name);
        if (s->reply[1] != 90) {
            ct_refuse(b, name, strlen(name));
            b->stopped[0] = b->stopped[1] = 1; /* the proxy closes */
            return n;
        }
        if (s->fixed[1] == 2 && ++s->replies < 2) /* BIND: the second grant opens the tunnel */
            continue;
        ct_accept(b, name, strlen(name));
        return cur_offset(&in);
    }
    return cur_offset(&in);
}

static size_t parse(struct ct_base *b, int from_client, const uint8_t *p, size_t n)
{
    struct socks4 *s = (struct socks4 *)b;
    return from_client ? client(s, p, n) : server(s, p, n);
}

static const struct ct_info info = {
    .name = "socks4", .display = "SOCKS4", .verb = "CONNECT", .tunnel = 1, .parse = parse};

static void *start(const struct proto_env *env) { return ct_new(env, &info, sizeof(struct socks4)); }

const struct proto_desc socks4_proto = {
    .name = "socks4",
    .app_kind = APP_SOCKS4,
    .upgrade_name = "socks4",
    .sniff = sniff,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
