/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capfile.c - the records of one capture file (see capfile.h).
 *
 * Formats: pcap-savefile(5) and draft-ietf-opsawg-pcap (classic pcap, and
 * the modified Kuznetzov variant with 24-byte record headers);
 * draft-ietf-opsawg-pcapng (section 4: blocks; 4.1 SHB, 4.2 IDB, 4.3 EPB,
 * 4.4 SPB, 4.6 ISB, 4.7 DSB; appendix A, the obsolete Packet Block).
 *
 * The bytes come in chunks of about 1 MiB; a record is always whole inside
 * one chunk (the tail of the previous chunk is copied to the head of the
 * next, at most one record), so a packet is handed out where it lies.
 * Every field is read through bytes.h against the bytes present.
 */
#include "capfile.h"

#include <errno.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bytes.h"
#include "grow.h"

#define READ_SIZE (1u << 20)              /* bytes asked of the file at once */
#define TAIL_MAX (CAPFILE_MAX_CAPLEN + (64u << 10)) /* the longest record kept whole in a chunk */
#define CHUNK_CAP (READ_SIZE + TAIL_MAX)
#define MIN_APPEND (64u << 10)            /* a stream's chunk is filled in place while this much room is left */
#define MAX_BLOCK ((16u << 20) + 64)      /* a longer pcapng block is damage */
#define POOL_HARD_MAX 64
#define HUGE_CHUNK (2u << 20)             /* a big chunk is a whole number of these, aligned */
#define WIRE_MAX (16u << 20)              /* original lengths beyond this make a record implausible */
#define DAY 86400

enum { BT_SHB = 0x0A0D0D0A, BT_IDB = 1, BT_PB = 2, BT_SPB = 3, BT_NRB = 4, BT_ISB = 5, BT_EPB = 6,
       BT_SJE = 9, BT_DSB = 10, BT_CB = 0x00000BAD, BT_CB_NOCOPY = 0x40000BAD };
#define SECRETS_TLS_KEYLOG 0x544c534bu
#define NEW_HEADER 3 /* internal result: a header was entered, read on in its format */
#define BOM 0x1A2B3C4Du

struct capfile {
    struct capsrc *src;
    uint32_t index;
    struct capfile_hooks hooks;
    struct capfile_meta *meta;
    int learner;                /* learns the sections and interfaces (else a re-reader) */
    struct capchunk *pool[POOL_HARD_MAX];
    int npool, pool_max;
    size_t chunk_cap;           /* bytes of a new chunk: CHUNK_CAP, less for a small file */
    struct capchunk *cur;       /* being read; NULL before the first read after open or a seek */
    size_t pos;                 /* next record in cur */
    int64_t next_base;          /* content position the next fresh chunk starts at */
    int src_end, stopped;
    int nowait, again;          /* capfile_nowait; the stream had nothing more just now */
    /* the current header */
    size_t sec_index;
    int pcapng, be;
    uint32_t hdr_len;           /* classic pcap: 16, or 24 (Kuznetzov) */
    uint32_t limit, snap;       /* classic pcap: the longest plausible captured length; the header's snaplen */
    size_t pcap_iface;          /* classic pcap: its interface in meta */
    uint32_t pcap_gid;          /* ... its number in the capture (CAPFILE_NO_IFACE: none) */
    int pcap_dlt;
    int64_t frac_ns;            /* classic pcap: nanoseconds per unit of the fraction */
    int64_t last_ts;
    uint32_t last_sec;          /* classic pcap: seconds of the last good record, for resynchronising */
    int have_last;
    int usec_first;
    uint8_t *secrets;
    size_t secrets_len, secrets_cap;
    struct capfile_report rep;
};

/* ------------------------------------------------------------ small helpers */

static inline uint16_t rd16(struct cursor *c, int be) { return be ? cur_be16(c) : cur_le16(c); }
static inline uint32_t rd32(struct cursor *c, int be) { return be ? cur_be32(c) : cur_le32(c); }
static inline uint64_t rd64(struct cursor *c, int be)
{
    uint64_t a = rd32(c, be), b = rd32(c, be);
    return be ? a << 32 | b : b << 32 | a;
}

int capfile_dlt(uint32_t linktype)
{
    linktype &= 0xffff; /* the upper bits of a pcap header's field carry the FCS length */
    switch (linktype) { /* the LINKTYPE_ values that differ from this system's DLT_ ones, as libpcap maps them */
    case 100: return DLT_ATM_RFC1483;
    case 101: return DLT_RAW;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
    default: return (int)linktype;
    }
}

static int64_t clamp_ns(struct capfile *f, __int128 ns)
{
    /* about 146 years either side of 1970, so that any two timestamps' difference fits an int64_t */
    const int64_t lim = INT64_C(1) << 62;
    if (ns > lim || ns < -lim) {
        f->rep.clamped_ts++;
        return ns > 0 ? lim : -lim;
    }
    return (int64_t)ns;
}

static const uint64_t pow10u[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
                                    100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
                                    1000000000000ull, 10000000000000ull, 100000000000000ull,
                                    1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
                                    1000000000000000000ull, 10000000000000000000ull};

/* A pcapng timestamp in its interface's units, as nanoseconds since 1970. */
static int64_t units_to_ns(struct capfile *f, uint64_t t, const struct capfile_iface *ifc)
{
    uint8_t r = ifc->tsresol;
    __int128 ns;
    if (r == 6 && !ifc->tsoffset && t < (UINT64_C(1) << 62) / 1000)
        return (int64_t)(t * 1000); /* the default: microseconds */
    if (r & 0x80)
        ns = (__int128)(((unsigned __int128)t * 1000000000u) >> (r & 0x7f));
    else if (r <= 9)
        ns = (__int128)t * (__int128)pow10u[9 - r];
    else
        ns = (__int128)(t / pow10u[r - 9]); /* r <= 28: checked when the interface was read */
    ns += (__int128)ifc->tsoffset * 1000000000;
    return clamp_ns(f, ns);
}

static int64_t here(const struct capfile *f) { return f->cur ? f->cur->base + (int64_t)f->pos : f->next_base; }

static int64_t pkt_offset(const struct capfile *f) { return (int64_t)f->index << CAPFILE_POS_BITS | here(f); }

/* ------------------------------------------------------------ chunks */

void capfile_release(struct capchunk *c)
{
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
        free(c->mem);
        free(c);
    }
}

static struct capchunk *new_chunk(size_t cap)
{
    struct capchunk *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (cap >= HUGE_CHUNK / 2) {
        /* one huge page (where the kernel gives them on request): the reads and the walk over
         * the records touch 2 MiB through one TLB entry instead of 512 */
        size_t big = (cap + HUGE_CHUNK - 1) / HUGE_CHUNK * HUGE_CHUNK;
        void *m = NULL;
        if (posix_memalign(&m, HUGE_CHUNK, big) == 0) {
            (void)madvise(m, big, MADV_HUGEPAGE);
            c->mem = m;
            cap = big;
        }
    }
    if (!c->mem && !(c->mem = malloc(cap))) {
        free(c);
        return NULL;
    }
    if (c) {
        c->cap = cap;
        atomic_init(&c->refs, 1); /* the pool's */
    }
    return c;
}

/* A chunk of at least `need` bytes that no batch holds (only the pool's
 * reference left), or a new one. */
static struct capchunk *take_chunk(struct capfile *f, size_t need)
{
    size_t cap = f->chunk_cap > need ? f->chunk_cap : need;
    for (;;) {
        for (int i = 0; i < f->npool; i++) {
            struct capchunk *c = f->pool[i];
            if (c == f->cur || atomic_load(&c->refs) != 1)
                continue;
            if (c->cap < need) { /* a small file's chunk, and the file grew: a bigger one */
                struct capchunk *n = new_chunk(cap);
                if (!n)
                    return NULL;
                capfile_release(c);
                f->pool[i] = c = n;
            }
            return c;
        }
        if (f->npool < f->pool_max || (!f->hooks.wait_chunk && f->npool < POOL_HARD_MAX)) {
            struct capchunk *c = new_chunk(cap);
            if (c)
                f->pool[f->npool++] = c;
            return c;
        }
        if (!f->hooks.wait_chunk || f->hooks.wait_chunk(f->hooks.ctx) < 0)
            return NULL;
    }
}

static void read_failed(struct capfile *f, ssize_t r, const char *msg)
{
    f->src_end = 1;
    if (r == CAPSRC_STOPPED)
        f->stopped = 1;
    else if (r == CAPSRC_FAIL && !f->rep.fail) {
        f->rep.fail = 1;
        snprintf(f->rep.fail_msg, sizeof f->rep.fail_msg, "%s", msg);
    }
}

/* Make `need` bytes available from cur->mem + pos; returns how many are
 * there (fewer only at the end of the content). */
static size_t ensure(struct capfile *f, size_t need)
{
    struct capchunk *c = f->cur;
    size_t have = c ? c->len - f->pos : 0;
    if (have >= need || f->src_end)
        return have;
    if (!c || c->cap - f->pos < need || c->cap - c->len < MIN_APPEND) {
        struct capchunk *n = take_chunk(f, need);
        if (!n) { /* no memory, or the read-ahead was told to stop while waiting for a chunk */
            read_failed(f, f->hooks.wait_chunk ? CAPSRC_STOPPED : CAPSRC_FAIL, "out of memory");
            return have;
        }
        atomic_fetch_add(&n->refs, 1);
        if (have)
            memcpy(n->mem, c->mem + f->pos, have);
        n->len = have;
        n->base = here(f);
        if (c)
            capfile_release(c);
        f->cur = c = n;
        f->pos = 0;
    }
    char err[CAPSRC_ERRLEN];
    while (c->len - f->pos < need) {
        ssize_t r = capsrc_read(f->src, c->mem + c->len, c->cap - c->len, err);
        if (r == CAPSRC_AGAIN) {
            f->again = 1;
            break;
        }
        if (r <= 0) {
            read_failed(f, r, err);
            break;
        }
        c->len += (size_t)r;
    }
    return c->len - f->pos;
}

/* ensure() at the two places a record may be waited for without harm (nothing
 * of it consumed yet): with capfile_nowait, a stream that has no more says so
 * (f->again) instead of blocking.  Everywhere else a record is read whole. */
static size_t ensure_nowait(struct capfile *f, size_t need)
{
    if (!f->nowait)
        return ensure(f, need);
    capsrc_nowait(f->src, 1);
    size_t have = ensure(f, need);
    capsrc_nowait(f->src, 0);
    return have;
}

static const uint8_t *at(const struct capfile *f) { return f->cur->mem + f->pos; }

/* ------------------------------------------------------------ headers */

static struct capfile_section *section(const struct capfile *f) { return &f->meta->sec[f->sec_index]; }

/* Enter the section whose header starts at `s->offset`: found among those
 * known (a re-reader, or a file opened again), else learnt. */
static int enter_section(struct capfile *f, const struct capfile_section *s)
{
    struct capfile_meta *m = f->meta;
    size_t i = m->nsec;
    while (i > 0 && m->sec[i - 1].offset > s->offset)
        i--;
    if (i > 0 && m->sec[i - 1].offset == s->offset) {
        i--;
    } else if (f->learner && i == m->nsec && m->nsec >= CAPFILE_MAX_SECTIONS) {
        /* a file of thousands of headers: memory stays bounded, and going back into
         * the sections after the limit may read a packet wrongly (counted) */
        i = m->nsec - 1;
        f->rep.too_many_sections++;
        m->sec[i] = *s;
        m->sec[i].first_iface = m->niface;
        m->sec[i].n_iface = 0;
    } else {
        if (!f->learner || i != m->nsec || array_grow((void **)&m->sec, &m->capsec, m->nsec, sizeof *m->sec) < 0)
            return -1;
        m->sec[i] = *s;
        m->sec[i].first_iface = m->niface;
        m->sec[i].n_iface = 0;
        m->nsec++;
        if (i)
            f->rep.sections++;
    }
    f->sec_index = i;
    f->pcapng = s->pcapng;
    f->be = s->bigendian;
    return 0;
}

/* Find (or learn) the interface described at `ifc->offset` in the current
 * section: its place in meta, SIZE_MAX when there is none. */
static size_t add_iface(struct capfile *f, const struct capfile_iface *ifc, const char *name)
{
    struct capfile_meta *m = f->meta;
    struct capfile_section *s = section(f);
    for (size_t i = s->first_iface; i < s->first_iface + s->n_iface; i++)
        if (m->iface[i].offset == ifc->offset)
            return i;
    if (!f->learner || f->sec_index + 1 != m->nsec) /* only the last section grows */
        return SIZE_MAX;
    if (m->niface >= CAPFILE_MAX_IFACES || array_grow((void **)&m->iface, &m->capiface, m->niface, sizeof *m->iface) < 0) {
        f->rep.too_many_ifaces++;
        return SIZE_MAX;
    }
    struct capfile_iface *n = &m->iface[m->niface];
    *n = *ifc;
    n->gid = f->hooks.iface ? f->hooks.iface(f->hooks.ctx, ifc->dlt, name, (uint32_t)s->n_iface, ifc->snaplen)
                            : CAPFILE_NO_IFACE;
    s->n_iface++;
    return m->niface++;
}

/* Keep what the hot loop needs of the classic pcap header's interface at hand. */
static void set_pcap_iface(struct capfile *f)
{
    const struct capfile_iface *ifc = f->pcap_iface != SIZE_MAX ? &f->meta->iface[f->pcap_iface] : NULL;
    f->pcap_gid = ifc ? ifc->gid : CAPFILE_NO_IFACE;
    f->pcap_dlt = ifc ? ifc->dlt : -1;
    f->frac_ns = section(f)->nano ? 1 : 1000;
}

static int pcap_magic(uint32_t m, int *be, int *nano, int *kuz)
{
    /* read little-endian: the file's byte order is what makes the magic come out right */
    switch (m) {
    case 0xa1b2c3d4: *be = 0; *nano = 0; *kuz = 0; return 1;
    case 0xd4c3b2a1: *be = 1; *nano = 0; *kuz = 0; return 1;
    case 0xa1b23c4d: *be = 0; *nano = 1; *kuz = 0; return 1;
    case 0x4d3cb2a1: *be = 1; *nano = 1; *kuz = 0; return 1;
    case 0xa1b2cd34: *be = 0; *nano = 0; *kuz = 1; return 1;
    case 0x34cdb2a1: *be = 1; *nano = 0; *kuz = 1; return 1;
    default: return 0;
    }
}

/* A classic pcap header of version 2.x here? Enter it. 1 yes, 0 no. */
static int pcap_header(struct capfile *f)
{
    if (ensure(f, 24) < 24)
        return 0;
    struct cursor c;
    cur_init(&c, at(f), 24);
    int be, nano, kuz;
    if (!pcap_magic(cur_le32(&c), &be, &nano, &kuz))
        return 0;
    uint16_t major = rd16(&c, be);
    cur_skip(&c, 2 + 4 + 4); /* minor, thiszone, sigfigs */
    uint32_t snap = rd32(&c, be), lt = rd32(&c, be);
    if (major != 2 || c.err)
        return 0;
    struct capfile_section s = {.offset = here(f), .pcapng = 0, .bigendian = (uint8_t)be, .nano = (uint8_t)nano,
                                .kuznetzov = (uint8_t)kuz};
    if (enter_section(f, &s) < 0)
        return 0;
    f->hdr_len = kuz ? 24 : 16;
    f->snap = snap;
    f->limit = CAPFILE_MAX_CAPLEN;
    struct capfile_iface ifc = {.offset = here(f), .dlt = capfile_dlt(lt), .snaplen = snap, .tsresol = nano ? 9 : 6};
    f->pcap_iface = add_iface(f, &ifc, NULL);
    set_pcap_iface(f);
    f->pos += 24;
    f->have_last = 0;
    return 1;
}

/* A pcapng Section Header Block here (its byte-order magic decides how to
 * read it)?  Enter its section.  1 yes, 0 no. */
static int shb_header(struct capfile *f)
{
    if (ensure(f, 28) < 28)
        return 0;
    struct cursor c;
    cur_init(&c, at(f), 28);
    if (cur_le32(&c) != BT_SHB)
        return 0;
    cur_skip(&c, 4);
    uint32_t bom = cur_be32(&c);
    int be = bom == BOM ? 1 : bom == 0x4D3C2B1Au ? 0 : -1;
    if (be < 0)
        return 0;
    cur_init(&c, at(f) + 4, 4);
    uint32_t len = rd32(&c, be);
    if (len < 28 || len % 4 || len > MAX_BLOCK)
        return 0;
    /* the whole block, to check its trailer (options are not read: hardware, OS, application) */
    if (len <= TAIL_MAX) {
        if (ensure(f, len) < len)
            return 0;
        cur_init(&c, at(f) + len - 4, 4);
        if (rd32(&c, be) != len)
            return 0;
    }
    struct capfile_section s = {.offset = here(f), .pcapng = 1, .bigendian = (uint8_t)be};
    if (enter_section(f, &s) < 0)
        return 0;
    if (len <= TAIL_MAX) {
        f->pos += len;
    } else { /* a section header with kilobytes of options: walk over them */
        for (size_t left = len; left;) {
            size_t have = ensure(f, 1);
            if (!have)
                break;
            size_t k = have < left ? have : left;
            f->pos += k;
            left -= k;
        }
    }
    return 1;
}

/* ------------------------------------------------------------ damage */

/* The reading ran out inside a record of which `have` bytes are there. */
static enum capfile_result at_end(struct capfile *f, size_t have)
{
    if (f->again) { /* not the end: the rest has not come yet */
        f->again = 0;
        return CAPFILE_AGAIN;
    }
    if (f->stopped)
        return CAPFILE_STOPPED;
    if (have) {
        if (!f->rep.cut && !f->rep.fail) {
            f->rep.cut = 1;
            f->rep.cut_at = here(f);
        }
        f->rep.cut_bytes += have;
        f->pos += have;
    }
    return CAPFILE_END;
}

static void count_skip(struct capfile *f, int64_t start, uint64_t bytes, uint32_t bad_len)
{
    f->rep.skip_to_end = !ensure(f, 1);
    if (!f->rep.skips) {
        f->rep.first_skip_at = start;
        f->rep.first_skip_len = bad_len;
    }
    f->rep.skips++;
    f->rep.skipped_bytes += bytes;
}

/* Would a classic pcap record header (at p, h bytes there) be a real
 * packet's?  Strict: the test after damage, where a false record costs more
 * than a skipped one. */
static int pcap_plausible(const struct capfile *f, const uint8_t *p, size_t have, int have_ref, uint32_t ref_sec,
                          uint32_t *caplen_out)
{
    if (have < f->hdr_len)
        return 0;
    struct cursor c;
    cur_init(&c, p, have);
    uint32_t sec = rd32(&c, f->be), frac = rd32(&c, f->be), caplen = rd32(&c, f->be), wire = rd32(&c, f->be);
    *caplen_out = caplen;
    /* not the header's snaplen: some writers put a smaller one there than they use */
    if (!caplen || caplen > f->limit || wire < caplen || wire > WIRE_MAX)
        return 0;
    if (frac >= (section(f)->nano ? 1000000000u : 1000000u))
        return 0;
    return !have_ref || ((int64_t)sec - ref_sec <= DAY && (int64_t)ref_sec - sec <= DAY);
}

/* Does the record after the one at pos (caplen bytes long) start right
 * there (a header with a possible length), or does the file end there?
 * strict: that header must also be a real packet's (resynchronising). */
static int pcap_next_ok(struct capfile *f, uint32_t caplen, int strict)
{
    uint32_t next_len;
    size_t whole = f->hdr_len + caplen;
    size_t have = ensure(f, whole + f->hdr_len);
    if (have < whole)
        return 0;
    if (have == whole)
        return 1; /* the file ends right after it */
    struct cursor c;
    cur_init(&c, at(f), have);
    uint32_t sec = rd32(&c, f->be);
    if (strict)
        return pcap_plausible(f, at(f) + whole, have - whole, 1, sec, &next_len);
    cur_init(&c, at(f) + whole + 8, 4);
    return have - whole >= f->hdr_len && rd32(&c, f->be) <= f->limit;
}

/* Is a record at pos, and the one after it, plausible?  (Resynchronising.) */
static int pcap_candidate(struct capfile *f)
{
    uint32_t caplen;
    size_t have = ensure(f, f->hdr_len);
    return pcap_plausible(f, at(f), have, f->have_last, f->last_sec, &caplen) && pcap_next_ok(f, caplen, 1);
}

/* Skip from a damaged record to the next plausible one (or the end). */
static void pcap_resync(struct capfile *f, uint32_t bad_len)
{
    int64_t start = here(f);
    uint64_t skipped = 0;
    for (;;) {
        size_t have = ensure(f, 1);
        if (!have)
            break;
        f->pos++;
        skipped++;
        if (ensure(f, f->hdr_len) < f->hdr_len) { /* too little left for a record: all of it goes */
            size_t rest = f->cur->len - f->pos;
            f->pos += rest;
            skipped += rest;
            break;
        }
        if (pcap_candidate(f))
            break;
    }
    count_skip(f, start, skipped, bad_len);
}

/* ------------------------------------------------------------ classic pcap */

static int looks_like_header(uint32_t first)
{
    return (first & 0xffff0000u) == 0xa1b20000u || (first & 0xffffu) == 0xb2a1u || first == BT_SHB;
}

/* The hot loop: one record header read, checked and handed out in place. */
static enum capfile_result pcap_next(struct capfile *f, struct capture_pkt *pk)
{
    for (;;) {
        const uint32_t hl = f->hdr_len;
        size_t have = f->cur ? f->cur->len - f->pos : 0;
        if (have < hl && (have = ensure_nowait(f, hl)) < hl)
            return at_end(f, have);
        struct cursor c;
        cur_init(&c, f->cur->mem + f->pos, have);
        uint32_t first = cur_le32(&c);
        uint32_t sec = f->be ? __builtin_bswap32(first) : first;
        uint32_t frac = rd32(&c, f->be), caplen = rd32(&c, f->be), wire = rd32(&c, f->be);
        if (__builtin_expect(looks_like_header(first), 0) && (pcap_header(f) || shb_header(f)))
            return (enum capfile_result)NEW_HEADER; /* a file cat'ed after this one */
        /* longer than the header's snaplen: believed when the record after it starts where it ends */
        if (__builtin_expect(caplen > f->limit || (f->snap && caplen > f->snap && !pcap_next_ok(f, caplen, 0)), 0)) {
            pcap_resync(f, caplen);
            continue;
        }
        if (have < hl + caplen && (have = ensure_nowait(f, hl + caplen)) < hl + caplen)
            return at_end(f, have);
        if (__builtin_expect(f->pcap_gid == CAPFILE_NO_IFACE, 0)) {
            f->rep.missing_iface++;
            f->pos += hl + caplen;
            continue;
        }
        pk->ts_ns = (int64_t)sec * 1000000000 + (int64_t)frac * f->frac_ns;
        pk->caplen = caplen;
        if (__builtin_expect(wire < caplen, 0)) {
            f->rep.caplen_over_wire++;
            wire = caplen;
        }
        pk->wirelen = wire;
        pk->data = f->cur->mem + f->pos + hl;
        pk->offset = pkt_offset(f);
        pk->dlt = f->pcap_dlt;
        pk->iface = f->pcap_gid;
        f->pos += hl + caplen;
        f->last_ts = pk->ts_ns;
        f->last_sec = sec;
        f->have_last = 1;
        f->rep.packets++;
        /* the next record's header and the frame headers after it, while this packet is
         * analysed: the read put them in memory, not in this core's near caches */
        if (f->pos + 128 <= f->cur->len) {
            __builtin_prefetch(f->cur->mem + f->pos);
            __builtin_prefetch(f->cur->mem + f->pos + 64);
        }
        return CAPFILE_PACKET;
    }
}

/* ------------------------------------------------------------ pcapng */

static int known_block(uint32_t t)
{
    return t == BT_SHB || (t >= BT_IDB && t <= BT_EPB) || t == BT_SJE || t == BT_DSB || t == BT_CB ||
           t == BT_CB_NOCOPY;
}

/* The body size a block of this type needs at least (header and trailer included). */
static uint32_t block_min(uint32_t t)
{
    switch (t) {
    case BT_SHB: return 28;
    case BT_IDB: return 20;
    case BT_EPB: case BT_PB: return 32;
    case BT_SPB: return 16;
    case BT_ISB: return 24;
    case BT_DSB: return 20;
    default: return 12;
    }
}

/* A pcapng block here and the one after it plausible?  (Resynchronising.) */
static int ng_candidate(struct capfile *f)
{
    if (ensure(f, 12) < 12)
        return 0;
    struct cursor c;
    cur_init(&c, at(f), 12);
    uint32_t type = cur_le32(&c);
    int be = f->be;
    if (type == BT_SHB) {
        cur_skip(&c, 4);
        uint32_t bom = cur_be32(&c);
        be = bom == BOM ? 1 : bom == 0x4D3C2B1Au ? 0 : -1;
        if (be < 0)
            return 0;
    } else {
        cur_init(&c, at(f), 4);
        type = rd32(&c, be);
        if (!known_block(type))
            return 0;
    }
    cur_init(&c, at(f) + 4, 4);
    uint32_t len = rd32(&c, be);
    if (len < block_min(type) || len % 4 || len > TAIL_MAX)
        return 0;
    size_t have = ensure(f, (size_t)len + 12);
    if (have < len)
        return 0;
    cur_init(&c, at(f), len);
    cur_skip(&c, 8);
    if (type == BT_EPB) {
        uint32_t id = rd32(&c, be);
        cur_skip(&c, 8);
        uint32_t caplen = rd32(&c, be);
        if (id >= section(f)->n_iface || caplen > len - 32)
            return 0;
    }
    cur_init(&c, at(f) + len - 4, 4);
    if (rd32(&c, be) != len)
        return 0;
    if (have == len)
        return 1; /* the end of the file */
    if (have < (size_t)len + 8)
        return 0;
    cur_init(&c, at(f) + len, 8);
    uint32_t nt = cur_le32(&c);
    if (nt != BT_SHB) {
        cur_init(&c, at(f) + len, 4);
        nt = rd32(&c, be);
    }
    uint32_t nl = rd32(&c, be);
    if (nt == BT_SHB)
        return 1; /* its own byte order: the magic was enough */
    return known_block(nt) && nl >= block_min(nt) && nl % 4 == 0 && nl <= MAX_BLOCK;
}

static void ng_resync(struct capfile *f, uint32_t bad_len)
{
    int64_t start = here(f);
    uint64_t skipped = 0;
    for (;;) {
        size_t have = ensure(f, 1);
        if (!have)
            break;
        f->pos++;
        skipped++;
        if (ensure(f, 12) < 12) {
            size_t rest = f->cur->len - f->pos;
            f->pos += rest;
            skipped += rest;
            break;
        }
        if (ng_candidate(f))
            break;
    }
    count_skip(f, start, skipped, bad_len);
}

/* Options of a block: calls fn for each until opt_endofopt; 0, or -1 when
 * one runs past the end (counted). */
static int each_option(struct capfile *f, struct cursor *c, void *ctx,
                       void (*fn)(void *ctx, uint16_t code, struct cursor *val))
{
    while (cur_left(c) >= 4) {
        uint16_t code = rd16(c, f->be), len = rd16(c, f->be);
        if (code == 0)
            return 0;
        size_t padded = ((size_t)len + 3) & ~(size_t)3;
        if (!cur_has(c, padded)) {
            f->rep.bad_options++;
            return -1;
        }
        struct cursor v = cur_sub(c, len);
        cur_skip(c, padded - len);
        fn(ctx, code, &v);
    }
    if (cur_left(c)) {
        f->rep.bad_options++;
        return -1;
    }
    return 0;
}

struct idb_opts {
    struct capfile *f;
    struct capfile_iface *ifc;
    char name[64], descr[64];
};

/* Interface names are data from the file: printable ASCII only, bounded. */
static void copy_name(char *dst, size_t cap, struct cursor *v)
{
    size_t n = 0;
    while (cur_left(v) && n + 1 < cap) {
        uint8_t ch = cur_u8(v);
        if (!ch)
            break;
        dst[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    dst[n] = '\0';
}

static void idb_option(void *ctx, uint16_t code, struct cursor *v)
{
    struct idb_opts *o = ctx;
    switch (code) {
    case 2: copy_name(o->name, sizeof o->name, v); break;
    case 3: copy_name(o->descr, sizeof o->descr, v); break;
    case 9:
        if (cur_left(v) >= 1)
            o->ifc->tsresol = cur_u8(v);
        break;
    case 14:
        if (cur_left(v) == 8)
            o->ifc->tsoffset = (int64_t)rd64(v, o->f->be);
        break;
    default: break;
    }
}

static void ng_idb(struct capfile *f, const uint8_t *p, uint32_t len)
{
    struct cursor c;
    cur_init(&c, p + 8, len - 12);
    struct capfile_iface ifc = {.offset = here(f), .tsresol = 6};
    ifc.dlt = capfile_dlt(rd16(&c, f->be));
    cur_skip(&c, 2);
    ifc.snaplen = rd32(&c, f->be);
    struct idb_opts o = {.f = f, .ifc = &ifc};
    each_option(f, &c, &o, idb_option);
    if (!(ifc.tsresol & 0x80) && ifc.tsresol > 28) {
        f->rep.bad_tsresol++;
        ifc.tsresol = 6;
    }
    add_iface(f, &ifc, o.name[0] ? o.name : o.descr[0] ? o.descr : NULL);
}

struct isb_opts {
    struct capfile *f;
    struct capfile_isb isb;
};

static void isb_option(void *ctx, uint16_t code, struct cursor *v)
{
    struct isb_opts *o = ctx;
    if (cur_left(v) != 8)
        return;
    uint64_t val = rd64(v, o->f->be);
    switch (code) {
    case 4: o->isb.received = val; break;
    case 5: o->isb.if_dropped = val; break;
    case 7: o->isb.os_dropped = val; break;
    case 8: o->isb.delivered = val; break;
    default: break;
    }
}

static void ng_isb(struct capfile *f, const uint8_t *p, uint32_t len)
{
    struct cursor c;
    cur_init(&c, p + 8, len - 12);
    uint32_t id = rd32(&c, f->be);
    cur_skip(&c, 8);
    struct capfile_section *s = section(f);
    if (!f->learner || id >= s->n_iface)
        return;
    struct isb_opts o = {.f = f, .isb = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    each_option(f, &c, &o, isb_option);
    uint32_t gid = f->meta->iface[s->first_iface + id].gid;
    if (gid != CAPFILE_NO_IFACE && f->hooks.stats)
        f->hooks.stats(f->hooks.ctx, gid, &o.isb);
}

/* The interface a packet names, or NULL (counted). */
static const struct capfile_iface *ng_iface(struct capfile *f, uint32_t id)
{
    struct capfile_section *s = section(f);
    const struct capfile_iface *ifc = id < s->n_iface ? &f->meta->iface[s->first_iface + id] : NULL;
    /* a re-reader knows interfaces described after this packet too: not yet for it */
    if (!ifc || ifc->offset > here(f) || ifc->gid == CAPFILE_NO_IFACE) {
        f->rep.missing_iface++;
        return NULL;
    }
    return ifc;
}

static int fill_packet(struct capfile *f, struct capture_pkt *pk, const struct capfile_iface *ifc, int64_t ts,
                       const uint8_t *data, uint32_t caplen, uint32_t wire)
{
    if (caplen > CAPFILE_MAX_CAPLEN) {
        f->rep.oversize++;
        return 0;
    }
    if (wire < caplen) {
        f->rep.caplen_over_wire++;
        wire = caplen;
    }
    pk->ts_ns = ts;
    pk->caplen = caplen;
    pk->wirelen = wire;
    pk->data = data;
    pk->offset = pkt_offset(f);
    pk->dlt = ifc->dlt;
    pk->iface = ifc->gid;
    f->last_ts = ts;
    f->rep.packets++;
    return 1;
}

/* An Enhanced (or the obsolete) Packet Block: 1 when it gave a packet. */
static int ng_packet(struct capfile *f, const uint8_t *p, uint32_t len, int obsolete, struct capture_pkt *pk)
{
    struct cursor c;
    cur_init(&c, p + 8, len - 12);
    uint32_t id = obsolete ? rd16(&c, f->be) : rd32(&c, f->be);
    if (obsolete)
        cur_skip(&c, 2); /* drops count */
    uint32_t hi = rd32(&c, f->be), lo = rd32(&c, f->be), caplen = rd32(&c, f->be), wire = rd32(&c, f->be);
    if (caplen > cur_left(&c)) {
        f->rep.bad_blocks++;
        return 0;
    }
    const struct capfile_iface *ifc = ng_iface(f, id);
    if (!ifc)
        return 0;
    return fill_packet(f, pk, ifc, units_to_ns(f, (uint64_t)hi << 32 | lo, ifc), p + 28, caplen, wire);
}

/* A Simple Packet Block: interface 0, no timestamp (the file's last one is used). */
static int ng_simple(struct capfile *f, const uint8_t *p, uint32_t len, struct capture_pkt *pk)
{
    struct cursor c;
    cur_init(&c, p + 8, len - 12);
    uint32_t wire = rd32(&c, f->be);
    const struct capfile_iface *ifc = ng_iface(f, 0);
    if (!ifc)
        return 0;
    uint32_t caplen = wire;
    if (caplen > len - 16)
        caplen = len - 16;
    if (ifc->snaplen && caplen > ifc->snaplen)
        caplen = ifc->snaplen;
    return fill_packet(f, pk, ifc, f->last_ts, p + 12, caplen, wire);
}

static int keep_secrets(struct capfile *f, size_t len)
{
    if (len > f->secrets_cap) {
        uint8_t *n = realloc(f->secrets, len);
        if (!n)
            return -1;
        f->secrets = n;
        f->secrets_cap = len;
    }
    f->secrets_len = len;
    return 0;
}

/* A Decryption Secrets Block: 1 when it holds a TLS key log (kept in f->secrets). */
static int ng_dsb(struct capfile *f, const uint8_t *p, uint32_t len)
{
    struct cursor c;
    cur_init(&c, p + 8, len - 12);
    uint32_t type = rd32(&c, f->be), slen = rd32(&c, f->be);
    if (slen > cur_left(&c)) {
        f->rep.bad_blocks++;
        return 0;
    }
    if (type != SECRETS_TLS_KEYLOG) {
        f->rep.other_secrets++;
        return 0;
    }
    if (!f->learner || slen == 0)
        return 0; /* read once, by the first reader; an empty key log gives nothing */
    if (keep_secrets(f, slen) < 0) {
        f->rep.big_secrets++;
        return 0;
    }
    memcpy(f->secrets, cur_take(&c, slen), slen);
    f->rep.secrets_blocks++;
    return 1;
}

/* A block too long to keep whole in a chunk (at most MAX_BLOCK): walked
 * over, a TLS secrets block copied out.  1 when it gave secrets. */
static int ng_big_block(struct capfile *f, uint32_t type, uint32_t len)
{
    int secrets = 0;
    size_t want = 0;
    if (type == BT_EPB || type == BT_PB || type == BT_SPB) {
        f->rep.oversize++;
    } else if (type == BT_DSB && f->learner && ensure(f, 16) >= 16) {
        struct cursor c;
        cur_init(&c, at(f) + 8, 8);
        uint32_t stype = rd32(&c, f->be), slen = rd32(&c, f->be);
        if (stype != SECRETS_TLS_KEYLOG)
            f->rep.other_secrets++;
        else if (slen > len - 20 || slen > CAPFILE_MAX_SECRETS || keep_secrets(f, slen) < 0)
            f->rep.big_secrets++;
        else
            secrets = 1, want = slen;
    } else if (!known_block(type)) {
        f->rep.unknown_blocks++;
    }
    size_t done = 0, got = 0;
    uint8_t tail[4] = {0};
    while (done < len) {
        size_t have = ensure(f, 1);
        if (!have) {
            at_end(f, 0);
            return 0;
        }
        size_t k = have < len - done ? have : len - done;
        const uint8_t *p = at(f);
        for (size_t i = 0; i < k; i++) { /* the secrets start after 16 bytes of header */
            size_t o = done + i;
            if (secrets && o >= 16 && got < want)
                f->secrets[got++] = p[i];
            if (o >= len - 4)
                tail[o - (len - 4)] = p[i];
        }
        f->pos += k;
        done += k;
    }
    struct cursor c;
    cur_init(&c, tail, 4);
    if (rd32(&c, f->be) != len)
        f->rep.bad_blocks++;
    if (secrets)
        f->rep.secrets_blocks++;
    return secrets;
}

static enum capfile_result ng_next(struct capfile *f, struct capture_pkt *pk)
{
    for (;;) {
        size_t have = ensure_nowait(f, 12);
        if (have < 12)
            return at_end(f, have);
        struct cursor c;
        cur_init(&c, at(f), 12);
        uint32_t first = cur_le32(&c);
        if (first == BT_SHB) {
            if (!shb_header(f))
                ng_resync(f, 0);
            continue;
        }
        if (looks_like_header(first) && pcap_header(f))
            return (enum capfile_result)NEW_HEADER;
        cur_init(&c, at(f), 8);
        uint32_t type = rd32(&c, f->be), len = rd32(&c, f->be);
        if (len < block_min(type) || len % 4 || len > MAX_BLOCK) {
            ng_resync(f, len);
            continue;
        }
        if (len > TAIL_MAX) {
            if (ng_big_block(f, type, len))
                return CAPFILE_SECRETS;
            continue;
        }
        have = ensure_nowait(f, len);
        if (have < len)
            return at_end(f, have);
        const uint8_t *p = at(f);
        cur_init(&c, p + len - 4, 4);
        if (rd32(&c, f->be) != len) {
            ng_resync(f, len);
            continue;
        }
        int got = 0;
        switch (type) {
        case BT_EPB: got = ng_packet(f, p, len, 0, pk); break;
        case BT_PB: got = ng_packet(f, p, len, 1, pk); break;
        case BT_SPB: got = ng_simple(f, p, len, pk); break;
        case BT_IDB: ng_idb(f, p, len); break;
        case BT_ISB: ng_isb(f, p, len); break;
        case BT_DSB: got = ng_dsb(f, p, len) ? 2 : 0; break;
        case BT_NRB: case BT_SJE: case BT_CB: case BT_CB_NOCOPY: break; /* names, journal, custom: not needed */
        default: f->rep.unknown_blocks++; break;
        }
        f->pos += len;
        if (got)
            return got == 2 ? CAPFILE_SECRETS : CAPFILE_PACKET;
    }
}

/* ------------------------------------------------------------ the reader */

enum capfile_result capfile_next(struct capfile *f, struct capture_pkt *pk)
{
    for (;;) {
        enum capfile_result r = f->pcapng ? ng_next(f, pk) : pcap_next(f, pk);
        if ((int)r != NEW_HEADER)
            return r;
    }
}

static const char *describe_start(const uint8_t *p, size_t n, char *buf, size_t len)
{
    if (!n)
        return "an empty file";
    int k = snprintf(buf, len, "it begins with");
    for (size_t i = 0; i < n && i < 4 && k > 0 && (size_t)k < len; i++)
        k += snprintf(buf + k, len - (size_t)k, " %02x", p[i]);
    return buf;
}

struct capfile *capfile_open(const char *path, uint32_t index, const struct capfile_hooks *hooks,
                             struct capfile_meta *meta, int learn, const volatile sig_atomic_t *stop, char *err)
{
    struct capfile *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, CAPSRC_ERRLEN, "%s: %s", path, strerror(ENOMEM));
        return NULL;
    }
    f->index = index;
    f->pool_max = 2;
    f->rep.first_skip_at = -1;
    if (hooks)
        f->hooks = *hooks;
    f->learner = learn;
    f->meta = meta;
    if (!(f->src = capsrc_open(path, stop, err)))
        goto fail;
    /* a small regular file needs no 1.3 MiB buffer (a file that grows gets bigger chunks later) */
    f->chunk_cap = CHUNK_CAP;
    int64_t size = capsrc_file_size(f->src);
    if (capsrc_kind(f->src) == CAPSRC_PLAIN && size > 0 && size + 4096 < (int64_t)CHUNK_CAP)
        f->chunk_cap = (size_t)size + 4096;
    if (!f->learner) {
        if (!meta->nsec) {
            snprintf(err, CAPSRC_ERRLEN, "%s: nothing known of this file", path);
            goto fail;
        }
        return f; /* a re-reader starts with a seek */
    }
    if (pcap_header(f) || shb_header(f)) {
        f->usec_first = !f->pcapng && !section(f)->nano;
        return f;
    }
    if (f->stopped) {
        snprintf(err, CAPSRC_ERRLEN, "%s: interrupted", path);
    } else if (f->rep.fail) {
        snprintf(err, CAPSRC_ERRLEN, "%s", f->rep.fail_msg);
    } else {
        char what[64];
        const char *kind = capsrc_kind(f->src) == CAPSRC_GZIP   ? "gzip-compressed, "
                           : capsrc_kind(f->src) == CAPSRC_ZSTD ? "zstd-compressed, "
                                                                : "";
        size_t n = f->cur ? f->cur->len : 0;
        snprintf(err, CAPSRC_ERRLEN, "%s: " CAPFILE_NOT_CAPTURE " (%snot pcap or pcapng: %s)", path, kind,
                 describe_start(n ? f->cur->mem : NULL, n, what, sizeof what));
    }
fail:
    capfile_close(f);
    return NULL;
}

struct capchunk *capfile_chunk(const struct capfile *f) { return f->cur; }

void capfile_set_pool(struct capfile *f, int chunks, int (*wait)(void *ctx))
{
    f->pool_max = chunks < 2 ? 2 : chunks > POOL_HARD_MAX ? POOL_HARD_MAX : chunks;
    f->hooks.wait_chunk = wait;
}

const uint8_t *capfile_secrets(const struct capfile *f, size_t *len)
{
    *len = f->secrets_len;
    return f->secrets;
}

int capfile_seek(struct capfile *f, int64_t pos, char *err)
{
    struct capfile_meta *m = f->meta;
    size_t s = m->nsec;
    while (s > 0 && m->sec[s - 1].offset > pos)
        s--;
    if (!s) {
        snprintf(err, CAPSRC_ERRLEN, "cannot go back to a packet: no header before offset %lld", (long long)pos);
        return -1;
    }
    if (capsrc_seek(f->src, pos, err) < 0)
        return -1;
    capfile_release(f->cur);
    f->cur = NULL;
    f->pos = 0;
    f->next_base = pos;
    f->src_end = f->stopped = 0;
    const struct capfile_section *sec = &m->sec[s - 1];
    if (sec->offset == pos) /* the start of a section: read its header */
        return pcap_header(f) || shb_header(f) ? 0 : (snprintf(err, CAPSRC_ERRLEN, "cannot read a header again"), -1);
    f->sec_index = s - 1;
    f->pcapng = sec->pcapng;
    f->be = sec->bigendian;
    if (!sec->pcapng) {
        f->hdr_len = sec->kuznetzov ? 24 : 16;
        f->pcap_iface = sec->n_iface ? sec->first_iface : SIZE_MAX;
        set_pcap_iface(f);
        f->snap = f->pcap_iface != SIZE_MAX ? m->iface[f->pcap_iface].snaplen : 0;
        f->limit = CAPFILE_MAX_CAPLEN;
        f->have_last = 0;
    }
    return 0;
}

void capfile_set_index(struct capfile *f, uint32_t index) { f->index = index; }
void capfile_nowait(struct capfile *f, int on) { f->nowait = on; }
int64_t capfile_tell(const struct capfile *f) { return here(f); }
const struct capfile_report *capfile_report(const struct capfile *f) { return &f->rep; }
struct capfile_meta *capfile_meta(struct capfile *f) { return f->meta; }
const struct capsrc *capfile_src(const struct capfile *f) { return f->src; }
int capfile_usec(const struct capfile *f) { return f->usec_first; }

void capfile_meta_free(struct capfile_meta *m)
{
    if (!m)
        return;
    free(m->sec);
    free(m->iface);
    memset(m, 0, sizeof *m);
}

void capfile_close(struct capfile *f)
{
    if (!f)
        return;
    capfile_release(f->cur); /* the reader's own reference */
    for (int i = 0; i < f->npool; i++)
        capfile_release(f->pool[i]); /* the pool's: a chunk a batch still holds goes with the batch */
    capsrc_close(f->src);
    free(f->secrets);
    free(f);
}
