/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_proto.c - HTTP in the protocol registry (proto.h): the glue between
 * the dispatcher and http.c's parser, and what HTTP says of itself in the
 * outputs (its JSON object, the ladder's title line, the list's app column,
 * the Host in the summary table and the detail pane).  Inside TLS it reads
 * the decrypted bytes; when the TLS below negotiated "h2" it counts HTTP/2
 * frames instead.
 *
 * A CONNECT answered 2xx (RFC 9110 §9.3.6) opens a tunnel: the stream is
 * handed over to recognition at the byte after the answer's header section
 * (what the tunnel carries, TLS mostly, is recognised like a new
 * connection, and says it came through "http-connect").  The client's bytes
 * after its CONNECT request are held (up to HOLD_MAX) until the answer:
 * the tunnel's when it opens, HTTP's again when it is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "conn.h"
#include "http.h"
#include "json.h"
#include "proto.h"
#include "termtext.h"

#define HOLD_MAX 16384 /* client bytes held while a CONNECT waits for its answer (a ClientHello fits) */

struct http_proto {
    struct proto_env env;
    struct http_conn *h;
    uint8_t handed;           /* the tunnel opened: the stream is the next layer's */
    uint8_t holding;          /* the client's bytes after a CONNECT wait for the answer */
    uint8_t no_hold;          /* the client sent more than HOLD_MAX before an answer: read as HTTP from there */
    uint8_t *held;
    size_t held_len;
};

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    enum http_sniff h = http_sniff(p, n, from_client);
    return h == HTTP_SNIFF_H1 || h == HTTP_SNIFF_H2 ? PROTO_YES : h == HTTP_SNIFF_MORE ? PROTO_MAYBE : PROTO_NO;
}

static void on_msg(void *ctx, int from_client, const char *text)
{
    struct http_proto *hp = ctx;
    /* a CONNECT and its answer negotiate the tunnel: a ladder phase of their own, before what it carries */
    int kind = http_told_connect(hp->h, from_client) ? MSG_HANDSHAKE : from_client ? MSG_REQUEST : MSG_RESPONSE;
    hp->env.message(hp->env.ctx, from_client, kind, 0, text, NULL, 0);
}

static void *start(const struct proto_env *env)
{
    struct http_proto *hp = calloc(1, sizeof *hp);
    if (!hp)
        return NULL;
    hp->env = *env;
    if (!(hp->h = http_new(env->message ? on_msg : NULL, hp))) {
        free(hp);
        return NULL;
    }
    /* the layer below chose HTTP/2 by ALPN: its bytes are frames from the start, with no preface */
    const char *alpn = env->outer && env->outer->negotiated ? env->outer->negotiated(env->outer_summary) : NULL;
    if (alpn && !strcmp(alpn, "h2"))
        http_start_h2(hp->h);
    return hp;
}

static void client_bytes(struct http_proto *hp, const uint8_t *p, size_t n);

static void hold(struct http_proto *hp, const uint8_t *p, size_t n)
{
    if (!hp->held && !(hp->held = malloc(HOLD_MAX)))
        hp->no_hold = 1;
    if (!hp->no_hold && n <= HOLD_MAX - hp->held_len) {
        memcpy(hp->held + hp->held_len, p, n);
        hp->held_len += n;
        if (hp->env.holding)
            hp->env.holding(hp->env.ctx);
        return;
    }
    /* too much before an answer: no tunnel is that patient; what was held is read as HTTP */
    hp->no_hold = 1;
    hp->holding = 0;
    size_t len = hp->held_len;
    hp->held_len = 0;
    client_bytes(hp, hp->held, len);
    client_bytes(hp, p, n);
}

/* The client's bytes: HTTP's, until a CONNECT asks for a tunnel; after it they wait for the answer. */
static void client_bytes(struct http_proto *hp, const uint8_t *p, size_t n)
{
    if (hp->holding) {
        hold(hp, p, n);
        return;
    }
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        size_t used = http_data(hp->h, 1, cur_here(&in), cur_left(&in));
        cur_skip(&in, used);
        if (cur_left(&in) && !hp->no_hold && http_summary_of(hp->h)->tunnel == HTTP_TUNNEL_REQUESTED) {
            hp->holding = 1;
            hold(hp, cur_here(&in), cur_left(&in));
            return;
        }
        if (!used)
            return;
    }
}

static size_t data(void *st, int from_client, const uint8_t *p, size_t n, int64_t now_s)
{
    (void)now_s;
    struct http_proto *hp = st;
    if (hp->handed)
        return n;
    if (from_client) {
        client_bytes(hp, p, n);
        return n;
    }
    size_t used = http_data(hp->h, 0, p, n);
    uint8_t tunnel = http_summary_of(hp->h)->tunnel;
    if (tunnel == HTTP_TUNNEL_OPEN) {
        hp->handed = 1;
        hp->holding = 0;
        hp->env.hand_over(hp->env.ctx, NULL);
        return used;
    }
    if (hp->holding && tunnel == HTTP_TUNNEL_REFUSED) { /* no tunnel: what the client sent meanwhile is HTTP */
        uint8_t *kept = hp->held;
        size_t len = hp->held_len;
        hp->held = NULL;
        hp->held_len = 0;
        hp->holding = 0;
        client_bytes(hp, kept, len);
        free(kept);
    }
    return n; /* (only a tunnel's opening stops the server's side early) */
}

static const uint8_t *held(void *st, int *from_client, size_t *n)
{
    struct http_proto *hp = st;
    *from_client = 1;
    *n = hp->handed ? hp->held_len : 0;
    return hp->held;
}

static void gap(void *st, int from_client, uint64_t n) { http_gap(((struct http_proto *)st)->h, from_client, n); }
static void end(void *st) { http_end(((struct http_proto *)st)->h); }

static size_t memory(const void *st)
{
    const struct http_proto *hp = st;
    return sizeof(struct http_proto) + http_memory(hp->h) + (hp->held ? HOLD_MAX : 0);
}

static const void *summary(const void *st) { return http_summary_of(((const struct http_proto *)st)->h); }

static void release(void *st)
{
    struct http_proto *hp = st;
    if (hp) {
        http_free(hp->h);
        free(hp->held);
        free(hp);
    }
}

/* ------------------------------------------------------------ description */

static void str_or_null(struct jw *w, const char *key, const char *s)
{
    if (s && *s)
        jw_str(w, key, s);
    else
        jw_null(w, key);
}

static void json(struct jw *w, const void *sum)
{
    const struct http_summary *h = sum;
    jw_obj_begin(w, "http");
    jw_uint(w, "requests", h->requests);
    str_or_null(w, "first_request", h->first_request);
    if (h->first_status)
        jw_uint(w, "first_status", h->first_status);
    else
        jw_null(w, "first_status");
    jw_arr_begin(w, "hosts");
    for (unsigned i = 0; i < h->nhosts; i++)
        jw_str(w, NULL, h->hosts[i]);
    jw_arr_end(w);
    jw_uint(w, "responses", h->responses);
    jw_str(w, "protocol", h->h2 ? (h->h2_tls ? "h2" : "h2c") : "HTTP/1.x");
    if (h->h2) {
        jw_uint(w, "h2_frames_c2s", h->h2_frames[0]);
        jw_uint(w, "h2_frames_s2c", h->h2_frames[1]);
    }
    jw_bool(w, "malformed", h->malformed);
    if (h->tunnel != HTTP_TUNNEL_NONE) { /* a CONNECT: the tunnel it asked for (the words the clear-text protocols use) */
        static const char *const words[] = {"none", "requested", "accepted", "refused"};
        jw_str(w, "upgrade", words[h->tunnel == HTTP_TUNNEL_OPEN ? 2 : h->tunnel == HTTP_TUNNEL_REFUSED ? 3 : 1]);
        str_or_null(w, "upgrade_command", h->connect_request);
        str_or_null(w, "upgrade_response", h->connect_response);
    }
    jw_obj_end(w);
}

/* HTTP/2 chosen by TLS's ALPN (h2) or by a cleartext preface (h2c): frames counted, not parsed. */
static const char *h2_name(const struct http_summary *h) { return h->h2_tls ? "h2" : "h2c"; }

static int title(const void *sum, char *text, size_t len, int ttflags)
{
    const struct http_summary *h = sum;
    char what[40];
    if (h->h2)
        snprintf(what, sizeof what, "HTTP/2 (%s, not parsed)", h2_name(h));
    else
        snprintf(what, sizeof what, "HTTP/1.x");
    int n = snprintf(text, len, "  %s: %u requests, %u responses", what, h->requests, h->responses);
    if (h->first_request[0] && n > 0 && (size_t)n < len) {
        char req[112];
        tt_cleans(req, sizeof req, h->first_request, ttflags);
        n += snprintf(text + n, len - (size_t)n, ", first %s", req);
    }
    if (h->first_status && n > 0 && (size_t)n < len)
        n += snprintf(text + n, len - (size_t)n, " -> %u", h->first_status);
    if (h->tunnel != HTTP_TUNNEL_NONE && n > 0 && (size_t)n < len) {
        if (h->tunnel == HTTP_TUNNEL_OPEN)
            snprintf(text + n, len - (size_t)n, "; CONNECT accepted (%u): tunnel open", h->connect_status);
        else if (h->tunnel == HTTP_TUNNEL_REFUSED)
            snprintf(text + n, len - (size_t)n, "; CONNECT refused (%u): stays clear text", h->connect_status);
        else
            snprintf(text + n, len - (size_t)n, "; CONNECT not answered");
    }
    return 1;
}

static void label(const void *sum, char *buf, size_t len, int ttflags)
{
    const struct http_summary *h = sum;
    if (h->h2) {
        snprintf(buf, len, "HTTP/2 %s", h2_name(h));
    } else {
        char req[112];
        tt_cleans(req, sizeof req, h->first_request, ttflags);
        snprintf(buf, len, "HTTP %s", req);
    }
}

static void cells(const void *sum, struct proto_cells *out)
{
    const struct http_summary *h = sum;
    out->version[0] = '\0';
    out->verdict = h->tunnel == HTTP_TUNNEL_REFUSED ? "refused" : NULL;
    out->verdict_index = -1;
    out->name = h->nhosts ? h->hosts[0] : NULL;
    out->name_len = h->nhosts ? strlen(h->hosts[0]) : 0;
}

static void search(const void *sum, char *buf, size_t len)
{
    const struct http_summary *h = sum;
    snprintf(buf, len, "%s%s", h->nhosts ? h->hosts[0] : "",
             h->tunnel == HTTP_TUNNEL_REFUSED ? " connect refused" : h->tunnel ? " connect tunnel" : "");
}

/* Its phase on the ladder holds only a CONNECT and its answer (the other messages are data). */
static void phase(const void *sum, char *buf, size_t len)
{
    (void)sum;
    snprintf(buf, len, "HTTP CONNECT");
}

/* A refused tunnel is a failed negotiation, as a refused STARTTLS is. */
static int failed(const void *sum, int finished)
{
    (void)finished;
    return ((const struct http_summary *)sum)->tunnel == HTTP_TUNNEL_REFUSED;
}

static void message_detail(const void *sum, const struct app_msg *m, const struct proto_lines *out)
{
    const struct http_summary *h = sum;
    if ((m->kind == MSG_REQUEST || m->kind == MSG_RESPONSE) && h->nhosts) {
        char host[150], text[160];
        tt_clean(host, sizeof host, h->hosts[0], strlen(h->hosts[0]), out->ascii ? TT_ASCII : 0);
        snprintf(text, sizeof text, "  Host %s", host);
        out->add(out->ctx, text);
    }
}

static const char *const alpn_ids[] = {"h2", "http/1.1", "http/1.0", NULL};

const struct proto_desc http_proto = {
    .name = "http",
    .app_kind = APP_HTTP,
    .alpn = alpn_ids,
    .sniff = sniff,
    .start = start,
    .data = data,
    .gap = gap,
    .end = end,
    .memory = memory,
    .free = release,
    .summary = summary,
    .summary_size = sizeof(struct http_summary),
    .json = json,
    .title = title,
    .label = label,
    .cells = cells,
    .search = search,
    .failed = failed,
    .phase = phase,
    .message_detail = message_detail,
    .upgrade_name = "http-connect",
    .held = held,
};
