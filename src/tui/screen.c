/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * screen.c - what the interface's screens share (see tui.h): colour
 * attributes, clipped text, the status-line message and the prompt (a line
 * editor with a history, which keeps the capture going while it waits),
 * the screen stack, loading a key log.  The screens (list.c, ladder.c, help.c) and the
 * main loop (tui.c) use these; nothing here knows a screen by name, so no
 * file of the interface includes another in a circle.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "app.h"
#include "termtext.h"

/* ------------------------------------------------------------ colours */

int tui_attr(const struct tui *t, enum tui_color c)
{
    if (t->color)
        return COLOR_PAIR(c) | (c == C_BAR || c == C_TITLE ? A_BOLD : 0);
    /* monochrome: meaning by weight and inversion alone */
    switch (c) {
    case C_BAR: case C_SELECT: return A_REVERSE;
    case C_RESET: case C_TLS_FAILED: case C_TAG: case C_TITLE: return A_BOLD;
    case C_OPEN: case C_PHASE: return A_UNDERLINE;
    case C_DIM: return A_DIM;
    default: return A_NORMAL;
    }
}

/* ------------------------------------------------------------ helpers for screens */

void tui_text(int y, int x, int width, const char *s)
{
    if (width <= 0)
        return;
    /* Clip by the columns the terminal draws (wcwidth), never by bytes.  Text reaching here is clean
     * (wire strings went through termtext.h where they became display text); a control byte that got
     * here anyway is drawn as '?', never sent. */
    char buf[1024];
    size_t n = tt_fit(s, (size_t)width, NULL);
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
            buf[i] = '?';
    mvaddnstr(y, x, buf, (int)n);
}

void tui_message(struct tui *t, const char *fmt, ...)
{
    va_list ap;
    char raw[sizeof t->message];
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    tt_cleans(t->message, sizeof t->message, raw, 0); /* messages quote paths and errors: data, not control */
    t->dirty = 1;
}

int tui_motion(int ch, int wheel, int page_rows, int *dir)
{
    switch (ch) {
    case KEY_DOWN: case 'j': *dir = +1; return wheel ? 3 : 1;
    case KEY_UP: case 'k': *dir = -1; return wheel ? 3 : 1;
    case KEY_NPAGE: case ' ': *dir = +1; return page_rows / 2;
    case KEY_PPAGE: *dir = -1; return page_rows / 2;
    default: return -1;
    }
}

void tui_push(struct tui *t, const struct screen_ops *s)
{
    if (t->depth < (int)(sizeof t->stack / sizeof t->stack[0]))
        t->stack[t->depth++] = s;
    t->dirty = 1;
}

void tui_pop(struct tui *t)
{
    if (t->depth > 1) {
        const struct screen_ops *top = t->stack[t->depth - 1];
        if (top->leave)
            top->leave(t);
        t->depth--;
    }
    t->dirty = 1;
}

/* ------------------------------------------------------------ the prompt */

struct edit {
    const char *question;
    char *buf;
    size_t cap, len, cur;     /* bytes; the cursor is a byte offset on a character's start */
    int selected;             /* the text offered is selected: a key replaces it */
    struct history *h;
    int hpos;                 /* the history line shown (h->n: the line being written) */
    char draft[512];
    const char *keys;         /* tui_choose: the keys that answer */
};

static size_t prev_char(const char *b, size_t at)
{
    while (at > 0 && ((unsigned char)b[--at] & 0xc0) == 0x80)
        ;
    return at;
}

static size_t next_char(const char *b, size_t len, size_t at)
{
    if (at < len)
        at++;
    while (at < len && ((unsigned char)b[at] & 0xc0) == 0x80)
        at++;
    return at;
}

static void cut(struct edit *e, size_t from, size_t to)
{
    memmove(e->buf + from, e->buf + to, e->len - to + 1);
    e->len -= to - from;
    e->cur = from;
}

static void set_text(struct edit *e, const char *text)
{
    snprintf(e->buf, e->cap, "%s", text);
    e->len = e->cur = strlen(e->buf);
}

static void draw_prompt(struct tui *t)
{
    struct edit *e = t->overlay_ctx;
    int y = t->rows - 2;
    char q[256], shown[1024], before[1024], raw[1024];
    tt_cleans(q, sizeof q, e->question, t->ascii ? TT_ASCII : 0);
    move(y, 0);
    attrset(tui_attr(t, C_NORMAL));
    clrtoeol();
    int qw = (int)tt_width(q);
    tui_text(y, 0, t->cols, q);
    if (e->keys)
        return;
    /* the text from the first character that keeps the cursor on screen */
    int room = t->cols - qw - 1;
    size_t start = 0;
    for (;;) {
        snprintf(raw, sizeof raw, "%.*s", (int)(e->cur - start), e->buf + start);
        tt_cleans(before, sizeof before, raw, t->ascii ? TT_ASCII : 0);
        if (room < 2 || (int)tt_width(before) < room || start >= e->cur)
            break;
        start = next_char(e->buf, e->len, start);
    }
    tt_cleans(shown, sizeof shown, e->buf + start, t->ascii ? TT_ASCII : 0);
    if (e->selected)
        attrset(tui_attr(t, C_SELECT));
    tui_text(y, qw, room, shown);
    attrset(A_NORMAL);
    move(y, qw + (int)tt_width(before)); /* where the terminal shows its cursor */
}

static void history_add(struct history *h, const char *line)
{
    if (!h || !line[0] || (h->n && !strcmp(h->line[h->n - 1], line)))
        return;
    char *copy = strdup(line);
    if (!copy)
        return;
    if (h->n == HIST_MAX) {
        free(h->line[0]);
        memmove(h->line, h->line + 1, (HIST_MAX - 1) * sizeof *h->line);
        h->n--;
    }
    h->line[h->n++] = copy;
}

static void history_step(struct edit *e, int dir)
{
    if (!e->h)
        return;
    int to = e->hpos + dir;
    if (to < 0 || to > e->h->n)
        return;
    if (e->hpos == e->h->n)
        snprintf(e->draft, sizeof e->draft, "%s", e->buf);
    e->hpos = to;
    set_text(e, to == e->h->n ? e->draft : e->h->line[to]);
}

/* One key for the line; 1: accepted, -1: cancelled, 0: go on. */
static int edit_key(struct edit *e, int is_key, wint_t wc)
{
    int sel = e->selected;
    e->selected = 0;
    if (!is_key) {
        switch (wc) {
        case '\r': case '\n': return 1;
        case 27: case 7: return -1;                 /* Esc, Ctrl-G */
        case 1: e->cur = 0; return 0;              /* Ctrl-A */
        case 5: e->cur = e->len; return 0;         /* Ctrl-E */
        case 2: e->cur = prev_char(e->buf, e->cur); return 0;          /* Ctrl-B */
        case 6: e->cur = next_char(e->buf, e->len, e->cur); return 0;  /* Ctrl-F */
        case 21: cut(e, 0, sel ? e->len : e->cur); return 0;          /* Ctrl-U: to the start */
        case 11: e->buf[e->cur] = '\0'; e->len = e->cur; return 0;     /* Ctrl-K: to the end */
        case 23: {                                                     /* Ctrl-W: the word before */
            size_t at = e->cur;
            while (at > 0 && e->buf[at - 1] == ' ')
                at--;
            while (at > 0 && e->buf[at - 1] != ' ')
                at--;
            cut(e, at, e->cur);
            return 0;
        }
        case 127: case 8:                                              /* Backspace */
            if (sel)
                cut(e, 0, e->len);
            else if (e->cur)
                cut(e, prev_char(e->buf, e->cur), e->cur);
            return 0;
        case 4:                                                        /* Ctrl-D: the character under */
            if (e->cur < e->len)
                cut(e, e->cur, next_char(e->buf, e->len, e->cur));
            return 0;
        case 16: history_step(e, -1); return 0;    /* Ctrl-P */
        case 14: history_step(e, +1); return 0;    /* Ctrl-N */
        default: break;
        }
        if (!iswprint(wc))
            return 0;
        char mb[MB_LEN_MAX];
        mbstate_t ps;
        memset(&ps, 0, sizeof ps);
        size_t n = wcrtomb(mb, (wchar_t)wc, &ps);
        if (n == (size_t)-1)
            return 0;
        if (sel) /* typing replaces what was offered */
            cut(e, 0, e->len);
        if (e->len + n + 1 > e->cap)
            return 0;
        memmove(e->buf + e->cur + n, e->buf + e->cur, e->len - e->cur + 1);
        memcpy(e->buf + e->cur, mb, n);
        e->len += n;
        e->cur += n;
        return 0;
    }
    switch (wc) {
    case KEY_ENTER: return 1;
    case KEY_LEFT: e->cur = prev_char(e->buf, e->cur); return 0;
    case KEY_RIGHT: e->cur = next_char(e->buf, e->len, e->cur); return 0;
    case KEY_HOME: e->cur = 0; return 0;
    case KEY_END: e->cur = e->len; return 0;
    case KEY_UP: history_step(e, -1); return 0;
    case KEY_DOWN: history_step(e, +1); return 0;
    case KEY_BACKSPACE:
        if (sel)
            cut(e, 0, e->len);
        else if (e->cur)
            cut(e, prev_char(e->buf, e->cur), e->cur);
        return 0;
    case KEY_DC:
        if (e->cur < e->len)
            cut(e, e->cur, next_char(e->buf, e->len, e->cur));
        return 0;
    default:
        e->selected = sel; /* a key that edits nothing (a function key) keeps the selection */
        return 0;
    }
}

/* The prompt's loop: the capture and the screen go on between keys. */
static int run_edit(struct tui *t, struct edit *e)
{
    void (*old_overlay)(struct tui *) = t->overlay;
    void *old_ctx = t->overlay_ctx;
    t->overlay = draw_prompt;
    t->overlay_ctx = e;
    if (!e->keys)
        curs_set(1);
    t->dirty = 1;
    int result = 0, key = -1;
    while (!result) {
        if (tui_interrupted()) {
            result = -1;
            break;
        }
        int busy = tui_work(t);
        if (t->dirty)
            tui_draw(t);
        wint_t wc;
        int r = get_wch(&wc);
        if (r == ERR) {
            tui_wait(t, busy);
            continue;
        }
        t->dirty = 1;
        if (r == KEY_CODE_YES && wc == KEY_RESIZE) {
            getmaxyx(stdscr, t->rows, t->cols);
            t->stack[t->depth - 1]->key(t, KEY_RESIZE);
            continue;
        }
        if (r == KEY_CODE_YES && wc == KEY_MOUSE) {
            MEVENT me;
            getmouse(&me); /* a click while typing: ignored */
            continue;
        }
        if (e->keys) {
            if (r != KEY_CODE_YES && (wc == 27 || wc == 7))
                result = -1;
            else if (r != KEY_CODE_YES && wc < 128 && wc && strchr(e->keys, (int)wc)) {
                key = (int)wc;
                result = 1;
            }
            continue;
        }
        result = edit_key(e, r == KEY_CODE_YES, wc);
    }
    t->overlay = old_overlay;
    t->overlay_ctx = old_ctx;
    curs_set(0);
    t->dirty = 1;
    return result < 0 ? -1 : e->keys ? key : 0;
}

int tui_prompt(struct tui *t, const char *question, char *buf, size_t len, int hist, int preselect)
{
    if (!len)
        return -1;
    char *work = malloc(len);
    if (!work)
        return -1;
    snprintf(work, len, "%s", preselect ? buf : "");
    struct edit e = {.question = question, .buf = work, .cap = len, .len = strlen(work), .cur = strlen(work),
                     .selected = preselect && work[0], .h = hist >= 0 && hist < HIST_COUNT ? &t->hist[hist] : NULL};
    e.hpos = e.h ? e.h->n : 0;
    int r = run_edit(t, &e);
    if (r == 0) {
        memcpy(buf, work, e.len + 1);
        history_add(e.h, buf);
    }
    free(work);
    return r;
}

int tui_choose(struct tui *t, const char *question, const char *keys)
{
    char dummy[2] = "";
    struct edit e = {.question = question, .buf = dummy, .cap = sizeof dummy, .keys = keys};
    return run_edit(t, &e);
}

void tui_load_keylog(struct tui *t)
{
    char path[256] = "";
    const char *env = getenv("SSLKEYLOGFILE");
    if (env)
        snprintf(path, sizeof path, "%s", env);
    if (tui_prompt(t, "load a TLS key log (a file of SSLKEYLOGFILE lines): ", path, sizeof path, HIST_KEYLOG, 1) < 0 ||
        !path[0])
        return;
    char err[256];
    /* the path must outlive this call: the session keeps re-reading it live */
    snprintf(t->keylog_path, sizeof t->keylog_path, "%s", path);
    int n = app_load_keylog(t->app, t->keylog_path, err);
    if (n < 0)
        tui_message(t, "%s", err);
    else
        tui_message(t, "key log %s: %d secrets; ladders opened from now on are decrypted", path, n);
}

