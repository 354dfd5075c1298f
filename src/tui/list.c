/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * list.c - the connection list: one row per connection, coloured by how it
 * went, sorted by any column, narrowed by a filter, a text and a filter
 * expression (where.h), searched with "/"; rows marked for a diagram of
 * several connections or a pcap file.
 *
 *    id start        client                server                app          handshake  teardown ...
 *  > 12 20:51:04.123 10.99.0.2:60228       10.99.0.1:8080        HTTP GET /   complete   three-way
 *
 * Columns that do not fit are dropped, least useful first; the endpoint
 * columns grow to the widest endpoint when the terminal has room (an IPv6
 * one is cut in its middle, never its port); the app column takes the rest.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "textfit.h"
#include "tui.h"

struct col_def {
    enum column col;
    const char *title;
    int width;      /* 0: flexible (the app column) */
    int keep;       /* lower numbers stay longer on a narrow screen */
};

static const struct col_def cols[] = {
    {COL_ID, "id", 5, 0},
    {COL_START, "start", 12, 6},
    {COL_CLIENT, "client", 21, 1},
    {COL_SERVER, "server", 21, 1},
    {COL_APP, "app", 0, 1},
    {COL_HANDSHAKE, "handshake", 17, 3},
    {COL_TEARDOWN, "teardown", 12, 2},
    {COL_STATES, "states", 23, 4},
    {COL_PACKETS, "pkts", 7, 5},
    {COL_BYTES, "bytes", 9, 5},
    {COL_DURATION, "duration", 9, 7},
};
#define NCOLS (sizeof cols / sizeof cols[0])
#define APP_MIN 16
#define APP_WANT 28 /* what an app text usually needs: "HTTP GET /a/path", "TLS 1.3 www.example.com" */
#define EP_MAX 47   /* "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535" */

struct layout {
    int shown[NCOLS];
    int width[NCOLS];
};

/* Which columns fit in `width`, and how wide: the most important first, then the endpoint columns
 * grow to what their widest endpoint needs (ep_want), the app column takes the rest. */
static void layout(int width, const int ep_want[2], struct layout *lo)
{
    int used = 0;
    for (size_t i = 0; i < NCOLS; i++) {
        lo->shown[i] = 0;
        lo->width[i] = cols[i].width ? cols[i].width : APP_MIN;
    }
    for (int level = 0; level <= 7; level++)
        for (size_t i = 0; i < NCOLS; i++) {
            if (cols[i].keep != level || lo->shown[i])
                continue;
            int w = lo->width[i];
            /* the least useful columns only when the app text keeps room to be read */
            int reserve = level >= 5 ? APP_WANT - APP_MIN : 0;
            if (used + w + 1 + reserve <= width) {
                lo->shown[i] = 1;
                used += w + 1;
            }
        }
    /* room beyond what the app text wants: the endpoints first */
    int spare = width - used - (APP_WANT - APP_MIN);
    for (size_t i = 0; i < NCOLS && spare > 0; i++) {
        if (!lo->shown[i] || (cols[i].col != COL_CLIENT && cols[i].col != COL_SERVER))
            continue;
        int want = ep_want[cols[i].col == COL_SERVER];
        if (want > EP_MAX)
            want = EP_MAX;
        int grow = want - lo->width[i];
        if (grow > spare)
            grow = spare;
        if (grow > 0) {
            lo->width[i] += grow;
            used += grow;
            spare -= grow;
        }
    }
    for (size_t i = 0; i < NCOLS; i++)
        if (!cols[i].width) {
            int app_w = width - used + APP_MIN;
            lo->width[i] = app_w > 48 ? 48 : app_w; /* beyond this the app text is only padding */
        }
}

static void cell(const struct tui *t, const struct row *r, enum column col, int w, char *buf, size_t len)
{
    char ep[64];
    switch (col) {
    case COL_ID: snprintf(buf, len, "%s%llu", tui_marked(t, r->id) ? "*" : "", (unsigned long long)r->id); break;
    case COL_START: {
        time_t s = (time_t)(r->first_ts_ns / 1000000000);
        struct tm tmv;
        char hms[16];
        localtime_r(&s, &tmv);
        strftime(hms, sizeof hms, "%H:%M:%S", &tmv);
        snprintf(buf, len, "%s.%03ld", hms, (long)((r->first_ts_ns % 1000000000) / 1000000));
        break;
    }
    case COL_CLIENT: case COL_SERVER:
        row_endpoint_str(r, col == COL_CLIENT ? SIDE_CLIENT : SIDE_SERVER, ep, sizeof ep);
        fit_endpoint(buf, len, ep, (size_t)w, t->ascii);
        break;
    case COL_APP: fit_end(buf, len, r->app, (size_t)w, t->ascii); break;
    case COL_HANDSHAKE: snprintf(buf, len, "%s", handshake_name(r->handshake)); break;
    case COL_TEARDOWN: snprintf(buf, len, "%s", r->finished || r->teardown != TD_OPEN ? teardown_name(r->teardown) : "(open)"); break;
    case COL_STATES:
        snprintf(buf, len, "%s/%s", tcp_state_name(r->state[0]), tcp_state_name(r->state[1]));
        break;
    case COL_PACKETS: snprintf(buf, len, "%llu", (unsigned long long)r->packets); break;
    case COL_BYTES: {
        double b = (double)r->bytes;
        if (b >= 1e6)
            snprintf(buf, len, "%.1fM", b / 1e6);
        else if (b >= 1e4)
            snprintf(buf, len, "%.0fk", b / 1e3);
        else
            snprintf(buf, len, "%.0f", b);
        break;
    }
    case COL_DURATION: snprintf(buf, len, "%.3fs", (double)(r->last_ts_ns - r->first_ts_ns) / 1e9); break;
    default: buf[0] = '\0'; break;
    }
}

static enum tui_color outcome_color(enum outcome o)
{
    static const enum tui_color map[OUTCOME_COUNT] = {C_CLEAN, C_RESET, C_REFUSED, C_OPEN, C_TLS_FAILED};
    return map[o];
}

static int body_rows(const struct tui *t) { return t->rows - 4; } /* title, header, status, key bar */

static void keep_visible(struct tui *t)
{
    int h = body_rows(t);
    if (h < 1)
        h = 1;
    if (t->sel < t->top)
        t->top = t->sel;
    if (t->sel >= t->top + (size_t)h)
        t->top = t->sel - (size_t)h + 1;
}

static void list_layout(const struct tui *t, struct layout *lo)
{
    int want[2];
    for (int s = 0; s < 2; s++)
        want[s] = t->cat.endpoint_w[s] > 21 ? t->cat.endpoint_w[s] : 21;
    layout(t->cols, want, lo);
}

static void list_draw(struct tui *t)
{
    struct layout lo;
    list_layout(t, &lo);
    keep_visible(t);
    /* the header, the sort column marked */
    int x = 0;
    t->sort_in_header = 0;
    attrset(tui_attr(t, C_TITLE));
    for (size_t i = 0; i < NCOLS; i++) {
        if (!lo.shown[i])
            continue;
        char h[32];
        int sorted = t->view.sort == cols[i].col;
        t->sort_in_header |= sorted;
        snprintf(h, sizeof h, "%s%s", cols[i].title, sorted ? (t->view.reverse ? "v" : "^") : "");
        tui_text(1, x, lo.width[i], h);
        x += lo.width[i] + 1;
    }
    attrset(A_NORMAL);
    int h = body_rows(t);
    if (t->sel < t->view.n) { /* remembered by id: the index moves as rows come and go */
        struct row_buf tmp;
        t->sel_id = catalog_row(&t->cat, t->view.idx[t->sel], &tmp)->id;
    }
    for (int r = 0; r < h && t->top + (size_t)r < t->view.n; r++) {
        size_t vi = t->top + (size_t)r;
        uint32_t ci = t->view.idx[vi];
        struct row_buf tmp;
        const struct row *rw = catalog_row(&t->cat, ci, &tmp);
        int attr = vi == t->sel ? tui_attr(t, C_SELECT) : tui_attr(t, outcome_color((enum outcome)rw->outcome));
        if (tui_marked(t, rw->id))
            attr |= A_BOLD;
        attrset(attr);
        move(2 + r, 0);
        if (vi == t->sel)
            for (int k = 0; k < t->cols; k++)
                addch(' ');
        x = 0;
        for (size_t i = 0; i < NCOLS; i++) {
            if (!lo.shown[i])
                continue;
            char text[200];
            cell(t, rw, cols[i].col, lo.width[i], text, sizeof text);
            tui_text(2 + r, x, lo.width[i], text);
            x += lo.width[i] + 1;
        }
        attrset(A_NORMAL);
    }
    if (t->view.n == 0) {
        attrset(tui_attr(t, C_DIM));
        tui_text(3, 2, t->cols - 4,
                 t->cat.n ? "no connection passes the filter (f: next filter, \\: the text, w: the expression)"
                          : (t->loading || t->live ? "waiting for connections..." : "no TCP connection in this capture"));
        attrset(A_NORMAL);
    }
}

/* The next row (from the selection, in direction dir) whose text holds the query. */
static void find_next(struct tui *t, const char *query, int dir)
{
    if (!query[0] || !t->view.n)
        return;
    size_t n = t->view.n;
    for (size_t step = 1; step <= n; step++) {
        size_t i = (t->sel + (dir > 0 ? step : n - step)) % n;
        struct row_buf tmp;
        if (row_matches(catalog_row(&t->cat, t->view.idx[i], &tmp), FILTER_ALL, query)) {
            t->sel = i;
            tui_message(t, "match: row %zu", i + 1);
            return;
        }
    }
    tui_message(t, "no match for \"%s\"", query);
}

/* ------------------------------------------------------------ marks */

static long mark_at(const struct tui *t, uint64_t id)
{
    size_t lo = 0, hi = t->nmarks;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->marks[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo;
}

int tui_marked(const struct tui *t, uint64_t id)
{
    long at = mark_at(t, id);
    return (size_t)at < t->nmarks && t->marks[at] == id;
}

static void toggle_mark(struct tui *t, uint64_t id)
{
    long at = mark_at(t, id);
    if ((size_t)at < t->nmarks && t->marks[at] == id) {
        memmove(t->marks + at, t->marks + at + 1, (t->nmarks - (size_t)at - 1) * sizeof *t->marks);
        t->nmarks--;
        return;
    }
    if (t->nmarks == t->marks_cap) {
        size_t cap = t->marks_cap ? t->marks_cap * 2 : 16;
        uint64_t *m = realloc(t->marks, cap * sizeof *m);
        if (!m) {
            tui_message(t, "out of memory");
            return;
        }
        t->marks = m;
        t->marks_cap = cap;
    }
    memmove(t->marks + at + 1, t->marks + at, (t->nmarks - (size_t)at) * sizeof *t->marks);
    t->marks[at] = id;
    t->nmarks++;
}

/* ------------------------------------------------------------ sets of connections */

/* Catalog entries passing `w` (every one when w is NULL and `marked`: the marked ones), in id order. */
static size_t entries(struct tui *t, struct where *w, int marked, size_t **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    for (size_t i = 0; i < t->cat.n; i++) {
        struct row_buf tmp;
        const struct row *r = catalog_row(&t->cat, i, &tmp);
        int in;
        if (marked) {
            in = tui_marked(t, r->id);
        } else {
            in = tui_entry_matches(t, w, i);
        }
        if (!in)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            size_t *o = realloc(*out, cap * sizeof *o);
            if (!o)
                break;
            *out = o;
        }
        (*out)[n++] = i;
    }
    return n;
}

/* A key of the selected connection's JSON (its client address, its SNI), for a set of the same. */
static int selected_value(struct tui *t, const char *path, char *out, size_t cap)
{
    if (t->sel >= t->view.n)
        return 0;
    size_t i = t->view.idx[t->sel];
    const struct cat_entry *e = &t->cat.e[i];
    size_t jl = e->row ? row_json_len(e->row) : 0;
    if (jl) {
        char *buf = malloc(jl);
        size_t n = buf ? catalog_row_json(&t->cat, i, buf, jl) : 0;
        int ok = n && where_value(buf, n, path, out, cap);
        free(buf);
        return ok;
    }
    if (e->conn) {
        size_t n;
        const char *json = judge_json(&t->judge, e->conn, &n);
        return n && where_value(json, n, path, out, cap);
    }
    return 0;
}

/* All the connections whose `path` holds what the selected one's does, on one diagram. */
static void same_as_selected(struct tui *t, const char *path, const char *what)
{
    char value[256], quoted[600], expr[700], err[WHERE_ERRLEN];
    if (!selected_value(t, path, value, sizeof value)) {
        tui_message(t, "the selected connection has no %s", what);
        return;
    }
    where_quote(value, quoted, sizeof quoted);
    snprintf(expr, sizeof expr, "%s == %s", path, quoted);
    struct where *w = where_compile(expr, err, sizeof err, NULL);
    if (!w) {
        tui_message(t, "%s", err);
        return;
    }
    size_t *idx;
    size_t n = entries(t, w, 0, &idx);
    where_free(w);
    char title[400];
    snprintf(title, sizeof title, "%s %s", what, value);
    multi_open(t, idx, n, title);
    free(idx);
}

static void draw_marked(struct tui *t)
{
    if (!t->nmarks) {
        tui_message(t, "no connection is marked: m or Space marks the selected one");
        return;
    }
    size_t *idx;
    size_t n = entries(t, NULL, 1, &idx);
    multi_open(t, idx, n, "the marked connections");
    free(idx);
}

/* ------------------------------------------------------------ the filter expression */

static void set_where(struct tui *t)
{
    char text[sizeof t->where_text];
    snprintf(text, sizeof text, "%s", t->where_text);
    if (tui_prompt(t, "where (e.g. teardown == \"reset\" && port 443; empty: all): ", text, sizeof text, HIST_WHERE,
                   1) < 0)
        return;
    if (!text[0]) {
        where_free(t->where);
        t->where = NULL;
        t->where_text[0] = '\0';
        t->view.where = NULL;
        tui_message(t, "filter expression cleared");
    } else {
        char err[WHERE_ERRLEN];
        size_t pos = 0;
        struct where *w = where_compile(text, err, sizeof err, &pos);
        if (!w) {
            tui_message(t, "where: %s (column %zu): %.*s<-here", err, pos + 1, (int)pos, text);
            return;
        }
        where_free(t->where);
        t->where = w;
        t->view.where = tui_where_passes;
        snprintf(t->where_text, sizeof t->where_text, "%s", text);
        t->where_gen = catalog_where_next(&t->cat, t->where_gen);
    }
    view_rebuild(&t->view, &t->cat);
    t->sel = 0; /* the status line says "N of M" and the expression */
}

/* ------------------------------------------------------------ saving a pcap */

static void save_pcap(struct tui *t)
{
    char q[160];
    snprintf(q, sizeof q, "save as pcap: s the selected connection, m the %zu marked, f the %zu listed (Esc: none) ",
             t->nmarks, t->view.n);
    int k = tui_choose(t, q, "smf");
    if (k < 0)
        return;
    size_t *idx = NULL, n = 0;
    const char *what = "";
    if (k == 's') {
        if (t->sel >= t->view.n)
            return;
        if ((idx = malloc(sizeof *idx))) {
            idx[0] = t->view.idx[t->sel];
            n = 1;
        }
        what = "selected";
    } else if (k == 'm') {
        n = entries(t, NULL, 1, &idx);
        what = "marked";
    } else {
        if ((idx = malloc((t->view.n ? t->view.n : 1) * sizeof *idx))) {
            for (size_t i = 0; i < t->view.n; i++)
                idx[i] = t->view.idx[i];
            n = t->view.n;
        }
        what = "listed";
    }
    if (!n) {
        tui_message(t, "no connection to save");
        free(idx);
        return;
    }
    const struct row **rows = malloc(n * sizeof *rows);
    struct row_buf *tmp = malloc(n * sizeof *tmp);
    if (rows && tmp) {
        for (size_t i = 0; i < n; i++)
            rows[i] = catalog_row(&t->cat, idx[i], &tmp[i]);
        handoff_save_pcap(t, rows, n, what);
    } else {
        tui_message(t, "out of memory");
    }
    free(rows);
    free(tmp);
    free(idx);
}

static int list_key(struct tui *t, int ch)
{
    int h = body_rows(t);
    size_t page = h > 1 ? (size_t)h - 1 : 1;
    if (ch & TUI_KEY_CLICK) { /* a click: select the row, open it on a double click */
        int y = ch & TUI_KEY_ROW;
        if (y >= 2 && t->top + (size_t)(y - 2) < t->view.n) {
            t->sel = t->top + (size_t)(y - 2);
            if (ch & TUI_KEY_DOUBLE)
                ladder_open(t, t->view.idx[t->sel]);
        }
        return 1;
    }
    int wheel = ch & TUI_KEY_WHEEL;
    ch &= TUI_KEY_MASK;
    switch (ch) {
    case KEY_UP: case 'k':
        if (t->sel)
            t->sel -= wheel && t->sel >= 3 ? 3 : 1;
        return 1;
    case KEY_DOWN: case 'j':
        if (t->sel + 1 < t->view.n)
            t->sel += wheel && t->sel + 3 < t->view.n ? 3 : 1;
        return 1;
    case KEY_PPAGE: t->sel = t->sel > page ? t->sel - page : 0; return 1;
    case KEY_NPAGE: t->sel = t->sel + page < t->view.n ? t->sel + page : (t->view.n ? t->view.n - 1 : 0); return 1;
    case KEY_HOME: case 'g': t->sel = 0; return 1;
    case KEY_END: case 'G': t->sel = t->view.n ? t->view.n - 1 : 0; return 1;
    case '\n': case '\r': case KEY_ENTER:
        if (t->sel < t->view.n)
            ladder_open(t, t->view.idx[t->sel]);
        return 1;
    case '/':
        if (tui_prompt(t, "search (address, port, SNI, state, kind): ", t->search, sizeof t->search, HIST_SEARCH, 0) == 0)
            find_next(t, t->search, +1);
        return 1;
    case 'n': find_next(t, t->search, +1); return 1;
    case 'N': find_next(t, t->search, -1); return 1;
    case 'f':
        t->view.filter = (enum filter)((t->view.filter + 1) % FILTER_COUNT);
        view_rebuild(&t->view, &t->cat);
        t->sel = 0;
        tui_message(t, "filter: %s", filter_name(t->view.filter));
        return 1;
    case 'F':
        t->view.filter = (enum filter)((t->view.filter + FILTER_COUNT - 1) % FILTER_COUNT);
        view_rebuild(&t->view, &t->cat);
        t->sel = 0;
        tui_message(t, "filter: %s", filter_name(t->view.filter));
        return 1;
    case '\\':
        if (tui_prompt(t, "show only connections containing (empty: all): ", t->view.query, sizeof t->view.query,
                       HIST_NARROW, 1) == 0) {
            view_rebuild(&t->view, &t->cat);
            t->sel = 0;
        }
        return 1;
    case 'w':
        set_where(t);
        return 1;
    case 's': case '>':
        t->view.sort = (enum column)((t->view.sort + 1) % COL_COUNT);
        view_rebuild(&t->view, &t->cat);
        tui_message(t, "sorted by %s", column_name(t->view.sort));
        return 1;
    case 'S': case '<':
        t->view.sort = (enum column)((t->view.sort + COL_COUNT - 1) % COL_COUNT);
        view_rebuild(&t->view, &t->cat);
        tui_message(t, "sorted by %s", column_name(t->view.sort));
        return 1;
    case 'r':
        t->view.reverse = !t->view.reverse;
        view_rebuild(&t->view, &t->cat);
        return 1;
    case 'm': case ' ':
        if (t->sel < t->view.n) {
            struct row_buf tmp;
            uint64_t id = catalog_row(&t->cat, t->view.idx[t->sel], &tmp)->id;
            toggle_mark(t, id);
            tui_message(t, "%zu marked (M: on one diagram, p: as pcap, U: unmark all)", t->nmarks);
            if (t->sel + 1 < t->view.n)
                t->sel++;
        }
        return 1;
    case 'U':
        t->nmarks = 0;
        tui_message(t, "no connection marked");
        return 1;
    case 'M': draw_marked(t); return 1;
    case 'c': same_as_selected(t, "client_ip", "client"); return 1;
    case 'h': same_as_selected(t, "tls.sni", "SNI"); return 1;
    case 'p': save_pcap(t); return 1;
    case 'y':
        if (t->sel < t->view.n) {
            struct row_buf tmp;
            handoff_open(t, catalog_row(&t->cat, t->view.idx[t->sel], &tmp));
        }
        return 1;
    case 'K':
        tui_load_keylog(t);
        return 1;
    case KEY_RESIZE:
        return 1;
    default:
        return 0;
    }
}

static const char *const list_help[] = {
    "The connection list: one row per TCP connection, in first-packet order.",
    "Colours (the status line's totals are the legend): green clean close, red reset,",
    "yellow refused or unanswered, cyan still open or half-closed, magenta TLS handshake failed.",
    "",
    "  Up/Down j/k    move          PgUp/PgDn  page      Home/End g/G  first/last",
    "  Enter          open the connection's ladder (double click too)",
    "  /              search address, port, SNI, state, kind; n/N next/previous",
    "  f / F          next / previous filter: all, clean, reset, refused, open, TLS failed",
    "  \\              show only rows containing a text (empty: all)",
    "  w              filter expression over the JSON keys, as --where:",
    "                   teardown == \"reset\" && server.port == 443, handshake_rtt_ms > 100ms,",
    "                   tls.sni ~ \"example\", analysis.retransmissions > 0 && !port 80",
    "  s / S  > / <   sort by the next / previous column      r  reverse the order",
    "  m Space        mark the connection (U unmarks all)",
    "  M              the marked connections on one diagram",
    "  c / h          every connection of this client / with this SNI on one diagram",
    "  p              save as pcap: the selected, the marked or the listed connections",
    "  y              Wireshark display filter and BPF filter of the connection",
    "  K              load a TLS key log: the ladders opened from now on are decrypted",
    "  ?              this help                                q  quit",
    "",
    "Prompts: Ctrl-U/Ctrl-K cut to the start/end, Ctrl-W a word, Ctrl-A/E or Home/End,",
    "Left/Right move, Up/Down the history, Enter accepts, Esc cancels.",
    NULL,
};

const struct screen_ops list_screen = {
    .name = "list",
    .draw = list_draw,
    .key = list_key,
    .keybar = " q quit  ? help  Enter ladder  / search  f filter  w where  s sort  m mark  M diagram  p pcap  y filters"
              "  K key log",
    .help = list_help,
    .help_title = "Help: the connection list",
};
