/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ladder.c - one connection as a sequence diagram, with the detail pane of
 * the selected arrow.
 *
 *   wide (130 columns and more)             narrow (80x24)
 *   +----------------------+-----------+     +----------------------------+
 *   | ladder               | detail    |     | ladder                     |
 *   |  > selected arrow    | fields    |     |  > selected arrow          |
 *   |                      | hex       |     +----------------------------+
 *   +----------------------+-----------+     | detail (Tab shows/hides)   |
 *                                            +----------------------------+
 * The pane shrinks first, then the labels; the lifelines go last.
 *
 * The lines come from ladder_view.c, the same layout the text ladder
 * prints.  Long runs of plain data segments are summarised on one row
 * (Enter opens one; a run breaks at an anomaly, and a/A jump from one
 * anomaly to the next); a file's connection is read again from the file by
 * offset (loader.c), so even a million-packet ladder opens at once and
 * fills while one looks at it; a live connection's ladder grows.  "/"
 * searches its lines; e exports it as text, SVG or pcap; f follows its
 * stream; y shows the filters that select it in Wireshark and tcpdump.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detail.h"
#include "ladder_view.h"
#include "loader.h"
#include "output.h"
#include "grow.h"
#include "tui.h"

#define COLLAPSE_AT 8           /* runs of this many plain data segments are summarised */
#define LOAD_STEP 20000         /* records read per turn of the main loop */
#define PKT_MAX 262144

struct ladder_state {
    uint64_t id;                /* the connection's (its catalog index changes as old rows leave) */
    struct conn *conn;          /* what is drawn: the catalog's (live) or the loader's (file) */
    struct loader *ld;
    struct ladder_doc doc;
    enum time_mode tm;
    uint32_t *expanded;         /* runs the user opened, by first event, sorted */
    size_t nexpanded;
    uint64_t top, sel;          /* first line shown, selected line (an arrow or a summary) */
    int detail_on;
    struct detail det;
    int32_t det_event, det_msg; /* what the pane shows (-2: nothing yet) */
    int det_top;
    struct packet_reader *reader;
    uint8_t *pkt;
    struct lline *win;          /* a screenful of lines, reused */
    size_t win_cap;
    int width;                  /* the ladder's columns */
    int settled;                /* the loader finished and the ladder was laid out after it */
    char search[128];           /* the last text searched for ("/") */
};

/* ------------------------------------------------------------ geometry */

static int wide(const struct tui *t) { return t->cols >= 130; }
static int body_top(void) { return 1; }
static int body_rows(const struct tui *t) { return t->rows - 3; }

/* Ladder rows and the pane's rows (narrow layout) or columns (wide layout). */
static void split(const struct tui *t, const struct ladder_state *s, int *lad_rows, int *lad_cols, int *pane)
{
    *lad_rows = body_rows(t);
    *lad_cols = t->cols;
    *pane = 0;
    if (!s->detail_on)
        return;
    if (wide(t)) {
        *pane = t->cols * 2 / 5;
        if (*pane > 80)
            *pane = 80;
        *lad_cols = t->cols - *pane - 1;
    } else {
        *pane = body_rows(t) * 2 / 5;
        *lad_rows = body_rows(t) - *pane - 1;
    }
}

static void rebuild(struct tui *t, struct ladder_state *s)
{
    int lr, lc, pane;
    split(t, s, &lr, &lc, &pane);
    struct ladder_geom g;
    ladder_geom_init(&g, lc, t->ascii, s->tm);
    s->width = lc;
    /* keep the selected event in place across the rebuild */
    uint32_t keep_event = 0;
    if (s->doc.nb && s->sel >= s->doc.header_lines)
        keep_event = s->doc.b[ladder_doc_block_at(&s->doc, s->sel)].first;
    if (s->conn && ladder_doc_build(&s->doc, s->conn, &g, s->tm, COLLAPSE_AT, s->expanded, s->nexpanded) < 0)
        tui_message(t, "out of memory laying out the ladder");
    if (s->doc.nb) {
        s->sel = ladder_doc_event_line(&s->doc, keep_event);
        s->det_event = -2;
    }
}

static int ensure_win(struct ladder_state *s, size_t n)
{
    return array_reserve((void **)&s->win, &s->win_cap, n, sizeof *s->win);
}

/* Is this line a stop for the selection: an arrow or a summarised run? */
static int selectable(const struct lline *l) { return l->kind == LK_ARROW || l->kind == LK_SUMMARY; }

/* The next selectable line after (dir>0) or before (dir<0) `from`; `from` itself when none. */
static uint64_t step_selection(struct ladder_state *s, uint64_t from, int dir)
{
    struct lline l;
    if (dir > 0) {
        for (uint64_t at = from + 1; at < s->doc.total_lines; at++)
            if (ladder_doc_lines(&s->doc, at, 1, &l) == 1 && selectable(&l))
                return at;
    } else {
        for (uint64_t at = from; at-- > s->doc.header_lines;)
            if (ladder_doc_lines(&s->doc, at, 1, &l) == 1 && selectable(&l))
                return at;
    }
    return from;
}

static void first_selection(struct ladder_state *s)
{
    if (s->sel < s->doc.header_lines || s->sel >= s->doc.total_lines)
        s->sel = step_selection(s, s->doc.header_lines ? s->doc.header_lines - 1 : 0, +1);
}

static void keep_visible(struct ladder_state *s, int rows)
{
    if (rows < 1)
        rows = 1;
    /* the label rows above an arrow belong with it */
    uint64_t want_top = s->sel > 3 ? s->sel - 3 : 0;
    if (s->sel < s->top || want_top < s->top)
        s->top = want_top;
    if (s->sel >= s->top + (uint64_t)rows)
        s->top = s->sel - (uint64_t)rows + 2;
}

/* ------------------------------------------------------------ the detail pane */

/* The packet's interface and, with several files, its file: a line under the detail's first. */
static void where_from(struct tui *t, struct detail *d, int64_t off, uint32_t iface, int dlt)
{
    if (off < 0 || (!capture_names_ifaces(t->cap) && capture_files(t->cap) < 2))
        return;
    char name[64], line[DETAIL_W];
    const char *in = capture_iface_name(t->cap, iface, name, sizeof name);
    const char *dn = capture_dlt_name(dlt);
    const char *file = capture_files(t->cap) > 1 ? capture_file_name(t->cap, off) : NULL;
    snprintf(line, sizeof line, "  interface %s (%s)%s%s", in ? in : "?", dn ? dn : "?", file ? ", file " : "",
             file ? file : "");
    detail_insert_line(d, 1, line);
}

static void update_detail(struct tui *t, struct ladder_state *s)
{
    struct lline l;
    if (ladder_doc_lines(&s->doc, s->sel, 1, &l) != 1 || l.event < 0)
        return;
    if (l.event == s->det_event && l.msg == s->det_msg)
        return;
    s->det_event = l.event;
    s->det_msg = l.msg;
    s->det_top = 0;
    const struct conn *c = s->conn;
    uint32_t caplen = 0, wirelen = 0, iface = 0;
    int dlt = t->dlt;
    const char *why = NULL;
    if (!s->pkt)
        s->pkt = malloc(PKT_MAX);
    int64_t off = (size_t)l.event < c->nevents ? c->events[l.event].offset : -1;
    if (!s->reader) {
        char err[CAPTURE_ERRLEN];
        if (t->live && t->dump_path)
            capture_flush(t->cap, err); /* what was captured must be in the -w file to be read back */
        if (t->live ? t->dump_path != NULL : t->seekable)
            s->reader = packet_reader_open(t->cap, t->live ? t->dump_path : NULL, err);
    } else if (t->live) {
        char err[CAPTURE_ERRLEN];
        capture_flush(t->cap, err);
    }
    if (s->reader && s->pkt && off >= 0)
        caplen = packet_reader_get(s->reader, off, s->pkt, PKT_MAX, &wirelen, &dlt, &iface);
    if (!caplen)
        why = t->live && !t->dump_path ? "not kept in a live capture without -w FILE"
              : !t->live && !t->seekable ? "the input is a stream (standard input or a pipe): its packets cannot be read again"
                                         : "could not be read back";
    detail_build(&s->det, c, (uint32_t)l.event, l.msg, caplen ? s->pkt : NULL, caplen, wirelen,
                 dlt, why);
    where_from(t, &s->det, caplen ? off : -1, iface, dlt);
}

static void draw_detail(struct tui *t, struct ladder_state *s, int y, int x, int rows, int cols)
{
    update_detail(t, s);
    attrset(tui_attr(t, C_DIM));
    /* drawn with the ladder's own characters: ACS line drawing is unreliable under tmux/screen */
    if (wide(t)) {
        for (int r = 0; r < rows; r++)
            tui_text(y + r, x - 1, 1, t->ascii ? "|" : "│");
    } else {
        for (int c = 0; c < t->cols; c++)
            tui_text(y - 1, c, 1, t->ascii ? "-" : "─");
        tui_text(y - 1, 2, t->cols - 4, " detail (Tab hides, d/u scroll) ");
    }
    attrset(A_NORMAL);
    for (int r = 0; r < rows; r++) {
        size_t li = (size_t)(s->det_top + r);
        if (li >= s->det.n)
            break;
        tui_text(y + r, x, cols, s->det.line[li]);
    }
}

/* ------------------------------------------------------------ drawing */

static enum tui_color style_color(const struct lspan *sp)
{
    switch (sp->style) {
    case LS_ARROW: return sp->from == SIDE_CLIENT ? C_C2S : C_S2C;
    case LS_TAG: return C_TAG;
    case LS_STATE: return C_STATE;
    case LS_PHASE: return C_PHASE;
    case LS_MARK: return C_MARK;
    case LS_TITLE: return C_TITLE;
    case LS_TIME: case LS_SUMMARY: return C_DIM;
    default: return C_NORMAL;
    }
}

static void draw_line(struct tui *t, const struct lline *l, int y, int cols, int selected)
{
    for (int k = 0; k < l->nspans; k++) {
        const struct lspan *sp = &l->span[k];
        if (sp->col >= cols)
            break;
        int a = selected && sp->style != LS_LIFE && sp->style != LS_STATE ? tui_attr(t, C_SELECT)
                                                                          : tui_attr(t, style_color(sp));
        if (sp->style == LS_MSG)
            a |= A_BOLD;
        attrset(a);
        tui_text(y, sp->col, cols - sp->col, sp->text);
    }
    attrset(A_NORMAL);
}

/* A message's label drawn under its packet's arrow (sent the same way). */
static int grouped(const struct conn *c, const struct lline *l)
{
    return l->msg >= 0 && (size_t)l->msg < c->nmsgs && (size_t)l->event < c->nevents &&
           c->msgs[l->msg].from == c->events[l->event].from;
}

static void ladder_draw(struct tui *t)
{
    struct ladder_state *s = t->ladder;
    if (!s)
        return;
    int lr, lc, pane;
    split(t, s, &lr, &lc, &pane);
    if (lc != s->width)
        rebuild(t, s);
    if (!s->conn) {
        tui_text(2, 2, t->cols - 4, "reading the connection's packets from the file...");
        return;
    }
    first_selection(s);
    keep_visible(s, lr);
    if (ensure_win(s, (size_t)lr) < 0)
        return;
    size_t n = ladder_doc_lines(&s->doc, s->top, (size_t)lr, s->win);
    struct lline sel;
    int have_sel = ladder_doc_lines(&s->doc, s->sel, 1, &sel) == 1;
    for (size_t i = 0; i < n; i++) {
        const struct lline *l = &s->win[i];
        /* the selected arrow and its label rows light up together: a packet's arrow with the messages
         * its sender completed in it (their labels stand above it) */
        int same = l->msg == sel.msg || (sel.msg < 0 && l->kind == LK_LABEL && grouped(s->conn, l));
        int on = have_sel && l->event == sel.event && same && l->event >= 0 &&
                 (l->kind == LK_LABEL || l->kind == LK_ARROW || l->kind == LK_SUMMARY) && sel.kind != LK_HEADER;
        draw_line(t, l, body_top() + (int)i, lc, on);
    }
    if (s->ld && loader_progress(s->ld) < 1.0) {
        char note[96];
        snprintf(note, sizeof note, " reading %.0f%% ", 100.0 * loader_progress(s->ld));
        attrset(tui_attr(t, C_BAR));
        tui_text(body_top(), t->cols - (int)strlen(note) - (pane && wide(t) ? pane + 1 : 0), (int)strlen(note), note);
        attrset(A_NORMAL);
    }
    if (pane) {
        if (wide(t))
            draw_detail(t, s, body_top(), lc + 1, lr, pane);
        else
            draw_detail(t, s, body_top() + lr + 1, 0, pane, t->cols);
    }
}

/* ------------------------------------------------------------ background work */

static int ladder_tick(struct tui *t)
{
    struct ladder_state *s = t->ladder;
    if (!s)
        return 0;
    int busy = 0;
    if (s->ld) {
        char err[CAPTURE_ERRLEN];
        int r = loader_step(s->ld, LOAD_STEP, err);
        if (r < 0)
            tui_message(t, "%s", err);
        struct conn *c = loader_conn(s->ld);
        if (c && !s->conn) {
            s->conn = c;
            rebuild(t, s);
        }
        if (r == 1 && !s->settled) { /* complete: its last messages are in, lay it out once more */
            s->settled = 1;
            if (s->conn)
                rebuild(t, s);
        }
        busy = r == 0;
        t->dirty = 1;
    }
    if (s->conn && s->conn->nevents > s->doc.events_done) {
        ladder_doc_extend(&s->doc);
        t->dirty = 1;
    }
    return busy;
}

static void ladder_close(struct tui *t);

void ladder_open(struct tui *t, size_t i)
{
    if (t->ladder)
        ladder_close(t);
    struct ladder_state *s = calloc(1, sizeof *s);
    if (!s) {
        tui_message(t, "out of memory");
        return;
    }
    struct row_buf tmp;
    const struct row *r = catalog_row(&t->cat, i, &tmp);
    s->id = r->id;
    s->det_event = -2;
    s->detail_on = wide(t);
    s->tm = TIME_RELATIVE;
    struct conn *c = catalog_conn(&t->cat, i);
    if (c && (t->live || c->nevents)) {
        s->conn = c; /* its events are here: a live capture keeps them */
        catalog_pin(&t->cat, c);
    } else if (t->live) {
        tui_message(t, "connection %llu: its packets are no longer in memory (--memcap)", (unsigned long long)r->id);
        free(s);
        return;
    } else {
        char err[CAPTURE_ERRLEN];
        s->ld = loader_new(t->cap, r, &t->pc, err);
        if (!s->ld) {
            tui_message(t, "%s", err);
            free(s);
            return;
        }
    }
    t->ladder = s;
    tui_push(t, &ladder_screen);
    if (s->conn)
        rebuild(t, s);
}

const struct conn *ladder_conn(const struct tui *t) { return t->ladder ? t->ladder->conn : NULL; }

static void ladder_close(struct tui *t)
{
    struct ladder_state *s = t->ladder;
    if (!s)
        return;
    catalog_pin(&t->cat, NULL);
    ladder_doc_free(&s->doc);
    detail_free(&s->det);
    loader_free(s->ld); /* frees the rebuilt connection with it */
    packet_reader_close(s->reader);
    free(s->pkt);
    free(s->win);
    free(s->expanded);
    free(s);
    t->ladder = NULL;
}

/* ------------------------------------------------------------ keys */

static void jump_phase(struct ladder_state *s, int dir)
{
    struct lline l;
    uint64_t at = s->sel;
    while (dir > 0 ? at + 1 < s->doc.total_lines : at > s->doc.header_lines) {
        at = dir > 0 ? at + 1 : at - 1;
        if (ladder_doc_lines(&s->doc, at, 1, &l) == 1 && l.kind == LK_PHASE) {
            uint64_t first = step_selection(s, at, +1);
            /* back: the start of the selection's phase, or when already there (or the
               phase has no arrow of its own) the phase before it */
            if (dir < 0 && first >= s->sel)
                continue;
            s->top = at;
            s->sel = first;
            return;
        }
    }
}

static void expand_or_collapse(struct tui *t, struct ladder_state *s)
{
    struct lline l;
    if (ladder_doc_lines(&s->doc, s->sel, 1, &l) != 1)
        return;
    if (l.kind == LK_SUMMARY) {
        uint32_t first = (uint32_t)l.event;
        uint32_t *e = realloc(s->expanded, (s->nexpanded + 1) * sizeof *e);
        if (!e)
            return;
        size_t k = s->nexpanded;
        while (k > 0 && e[k - 1] > first) {
            e[k] = e[k - 1];
            k--;
        }
        e[k] = first;
        s->expanded = e;
        s->nexpanded++;
        rebuild(t, s);
        tui_message(t, "run opened (C closes every run again)");
    }
}

/* The ladder to a file: as text (as --ladder prints it), as an SVG picture, or its packets as a pcap. */
static void export_ladder(struct tui *t, struct ladder_state *s)
{
    int k = tui_choose(t, "export: t text, s SVG picture, p pcap of its packets (Esc: none) ", "tsp");
    if (k < 0)
        return;
    if (k == 'p') {
        long i = catalog_find(&t->cat, s->id);
        if (i < 0) {
            tui_message(t, "connection %llu is no longer listed", (unsigned long long)s->id);
            return;
        }
        struct row_buf tmp;
        const struct row *r = catalog_row(&t->cat, (size_t)i, &tmp);
        handoff_save_pcap(t, &r, 1, "selected");
        return;
    }
    char path[512];
    snprintf(path, sizeof path, "%ssynfin-connection-%llu.%s", tui_writable_dir(), (unsigned long long)s->conn->id,
             k == 't' ? "txt" : "svg");
    if (tui_prompt(t, k == 't' ? "export the ladder as text to: " : "export the ladder as SVG to: ", path, sizeof path,
                   HIST_PATH, 1) < 0 || !path[0])
        return;
    FILE *f = fopen(path, "w");
    if (!f) {
        char why[256];
        tui_errno_text(errno, why, sizeof why);
        tui_message(t, "%s: cannot write: %s", path, why);
        return;
    }
    int rc = 0;
    if (k == 's') {
        rc = out_svg_conn(f, s->conn, 0);
    } else {
        struct ladder_geom g;
        struct ladder_doc d = {0};
        ladder_geom_init(&g, 80, t->ascii, TIME_RELATIVE);
        if ((rc = ladder_doc_build(&d, s->conn, &g, TIME_RELATIVE, 0, NULL, 0)) == 0) {
            struct lline l;
            char text[2048];
            for (uint64_t at = 0; at < d.total_lines; at++)
                if (ladder_doc_lines(&d, at, 1, &l) == 1) {
                    lline_text(&l, text, sizeof text);
                    fprintf(f, "%s\n", text);
                }
        }
        ladder_doc_free(&d);
    }
    int e = ferror(f) ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (rc < 0)
        tui_message(t, "%s: out of memory", path);
    else if (e) {
        char why[256];
        tui_errno_text(e, why, sizeof why);
        tui_message(t, "%s: write failed: %s", path, why);
    } else
        tui_message(t, "ladder written to %s", path);
}

/* Does event i hold an anomaly: a retransmission, out-of-order or lost segment, zero window, RST, TLS alert? */
static int anomalous(const struct conn *c, size_t i, size_t *msg_at)
{
    const struct event *e = &c->events[i];
    if ((e->notes & LADDER_ANOMALY_NOTES) || (e->flags & TH_RST))
        return 1;
    while (*msg_at < c->nmsgs && c->msgs[*msg_at].event < i)
        (*msg_at)++;
    for (size_t k = *msg_at; k < c->nmsgs && c->msgs[k].event == i; k++)
        if (c->msgs[k].kind == MSG_ALERT)
            return 1;
    return 0;
}

/* The arrow line of event `ev` (its packet's). */
static uint64_t arrow_of(struct ladder_state *s, uint32_t ev)
{
    uint64_t at = ladder_doc_event_line(&s->doc, ev);
    struct lline l;
    for (uint64_t k = at; k < s->doc.total_lines && k < at + 64; k++)
        if (ladder_doc_lines(&s->doc, k, 1, &l) == 1 && (l.kind == LK_ARROW || l.kind == LK_SUMMARY))
            return k;
    return at;
}

static void jump_anomaly(struct tui *t, struct ladder_state *s, int dir)
{
    const struct conn *c = s->conn;
    struct lline l;
    if (!c->nevents || ladder_doc_lines(&s->doc, s->sel, 1, &l) != 1)
        return;
    int64_t from = l.event < 0 ? -1 : l.event;
    if (l.kind == LK_SUMMARY && dir > 0) /* past the run */
        from = (int64_t)(s->doc.b[ladder_doc_block_at(&s->doc, s->sel)].first +
                         s->doc.b[ladder_doc_block_at(&s->doc, s->sel)].count) - 1;
    size_t msg_at = 0;
    if (dir > 0) {
        for (size_t i = (size_t)(from + 1); i < c->nevents; i++)
            if (anomalous(c, i, &msg_at)) {
                s->sel = arrow_of(s, (uint32_t)i);
                tui_message(t, "anomaly at packet %zu of %zu", i + 1, c->nevents);
                return;
            }
    } else {
        int64_t found = -1;
        for (size_t i = 0; (int64_t)i < from; i++)
            if (anomalous(c, i, &msg_at))
                found = (int64_t)i;
        if (found >= 0) {
            s->sel = arrow_of(s, (uint32_t)found);
            tui_message(t, "anomaly at packet %lld of %zu", (long long)found + 1, c->nevents);
            return;
        }
    }
    tui_message(t, "no %s anomaly (retransmission, out-of-order, lost segment, zero window, RST, TLS alert)",
                dir > 0 ? "later" : "earlier");
}

/* The next line (after the selection, in direction dir, round the end) whose text holds the query. */
static void ladder_find(struct tui *t, struct ladder_state *s, int dir)
{
    if (!s->search[0] || !s->doc.total_lines)
        return;
    uint64_t n = s->doc.total_lines;
    size_t ql = strlen(s->search);
    for (uint64_t step = 1; step <= n; step++) {
        uint64_t at = (s->sel + (dir > 0 ? step : n - step)) % n;
        struct lline l;
        char text[2048];
        if (ladder_doc_lines(&s->doc, at, 1, &l) != 1)
            continue;
        lline_text(&l, text, sizeof text);
        int hit = 0;
        for (const char *p = text; *p && !hit; p++)
            hit = !strncasecmp(p, s->search, ql);
        if (!hit)
            continue;
        /* the arrow the line belongs to (a label, a phase) is what gets selected */
        uint64_t sel = at;
        if (!(l.kind == LK_ARROW || l.kind == LK_SUMMARY))
            sel = l.event >= 0 ? step_selection(s, at, +1) : at;
        s->sel = sel;
        s->top = at > 2 ? at - 2 : 0;
        tui_message(t, "\"%s\": line %llu of %llu", s->search, (unsigned long long)at + 1, (unsigned long long)n);
        return;
    }
    tui_message(t, "no line holds \"%s\"", s->search);
}

static int ladder_key(struct tui *t, int ch)
{
    struct ladder_state *s = t->ladder;
    if (!s)
        return 0;
    int lr, lc, pane;
    split(t, s, &lr, &lc, &pane);
    if (ch & TUI_KEY_CLICK) { /* a click: select the arrow on that row */
        int y = (ch & TUI_KEY_ROW) - body_top();
        if (y >= 0 && y < lr && s->conn) {
            uint64_t at = s->top + (uint64_t)y;
            struct lline l;
            if (ladder_doc_lines(&s->doc, at, 1, &l) == 1) {
                if (!selectable(&l))
                    at = step_selection(s, at, +1);
                s->sel = at;
            }
        }
        return 1;
    }
    int wheel = ch & TUI_KEY_WHEEL;
    ch &= TUI_KEY_MASK;
    if (!s->conn && ch != 'q' && ch != 27)
        return ch != '?';
    int dir, moves = tui_motion(ch, wheel, lr, &dir);
    if (moves >= 0) {
        for (int k = 0; k < moves; k++)
            s->sel = step_selection(s, s->sel, dir);
        return 1;
    }
    switch (ch) {
    case KEY_HOME: case 'g':
        s->sel = 0;
        s->top = 0;
        first_selection(s);
        return 1;
    case KEY_END: case 'G':
        s->sel = step_selection(s, s->doc.total_lines, -1);
        return 1;
    case ']': jump_phase(s, +1); return 1;
    case '[': jump_phase(s, -1); return 1;
    case 't':
        s->tm = (enum time_mode)((s->tm + 1) % TIME_MODES);
        rebuild(t, s);
        tui_message(t, "times: %s", s->tm == TIME_RELATIVE ? "since the first packet"
                                    : s->tm == TIME_DELTA  ? "since the previous packet"
                                                           : "absolute");
        return 1;
    case '\t':
        s->detail_on = !s->detail_on;
        rebuild(t, s);
        return 1;
    case 'd': s->det_top += pane > 2 ? pane / 2 : 5; return 1;
    case 'u': s->det_top = s->det_top > (pane > 2 ? pane / 2 : 5) ? s->det_top - (pane > 2 ? pane / 2 : 5) : 0; return 1;
    case '\n': case '\r': case KEY_ENTER:
        expand_or_collapse(t, s);
        return 1;
    case 'C':
        free(s->expanded);
        s->expanded = NULL;
        s->nexpanded = 0;
        rebuild(t, s);
        return 1;
    case 'e':
        export_ladder(t, s);
        return 1;
    case 'a': jump_anomaly(t, s, +1); return 1;
    case 'A': jump_anomaly(t, s, -1); return 1;
    case '/':
        if (tui_prompt(t, "search the ladder: ", s->search, sizeof s->search, HIST_LADDER_SEARCH, 0) == 0)
            ladder_find(t, s, +1);
        return 1;
    case 'n': ladder_find(t, s, +1); return 1;
    case 'N': ladder_find(t, s, -1); return 1;
    case 'f': follow_open(t, s->conn); return 1;
    case 'y': {
        long i = catalog_find(&t->cat, s->id);
        if (i >= 0) {
            struct row_buf tmp;
            handoff_open(t, catalog_row(&t->cat, (size_t)i, &tmp));
        }
        return 1;
    }
    case 'K':
        tui_load_keylog(t);
        if (s->ld) { /* read the connection again with the new keys */
            long i = catalog_find(&t->cat, s->id);
            if (i >= 0)
                ladder_open(t, (size_t)i);
        }
        return 1;
    case KEY_RESIZE:
        rebuild(t, s);
        return 1;
    default:
        return 0;
    }
}

static const char *const ladder_help[] = {
    "The ladder: the client's lifeline on the left, the server's on the right, time",
    "running down. One arrow per packet, the protocol messages its sender completed",
    "in it written above it; each side's TCP state stands beside its lifeline where it",
    "changes; analysis notes (retransmission, out-of-order, ...) sit on the arrow.",
    "",
    "  Up/Down j/k    previous / next arrow      PgUp/PgDn Space  half a page",
    "  ] / [          next / previous phase (TCP handshake, TLS handshake, data, teardown)",
    "  a / A          next / previous anomaly: retransmission, out-of-order, lost segment,",
    "                 zero window, RST, TLS alert",
    "  /              search the ladder's lines; n/N next/previous match",
    "  Enter          open a summarised run of data segments     C  close every run",
    "  t              times: since the first packet / since the previous one / absolute",
    "  Tab            show or hide the detail pane               d/u  scroll the pane",
    "  f              follow the stream: both directions' payload (decrypted with keys)",
    "  y              Wireshark display filter and BPF filter of this connection",
    "  e              export: text (as --ladder), SVG picture, or a pcap of its packets",
    "  K              load a TLS key log                         q Esc  back to the list",
    NULL,
};

const struct screen_ops ladder_screen = {
    .name = "ladder",
    .draw = ladder_draw,
    .key = ladder_key,
    .keybar = " q back  ? help  Up/Down arrow  ]/[ phase  a/A anomaly  / search  f follow  Tab detail  e export  y filters"
              "  K key log",
    .help = ladder_help,
    .help_title = "Help: the ladder",
    .tick = ladder_tick,
    .leave = ladder_close,
};
