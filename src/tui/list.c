/*
 * list.c - the connection list: one row per connection, coloured by how it
 * went, sorted by any column, narrowed by a filter, searched with "/".
 *
 *    id start        client                server                app          handshake  teardown ...
 *  > 12 20:51:04.123 10.99.0.2:60228       10.99.0.1:8080        HTTP GET /   complete   three-way
 *
 * Columns that do not fit are dropped, least useful first; the app column
 * takes what remains.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* Which columns fit in `width`: the most important first, the app column takes the rest. */
static int layout(int width, int shown[NCOLS], int *app_w)
{
    int used = 0;
    for (size_t i = 0; i < NCOLS; i++)
        shown[i] = 0;
    for (int level = 0; level <= 7; level++)
        for (size_t i = 0; i < NCOLS; i++) {
            if (cols[i].keep != level || shown[i])
                continue;
            int w = cols[i].width ? cols[i].width : APP_MIN;
            /* the least useful columns only when the app text keeps room to be read */
            int reserve = level >= 5 ? APP_WANT - APP_MIN : 0;
            if (used + w + 1 + reserve <= width) {
                shown[i] = 1;
                used += w + 1;
            }
        }
    *app_w = width - used + APP_MIN;
    if (*app_w > 48) /* beyond this the app text is only padding */
        *app_w = 48;
    return used;
}

static void cell(const struct row *r, enum column col, char *buf, size_t len)
{
    switch (col) {
    case COL_ID: snprintf(buf, len, "%llu", (unsigned long long)r->id); break;
    case COL_START: {
        time_t s = (time_t)(r->first_ts_ns / 1000000000);
        struct tm tmv;
        char hms[16];
        localtime_r(&s, &tmv);
        strftime(hms, sizeof hms, "%H:%M:%S", &tmv);
        snprintf(buf, len, "%s.%03ld", hms, (long)((r->first_ts_ns % 1000000000) / 1000000));
        break;
    }
    case COL_CLIENT: row_endpoint_str(r, SIDE_CLIENT, buf, len); break;
    case COL_SERVER: row_endpoint_str(r, SIDE_SERVER, buf, len); break;
    case COL_APP: snprintf(buf, len, "%s", r->app); break;
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

static void list_draw(struct tui *t)
{
    int shown[NCOLS], app_w;
    layout(t->cols, shown, &app_w);
    keep_visible(t);
    /* the header */
    int x = 0;
    attrset(tui_attr(t, C_TITLE));
    for (size_t i = 0; i < NCOLS; i++) {
        if (!shown[i])
            continue;
        int w = cols[i].width ? cols[i].width : app_w;
        char h[32];
        snprintf(h, sizeof h, "%s%s", cols[i].title,
                 t->view.sort == cols[i].col ? (t->view.reverse ? "v" : "^") : "");
        tui_text(1, x + (cols[i].col == COL_ID ? 0 : 0), w, h);
        x += w + 1;
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
        attrset(attr);
        move(2 + r, 0);
        if (vi == t->sel)
            for (int k = 0; k < t->cols; k++)
                addch(' ');
        x = 0;
        for (size_t i = 0; i < NCOLS; i++) {
            if (!shown[i])
                continue;
            int w = cols[i].width ? cols[i].width : app_w;
            char text[200];
            cell(rw, cols[i].col, text, sizeof text);
            tui_text(2 + r, x, w, text);
            x += w + 1;
        }
        attrset(A_NORMAL);
    }
    if (t->view.n == 0) {
        attrset(tui_attr(t, C_DIM));
        tui_text(3, 2, t->cols - 4,
                 t->cat.n ? "no connection passes the filter (f: next filter, \\: clear the text filter)"
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
        if (tui_prompt(t, "search (address, port, SNI, state, kind): ", t->search, sizeof t->search) == 0)
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
        if (tui_prompt(t, "show only connections containing (empty: all): ", t->view.query, sizeof t->view.query) == 0) {
            view_rebuild(&t->view, &t->cat);
            t->sel = 0;
        }
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
    "Colours: green clean close, red reset, yellow refused or unanswered,",
    "cyan still open or half-closed, magenta TLS handshake failed.",
    "",
    "  Up/Down j/k    move          PgUp/PgDn  page      Home/End g/G  first/last",
    "  Enter          open the connection's ladder (double click too)",
    "  /              search address, port, SNI, state, kind; n/N next/previous",
    "  f / F          next / previous filter: all, clean, reset, refused, open, TLS failed",
    "  \\              show only rows containing a text (empty: all)",
    "  s / S  > / <   sort by the next / previous column      r  reverse the order",
    "  K              load a TLS key log: the ladders opened from now on are decrypted",
    "  ?              this help                                q  quit",
    NULL,
};

const struct screen_ops list_screen = {
    .name = "list",
    .draw = list_draw,
    .key = list_key,
    .keybar = " q quit  ? help  Enter ladder  / search  n next  f filter  \\ narrow  s sort  r reverse  K keys",
    .help = list_help,
    .help_title = "Help: the connection list",
};
