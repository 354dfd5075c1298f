/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_pcap.c - chosen connections as a pcap file (see out_pcap.h), written
 * with libpcap's savefile writer (pcap-savefile(5)).
 */
#include "out_pcap.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct saver {
    const char *path;
    FILE *f;
    pcap_t *dead;
    pcap_dumper_t *dump;
    int dlt, nano;
    struct pcap_save_result *res;
};

static int put(void *ctx, const struct capture_pkt *pk, char *err)
{
    struct saver *s = ctx;
    if (!s->dump) { /* the file's link type is the first packet's */
        s->dlt = pk->dlt;
        s->dead = pcap_open_dead_with_tstamp_precision(pk->dlt, 262144, s->nano ? PCAP_TSTAMP_PRECISION_NANO
                                                                              : PCAP_TSTAMP_PRECISION_MICRO);
        s->dump = s->dead ? pcap_dump_fopen(s->dead, s->f) : NULL;
        if (!s->dump) {
            s->res->err_no = errno;
            snprintf(err, CAPTURE_ERRLEN, "%s: cannot write: %s", s->path,
                     s->dead ? pcap_geterr(s->dead) : strerror(ENOMEM));
            return -1;
        }
        s->f = NULL; /* the dumper's now */
    }
    if (pk->dlt != s->dlt) {
        s->res->other_links++;
        return 0;
    }
    struct pcap_pkthdr h;
    int64_t sec = pk->ts_ns / 1000000000, ns = pk->ts_ns % 1000000000;
    if (ns < 0) {
        sec--;
        ns += 1000000000;
    }
    h.ts.tv_sec = (time_t)sec;
    h.ts.tv_usec = (suseconds_t)(s->nano ? ns : ns / 1000);
    h.caplen = pk->caplen;
    h.len = pk->wirelen;
    errno = 0;
    pcap_dump((u_char *)s->dump, &h, pk->data);
    if (ferror(pcap_dump_file(s->dump))) {
        s->res->err_no = errno ? errno : EIO;
        snprintf(err, CAPTURE_ERRLEN, "%s: cannot write: %s", s->path, strerror(errno ? errno : EIO));
        return -1;
    }
    s->res->packets++;
    return 0;
}

int pcap_save(const char *path, struct capture *source, const char *dump_path, const struct span_target *t, size_t n,
              int nano, struct pcap_save_result *res, char *err)
{
    memset(res, 0, sizeof *res);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        res->err_no = errno;
        snprintf(err, CAPTURE_ERRLEN, "%s: cannot write: %s", path,
                 errno == EEXIST ? "the file exists (not overwritten)" : strerror(errno));
        return -1;
    }
    struct saver s = {.path = path, .f = fdopen(fd, "wb"), .nano = nano, .res = res};
    if (!s.f) {
        snprintf(err, CAPTURE_ERRLEN, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    long got = spans_read(source, dump_path, t, n, put, &s, err);
    int rc = got < 0 ? -1 : 0;
    if (rc == 0 && !s.dump) { /* nothing to write: an empty capture of the input's link type */
        struct capture_pkt none = {.dlt = capture_datalink(source) >= 0 ? capture_datalink(source) : 1};
        s.dlt = none.dlt;
        s.dead = pcap_open_dead_with_tstamp_precision(s.dlt, 262144, nano ? PCAP_TSTAMP_PRECISION_NANO
                                                                          : PCAP_TSTAMP_PRECISION_MICRO);
        if (s.dead && (s.dump = pcap_dump_fopen(s.dead, s.f)))
            s.f = NULL;
    }
    if (s.dump) {
        errno = 0;
        if (pcap_dump_flush(s.dump) < 0 && rc == 0) {
            res->err_no = errno ? errno : EIO;
            snprintf(err, CAPTURE_ERRLEN, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
            rc = -1;
        }
        pcap_dump_close(s.dump);
    }
    if (s.f)
        fclose(s.f);
    if (s.dead)
        pcap_close(s.dead);
    if (rc < 0)
        unlink(path);
    return rc;
}
