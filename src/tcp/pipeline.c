/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline.c - the packet path and connection lifetimes (see pipeline.h).
 */
#include "pipeline.h"

#include <stdlib.h>

#include "app.h"
#include "decode.h"
#include "flow.h"
#include "ipfrag.h"
#include "recent.h"
#include "shard.h"
#include "tcp.h"

struct pipeline {
    struct pipeline_config cfg;
    struct conn_sink sink;
    struct flow_table *flows;
    struct recent *recent;     /* finished connections' 4-tuples, for their late packets */
    int finishing;             /* the input ended: nothing can come late any more */
    struct ipfrag *frags;      /* IP datagrams being reassembled; its bytes count in mem */
    size_t frag_mem;           /* its part of mem, as last counted */
    struct tcp_ctx tcp;
    struct stream_consumer to_app; /* the parsers' door, for the tracker at hand (`current`) */
    struct track *current;
    int app_touched;           /* the parsers were handed something since `current` was set */
    struct pipeline_stats st;
    uint64_t frame;
    uint64_t next_id;
    size_t mem;                /* bytes the open connections hold (track->mem summed) */
};

size_t pipeline_budget(size_t memcap)
{
    /* the program: ~6 MiB of libraries and buffers, ~5 more with the trust store; the allocator's
     * free lists and the pages it has not returned grow with the heap */
    size_t reserve = memcap >= ((size_t)64 << 20) ? ((size_t)16 << 20) + memcap / 64 : memcap / 4;
    return memcap - reserve;
}

/* Everything the cap counts: the open connections, the flow table's slots, what the protocol
 * layer holds for all of them (the key log), and what the owner holds beside (the list). */
static size_t total_memory(const struct pipeline *pl)
{
    return pl->mem + flow_memory(pl->flows) + (pl->cfg.app ? app_shared_memory(pl->cfg.app) : 0) +
           (pl->cfg.outside_mem ? *pl->cfg.outside_mem : 0);
}

/* What a packet may have grown, beside the tracker's reassembly (counted every time): the
 * parsers' state, when they were handed something (most packets are bare ACKs), and the record,
 * whose events and messages grow only while kept and whose layers appear when a parser starts. */
enum { COUNT_APP = 1, COUNT_RECORD = 2 };

/* Count a connection's bytes again after it changed. */
static void account(struct pipeline *pl, struct track *t, int what)
{
    if (what & COUNT_APP)
        t->app_mem = app_memory(t->app);
    /* Without events the record grows only when a parser starts (its layers appear); once they
     * are counted, the parsers' bytes are all there is to recount after each segment. */
    if ((what & COUNT_RECORD) || ((what & COUNT_APP) && !t->record_settled)) {
        t->conn_mem = conn_memory(t->c);
        t->record_settled = !t->c->keep_events && t->c->layers;
    }
    size_t now = t->conn_mem + track_memory(t) + t->app_mem;
    pl->mem = pl->mem - t->mem + now;
    t->mem = now;
    size_t total = total_memory(pl);
    if (total > pl->st.peak_memory)
        pl->st.peak_memory = total;
}

/* Reassembled bytes go to the parsers of the connection at hand. */
static void call_data(void *ctx, int dir, uint64_t offset, const uint8_t *data, size_t len)
{
    (void)offset;
    struct pipeline *pl = ctx;
    pl->app_touched = 1;
    app_data(pl->cfg.app, &pl->current->app, pl->current->c, dir, data, len);
}

static void call_gap(void *ctx, int dir, uint64_t offset, uint64_t len)
{
    (void)offset;
    struct pipeline *pl = ctx;
    pl->app_touched = 1;
    app_gap(pl->current->app, dir, len);
}

/* The tracker whose bytes the parsers get next. */
static void aim(struct pipeline *pl, struct track *t)
{
    pl->current = t;
    pl->app_touched = 0;
}

struct pipeline *pipeline_new(const struct pipeline_config *cfg, const struct conn_sink *sink)
{
    struct pipeline *pl = calloc(1, sizeof *pl);
    if (!pl)
        return NULL;
    pl->flows = flow_new();
    /* fragments get an eighth of the memory cap, at most 64 MiB: a few thousand datagrams at once */
    size_t frag_budget = IPFRAG_DEFAULT_BUDGET;
    if (cfg->memcap && cfg->memcap / 8 < frag_budget)
        frag_budget = cfg->memcap / 8 ? cfg->memcap / 8 : 1;
    pl->frags = ipfrag_new(frag_budget, IPFRAG_TIMEOUT_NS);
    /* finished connections' sequence spaces: a sixty-fourth of the memory cap, at most 4 MiB */
    size_t rbytes = cfg->memcap ? cfg->memcap / 64 : (size_t)4 << 20;
    pl->recent = recent_new(rbytes < ((size_t)4 << 20) ? rbytes : (size_t)4 << 20);
    if (!pl->flows || !pl->frags || !pl->recent) {
        flow_free(pl->flows);
        ipfrag_free(pl->frags);
        recent_free(pl->recent);
        free(pl);
        return NULL;
    }
    pl->cfg = *cfg;
    pl->sink = *sink;
    pl->tcp.reasm_budget = cfg->reasm_budget;
    if (cfg->app) {
        pl->to_app = (struct stream_consumer){.ctx = pl, .on_data = call_data, .on_gap = call_gap};
        pl->tcp.consumer = &pl->to_app;
    }
    pl->next_id = 1;
    return pl;
}

/* The connection is over: settle its record, hand it to the sink, free its tracker. */
static void finalize(struct pipeline *pl, struct track *t)
{
    struct conn *c = t->c;
    aim(pl, t);
    tcp_finish(t, &pl->tcp);
    if (pl->cfg.app)
        app_finish(t->app, c);
    else
        c->app_kind = c->side[0].payload.bytes || c->side[1].payload.bytes ? APP_UNKNOWN : APP_NONE;
    if (!pl->finishing && (t->closed != CONN_OPEN || t->first_rst_by >= 0 || t->first_fin_by >= 0))
        recent_add(pl->recent, t);
    flow_remove(pl->flows, t);
    pl->current = NULL;
    pl->mem -= t->mem;
    for (int s = 0; s < 2; s++) {
        pl->st.reassembly_bytes += c->side[s].payload.over_budget;
        pl->st.holes_given_up += c->side[s].payload.holes_given_up;
    }
    pl->st.evicted += c->evicted;
    pl->st.events_capped += c->events_capped;
    struct app_state *app = t->app;
    track_free(t);
    int kept = pl->sink.conn_done ? pl->sink.conn_done(pl->sink.ctx, c) : 0;
    if (kept) {
        app_detach(app);
    } else {
        app_free(app);
        conn_free(c);
    }
}

/* The reassembler's memory and counters into the pipeline's, after it changed. */
static void frag_sync(struct pipeline *pl)
{
    size_t now = ipfrag_memory(pl->frags);
    pl->mem = pl->mem - pl->frag_mem + now;
    pl->frag_mem = now;
    if (pl->mem > pl->st.peak_memory)
        pl->st.peak_memory = pl->mem;
    pl->st.frag = *ipfrag_stats(pl->frags);
}

/* Finished connections (RST, or both FINs acknowledged) whose linger for retransmissions is over. */
static void expire_done(struct pipeline *pl, int64_t now_ns)
{
    struct track *t;
    while ((t = flow_oldest(pl->flows, FLOW_DONE)) && now_ns - t->c->last_ts_ns > pl->cfg.linger_ns)
        finalize(pl, t);
}

void pipeline_expire(struct pipeline *pl, int64_t now_ns)
{
    struct track *t;
    if (ipfrag_pending(pl->frags)) {
        ipfrag_expire(pl->frags, now_ns);
        frag_sync(pl);
    }
    expire_done(pl, now_ns);
    while ((t = flow_oldest(pl->flows, FLOW_CLOSING)) && now_ns - t->c->last_ts_ns > pl->cfg.closing_linger_ns)
        finalize(pl, t);
    while ((t = flow_oldest(pl->flows, FLOW_ACTIVE)) && now_ns - t->c->last_ts_ns > pl->cfg.idle_timeout_ns)
        finalize(pl, t);
}

/*
 * Over the memory cap: finalize connections early, the ones that will
 * finish anyway first (closing, done), then the longest idle, until a tenth
 * of the cap is free again; each is written out marked "evicted".  If the
 * connection at hand alone is too big, it stops keeping events.
 */
/* Finalize the oldest connections, the ones that will finish anyway first, until `need` more bytes fit
 * under `target`; never `keep`. */
static void evict(struct pipeline *pl, size_t target, size_t need, const struct track *keep)
{
    static const enum flow_list order[] = {FLOW_DONE, FLOW_CLOSING, FLOW_ACTIVE};
    for (size_t k = 0; k < 3 && total_memory(pl) + need > target; k++) {
        struct track *t;
        while (total_memory(pl) + need > target && (t = flow_oldest(pl->flows, order[k])) && t != keep) {
            t->c->evicted = 1;
            finalize(pl, t);
        }
    }
}

static void make_room(struct pipeline *pl, struct track *current)
{
    size_t target = pl->cfg.memcap - pl->cfg.memcap / 10;
    struct conn *c = current->c;
    if (current->mem > target && c->keep_events) {
        /* the connection at hand alone fills the cap: evicting the others would free next to
         * nothing and cut each of them in pieces, packet after packet; its events stop instead */
        c->events_capped = 1;
        c->keep_events = 0;
        account(pl, current, COUNT_RECORD);
    }
    evict(pl, target, 0, current);
    if (total_memory(pl) > pl->cfg.memcap && c->keep_events) {
        c->events_capped = 1;
        c->keep_events = 0;
        account(pl, current, COUNT_RECORD);
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
    case DECODE_ENCRYPTED: st->encrypted++; break;
    case DECODE_TOO_DEEP: st->too_deep++; break;
    case DECODE_OK: break;
    }
}

static struct track *start_conn(struct pipeline *pl, const struct pkt *p, int64_t ts_ns, int *from)
{
    /* the flow table is about to double: its new slots belong inside the cap too, and while they
     * are filled the old ones are still held */
    size_t grow = pl->cfg.memcap ? flow_grow_cost(pl->flows) : 0;
    if (grow && total_memory(pl) + grow > pl->cfg.memcap)
        evict(pl, pl->cfg.memcap - pl->cfg.memcap / 10, grow, NULL);
    int client_first = tcp_first_sender_is_client(p);
    struct conn *c = conn_new(pl->next_id, p, client_first, ts_ns);
    struct track *t = c ? track_new(c) : NULL;
    if (!t || flow_insert(pl->flows, t) < 0) {
        track_free(t);
        conn_free(c);
        pl->st.out_of_memory++;
        return NULL;
    }
    pl->next_id++;
    pl->st.connections++;
    account(pl, t, COUNT_APP | COUNT_RECORD);
    if (flow_count(pl->flows) > pl->st.max_open)
        pl->st.max_open = flow_count(pl->flows);
    tcp_start(t, p);
    *from = client_first ? SIDE_CLIENT : SIDE_SERVER;
    return t;
}

/*
 * An IP fragment: into the reassembler; when it completes a datagram,
 * decode on from there (a datagram may hold a tunnel with fragments of its
 * own).  *dgram is the last datagram completed (the caller frees it: the
 * segment points into it); *first_offset where its earliest fragment lies.
 */
static enum decode_status reassemble(struct pipeline *pl, struct pkt *p, int64_t ts_ns, int64_t offset,
                                     uint8_t **dgram, int64_t *first_offset, int *anomaly)
{
    enum decode_status ds = DECODE_FRAGMENT;
    for (int depth = 0; ds == DECODE_FRAGMENT && depth <= PKT_ENCAP_MAX; depth++) {
        struct ipfrag_done done;
        enum ipfrag_result r = ipfrag_add(pl->frags, &p->frag, ts_ns, offset, &done);
        frag_sync(pl);
        if (r != IPFRAG_DONE)
            return DECODE_FRAGMENT;
        free(*dgram); /* the fragment's bytes were copied: the datagram that held them can go */
        *dgram = done.data;
        if (done.first_offset >= 0 && done.first_offset < *first_offset)
            *first_offset = done.first_offset;
        *anomaly |= done.anomaly;
        ds = decode_datagram(p, done.data, done.len);
    }
    return ds == DECODE_FRAGMENT ? DECODE_TOO_DEEP : ds;
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
    uint8_t *dgram = NULL;
    int64_t first_offset = offset;
    int frag_anomaly = 0;
    if (ds == DECODE_FRAGMENT)
        ds = reassemble(pl, &p, ts_ns, offset, &dgram, &first_offset, &frag_anomaly);
    if (ds != DECODE_OK) {
        free(dgram);
        count_status(&pl->st, ds);
        pipeline_expire(pl, ts_ns);
        return;
    }
    if (pl->cfg.shard_n > 1 && shard_of(&p, pl->cfg.shard_n) != pl->cfg.shard_k) {
        /* another process's connection; time still passes for ours */
        pl->st.other_shard++;
        free(dgram);
        pipeline_expire(pl, ts_ns);
        return;
    }
    pl->st.tcp++;
    if (p.truncated)
        pl->st.truncated_payload++;

    /* A finished connection whose linger is over goes first: a packet after it is late, whether
     * or not another packet came in between.  The rest expire after the packet, as a packet for
     * an idle connection still belongs to it (a capture whose clock jumps must not split one). */
    expire_done(pl, ts_ns);
    int from = 0;
    struct track *t = flow_lookup(pl->flows, &p, &from);
    if (!t && recent_match(pl->recent, &p, ts_ns)) {
        pl->st.late_packets++; /* a FIN, ACK or RST of a connection already written out */
        free(dgram);
        return;
    }
    if (t && (p.flags & (TH_SYN | TH_ACK)) == TH_SYN && tcp_syn_starts_new(t, from, &p)) {
        finalize(pl, t);
        pl->st.port_reuse++;
        t = NULL;
    }
    if (!t) {
        if (!(t = start_conn(pl, &p, ts_ns, &from))) {
            free(dgram);
            return;
        }
        t->c->first_offset = first_offset; /* a reassembled first segment: where its first fragment lies */
        if (pl->sink.conn_new)
            pl->sink.conn_new(pl->sink.ctx, t->c);
    }
    struct conn *c = t->c;
    c->last_offset = offset;
    if (!c->nifaces || c->ifaces[0] != iface)
        note_iface(c, iface);

    int keep = pl->cfg.keep_events && (!pl->cfg.events_only_id || pl->cfg.events_only_id == c->id) &&
               !c->events_capped;
    c->keep_events = (uint8_t)keep;
    struct event ev;
    aim(pl, t);
    tcp_packet(t, from, &p, ts_ns, pl->frame, &pl->tcp, keep ? &ev : NULL);
    if ((p.flags & TH_RST) && pl->cfg.app) {
        app_rst(t->app);
        pl->app_touched = 1;
    }
    if (p.len_note & PKT_LEN_OFFLOAD) {
        pl->st.offload_lengths++;
        c->offload_packets++;
    }
    if (p.len_note & PKT_LEN_EXCEEDS) {
        pl->st.bad_ip_length++;
        c->bad_ip_length_packets++;
        if (keep)
            ev.notes |= NOTE_BAD_IP_LENGTH;
    }
    if (p.reassembled) {
        c->reassembled_packets++;
        c->fragment_anomalies += (unsigned)frag_anomaly;
        if (keep)
            ev.notes |= NOTE_REASSEMBLED;
    }
    free(dgram); /* after the stream and the parsers had the payload it held */
    if (keep) {
        ev.offset = offset;
        (void)conn_add_event(c, &ev);
    }
    static const enum flow_list list_of[] = {[CONN_OPEN] = FLOW_ACTIVE, [CONN_CLOSING] = FLOW_CLOSING,
                                             [CONN_DONE] = FLOW_DONE};
    flow_touch(pl->flows, t, list_of[t->closed]);
    account(pl, t, (pl->cfg.app && pl->app_touched ? COUNT_APP : 0) | (keep ? COUNT_RECORD : 0));
    pl->current = NULL;
    if (pl->cfg.memcap && total_memory(pl) > pl->cfg.memcap)
        make_room(pl, t);
    pipeline_expire(pl, ts_ns);
}

static int by_id(const void *a, const void *b)
{
    const struct track *x = *(struct track *const *)a, *y = *(struct track *const *)b;
    return x->c->id < y->c->id ? -1 : x->c->id > y->c->id;
}

void pipeline_finish(struct pipeline *pl)
{
    pl->finishing = 1;
    ipfrag_flush(pl->frags); /* what still waits for fragments never completes */
    frag_sync(pl);
    size_t n = flow_count(pl->flows), k = 0;
    struct track **all = malloc((n ? n : 1) * sizeof *all);
    struct track *t;
    if (!all) { /* no room to sort: finalize oldest-first instead */
        for (int l = 0; l < FLOW_LISTS; l++)
            while ((t = flow_oldest(pl->flows, l)))
                finalize(pl, t);
        return;
    }
    for (int l = 0; l < FLOW_LISTS; l++)
        for (t = flow_oldest(pl->flows, l); t; t = t->lru_next)
            all[k++] = t;
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
    ipfrag_free(pl->frags);
    recent_free(pl->recent);
    free(pl);
}
