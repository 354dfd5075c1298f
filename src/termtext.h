/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * termtext.h - text from the wire made safe to draw on a terminal: the one
 * sanitiser every output that draws (the interface, the text ladder, the
 * summary) passes wire strings through, and the width of what it draws.
 *
 * A certificate name, an SNI, an HTTP target are bytes an attacker chose.
 * Drawn raw they can move the cursor, retitle the window, recolour the
 * screen (C0 and C1 controls), reverse what follows (bidi overrides), or
 * make the layout measure one width and the terminal draw another.  So:
 *
 *   C0 controls and DEL        \x1b  \x7f     (a byte: two hex digits)
 *   bytes that are not UTF-8   \xff  \xc0     (each byte of the bad sequence)
 *   C1 controls U+0080-U+009F  \u009b
 *   bidi controls              \u202e         (U+061C, U+200E, U+200F,
 *                                              U+202A-U+202E, U+2066-U+2069)
 *   anything the locale cannot draw, or draws with no width (combining
 *   marks alone, zero-width characters, separators)      \u200b  \U000e0001
 *   the backslash itself       \\             (so an escape is never ambiguous)
 *   every non-ASCII character when the terminal is not UTF-8 (TT_ASCII)
 *
 * Everything else is kept, and its width is what wcwidth(3) says, which is
 * what the terminal will draw.  JSON never goes through here: it keeps the
 * exact value, escaped as JSON requires.
 */
#ifndef SYNFIN_TERMTEXT_H
#define SYNFIN_TERMTEXT_H

#include <stddef.h>

enum { TT_ASCII = 1 }; /* escape every character outside ASCII */

/*
 * Clean `len` bytes of wire text into dst (cap bytes, always NUL-terminated
 * when cap > 0; an escape or character that does not fit whole is left out,
 * with all that follows).  Returns the display width of what was written.
 */
size_t tt_clean(char *dst, size_t cap, const char *src, size_t len, unsigned flags);
/* The same for a C string. */
size_t tt_cleans(char *dst, size_t cap, const char *src, unsigned flags);

/* Display columns of clean text (what tt_clean wrote, or synfin's own text). */
size_t tt_width(const char *s);

/* How many bytes of clean text fit in `cols` columns, whole characters and
 * whole escapes only; their width in *width (may be NULL). */
size_t tt_fit(const char *s, size_t cols, size_t *width);

#endif
