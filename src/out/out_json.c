/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_json.c - JSON Lines: one object per connection, written the moment the
 * connection is finalized (as Zeek writes conn.log), so the output streams.
 * The keys and their values are a contract with users' scripts, documented
 * in synfin(1): add keys freely, never rename one.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn_keys.h"
#include "json.h"
#include "ladder_layout.h"
#include "output.h"

struct json_out {
    struct output_config cfg;
    struct jw w;          /* one buffer for every line, reused */
};

static void *json_open(const struct output_config *cfg)
{
    struct json_out *o = calloc(1, sizeof *o);
    if (o) {
        o->cfg = *cfg;
        jw_init(&o->w, cfg->f);
    }
    return o;
}

static void json_side_name(struct jw *w, const char *key, int side)
{
    if (side < 0)
        jw_null(w, key);
    else
        jw_str(w, key, side == SIDE_CLIENT ? "client" : "server");
}

static void str_or_null(struct jw *w, const char *key, const char *s)
{
    if (s && *s)
        jw_str(w, key, s);
    else
        jw_null(w, key);
}

/*
 * "events": one object per packet, what its ladder row shows (synfin(1),
 * JSON OUTPUT).  Protocol messages hang off the packet that completed them;
 * phase marks and parser notes are not messages.
 */
static void json_events(struct jw *w, const struct conn *c, int ts_digits)
{
    char fl[40];
    struct ladder_cursor cur = {0};
    struct ladder_row r;
    jw_arr_begin(w, "events");
    for (size_t i = 0; i < c->nevents; i++) {
        const struct event *e = &c->events[i];
        ladder_row(c, i, &cur, &r); /* the ladder's own reading of the row: its messages, its states */
        jw_obj_begin(w, NULL);
        jw_uint(w, "frame", e->frame);
        jw_fixed(w, "t", e->ts_ns - c->first_ts_ns, 1000000000, ts_digits);
        jw_str(w, "dir", r.from == SIDE_CLIENT ? "c2s" : "s2c");
        ladder_flags_str(e->flags, fl, sizeof fl);
        jw_str(w, "flags", fl);
        jw_uint(w, "seq", e->rel_seq);
        if (e->flags & TH_ACK)
            jw_uint(w, "ack", e->rel_ack);
        else
            jw_null(w, "ack");
        jw_uint(w, "len", e->len);
        jw_uint(w, "win", e->win);
        jw_str(w, "client_state", tcp_state_name(r.state[SIDE_CLIENT]));
        jw_str(w, "server_state", tcp_state_name(r.state[SIDE_SERVER]));
        jw_arr_begin(w, "notes");
        for (unsigned b = 0; b < NOTE_COUNT_; b++)
            if (e->notes & (1u << b))
                jw_str(w, NULL, note_name(b));
        jw_arr_end(w);
        jw_arr_begin(w, "messages");
        for (size_t k = r.msg_first; k < r.msg_first + r.msg_count; k++)
            if (c->msgs[k].kind != MSG_MARK && c->msgs[k].kind != MSG_NOTE)
                jw_str(w, NULL, c->msgs[k].label);
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

/* The interface of the first packet, and every one when they differ. */
static void json_ifaces(struct jw *w, const struct output_config *cfg, const struct conn *c)
{
    char name[64];
    str_or_null(w, "interface", cfg->iface_name(cfg->iface_ctx, c->ifaces[0], name, sizeof name));
    if (c->nifaces < 2)
        return;
    jw_arr_begin(w, "interfaces");
    for (uint8_t i = 0; i < c->nifaces; i++) {
        const char *n = cfg->iface_name(cfg->iface_ctx, c->ifaces[i], name, sizeof name);
        jw_str(w, NULL, n ? n : "");
    }
    jw_arr_end(w);
}

/* How the connection's packets came: the link layer, its first packet's VLAN tags and tunnels
 * (outermost first, with the addresses of the IP header that carried each), IP-layer notes. */
static void json_carrier(struct jw *w, const struct conn *c)
{
    const char *link = decode_link_name(c->link);
    jw_str(w, "link", link ? link : "?");
    const struct conn_encap *e = c->encap;
    if (e && e->nvlan) {
        jw_arr_begin(w, "vlan");
        for (unsigned i = 0; i < e->nvlan && i < PKT_VLAN_MAX; i++)
            jw_uint(w, NULL, e->vlan[i]);
        jw_arr_end(w);
    }
    if (e && e->nencap) {
        jw_arr_begin(w, "tunnels");
        for (unsigned i = 0; i < e->nencap; i++) {
            const struct encap *t = &e->encap[i];
            jw_obj_begin(w, NULL);
            jw_str(w, "type", encap_kind_name(t->kind));
            if (t->ipver) {
                char a[INET6_ADDRSTRLEN];
                int af = t->ipver == 6 ? AF_INET6 : AF_INET;
                jw_str(w, "src", inet_ntop(af, t->src, a, sizeof a) ? a : "?");
                jw_str(w, "dst", inet_ntop(af, t->dst, a, sizeof a) ? a : "?");
            }
            if (t->has_id)
                jw_uint(w, "id", t->id);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_obj_begin(w, "ip");
    jw_uint(w, "reassembled", c->reassembled_packets);
    jw_uint(w, "fragment_anomalies", c->fragment_anomalies);
    jw_uint(w, "offload", c->offload_packets);
    jw_uint(w, "length_exceeds_frame", c->bad_ip_length_packets);
    jw_obj_end(w);
}

void out_json_object(struct jw *w, const struct conn *c, const struct output_config *cfg)
{
    const struct side *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    char ep[64];
    jw_obj_begin(w, NULL);
    jw_uint(w, "id", c->id);
    jw_uint(w, "schema_version", SYNFIN_SCHEMA_VERSION);
    conn_endpoint_str(c, SIDE_CLIENT, ep, sizeof ep);
    jw_str(w, "client", ep);
    conn_endpoint_str(c, SIDE_SERVER, ep, sizeof ep);
    jw_str(w, "server", ep);
    json_endpoint_keys(w, c);
    jw_uint(w, "ip_version", c->ipver);
    json_time(w, "first_ts", c->first_ts_ns, cfg);
    json_time(w, "last_ts", c->last_ts_ns, cfg);
    jw_uint(w, "packets", c->packets);
    jw_uint(w, "client_packets", cl->packets);
    jw_uint(w, "server_packets", sv->packets);
    jw_uint(w, "bytes_c2s", cl->payload.bytes);
    jw_uint(w, "bytes_s2c", sv->payload.bytes);
    jw_str(w, "handshake", handshake_name(c->handshake));
    jw_uint(w, "syn_retransmits", c->syn_retransmits);
    if (c->hs_rtt_ns >= 0)
        jw_fixed(w, "handshake_rtt_ms", c->hs_rtt_ns, 1000000, 3);
    else
        jw_null(w, "handshake_rtt_ms");
    jw_str(w, "teardown", teardown_name(c->teardown));
    json_side_name(w, "closed_by", c->closed_by);
    jw_str(w, "client_state", tcp_state_name(cl->state));
    jw_str(w, "server_state", tcp_state_name(sv->state));
    json_zeek_keys(w, c, cfg);
    jw_str(w, "app", app_name(c->app_kind));
    jw_obj_begin(w, "flags");
    jw_uint(w, "syn", cl->syn + sv->syn);
    jw_uint(w, "synack", cl->synack + sv->synack);
    jw_uint(w, "fin", cl->fin + sv->fin);
    jw_uint(w, "rst", cl->rst + sv->rst);
    jw_obj_end(w);
    jw_obj_begin(w, "analysis");
    jw_uint(w, "retransmissions", cl->retransmissions + sv->retransmissions);
    jw_uint(w, "out_of_order", cl->out_of_order + sv->out_of_order);
    jw_uint(w, "dup_acks", cl->dup_acks + sv->dup_acks);
    jw_uint(w, "zero_windows", cl->zero_windows + sv->zero_windows);
    jw_uint(w, "window_updates", cl->window_updates + sv->window_updates);
    jw_uint(w, "keep_alives", cl->keep_alives + sv->keep_alives);
    jw_uint(w, "lost_segments", cl->lost_segments + sv->lost_segments);
    jw_obj_end(w);
    jw_uint(w, "gap_bytes", cl->payload.gap_bytes + sv->payload.gap_bytes);
    jw_uint(w, "truncated_packets", c->truncated_packets);
    json_carrier(w, c);
    jw_obj_begin(w, "capped");
    jw_bool(w, "evicted", c->evicted);
    jw_uint(w, "reassembly_bytes", c->side[0].payload.over_budget + c->side[1].payload.over_budget);
    jw_uint(w, "holes_given_up", c->side[0].payload.holes_given_up + c->side[1].payload.holes_given_up);
    jw_bool(w, "events", c->events_capped);
    jw_obj_end(w);
    for (unsigned i = 0; i < c->nlayers; i++) /* each protocol's own object: "tls", "http", ... */
        c->layers[i].desc->json(w, c->layers[i].sum);
    if (cfg->iface_name && c->nifaces)
        json_ifaces(w, cfg, c);
    if (cfg->events)
        json_events(w, c, cfg->ts_digits);
    jw_obj_end(w);
}

static void json_conn(void *st, const struct conn *c)
{
    struct json_out *o = st;
    out_json_object(&o->w, c, &o->cfg);
    jw_flush(&o->w, 1);
}

/* The run's last line, when the capture counted its losses: {"capture":{...}}. */
static void json_capture(struct json_out *o)
{
    const struct capture_stats *cs = o->cfg.capture;
    struct jw *w = &o->w;
    jw_obj_begin(w, NULL);
    jw_obj_begin(w, "capture");
    if (cs->has_received)
        jw_uint(w, "received", cs->received);
    else
        jw_null(w, "received");
    if (cs->has_dropped)
        jw_uint(w, "dropped", cs->dropped);
    else
        jw_null(w, "dropped");
    if (cs->has_if_dropped)
        jw_uint(w, "if_dropped", cs->if_dropped);
    else
        jw_null(w, "if_dropped");
    jw_obj_end(w);
    jw_obj_end(w);
    jw_flush(w, 1);
}

static void json_close(void *st, const struct pipeline_stats *ps)
{
    (void)ps;
    struct json_out *o = st;
    if (o->cfg.capture && o->cfg.capture->known)
        json_capture(o);
    jw_free(&o->w);
    free(o);
}

const struct output_ops out_json_ops = {json_open, json_conn, json_close};
