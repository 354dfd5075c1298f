/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nntp.c - NNTP in the protocol registry, read until STARTTLS hands the
 * stream to TLS (cleartext.h has what the clear-text modules share).
 *
 *   RFC 3977 §3.1  commands, one per line; responses "DDD text"; multi-line
 *                  data blocks end with a line "." (byte-stuffed)
 *   RFC 3977 §3.2.1 the responses followed by a data block: 100, 101, 215,
 *                  220, 221, 222, 224, 225, 230, 231 (and 211 to LISTGROUP,
 *                  282 to XGTITLE, RFC 2980)
 *   RFC 3977 §5.1  the greeting: 200 or 201 (400, 502: no service)
 *   RFC 3977 §6.3.1, §6.3.2 POST and IHAVE: after 340 or 335 the client
 *                  sends the article, up to ".", then the answer comes
 *   RFC 4642 §2    STARTTLS: 382, and TLS starts at the byte after that
 *                  line; 580 or 502 leave the session in clear text
 *   RFC 4643 §2.3  AUTHINFO USER/PASS; §2.4 AUTHINFO SASL: 383 asks for a
 *                  line of SASL data
 *
 * Recognised by the server's greeting (200 or 201).  Response k answers
 * command k (340, 335 and 383 are steps inside one); the last 64 commands
 * are remembered for 211, whose block depends on the command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cleartext.h"
#include "conn.h"

struct nntp {
    struct ct_base b;
    struct ct_line line[2];   /* [from_client] */
    uint64_t skip[2];
    uint64_t listgroup;       /* bit k % 64: command k is LISTGROUP (its 211 brings a block) */
    uint32_t answered;
    uint32_t starttls_at;     /* the STARTTLS command's number, 0: none waiting */
    uint8_t greeted;
    uint8_t block[2];         /* a data block goes on: the server's, or the client's article */
    uint8_t sasl;             /* client: the next line is SASL data for a 383 */
};

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    if (from_client)
        return PROTO_NO;
    struct cursor c;
    cur_init(&c, p, n);
    struct cursor look = c;
    if (cur_literal(&look, "20") == 0)
        return PROTO_NO;
    int third = cur_peek(&c, 2), sep = cur_peek(&c, 3);
    if (third >= 0 && third != '0' && third != '1')
        return PROTO_NO;
    if (sep < 0)
        return PROTO_MAYBE;
    if (sep != ' ' && sep != '\r' && sep != '\n')
        return PROTO_NO;
    /* "200 " alone says little: the whole line, text and CRLF, must be there */
    cur_bound(&c, 512);
    int lf;
    size_t line = cur_span_to(&c, '\n', &lf);
    if (!lf)
        return n < 512 ? PROTO_MAYBE : PROTO_NO;
    for (size_t i = 0; i < line; i++) {
        uint8_t ch = cur_u8(&c);
        if ((ch < 0x20 || ch == 0x7f) && !(ch == '\r' && i + 1 == line) && ch != '\t')
            return PROTO_NO;
    }
    return PROTO_YES;
}

static int has_block(int code, int listgroup)
{
    switch (code) {
    case 100: case 101: case 215: case 220: case 221: case 222: case 224: case 225: case 230: case 231: case 282:
        return 1;
    case 211:
        return listgroup;
    default:
        return 0;
    }
}

static void server_line(struct ct_base *b, struct ct_line *l)
{
    struct nntp *m = (struct nntp *)b;
    const char *s = l->buf;
    size_t n = l->len;
    if (m->block[0]) {
        if (n == 1 && s[0] == '.')
            m->block[0] = 0;
        return;
    }
    int code = ct_reply_code(s, n, NULL);
    if (code < 0) {
        ct_malformed(b, 0);
        return;
    }
    ct_msg_text(b, 0, s, n);
    if (!m->greeted) {
        m->greeted = 1;
        ct_keep(&b->sum.greeting, s, n);
        return;
    }
    b->sum.responses++;
    if (code == 340 || code == 335) { /* the article follows from the client, then the answer */
        m->block[1] = 1;
        return;
    }
    if (code == 383) {
        m->sasl = 1;
        return;
    }
    uint32_t k = ++m->answered;
    if (k == 1)
        ct_keep(&b->sum.first_response, s, n);
    int lg = k <= b->sum.commands && b->sum.commands - k < 64 && (m->listgroup >> (k % 64) & 1);
    m->block[0] = (uint8_t)has_block(code, lg);
    if (k == m->starttls_at) {
        m->starttls_at = 0;
        if (code == 382)
            ct_accept(b, s, n);
        else
            ct_refuse(b, s, n);
    }
}

static void client_line(struct ct_base *b, struct ct_line *l)
{
    struct nntp *m = (struct nntp *)b;
    const char *s = l->buf;
    size_t n = l->len;
    if (m->block[1]) {
        if (n == 1 && s[0] == '.') {
            m->block[1] = 0;
            ct_msg(b, 1, "(article)");
        }
        return;
    }
    if (m->sasl) {
        m->sasl = 0;
        ct_msg(b, 1, "(SASL response)");
        return;
    }
    uint32_t k = ++b->sum.commands;
    size_t shown = n;
    if (ct_keyword(s, n, "AUTHINFO") && n > 9 && ct_keyword(s + 9, n - 9, "PASS"))
        shown = ct_secret_cut(s, n, 2);
    else if (ct_keyword(s, n, "AUTHINFO") && n > 9 && ct_keyword(s + 9, n - 9, "SASL"))
        shown = ct_secret_cut(s, n, 3);
    ct_keep(&b->sum.first_command, s, shown);
    ct_msg_text(b, 1, s, shown);
    uint64_t bit = (uint64_t)1 << (k % 64);
    m->listgroup = ct_keyword(s, n, "LISTGROUP") ? m->listgroup | bit : m->listgroup & ~bit;
    if (ct_keyword(s, n, "STARTTLS")) {
        m->starttls_at = k;
        ct_request(b, s, n, 1);
    }
}

static const struct ct_info info = {.name = "nntp", .display = "NNTP", .verb = "STARTTLS",
                                    .parse = ct_parse_lines,
                                    .lines_at = offsetof(struct nntp, line),
                                    .skip_at = offsetof(struct nntp, skip),
                                    .client_line = client_line,
                                    .server_line = server_line};

static void *start(const struct proto_env *env) { return ct_new(env, &info, sizeof(struct nntp)); }

const struct proto_desc nntp_proto = {
    .name = "nntp",
    .app_kind = APP_NNTP,
    .upgrade_name = "nntp",
    .sniff = sniff,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
