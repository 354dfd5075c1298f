/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xmpp.c - XMPP in the protocol registry, read until STARTTLS hands the
 * stream to TLS (cleartext.h has what the clear-text modules share).
 *
 *   RFC 6120 §4.2-4.3 each side opens its stream with <stream:stream ...>
 *                  (an XML declaration may come first); its children are
 *                  the first-level elements: features, stanzas, ...
 *   RFC 6120 §5.4.2 STARTTLS: the client's <starttls/>, the server's
 *                  <proceed/> (TLS starts at the byte after its '>') or
 *                  <failure/> (the server closes the stream)
 *   RFC 6120 §11.1 restricted XML: no comments, processing instructions or
 *                  DTDs, so a tag ends at the first '>' outside quotes
 *
 * Recognised by a side's stream header.  Only tags are read, with their
 * depth: a first-level element is a command (client) or a response
 * (server), its start tag the ladder's label; text and deeper elements are
 * skipped.  A tag is kept to CT_TEXT_MAX bytes, its name to NAME_MAX.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cleartext.h"
#include "conn.h"

#define NAME_MAX_ 40

enum tag_kind { TAG_START, TAG_END, TAG_EMPTY, TAG_OTHER };

/* One direction's tag reader. */
struct xml_side {
    uint8_t in_tag;
    uint8_t quote;            /* inside an attribute value: its quote character */
    uint8_t name_done;
    uint8_t last;             /* the tag's last byte before '>' (a '/' makes it empty) */
    uint32_t depth;           /* elements open (the stream element is depth 1 inside) */
    uint32_t pending_depth;   /* a <proceed> start tag waits for its end at this depth (server), 0: none */
    size_t tag_len;           /* bytes of the tag so far */
    char tag[CT_TEXT_MAX];    /* its first bytes, '<' included */
    uint8_t kept;
    char name[NAME_MAX_ + 1]; /* its name (with its prefix) */
    uint8_t name_len;
};

struct xmpp {
    struct ct_base b;
    struct xml_side side[2];  /* [from_client] */
};

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static void skip_spaces(struct cursor *c)
{
    while (is_space(cur_peek(c, 0)))
        cur_skip(c, 1);
}

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    (void)from_client;
    struct cursor c;
    cur_init(&c, p, n);
    skip_spaces(&c);
    if (cur_peek(&c, 0) == '<' && cur_peek(&c, 1) == '?') {
        size_t from = cur_left(&c); /* bytes from the declaration on */
        int r = cur_literal(&c, "<?xml");
        if (r <= 0)
            return r < 0 ? PROTO_MAYBE : PROTO_NO;
        /* its end "?>" within its first 256 bytes */
        size_t k = 0;
        while (5 + k < 256 && cur_peek(&c, k + 1) >= 0 && !(cur_peek(&c, k) == '?' && cur_peek(&c, k + 1) == '>'))
            k++;
        if (5 + k >= 256 || cur_peek(&c, k + 1) < 0)
            return from < 256 ? PROTO_MAYBE : PROTO_NO;
        cur_skip(&c, k + 2);
        skip_spaces(&c);
    }
    int r = cur_literal(&c, "<stream:stream");
    if (r <= 0)
        return r < 0 ? PROTO_MAYBE : PROTO_NO;
    int next = cur_peek(&c, 0);
    if (next < 0)
        return PROTO_MAYBE;
    return is_space(next) || next == '>' ? PROTO_YES : PROTO_NO;
}

/* The name without its prefix ("stream:features" -> "features"). */
static const char *local_name(const struct xml_side *x, size_t *len)
{
    const char *colon = memchr(x->name, ':', x->name_len);
    const char *s = colon ? colon + 1 : x->name;
    *len = x->name_len - (size_t)(s - x->name);
    return s;
}

static int named(const struct xml_side *x, const char *want)
{
    size_t n;
    const char *s = local_name(x, &n);
    return n == strlen(want) && !memcmp(s, want, n);
}

/* A first-level element began (start or empty tag), or the stream itself. */
static void element(struct xmpp *m, int from_client, struct xml_side *x, enum tag_kind kind)
{
    struct ct_base *b = &m->b;
    size_t shown = x->kept;
    if (x->depth == 0) { /* the stream header */
        if (!named(x, "stream")) {
            ct_malformed(b, from_client);
            return;
        }
        ct_keep(from_client ? &b->sum.first_command : &b->sum.greeting, x->tag, shown);
        ct_msg_text(b, from_client, x->tag, shown);
        return;
    }
    ct_msg_text(b, from_client, x->tag, shown);
    if (from_client) {
        b->sum.commands++;
        if (named(x, "starttls"))
            ct_request(b, x->tag, shown, 1);
        return;
    }
    b->sum.responses++;
    ct_keep(&b->sum.first_response, x->tag, shown);
    if (b->sum.upgrade != CT_UP_REQUESTED)
        return;
    if (named(x, "proceed")) {
        if (kind == TAG_EMPTY)
            ct_accept(b, x->tag, shown);
        else /* <proceed></proceed>: TLS starts after the end tag */
            x->pending_depth = x->depth + 1;
    } else if (named(x, "failure")) {
        ct_refuse(b, x->tag, shown);
    }
}

static void tag_done(struct xmpp *m, int from_client, struct xml_side *x)
{
    enum tag_kind kind = TAG_START;
    if (x->tag_len >= 2 && (x->tag[1] == '?' || x->tag[1] == '!'))
        kind = TAG_OTHER; /* the XML declaration (nothing else of the kind is allowed) */
    else if (x->tag_len >= 2 && x->tag[1] == '/')
        kind = TAG_END;
    else if (x->last == '/')
        kind = TAG_EMPTY;
    switch (kind) {
    case TAG_OTHER:
        return;
    case TAG_END:
        if (x->depth == 0) {
            ct_malformed(&m->b, from_client);
            return;
        }
        if (x->depth == 1) /* </stream:stream> */
            ct_msg_text(&m->b, from_client, x->tag, x->kept);
        if (!from_client && x->pending_depth == x->depth) {
            x->pending_depth = 0;
            ct_accept(&m->b, "<proceed/>", 10);
        }
        x->depth--;
        return;
    case TAG_START:
    case TAG_EMPTY:
        if (x->depth <= 1)
            element(m, from_client, x, kind);
        if (kind == TAG_START && x->depth < UINT32_MAX)
            x->depth++;
        return;
    }
}

static size_t parse(struct ct_base *b, int from_client, const uint8_t *p, size_t n)
{
    struct xmpp *m = (struct xmpp *)b;
    struct xml_side *x = &m->side[from_client];
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        uint8_t c = cur_u8(&in);
        if (!x->in_tag) {
            if (c == '<') {
                x->in_tag = 1;
                x->quote = 0;
                x->name_done = 0;
                x->name_len = 0;
                x->tag_len = 0;
                x->kept = 0;
                x->last = 0;
            } else {
                continue;
            }
        } else if (x->quote) {
            if (c == x->quote)
                x->quote = 0;
        } else if (c == '"' || c == '\'') {
            x->quote = c;
            x->name_done = 1;
        } else if (c == '>') {
            if (x->kept < sizeof x->tag)
                x->tag[x->kept++] = '>';
            x->in_tag = 0;
            tag_done(m, from_client, x);
            if (ct_pause(b, from_client))
                return cur_offset(&in);
            continue;
        }
        if (x->tag_len > 0 && !x->name_done) {
            int part = c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '/' && c != '>';
            if (x->tag_len == 1 && (c == '/' || c == '?' || c == '!'))
                part = 0; /* "</name": the name comes next */
            else if (!part && x->name_len)
                x->name_done = 1;
            if (part && x->name_len < NAME_MAX_)
                x->name[x->name_len++] = (char)c;
        }
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            x->last = c;
        if (x->kept < sizeof x->tag)
            x->tag[x->kept++] = (char)c;
        x->tag_len++;
    }
    return cur_offset(&in);
}

static const struct ct_info info = {.name = "xmpp", .display = "XMPP", .verb = "STARTTLS", .parse = parse};

static void *start(const struct proto_env *env) { return ct_new(env, &info, sizeof(struct xmpp)); }

const struct proto_desc xmpp_proto = {
    .name = "xmpp",
    .app_kind = APP_XMPP,
    .upgrade_name = "xmpp",
    .sniff = sniff,
    .start = start,
    CT_DESCRIPTOR_COMMON,
};
