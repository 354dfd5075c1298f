/*
 * out_json.c - JSON Lines: one object per connection, written the moment the
 * connection is finalized (as Zeek writes conn.log), so the output streams.
 * The keys and their values are a contract with users' scripts, documented
 * in synfin(1): add keys freely, never rename one.
 */
#include <stdlib.h>

#include "json.h"
#include "output.h"

struct json_out {
    struct output_config cfg;
};

static void *json_open(const struct output_config *cfg)
{
    struct json_out *o = calloc(1, sizeof *o);
    if (o)
        o->cfg = *cfg;
    return o;
}

static void json_side_name(struct jw *w, const char *key, int side)
{
    if (side < 0)
        jw_null(w, key);
    else
        jw_str(w, key, side == SIDE_CLIENT ? "client" : "server");
}

static void json_conn(void *st, const struct conn *c)
{
    struct json_out *o = st;
    const struct side *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    char ep[64];
    struct jw w;
    jw_init(&w, o->cfg.f);
    jw_obj_begin(&w, NULL);
    jw_uint(&w, "id", c->id);
    conn_endpoint_str(c, SIDE_CLIENT, ep, sizeof ep);
    jw_str(&w, "client", ep);
    conn_endpoint_str(c, SIDE_SERVER, ep, sizeof ep);
    jw_str(&w, "server", ep);
    jw_uint(&w, "ip_version", c->ipver);
    jw_fixed(&w, "first_ts", c->first_ts_ns, 1000000000, o->cfg.ts_digits);
    jw_fixed(&w, "last_ts", c->last_ts_ns, 1000000000, o->cfg.ts_digits);
    jw_uint(&w, "packets", c->packets);
    jw_uint(&w, "client_packets", cl->packets);
    jw_uint(&w, "server_packets", sv->packets);
    jw_uint(&w, "bytes_c2s", cl->stream.unique_bytes);
    jw_uint(&w, "bytes_s2c", sv->stream.unique_bytes);
    jw_str(&w, "handshake", handshake_name(c->handshake));
    jw_uint(&w, "syn_retransmits", c->syn_retransmits);
    if (c->hs_rtt_ns >= 0)
        jw_fixed(&w, "handshake_rtt_ms", c->hs_rtt_ns, 1000000, 3);
    else
        jw_null(&w, "handshake_rtt_ms");
    jw_str(&w, "teardown", teardown_name(c->teardown));
    json_side_name(&w, "closed_by", c->closed_by);
    jw_str(&w, "client_state", tcp_state_name(cl->state));
    jw_str(&w, "server_state", tcp_state_name(sv->state));
    jw_str(&w, "app", app_name(c->app));
    jw_obj_begin(&w, "flags");
    jw_uint(&w, "syn", cl->syn + sv->syn);
    jw_uint(&w, "synack", cl->synack + sv->synack);
    jw_uint(&w, "fin", cl->fin + sv->fin);
    jw_uint(&w, "rst", cl->rst + sv->rst);
    jw_obj_end(&w);
    jw_obj_begin(&w, "analysis");
    jw_uint(&w, "retransmissions", cl->retransmissions + sv->retransmissions);
    jw_uint(&w, "out_of_order", cl->out_of_order + sv->out_of_order);
    jw_uint(&w, "dup_acks", cl->dup_acks + sv->dup_acks);
    jw_uint(&w, "zero_windows", cl->zero_windows + sv->zero_windows);
    jw_uint(&w, "window_updates", cl->window_updates + sv->window_updates);
    jw_uint(&w, "keep_alives", cl->keep_alives + sv->keep_alives);
    jw_uint(&w, "lost_segments", cl->lost_segments + sv->lost_segments);
    jw_obj_end(&w);
    jw_uint(&w, "gap_bytes", cl->stream.gap_bytes + sv->stream.gap_bytes);
    jw_uint(&w, "truncated_packets", c->truncated_packets);
    jw_obj_end(&w);
    putc('\n', o->cfg.f);
}

static void json_close(void *st, const struct pipeline_stats *ps)
{
    (void)ps;
    free(st);
}

const struct output_ops out_json_ops = {json_open, json_conn, json_close};
