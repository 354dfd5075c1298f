/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldap.c - LDAP in the protocol registry, read until the StartTLS extended
 * operation hands the stream to TLS (cleartext.h has what the clear-text
 * modules share).
 *
 *   RFC 4511 §4.1.1 LDAPMessage ::= SEQUENCE { messageID INTEGER,
 *                  protocolOp CHOICE { [APPLICATION n] ... }, controls [0]
 *                  OPTIONAL }, in BER with definite lengths (§5.1)
 *   RFC 4511 §4.1.9 LDAPResult: resultCode ENUMERATED first
 *   RFC 4511 §4.12 ExtendedRequest [APPLICATION 23] { requestName [0]
 *                  LDAPOID, ... }; ExtendedResponse [APPLICATION 24]
 *   RFC 4511 §4.14 StartTLS: requestName 1.3.6.1.4.1.1466.20037; a success
 *                  response puts TLS at the byte after its PDU, any other
 *                  result leaves the session in clear text (RFC 4513 §3)
 *   X.690 §8.1     BER identifier and length octets
 *
 * Recognised by a side's first PDU: SEQUENCE, INTEGER, then a request
 * (client) or a response (server) operation.  Each PDU's header is read
 * whole; of its body only the first KEEP bytes are kept (the message id,
 * the operation, the OID or result code), the rest is skipped.  An
 * indefinite length, or a length of more than 4 octets, is malformed.
 * After a successful bind, bytes that are no LDAPMessage are a SASL
 * security layer (RFC 4513 §5.2.1.2, 4-byte lengths and wrapped tokens):
 * not followed, and not malformed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cleartext.h"
#include "conn.h"

#define KEEP 96
#define STARTTLS_OID "1.3.6.1.4.1.1466.20037"

struct pdu_side {
    uint8_t hdr[6];
    uint8_t hdr_len;
    uint8_t in_body;
    uint64_t left;            /* body bytes still to come */
    uint8_t body[KEEP];
    size_t kept;
};

struct ldap {
    struct ct_base b;
    struct pdu_side side[2];  /* [from_client] */
    int64_t starttls_id;      /* the StartTLS request's message id, -1: none waiting */
    uint8_t bound;            /* a bind succeeded: a SASL security layer may wrap what follows */
};

static const char *const op_names[] = {
    "bindRequest", "bindResponse", "unbindRequest", "searchRequest", "searchResEntry", "searchResDone",
    "modifyRequest", "modifyResponse", "addRequest", "addResponse", "delRequest", "delResponse",
    "modDNRequest", "modDNResponse", "compareRequest", "compareResponse", "abandonRequest", NULL,
    NULL, "searchResRef", NULL, NULL, NULL, "extendedReq", "extendedResp", "intermediateResponse",
};
#define OPS (sizeof op_names / sizeof op_names[0])
/* The operations a client sends (RFC 4511 §4.2 to §4.12); the others are the server's. */
static int is_request(unsigned op)
{
    return op == 0 || op == 2 || op == 3 || op == 6 || op == 8 || op == 10 || op == 12 || op == 14 || op == 16 ||
           op == 23;
}

static const char *result_name(unsigned code)
{
    switch (code) {
    case 0: return "success";
    case 1: return "operationsError";
    case 2: return "protocolError";
    case 3: return "timeLimitExceeded";
    case 4: return "sizeLimitExceeded";
    case 5: return "compareFalse";
    case 6: return "compareTrue";
    case 7: return "authMethodNotSupported";
    case 8: return "strongerAuthRequired";
    case 10: return "referral";
    case 11: return "adminLimitExceeded";
    case 12: return "unavailableCriticalExtension";
    case 13: return "confidentialityRequired";
    case 14: return "saslBindInProgress";
    case 32: return "noSuchObject";
    case 34: return "invalidDNSyntax";
    case 48: return "inappropriateAuthentication";
    case 49: return "invalidCredentials";
    case 50: return "insufficientAccessRights";
    case 51: return "busy";
    case 52: return "unavailable";
    case 53: return "unwillingToPerform";
    case 80: return "other";
    default: return NULL;
    }
}

/* A BER length (X.690 §8.1.3, definite form, at most 4 octets); -1 when not (yet) one. */
static int64_t ber_length(struct cursor *c)
{
    uint8_t first = cur_u8(c);
    if (c->err)
        return -1;
    if (first < 0x80)
        return first;
    unsigned k = first & 0x7f;
    if (k == 0 || k > 4)
        return -2;
    int64_t v = 0;
    for (unsigned i = 0; i < k; i++)
        v = v << 8 | cur_u8(c);
    return c->err ? -1 : v;
}

/* The start of an LDAPMessage: its message id and operation, from its body's first bytes (-1: not one). */
static int pdu_head(struct cursor *c, int64_t *id, unsigned *op)
{
    if (cur_u8(c) != 0x02)
        return -1;
    int64_t il = ber_length(c);
    if (il < 1 || il > 4)
        return -1;
    int64_t v = 0;
    for (int64_t i = 0; i < il; i++)
        v = v << 8 | cur_u8(c);
    uint8_t tag = cur_u8(c);
    if (c->err || (tag & 0xc0) != 0x40 || (tag & 0x1f) >= OPS || !op_names[tag & 0x1f])
        return -1;
    *id = v;
    *op = tag & 0x1f;
    return 0;
}

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    struct cursor c;
    cur_init(&c, p, n);
    int tag = cur_peek(&c, 0);
    if (tag >= 0 && tag != 0x30)
        return PROTO_NO;
    cur_skip(&c, 1);
    int64_t len = ber_length(&c);
    if (len == -2)
        return PROTO_NO;
    int64_t id;
    unsigned op;
    size_t body = cur_offset(&c);
    if (len >= 0 && pdu_head(&c, &id, &op) == 0)
        return (uint64_t)len >= cur_offset(&c) - body && is_request(op) == from_client ? PROTO_YES : PROTO_NO;
    if (!c.err)
        return PROTO_NO;
    return n < 16 ? PROTO_MAYBE : PROTO_NO;
}

static void pdu_done(struct ldap *l, int from_client, struct pdu_side *s)
{
    struct ct_base *b = &l->b;
    struct cursor c;
    cur_init(&c, s->body, s->kept);
    int64_t id;
    unsigned op;
    if (pdu_head(&c, &id, &op) < 0 || is_request(op) != from_client) {
        ct_malformed(b, from_client);
        return;
    }
    char text[CT_TEXT_MAX];
    int n;
    if (from_client) {
        b->sum.commands++;
        int starttls = 0;
        if (op == 23 && ber_length(&c) >= 0 && cur_u8(&c) == 0x80) { /* requestName [0] */
            int64_t ol = ber_length(&c);
            const uint8_t *oid = ol > 0 ? cur_take(&c, (size_t)ol) : NULL;
            starttls = oid && (size_t)ol == sizeof STARTTLS_OID - 1 && !memcmp(oid, STARTTLS_OID, (size_t)ol);
        }
        n = snprintf(text, sizeof text, "%s%s", op_names[op], starttls ? " " STARTTLS_OID : "");
        ct_keep(&b->sum.first_command, text, (size_t)n);
        ct_msgf(b, 1, "%s%s (id %lld)", op_names[op], starttls ? " StartTLS" : "", (long long)id);
        if (starttls) {
            l->starttls_id = id;
            ct_request(b, text, (size_t)n, 1);
        }
        return;
    }
    b->sum.responses++;
    int64_t code = -1;
    if (op != 4 && op != 19 && op != 25 && ber_length(&c) >= 0 && cur_u8(&c) == 0x0a) { /* resultCode */
        int64_t cl = ber_length(&c);
        if (cl >= 1 && cl <= 4) {
            code = 0;
            for (int64_t i = 0; i < cl; i++)
                code = code << 8 | cur_u8(&c);
            if (c.err)
                code = -1;
        }
    }
    const char *rn = code >= 0 ? result_name((unsigned)code) : NULL;
    if (code < 0)
        n = snprintf(text, sizeof text, "%s", op_names[op]);
    else if (rn)
        n = snprintf(text, sizeof text, "%s %s", op_names[op], rn);
    else
        n = snprintf(text, sizeof text, "%s result %lld", op_names[op], (long long)code);
    ct_keep(&b->sum.first_response, text, (size_t)n);
    ct_msgf(b, 0, "%s (id %lld)", text, (long long)id);
    if (op == 1 && code == 0)
        l->bound = 1;
    if (op == 24 && l->starttls_id >= 0 && id == l->starttls_id) {
        l->starttls_id = -1;
        if (code == 0)
            ct_accept(b, text, (size_t)n);
        else
            ct_refuse(b, text, (size_t)n);
    }
}

static size_t parse(struct ct_base *b, int from_client, const uint8_t *p, size_t n)
{
    struct ldap *l = (struct ldap *)b;
    struct pdu_side *s = &l->side[from_client];
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        if (!s->in_body) { /* the SEQUENCE's identifier and length octets, gathered whole (one at a time:
                              the length's first octet says how many follow) */
            s->hdr_len = (uint8_t)cur_gather(&in, s->hdr, s->hdr_len, s->hdr_len + 1u);
            struct cursor c;
            cur_init(&c, s->hdr, s->hdr_len);
            if (s->hdr[0] != 0x30) {
                if (l->bound) { /* a SASL security layer wraps the messages from here */
                    ct_msg(b, from_client, "(SASL security layer: not followed)");
                    b->stopped[from_client] = 1;
                } else {
                    ct_malformed(b, from_client);
                }
                return n;
            }
            cur_skip(&c, 1);
            int64_t len = ber_length(&c);
            if (len == -2 || (len < 0 && s->hdr_len == sizeof s->hdr)) {
                ct_malformed(b, from_client);
                return n;
            }
            if (len < 0)
                continue;
            s->hdr_len = 0;
            s->left = (uint64_t)len;
            s->kept = 0;
            s->in_body = 1;
        }
        if (!ct_body(&in, s->body, KEEP, &s->kept, &s->left))
            break;
        s->in_body = 0;
        pdu_done(l, from_client, s);
        if (ct_pause(b, from_client))
            return cur_offset(&in);
    }
    return cur_offset(&in);
}

static const struct ct_info info = {.name = "ldap", .display = "LDAP", .verb = "StartTLS", .parse = parse};

static void *start(const struct proto_env *env)
{
    struct ldap *l = ct_new(env, &info, sizeof(struct ldap));
    if (l)
        l->starttls_id = -1;
    return l;
}

const struct proto_desc ldap_proto = {
    .name = "ldap",
    .app_kind = APP_LDAP,
    .upgrade_name = "ldap",
    .sniff = sniff,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
