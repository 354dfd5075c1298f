/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * catalog.c - the browsing session's connections and views (see catalog.h).
 * The rows are kept in id order, so an id is found by bisection and the
 * oldest are at the front, where the budget takes them from.
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zstd.h>

#include "termtext.h"

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
    for (unsigned i = 0; i < c->nlayers; i++) /* a protocol that says its negotiation failed */
        if (c->layers[i].desc->failed && c->layers[i].desc->failed(c->layers[i].sum, finished))
            return OUTCOME_TLS_FAILED;
    if (c->handshake == HS_REJECTED || c->handshake == HS_SYN_ONLY)
        return OUTCOME_REFUSED;
    if (c->teardown == TD_RESET)
        return OUTCOME_RESET;
    if (c->teardown == TD_OPEN || c->teardown == TD_HALF_CLOSED || !finished)
        return OUTCOME_OPEN;
    return OUTCOME_CLEAN;
}

/* Its teardown is over (the tracker's CONN_DONE, read off the record): a RST, or both FINs with both
 * sides in TIME_WAIT or CLOSED.  Only retransmissions can follow while it lingers: it counts by its
 * verdict, not as open. */
static int conn_over(const struct conn *c)
{
    if (c->side[0].rst || c->side[1].rst)
        return 1;
    for (int s = 0; s < 2; s++)
        if (!c->side[s].fin || (c->side[s].state != ST_TIME_WAIT && c->side[s].state != ST_CLOSED))
            return 0;
    return 1;
}

/* ------------------------------------------------------------ memory */

/* What the allocator takes for a block of n bytes (glibc: a 16-byte header and rounding). */
static size_t block(size_t n) { return ((n + 8 + 15) & ~(size_t)15) + (n < 24 ? 16 : 0); }

/* The row's words and compressed JSON (owned & 4), in the row's own block right after it (one block a
 * connection: no allocator overhead nor holes between two): a header, the words, the JSON. */
#define BLOB_HEAD 8
static const uint8_t *blob_of(const struct row *r) { return (r->owned & 4) ? (const uint8_t *)(r + 1) : NULL; }
static uint32_t blob_u32(const uint8_t *b, int k)
{
    uint32_t v;
    memcpy(&v, b + 4 * k, sizeof v);
    return v;
}
static size_t blob_size(const struct row *r)
{
    const uint8_t *b = blob_of(r);
    return b ? BLOB_HEAD + strlen(r->words) + 1 + blob_u32(b, 0) : 0;
}

size_t row_json_len(const struct row *r)
{
    const uint8_t *b = blob_of(r);
    return b ? blob_u32(b, 1) : 0;
}

static size_t row_cost(const struct row *r)
{
    return block(sizeof *r + blob_size(r)) + ((r->owned & 1) ? block(strlen(r->app) + 1) : 0) +
           ((r->owned & 2) ? block(strlen(r->words) + 1) : 0);
}

/* A connection kept whole: the pipeline's count of it, and the summaries app_detach copies. */
static size_t conn_cost(const struct conn *c)
{
    size_t sums = 0;
    for (unsigned i = 0; i < c->nlayers; i++)
        sums += (c->layers[i].desc->summary_size + 15) & ~(size_t)15;
    return conn_memory(c) + (sums ? block(sums) : 0);
}

static void row_free(struct row *r)
{
    if (!r)
        return;
    if (r->owned & 1)
        free((char *)r->app);
    if (r->owned & 2)
        free((char *)r->words);
    free(r); /* with its words and JSON (owned & 4) */
}

/* A finished connection's row, its text owned (the usual words are not copied). */
static struct row *row_new(const struct conn *c)
{
    struct row_buf tmp;
    row_of(c, 1, &tmp);
    struct row *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    *r = tmp.r;
    r->owned = 0;
    static const char *const common[] = {"none", "unknown", "HTTP/2 h2c"};
    r->app = NULL;
    for (size_t k = 0; k < sizeof common / sizeof common[0] && !r->app; k++)
        if (!strcmp(tmp.app, common[k]))
            r->app = common[k];
    if (!r->app) {
        if (!(r->app = strdup(tmp.app))) {
            free(r);
            return NULL;
        }
        r->owned |= 1;
    }
    r->words = NULL;
    r->where_gen = 0;
    r->where_ok = 0;
    if (tmp.r.words) {
        if ((r->words = strdup(tmp.words)))
            r->owned |= 2;
    }
    return r;
}

/* ------------------------------------------------------------ the catalog */

void catalog_init(struct catalog *cat, size_t budget)
{
    memset(cat, 0, sizeof *cat);
    cat->budget = budget;
}

int catalog_add(struct catalog *cat, struct conn *c)
{
    for (int s = 0; s < 2; s++) { /* the list's endpoint columns grow to the widest */
        char ep[64];
        conn_endpoint_str(c, s, ep, sizeof ep);
        int w = (int)strlen(ep);
        if (w > cat->endpoint_w[s])
            cat->endpoint_w[s] = w;
    }
    if (cat->n == cat->cap) {
        size_t cap = cat->cap ? cat->cap * 2 : 256;
        struct cat_entry *e = realloc(cat->e, cap * sizeof *e);
        if (!e)
            return -1;
        cat->mem += (cap - cat->cap) * sizeof *e;
        cat->e = e;
        cat->cap = cap;
    }
    cat->e[cat->n].conn = c;
    cat->e[cat->n].row = NULL;
    cat->n++;
    return 0;
}

long catalog_find(const struct catalog *cat, uint64_t id)
{
    size_t lo = 0, hi = cat->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct cat_entry *e = &cat->e[mid];
        uint64_t mid_id = e->row ? e->row->id : e->conn->id;
        if (mid_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < cat->n) {
        const struct cat_entry *e = &cat->e[lo];
        if ((e->row ? e->row->id : e->conn->id) == id)
            return (long)lo;
    }
    return -1;
}

static int pinned(const struct catalog *cat, const struct conn *c)
{
    if (c == cat->pinned)
        return 1;
    for (size_t i = 0; i < cat->npins; i++)
        if (cat->pins[i] == c)
            return 1;
    return 0;
}

/*
 * Over the budget: the oldest connections kept whole let their events go
 * first (a row remains), then the oldest rows leave the list, until a
 * tenth of the budget is free.  Open connections are the pipeline's, and
 * what is on screen stays.
 */
static void shrink(struct catalog *cat)
{
    if (!cat->budget || cat->mem <= cat->budget)
        return;
    size_t target = cat->budget - cat->budget / 10;
    for (size_t i = 0; i < cat->n && cat->mem > target; i++) {
        struct cat_entry *e = &cat->e[i];
        if (e->row && e->conn && !pinned(cat, e->conn)) {
            cat->mem -= conn_cost(e->conn); /* what catalog_finish added: a finished record no longer changes */
            conn_free(e->conn);
            e->conn = NULL;
            cat->unladdered++;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < cat->n; i++) {
        struct cat_entry *e = &cat->e[i];
        if (cat->mem > target && e->row && !e->conn) {
            cat->mem -= row_cost(e->row);
            cat->dropped++;
            cat->dropped_totals[e->row->outcome]++;
            row_free(e->row);
            continue;
        }
        cat->e[kept++] = *e;
    }
    if (kept != cat->n)
        cat->generation++;
    cat->n = kept;
    /* the entries too: a quarter used, half of them go back */
    if (cat->cap > 256 && cat->n < cat->cap / 4) {
        size_t cap = cat->cap / 2;
        struct cat_entry *e = realloc(cat->e, cap * sizeof *e);
        if (e) {
            cat->mem -= (cat->cap - cap) * sizeof *e;
            cat->e = e;
            cat->cap = cap;
        }
    }
}

int catalog_finish(struct catalog *cat, struct conn *c, int keep_whole)
{
    long i = catalog_find(cat, c->id);
    if (i < 0 || cat->e[i].conn != c)
        return 0; /* never listed (memory ran out when it opened) */
    struct cat_entry *e = &cat->e[i];
    if (!(e->row = row_new(c))) { /* out of memory: it leaves the list, and the caller frees it */
        memmove(e, e + 1, (cat->n - (size_t)i - 1) * sizeof *e);
        cat->n--;
        cat->generation++;
        cat->dropped++;
        cat->dropped_totals[conn_outcome(c, 1)]++;
        return 0;
    }
    int keep = pinned(cat, c) || (keep_whole && (!cat->budget || cat->mem + conn_cost(c) <= cat->budget));
    cat->mem += row_cost(e->row);
    if (keep) {
        cat->mem += conn_cost(c);
    } else {
        e->conn = NULL;
    }
    shrink(cat);
    return keep;
}

const struct row *catalog_row(const struct catalog *cat, size_t i, struct row_buf *tmp)
{
    const struct cat_entry *e = &cat->e[i];
    if (e->row)
        return e->row;
    row_of(e->conn, 0, tmp);
    return &tmp->r;
}

struct conn *catalog_conn(const struct catalog *cat, size_t i) { return cat->e[i].conn; }

void catalog_pin(struct catalog *cat, const struct conn *c) { cat->pinned = c; }

uint16_t catalog_where_next(struct catalog *cat, uint16_t g)
{
    if (g < UINT16_MAX)
        return (uint16_t)(g + 1);
    for (size_t i = 0; i < cat->n; i++) /* wrapped: no cached verdict may pass for the new expression's */
        if (cat->e[i].row)
            cat->e[i].row->where_gen = 0;
    return 1;
}

void catalog_pin_set(struct catalog *cat, const struct conn *const *set, size_t n)
{
    cat->pins = set;
    cat->npins = n;
}

void catalog_count(struct catalog *cat)
{
    memcpy(cat->totals, cat->dropped_totals, sizeof cat->totals);
    for (size_t i = 0; i < cat->n; i++) {
        const struct cat_entry *e = &cat->e[i];
        cat->totals[e->row ? (enum outcome)e->row->outcome : conn_outcome(e->conn, conn_over(e->conn))]++;
    }
}

static void zip_free(struct json_zip *z);

void catalog_free(struct catalog *cat)
{
    zip_free(cat->zip);
    for (size_t i = 0; i < cat->n; i++) {
        struct cat_entry *e = &cat->e[i];
        if (e->row) { /* finished: the catalog's; open ones belong to the pipeline */
            if (e->conn)
                conn_free(e->conn);
            row_free(e->row);
        }
    }
    free(cat->e);
    memset(cat, 0, sizeof *cat);
}

void conn_app_text(const struct conn *c, char *buf, size_t len)
{
    if (c->nlayers) { /* the protocol it speaks, as it names itself: "TLS 1.3 example.com", "HTTP GET /x" */
        const struct proto_layer *l = &c->layers[c->app_layer < c->nlayers ? c->app_layer : 0];
        l->desc->label(l->sum, buf, len, 0);
    } else {
        uint64_t payload = c->side[0].payload.bytes + c->side[1].payload.bytes;
        snprintf(buf, len, "%s", payload ? "unknown" : "none");
    }
}

void row_endpoint_str(const struct row *r, int side, char *buf, size_t len)
{
    /* the connection model owns the formatting: a row's endpoint is a connection's */
    struct conn tmp;
    tmp.ipver = r->ipver;
    memcpy(tmp.side[side].addr, r->addr[side], PKT_ADDR_MAX);
    tmp.side[side].port = r->port[side];
    conn_endpoint_str(&tmp, side, buf, len);
}

static void fill_row(const struct conn *c, int finished, struct row_buf *tmp, int with_text);

void row_of(const struct conn *c, int finished, struct row_buf *tmp) { fill_row(c, finished, tmp, 1); }

/* The row; its text (app column, Host) only when asked: sorting by a number needs none. */
static void fill_row(const struct conn *c, int finished, struct row_buf *tmp, int with_text)
{
    struct row *r = &tmp->r;
    memset(r, 0, sizeof *r);
    r->id = c->id;
    r->first_ts_ns = c->first_ts_ns;
    r->last_ts_ns = c->last_ts_ns;
    r->first_offset = c->first_offset;
    r->last_offset = c->last_offset;
    r->packets = c->packets;
    r->bytes = c->side[0].payload.bytes + c->side[1].payload.bytes;
    for (int s = 0; s < 2; s++) {
        memcpy(r->addr[s], c->side[s].addr, PKT_ADDR_MAX);
        r->port[s] = c->side[s].port;
        r->state[s] = c->side[s].state;
    }
    r->ipver = c->ipver;
    r->handshake = c->handshake;
    r->teardown = c->teardown;
    r->finished = (uint8_t)finished;
    r->outcome = (uint8_t)conn_outcome(c, finished || conn_over(c)); /* over, only lingering */
    tmp->app[0] = '\0';
    r->app = tmp->app;
    if (!with_text)
        return;
    conn_app_text(c, tmp->app, sizeof tmp->app);
    /* each protocol's words for a search (the HTTP Host, the TLS handshake and certificate verdicts), cleaned */
    size_t at = 0;
    for (unsigned i = 0; i < c->nlayers && at + 1 < sizeof tmp->words; i++) {
        char w[160], clean[160];
        if (!c->layers[i].desc->search)
            continue;
        c->layers[i].desc->search(c->layers[i].sum, w, sizeof w);
        tt_cleans(clean, sizeof clean, w, 0);
        int n = snprintf(tmp->words + at, sizeof tmp->words - at, "%s%s", at ? " " : "", clean);
        if (n > 0)
            at += (size_t)n < sizeof tmp->words - at ? (size_t)n : sizeof tmp->words - at - 1;
    }
    if (at)
        r->words = tmp->words;
}

void row_search_text(const struct row *r, char *buf, size_t len)
{
    char cl[64], sv[64];
    row_endpoint_str(r, SIDE_CLIENT, cl, sizeof cl);
    row_endpoint_str(r, SIDE_SERVER, sv, sizeof sv);
    snprintf(buf, len, "%llu %s %s %s %s %s %s %s %s %s", (unsigned long long)r->id, cl, sv, r->app,
             r->words ? r->words : "", handshake_name(r->handshake), teardown_name(r->teardown),
             tcp_state_name(r->state[0]), tcp_state_name(r->state[1]), outcome_name(r->outcome));
}

static int filter_passes(enum outcome o, enum filter f)
{
    switch (f) {
    case FILTER_CLEAN: return o == OUTCOME_CLEAN;
    case FILTER_RESET: return o == OUTCOME_RESET;
    case FILTER_REFUSED: return o == OUTCOME_REFUSED;
    case FILTER_OPEN: return o == OUTCOME_OPEN;
    case FILTER_TLS_FAILED: return o == OUTCOME_TLS_FAILED;
    default: return 1;
    }
}

int row_matches(const struct row *r, enum filter f, const char *query)
{
    if (!filter_passes((enum outcome)r->outcome, f))
        return 0;
    if (!query || !*query)
        return 1;
    char text[512];
    row_search_text(r, text, sizeof text);
    size_t ql = strlen(query);
    for (const char *p = text; *p; p++)
        if (!strncasecmp(p, query, ql))
            return 1;
    return 0;
}

void view_init(struct view *v) { memset(v, 0, sizeof *v); }

int view_filtered(const struct view *v) { return v->filter != FILTER_ALL || v->query[0] || v->where; }

size_t view_memory(const struct view *v) { return 2 * v->cap * sizeof *v->idx; }
void view_free(struct view *v)
{
    free(v->idx);
    v->idx = NULL;
    v->n = v->cap = 0;
}

/* The merge sort's context: the catalog and the column. */
struct sort_ctx {
    const struct catalog *cat;
    enum column col;
};

static int cmp_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }
static int cmp_i64(int64_t a, int64_t b) { return (a > b) - (a < b); }

static int endpoint_cmp(const struct row *a, const struct row *b, int side)
{
    if (a->ipver != b->ipver)
        return a->ipver - b->ipver;
    int r = memcmp(a->addr[side], b->addr[side], a->ipver == 6 ? 16 : 4);
    return r ? r : (int)a->port[side] - (int)b->port[side];
}

static int compare(const struct sort_ctx *s, uint32_t x, uint32_t y)
{
    struct row_buf ta, tb;
    const struct cat_entry *ex = &s->cat->e[x], *ey = &s->cat->e[y];
    const struct row *a = ex->row, *b = ey->row;
    if (!a) { /* an open connection: its row on the spot, the text only when sorting by it */
        fill_row(ex->conn, 0, &ta, s->col == COL_APP);
        a = &ta.r;
    }
    if (!b) {
        fill_row(ey->conn, 0, &tb, s->col == COL_APP);
        b = &tb.r;
    }
    int r = 0;
    switch (s->col) {
    case COL_START: r = cmp_i64(a->first_ts_ns, b->first_ts_ns); break;
    case COL_CLIENT: r = endpoint_cmp(a, b, SIDE_CLIENT); break;
    case COL_SERVER: r = endpoint_cmp(a, b, SIDE_SERVER); break;
    case COL_APP: r = strcmp(a->app, b->app); break;
    case COL_HANDSHAKE: r = strcmp(handshake_name(a->handshake), handshake_name(b->handshake)); break;
    case COL_TEARDOWN: r = strcmp(teardown_name(a->teardown), teardown_name(b->teardown)); break;
    case COL_STATES:
        r = strcmp(tcp_state_name(a->state[0]), tcp_state_name(b->state[0]));
        if (!r)
            r = strcmp(tcp_state_name(a->state[1]), tcp_state_name(b->state[1]));
        break;
    case COL_PACKETS: r = cmp_u64(a->packets, b->packets); break;
    case COL_BYTES: r = cmp_u64(a->bytes, b->bytes); break;
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
    for (size_t i = 0; i < cat->n; i++) {
        const struct cat_entry *e = &cat->e[i];
        int in;
        if (!v->query[0]) { /* the filter alone: an open connection needs no row made */
            in = filter_passes(e->row ? (enum outcome)e->row->outcome : conn_outcome(e->conn, conn_over(e->conn)),
                               v->filter);
        } else {
            struct row_buf tmp;
            in = row_matches(catalog_row(cat, i, &tmp), v->filter, v->query);
        }
        if (in && v->where)
            in = v->where(v->where_ctx, cat, i);
        if (in)
            v->idx[v->n++] = (uint32_t)i;
    }
    v->passing = v->n;
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

/* ------------------------------------------------------------ the rows' JSON, compressed (zstd, RFC 8878) */

/* What a row's JSON object usually says: the compressor finds most of a line in it (a 1.5 KB line takes
 * about 300 bytes).  Any connection's JSON object of this version, its values don't matter much. */
static const char json_dict[] =
    "{\"id\":1,\"schema_version\":1,\"client\":\"10.99.1.2:45226\",\"server\":\"10.99.1.1:443\",\"client_"
    "ip\":\"10.99.1.2\",\"client_port\":45226,\"server_ip\":\"10.99.1.1\",\"server_port\":443,\"community"
    "_id\":\"1:UCIyrp/XBcW/J8M5MvmQz4pBiIg=\",\"ip_version\":4,\"first_ts\":1795814973.870359,\"last_ts\""
    ":1795814973.876459,\"packets\":17,\"client_packets\":9,\"server_packets\":8,\"bytes_c2s\":425,\"byte"
    "s_s2c\":2854,\"handshake\":\"complete\",\"syn_retransmits\":0,\"handshake_rtt_ms\":0.031,\"teardown\""
    ":\"four-way\",\"closed_by\":\"server\",\"client_state\":\"CLOSED\",\"server_state\":\"TIME_WAIT\",\""
    "duration\":0.006100,\"conn_state\":\"SF\",\"history\":\"ShADadfF\",\"app\":\"tls\",\"flags\":{\"syn\""
    ":1,\"synack\":1,\"fin\":2,\"rst\":0},\"analysis\":{\"retransmissions\":0,\"out_of_order\":0,\"dup_ac"
    "ks\":0,\"zero_windows\":0,\"window_updates\":0,\"keep_alives\":0,\"lost_segments\":0},\"gap_bytes\":"
    "0,\"truncated_packets\":0,\"link\":\"EN10MB\",\"ip\":{\"reassembled\":0,\"fragment_anomalies\":0,\"o"
    "ffload\":0,\"length_exceeds_frame\":0},\"capped\":{\"evicted\":false,\"reassembly_bytes\":0,\"holes_"
    "given_up\":0,\"events\":false},\"tls\":{\"version\":\"TLS 1.2\",\"sni\":\"www.synfin.test\",\"alpn\""
    ":\"http/1.1\",\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"handshake\":\"full\",\"certific"
    "ates\":2,\"cert_verify\":\"ok\",\"alert\":null,\"ja3\":\"0c8b0fbd5a98402050843cbeafdf6748\",\"ja4\":"
    "\"t12d0111h1_f06271c2b022_577ffa9d9a5c\",\"ja3_string\":\"771,49199,5-10-11-13-16-22-23-35-65281-0-2"
    "8,23-24-25-29-30,0\",\"ja3s\":\"3eb7e9924b97525aa52a089b9cf3c60f\",\"ja3s_string\":\"771,49199,11-16"
    "-23-35-65281-28\",\"ja4s\":\"t1206h1_c02f_5719cdcb91cd\",\"auth\":\"certificate\",\"group\":\"secp25"
    "6r1\",\"records_c2s\":5,\"records_s2c\":9,\"bytes_c2s\":400,\"bytes_s2c\":2809,\"messages\":[\"Clien"
    "tHello\",\"ServerHello\",\"Certificate\",\"ServerKeyExchange\",\"ServerHelloDone\",\"ClientKeyExchan"
    "ge\",\"NewSessionTicket\"],\"established\":true,\"app_records_c2s\":1,\"app_records_s2c\":1,\"encryp"
    "ted_alerts\":1,\"client_hello\":{\"version\":\"TLS 1.2\",\"sslv2_format\":false,\"versions\":[],\"ci"
    "phers_count\":1,\"extensions_count\":11,\"alpn\":[\"http/1.1\"],\"groups\":[\"secp256r1\",\"secp384r"
    "1\",\"secp521r1\",\"x25519\",\"x448\"],\"key_share\":[],\"session_id_length\":0,\"session_ticket\":f"
    "alse,\"psk\":false,\"early_data\":false},\"server_hello\":{\"version\":\"TLS 1.2\",\"hello_retry\":f"
    "alse,\"psk_accepted\":false,\"session_id_length\":32,\"compression\":\"null\"},\"certificate\":{\"su"
    "bject\":\"CN=www.synfin.test,O=synfin tests\",\"issuer\":\"CN=synfin test CA,O=synfin tests\",\"sans"
    "\":[\"www.synfin.test\"],\"not_before\":1735689600,\"not_after\":2366841600,\"key_type\":\"RSA\",\"k"
    "ey_bits\":2048,\"signature_algorithm\":\"RSA-SHA256\",\"not_before_iso\":\"2025-01-01T00:00:00Z\",\""
    "not_after_iso\":\"2045-01-01T00:00:00Z\",\"sha256\":\"f69a85fa7fba99e4976965f386e21b343ac179c6b43f58"
    "44be85cf70f2634831\",\"serial\":\"02\"},\"decrypted\":false}}";

/* zstd with the dictionary prepared once (ZSTD_createCDict): zlib's deflate took the dictionary in
 * again for every row (deflateSetDictionary) and made a 2-million connection flood load 5x slower. */
struct json_zip {
    ZSTD_CCtx *cc;
    ZSTD_DCtx *dc;
    ZSTD_CDict *cd;
    ZSTD_DDict *dd;
    uint8_t *out;
    size_t cap;
};

static void zip_free(struct json_zip *z)
{
    if (!z)
        return;
    ZSTD_freeCCtx(z->cc);
    ZSTD_freeDCtx(z->dc);
    ZSTD_freeCDict(z->cd);
    ZSTD_freeDDict(z->dd);
    free(z->out);
    free(z);
}

static struct json_zip *zip_of(const struct catalog *cat)
{
    struct catalog *mut = (struct catalog *)cat; /* the compressor is made once, on first use */
    if (mut->zip)
        return mut->zip;
    struct json_zip *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->cc = ZSTD_createCCtx();
    z->dc = ZSTD_createDCtx();
    z->cd = ZSTD_createCDict(json_dict, sizeof json_dict - 1, 1); /* level 1: the rows are short */
    z->dd = ZSTD_createDDict(json_dict, sizeof json_dict - 1);
    if (!z->cc || !z->dc || !z->cd || !z->dd) {
        zip_free(z);
        return NULL;
    }
    mut->zip = z;
    mut->mem += sizeof *z + ZSTD_sizeof_CDict(z->cd) + ZSTD_sizeof_DDict(z->dd) + (512u << 10); /* and the contexts' */
    return z;
}

int catalog_set_json(struct catalog *cat, uint64_t id, const char *json, size_t len)
{
    long i = catalog_find(cat, id);
    struct json_zip *z = zip_of(cat);
    if (i < 0 || !cat->e[i].row || !z || len > UINT32_MAX / 2)
        return -1;
    struct row *r = cat->e[i].row;
    size_t bound = ZSTD_compressBound(len);
    if (z->cap < bound) {
        uint8_t *o = realloc(z->out, bound);
        if (!o)
            return -1;
        z->out = o;
        z->cap = bound;
    }
    size_t zl = ZSTD_compress_usingCDict(z->cc, z->out, z->cap, json, len, z->cd);
    if (ZSTD_isError(zl))
        return -1;
    /* the words (a copy of their own, or already in the row's block) go in the block with the JSON */
    size_t wl = r->words ? strlen(r->words) + 1 : 1;
    char *words = malloc(wl);
    if (!words)
        return -1;
    memcpy(words, r->words ? r->words : "", wl);
    size_t before = row_cost(r);
    struct row *n = realloc(r, sizeof *r + BLOB_HEAD + wl + zl);
    if (!n) {
        free(words);
        return -1;
    }
    uint8_t *b = (uint8_t *)(n + 1);
    uint32_t head[2] = {(uint32_t)zl, (uint32_t)len};
    memcpy(b, head, sizeof head);
    memcpy(b + BLOB_HEAD, words, wl);
    memcpy(b + BLOB_HEAD + wl, z->out, zl);
    free(words);
    if (n->owned & 2)
        free((char *)n->words);
    n->words = (const char *)b + BLOB_HEAD;
    n->owned = (uint8_t)((n->owned & ~2) | 4);
    cat->e[i].row = n;
    cat->mem = cat->mem - before + row_cost(n);
    shrink(cat);
    return 0;
}

size_t catalog_row_json(const struct catalog *cat, size_t i, char *buf, size_t cap)
{
    const struct row *r = cat->e[i].row;
    const uint8_t *b = r ? blob_of(r) : NULL;
    struct json_zip *z = zip_of(cat);
    if (!b || !z || blob_u32(b, 1) > cap)
        return 0;
    const char *packed = r->words + strlen(r->words) + 1;
    size_t n = ZSTD_decompress_usingDDict(z->dc, buf, cap, packed, blob_u32(b, 0), z->dd);
    return ZSTD_isError(n) ? 0 : n;
}
