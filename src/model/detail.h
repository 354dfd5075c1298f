/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * detail.h - the detail pane's text for one arrow of a ladder: the packet's
 * IP and TCP fields with its options and analysis notes, the protocol
 * message it carried (ClientHello and ServerHello fields, the certificate
 * with its verification, an alert, an HTTP start line), and the packet's
 * bytes in hex.  Plain text lines, no curses.
 */
#ifndef SYNFIN_DETAIL_H
#define SYNFIN_DETAIL_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

#define DETAIL_W 160

struct detail {
    char (*line)[DETAIL_W];
    size_t n, cap;
};

/*
 * Describe event `event` of `c` (and message `msg`, or -1 for the packet
 * itself).  `pkt` holds the packet's captured bytes (NULL when they are not
 * available: `why_not` says why), `dlt` its link type.
 */
void detail_build(struct detail *d, const struct conn *c, uint32_t event, int32_t msg, const uint8_t *pkt,
                  uint32_t caplen, uint32_t wirelen, int dlt, const char *why_not);
/* Put one more line at position `at` (the TUI adds where the packet came from). */
void detail_insert_line(struct detail *d, size_t at, const char *text);
void detail_free(struct detail *d);

#endif
