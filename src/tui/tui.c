/*
 * tui.c - the interface's main loop (see tui.h): curses set up and torn
 * down, packets read between keystrokes (a large file fills the list while
 * the user browses; a live capture never freezes the screen waiting for
 * packets), the screen stack, the bars, resizes, mouse, colours.
 *
 * One thread.  Each turn of the loop does a bounded slice of work (about
 * 20 ms of packets, a step of a ladder being rebuilt), then waits for a key
 * or a packet with poll(), without a timeout when there is nothing to do:
 * an idle session costs no CPU.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "termtext.h"

#define SLICE_NS 20000000LL     /* work between two looks at the keyboard */
#define REFRESH_NS 250000000LL  /* the list and the bars follow the capture at this pace */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------ colours */

static void init_colors(struct tui *t)
{
    t->color = has_colors() && !getenv("NO_COLOR");
    if (!t->color)
        return;
    start_color();
    use_default_colors();
    static const short fg[C_COUNT] = {
        [C_NORMAL] = -1, [C_BAR] = COLOR_WHITE, [C_SELECT] = COLOR_BLACK, [C_CLEAN] = COLOR_GREEN,
        [C_RESET] = COLOR_RED, [C_REFUSED] = COLOR_YELLOW, [C_OPEN] = COLOR_CYAN, [C_TLS_FAILED] = COLOR_MAGENTA,
        [C_C2S] = COLOR_GREEN, [C_S2C] = COLOR_CYAN, [C_TAG] = COLOR_RED, [C_STATE] = COLOR_YELLOW,
        [C_PHASE] = COLOR_BLUE, [C_MARK] = COLOR_GREEN, [C_TITLE] = -1, [C_DIM] = -1,
    };
    static const short bg[C_COUNT] = {[C_BAR] = COLOR_BLUE, [C_SELECT] = COLOR_CYAN};
    for (int c = 1; c < C_COUNT; c++)
        init_pair((short)c, fg[c], c == C_BAR || c == C_SELECT ? bg[c] : -1);
}

/* ------------------------------------------------------------ bars */

static void draw_title(struct tui *t)
{
    char left[256], right[160] = "";
    attrset(tui_attr(t, C_BAR));
    move(0, 0);
    clrtoeol();
    for (int x = 0; x < t->cols; x++)
        addch(' ');
    char source[128];
    tt_cleans(source, sizeof source, t->source, 0);
    int n = snprintf(left, sizeof left, " synfin  %s  %llu connections", source,
                     (unsigned long long)(t->cat.n + t->cat.dropped));
    if (t->cat.dropped && n > 0 && (size_t)n < sizeof left)
        n += snprintf(left + n, sizeof left - (size_t)n, " (%llu oldest not listed: --memcap)",
                      (unsigned long long)t->cat.dropped);
    if (n > 0 && (size_t)n < sizeof left)
        snprintf(left + n, sizeof left - (size_t)n, "  %llu packets", (unsigned long long)t->packets);
    if (t->loading && t->size > 0) {
        int pct = (int)(100.0 * (double)t->position / (double)t->size);
        char bar[32];
        int fill = pct / 5;
        for (int i = 0; i < 20; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[20] = '\0';
        snprintf(right, sizeof right, "loading [%s] %3d%% ", bar, pct);
    } else if (t->live) {
        snprintf(right, sizeof right, "live %.0f pkt/s, %llu dropped ", t->pps, (unsigned long long)t->drops);
    }
    tui_text(0, 0, t->cols, left);
    int rl = (int)strlen(right);
    if (rl && rl < t->cols - (int)strlen(left))
        tui_text(0, t->cols - rl, rl, right);
    attrset(A_NORMAL);
}

static void draw_status(struct tui *t)
{
    char s[512];
    const struct catalog *c = &t->cat;
    int n = snprintf(s, sizeof s, " clean %llu  reset %llu  refused %llu  open %llu  tls-failed %llu | filter: %s%s%s",
                     (unsigned long long)c->totals[OUTCOME_CLEAN], (unsigned long long)c->totals[OUTCOME_RESET],
                     (unsigned long long)c->totals[OUTCOME_REFUSED], (unsigned long long)c->totals[OUTCOME_OPEN],
                     (unsigned long long)c->totals[OUTCOME_TLS_FAILED], filter_name(t->view.filter),
                     t->view.query[0] ? " + " : "", t->view.query);
    if (n > 0 && (size_t)n < sizeof s)
        n += snprintf(s + n, sizeof s - (size_t)n, " | sort: %s %s", column_name(t->view.sort),
                      t->view.reverse ? "desc" : "asc");
    if (t->message[0] && n > 0 && (size_t)n < sizeof s)
        snprintf(s + n, sizeof s - (size_t)n, " | %s", t->message);
    move(t->rows - 2, 0);
    attrset(tui_attr(t, C_DIM));
    clrtoeol();
    tui_text(t->rows - 2, 0, t->cols, s);
    attrset(A_NORMAL);
}

static void draw_keybar(struct tui *t)
{
    const struct screen_ops *s = t->stack[t->depth - 1];
    attrset(tui_attr(t, C_BAR));
    move(t->rows - 1, 0);
    clrtoeol();
    for (int x = 0; x < t->cols; x++)
        addch(' ');
    tui_text(t->rows - 1, 0, t->cols, s->keybar);
    attrset(A_NORMAL);
}

static void draw(struct tui *t)
{
    getmaxyx(stdscr, t->rows, t->cols);
    erase();
    if (t->rows < 6 || t->cols < 40) {
        mvprintw(0, 0, "synfin: the terminal is too small (%dx%d)", t->cols, t->rows);
        refresh();
        return;
    }
    draw_title(t);
    t->stack[t->depth - 1]->draw(t);
    draw_status(t);
    draw_keybar(t);
    refresh();
    t->dirty = 0;
}

/* ------------------------------------------------------------ the pipeline's sink */

/* What the list holds beside the pipeline, counted in --memcap by the pipeline. */
static void count_outside(struct tui *t) { t->outside_mem = t->cat.mem + view_memory(&t->view); }

static void sink_new(void *ctx, struct conn *c)
{
    struct tui *t = ctx;
    if (catalog_add(&t->cat, c) < 0)
        tui_message(t, "out of memory: connection %llu not listed", (unsigned long long)c->id);
    count_outside(t);
}

static int sink_done(void *ctx, struct conn *c)
{
    struct tui *t = ctx;
    /* a live capture keeps the connection whole (its ladder: no file to read it again from); a file's
     * becomes a row, its ladder read again from the file */
    int kept = catalog_finish(&t->cat, c, t->live);
    count_outside(t);
    return kept;
}

/* ------------------------------------------------------------ reading packets */

static void problem_message(void *ctx, const char *line, int damage)
{
    struct tui *t = ctx;
    if (damage || !t->message[0] || !strncmp(t->message, "read ", 5))
        tui_message(t, "%s", line);
}

/* A slice of packets through the packet loop; returns 1 when the source has more right now. */
static int read_slice(struct tui *t, char *err)
{
    t->waiting = 0;
    uint64_t before = t->feed.fed;
    enum feed_result r = feed_run(&t->feed, 0, SLICE_NS, err);
    t->packets += t->feed.fed - before;
    if (r == FEED_MORE)
        return 1;
    if (r == FEED_IDLE) {
        t->waiting = 1; /* live or a stream: nothing waiting */
        return 0;
    }
    if (r == FEED_DONE && t->opt->count && t->feed.fed >= t->opt->count) {
        t->loading = 0;
        if (!t->live)
            pipeline_finish(t->pl);
        tui_message(t, "stopped after %llu packets (-c)", (unsigned long long)t->packets);
        return 0;
    }
    if (r == FEED_DAMAGED || r == FEED_WRITE_FAILED)
        tui_message(t, "%s", err);
    if (!t->live) {
        pipeline_finish(t->pl);
        t->loading = 0;
        tui_message(t, "read %llu packets", (unsigned long long)t->packets);
        capture_problems(t->cap, problem_message, t); /* the damage, if any, says more */
    }
    return 0;
}

static void refresh_model(struct tui *t)
{
    if (t->loading)
        t->position = capture_position(t->cap);
    catalog_count(&t->cat);
    if (t->seen_generation == t->cat.generation && t->sel < t->view.n) { /* the old view is still right */
        struct row_buf tmp;
        t->sel_id = catalog_row(&t->cat, t->view.idx[t->sel], &tmp)->id;
    }
    if (view_rebuild(&t->view, &t->cat) < 0)
        tui_message(t, "out of memory");
    t->seen_generation = t->cat.generation;
    count_outside(t);
    /* the selection follows its connection as rows come, go and move */
    if (t->sel_id) {
        for (size_t i = 0; i < t->view.n; i++) {
            struct row_buf tmp;
            if (catalog_row(&t->cat, t->view.idx[i], &tmp)->id == t->sel_id) {
                t->sel = i;
                break;
            }
        }
    }
    if (t->sel >= t->view.n && t->view.n)
        t->sel = t->view.n - 1;
    t->dirty = 1;
}

/* ------------------------------------------------------------ keys */

static void handle_mouse(struct tui *t)
{
    MEVENT me;
    if (getmouse(&me) != OK)
        return;
    /* the screens take clicks and wheel as keys, so keyboard and mouse act alike */
    const struct screen_ops *s = t->stack[t->depth - 1];
    if (me.bstate & BUTTON4_PRESSED)
        s->key(t, KEY_UP | TUI_KEY_WHEEL);
    else if (me.bstate & BUTTON5_PRESSED)
        s->key(t, KEY_DOWN | TUI_KEY_WHEEL);
    else if (me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)) {
        /* encode the row in the key: the screen knows its own layout */
        s->key(t, TUI_KEY_CLICK | (me.y & TUI_KEY_ROW) | ((me.bstate & BUTTON1_DOUBLE_CLICKED) ? TUI_KEY_DOUBLE : 0));
    }
    t->dirty = 1;
}

static void handle_key(struct tui *t, int ch)
{
    if (ch == KEY_RESIZE) {
        getmaxyx(stdscr, t->rows, t->cols);
        t->stack[t->depth - 1]->key(t, KEY_RESIZE);
        t->dirty = 1;
        return;
    }
    if (ch == KEY_MOUSE) {
        handle_mouse(t);
        return;
    }
    t->message[0] = '\0';
    if (t->stack[t->depth - 1]->key(t, ch)) {
        t->dirty = 1;
        return;
    }
    switch (ch) {
    case '?':
    case KEY_F(1):
        t->help_top = 0;
        if (t->stack[t->depth - 1] != &help_screen)
            tui_push(t, &help_screen);
        break;
    case 'q':
    case 27: /* Esc */
        if (t->depth > 1)
            tui_pop(t);
        else if (ch == 'q')
            t->quit = 1;
        break;
    case 'Q':
        t->quit = 1;
        break;
    default:
        break;
    }
    t->dirty = 1;
}

/* ------------------------------------------------------------ the loop */

int tui_run(const struct options *o, struct capture *cap, struct app_ctx *app, const struct pipeline_config *run_pc,
            char *err)
{
    struct tui t;
    memset(&t, 0, sizeof t);
    t.opt = o;
    t.cap = cap;
    t.live = capture_is_live(cap);
    t.source = capture_source_name(cap);
    t.dlt = capture_datalink(cap);
    t.seekable = capture_seekable(cap);
    t.stream = !t.live && !t.seekable;
    t.loading = !t.live;
    t.size = capture_size(cap);
    t.dump_path = o->write_file;
    const char *codeset = nl_langinfo(CODESET);
    t.ascii = o->ascii || !codeset || (strcmp(codeset, "UTF-8") && strcmp(codeset, "utf8"));
    /* --memcap covers the list too: its rows may take half of the data's part, the pipeline the rest */
    size_t budget = pipeline_budget(o->memcap);
    catalog_init(&t.cat, budget / 2);
    view_init(&t.view);

    t.app = app;
    struct pipeline_config pc = *run_pc;
    pc.keep_events = t.live || !t.seekable; /* a file's ladders are rebuilt from the file; a stream's cannot be */
    pc.memcap = budget;
    pc.outside_mem = &t.outside_mem;
    t.pc = pc;
    struct conn_sink sink = {&t, sink_done, sink_new};
    t.pl = pipeline_new(&pc, &sink);
    t.feed = (struct feed){.cap = cap, .pl = t.pl, .limit = o->count};
    if (!t.pl || ((t.live || t.stream) && capture_set_nonblock(cap, err) < 0)) {
        if (!t.pl)
            snprintf(err, CAPTURE_ERRLEN, "out of memory");
        return EXIT_INPUT;
    }

    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        snprintf(err, CAPTURE_ERRLEN, "cannot start the interface on this terminal (TERM=%s)",
                 getenv("TERM") ? getenv("TERM") : "");
        pipeline_free(t.pl);
        return EXIT_INPUT;
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(200);
    init_colors(&t);
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    getmaxyx(stdscr, t.rows, t.cols);
    t.stack[0] = &list_screen;
    t.depth = 1;
    t.dirty = 1;
    nodelay(stdscr, TRUE);

    int64_t last_refresh = 0, last_stats = now_ns();
    uint64_t last_packets = 0;
    int pcap_fd = t.live || t.stream ? capture_fd(cap) : -1;
    while (!t.quit && !interrupted) {
        int busy = 0;
        if (t.loading || t.live)
            busy |= read_slice(&t, err);
        if (t.live)
            pipeline_expire(t.pl, wall_ns());
        const struct screen_ops *top = t.stack[t.depth - 1];
        busy |= top->tick && top->tick(&t);
        busy |= t.loading && !t.waiting; /* a stream with nothing new is waited on below */

        int64_t now = now_ns();
        if (t.live && now - last_stats >= 1000000000LL) {
            struct capture_stats cs;
            t.pps = (double)(t.packets - last_packets) * 1e9 / (double)(now - last_stats);
            last_packets = t.packets;
            last_stats = now;
            if (capture_stats(cap, &cs) == 0)
                t.drops = cs.dropped + cs.if_dropped;
        }
        if (now - last_refresh >= REFRESH_NS || (!t.loading && last_refresh == 0) ||
            t.cat.generation != t.seen_generation) { /* rows left the list: the view's indices are stale */
            refresh_model(&t);
            last_refresh = now;
        }
        if (t.dirty)
            draw(&t);

        /* keys first; then wait for a key or a packet, forever when idle */
        int ch;
        int got = 0;
        while ((ch = getch()) != ERR) {
            handle_key(&t, ch);
            got = 1;
            if (t.quit)
                break;
        }
        if (got || busy)
            continue;
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {pcap_fd, POLLIN, 0}};
        int timeout = t.live || t.stream ? (int)(REFRESH_NS / 1000000) : -1;
        errno = 0;
        if (poll(fds, pcap_fd >= 0 ? 2 : 1, timeout) < 0) {
            if (errno != EINTR)
                break;
            t.dirty = 1; /* a resize (SIGWINCH) or Ctrl-C */
        }
    }

    while (t.depth > 1) /* each screen on the stack lets go of what it holds */
        tui_pop(&t);
    endwin();
    delscreen(scr);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    pipeline_free(t.pl); /* finishes the open connections into the catalog */
    view_free(&t.view);
    catalog_free(&t.cat);
    return EXIT_OK;
}
