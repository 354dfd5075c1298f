/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * app.h - the application layer, seen from the pipeline: the run's shared
 * protocol setup (app.c: trust store, key log, fingerprint cache) and each
 * connection's protocol layers (dispatch.c), recognised from the first bytes
 * of either direction on any port through the registry (proto.h).  What the
 * parsers find reaches the connection record as its layers (conn.layers),
 * each describing itself; their messages reach it through conn_add_msg.
 */
#ifndef SYNFIN_APP_H
#define SYNFIN_APP_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

typedef void (*app_warn_fn)(void *ctx, const char *message);

struct app_config {
    const char *ca_file;     /* trust anchors for certificate verification; NULL: the system store */
    int no_verify;           /* do not verify certificates at all */
    const char *keylog_file; /* TLS secrets (NSS key log format), or NULL */
    int keylog_optional;     /* a key log that is not there (yet) is no error: SSLKEYLOGFILE, live */
    int live;                /* re-read the key log when a secret is missing: it may still be written */
    app_warn_fn warn;        /* malformed key log lines, one message each (may be NULL) */
    void *warn_ctx;
    int lazy_store;          /* load the system store at the first certificate, not at once */
    size_t keylog_max_bytes; /* memory the key log's secrets may take (their part of --memcap; 0: no bound) */
};

struct app_ctx;

/* NULL with a message in err (256 bytes) when the CA file or the key log cannot be loaded. */
struct app_ctx *app_ctx_new(const struct app_config *cfg, char *err);
/* Load (more) TLS secrets while running; returns how many were added, or -1 with err. */
int app_load_keylog(struct app_ctx *ax, const char *path, char *err);
void app_ctx_free(struct app_ctx *ax);
/* Bytes held for all connections together (the key log's secrets), for the memory cap. */
size_t app_shared_memory(const struct app_ctx *ax);
/* A TLS parser's setup from the run's: trust store, key log, fingerprint cache (tls.h). */
struct tls_config;
void app_tls_config(struct app_ctx *ax, struct tls_config *tc);

/*
 * One connection's parsers: created by the first bytes, held by the
 * pipeline's tracker (tcp.h) beside the record they describe.
 */
struct app_state;

/* Reassembled bytes of one direction (dir: SIDE_CLIENT or SIDE_SERVER), in
 * order; *st is created at the first bytes (it stays NULL when memory ran out). */
void app_data(struct app_ctx *ax, struct app_state **st, struct conn *c, int dir, const uint8_t *p, size_t n);
/* Bytes missing from a direction. */
void app_gap(struct app_state *st, int dir, uint64_t n);
/* A RST was seen on the connection. */
void app_rst(struct app_state *st);
/* The connection is over (its streams flushed): settle the verdicts, c->app_kind and app_layer
 * (st may be NULL: no bytes came). */
void app_finish(struct app_state *st, struct conn *c);
/* Bytes the parsers hold for their connection now (for the memory cap). */
size_t app_memory(const struct app_state *st);
/* Free the parsers' state; the connection's layers go with them. */
void app_free(struct app_state *st);
/* Free the parsers' state but keep their summaries with the connection (conn_free frees them). */
void app_detach(struct app_state *st);

#endif
