/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * catalog.h - what a browsing session knows: the connections of the
 * capture, in first-packet order (open ones followed live, finished ones
 * kept), and the views of it a user asks for: sorted by a column, narrowed
 * by a filter and a search.  No curses: the TUI draws what this computes,
 * and the unit tests check it without a terminal.
 *
 * A finished connection is kept as a compact row (about 130 bytes: what
 * the list shows, searches and sorts, and where its packets lie in the
 * file, so its ladder is read again from there, see loader.h).  A live
 * capture has no file to go back to: there a finished connection is kept
 * whole, with its events, as long as memory allows.  The catalog holds at
 * most its budget (its part of --memcap): past it, the oldest connections
 * kept whole become rows (their ladder is gone), then the oldest rows are
 * dropped from the list, and both are counted for the user to see.
 */
#ifndef SYNFIN_CATALOG_H
#define SYNFIN_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* How a connection went, for colour and for the filter. */
enum outcome { OUTCOME_CLEAN, OUTCOME_RESET, OUTCOME_REFUSED, OUTCOME_OPEN, OUTCOME_TLS_FAILED, OUTCOME_COUNT };
const char *outcome_name(enum outcome o);
enum outcome conn_outcome(const struct conn *c, int finished);

enum filter { FILTER_ALL, FILTER_CLEAN, FILTER_RESET, FILTER_REFUSED, FILTER_OPEN, FILTER_TLS_FAILED, FILTER_COUNT };
const char *filter_name(enum filter f);

enum column {
    COL_ID, COL_START, COL_CLIENT, COL_SERVER, COL_APP, COL_HANDSHAKE, COL_TEARDOWN, COL_STATES, COL_PACKETS,
    COL_BYTES, COL_DURATION, COL_COUNT
};
const char *column_name(enum column c);

/* One connection as the list knows it.  Text is clean (termtext.h). */
struct row {
    uint64_t id;
    int64_t first_ts_ns, last_ts_ns;
    int64_t first_offset, last_offset; /* its first and last packet in the file (-1: none) */
    uint64_t packets, bytes;
    uint8_t addr[2][PKT_ADDR_MAX];      /* by side: SIDE_CLIENT, SIDE_SERVER */
    uint16_t port[2];
    uint8_t ipver, handshake, teardown, state[2];
    uint8_t finished;
    uint8_t outcome;                    /* enum outcome */
    uint8_t owned;                      /* app (1) and words (2) were allocated for this row; words is in
                                         * the JSON blob (4: catalog_set_json) */
    uint8_t where_ok;                   /* the filter expression's verdict (where_gen's)... */
    uint16_t where_gen;                 /* ...for this expression (0: none yet); in what was padding */
    const char *app;                    /* the app column: "TLS 1.3 example.com", "HTTP GET /x", "none" */
    /* what its protocols add to a search (Host, verdicts), or NULL; with owned & 4 it lies in one block
     * with the row's JSON object as --json writes it, compressed, for filter expressions: the header
     * (compressed and whole lengths, 4 bytes each) before it, the compressed bytes after its NUL.  A row
     * stays as small as it was: a flood of two million connections lists them all. */
    const char *words;
};

/* The length of a row's JSON object once decompressed (0: none kept). */
size_t row_json_len(const struct row *r);

/* An open connection's row, made on the spot: its text lives here. */
struct row_buf {
    struct row r;
    char app[160], words[160];
};

struct cat_entry {
    struct conn *conn;   /* open (the pipeline's), or finished and kept whole (a live capture's ladder) */
    struct row *row;     /* finished: its row (with conn NULL once the connection was let go) */
};

struct catalog {
    struct cat_entry *e; /* in id order (not every id: dropped ones are gone) */
    size_t n, cap;
    size_t mem;          /* bytes held: the entries, rows, connections kept whole */
    size_t budget;       /* the most it may hold (0: no bound) */
    const struct conn *pinned; /* shown on screen: never let go */
    const struct conn *const *pins; /* several shown on one diagram (catalog_pin_set) */
    size_t npins;
    uint64_t generation; /* changes when entries leave: indices taken before are stale */
    uint64_t dropped;    /* oldest rows dropped from the list to stay within the budget */
    uint64_t unladdered; /* connections kept whole whose events were let go (their ladder with them) */
    uint64_t totals[OUTCOME_COUNT];          /* listed and dropped together */
    uint64_t dropped_totals[OUTCOME_COUNT];
    int endpoint_w[2];   /* the widest client and server endpoint text listed ("[v6]:port") */
    struct json_zip *zip; /* the rows' JSON compressor (made at the first catalog_set_json) */
};

void catalog_init(struct catalog *cat, size_t budget);
/* A connection opened (ids arrive in order); -1 when memory ran out. */
int catalog_add(struct catalog *cat, struct conn *c);
/*
 * It finished.  Returns 1 when the catalog keeps it whole (keep_whole and
 * memory allows, or it is pinned) and frees it later, 0 when it made a row
 * of it and the caller frees the connection.  May drop old entries to stay
 * within the budget: indices change then (find them again by id).
 */
int catalog_finish(struct catalog *cat, struct conn *c, int keep_whole);
/* The index of connection `id`, or -1 when it is not listed (never, or dropped). */
long catalog_find(const struct catalog *cat, uint64_t id);
/* Entry i's row: its own, or one made into `tmp` for an open connection. */
const struct row *catalog_row(const struct catalog *cat, size_t i, struct row_buf *tmp);
/* Entry i's connection when it is held (open, or kept whole), else NULL. */
struct conn *catalog_conn(const struct catalog *cat, size_t i);
/* What is on screen (NULL: nothing): it is not let go while shown. */
void catalog_pin(struct catalog *cat, const struct conn *c);
/* Several on screen at once (a diagram of several connections; n 0: none); the array stays the caller's. */
void catalog_pin_set(struct catalog *cat, const struct conn *const *set, size_t n);
/* The expression cache's generation after g (it wraps past 65535: every row's cache is cleared then). */
uint16_t catalog_where_next(struct catalog *cat, uint16_t g);
/* Keep the JSON object of a connection just finished (its row exists), compressed; -1: out of memory. */
int catalog_set_json(struct catalog *cat, uint64_t id, const char *json, size_t len);
/* Entry i's JSON object into buf (cap bytes); its length, or 0 when the row has none kept. */
size_t catalog_row_json(const struct catalog *cat, size_t i, char *buf, size_t cap);
/* Counts by outcome (recomputed: open connections change). */
void catalog_count(struct catalog *cat);
void catalog_free(struct catalog *cat);

/* A row for c (open or finished), its text in tmp. */
void row_of(const struct conn *c, int finished, struct row_buf *tmp);
/* The text a search looks through: addresses, ports, SNI, Host, states, kinds. */
void row_search_text(const struct row *r, char *buf, size_t len);
/* Does the row pass the filter and contain the (case-insensitive) query? */
int row_matches(const struct row *r, enum filter f, const char *query);
/* The app column: "TLS 1.3 example.com", "HTTP GET /x", "none", ... (clean text) */
void conn_app_text(const struct conn *c, char *buf, size_t len);
/* "ADDR:PORT" or "[v6]:PORT" for one side of a row. */
void row_endpoint_str(const struct row *r, int side, char *buf, size_t len);

struct view {
    uint32_t *idx;           /* catalog indices shown, in order */
    size_t n, cap;
    enum column sort;
    int reverse;
    enum filter filter;
    char query[128];
    /* a filter expression's verdict on entry i (NULL: none); a finished row's verdict is cached
     * under where_gen, which changes with the expression */
    int (*where)(void *ctx, const struct catalog *cat, size_t i);
    void *where_ctx;
    uint32_t where_gen;
    size_t passing;          /* entries that pass the filters (before the sort): n */
};

void view_init(struct view *v);
/* Recompute from the catalog; -1 when memory ran out. */
int view_rebuild(struct view *v, const struct catalog *cat);
/* Is the view narrowed at all (outcome filter, text, expression)? */
int view_filtered(const struct view *v);
/* Bytes the view holds (its index, and the sort's scratch of the same size). */
size_t view_memory(const struct view *v);
void view_free(struct view *v);

#endif
