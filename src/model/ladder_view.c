/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ladder_view.c - the sequence diagram as styled lines on a column grid
 * (see ladder_view.h).  The readability rules it follows: two rows per
 * event (label, then arrow), one grid for the whole connection, state
 * labels beside the lifeline on the row where they change, analysis tags on
 * the arrow itself, phases named on rows of their own.
 */
#include "ladder_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "http.h"
#include "termtext.h"
#include "textfit.h"
#include "tls.h"
#include "tls_names.h"

#define STATE_W 11 /* "ESTABLISHED" */
#define MIN_AREA 30
_Static_assert(10 + 1 + STATE_W + 1 + MIN_AREA + 3 + STATE_W == LADDER_MIN_WIDTH, "the narrowest ladder is LADDER_MIN_WIDTH");

struct glyphs {
    const char *life, *body, *head_r, *head_l, *tick_l, *tick_r, *phase, *dots;
};
static const struct glyphs utf8_glyphs = {"│", "─", "▶", "◀", "├", "┤", "╌", "⋯"};
static const struct glyphs ascii_glyphs = {"|", "-", ">", "<", "+", "+", "=", "..."};

static const struct glyphs *glyphs_of(const struct ladder_geom *g) { return g->ascii ? &ascii_glyphs : &utf8_glyphs; }

void ladder_geom_init(struct ladder_geom *g, int width, int ascii, enum time_mode tm)
{
    g->width = width > 0 ? width : 80;
    g->ascii = ascii;
    g->gutter = tm == TIME_ABSOLUTE ? 15 : 10;
    g->state_w = STATE_W;
    g->life_l = g->gutter + 1 + g->state_w + 1;
    /* the rest, less both lifelines, a space and the right state column */
    g->area = g->width - (g->life_l + 1 + 1 + 1 + g->state_w);
    if (g->area < MIN_AREA)
        g->area = MIN_AREA;
    g->life_r = g->life_l + 1 + g->area;
}

size_t utf8_width(const char *s) { return tt_width(s); }

/* Text that may hold wire bytes (a message label, an SNI), made safe to draw: termtext.h. */
static unsigned tt_flags(const struct ladder_geom *g) { return g->ascii ? TT_ASCII : 0; }

/* ------------------------------------------------------------ building lines */

struct emitter {
    /* called for each line laid out; returns nonzero to stop */
    int (*line)(void *ctx, const struct lline *l);
    void *ctx;
};

static void span(struct lline *l, int col, enum lstyle st, const char *text)
{
    if (l->nspans >= LLINE_SPANS || col < 0)
        return;
    struct lspan *s = &l->span[l->nspans++];
    s->col = (uint16_t)col;
    s->style = (uint8_t)st;
    s->from = 0;
    s->tint = 0;
    snprintf(s->text, sizeof s->text, "%s", text);
}

static void repeat_into(char *buf, size_t cap, size_t *len, const char *g, int n)
{
    size_t gl = strlen(g);
    for (int i = 0; i < n && *len + gl < cap; i++) {
        memcpy(buf + *len, g, gl);
        *len += gl;
    }
    buf[*len] = '\0';
}

static void line_init(struct lline *l, enum lline_kind k, int32_t event, int32_t msg)
{
    l->nspans = 0;
    l->kind = (uint8_t)k;
    l->event = event;
    l->msg = msg;
    l->block = 0;
}

/* Time gutter (right-aligned) and the client's state column (right-aligned). */
static void margin(struct lline *l, const struct ladder_geom *g, const char *time, const char *state)
{
    if (time && *time)
        span(l, g->gutter - (int)utf8_width(time), LS_TIME, time);
    if (state && *state)
        span(l, g->gutter + 1 + g->state_w - (int)strlen(state), LS_STATE, state);
}

static void lifelines(struct lline *l, const struct ladder_geom *g)
{
    const struct glyphs *gl = glyphs_of(g);
    span(l, g->life_l, LS_LIFE, gl->life);
    span(l, g->life_r, LS_LIFE, gl->life);
}

static void time_text(const struct ladder_doc *d, uint32_t i, char *buf, size_t len)
{
    const struct conn *c = d->c;
    int64_t t = c->events[i].ts_ns;
    switch (d->tm) {
    case TIME_DELTA:
        snprintf(buf, len, "%.6f", (double)(t - (i ? c->events[i - 1].ts_ns : t)) / 1e9);
        break;
    case TIME_ABSOLUTE: {
        time_t s = (time_t)(t / 1000000000);
        struct tm tmv;
        char hms[16];
        localtime_r(&s, &tmv);
        strftime(hms, sizeof hms, "%H:%M:%S", &tmv);
        snprintf(buf, len, "%s.%06ld", hms, (long)((t % 1000000000) / 1000));
        break;
    }
    default:
        snprintf(buf, len, "%.6f", (double)(t - c->events[0].ts_ns) / 1e9);
        break;
    }
}

static int emit(const struct emitter *e, struct lline *l) { return e->line(e->ctx, l); }

static int phase_line(const struct ladder_doc *d, const struct emitter *e, const char *name, int32_t event,
                      int32_t msg, enum lstyle st)
{
    const struct ladder_geom *g = &d->g;
    const struct glyphs *gl = glyphs_of(g);
    struct lline l;
    line_init(&l, LK_PHASE, event, msg);
    char buf[LSPAN_TEXT], clean[LSPAN_TEXT];
    size_t len = 0, nw;
    tt_cleans(clean, sizeof clean, name, tt_flags(g));
    size_t cut = tt_fit(clean, g->area > 2 ? (size_t)g->area - 2 : 0, &nw);
    int n = (int)nw + 2;
    int left = (g->area - n) / 2, right = g->area - n - left;
    if (left < 0)
        left = 0;
    if (right < 0)
        right = 0;
    buf[0] = '\0';
    repeat_into(buf, sizeof buf, &len, gl->phase, left);
    len += (size_t)snprintf(buf + len, sizeof buf - len, " %.*s ", (int)cut, clean);
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    repeat_into(buf, sizeof buf, &len, gl->phase, right);
    span(&l, g->life_l, LS_LIFE, gl->life);
    span(&l, g->life_l + 1, st, buf);
    span(&l, g->life_r, LS_LIFE, gl->life);
    return emit(e, &l);
}

/* A label, word-wrapped between the lifelines: left-aligned for the client's arrows, right for the server's. */
static int label_lines(const struct ladder_doc *d, const struct emitter *e, const char *time, const char *text,
                       int to_right, enum lstyle st, int32_t event, int32_t msg)
{
    const struct ladder_geom *g = &d->g;
    size_t room = g->area > 3 ? (size_t)g->area - 2 : 1;
    char clean[LSPAN_TEXT];
    tt_cleans(clean, sizeof clean, text, tt_flags(g)); /* labels carry wire text: a name, a request line */
    const char *p = clean;
    int first = 1;
    do {
        /* as much as fits in the columns, cut at a space when there is one; widths as drawn */
        size_t len = tt_fit(p, room, NULL);
        if (p[len]) {
            size_t cut = len;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (cut > 0)
                len = cut;
        }
        if (len == 0) /* a wide character in one column: take it whole (any character fits in two) */
            len = tt_fit(p, 2, NULL);
        struct lline l;
        line_init(&l, LK_LABEL, event, msg);
        margin(&l, g, first ? time : NULL, NULL);
        char piece[LSPAN_TEXT];
        snprintf(piece, sizeof piece, "%.*s", (int)len, p);
        size_t w = tt_width(piece);
        span(&l, g->life_l, LS_LIFE, glyphs_of(g)->life);
        span(&l, to_right ? g->life_l + 2 : g->life_r - 1 - (int)w, st, piece);
        span(&l, g->life_r, LS_LIFE, glyphs_of(g)->life);
        if (emit(e, &l))
            return 1;
        first = 0;
        p += len;
        while (*p == ' ')
            p++;
    } while (*p);
    return 0;
}

/* The arrow row: from one lifeline to the other, a tag on it, state labels beside it. */
static int arrow_line(const struct ladder_doc *d, const struct emitter *e, int from, const char *tag,
                      const char *left_state, const char *right_state, int32_t event, int32_t msg)
{
    const struct ladder_geom *g = &d->g;
    const struct glyphs *gl = glyphs_of(g);
    struct lline l;
    line_init(&l, LK_ARROW, event, msg);
    int to_right = from == SIDE_CLIENT;
    margin(&l, g, NULL, left_state);
    span(&l, g->life_l, LS_LIFE, to_right ? gl->tick_l : gl->life);
    int body = g->area - 1; /* one column for the head */
    char a[LSPAN_TEXT], b[LSPAN_TEXT];
    size_t al = 0, bl = 0;
    a[0] = b[0] = '\0';
    int col = g->life_l + 1;
    if (!to_right)
        repeat_into(a, sizeof a, &al, gl->head_l, 1);
    if (tag && *tag) {
        int tl = (int)strlen(tag);
        if (tl > body - 4)
            tl = body - 4;
        int before = (body - tl - 2) / 2;
        repeat_into(a, sizeof a, &al, gl->body, before);
        int a_cols = before + !to_right;
        char t[LSPAN_TEXT];
        snprintf(t, sizeof t, " %.*s ", tl, tag);
        repeat_into(b, sizeof b, &bl, gl->body, body - tl - 2 - before);
        if (to_right)
            repeat_into(b, sizeof b, &bl, gl->head_r, 1);
        span(&l, col, LS_ARROW, a);
        span(&l, col + a_cols, LS_TAG, t);
        span(&l, col + a_cols + tl + 2, LS_ARROW, b);
    } else {
        repeat_into(a, sizeof a, &al, gl->body, body);
        if (to_right)
            repeat_into(a, sizeof a, &al, gl->head_r, 1);
        span(&l, col, LS_ARROW, a);
    }
    for (int k = 0; k < l.nspans; k++)
        l.span[k].from = (uint8_t)from;
    span(&l, g->life_r, LS_LIFE, to_right ? gl->life : gl->tick_r);
    if (right_state && *right_state) {
        span(&l, g->life_r + 2, LS_STATE, right_state);
    }
    return emit(e, &l);
}

static int is_arrow_msg(const struct app_msg *m) { return m->kind != MSG_MARK && m->kind != MSG_NOTE; }

/*
 * One event: its phase row, its label, the labels of the protocol messages
 * its sender completed in it (a TLS flight in one segment), its arrow; then
 * what the segment completed for the other direction, each with an arrow of
 * its own, and the marks ("TLS session established") as phase rows.
 */
static int event_lines(const struct ladder_doc *d, const struct emitter *e, uint32_t i, const struct ladder_row *r)
{
    const struct conn *c = d->c;
    char time[32];
    time_text(d, i, time, sizeof time);
    if (r->phase && phase_line(d, e, r->phase, (int32_t)i, -1, LS_PHASE))
        return 1;
    const struct app_msg *m = c->msgs ? c->msgs + r->msg_first : NULL; /* NULL + 0 is undefined */
    size_t nm = r->msg_count;
    if (label_lines(d, e, time, r->label, r->from == SIDE_CLIENT, LS_LABEL, (int32_t)i, -1))
        return 1;
    for (size_t k = 0; k < nm; k++)
        if (is_arrow_msg(&m[k]) && m[k].from == r->from &&
            label_lines(d, e, NULL, m[k].label, r->from == SIDE_CLIENT, LS_MSG, (int32_t)i, (int32_t)(r->msg_first + k)))
            return 1;
    if (arrow_line(d, e, r->from, r->tag, r->changed[SIDE_CLIENT] ? tcp_state_name(r->state[SIDE_CLIENT]) : NULL,
                   r->changed[SIDE_SERVER] ? tcp_state_name(r->state[SIDE_SERVER]) : NULL, (int32_t)i, -1))
        return 1;
    for (size_t k = 0; k < nm; k++) {
        int32_t mi = (int32_t)(r->msg_first + k);
        if (!is_arrow_msg(&m[k])) {
            if (phase_line(d, e, m[k].label, (int32_t)i, mi, LS_MARK))
                return 1;
            continue;
        }
        if (m[k].from == r->from)
            continue; /* under the packet's own arrow */
        if (label_lines(d, e, NULL, m[k].label, m[k].from == SIDE_CLIENT, LS_MSG, (int32_t)i, mi) ||
            arrow_line(d, e, m[k].from, NULL, NULL, NULL, (int32_t)i, mi))
            return 1;
    }
    return 0;
}

static void human_bytes(uint64_t n, char *buf, size_t len)
{
    if (n >= 1024 * 1024)
        snprintf(buf, len, "%.1f MB", (double)n / (1024.0 * 1024.0));
    else if (n >= 1024)
        snprintf(buf, len, "%.1f KB", (double)n / 1024.0);
    else
        snprintf(buf, len, "%llu B", (unsigned long long)n);
}

static int summary_line(const struct ladder_doc *d, const struct emitter *e, const struct ladder_block *b)
{
    const struct ladder_geom *g = &d->g;
    const struct glyphs *gl = glyphs_of(g);
    struct lline l;
    line_init(&l, LK_SUMMARY, (int32_t)b->first, -1);
    char time[32], c2s[24], s2c[24], text[LSPAN_TEXT];
    time_text(d, b->first, time, sizeof time);
    human_bytes(b->bytes[0], c2s, sizeof c2s);
    human_bytes(b->bytes[1], s2c, sizeof s2c);
    const char *arrow = g->ascii ? "->" : "→";
    int n = snprintf(text, sizeof text, "%s %u segments, client%sserver %s, server%sclient %s", gl->dots, b->count,
                     arrow, c2s, arrow, s2c);
    if (b->retrans && n > 0 && (size_t)n < sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, ", %u retransmission%s", b->retrans, b->retrans == 1 ? "" : "s");
    if (n > 0 && (size_t)n < sizeof text)
        snprintf(text + n, sizeof text - (size_t)n, " %s", gl->dots);
    margin(&l, g, time, NULL);
    span(&l, g->life_l, LS_LIFE, gl->life);
    int w = (int)utf8_width(text);
    span(&l, g->life_l + 1 + (g->area - w > 0 ? (g->area - w) / 2 : 0), LS_SUMMARY, text);
    span(&l, g->life_r, LS_LIFE, gl->life);
    return emit(e, &l);
}

/* ------------------------------------------------------------ the header */

/* A title line in the width: broken after its commas and semicolons (the rest indented under it), a
 * part still too long cut with an ellipsis. */
static int title_lines(const struct ladder_doc *d, const struct emitter *e, const char *text)
{
    const struct ladder_geom *g = &d->g;
    size_t indent = strspn(text, " ");
    char line[2 * LSPAN_TEXT], fit[LSPAN_TEXT];
    size_t len = 0;
    const char *p = text;
    line[0] = '\0';
    while (*p) {
        const char *comma = strstr(p, ", "), *semi = strstr(p, "; ");
        if (semi && (!comma || semi < comma)) /* "greeting ...; STARTTLS accepted (...)": the clauses */
            comma = semi;
        size_t plen = comma ? (size_t)(comma - p) + 1 : strlen(p); /* the part with its comma */
        if (plen > LSPAN_TEXT - 1)
            plen = LSPAN_TEXT - 1;
        /* the part after what the line holds (a space after its comma), if it fits the width */
        size_t keep = len;
        if (len && (line[len - 1] == ',' || line[len - 1] == ';'))
            line[len++] = ' ';
        memcpy(line + len, p, plen);
        line[len + plen] = '\0';
        if (keep && tt_width(line) > (size_t)g->width) {
            line[keep] = '\0';
            struct lline l;
            line_init(&l, LK_HEADER, -1, -1);
            fit_end(fit, sizeof fit, line, (size_t)g->width, g->ascii);
            span(&l, 0, LS_TITLE, fit);
            if (emit(e, &l))
                return 1;
            size_t in = indent + 2 < 16 ? indent + 2 : 16;
            memset(line, ' ', in);
            memcpy(line + in, p, plen);
            line[in + plen] = '\0';
        }
        len = strlen(line);
        p += plen;
        while (*p == ' ')
            p++;
    }
    struct lline l;
    line_init(&l, LK_HEADER, -1, -1);
    fit_end(fit, sizeof fit, line, (size_t)g->width, g->ascii);
    span(&l, 0, LS_TITLE, fit);
    return emit(e, &l);
}

static int header_lines(const struct ladder_doc *d, const struct emitter *e)
{
    const struct conn *c = d->c;
    const struct ladder_geom *g = &d->g;
    struct lline l;
    char cl[64], sv[64], text[LSPAN_TEXT];
    conn_endpoint_str(c, SIDE_CLIENT, cl, sizeof cl);
    conn_endpoint_str(c, SIDE_SERVER, sv, sizeof sv);

    snprintf(text, sizeof text, "connection %llu: client %s, server %s", (unsigned long long)c->id, cl, sv);
    if (title_lines(d, e, text))
        return 1;

    int n = snprintf(text, sizeof text, "  handshake %s", handshake_name(c->handshake));
    if (c->hs_rtt_ns >= 0)
        n += snprintf(text + n, sizeof text - (size_t)n, " (rtt %.3f ms)", (double)c->hs_rtt_ns / 1e6);
    n += snprintf(text + n, sizeof text - (size_t)n, ", teardown %s", teardown_name(c->teardown));
    if (c->closed_by >= 0)
        n += snprintf(text + n, sizeof text - (size_t)n, " (closed by %s)",
                      c->closed_by == SIDE_CLIENT ? "client" : "server");
    snprintf(text + n, sizeof text - (size_t)n, ", %llu packets", (unsigned long long)c->packets);
    if (title_lines(d, e, text))
        return 1;

    /* one line per protocol, as it describes itself: "TLS 1.2 full handshake, SNI ...", "HTTP/1.x: ..." */
    for (unsigned i = 0; i < c->nlayers; i++) {
        if (!c->layers[i].desc->title(c->layers[i].sum, text, sizeof text, tt_flags(g)))
            continue;
        if (title_lines(d, e, text))
            return 1;
    }

    /* "client" and "server" over their lifelines */
    line_init(&l, LK_HEADER, -1, -1);
    const char *tt = d->tm == TIME_ABSOLUTE ? "time" : d->tm == TIME_DELTA ? "delta (s)" : "time (s)";
    span(&l, g->gutter - (int)strlen(tt), LS_TITLE, tt);
    span(&l, g->life_l + 3 - 6, LS_TITLE, "client");
    span(&l, g->life_r + 3 - 6, LS_TITLE, "server");
    if (emit(e, &l))
        return 1;

    /* the states before the first packet */
    uint8_t init[2];
    ladder_initial_states(c, init);
    line_init(&l, LK_HEADER, -1, -1);
    margin(&l, g, NULL, tcp_state_name(init[SIDE_CLIENT]));
    lifelines(&l, g);
    span(&l, g->life_r + 2, LS_STATE, tcp_state_name(init[SIDE_SERVER]));
    return emit(e, &l);
}

/* ------------------------------------------------------------ blocks */

static int count_line(void *ctx, const struct lline *l)
{
    (void)l;
    (*(uint32_t *)ctx)++;
    return 0;
}

static void cursor_of(const struct ladder_block *b, struct ladder_cursor *cur)
{
    memset(cur, 0, sizeof *cur);
    cur->phase = (enum ladder_phase)b->phase;
    cur->next_msg = b->next_msg;
}

/* A plain data segment: may vanish into a summarised run without losing anything the reader needs.
 * An anomaly never does: a run breaks at a retransmission, a segment out of order or lost, a zero window. */
static int plain(const struct conn *c, uint32_t i, const struct ladder_row *r, const struct ladder_cursor *before)
{
    if (r->phase || r->changed[0] || r->changed[1] || before->phase != LADDER_PHASE_DATA)
        return 0;
    if (c->events[i].notes & LADDER_ANOMALY_NOTES)
        return 0;
    for (size_t k = 0; k < r->msg_count; k++)
        if (c->msgs[r->msg_first + k].kind != MSG_DATA)
            return 0;
    return 1;
}

/* How many messages belong to events before `event` (they are in event order). */
static uint32_t msgs_before(const struct conn *c, uint32_t event)
{
    size_t lo = 0, hi = c->nmsgs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->msgs[mid].event < event)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

static int expanded(const struct ladder_doc *d, uint32_t first)
{
    size_t lo = 0, hi = d->nexpanded;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (d->expanded[mid] < first)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->nexpanded && d->expanded[lo] == first;
}

static struct ladder_block *push_block(struct ladder_doc *d)
{
    if (d->nb == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        struct ladder_block *b = realloc(d->b, cap * sizeof *b);
        if (!b)
            return NULL;
        d->b = b;
        d->cap = cap;
    }
    struct ladder_block *b = &d->b[d->nb++];
    memset(b, 0, sizeof *b);
    b->line0 = d->total_lines;
    return b;
}

/* Lay out events from `start` (cursor `cur` before it) to the end. */
static int lay_out(struct ladder_doc *d, uint32_t start, struct ladder_cursor cur)
{
    const struct conn *c = d->c;
    uint32_t n = (uint32_t)c->nevents;
    uint32_t i = start;
    uint32_t open_until = 0; /* events of a run the viewer opened (or too short) stay single */
    while (i < n) {
        struct ladder_cursor before = cur;
        struct ladder_row r;
        ladder_row(c, i, &cur, &r);
        int is_plain = d->collapse > 0 && plain(c, i, &r, &before);
        if (is_plain && i >= open_until) {
            /* how long is the run of plain segments from here? */
            struct ladder_cursor run_cur = cur;
            uint32_t j = i + 1;
            uint64_t bytes[2] = {0, 0};
            uint32_t retrans = 0, notes = 0;
            bytes[r.from] += c->events[i].len;
            retrans += (c->events[i].notes & NOTE_RETRANSMISSION) != 0;
            notes += c->events[i].notes != 0;
            while (j < n) {
                struct ladder_cursor b4 = run_cur, after = run_cur;
                struct ladder_row rj;
                ladder_row(c, j, &after, &rj);
                if (!plain(c, j, &rj, &b4))
                    break;
                run_cur = after;
                bytes[rj.from] += c->events[j].len;
                retrans += (c->events[j].notes & NOTE_RETRANSMISSION) != 0;
                notes += c->events[j].notes != 0;
                j++;
            }
            if (j - i >= (uint32_t)d->collapse && !expanded(d, i)) {
                struct ladder_block *b = push_block(d);
                if (!b)
                    return -1;
                b->first = i;
                b->count = j - i;
                b->collapsed = 1;
                b->plain = 1;
                b->phase = (uint8_t)before.phase;
                b->next_msg = (uint32_t)before.next_msg;
                b->bytes[0] = bytes[0];
                b->bytes[1] = bytes[1];
                b->retrans = retrans;
                b->notes = notes;
                b->nlines = 1;
                d->total_lines += 1;
                cur = run_cur;
                i = j;
                continue;
            }
            open_until = j;
        }
        struct ladder_block *b = push_block(d);
        if (!b)
            return -1;
        b->first = i;
        b->count = 1;
        b->plain = (uint8_t)is_plain;
        b->phase = (uint8_t)before.phase;
        b->next_msg = (uint32_t)before.next_msg;
        uint32_t lines = 0;
        struct emitter e = {count_line, &lines};
        event_lines(d, &e, i, &r);
        b->nlines = lines;
        d->total_lines += lines;
        i++;
    }
    d->events_done = n;
    return 0;
}

int ladder_doc_build(struct ladder_doc *d, const struct conn *c, const struct ladder_geom *g, enum time_mode tm,
                     int collapse, const uint32_t *expanded_runs, size_t nexpanded)
{
    struct ladder_doc fresh = {0};
    fresh.c = c;
    fresh.g = *g;
    fresh.tm = tm;
    fresh.collapse = collapse;
    fresh.expanded = expanded_runs;
    fresh.nexpanded = nexpanded;
    uint32_t hl = 0;
    struct emitter e = {count_line, &hl};
    header_lines(&fresh, &e);
    fresh.header_lines = hl;
    fresh.total_lines = hl;
    struct ladder_cursor cur;
    memset(&cur, 0, sizeof cur);
    free(d->b);
    *d = fresh;
    return lay_out(d, 0, cur);
}

int ladder_doc_extend(struct ladder_doc *d)
{
    if (d->c->nevents == d->events_done)
        return 0;
    /* a title line may have appeared (TLS or HTTP recognised): everything moves down */
    uint32_t hl = 0;
    struct emitter e = {count_line, &hl};
    header_lines(d, &e);
    if (hl != d->header_lines) {
        struct ladder_geom g = d->g;
        return ladder_doc_build(d, d->c, &g, d->tm, d->collapse, d->expanded, d->nexpanded);
    }
    /* A summarised run at the end simply grows: re-laying it would cost
     * its whole length on every step of a long transfer. */
    if (d->nb && d->b[d->nb - 1].collapsed && d->b[d->nb - 1].first + d->b[d->nb - 1].count == d->events_done) {
        struct ladder_block *run = &d->b[d->nb - 1];
        const struct conn *c = d->c;
        struct ladder_cursor cur;
        memset(&cur, 0, sizeof cur);
        cur.phase = LADDER_PHASE_DATA;
        cur.next_msg = msgs_before(c, run->first + run->count);
        uint32_t j = run->first + run->count;
        while (j < c->nevents) {
            struct ladder_cursor after = cur;
            struct ladder_row r;
            ladder_row(c, j, &after, &r);
            if (!plain(c, j, &r, &cur))
                break;
            run->bytes[r.from] += c->events[j].len;
            run->retrans += (c->events[j].notes & NOTE_RETRANSMISSION) != 0;
            run->notes += c->events[j].notes != 0;
            run->count++;
            cur = after;
            j++;
        }
        if (j < c->nevents)
            return lay_out(d, j, cur);
        d->events_done = j;
        return 0;
    }
    /* the trailing plain segments may be a run the new events continue (and
     * the last event's arrows may gain messages): lay them out again */
    uint32_t start = d->events_done;
    struct ladder_cursor cur;
    memset(&cur, 0, sizeof cur);
    size_t keep = d->nb;
    if (keep)
        keep--; /* the last block, whatever it is */
    while (keep > 0 && d->b[keep - 1].plain)
        keep--;
    if (keep < d->nb) {
        struct ladder_block *from = &d->b[keep];
        start = from->first;
        cursor_of(from, &cur);
        d->total_lines = from->line0;
        d->nb = keep;
    }
    return lay_out(d, start, cur);
}

void ladder_doc_free(struct ladder_doc *d)
{
    free(d->b);
    d->b = NULL;
    d->nb = d->cap = 0;
}

size_t ladder_doc_block_at(const struct ladder_doc *d, uint64_t line)
{
    size_t lo = 0, hi = d->nb;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d->b[mid].line0 <= line)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

uint64_t ladder_doc_event_line(const struct ladder_doc *d, uint32_t event)
{
    size_t lo = 0, hi = d->nb;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d->b[mid].first <= event)
            lo = mid;
        else
            hi = mid;
    }
    return d->nb ? d->b[lo].line0 : d->header_lines;
}

/* ------------------------------------------------------------ extracting lines */

struct collect {
    uint64_t at, from;      /* the line about to be emitted, the first one wanted */
    size_t want, got;
    struct lline *out;
    uint32_t block;
};

static int collect_line(void *ctx, const struct lline *l)
{
    struct collect *k = ctx;
    if (k->at >= k->from && k->got < k->want) {
        k->out[k->got] = *l;
        k->out[k->got].block = k->block;
        k->got++;
    }
    k->at++;
    return k->got >= k->want;
}

size_t ladder_doc_lines(const struct ladder_doc *d, uint64_t from, size_t n, struct lline *out)
{
    struct collect k = {0, from, n, 0, out, 0};
    struct emitter e = {collect_line, &k};
    if (from < d->header_lines) {
        header_lines(d, &e);
        if (k.got >= n)
            return k.got;
    }
    k.at = d->header_lines;
    if (!d->nb)
        return k.got;
    for (size_t bi = ladder_doc_block_at(d, from > d->header_lines ? from : d->header_lines); bi < d->nb; bi++) {
        const struct ladder_block *b = &d->b[bi];
        k.at = b->line0;
        k.block = (uint32_t)bi;
        if (b->collapsed) {
            if (summary_line(d, &e, b))
                break;
            continue;
        }
        struct ladder_cursor cur;
        cursor_of(b, &cur);
        struct ladder_row r;
        ladder_row(d->c, b->first, &cur, &r);
        if (event_lines(d, &e, b->first, &r))
            break;
    }
    return k.got;
}

void lline_text(const struct lline *l, char *buf, size_t len)
{
    size_t at = 0, col = 0;
    if (!len)
        return;
    buf[0] = '\0';
    for (int k = 0; k < l->nspans; k++) {
        const struct lspan *s = &l->span[k];
        while (col < s->col && at + 1 < len) {
            buf[at++] = ' ';
            col++;
        }
        size_t tl = strlen(s->text);
        if (at + tl >= len)
            tl = len - at - 1;
        memcpy(buf + at, s->text, tl);
        at += tl;
        col += utf8_width(s->text);
        buf[at] = '\0';
    }
}
