/*
 * pipeline.c - the packet path and connection lifetimes (see pipeline.h).
 */
#include "pipeline.h"

#include <stdlib.h>

#include "app.h"
#include "decode.h"
#include "flow.h"
#include "tcp.h"

struct pipeline {
    struct pipeline_config cfg;
    struct conn_sink sink;
    struct flow_table *flows;
    struct tcp_ctx tcp;
    struct pipeline_stats st;
    uint64_t frame;
    uint64_t next_id;
    size_t mem;                /* bytes the open connections hold (conn->mem summed) */
};

/* Count a connection's bytes again after it changed; the application layer's
 * part only when it was handed something (most packets are bare ACKs). */
static void account(struct pipeline *pl, struct conn *c, int app_touched)
{
    if (app_touched)
        c->app_mem = app_memory(c);
    size_t now = conn_memory(c) + c->app_mem;
    pl->mem = pl->mem - c->mem + now;
    c->mem = now;
    if (pl->mem > pl->st.peak_memory)
        pl->st.peak_memory = pl->mem;
}

struct pipeline *pipeline_new(const struct pipeline_config *cfg, const struct conn_sink *sink)
{
    struct pipeline *pl = calloc(1, sizeof *pl);
    if (!pl)
        return NULL;
    pl->flows = flow_new();
    if (!pl->flows) {
        free(pl);
        return NULL;
    }
    pl->cfg = *cfg;
    pl->sink = *sink;
    pl->tcp.reasm_budget = cfg->reasm_budget;
    pl->next_id = 1;
    return pl;
}

/* Reassembled bytes go to the application layer, with the connection they belong to. */
struct app_call {
    struct app_ctx *app;
    struct conn *conn;
    int touched; /* the application layer was called */
};

static void call_data(void *ctx, int dir, uint64_t offset, const uint8_t *data, size_t len)
{
    (void)offset;
    struct app_call *a = ctx;
    a->touched = 1;
    app_data(a->app, a->conn, dir, data, len);
}

static void call_gap(void *ctx, int dir, uint64_t offset, uint64_t len)
{
    (void)offset;
    struct app_call *a = ctx;
    a->touched = 1;
    app_gap(a->app, a->conn, dir, len);
}

/* Point the TCP observer's consumer at this connection for the coming call. */
static void aim_consumer(struct pipeline *pl, struct conn *c, struct app_call *call, struct stream_consumer *sc)
{
    if (!pl->cfg.app) {
        pl->tcp.consumer = NULL;
        return;
    }
    call->app = pl->cfg.app;
    call->conn = c;
    call->touched = 0;
    sc->ctx = call;
    sc->on_data = call_data;
    sc->on_gap = call_gap;
    pl->tcp.consumer = sc;
}

static void finalize(struct pipeline *pl, struct conn *c)
{
    struct app_call call;
    struct stream_consumer sc;
    aim_consumer(pl, c, &call, &sc);
    tcp_finish(c, &pl->tcp);
    if (pl->cfg.app)
        app_finish(pl->cfg.app, c);
    else
        c->app_kind = c->side[0].stream.unique_bytes || c->side[1].stream.unique_bytes ? APP_UNKNOWN : APP_NONE;
    flow_remove(pl->flows, c);
    pl->mem -= c->mem;
    c->mem = 0;
    for (int s = 0; s < 2; s++) {
        pl->st.reassembly_bytes += c->side[s].stream.over_budget;
        pl->st.holes_given_up += c->side[s].stream.holes_given_up;
    }
    pl->st.evicted += c->evicted;
    pl->st.events_capped += c->events_capped;
    int kept = pl->sink.conn_done ? pl->sink.conn_done(pl->sink.ctx, c) : 0;
    if (kept) {
        app_detach(c);
    } else {
        app_free(c);
        conn_free(c);
    }
}

void pipeline_expire(struct pipeline *pl, int64_t now_ns)
{
    struct conn *c;
    while ((c = flow_oldest(pl->flows, FLOW_DONE)) && now_ns - c->last_ts_ns > pl->cfg.linger_ns)
        finalize(pl, c);
    while ((c = flow_oldest(pl->flows, FLOW_CLOSING)) && now_ns - c->last_ts_ns > pl->cfg.closing_linger_ns)
        finalize(pl, c);
    while ((c = flow_oldest(pl->flows, FLOW_ACTIVE)) && now_ns - c->last_ts_ns > pl->cfg.idle_timeout_ns)
        finalize(pl, c);
}

/*
 * Over the memory cap: finalize connections early, the ones that will
 * finish anyway first (closing, done), then the longest idle, until a tenth
 * of the cap is free again; each is written out marked "evicted".  If the
 * connection at hand alone is too big, it stops keeping events.
 */
static void make_room(struct pipeline *pl, struct conn *current)
{
    size_t target = pl->cfg.memcap - pl->cfg.memcap / 10;
    if (current->mem > target && current->keep_events) {
        /* the connection at hand alone fills the cap: evicting the others would free next to
         * nothing and cut each of them in pieces, packet after packet; its events stop instead */
        current->events_capped = 1;
        current->keep_events = 0;
        account(pl, current, 0);
    }
    static const enum flow_list order[] = {FLOW_DONE, FLOW_CLOSING, FLOW_ACTIVE};
    for (size_t k = 0; k < 3 && pl->mem > target; k++) {
        struct conn *c;
        while (pl->mem > target && (c = flow_oldest(pl->flows, order[k])) && c != current) {
            c->evicted = 1;
            finalize(pl, c);
        }
    }
    if (pl->mem > pl->cfg.memcap && current->keep_events) {
        current->events_capped = 1;
        current->keep_events = 0;
        account(pl, current, 0);
    }
}

static void count_status(struct pipeline_stats *st, enum decode_status ds)
{
    switch (ds) {
    case DECODE_NOT_IP: st->not_ip++; break;
    case DECODE_NOT_TCP: st->not_tcp++; break;
    case DECODE_FRAGMENT: st->fragments++; break;
    case DECODE_TRUNCATED: st->truncated_headers++; break;
    case DECODE_MALFORMED: st->malformed++; break;
    case DECODE_OK: break;
    }
}

static struct conn *start_conn(struct pipeline *pl, const struct pkt *p, int64_t ts_ns, int *from)
{
    int client_first = tcp_first_sender_is_client(p);
    struct conn *c = conn_new(pl->next_id, p, client_first, ts_ns);
    if (!c || flow_insert(pl->flows, c) < 0) {
        conn_free(c);
        pl->st.out_of_memory++;
        return NULL;
    }
    pl->next_id++;
    pl->st.connections++;
    account(pl, c, 1);
    if (flow_count(pl->flows) > pl->st.max_open)
        pl->st.max_open = flow_count(pl->flows);
    tcp_start(c, p);
    *from = client_first ? SIDE_CLIENT : SIDE_SERVER;
    return c;
}

void pipeline_packet(struct pipeline *pl, int dlt, int64_t ts_ns, const uint8_t *data, uint32_t caplen,
                     uint32_t wirelen, int64_t offset)
{
    pipeline_packet_on(pl, 0, dlt, ts_ns, data, caplen, wirelen, offset);
}

static void note_iface(struct conn *c, uint32_t iface)
{
    for (uint8_t i = 0; i < c->nifaces; i++)
        if (c->ifaces[i] == iface)
            return;
    if (c->nifaces < CONN_IFACES)
        c->ifaces[c->nifaces++] = iface;
}

void pipeline_packet_on(struct pipeline *pl, uint32_t iface, int dlt, int64_t ts_ns, const uint8_t *data,
                        uint32_t caplen, uint32_t wirelen, int64_t offset)
{
    struct pkt p;
    pl->frame++;
    pl->st.packets++;
    enum decode_status ds = decode_packet(dlt, data, caplen, wirelen, &p);
    if (ds != DECODE_OK) {
        count_status(&pl->st, ds);
        pipeline_expire(pl, ts_ns);
        return;
    }
    pl->st.tcp++;
    if (p.truncated)
        pl->st.truncated_payload++;

    int from = 0;
    struct conn *c = flow_lookup(pl->flows, &p, &from);
    if (c && (p.flags & (TH_SYN | TH_ACK)) == TH_SYN && tcp_syn_starts_new(c, from, &p)) {
        finalize(pl, c);
        pl->st.port_reuse++;
        c = NULL;
    }
    if (!c) {
        if (!(c = start_conn(pl, &p, ts_ns, &from)))
            return;
        c->first_offset = offset;
        if (pl->sink.conn_new)
            pl->sink.conn_new(pl->sink.ctx, c);
    }
    c->last_offset = offset;
    if (!c->nifaces || c->ifaces[0] != iface)
        note_iface(c, iface);

    int keep = pl->cfg.keep_events && (!pl->cfg.events_only_id || pl->cfg.events_only_id == c->id) &&
               !c->events_capped;
    c->keep_events = (uint8_t)keep;
    struct event ev;
    struct app_call call;
    struct stream_consumer sc;
    aim_consumer(pl, c, &call, &sc);
    tcp_packet(c, from, &p, ts_ns, pl->frame, &pl->tcp, keep ? &ev : NULL);
    if ((p.flags & TH_RST) && pl->cfg.app) {
        app_rst(pl->cfg.app, c);
        call.touched = 1;
    }
    if (keep) {
        ev.offset = offset;
        (void)conn_add_event(c, &ev);
    }
    static const enum flow_list list_of[] = {[CONN_OPEN] = FLOW_ACTIVE, [CONN_CLOSING] = FLOW_CLOSING,
                                             [CONN_DONE] = FLOW_DONE};
    flow_touch(pl->flows, c, list_of[c->closed]);
    account(pl, c, pl->cfg.app && call.touched);
    if (pl->cfg.memcap && pl->mem > pl->cfg.memcap)
        make_room(pl, c);
    pipeline_expire(pl, ts_ns);
}

static int by_id(const void *a, const void *b)
{
    const struct conn *x = *(struct conn *const *)a, *y = *(struct conn *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

void pipeline_finish(struct pipeline *pl)
{
    size_t n = flow_count(pl->flows), k = 0;
    struct conn **all = malloc((n ? n : 1) * sizeof *all);
    struct conn *c;
    if (!all) { /* no room to sort: finalize oldest-first instead */
        for (int l = 0; l < FLOW_LISTS; l++)
            while ((c = flow_oldest(pl->flows, l)))
                finalize(pl, c);
        return;
    }
    for (int l = 0; l < FLOW_LISTS; l++)
        for (c = flow_oldest(pl->flows, l); c; c = c->lru_next)
            all[k++] = c;
    qsort(all, k, sizeof *all, by_id);
    for (size_t i = 0; i < k; i++)
        finalize(pl, all[i]);
    free(all);
}

const struct pipeline_stats *pipeline_stats(const struct pipeline *pl) { return &pl->st; }

void pipeline_free(struct pipeline *pl)
{
    if (!pl)
        return;
    pipeline_finish(pl);
    flow_free(pl->flows);
    free(pl);
}
