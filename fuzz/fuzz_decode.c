/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_decode.c - decode_packet on a few frames of one link type, their IP
 * fragments through a reassembler (ipfrag.c) with a small budget, and
 * decode_datagram on what it completes: every link type of the table, every
 * tunnel, fragments in any order.
 *
 * Input: [link selector][cut] then frames, each [length, 2 bytes big-endian]
 * [bytes]; a length past the end of the input means the rest is one frame.  The selector
 * picks the DLT (one unsupported value too, for the refusal path); the cut
 * byte, when its top bit is set, makes each frame's wire length longer than
 * what was captured (a snaplen cut).
 *
 * On DECODE_OK the result must stay inside its buffer: the payload pointer
 * and its captured length within the frame (or the reassembled datagram),
 * payload_caplen <= seg_len, and `truncated` exactly when the payload or the
 * options were cut; on Ethernet, the same as the walk over the packet as raw IP
 * (the usual frame takes a fast path).  A fragment's bytes lie inside the frame.  The
 * reassembler never holds more than its budget and ends empty.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "ipfrag.h"

#include "fuzz_common.h"

static const int dlts[] = {
    DLT_EN10MB, 113 /* LINUX_SLL */, 276 /* LINUX_SLL2 */, DLT_NULL, DLT_LOOP, DLT_RAW, 101 /* LINKTYPE_RAW */,
    228 /* IPV4 */, 229 /* IPV6 */, 105 /* IEEE802_11 */, 127 /* RADIOTAP */, 192 /* PPI */, 163 /* AVS */,
    119 /* PRISM */, 9 /* PPP */, 50 /* PPP_HDLC */, 51 /* PPP_ETHER */, 104 /* C_HDLC */, 204 /* PPP_WITH_DIR */,
    239 /* NFLOG */, 226 /* IPNET */, 109 /* ENC */, 117 /* PFLOG */, 219 /* MPLS */, 11 /* ATM_RFC1483 */,
    242 /* IPOIB */, 240 /* NETANALYZER */, 241 /* NETANALYZER_TRANSPARENT */, 274 /* MPACKET */, 258 /* PKTAP */,
    160 /* USER13: not supported, keep last */
};
#define NDLTS (sizeof dlts / sizeof dlts[0])
#define MAX_FRAMES 16
#define FRAG_BUDGET (256 * 1024)

static FUZZ_NOCOV void touch(const uint8_t *p, size_t len)
{
    volatile uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= p[i];
    (void)x;
}

/* The invariants of a decoded segment inside [buf, buf + len). */
static void check_ok(const struct pkt *p, const uint8_t *buf, uint32_t len, int whole)
{
    FUZZ_CHECK(p->ipver == 4 || p->ipver == 6, "ipver %u", p->ipver);
    FUZZ_CHECK(p->l4_off + 20u <= len, "l4_off %u, buffer %u", p->l4_off, len);
    FUZZ_CHECK(p->tcp_hlen >= 20 && p->tcp_hlen <= 60 && p->tcp_hlen % 4 == 0, "tcp_hlen %u", p->tcp_hlen);
    FUZZ_CHECK(p->payload_caplen <= p->seg_len, "payload_caplen %u > seg_len %u", p->payload_caplen, p->seg_len);
    if (p->payload_caplen) {
        FUZZ_CHECK(p->payload >= buf + p->l4_off + p->tcp_hlen && p->payload + p->payload_caplen <= buf + len,
                   "payload [%td, +%u) outside the buffer of %u (l4 %u + %u)", p->payload - buf, p->payload_caplen,
                   len, p->l4_off, p->tcp_hlen);
        touch(p->payload, p->payload_caplen); /* ASan checks the bounds */
    } else {
        FUZZ_CHECK(p->payload == NULL, "payload pointer without bytes");
    }
    FUZZ_CHECK(p->truncated == 0 || p->truncated == 1, "truncated %u", p->truncated);
    if (p->payload_caplen < p->seg_len)
        FUZZ_CHECK(p->truncated, "payload cut (%u of %u) but not marked truncated", p->payload_caplen, p->seg_len);
    if (p->truncated && p->payload_caplen == p->seg_len)
        FUZZ_CHECK(p->l4_off + (uint32_t)p->tcp_hlen > len, "marked truncated but nothing was cut");
    FUZZ_CHECK(p->opt.sack_perm <= 1 && p->opt.has_ts <= 1, "option flags");
    FUZZ_CHECK(p->opt.sack_blocks <= 4, "%u SACK blocks in at most 40 option bytes", p->opt.sack_blocks);
    FUZZ_CHECK(p->nencap <= PKT_ENCAP_MAX, "%u encapsulations", p->nencap);
    for (unsigned i = 0; i < p->nencap; i++)
        FUZZ_CHECK(p->encap[i].kind < ENCAP_COUNT && (p->encap[i].ipver == 0 || p->encap[i].ipver == 4 ||
                                                      p->encap[i].ipver == 6),
                   "encapsulation %u", i);
    FUZZ_CHECK(!(p->len_note & ~(PKT_LEN_OFFLOAD | PKT_LEN_EXCEEDS)), "len_note %u", p->len_note);
    /* a buffer that was not cut cannot carry a payload cut short */
    if (whole)
        FUZZ_CHECK(!p->truncated, "an uncut frame decoded as truncated (seg_len %u, have %u)", p->seg_len,
                   p->payload_caplen);
}

/* An Ethernet frame decodes as its IP packet does as raw IP: the usual frame takes decode.c's
 * fast path, raw IP always the walk.  Only where both read the same layers: the ethertype and
 * the version nibble agree. */
static void check_like_raw(const uint8_t *frame, uint32_t caplen, uint32_t wirelen, enum decode_status ds,
                           const struct pkt *e)
{
    if (caplen < 15 || !((frame[12] == 0x08 && frame[13] == 0x00 && frame[14] >> 4 == 4) ||
                         (frame[12] == 0x86 && frame[13] == 0xdd && frame[14] >> 4 == 6)))
        return;
    struct pkt r;
    memset(&r, 0xa5, sizeof r);
    enum decode_status rs = decode_packet(DLT_RAW, frame + 14, caplen - 14, wirelen - 14, &r);
    FUZZ_CHECK(rs == ds, "Ethernet decodes as %s, the same packet as raw IP as %s", decode_status_name(ds),
               decode_status_name(rs));
    if (ds != DECODE_OK)
        return;
    size_t alen = e->ipver == 6 ? 16 : 4;
    FUZZ_CHECK(e->ipver == r.ipver && !memcmp(e->src, r.src, alen) && !memcmp(e->dst, r.dst, alen) &&
                   e->sport == r.sport && e->dport == r.dport && e->seq == r.seq && e->ack == r.ack &&
                   e->flags == r.flags && e->win == r.win && e->ttl == r.ttl,
               "Ethernet and raw IP decode different headers");
    FUZZ_CHECK(!memcmp(&e->opt, &r.opt, sizeof e->opt), "Ethernet and raw IP decode different TCP options");
    FUZZ_CHECK(e->payload == r.payload && e->payload_caplen == r.payload_caplen && e->seg_len == r.seg_len &&
                   e->truncated == r.truncated && e->tcp_hlen == r.tcp_hlen && e->l4_off == r.l4_off + 14 &&
                   e->len_note == r.len_note && e->source_routed == r.source_routed && e->nencap == r.nencap,
               "Ethernet and raw IP decode different lengths (payload %u/%u of %u/%u)", e->payload_caplen,
               r.payload_caplen, e->seg_len, r.seg_len);
}

static void check_status(enum decode_status ds)
{
    FUZZ_CHECK(ds >= DECODE_OK && ds <= DECODE_TOO_DEEP, "status %d", (int)ds);
    FUZZ_CHECK(decode_status_name(ds) != NULL, "no status name");
}

/* A fragment: its bytes inside the frame; into the reassembler; decode what completes. */
static void reassemble(struct ipfrag *r, struct pkt *p, const uint8_t *buf, uint32_t len, int64_t ts)
{
    uint8_t *dgram = NULL;
    for (int depth = 0; depth <= PKT_ENCAP_MAX; depth++) {
        FUZZ_CHECK(p->frag.ipver == 4 || p->frag.ipver == 6, "fragment ipver %u", p->frag.ipver);
        if (p->frag.len) {
            FUZZ_CHECK(p->frag.data >= buf && p->frag.data + p->frag.len <= buf + len,
                       "fragment [%td, +%u) outside the buffer of %u", p->frag.data - buf, p->frag.len, len);
            touch(p->frag.data, p->frag.len);
        }
        struct ipfrag_done done;
        enum ipfrag_result res = ipfrag_add(r, &p->frag, ts, ts, &done);
        FUZZ_CHECK(ipfrag_memory(r) <= FRAG_BUDGET, "reassembler holds %zu bytes", ipfrag_memory(r));
        if (res != IPFRAG_DONE)
            break;
        FUZZ_CHECK(done.len <= IPFRAG_MAX_DATAGRAM, "a datagram of %u bytes", done.len);
        touch(done.data, done.len);
        free(dgram);
        dgram = done.data;
        buf = dgram;
        len = done.len;
        enum decode_status ds = decode_datagram(p, dgram, done.len);
        check_status(ds);
        FUZZ_CHECK(p->reassembled == 1, "not marked reassembled");
        if (ds == DECODE_OK)
            check_ok(p, dgram, done.len, 1);
        if (ds != DECODE_FRAGMENT)
            break;
    }
    free(dgram);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 4 * 65536)
        return 0;
    int dlt = dlts[data[0] % NDLTS];
    uint8_t cut = data[1];
    int supported = decode_link_supported(dlt);
    FUZZ_CHECK(supported == (data[0] % NDLTS != NDLTS - 1), "decode_link_supported(%d) = %d", dlt, supported);
    FUZZ_CHECK(!supported || decode_link_name(dlt) != NULL, "no name for link type %d", dlt);

    struct ipfrag *r = ipfrag_new(FRAG_BUDGET, 1000);
    if (!r)
        return 0;
    size_t at = 2;
    for (int n = 0; n < MAX_FRAMES && at < size; n++) {
        size_t left = size - at, flen = left;
        if (left >= 2 && ((size_t)data[at] << 8 | data[at + 1]) <= left - 2) {
            flen = (size_t)data[at] << 8 | data[at + 1];
            at += 2;
        }
        uint32_t caplen = (uint32_t)flen;
        uint32_t wirelen = caplen + ((cut & 0x80) ? 1u + (cut & 0x7f) * 16u : 0u);
        /* the frame in a buffer of exactly its size, so ASan sees any read past it */
        uint8_t *frame = malloc(caplen ? caplen : 1);
        if (!frame)
            break;
        memcpy(frame, data + at, caplen);
        at += flen;

        struct pkt p;
        memset(&p, 0xa5, sizeof p); /* what decode_packet does not fill must not be trusted */
        enum decode_status ds = decode_packet(dlt, caplen ? frame : NULL, caplen, wirelen, &p);
        check_status(ds);
        if (dlt == DLT_EN10MB)
            check_like_raw(frame, caplen, wirelen, ds, &p);
        if (!supported)
            FUZZ_CHECK(ds == DECODE_NOT_IP, "unsupported link type %d gave %s", dlt, decode_status_name(ds));
        if (ds == DECODE_OK) {
            FUZZ_CHECK(p.l3_off < caplen && p.l4_off > p.l3_off, "l3_off %u, l4_off %u, caplen %u", p.l3_off,
                       p.l4_off, caplen);
            check_ok(&p, frame, caplen, wirelen == caplen);
        } else if (ds == DECODE_FRAGMENT) {
            reassemble(r, &p, frame, caplen, n * 100);
        }
        ipfrag_expire(r, n * 100);
        free(frame);
    }
    ipfrag_flush(r);
    FUZZ_CHECK(ipfrag_memory(r) == 0 && ipfrag_pending(r) == 0, "the reassembler holds %zu bytes at the end",
               ipfrag_memory(r));
    ipfrag_free(r);
    return 0;
}
