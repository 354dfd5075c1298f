/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capture.c - the one source of packets (see capture.h): files through
 * synfin's own reader, live interfaces through libpcap, BPF filters and -w
 * through libpcap.  The only module that calls libpcap.
 *
 * A file's filter is compiled once per link type met, on a "dead" handle
 * of that link type, and run on each packet with pcap_offline_filter: the
 * files of one capture may have interfaces of several link types.
 */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capset.h"
#include "readahead.h"

#define LIVE_SNAPLEN 262144
#define LIVE_TIMEOUT_MS 100     /* libpcap's buffer timeout: packets reach us within it */
#define WAIT_MS 250             /* capture_next's wait for a live packet before CAPTURE_TIMEOUT */
#define MAX_PROGS 16
#define DUMP_BUFFER (1u << 20)

struct filter_prog {
    int dlt;
    int ok;                     /* compiled (else the filter cannot apply to this link type) */
    struct bpf_program prog;
    uint64_t dropped;           /* packets dropped because it could not be compiled */
    char why[160];
};

struct capture {
    /* live */
    pcap_t *p;
    int live, timeout_ms, nano;
    /* files */
    struct capset *set;
    struct capture *main;       /* a second reader's first one */
    struct readahead *ra;
    volatile sig_atomic_t stop;
    int (*supported)(int dlt);
    int cached_dlt, cached_ok;
    void (*secrets)(void *ctx, const uint8_t *text, size_t len);
    void *secrets_ctx;
    /* filter */
    char *filter;
    struct filter_prog progs[MAX_PROGS];
    int nprogs;
    /* -w */
    pcap_t *dead;
    pcap_dumper_t *dump;
    FILE *dump_f;
    int dump_fd2;               /* a second descriptor: its close() reports what fclose's would */
    char dump_path[256];
    int dump_dlt;
    uint64_t dump_skipped;
    int dump_failed;
    int dump_chosen;            /* -w with --where: only the packets handed to capture_dump_packet */
    int ts_digits;
    char name[300];
};

static void set_err(char *err, const char *fmt, const char *a, const char *b)
{
    snprintf(err, CAPTURE_ERRLEN, fmt, a, b);
}

/* ------------------------------------------------------------ opening */

static struct capture *new_capture(void)
{
    struct capture *cap = calloc(1, sizeof *cap);
    if (cap) {
        cap->timeout_ms = WAIT_MS;
        cap->dump_fd2 = -1;
        cap->cached_dlt = -1;
    }
    return cap;
}

struct capture *capture_open_files(const char *const *paths, size_t n, char *err)
{
    struct capture *cap = new_capture();
    if (!cap) {
        set_err(err, "%s: %s", n ? paths[0] : "", strerror(ENOMEM));
        return NULL;
    }
    char serr[CAPSRC_ERRLEN];
    if (!(cap->set = capset_open(paths, n, &cap->stop, serr))) {
        snprintf(err, CAPTURE_ERRLEN, "%s", serr);
        free(cap);
        return NULL;
    }
    cap->ts_digits = capset_usec(cap->set) ? 6 : 9;
    size_t files = capset_files(cap->set);
    if (files == 1)
        snprintf(cap->name, sizeof cap->name, "%s", capset_file_name(cap->set, 0));
    else
        snprintf(cap->name, sizeof cap->name, "%.250s (+%zu more)", capset_file_name(cap->set, 0), files - 1);
    return cap;
}

struct capture *capture_open_file(const char *path, char *err) { return capture_open_files(&path, 1, err); }

struct capture *capture_open_live(const char *iface, const struct capture_live_opts *opts, char *err)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    struct capture_live_opts none = {0};
    if (!opts)
        opts = &none;
    struct capture *cap = new_capture();
    if (!cap) {
        set_err(err, "%s: %s", iface, strerror(ENOMEM));
        return NULL;
    }
    cap->p = pcap_create(iface, perr);
    if (!cap->p) {
        set_err(err, "%s: %s", iface, perr);
        free(cap);
        return NULL;
    }
    pcap_set_snaplen(cap->p, opts->snaplen ? opts->snaplen : LIVE_SNAPLEN);
    pcap_set_promisc(cap->p, !opts->no_promisc);
    pcap_set_timeout(cap->p, LIVE_TIMEOUT_MS);
    if (opts->buffer_kib)
        pcap_set_buffer_size(cap->p, opts->buffer_kib * 1024);
    if (opts->immediate)
        pcap_set_immediate_mode(cap->p, 1);
    pcap_set_tstamp_precision(cap->p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(cap->p);
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) {
        set_err(err, "%s: permission denied: capturing needs root or the CAP_NET_RAW capability%s", iface, "");
    } else if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
        set_err(err, "%s: no such interface%s", iface, "");
    } else if (rc < 0) {
        set_err(err, "%s: cannot capture: %s", iface, pcap_geterr(cap->p));
    } else if (pcap_setnonblock(cap->p, 1, perr) < 0) {
        /* never blocked in libpcap: on a quiet link its poll() would wait forever (TPACKET_V3) */
        set_err(err, "%s: cannot capture: %s", iface, perr);
    } else {
        cap->nano = pcap_get_tstamp_precision(cap->p) == PCAP_TSTAMP_PRECISION_NANO;
        cap->ts_digits = cap->nano ? 9 : 6; /* and -w writes the same precision */
        cap->live = 1;
        snprintf(cap->name, sizeof cap->name, "%s", iface);
        return cap;
    }
    pcap_close(cap->p);
    free(cap);
    return NULL;
}

int capture_list_interfaces(void (*line)(void *ctx, const char *text), void *ctx, char *err)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    if (pcap_findalldevs(&all, perr) < 0) {
        set_err(err, "cannot list the interfaces: %s%s", perr, "");
        return -1;
    }
    int i = 0;
    for (pcap_if_t *d = all; d; d = d->next) {
        char text[512], flags[128] = "";
        size_t k = 0;
        static const struct { bpf_u_int32 bit; const char *name; } names[] = {
            {PCAP_IF_UP, "Up"}, {PCAP_IF_RUNNING, "Running"}, {PCAP_IF_WIRELESS, "Wireless"},
            {PCAP_IF_LOOPBACK, "Loopback"}};
        for (size_t b = 0; b < sizeof names / sizeof names[0]; b++)
            if (d->flags & names[b].bit)
                k += (size_t)snprintf(flags + k, sizeof flags - k, "%s%s", k ? ", " : "", names[b].name);
        bpf_u_int32 st = d->flags & PCAP_IF_CONNECTION_STATUS;
        if (!(d->flags & PCAP_IF_LOOPBACK) && st != PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE)
            snprintf(flags + k, sizeof flags - k, "%s%s", k ? ", " : "",
                     st == PCAP_IF_CONNECTION_STATUS_CONNECTED      ? "Connected"
                     : st == PCAP_IF_CONNECTION_STATUS_DISCONNECTED ? "Disconnected"
                                                                    : "Unknown");
        snprintf(text, sizeof text, "%d.%s%s%s%s [%s]", ++i, d->name, d->description ? " (" : "",
                 d->description ? d->description : "", d->description ? ")" : "", flags);
        line(ctx, text);
    }
    pcap_freealldevs(all);
    return 0;
}

/* ------------------------------------------------------------ filters */

static struct filter_prog *prog_for(struct capture *cap, int dlt)
{
    for (int i = 0; i < cap->nprogs; i++)
        if (cap->progs[i].dlt == dlt)
            return &cap->progs[i];
    if (cap->nprogs == MAX_PROGS)
        return &cap->progs[MAX_PROGS - 1]; /* more link types than that in one capture: the last is reused */
    struct filter_prog *fp = &cap->progs[cap->nprogs++];
    memset(fp, 0, sizeof *fp);
    fp->dlt = dlt;
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, LIVE_SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
    if (!dead) {
        snprintf(fp->why, sizeof fp->why, "out of memory");
        return fp;
    }
    if (pcap_compile(dead, &fp->prog, cap->filter, 1, PCAP_NETMASK_UNKNOWN) == 0)
        fp->ok = 1;
    else
        snprintf(fp->why, sizeof fp->why, "%s", pcap_geterr(dead));
    pcap_close(dead);
    return fp;
}

/* Which packets go on: decodable link types, and those the filter passes.
 * Runs on the reading thread when reading ahead. */
static int keep(void *ctx, const struct capture_pkt *pk)
{
    struct capture *cap = ctx;
    if (cap->supported) {
        if (pk->dlt != cap->cached_dlt) {
            cap->cached_dlt = pk->dlt;
            cap->cached_ok = cap->supported(pk->dlt);
        }
        if (!cap->cached_ok) {
            capset_count_unsupported(cap->set, pk->iface);
            return 0;
        }
    }
    if (!cap->filter)
        return 1;
    struct filter_prog *fp = prog_for(cap, pk->dlt);
    if (!fp->ok || fp->dlt != pk->dlt) {
        fp->dropped++;
        return 0;
    }
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.caplen = pk->caplen;
    h.len = pk->wirelen;
    return pcap_offline_filter(&fp->prog, &h, pk->data) != 0;
}

int capture_set_filter(struct capture *cap, const char *expr, char *err)
{
    if (cap->live) {
        struct bpf_program prog;
        if (pcap_compile(cap->p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            set_err(err, "bad filter expression '%s': %s", expr, pcap_geterr(cap->p));
            return -1;
        }
        int rc = pcap_setfilter(cap->p, &prog);
        pcap_freecode(&prog);
        if (rc < 0) {
            set_err(err, "cannot apply filter '%s': %s", expr, pcap_geterr(cap->p));
            return -1;
        }
        return 0;
    }
    if (!(cap->filter = strdup(expr))) {
        set_err(err, "%s%s", strerror(ENOMEM), "");
        return -1;
    }
    /* checked now on the first link type (Ethernet when none is known yet): a typo is a usage error */
    int dlt = capture_datalink(cap);
    struct filter_prog *fp = prog_for(cap, dlt >= 0 ? dlt : DLT_EN10MB);
    if (!fp->ok) {
        set_err(err, "bad filter expression '%s': %s", expr, fp->why);
        return -1;
    }
    return 0;
}

void capture_only_links(struct capture *cap, int (*supported)(int dlt)) { cap->supported = supported; }

/* ------------------------------------------------------------ -w */

int capture_dump_to(struct capture *cap, const char *path, char *err)
{
    snprintf(cap->dump_path, sizeof cap->dump_path, "%s", path);
    int to_stdout = !strcmp(path, "-");
    /* opened without truncating: an input named again as -w is refused before anything is lost */
    int fd = to_stdout ? dup(STDOUT_FILENO) : open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        set_err(err, "%s: cannot write: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!to_stdout && cap->set && capset_holds(cap->set, st.st_dev, st.st_ino)) {
        set_err(err, "%s: is also an input: not overwritten%s", path, "");
        close(fd);
        return -2;
    }
    /* Mode 0600: a capture holds other people's traffic, and the file is made after
     * root is given up, by a user others may share (nobody); an old file is made private too. */
    if (!to_stdout && S_ISREG(st.st_mode) &&
        (((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0) || ftruncate(fd, 0) < 0)) {
        set_err(err, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    cap->dump_fd2 = dup(fd);
    FILE *f = fdopen(fd, "wb");
    if (!f || cap->dump_fd2 < 0) {
        set_err(err, "%s: cannot write: %s", path, strerror(errno));
        if (f)
            fclose(f);
        else
            close(fd);
        return -1;
    }
    setvbuf(f, NULL, _IOFBF, DUMP_BUFFER);
    pcap_t *src = cap->p;
    if (!cap->live) {
        int dlt = capture_datalink(cap);
        cap->dump_dlt = dlt >= 0 ? dlt : DLT_EN10MB;
        /* the precision of the files read: microsecond files make a microsecond copy */
        cap->dead = pcap_open_dead_with_tstamp_precision(cap->dump_dlt, LIVE_SNAPLEN,
                                                         cap->ts_digits == 6 ? PCAP_TSTAMP_PRECISION_MICRO
                                                                             : PCAP_TSTAMP_PRECISION_NANO);
        src = cap->dead;
    }
    cap->dump = src ? pcap_dump_fopen(src, f) : NULL;
    if (!cap->dump) {
        set_err(err, "%s: cannot write: %s", path, src ? pcap_geterr(src) : strerror(ENOMEM));
        fclose(f);
        return -1;
    }
    cap->dump_f = f;
    return 0;
}

static int dump_failed(struct capture *cap, int e, char *err)
{
    cap->dump_failed = 1;
    snprintf(err, CAPTURE_ERRLEN, "%s: cannot write: %s", cap->dump_path, strerror(e ? e : EIO));
    return -1;
}

/* One packet to the -w file; -1 when the file cannot take it. */
static int dump_packet(struct capture *cap, const struct capture_pkt *pk, char *err)
{
    if (cap->dump_failed)
        return -1;
    if (!cap->live && pk->dlt != cap->dump_dlt) {
        cap->dump_skipped++;
        return 0;
    }
    struct pcap_pkthdr h;
    int64_t s = pk->ts_ns / 1000000000, ns = pk->ts_ns % 1000000000;
    if (ns < 0) {
        s--;
        ns += 1000000000;
    }
    h.ts.tv_sec = (time_t)s;
    h.ts.tv_usec = (suseconds_t)(cap->ts_digits == 6 ? ns / 1000 : ns); /* the dumper's precision */
    h.caplen = pk->caplen;
    h.len = pk->wirelen;
    errno = 0;
    pcap_dump((u_char *)cap->dump, &h, pk->data);
    if (ferror(cap->dump_f))
        return dump_failed(cap, errno, err);
    return 0;
}

int capture_flush(struct capture *cap, char *err)
{
    if (!cap->dump)
        return 0;
    errno = 0;
    if (cap->dump_failed || pcap_dump_flush(cap->dump) < 0 || ferror(cap->dump_f))
        return cap->dump_failed ? -1 : dump_failed(cap, errno, err);
    return 0;
}

uint64_t capture_dump_skipped(const struct capture *cap) { return cap->dump_skipped; }

int capture_dump_chosen(struct capture *cap, const char *path, char *err)
{
    int rc = capture_dump_to(cap, path, err);
    if (rc == 0)
        cap->dump_chosen = 1;
    return rc;
}

int capture_dump_packet(struct capture *cap, const struct capture_pkt *pk, char *err)
{
    return cap->dump ? dump_packet(cap, pk, err) : 0;
}

/* ------------------------------------------------------------ reading */

int capture_datalink(const struct capture *cap)
{
    if (cap->live)
        return pcap_datalink(cap->p);
    struct capset_iface e;
    return capset_iface(cap->set, 0, &e) ? e.dlt : -1;
}

const char *capture_dlt_name(int dlt) { return pcap_datalink_val_to_name(dlt); }
const char *capture_datalink_name(const struct capture *cap) { return capture_dlt_name(capture_datalink(cap)); }
int capture_ts_digits(const struct capture *cap) { return cap->ts_digits; }
int capture_is_live(const struct capture *cap) { return cap->live; }
int capture_fd(const struct capture *cap)
{
    return cap->live ? pcap_get_selectable_fd(cap->p) : cap->set ? capset_fd(cap->set) : -1;
}

int capture_nothing_decodable(const struct capture *cap, int (*supported)(int dlt))
{
    if (cap->live)
        return !supported(pcap_datalink(cap->p));
    size_t n = capset_ifaces(cap->set);
    for (size_t i = 0; i < n; i++) {
        struct capset_iface e;
        if (capset_iface(cap->set, (uint32_t)i, &e) && supported(e.dlt))
            return 0;
    }
    return n > 0;
}

int capture_read_ahead(struct capture *cap, char *err)
{
    if (cap->live || cap->main || cap->ra)
        return 0;
    char rerr[CAPSRC_ERRLEN];
    if (!(cap->ra = readahead_start(cap->set, keep, cap, &cap->stop, rerr))) {
        snprintf(err, CAPTURE_ERRLEN, "%s", rerr);
        return -1;
    }
    return 0;
}

void capture_on_secrets(struct capture *cap, void (*fn)(void *ctx, const uint8_t *text, size_t len), void *ctx)
{
    cap->secrets = fn;
    cap->secrets_ctx = ctx;
}

/* Nanoseconds since the epoch from libpcap's timeval (tv_usec holds nanoseconds with nano precision). */
static int64_t ts_to_ns(int64_t sec, int64_t frac, int nano)
{
    return sec * 1000000000 + frac * (nano ? 1 : 1000);
}

static enum capture_result live_next(struct capture *cap, struct capture_pkt *out, char *err)
{
    for (;;) {
        if (cap->stop)
            return CAPTURE_EOF;
        struct pcap_pkthdr *h;
        const u_char *data;
        /* the record about to be written to -w starts here: a live packet is read back from there */
        out->offset = cap->dump && !cap->dump_chosen ? (int64_t)pcap_dump_ftell(cap->dump) : -1;
        int rc = pcap_next_ex(cap->p, &h, &data);
        if (rc == 1) {
            out->ts_ns = ts_to_ns(h->ts.tv_sec, h->ts.tv_usec, cap->nano);
            out->caplen = h->caplen;
            out->wirelen = h->len;
            out->data = data;
            out->dlt = pcap_datalink(cap->p);
            out->iface = 0;
            if (cap->dump && !cap->dump_chosen && dump_packet(cap, out, err) < 0)
                return CAPTURE_WRITE_FAILED;
            return CAPTURE_PACKET;
        }
        if (rc == PCAP_ERROR_BREAK)
            return CAPTURE_EOF;
        if (rc < 0) {
            set_err(err, "%s: %s", cap->name, pcap_geterr(cap->p));
            return CAPTURE_ERROR;
        }
        if (!cap->timeout_ms)
            return CAPTURE_TIMEOUT;
        /* nothing waiting: our own wait, so that a quiet link still gets its timer */
        struct pollfd pfd = {pcap_get_selectable_fd(cap->p), POLLIN, 0};
        int pr = poll(&pfd, 1, cap->timeout_ms);
        if (pr == 0)
            return CAPTURE_TIMEOUT;
        if (pr < 0 && errno != EINTR) {
            set_err(err, "%s: %s", cap->name, strerror(errno));
            return CAPTURE_ERROR;
        }
    }
}

enum capture_result capture_next(struct capture *cap, struct capture_pkt *out, char *err)
{
    if (cap->live)
        return live_next(cap, out, err);
    for (;;) {
        enum capfile_result r = cap->ra ? readahead_next(cap->ra, out) : capset_next(cap->set, out);
        if (r == CAPFILE_PACKET) {
            if (!cap->ra && !keep(cap, out))
                continue;
            if (cap->dump && !cap->dump_chosen && dump_packet(cap, out, err) < 0)
                return CAPTURE_WRITE_FAILED;
            return CAPTURE_PACKET;
        }
        if (r == CAPFILE_SECRETS) {
            size_t len;
            const uint8_t *p = cap->ra ? readahead_secrets(cap->ra, &len) : capset_secrets(cap->set, &len);
            if (cap->secrets)
                cap->secrets(cap->secrets_ctx, p, len);
            continue;
        }
        if (r == CAPFILE_AGAIN)
            return CAPTURE_TIMEOUT; /* a stream, read without waiting: nothing whole yet */
        return CAPTURE_EOF;
    }
}

void capture_stop_reading(struct capture *cap)
{
    readahead_finish(cap->ra);
    cap->ra = NULL;
}

void capture_break(struct capture *cap)
{
    cap->stop = 1;
    if (cap->live)
        pcap_breakloop(cap->p);
}

int capture_stats(struct capture *cap, struct capture_stats *st)
{
    memset(st, 0, sizeof *st);
    if (cap->live) {
        struct pcap_stat ps;
        if (pcap_stats(cap->p, &ps) < 0)
            return -1;
        st->received = ps.ps_recv;
        st->dropped = ps.ps_drop;
        st->if_dropped = ps.ps_ifdrop;
        st->known = st->has_received = st->has_dropped = st->has_if_dropped = 1;
        return 0;
    }
    size_t n = capset_ifaces(cap->set);
    for (size_t i = 0; i < n; i++) {
        struct capset_iface e;
        if (!capset_iface(cap->set, (uint32_t)i, &e))
            continue;
        if (e.isb.received != UINT64_MAX)
            st->received += e.isb.received, st->has_received = 1;
        if (e.isb.os_dropped != UINT64_MAX)
            st->dropped += e.isb.os_dropped, st->has_dropped = 1;
        if (e.isb.if_dropped != UINT64_MAX)
            st->if_dropped += e.isb.if_dropped, st->has_if_dropped = 1;
    }
    st->known = st->has_received || st->has_dropped || st->has_if_dropped;
    return st->known ? 0 : -1;
}

/* ------------------------------------------------------------ problems */

static void note(void (*say)(void *, const char *, int), void *ctx, int damage, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void note(void (*say)(void *, const char *, int), void *ctx, int damage, const char *fmt, ...)
{
    char line[CAPTURE_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    say(ctx, line, damage);
}

#define ULL(x) ((unsigned long long)(x))

static int file_problems(const char *name, const struct capfile_report *r,
                         void (*say)(void *, const char *, int), void *ctx)
{
    int damage = 0;
    if (r->skips) {
        note(say, ctx, damage = 1,
             "%s: damaged: %llu bytes skipped to the %s (%llu place%s, the first at offset %lld, a record length of"
             " %u); the packets %s are read",
             name, ULL(r->skipped_bytes), r->skip_to_end && r->skips == 1 ? "end of the file" : "next plausible record",
             ULL(r->skips), r->skips == 1 ? "" : "s", (long long)r->first_skip_at, r->first_skip_len,
             r->skip_to_end && r->skips == 1 ? "before it" : "on both sides");
    }
    if (r->fail)
        note(say, ctx, damage = 1, "%s (every packet before it is read)", r->fail_msg);
    else if (r->cut)
        note(say, ctx, damage = 1,
             "%s: truncated: the file ends inside a record (%llu bytes at offset %lld not read; every whole "
             "packet before them is)",
             name, ULL(r->cut_bytes), (long long)r->cut_at);
    static const struct { size_t off; const char *what; } counts[] = {
        {offsetof(struct capfile_report, caplen_over_wire), "records captured more bytes than their original length (the original length was raised)"},
        {offsetof(struct capfile_report, missing_iface), "packets name an interface the file does not describe (skipped)"},
        {offsetof(struct capfile_report, oversize), "packet blocks are longer than 256 KiB (skipped)"},
        {offsetof(struct capfile_report, bad_options), "blocks have options that run past their end (the rest of their options ignored)"},
        {offsetof(struct capfile_report, bad_blocks), "blocks are too short for their own fields (skipped)"},
        {offsetof(struct capfile_report, unknown_blocks), "blocks of unknown types (skipped)"},
        {offsetof(struct capfile_report, other_secrets), "Decryption Secrets Blocks are not TLS key logs (skipped)"},
        {offsetof(struct capfile_report, big_secrets), "TLS secrets blocks are larger than 16 MiB or malformed (skipped)"},
        {offsetof(struct capfile_report, clamped_ts), "timestamps lie beyond 146 years from 1970 (clamped)"},
        {offsetof(struct capfile_report, bad_tsresol), "interfaces have a timestamp resolution finer than 10^-28 s (microseconds used)"},
        {offsetof(struct capfile_report, too_many_ifaces), "interface descriptions past 65536 (ignored, their packets skipped)"},
        {offsetof(struct capfile_report, too_many_sections), "section headers past 65536 (their packets are read, but the ladder may not find them again)"},
    };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        uint64_t v;
        memcpy(&v, (const char *)r + counts[i].off, sizeof v);
        if (v)
            note(say, ctx, 0, "%s: warning: %llu %s", name, ULL(v), counts[i].what);
    }
    return damage;
}

int capture_problems(const struct capture *cap, void (*say)(void *ctx, const char *line, int damage), void *ctx)
{
    int damage = 0;
    if (cap->live) {
        if (cap->dump_skipped)
            note(say, ctx, 0, "%s: %llu packets not written", cap->dump_path, ULL(cap->dump_skipped));
        return 0;
    }
    const char *skipped_name;
    size_t skipped = capset_skipped_files(cap->set, &skipped_name);
    if (skipped)
        note(say, ctx, 0, "note: %zu file%s in the directory left out: not captures (the first: %s)", skipped,
             skipped == 1 ? "" : "s", skipped_name);
    if (capset_lost_secrets(cap->set))
        note(say, ctx, 0, "%s: warning: %llu decryption secrets blocks before the first packets past 64 MiB (not used)",
             cap->name, ULL(capset_lost_secrets(cap->set)));
    for (size_t i = 0; i < capset_files(cap->set); i++) {
        const struct capfile_report *r = capset_file_report(cap->set, i);
        if (r)
            damage |= file_problems(capset_file_name(cap->set, i), r, say, ctx);
    }
    size_t n = capset_ifaces(cap->set);
    for (size_t i = 0; i < n; i++) {
        struct capset_iface e;
        if (capset_iface(cap->set, (uint32_t)i, &e) && e.unsupported) {
            const char *dn = capture_dlt_name(e.dlt);
            note(say, ctx, 0, "%s: warning: interface %s: link type %s%s%d%s not supported: %llu packets skipped",
                 cap->name, e.name, dn ? dn : "", dn ? " (" : "", e.dlt, dn ? ")" : "", ULL(e.unsupported));
        }
    }
    for (int i = 0; i < cap->nprogs; i++)
        if (cap->progs[i].dropped) {
            const char *dn = capture_dlt_name(cap->progs[i].dlt);
            note(say, ctx, 0, "%s: warning: the filter cannot be applied to link type %s (%d): %llu packets skipped (%s)",
                 cap->name, dn ? dn : "?", cap->progs[i].dlt, ULL(cap->progs[i].dropped),
                 cap->progs[i].why[0] ? cap->progs[i].why : "too many link types");
        }
    if (cap->dump_skipped) {
        const char *dn = capture_dlt_name(cap->dump_dlt);
        note(say, ctx, 0,
             "%s: warning: %llu packets of other link types than %s (%d) not written (a pcap file holds one)",
             cap->dump_path, ULL(cap->dump_skipped), dn ? dn : "?", cap->dump_dlt);
    }
    return damage;
}

/* ------------------------------------------------------------ interfaces and files */

static const struct capset *set_of(const struct capture *cap) { return cap->set; }

size_t capture_ifaces(const struct capture *cap) { return cap->live ? 1 : capset_ifaces(set_of(cap)); }

const char *capture_iface_name(const struct capture *cap, uint32_t iface, char *buf, size_t len)
{
    if (cap->live) {
        snprintf(buf, len, "%s", cap->name);
        return iface == 0 ? buf : NULL;
    }
    return capset_iface_name(set_of(cap), iface, buf, len);
}

int capture_names_ifaces(const struct capture *cap) { return !cap->live && capset_pcapng(set_of(cap)); }

size_t capture_files(const struct capture *cap) { return cap->live ? 0 : capset_files(set_of(cap)); }

const char *capture_file_name(const struct capture *cap, int64_t offset)
{
    if (cap->live || offset < 0)
        return NULL;
    return capset_file_name(set_of(cap), (size_t)(offset >> CAPFILE_POS_BITS));
}

const char *capture_source_name(const struct capture *cap) { return cap->name; }

/* ------------------------------------------------------------ reading again */

struct capture *capture_reopen(struct capture *cap, char *err)
{
    if (cap->live) {
        set_err(err, "%s: a live capture cannot be read again%s", cap->name, "");
        return NULL;
    }
    struct capture *r = new_capture();
    char serr[CAPSRC_ERRLEN];
    if (!r || !(r->set = capset_reader(cap->set, serr)) || (cap->filter && !(r->filter = strdup(cap->filter)))) {
        snprintf(err, CAPTURE_ERRLEN, "%s", r && !r->set ? serr : strerror(ENOMEM));
        capture_close(r);
        return NULL;
    }
    r->main = cap;
    r->supported = cap->supported;
    r->ts_digits = cap->ts_digits;
    snprintf(r->name, sizeof r->name, "%s", cap->name);
    return r;
}

int capture_seekable(const struct capture *cap) { return !cap->live && capset_seekable(cap->set); }

int capture_seek(struct capture *cap, int64_t offset, char *err)
{
    char serr[CAPSRC_ERRLEN];
    if (!cap->main || capset_seek(cap->set, offset, serr) < 0) {
        snprintf(err, CAPTURE_ERRLEN, "%s", cap->main ? serr : "cannot go back to a packet");
        return -1;
    }
    return 0;
}

int capture_read_at(struct capture *cap, int64_t offset, struct capture_pkt *out, char *err)
{
    char serr[CAPSRC_ERRLEN];
    if (!cap->main || capset_read_at(cap->set, offset, out, serr) < 0) {
        snprintf(err, CAPTURE_ERRLEN, "%s", cap->main ? serr : "cannot go back to a packet");
        return -1;
    }
    return 0;
}

int64_t capture_position(const struct capture *cap) { return cap->live ? 0 : capset_position(cap->set); }
int64_t capture_size(const struct capture *cap) { return cap->live ? 0 : capset_size(cap->set); }

void capture_set_timeout(struct capture *cap, int ms) { cap->timeout_ms = ms; }

int capture_set_nonblock(struct capture *cap, char *err)
{
    (void)err;
    cap->timeout_ms = 0; /* live: nonblocking already, just never wait */
    if (cap->set && !cap->ra)
        capset_nowait(cap->set, 1); /* a stream: CAPTURE_TIMEOUT while nothing whole has come */
    return 0;
}

/* ------------------------------------------------------------ closing */

int capture_close_checked(struct capture *cap, char *err)
{
    int rc = 0;
    if (!cap)
        return 0;
    readahead_finish(cap->ra);
    cap->ra = NULL;
    if (cap->dump) {
        if (capture_flush(cap, err) < 0)
            rc = -1;
        pcap_dump_close(cap->dump); /* fclose: its result is lost, the second descriptor's close says it */
        if (close(cap->dump_fd2) < 0 && rc == 0) {
            dump_failed(cap, errno, err);
            rc = -1;
        }
        cap->dump_fd2 = -1;
    }
    if (cap->dump_fd2 >= 0)
        close(cap->dump_fd2);
    if (cap->dead)
        pcap_close(cap->dead);
    for (int i = 0; i < cap->nprogs; i++)
        if (cap->progs[i].ok)
            pcap_freecode(&cap->progs[i].prog);
    free(cap->filter);
    if (cap->p)
        pcap_close(cap->p);
    capset_close(cap->set);
    free(cap);
    return rc;
}

void capture_close(struct capture *cap)
{
    char err[CAPTURE_ERRLEN];
    (void)capture_close_checked(cap, err);
}

const char *capture_lib_version(void) { return pcap_lib_version(); }
