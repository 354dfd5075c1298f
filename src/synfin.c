/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin.c - the program: options -> a packet source -> the pipeline -> one
 * output.  This file owns the process-level concerns and nothing else:
 * signals, the exit status, and the one-line messages on stderr.  Every
 * module below it returns errors; only this file prints them.
 *
 * Signals (SIGINT, SIGTERM, SIGHUP) only raise a flag, with SA_RESTART so
 * that no write() of the output is cut by one: the loop sees the flag
 * between packets, stops reading, and every connection is still finished
 * and written whole.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "capture.h"
#include "config.h"
#include "decode.h"
#include "fanout.h"
#include "hugeheap.h"
#include "options.h"
#include "output.h"
#include "out_where.h"
#include "termtext.h"
#include "where.h"
#include "where_dump.h"
#include "feed.h"
#include "pipeline.h"
#include "privs.h"
#include "siphash.h"
#include "tui/tui.h"
#include "tui/version.h"

static volatile sig_atomic_t got_signal;              /* the signal that asked to stop, 0: none */
static struct capture *volatile interrupted_capture;  /* told to stop waiting on its input */

static void on_signal(int sig)
{
    if (got_signal) { /* a second signal: the user will not wait for the output to finish */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    got_signal = sig;
    if (interrupted_capture)
        capture_break(interrupted_capture);
}

static void die_line(const char *msg) { fprintf(stderr, "synfin: %s\n", msg); }

static int utf8_locale(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

static int terminal_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 60)
        return ws.ws_col > 200 ? 200 : ws.ws_col;
    /* piped: the width the user's shell says (COLUMNS), as ls and git do */
    const char *env = getenv("COLUMNS");
    char *end;
    long cols = env && *env ? strtol(env, &end, 10) : 0;
    if (cols >= 40 && cols <= 500 && !*end)
        return (int)cols;
    return 0;
}

/* --color: auto colours a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is dumb. */
static int use_color(const struct options *o)
{
    if (o->color != COLOR_AUTO)
        return o->color == COLOR_ALWAYS;
    const char *term = getenv("TERM"), *nc = getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(nc && *nc) && term && strcmp(term, "dumb") != 0;
}

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The pipeline's sink: each finished connection goes straight to the output. */
struct sink_ctx {
    const struct output_ops *ops;
    void *out;
    int flush_each; /* live: show each connection as soon as it ends */
    FILE *f;
    int failed;     /* errno of a failed write: the run stops */
    struct where *where;        /* --where: only what it selects */
    struct conn_judge judge;
    struct where_dump *wd;      /* -w with --where */
    int dump_failed;
    char dump_err[CAPTURE_ERRLEN];
    char write_err[CAPTURE_ERRLEN]; /* an output's own file failed (--svg) */
};

static int sink_conn_done(void *ctx, struct conn *c)
{
    struct sink_ctx *s = ctx;
    int match = !s->where || judge_conn(&s->judge, s->where, c);
    if (s->wd && !s->dump_failed && where_dump_verdict(s->wd, c, match, s->dump_err) < 0)
        s->dump_failed = 1;
    if (!match || !s->ops || s->failed)
        return 0;
    errno = 0;
    s->ops->conn(s->out, c);
    if (s->flush_each)
        fflush(s->f);
    if (ferror(s->f) || s->write_err[0])
        s->failed = errno ? errno : EIO;
    return 0;
}

/* "EN10MB (1)", or just the number when libpcap has no name for it. */
static const char *link_label(int dlt, char *buf, size_t len)
{
    const char *n = capture_dlt_name(dlt);
    if (n)
        snprintf(buf, len, "%s (%d)", n, dlt);
    else
        snprintf(buf, len, "%d", dlt);
    return buf;
}

static struct capture *open_source(const struct options *o, char *err, int *status)
{
    struct capture_live_opts lo = {o->snaplen, o->buffer_kib, o->no_promisc, o->immediate};
    struct capture *cap = o->iface ? capture_open_live(o->iface, &lo, err)
                                   : capture_open_files(o->read_files, o->nread, err);
    if (!cap) {
        *status = EXIT_INPUT;
        return NULL;
    }
    if (capture_nothing_decodable(cap, decode_link_supported)) {
        char name[64];
        snprintf(err, CAPTURE_ERRLEN, "%s: unsupported link type %s", capture_source_name(cap),
                 link_label(capture_datalink(cap), name, sizeof name));
        *status = EXIT_INPUT;
        capture_close(cap);
        return NULL;
    }
    capture_only_links(cap, decode_link_supported);
    if (o->fanout && fanout_join(capture_fd(cap), o->fanout_group, err, CAPTURE_ERRLEN) < 0) {
        *status = EXIT_INPUT;
        capture_close(cap);
        return NULL;
    }
    if (o->filter && capture_set_filter(cap, o->filter, err) < 0) {
        *status = EXIT_USAGE;
        capture_close(cap);
        return NULL;
    }
    /* the device is open: root is no longer needed (the -w file is created as the user, as tcpdump does) */
    if (o->iface && privs_drop(o->run_as, err, CAPTURE_ERRLEN) < 0) {
        *status = EXIT_INPUT;
        capture_close(cap);
        return NULL;
    }
    int rc;
    if (o->write_file && (rc = o->where ? capture_dump_chosen(cap, o->write_file, err)
                                        : capture_dump_to(cap, o->write_file, err)) < 0) {
        *status = rc == -2 ? EXIT_USAGE : EXIT_OUTPUT;
        capture_close(cap);
        return NULL;
    }
    return cap;
}

/* One "N what" item of a list, with ", " before all but the first. */
static void item(char *buf, size_t len, uint64_t n, const char *what)
{
    size_t at = strlen(buf);
    if (n && at < len)
        snprintf(buf + at, len - at, "%s%llu %s", at ? ", " : "", (unsigned long long)n, what);
}

/* What decoding skipped or put right: fragments, tunnels, encrypted frames, IP lengths. */
static void report_decoding(const char *src, const struct pipeline_stats *st)
{
    const struct ipfrag_stats *f = &st->frag;
    char why[256] = "";
    item(why, sizeof why, f->incomplete, "still incomplete at the end");
    item(why, sizeof why, f->timed_out, "timed out");
    item(why, sizeof why, f->evicted, "over the memory budget");
    item(why, sizeof why, f->oversized, "over 65535 bytes");
    item(why, sizeof why, f->cut, "with fragments cut by the snapshot length");
    uint64_t lost = f->incomplete + f->timed_out + f->evicted + f->oversized + f->cut;
    if (lost)
        fprintf(stderr, "synfin: %s: note: %llu IP datagrams not reassembled (%s)\n", src, (unsigned long long)lost,
                why);
    if (f->overlaps || f->tiny)
        fprintf(stderr, "synfin: %s: warning: fragment anomalies: %llu overlapping fragments that disagreed (the"
                        " first bytes kept), %llu tiny first fragments\n",
                src, (unsigned long long)f->overlaps, (unsigned long long)f->tiny);
    if (st->encrypted)
        fprintf(stderr, "synfin: %s: note: %llu encrypted 802.11 or CAPWAP frames skipped\n", src,
                (unsigned long long)st->encrypted);
    if (st->too_deep)
        fprintf(stderr, "synfin: %s: warning: %llu packets nested in more than %d encapsulations skipped\n", src,
                (unsigned long long)st->too_deep, PKT_ENCAP_MAX);
    if (st->bad_ip_length)
        fprintf(stderr, "synfin: %s: note: %llu packets with an IPv4 total length beyond the frame (the bytes"
                        " there were used)\n",
                src, (unsigned long long)st->bad_ip_length);
}

/* Notes on what was skipped, for the user who wonders why a packet is missing. */
static void report_skips(const char *src, const struct pipeline_stats *st)
{
    uint64_t bad = st->malformed + st->truncated_headers;
    if (bad)
        fprintf(stderr, "synfin: %s: warning: %llu packets skipped (%llu malformed headers, %llu truncated headers)\n",
                src, (unsigned long long)bad, (unsigned long long)st->malformed,
                (unsigned long long)st->truncated_headers);
    report_decoding(src, st);
    if (st->other_shard)
        fprintf(stderr, "synfin: %s: note: %llu TCP segments of other shards' connections skipped (--shard)\n", src,
                (unsigned long long)st->other_shard);
    if (st->late_packets)
        fprintf(stderr, "synfin: %s: note: %llu late packets of connections already finished (after --linger) "
                        "counted, not made new connections\n", src, (unsigned long long)st->late_packets);
    if (st->evicted)
        fprintf(stderr, "synfin: %s: note: %llu connections finalized early to stay under --memcap (\"evicted\")\n",
                src, (unsigned long long)st->evicted);
    if (st->events_capped)
        fprintf(stderr, "synfin: %s: note: %llu ladders cut short to stay under --memcap (\"capped.events\")\n", src,
                (unsigned long long)st->events_capped);
    if (st->out_of_memory)
        fprintf(stderr, "synfin: %s: warning: %llu packets dropped: out of memory\n", src,
                (unsigned long long)st->out_of_memory);
}

/* Where secrets from the capture's Decryption Secrets Blocks are loaded
 * from: a memory file, read by the key log parser exactly as --keylog's. */
struct secrets_ctx {
    struct app_ctx *app;
    const char *source;
    char path[64];      /* "/proc/self/fd/N" while a block is read (the app keeps the pointer) */
    unsigned blocks;
};

static void warn_line(void *ctx, const char *message)
{
    const struct secrets_ctx *sx = ctx;
    size_t pl = sx && sx->path[0] ? strlen(sx->path) : 0;
    if (pl && !strncmp(message, sx->path, pl)) /* name the capture, not the memory file */
        fprintf(stderr, "synfin: warning: %s (decryption secrets block %u)%s\n", sx->source, sx->blocks, message + pl);
    else
        fprintf(stderr, "synfin: warning: %s\n", message);
}

static void load_secrets(void *ctx, const uint8_t *text, size_t len)
{
    struct secrets_ctx *sx = ctx;
    char err[256];
    sx->blocks++;
    int fd = memfd_create("synfin-secrets", MFD_CLOEXEC);
    size_t done = 0;
    while (fd >= 0 && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    snprintf(sx->path, sizeof sx->path, "/proc/self/fd/%d", fd);
    if (fd < 0 || done < len || app_load_keylog(sx->app, sx->path, err) < 0)
        fprintf(stderr, "synfin: %s: warning: the secrets of decryption secrets block %u cannot be used: %s\n",
                sx->source, sx->blocks, fd < 0 || done < len ? strerror(errno) : err);
    if (fd >= 0)
        close(fd);
}

static void problem_line(void *ctx, const char *line, int damage)
{
    const int *quiet = ctx;
    if (damage || !*quiet) /* damage is always said: it decides the exit status */
        fprintf(stderr, "synfin: %s\n", line);
}

static void print_iface(void *ctx, const char *text)
{
    (void)ctx;
    printf("%s\n", text);
}

static const char *iface_name(const void *ctx, uint32_t iface, char *buf, size_t len)
{
    return capture_iface_name(ctx, iface, buf, len);
}

/* Reading ahead on a thread of its own pays when a processor would otherwise
 * be idle: it costs some CPU (the packets cross from one core's cache to the
 * other's), and on a machine that is busy already it gains no time. */
static int read_ahead_pays(int threads)
{
    cpu_set_t set;
    int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    double load;
    if (threads)
        return threads == 2;
    return n > 1 && getloadavg(&load, 1) == 1 && load + 1 <= n;
}

/* The packet loop's question: a signal came, or the output failed? */
static int stop_now(void *ctx)
{
    const struct sink_ctx *sc = ctx;
    return got_signal || sc->failed;
}

static void on_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART; /* a write() of the output is finished, never cut short */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* -w with --where: the pipeline's new connections and each packet before it is fed, for the held packets. */
struct held_ctx {
    struct where_dump *wd;
    size_t *mem;    /* counted in --memcap by the pipeline */
};

static void sink_conn_new(void *ctx, struct conn *c)
{
    struct sink_ctx *s = ctx;
    if (s->wd)
        where_dump_opened(s->wd, c);
}

static enum feed_verdict hold_packet(void *ctx, const struct capture_pkt *pk)
{
    struct held_ctx *h = ctx;
    where_dump_packet(h->wd, pk);
    *h->mem = where_dump_memory(h->wd);
    return FEED_TAKE;
}

static int run(const struct options *o, struct where *where)
{
    char err[CAPTURE_ERRLEN] = "";
    int status = EXIT_OK;
    struct secrets_ctx sx = {.source = o->read_file};
    /* the protocol layer first: its key log and CA file are read before root is given up */
    const char *keylog = o->keylog ? o->keylog : getenv("SSLKEYLOGFILE");
    struct app_config ac = {
        .ca_file = o->ca_file,
        .no_verify = o->no_verify || o->tcp_only,
        .keylog_file = keylog && *keylog && !o->tcp_only ? keylog : NULL,
        .keylog_optional = !o->keylog || o->iface, /* SSLKEYLOGFILE, or a browser yet to start */
        .live = o->iface != NULL,
        /* live: no loader thread before root and capabilities are given up (capset is per thread) */
        .lazy_store = o->iface != NULL,
        .warn = o->quiet ? NULL : warn_line,
        .keylog_max_bytes = pipeline_budget(o->memcap) / 2, /* the key log's part of --memcap: at most half */
        .warn_ctx = &sx,
    };
    char aerr[256] = "";
    struct app_ctx *app = app_ctx_new(&ac, aerr);
    if (!app) {
        die_line(aerr);
        return EXIT_INPUT;
    }
    sx.app = app;
    struct capture *cap = open_source(o, err, &status);
    if (!cap) {
        die_line(err);
        app_ctx_free(app);
        return status;
    }
    sx.source = capture_source_name(cap);
    if (!o->tcp_only)
        capture_on_secrets(cap, load_secrets, &sx);
    int to_stdout = o->write_file && !strcmp(o->write_file, "-"); /* the packets take standard output */
    /* the one configuration of the analysis, whichever output reads it */
    struct pipeline_config pc = {
        .reasm_budget = o->reasm_cap,
        .idle_timeout_ns = (int64_t)(o->idle_timeout_s * 1e9),
        .linger_ns = (int64_t)(o->linger_s * 1e9),
        .closing_linger_ns = (int64_t)(o->closing_linger_s * 1e9),
        .memcap = pipeline_budget(o->memcap), /* 0 stays 0: no cap */
        .shard_k = o->shard_k,
        .shard_n = o->shard_n,
        .app = o->tcp_only ? NULL : app,
    };
    /* on a terminal, with no output asked for: the interface */
    if (!o->mode_given && !o->shard_n && !to_stdout && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) && getenv("TERM") &&
        strcmp(getenv("TERM"), "dumb") != 0) {
        status = tui_run(o, cap, app, &pc, err);
        if (status != EXIT_OK)
            die_line(err);
        capture_close(cap);
        app_ctx_free(app);
        return status;
    }
    const char *src = capture_source_name(cap);
    int live = capture_is_live(cap);

    static const struct output_ops *const by_mode[] = {
        [OUT_SUMMARY] = &out_summary_ops, [OUT_JSON] = &out_json_ops, [OUT_LADDER] = &out_ladder_ops,
        [OUT_SVG] = &out_svg_ops, [OUT_MERMAID] = &out_mermaid_ops};
    struct capture_stats cstats = {0};
    struct output_config oc = {
        .f = stdout,
        .ts_digits = capture_ts_digits(cap),
        .ascii = o->ascii || !utf8_locale(),
        .only_id = o->ladder_id,
        .width = o->width ? o->width : terminal_width(),
        .color = use_color(o),
        .events = o->events,
        .time_iso = o->time_iso,
        .iface_name = capture_names_ifaces(cap) ? iface_name : NULL,
        .iface_ctx = cap,
        .capture = &cstats,
    };
    /* live, or a stream (tcpdump -w - | synfin -r -): each connection shows as soon as it ends */
    struct sink_ctx sc = {.ops = to_stdout ? NULL : by_mode[o->mode], .flush_each = live || !capture_seekable(cap),
                          .f = stdout, .where = where};
    /* a file's records go out in large writes: stdio's 4 KiB would make a system call of every
     * few connections (thousands for a big capture).  glibc sizes a buffer only when given one;
     * this one lives as long as stdout. */
    static char out_buf[256 << 10];
    if (!sc.flush_each && !isatty(STDOUT_FILENO))
        (void)setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
    oc.write_err = sc.write_err;
    sc.out = sc.ops ? sc.ops->open(&oc) : NULL;
    int drawn = o->mode == OUT_LADDER || o->mode == OUT_SVG || o->mode == OUT_MERMAID;
    pc.keep_events = (drawn && sc.ops) || o->events;
    pc.events_only_id = o->ladder_id;
    if (where)
        judge_init(&sc.judge, &oc);
    /* -w with --where: a file's packets are read again at each verdict; live or a stream's are held */
    size_t held_mem = 0;
    struct held_ctx hc = {NULL, &held_mem};
    int reread = !live && capture_seekable(cap);
    if (where && o->write_file && !(sc.wd = hc.wd = where_dump_new(cap, reread, pipeline_budget(o->memcap) / 2, err))) {
        die_line(err);
        if (sc.ops && sc.out)
            sc.ops->close(sc.out, NULL);
        app_ctx_free(app);
        capture_close(cap);
        return EXIT_OUTPUT;
    }
    if (sc.wd && !reread)
        pc.outside_mem = &held_mem;
    struct conn_sink sink = {&sc, sink_conn_done, sc.wd ? sink_conn_new : NULL};
    struct pipeline *pl = sc.out || !sc.ops ? pipeline_new(&pc, &sink) : NULL;
    if (!pl) {
        die_line("out of memory");
        where_dump_free(sc.wd);
        judge_free(&sc.judge);
        app_ctx_free(app);
        capture_close(cap);
        return EXIT_INPUT;
    }

    /* a second core reads ahead (not with -c: the few packets asked for would cost a thread; not
     * on a stream: its packets are analysed as they come, not when a batch is full) */
    if (!live && !o->count && capture_seekable(cap) && !sc.wd && read_ahead_pays(o->threads) &&
        capture_read_ahead(cap, err) < 0)
        die_line(err);
    interrupted_capture = cap;
    on_signals(on_signal);
    if (live) {
        char name[64];
        fprintf(stderr, "synfin: capturing on %s (%s); Ctrl-C to stop\n", src,
                link_label(capture_datalink(cap), name, sizeof name));
    }

    struct feed fd = {.cap = cap, .pl = pl, .limit = o->count, .stop = stop_now, .stop_ctx = &sc};
    if (sc.wd && !reread) {
        fd.filter = hold_packet;
        fd.filter_ctx = &hc;
    }
    for (;;) {
        enum feed_result r = feed_run(&fd, 0, 0, err);
        if (r == FEED_IDLE && !got_signal && !sc.failed) {
            pipeline_expire(pl, wall_ns()); /* live: connections end while the wire is quiet */
            if (fflush(stdout) != 0 && !sc.failed)
                sc.failed = errno ? errno : EIO;
            continue;
        }
        if (r == FEED_DAMAGED || r == FEED_WRITE_FAILED) {
            status = r == FEED_DAMAGED ? EXIT_DAMAGED : EXIT_OUTPUT;
            die_line(err);
        }
        break;
    }
    int sig = got_signal;
    interrupted_capture = NULL;
    /* a stdout that failed: nothing more can be said there, stop at once */
    if (sc.failed) {
        if (sc.write_err[0])
            die_line(sc.write_err);
        else
            fprintf(stderr, "synfin: error writing the output: %s\n", strerror(sc.failed));
        capture_close(cap);
        pipeline_free(pl); /* the connections still open go nowhere (the sink knows it failed) */
        sc.ops->close(sc.out, NULL);
        where_dump_free(sc.wd);
        judge_free(&sc.judge);
        app_ctx_free(app);
        return EXIT_OUTPUT;
    }
    capture_stop_reading(cap);
    pipeline_finish(pl);
    const struct pipeline_stats *st = pipeline_stats(pl);
    capture_stats(cap, &cstats);
    if (sc.ops)
        sc.ops->close(sc.out, st);

    int quiet = o->quiet;
    if (capture_problems(cap, problem_line, &quiet) && status == EXIT_OK)
        status = EXIT_DAMAGED;
    if (sig && !live) {
        fprintf(stderr, "synfin: %s: interrupted by %s after %llu packets; the connections seen so far are reported"
                        " (open ones as open)\n",
                src, sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP",
                (unsigned long long)st->packets);
        if (status == EXIT_OK || status == EXIT_DAMAGED)
            status = EXIT_INTERRUPTED;
    }
    if (!o->quiet)
        report_skips(src, st);
    if (o->ladder_id && st->connections < o->ladder_id && !sig) {
        fprintf(stderr, "synfin: %s: no connection %llu (it holds %llu)\n", src, (unsigned long long)o->ladder_id,
                (unsigned long long)st->connections);
        if (status == EXIT_OK)
            status = EXIT_USAGE;
    }
    if (sc.dump_failed) {
        die_line(sc.dump_err);
        status = EXIT_OUTPUT;
    } else if (sc.wd && where_dump_lost(sc.wd) && !o->quiet) {
        fprintf(stderr, "synfin: %s: note: %llu packets of the selected connections not written to %s (IP fragments, "
                        "or held past the --memcap budget)\n",
                o->write_file, (unsigned long long)where_dump_lost(sc.wd), o->write_file);
    }
    where_dump_free(sc.wd);
    judge_free(&sc.judge);
    if (live && cstats.known)
        fprintf(stderr, "synfin: %llu packets received by filter, %llu dropped by kernel, %llu dropped by interface\n",
                (unsigned long long)cstats.received, (unsigned long long)cstats.dropped,
                (unsigned long long)cstats.if_dropped);
    else if (cstats.known && !o->quiet)
        fprintf(stderr, "synfin: %s: note: the capture's interface statistics: %llu dropped by the OS, %llu by the "
                        "interface\n",
                src, (unsigned long long)cstats.dropped, (unsigned long long)cstats.if_dropped);
    pipeline_free(pl);
    app_ctx_free(app);
    if (capture_close_checked(cap, err) < 0) {
        die_line(err);
        status = EXIT_OUTPUT;
    }
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "synfin: error writing the output: %s\n", strerror(errno ? errno : EIO));
        status = EXIT_OUTPUT;
    }
    return status;
}

/* synfin's version and the libraries it runs with (not the ones it was built against). */
static void print_version(FILE *f)
{
    fprintf(f, "synfin %s\n%s\nGnuTLS %s\n%s\n", PACKAGE_VERSION, capture_lib_version(), gnutls_check_version(NULL),
            tui_curses_version());
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, ""); /* only the character set: numbers keep their "." */
    struct options o;
    char err[CAPTURE_ERRLEN] = "";
    if (options_parse(&o, argc, argv, err) < 0) {
        fprintf(stderr, "synfin: %s\n", err);
        fprintf(stderr, "usage: synfin [-r FILE | -i IFACE] [--summary | --json | --ladder[=ID]] [BPF filter]"
                        " (--help for more)\n");
        options_free(&o);
        return EXIT_USAGE;
    }
    /* the connections' memory on huge pages, where the kernel has them: 24 MiB, less under a small
     * --memcap (the pages are whole 2 MiB, so a partly used one counts whole) */
    size_t huge = (size_t)24 << 20;
    if (o.memcap && o.memcap / 8 < huge)
        huge = o.memcap / 8;
    (void)hugeheap_reserve(huge);
    if (o.show_help) {
        options_usage(stdout);
        options_free(&o);
        return EXIT_OK;
    }
    if (o.show_version) {
        print_version(stdout);
        options_free(&o);
        return EXIT_OK;
    }
    if (o.list_ifaces) {
        int rc = capture_list_interfaces(print_iface, NULL, err) < 0 ? EXIT_INPUT : EXIT_OK;
        if (rc != EXIT_OK)
            fprintf(stderr, "synfin: %s\n", err);
        options_free(&o);
        return rc;
    }
    /* the flow table's secret, before any packet: a bad SYNFIN_HASH_KEY is a usage error */
    char kerr[160];
    if (hashkey_init(kerr, sizeof kerr) < 0) {
        fprintf(stderr, "synfin: %s\n", kerr);
        if (getenv("SYNFIN_HASH_KEY")) {
            options_free(&o);
            return EXIT_USAGE;
        }
    }
    /* --where: a syntax error is shown where it is, before anything is opened */
    struct where *where = NULL;
    if (o.where) {
        char werr[WHERE_ERRLEN], shown[1024], raw[1024], before[1024];
        size_t pos = 0;
        if (!(where = where_compile(o.where, werr, sizeof werr, &pos))) {
            tt_cleans(shown, sizeof shown, o.where, 0);
            snprintf(raw, sizeof raw, "%.*s", (int)pos, o.where);
            tt_cleans(before, sizeof before, raw, 0);
            fprintf(stderr, "synfin: --where: %s (column %zu)\n  %s\n  %*s^\n", werr, pos + 1, shown,
                    (int)tt_width(before), "");
            options_free(&o);
            return EXIT_USAGE;
        }
    }
    int status = run(&o, where);
    where_free(where);
    options_free(&o);
    return status;
}
