/*
 * tui.h - the full-screen interface: what its screens share and the
 * operations every screen offers.  Only src/tui/ includes curses; the
 * screens read the connection model (catalog.h, ladder_view.h, detail.h)
 * and never change it.
 *
 *   +-- title bar: source, totals, loading progress --------------------+
 *   |                                                                   |
 *   |   the screen's body (list, ladder + detail pane, help)            |
 *   |                                                                   |
 *   +-- status line: totals by kind, filter, sort, search, messages ----+
 *   +-- key bar: the keys of this screen -------------------------------+
 */
#ifndef SYNFIN_TUI_H
#define SYNFIN_TUI_H

#include <stddef.h>
#include <stdint.h>

struct app_ctx; /* the protocols' shared setup (app.h) */
#include "capture.h"
#include "catalog.h"
#include "options.h"
#include "feed.h"
#include "pipeline.h"

/* Colour pairs (and their monochrome attributes): one per meaning. */
enum tui_color {
    C_NORMAL = 1, C_BAR, C_SELECT, C_CLEAN, C_RESET, C_REFUSED, C_OPEN, C_TLS_FAILED, C_C2S, C_S2C, C_TAG,
    C_STATE, C_PHASE, C_MARK, C_TITLE, C_DIM, C_COUNT
};

struct tui;

/*
 * Mouse events reach a screen's key() as keys, so keyboard and mouse act
 * alike: the wheel is an arrow key with TUI_KEY_WHEEL set; a click is
 * TUI_KEY_CLICK with the screen row in TUI_KEY_ROW (and TUI_KEY_DOUBLE for
 * a double click).  curses keys stay below TUI_KEY_MASK.
 */
enum {
    TUI_KEY_MASK = 0xffff,
    TUI_KEY_ROW = 0x0fff,
    TUI_KEY_WHEEL = 0x10000,
    TUI_KEY_CLICK = 0x20000,
    TUI_KEY_DOUBLE = 0x40000,
};

struct screen_ops {
    const char *name;
    void (*draw)(struct tui *t);
    /* returns 0 when the key was not this screen's */
    int (*key)(struct tui *t, int ch);
    const char *keybar;          /* hints for the bottom line */
    const char *const *help;     /* lines of this screen's help, NULL-terminated */
    const char *help_title;      /* "Help: the ladder" */
    /* background work while it is on top (rebuilding, growing); returns 1 when busy (may be NULL) */
    int (*tick)(struct tui *t);
    /* it leaves the stack (may be NULL) */
    void (*leave)(struct tui *t);
};

extern const struct screen_ops list_screen, ladder_screen, help_screen;

struct ladder_state;             /* ladder.c's own */

struct tui {
    const struct options *opt;
    struct capture *cap;
    const char *source;          /* file or interface name */
    int live;
    int dlt;
    int seekable;                /* the file can be read again (not a stream) */
    int stream;                  /* a file read as a stream (a FIFO, a pipe): waited on, not busy-read */
    int waiting;                 /* the last slice found nothing whole yet (live or a stream) */
    struct pipeline *pl;
    struct pipeline_config pc;   /* the run's configuration, as this interface analyses with it */
    struct feed feed;            /* the packet loop's state: packets into pl */
    struct app_ctx *app;
    struct catalog cat;
    struct view view;
    size_t outside_mem;          /* the list's bytes (catalog and view), counted in --memcap by the pipeline */
    uint64_t seen_generation;    /* the catalog's generation the view was built at */
    uint64_t sel_id;             /* the selected connection's id (0: none yet), kept across rebuilds */
    int loading;                 /* the file is still being read */
    int64_t size, position;      /* for the progress bar */
    uint64_t packets;
    double pps;                  /* live: packets per second */
    uint64_t drops;              /* live: what libpcap says it dropped */
    char message[160];           /* one-line notice on the status line */
    int rows, cols;
    int color;                   /* colours in use (not NO_COLOR, terminal has them) */
    int ascii;
    /* the screen stack: the list at the bottom, a ladder or help on top */
    const struct screen_ops *stack[4];
    int depth;
    int quit;
    int dirty;
    /* list screen */
    size_t sel, top;
    char search[128];
    int help_top;
    char keylog_path[256];
    /* ladder screen */
    struct ladder_state *ladder;
    const char *dump_path;       /* live -w file: packets can be read back from it */
};

int tui_attr(const struct tui *t, enum tui_color c);
void tui_push(struct tui *t, const struct screen_ops *s);
void tui_pop(struct tui *t);
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ask a question on the status line; returns 0 and the answer in buf, or -1 when cancelled. */
int tui_prompt(struct tui *t, const char *question, char *buf, size_t len);
/* Draw text clipped to `width` columns at (y, x). */
void tui_text(int y, int x, int width, const char *s);

/* Ask for a key log file and load it into the session. */
void tui_load_keylog(struct tui *t);
/* Open the ladder of the connection at catalog index `i` (ladder.c). */
void ladder_open(struct tui *t, size_t i);

/* Run the interface on an opened source until the user quits; returns an exit status. */
struct pipeline_config;
/* The interface over `cap`, analysing with the run's configuration `pc` (its own keep_events,
 * memory budget and list accounting on top). */
int tui_run(const struct options *o, struct capture *cap, struct app_ctx *app, const struct pipeline_config *pc,
            char *err);

#endif
