/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * multi.c - several connections on one diagram (multi_view.h): the marked
 * ones, every connection of one client, or every one with one SNI.  A
 * file's connections are read again from the file first (one loader each,
 * stepped in turn); a live capture's are in memory, held while shown.
 * Each connection's arrows have their own colour, its number (#1, #2 ...)
 * in its labels and in the legend above the lifelines.  The diagram can be
 * wider than the terminal: Left and Right scroll it.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "multi_view.h"
#include "grow.h"
#include "tui.h"

#define LOAD_STEP 20000

struct multi_state {
    size_t n, asked;
    uint64_t id[MULTI_MAX];
    struct conn *conn[MULTI_MAX];     /* the catalog's (live), or the loaders' */
    struct loader *ld[MULTI_MAX];
    const struct conn *pins[MULTI_MAX];
    char what[300];
    struct multi_doc doc;
    int built, failed;
    uint64_t top, sel;
    int left;                         /* columns scrolled off to the left */
    struct lline *win;
    size_t win_cap;
};

static int body_rows(const struct tui *t) { return t->rows - 3; }

static void multi_free(struct tui *t)
{
    struct multi_state *s = t->multi;
    if (!s)
        return;
    catalog_pin_set(&t->cat, NULL, 0);
    multi_doc_free(&s->doc);
    for (size_t i = 0; i < s->n; i++)
        loader_free(s->ld[i]);
    free(s->win);
    free(s);
    t->multi = NULL;
}

void multi_open(struct tui *t, const size_t *idx, size_t n, const char *what)
{
    if (!n) {
        tui_message(t, "no connection to draw");
        return;
    }
    if (n == 1) {
        ladder_open(t, idx[0]);
        return;
    }
    multi_free(t);
    struct multi_state *s = calloc(1, sizeof *s);
    if (!s) {
        tui_message(t, "out of memory");
        return;
    }
    s->asked = n;
    snprintf(s->what, sizeof s->what, "%s", what);
    for (size_t k = 0; k < n && s->n < MULTI_MAX; k++) {
        struct row_buf tmp;
        const struct row *r = catalog_row(&t->cat, idx[k], &tmp);
        struct conn *c = catalog_conn(&t->cat, idx[k]);
        size_t i = s->n;
        s->id[i] = r->id;
        if (c && (t->live || c->nevents)) {
            s->conn[i] = c;
            s->pins[i] = c;
        } else if (t->live) {
            continue; /* its packets are no longer in memory */
        } else {
            char err[CAPTURE_ERRLEN];
            if (!(s->ld[i] = loader_new(t->cap, r, &t->pc, err))) {
                tui_message(t, "%s", err);
                continue;
            }
        }
        s->n++;
    }
    if (s->n < 2) {
        tui_message(t, "fewer than two of the connections can be drawn (their packets are not in memory)");
        free(s);
        return;
    }
    catalog_pin_set(&t->cat, s->pins, s->n);
    t->multi = s;
    tui_push(t, &multi_screen);
    if (s->asked > s->n)
        tui_message(t, "the first %zu of %zu connections (%s)", s->n, s->asked, what);
}

static void build(struct tui *t, struct multi_state *s)
{
    const struct conn *c[MULTI_MAX];
    for (size_t i = 0; i < s->n; i++)
        c[i] = s->conn[i];
    multi_doc_free(&s->doc);
    if (multi_doc_build(&s->doc, c, s->n, t->cols, t->ascii, s->what) < 0) {
        s->failed = 1;
        tui_message(t, "these connections cannot be drawn together (more than %d addresses, or out of memory)",
                    MULTI_LIVES);
        return;
    }
    s->built = 1;
    s->sel = s->doc.header_lines;
}

static int multi_tick(struct tui *t)
{
    struct multi_state *s = t->multi;
    if (!s || s->built || s->failed)
        return 0;
    int busy = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->ld[i])
            continue;
        char err[CAPTURE_ERRLEN];
        int r = loader_step(s->ld[i], LOAD_STEP, err);
        if (r < 0)
            tui_message(t, "%s", err);
        if (r == 0)
            busy = 1;
        s->conn[i] = loader_conn(s->ld[i]);
    }
    t->dirty = 1;
    if (!busy) {
        for (size_t i = 0; i < s->n; i++)
            if (!s->conn[i]) {
                s->failed = 1;
                tui_message(t, "connection %llu could not be read again", (unsigned long long)s->id[i]);
                return 0;
            }
        build(t, s);
    }
    return busy;
}

static enum tui_color tint_color(int tint) { return (enum tui_color)(C_CONN0 + (tint - 1) % TUI_CONN_COLORS); }

static void draw_line(struct tui *t, const struct lline *l, int y, int left, int selected)
{
    for (int k = 0; k < l->nspans; k++) {
        const struct lspan *sp = &l->span[k];
        enum tui_color col = C_NORMAL;
        switch (sp->style) {
        case LS_ARROW: case LS_LABEL: case LS_MSG: col = sp->tint ? tint_color(sp->tint) : C_NORMAL; break;
        case LS_TITLE: col = sp->tint ? tint_color(sp->tint) : C_TITLE; break;
        case LS_TAG: col = C_TAG; break;
        case LS_STATE: col = C_STATE; break;
        case LS_TIME: col = C_DIM; break;
        default: break;
        }
        int a = selected && sp->style != LS_LIFE && sp->style != LS_STATE ? tui_attr(t, C_SELECT) : tui_attr(t, col);
        if (sp->style == LS_MSG || (sp->style == LS_TITLE && sp->tint))
            a |= A_BOLD;
        attrset(a);
        /* the part right of the scroll */
        const char *text = sp->text;
        int col0 = sp->col - left;
        while (col0 < 0 && *text) {
            text++;
            while ((*text & 0xc0) == 0x80)
                text++;
            col0++;
        }
        if (col0 < t->cols && *text)
            tui_text(y, col0, t->cols - col0, text);
    }
    attrset(A_NORMAL);
}

static int ensure_win(struct multi_state *s, size_t n)
{
    return array_reserve((void **)&s->win, &s->win_cap, n, sizeof *s->win);
}

static void multi_draw(struct tui *t)
{
    struct multi_state *s = t->multi;
    if (!s)
        return;
    if (!s->built) {
        char note[200];
        snprintf(note, sizeof note, "%s the packets of %zu connections from the file...",
                 s->failed ? "could not read" : "reading", s->n);
        tui_text(2, 2, t->cols - 4, note);
        return;
    }
    int rows = body_rows(t);
    if (s->sel < s->top)
        s->top = s->sel > 3 ? s->sel - 3 : 0;
    if (s->sel >= s->top + (uint64_t)rows)
        s->top = s->sel - (uint64_t)rows + 2;
    if (rows < 1 || ensure_win(s, (size_t)rows) < 0)
        return;
    size_t n = multi_doc_lines(&s->doc, s->top, (size_t)rows, s->win);
    struct lline sel;
    int have = multi_doc_lines(&s->doc, s->sel, 1, &sel) == 1;
    for (size_t i = 0; i < n; i++) {
        const struct lline *l = &s->win[i];
        int on = have && l->block == sel.block && l->event == sel.event && l->event >= 0 &&
                 (l->msg == sel.msg || (sel.msg < 0 && l->kind == LK_LABEL)) && l->kind != LK_HEADER;
        draw_line(t, l, 1 + (int)i, s->left, on);
    }
}

/* The next arrow after (dir > 0) or before `from`; `from` when none. */
static uint64_t step(struct multi_state *s, uint64_t from, int dir)
{
    struct lline l;
    if (dir > 0) {
        for (uint64_t at = from + 1; at < s->doc.total_lines; at++)
            if (multi_doc_lines(&s->doc, at, 1, &l) == 1 && l.kind == LK_ARROW)
                return at;
    } else {
        for (uint64_t at = from; at-- > s->doc.header_lines;)
            if (multi_doc_lines(&s->doc, at, 1, &l) == 1 && l.kind == LK_ARROW)
                return at;
    }
    return from;
}

static void export_text(struct tui *t, struct multi_state *s)
{
    char path[512];
    snprintf(path, sizeof path, "%ssynfin-diagram.txt", tui_writable_dir());
    if (tui_prompt(t, "export the diagram as text to: ", path, sizeof path, HIST_PATH, 1) < 0 || !path[0])
        return;
    FILE *f = fopen(path, "w");
    if (!f) {
        char why[256];
        tui_errno_text(errno, why, sizeof why);
        tui_message(t, "%s: cannot write: %s", path, why);
        return;
    }
    struct lline l;
    char text[4096];
    for (uint64_t at = 0; at < s->doc.total_lines; at++)
        if (multi_doc_lines(&s->doc, at, 1, &l) == 1) {
            lline_text(&l, text, sizeof text);
            fprintf(f, "%s\n", text);
        }
    int e = ferror(f) ? (errno ? errno : EIO) : 0;
    if (fclose(f) && !e)
        e = errno ? errno : EIO;
    if (e) {
        char why[256];
        tui_errno_text(e, why, sizeof why);
        tui_message(t, "%s: write failed: %s", path, why);
    } else {
        tui_message(t, "diagram written to %s", path);
    }
}

static void save_pcap(struct tui *t, struct multi_state *s)
{
    const struct row *rows[MULTI_MAX];
    struct row_buf tmp[MULTI_MAX];
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        long k = catalog_find(&t->cat, s->id[i]);
        if (k >= 0)
            rows[n] = catalog_row(&t->cat, (size_t)k, &tmp[n]), n++;
    }
    handoff_save_pcap(t, rows, n, "diagram");
}

static int multi_key(struct tui *t, int ch)
{
    struct multi_state *s = t->multi;
    if (!s)
        return 0;
    int rows = body_rows(t), wheel = ch & TUI_KEY_WHEEL;
    if (ch & TUI_KEY_CLICK)
        return 1;
    ch &= TUI_KEY_MASK;
    if (!s->built)
        return ch != 'q' && ch != 27 && ch != '?' && ch != 'Q';
    int dir, moves = tui_motion(ch, wheel, rows, &dir);
    if (moves >= 0) {
        for (int k = 0; k < moves; k++)
            s->sel = step(s, s->sel, dir);
        return 1;
    }
    switch (ch) {
    case KEY_HOME: case 'g': s->top = 0; s->sel = step(s, s->doc.header_lines, -1); s->sel = step(s, s->doc.header_lines - 1, +1); return 1;
    case KEY_END: case 'G': s->sel = step(s, s->doc.total_lines, -1); return 1;
    case KEY_RIGHT: case 'l':
        if (s->left + t->cols < s->doc.width)
            s->left += 8;
        return 1;
    case KEY_LEFT: case 'h': s->left = s->left > 8 ? s->left - 8 : 0; return 1;
    case '\n': case '\r': case KEY_ENTER: {
        struct lline l;
        if (multi_doc_lines(&s->doc, s->sel, 1, &l) == 1 && l.block < s->doc.ne) {
            long k = catalog_find(&t->cat, s->id[s->doc.e[l.block].conn]);
            if (k >= 0)
                ladder_open(t, (size_t)k);
        }
        return 1;
    }
    case 'e': export_text(t, s); return 1;
    case 'p': save_pcap(t, s); return 1;
    case KEY_RESIZE:
        build(t, s);
        return 1;
    default:
        return 0;
    }
}

static void multi_leave(struct tui *t) { multi_free(t); }

static const char *const multi_help[] = {
    "Several connections on one diagram: one lifeline per address, every packet in time",
    "order, each connection's arrows in its own colour with its number (#1, #2 ...) and",
    "ports in the labels; each side's TCP state is written on the arrow where it changes",
    "(the sender's at the tail, the receiver's at the head); the legend is above.",
    "",
    "  Up/Down j/k    previous / next arrow      PgUp/PgDn Space  half a page",
    "  Left/Right     scroll a diagram wider than the screen",
    "  Enter          open the selected arrow's connection as a ladder",
    "  e              export the diagram as text      p  save these connections as pcap",
    "  q Esc          back",
    NULL,
};

const struct screen_ops multi_screen = {
    .name = "diagram",
    .draw = multi_draw,
    .key = multi_key,
    .keybar = " q back  ? help  Up/Down arrow  Left/Right scroll  Enter its ladder  e export  p pcap",
    .help = multi_help,
    .help_title = "Help: several connections on one diagram",
    .tick = multi_tick,
    .leave = multi_leave,
};
