/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * help.c - the help screen: the keys of the screen it was opened from,
 * then what every screen shares.  Scrolls when the terminal is short.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>

#include "tui.h"

static const char *const common_help[] = {
    "",
    "Everywhere: ? help, q or Esc back (q on the list quits), Q quit, mouse clicks and wheel.",
    "synfin reads the whole capture while you browse; the title bar shows how far it got.",
    "The same analysis is printed by synfin --summary, --json and --ladder (see synfin(1)).",
    NULL,
};

static const struct screen_ops *below(const struct tui *t) { return t->depth >= 2 ? t->stack[t->depth - 2] : NULL; }

static void help_draw(struct tui *t)
{
    const struct screen_ops *s = below(t);
    int y = 1 - t->help_top, rows = t->rows - 3;
    attrset(tui_attr(t, C_TITLE));
    if (y >= 1 && y <= rows)
        tui_text(y, 1, t->cols - 2, s && s->help_title ? s->help_title : "Help");
    attrset(A_NORMAL);
    y += 2;
    for (int part = 0; part < 2; part++) {
        const char *const *lines = part == 0 ? (s ? s->help : NULL) : common_help;
        for (; lines && *lines; lines++, y++)
            if (y >= 1 && y <= rows)
                tui_text(y, 1, t->cols - 2, *lines);
    }
}

static int help_key(struct tui *t, int ch)
{
    switch (ch & TUI_KEY_MASK) {
    case KEY_DOWN: case 'j': if (t->help_top < 40) t->help_top++; return 1;
    case KEY_UP: case 'k': if (t->help_top) t->help_top--; return 1;
    case '?': return 1;
    default: return 0;
    }
}

const struct screen_ops help_screen = {
    .name = "help",
    .draw = help_draw,
    .key = help_key,
    .keybar = " Up/Down scroll  q Esc back",
};
