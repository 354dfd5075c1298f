/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loader.h - one connection's packets read again from the capture file,
 * with every event and protocol message kept, for its ladder: a browsing
 * session holds no events of finished connections (memory follows the
 * connections, not the packets), and rebuilds the one being looked at.
 * Incremental: a step reads a bounded number of packets, so a ladder of a
 * million packets shows its first screens while the rest is still read.
 */
#ifndef SYNFIN_LOADER_H
#define SYNFIN_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct app_ctx; /* the protocols' shared setup (app.h) */
#include "catalog.h"
#include "capture.h"
#include "pipeline.h"
#include "conn.h"

struct loader;

/* Read `target`'s packets again from the capture it came from (a second
 * reader of `source`, with its filter; `source` outlives the loader),
 * analysed with the run's configuration `run` (nothing times out, every
 * event is kept: this connection lived once already). */
struct loader *loader_new(struct capture *source, const struct row *target, const struct pipeline_config *run,
                          char *err);
/* Read up to `budget` more records: 1 when the connection is complete, 0 when more remain, -1 on error. */
int loader_step(struct loader *ld, size_t budget, char *err);
/* The connection as rebuilt so far (NULL until its first packet). */
struct conn *loader_conn(struct loader *ld);
/* 0..1: how far through the connection's span of time. */
double loader_progress(const struct loader *ld);
void loader_free(struct loader *ld);

/* A packet's bytes again, by its record's offset (for the detail pane's
 * hex): from the capture's files (`source`), or from the -w file `path`
 * of a live capture. */
struct packet_reader;
struct packet_reader *packet_reader_open(struct capture *source, const char *path, char *err);
/* Copies up to `cap` bytes; returns the captured length (0 on failure),
 * *wirelen, *dlt and *iface (the capture's interface number) set. */
uint32_t packet_reader_get(struct packet_reader *r, int64_t offset, uint8_t *buf, uint32_t cap, uint32_t *wirelen,
                           int *dlt, uint32_t *iface);
void packet_reader_close(struct packet_reader *r);

/* Where a connection's packets lie: its time and file span, its four-tuple. */
struct span_target {
    uint64_t id;
    int64_t first_ts, last_ts, first_off, last_off;
    uint8_t ipver;
    uint8_t addr[2][PKT_ADDR_MAX];
    uint16_t port[2];
};
void span_target_of_row(const struct row *r, struct span_target *t);
void span_target_of_conn(const struct conn *c, struct span_target *t);
/*
 * The packets of `n` connections read again, in the order of the first
 * reading, from `source`'s files (or from the -w file `path` of a live
 * capture): each is handed to fn (the IP fragments between their addresses
 * too).  Returns the packets handed over, or -1 with err (fn returning
 * nonzero stops the reading: its error is in err).
 */
long spans_read(struct capture *source, const char *path, const struct span_target *t, size_t n,
                int (*fn)(void *ctx, const struct capture_pkt *pk, char *err), void *ctx, char *err);
/* The same with a second reader already open (capture_reopen), kept for the next call. */
long spans_read_from(struct capture *reader, const struct span_target *t, size_t n,
                     int (*fn)(void *ctx, const struct capture_pkt *pk, char *err), void *ctx, char *err);

#endif
