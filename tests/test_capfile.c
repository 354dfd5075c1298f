/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_capfile.c - synfin's capture file reader, byte by byte: classic pcap
 * in every variant (both byte orders, micro/nanosecond, Kuznetzov, cat'ed
 * files), pcapng (sections of either byte order, interfaces with their own
 * link type, resolution and offset, EPB/SPB/PB, ISB, DSB, blocks to skip,
 * malformed options and interfaces), damage (an absurd record length
 * skipped to the next plausible record, a bad block trailer, a cut file),
 * gzip and zstd, records across chunk boundaries, several files merged in
 * time order and read again from the middle (checkpoints), a stream (a pipe)
 * and its stop flag, and the read-ahead thread giving exactly what one
 * thread reads.  Files are built here, in a fresh directory under $TMPDIR.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "capfile.h"
#include "capset.h"
#include "readahead.h"
#include "unit.h"

static char msg_buf[512];
static const char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *msgf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg_buf, sizeof msg_buf, fmt, ap);
    va_end(ap);
    return msg_buf;
}
#define CHECK(cond, ...) CU_assertImplementation(!!(cond), __LINE__, msgf(__VA_ARGS__), __FILE__, "", CU_FALSE)

/* ------------------------------------------------------------------ building files */

struct buf {
    uint8_t *p;
    size_t n, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
    if (!n)
        return;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void put16(struct buf *b, uint16_t v, int be)
{
    uint8_t x[2] = {be ? v >> 8 : v & 0xff, be ? v & 0xff : v >> 8};
    put(b, x, 2);
}

static void put32(struct buf *b, uint32_t v, int be)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
    put(b, x, 4);
}

static void put64(struct buf *b, uint64_t v, int be)
{
    put32(b, be ? (uint32_t)(v >> 32) : (uint32_t)v, be);
    put32(b, be ? (uint32_t)v : (uint32_t)(v >> 32), be);
}

static void pad4(struct buf *b)
{
    static const uint8_t z[4];
    put(b, z, (4 - b->n % 4) % 4);
}

/* The bytes of packet k: recognisable anywhere. */
static void frame(uint8_t *p, size_t len, unsigned k)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(k * 31 + i * 7);
}

static int frame_ok(const uint8_t *p, size_t len, unsigned k)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != (uint8_t)(k * 31 + i * 7))
            return 0;
    return 1;
}

static void pcap_header(struct buf *b, uint32_t magic, int be, uint32_t snap, uint32_t lt)
{
    put32(b, magic, be);
    put16(b, 2, be);
    put16(b, 4, be);
    put32(b, 0, be);
    put32(b, 0, be);
    put32(b, snap, be);
    put32(b, lt, be);
}

static void pcap_record(struct buf *b, int be, int kuz, uint32_t sec, uint32_t frac, unsigned k, uint32_t caplen,
                        uint32_t wire)
{
    put32(b, sec, be);
    put32(b, frac, be);
    put32(b, caplen, be);
    put32(b, wire, be);
    if (kuz) {
        put32(b, 7, be);
        put16(b, 0x0800, be);
        put16(b, 0, be);
    }
    uint8_t *d = malloc(caplen ? caplen : 1);
    frame(d, caplen, k);
    put(b, d, caplen);
    free(d);
}

/* A pcapng block: type, length, body (padded), length. */
static void block(struct buf *b, int be, uint32_t type, const struct buf *body)
{
    uint32_t len = 12 + (uint32_t)((body->n + 3) & ~(size_t)3);
    put32(b, type, be);
    put32(b, len, be);
    put(b, body->p, body->n);
    pad4(b);
    put32(b, len, be);
}

static void shb(struct buf *b, int be)
{
    struct buf body = {0};
    put32(&body, 0x1A2B3C4D, be);
    put16(&body, 1, be);
    put16(&body, 0, be);
    put64(&body, UINT64_MAX, be);
    block(b, be, 0x0A0D0D0A, &body);
    free(body.p);
}

static void option(struct buf *body, int be, uint16_t code, const void *v, uint16_t len)
{
    put16(body, code, be);
    put16(body, len, be);
    put(body, v, len);
    pad4(body);
}

/* tsresol 0: the default (microseconds) */
static void idb(struct buf *b, int be, uint16_t lt, uint32_t snap, const char *name, uint8_t tsresol, int64_t tsoff)
{
    struct buf body = {0};
    put16(&body, lt, be);
    put16(&body, 0, be);
    put32(&body, snap, be);
    if (name)
        option(&body, be, 2, name, (uint16_t)strlen(name));
    if (tsresol)
        option(&body, be, 9, &tsresol, 1);
    if (tsoff) {
        struct buf v = {0};
        put64(&v, (uint64_t)tsoff, be);
        option(&body, be, 14, v.p, 8);
        free(v.p);
    }
    if (name || tsresol || tsoff)
        option(&body, be, 0, NULL, 0);
    block(b, be, 1, &body);
    free(body.p);
}

static void epb(struct buf *b, int be, uint32_t id, uint64_t ts, unsigned k, uint32_t caplen, uint32_t wire)
{
    struct buf body = {0};
    put32(&body, id, be);
    put32(&body, (uint32_t)(ts >> 32), be);
    put32(&body, (uint32_t)ts, be);
    put32(&body, caplen, be);
    put32(&body, wire, be);
    uint8_t *d = malloc(caplen ? caplen : 1);
    frame(d, caplen, k);
    put(&body, d, caplen);
    free(d);
    block(b, be, 6, &body);
    free(body.p);
}

static void raw_block(struct buf *b, int be, uint32_t type, const void *p, size_t n)
{
    struct buf body = {0};
    put(&body, p, n);
    block(b, be, type, &body);
    free(body.p);
}

static void dsb(struct buf *b, int be, uint32_t type, const char *text)
{
    struct buf body = {0};
    put32(&body, type, be);
    put32(&body, (uint32_t)strlen(text), be);
    put(&body, text, strlen(text));
    block(b, be, 10, &body);
    free(body.p);
}

static char dir[256];

static const char *write_file(const char *name, const struct buf *b)
{
    static char path[4][512];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(b->p, 1, b->n, f) != b->n || fclose(f) != 0)
        abort();
    return p;
}

/* ------------------------------------------------------------------ reading */

struct seen {
    uint32_t gids;
    char names[8][64];
    int dlts[8];
    struct capfile_isb isb;
    int isb_calls;
};

static uint32_t hook_iface(void *ctx, int dlt, const char *name, uint32_t local, uint32_t snaplen)
{
    (void)snaplen;
    struct seen *s = ctx;
    if (s->gids >= 8)
        return CAPFILE_NO_IFACE;
    snprintf(s->names[s->gids], 64, "%s#%u", name ? name : "", local);
    s->dlts[s->gids] = dlt;
    return s->gids++;
}

static void hook_stats(void *ctx, uint32_t gid, const struct capfile_isb *isb)
{
    (void)gid;
    struct seen *s = ctx;
    s->isb = *isb;
    s->isb_calls++;
}

struct reader {
    struct seen seen;
    struct capfile_meta meta;
    struct capfile *f;
    char err[CAPSRC_ERRLEN];
};

static struct capfile *open_reader(struct reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    struct capfile_hooks h = {&r->seen, hook_iface, hook_stats, NULL};
    r->f = capfile_open(path, 0, &h, &r->meta, 1, NULL, r->err);
    return r->f;
}

static void close_reader(struct reader *r)
{
    capfile_close(r->f);
    capfile_meta_free(&r->meta);
}

/* ------------------------------------------------------------------ classic pcap */

static void test_pcap_variants(void)
{
    static const struct {
        uint32_t magic;
        int be, nano, kuz;
    } v[] = {{0xa1b2c3d4, 0, 0, 0}, {0xa1b2c3d4, 1, 0, 0}, {0xa1b23c4d, 0, 1, 0},
             {0xa1b23c4d, 1, 1, 0}, {0xa1b2cd34, 0, 0, 1}, {0xa1b2cd34, 1, 0, 1}};
    for (size_t i = 0; i < UNIT_COUNT(v); i++) {
        struct buf b = {0};
        pcap_header(&b, v[i].magic, v[i].be, 65535, 101); /* LINKTYPE_RAW: DLT_RAW for libpcap */
        for (unsigned k = 0; k < 3; k++)
            pcap_record(&b, v[i].be, v[i].kuz, 1700000000 + k, 123 + k, k, 40 + k, 60 + k);
        struct reader r;
        CHECK(open_reader(&r, write_file("v.pcap", &b)), "variant %zu: %s", i, r.err);
        if (!r.f)
            continue;
        CHECK(capfile_usec(r.f) == !v[i].nano, "variant %zu: usec", i);
        struct capture_pkt pk;
        int64_t off = 24;
        for (unsigned k = 0; k < 3; k++) {
            CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET, "variant %zu: packet %u", i, k);
            int64_t want = (int64_t)(1700000000 + k) * 1000000000 + (123 + k) * (v[i].nano ? 1 : 1000);
            CHECK(pk.ts_ns == want, "variant %zu packet %u: ts %lld, want %lld", i, k, (long long)pk.ts_ns,
                  (long long)want);
            CHECK(pk.caplen == 40 + k && pk.wirelen == 60 + k, "variant %zu: lengths %u/%u", i, pk.caplen, pk.wirelen);
            CHECK(frame_ok(pk.data, pk.caplen, k), "variant %zu packet %u: bytes", i, k);
            CHECK(pk.offset == off, "variant %zu packet %u: offset %lld, want %lld", i, k, (long long)pk.offset,
                  (long long)off);
            CHECK(pk.dlt == capfile_dlt(101) && pk.dlt != 101, "variant %zu: dlt %d", i, pk.dlt);
            off += (v[i].kuz ? 24 : 16) + 40 + k;
        }
        CHECK(capfile_next(r.f, &pk) == CAPFILE_END, "variant %zu: end", i);
        const struct capfile_report *rep = capfile_report(r.f);
        CHECK(!rep->cut && !rep->skips && !rep->fail && rep->packets == 3, "variant %zu: a clean report", i);
        close_reader(&r);
        free(b.p);
    }
}

/* `cat a.pcap b.pcap`: the second header starts a section of its own (other byte order, link type). */
static void test_pcap_concatenated(void)
{
    struct buf b = {0};
    pcap_header(&b, 0xa1b2c3d4, 0, 262144, 1);
    pcap_record(&b, 0, 0, 10, 0, 0, 50, 50);
    pcap_header(&b, 0xa1b23c4d, 1, 262144, 113);
    pcap_record(&b, 1, 0, 11, 5, 1, 50, 50);
    struct reader r;
    CHECK(open_reader(&r, write_file("cat.pcap", &b)), "%s", r.err);
    struct capture_pkt pk;
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && pk.dlt == 1 && pk.ts_ns == 10000000000, "first file's packet");
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && pk.dlt == 113 && pk.ts_ns == 11000000005 &&
              frame_ok(pk.data, 50, 1),
          "second file's packet: dlt %d ts %lld", pk.dlt, (long long)pk.ts_ns);
    CHECK(capfile_next(r.f, &pk) == CAPFILE_END, "end");
    CHECK(capfile_report(r.f)->sections == 1 && !capfile_report(r.f)->skips, "one more header, no damage");
    CHECK(r.seen.gids == 2, "two interfaces (%u)", r.seen.gids);
    close_reader(&r);
    free(b.p);
}

static void test_pcap_not_a_capture(void)
{
    struct buf b = {0};
    put(&b, "this is not a capture\n", 22);
    struct reader r;
    CHECK(!open_reader(&r, write_file("text.pcap", &b)), "text opened as a capture");
    CHECK(strstr(r.err, CAPFILE_NOT_CAPTURE) && strstr(r.err, "74 68 69 73"), "message: %s", r.err);
    b.n = 0;
    CHECK(!open_reader(&r, write_file("empty.pcap", &b)) && strstr(r.err, "an empty file"), "empty: %s", r.err);
    CHECK(!open_reader(&r, "/nonexistent/x.pcap") && strstr(r.err, "No such file"), "missing: %s", r.err);
    free(b.p);
}

/* ------------------------------------------------------------------ pcapng */

static void test_pcapng_sections(void)
{
    struct buf b = {0};
    shb(&b, 0);
    idb(&b, 0, 1, 262144, "eth0", 0, 0);
    epb(&b, 0, 0, 1700000000123456ull, 0, 60, 60);
    shb(&b, 1); /* big-endian, its interfaces numbered from 0 again */
    idb(&b, 1, 101, 65535, NULL, 9, 0);
    idb(&b, 1, 113, 65535, "any", 0x80 | 20, -100);
    epb(&b, 1, 1, (uint64_t)1700000000 << 20 | (1u << 19), 1, 70, 80); /* 2^-20 units: .5 s */
    epb(&b, 1, 0, 1700000000987654321ull, 2, 20, 20);
    struct reader r;
    CHECK(open_reader(&r, write_file("ng.pcapng", &b)), "%s", r.err);
    struct capture_pkt pk;
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && pk.ts_ns == 1700000000123456000 && pk.dlt == 1 &&
              pk.iface == 0 && frame_ok(pk.data, 60, 0),
          "EPB, microseconds: ts %lld dlt %d", (long long)pk.ts_ns, pk.dlt);
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && pk.dlt == 113 && pk.iface == 2 && pk.caplen == 70 &&
              pk.wirelen == 80,
          "EPB, interface 1 of section 2: dlt %d iface %u", pk.dlt, pk.iface);
    CHECK(pk.ts_ns == (int64_t)(1700000000 - 100) * 1000000000 + 500000000, "2^-20 units and if_tsoffset: %lld",
          (long long)pk.ts_ns);
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && pk.ts_ns == 1700000000987654321 && pk.dlt == capfile_dlt(101),
          "nanoseconds: %lld", (long long)pk.ts_ns);
    CHECK(capfile_next(r.f, &pk) == CAPFILE_END, "end");
    CHECK(r.seen.gids == 3 && !strcmp(r.seen.names[0], "eth0#0") && !strcmp(r.seen.names[1], "#0") &&
              !strcmp(r.seen.names[2], "any#1"),
          "interfaces: %u %s %s %s", r.seen.gids, r.seen.names[0], r.seen.names[1], r.seen.names[2]);
    CHECK(capfile_report(r.f)->sections == 1 && !capfile_report(r.f)->skips, "two sections, no damage");
    close_reader(&r);
    free(b.p);
}

static void test_pcapng_blocks(void)
{
    struct buf b = {0};
    shb(&b, 0);
    idb(&b, 0, 1, 100, NULL, 0, 0);
    raw_block(&b, 0, 4, "\x01\x00\x08\x00\x0a\x00\x00\x01host\x00\x00\x00\x00\x00\x00", 18); /* NRB */
    raw_block(&b, 0, 0x00000BAD, "\x00\x00\x00\x01custom!!", 12);
    raw_block(&b, 0, 0x12345678, "junk", 4);
    epb(&b, 0, 0, 5000000, 0, 60, 60);
    { /* SPB: interface 0, no timestamp (the last one), cut to the snaplen */
        struct buf body = {0};
        uint8_t d[120];
        frame(d, sizeof d, 1);
        put32(&body, 150, 0);
        put(&body, d, sizeof d);
        block(&b, 0, 3, &body);
        free(body.p);
    }
    { /* the obsolete Packet Block */
        struct buf body = {0};
        uint8_t d[30];
        frame(d, sizeof d, 2);
        put16(&body, 0, 0);
        put16(&body, 0, 0);
        put32(&body, 0, 0);
        put32(&body, 6000000, 0);
        put32(&body, 30, 0);
        put32(&body, 30, 0);
        put(&body, d, sizeof d);
        block(&b, 0, 2, &body);
        free(body.p);
    }
    dsb(&b, 0, 0x544c534b, "CLIENT_RANDOM aa bb\n");
    dsb(&b, 0, 0x57474b4c, "wireguard keys");
    epb(&b, 0, 7, 7000000, 3, 10, 10); /* interface 7: none */
    { /* ISB: received 1000, interface drops 3, OS drops 5 */
        struct buf body = {0};
        put32(&body, 0, 0);
        put64(&body, 8000000, 0);
        struct buf v = {0};
        put64(&v, 1000, 0);
        option(&body, 0, 4, v.p, 8);
        v.n = 0;
        put64(&v, 3, 0);
        option(&body, 0, 5, v.p, 8);
        v.n = 0;
        put64(&v, 5, 0);
        option(&body, 0, 7, v.p, 8);
        option(&body, 0, 0, NULL, 0);
        free(v.p);
        block(&b, 0, 5, &body);
        free(body.p);
    }
    { /* an IDB whose option runs past its block: counted, the interface still there */
        struct buf body = {0};
        put16(&body, 1, 0);
        put16(&body, 0, 0);
        put32(&body, 0, 0);
        put16(&body, 2, 0);
        put16(&body, 200, 0);
        put32(&body, 0x41414141, 0);
        block(&b, 0, 1, &body);
        free(body.p);
    }
    epb(&b, 0, 1, 9000000, 4, 10, 10);
    struct reader r;
    CHECK(open_reader(&r, write_file("blocks.pcapng", &b)), "%s", r.err);
    struct capture_pkt pk;
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && pk.ts_ns == 5000000000, "EPB after NRB, custom, unknown");
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && pk.caplen == 100 && pk.wirelen == 150 &&
              pk.ts_ns == 5000000000 && frame_ok(pk.data, 100, 1),
          "SPB: caplen %u wire %u ts %lld", pk.caplen, pk.wirelen, (long long)pk.ts_ns);
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && pk.ts_ns == 6000000000 && frame_ok(pk.data, 30, 2),
          "obsolete PB");
    CHECK(capfile_next(r.f, &pk) == CAPFILE_SECRETS, "the TLS key log block");
    size_t len;
    const uint8_t *sec = capfile_secrets(r.f, &len);
    CHECK(len == 20 && !memcmp(sec, "CLIENT_RANDOM aa bb\n", 20), "secrets text");
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && pk.ts_ns == 9000000000 && pk.iface == 1,
          "the EPB of the second interface (ts %lld)", (long long)pk.ts_ns);
    CHECK(capfile_next(r.f, &pk) == CAPFILE_END, "end");
    const struct capfile_report *rep = capfile_report(r.f);
    CHECK(rep->unknown_blocks == 1 && rep->other_secrets == 1 && rep->missing_iface == 1 && rep->bad_options == 1 &&
              rep->secrets_blocks == 1 && !rep->skips && !rep->cut,
          "counts: unknown %llu other %llu missing %llu options %llu", (unsigned long long)rep->unknown_blocks,
          (unsigned long long)rep->other_secrets, (unsigned long long)rep->missing_iface,
          (unsigned long long)rep->bad_options);
    CHECK(r.seen.isb_calls == 1 && r.seen.isb.received == 1000 && r.seen.isb.if_dropped == 3 &&
              r.seen.isb.os_dropped == 5 && r.seen.isb.delivered == UINT64_MAX,
          "interface statistics");
    close_reader(&r);
    free(b.p);
}

/* Blocks longer than a chunk keeps whole: walked over (a secrets block copied out). */
static void test_big_blocks(void)
{
    struct buf b = {0};
    { /* a section header with 400 KB of options */
        struct buf body = {0};
        put32(&body, 0x1A2B3C4D, 0);
        put16(&body, 1, 0);
        put16(&body, 0, 0);
        put64(&body, UINT64_MAX, 0);
        char *junk = malloc(60000);
        memset(junk, 'c', 60000);
        for (int i = 0; i < 7; i++)
            option(&body, 0, 1, junk, 60000);
        option(&body, 0, 0, NULL, 0);
        free(junk);
        block(&b, 0, 0x0A0D0D0A, &body);
        free(body.p);
    }
    idb(&b, 0, 1, 0, "eth0", 0, 0);
    epb(&b, 0, 0, 1000000, 0, 60, 60);
    size_t keys_len = 500000;
    char *keys = malloc(keys_len + 1);
    for (size_t i = 0; i < keys_len; i++)
        keys[i] = i % 50 == 49 ? '\n' : 'k';
    keys[keys_len] = '\0';
    dsb(&b, 0, 0x544c534b, keys);
    char *big = calloc(1, 1u << 20);
    raw_block(&b, 0, 0x31337, big, 1u << 20);
    epb(&b, 0, 0, 2000000, 1, 300000, 300000); /* a whole packet over 256 KiB: skipped, counted */
    epb(&b, 0, 0, 3000000, 2, 60, 60);
    struct reader r;
    CHECK(open_reader(&r, write_file("big.pcapng", &b)), "%s", r.err);
    struct capture_pkt pk;
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && frame_ok(pk.data, 60, 0), "the packet after a 400 KB header");
    CHECK(capfile_next(r.f, &pk) == CAPFILE_SECRETS, "a 500 KB secrets block");
    size_t len;
    const uint8_t *sec = capfile_secrets(r.f, &len);
    CHECK(len == keys_len && !memcmp(sec, keys, keys_len), "its %zu bytes, as written", len);
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && frame_ok(pk.data, 60, 2) && pk.ts_ns == 3000000000,
          "the packet after a 1 MiB unknown block and an oversized packet");
    CHECK(capfile_next(r.f, &pk) == CAPFILE_END, "end");
    const struct capfile_report *rep = capfile_report(r.f);
    CHECK(rep->oversize == 1 && rep->unknown_blocks == 1 && !rep->skips && !rep->bad_blocks && !rep->cut,
          "oversize %llu unknown %llu skips %llu bad %llu", (unsigned long long)rep->oversize,
          (unsigned long long)rep->unknown_blocks, (unsigned long long)rep->skips,
          (unsigned long long)rep->bad_blocks);
    close_reader(&r);
    free(keys);
    free(big);
    free(b.p);
}

/* ------------------------------------------------------------------ damage */

static void test_resync_pcap(void)
{
    struct buf b = {0};
    pcap_header(&b, 0xa1b2c3d4, 0, 262144, 1);
    for (unsigned k = 0; k < 5; k++)
        pcap_record(&b, 0, 0, 100, k, k, 60, 60);
    size_t bad_at = b.n;
    put32(&b, 100, 0); /* a header claiming 2 GB */
    put32(&b, 5, 0);
    put32(&b, 0x7fffffff, 0);
    put32(&b, 0x7fffffff, 0);
    for (unsigned k = 5; k < 10; k++)
        pcap_record(&b, 0, 0, 100, k, k, 60, 60);
    size_t big_at = b.n;
    pcap_record(&b, 0, 0, 100, 10, 10, 300000, 300000); /* longer than any snapshot: its bytes are skipped */
    for (unsigned k = 11; k < 13; k++)
        pcap_record(&b, 0, 0, 100, k, k, 60, 60);
    struct reader r;
    CHECK(open_reader(&r, write_file("damaged.pcap", &b)), "%s", r.err);
    struct capture_pkt pk;
    unsigned want[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12}, n = 0;
    while (capfile_next(r.f, &pk) == CAPFILE_PACKET) {
        CHECK(n < UNIT_COUNT(want) && frame_ok(pk.data, 60, want[n]) && pk.ts_ns == 100000000000 + want[n] * 1000,
              "packet %u", n);
        n++;
    }
    CHECK(n == 12, "%u packets read, 12 whole ones in the file", n);
    const struct capfile_report *rep = capfile_report(r.f);
    CHECK(rep->skips == 2 && rep->skipped_bytes == 16 + 300016 && rep->first_skip_at == (int64_t)bad_at &&
              rep->first_skip_len == 0x7fffffff && !rep->skip_to_end && !rep->cut,
          "skips %llu bytes %llu at %lld (big record at %zu)", (unsigned long long)rep->skips,
          (unsigned long long)rep->skipped_bytes, (long long)rep->first_skip_at, big_at);
    close_reader(&r);
    free(b.p);
}

static void test_resync_pcapng(void)
{
    struct buf b = {0};
    shb(&b, 0);
    idb(&b, 0, 1, 0, NULL, 0, 0);
    epb(&b, 0, 0, 1000000, 0, 60, 60);
    size_t bad = b.n;
    epb(&b, 0, 0, 2000000, 1, 60, 60);
    b.p[b.n - 4] ^= 0x40; /* its trailer no longer matches its length */
    epb(&b, 0, 0, 3000000, 2, 60, 60);
    struct reader r;
    CHECK(open_reader(&r, write_file("damaged.pcapng", &b)), "%s", r.err);
    struct capture_pkt pk;
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && frame_ok(pk.data, 60, 0), "before");
    CHECK(capfile_next(r.f, &pk) == CAPFILE_PACKET && frame_ok(pk.data, 60, 2), "after the bad block");
    CHECK(capfile_next(r.f, &pk) == CAPFILE_END, "end");
    const struct capfile_report *rep = capfile_report(r.f);
    CHECK(rep->skips == 1 && rep->skipped_bytes == 32 + 60 && rep->first_skip_at == (int64_t)bad,
          "skipped %llu bytes at %lld", (unsigned long long)rep->skipped_bytes, (long long)rep->first_skip_at);
    close_reader(&r);
    free(b.p);
}

static void test_cut(void)
{
    struct buf b = {0};
    pcap_header(&b, 0xa1b2c3d4, 0, 262144, 1);
    for (unsigned k = 0; k < 3; k++)
        pcap_record(&b, 0, 0, 100, k, k, 60, 60);
    b.n -= 10;
    struct reader r;
    CHECK(open_reader(&r, write_file("cut.pcap", &b)), "%s", r.err);
    struct capture_pkt pk;
    unsigned n = 0;
    while (capfile_next(r.f, &pk) == CAPFILE_PACKET)
        n++;
    const struct capfile_report *rep = capfile_report(r.f);
    CHECK(n == 2 && rep->cut && rep->cut_bytes == 66 && rep->cut_at == 24 + 2 * 76,
          "%u packets, cut %d: %llu bytes at %lld", n, rep->cut, (unsigned long long)rep->cut_bytes,
          (long long)rep->cut_at);
    close_reader(&r);
    free(b.p);
}

/* ------------------------------------------------------------------ compressed, big */

static struct buf big_pcap(unsigned packets, unsigned *total)
{
    struct buf b = {0};
    pcap_header(&b, 0xa1b2c3d4, 0, 262144, 1);
    for (unsigned k = 0; k < packets; k++) /* lengths that land records across every chunk boundary */
        pcap_record(&b, 0, 0, 1000 + k / 1000, k % 1000, k, 40 + (k * 7919) % 1500, 1600);
    *total = packets;
    return b;
}

static void read_all(const char *path, unsigned want, const char *what)
{
    struct reader r;
    CHECK(open_reader(&r, path), "%s: %s", what, r.err);
    if (!r.f)
        return;
    struct capture_pkt pk;
    unsigned n = 0, bad = 0;
    while (capfile_next(r.f, &pk) == CAPFILE_PACKET) {
        bad += pk.caplen != 40 + (n * 7919) % 1500 || !frame_ok(pk.data, pk.caplen, n);
        n++;
    }
    const struct capfile_report *rep = capfile_report(r.f);
    CHECK(n == want && !bad && !rep->cut && !rep->fail && !rep->skips, "%s: %u of %u packets, %u bad, fail %s", what,
          n, want, bad, rep->fail ? rep->fail_msg : "-");
    close_reader(&r);
}

static void test_chunks_and_compression(void)
{
    unsigned n;
    struct buf b = big_pcap(6000, &n); /* about 4.5 MB: several chunks */
    read_all(write_file("big.pcap", &b), n, "plain");
    /* gzip, as two members (cat a.gz b.gz) */
    struct buf gz = {0};
    size_t half = b.n / 2;
    for (int m = 0; m < 2; m++) {
        z_stream z;
        memset(&z, 0, sizeof z);
        deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
        size_t from = m ? half : 0, len = m ? b.n - half : half;
        uLong bound = deflateBound(&z, (uLong)len);
        uint8_t *out = malloc(bound);
        z.next_in = b.p + from;
        z.avail_in = (uInt)len;
        z.next_out = out;
        z.avail_out = (uInt)bound;
        CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
        put(&gz, out, bound - z.avail_out);
        deflateEnd(&z);
        free(out);
    }
    read_all(write_file("big.pcap.gz", &gz), n, "gzip, two members");
    size_t zb = ZSTD_compressBound(b.n);
    struct buf zs = {malloc(zb), 0, zb};
    zs.n = ZSTD_compress(zs.p, zb, b.p, b.n, 3);
    CHECK(!ZSTD_isError(zs.n), "zstd");
    read_all(write_file("big.pcap.zst", &zs), n, "zstd");
    /* cut compressed data: the packets before, and the reason */
    gz.n = gz.n / 3;
    struct reader r;
    CHECK(open_reader(&r, write_file("cut.pcap.gz", &gz)), "%s", r.err);
    struct capture_pkt pk;
    unsigned got = 0;
    while (capfile_next(r.f, &pk) == CAPFILE_PACKET)
        got++;
    CHECK(got > 100 && got < n && capfile_report(r.f)->fail && strstr(capfile_report(r.f)->fail_msg, "truncated"),
          "cut gzip: %u packets, %s", got, capfile_report(r.f)->fail_msg);
    close_reader(&r);
    free(b.p);
    free(gz.p);
    free(zs.p);
}

/* ------------------------------------------------------------------ several files */

struct pkt_rec {
    int64_t ts, offset;
    uint32_t caplen;
    uint8_t first;
};

static size_t read_set(struct capset *s, struct pkt_rec *out, size_t max, size_t *secrets)
{
    struct capture_pkt pk;
    size_t n = 0;
    enum capfile_result r;
    while ((r = capset_next(s, &pk)) != CAPFILE_END && r != CAPFILE_STOPPED) {
        if (r == CAPFILE_SECRETS) {
            if (secrets)
                secrets[n < max ? n : max - 1]++;
            continue;
        }
        if (n < max)
            out[n] = (struct pkt_rec){pk.ts_ns, pk.offset, pk.caplen, pk.caplen ? pk.data[0] : 0};
        n++;
    }
    return n;
}

static void test_merge(void)
{
    /* a: even seconds, b: odd seconds and one tie with a (b's comes after, a was given first) */
    struct buf a = {0}, b = {0};
    pcap_header(&a, 0xa1b2c3d4, 0, 262144, 1);
    pcap_header(&b, 0xa1b2c3d4, 0, 262144, 1);
    for (unsigned k = 0; k < 5; k++) {
        pcap_record(&a, 0, 0, 10 + 2 * k, 0, 100 + k, 50, 50);
        pcap_record(&b, 0, 0, 11 + 2 * k, 0, 200 + k, 50, 50);
    }
    pcap_record(&a, 0, 0, 30, 0, 105, 50, 50);
    pcap_record(&b, 0, 0, 30, 0, 205, 50, 50);
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s", write_file("a.pcap", &a));
    snprintf(pb, sizeof pb, "%s", write_file("b.pcap", &b));
    const char *paths[] = {pb, pa}; /* given in the other order: the merge is by time */
    char err[CAPSRC_ERRLEN];
    struct capset *s = capset_open(paths, 2, NULL, err);
    CHECK(s != NULL, "%s", err);
    if (!s)
        return;
    struct pkt_rec rec[16];
    size_t n = read_set(s, rec, 16, NULL);
    CHECK(n == 12, "%zu packets", n);
    for (size_t i = 0; i + 1 < n && i + 1 < 16; i++)
        CHECK(rec[i].ts <= rec[i + 1].ts, "time order at %zu", i);
    CHECK(rec[0].offset >> CAPFILE_POS_BITS == 1 && rec[1].offset >> CAPFILE_POS_BITS == 0,
          "offsets carry the file's number (a is file 1)");
    CHECK(rec[10].offset >> CAPFILE_POS_BITS == 0 && rec[11].offset >> CAPFILE_POS_BITS == 1,
          "a tie: the file given first (b) wins");
    CHECK(capset_ifaces(s) == 1, "one interface for two files of the same link type without names");
    CHECK(!strcmp(capset_file_name(s, 1), pa), "file names kept");
    capset_close(s);
    free(a.p);
    free(b.p);
}

/* The merge replayed from the middle by a second reader (checkpoints), and single packets read again. */
static void test_reader_again(void)
{
    enum { N = 40000 };
    struct buf a = {0}, b = {0};
    pcap_header(&a, 0xa1b2c3d4, 0, 262144, 1);
    pcap_header(&b, 0xa1b2c3d4, 0, 262144, 1);
    for (unsigned k = 0; k < N; k++) {
        struct buf *t = (k * 2654435761u) >> 31 ? &a : &b;
        pcap_record(t, 0, 0, 1000 + k / 1000000, k % 1000000, k, 20 + k % 50, 100);
    }
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s", write_file("ra.pcap", &a));
    snprintf(pb, sizeof pb, "%s", write_file("rb.pcap", &b));
    const char *paths[] = {pa, pb};
    char err[CAPSRC_ERRLEN];
    struct capset *s = capset_open(paths, 2, NULL, err);
    CHECK(s != NULL, "%s", err);
    if (!s)
        return;
    struct pkt_rec *all = calloc(N, sizeof *all), *again = calloc(N, sizeof *again);
    size_t n = read_set(s, all, N, NULL);
    CHECK(n == N, "%zu packets", n);
    struct capset *r = capset_reader(s, err);
    CHECK(r != NULL, "%s", err);
    static const size_t from[] = {0, 1, 16384, 20000, 33333, N - 1};
    for (size_t i = 0; r && i < UNIT_COUNT(from); i++) {
        CHECK(capset_seek(r, all[from[i]].offset, err) == 0, "seek: %s", err);
        size_t m = read_set(r, again, N, NULL);
        /* from a checkpoint at or before it: the packets up to it come first, then the same sequence */
        size_t j = 0;
        while (j < m && again[j].offset != all[from[i]].offset)
            j++;
        CHECK(j < m && m - j == N - from[i], "from %zu: %zu replayed, %zu before it", from[i], m, j);
        CHECK(j <= 16384 * 2, "from %zu: %zu packets replayed before it (checkpoints every 16384)", from[i], j);
        int same = 1;
        for (size_t k = 0; j + k < m && from[i] + k < N; k++)
            same &= again[j + k].offset == all[from[i] + k].offset && again[j + k].ts == all[from[i] + k].ts;
        CHECK(same, "from %zu: the same order as the first reading", from[i]);
        struct capture_pkt pk;
        CHECK(capset_read_at(r, all[from[i]].offset, &pk, err) == 0 && pk.ts_ns == all[from[i]].ts &&
                  pk.caplen == all[from[i]].caplen && pk.data[0] == all[from[i]].first,
              "read_at %zu: %s", from[i], err);
    }
    capset_close(r);
    capset_close(s);
    free(all);
    free(again);
    free(a.p);
    free(b.p);
}

/* ------------------------------------------------------------------ streams */

struct feeder {
    int fd;
    const struct buf *b;
    size_t step;
};

static void *feed(void *arg)
{
    struct feeder *f = arg;
    for (size_t i = 0; i < f->b->n; i += f->step) {
        size_t k = f->b->n - i < f->step ? f->b->n - i : f->step;
        if (write(f->fd, f->b->p + i, k) != (ssize_t)k)
            break;
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    close(f->fd);
    return NULL;
}

static void test_stream(void)
{
    unsigned n;
    struct buf b = big_pcap(3000, &n);
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    struct feeder fd = {p[1], &b, 7777}; /* pieces that cut records anywhere */
    pthread_t th;
    pthread_create(&th, NULL, feed, &fd);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
    const char *paths[] = {path};
    char err[CAPSRC_ERRLEN];
    struct capset *s = capset_open(paths, 1, NULL, err);
    CHECK(s != NULL, "%s", err);
    if (s) {
        CHECK(!capset_seekable(s), "a pipe is a stream");
        CHECK(!capset_reader(s, err) && strstr(err, "stream"), "no second reader on a stream: %s", err);
        struct capture_pkt pk;
        unsigned got = 0, bad = 0;
        while (capset_next(s, &pk) == CAPFILE_PACKET) {
            bad += pk.caplen != 40 + (got * 7919) % 1500 || !frame_ok(pk.data, pk.caplen, got);
            got++;
        }
        CHECK(got == n && !bad, "%u of %u packets through a pipe, %u bad", got, n, bad);
        capset_close(s);
    }
    pthread_join(th, NULL);
    close(p[0]);
    /* a silent writer: the stop flag ends the wait */
    CHECK(pipe(p) == 0, "pipe");
    struct buf hdr = {0};
    pcap_header(&hdr, 0xa1b2c3d4, 0, 262144, 1);
    pcap_record(&hdr, 0, 0, 1, 0, 0, 30, 30);
    CHECK(write(p[1], hdr.p, hdr.n) == (ssize_t)hdr.n, "write");
    volatile sig_atomic_t stop = 0;
    snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
    s = capset_open(paths, 1, &stop, err);
    CHECK(s != NULL, "%s", err);
    if (s) {
        struct capture_pkt pk;
        CHECK(capset_next(s, &pk) == CAPFILE_PACKET, "the packet that came");
        stop = 1;
        time_t t0 = time(NULL);
        CHECK(capset_next(s, &pk) == CAPFILE_STOPPED && time(NULL) - t0 <= 2, "stopped while waiting");
        capset_close(s);
    }
    close(p[0]);
    close(p[1]);
    /* not waiting (a user interface): AGAIN while a record has come only in part, then the packet */
    pcap_record(&hdr, 0, 0, 2, 0, 1, 30, 30);
    CHECK(pipe(p) == 0, "pipe");
    size_t first = 24 + 16 + 30; /* opening waits for the first packet; the second comes in part */
    CHECK(write(p[1], hdr.p, first + 20) == (ssize_t)first + 20, "write");
    snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
    s = capset_open(paths, 1, NULL, err);
    CHECK(s != NULL, "%s", err);
    if (s) {
        struct capture_pkt pk;
        capset_nowait(s, 1);
        CHECK(capset_fd(s) >= 0, "a descriptor to poll");
        CHECK(capset_next(s, &pk) == CAPFILE_PACKET && frame_ok(pk.data, 30, 0), "the first packet");
        CHECK(capset_next(s, &pk) == CAPFILE_AGAIN, "a record in part: again later");
        CHECK(capset_next(s, &pk) == CAPFILE_AGAIN, "still");
        CHECK(write(p[1], hdr.p + first + 20, hdr.n - first - 20) == (ssize_t)(hdr.n - first - 20), "write");
        CHECK(capset_next(s, &pk) == CAPFILE_PACKET && pk.caplen == 30 && frame_ok(pk.data, 30, 1), "then whole");
        CHECK(capset_next(s, &pk) == CAPFILE_AGAIN, "nothing more yet");
        close(p[1]);
        CHECK(capset_next(s, &pk) == CAPFILE_END, "the writer is gone: the end");
        CHECK(!capset_file_report(s, 0)->cut, "no damage");
        capset_close(s);
    }
    close(p[0]);
    free(hdr.p);
    free(b.p);
}

/* ------------------------------------------------------------------ read-ahead */

static int keep_all(void *ctx, const struct capture_pkt *pk)
{
    (void)ctx;
    return pk->caplen != 77; /* and a filter: these never come out */
}

static void test_readahead(void)
{
    /* a pcapng of many chunks with secrets blocks between packets */
    struct buf b = {0};
    shb(&b, 0);
    idb(&b, 0, 1, 0, "eth0", 0, 0);
    unsigned want = 0;
    for (unsigned k = 0; k < 20000; k++) {
        uint32_t len = 40 + (k * 7919) % 1400;
        epb(&b, 0, 0, 1000000 + k, k, len, len);
        want += len != 77;
        if (k % 3001 == 0)
            dsb(&b, 0, 0x544c534b, "CLIENT_RANDOM x y\n");
    }
    const char *path = write_file("ra.pcapng", &b);
    const char *paths[] = {path};
    char err[CAPSRC_ERRLEN];
    /* one thread: the reference */
    struct capset *s = capset_open(paths, 1, NULL, err);
    CHECK(s != NULL, "%s", err);
    struct pkt_rec *one = calloc(25000, sizeof *one), *two = calloc(25000, sizeof *two);
    size_t sec1[25000] = {0}, sec2[25000] = {0};
    struct capture_pkt pk;
    size_t n1 = 0;
    enum capfile_result r;
    while (s && (r = capset_next(s, &pk)) != CAPFILE_END) {
        if (r == CAPFILE_SECRETS) {
            sec1[n1]++;
        } else if (keep_all(NULL, &pk)) {
            one[n1++] = (struct pkt_rec){pk.ts_ns, pk.offset, pk.caplen, pk.data[pk.caplen - 1]};
        }
    }
    capset_close(s);
    /* read ahead on a thread: the same packets, the same secrets at the same places */
    volatile sig_atomic_t stop = 0;
    s = capset_open(paths, 1, &stop, err);
    struct readahead *ra = s ? readahead_start(s, keep_all, NULL, &stop, err) : NULL;
    CHECK(ra != NULL, "%s", err);
    size_t n2 = 0;
    unsigned bad = 0;
    while (ra && (r = readahead_next(ra, &pk)) != CAPFILE_END && r != CAPFILE_STOPPED) {
        if (r == CAPFILE_SECRETS) {
            size_t len;
            const uint8_t *t = readahead_secrets(ra, &len);
            bad += len < 18 || memcmp(t, "CLIENT_RANDOM x y\n", 18);
            sec2[n2]++;
            continue;
        }
        /* slow analysis now and then, so that the reader waits for chunks to come back */
        if (n2 % 5000 == 0) {
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
        }
        two[n2] = (struct pkt_rec){pk.ts_ns, pk.offset, pk.caplen, pk.data[pk.caplen - 1]};
        bad += !frame_ok(pk.data, pk.caplen, (unsigned)(pk.ts_ns / 1000 - 1000000));
        n2++;
    }
    CHECK(n1 == want && n2 == n1, "%zu packets on one thread, %zu read ahead, %u expected", n1, n2, want);
    CHECK(!bad && !memcmp(one, two, n1 * sizeof *one) && !memcmp(sec1, sec2, sizeof sec1),
          "read ahead: the same packets and secrets in the same order (%u bad)", bad);
    readahead_finish(ra);
    capset_close(s);
    /* stopped half-way: the thread ends, every chunk comes back (ASan sees a leak otherwise) */
    stop = 0;
    s = capset_open(paths, 1, &stop, err);
    ra = s ? readahead_start(s, keep_all, NULL, &stop, err) : NULL;
    for (int i = 0; ra && i < 5000; i++)
        readahead_next(ra, &pk);
    readahead_finish(ra);
    capset_close(s);
    free(one);
    free(two);
    free(b.p);
}

/* ------------------------------------------------------------------ main */

static int make_dir(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/synfin-capfile.XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    static const struct unit_case tests[] = {
        {"classic pcap: byte orders, precisions, Kuznetzov", test_pcap_variants},
        {"classic pcap: files cat'ed together", test_pcap_concatenated},
        {"not a capture: the message says what it is", test_pcap_not_a_capture},
        {"pcapng: sections, interfaces, resolutions, offsets", test_pcapng_sections},
        {"pcapng: SPB, PB, ISB, DSB, blocks skipped, bad options", test_pcapng_blocks},
        {"pcapng: blocks longer than a chunk", test_big_blocks},
        {"damage: absurd record lengths skipped to the next record", test_resync_pcap},
        {"damage: a pcapng block with a bad trailer", test_resync_pcapng},
        {"damage: a file cut inside a record", test_cut},
        {"chunks, gzip (two members), zstd, cut gzip", test_chunks_and_compression},
        {"several files merged in time order", test_merge},
        {"a second reader replays the merge from the middle", test_reader_again},
        {"streams: a pipe, the stop flag, reading without waiting", test_stream},
        {"read-ahead: the same packets as one thread", test_readahead},
    };
    if (make_dir() < 0) {
        perror("mkdtemp");
        return 2;
    }
    int rc = unit_run("capfile", NULL, NULL, tests, UNIT_COUNT(tests));
    remove_dir();
    return rc;
}
