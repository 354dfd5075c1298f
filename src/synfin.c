/*
 * synfin.c - the program: options -> a packet source -> the pipeline -> one
 * output.  This file owns the process-level concerns and nothing else:
 * signals, the exit status, and the one-line messages on stderr.  Every
 * module below it returns errors; only this file prints them.
 */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "capture.h"
#include "config.h"
#include "decode.h"
#include "fanout.h"
#include "options.h"
#include "output.h"
#include "pipeline.h"
#include "privs.h"
#include "siphash.h"
#include "tui/tui.h"
#include "tui/version.h"

static struct capture *volatile interrupted_capture;

static void on_signal(int sig)
{
    (void)sig;
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
    return 0;
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
};

static int sink_conn_done(void *ctx, struct conn *c)
{
    struct sink_ctx *s = ctx;
    s->ops->conn(s->out, c);
    if (s->flush_each)
        fflush(s->f);
    return 0;
}

/* "EN10MB (1)", or just the number when libpcap has no name for it. */
static const char *link_label(const struct capture *cap, char *buf, size_t len)
{
    const char *n = capture_datalink_name(cap);
    if (n)
        snprintf(buf, len, "%s (%d)", n, capture_datalink(cap));
    else
        snprintf(buf, len, "%d", capture_datalink(cap));
    return buf;
}

static struct capture *open_source(const struct options *o, char *err, int *status)
{
    struct capture *cap = o->iface ? capture_open_live(o->iface, err) : capture_open_file(o->read_file, err);
    if (!cap) {
        *status = EXIT_INPUT;
        return NULL;
    }
    int dlt = capture_datalink(cap);
    if (!decode_link_supported(dlt)) {
        char name[64];
        snprintf(err, CAPTURE_ERRLEN, "%s: unsupported link type %s", o->iface ? o->iface : o->read_file,
                 link_label(cap, name, sizeof name));
        *status = EXIT_INPUT;
        capture_close(cap);
        return NULL;
    }
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
    if (o->write_file && capture_dump_to(cap, o->write_file, err) < 0) {
        *status = EXIT_OUTPUT;
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

static void warn_line(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "synfin: warning: %s\n", message);
}

static int run(const struct options *o)
{
    char err[CAPTURE_ERRLEN] = "";
    int status = EXIT_OK;
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
    };
    char aerr[256] = "";
    struct app_ctx *app = app_ctx_new(&ac, aerr);
    if (!app) {
        die_line(aerr);
        return EXIT_INPUT;
    }
    struct capture *cap = open_source(o, err, &status);
    if (!cap) {
        die_line(err);
        app_ctx_free(app);
        return status;
    }
    /* on a terminal, with no output asked for: the interface */
    if (!o->mode_given && !o->shard_n && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) && getenv("TERM") &&
        strcmp(getenv("TERM"), "dumb") != 0) {
        status = tui_run(o, cap, app, err);
        if (status != EXIT_OK)
            die_line(err);
        capture_close(cap);
        app_ctx_free(app);
        return status;
    }
    const char *src = o->iface ? o->iface : o->read_file;
    int live = capture_is_live(cap);

    static const struct output_ops *const by_mode[] = {
        [OUT_SUMMARY] = &out_summary_ops, [OUT_JSON] = &out_json_ops, [OUT_LADDER] = &out_ladder_ops};
    struct output_config oc = {
        .f = stdout,
        .ts_digits = capture_ts_digits(cap),
        .ascii = o->ascii || !utf8_locale(),
        .only_id = o->ladder_id,
        .width = terminal_width(),
        .events = o->events,
        .time_iso = o->time_iso,
    };
    struct sink_ctx sc = {.ops = by_mode[o->mode], .flush_each = live, .f = stdout};
    sc.out = sc.ops->open(&oc);
    struct pipeline_config pc = {
        .reasm_budget = o->reasm_cap,
        .idle_timeout_ns = (int64_t)(o->idle_timeout_s * 1e9),
        .linger_ns = (int64_t)(o->linger_s * 1e9),
        .closing_linger_ns = (int64_t)(o->closing_linger_s * 1e9),
        .keep_events = o->mode == OUT_LADDER || o->events,
        .memcap = pipeline_budget(o->memcap), /* 0 stays 0: no cap */
        .events_only_id = o->ladder_id,
        .shard_k = o->shard_k,
        .shard_n = o->shard_n,
    };
    pc.app = o->tcp_only ? NULL : app;
    struct conn_sink sink = {&sc, sink_conn_done, NULL};
    struct pipeline *pl = sc.out ? pipeline_new(&pc, &sink) : NULL;
    if (!pl) {
        die_line("out of memory");
        app_ctx_free(app);
        capture_close(cap);
        return EXIT_INPUT;
    }

    interrupted_capture = cap;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (live) {
        char name[64];
        fprintf(stderr, "synfin: capturing on %s (%s); Ctrl-C to stop\n", src, link_label(cap, name, sizeof name));
    }

    int dlt = capture_datalink(cap);
    uint64_t n = 0;
    struct capture_pkt pk;
    for (;;) {
        enum capture_result r = capture_next(cap, &pk, err);
        if (r == CAPTURE_PACKET) {
            pipeline_packet(pl, dlt, pk.ts_ns, pk.data, pk.caplen, pk.wirelen, pk.offset);
            if (o->count && ++n >= o->count)
                break;
        } else if (r == CAPTURE_TIMEOUT) {
            pipeline_expire(pl, wall_ns()); /* live: connections end while the wire is quiet */
            fflush(stdout);
        } else {
            if (r == CAPTURE_ERROR)
                status = EXIT_DAMAGED;
            break;
        }
    }
    interrupted_capture = NULL;
    pipeline_finish(pl);
    const struct pipeline_stats *st = pipeline_stats(pl);
    sc.ops->close(sc.out, st);

    if (status == EXIT_DAMAGED)
        fprintf(stderr, "synfin: %s (stopped after %llu packets; the connections before it are reported)\n", err,
                (unsigned long long)st->packets);
    if (!o->quiet)
        report_skips(src, st);
    if (o->ladder_id && st->connections < o->ladder_id) {
        fprintf(stderr, "synfin: %s: no connection %llu (it holds %llu)\n", src, (unsigned long long)o->ladder_id,
                (unsigned long long)st->connections);
        if (status == EXIT_OK)
            status = EXIT_USAGE;
    }
    if (live) {
        struct capture_stats cs;
        if (capture_stats(cap, &cs) == 0)
            fprintf(stderr, "synfin: %llu packets received by filter, %llu dropped by kernel\n",
                    (unsigned long long)cs.received, (unsigned long long)cs.dropped);
    }
    if (capture_flush(cap, err) < 0) {
        die_line(err);
        status = EXIT_OUTPUT;
    }
    pipeline_free(pl);
    app_ctx_free(app);
    capture_close(cap);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        die_line("error writing the output");
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
    char err[OPTIONS_ERRLEN] = "";
    if (options_parse(&o, argc, argv, err) < 0) {
        fprintf(stderr, "synfin: %s\n", err);
        fprintf(stderr, "usage: synfin [-r FILE | -i IFACE] [--summary | --json | --ladder[=ID]] [BPF filter]"
                        " (--help for more)\n");
        options_free(&o);
        return EXIT_USAGE;
    }
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
    /* the flow table's secret, before any packet: a bad SYNFIN_HASH_KEY is a usage error */
    char kerr[160];
    if (hashkey_init(kerr, sizeof kerr) < 0) {
        fprintf(stderr, "synfin: %s\n", kerr);
        if (getenv("SYNFIN_HASH_KEY")) {
            options_free(&o);
            return EXIT_USAGE;
        }
    }
    int status = run(&o);
    options_free(&o);
    return status;
}
