/*
 * app.c - protocol recognition and dispatch (see app.h).
 *
 * Recognition looks at the first bytes each side sent, never at the port:
 * a TLS record header or SSLv2 hello, an HTTP request or status line, the
 * HTTP/2 preface.  While a side's first bytes are still ambiguous (an HTTP
 * request line not finished yet) they are kept, up to a cap, and replayed
 * to the parser once the protocol is known; a connection that is neither
 * after the cap, or whose bytes say otherwise, is "unknown" for good.
 */
#include "app.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "keylog.h"
#include "tls.h"
#include "x509.h"

#define SNIFF_CAP 8192 /* an HTTP request line may be this long before we give up on it */

enum proto { PROTO_UNDECIDED, PROTO_TLS, PROTO_HTTP, PROTO_OTHER };

struct app_ctx {
    struct app_config cfg;
    struct x509_verifier *verifier;  /* the trust anchors, or NULL */
    int verifier_tried;
    /* The system store takes tens of milliseconds to parse: it loads on a
     * thread of its own, from the first TLS connection on, while packets
     * are read (tls.c puts off the checks that would wait for it). */
    pthread_t loader;
    int loading;                     /* the loader thread was started and not yet joined */
    atomic_int loaded;               /* set by the loader thread as it ends */
    struct tls_fp_cache *fingerprints;
    struct keylog *keys;             /* NULL: no key log, nothing is decrypted */
    const char *keys_path;
    int64_t keys_reloaded_ns;
    int keys_reload_warned;          /* a failed re-read is said once, not per connection */
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void keylog_warning(void *ctx, const char *path, unsigned line, const char *why)
{
    struct app_ctx *ax = ctx;
    char msg[512];
    if (line == 0)
        snprintf(msg, sizeof msg, "%s: %s", path, why);
    else
        snprintf(msg, sizeof msg, "%s:%u: %s (the line is skipped)", path, line, why);
    if (ax->cfg.warn)
        ax->cfg.warn(ax->cfg.warn_ctx, msg);
}

/* The tls parser's key lookup: a live capture's key log may be written after the handshake. */
static const uint8_t *find_secret(void *ctx, const uint8_t client_random[32], enum keylog_label label, size_t *len)
{
    struct app_ctx *ax = ctx;
    const uint8_t *s = keylog_find(ax->keys, client_random, label, len);
    if (!s && ax->cfg.live && ax->keys_path && mono_ns() - ax->keys_reloaded_ns > 100000000LL) {
        char err[256];
        ax->keys_reloaded_ns = mono_ns();
        int added = keylog_load(ax->keys, ax->keys_path, keylog_warning, ax, err, sizeof err);
        if (added > 0)
            s = keylog_find(ax->keys, client_random, label, len);
        if (added < 0 && !ax->keys_reload_warned && ax->cfg.warn) {
            char msg[320];
            snprintf(msg, sizeof msg, "%s (new keys are not read)", err);
            ax->cfg.warn(ax->cfg.warn_ctx, msg);
            ax->keys_reload_warned = 1;
        }
    }
    return s;
}

int app_load_keylog(struct app_ctx *ax, const char *path, char *err)
{
    if (!ax->keys) {
        if (!(ax->keys = keylog_new())) {
            snprintf(err, 256, "out of memory");
            return -1;
        }
        keylog_set_max_bytes(ax->keys, ax->cfg.keylog_max_bytes);
    }
    ax->keys_path = path;
    ax->keys_reloaded_ns = mono_ns();
    return keylog_load(ax->keys, path, keylog_warning, ax, err, 256);
}

static void *load_system_store(void *arg)
{
    struct app_ctx *ax = arg;
    char err[256];
    ax->verifier = x509_verifier_new(NULL, err, sizeof err); /* an empty store is no error */
    atomic_store(&ax->loaded, 1);
    return NULL;
}

/* Would lazy_verifier answer without waiting for the loader? */
static int verifier_ready(void *ctx)
{
    struct app_ctx *ax = ctx;
    return !ax->loading || atomic_load(&ax->loaded);
}

static void wait_for_store(struct app_ctx *ax)
{
    if (ax->loading) {
        pthread_join(ax->loader, NULL);
        ax->loading = 0;
    }
}

struct app_state {
    enum proto proto;
    struct conn *conn;               /* for the parsers' message callbacks */
    uint8_t *sniff[2];               /* first bytes of a side, while undecided */
    size_t sniff_len[2];
    struct tls_conn *tls;
    struct http_conn *http;
};

static struct x509_verifier *lazy_verifier(void *ctx)
{
    struct app_ctx *ax = ctx;
    wait_for_store(ax);
    if (!ax->verifier_tried && !ax->cfg.no_verify) {
        char err[256];
        ax->verifier_tried = 1;
        ax->verifier = x509_verifier_new(ax->cfg.ca_file, err, sizeof err);
    }
    return ax->verifier;
}

struct app_ctx *app_ctx_new(const struct app_config *cfg, char *err)
{
    struct app_ctx *ax = calloc(1, sizeof *ax);
    if (!ax) {
        snprintf(err, 256, "out of memory");
        return NULL;
    }
    ax->cfg = *cfg;
    ax->fingerprints = tls_fp_cache_new(); /* NULL is fine: fingerprints are then computed each time */
    if (cfg->keylog_file && app_load_keylog(ax, cfg->keylog_file, err) < 0) {
        if (!cfg->keylog_optional) {
            app_ctx_free(ax);
            return NULL;
        }
        /* SSLKEYLOGFILE, or live: a file not there yet is expected; one that is there but cannot be read is said */
        if (access(cfg->keylog_file, F_OK) == 0 && cfg->warn) {
            char msg[320];
            snprintf(msg, sizeof msg, "%s (TLS is not decrypted)", err);
            cfg->warn(cfg->warn_ctx, msg);
        }
        err[0] = '\0';
    }
    if (cfg->ca_file && !cfg->no_verify) { /* a bad CA file is the user's mistake: say so at once */
        ax->verifier_tried = 1;
        ax->verifier = x509_verifier_new(cfg->ca_file, err, 256);
        if (!ax->verifier) {
            app_ctx_free(ax); /* the key log too: its secrets zeroed, its descriptor closed */
            return NULL;
        }
    }
    return ax;
}

/* The first TLS connection starts loading the system store on its thread,
 * so a capture without TLS never pays for it (tens of milliseconds). */
static void start_loading(struct app_ctx *ax)
{
    if (ax->verifier_tried || ax->cfg.no_verify || ax->cfg.lazy_store)
        return;
    ax->loading = pthread_create(&ax->loader, NULL, load_system_store, ax) == 0;
    ax->verifier_tried = ax->loading; /* no thread: load on first use instead */
}

size_t app_shared_memory(const struct app_ctx *ax) { return ax ? keylog_memory(ax->keys) : 0; }

void app_ctx_free(struct app_ctx *ax)
{
    if (!ax)
        return;
    wait_for_store(ax);
    x509_verifier_free(ax->verifier);
    tls_fp_cache_free(ax->fingerprints);
    keylog_free(ax->keys);
    free(ax);
}

/* ------------------------------------------------------------ parser callbacks */

static void on_tls_event(void *ctx, const struct tls_event *ev)
{
    struct app_state *st = ctx;
    static const enum app_msg_kind kinds[] = {
        [TLS_EV_HANDSHAKE] = MSG_TLS_HANDSHAKE, [TLS_EV_CCS] = MSG_TLS_CCS, [TLS_EV_ALERT] = MSG_TLS_ALERT,
        [TLS_EV_ENCRYPTED_HS] = MSG_TLS_ENCRYPTED, [TLS_EV_APP_DATA] = MSG_TLS_APPDATA,
        [TLS_EV_ESTABLISHED] = MSG_MARK, [TLS_EV_MALFORMED] = MSG_NOTE,
    };
    conn_add_msg_data(st->conn, ev->from_server ? SIDE_SERVER : SIDE_CLIENT, kinds[ev->kind], ev->code, ev->label,
                      ev->data, ev->data_len);
}

static void on_http_msg(void *ctx, int from_client, const char *line)
{
    struct app_state *st = ctx;
    conn_add_msg(st->conn, from_client ? SIDE_CLIENT : SIDE_SERVER,
                 from_client ? MSG_HTTP_REQUEST : MSG_HTTP_RESPONSE, 0, line);
}

/* ------------------------------------------------------------ recognition */

static struct app_state *state_of(struct conn *c)
{
    if (!c->app) {
        c->app = calloc(1, sizeof *c->app);
        if (c->app)
            c->app->conn = c;
    }
    return c->app;
}

/* Decrypted application data: the protocol inside TLS (HTTP/1.x, or HTTP/2 when ALPN chose h2). */
static void on_plaintext(void *ctx, int from_server, const uint8_t *p, size_t n)
{
    struct app_state *st = ctx;
    struct conn *c = st->conn;
    if (!st->http) {
        st->http = http_new(c->keep_events ? on_http_msg : NULL, st);
        if (!st->http)
            return;
        c->http = http_summary_of(st->http);
        if (c->tls && namelist_first_is(c->tls->sh.alpn, "h2"))
            http_start_h2(st->http);
    }
    http_data(st->http, !from_server, p, n);
}

static void start_tls(struct app_ctx *ax, struct conn *c, struct app_state *st)
{
    start_loading(ax);
    struct tls_config tc = {.verifier = lazy_verifier, .verifier_ready = verifier_ready, .verifier_ctx = ax,
                            .fingerprints = ax->fingerprints,
                            .secret = ax->keys ? find_secret : NULL, .secret_ctx = ax,
                            .plaintext = on_plaintext, .plaintext_ctx = st};
    /* without a ladder to draw, nobody listens: the parser skips its labels */
    st->tls = tls_new(&tc, c->keep_events ? on_tls_event : NULL, st);
    st->proto = st->tls ? PROTO_TLS : PROTO_OTHER;
    if (st->tls) {
        c->tls = tls_summary_of(st->tls);
        c->app_kind = APP_TLS;
    }
}

static void start_http(struct conn *c, struct app_state *st)
{
    st->http = http_new(c->keep_events ? on_http_msg : NULL, st);
    st->proto = st->http ? PROTO_HTTP : PROTO_OTHER;
    if (st->http) {
        c->http = http_summary_of(st->http);
        c->app_kind = APP_HTTP;
    }
}

static void feed(struct conn *c, struct app_state *st, int dir, const uint8_t *p, size_t n)
{
    if (st->proto == PROTO_TLS)
        tls_data(st->tls, dir == SIDE_SERVER, p, n, c->last_ts_ns / 1000000000);
    else if (st->proto == PROTO_HTTP)
        http_data(st->http, dir == SIDE_CLIENT, p, n);
}

/* What a side's first bytes say: a protocol, or PROTO_UNDECIDED for "more, please". */
static enum proto classify(const uint8_t *p, size_t n, int from_client, int full)
{
    int t = tls_sniff(p, n);
    if (t == 1)
        return PROTO_TLS;
    enum http_sniff h = http_sniff(p, n, from_client);
    if (h == HTTP_SNIFF_H1 || h == HTTP_SNIFF_H2)
        return PROTO_HTTP;
    if ((t == -1 || h == HTTP_SNIFF_MORE) && !full)
        return PROTO_UNDECIDED;
    return PROTO_OTHER;
}

void app_data(struct app_ctx *ax, struct conn *c, int dir, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    struct app_state *st = state_of(c);
    if (!st)
        return;
    if (st->proto != PROTO_UNDECIDED) {
        feed(c, st, dir, p, n);
        return;
    }
    /* look at this side's first bytes, joined with what was kept of them */
    const uint8_t *look = p;
    size_t look_len = n;
    if (st->sniff_len[dir]) {
        size_t add = n < SNIFF_CAP - st->sniff_len[dir] ? n : SNIFF_CAP - st->sniff_len[dir];
        memcpy(st->sniff[dir] + st->sniff_len[dir], p, add);
        st->sniff_len[dir] += add;
        look = st->sniff[dir];
        look_len = st->sniff_len[dir];
    }
    enum proto pr = classify(look, look_len, dir == SIDE_CLIENT, look_len >= SNIFF_CAP);
    if (pr == PROTO_UNDECIDED) {
        if (!st->sniff_len[dir]) {
            st->sniff[dir] = malloc(SNIFF_CAP);
            if (!st->sniff[dir]) {
                st->proto = PROTO_OTHER;
                return;
            }
            size_t keep = n < SNIFF_CAP ? n : SNIFF_CAP;
            memcpy(st->sniff[dir], p, keep);
            st->sniff_len[dir] = keep;
        }
        return;
    }
    if (pr == PROTO_TLS)
        start_tls(ax, c, st);
    else if (pr == PROTO_HTTP)
        start_http(c, st);
    else {
        st->proto = PROTO_OTHER;
        c->app_kind = APP_UNKNOWN;
    }
    /* replay what was kept, of both sides (the other side may have been waiting too) */
    for (int s = 0; s < 2; s++) {
        if (st->sniff_len[s]) {
            size_t len = st->sniff_len[s];
            uint8_t *kept = st->sniff[s];
            st->sniff[s] = NULL;
            st->sniff_len[s] = 0;
            /* this call's bytes are already inside `kept` for the deciding side */
            feed(c, st, s, kept, len);
            if (s == dir)
                p = NULL;
            free(kept);
        }
    }
    if (p)
        feed(c, st, dir, p, n);
}

void app_gap(struct app_ctx *ax, struct conn *c, int dir, uint64_t n)
{
    (void)ax;
    struct app_state *st = c->app;
    if (!st)
        return;
    if (st->proto == PROTO_UNDECIDED) {
        /* the first bytes are gone: nothing can be recognised on this side any more */
        free(st->sniff[dir]);
        st->sniff[dir] = NULL;
        st->sniff_len[dir] = 0;
        return;
    }
    if (st->proto == PROTO_TLS)
        tls_gap(st->tls, dir == SIDE_SERVER);
    else if (st->proto == PROTO_HTTP)
        http_gap(st->http, dir == SIDE_CLIENT, n);
}

void app_rst(struct app_ctx *ax, struct conn *c)
{
    (void)ax;
    if (c->app && c->app->proto == PROTO_TLS)
        tls_rst(c->app->tls);
}

void app_finish(struct app_ctx *ax, struct conn *c)
{
    struct app_state *st = c->app;
    if (st && st->proto == PROTO_UNDECIDED) {
        /* the connection ended while a side's first bytes were still ambiguous */
        for (int s = 0; s < 2 && st->proto == PROTO_UNDECIDED; s++)
            if (st->sniff_len[s]) {
                enum proto pr = classify(st->sniff[s], st->sniff_len[s], s == SIDE_CLIENT, 1);
                if (pr == PROTO_TLS || pr == PROTO_HTTP) {
                    uint8_t *kept = st->sniff[s];
                    size_t len = st->sniff_len[s];
                    st->sniff[s] = NULL;
                    st->sniff_len[s] = 0;
                    app_data(ax, c, s, kept, len);
                    free(kept);
                }
            }
    }
    if (st && st->proto == PROTO_TLS)
        tls_end(st->tls);
    if (st && st->http)
        http_end(st->http); /* plain HTTP, or what was decrypted inside TLS */
    uint64_t payload = c->side[0].stream.unique_bytes + c->side[1].stream.unique_bytes;
    if (st && st->proto == PROTO_TLS)
        c->app_kind = APP_TLS;
    else if (st && st->proto == PROTO_HTTP)
        c->app_kind = APP_HTTP;
    else
        c->app_kind = payload ? APP_UNKNOWN : APP_NONE;
}

size_t app_memory(const struct conn *c)
{
    const struct app_state *st = c->app;
    if (!st)
        return 0;
    return sizeof *st + (st->sniff[0] ? SNIFF_CAP : 0) + (st->sniff[1] ? SNIFF_CAP : 0) +
           (st->tls ? tls_memory(st->tls) : 0) + http_memory(st->http);
}

void app_detach(struct conn *c)
{
    const struct tls_summary *t = c->tls;
    const struct http_summary *h = c->http;
    size_t tl = t ? sizeof *t : 0, hl = h ? sizeof *h : 0;
    uint8_t *copy = tl + hl ? malloc(tl + hl) : NULL;
    if (copy) {
        if (t)
            memcpy(copy, t, tl);
        if (h)
            memcpy(copy + tl, h, hl);
    }
    app_free(c);
    if (copy) { /* one block, both summaries: freed with the connection */
        c->owned_summaries = copy;
        c->tls = t ? (const struct tls_summary *)copy : NULL;
        c->http = h ? (const struct http_summary *)(copy + tl) : NULL;
    }
}

void app_free(struct conn *c)
{
    struct app_state *st = c->app;
    if (!st)
        return;
    tls_free(st->tls);
    http_free(st->http);
    free(st->sniff[0]);
    free(st->sniff[1]);
    free(st);
    c->app = NULL;
    c->tls = NULL;
    c->http = NULL;
}
