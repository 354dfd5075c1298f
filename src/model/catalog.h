/*
 * catalog.h - what a browsing session knows: every connection of the
 * capture, in first-packet order (open ones followed live, finished ones
 * kept), and the views of it a user asks for: sorted by a column, narrowed
 * by a filter and a search.  No curses: the TUI draws what this computes,
 * and the unit tests check it without a terminal.
 *
 * Finished connections are kept without their events when reading a file
 * (the ladder is rebuilt from the file, see loader.h), with them when
 * capturing live (there is no file to go back to).
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

struct catalog {
    struct conn **conns;     /* by id: conns[id - 1] */
    uint8_t *finished;       /* per connection: finalized (and owned by the catalog) */
    size_t n, cap;
    uint64_t totals[OUTCOME_COUNT];
};

void catalog_init(struct catalog *cat);
/* A connection opened (ids arrive in order); -1 when memory ran out. */
int catalog_add(struct catalog *cat, struct conn *c);
/* It finished: the catalog owns it from now on. */
void catalog_finish(struct catalog *cat, struct conn *c);
/* Counts by outcome (recomputed: open connections change). */
void catalog_count(struct catalog *cat);
void catalog_free(struct catalog *cat);

/* The text a search looks through: addresses, ports, SNI, Host, states, kinds. */
void conn_search_text(const struct conn *c, int finished, char *buf, size_t len);
/* Does the connection pass the filter and contain the (case-insensitive) query? */
int conn_matches(const struct conn *c, int finished, enum filter f, const char *query);
/* The app column: "TLS 1.3 example.com", "HTTP GET /x", "none", ... */
void conn_app_text(const struct conn *c, char *buf, size_t len);

struct view {
    uint32_t *idx;           /* catalog indices shown, in order */
    size_t n, cap;
    enum column sort;
    int reverse;
    enum filter filter;
    char query[128];
};

void view_init(struct view *v);
/* Recompute from the catalog; -1 when memory ran out. */
int view_rebuild(struct view *v, const struct catalog *cat);
void view_free(struct view *v);

#endif
