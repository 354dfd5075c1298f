/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * imap.c - IMAP in the protocol registry, read until STARTTLS hands the
 * stream to TLS (cleartext.h has what the clear-text modules share).
 *
 *   RFC 9051 §2.2  commands "tag SP command ..."; responses untagged
 *                  ("* ..."), continuation requests ("+ ..."), and the
 *                  tagged completion ("tag OK|NO|BAD ...") of each command
 *   RFC 9051 §4.3  literals: a line ending in "{n}" ("{n+}" with LITERAL+,
 *                  RFC 7888; "~{n}" literal8, RFC 3516) is followed by n
 *                  bytes, then the rest of the same line
 *   RFC 9051 §7.1.1 the greeting: "* OK", "* PREAUTH" or "* BYE"
 *   RFC 9051 §6.2.1 STARTTLS: the tagged OK, and TLS starts at the byte
 *                  after that line; NO or BAD leave the session in clear text
 *   RFC 9051 §6.2.2 AUTHENTICATE: the client's lines after a "+" are SASL
 *                  data until the command's tagged completion
 *
 * Recognised by the server's greeting.  Literals are skipped, never read
 * as lines; a line cut at CT_LINE_MAX still shows its literal by its last
 * bytes.  LOGIN and AUTHENTICATE are shown without their credentials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cleartext.h"
#include "conn.h"

#define TAG_MAX 32

struct imap {
    struct ct_base b;
    struct ct_line line[2];   /* [from_client] */
    uint64_t skip[2];         /* literal bytes still to come */
    uint8_t greeted;
    uint8_t cont[2];          /* the next line continues a command or response after a literal */
    uint8_t authenticating;   /* client: lines are SASL data until auth_tag completes */
    char starttls_tag[TAG_MAX];
    uint8_t starttls_tag_len; /* 0: no STARTTLS waiting */
    char auth_tag[TAG_MAX];
    uint8_t auth_tag_len;
};

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    static const char *const greetings[] = {"* OK", "* PREAUTH", "* BYE", NULL};
    if (from_client)
        return PROTO_NO;
    struct cursor c;
    cur_init(&c, p, n);
    for (const char *const *g = greetings; *g; g++) {
        int r = cur_literal_nocase(&c, *g);
        if (r < 0)
            return PROTO_MAYBE;
        if (r > 0) {
            int next = cur_peek(&c, 0);
            return next < 0 ? PROTO_MAYBE : next == ' ' || next == '\r' || next == '\n' ? PROTO_YES : PROTO_NO;
        }
    }
    return PROTO_NO;
}

/* The line's last bytes are a literal's announcement "{n}" or "{n+}": n, else -1. */
static int64_t literal(const struct ct_line *l)
{
    const char *t = l->tail;
    size_t n = l->tail_len;
    if (n < 3 || t[n - 1] != '}')
        return -1;
    size_t i = n - 1;
    if (t[i - 1] == '+')
        i--;
    size_t end = i;
    while (i > 0 && t[i - 1] >= '0' && t[i - 1] <= '9')
        i--;
    if (i == 0 || t[i - 1] != '{' || i == end || end - i > 18)
        return -1;
    int64_t v = 0;
    for (size_t k = i; k < end; k++)
        v = v * 10 + (t[k] - '0');
    return v;
}

/* The first word of a line (the tag): its length. */
static size_t word(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] != ' ')
        i++;
    return i;
}

static int same_tag(const char *s, size_t n, const char *tag, size_t tag_len)
{
    return tag_len && word(s, n) == tag_len && !memcmp(s, tag, tag_len);
}

static void server_line(struct ct_base *b, struct ct_line *l)
{
    struct imap *m = (struct imap *)b;
    const char *s = l->buf;
    size_t n = l->len;
    int cont = m->cont[0];
    int64_t lit = literal(l);
    m->cont[0] = lit >= 0;
    if (lit > 0)
        m->skip[0] = (uint64_t)lit;
    if (cont)
        return;
    if (!m->greeted) {
        if (n < 2 || s[0] != '*' || s[1] != ' ') {
            ct_malformed(b, 0);
            return;
        }
        m->greeted = 1;
        ct_keep(&b->sum.greeting, s, n);
        ct_msg_text(b, 0, s, n);
        return;
    }
    if (n >= 1 && (s[0] == '*' || s[0] == '+')) { /* untagged data, or a continuation request */
        if (s[0] == '+' && m->auth_tag_len)
            m->authenticating = 1;
        ct_msg_text(b, 0, s, n);
        return;
    }
    size_t t = word(s, n);
    if (t == 0 || t == n) {
        ct_malformed(b, 0);
        return;
    }
    const char *status = s + t + 1;
    size_t sl = n - t - 1;
    int ok = ct_keyword(status, sl, "OK");
    if (!ok && !ct_keyword(status, sl, "NO") && !ct_keyword(status, sl, "BAD")) {
        ct_malformed(b, 0);
        return;
    }
    b->sum.responses++;
    ct_keep(&b->sum.first_response, s, n);
    ct_msg_text(b, 0, s, n);
    if (same_tag(s, n, m->auth_tag, m->auth_tag_len)) {
        m->auth_tag_len = 0;
        m->authenticating = 0;
    }
    if (same_tag(s, n, m->starttls_tag, m->starttls_tag_len)) {
        m->starttls_tag_len = 0;
        if (ok)
            ct_accept(b, s, n);
        else
            ct_refuse(b, s, n);
    }
}

static void client_line(struct ct_base *b, struct ct_line *l)
{
    struct imap *m = (struct imap *)b;
    const char *s = l->buf;
    size_t n = l->len;
    int cont = m->cont[1];
    int64_t lit = literal(l);
    m->cont[1] = lit >= 0;
    if (lit > 0)
        m->skip[1] = (uint64_t)lit;
    if (cont)
        return;
    if (m->authenticating) { /* a credential: never shown */
        m->authenticating = 0;
        ct_msg(b, 1, "(SASL response)");
        return;
    }
    size_t t = word(s, n);
    const char *cmd = t < n ? s + t + 1 : s + n;
    size_t cl = t < n ? n - t - 1 : 0;
    b->sum.commands++;
    size_t shown = n;
    if (ct_keyword(cmd, cl, "LOGIN"))
        shown = ct_secret_cut(s, n, 2);
    else if (ct_keyword(cmd, cl, "AUTHENTICATE"))
        shown = ct_secret_cut(s, n, 3);
    ct_keep(&b->sum.first_command, s, shown);
    ct_msg_text(b, 1, s, shown);
    if (ct_keyword(cmd, cl, "AUTHENTICATE") && t <= TAG_MAX) {
        memcpy(m->auth_tag, s, t);
        m->auth_tag_len = (uint8_t)t;
    } else if (ct_keyword(cmd, cl, "STARTTLS") && t > 0 && t <= TAG_MAX) {
        memcpy(m->starttls_tag, s, t);
        m->starttls_tag_len = (uint8_t)t;
        ct_request(b, cmd, cl, 1);
    }
}

static const struct ct_info info = {.name = "imap", .display = "IMAP", .verb = "STARTTLS",
                                    .parse = ct_parse_lines,
                                    .lines_at = offsetof(struct imap, line),
                                    .skip_at = offsetof(struct imap, skip),
                                    .client_line = client_line,
                                    .server_line = server_line};

static void *start(const struct proto_env *env) { return ct_new(env, &info, sizeof(struct imap)); }

const struct proto_desc imap_proto = {
    .name = "imap",
    .app_kind = APP_IMAP,
    .upgrade_name = "imap",
    .sniff = sniff,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
