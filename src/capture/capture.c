/*
 * capture.c - libpcap behind one small interface (see capture.h).
 *
 * Files are opened with nanosecond precision so pcapng and nanosecond pcap
 * keep every digit; microsecond pcap files are recognised by their magic so
 * outputs print the precision the file really has.
 */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIVE_SNAPLEN 262144
#define LIVE_TIMEOUT_MS 100

struct capture {
    pcap_t *p;
    pcap_dumper_t *dump;
    FILE *file;        /* the savefile being read, for offsets and seeking (NULL live, or a pipe) */
    int64_t size;
    int live;
    int ts_digits;
    int nano;          /* tv_usec holds nanoseconds */
    char name[256];
};

static void set_err(char *err, const char *fmt, const char *a, const char *b)
{
    snprintf(err, CAPTURE_ERRLEN, fmt, a, b);
}

/* A classic pcap with the microsecond magic (either byte order). */
static int usec_magic(const unsigned char m[4], size_t n)
{
    return n == 4 && ((m[0] == 0xd4 && m[1] == 0xc3 && m[2] == 0xb2 && m[3] == 0xa1) ||
                      (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0xc3 && m[3] == 0xd4));
}

static int is_usec_pcap(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char m[4] = {0};
    size_t n = fread(m, 1, 4, f);
    fclose(f);
    return usec_magic(m, n);
}

/* `-r -`: standard input, as tcpdump reads it.  The magic is peeked and
 * pushed back: the bytes are still in stdio's buffer, so glibc takes them
 * back one by one (C promises only one). */
static pcap_t *open_stdin(int *usec, char *perr)
{
    unsigned char m[4] = {0};
    size_t n = fread(m, 1, 4, stdin);
    *usec = usec_magic(m, n);
    for (size_t i = n; i-- > 0;)
        if (ungetc(m[i], stdin) == EOF)
            return snprintf(perr, PCAP_ERRBUF_SIZE, "cannot read it back"), NULL;
    return pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_NANO, perr);
}

struct capture *capture_open_file(const char *path, char *err)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    struct capture *cap = calloc(1, sizeof *cap);
    if (!cap) {
        set_err(err, "%s: %s", path, strerror(ENOMEM));
        return NULL;
    }
    int usec = 0;
    if (!strcmp(path, "-")) {
        cap->p = open_stdin(&usec, perr);
    } else {
        FILE *probe = fopen(path, "rb");
        if (!probe) {
            set_err(err, "%s: %s", path, strerror(errno));
            free(cap);
            return NULL;
        }
        fclose(probe);
        usec = is_usec_pcap(path);
        cap->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    }
    if (!cap->p) {
        /* libpcap's messages sometimes start with the path already */
        const char *msg = perr;
        size_t pl = strlen(path);
        if (!strncmp(msg, path, pl) && msg[pl] == ':')
            msg += pl + 1 + (msg[pl + 1] == ' ');
        set_err(err, "%s: not a readable capture file (%s)", path, msg[0] ? msg : "unknown format");
        free(cap);
        return NULL;
    }
    cap->ts_digits = usec ? 6 : 9;
    cap->nano = 1;
    FILE *f = pcap_file(cap->p);
    struct stat stbuf;
    /* Only a regular file has offsets to go back to (a pipe, `-r -`, has none:
     * asking for them would cost a failing lseek per packet).  One seek to
     * where libpcap stands makes glibc's ftell answer from the position it
     * tracks instead of an lseek per packet, which more than doubled the
     * reading time. */
    if (f && fstat(fileno(f), &stbuf) == 0 && S_ISREG(stbuf.st_mode)) {
        cap->size = stbuf.st_size;
        off_t here = ftello(f);
        if (here >= 0 && fseeko(f, here, SEEK_SET) == 0)
            cap->file = f;
    }
    snprintf(cap->name, sizeof cap->name, "%s", path);
    return cap;
}

struct capture *capture_open_live(const char *iface, char *err)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    struct capture *cap = calloc(1, sizeof *cap);
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
    pcap_set_snaplen(cap->p, LIVE_SNAPLEN);
    pcap_set_promisc(cap->p, 1);
    pcap_set_timeout(cap->p, LIVE_TIMEOUT_MS);
    pcap_set_tstamp_precision(cap->p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(cap->p);
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) {
        set_err(err, "%s: permission denied: capturing needs root or the CAP_NET_RAW capability%s", iface, "");
    } else if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
        set_err(err, "%s: no such interface%s", iface, "");
    } else if (rc < 0) {
        set_err(err, "%s: cannot capture: %s", iface, pcap_geterr(cap->p));
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

int capture_set_filter(struct capture *cap, const char *expr, char *err)
{
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

/* Mode 0600: a capture holds other people's traffic, and the file is made after
 * root is given up, by a user others may share (nobody). */
int capture_dump_to(struct capture *cap, const char *path, char *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
    if (!f) {
        set_err(err, "%s: cannot write: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    cap->dump = pcap_dump_fopen(cap->p, f);
    if (!cap->dump) {
        set_err(err, "%s: cannot write: %s", path, pcap_geterr(cap->p));
        fclose(f);
        return -1;
    }
    return 0;
}

int capture_datalink(const struct capture *cap) { return pcap_datalink(cap->p); }

const char *capture_datalink_name(const struct capture *cap)
{
    return pcap_datalink_val_to_name(pcap_datalink(cap->p));
}

int capture_ts_digits(const struct capture *cap) { return cap->ts_digits; }
int capture_is_live(const struct capture *cap) { return cap->live; }
int capture_fd(const struct capture *cap) { return cap->live ? pcap_get_selectable_fd(cap->p) : -1; }

/* Nanoseconds since the epoch, clamped to about 146 years either side so the
 * difference of any two timestamps still fits an int64_t: pcapng carries
 * 64-bit timestamps and a signed if_tsoffset, so the seconds can be anything. */
static int64_t ts_to_ns(int64_t sec, int64_t frac, int nano)
{
    const int64_t lim = INT64_C(1) << 62, lim_s = lim / 1000000000 - 1;
    if (frac < 0 || frac > UINT32_MAX)
        frac = 0; /* the file format holds 32 bits; some writers overflow into a second, kept as they wrote it */
    if (sec > lim_s || sec < -lim_s)
        return sec > 0 ? lim : -lim;
    return sec * 1000000000 + frac * (nano ? 1 : 1000);
}

enum capture_result capture_next(struct capture *cap, struct capture_pkt *out, char *err)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    /* the record about to be read starts here (stdio accounts for libpcap's buffering) */
    out->offset = cap->file ? (int64_t)ftell(cap->file) : cap->dump ? (int64_t)pcap_dump_ftell(cap->dump) : -1;
    int rc = pcap_next_ex(cap->p, &h, &data);
    if (rc == 1) {
        out->ts_ns = ts_to_ns(h->ts.tv_sec, h->ts.tv_usec, cap->nano);
        out->caplen = h->caplen;
        out->wirelen = h->len;
        out->data = data;
        if (cap->dump)
            pcap_dump((u_char *)cap->dump, h, data);
        return CAPTURE_PACKET;
    }
    if (rc == 0)
        return CAPTURE_TIMEOUT;
    if (rc == PCAP_ERROR_BREAK)
        return CAPTURE_EOF;
    set_err(err, "%s: %s", cap->name, pcap_geterr(cap->p));
    return CAPTURE_ERROR;
}

void capture_break(struct capture *cap) { pcap_breakloop(cap->p); }

int capture_seek(struct capture *cap, int64_t offset, char *err)
{
    if (!cap->file || offset < 0 || fseek(cap->file, (long)offset, SEEK_SET) != 0) {
        set_err(err, "%s: cannot go back to a packet%s", cap->name, cap->file ? "" : " (not a file)");
        return -1;
    }
    return 0;
}

int64_t capture_position(const struct capture *cap) { return cap->file ? (int64_t)ftell(cap->file) : 0; }
int64_t capture_size(const struct capture *cap) { return cap->size; }

int capture_set_nonblock(struct capture *cap, char *err)
{
    char perr[PCAP_ERRBUF_SIZE];
    if (pcap_setnonblock(cap->p, 1, perr) < 0) {
        set_err(err, "%.200s: %.280s", cap->name, perr);
        return -1;
    }
    return 0;
}

int capture_stats(struct capture *cap, struct capture_stats *st)
{
    struct pcap_stat ps;
    memset(st, 0, sizeof *st);
    if (!cap->live || pcap_stats(cap->p, &ps) < 0)
        return -1;
    st->received = ps.ps_recv;
    st->dropped = ps.ps_drop;
    st->if_dropped = ps.ps_ifdrop;
    return 0;
}

int capture_flush(struct capture *cap, char *err)
{
    if (cap->dump && pcap_dump_flush(cap->dump) < 0) {
        set_err(err, "%s: %s", "write to savefile failed", strerror(errno));
        return -1;
    }
    return 0;
}

void capture_close(struct capture *cap)
{
    if (!cap)
        return;
    if (cap->dump)
        pcap_dump_close(cap->dump);
    pcap_close(cap->p);
    free(cap);
}

const char *capture_lib_version(void) { return pcap_lib_version(); }
