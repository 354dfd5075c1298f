/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * options.c - the option table, its parser and the usage text drawn from it
 * (see options.h).  Adding an option means adding one row to `table` and one
 * case to apply().
 */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ladder_view.h" /* LADDER_MIN_WIDTH: --width's least */

#define STR_(x) #x
#define STR(x) STR_(x)
#define WIDTH_MIN LADDER_MIN_WIDTH
#define WIDTH_MIN_TEXT STR(LADDER_MIN_WIDTH)

enum { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

enum opt_id {
    O_READ = 'r', O_IFACE = 'i', O_WRITE = 'w', O_COUNT = 'c', O_QUIET = 'q', O_HELP = 'h', O_VERSION = 'V',
    O_USER = 'Z', O_BUFFER = 'B', O_SNAPLEN = 's', O_NO_PROMISC = 'p', O_LIST = 'D', O_FILTER_FILE = 'F',
    O_JSON = 256, O_SUMMARY, O_LADDER, O_ASCII, O_REASM, O_IDLE, O_LINGER, O_CLOSING_LINGER, O_CA_FILE, O_NO_VERIFY, O_TCP_ONLY, O_KEYLOG, O_MEMCAP,
    O_EVENTS,
    O_TIME_FORMAT, O_SHARD, O_FANOUT,
    O_IMMEDIATE, O_THREADS,
    O_WHERE, O_SVG, O_MERMAID, O_WIDTH, O_COLOR,
};

struct opt_def {
    int id;                 /* the short letter, or a number above 255 for long-only options */
    const char *long_name;
    int arg;
    const char *arg_name;
    const char *help;
};

static const struct opt_def table[] = {
    {O_READ, "read", ARG_REQUIRED, "FILE", "read a pcap/pcapng file (.gz, .zst; - stdin); repeat, or a directory"},
    {O_IFACE, "interface", ARG_REQUIRED, "IFACE", "capture live on an interface (root or CAP_NET_RAW)"},
    {O_WRITE, "write", ARG_REQUIRED, "FILE", "also save the raw packets read to a pcap file (- is stdout)"},
    {O_FILTER_FILE, "filter-file", ARG_REQUIRED, "FILE", "take the BPF filter from FILE"},
    {O_COUNT, "count", ARG_REQUIRED, "N", "stop after N packets"},
    {O_USER, "relinquish-privileges", ARG_REQUIRED, "USER", "live: become USER once the device is open (default tcpdump, nobody)"},
    {O_SNAPLEN, "snapshot-length", ARG_REQUIRED, "N", "live: capture at most N bytes of each packet (default 262144)"},
    {O_BUFFER, "buffer-size", ARG_REQUIRED, "KIB", "live: the kernel's capture buffer, in KiB"},
    {O_NO_PROMISC, "no-promiscuous-mode", ARG_NONE, NULL, "live: do not put the interface into promiscuous mode"},
    {O_IMMEDIATE, "immediate-mode", ARG_NONE, NULL, "live: deliver each packet at once (no buffering)"},
    {O_LIST, "list-interfaces", ARG_NONE, NULL, "list the interfaces a live capture can use, and exit"},
    {O_SUMMARY, "summary", ARG_NONE, NULL, "one row per connection and totals (the default off a terminal)"},
    {O_JSON, "json", ARG_NONE, NULL, "JSON Lines: one object per connection"},
    {O_LADDER, "ladder", ARG_OPTIONAL, "ID", "sequence diagram of every connection, or of connection ID"},
    {O_SVG, "svg", ARG_OPTIONAL, "ID", "each connection's ladder as an SVG file, or connection ID's on stdout"},
    {O_MERMAID, "mermaid", ARG_OPTIONAL, "ID", "each connection's ladder, or connection ID's, as a Mermaid sequenceDiagram"},
    {O_WHERE, "where", ARG_REQUIRED, "EXPR", "only the connections EXPR selects, e.g. 'teardown == \"reset\" && port 443'"},
    {O_EVENTS, "events", ARG_NONE, NULL, "with --json: each packet's flags, numbers, states, notes and messages"},
    {O_TIME_FORMAT, "time-format", ARG_REQUIRED, "FMT", "with --json: first_ts, last_ts as epoch (default) or iso (ISO 8601 UTC)"},
    {O_ASCII, "ascii", ARG_NONE, NULL, "draw the ladder with ASCII only"},
    {O_WIDTH, "width", ARG_REQUIRED, "N", "the text ladder's width in columns (default: the terminal's, $COLUMNS, 80)"},
    {O_COLOR, "color", ARG_OPTIONAL, "WHEN", "colour the ladder, summary and interface: auto (default), always, never"},
    {O_REASM, "reassembly-cap", ARG_REQUIRED, "BYTES", "out-of-order bytes held per direction (default 1M)"},
    {O_MEMCAP, "memcap", ARG_REQUIRED, "BYTES", "memory for open connections; the oldest go past it (default 1G)"},
    {O_IDLE, "idle-timeout", ARG_REQUIRED, "SEC", "finalize a connection idle this long (default 300)"},
    {O_LINGER, "linger", ARG_REQUIRED, "SEC", "keep a finished connection this long for late packets (default 1)"},
    {O_CLOSING_LINGER, "closing-linger", ARG_REQUIRED, "SEC", "wait this long for a closing one's final ACK (default 5)"},
    {O_CA_FILE, "ca-file", ARG_REQUIRED, "FILE", "verify server certificates against these CAs (default: system)"},
    {O_NO_VERIFY, "no-verify", ARG_NONE, NULL, "do not verify server certificates"},
    {O_KEYLOG, "keylog", ARG_REQUIRED, "FILE", "decrypt TLS with this key log (default: $SSLKEYLOGFILE)"},
    {O_TCP_ONLY, "tcp-only", ARG_NONE, NULL, "follow TCP only: no TLS or HTTP parsing (faster)"},
    {O_SHARD, "shard", ARG_REQUIRED, "K/N", "only the connections of shard K of N (1..N): run N processes for N cores"},
    {O_FANOUT, "fanout", ARG_REQUIRED, "GROUP", "live: share the interface with the other synfin -i in PACKET_FANOUT GROUP"},
    {O_THREADS, "threads", ARG_REQUIRED, "N", "files: 2 reads ahead on a second thread (default when a core is idle)"},
    {O_QUIET, "quiet", ARG_NONE, NULL, "no notes on skipped packets at the end"},
    {O_HELP, "help", ARG_NONE, NULL, "print this help and exit"},
    {O_VERSION, "version", ARG_NONE, NULL, "print the version and exit"},
};
#define NOPTS (sizeof table / sizeof table[0])

void options_usage(FILE *f)
{
    fprintf(f, "usage: synfin [-r FILE | -i IFACE | FILE] [--summary | --json | --ladder[=ID]] [options]\n"
               "              [BPF filter expression]\n\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt_def *d = &table[i];
        char left[64];
        int n = d->id < 256 ? snprintf(left, sizeof left, "-%c, --%s", d->id, d->long_name)
                            : snprintf(left, sizeof left, "    --%s", d->long_name);
        if (d->arg == ARG_REQUIRED)
            snprintf(left + n, sizeof left - (size_t)n, " %s", d->arg_name);
        else if (d->arg == ARG_OPTIONAL)
            snprintf(left + n, sizeof left - (size_t)n, "[=%s]", d->arg_name);
        if (strlen(left) > 30) /* a long option name: its help goes under it */
            fprintf(f, "  %s\n  %-30s %s\n", left, "", d->help);
        else
            fprintf(f, "  %-30s %s\n", left, d->help);
    }
    fprintf(f, "\nExit status: 0 ok, 1 input unreadable, 2 usage, 3 capture damaged part-way, 4 write error,\n"
               "5 interrupted by a signal while reading files.\n"
               "See synfin(1) for the output vocabularies.\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* A byte count with an optional K, M or G suffix (powers of 1024). */
static int parse_bytes(const char *s, size_t *out)
{
    if (!s || !isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (errno || *end || v > (SIZE_MAX >> shift))
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

static int parse_seconds(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || *end || !(v >= 0) || v > 1e9)
        return -1;
    *out = v;
    return 0;
}

/* "K/N": shard K of N, numbered from 1 like GNU parallel's job slots ({%}). */
static int parse_shard(const char *s, uint32_t *k, uint32_t *n)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    char left[24];
    uint64_t a, b;
    if (!slash || (size_t)(slash - s) >= sizeof left)
        return -1;
    memcpy(left, s, (size_t)(slash - s));
    left[slash - s] = '\0';
    if (parse_u64(left, &a) < 0 || parse_u64(slash + 1, &b) < 0 || b == 0 || b > 65536 || a == 0 || a > b)
        return -1;
    *k = (uint32_t)a;
    *n = (uint32_t)b;
    return 0;
}

static int bad(char *err, const char *what, const char *val)
{
    snprintf(err, OPTIONS_ERRLEN, "invalid %s '%s'", what, val ? val : "");
    return -1;
}

static int apply(struct options *o, int id, const char *arg, char *err)
{
    switch (id) {
    case O_READ: {
        const char **n = realloc(o->read_files, (o->nread + 1) * sizeof *n);
        if (!n) {
            snprintf(err, OPTIONS_ERRLEN, "out of memory");
            return -1;
        }
        o->read_files = n;
        n[o->nread++] = arg;
        o->read_file = n[0];
        break;
    }
    case O_FILTER_FILE: o->filter_file = arg; break;
    case O_SNAPLEN: {
        uint64_t v;
        if (parse_u64(arg, &v) < 0 || v > 262144)
            return bad(err, "snapshot length (0 to 262144)", arg);
        o->snaplen = (int)v;
        o->live_opt_given = 's';
        break;
    }
    case O_BUFFER: {
        uint64_t v;
        if (parse_u64(arg, &v) < 0 || v == 0 || v > (1u << 21))
            return bad(err, "buffer size in KiB", arg);
        o->buffer_kib = (int)v;
        o->live_opt_given = 'B';
        break;
    }
    case O_NO_PROMISC: o->no_promisc = 1; o->live_opt_given = 'p'; break;
    case O_IMMEDIATE: o->immediate = 1; o->live_opt_given = 'i'; break;
    case O_LIST: o->list_ifaces = 1; break;
    case O_THREADS:
        if (!arg || (strcmp(arg, "1") && strcmp(arg, "2")))
            return bad(err, "thread count (1 or 2)", arg);
        o->threads = arg[0] - '0';
        break;
    case O_IFACE: o->iface = arg; break;
    case O_WRITE: o->write_file = arg; break;
    case O_USER: o->run_as = arg; break;
    case O_COUNT:
        if (parse_u64(arg, &o->count) < 0 || o->count == 0)
            return bad(err, "packet count", arg);
        break;
    case O_SUMMARY: o->mode = OUT_SUMMARY; o->mode_given = 1; break;
    case O_JSON: o->mode = OUT_JSON; o->mode_given = 1; break;
    case O_LADDER:
        o->mode = OUT_LADDER;
        o->mode_given = 1;
        if (arg && (parse_u64(arg, &o->ladder_id) < 0 || o->ladder_id == 0))
            return bad(err, "connection id", arg);
        break;
    case O_ASCII: o->ascii = 1; break;
    case O_SVG: case O_MERMAID:
        o->mode = id == O_SVG ? OUT_SVG : OUT_MERMAID;
        o->mode_given = 1;
        if (arg && (parse_u64(arg, &o->ladder_id) < 0 || o->ladder_id == 0))
            return bad(err, "connection id", arg);
        break;
    case O_WHERE:
        if (!arg || !*arg)
            return bad(err, "--where expression", arg);
        o->where = arg;
        break;
    case O_WIDTH: {
        uint64_t v;
        if (parse_u64(arg, &v) < 0 || v < WIDTH_MIN || v > 500)
            return bad(err, "width (" WIDTH_MIN_TEXT " to 500 columns)", arg);
        o->width = (int)v;
        break;
    }
    case O_COLOR:
        if (!arg || !strcmp(arg, "always"))
            o->color = COLOR_ALWAYS;
        else if (!strcmp(arg, "auto"))
            o->color = COLOR_AUTO;
        else if (!strcmp(arg, "never"))
            o->color = COLOR_NEVER;
        else
            return bad(err, "--color (auto, always or never)", arg);
        break;
    case O_EVENTS: o->events = 1; break;
    case O_REASM:
        if (parse_bytes(arg, &o->reasm_cap) < 0)
            return bad(err, "byte count", arg);
        break;
    case O_MEMCAP:
        if (parse_bytes(arg, &o->memcap) < 0)
            return bad(err, "byte count", arg);
        break;
    case O_IDLE:
        if (parse_seconds(arg, &o->idle_timeout_s) < 0)
            return bad(err, "idle timeout", arg);
        break;
    case O_LINGER:
        if (parse_seconds(arg, &o->linger_s) < 0)
            return bad(err, "linger time", arg);
        break;
    case O_CLOSING_LINGER:
        if (parse_seconds(arg, &o->closing_linger_s) < 0)
            return bad(err, "linger time", arg);
        break;
    case O_CA_FILE: o->ca_file = arg; break;
    case O_NO_VERIFY: o->no_verify = 1; break;
    case O_TCP_ONLY: o->tcp_only = 1; break;
    case O_KEYLOG: o->keylog = arg; break;
    case O_TIME_FORMAT:
        if (!strcmp(arg, "iso"))
            o->time_iso = 1;
        else if (!strcmp(arg, "epoch"))
            o->time_iso = 0;
        else
            return bad(err, "time format (epoch or iso)", arg);
        break;
    case O_SHARD:
        if (parse_shard(arg, &o->shard_k, &o->shard_n) < 0)
            return bad(err, "shard (K/N with 1 <= K <= N)", arg);
        break;
    case O_FANOUT: {
        uint64_t g;
        if (parse_u64(arg, &g) < 0 || g > 0xffff)
            return bad(err, "fanout group (0 to 65535)", arg);
        o->fanout = 1;
        o->fanout_group = (uint16_t)g;
        break;
    }
    case O_QUIET: o->quiet = 1; break;
    case O_HELP: o->show_help = 1; break;
    case O_VERSION: o->show_version = 1; break;
    default:
        return -1;
    }
    return 0;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/*
 * Options that contradict each other are refused rather than "last one
 * wins": a script that says --json and --ladder gets neither silently.
 * Each option given is remembered as the user would name it ("--ladder=5").
 */
struct given {
    int on;
    char name[40];
};

static struct given *given_of(struct given *seen, int id)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (table[i].id == id)
            return &seen[i];
    return NULL;
}

static void option_name(int id, char *buf, size_t len)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (table[i].id == id) {
            if (id < 256)
                snprintf(buf, len, "-%c", id);
            else
                snprintf(buf, len, "--%s", table[i].long_name);
            return;
        }
    snprintf(buf, len, "?");
}

static int conflict(char *err, const char *a, const char *b)
{
    snprintf(err, OPTIONS_ERRLEN, "%s and %s cannot be used together", a, b);
    return -1;
}

/* Remember option `id` (just applied); two output modes, or two ladder ids, contradict at once. */
static int note_given(struct given *seen, int id, const struct options *o, char *err)
{
    static const int modes[] = {O_SUMMARY, O_JSON, O_LADDER, O_SVG, O_MERMAID};
    struct given *g = given_of(seen, id);
    if (!g)
        return 0;
    char name[40];
    option_name(id, name, sizeof name);
    int with_id = id == O_LADDER || id == O_SVG || id == O_MERMAID;
    if (with_id && o->ladder_id)
        snprintf(name + strlen(name), sizeof name - strlen(name), "=%llu", (unsigned long long)o->ladder_id);
    int is_mode = with_id || id == O_SUMMARY || id == O_JSON;
    for (size_t k = 0; is_mode && k < sizeof modes / sizeof modes[0]; k++) {
        struct given *m = given_of(seen, modes[k]);
        if (m->on && (modes[k] != id || strcmp(m->name, name)))
            return conflict(err, m->name, name);
    }
    if (!g->on) {
        g->on = 1;
        snprintf(g->name, sizeof g->name, "%s", name);
    }
    return 0;
}

/* Pairs that ask for opposite things; the first pair found is named. */
static int contradictions(struct given *seen, char *err)
{
    static const int pairs[][2] = {
        {O_JSON, O_ASCII},        /* JSON is never drawn */
        {O_CA_FILE, O_NO_VERIFY}, /* verify against these CAs / do not verify */
        {O_TCP_ONLY, O_KEYLOG},   /* no TLS parsing / decrypt TLS */
        {O_TCP_ONLY, O_CA_FILE},  /* no TLS parsing / verify TLS certificates */
        {O_READ, O_IFACE},
        {O_JSON, O_COLOR},        /* JSON is never coloured */
        {O_SVG, O_COLOR},         /* a picture has its own colours */
        {O_MERMAID, O_COLOR},
        {O_JSON, O_WIDTH},        /* nor drawn in columns */
        {O_MERMAID, O_WIDTH},
        {O_SVG, O_ASCII},         /* a picture draws lines, not characters */
        {O_MERMAID, O_ASCII},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        struct given *a = given_of(seen, pairs[k][0]), *b = given_of(seen, pairs[k][1]);
        if (a->on && b->on)
            return conflict(err, a->name, b->name);
    }
    return 0;
}

/* The trailing words, joined with spaces, as tcpdump takes its filter. */
static char *join_words(int n, char **w)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(w[i]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(w[i]);
        memcpy(p, w[i], l);
        p += l;
        *p++ = i + 1 < n ? ' ' : '\0';
    }
    if (n == 0)
        *p = '\0';
    return s;
}

/* -F FILE: the filter expression, as tcpdump reads it ('#' starts a comment to the end of the line). */
static int read_filter_file(struct options *o, char *err)
{
    enum { MAX_FILTER = 65536 };
    FILE *f = fopen(o->filter_file, "r");
    char *buf = malloc(MAX_FILTER + 1);
    size_t n = 0;
    if (!f || !buf) {
        snprintf(err, OPTIONS_ERRLEN, "-F %s: %s", o->filter_file, strerror(errno));
        free(buf);
        if (f)
            fclose(f);
        return -1;
    }
    int c, comment = 0;
    while ((c = getc(f)) != EOF && n < MAX_FILTER) {
        if (c == '#')
            comment = 1;
        else if (c == '\n')
            comment = 0;
        if (!comment)
            buf[n++] = c == '\n' || c == '\t' || c == '\r' ? ' ' : (char)c;
    }
    int bad_read = ferror(f), too_long = c != EOF;
    fclose(f);
    buf[n] = '\0';
    if (bad_read || too_long) {
        snprintf(err, OPTIONS_ERRLEN, "-F %s: %s", o->filter_file,
                 too_long ? "longer than 64 KiB" : "cannot be read");
        free(buf);
        return -1;
    }
    size_t start = strspn(buf, " ");
    if (!buf[start]) {
        free(buf);
        return 0; /* an empty filter: every packet */
    }
    o->filter = buf;
    return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *err)
{
    memset(o, 0, sizeof *o);
    o->mode = OUT_SUMMARY;
    o->reasm_cap = (size_t)1 << 20;
    o->memcap = (size_t)1 << 30;
    o->idle_timeout_s = 300;
    o->linger_s = 1;
    o->closing_linger_s = 5;

    struct option longs[NOPTS + 1];
    char shorts[2 * NOPTS + 2], *sp = shorts;
    *sp++ = '+'; /* stop at the first word that is not an option: the filter follows */
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt_def *d = &table[i];
        longs[i] = (struct option){d->long_name,
                                   d->arg == ARG_NONE ? no_argument
                                   : d->arg == ARG_REQUIRED ? required_argument : optional_argument,
                                   NULL, d->id};
        if (d->id < 256) {
            *sp++ = (char)d->id;
            if (d->arg == ARG_REQUIRED)
                *sp++ = ':';
        }
    }
    *sp = '\0';
    longs[NOPTS] = (struct option){0, 0, 0, 0};

    opterr = 0;
    optind = 1;
    int id;
    struct given seen[NOPTS];
    memset(seen, 0, sizeof seen);
    while ((id = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        if (id == '?' || id == ':') {
            const char *w = argv[optind - 1];
            if (optopt && optopt < 256)
                snprintf(err, OPTIONS_ERRLEN, "option -%c %s", optopt,
                         strchr(shorts, optopt) ? "needs an argument" : "is unknown");
            else
                snprintf(err, OPTIONS_ERRLEN, "option '%s' is unknown or lacks its argument", w);
            return -1;
        }
        int with_id = id == O_LADDER || id == O_SVG || id == O_MERMAID;
        if (with_id)
            o->ladder_id = 0; /* this occurrence's id, to compare with an earlier one */
        if (apply(o, id, optarg, err) < 0)
            return -1;
        /* `--ladder 3`: a bare number after --ladder is the id (no filter is only digits) */
        if (with_id && !optarg && optind < argc && all_digits(argv[optind])) {
            if (apply(o, id, argv[optind], err) < 0)
                return -1;
            optind++;
        }
        if (note_given(seen, id, o, err) < 0)
            return -1;
    }
    /* before anything is opened: not even the positional file below */
    if (!o->show_help && !o->show_version && contradictions(seen, err) < 0)
        return -1;
    int rest = argc - optind;
    char **words = argv + optind;
    /* `synfin FILE`: a first word naming a file, with neither -r nor -i, is the input */
    struct stat st;
    if (!o->read_file && !o->iface && !o->list_ifaces && rest > 0 && stat(words[0], &st) == 0) {
        /* looked at, not opened: a FIFO or a process substitution can be opened once only */
        if (apply(o, O_READ, words[0], err) < 0)
            return -1;
        rest--;
        words++;
    }
    if (o->show_help || o->show_version || o->list_ifaces)
        return 0;
    if (o->events && o->mode != OUT_JSON) {
        snprintf(err, OPTIONS_ERRLEN, "--events goes with --json");
        return -1;
    }
    if (o->width && o->mode_given && o->mode != OUT_LADDER && o->mode != OUT_SVG) {
        snprintf(err, OPTIONS_ERRLEN, "--width goes with --ladder or --svg");
        return -1;
    }
    if (o->fanout && !o->iface) {
        snprintf(err, OPTIONS_ERRLEN, "--fanout goes with -i (a live capture)");
        return -1;
    }
    if (o->time_iso && o->mode != OUT_JSON) {
        snprintf(err, OPTIONS_ERRLEN, "--time-format goes with --json");
        return -1;
    }
    if (o->read_file && o->iface) {
        snprintf(err, OPTIONS_ERRLEN, "-r and -i cannot be used together");
        return -1;
    }
    if (!o->read_file && !o->iface) {
        if (rest > 0)
            snprintf(err, OPTIONS_ERRLEN, "%s: no such file (and no -r or -i given)", words[0]);
        else
            snprintf(err, OPTIONS_ERRLEN, "nothing to read: give -r FILE or -i IFACE (see --help)");
        return -1;
    }
    if (o->live_opt_given && !o->iface) {
        static const char *const names[] = {['s'] = "-s", ['B'] = "-B", ['p'] = "-p", ['i'] = "--immediate-mode"};
        snprintf(err, OPTIONS_ERRLEN, "%s sets how a live capture is taken: it needs -i, not -r",
                 names[o->live_opt_given]);
        return -1;
    }
    if (o->write_file && !strcmp(o->write_file, "-") && o->mode_given) {
        static const char *const modes[] = {[OUT_SUMMARY] = "--summary", [OUT_JSON] = "--json", [OUT_LADDER] = "--ladder",
                                            [OUT_SVG] = "--svg", [OUT_MERMAID] = "--mermaid"};
        snprintf(err, OPTIONS_ERRLEN, "-w - and %s cannot be used together: both write to standard output",
                 modes[o->mode]);
        return -1;
    }
    if (o->filter_file && rest > 0) {
        snprintf(err, OPTIONS_ERRLEN, "-F %s and a filter expression ('%s') cannot be used together",
                 o->filter_file, words[0]);
        return -1;
    }
    if (o->filter_file)
        return read_filter_file(o, err);
    if (rest > 0 && !(o->filter = join_words(rest, words))) {
        snprintf(err, OPTIONS_ERRLEN, "out of memory");
        return -1;
    }
    return 0;
}

void options_free(struct options *o)
{
    free(o->filter);
    o->filter = NULL;
    free(o->read_files);
    o->read_files = NULL;
}
