/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_view.c - what the TUI shows, without a terminal: the ladder
 * document (collapsed runs, lines taken from anywhere equal to lines laid
 * out in one go, a growing connection extended equal to one built afresh),
 * the catalog's outcomes, filters, search and sort, and the detail pane.
 */
#include <CUnit/Basic.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "catalog.h"
#include "conn.h"
#include "detail.h"
#include "ladder_view.h"
#include "loader.h"
#include "pipeline.h"
#include "tcp.h"
#include "termtext.h"
#include "unit.h"

static const struct tcp_ctx tctx = {1 << 20, NULL};

static void put32(uint8_t *a, uint32_t v)
{
    a[0] = (uint8_t)(v >> 24), a[1] = (uint8_t)(v >> 16), a[2] = (uint8_t)(v >> 8), a[3] = (uint8_t)v;
}

/* One segment through the real TCP observer, its event kept. */
static void seg(struct track **tp, uint64_t id, uint16_t cport, int from_client, uint8_t flags, uint32_t seq,
                uint32_t ack, uint32_t len, int64_t t_us)
{
    static const uint8_t zeros[1500];
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = 4;
    put32(p.src, from_client ? 0x0a000002u : 0x0a000001u);
    put32(p.dst, from_client ? 0x0a000001u : 0x0a000002u);
    p.sport = from_client ? cport : 443;
    p.dport = from_client ? 443 : cport;
    p.seq = seq, p.ack = ack, p.flags = flags, p.win = 500;
    p.opt.wscale = 0xff;
    p.payload = len ? zeros : NULL;
    p.payload_caplen = p.seg_len = len;
    if (!*tp) {
        struct conn *c = conn_new(id, &p, from_client, t_us * 1000);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        *tp = track_new(c);
        CU_ASSERT_PTR_NOT_NULL_FATAL(*tp);
        tcp_start(*tp, &p);
        c->keep_events = 1;
    }
    struct conn *c = (*tp)->c;
    struct event ev;
    tcp_packet(*tp, from_client ? SIDE_CLIENT : SIDE_SERVER, &p, t_us * 1000, c->nevents + 1, &tctx, &ev);
    ev.offset = -1;
    conn_add_event(c, &ev);
}

/* The record, its tracker let go (finished first when asked: as the pipeline does). */
static struct conn *let_go(struct track *t, int finish)
{
    struct conn *c = t ? t->c : NULL;
    if (t && finish)
        tcp_finish(t, &tctx);
    track_free(t);
    return c;
}

/* Handshake, `n` server data segments (one of them retransmitted), four-way close. */
static struct conn *bulk(uint64_t id, uint16_t cport, int n, int upto)
{
    struct track *t = NULL;
    int k = 0;
#define STEP(...)                \
    do {                         \
        if (k++ >= upto)         \
            return let_go(t, 0); \
        seg(&t, __VA_ARGS__);    \
    } while (0)
    STEP(id, cport, 1, TH_SYN, 100, 0, 0, 0);
    STEP(id, cport, 0, TH_SYN | TH_ACK, 5000, 101, 0, 10);
    STEP(id, cport, 1, TH_ACK, 101, 5001, 0, 20);
    STEP(id, cport, 1, TH_PSH | TH_ACK, 101, 5001, 100, 30);
    uint32_t sseq = 5001;
    for (int i = 0; i < n; i++) {
        STEP(id, cport, 0, TH_ACK, sseq, 201, 1000, 40 + i);
        if (i == n / 2)
            STEP(id, cport, 0, TH_ACK, sseq, 201, 1000, 40 + i); /* a retransmission inside the run */
        sseq += 1000;
    }
    STEP(id, cport, 1, TH_FIN | TH_ACK, 201, sseq, 0, 5000);
    STEP(id, cport, 0, TH_ACK, sseq, 202, 0, 5010);
    STEP(id, cport, 0, TH_FIN | TH_ACK, sseq, 202, 0, 5020);
    STEP(id, cport, 1, TH_ACK, 202, sseq + 1, 0, 5030);
#undef STEP
    return let_go(t, 1);
}

static void all_text(const struct ladder_doc *d, char ***out, size_t *n)
{
    struct lline *l = malloc(d->total_lines * sizeof *l);
    *n = ladder_doc_lines(d, 0, d->total_lines, l);
    *out = malloc(*n * sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        (*out)[i] = malloc(4096);
        lline_text(&l[i], (*out)[i], 4096);
    }
    free(l);
}

static void free_text(char **t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

static void test_collapse(void)
{
    struct conn *c = bulk(1, 40000, 40, 1 << 30);
    struct ladder_geom g;
    ladder_geom_init(&g, 100, 1, TIME_RELATIVE);
    struct ladder_doc full = {0}, folded = {0}, opened = {0};
    CU_ASSERT_EQUAL_FATAL(ladder_doc_build(&full, c, &g, TIME_RELATIVE, 0, NULL, 0), 0);
    CU_ASSERT_EQUAL_FATAL(ladder_doc_build(&folded, c, &g, TIME_RELATIVE, 8, NULL, 0), 0);
    /* the run of server data became summary rows, broken at the retransmission: it stands alone */
    size_t summaries = 0, between = 0;
    uint32_t first[2] = {0, 0};
    for (size_t b = 0; b < folded.nb; b++) {
        if (folded.b[b].collapsed) {
            if (summaries < 2)
                first[summaries] = folded.b[b].first;
            summaries++;
            CU_ASSERT(folded.b[b].count >= 19);
            CU_ASSERT_EQUAL(folded.b[b].retrans, 0);
            CU_ASSERT(folded.b[b].bytes[SIDE_SERVER] >= 19000);
        } else if (summaries == 1) {
            between++;
            CU_ASSERT(c->events[folded.b[b].first].notes & NOTE_RETRANSMISSION);
        }
    }
    CU_ASSERT_EQUAL(summaries, 2);
    CU_ASSERT_EQUAL(between, 1);
    CU_ASSERT(folded.total_lines < full.total_lines / 3);
    char **t;
    size_t n;
    all_text(&folded, &t, &n);
    int found = 0, tagged = 0;
    for (size_t i = 0; i < n; i++) {
        found += strstr(t[i], "segments, client->server 0 B, server->client ") != NULL;
        tagged += strstr(t[i], " retransmission ") != NULL; /* on its own arrow */
    }
    CU_ASSERT_EQUAL(found, 2);
    CU_ASSERT_EQUAL(tagged, 1);
    free_text(t, n);
    /* opened by the viewer: as long as the full one */
    uint32_t ex[2] = {first[0], first[1]};
    CU_ASSERT_EQUAL_FATAL(ladder_doc_build(&opened, c, &g, TIME_RELATIVE, 8, ex, 2), 0);
    CU_ASSERT_EQUAL(opened.total_lines, full.total_lines);
    ladder_doc_free(&full);
    ladder_doc_free(&folded);
    ladder_doc_free(&opened);
    conn_free(c);
}

/* Lines taken one at a time from anywhere equal the lines taken in one go. */
static void test_windows(void)
{
    struct conn *c = bulk(2, 40001, 12, 1 << 30);
    struct ladder_geom g;
    ladder_geom_init(&g, 90, 0, TIME_DELTA);
    struct ladder_doc d = {0};
    CU_ASSERT_EQUAL_FATAL(ladder_doc_build(&d, c, &g, TIME_DELTA, 4, NULL, 0), 0);
    char **t;
    size_t n;
    all_text(&d, &t, &n);
    CU_ASSERT_EQUAL(n, d.total_lines);
    for (uint64_t at = d.total_lines; at-- > 0;) {
        struct lline l[3];
        size_t got = ladder_doc_lines(&d, at, 3, l);
        CU_ASSERT(got >= 1);
        for (size_t k = 0; k < got; k++) {
            char buf[4096];
            lline_text(&l[k], buf, sizeof buf);
            CU_ASSERT_STRING_EQUAL(buf, t[at + k]);
        }
    }
    /* every line fits the width asked for */
    for (size_t i = 0; i < n; i++)
        CU_ASSERT(utf8_width(t[i]) <= 90);
    free_text(t, n);
    ladder_doc_free(&d);
    conn_free(c);
}

/* A connection laid out while it grows ends up as if laid out once at the end. */
static void test_extend(void)
{
    struct ladder_geom g;
    ladder_geom_init(&g, 80, 0, TIME_RELATIVE);
    struct conn *c = bulk(3, 40002, 30, 6);
    struct ladder_doc grown = {0};
    CU_ASSERT_EQUAL_FATAL(ladder_doc_build(&grown, c, &g, TIME_RELATIVE, 8, NULL, 0), 0);
    conn_free(c);
    /* grow the same connection step by step: rebuild it to each length and extend */
    struct conn *whole = bulk(3, 40002, 30, 1 << 30);
    for (int upto = 7; upto <= 40; upto += 5) {
        struct conn *part = bulk(3, 40002, 30, upto);
        grown.c = part;
        CU_ASSERT_EQUAL(ladder_doc_extend(&grown), 0);
        struct ladder_doc fresh = {0};
        CU_ASSERT_EQUAL_FATAL(ladder_doc_build(&fresh, part, &g, TIME_RELATIVE, 8, NULL, 0), 0);
        CU_ASSERT_EQUAL(grown.total_lines, fresh.total_lines);
        CU_ASSERT_EQUAL(grown.nb, fresh.nb);
        char **a, **b;
        size_t na, nb;
        all_text(&grown, &a, &na);
        all_text(&fresh, &b, &nb);
        CU_ASSERT_EQUAL(na, nb);
        for (size_t i = 0; i < na && i < nb; i++)
            CU_ASSERT_STRING_EQUAL(a[i], b[i]);
        free_text(a, na);
        free_text(b, nb);
        ladder_doc_free(&fresh);
        conn_free(part);
    }
    ladder_doc_free(&grown);
    conn_free(whole);
}

/* ------------------------------------------------------------ the catalog */

static struct conn *refused(uint64_t id, uint16_t cport)
{
    struct track *t = NULL;
    seg(&t, id, cport, 1, TH_SYN, 7, 0, 0, 0);
    seg(&t, id, cport, 0, TH_RST | TH_ACK, 0, 8, 0, 5);
    return let_go(t, 1);
}

static void test_catalog(void)
{
    struct catalog cat;
    catalog_init(&cat, 0);
    struct conn *a = bulk(1, 50001, 3, 1 << 30), *b = refused(2, 50002), *c = bulk(3, 50003, 20, 12);
    CU_ASSERT_EQUAL(catalog_add(&cat, a), 0);
    CU_ASSERT_EQUAL(catalog_add(&cat, b), 0);
    CU_ASSERT_EQUAL(catalog_add(&cat, c), 0);
    CU_ASSERT_EQUAL(conn_outcome(a, 1), OUTCOME_CLEAN);
    CU_ASSERT_EQUAL(conn_outcome(b, 1), OUTCOME_REFUSED);
    CU_ASSERT_EQUAL(conn_outcome(c, 0), OUTCOME_OPEN);
    uint64_t a_packets = a->packets;
    CU_ASSERT_EQUAL(catalog_finish(&cat, a, 0), 0); /* a row: the caller frees the connection */
    conn_free(a);
    CU_ASSERT_EQUAL(catalog_finish(&cat, b, 1), 1); /* kept whole (a live capture's) */
    CU_ASSERT_PTR_EQUAL(catalog_conn(&cat, 1), b);
    CU_ASSERT_PTR_NULL(catalog_conn(&cat, 0));
    CU_ASSERT_PTR_EQUAL(catalog_conn(&cat, 2), c); /* c stays open */
    struct row_buf tmp;
    CU_ASSERT_EQUAL(catalog_row(&cat, 0, &tmp)->packets, a_packets);
    CU_ASSERT_EQUAL(catalog_find(&cat, 3), 2);
    CU_ASSERT_EQUAL(catalog_find(&cat, 4), -1);
    catalog_count(&cat);
    CU_ASSERT_EQUAL(cat.totals[OUTCOME_CLEAN], 1);
    CU_ASSERT_EQUAL(cat.totals[OUTCOME_REFUSED], 1);
    CU_ASSERT_EQUAL(cat.totals[OUTCOME_OPEN], 1);

    struct view v;
    view_init(&v);
    CU_ASSERT_EQUAL(view_rebuild(&v, &cat), 0);
    CU_ASSERT_EQUAL(v.n, 3);
    v.filter = FILTER_REFUSED;
    view_rebuild(&v, &cat);
    CU_ASSERT_EQUAL(v.n, 1);
    CU_ASSERT_EQUAL(v.idx[0], 1);
    v.filter = FILTER_ALL;
    snprintf(v.query, sizeof v.query, ":50003");
    view_rebuild(&v, &cat);
    CU_ASSERT_EQUAL(v.n, 1);
    snprintf(v.query, sizeof v.query, "ESTABLISHED"); /* states, case-insensitively */
    view_rebuild(&v, &cat);
    CU_ASSERT_EQUAL(v.n, 1);
    snprintf(v.query, sizeof v.query, "rejected");
    view_rebuild(&v, &cat);
    CU_ASSERT_EQUAL(v.n, 1);
    v.query[0] = '\0';
    v.sort = COL_PACKETS;
    v.reverse = 1;
    view_rebuild(&v, &cat);
    CU_ASSERT_EQUAL(v.n, 3);
    struct row_buf t0, t1, t2;
    CU_ASSERT(catalog_row(&cat, v.idx[0], &t0)->packets >= catalog_row(&cat, v.idx[1], &t1)->packets);
    CU_ASSERT(catalog_row(&cat, v.idx[1], &t1)->packets >= catalog_row(&cat, v.idx[2], &t2)->packets);
    v.sort = COL_ID;
    v.reverse = 1;
    view_rebuild(&v, &cat);
    CU_ASSERT_EQUAL(v.idx[0], 2);
    view_free(&v);
    catalog_free(&cat);
    conn_free(c); /* open: still the pipeline's in real life, so the catalog left it */
}

static void test_detail(void)
{
    struct conn *c = bulk(4, 40004, 2, 1 << 30);
    /* a real frame for event 0: Ethernet, IPv4, TCP SYN with MSS */
    uint8_t frame[58] = {0};
    frame[12] = 0x08;
    uint8_t *ip = frame + 14, *tcp = ip + 20;
    ip[0] = 0x45, ip[3] = 44, ip[8] = 64, ip[9] = 6;
    put32(ip + 12, 0x0a000002u);
    put32(ip + 16, 0x0a000001u);
    tcp[0] = 0x9c, tcp[1] = 0x44, tcp[2] = 0x01, tcp[3] = 0xbb;
    put32(tcp + 4, 100);
    tcp[12] = 0x60, tcp[13] = TH_SYN, tcp[14] = 0x01, tcp[15] = 0xf4;
    tcp[20] = 2, tcp[21] = 4, tcp[22] = 0x05, tcp[23] = 0xb4;
    struct detail d = {0};
    detail_build(&d, c, 0, -1, frame, sizeof frame, sizeof frame, 1, NULL);
    int ip_line = 0, mss = 0, hex = 0;
    for (size_t i = 0; i < d.n; i++) {
        ip_line |= strstr(d.line[i], "IPv4 10.0.0.2 -> 10.0.0.1, ttl 64") != NULL;
        mss |= strstr(d.line[i], "mss 1460") != NULL;
        hex |= !strncmp(d.line[i], "0030  ", 6);
    }
    CU_ASSERT(ip_line && mss && hex);
    detail_build(&d, c, 1, -1, NULL, 0, 0, 1, "not kept");
    CU_ASSERT(d.n > 0 && strstr(d.line[d.n - 1], "not kept") != NULL);
    detail_build(&d, c, 99999, -1, NULL, 0, 0, 1, NULL); /* past the end: nothing, no crash */
    CU_ASSERT_EQUAL(d.n, 0);
    detail_free(&d);
    conn_free(c);
}

static int has_line(const struct detail *d, const char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->line[i], text))
            return 1;
    return 0;
}

/* The detail pane names the link, the VLAN and each tunnel with its outer addresses. */
static void test_detail_tunnel(void)
{
    struct conn *c = bulk(4, 40005, 2, 1 << 30);
    /* Ethernet, VLAN 7, IPv4 203.0.113.1 -> .2 GRE key 0x1234, IPv4 10.0.0.2 -> 10.0.0.1 TCP SYN */
    uint8_t frame[14 + 4 + 20 + 8 + 20 + 20] = {0};
    frame[12] = 0x81, frame[15] = 7, frame[16] = 0x08;
    uint8_t *out = frame + 18, *gre = out + 20, *ip = gre + 8, *tcp = ip + 20;
    out[0] = 0x45, out[3] = 68, out[8] = 60, out[9] = 47;
    put32(out + 12, 0xcb007101u);
    put32(out + 16, 0xcb007102u);
    gre[0] = 0x20, gre[2] = 0x08;
    put32(gre + 4, 0x1234);
    ip[0] = 0x45, ip[3] = 40, ip[8] = 64, ip[9] = 6;
    put32(ip + 12, 0x0a000002u);
    put32(ip + 16, 0x0a000001u);
    tcp[0] = 0x9c, tcp[1] = 0x45, tcp[2] = 0x01, tcp[3] = 0xbb;
    tcp[12] = 0x50, tcp[13] = TH_SYN;
    struct detail d = {0};
    detail_build(&d, c, 0, -1, frame, sizeof frame, sizeof frame, 1, NULL);
    CU_ASSERT(has_line(&d, "link EN10MB, VLAN 7"));
    CU_ASSERT(has_line(&d, "tunnel gre key 4660, outer IPv4 203.0.113.1 -> 203.0.113.2"));
    CU_ASSERT(has_line(&d, "IPv4 10.0.0.2 -> 10.0.0.1, ttl 64"));
    /* the same frame as the last fragment of a datagram: its fragment line */
    ip[6] = 0x00, ip[7] = 0x03; /* offset 24, the last */
    detail_build(&d, c, 0, -1, frame, sizeof frame, sizeof frame, 1, NULL);
    CU_ASSERT(has_line(&d, "tunnel gre key 4660"));
    CU_ASSERT(has_line(&d, "IPv4 10.0.0.2 -> 10.0.0.1, fragment id 0x0, bytes 24-44, the last"));
    detail_free(&d);
    conn_free(c);
}

/* Keep every finished connection, for the loader test. */
struct kept {
    struct conn *c[8];
    int n;
};

static int keep_conn(void *ctx, struct conn *c)
{
    struct kept *k = ctx;
    if (k->n == 8)
        return 0;
    k->c[k->n++] = c;
    return 1;
}

/* A connection whose first segment was reassembled from fragments is read again whole. */
static void test_loader_fragments(void)
{
    const char *top = getenv("SRCDIR");
    char path[1024], err[CAPTURE_ERRLEN] = "";
    snprintf(path, sizeof path, "%s/captures/ipv4-fragments.pcap", top ? top : "..");
    struct capture *cap = capture_open_file(path, err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
    struct kept k = {{0}, 0};
    struct pipeline_config pc = {.reasm_budget = 1 << 20, .idle_timeout_ns = INT64_MAX / 4,
                                 .linger_ns = INT64_MAX / 4, .closing_linger_ns = INT64_MAX / 4};
    struct conn_sink sink = {&k, keep_conn, NULL};
    struct pipeline *pl = pipeline_new(&pc, &sink);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pl);
    struct capture_pkt pk;
    while (capture_next(cap, &pk, err) == CAPTURE_PACKET)
        pipeline_packet(pl, capture_datalink(cap), pk.ts_ns, pk.data, pk.caplen, pk.wirelen, pk.offset);
    pipeline_finish(pl);
    CU_ASSERT_EQUAL(pipeline_stats(pl)->frag.reassembled, 4);
    pipeline_free(pl);
    CU_ASSERT_EQUAL_FATAL(k.n, 3);
    for (int i = 0; i < k.n; i++) {
        struct conn *t = k.c[i];
        CU_ASSERT_EQUAL(t->packets, i < 2 ? 10 : 7); /* the third starts mid-stream with a reassembled request */
        struct row_buf row;
        row_of(t, 1, &row);
        struct loader *ld = loader_new(cap, &row.r, &pc, err); /* a second reader of the capture */
        CU_ASSERT_PTR_NOT_NULL_FATAL(ld);
        int r;
        while ((r = loader_step(ld, 4, err)) == 0)
            ;
        CU_ASSERT_EQUAL(r, 1);
        struct conn *again = loader_conn(ld);
        CU_ASSERT_PTR_NOT_NULL_FATAL(again);
        CU_ASSERT_EQUAL(again->id, t->id);
        CU_ASSERT_EQUAL(again->nevents, t->packets);
        CU_ASSERT_EQUAL(again->reassembled_packets, t->reassembled_packets);
        CU_ASSERT_EQUAL(again->side[0].payload.bytes, t->side[0].payload.bytes);
        CU_ASSERT_EQUAL(again->side[1].payload.bytes, t->side[1].payload.bytes);
        loader_free(ld);
        conn_free(t);
    }
    capture_close(cap);
}


/*
 * The catalog within its budget: 20,000 finished connections in a budget
 * for about 2,000 rows.  The oldest leave the list (counted, and counted
 * in the totals), every listed one is found by id, the memory stays under
 * the budget; connections kept whole (live) let their events go first, but
 * never the one on screen.
 */
static void test_catalog_budget(void)
{
    enum { N = 20000 };
    struct catalog cat;
    catalog_init(&cat, 2000 * 200);
    struct conn *shown = NULL;
    size_t peak = 0;
    for (uint64_t id = 1; id <= N; id++) {
        struct conn *c = refused(id, (uint16_t)(10000 + id % 50000));
        CU_ASSERT_EQUAL_FATAL(catalog_add(&cat, c), 0);
        if (id == 5)
            catalog_pin(&cat, shown = c); /* on screen, as a live ladder */
        int kept = catalog_finish(&cat, c, id <= 100); /* the first hundred kept whole */
        if (!kept)
            conn_free(c);
        if (cat.mem > peak)
            peak = cat.mem;
    }
    CU_ASSERT(peak <= cat.budget + 4096);
    CU_ASSERT(cat.dropped > 0 && cat.dropped < N);
    CU_ASSERT_EQUAL(cat.n + cat.dropped, N);
    CU_ASSERT(cat.unladdered >= 99);               /* every one kept whole let go of its events... */
    CU_ASSERT_PTR_EQUAL(catalog_conn(&cat, 0), shown); /* ...but the one on screen, still listed, first */
    CU_ASSERT_EQUAL(catalog_find(&cat, 5), 0);
    CU_ASSERT_EQUAL(catalog_find(&cat, 6), -1);    /* dropped: the oldest go */
    CU_ASSERT_EQUAL(catalog_find(&cat, N), (long)cat.n - 1);
    int missing = 0;
    for (size_t i = 0; i < cat.n; i++) {
        struct row_buf tmp;
        missing += catalog_find(&cat, catalog_row(&cat, i, &tmp)->id) != (long)i;
    }
    CU_ASSERT_EQUAL(missing, 0);
    catalog_count(&cat);
    CU_ASSERT_EQUAL(cat.totals[OUTCOME_REFUSED], N);
    catalog_pin(&cat, NULL);
    catalog_free(&cat);
}

/* A label from the wire with controls and wide characters: drawn escaped, wrapped by the columns the
 * terminal uses, and the server's lifeline stays in its column on every line. */
static void test_hostile_label(void)
{
    struct conn *c = bulk(5, 40005, 2, 1 << 30);
    char label[APP_MSG_LABEL];
    snprintf(label, sizeof label, "GET /\x1b]0;T\x07\xe2\x80\xae%s", "\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87"
             "\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87");
    conn_add_msg(c, 0, SIDE_CLIENT, MSG_REQUEST, 0, label);
    struct ladder_geom g;
    ladder_geom_init(&g, 72, 0, TIME_RELATIVE);
    struct ladder_doc doc = {0};
    CU_ASSERT_EQUAL_FATAL(ladder_doc_build(&doc, c, &g, TIME_RELATIVE, 0, NULL, 0), 0);
    char **text;
    size_t n;
    all_text(&doc, &text, &n);
    int raw = 0, misplaced = 0, escaped = 0, wide = 0;
    for (size_t i = 0; i < n; i++) {
        for (const unsigned char *p = (const unsigned char *)text[i]; *p; p++)
            raw += *p < 0x20 || *p == 0x7f || (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xae);
        escaped |= strstr(text[i], "\\x1b]0;T\\x07\\u202e") != NULL;
        if (!strstr(text[i], "\xe4\xb8\xad"))
            continue;
        wide++;
        /* the last lifeline glyph sits at the server's lifeline column, counted as drawn */
        char *last = NULL;
        for (char *q = strstr(text[i], "\xe2\x94\x82"); q; q = strstr(q + 1, "\xe2\x94\x82"))
            last = q;
        char prefix[4096];
        snprintf(prefix, sizeof prefix, "%.*s", last ? (int)(last - text[i]) : 0, text[i]);
        misplaced += !last || tt_width(prefix) != (size_t)g.life_r;
    }
    CU_ASSERT_EQUAL(raw, 0);
    CU_ASSERT(escaped);
    CU_ASSERT(wide >= 1);
    CU_ASSERT_EQUAL(misplaced, 0);
    free_text(text, n);
    ladder_doc_free(&doc);
    conn_free(c);
}

int main(void)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "en_US.UTF-8"); /* wide characters measured as a UTF-8 terminal draws them */
    static const struct unit_case tests[] = {
        {"a long run collapses and opens", test_collapse},
        {"lines from anywhere equal lines in one go", test_windows},
        {"a growing connection extends like a fresh build", test_extend},
        {"catalog: outcomes, filters, search, sort", test_catalog},
        {"catalog: within its budget, oldest rows dropped", test_catalog_budget},
        {"detail pane", test_detail},
        {"detail pane: link, VLAN, tunnel, fragment", test_detail_tunnel},
        {"loader: a connection with fragments read again", test_loader_fragments},
        {"a hostile label: escaped, wrapped by drawn width", test_hostile_label},
    };
    return unit_run("view", NULL, NULL, tests, UNIT_COUNT(tests));
}
