/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ladder_view.h - a connection's sequence diagram as lines of styled
 * spans on a fixed column grid: what the text ladder prints and the TUI
 * draws, from one layout (so the two can never disagree).  No I/O and no
 * curses here.
 *
 *   gutter   state      lifeline        area           lifeline  state
 *   0.000102  SYN_SENT  ├──────────────────────────────▶│ SYN_RECV
 *
 * A document groups the events into blocks: one event with its label
 * rows, arrow and message arrows, or (when collapsing) a run of plain data
 * segments summarised on one row ("412 segments, 1.9 MB, 3
 * retransmissions").  Blocks know their line counts, so a viewer can jump
 * to any line of a million-packet connection without laying out the rest;
 * a document can be extended as a live connection grows.
 */
#ifndef SYNFIN_LADDER_VIEW_H
#define SYNFIN_LADDER_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "ladder_layout.h"

enum lstyle {
    LS_PLAIN, LS_TITLE, LS_TIME, LS_STATE, LS_LIFE, LS_ARROW, LS_LABEL, LS_MSG, LS_TAG, LS_PHASE, LS_MARK,
    LS_SUMMARY, LS_COUNT
};

enum time_mode { TIME_RELATIVE, TIME_DELTA, TIME_ABSOLUTE, TIME_MODES };

/* The analysis notes a summarised run never hides (and the interface's jumps stop at). */
#define LADDER_ANOMALY_NOTES \
    (NOTE_RETRANSMISSION | NOTE_SPURIOUS_RETRANSMISSION | NOTE_OUT_OF_ORDER | NOTE_ZERO_WINDOW | NOTE_LOST_SEGMENT)

#define LSPAN_TEXT 640 /* 200 columns of 3-byte box-drawing characters */
#define LLINE_SPANS 12

struct lspan {
    uint16_t col;          /* display column where it starts */
    uint8_t style;         /* enum lstyle */
    uint8_t from;          /* arrows: the sender (SIDE_*) */
    uint8_t tint;          /* several connections on one diagram: 1 + the connection's colour (0: none) */
    char text[LSPAN_TEXT]; /* UTF-8; one column per code point */
};

enum lline_kind { LK_HEADER, LK_PHASE, LK_LABEL, LK_ARROW, LK_SUMMARY };

struct lline {
    struct lspan span[LLINE_SPANS];
    uint8_t nspans;
    uint8_t kind;          /* enum lline_kind */
    int32_t event;         /* the event it belongs to, -1 for the header */
    int32_t msg;           /* the protocol message it draws (index in conn->msgs), -1 for the packet itself */
    uint32_t block;
};

struct ladder_geom {
    int width, gutter, state_w, life_l, life_r, area;
    int ascii;
};
/* The narrowest text ladder: the time, both state columns and lifelines, 30 columns between them
 * (--width is refused below it: a narrower ladder would run past the width asked for). */
#define LADDER_MIN_WIDTH 67

/* The grid for `width` columns (80 when 0); gutter wider for absolute times. */
void ladder_geom_init(struct ladder_geom *g, int width, int ascii, enum time_mode tm);

struct ladder_block {
    uint32_t first, count;     /* its events */
    uint64_t line0;            /* its first line in the document */
    uint32_t nlines;
    uint8_t collapsed;         /* a summarised run of data segments */
    uint8_t plain;             /* a plain data segment (or run of them): a later one may join it */
    uint8_t phase;             /* the layout cursor before its first event */
    uint32_t next_msg;
    uint64_t bytes[2];         /* collapsed runs: payload by direction */
    uint32_t notes;            /* collapsed runs: segments with analysis notes */
    uint32_t retrans;
};

struct ladder_doc {
    const struct conn *c;
    struct ladder_geom g;
    enum time_mode tm;
    int collapse;              /* summarise runs of at least this many segments (0: never) */
    const uint32_t *expanded;  /* first events of runs the viewer opened, sorted (may be NULL) */
    size_t nexpanded;
    uint32_t header_lines;
    struct ladder_block *b;
    size_t nb, cap;
    uint64_t total_lines;
    uint32_t events_done;      /* events laid out so far (ladder_doc_extend continues from here) */
};

/* Lay out `c` (its events so far).  0, or -1 when memory ran out. */
int ladder_doc_build(struct ladder_doc *d, const struct conn *c, const struct ladder_geom *g, enum time_mode tm,
                     int collapse, const uint32_t *expanded, size_t nexpanded);
/* Take in the events added since (a live or loading connection).  Messages
 * that arrive for an event already laid out (at the connection's end) need
 * a fresh build. */
int ladder_doc_extend(struct ladder_doc *d);
void ladder_doc_free(struct ladder_doc *d);

/* Lines [from, from + n) into out (n entries); returns how many there were. */
size_t ladder_doc_lines(const struct ladder_doc *d, uint64_t from, size_t n, struct lline *out);
/* The block holding line `line`, and the first line of an event. */
size_t ladder_doc_block_at(const struct ladder_doc *d, uint64_t line);
uint64_t ladder_doc_event_line(const struct ladder_doc *d, uint32_t event);

/* A line as plain text (spans placed on their columns), for the text output. */
void lline_text(const struct lline *l, char *buf, size_t len);
/* Display width of UTF-8 text. */
size_t utf8_width(const char *s);

#endif
