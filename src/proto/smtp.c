/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * smtp.c - SMTP in the protocol registry, read until STARTTLS hands the
 * stream to TLS (cleartext.h has what the clear-text modules share).
 *
 *   RFC 5321 §4.1   commands, one per line; §4.2 replies: "DDD-text" lines
 *                   then one "DDD text" line end a reply; §3.1 the greeting
 *   RFC 2920        pipelining: replies come in the order of the commands
 *   RFC 3207        STARTTLS, answered 220 (TLS starts at the byte after
 *                   the reply) or 454/501 (no TLS, the session goes on)
 *   RFC 3030        BDAT: a chunk of that many bytes follows the command
 *   RFC 4954        AUTH: 334 asks for a line of SASL data (not a command)
 *   RFC 2033        LMTP's LHLO is read as SMTP
 *
 * Recognised with FTP's help (both greet 220: ct_220_sniff).  Reply k answers
 * command k; 334 and 354 are steps inside one command (AUTH, DATA), not its
 * answer.  After 354 the client's lines are the message, up to a lone ".".
 * Credentials (AUTH's initial response, SASL lines) are never shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleartext.h"
#include "conn.h"

struct smtp {
    struct ct_base b;
    struct ct_line line[2];   /* [from_client] */
    uint64_t skip[2];         /* BDAT chunk bytes (client) */
    uint32_t answered;        /* commands answered: the next reply answers command answered + 1 */
    uint32_t starttls_at;     /* the STARTTLS command's number, 0: none waiting */
    uint32_t data_at;         /* the DATA command's number, 0: none waiting */
    uint8_t greeted;          /* the greeting reply is over */
    uint8_t in_reply;         /* a reply's "DDD-" lines are going on */
    uint8_t in_body;          /* client: the message after 354, up to a line "." */
    uint8_t sasl;             /* client: the next line is SASL data for a 334 */
    char first[CT_TEXT_MAX];  /* the first line of the reply going on */
    uint8_t first_len;
};

static enum proto_sniff sniff_pair(const uint8_t *c, size_t cn, const uint8_t *s, size_t sn)
{
    enum ct_220 r = ct_220_sniff(c, cn, s, sn);
    return r == CT_220_SMTP ? PROTO_YES : r == CT_220_MAYBE ? PROTO_MAYBE : PROTO_NO;
}

static void reply_done(struct smtp *m, int code)
{
    struct ct_base *b = &m->b;
    if (!m->greeted) {
        m->greeted = 1;
        return;
    }
    b->sum.responses++;
    if (code == 334) { /* AUTH goes on: the client sends a line of SASL data */
        m->sasl = 1;
        return;
    }
    if (code == 354 && m->data_at == m->answered + 1) { /* the message follows, then DATA's answer */
        m->in_body = 1;
        return;
    }
    uint32_t k = ++m->answered;
    if (k == 1)
        ct_keep(&b->sum.first_response, m->first, m->first_len);
    if (k == m->data_at)
        m->data_at = 0;
    if (k == m->starttls_at) {
        m->starttls_at = 0;
        if (code >= 200 && code < 300)
            ct_accept(b, m->first, m->first_len);
        else
            ct_refuse(b, m->first, m->first_len);
    }
}

static void server_line(struct ct_base *b, struct ct_line *l)
{
    struct smtp *m = (struct smtp *)b;
    const char *s = l->buf;
    size_t n = l->len;
    int last;
    int code = ct_reply_code(s, n, &last);
    if (code < 0) {
        ct_malformed(b, 0);
        return;
    }
    if (!m->in_reply) { /* a reply's first line: what the ladder and the JSON show of it */
        m->first_len = (uint8_t)(n < CT_TEXT_MAX ? n : CT_TEXT_MAX);
        memcpy(m->first, s, m->first_len);
        if (!m->greeted)
            ct_keep(&b->sum.greeting, s, n);
        ct_msg_text(b, 0, s, n);
    }
    m->in_reply = !last;
    if (last)
        reply_done(m, code);
}

static void client_line(struct ct_base *b, struct ct_line *l)
{
    struct smtp *m = (struct smtp *)b;
    const char *s = l->buf;
    size_t n = l->len;
    if (m->in_body) {
        if (n == 1 && s[0] == '.') {
            m->in_body = 0;
            ct_msg(b, 1, "(message content)");
        }
        return;
    }
    if (m->sasl) { /* a credential: counted with its AUTH command, never shown */
        m->sasl = 0;
        ct_msg(b, 1, "(SASL response)");
        return;
    }
    uint32_t k = ++b->sum.commands;
    size_t shown = ct_keyword(s, n, "AUTH") ? ct_secret_cut(s, n, 2) : n;
    ct_keep(&b->sum.first_command, s, shown);
    ct_msg_text(b, 1, s, shown);
    if (ct_keyword(s, n, "STARTTLS")) {
        m->starttls_at = k;
        ct_request(b, s, n, 1);
    } else if (ct_keyword(s, n, "DATA")) {
        m->data_at = k;
    } else if (ct_keyword(s, n, "BDAT")) {
        uint64_t size = 0;
        size_t i = 5;
        while (i < n && s[i] >= '0' && s[i] <= '9' && size < (UINT64_MAX - 9) / 10)
            size = size * 10 + (uint64_t)(s[i++] - '0');
        m->skip[1] = size;
    }
}

static const struct ct_info info = {.name = "smtp", .display = "SMTP", .verb = "STARTTLS",
                                    .parse = ct_parse_lines,
                                    .lines_at = offsetof(struct smtp, line),
                                    .skip_at = offsetof(struct smtp, skip),
                                    .client_line = client_line,
                                    .server_line = server_line};

static void *start(const struct proto_env *env) { return ct_new(env, &info, sizeof(struct smtp)); }

const struct proto_desc smtp_proto = {
    .name = "smtp",
    .app_kind = APP_SMTP,
    .upgrade_name = "smtp",
    .sniff_pair = sniff_pair,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
