/* SPDX-License-Identifier: BSD-2-Clause */
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
#include "out_where.h"
#include "feed.h"
#include "pipeline.h"
#include "where.h"

/* Colour pairs (and their monochrome attributes): one per meaning. */
enum tui_color {
    C_NORMAL = 1, C_BAR, C_SELECT, C_CLEAN, C_RESET, C_REFUSED, C_OPEN, C_TLS_FAILED, C_C2S, C_S2C, C_TAG,
    C_STATE, C_PHASE, C_MARK, C_TITLE, C_DIM,
    C_CONN0, C_CONN1, C_CONN2, C_CONN3, C_CONN4, C_CONN5, /* several connections on one diagram */
    C_COUNT
};
#define TUI_CONN_COLORS 6

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

extern const struct screen_ops list_screen, ladder_screen, help_screen, follow_screen, multi_screen, handoff_screen;

struct ladder_state;             /* ladder.c's own */

/* What the filters screen shows (handoff.c). */
struct handoff {
    uint64_t id;
    char display[400], bpf[400], display_exact[600];
};
struct follow_state;             /* follow.c's */
struct multi_state;              /* multi.c's */

/* The prompts' histories, one per question. */
enum { HIST_SEARCH, HIST_NARROW, HIST_WHERE, HIST_PATH, HIST_KEYLOG, HIST_LADDER_SEARCH, HIST_COUNT };
#define HIST_MAX 32
struct history {
    char *line[HIST_MAX];        /* oldest first */
    int n;
};

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
    char message[512];           /* one-line notice on the status line */
    int rows, cols;
    int color;                   /* colours in use (not NO_COLOR, terminal has them) */
    int ascii;
    /* the screen stack: the list at the bottom, a ladder or help on top */
    const struct screen_ops *stack[6];
    int depth;
    int quit;
    int dirty;
    /* list screen */
    size_t sel, top;
    char search[128];
    int help_top;
    char keylog_path[256];
    int sort_in_header;          /* the sort column is on screen, marked in its header */
    uint64_t *marks;             /* connections marked (m, Space), ids sorted */
    size_t nmarks, marks_cap;
    /* the filter expression (w, --where) over each connection's JSON object */
    struct where *where;
    char where_text[256];
    uint16_t where_gen;          /* the rows' cached verdicts are for this one (catalog_where_next) */
    struct conn_judge judge;     /* writes a connection's JSON object */
    char *json_buf;              /* a row's JSON, inflated */
    size_t json_cap;
    /* ladder screen */
    struct ladder_state *ladder;
    struct follow_state *follow;
    struct multi_state *multi;
    struct handoff handoff;
    const char *dump_path;       /* live -w file: packets can be read back from it */
    /* prompts */
    struct history hist[HIST_COUNT];
    void (*overlay)(struct tui *t); /* drawn over the screen before it is shown (an open prompt) */
    void *overlay_ctx;
    int64_t last_refresh, last_stats;
    uint64_t last_packets;
    int pcap_fd;                 /* polled for live packets or a stream's bytes (-1: none) */
};

int tui_attr(const struct tui *t, enum tui_color c);
/* A movement key of the ladder screens: how many lines it moves the selection (the wheel three, a page
 * half the rows) and which way in *dir (+1 down, -1 up); -1 when ch is not one. */
int tui_motion(int ch, int wheel, int page_rows, int *dir);
void tui_push(struct tui *t, const struct screen_ops *s);
void tui_pop(struct tui *t);
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Ask a question on the status line; returns 0 and the answer in buf, or -1
 * when cancelled.  The answer starts empty, or with buf's text selected when
 * `preselect` (a key replaces it, an arrow keeps it); the line edits as a
 * shell's does (Ctrl-U, Ctrl-W, Ctrl-A/E, arrows), Up and Down walk the
 * history `hist`.  The capture goes on while it waits.
 */
int tui_prompt(struct tui *t, const char *question, char *buf, size_t len, int hist, int preselect);
/* One choice of a few keys on the status line ("t text, s SVG, p pcap"); the key, or -1 when cancelled. */
int tui_choose(struct tui *t, const char *question, const char *keys);
/* One turn of the loop's background work (packets, timers, the model, the top screen's tick); 1 when busy. */
int tui_work(struct tui *t);
/* Wait for a key or a packet (a while, or until one comes when nothing else is going on). */
void tui_wait(struct tui *t, int busy);
/* Ctrl-C or SIGTERM asked to quit. */
int tui_interrupted(void);
/* Draw the whole screen (and the overlay). */
void tui_draw(struct tui *t);
/* A directory the process can write to, for a file name offered by default: the current one, else
 * the user's home, else /tmp.  "" when the current one is it. */
const char *tui_writable_dir(void);
/* "Permission denied (synfin runs as tcpdump)": an errno and the user the process runs as. */
void tui_errno_text(int e, char *buf, size_t len);
/* Draw text clipped to `width` columns at (y, x). */
void tui_text(int y, int x, int width, const char *s);

/* Ask for a key log file and load it into the session. */
void tui_load_keylog(struct tui *t);
/* Open the ladder of the connection at catalog index `i` (ladder.c). */
void ladder_open(struct tui *t, size_t i);
/* The connection the ladder shows (NULL: none yet). */
const struct conn *ladder_conn(const struct tui *t);
/* Follow the stream of the ladder's connection (follow.c). */
void follow_open(struct tui *t, const struct conn *c);
/* Several connections on one diagram (multi.c): these catalog entries; what names them. */
void multi_open(struct tui *t, const size_t *idx, size_t n, const char *what);
/* Wireshark's display filter and a BPF expression for a connection (handoff.c). */
void handoff_open(struct tui *t, const struct row *r);
/* Save connections as a pcap file (handoff.c): asks for the file name. */
void handoff_save_pcap(struct tui *t, const struct row *const *rows, size_t n, const char *what);
/* Is connection `id` marked? */
int tui_marked(const struct tui *t, uint64_t id);
/* The filter expression's verdict on catalog entry i (the view's callback: cached per row). */
int tui_where_passes(void *ctx, const struct catalog *cat, size_t i);
/* An expression's verdict on catalog entry i, over its JSON object (kept, or written now). */
int tui_entry_matches(struct tui *t, struct where *w, size_t i);

/* Run the interface on an opened source until the user quits; returns an exit status. */
struct pipeline_config;
/* The interface over `cap`, analysing with the run's configuration `pc` (its own keep_events,
 * memory budget and list accounting on top). */
int tui_run(const struct options *o, struct capture *cap, struct app_ctx *app, const struct pipeline_config *pc,
            char *err);

#endif
