/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ftp.c - FTP's control connection in the protocol registry, read until
 * AUTH TLS hands the stream to TLS (cleartext.h has what the clear-text
 * modules share).
 *
 *   RFC 959 §4.2   replies: "DDD text", or "DDD-text" lines up to the line
 *                  that starts with the same "DDD "; 1yz replies are
 *                  preliminary (the command's answer comes after them);
 *                  §5.4 the greeting (120 then 220, or 220)
 *   RFC 2228 §3    AUTH: 234 accepts (security data exchange complete),
 *                  334 asks for ADAT (not TLS), 4yz/5yz refuse
 *   RFC 4217 §4    AUTH TLS (and the older AUTH SSL, TLS-C, TLS-P): TLS
 *                  starts at the byte after the 234 reply
 *
 * Recognised with SMTP's help (both greet 220: ct_220_sniff).  The reply
 * that is not preliminary answers the oldest command still waiting.  PASS
 * and ACCT lines are shown without their argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleartext.h"
#include "conn.h"

struct ftp {
    struct ct_base b;
    struct ct_line line[2];   /* [from_client] */
    uint64_t skip[2];         /* (nothing is skipped: FTP's data goes on other connections) */
    uint32_t answered;        /* commands answered */
    uint32_t auth_at;         /* the AUTH TLS command's number, 0: none waiting */
    uint8_t greeted;
    int reply_code;           /* the multi-line reply going on ("DDD-"), 0: none */
    char first[CT_TEXT_MAX];  /* the first line of the reply going on */
    uint8_t first_len;
};

static enum proto_sniff sniff_pair(const uint8_t *c, size_t cn, const uint8_t *s, size_t sn)
{
    enum ct_220 r = ct_220_sniff(c, cn, s, sn);
    return r == CT_220_FTP ? PROTO_YES : r == CT_220_MAYBE ? PROTO_MAYBE : PROTO_NO;
}

static void reply_done(struct ftp *f, int code)
{
    struct ct_base *b = &f->b;
    if (!f->greeted) {
        f->greeted = code >= 200; /* "120 ready in n minutes" comes before the 220 */
        return;
    }
    b->sum.responses++;
    if (code < 200)
        return;
    uint32_t k = ++f->answered;
    if (k == 1)
        ct_keep(&b->sum.first_response, f->first, f->first_len);
    if (k == f->auth_at) {
        f->auth_at = 0;
        if (code == 234)
            ct_accept(b, f->first, f->first_len);
        else
            ct_refuse(b, f->first, f->first_len);
    }
}

static void server_line(struct ct_base *b, struct ct_line *l)
{
    struct ftp *f = (struct ftp *)b;
    const char *s = l->buf;
    size_t n = l->len;
    int last;
    int code = ct_reply_code(s, n, &last);
    if (f->reply_code) { /* inside "DDD-": any text, up to the line "DDD " with the same code */
        if (code == f->reply_code && last) {
            f->reply_code = 0;
            reply_done(f, code);
        }
        return;
    }
    if (code < 0) {
        ct_malformed(b, 0);
        return;
    }
    f->first_len = (uint8_t)(n < CT_TEXT_MAX ? n : CT_TEXT_MAX);
    memcpy(f->first, s, f->first_len);
    if (!f->greeted)
        ct_keep(&b->sum.greeting, s, n);
    ct_msg_text(b, 0, s, n);
    if (last)
        reply_done(f, code);
    else
        f->reply_code = code;
}

static void client_line(struct ct_base *b, struct ct_line *l)
{
    struct ftp *f = (struct ftp *)b;
    const char *s = l->buf;
    size_t n = l->len;
    uint32_t k = ++b->sum.commands;
    size_t shown = ct_keyword(s, n, "PASS") || ct_keyword(s, n, "ACCT") ? ct_secret_cut(s, n, 1) : n;
    ct_keep(&b->sum.first_command, s, shown);
    ct_msg_text(b, 1, s, shown);
    if (ct_keyword(s, n, "AUTH") && n > 5) {
        const char *mech = s + 5;
        size_t m = n - 5;
        if (ct_keyword(mech, m, "TLS") || ct_keyword(mech, m, "SSL") || ct_keyword(mech, m, "TLS-C") ||
            ct_keyword(mech, m, "TLS-P")) {
            f->auth_at = k;
            ct_request(b, s, n, 1);
        }
    }
}

static const struct ct_info info = {.name = "ftp", .display = "FTP", .verb = "AUTH TLS",
                                    .parse = ct_parse_lines,
                                    .lines_at = offsetof(struct ftp, line),
                                    .skip_at = offsetof(struct ftp, skip),
                                    .client_line = client_line,
                                    .server_line = server_line};

static void *start(const struct proto_env *env) { return ct_new(env, &info, sizeof(struct ftp)); }

const struct proto_desc ftp_proto = {
    .name = "ftp",
    .app_kind = APP_FTP,
    .upgrade_name = "ftp",
    .sniff_pair = sniff_pair,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
