/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * version.c - the curses library's version string (see version.h).
 */
#include "version.h"

#include <curses.h>

const char *tui_curses_version(void) { return curses_version(); }
