/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui.c - the interface's main loop (see tui.h): curses set up and torn
 * down, packets read between keystrokes (a large file fills the list while
 * the user browses; a live capture never freezes the screen waiting for
 * packets), the screen stack, the bars, resizes, mouse, colours.
 *
 * One thread.  Each turn of the loop does a bounded slice of work (about
 * 20 ms of packets, a step of a ladder being rebuilt), then waits for a key
 * or a packet with poll(), without a timeout when there is nothing to do:
 * an idle session costs no CPU.  A prompt waiting for its answer runs the
 * same turns (tui_work, tui_wait), so a live capture never stops for it.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "termtext.h"
#include "textfit.h"

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
    const char *nc = getenv("NO_COLOR");
    t->color = has_colors() && t->opt->color != COLOR_NEVER && (t->opt->color == COLOR_ALWAYS || !(nc && *nc));
    if (!t->color)
        return;
    start_color();
    use_default_colors();
    static const short fg[C_COUNT] = {
        [C_NORMAL] = -1, [C_BAR] = COLOR_WHITE, [C_SELECT] = COLOR_BLACK, [C_CLEAN] = COLOR_GREEN,
        [C_RESET] = COLOR_RED, [C_REFUSED] = COLOR_YELLOW, [C_OPEN] = COLOR_CYAN, [C_TLS_FAILED] = COLOR_MAGENTA,
        [C_C2S] = COLOR_GREEN, [C_S2C] = COLOR_CYAN, [C_TAG] = COLOR_RED, [C_STATE] = COLOR_YELLOW,
        [C_PHASE] = COLOR_BLUE, [C_MARK] = COLOR_GREEN, [C_TITLE] = -1, [C_DIM] = -1,
        [C_CONN0] = COLOR_GREEN, [C_CONN1] = COLOR_MAGENTA, [C_CONN2] = COLOR_CYAN, [C_CONN3] = COLOR_YELLOW,
        [C_CONN4] = COLOR_BLUE, [C_CONN5] = COLOR_RED,
    };
    static const short bg[C_COUNT] = {[C_BAR] = COLOR_BLUE, [C_SELECT] = COLOR_CYAN};
    for (int c = 1; c < C_COUNT; c++)
        init_pair((short)c, fg[c], c == C_BAR || c == C_SELECT ? bg[c] : -1);
}

/* ------------------------------------------------------------ bars */

static const char *plural(uint64_t n, const char *one, const char *many) { return n == 1 ? one : many; }

/*
 * The title: the source and the BPF filter (cut in their middles when the
 * line is short: the counts always show), the counts, and on the right how
 * far a file was read or the live rate and drops.
 */
static void draw_title(struct tui *t)
{
    char counts[160], right[160] = "";
    attrset(tui_attr(t, C_BAR));
    move(0, 0);
    clrtoeol();
    for (int x = 0; x < t->cols; x++)
        addch(' ');
    uint64_t conns = t->cat.n + t->cat.dropped;
    int n = snprintf(counts, sizeof counts, "  %llu %s", (unsigned long long)conns, plural(conns, "connection", "connections"));
    if (t->cat.dropped && n > 0 && (size_t)n < sizeof counts)
        n += snprintf(counts + n, sizeof counts - (size_t)n, " (%llu oldest not listed: --memcap)",
                      (unsigned long long)t->cat.dropped);
    if (n > 0 && (size_t)n < sizeof counts)
        snprintf(counts + n, sizeof counts - (size_t)n, "  %llu %s", (unsigned long long)t->packets,
                 plural(t->packets, "packet", "packets"));
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
    int rw = (int)tt_width(right), cw = (int)tt_width(counts);
    int room = t->cols - cw - (rw ? rw + 1 : 0) - 9; /* " synfin  " */
    /* the whole path (the capture's name for messages is cut short), cleaned (an escape takes up to four
     * bytes of a byte): only then cut in its middle, so that the file's own name stays */
    char whole[PATH_MAX + 40], source[4 * (PATH_MAX + 40)], bpf[512], src_fit[2048], bpf_fit[512], left[3200];
    size_t nfiles = t->live ? 0 : capture_files(t->cap);
    const char *first = nfiles ? capture_file_name(t->cap, 0) : NULL;
    if (first && nfiles > 1)
        snprintf(whole, sizeof whole, "%s (+%zu more)", first, nfiles - 1);
    else
        snprintf(whole, sizeof whole, "%s", first ? first : t->source);
    tt_cleans(source, sizeof source, whole, t->ascii ? TT_ASCII : 0);
    bpf[0] = bpf_fit[0] = '\0';
    if (t->opt->filter) {
        char clean[480];
        tt_cleans(clean, sizeof clean, t->opt->filter, t->ascii ? TT_ASCII : 0);
        snprintf(bpf, sizeof bpf, "  bpf: %s", clean);
    }
    /* the path gets what it needs first (at least half), the filter the rest */
    int sw = (int)tt_width(source), bw = (int)tt_width(bpf);
    if (room < 8)
        room = 8;
    if (sw + bw > room) {
        int for_bpf = bw ? room - (sw < room / 2 ? sw : room / 2) : 0;
        if (for_bpf > bw)
            for_bpf = bw;
        if (bw && for_bpf < 12)
            for_bpf = 0; /* too little to say anything */
        if (for_bpf)
            fit_middle(bpf_fit, sizeof bpf_fit, bpf, (size_t)for_bpf, t->ascii);
        fit_middle(src_fit, sizeof src_fit, source, (size_t)(room - for_bpf), t->ascii);
    } else {
        fit_middle(src_fit, sizeof src_fit, source, (size_t)room, t->ascii); /* whole: it fits */
        snprintf(bpf_fit, sizeof bpf_fit, "%s", bpf);
    }
    snprintf(left, sizeof left, " synfin  %s%s%s", src_fit, bpf_fit, counts);
    tui_text(0, 0, t->cols, left);
    if (rw && rw < t->cols - (int)tt_width(left))
        tui_text(0, t->cols - rw, rw, right);
    attrset(A_NORMAL);
}

/*
 * The status line: the totals by outcome in the rows' colours (a legend),
 * what narrows the list ("3 of 12", the filter, the text, the expression),
 * the sort, and the message.  When it is too long the sort goes first (the
 * list's header marks it), then the legend's words, then the expression
 * is cut in its middle: the message is never cut (unless alone it is).
 */
static void draw_status(struct tui *t)
{
    const struct catalog *c = &t->cat;
    static const enum tui_color colour[OUTCOME_COUNT] = {C_CLEAN, C_RESET, C_REFUSED, C_OPEN, C_TLS_FAILED};
    static const char *const initial[OUTCOME_COUNT] = {"c", "r", "x", "o", "t"};
    char view[600] = "", sort[64], msg[600], legend[OUTCOME_COUNT][48];
    size_t at = 0;
    if (view_filtered(&t->view)) {
        uint64_t all = t->cat.n;
        at += (size_t)snprintf(view + at, sizeof view - at, " | %zu of %llu", t->view.n, (unsigned long long)all);
    }
    at += (size_t)snprintf(view + at, sizeof view - at, " | filter: %s", filter_name(t->view.filter));
    if (t->view.query[0] && at < sizeof view)
        at += (size_t)snprintf(view + at, sizeof view - at, " + \"%s\"", t->view.query);
    snprintf(sort, sizeof sort, " | sort: %s %s", column_name(t->view.sort), t->view.reverse ? "desc" : "asc");
    msg[0] = '\0';
    if (t->message[0])
        snprintf(msg, sizeof msg, " | %s", t->message);
    char where[300] = "";
    if (t->where) {
        char clean[260];
        tt_cleans(clean, sizeof clean, t->where_text, t->ascii ? TT_ASCII : 0);
        snprintf(where, sizeof where, " + where %s", clean);
    }
    /* the variants, most said first; the last ones give the message all the room */
    for (int v = 0; v < 6; v++) {
        int compact = v >= 2, with_sort = v == 0 || (v < 3 && !t->sort_in_header), with_view = v < 4, with_legend = v < 5;
        size_t lw = 1;
        for (int o = 0; o < OUTCOME_COUNT && with_legend; o++) {
            snprintf(legend[o], sizeof legend[o], compact ? "%s%llu" : "%s %llu", compact ? initial[o] : outcome_name((enum outcome)o),
                     (unsigned long long)c->totals[o]);
            lw += tt_width(legend[o]) + (o + 1 < OUTCOME_COUNT ? (compact ? 1 : 2) : 0);
        }
        size_t need = lw + (with_view ? tt_width(view) : 0) + (with_sort ? tt_width(sort) : 0) + tt_width(msg);
        size_t wherew = with_view ? tt_width(where) : 0;
        if (v < 5 && need + wherew > (size_t)t->cols && (v != 3 || need + 12 > (size_t)t->cols))
            continue;
        /* the expression cut in its middle when that is what it takes */
        char where_fit[300] = "";
        if (with_view)
            snprintf(where_fit, sizeof where_fit, "%s", where);
        if (need + wherew > (size_t)t->cols && wherew) {
            int room = t->cols - (int)need;
            if (room < 12)
                where_fit[0] = '\0';
            else
                fit_middle(where_fit, sizeof where_fit, where, (size_t)room, t->ascii);
        }
        move(t->rows - 2, 0);
        attrset(A_NORMAL);
        clrtoeol();
        int x = 1;
        for (int o = 0; o < OUTCOME_COUNT && with_legend; o++) { /* each total in its rows' colour: the legend */
            attrset(tui_attr(t, colour[o]) | A_BOLD);
            tui_text(t->rows - 2, x, t->cols - x, legend[o]);
            x += (int)tt_width(legend[o]) + (o + 1 < OUTCOME_COUNT ? (compact ? 1 : 2) : 0);
        }
        char rest[1600];
        snprintf(rest, sizeof rest, "%s%s%s%s", with_view ? view : "", where_fit, with_sort ? sort : "",
                 with_legend ? msg : msg + 2 * (msg[0] != '\0'));
        attrset(tui_attr(t, C_DIM));
        if (!with_legend)
            x = 1;
        if ((int)tt_width(rest) > t->cols - x) { /* the message alone is too long: its end goes */
            char fit[1600];
            fit_end(fit, sizeof fit, rest, (size_t)(t->cols - x), t->ascii);
            tui_text(t->rows - 2, x, t->cols - x, fit);
        } else {
            tui_text(t->rows - 2, x, t->cols - x, rest);
        }
        attrset(A_NORMAL);
        return;
    }
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

void tui_draw(struct tui *t)
{
    getmaxyx(stdscr, t->rows, t->cols);
    erase();
    if (t->rows < 6 || t->cols < 40) {
        mvprintw(0, 0, "synfin: the terminal is too small (%dx%d)", t->cols, t->rows);
        if (t->overlay)
            t->overlay(t);
        refresh();
        return;
    }
    draw_title(t);
    t->stack[t->depth - 1]->draw(t);
    draw_status(t);
    draw_keybar(t);
    if (t->overlay)
        t->overlay(t);
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
    /* and its JSON object, deflated, for the filter expressions: what --json would write */
    size_t len;
    const char *json = judge_json(&t->judge, c, &len);
    if (len)
        catalog_set_json(&t->cat, c->id, json, len);
    count_outside(t);
    return kept;
}

int tui_where_passes(void *ctx, const struct catalog *cat, size_t i)
{
    struct tui *t = ctx;
    const struct cat_entry *e = &cat->e[i];
    if (!t->where)
        return 1;
    if (e->row && e->row->where_gen == t->where_gen)
        return e->row->where_ok;
    int ok = tui_entry_matches(t, t->where, i);
    if (e->row) {
        e->row->where_gen = t->where_gen;
        e->row->where_ok = (uint8_t)ok;
    }
    return ok;
}

int tui_entry_matches(struct tui *t, struct where *w, size_t i)
{
    const struct catalog *cat = &t->cat;
    const struct cat_entry *e = &cat->e[i];
    int ok = 0;
    size_t jl = e->row ? row_json_len(e->row) : 0;
    if (jl) {
        if (t->json_cap < jl) {
            char *b = realloc(t->json_buf, jl);
            if (!b)
                return 0;
            t->json_buf = b;
            t->json_cap = jl;
        }
        size_t n = catalog_row_json(cat, i, t->json_buf, t->json_cap);
        ok = n && where_match(w, t->json_buf, n);
    } else if (e->conn) { /* open, or kept whole without its JSON: written on the spot */
        size_t n;
        const char *json = judge_json(&t->judge, e->conn, &n);
        ok = n && where_match(w, json, n);
    }
    return ok;
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
        t->last_refresh = 0;
        return 0;
    }
    if (r == FEED_DAMAGED || r == FEED_WRITE_FAILED)
        tui_message(t, "%s", err);
    if (!t->live) {
        pipeline_finish(t->pl);
        t->loading = 0;
        tui_message(t, "read %llu %s", (unsigned long long)t->packets, plural(t->packets, "packet", "packets"));
        capture_problems(t->cap, problem_message, t); /* the damage, if any, says more */
        t->last_refresh = 0; /* the totals now, not at the next key */
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
        if (t->stack[t->depth - 1] != &help_screen) /* every screen's own keys, the filters' too */
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

int tui_work(struct tui *t)
{
    char err[CAPTURE_ERRLEN];
    int busy = 0;
    if (t->loading || t->live)
        busy |= read_slice(t, err);
    if (t->live)
        pipeline_expire(t->pl, wall_ns());
    const struct screen_ops *top = t->stack[t->depth - 1];
    busy |= top->tick && top->tick(t);
    busy |= t->loading && !t->waiting; /* a stream with nothing new is waited on below */

    int64_t now = now_ns();
    if (t->live && now - t->last_stats >= 1000000000LL) {
        struct capture_stats cs;
        t->pps = (double)(t->packets - t->last_packets) * 1e9 / (double)(now - t->last_stats);
        t->last_packets = t->packets;
        t->last_stats = now;
        if (capture_stats(t->cap, &cs) == 0)
            t->drops = cs.dropped + cs.if_dropped;
        t->dirty = 1;
    }
    /* every timer tick (live: connections end while the wire is quiet), and at once when rows left */
    if (now - t->last_refresh >= REFRESH_NS || t->last_refresh == 0 || t->cat.generation != t->seen_generation) {
        refresh_model(t);
        t->last_refresh = now;
    }
    return busy;
}

void tui_wait(struct tui *t, int busy)
{
    if (busy)
        return;
    struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {t->pcap_fd, POLLIN, 0}};
    int timeout = t->live || t->stream ? (int)(REFRESH_NS / 1000000) : -1;
    errno = 0;
    if (poll(fds, t->pcap_fd >= 0 ? 2 : 1, timeout) < 0) {
        if (errno == EINTR)
            t->dirty = 1; /* a resize (SIGWINCH) or Ctrl-C */
    }
}

int tui_interrupted(void) { return interrupted != 0; }

const char *tui_writable_dir(void)
{
    static char dir[512];
    if (access(".", W_OK) == 0)
        return "";
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_dir && access(pw->pw_dir, W_OK) == 0) {
        snprintf(dir, sizeof dir, "%s/", pw->pw_dir);
        return dir;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/", tmp && *tmp && access(tmp, W_OK) == 0 ? tmp : "/tmp");
    return dir;
}

void tui_errno_text(int e, char *buf, size_t len)
{
    struct passwd *pw = getpwuid(geteuid());
    char user[64];
    if (pw && pw->pw_name)
        snprintf(user, sizeof user, "%s", pw->pw_name);
    else
        snprintf(user, sizeof user, "uid %u", (unsigned)geteuid());
    snprintf(buf, len, "%s (synfin runs as %s)", strerror(e), user);
}

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
    t.view.where_ctx = &t;
    struct output_config jc = {.ts_digits = capture_ts_digits(cap), .time_iso = 0};
    judge_init(&t.judge, &jc);
    if (o->where) { /* the list starts filtered (main checked the expression) */
        char werr[WHERE_ERRLEN];
        t.where = where_compile(o->where, werr, sizeof werr, NULL);
        snprintf(t.where_text, sizeof t.where_text, "%s", o->where);
        t.where_gen = 1;
        t.view.where = tui_where_passes;
    }

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
        where_free(t.where);
        judge_free(&t.judge);
        return EXIT_INPUT;
    }

    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        snprintf(err, CAPTURE_ERRLEN, "cannot start the interface on this terminal (TERM=%s)",
                 getenv("TERM") ? getenv("TERM") : "");
        pipeline_free(t.pl);
        where_free(t.where);
        judge_free(&t.judge);
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

    t.last_stats = now_ns();
    t.pcap_fd = t.live || t.stream ? capture_fd(cap) : -1;
    while (!t.quit && !interrupted) {
        int busy = tui_work(&t);
        if (t.dirty)
            tui_draw(&t);

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
        tui_wait(&t, 0);
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
    where_free(t.where);
    judge_free(&t.judge);
    free(t.json_buf);
    free(t.marks);
    for (int h = 0; h < HIST_COUNT; h++)
        for (int i = 0; i < t.hist[h].n; i++)
            free(t.hist[h].line[i]);
    return EXIT_OK;
}
