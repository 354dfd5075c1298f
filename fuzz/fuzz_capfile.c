/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_capfile.c - synfin's capture file reader alone (capsrc.c, capfile.c,
 * capset.c, readahead.c) on any bytes.
 *
 * Input: one byte of flags, then the file's bytes.  The file is read to its
 * end, its packets recorded (time, offset, lengths, a hash of the bytes),
 * and checked against what the reader promises:
 *   - no packet longer than 256 KiB or than its original length, offsets
 *     strictly increasing inside the file, never past its end, and the
 *     skipped, cut and read bytes not more than the file holds;
 *   - a classic pcap whose records chain to its end (walked here, apart)
 *     reads with no damage reported and every record a packet;
 *   - a second reader finds each packet again at its offset, same bytes;
 *   - flags & 1: the same file gzip-compressed gives the same packets;
 *     flags & 2: zstd-compressed, the same;
 *   - flags & 4: read ahead on a thread (with a filter dropping some),
 *     the same packets in the same order, and the secrets at the same places;
 *   - flags & 8: the file given twice is read as one capture of twice the
 *     packets, in time order per file.
 * Beyond the sanitizers: every damage is a counted report, never a crash,
 * a hang or an allocation that grows with a length field.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "capset.h"
#include "readahead.h"

#include "fuzz_common.h"

#define MAX_PKTS 2048

static char path[128], path2[128];

struct rec {
    int64_t ts, offset;
    uint32_t caplen, wirelen, hash;
    int dlt;
    uint32_t secrets_before; /* secrets blocks handed out before it */
};

struct run {
    struct rec r[MAX_PKTS];
    size_t n;
    uint32_t secrets;
};

/* the runs compared, static: a fresh 80 KiB each time would be most of the time spent */
static struct run plain_run, other_run, kept_run;

static struct run *fresh(struct run *r)
{
    r->n = 0;
    r->secrets = 0;
    return r;
}

static uint32_t FUZZ_NOCOV hash32(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void remove_temp(void)
{
    unlink(path);
    unlink(path2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(path, sizeof path, "%s/fuzz_capfile.%ld", dir, (long)getpid());
    snprintf(path2, sizeof path2, "%s/fuzz_capfile.%ld.z", dir, (long)getpid());
    atexit(remove_temp);
    return 0;
}

static void write_file(const char *p, const uint8_t *data, size_t size)
{
    FILE *f = fopen(p, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
}

static void add(struct run *run, const struct capture_pkt *pk)
{
    if (run->n < MAX_PKTS)
        run->r[run->n] = (struct rec){pk->ts_ns, pk->offset, pk->caplen, pk->wirelen,
                                      hash32(pk->data, pk->caplen), pk->dlt, run->secrets};
    run->n++;
}

/* Read a set of files to its end on this thread. */
static struct capset *read_all(const char *const *paths, size_t n, struct run *run)
{
    char err[CAPSRC_ERRLEN];
    struct capset *s = capset_open(paths, n, NULL, err);
    if (!s)
        return NULL;
    struct capture_pkt pk;
    enum capfile_result r;
    while ((r = capset_next(s, &pk)) != CAPFILE_END) {
        FUZZ_CHECK(r == CAPFILE_PACKET || r == CAPFILE_SECRETS, "capset_next returned %d", (int)r);
        if (r == CAPFILE_SECRETS) {
            size_t len;
            const uint8_t *t = capset_secrets(s, &len);
            FUZZ_CHECK(len <= CAPFILE_MAX_SECRETS && (t || !len), "secrets of %zu bytes", len);
            run->secrets++;
            continue;
        }
        add(run, &pk);
    }
    return s;
}

static int keep_some(void *ctx, const struct capture_pkt *pk)
{
    (void)ctx;
    return pk->caplen % 7 != 3;
}

static void same(const struct run *a, const struct run *b, const char *what)
{
    FUZZ_CHECK(a->n == b->n, "%s: %zu packets, %zu on one thread", what, b->n, a->n);
    for (size_t i = 0; i < a->n && i < MAX_PKTS; i++) {
        const struct rec *x = &a->r[i], *y = &b->r[i];
        FUZZ_CHECK(x->ts == y->ts && x->caplen == y->caplen && x->wirelen == y->wirelen && x->hash == y->hash &&
                       x->dlt == y->dlt,
                   "%s: packet %zu differs", what, i);
    }
}

static void compressed(const uint8_t *data, size_t size, int zstd, const struct run *plain)
{
    uint8_t *out;
    size_t n;
    if (zstd) {
        size_t cap = ZSTD_compressBound(size);
        out = malloc(cap);
        n = ZSTD_compress(out, cap, data, size, 1);
        FUZZ_CHECK(!ZSTD_isError(n), "zstd");
    } else {
        uLongf cap = compressBound((uLong)size) + 32;
        out = malloc(cap);
        z_stream z;
        memset(&z, 0, sizeof z);
        deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
        z.next_in = (uint8_t *)data;
        z.avail_in = (uInt)size;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
        n = cap - z.avail_out;
        deflateEnd(&z);
    }
    write_file(path2, out, n);
    free(out);
    struct run *r = fresh(&other_run);
    const char *p = path2;
    struct capset *s = read_all(&p, 1, r);
    if (s || plain->n) { /* the plain file opened, so must the compressed one */
        FUZZ_CHECK(s != NULL, "the %s copy does not open", zstd ? "zstd" : "gzip");
        same(plain, r, zstd ? "zstd" : "gzip");
        FUZZ_CHECK(r->secrets == plain->secrets, "secrets %u vs %u", r->secrets, plain->secrets);
    }
    capset_close(s);
}

static void read_ahead(const struct run *plain)
{
    struct run *kept = fresh(&kept_run), *got = fresh(&other_run);
    for (size_t i = 0; i < plain->n && i < MAX_PKTS; i++)
        if (plain->r[i].caplen % 7 != 3)
            kept->r[kept->n++] = plain->r[i];
    volatile sig_atomic_t stop = 0;
    char err[CAPSRC_ERRLEN];
    const char *p = path;
    struct capset *s = capset_open(&p, 1, &stop, err);
    FUZZ_CHECK(s != NULL, "second open: %s", err);
    struct readahead *ra = readahead_start(s, keep_some, NULL, &stop, err);
    FUZZ_CHECK(ra != NULL, "readahead_start: %s", err);
    struct capture_pkt pk;
    enum capfile_result r;
    while ((r = readahead_next(ra, &pk)) != CAPFILE_END) {
        FUZZ_CHECK(r == CAPFILE_PACKET || r == CAPFILE_SECRETS, "readahead_next returned %d", (int)r);
        if (r == CAPFILE_PACKET)
            add(got, &pk);
    }
    readahead_finish(ra);
    capset_close(s);
    if (plain->n <= MAX_PKTS)
        same(kept, got, "read ahead");
}

/* An independent walk of a little-endian classic pcap: its record count when
 * every record is at most 256 KiB and they end exactly with the file (and none
 * starts like a file header), else -1.  Such a file must read clean. */
static long FUZZ_NOCOV simple_pcap(const uint8_t *d, size_t n)
{
    uint32_t w;
    if (n < 24)
        return -1;
    memcpy(&w, d, 4);
    if (w != 0xa1b2c3d4 && w != 0xa1b23c4d)
        return -1;
    size_t pos = 24;
    long count = 0;
    while (pos + 16 <= n) {
        uint32_t first, caplen;
        memcpy(&first, d + pos, 4);
        memcpy(&caplen, d + pos + 8, 4);
        if (caplen > CAPFILE_MAX_CAPLEN || (first & 0xffff0000u) == 0xa1b20000u || (first & 0xffffu) == 0xb2a1u ||
            first == 0x0A0D0D0Au || n - pos - 16 < caplen)
            return -1;
        pos += 16 + (size_t)caplen;
        count++;
    }
    return pos == n ? count : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 22))
        return 0;
    uint8_t flags = data[0];
    data++;
    size--;
    write_file(path, data, size);
    struct run *plain = fresh(&plain_run);
    const char *p = path;
    struct capset *s = read_all(&p, 1, plain);
    if (s) {
        int64_t last = -1;
        uint64_t bytes = 0;
        for (size_t i = 0; i < plain->n && i < MAX_PKTS; i++) {
            const struct rec *r = &plain->r[i];
            FUZZ_CHECK(r->caplen <= CAPFILE_MAX_CAPLEN && r->caplen <= r->wirelen, "packet %zu: caplen %u wirelen %u",
                       i, r->caplen, r->wirelen);
            FUZZ_CHECK(r->offset > last && r->offset < (int64_t)size, "packet %zu at offset %lld (last %lld, size %zu)",
                       i, (long long)r->offset, (long long)last, size);
            last = r->offset;
            bytes += r->caplen;
        }
        const struct capfile_report *rep = capset_file_report(s, 0);
        FUZZ_CHECK(rep != NULL, "no report");
        FUZZ_CHECK(rep->skipped_bytes + rep->cut_bytes + bytes <= size,
                   "skipped %llu + cut %llu + packets %llu > %zu bytes", (unsigned long long)rep->skipped_bytes,
                   (unsigned long long)rep->cut_bytes, (unsigned long long)bytes, size);
        FUZZ_CHECK(rep->packets == plain->n, "report says %llu packets, %zu read", (unsigned long long)rep->packets,
                   plain->n);
        long simple = simple_pcap(data, size);
        FUZZ_CHECK(simple < 0 || (!rep->skips && !rep->cut && !rep->fail && plain->n == (size_t)simple),
                   "a well-formed pcap of %ld records read with %llu skips, cut %d, %zu packets", simple,
                   (unsigned long long)rep->skips, rep->cut, plain->n);
        /* every packet found again by a second reader */
        char err[CAPSRC_ERRLEN];
        struct capset *again = capset_reader(s, err);
        FUZZ_CHECK(again != NULL, "capset_reader: %s", err);
        for (size_t i = 0; i < plain->n && i < 64; i++) {
            struct capture_pkt pk;
            FUZZ_CHECK(capset_read_at(again, plain->r[i].offset, &pk, err) == 0, "read_at packet %zu: %s", i, err);
            FUZZ_CHECK(pk.ts_ns == plain->r[i].ts && pk.caplen == plain->r[i].caplen &&
                           hash32(pk.data, pk.caplen) == plain->r[i].hash,
                       "packet %zu read again differs", i);
        }
        capset_close(again);
        capset_close(s);
        if (flags & 1)
            compressed(data, size, 0, plain);
        if (flags & 2)
            compressed(data, size, 1, plain);
        if (flags & 4)
            read_ahead(plain);
        if (flags & 8) { /* the same file twice: twice the packets, each file's in its order */
            const char *two[] = {path, path};
            struct run *both = fresh(&other_run);
            struct capset *s2 = read_all(two, 2, both);
            FUZZ_CHECK(s2 != NULL, "the file twice does not open");
            FUZZ_CHECK(both->n == 2 * plain->n, "twice: %zu packets, not %zu", both->n, 2 * plain->n);
            int64_t lastf[2] = {-1, -1};
            for (size_t i = 0; i < both->n && i < MAX_PKTS; i++) {
                int f = (int)(both->r[i].offset >> CAPFILE_POS_BITS);
                FUZZ_CHECK(f == 0 || f == 1, "file number %d", f);
                FUZZ_CHECK(both->r[i].offset > lastf[f], "file %d goes back", f);
                lastf[f] = both->r[i].offset;
            }
            capset_close(s2);
        }
    }
    return 0;
}
