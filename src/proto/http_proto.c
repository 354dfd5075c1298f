/*
 * http_proto.c - HTTP in the protocol registry (proto.h): the glue between
 * the dispatcher and http.c's parser, and what HTTP says of itself in the
 * outputs (its JSON object, the ladder's title line, the list's app column,
 * the Host in the summary table and the detail pane).  Inside TLS it reads
 * the decrypted bytes; when the TLS below negotiated "h2" it counts HTTP/2
 * frames instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "http.h"
#include "json.h"
#include "proto.h"
#include "termtext.h"

struct http_proto {
    struct proto_env env;
    struct http_conn *h;
};

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    enum http_sniff h = http_sniff(p, n, from_client);
    return h == HTTP_SNIFF_H1 || h == HTTP_SNIFF_H2 ? PROTO_YES : h == HTTP_SNIFF_MORE ? PROTO_MAYBE : PROTO_NO;
}

static void on_msg(void *ctx, int from_client, const char *text)
{
    struct http_proto *hp = ctx;
    hp->env.message(hp->env.ctx, from_client, from_client ? MSG_REQUEST : MSG_RESPONSE, 0, text, NULL, 0);
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

static size_t data(void *st, int from_client, const uint8_t *p, size_t n, int64_t now_s)
{
    (void)now_s;
    http_data(((struct http_proto *)st)->h, from_client, p, n);
    return n;
}

static void gap(void *st, int from_client, uint64_t n) { http_gap(((struct http_proto *)st)->h, from_client, n); }
static void end(void *st) { http_end(((struct http_proto *)st)->h); }

static size_t memory(const void *st)
{
    return sizeof(struct http_proto) + http_memory(((const struct http_proto *)st)->h);
}

static const void *summary(const void *st) { return http_summary_of(((const struct http_proto *)st)->h); }

static void release(void *st)
{
    struct http_proto *hp = st;
    if (hp) {
        http_free(hp->h);
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
        snprintf(text + n, len - (size_t)n, " -> %u", h->first_status);
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
    out->verdict = NULL;
    out->verdict_index = -1;
    out->name = h->nhosts ? h->hosts[0] : NULL;
    out->name_len = h->nhosts ? strlen(h->hosts[0]) : 0;
}

static void search(const void *sum, char *buf, size_t len)
{
    const struct http_summary *h = sum;
    snprintf(buf, len, "%s", h->nhosts ? h->hosts[0] : "");
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
    .message_detail = message_detail,
};
