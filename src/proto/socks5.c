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

/* The whole length of a request or reply (VER CMD/REP RSV ATYP ADDR PORT) from its first bytes: 0 when
 * more are needed to know, SIZE_MAX when it is no such message. */
static size_t addressed_len(const uint8_t *p, size_t have)
{
    if (have < 4)
        return 0;
    switch (p[3]) {
    case 1: return 10;
    case 4: return 22;
    case 3: return have < 5 ? 0 : p[4] ? 7 + (size_t)p[4] : SIZE_MAX;
    default: return SIZE_MAX;
    }
}

/* The length of the client's next message from its first bytes (0: more needed; SIZE_MAX: not one). */
static size_t client_len(uint8_t state, const uint8_t *p, size_t have)
{
    if (have < 2)
        return 0;
    if (state == C_GREETING)
        return p[0] == 5 && p[1] ? 2 + (size_t)p[1] : SIZE_MAX;
    if (p[0] == 1) /* username/password */
        return have < 2 + (size_t)p[1] + 1 ? 0 : 3 + (size_t)p[1] + p[2 + p[1]];
    if (p[0] == 5 && p[1] >= 1 && p[1] <= 3 && (have < 3 || p[2] == 0))
        return addressed_len(p, have);
    return SIZE_MAX;
}

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    if (!from_client || (n >= 1 && p[0] != 5) || (n >= 2 && p[1] == 0))
        return PROTO_NO;
    if (n < 2 || n < 2 + (size_t)p[1])
        return PROTO_MAYBE;
    for (size_t i = 2; i < 2 + (size_t)p[1]; i++)
        if (p[i] == 0xff || (p[i] > 0x09 && p[i] < 0x80))
            return PROTO_NO; /* no such method */
    size_t end = 2 + (size_t)p[1];
    /* the greeting alone, or followed at once by the next message (a request or username/password) */
    return end == n || p[end] == 5 || p[end] == 1 ? PROTO_YES : PROTO_NO;
}

/* "host:port" of an address in a request or reply (p at ATYP). */
static int address(const uint8_t *p, char *buf, size_t cap)
{
    char a[INET6_ADDRSTRLEN];
    if (p[0] == 1)
        return snprintf(buf, cap, "%u.%u.%u.%u:%u", p[1], p[2], p[3], p[4], (unsigned)p[5] << 8 | p[6]);
    if (p[0] == 4) {
        inet_ntop(AF_INET6, p + 1, a, sizeof a);
        return snprintf(buf, cap, "[%s]:%u", a, (unsigned)p[17] << 8 | p[18]);
    }
    /* a host name as sent (a NUL in it too: the JSON shows it) */
    size_t hl = p[1] < cap - 8 ? p[1] : cap - 8;
    memcpy(buf, p + 2, hl);
    int n = snprintf(buf + hl, cap - hl, ":%u", (unsigned)p[2 + p[1]] << 8 | p[3 + p[1]]);
    return n < 0 ? n : (int)hl + n;
}

static void client_msg(struct socks5 *s, const uint8_t *p, size_t len)
{
    struct ct_base *b = &s->b;
    char text[CT_TEXT_MAX + 16];
    b->sum.commands++;
    if (s->cstate == C_GREETING) {
        int n = snprintf(text, sizeof text, "greeting:");
        for (size_t i = 2; i < len && n > 0 && (size_t)n < sizeof text; i++) {
            const char *m = method_name(p[i]);
            n += m ? snprintf(text + n, sizeof text - (size_t)n, "%s %s", i > 2 ? "," : "", m)
                   : snprintf(text + n, sizeof text - (size_t)n, "%s 0x%02x", i > 2 ? "," : "", p[i]);
        }
        size_t tl = strnlen(text, sizeof text);
        ct_keep(&b->sum.first_command, text, tl);
        ct_msg_text(b, 1, text, tl);
        s->cstate = C_NEXT;
        return;
    }
    if (p[0] == 1) { /* a credential: never kept */
        ct_msg(b, 1, "username/password (not shown)");
        return;
    }
    static const char *const cmds[] = {NULL, "CONNECT", "BIND", "UDP ASSOCIATE"};
    char target[CT_TEXT_MAX];
    int tn = address(p + 3, target, sizeof target);
    size_t tl = tn > 0 && (size_t)tn < sizeof target ? (size_t)tn : 0;
    size_t ml = (size_t)snprintf(text, sizeof text, "%s ", cmds[p[1]]);
    memcpy(text + ml, target, tl); /* (text has room for the command and the whole target) */
    ml += tl;
    s->cmd = p[1];
    ct_set(&b->sum.target, target, tl);
    ct_msg_text(b, 1, text, ml);
    ct_request(b, text, ml, 1);
    s->cstate = C_SENT;
}

/* Returns 1 when the stream was handed over (or nothing more is to be read). */
static int server_msg(struct socks5 *s, const uint8_t *p)
{
    struct ct_base *b = &s->b;
    char text[CT_TEXT_MAX];
    b->sum.responses++;
    if ((s->sstate == S_CHOICE && p[0] != 5) || (s->status_due && p[0] != 1 && p[0] != 5)) {
        ct_malformed(b, 0);
        return 1;
    }
    if (s->sstate == S_CHOICE) {
        const char *m = method_name(p[1]);
        int n = m ? snprintf(text, sizeof text, "method %s", m) : snprintf(text, sizeof text, "method 0x%02x", p[1]);
        ct_keep(&b->sum.first_response, text, (size_t)n);
        ct_msg(b, 0, text);
        s->method = p[1];
        s->sstate = S_NEXT;
        s->status_due = p[1] == 2;
        if (p[1] == 0xff) {
            ct_refuse(b, m, strlen(m));
            b->stopped[0] = b->stopped[1] = 1;
            return 1;
        }
        if (p[1] != 0 && p[1] != 2) { /* GSSAPI or a private method wraps what follows */
            ct_msg(b, 0, "(the method's messages are not followed)");
            b->stopped[0] = b->stopped[1] = 1;
            return 1;
        }
        return 0;
    }
    if (s->status_due) {
        s->status_due = 0;
        ct_msg(b, 0, p[1] == 0 ? "authentication succeeded" : "authentication failed");
        if (p[1] != 0) {
            ct_refuse(b, "authentication failed", 21);
            b->stopped[0] = b->stopped[1] = 1;
            return 1;
        }
        return 0;
    }
    const char *r = reply_name(p[1]);
    char bound[CT_TEXT_MAX];
    address(p + 3, bound, sizeof bound);
    ct_msgf(b, 0, "%s, bound %s", r ? r : "reply", bound);
    if (p[1] != 0) {
        char code[24];
        snprintf(code, sizeof code, "reply %u", p[1]);
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
    size_t pos = 0;
    while (pos < n) {
        if (from_client && s->cstate == C_SENT)
            return n; /* (after a reply already given: nothing is read) */
        m->buf[m->have++] = p[pos++];
        size_t want;
        if (from_client)
            want = client_len(s->cstate, m->buf, m->have);
        else if (s->sstate == S_CHOICE || s->status_due)
            want = 2;
        else
            want = m->buf[0] == 5 ? addressed_len(m->buf, m->have) : SIZE_MAX;
        if (want == SIZE_MAX || want > MSG_MAX) {
            ct_malformed(b, from_client);
            return n;
        }
        if (!want || m->have < want)
            continue;
        m->have = 0;
        if (from_client) {
            client_msg(s, m->buf, want);
            if (b->holding)
                return pos;
        } else if (server_msg(s, m->buf)) {
            return b->done ? pos : n;
        }
    }
    return pos;
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
