/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * multi_view.c - several connections on one diagram (see multi_view.h).
 * Each line is composed on a grid of cells (a character, its style and
 * tint) and then cut into spans, so lifelines crossed by an arrow or
 * overlaid by a label come out right whatever their number.
 */
#include "multi_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "ladder_layout.h"
#include "termtext.h"
#include "textfit.h"

#define GUTTER 10
#define MIN_SPACING 30
#define GRID_MAX 512

struct cell {
    char ch[5];
    uint8_t style, tint, from;
};

struct grid {
    struct cell c[GRID_MAX];
    int w;
};

static void g_clear(struct grid *g, int w)
{
    g->w = w < GRID_MAX ? w : GRID_MAX;
    for (int i = 0; i < g->w; i++)
        g->c[i] = (struct cell){" ", LS_PLAIN, 0, 0};
}

/* Text from column `col`, one cell per character (wide ones take two: the second left empty). */
static void g_put(struct grid *g, int col, const char *text, int style, int tint, int from)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p && col < g->w) {
        size_t l = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 1;
        char one[5] = {0};
        memcpy(one, p, l);
        int w = (int)tt_width(one);
        if (col >= 0) {
            memcpy(g->c[col].ch, one, sizeof one);
            g->c[col].style = (uint8_t)style;
            g->c[col].tint = (uint8_t)tint;
            g->c[col].from = (uint8_t)from;
            if (w == 2 && col + 1 < g->w)
                g->c[col + 1] = (struct cell){"", (uint8_t)style, (uint8_t)tint, (uint8_t)from};
        }
        col += w > 0 ? w : 1;
        p += l;
    }
}

static const char *glyph(const struct multi_doc *d, int k)
{
    static const char *const utf8[] = {"│", "─", "▶", "◀", "├", "┤"};
    static const char *const ascii[] = {"|", "-", ">", "<", "+", "+"};
    return d->ascii ? ascii[k] : utf8[k];
}

static void g_lives(struct grid *g, const struct multi_doc *d)
{
    for (int i = 0; i < d->nlives; i++)
        g_put(g, d->life_x[i], glyph(d, 0), LS_LIFE, 0, 0);
}

/* The grid as spans: runs of one style and tint (a space joins the run it is in). */
static void g_emit(const struct grid *g, struct lline *l, enum lline_kind kind, int32_t event, int32_t msg)
{
    l->nspans = 0;
    l->kind = (uint8_t)kind;
    l->event = event;
    l->msg = msg;
    int last = g->w - 1;
    while (last >= 0 && g->c[last].style == LS_PLAIN && g->c[last].ch[0] == ' ')
        last--;
    struct lspan *sp = NULL;
    size_t len = 0;
    for (int i = 0; i <= last; i++) {
        const struct cell *c = &g->c[i];
        int space = c->style == LS_PLAIN && c->ch[0] == ' ';
        int same = sp && (space || (c->style == sp->style && c->tint == sp->tint && c->from == sp->from));
        if (!same && l->nspans == LLINE_SPANS)
            same = 1; /* out of spans: the rest joins the last one */
        if (!same) {
            sp = &l->span[l->nspans++];
            sp->col = (uint16_t)i;
            sp->style = c->style;
            sp->tint = c->tint;
            sp->from = c->from;
            sp->text[0] = '\0';
            len = 0;
        }
        size_t cl = strlen(c->ch);
        if (len + cl < sizeof sp->text) {
            memcpy(sp->text + len, c->ch, cl);
            len += cl;
            sp->text[len] = '\0';
        }
    }
}

/* ------------------------------------------------------------ building */

struct sortable {
    int64_t ts;
    size_t at;
};

static int by_time(const void *a, const void *b)
{
    const struct sortable *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void addr_text(const struct conn *c, int side, char *buf, size_t len)
{
    char ep[64];
    conn_endpoint_str(c, side, ep, sizeof ep);
    char *colon = strrchr(ep, ':');
    if (colon)
        *colon = '\0';
    snprintf(buf, len, "%s", ep);
}

static int life_index(struct multi_doc *d, const char *name)
{
    for (int i = 0; i < d->nlives; i++)
        if (!strcmp(d->life_name[i], name))
            return i;
    if (d->nlives == MULTI_LIVES)
        return -1;
    snprintf(d->life_name[d->nlives], sizeof d->life_name[0], "%s", name);
    return d->nlives++;
}

static uint16_t entry_lines(const struct multi_doc *d, const struct multi_entry *e)
{
    const struct conn *c = d->c[e->conn];
    uint16_t n = 2; /* the label and the arrow */
    uint8_t from = c->events[e->event].from;
    for (uint32_t k = e->msg_first; k < e->msg_first + e->msg_count; k++) {
        const struct app_msg *m = &c->msgs[k];
        if (m->kind == MSG_MARK || m->kind == MSG_NOTE)
            continue;
        n += m->from == from ? 1 : 2;
    }
    return n;
}

int multi_doc_build(struct multi_doc *d, const struct conn *const *c, size_t n, int width, int ascii,
                    const char *title)
{
    memset(d, 0, sizeof *d);
    if (n > MULTI_MAX || !n)
        return -1;
    d->nc = n;
    d->ascii = ascii;
    snprintf(d->title, sizeof d->title, "%s", title);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        d->c[i] = c[i];
        total += c[i]->nevents;
    }
    /* the lifelines: every client address, then every server address, in the order they come */
    for (int side = 0; side < 2; side++)
        for (size_t i = 0; i < n; i++) {
            char a[64];
            addr_text(c[i], side, a, sizeof a);
            if ((d->life_of[i][side] = life_index(d, a)) < 0)
                return -1;
        }
    int spacing = d->nlives > 1 ? (width - GUTTER - 5) / (d->nlives - 1) : width;
    if (spacing < MIN_SPACING)
        spacing = MIN_SPACING;
    for (int i = 0; i < d->nlives; i++)
        d->life_x[i] = GUTTER + 2 + i * spacing;
    d->width = d->life_x[d->nlives - 1] + 3;
    if (d->width < width)
        d->width = width;
    if (d->width > GRID_MAX)
        return -1;
    /* every packet of every connection, with what its ladder row says */
    d->e = malloc((total ? total : 1) * sizeof *d->e);
    struct sortable *order = malloc((total ? total : 1) * sizeof *order);
    struct multi_entry *tmp = malloc((total ? total : 1) * sizeof *tmp);
    if (!d->e || !order || !tmp) {
        free(order);
        free(tmp);
        multi_doc_free(d);
        return -1;
    }
    size_t k = 0;
    d->t0 = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        struct ladder_cursor cur = {0};
        for (size_t ev = 0; ev < c[i]->nevents; ev++, k++) {
            struct ladder_row r;
            ladder_row(c[i], ev, &cur, &r);
            tmp[k] = (struct multi_entry){.conn = (uint8_t)i, .event = (uint32_t)ev, .msg_first = (uint32_t)r.msg_first,
                                          .msg_count = (uint32_t)r.msg_count};
            memcpy(tmp[k].state, r.state, 2);
            memcpy(tmp[k].changed, r.changed, 2);
            order[k] = (struct sortable){c[i]->events[ev].ts_ns, k};
            if (c[i]->events[ev].ts_ns < d->t0)
                d->t0 = c[i]->events[ev].ts_ns;
        }
    }
    qsort(order, total, sizeof *order, by_time);
    d->header_lines = 4 + (uint32_t)n;
    d->total_lines = d->header_lines;
    for (size_t i = 0; i < total; i++) {
        d->e[i] = tmp[order[i].at];
        d->e[i].line0 = d->total_lines;
        d->e[i].nlines = entry_lines(d, &d->e[i]);
        d->total_lines += d->e[i].nlines;
    }
    d->ne = total;
    free(order);
    free(tmp);
    return 0;
}

void multi_doc_free(struct multi_doc *d)
{
    free(d->e);
    d->e = NULL;
    d->ne = 0;
}

/* ------------------------------------------------------------ lines */

static void header_line(const struct multi_doc *d, uint32_t i, struct lline *l)
{
    struct grid *g = malloc(sizeof *g);
    if (!g) {
        memset(l, 0, sizeof *l);
        return;
    }
    g_clear(g, d->width);
    char text[LSPAN_TEXT];
    if (i == 0) {
        snprintf(text, sizeof text, "%zu connections: %s", d->nc, d->title);
        g_put(g, 0, text, LS_TITLE, 0, 0);
    } else if (i <= d->nc) {
        const struct conn *c = d->c[i - 1];
        char cl[64], sv[64], app[160], clean[LSPAN_TEXT];
        conn_endpoint_str(c, SIDE_CLIENT, cl, sizeof cl);
        conn_endpoint_str(c, SIDE_SERVER, sv, sizeof sv);
        conn_app_text(c, app, sizeof app);
        snprintf(text, sizeof text, "#%u connection %llu: %s %s %s, %s, handshake %s, teardown %s", i,
                 (unsigned long long)c->id, cl, d->ascii ? "->" : "→", sv, app, handshake_name(c->handshake),
                 teardown_name(c->teardown));
        tt_cleans(clean, sizeof clean, text, d->ascii ? TT_ASCII : 0);
        fit_end(text, sizeof text, clean, (size_t)d->width, d->ascii);
        g_put(g, 0, text, LS_TITLE, (int)i, 0);
    } else if (i == d->nc + 1) {
        g_put(g, 0, "", LS_PLAIN, 0, 0);
    } else if (i == d->nc + 2) {
        g_put(g, GUTTER - 8, "time (s)", LS_TITLE, 0, 0);
        int end = GUTTER; /* where the previous name ended */
        for (int k = 0; k < d->nlives; k++) {
            char name[64];
            int room = k + 1 < d->nlives ? d->life_x[k + 1] - d->life_x[k] - 2 : d->life_x[k] - d->life_x[k - 1] - 2;
            fit_middle(name, sizeof name, d->life_name[k], (size_t)(room > 4 ? room : 4), d->ascii);
            int w = (int)tt_width(name);
            int at = d->life_x[k] - w / 2; /* centred over its lifeline, inside the diagram */
            if (at + w > d->width)
                at = d->width - w;
            if (at <= end)
                at = end + 1;
            g_put(g, at, name, LS_TITLE, 0, 0);
            end = at + w;
        }
    } else {
        g_lives(g, d);
    }
    g_emit(g, l, LK_HEADER, -1, -1);
    free(g);
}

/* A label between two lifelines: after the left one for an arrow to the right, before the right one else. */
static void label(const struct multi_doc *d, struct grid *g, int a, int b, const char *text, int style, int tint)
{
    int lo = a < b ? a : b, hi = a < b ? b : a;
    char fit[LSPAN_TEXT], clean[LSPAN_TEXT];
    tt_cleans(clean, sizeof clean, text, d->ascii ? TT_ASCII : 0);
    int room = hi - lo - 3;
    fit_end(fit, sizeof fit, clean, (size_t)(room > 4 ? room : 4), d->ascii);
    int w = (int)tt_width(fit);
    g_put(g, a < b ? lo + 2 : hi - 1 - w, fit, style, tint, 0);
}

static void arrow(const struct multi_doc *d, struct grid *g, int a, int b, int from, int tint, const char *from_state,
                  const char *to_state, const char *tag)
{
    int lo = a < b ? a : b, hi = a < b ? b : a, right = a < b;
    for (int x = lo + 1; x < hi; x++)
        g_put(g, x, glyph(d, 1), LS_ARROW, tint, from);
    g_put(g, right ? hi - 1 : lo + 1, glyph(d, right ? 2 : 3), LS_ARROW, tint, from);
    g_put(g, right ? lo : hi, glyph(d, right ? 4 : 5), LS_ARROW, tint, from);
    int room = hi - lo - 4, used = 0;
    char t[64];
    /* the sender's state at the arrow's tail, the receiver's at its head */
    if (from_state && (int)strlen(from_state) + 2 <= room) {
        snprintf(t, sizeof t, " %s ", from_state);
        g_put(g, right ? lo + 1 : hi - 1 - (int)strlen(t), t, LS_STATE, 0, 0);
        used += (int)strlen(t);
    }
    if (to_state && used + (int)strlen(to_state) + 2 <= room) {
        snprintf(t, sizeof t, " %s ", to_state);
        g_put(g, right ? hi - 2 - (int)strlen(t) : lo + 2, t, LS_STATE, 0, 0);
        used += (int)strlen(t);
    }
    if (tag && *tag && used + (int)strlen(tag) + 4 <= room) {
        snprintf(t, sizeof t, " %.60s ", tag);
        g_put(g, (lo + hi) / 2 - (int)strlen(t) / 2, t, LS_TAG, 0, 0);
    }
}

/* Line `k` of entry e. */
static void entry_line(const struct multi_doc *d, const struct multi_entry *e, uint16_t k, struct lline *l)
{
    struct grid *g = malloc(sizeof *g);
    if (!g) {
        memset(l, 0, sizeof *l);
        return;
    }
    const struct conn *c = d->c[e->conn];
    const struct event *ev = &c->events[e->event];
    int tint = e->conn + 1;
    int from = ev->from;
    int a = d->life_x[d->life_of[e->conn][from]], b = d->life_x[d->life_of[e->conn][!from]];
    g_clear(g, d->width);
    g_lives(g, d);
    uint16_t at = 0;
    enum lline_kind kind = LK_LABEL;
    int32_t msg = -1;
    if (k == at++) {
        char time[32], fl[40], text[LSPAN_TEXT];
        snprintf(time, sizeof time, "%.6f", (double)(ev->ts_ns - d->t0) / 1e9);
        g_put(g, GUTTER - (int)strlen(time), time, LS_TIME, 0, 0);
        ladder_flags_str(ev->flags, fl, sizeof fl);
        int n = snprintf(text, sizeof text, "#%d :%u%s:%u %s seq=%u", tint, c->side[from].port, d->ascii ? "->" : "→",
                         c->side[!from].port, fl, ev->rel_seq);
        if (ev->flags & TH_ACK)
            n += snprintf(text + n, sizeof text - (size_t)n, " ack=%u", ev->rel_ack);
        snprintf(text + n, sizeof text - (size_t)n, " len=%u", ev->len);
        label(d, g, a, b, text, LS_LABEL, tint);
        g_emit(g, l, LK_LABEL, (int32_t)e->event, -1);
        free(g);
        return;
    }
    /* the messages its sender completed in it, then its arrow, then the other side's */
    for (uint32_t m = e->msg_first; m < e->msg_first + e->msg_count; m++) {
        const struct app_msg *am = &c->msgs[m];
        if (am->kind == MSG_MARK || am->kind == MSG_NOTE || am->from != from)
            continue;
        if (k == at++) {
            label(d, g, a, b, am->label, LS_MSG, tint);
            g_emit(g, l, LK_LABEL, (int32_t)e->event, (int32_t)m);
            free(g);
            return;
        }
    }
    if (k == at++) {
        char tag[LADDER_TAG_MAX] = "";
        size_t t = 0;
        for (unsigned bit = 0; bit < NOTE_COUNT_; bit++)
            if (ev->notes & (1u << bit)) {
                int w = snprintf(tag + t, sizeof tag - t, "%s%s", t ? ", " : "", note_name(bit));
                if (w < 0 || (size_t)w >= sizeof tag - t)
                    break;
                t += (size_t)w;
            }
        arrow(d, g, a, b, from, tint, e->changed[from] ? tcp_state_name(e->state[from]) : NULL,
              e->changed[!from] ? tcp_state_name(e->state[!from]) : NULL, tag);
        g_emit(g, l, LK_ARROW, (int32_t)e->event, -1);
        free(g);
        return;
    }
    for (uint32_t m = e->msg_first; m < e->msg_first + e->msg_count; m++) {
        const struct app_msg *am = &c->msgs[m];
        if (am->kind == MSG_MARK || am->kind == MSG_NOTE || am->from == from)
            continue;
        if (k == at++) {
            label(d, g, b, a, am->label, LS_MSG, tint);
            kind = LK_LABEL;
            msg = (int32_t)m;
            break;
        }
        if (k == at++) {
            arrow(d, g, b, a, !from, tint, NULL, NULL, NULL);
            kind = LK_ARROW;
            msg = (int32_t)m;
            break;
        }
    }
    g_emit(g, l, kind, (int32_t)e->event, msg);
    free(g);
}

size_t multi_doc_lines(const struct multi_doc *d, uint64_t from, size_t n, struct lline *out)
{
    size_t got = 0;
    while (got < n && from + got < d->header_lines) {
        header_line(d, (uint32_t)(from + got), &out[got]);
        got++;
    }
    if (got == n || !d->ne)
        return got;
    uint64_t line = from + got;
    /* the entry holding `line`: bisect */
    size_t lo = 0, hi = d->ne;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d->e[mid].line0 <= line)
            lo = mid;
        else
            hi = mid;
    }
    for (size_t i = lo; i < d->ne && got < n; i++) {
        const struct multi_entry *e = &d->e[i];
        for (uint16_t k = 0; k < e->nlines && got < n; k++) {
            if (e->line0 + k < line)
                continue;
            entry_line(d, e, k, &out[got]);
            out[got].block = (uint32_t)i;
            got++;
        }
    }
    return got;
}
