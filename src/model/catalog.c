/*
 * catalog.c - the browsing session's connections and views (see catalog.h).
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "termtext.h"
#include "tls.h"
#include "tls_names.h"

static const char *const outcome_names[OUTCOME_COUNT] = {"clean", "reset", "refused", "open", "tls-failed"};
static const char *const filter_names[FILTER_COUNT] = {"all", "clean", "reset", "refused/unanswered", "open",
                                                       "TLS failed"};
static const char *const column_names[COL_COUNT] = {"id", "start", "client", "server", "app", "handshake",
                                                    "teardown", "states", "packets", "bytes", "duration"};

const char *outcome_name(enum outcome o) { return (unsigned)o < OUTCOME_COUNT ? outcome_names[o] : "?"; }
const char *filter_name(enum filter f) { return (unsigned)f < FILTER_COUNT ? filter_names[f] : "?"; }
const char *column_name(enum column c) { return (unsigned)c < COL_COUNT ? column_names[c] : "?"; }

enum outcome conn_outcome(const struct conn *c, int finished)
{
    if (c->tls && c->tls->handshake == TLS_HS_FAILED && (finished || c->tls->alert_seen))
        return OUTCOME_TLS_FAILED;
    if (c->handshake == HS_REJECTED || c->handshake == HS_SYN_ONLY)
        return OUTCOME_REFUSED;
    if (c->teardown == TD_RESET)
        return OUTCOME_RESET;
    if (c->teardown == TD_OPEN || c->teardown == TD_HALF_CLOSED || !finished)
        return OUTCOME_OPEN;
    return OUTCOME_CLEAN;
}

void catalog_init(struct catalog *cat) { memset(cat, 0, sizeof *cat); }

int catalog_add(struct catalog *cat, struct conn *c)
{
    if (cat->n == cat->cap) {
        size_t cap = cat->cap ? cat->cap * 2 : 256;
        struct conn **cs = realloc(cat->conns, cap * sizeof *cs);
        if (!cs)
            return -1;
        cat->conns = cs;
        uint8_t *f = realloc(cat->finished, cap);
        if (!f)
            return -1;
        cat->finished = f;
        cat->cap = cap;
    }
    cat->conns[cat->n] = c;
    cat->finished[cat->n] = 0;
    cat->n++;
    return 0;
}

void catalog_finish(struct catalog *cat, struct conn *c)
{
    /* ids are ranks: the connection sits at id - 1 (when it was added at all) */
    if (c->id >= 1 && c->id <= cat->n && cat->conns[c->id - 1] == c)
        cat->finished[c->id - 1] = 1;
}

void catalog_count(struct catalog *cat)
{
    memset(cat->totals, 0, sizeof cat->totals);
    for (size_t i = 0; i < cat->n; i++)
        cat->totals[conn_outcome(cat->conns[i], cat->finished[i])]++;
}

void catalog_free(struct catalog *cat)
{
    for (size_t i = 0; i < cat->n; i++)
        if (cat->finished[i])
            conn_free(cat->conns[i]); /* open ones belong to the pipeline */
    free(cat->conns);
    free(cat->finished);
    memset(cat, 0, sizeof *cat);
}

void conn_app_text(const struct conn *c, char *buf, size_t len)
{
    if (c->tls) {
        char vb[32];
        const char *v = c->tls->version ? tls_version_name(c->tls->version, vb, sizeof vb) : NULL;
        char sni[112]; /* wire text: cleaned for the terminal (termtext.h) */
        tt_clean(sni, sizeof sni, c->tls->ch.sni, c->tls->ch.sni_len, 0);
        snprintf(buf, len, "%s%s%s", v ? v : "TLS", sni[0] ? " " : "", sni);
    } else if (c->http) {
        char req[112];
        tt_cleans(req, sizeof req, c->http->first_request, 0);
        if (c->http->h2)
            snprintf(buf, len, "HTTP/2 h2c");
        else
            snprintf(buf, len, "HTTP %s", req);
    } else {
        uint64_t payload = c->side[0].stream.unique_bytes + c->side[1].stream.unique_bytes;
        snprintf(buf, len, "%s", payload ? "unknown" : "none");
    }
}

void conn_search_text(const struct conn *c, int finished, char *buf, size_t len)
{
    char cl[64], sv[64], app[160], host[112];
    conn_endpoint_str(c, SIDE_CLIENT, cl, sizeof cl);
    conn_endpoint_str(c, SIDE_SERVER, sv, sizeof sv);
    conn_app_text(c, app, sizeof app);
    tt_cleans(host, sizeof host, c->http && c->http->nhosts ? c->http->hosts[0] : "", 0);
    snprintf(buf, len, "%llu %s %s %s %s %s %s %s %s %s %s %s", (unsigned long long)c->id, cl, sv, app, host,
             handshake_name(c->handshake), teardown_name(c->teardown), tcp_state_name(c->side[0].state),
             tcp_state_name(c->side[1].state), outcome_name(conn_outcome(c, finished)),
             c->tls ? tls_hs_kind_name(c->tls->handshake) : "",
             c->tls && c->tls->cert_verified ? cert_verdict_name(c->tls->cert_verdict) : "");
}

static int filter_passes(const struct conn *c, int finished, enum filter f)
{
    enum outcome o = conn_outcome(c, finished);
    switch (f) {
    case FILTER_CLEAN: return o == OUTCOME_CLEAN;
    case FILTER_RESET: return o == OUTCOME_RESET;
    case FILTER_REFUSED: return o == OUTCOME_REFUSED;
    case FILTER_OPEN: return o == OUTCOME_OPEN;
    case FILTER_TLS_FAILED: return o == OUTCOME_TLS_FAILED;
    default: return 1;
    }
}

int conn_matches(const struct conn *c, int finished, enum filter f, const char *query)
{
    if (!filter_passes(c, finished, f))
        return 0;
    if (!query || !*query)
        return 1;
    char text[512];
    conn_search_text(c, finished, text, sizeof text);
    size_t ql = strlen(query);
    for (const char *p = text; *p; p++)
        if (!strncasecmp(p, query, ql))
            return 1;
    return 0;
}

void view_init(struct view *v) { memset(v, 0, sizeof *v); }
void view_free(struct view *v)
{
    free(v->idx);
    v->idx = NULL;
    v->n = v->cap = 0;
}

/* qsort has no context argument: the comparison reads the catalog and column through this. */
struct sort_ctx {
    const struct catalog *cat;
    enum column col;
};

static int cmp_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }
static int cmp_i64(int64_t a, int64_t b) { return (a > b) - (a < b); }

static int endpoint_cmp(const struct conn *a, const struct conn *b, int side)
{
    if (a->ipver != b->ipver)
        return a->ipver - b->ipver;
    int r = memcmp(a->side[side].addr, b->side[side].addr, a->ipver == 6 ? 16 : 4);
    return r ? r : (int)a->side[side].port - (int)b->side[side].port;
}

static int compare(const struct sort_ctx *s, uint32_t x, uint32_t y)
{
    const struct conn *a = s->cat->conns[x], *b = s->cat->conns[y];
    int r = 0;
    char ta[160], tb[160];
    switch (s->col) {
    case COL_START: r = cmp_i64(a->first_ts_ns, b->first_ts_ns); break;
    case COL_CLIENT: r = endpoint_cmp(a, b, SIDE_CLIENT); break;
    case COL_SERVER: r = endpoint_cmp(a, b, SIDE_SERVER); break;
    case COL_APP:
        conn_app_text(a, ta, sizeof ta);
        conn_app_text(b, tb, sizeof tb);
        r = strcmp(ta, tb);
        break;
    case COL_HANDSHAKE: r = strcmp(handshake_name(a->handshake), handshake_name(b->handshake)); break;
    case COL_TEARDOWN: r = strcmp(teardown_name(a->teardown), teardown_name(b->teardown)); break;
    case COL_STATES:
        r = strcmp(tcp_state_name(a->side[0].state), tcp_state_name(b->side[0].state));
        if (!r)
            r = strcmp(tcp_state_name(a->side[1].state), tcp_state_name(b->side[1].state));
        break;
    case COL_PACKETS: r = cmp_u64(a->packets, b->packets); break;
    case COL_BYTES:
        r = cmp_u64(a->side[0].stream.unique_bytes + a->side[1].stream.unique_bytes,
                    b->side[0].stream.unique_bytes + b->side[1].stream.unique_bytes);
        break;
    case COL_DURATION: r = cmp_i64(a->last_ts_ns - a->first_ts_ns, b->last_ts_ns - b->first_ts_ns); break;
    default: break;
    }
    return r ? r : cmp_u64(a->id, b->id); /* ties in first-packet order: a stable view */
}

/* A merge sort with context (the view must stay stable while the list fills). */
static void sort_idx(uint32_t *v, uint32_t *tmp, size_t n, const struct sort_ctx *s, int rev)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_idx(v, tmp, h, s, rev);
    sort_idx(v + h, tmp, n - h, s, rev);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        int c = compare(s, v[i], v[j]);
        if (rev)
            c = -c;
        tmp[k++] = c <= 0 ? v[i++] : v[j++];
    }
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

int view_rebuild(struct view *v, const struct catalog *cat)
{
    if (v->cap < cat->n) {
        uint32_t *idx = realloc(v->idx, (cat->n ? cat->n : 1) * sizeof *idx);
        if (!idx)
            return -1;
        v->idx = idx;
        v->cap = cat->n;
    }
    v->n = 0;
    for (size_t i = 0; i < cat->n; i++)
        if (conn_matches(cat->conns[i], cat->finished[i], v->filter, v->query))
            v->idx[v->n++] = (uint32_t)i;
    if (v->sort == COL_ID && !v->reverse)
        return 0; /* already in id order */
    uint32_t *tmp = malloc((v->n ? v->n : 1) * sizeof *tmp);
    if (!tmp)
        return -1;
    struct sort_ctx s = {cat, v->sort};
    sort_idx(v->idx, tmp, v->n, &s, v->reverse);
    free(tmp);
    return 0;
}
