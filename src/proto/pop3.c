/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pop3.c - POP3 in the protocol registry, read until STLS hands the stream
 * to TLS (cleartext.h has what the clear-text modules share).
 *
 *   RFC 1939 §3    responses "+OK" or "-ERR"; multi-line responses end with
 *                  a line "." (lines starting with "." are byte-stuffed);
 *                  §4 the greeting "+OK"
 *   RFC 1939 §5-7  the multi-line answers: LIST and UIDL without argument,
 *                  RETR, TOP; RFC 2449 §5 CAPA
 *   RFC 2595 §4    STLS: "+OK" and TLS starts at the byte after that line;
 *                  "-ERR" leaves the session in clear text
 *   RFC 5034 §4    AUTH: "+ " asks for a line of SASL data (not a command)
 *   RFC 2449 §6.6  PIPELINING: responses come in the order of the commands
 *
 * Recognised by the server's greeting ("+OK"), or a client's first command
 * only POP3 has (CAPA, STLS, APOP).  Which answers are multi-line depends on
 * the command: the last 64 commands are remembered for that.  PASS, APOP and
 * SASL lines are shown without their secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cleartext.h"
#include "conn.h"

struct pop3 {
    struct ct_base b;
    struct ct_line line[2];   /* [from_client] */
    uint64_t skip[2];
    uint64_t multi;           /* bit k % 64: command k's "+OK" is followed by lines up to "." */
    uint32_t answered;        /* commands answered */
    uint32_t stls_at;         /* the STLS command's number, 0: none waiting */
    uint8_t greeted;
    uint8_t in_multi;         /* server: the lines of a multi-line response go on */
    uint8_t sasl;             /* client: the next line is SASL data for a "+ " */
};

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    static const char *const own[] = {"CAPA\r\n", "STLS\r\n", "APOP ", NULL};
    struct cursor c;
    cur_init(&c, p, n);
    if (from_client) {
        for (const char *const *w = own; *w; w++) {
            int r = cur_literal_nocase(&c, *w);
            if (r != 0)
                return r > 0 ? PROTO_YES : PROTO_MAYBE;
        }
        return PROTO_NO;
    }
    int r = cur_literal(&c, "+OK");
    if (r <= 0)
        return r < 0 ? PROTO_MAYBE : PROTO_NO;
    int next = cur_peek(&c, 0);
    if (next < 0)
        return PROTO_MAYBE;
    return next == ' ' || next == '\r' || next == '\n' ? PROTO_YES : PROTO_NO;
}

static void server_line(struct ct_base *b, struct ct_line *l)
{
    struct pop3 *m = (struct pop3 *)b;
    const char *s = l->buf;
    size_t n = l->len;
    if (m->in_multi) {
        if (n == 1 && s[0] == '.')
            m->in_multi = 0;
        return;
    }
    int ok = n >= 3 && !memcmp(s, "+OK", 3) && (n == 3 || s[3] == ' ');
    int err = n >= 4 && !memcmp(s, "-ERR", 4) && (n == 4 || s[4] == ' ');
    int more = n >= 1 && s[0] == '+' && (n == 1 || s[1] == ' '); /* a SASL challenge */
    if (!ok && !err && !more) {
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
    if (more) {
        m->sasl = 1;
        return;
    }
    uint32_t k = ++m->answered;
    if (k == 1)
        ct_keep(&b->sum.first_response, s, n);
    if (ok && k <= b->sum.commands && b->sum.commands - k < 64 && (m->multi >> (k % 64) & 1))
        m->in_multi = 1;
    if (k == m->stls_at) {
        m->stls_at = 0;
        if (ok)
            ct_accept(b, s, n);
        else
            ct_refuse(b, s, n);
    }
}

/* Commands whose "+OK" brings lines up to ".": RETR, TOP, CAPA, and LIST or UIDL without an argument. */
static int multi_line(const char *s, size_t n)
{
    if (ct_keyword(s, n, "RETR") || ct_keyword(s, n, "TOP") || ct_keyword(s, n, "CAPA"))
        return 1;
    if (ct_keyword(s, n, "LIST") || ct_keyword(s, n, "UIDL")) {
        size_t i = 4;
        while (i < n && s[i] == ' ')
            i++;
        return i == n;
    }
    return 0;
}

static void client_line(struct ct_base *b, struct ct_line *l)
{
    struct pop3 *m = (struct pop3 *)b;
    const char *s = l->buf;
    size_t n = l->len;
    if (m->sasl) {
        m->sasl = 0;
        ct_msg(b, 1, "(SASL response)");
        return;
    }
    uint32_t k = ++b->sum.commands;
    size_t shown = n;
    if (ct_keyword(s, n, "PASS"))
        shown = ct_secret_cut(s, n, 1);
    else if (ct_keyword(s, n, "APOP") || ct_keyword(s, n, "AUTH"))
        shown = ct_secret_cut(s, n, 2);
    ct_keep(&b->sum.first_command, s, shown);
    ct_msg_text(b, 1, s, shown);
    uint64_t bit = (uint64_t)1 << (k % 64);
    m->multi = multi_line(s, n) ? m->multi | bit : m->multi & ~bit;
    if (ct_keyword(s, n, "STLS")) {
        m->stls_at = k;
        ct_request(b, s, n, 1);
    }
}

static const struct ct_info info = {.name = "pop3", .display = "POP3", .verb = "STLS",
                                    .parse = ct_parse_lines,
                                    .lines_at = offsetof(struct pop3, line),
                                    .skip_at = offsetof(struct pop3, skip),
                                    .client_line = client_line,
                                    .server_line = server_line};

static void *start(const struct proto_env *env) { return ct_new(env, &info, sizeof(struct pop3)); }

const struct proto_desc pop3_proto = {
    .name = "pop3",
    .app_kind = APP_POP3,
    .upgrade_name = "pop3",
    .sniff = sniff,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
