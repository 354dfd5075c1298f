/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conn_keys.h - the JSON keys other tools join on (synfin(1), JSON OUTPUT):
 * the endpoints as separate fields, the Community ID, Zeek's conn_state and
 * history, times as epoch numbers or ISO 8601, and the schema version of
 * schema/synfin.schema.json that the line follows.
 */
#ifndef SYNFIN_CONN_KEYS_H
#define SYNFIN_CONN_KEYS_H

#include <stdint.h>

#include "conn.h"
#include "json.h"
#include "output.h"

/* The version of schema/synfin.schema.json every line follows ("schema_version"). */
#define SYNFIN_SCHEMA_VERSION 1

/* client_ip, client_port, server_ip, server_port, community_id */
void json_endpoint_keys(struct jw *w, const struct conn *c);

/* A point in time: an epoch number with the capture's decimals, or ISO 8601 UTC text (--time-format iso). */
void json_time(struct jw *w, const char *key, int64_t ns, const struct output_config *cfg);

/* duration, conn_state, history */
void json_zeek_keys(struct jw *w, const struct conn *c, const struct output_config *cfg);

#endif
