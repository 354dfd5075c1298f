/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loader.c - one connection read again from its file (see loader.h).
 *
 * The records from the connection's first to its last go through a
 * private pipeline, in the order of the first reading (several files are
 * merged again from the checkpoint before the first one; the records before
 * it are passed over); only frames of its four-tuple are fed (decoded here
 * first, so VLAN, SLL and the rest need no BPF of their own), and the
 * connection whose first packet has the target's time is the one kept.
 */
#include "loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "decode.h"
#include "feed.h"
#include "pipeline.h"

struct loader {
    struct capture *cap;
    struct pipeline *pl;
    uint64_t id;
    int64_t first_ts, first_off, last_off;
    uint8_t ipver;
    uint8_t addr[2][PKT_ADDR_MAX];
    uint16_t port[2];
    struct conn *conn;       /* the one being rebuilt: the pipeline's, then ours */
    int done;
    int started;             /* its first record was met (the merge may replay some before it) */
    int64_t last_ts, at_ts;  /* the connection's last packet time; the last record's */
    struct feed feed;        /* the packet loop over its span */
};

/* Are these the target's endpoints (either way round)? */
static int same_tuple(const struct loader *ld, int ipver, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                      uint16_t dport)
{
    size_t al = ipver == 6 ? 16 : 4;
    if (ipver != ld->ipver)
        return 0;
    for (int s = 0; s < 2; s++)
        if (sport == ld->port[s] && dport == ld->port[!s] && !memcmp(src, ld->addr[s], al) &&
            !memcmp(dst, ld->addr[!s], al))
            return 1;
    return 0;
}

static void on_new(void *ctx, struct conn *c)
{
    struct loader *ld = ctx;
    const struct side *a = &c->side[0], *b = &c->side[1];
    /* fragments of other connections are fed too (their tuple shows only once reassembled) */
    if (!ld->conn && c->first_ts_ns == ld->first_ts && same_tuple(ld, c->ipver, a->addr, a->port, b->addr, b->port)) {
        ld->conn = c;
        c->id = ld->id; /* it is the session's connection N, not this pipeline's first */
    }
}

static int on_done(void *ctx, struct conn *c)
{
    struct loader *ld = ctx;
    return c == ld->conn; /* keep ours, drop any other life of the same four-tuple */
}

static enum feed_verdict span(void *ctx, const struct capture_pkt *pk);

struct loader *loader_new(struct capture *source, const struct row *target, const struct pipeline_config *run,
                          char *err)
{
    struct loader *ld = calloc(1, sizeof *ld);
    if (!ld) {
        snprintf(err, CAPTURE_ERRLEN, "out of memory");
        return NULL;
    }
    ld->cap = capture_reopen(source, err);
    if (!ld->cap || capture_seek(ld->cap, target->first_offset, err) < 0) {
        loader_free(ld);
        return NULL;
    }
    ld->id = target->id;
    ld->first_ts = ld->at_ts = target->first_ts_ns;
    ld->last_ts = target->last_ts_ns;
    ld->first_off = target->first_offset;
    ld->last_off = target->last_offset;
    ld->ipver = target->ipver;
    for (int s = 0; s < 2; s++) {
        memcpy(ld->addr[s], target->addr[s], PKT_ADDR_MAX);
        ld->port[s] = target->port[s];
    }
    struct pipeline_config pc = {
        .reasm_budget = run->reasm_budget,
        .idle_timeout_ns = INT64_MAX / 4, /* this connection lived once already: nothing times out */
        .linger_ns = INT64_MAX / 4,
        .closing_linger_ns = INT64_MAX / 4,
        .keep_events = 1,
        .app = run->app,
    };
    struct conn_sink sink = {ld, on_done, on_new};
    ld->pl = pipeline_new(&pc, &sink);
    if (!ld->pl) {
        snprintf(err, CAPTURE_ERRLEN, "out of memory");
        loader_free(ld);
        return NULL;
    }
    ld->feed = (struct feed){.cap = ld->cap, .pl = ld->pl, .filter = span, .filter_ctx = ld};
    return ld;
}

/* Is this frame one of the target's four-tuple (either direction), or an IP fragment that may be? */
static int ours(const struct loader *ld, const struct capture_pkt *pk)
{
    struct pkt p;
    enum decode_status ds = decode_packet(pk->dlt, pk->data, pk->caplen, pk->wirelen, &p);
    if (ds == DECODE_FRAGMENT)
        return 1;
    return ds == DECODE_OK && same_tuple(ld, p.ipver, p.src, p.sport, p.dst, p.dport);
}

static int same_file(int64_t a, int64_t b) { return (a >> 44) == (b >> 44); }

/* The packet loop's filter: the records of the connection's span of the file, and of them its own. */
static enum feed_verdict span(void *ctx, const struct capture_pkt *pk)
{
    struct loader *ld = ctx;
    if (same_file(pk->offset, ld->last_off) && pk->offset > ld->last_off)
        return FEED_END;
    if (!ld->started && pk->offset != ld->first_off)
        return FEED_SKIP; /* replayed by the merge before the connection's first packet */
    ld->started = 1;
    ld->at_ts = pk->ts_ns;
    int mine = ours(ld, pk);
    if (pk->offset == ld->last_off)
        return mine ? FEED_TAKE_LAST : FEED_END;
    return mine ? FEED_TAKE : FEED_SKIP;
}

int loader_step(struct loader *ld, size_t budget, char *err)
{
    if (ld->done)
        return 1;
    enum feed_result r = feed_run(&ld->feed, budget, 0, err);
    if (r == FEED_MORE)
        return 0;
    pipeline_finish(ld->pl);
    ld->done = 1;
    return r == FEED_DAMAGED ? -1 : 1;
}

struct conn *loader_conn(struct loader *ld) { return ld->conn; }

double loader_progress(const struct loader *ld)
{
    if (ld->done || ld->last_ts <= ld->first_ts)
        return 1.0;
    double p = (double)(ld->at_ts - ld->first_ts) / (double)(ld->last_ts - ld->first_ts);
    return p < 0 ? 0 : p > 0.99 ? 0.99 : p;
}

void loader_free(struct loader *ld)
{
    if (!ld)
        return;
    if (ld->pl) {
        if (!ld->done)
            pipeline_finish(ld->pl);
        pipeline_free(ld->pl);
    }
    if (ld->conn)
        conn_free(ld->conn); /* kept by on_done, ours to free */
    capture_close(ld->cap);
    free(ld);
}

struct packet_reader {
    struct capture *own;     /* a live capture's -w file, opened here */
    struct capture *cap;     /* the second reader */
};

struct packet_reader *packet_reader_open(struct capture *source, const char *path, char *err)
{
    struct packet_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (path && !(source = r->own = capture_open_file(path, err))) {
        free(r);
        return NULL;
    }
    if (!(r->cap = capture_reopen(source, err))) {
        packet_reader_close(r);
        return NULL;
    }
    return r;
}

uint32_t packet_reader_get(struct packet_reader *r, int64_t offset, uint8_t *buf, uint32_t cap, uint32_t *wirelen,
                           int *dlt, uint32_t *iface)
{
    char err[CAPTURE_ERRLEN];
    struct capture_pkt pk;
    if (!r || offset < 0 || capture_read_at(r->cap, offset, &pk, err) < 0)
        return 0;
    uint32_t n = pk.caplen < cap ? pk.caplen : cap;
    memcpy(buf, pk.data, n);
    *wirelen = pk.wirelen;
    *dlt = pk.dlt;
    *iface = pk.iface;
    return n;
}

void packet_reader_close(struct packet_reader *r)
{
    if (!r)
        return;
    capture_close(r->cap);
    capture_close(r->own);
    free(r);
}

/* ------------------------------------------------------------ several connections' packets again */

void span_target_of_row(const struct row *r, struct span_target *t)
{
    memset(t, 0, sizeof *t);
    t->id = r->id;
    t->first_ts = r->first_ts_ns;
    t->last_ts = r->last_ts_ns;
    t->first_off = r->first_offset;
    t->last_off = r->last_offset;
    t->ipver = r->ipver;
    memcpy(t->addr, r->addr, sizeof t->addr);
    memcpy(t->port, r->port, sizeof t->port);
}

void span_target_of_conn(const struct conn *c, struct span_target *t)
{
    struct row_buf tmp;
    row_of(c, 1, &tmp);
    span_target_of_row(&tmp.r, t);
}

static int file_of(int64_t off) { return (int)(off >> 44); }

/* Is the record at `off` (time ts) inside the target's span of the capture? */
static int in_span(const struct span_target *t, int64_t off, int64_t ts)
{
    int fa = file_of(t->first_off), fb = file_of(t->last_off), fp = file_of(off);
    int after_first = fp != fa || off >= t->first_off, before_last = fp != fb || off <= t->last_off;
    if (fp == fa || fp == fb)
        return after_first && before_last;
    return ts >= t->first_ts && ts <= t->last_ts; /* a file merged in between: its time says */
}

static int target_tuple(const struct span_target *t, const struct pkt *p)
{
    size_t al = t->ipver == 6 ? 16 : 4;
    if (p->ipver != t->ipver)
        return 0;
    for (int s = 0; s < 2; s++)
        if (p->sport == t->port[s] && p->dport == t->port[!s] && !memcmp(p->src, t->addr[s], al) &&
            !memcmp(p->dst, t->addr[!s], al))
            return 1;
    return 0;
}

static int target_hosts(const struct span_target *t, int ipver, const uint8_t *src, const uint8_t *dst)
{
    size_t al = t->ipver == 6 ? 16 : 4;
    if (ipver != t->ipver)
        return 0;
    return (!memcmp(src, t->addr[0], al) && !memcmp(dst, t->addr[1], al)) ||
           (!memcmp(src, t->addr[1], al) && !memcmp(dst, t->addr[0], al));
}

long spans_read_from(struct capture *cap, const struct span_target *t, size_t n,
                     int (*fn)(void *ctx, const struct capture_pkt *pk, char *err), void *ctx, char *err)
{
    if (!n)
        return 0;
    /* the reading starts at the first of their first packets: in one file the first by offset (a file
     * need not be in time order), across files the earliest (the merge's order is time order) */
    size_t first = n;
    int one_file = 1;
    for (size_t i = 0; i < n; i++)
        one_file &= file_of(t[i].first_off) == file_of(t[0].first_off);
    for (size_t i = 0; i < n; i++)
        if (t[i].first_off >= 0 &&
            (first == n || (one_file ? t[i].first_off < t[first].first_off : t[i].first_ts < t[first].first_ts)))
            first = i;
    if (first == n) {
        snprintf(err, CAPTURE_ERRLEN, "the packets are not in a file that can be read again");
        return -1;
    }
    if (capture_seek(cap, t[first].first_off, err) < 0)
        return -1;
    uint8_t *done = calloc(n, 1);
    if (!done) {
        snprintf(err, CAPTURE_ERRLEN, "out of memory");
        return -1;
    }
    size_t left = n;
    long handed = 0;
    struct capture_pkt pk;
    while (left && capture_next(cap, &pk, err) == CAPTURE_PACKET) {
        struct pkt p;
        enum decode_status ds = decode_packet(pk.dlt, pk.data, pk.caplen, pk.wirelen, &p);
        int take = 0;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            const struct span_target *x = &t[i];
            if (in_span(x, pk.offset, pk.ts_ns) &&
                ((ds == DECODE_OK && target_tuple(x, &p)) ||
                 (ds == DECODE_FRAGMENT && target_hosts(x, p.frag.ipver, p.frag.src, p.frag.dst))))
                take = 1;
            if (file_of(pk.offset) == file_of(x->last_off) && pk.offset >= x->last_off) {
                done[i] = 1;
                left--;
            }
        }
        if (take) {
            if (fn(ctx, &pk, err)) {
                handed = -1;
                break;
            }
            handed++;
        }
    }
    free(done);
    return handed;
}

long spans_read(struct capture *source, const char *path, const struct span_target *t, size_t n,
                int (*fn)(void *ctx, const struct capture_pkt *pk, char *err), void *ctx, char *err)
{
    struct capture *own = NULL, *cap = NULL;
    if (path && !(source = own = capture_open_file(path, err)))
        return -1;
    long r = -1;
    if ((cap = capture_reopen(source, err)))
        r = spans_read_from(cap, t, n, fn, ctx, err);
    capture_close(cap);
    capture_close(own);
    return r;
}
