/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * socks5.c - SOCKS 5 in the protocol registry: read until the proxy answers
 * the request with success, then the stream is handed over to recognition
 * (what the tunnel carries, TLS mostly, is recognised like a new
 * connection).  cleartext.h has what the clear-text modules share.
 *
 *   RFC 1928 §3  the client's greeting: VER 5, NMETHODS, METHODS; the
 *                server's choice: VER 5, METHOD (0xff: none acceptable)
 *   RFC 1928 §4  the request: VER, CMD (1 CONNECT, 2 BIND, 3 UDP
 *                ASSOCIATE), RSV, ATYP (1 IPv4, 3 a host name with its
 *                length first, 4 IPv6), DST.ADDR, DST.PORT
 *   RFC 1928 §6  the reply: VER, REP (0 succeeded, 1 to 8 failures), RSV,
 *                ATYP, BND.ADDR, BND.PORT; BIND is answered twice (the
 *                tunnel starts after the second success); after UDP
 *                ASSOCIATE the datagrams go elsewhere (nothing to follow)
 *   RFC 1929     username/password: VER 1, ULEN, UNAME, PLEN, PASSWD;
 *                the status VER 1, STATUS (0: success)
 *   RFC 1961     GSSAPI (method 1) wraps what follows: not followed
 *
 * Recognised by the client's greeting.  Each message is read whole into a
 * buffer of its largest size (513 bytes); the client's messages are read
 * in order whatever the server answered (a client may send its greeting
 * and request at once).  Credentials are never kept.  The client's bytes
 * after its request wait for the reply (Tor's "optimistic data"): the
 * tunnel's on success.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cleartext.h"
#include "conn.h"

#define MSG_MAX 513 /* the username/password request: 3 + 255 + 255 */

enum { C_GREETING, C_NEXT, C_SENT }; /* the client: its greeting, then auth or request messages */
enum { S_CHOICE, S_NEXT };           /* the server: its method choice, then auth status and replies */

struct msg {
    uint8_t buf[MSG_MAX];
    size_t have;
};

struct socks5 {
    struct ct_base b;
    struct msg m[2];          /* [from_client] */
    uint8_t cstate, sstate;
    uint8_t method;           /* the server's choice */
    uint8_t cmd;              /* the request's command */
    uint8_t status_due;       /* the server's next message is the username/password status */
    uint8_t successes;        /* replies with success (BIND waits for two) */
};

static const char *method_name(uint8_t m)
{
    switch (m) {
    case 0x00: return "no authentication";
    case 0x01: return "GSSAPI";
    case 0x02: return "username/password";
    case 0xff: return "no acceptable methods";
    default: return NULL;
    }
}

static const char *reply_name(uint8_t r)
{
    static const char *const names[] = {"succeeded", "general SOCKS server failure",
                                        "connection not allowed by ruleset", "network unreachable",
                                        "host unreachable", "connection refused", "TTL expired",
                                        "command not supported", "address type not supported"};
    return r < sizeof names / sizeof names[0] ? names[r] : NULL;
}

/* The whole length of a request or reply (VER CMD/REP RSV ATYP ADDR PORT) from its first bytes (the cursor
 * at VER): 0 when more are needed to know, SIZE_MAX when it is no such message. */
static size_t addressed_len(const struct cursor *c)
{
    int hl;
    switch (cur_peek(c, 3)) {
    case -1: return 0;
    case 1: return 10;
    case 4: return 22;
    case 3: return (hl = cur_peek(c, 4)) < 0 ? 0 : hl ? 7 + (size_t)hl : SIZE_MAX;
    default: return SIZE_MAX;
    }
}

/* The length of the client's next message from its first bytes (0: more needed; SIZE_MAX: not one). */
static size_t client_len(uint8_t state, const struct cursor *c)
{
    int ver = cur_peek(c, 0), second = cur_peek(c, 1);
    if (second < 0)
        return 0;
    if (state == C_GREETING)
        return ver == 5 && second ? 2 + (size_t)second : SIZE_MAX;
    if (ver == 1) { /* username/password: ULEN UNAME PLEN PASSWD */
        int plen = cur_peek(c, 2 + (size_t)second);
        return plen < 0 ? 0 : 3 + (size_t)second + (size_t)plen;
    }
    if (ver == 5 && second >= 1 && second <= 3 && cur_peek(c, 2) <= 0)
        return addressed_len(c);
    return SIZE_MAX;
}

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    struct cursor c;
    cur_init(&c, p, n);
    int ver = cur_peek(&c, 0), nmethods = cur_peek(&c, 1);
    if (!from_client || (ver >= 0 && ver != 5) || nmethods == 0)
        return PROTO_NO;
    if (nmethods < 0 || !cur_has(&c, 2 + (size_t)nmethods))
        return PROTO_MAYBE;
    cur_skip(&c, 2);
    for (int i = 0; i < nmethods; i++) {
        uint8_t m = cur_u8(&c);
        if (m == 0xff || (m > 0x09 && m < 0x80))
            return PROTO_NO; /* no such method */
    }
    /* the greeting alone, or followed at once by the next message (a request or username/password) */
    int next = cur_peek(&c, 0);
    return next < 0 || next == 5 || next == 1 ? PROTO_YES : PROTO_NO;
}

/* "host:port" of an address in a request or reply (the cursor at ATYP, the message whole). */
static int address(struct cursor *c, char *buf, size_t cap)
{
    char a[INET6_ADDRSTRLEN];
    uint8_t atyp = cur_u8(c);
    if (atyp == 1) {
        uint8_t v4[4];
        cur_copy(c, v4, sizeof v4);
        unsigned port = cur_be16(c);
        return snprintf(buf, cap, "%u.%u.%u.%u:%u", v4[0], v4[1], v4[2], v4[3], port);
    }
    if (atyp == 4) {
        uint8_t v6[16];
        cur_copy(c, v6, sizeof v6);
        unsigned port = cur_be16(c);
        inet_ntop(AF_INET6, v6, a, sizeof a);
        return snprintf(buf, cap, "[%s]:%u", a, port);
    }
    /* a host name as sent (a NUL in it too: the JSON shows it) */
    size_t sent = cur_u8(c);
    size_t hl = sent < cap - 8 ? sent : cap - 8;
    cur_copy(c, buf, hl);
    cur_skip(c, sent - hl);
    unsigned port = cur_be16(c);
    int n = snprintf(buf + hl, cap - hl, ":%u", port);
    return n < 0 ? n : (int)hl + n;
}

static void client_msg(struct socks5 *s, struct cursor *msg)
{
    struct ct_base *b = &s->b;
    char text[CT_TEXT_MAX + 16];
    b->sum.commands++;
    uint8_t ver = cur_u8(msg);
    if (s->cstate == C_GREETING) {
        cur_skip(msg, 1); /* NMETHODS: the message ends with its methods */
        int n = snprintf(text, sizeof text, "greeting:");
        for (int first = 1; cur_left(msg) && n > 0 && (size_t)n < sizeof text; first = 0) {
            uint8_t method = cur_u8(msg);
            const char *m = method_name(method);
            n += m ? snprintf(text + n, sizeof text - (size_t)n, "%s %s", first ? "" : ",", m)
                   : snprintf(text + n, sizeof text - (size_t)n, "%s 0x%02x", first ? "" : ",", method);
        }
        size_t tl = strnlen(text, sizeof text);
        ct_keep(&b->sum.first_command, text, tl);
        ct_msg_text(b, 1, text, tl);
        s->cstate = C_NEXT;
        return;
    }
    if (ver == 1) { /* a credential: never kept */
        ct_msg(b, 1, "username/password (not shown)");
        return;
    }
    static const char *const cmds[] = {NULL, "CONNECT", "BIND", "UDP ASSOCIATE"};
    uint8_t cmd = cur_u8(msg); /* 1 to 3 (client_len) */
    cur_skip(msg, 1);          /* RSV */
    char target[CT_TEXT_MAX];
    int tn = address(msg, target, sizeof target);
    size_t tl = tn > 0 && (size_t)tn < sizeof target ? (size_t)tn : 0;
    size_t ml = (size_t)snprintf(text, sizeof text, "%s ", cmds[cmd]);
    memcpy(text + ml, target, tl); /* (text has room for the command and the whole target) */
    ml += tl;
    s->cmd = cmd;
    ct_set(&b->sum.target, target, tl);
    ct_msg_text(b, 1, text, ml);
    ct_request(b, text, ml, 1);
    s->cstate = C_SENT;
}

/* Returns 1 when the stream was handed over (or nothing more is to be read). */
static int server_msg(struct socks5 *s, struct cursor *msg)
{
    struct ct_base *b = &s->b;
    char text[CT_TEXT_MAX];
    b->sum.responses++;
    uint8_t ver = cur_u8(msg);
    uint8_t said = cur_u8(msg); /* METHOD, STATUS or REP */
    if ((s->sstate == S_CHOICE && ver != 5) || (s->status_due && ver != 1 && ver != 5)) {
        ct_malformed(b, 0);
        return 1;
    }
    if (s->sstate == S_CHOICE) {
        const char *m = method_name(said);
        int n = m ? snprintf(text, sizeof text, "method %s", m) : snprintf(text, sizeof text, "method 0x%02x", said);
        ct_keep(&b->sum.first_response, text, (size_t)n);
        ct_msg(b, 0, text);
        s->method = said;
        s->sstate = S_NEXT;
        s->status_due = said == 2;
        if (said == 0xff) {
            ct_refuse(b, m, strlen(m));
            b->stopped[0] = b->stopped[1] = 1;
            return 1;
        }
        if (said != 0 && said != 2) { /* GSSAPI or a private method wraps what follows */
            ct_msg(b, 0, "(the method's messages are not followed)");
            b->stopped[0] = b->stopped[1] = 1;
            return 1;
        }
        return 0;
    }
    if (s->status_due) {
        s->status_due = 0;
        ct_msg(b, 0, said == 0 ? "authentication succeeded" : "authentication failed");
        if (said != 0) {
            ct_refuse(b, "authentication failed", 21);
            b->stopped[0] = b->stopped[1] = 1;
            return 1;
        }
        return 0;
    }
    const char *r = reply_name(said);
    char bound[CT_TEXT_MAX];
    cur_skip(msg, 1); /* RSV */
    address(msg, bound, sizeof bound);
    ct_msgf(b, 0, "%s, bound %s", r ? r : "reply", bound);
    if (said != 0) {
        char code[24];
        snprintf(code, sizeof code, "reply %u", said);
        ct_refuse(b, r ? r : code, strlen(r ? r : code));
        b->stopped[0] = b->stopped[1] = 1;
        return 1;
    }
    if (s->cmd == 2 && ++s->successes < 2) /* BIND: the second reply opens the tunnel */
        return 0;
    if (s->cmd == 3) { /* UDP ASSOCIATE: the relay runs on datagrams; this connection only holds it open */
        b->sum.upgrade = CT_UP_ACCEPTED;
        ct_set(&b->sum.upgrade_response, "succeeded (UDP relay)", 21);
        b->holding = 0;
        b->stopped[0] = b->stopped[1] = 1;
        return 1;
    }
    ct_accept(b, r, strlen(r));
    return 1;
}

static size_t parse(struct ct_base *b, int from_client, const uint8_t *p, size_t n)
{
    struct socks5 *s = (struct socks5 *)b;
    struct msg *m = &s->m[from_client];
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        if (from_client && s->cstate == C_SENT)
            return n; /* (after a reply already given: nothing is read) */
        /* one byte at a time: the first ones say how long the message is */
        m->have = cur_gather(&in, m->buf, m->have, m->have + 1);
        struct cursor msg;
        cur_init(&msg, m->buf, m->have);
        size_t want;
        if (from_client)
            want = client_len(s->cstate, &msg);
        else if (s->sstate == S_CHOICE || s->status_due)
            want = 2;
        else
            want = cur_peek(&msg, 0) == 5 ? addressed_len(&msg) : SIZE_MAX;
        if (want == SIZE_MAX || want > MSG_MAX) {
            ct_malformed(b, from_client);
            return n;
        }
        if (!want || m->have < want)
            continue;
        m->have = 0;
        if (from_client) {
            client_msg(s, &msg);
            if (b->holding)
                return cur_offset(&in);
        } else if (server_msg(s, &msg)) {
            return b->done ? cur_offset(&in) : n;
        }
    }
    return cur_offset(&in);
}

static const struct ct_info info = {
    .name = "socks5", .display = "SOCKS5", .verb = "CONNECT", .tunnel = 1, .parse = parse};

static void *start(const struct proto_env *env) { return ct_new(env, &info, sizeof(struct socks5)); }

const struct proto_desc socks5_proto = {
    .name = "socks5",
    .app_kind = APP_SOCKS5,
    .upgrade_name = "socks5",
    .sniff = sniff,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
