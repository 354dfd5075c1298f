/*
 * screen.c - what the interface's screens share (see tui.h): colour
 * attributes, clipped text, the status-line message and prompt, the screen
 * stack, loading a key log.  The screens (list.c, ladder.c, help.c) and the
 * main loop (tui.c) use these; nothing here knows a screen by name, so no
 * file of the interface includes another in a circle.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int tui_prompt(struct tui *t, const char *question, char *buf, size_t len)
{
    size_t n = strlen(buf);
    curs_set(1);
    nodelay(stdscr, FALSE); /* wait for each key: the main loop's nodelay would spin here */
    for (;;) {
        getmaxyx(stdscr, t->rows, t->cols);
        move(t->rows - 2, 0);
        attrset(tui_attr(t, C_NORMAL));
        clrtoeol();
        char shown[512]; /* the answer may start as an environment variable's value: cleaned */
        tt_cleans(shown, sizeof shown, buf, 0);
        mvprintw(t->rows - 2, 0, "%s%s", question, shown);
        refresh();
        int ch = getch();
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) { /* nonl(): Enter arrives as CR */
            curs_set(0);
            nodelay(stdscr, TRUE);
            t->dirty = 1;
            return 0;
        }
        if (ch == 27) {
            curs_set(0);
            nodelay(stdscr, TRUE);
            t->dirty = 1;
            return -1;
        }
        if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
            buf[--n] = '\0';
        else if (ch >= 0x20 && ch < 0x7f && n + 1 < len) {
            buf[n++] = (char)ch;
            buf[n] = '\0';
        }
    }
}

void tui_load_keylog(struct tui *t)
{
    char path[256] = "";
    const char *env = getenv("SSLKEYLOGFILE");
    if (env)
        snprintf(path, sizeof path, "%s", env);
    if (tui_prompt(t, "TLS key log file: ", path, sizeof path) < 0 || !path[0])
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

