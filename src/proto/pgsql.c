/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pgsql.c - PostgreSQL's frontend/backend protocol (version 3) in the
 * protocol registry, read until its SSLRequest hands the stream to TLS
 * (cleartext.h has what the clear-text modules share).
 *
 *   PostgreSQL docs, "Frontend/Backend Protocol":
 *   §55.2.1  the client's first message has no type byte: Int32 length,
 *            Int32 code (StartupMessage 196608 for 3.0, SSLRequest
 *            80877103, GSSENCRequest 80877104, CancelRequest 80877102)
 *   §55.2.10 SSLRequest is answered by one byte: 'S' (TLS starts with the
 *            client's next byte, after that 'S'), 'N' (no TLS: the client
 *            sends its StartupMessage in clear), or an ErrorResponse
 *   §55.2.11 GSSENCRequest: 'G' starts GSSAPI encryption (not followed)
 *   §55.7    every other message: a type byte, Int32 length (itself
 *            included), its body
 *
 * Recognised by the client's first message.  Only message headers are
 * read (9 bytes at most are kept); bodies are skipped, but for the
 * StartupMessage's first bytes (its user and database) and a Query's first
 * bytes, for the ladder.  PasswordMessage is never shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cleartext.h"
#include "conn.h"

#define SSL_REQUEST 80877103u
#define GSSENC_REQUEST 80877104u
#define CANCEL_REQUEST 80877102u
#define KEEP 128

struct msg_side {
    uint8_t hdr[8];
    uint8_t hdr_len;
    uint8_t in_body;
    uint8_t type;             /* 0: an untyped startup-class message */
    uint64_t left;
    char body[KEEP];
    size_t kept;
};

struct pgsql {
    struct ct_base b;
    struct msg_side side[2];  /* [from_client] */
    uint8_t typed[2];         /* that side's messages have a type byte (the client's after its StartupMessage) */
    uint8_t answer;           /* the server owes one byte for an SSLRequest (1) or a GSSENCRequest (2) */
};

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    if (!from_client)
        return PROTO_NO;
    struct cursor c;
    cur_init(&c, p, n);
    uint32_t len = cur_be32(&c);
    uint32_t code = cur_be32(&c);
    if (c.err) { /* fewer than 8 bytes: a length below 64 KiB starts with two zero bytes */
        struct cursor look;
        cur_init(&look, p, n);
        return cur_peek(&look, 0) <= 0 && cur_peek(&look, 1) <= 0 ? PROTO_MAYBE : PROTO_NO;
    }
    if ((len == 8 && (code == SSL_REQUEST || code == GSSENC_REQUEST)) || (len == 16 && code == CANCEL_REQUEST))
        return PROTO_YES;
    return len > 8 && len <= 10000 && (code == 0x00030000 || code == 0x00030002) ? PROTO_YES : PROTO_NO;
}

static const char *client_name(uint8_t t)
{
    switch (t) {
    case 'Q': return "Query";
    case 'P': return "Parse";
    case 'B': return "Bind";
    case 'E': return "Execute";
    case 'D': return "Describe";
    case 'S': return "Sync";
    case 'H': return "Flush";
    case 'C': return "Close";
    case 'X': return "Terminate";
    case 'p': return "PasswordMessage";
    case 'F': return "FunctionCall";
    case 'd': return "CopyData";
    case 'c': return "CopyDone";
    case 'f': return "CopyFail";
    default: return NULL;
    }
}

static const char *server_name(uint8_t t)
{
    switch (t) {
    case 'R': return "Authentication";
    case 'S': return "ParameterStatus";
    case 'K': return "BackendKeyData";
    case 'Z': return "ReadyForQuery";
    case 'T': return "RowDescription";
    case 'D': return "DataRow";
    case 'C': return "CommandComplete";
    case 'E': return "ErrorResponse";
    case 'N': return "NoticeResponse";
    case 'A': return "NotificationResponse";
    case '1': return "ParseComplete";
    case '2': return "BindComplete";
    case '3': return "CloseComplete";
    case 'I': return "EmptyQueryResponse";
    case 'n': return "NoData";
    case 's': return "PortalSuspended";
    case 't': return "ParameterDescription";
    case 'G': return "CopyInResponse";
    case 'H': return "CopyOutResponse";
    case 'W': return "CopyBothResponse";
    case 'd': return "CopyData";
    case 'c': return "CopyDone";
    case 'v': return "NegotiateProtocolVersion";
    default: return NULL;
    }
}

/* The value after `key` among a StartupMessage's NUL-terminated pairs (in its kept bytes), or NULL. */
static const char *param(const struct msg_side *s, const char *key, size_t *len)
{
    size_t i = 4; /* after the protocol version */
    while (i < s->kept) {
        const char *k = s->body + i;
        const char *kend = memchr(k, '\0', s->kept - i);
        if (!kend || kend == k)
            return NULL;
        const char *v = kend + 1;
        if ((size_t)(v - s->body) >= s->kept)
            return NULL;
        const char *vend = memchr(v, '\0', s->kept - (size_t)(v - s->body));
        if (!vend)
            return NULL;
        if (!strcmp(k, key)) {
            *len = (size_t)(vend - v);
            return v;
        }
        i = (size_t)(vend - s->body) + 1;
    }
    return NULL;
}

static void startup(struct pgsql *g, struct msg_side *s)
{
    struct ct_base *b = &g->b;
    struct cursor c;
    cur_init(&c, (const uint8_t *)s->body, s->kept);
    uint32_t code = cur_be32(&c);
    b->sum.commands++;
    char text[CT_TEXT_MAX];
    int n;
    if (code == SSL_REQUEST || code == GSSENC_REQUEST) {
        const char *what = code == SSL_REQUEST ? "SSLRequest" : "GSSENCRequest";
        n = snprintf(text, sizeof text, "%s", what);
        ct_keep(&b->sum.first_command, text, (size_t)n);
        ct_msg(b, 1, what);
        g->answer = code == SSL_REQUEST ? 1 : 2;
        if (code == SSL_REQUEST)
            ct_request(b, text, (size_t)n, 1);
        return;
    }
    if (code == CANCEL_REQUEST) {
        ct_keep(&b->sum.first_command, "CancelRequest", 13);
        ct_msg(b, 1, "CancelRequest");
        return;
    }
    if (code >> 16 != 3) {
        ct_malformed(b, 1);
        return;
    }
    size_t ul = 0, dl = 0;
    const char *user = param(s, "user", &ul);
    const char *db = param(s, "database", &dl);
    n = snprintf(text, sizeof text, "StartupMessage %u.%u%s%.*s%s%.*s", code >> 16, code & 0xffff,
                 user ? " user=" : "", (int)ul, user ? user : "", db ? " database=" : "", (int)dl, db ? db : "");
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    ct_keep(&b->sum.first_command, text, len);
    ct_msg_text(b, 1, text, len);
    g->typed[1] = 1;
}

static void message_done(struct pgsql *g, int from_client, struct msg_side *s)
{
    struct ct_base *b = &g->b;
    if (from_client && !s->type) {
        startup(g, s);
        return;
    }
    const char *name = from_client ? client_name(s->type) : server_name(s->type);
    if (!name) {
        ct_malformed(b, from_client);
        return;
    }
    if (from_client) {
        b->sum.commands++;
        if (s->type == 'Q' && s->kept) {
            size_t q = strnlen(s->body, s->kept);
            ct_msgf(b, 1, "Query: %.*s", (int)(q < 60 ? q : 60), s->body);
        } else {
            ct_msg(b, 1, name);
        }
        return;
    }
    b->sum.responses++;
    ct_keep(&b->sum.first_response, name, strlen(name));
    ct_msg(b, 0, name);
}

/* The server's one-byte answer to an SSLRequest or a GSSENCRequest. */
static int answer_byte(struct pgsql *g, uint8_t c)
{
    struct ct_base *b = &g->b;
    int ssl = g->answer == 1;
    g->answer = 0;
    if (c == 'E') { /* an ErrorResponse instead (a server before 7.0 read the request as a startup) */
        if (ssl)
            ct_refuse(b, "E", 1);
        return 0; /* the byte is the message's type: read it as one */
    }
    char text[2] = {(char)c, '\0'};
    b->sum.responses++;
    ct_keep(&b->sum.first_response, text, 1);
    if (c == 'S' && ssl) {
        ct_msg(b, 0, "S (TLS accepted)");
        ct_accept(b, text, 1);
    } else if (c == 'N') {
        ct_msg(b, 0, ssl ? "N (no TLS)" : "N (no GSSAPI encryption)");
        if (ssl)
            ct_refuse(b, text, 1);
    } else if (c == 'G' && !ssl) {
        ct_msg(b, 0, "G (GSSAPI encryption: not followed)");
        g->b.stopped[0] = g->b.stopped[1] = 1;
    } else {
        ct_malformed(b, 0);
    }
    return 1;
}

static size_t parse(struct ct_base *b, int from_client, const uint8_t *p, size_t n)
{
    struct pgsql *g = (struct pgsql *)b;
    struct msg_side *s = &g->side[from_client];
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        if (!from_client && g->answer && !s->in_body && !s->hdr_len) {
            if (answer_byte(g, (uint8_t)cur_peek(&in, 0))) {
                cur_skip(&in, 1);
                if (ct_pause(b, 0))
                    return cur_offset(&in);
                continue;
            }
        }
        if (!s->in_body) {
            int typed = g->typed[from_client];
            size_t need = typed ? 5 : 4;
            s->hdr_len = (uint8_t)cur_gather(&in, s->hdr, s->hdr_len, need);
            if (s->hdr_len < need)
                continue;
            struct cursor c;
            cur_init(&c, s->hdr + (typed ? 1 : 0), 4);
            uint32_t len = cur_be32(&c);
            s->type = typed ? s->hdr[0] : 0;
            s->hdr_len = 0;
            if (len < (typed ? 4u : 8u) || (!typed && len > 10000)) {
                ct_malformed(b, from_client);
                return n;
            }
            s->left = len - 4;
            s->kept = 0;
            s->in_body = 1;
        }
        if (!ct_body(&in, (uint8_t *)s->body, KEEP, &s->kept, &s->left))
            break;
        s->in_body = 0;
        message_done(g, from_client, s);
        if (ct_pause(b, from_client))
            return cur_offset(&in);
    }
    return cur_offset(&in);
}

static const struct ct_info info = {.name = "postgresql", .display = "PostgreSQL", .verb = "SSLRequest", .parse = parse};

static void *start(const struct proto_env *env)
{
    struct pgsql *g = ct_new(env, &info, sizeof(struct pgsql));
    if (g)
        g->typed[0] = 1; /* the server's messages always have a type byte */
    return g;
}

const struct proto_desc pgsql_proto = {
    .name = "postgresql",
    .app_kind = APP_POSTGRESQL,
    .upgrade_name = "postgresql",
    .sniff = sniff,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
