/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_summary.c - the default output: one row per connection as it is
 * finalized, then totals by handshake and teardown kind and the packets
 * that were skipped.  Rows stream (no table is held), so the column widths
 * are fixed: wide enough for IPv4 endpoints; IPv6 rows push right.  With
 * --color each row takes the interface's colour for how it went.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PROTO_MAX 16    /* protocols in the registry */
#define VERDICTS_MAX 16 /* words in one protocol's verdict vocabulary */

#include "catalog.h"
#include "output.h"
#include "termtext.h"
#include "proto.h"

struct summary_out {
    struct output_config cfg;
    uint64_t conns, packets, bytes;
    uint64_t by_handshake[HS_COUNT], by_teardown[TD_COUNT], by_app[APP_COUNT];
    uint64_t verdicts[PROTO_MAX][VERDICTS_MAX]; /* by protocol (proto_table's order) and verdict */
};

/* Where a protocol's totals are counted: its place in the registry, if it has a verdict vocabulary. */
static int totals_slot(const struct summary_out *o, const struct proto_desc *d)
{
    (void)o;
    for (int i = 0; proto_table[i] && i < PROTO_MAX; i++)
        if (proto_table[i] == d)
            return i;
    return -1;
}

static void *summary_open(const struct output_config *cfg)
{
    struct summary_out *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->cfg = *cfg;
    if (cfg->color)
        fputs("\033[1m", cfg->f);
    fprintf(cfg->f, "%5s %-21s %-21s %-17s %-12s %-23s %7s %10s %10s %-7s %-7s %-10s %s%s\n", "id", "client", "server",
            "handshake", "teardown", "states (client/server)", "packets", "bytes", "duration", "app", "tls",
            "tls-hs", "sni/host", cfg->color ? "\033[0m" : ""); /* reset before the newline: a pager's line stays whole */
    return o;
}

static void summary_conn(void *st, const struct conn *c)
{
    struct summary_out *o = st;
    char cl[64], sv[64], states[32];
    conn_endpoint_str(c, SIDE_CLIENT, cl, sizeof cl);
    conn_endpoint_str(c, SIDE_SERVER, sv, sizeof sv);
    snprintf(states, sizeof states, "%s/%s", tcp_state_name(c->side[SIDE_CLIENT].state),
             tcp_state_name(c->side[SIDE_SERVER].state));
    uint64_t bytes = c->side[0].payload.bytes + c->side[1].payload.bytes;
    /* the cells of the protocol the connection speaks (conn.app_layer), as it fills them */
    struct proto_cells pc = {.verdict_index = -1};
    const struct proto_layer *top = c->nlayers ? &c->layers[c->app_layer < c->nlayers ? c->app_layer : 0] : NULL;
    if (top)
        top->desc->cells(top->sum, &pc);
    /* the SNI or Host came off the wire: cleaned for the terminal (termtext.h), whole (NULs too) */
    char clean[1200];
    if (pc.name)
        tt_clean(clean, sizeof clean, pc.name, pc.name_len, o->cfg.ascii ? TT_ASCII : 0);
    else
        snprintf(clean, sizeof clean, "-");
    if (o->cfg.color) { /* the interface's colours by outcome: clean, reset, refused, open, TLS failed */
        static const char *const sgr[OUTCOME_COUNT] = {"32", "31", "33", "36", "35"};
        fprintf(o->cfg.f, "\033[%sm", sgr[conn_outcome(c, 1)]);
    }
    fprintf(o->cfg.f, "%5" PRIu64 " %-21s %-21s %-17s %-12s %-23s %7" PRIu64 " %10" PRIu64 " %9.3fs %-7s %-7s %-10s %s%s\n",
            c->id, cl, sv, handshake_name(c->handshake), teardown_name(c->teardown), states, c->packets, bytes,
            (double)(c->last_ts_ns - c->first_ts_ns) / 1e9, app_name(c->app_kind), pc.version[0] ? pc.version : "-",
            pc.verdict ? pc.verdict : "-", clean, o->cfg.color ? "\033[0m" : "");
    o->by_app[c->app_kind < APP_COUNT ? c->app_kind : 0]++;
    /* each protocol's totals count its verdicts, as the cells show them */
    for (unsigned i = 0; i < c->nlayers; i++) {
        const struct proto_desc *d = c->layers[i].desc;
        struct proto_cells lc = {.verdict_index = -1};
        int slot = totals_slot(o, d);
        if (slot < 0 || !d->verdicts)
            continue;
        d->cells(c->layers[i].sum, &lc);
        if (lc.verdict_index >= 0 && lc.verdict_index < VERDICTS_MAX)
            o->verdicts[slot][lc.verdict_index]++;
    }
    o->conns++;
    o->packets += c->packets;
    o->bytes += bytes;
    o->by_handshake[c->handshake < HS_COUNT ? c->handshake : 0]++;
    o->by_teardown[c->teardown < TD_COUNT ? c->teardown : 0]++;
}

/* "title:  name n, name n" for the counts that are not zero, or "title:  -". */
static void kinds_of(FILE *f, const char *title, const uint64_t *n, int count, const char *(*name)(int),
                     const char *const *names)
{
    fprintf(f, "%-10s", title);
    int any = 0;
    for (int i = 0; i < count; i++)
        if (n[i])
            fprintf(f, "%s %s %" PRIu64, any++ ? "," : "", name ? name(i) : names[i], n[i]);
    fputs(any ? "\n" : " -\n", f);
}

static void kinds(FILE *f, const char *title, const uint64_t *n, int count, const char *(*name)(int))
{
    kinds_of(f, title, n, count, name, NULL);
}

static const char *hs_name(int i) { return handshake_name((enum handshake_kind)i); }
static const char *td_name(int i) { return teardown_name((enum teardown_kind)i); }
static const char *ap_name(int i) { return app_name((enum app_kind)i); }

static void summary_close(void *st, const struct pipeline_stats *ps)
{
    struct summary_out *o = st;
    FILE *f = o->cfg.f;
    fprintf(f, "\n%" PRIu64 " connection%s, %" PRIu64 " packets in them, %" PRIu64 " payload bytes\n", o->conns,
            o->conns == 1 ? "" : "s", o->packets, o->bytes);
    kinds(f, "handshake:", o->by_handshake, HS_COUNT, hs_name);
    kinds(f, "teardown:", o->by_teardown, TD_COUNT, td_name);
    kinds(f, "app:", o->by_app, APP_COUNT, ap_name);
    for (int p = 0; proto_table[p] && p < PROTO_MAX; p++) { /* "tls:" and the like: each protocol's verdicts */
        const char *const *v = proto_table[p]->verdicts;
        if (!v)
            continue;
        int nv = 0;
        while (v[nv] && nv < VERDICTS_MAX)
            nv++;
        char title[24];
        snprintf(title, sizeof title, "%s:", proto_table[p]->name);
        kinds_of(f, title, o->verdicts[p], nv, NULL, v);
    }
    if (ps) {
        uint64_t skipped =
            ps->not_ip + ps->not_tcp + ps->truncated_headers + ps->malformed + ps->encrypted + ps->too_deep;
        fprintf(f, "packets:   %" PRIu64 " read, %" PRIu64 " TCP, %" PRIu64 " skipped", ps->packets, ps->tcp, skipped);
        static const char *const why[] = {"not IP", "not TCP", "truncated headers", "malformed", "encrypted",
                                          "too deeply nested"};
        uint64_t counts[] = {ps->not_ip,    ps->not_tcp,   ps->truncated_headers,
                             ps->malformed, ps->encrypted, ps->too_deep};
        const char *open = " (";
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
            if (counts[i]) {
                fprintf(f, "%s%" PRIu64 " %s", open, counts[i], why[i]);
                open = ", ";
            }
        if (skipped)
            fputc(')', f);
        if (ps->fragments) /* frames holding IP fragments; the datagrams completed count as TCP above */
            fprintf(f, ", %" PRIu64 " IP fragments (%" PRIu64 " datagrams reassembled)", ps->fragments,
                    ps->frag.reassembled);
        if (ps->late_packets)
            fprintf(f, "\nlate:      %" PRIu64 " packets of connections already finished (after --linger)",
                    ps->late_packets);
        if (ps->evicted || ps->reassembly_bytes || ps->holes_given_up || ps->events_capped)
            fprintf(f, "\ncapped:    %" PRIu64 " connections evicted (--memcap), %" PRIu64
                       " out-of-order bytes not kept (--reassembly-cap), %" PRIu64 " holes given up, %" PRIu64
                       " ladders cut short",
                    ps->evicted, ps->reassembly_bytes, ps->holes_given_up, ps->events_capped);
        fputc('\n', f);
    }
    const struct capture_stats *cs = o->cfg.capture;
    if (cs && cs->known) { /* "-": the capture did not say */
        char n[3][24];
        const uint64_t v[3] = {cs->received, cs->dropped, cs->if_dropped};
        const int has[3] = {cs->has_received, cs->has_dropped, cs->has_if_dropped};
        for (int i = 0; i < 3; i++)
            if (has[i])
                snprintf(n[i], sizeof n[i], "%" PRIu64, v[i]);
            else
                snprintf(n[i], sizeof n[i], "-");
        fprintf(f, "capture:   %s received, %s dropped by the kernel, %s dropped by the interface\n", n[0], n[1], n[2]);
    }
    free(o);
}

const struct output_ops out_summary_ops = {summary_open, summary_conn, summary_close};
