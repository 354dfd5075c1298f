/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conn_keys.c - the JSON keys other tools join on (see conn_keys.h).
 */
#include "conn_keys.h"

#include <arpa/inet.h>

#include "community_id.h"
#include "iso_time.h"

void json_endpoint_keys(struct jw *w, const struct conn *c)
{
    char a[INET6_ADDRSTRLEN];
    static const char *const ip_key[2] = {"client_ip", "server_ip"}, *const port_key[2] = {"client_port", "server_port"};
    for (int s = 0; s < 2; s++) {
        conn_addr_str(c, s, a, sizeof a);
        jw_str(w, ip_key[s], a);
        jw_uint(w, port_key[s], c->side[s].port);
    }
    char id[COMMUNITY_ID_LEN];
    if (community_id_v1(c->ipver, c->side[0].addr, c->side[0].port, c->side[1].addr, c->side[1].port, 6, 0, id) == 0)
        jw_str(w, "community_id", id);
    else
        jw_null(w, "community_id");
}

void json_time(struct jw *w, const char *key, int64_t ns, const struct output_config *cfg)
{
    char buf[ISO_TIME_LEN];
    if (cfg->time_iso && iso_time(ns, cfg->ts_digits, buf, sizeof buf))
        jw_str(w, key, buf);
    else
        jw_fixed(w, key, ns, 1000000000, cfg->ts_digits);
}

void json_zeek_keys(struct jw *w, const struct conn *c, const struct output_config *cfg)
{
    jw_fixed(w, "duration", c->last_ts_ns - c->first_ts_ns, 1000000000, cfg->ts_digits);
    jw_str(w, "conn_state", zeek_conn_state(&c->zeek));
    jw_str(w, "history", c->zeek.history);
}
