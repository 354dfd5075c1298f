/*
 * out_ladder.c - the text sequence diagram: the rows of ladder_layout drawn
 * with box-drawing characters (or ASCII), one connection after another.
 *
 *     time (s)                client                                  server
 *                     CLOSED │                                        │ LISTEN
 *                            │╌╌╌╌╌╌╌╌╌╌╌╌╌╌ TCP handshake ╌╌╌╌╌╌╌╌╌╌╌╌╌│
 *     0.000000               │ SYN seq=0 len=0 win=64240              │
 *                   SYN_SENT ├───────────────────────────────────────▶│
 *     0.000023               │             SYN+ACK seq=0 ack=1 len=0  │
 *                            │◀───────────────────────────────────────┤ SYN_RECV
 *
 * Two rows per event (label, then arrow), one column grid for the whole
 * connection, state labels beside the lifeline on the row where they change,
 * analysis tags on the arrow itself.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "ladder_layout.h"
#include "output.h"
#include "tls.h"
#include "tls_names.h"

#define GUTTER 10        /* relative time, seconds */
#define STATE_W 11       /* "ESTABLISHED" */
#define DEFAULT_WIDTH 80
#define MIN_AREA 30

struct glyphs {
    const char *life, *body, *head_r, *head_l, *tick_l, *tick_r, *phase;
};
static const struct glyphs utf8_glyphs = {"│", "─", "▶", "◀", "├", "┤", "╌"};
static const struct glyphs ascii_glyphs = {"|", "-", ">", "<", "+", "+", "="};

struct ladder_out {
    struct output_config cfg;
    const struct glyphs *g;
    int area;            /* columns between the two lifelines */
    int printed;         /* connections drawn so far */
};

static void *ladder_open(const struct output_config *cfg)
{
    struct ladder_out *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->cfg = *cfg;
    o->g = cfg->ascii ? &ascii_glyphs : &utf8_glyphs;
    int width = cfg->width > 0 ? cfg->width : DEFAULT_WIDTH;
    o->area = width - (GUTTER + 1 + STATE_W + 1 + 1 + 1 + 1 + STATE_W);
    if (o->area < MIN_AREA)
        o->area = MIN_AREA;
    return o;
}

static void repeat(FILE *f, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        fputs(s, f);
}

/* Gutter and the client's state column, up to (not including) the left lifeline. */
static void left_margin(FILE *f, const char *time, const char *state)
{
    fprintf(f, "%*s %*s ", GUTTER, time ? time : "", STATE_W, state ? state : "");
}

static void right_state(FILE *f, const char *state)
{
    if (state && *state)
        fprintf(f, " %s", state);
    putc('\n', f);
}

static void state_row(const struct ladder_out *o, const uint8_t st[2])
{
    FILE *f = o->cfg.f;
    left_margin(f, NULL, tcp_state_name(st[SIDE_CLIENT]));
    fputs(o->g->life, f);
    repeat(f, " ", o->area);
    fputs(o->g->life, f);
    right_state(f, tcp_state_name(st[SIDE_SERVER]));
}

static void phase_row(const struct ladder_out *o, const char *name)
{
    FILE *f = o->cfg.f;
    int n = (int)strlen(name) + 2;
    int left = (o->area - n) / 2, right = o->area - n - left;
    left_margin(f, NULL, NULL);
    fputs(o->g->life, f);
    repeat(f, o->g->phase, left);
    fprintf(f, " %s ", name);
    repeat(f, o->g->phase, right);
    fputs(o->g->life, f);
    putc('\n', f);
}

/* One label line: text left-aligned after the client lifeline or right-aligned before the server's. */
static void label_line(const struct ladder_out *o, const char *time, const char *text, int len, int to_right)
{
    FILE *f = o->cfg.f;
    int room = o->area - 2;
    if (len > room)
        len = room;
    left_margin(f, time, NULL);
    fputs(o->g->life, f);
    if (to_right)
        fprintf(f, " %.*s%*s ", len, text, room - len, "");
    else
        fprintf(f, " %*s%.*s ", room - len, "", len, text);
    fputs(o->g->life, f);
    putc('\n', f);
}

/* The label, word-wrapped to the space between the lifelines; time on its first line. */
static void label_rows(const struct ladder_out *o, const char *time, const char *label, int to_right)
{
    int room = o->area - 2;
    const char *p = label;
    int first = 1;
    while (*p) {
        int len = (int)strlen(p);
        if (len > room) {
            int cut = room;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            len = cut > 0 ? cut : room;
        }
        label_line(o, first ? time : NULL, p, len, to_right);
        first = 0;
        p += len;
        while (*p == ' ')
            p++;
    }
}

/* An arrow from `from`'s lifeline to the other's, with a tag on it and state labels beside it. */
static void arrow(const struct ladder_out *o, int from, const char *tag, const char *left_state,
                  const char *right_state_label)
{
    FILE *f = o->cfg.f;
    const struct glyphs *g = o->g;
    int to_right = from == SIDE_CLIENT;
    left_margin(f, NULL, left_state);
    fputs(to_right ? g->tick_l : g->life, f);
    int body = o->area - 1; /* one column for the head */
    if (!to_right)
        fputs(g->head_l, f);
    if (tag && tag[0]) {
        int tl = (int)strlen(tag);
        if (tl > body - 4)
            tl = body - 4;
        int before = (body - tl - 2) / 2;
        repeat(f, g->body, before);
        fprintf(f, " %.*s ", tl, tag);
        repeat(f, g->body, body - tl - 2 - before);
    } else {
        repeat(f, g->body, body);
    }
    if (to_right)
        fputs(g->head_r, f);
    fputs(to_right ? g->life : g->tick_r, f);
    right_state(f, right_state_label);
}

static void packet_arrow(const struct ladder_out *o, const struct ladder_row *r)
{
    arrow(o, r->from, r->tag, r->changed[SIDE_CLIENT] ? tcp_state_name(r->state[SIDE_CLIENT]) : NULL,
          r->changed[SIDE_SERVER] ? tcp_state_name(r->state[SIDE_SERVER]) : NULL);
}

static int is_arrow(const struct app_msg *m) { return m->kind != MSG_MARK && m->kind != MSG_NOTE; }

/* One packet: its label, then one arrow per protocol message it carried. */
static void draw_event(const struct ladder_out *o, const struct conn *c, const struct ladder_row *r,
                       const char *time)
{
    const struct app_msg *m = c->msgs + r->msg_first;
    size_t nm = r->msg_count, k = 0;
    label_rows(o, time, r->label, r->from == SIDE_CLIENT);
    /* the first message the packet itself carries shares the packet's arrow */
    if (nm && is_arrow(&m[0]) && m[0].from == r->from) {
        label_rows(o, NULL, m[0].label, r->from == SIDE_CLIENT);
        k = 1;
    }
    packet_arrow(o, r);
    for (; k < nm; k++) {
        if (!is_arrow(&m[k])) {
            phase_row(o, m[k].label);
            continue;
        }
        label_rows(o, NULL, m[k].label, m[k].from == SIDE_CLIENT);
        arrow(o, m[k].from, NULL, NULL, NULL);
    }
}

static void header(const struct ladder_out *o, const struct conn *c)
{
    FILE *f = o->cfg.f;
    char cl[64], sv[64];
    conn_endpoint_str(c, SIDE_CLIENT, cl, sizeof cl);
    conn_endpoint_str(c, SIDE_SERVER, sv, sizeof sv);
    fprintf(f, "connection %llu: client %s, server %s\n", (unsigned long long)c->id, cl, sv);
    fprintf(f, "  handshake %s", handshake_name(c->handshake));
    if (c->hs_rtt_ns >= 0)
        fprintf(f, " (rtt %.3f ms)", (double)c->hs_rtt_ns / 1e6);
    fprintf(f, ", teardown %s", teardown_name(c->teardown));
    if (c->closed_by >= 0)
        fprintf(f, " (closed by %s)", c->closed_by == SIDE_CLIENT ? "client" : "server");
    fprintf(f, ", %llu packets\n", (unsigned long long)c->packets);
    if (c->tls) {
        const struct tls_summary *t = c->tls;
        char vb[32];
        const char *v = t->version ? tls_version_name(t->version, vb, sizeof vb) : NULL;
        const char *cn = t->seen_server_hello ? tls_cipher_name(t->sh.cipher) : NULL;
        fprintf(f, "  %s %s handshake", v ? v : "TLS", tls_hs_kind_name(t->handshake));
        if (t->ch.sni[0])
            fprintf(f, ", SNI %s", t->ch.sni);
        if (cn)
            fprintf(f, ", %s", cn);
        if (t->cert_verified)
            fprintf(f, ", certificate %s", cert_verdict_name(t->cert_verdict));
        else if (t->version == 0x0304)
            fprintf(f, ", certificate not visible (TLS 1.3 without keys)");
        fputc('\n', f);
    }
    if (c->http) {
        const struct http_summary *h = c->http;
        fprintf(f, "  %s: %u requests, %u responses", h->h2 ? "HTTP/2 (h2c, not parsed)" : "HTTP/1.x", h->requests,
                h->responses);
        if (h->first_request[0])
            fprintf(f, ", first %s", h->first_request);
        if (h->first_status)
            fprintf(f, " -> %u", h->first_status);
        fputc('\n', f);
    }
    /* "client" and "server" centred over their lifelines */
    int life_l = GUTTER + 1 + STATE_W + 1;
    int life_r = life_l + 1 + o->area;
    fprintf(f, "%*s%*s%*s\n", GUTTER, "time (s)", life_l - GUTTER + 3, "client", life_r - life_l, "server");
}

static void ladder_conn(void *st, const struct conn *c)
{
    struct ladder_out *o = st;
    if (o->cfg.only_id && c->id != o->cfg.only_id)
        return;
    FILE *f = o->cfg.f;
    if (o->printed++)
        putc('\n', f);
    header(o, c);
    uint8_t init[2];
    ladder_initial_states(c, init);
    state_row(o, init);
    struct ladder_cursor cur = {0};
    int64_t t0 = c->nevents ? c->events[0].ts_ns : 0;
    for (size_t i = 0; i < c->nevents; i++) {
        struct ladder_row r;
        ladder_row(c, i, &cur, &r);
        if (r.phase)
            phase_row(o, r.phase);
        char time[32];
        snprintf(time, sizeof time, "%.6f", (double)(r.t_ns - t0) / 1e9);
        draw_event(o, c, &r, time);
    }
    if (c->events_dropped)
        fprintf(f, "  (%llu events not shown: out of memory)\n", (unsigned long long)c->events_dropped);
}

static void ladder_close(void *st, const struct pipeline_stats *ps)
{
    (void)ps;
    free(st);
}

const struct output_ops out_ladder_ops = {ladder_open, ladder_conn, ladder_close};
