/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * version.h - the curses library's version for `synfin --version`: only
 * src/tui/ may include curses, so main asks here.
 */
#ifndef SYNFIN_TUI_VERSION_H
#define SYNFIN_TUI_VERSION_H

/* e.g. "ncurses 6.4.20221231" */
const char *tui_curses_version(void);

#endif
