/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mysql.c - MySQL's client/server protocol (and MariaDB's) in the protocol
 * registry, read until the client's SSL request hands the stream to TLS
 * (cleartext.h has what the clear-text modules share).
 *
 *   MySQL internals, "Client/Server Protocol":
 *   packets     3-byte little-endian payload length, sequence id, payload
 *   Connection Phase: the server's Protocol::HandshakeV10 (protocol 10, the
 *               server version NUL-terminated, capability flags, ...), or an
 *               ERR packet (0xff) when the client is not let in
 *   SSLRequest  the client's first packet with CLIENT_SSL (0x0800) among its
 *               capability flags: 32 bytes (4.1) or 5 (3.20); TLS starts at
 *               the client's byte after it, the server's next byte is TLS
 *               too (no answer in between: it cannot be refused)
 *   HandshakeResponse41/320 (no CLIENT_SSL): the session stays clear text;
 *               the server answers OK (0x00), ERR (0xff), an auth switch
 *               (0xfe) or more auth data (0x01) until OK or ERR
 *   Command Phase: the client's packets with sequence 0 are commands
 *               (COM_QUERY 0x03, ...); the server's first packet after one
 *               is its answer (OK, ERR, EOF, or a result set's column count)
 *   CLIENT_COMPRESS (0x20), when both sides set it, frames every packet
 *               after the authentication differently: not followed
 *
 * Recognised by the server's greeting.  Only the first KEEP bytes of a
 * packet are kept; the rest is skipped.  Authentication data is never shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cleartext.h"
#include "conn.h"

#define KEEP 96
#define CLIENT_COMPRESS 0x0020u
#define CLIENT_PROTOCOL_41 0x0200u
#define CLIENT_SSL 0x0800u

enum phase { GREETING, RESPONSE, AUTH, COMMAND };

struct packet_side {
    uint8_t hdr[4];
    uint8_t hdr_len;
    uint8_t in_body;
    uint8_t seq;
    uint32_t len;
    uint64_t left;
    uint8_t body[KEEP];
    size_t kept;
};

struct mysql {
    struct ct_base b;
    struct packet_side side[2]; /* [from_client] */
    uint8_t phase;              /* enum phase */
    uint8_t answer_due;         /* a command was sent: the server's next packet starts its answer */
    uint8_t compress;           /* both sides asked for compression: packets change framing after OK */
    uint32_t server_caps;
};

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    if (from_client)
        return PROTO_NO;
    struct cursor c;
    cur_init(&c, p, n);
    uint32_t len = cur_le24(&c);
    if (!c.err && (len < 7 || len > 1024)) /* a greeting is tens of bytes */
        return PROTO_NO;
    int seq = cur_peek(&c, 0);
    if (c.err || cur_left(&c) < 2) /* fewer than 5 bytes */
        return seq <= 0 ? PROTO_MAYBE : PROTO_NO;
    if (cur_u8(&c) != 0)
        return PROTO_NO;
    int whole = cur_left(&c) > len; /* the captured bytes go past the packet's end */
    cur_bound(&c, len);
    uint8_t proto = cur_u8(&c);
    if (proto == 0x0a) { /* protocol 10: the version, printable, NUL-terminated */
        for (size_t i = 0; i < 64 && cur_left(&c); i++) {
            uint8_t ch = cur_u8(&c);
            if (ch == 0)
                return i > 0 ? PROTO_YES : PROTO_NO;
            if (ch < 0x20 || ch > 0x7e)
                return PROTO_NO;
        }
        return !whole && n < 5 + 64 ? PROTO_MAYBE : PROTO_NO;
    }
    if (proto == 0xff) { /* the server does not let this client in: an ERR packet, error 1040 to 1999 */
        unsigned code = cur_le16(&c);
        if (c.err) /* (fewer than 7 bytes) */
            return PROTO_MAYBE;
        return code >= 1040 && code < 2000 ? PROTO_YES : PROTO_NO;
    }
    return PROTO_NO;
}

static const char *command_name(uint8_t c)
{
    static const char *const names[] = {
        "COM_SLEEP", "COM_QUIT", "COM_INIT_DB", "COM_QUERY", "COM_FIELD_LIST", "COM_CREATE_DB", "COM_DROP_DB",
        "COM_REFRESH", "COM_SHUTDOWN", "COM_STATISTICS", "COM_PROCESS_INFO", "COM_CONNECT", "COM_PROCESS_KILL",
        "COM_DEBUG", "COM_PING", "COM_TIME", "COM_DELAYED_INSERT", "COM_CHANGE_USER", "COM_BINLOG_DUMP",
        "COM_TABLE_DUMP", "COM_CONNECT_OUT", "COM_REGISTER_SLAVE", "COM_STMT_PREPARE", "COM_STMT_EXECUTE",
        "COM_STMT_SEND_LONG_DATA", "COM_STMT_CLOSE", "COM_STMT_RESET", "COM_SET_OPTION", "COM_STMT_FETCH",
        "COM_DAEMON", "COM_BINLOG_DUMP_GTID", "COM_RESET_CONNECTION",
    };
    return c < sizeof names / sizeof names[0] ? names[c] : NULL;
}

/* A server packet in words: "OK", "ERR 1045", "EOF", "result set (3 columns)". */
static int answer_text(const struct packet_side *s, char *buf, size_t cap, int in_auth)
{
    struct cursor c;
    cur_init(&c, s->body, s->kept);
    uint8_t first = cur_u8(&c);
    if (s->len == 0)
        return snprintf(buf, cap, "empty packet");
    if (first == 0x00)
        return snprintf(buf, cap, "OK");
    if (first == 0xff) {
        uint16_t code = cur_le16(&c);
        return c.err ? snprintf(buf, cap, "ERR") : snprintf(buf, cap, "ERR %u", code);
    }
    if (first == 0xfe && (in_auth || s->len < 9))
        return snprintf(buf, cap, in_auth ? "AuthSwitchRequest" : "EOF");
    if (in_auth)
        return snprintf(buf, cap, first == 0x01 ? "AuthMoreData" : "auth packet 0x%02x", first);
    if (first < 0xfb)
        return snprintf(buf, cap, "result set (%u columns)", first);
    return snprintf(buf, cap, "result set");
}

static void greeting(struct mysql *m, const struct packet_side *s)
{
    struct ct_base *b = &m->b;
    struct cursor c;
    cur_init(&c, s->body, s->kept);
    uint8_t proto = cur_u8(&c);
    if (proto == 0xff) {
        char text[CT_TEXT_MAX];
        int n = answer_text(s, text, sizeof text, 0);
        ct_keep(&b->sum.greeting, text, (size_t)n);
        ct_msg(b, 0, text);
        m->phase = COMMAND;
        return;
    }
    const char *v = (const char *)s->body + 1;
    size_t vl = s->kept > 1 ? strnlen(v, s->kept - 1) : 0;
    if (proto != 0x0a || vl == s->kept - 1) { /* (no NUL within what is kept) */
        ct_malformed(b, 0);
        return;
    }
    cur_skip(&c, vl + 1 + 4 + 8 + 1); /* version, connection id, auth-plugin-data part 1, filler */
    m->server_caps = cur_le16(&c);
    cur_skip(&c, 3); /* character set, status */
    uint16_t high = cur_le16(&c);
    if (!c.err)
        m->server_caps |= (uint32_t)high << 16;
    ct_keep(&b->sum.greeting, v, vl);
    ct_msgf(b, 0, "Greeting %.*s%s", (int)(vl < 50 ? vl : 50), v,
            m->server_caps & CLIENT_SSL ? " (SSL offered)" : "");
    m->phase = RESPONSE;
}

static void response(struct mysql *m, const struct packet_side *s)
{
    struct ct_base *b = &m->b;
    struct cursor c;
    cur_init(&c, s->body, s->kept);
    uint32_t caps = cur_le16(&c);
    if (caps & CLIENT_PROTOCOL_41) {
        caps |= (uint32_t)cur_le16(&c) << 16;
        cur_skip(&c, 4 + 1 + 23); /* max packet size, character set, filler */
    } else {
        cur_skip(&c, 3); /* max packet size */
    }
    if (c.err) {
        ct_malformed(b, 1);
        return;
    }
    b->sum.commands++;
    if (caps & CLIENT_SSL) {
        ct_keep(&b->sum.first_command, "SSLRequest", 10);
        ct_msg(b, 1, "SSLRequest (TLS follows)");
        ct_request(b, "SSLRequest", 10, 0);
        ct_accept(b, NULL, 0);
        return;
    }
    const char *user = (const char *)cur_here(&c);
    size_t ul = strnlen(user, cur_left(&c));
    char text[CT_TEXT_MAX];
    int n = snprintf(text, sizeof text, "HandshakeResponse user=%.*s", (int)(ul < 60 ? ul : 60), user);
    ct_keep(&b->sum.first_command, text, (size_t)n);
    ct_msg_text(b, 1, text, (size_t)n);
    m->compress = (caps & CLIENT_COMPRESS) && (m->server_caps & CLIENT_COMPRESS);
    m->phase = AUTH;
}

static void packet_done(struct mysql *m, int from_client, struct packet_side *s)
{
    struct ct_base *b = &m->b;
    char text[CT_TEXT_MAX];
    if (!from_client) {
        if (m->phase == GREETING) {
            greeting(m, s);
            return;
        }
        if (m->phase == AUTH || (m->phase == COMMAND && m->answer_due)) {
            int n = answer_text(s, text, sizeof text, m->phase == AUTH);
            b->sum.responses++;
            ct_keep(&b->sum.first_response, text, (size_t)n);
            ct_msg(b, 0, text);
            m->answer_due = 0;
            if (m->phase == AUTH && s->kept && (s->body[0] == 0x00 || s->body[0] == 0xff)) {
                m->phase = COMMAND;
                if (m->compress) { /* every packet from here is compressed: not followed */
                    ct_msg(b, 0, "(compressed from here: not followed)");
                    b->stopped[0] = b->stopped[1] = 1;
                }
            }
        }
        return;
    }
    switch (m->phase) {
    case GREETING: /* the client spoke first: this is no MySQL session */
        ct_malformed(b, 1);
        return;
    case RESPONSE:
        response(m, s);
        return;
    case AUTH:
        ct_msg(b, 1, "(auth data)");
        return;
    case COMMAND:
        if (s->seq != 0 || !s->kept)
            return; /* the rest of a command (a file LOAD DATA LOCAL sends) */
        b->sum.commands++;
        m->answer_due = s->body[0] != 0x01; /* COM_QUIT has no answer */
        const char *name = command_name(s->body[0]);
        if (s->body[0] == 0x03)
            ct_msgf(b, 1, "COM_QUERY: %.*s", (int)(s->kept - 1 < 60 ? s->kept - 1 : 60), (const char *)s->body + 1);
        else if (name)
            ct_msg(b, 1, name);
        else
            ct_msgf(b, 1, "command 0x%02x", s->body[0]);
        return;
    }
}

static size_t parse(struct ct_base *b, int from_client, const uint8_t *p, size_t n)
{
    struct mysql *m = (struct mysql *)b;
    struct packet_side *s = &m->side[from_client];
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        if (!s->in_body) {
            s->hdr_len = (uint8_t)cur_gather(&in, s->hdr, s->hdr_len, 4);
            if (s->hdr_len < 4)
                continue;
            struct cursor h;
            cur_init(&h, s->hdr, 4);
            s->hdr_len = 0;
            s->len = cur_le24(&h);
            s->seq = cur_u8(&h);
            s->left = s->len;
            s->kept = 0;
            s->in_body = 1;
        }
        if (!ct_body(&in, s->body, KEEP, &s->kept, &s->left))
            break;
        s->in_body = 0;
        packet_done(m, from_client, s);
        if (ct_pause(b, from_client))
            return cur_offset(&in);
    }
    return cur_offset(&in);
}

static const struct ct_info info = {.name = "mysql", .display = "MySQL", .verb = "SSLRequest", .parse = parse};

static void *start(const struct proto_env *env) { return ct_new(env, &info, sizeof(struct mysql)); }

const struct proto_desc mysql_proto = {
    .name = "mysql",
    .app_kind = APP_MYSQL,
    .upgrade_name = "mysql",
    .sniff = sniff,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
