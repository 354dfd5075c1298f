/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * textfit.h - clean text made to fit a number of columns without hiding
 * that it was cut: the end cut with "…" (a title, a value), the middle
 * elided (a file path, an IPv6 address: both ends say the most), an
 * endpoint whose port always stays whole.  The text is clean already
 * (termtext.h); widths are what the terminal draws.  "..." replaces "…"
 * when `ascii`.
 */
#ifndef SYNFIN_TEXTFIT_H
#define SYNFIN_TEXTFIT_H

#include <stddef.h>

/* `src` in at most `cols` columns, its end replaced by "…" when cut.  Returns the width written. */
size_t fit_end(char *dst, size_t cap, const char *src, size_t cols, int ascii);
/* `src` in at most `cols` columns, its middle replaced by "…" when cut. */
size_t fit_middle(char *dst, size_t cap, const char *src, size_t cols, int ascii);
/* "ADDR:PORT" or "[v6]:PORT" in at most `cols` columns: the address elided in its middle, the port whole. */
size_t fit_endpoint(char *dst, size_t cap, const char *src, size_t cols, int ascii);

#endif
