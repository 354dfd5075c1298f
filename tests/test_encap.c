/* SPDX-License-Identifier: BSD-2-Clause */
/* test_encap.c - owns the unit tests of the decoder's newer layers on hand-built and broken frames:
 * IEEE 802.11 and its radio headers, PPP, PPPoE, NFLOG and the other link types of the table,
 * tunnels (GRE, ERSPAN, VXLAN, GENEVE, MPLS, Teredo, GTP-U, CAPWAP, IP in IP), the nesting bound,
 * IP lengths that lie, source routes, fragments handed out, and decode_datagram. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "unit.h"

enum {
    L_EN10MB = 1,
    L_PPP = 9,
    L_ATM = 11,
    L_RAW = 12,
    L_PPP_ETHER = 51,
    L_C_HDLC = 104,
    L_WLAN = 105,
    L_ENC = 109,
    L_PFLOG = 117,
    L_PRISM = 119,
    L_RADIOTAP = 127,
    L_AVS = 163,
    L_PPI = 192,
    L_PPP_DIR = 204,
    L_MPLS = 219,
    L_IPNET = 226,
    L_NFLOG = 239,
    L_NETANALYZER = 240,
    L_IPOIB = 242,
    L_PKTAP = 258,
    L_MPACKET = 274,
};

#define SPORT 40000
#define DPORT 443
#define PAYLEN 6

static const uint8_t V4SRC[4] = {192, 0, 2, 1}, V4DST[4] = {198, 51, 100, 2};
static const uint8_t O4SRC[4] = {203, 0, 113, 1}, O4DST[4] = {203, 0, 113, 2};
static const uint8_t V6SRC[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t V6DST[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/* ---------------------------------------------------------------- builders: b + n, returning the new n */

struct buf {
    uint8_t b[2048];
    size_t n;
};

static void put(struct buf *f, const void *p, size_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
}
static void put8(struct buf *f, uint8_t v) { f->b[f->n++] = v; }
static void put16(struct buf *f, uint16_t v)
{
    put8(f, (uint8_t)(v >> 8));
    put8(f, (uint8_t)v);
}
static void put32(struct buf *f, uint32_t v)
{
    put16(f, (uint16_t)(v >> 16));
    put16(f, (uint16_t)v);
}
static void putle16(struct buf *f, uint16_t v)
{
    put8(f, (uint8_t)v);
    put8(f, (uint8_t)(v >> 8));
}
static void putle32(struct buf *f, uint32_t v)
{
    putle16(f, (uint16_t)v);
    putle16(f, (uint16_t)(v >> 16));
}
static void be16at(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

/* A TCP segment: 20-byte header, PAYLEN payload bytes 0xa0... */
static void tcp(struct buf *f)
{
    put16(f, SPORT);
    put16(f, DPORT);
    put32(f, 0x11223344);
    put32(f, 0x55667788);
    put8(f, 0x50);
    put8(f, 0x18);
    put16(f, 1000);
    put32(f, 0);
    for (int i = 0; i < PAYLEN; i++)
        put8(f, (uint8_t)(0xa0 + i));
}

/* An IPv4 header for `l4len` bytes of `proto` (addresses given), then the caller's L4. */
static void ipv4_hdr(struct buf *f, uint8_t proto, size_t l4len, const uint8_t *src, const uint8_t *dst)
{
    put8(f, 0x45);
    put8(f, 0);
    put16(f, (uint16_t)(20 + l4len));
    put16(f, 0x1234);
    put16(f, 0);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    put(f, src, 4);
    put(f, dst, 4);
}

static void ipv6_hdr(struct buf *f, uint8_t nh, size_t plen, const uint8_t *src, const uint8_t *dst)
{
    put32(f, 0x60000000);
    put16(f, (uint16_t)plen);
    put8(f, nh);
    put8(f, 57);
    put(f, src, 16);
    put(f, dst, 16);
}

/* The inner packet every tunnel here carries: IPv4 V4SRC -> V4DST, TCP. */
static void inner_v4(struct buf *f)
{
    ipv4_hdr(f, 6, 20 + PAYLEN, V4SRC, V4DST);
    tcp(f);
}

static void inner_v6(struct buf *f)
{
    ipv6_hdr(f, 6, 20 + PAYLEN, V6SRC, V6DST);
    tcp(f);
}

static void eth(struct buf *f, uint16_t type)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    put(f, macs, 12);
    put16(f, type);
}

/* Decode from a heap copy of exactly caplen bytes (ASan sees overreads); wirelen = caplen + cut. */
static enum decode_status dec_cut(int dlt, const struct buf *f, size_t caplen, uint32_t cut, struct pkt *p)
{
    uint8_t *copy = malloc(caplen ? caplen : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, f->b, caplen);
    memset(p, 0x5a, sizeof *p);
    enum decode_status st = decode_packet(dlt, copy, (uint32_t)caplen, (uint32_t)caplen + cut, p);
    if (st == DECODE_OK && p->payload) {
        CU_ASSERT_TRUE(p->payload >= copy && p->payload + p->payload_caplen <= copy + caplen);
        p->payload = f->b + (p->payload - copy);
    }
    if (st == DECODE_FRAGMENT && p->frag.len) { /* the same for a fragment's bytes */
        CU_ASSERT_TRUE(p->frag.data >= copy && p->frag.data + p->frag.len <= copy + caplen);
        p->frag.data = f->b + (p->frag.data - copy);
    }
    free(copy);
    return st;
}

static enum decode_status dec(int dlt, const struct buf *f, struct pkt *p) { return dec_cut(dlt, f, f->n, 0, p); }

/* The inner segment came through whole. */
static void check_inner(const struct pkt *p, int ipver)
{
    CU_ASSERT_EQUAL(p->ipver, ipver);
    if (ipver == 4) {
        CU_ASSERT_EQUAL(memcmp(p->src, V4SRC, 4), 0);
        CU_ASSERT_EQUAL(memcmp(p->dst, V4DST, 4), 0);
    } else {
        CU_ASSERT_EQUAL(memcmp(p->src, V6SRC, 16), 0);
        CU_ASSERT_EQUAL(memcmp(p->dst, V6DST, 16), 0);
    }
    CU_ASSERT_EQUAL(p->sport, SPORT);
    CU_ASSERT_EQUAL(p->dport, DPORT);
    CU_ASSERT_EQUAL(p->seq, 0x11223344u);
    CU_ASSERT_EQUAL(p->seg_len, PAYLEN);
    CU_ASSERT_EQUAL(p->payload_caplen, PAYLEN);
    CU_ASSERT_EQUAL(p->truncated, 0);
    if (p->payload_caplen == PAYLEN) {
        CU_ASSERT_EQUAL(p->payload[0], 0xa0);
        CU_ASSERT_EQUAL(p->payload[PAYLEN - 1], 0xa0 + PAYLEN - 1);
    }
}

static void check_encap(const struct pkt *p, unsigned i, enum encap_kind kind, int has_id, uint32_t id, int outer4)
{
    CU_ASSERT_TRUE_FATAL(i < p->nencap);
    const struct encap *e = &p->encap[i];
    CU_ASSERT_EQUAL(e->kind, kind);
    CU_ASSERT_EQUAL(e->has_id, has_id);
    if (has_id)
        CU_ASSERT_EQUAL(e->id, id);
    if (outer4) {
        CU_ASSERT_EQUAL(e->ipver, 4);
        CU_ASSERT_EQUAL(memcmp(e->src, O4SRC, 4), 0);
        CU_ASSERT_EQUAL(memcmp(e->dst, O4DST, 4), 0);
    } else {
        CU_ASSERT_EQUAL(e->ipver, 0);
    }
}

/*
 * Every prefix of a good frame, uncut and cut: never a read past it (ASan), and
 * only the statuses a short frame may earn.  An OK must keep the payload inside.
 */
static void prefixes(int dlt, const struct buf *f, const char *what)
{
    for (size_t len = 0; len < f->n; len++) {
        for (int cutmode = 0; cutmode < 2; cutmode++) {
            struct pkt p;
            enum decode_status st = dec_cut(dlt, f, len, cutmode ? (uint32_t)(f->n - len) : 0, &p);
            int ok = st != DECODE_FRAGMENT && st != DECODE_TOO_DEEP;
            if (st == DECODE_OK)
                ok = p.payload_caplen <= p.seg_len && (p.payload_caplen == p.seg_len || p.truncated);
            if (!ok)
                fprintf(stderr, "\n  %s: prefix %zu/%zu cut %d: %s\n", what, len, f->n, cutmode, decode_status_name(st));
            CU_ASSERT_TRUE(ok);
        }
    }
}

/* ---------------------------------------------------------------- IEEE 802.11 */

enum { WLAN_QOS = 1, WLAN_FOUR = 2, WLAN_PROTECTED = 4, WLAN_ORDER = 8, WLAN_AMSDU = 16 };

static void wlan_hdr(struct buf *f, int how, uint8_t subtype)
{
    static const uint8_t a[6] = {2, 0, 0, 0, 0xa, 1};
    put8(f, (uint8_t)(2 << 2 | subtype << 4));
    put8(f, (uint8_t)((how & WLAN_FOUR ? 3 : 1) | (how & WLAN_PROTECTED ? 0x40 : 0) | (how & WLAN_ORDER ? 0x80 : 0)));
    put16(f, 0);
    put(f, a, 6);
    put(f, a, 6);
    put(f, a, 6);
    put16(f, 0);
    if (how & WLAN_FOUR)
        put(f, a, 6);
    if (subtype & 8) {
        put8(f, how & WLAN_AMSDU ? 0x80 : 0);
        put8(f, 0);
        if (how & WLAN_ORDER)
            put32(f, 0);
    }
}

static void snap(struct buf *f, uint16_t type)
{
    static const uint8_t llc[6] = {0xaa, 0xaa, 0x03, 0, 0, 0};
    put(f, llc, 6);
    put16(f, type);
}

static void wlan_data(struct buf *f, int how)
{
    wlan_hdr(f, how, how & WLAN_QOS ? 8 : 0);
    snap(f, 0x0800);
    inner_v4(f);
}

static void test_wlan(void)
{
    struct buf f;
    struct pkt p;
    static const int hows[] = {0, WLAN_QOS, WLAN_FOUR, WLAN_QOS | WLAN_FOUR, WLAN_QOS | WLAN_ORDER};
    for (size_t i = 0; i < UNIT_COUNT(hows); i++) {
        f.n = 0;
        wlan_data(&f, hows[i]);
        CU_ASSERT_EQUAL_FATAL(dec(L_WLAN, &f, &p), DECODE_OK);
        check_inner(&p, 4);
        CU_ASSERT_EQUAL(p.link, L_WLAN);
        prefixes(L_WLAN, &f, "802.11");
    }
    /* protected: encrypted, whatever follows */
    f.n = 0;
    wlan_data(&f, WLAN_QOS | WLAN_PROTECTED);
    CU_ASSERT_EQUAL(dec(L_WLAN, &f, &p), DECODE_ENCRYPTED);
    /* an A-MSDU aggregate is not read */
    f.n = 0;
    wlan_data(&f, WLAN_QOS | WLAN_AMSDU);
    CU_ASSERT_EQUAL(dec(L_WLAN, &f, &p), DECODE_NOT_IP);
    /* null data (subtype 4), management (beacon), control (ACK) */
    f.n = 0;
    wlan_hdr(&f, 0, 4);
    CU_ASSERT_EQUAL(dec(L_WLAN, &f, &p), DECODE_NOT_IP);
    f.n = 0;
    wlan_data(&f, 0);
    f.b[0] = 0x80; /* management, beacon */
    CU_ASSERT_EQUAL(dec(L_WLAN, &f, &p), DECODE_NOT_IP);
    f.b[0] = 0xd4; /* control, ACK */
    CU_ASSERT_EQUAL(dec(L_WLAN, &f, &p), DECODE_NOT_IP);
    /* protocol version 1: not a frame we know */
    f.n = 0;
    wlan_data(&f, 0);
    f.b[0] |= 1;
    CU_ASSERT_EQUAL(dec(L_WLAN, &f, &p), DECODE_MALFORMED);
    /* LLC without SNAP (a spanning-tree BPDU) */
    f.n = 0;
    wlan_hdr(&f, 0, 0);
    static const uint8_t stp[8] = {0x42, 0x42, 0x03, 0, 0, 0, 0, 0};
    put(&f, stp, sizeof stp);
    CU_ASSERT_EQUAL(dec(L_WLAN, &f, &p), DECODE_NOT_IP);
}

static void radiotap_hdr(struct buf *f, uint8_t flags)
{
    put8(f, 0);
    put8(f, 0);
    putle16(f, 18);
    putle32(f, 0x7); /* TSFT, Flags, Rate */
    putle32(f, 1);
    putle32(f, 0);
    put8(f, flags);
    put8(f, 12);
}

static void test_radiotap(void)
{
    struct buf f;
    struct pkt p;
    /* plain */
    f.n = 0;
    radiotap_hdr(&f, 0);
    wlan_data(&f, WLAN_QOS);
    CU_ASSERT_EQUAL_FATAL(dec(L_RADIOTAP, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    prefixes(L_RADIOTAP, &f, "radiotap");

    /* data pad: a QoS header (26 bytes) padded to 28; and an FCS after the frame */
    f.n = 0;
    radiotap_hdr(&f, 0x30);
    wlan_hdr(&f, WLAN_QOS, 8);
    put16(&f, 0);
    snap(&f, 0x0800);
    inner_v4(&f);
    put32(&f, 0xdeadbeef);
    CU_ASSERT_EQUAL_FATAL(dec(L_RADIOTAP, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    /* without the pad flag the same bytes do not parse as LLC/SNAP */
    f.b[16] = 0x10;
    CU_ASSERT_EQUAL(dec(L_RADIOTAP, &f, &p), DECODE_NOT_IP);

    /* version 1, a length below its own fixed part, a length past the frame */
    f.n = 0;
    radiotap_hdr(&f, 0);
    wlan_data(&f, 0);
    f.b[0] = 1;
    CU_ASSERT_EQUAL(dec(L_RADIOTAP, &f, &p), DECODE_MALFORMED);
    f.b[0] = 0;
    f.b[2] = 4;
    CU_ASSERT_EQUAL(dec(L_RADIOTAP, &f, &p), DECODE_MALFORMED);
    f.b[2] = 0xff;
    f.b[3] = 0xff;
    CU_ASSERT_EQUAL(dec(L_RADIOTAP, &f, &p), DECODE_TRUNCATED);
    /* presence bitmaps extended past the header: flags unknown, still decodes */
    f.n = 0;
    put8(&f, 0);
    put8(&f, 0);
    putle16(&f, 12);
    putle32(&f, 0x80000002);
    putle32(&f, 0x80000000);
    wlan_data(&f, 0);
    CU_ASSERT_EQUAL(dec(L_RADIOTAP, &f, &p), DECODE_OK);
}

static void test_ppi_avs_prism(void)
{
    struct buf f;
    struct pkt p;
    /* PPI with one field, 802.11 inside */
    f.n = 0;
    put8(&f, 0);
    put8(&f, 0);
    putle16(&f, 8 + 8);
    putle32(&f, L_WLAN);
    putle16(&f, 2);
    putle16(&f, 4);
    put32(&f, 0);
    wlan_data(&f, WLAN_FOUR);
    CU_ASSERT_EQUAL_FATAL(dec(L_PPI, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    prefixes(L_PPI, &f, "ppi");
    /* PPI naming Ethernet */
    f.n = 0;
    put8(&f, 0);
    put8(&f, 0);
    putle16(&f, 8);
    putle32(&f, L_EN10MB);
    eth(&f, 0x0800);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_PPI, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    /* PPI inside PPI, an unknown inner link type, a length below 8 */
    f.b[4] = L_PPI;
    CU_ASSERT_EQUAL(dec(L_PPI, &f, &p), DECODE_MALFORMED);
    f.b[4] = 147;
    CU_ASSERT_EQUAL(dec(L_PPI, &f, &p), DECODE_NOT_IP);
    f.b[4] = L_EN10MB;
    f.b[2] = 3;
    CU_ASSERT_EQUAL(dec(L_PPI, &f, &p), DECODE_MALFORMED);

    /* AVS (big-endian magic and length), also under the Prism link type */
    f.n = 0;
    put32(&f, 0x80211001);
    put32(&f, 64);
    for (int i = 0; i < 56; i++)
        put8(&f, 0);
    wlan_data(&f, 0);
    CU_ASSERT_EQUAL_FATAL(dec(L_AVS, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    CU_ASSERT_EQUAL(dec(L_PRISM, &f, &p), DECODE_OK);
    prefixes(L_AVS, &f, "avs");
    /* Prism: message code, then its little-endian length (144) */
    f.n = 0;
    putle32(&f, 0x41);
    putle32(&f, 144);
    for (int i = 0; i < 136; i++)
        put8(&f, 0);
    wlan_data(&f, 0);
    CU_ASSERT_EQUAL_FATAL(dec(L_PRISM, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    f.b[4] = 3; /* a length too short to be a header */
    CU_ASSERT_EQUAL(dec(L_PRISM, &f, &p), DECODE_MALFORMED);
}

/* ---------------------------------------------------------------- PPP, PPPoE, serial links */

static void test_ppp(void)
{
    struct buf f;
    struct pkt p;
    /* HDLC-like framing */
    f.n = 0;
    put16(&f, 0xff03);
    put16(&f, 0x0021);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_PPP, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    prefixes(L_PPP, &f, "ppp");
    /* no framing, protocol field compressed to one byte */
    f.n = 0;
    put8(&f, 0x57);
    inner_v6(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_PPP, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    /* Cisco HDLC framing under the PPP link type */
    f.n = 0;
    put16(&f, 0x0f00);
    put16(&f, 0x0800);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_PPP, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    /* and the Cisco HDLC link type itself */
    CU_ASSERT_EQUAL_FATAL(dec(L_C_HDLC, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    prefixes(L_C_HDLC, &f, "c_hdlc");
    /* LCP: not IP */
    f.n = 0;
    put16(&f, 0xff03);
    put16(&f, 0xc021);
    put32(&f, 0x09010008);
    CU_ASSERT_EQUAL(dec(L_PPP, &f, &p), DECODE_NOT_IP);
    /* PPP with a direction byte first */
    f.n = 0;
    put8(&f, 1);
    put16(&f, 0xff03);
    put16(&f, 0x0021);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_PPP_DIR, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    /* MPLS over PPP */
    f.n = 0;
    put16(&f, 0xff03);
    put16(&f, 0x0281);
    put32(&f, 16u << 12 | 0x100 | 64);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_PPP, &f, &p), DECODE_OK);
    check_encap(&p, 0, ENCAP_MPLS, 1, 16, 0);
}

static void pppoe(struct buf *f, uint8_t vt, uint8_t code, uint16_t len)
{
    put8(f, vt);
    put8(f, code);
    put16(f, 0x2a1b);
    put16(f, len);
}

static void test_pppoe_vlans(void)
{
    struct buf f;
    struct pkt p;
    /* twelve VLAN tags, then PPPoE session, PPP, IPv6 */
    f.n = 0;
    eth(&f, 0x88a8);
    for (int i = 0; i < 12; i++) {
        put16(&f, (uint16_t)(0x2000 | (100 + i)));
        put16(&f, i == 11 ? 0x8864 : 0x8100);
    }
    pppoe(&f, 0x11, 0, 2 + 40 + 20 + PAYLEN);
    put16(&f, 0x0057);
    inner_v6(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    CU_ASSERT_EQUAL(p.nvlan, 12);
    CU_ASSERT_EQUAL(p.vlan[0], 100);
    CU_ASSERT_EQUAL(p.vlan[PKT_VLAN_MAX - 1], 100 + PKT_VLAN_MAX - 1);
    CU_ASSERT_EQUAL(p.nencap, 1);
    check_encap(&p, 0, ENCAP_PPPOE, 1, 0x2a1b, 0);
    prefixes(L_EN10MB, &f, "vlans/pppoe");
    /* the session length bounds the packet: Ethernet padding after it is not payload */
    size_t good = f.n;
    memset(f.b + f.n, 0xee, 10);
    f.n += 10;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    f.n = good;
    /* wrong version/type, a discovery code */
    f.b[14 + 48] = 0x12;
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_IP);
    f.b[14 + 48] = 0x11;
    f.b[14 + 49] = 0x09;
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_IP);
    /* PPPoE discovery ethertype: not IP */
    f.n = 0;
    eth(&f, 0x8863);
    pppoe(&f, 0x11, 0x09, 0);
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_IP);
    /* LINKTYPE_PPP_ETHER: the PPPoE header first */
    f.n = 0;
    pppoe(&f, 0x11, 0, 2 + 20 + 20 + PAYLEN);
    put16(&f, 0x0021);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_PPP_ETHER, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    /* a tag with nothing after it */
    f.n = 0;
    eth(&f, 0x8100);
    put16(&f, 5);
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_TRUNCATED);
}

/* 802.3 with a length field and LLC/SNAP, and ATM RFC 1483 (LLC/SNAP alone) */
static void test_llc_snap(void)
{
    struct buf f;
    struct pkt p;
    f.n = 0;
    eth(&f, 8 + 20 + 20 + PAYLEN);
    snap(&f, 0x0800);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    f.n = 0;
    snap(&f, 0x86dd);
    inner_v6(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_ATM, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    f.b[5] = 0x0c; /* an OUI that is not encapsulated Ethernet */
    CU_ASSERT_EQUAL(dec(L_ATM, &f, &p), DECODE_NOT_IP);
}

static void nflog_tlv(struct buf *f, int le, uint16_t type, const uint8_t *v, size_t n)
{
    if (le) {
        putle16(f, (uint16_t)(4 + n));
        putle16(f, type);
    } else {
        put16(f, (uint16_t)(4 + n));
        put16(f, type);
    }
    put(f, v, n);
    while (f->n % 4)
        put8(f, 0);
}

static void test_nflog(void)
{
    for (int le = 0; le < 2; le++) {
        struct buf f, in;
        struct pkt p;
        in.n = 0;
        inner_v4(&in);
        f.n = 0;
        put8(&f, 2);
        put8(&f, 0);
        put16(&f, 1);
        static const uint8_t hdr[4] = {0x08, 0x00, 3, 0};
        nflog_tlv(&f, le, 1, hdr, sizeof hdr);
        nflog_tlv(&f, le, 10, (const uint8_t *)"synfin", 7);
        nflog_tlv(&f, le, 9, in.b, in.n);
        CU_ASSERT_EQUAL_FATAL(dec(L_NFLOG, &f, &p), DECODE_OK);
        check_inner(&p, 4);
        prefixes(L_NFLOG, &f, "nflog");
        /* a TLV (the second: the first tells the byte order) shorter than its own header */
        uint8_t save = f.b[12 + (le ? 0 : 1)];
        f.b[12 + (le ? 0 : 1)] = 2;
        CU_ASSERT_EQUAL(dec(L_NFLOG, &f, &p), DECODE_MALFORMED);
        f.b[12 + (le ? 0 : 1)] = save;
        /* no payload TLV: a log entry without the packet */
        f.n = 4 + 8 + 12;
        CU_ASSERT_EQUAL(dec(L_NFLOG, &f, &p), DECODE_NOT_IP);
    }
}

static void test_other_links(void)
{
    struct buf f;
    struct pkt p;
    /* IPNET: 24-byte header */
    f.n = 0;
    for (int i = 0; i < 24; i++)
        put8(&f, i == 0 ? 1 : i == 1 ? 2 : 0);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_IPNET, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    prefixes(L_IPNET, &f, "ipnet");
    /* enc: 12 bytes */
    f.n = 0;
    for (int i = 0; i < 12; i++)
        put8(&f, 0);
    inner_v6(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_ENC, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    /* pflog: its length byte (61), padded to 64 */
    f.n = 0;
    put8(&f, 61);
    for (int i = 1; i < 64; i++)
        put8(&f, 0);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_PFLOG, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    f.b[0] = 0;
    CU_ASSERT_EQUAL(dec(L_PFLOG, &f, &p), DECODE_MALFORMED);
    /* LINKTYPE_MPLS */
    f.n = 0;
    put32(&f, 77u << 12 | 0x100 | 64);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_MPLS, &f, &p), DECODE_OK);
    check_encap(&p, 0, ENCAP_MPLS, 1, 77, 0);
    /* IPoIB: ethertype, reserved */
    f.n = 0;
    put16(&f, 0x0800);
    put16(&f, 0);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_IPOIB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    /* netANALYZER: 4-byte header then Ethernet */
    f.n = 0;
    put32(&f, 0);
    eth(&f, 0x0800);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_NETANALYZER, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    /* mPacket: preamble, SMD-E, Ethernet; a continuation fragment is not IP */
    f.n = 0;
    for (int i = 0; i < 7; i++)
        put8(&f, 0x55);
    put8(&f, 0xd5);
    eth(&f, 0x0800);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_MPACKET, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    f.b[7] = 0x61;
    CU_ASSERT_EQUAL(dec(L_MPACKET, &f, &p), DECODE_NOT_IP);
    /* PKTAP: header length and inner link type (little-endian), then that link's frame */
    f.n = 0;
    putle32(&f, 12);
    putle32(&f, L_EN10MB);
    putle32(&f, 0);
    eth(&f, 0x0800);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_PKTAP, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    f.b[4] = (uint8_t)L_PKTAP;
    f.b[5] = (uint8_t)(L_PKTAP >> 8);
    CU_ASSERT_EQUAL(dec(L_PKTAP, &f, &p), DECODE_MALFORMED);
    f.b[0] = 0xff;
    f.b[1] = 0xff;
    CU_ASSERT_NOT_EQUAL(dec(L_PKTAP, &f, &p), DECODE_OK);
    /* the names */
    CU_ASSERT_STRING_EQUAL(decode_link_name(L_RADIOTAP), "IEEE802_11_RADIO");
    CU_ASSERT_STRING_EQUAL(decode_link_name(L_NFLOG), "NFLOG");
    CU_ASSERT_STRING_EQUAL(decode_link_name(L_C_HDLC), "C_HDLC");
}

/* ---------------------------------------------------------------- tunnels */

/* Ethernet, outer IPv4 O4SRC -> O4DST of `proto`, then the tunnel header the caller puts. */
static size_t outer_start(struct buf *f, uint8_t proto)
{
    f->n = 0;
    eth(f, 0x0800);
    ipv4_hdr(f, proto, 0, O4SRC, O4DST);
    return 14;
}

/* Set the outer IPv4 total length now that everything is in. */
static void outer_end(struct buf *f, size_t ip_at) { be16at(f->b + ip_at + 2, (uint16_t)(f->n - ip_at)); }

static size_t udp_start(struct buf *f, uint16_t sport, uint16_t dport)
{
    size_t ip = outer_start(f, 17);
    put16(f, sport);
    put16(f, dport);
    put16(f, 0);
    put16(f, 0);
    return ip;
}

static void udp_end(struct buf *f, size_t ip)
{
    outer_end(f, ip);
    be16at(f->b + ip + 24, (uint16_t)(f->n - ip - 20));
}

static void test_ip_in_ip(void)
{
    struct buf f;
    struct pkt p;
    size_t ip = outer_start(&f, 4);
    inner_v4(&f);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    CU_ASSERT_EQUAL(p.nencap, 1);
    check_encap(&p, 0, ENCAP_IPV4_IN_IP, 0, 0, 1);
    CU_ASSERT_EQUAL(p.l3_off, 34);
    prefixes(L_EN10MB, &f, "ipip");

    ip = outer_start(&f, 41);
    inner_v6(&f);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    check_encap(&p, 0, ENCAP_IPV6_IN_IP, 0, 0, 1);
    /* protocol 41 but an IPv4 packet inside: a contradiction */
    ip = outer_start(&f, 41);
    inner_v4(&f);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_MALFORMED);
    /* IPv4 in IPv6 */
    f.n = 0;
    eth(&f, 0x86dd);
    ipv6_hdr(&f, 4, 20 + 20 + PAYLEN, V6SRC, V6DST);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    CU_ASSERT_EQUAL(p.encap[0].ipver, 6);
}

static void test_gre(void)
{
    struct buf f;
    struct pkt p;
    /* checksum, key, sequence */
    size_t ip = outer_start(&f, 47);
    put16(&f, 0xb000);
    put16(&f, 0x0800);
    put32(&f, 0);
    put32(&f, 0x1234);
    put32(&f, 7);
    inner_v4(&f);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    check_encap(&p, 0, ENCAP_GRE, 1, 0x1234, 1);
    prefixes(L_EN10MB, &f, "gre");
    /* routing present (RFC 1701): not read */
    f.b[34] = 0x40;
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_TCP);
    /* version 2: unknown */
    f.b[34] = 0x00;
    f.b[35] = 0x02;
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_TCP);
    /* version 1 (PPTP) without a key, or with another protocol */
    f.b[35] = 0x01;
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_MALFORMED);

    /* PPTP: key (payload length, call id), sequence, PPP inside */
    ip = outer_start(&f, 47);
    put16(&f, 0x3001);
    put16(&f, 0x880b);
    put16(&f, 0);
    put16(&f, 99);
    put32(&f, 1);
    put16(&f, 0xff03);
    put16(&f, 0x0021);
    inner_v4(&f);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    check_encap(&p, 0, ENCAP_GRE, 1, 99, 1);

    /* transparent Ethernet bridging */
    ip = outer_start(&f, 47);
    put16(&f, 0x0000);
    put16(&f, 0x6558);
    eth(&f, 0x86dd);
    inner_v6(&f);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    check_encap(&p, 0, ENCAP_GRE, 0, 0, 1);
}

static void test_erspan(void)
{
    struct buf f;
    struct pkt p;
    /* type II: GRE with a sequence number, version 1, session 42 */
    size_t ip = outer_start(&f, 47);
    put16(&f, 0x1000);
    put16(&f, 0x88be);
    put32(&f, 5);
    put16(&f, 0x1000);
    put16(&f, 42);
    put32(&f, 0);
    eth(&f, 0x0800);
    inner_v4(&f);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    CU_ASSERT_EQUAL(p.nencap, 2);
    check_encap(&p, 1, ENCAP_ERSPAN, 1, 42, 0);
    prefixes(L_EN10MB, &f, "erspan2");
    f.b[42] = 0x30; /* version 3 in a type II header */
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_IP);

    /* type I: no sequence number, no ERSPAN header */
    ip = outer_start(&f, 47);
    put16(&f, 0x0000);
    put16(&f, 0x88be);
    eth(&f, 0x0800);
    inner_v4(&f);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    check_encap(&p, 1, ENCAP_ERSPAN, 0, 0, 0);

    /* type III with the platform subheader; then with a frame type other than Ethernet */
    ip = outer_start(&f, 47);
    put16(&f, 0x1000);
    put16(&f, 0x22eb);
    put32(&f, 1);
    put16(&f, 0x2000);
    put16(&f, 7);
    put32(&f, 0x01020304);
    put16(&f, 0);
    put16(&f, 0x0001);
    put32(&f, 0);
    put32(&f, 0);
    eth(&f, 0x0800);
    inner_v4(&f);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    check_encap(&p, 1, ENCAP_ERSPAN, 1, 7, 0);
    prefixes(L_EN10MB, &f, "erspan3");
    f.b[52] = 0x08; /* FT = 2 */
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_IP);
}

static void test_udp_tunnels(void)
{
    struct buf f;
    struct pkt p;
    /* VXLAN */
    size_t ip = udp_start(&f, 50000, 4789);
    put32(&f, 0x08000000);
    put32(&f, 5001u << 8);
    eth(&f, 0x0800);
    inner_v4(&f);
    udp_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    check_encap(&p, 0, ENCAP_VXLAN, 1, 5001, 1);
    prefixes(L_EN10MB, &f, "vxlan");
    f.b[42] = 0; /* no I flag: plain UDP on port 4789 */
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_TCP);

    /* GENEVE with an option, IPv4 inside directly */
    ip = udp_start(&f, 50000, 6081);
    put8(&f, 2);
    put8(&f, 0);
    put16(&f, 0x0800);
    put32(&f, 0xabcdu << 8);
    put32(&f, 0x01028001);
    put32(&f, 0xdeadbeef);
    inner_v4(&f);
    udp_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    check_encap(&p, 0, ENCAP_GENEVE, 1, 0xabcd, 1);
    prefixes(L_EN10MB, &f, "geneve");
    f.b[42] = 0x40; /* version 1 */
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_TCP);
    f.b[42] = 0x3f; /* options longer than the packet */
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_TRUNCATED);

    /* Teredo from the relay's port: origin indication, IPv6 */
    ip = udp_start(&f, 3544, 53000);
    put16(&f, 0);
    put16(&f, 0x3137);
    put32(&f, 0x34ff8efe);
    inner_v6(&f);
    udp_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    check_encap(&p, 0, ENCAP_TEREDO, 0, 0, 1);
    prefixes(L_EN10MB, &f, "teredo");
    /* with an authentication indicator first (id 2 bytes, value 3 bytes) */
    ip = udp_start(&f, 53000, 3544);
    put16(&f, 1);
    put8(&f, 2);
    put8(&f, 3);
    for (int i = 0; i < 2 + 3 + 9; i++)
        put8(&f, 0x11);
    inner_v6(&f);
    udp_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    /* something that is not IPv6 on port 3544 */
    ip = udp_start(&f, 53000, 3544);
    put32(&f, 0x12345678);
    udp_end(&f, ip);
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_TCP);

    /* GTP-U with a sequence number and one extension header */
    ip = udp_start(&f, 2152, 2152);
    put8(&f, 0x36);
    put8(&f, 0xff);
    put16(&f, (uint16_t)(4 + 4 + 20 + 20 + PAYLEN));
    put32(&f, 0x1000);
    put16(&f, 1);
    put8(&f, 0);
    put8(&f, 0x85);
    put32(&f, 0x01100900);
    inner_v4(&f);
    udp_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    check_encap(&p, 0, ENCAP_GTPU, 1, 0x1000, 1);
    prefixes(L_EN10MB, &f, "gtp-u");
    f.b[54] = 0; /* extension header length 0 */
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_MALFORMED);
    f.b[54] = 1;
    f.b[43] = 0x01; /* an echo request, not a G-PDU */
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_TCP);

    /* CAPWAP data: an 802.3 frame; DTLS; native 802.11 with swapped frame control */
    ip = udp_start(&f, 40000, 5247);
    put32(&f, 2u << 19 | 1u << 9);
    put32(&f, 0);
    eth(&f, 0x0800);
    inner_v4(&f);
    udp_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    check_encap(&p, 0, ENCAP_CAPWAP, 0, 0, 1);
    prefixes(L_EN10MB, &f, "capwap");
    f.b[42] = 0x01;
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_ENCRYPTED);
    ip = udp_start(&f, 40000, 5247);
    put32(&f, 2u << 19 | 1u << 9 | 1u << 8);
    put32(&f, 0);
    size_t fc = f.n;
    wlan_data(&f, 0);
    uint8_t t = f.b[fc];
    f.b[fc] = f.b[fc + 1];
    f.b[fc + 1] = t;
    udp_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);

    /* a UDP header cut short, and UDP to no tunnel port */
    ip = udp_start(&f, 53, 53);
    udp_end(&f, ip);
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_TCP);
    f.n -= 4;
    be16at(f.b + 16, 24);
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_TCP);
}

static void test_mpls(void)
{
    struct buf f;
    struct pkt p;
    /* two labels, IPv6 */
    f.n = 0;
    eth(&f, 0x8847);
    put32(&f, 100u << 12 | 64);
    put32(&f, 200u << 12 | 0x100 | 64);
    inner_v6(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    CU_ASSERT_EQUAL(p.nencap, 2);
    check_encap(&p, 0, ENCAP_MPLS, 1, 100, 0);
    check_encap(&p, 1, ENCAP_MPLS, 1, 200, 0);
    prefixes(L_EN10MB, &f, "mpls");
    /* pseudowire: control word, Ethernet */
    f.n = 0;
    eth(&f, 0x8847);
    put32(&f, 300u << 12 | 0x100 | 64);
    put32(&f, 0);
    eth(&f, 0x0800);
    inner_v4(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    /* an associated channel (first nibble 1) */
    f.b[18] = 0x10;
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_NOT_IP);
    /* a stack that never ends */
    f.n = 0;
    eth(&f, 0x8847);
    for (int i = 0; i < 3; i++)
        put32(&f, 5u << 12);
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_TRUNCATED);
    /* deeper than PKT_ENCAP_MAX labels */
    f.n = 0;
    eth(&f, 0x8847);
    for (int i = 0; i <= PKT_ENCAP_MAX; i++)
        put32(&f, (uint32_t)(10 + i) << 12 | (i == PKT_ENCAP_MAX ? 0x100u : 0));
    inner_v4(&f);
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_TOO_DEEP);
}

/* IP in IP nested `depth` times around the inner packet. */
static void nested(struct buf *f, int depth)
{
    struct buf in;
    in.n = 0;
    inner_v4(&in);
    for (int d = 0; d < depth; d++) {
        struct buf out;
        out.n = 0;
        ipv4_hdr(&out, 4, in.n, O4SRC, O4DST);
        put(&out, in.b, in.n);
        in = out;
    }
    f->n = 0;
    eth(f, 0x0800);
    put(f, in.b, in.n);
}

static void test_depth(void)
{
    struct buf f;
    struct pkt p;
    nested(&f, PKT_ENCAP_MAX);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    CU_ASSERT_EQUAL(p.nencap, PKT_ENCAP_MAX);
    nested(&f, PKT_ENCAP_MAX + 1);
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_TOO_DEEP);
    CU_ASSERT_STRING_EQUAL(decode_status_name(DECODE_TOO_DEEP), "too deeply nested");
    CU_ASSERT_STRING_EQUAL(encap_kind_name(ENCAP_GTPU), "gtp-u");
    CU_ASSERT_STRING_EQUAL(encap_kind_name(ENCAP_COUNT), "?");
}

/* ---------------------------------------------------------------- lengths, source routes */

static void test_lengths(void)
{
    struct buf f;
    struct pkt p;
    /* IPv4 total length 0 on a frame the snapshot length cut: the wire length tells */
    f.n = 0;
    eth(&f, 0x0800);
    inner_v4(&f);
    be16at(f.b + 16, 0);
    CU_ASSERT_EQUAL_FATAL(dec_cut(L_EN10MB, &f, f.n - 2, 2, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.seg_len, PAYLEN);
    CU_ASSERT_EQUAL(p.payload_caplen, PAYLEN - 2);
    CU_ASSERT_EQUAL(p.truncated, 1);
    CU_ASSERT_EQUAL(p.len_note, PKT_LEN_OFFLOAD);
    /* longer than the wire length: flagged, the bytes there used */
    be16at(f.b + 16, 1000);
    CU_ASSERT_EQUAL_FATAL(dec_cut(L_EN10MB, &f, f.n - 2, 2, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.len_note, PKT_LEN_EXCEEDS);
    CU_ASSERT_EQUAL(p.seg_len, PAYLEN);
    CU_ASSERT_EQUAL(p.truncated, 1);

    /* IPv6 jumbogram: payload length 0, Hop-by-Hop with Jumbo Payload */
    f.n = 0;
    eth(&f, 0x86dd);
    ipv6_hdr(&f, 0, 0, V6SRC, V6DST);
    put8(&f, 6);
    put8(&f, 0);
    put8(&f, 0xc2);
    put8(&f, 4);
    put32(&f, 8 + 20 + PAYLEN);
    tcp(&f);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 6);
    CU_ASSERT_EQUAL(p.len_note, PKT_LEN_OFFLOAD);
    prefixes(L_EN10MB, &f, "jumbo");
    /* a jumbo length past the frame */
    f.b[14 + 40 + 4] = 0x7f;
    CU_ASSERT_EQUAL(dec(L_EN10MB, &f, &p), DECODE_MALFORMED);
    /* a Hop-by-Hop header whose option runs past it: no jumbo, the frame's length */
    f.b[14 + 40 + 4] = 0;
    f.b[14 + 40 + 3] = 40;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 6);
}

static void lsrr(struct buf *f, uint8_t type, uint8_t len, uint8_t ptr)
{
    f->n = 0;
    eth(f, 0x0800);
    put8(f, 0x48);
    put8(f, 0);
    put16(f, 32 + 20 + PAYLEN);
    put32(f, 0);
    put8(f, 64);
    put8(f, 6);
    put16(f, 0);
    put(f, V4SRC, 4);
    put(f, O4DST, 4); /* the next hop */
    put8(f, type);
    put8(f, len);
    put8(f, ptr);
    put(f, O4SRC, 4); /* a hop on the way */
    put(f, V4DST, 4); /* the final destination */
    put8(f, 0);
    tcp(f);
}

static void test_source_route(void)
{
    struct buf f;
    struct pkt p;
    lsrr(&f, 131, 11, 4);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    check_inner(&p, 4);
    CU_ASSERT_EQUAL(p.source_routed, 1);
    lsrr(&f, 137, 11, 8); /* strict, one hop done */
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    CU_ASSERT_EQUAL(memcmp(p.dst, V4DST, 4), 0);
    /* the route used up: the header's destination is the final one */
    lsrr(&f, 131, 11, 12);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
    CU_ASSERT_EQUAL(memcmp(p.dst, O4DST, 4), 0);
    CU_ASSERT_EQUAL(p.source_routed, 0);
    /* malformed options: a length that is not 3 + 4n, past the header, or 1 */
    static const uint8_t bad[] = {10, 12, 1};
    for (size_t i = 0; i < sizeof bad; i++) {
        lsrr(&f, 131, bad[i], 4);
        CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_OK);
        CU_ASSERT_EQUAL(memcmp(p.dst, O4DST, 4), 0);
    }
    lsrr(&f, 131, 11, 4);
    prefixes(L_EN10MB, &f, "lsrr");
}

/* ---------------------------------------------------------------- fragments */

static void test_fragment_info(void)
{
    struct buf f;
    struct pkt p;
    /* an IPv4 fragment inside GRE: the fragment's own header names it */
    size_t ip = outer_start(&f, 47);
    put16(&f, 0);
    put16(&f, 0x0800);
    size_t in = f.n;
    inner_v4(&f);
    be16at(f.b + in + 6, 0x2000 | 3); /* MF, offset 24 */
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_FRAGMENT);
    CU_ASSERT_EQUAL(p.frag.ipver, 4);
    CU_ASSERT_EQUAL(p.frag.proto, 6);
    CU_ASSERT_EQUAL(p.frag.id, 0x1234);
    CU_ASSERT_EQUAL(p.frag.offset, 24);
    CU_ASSERT_EQUAL(p.frag.more, 1);
    CU_ASSERT_EQUAL(p.frag.len, 20 + PAYLEN);
    CU_ASSERT_EQUAL(p.frag.cut, 0);
    CU_ASSERT_EQUAL(memcmp(p.frag.src, V4SRC, 4), 0);
    CU_ASSERT_PTR_NOT_NULL(p.frag.data);
    CU_ASSERT_EQUAL(p.nencap, 1);
    /* cut by the snapshot length */
    CU_ASSERT_EQUAL_FATAL(dec_cut(L_EN10MB, &f, f.n - 3, 3, &p), DECODE_FRAGMENT);
    CU_ASSERT_EQUAL(p.frag.cut, 1);
    CU_ASSERT_EQUAL(p.frag.len, 20 + PAYLEN - 3);

    /* IPv6: Fragment header after a Hop-by-Hop header */
    f.n = 0;
    eth(&f, 0x86dd);
    ipv6_hdr(&f, 0, 8 + 8 + 16, V6SRC, V6DST);
    put32(&f, 0x2c000104);
    put32(&f, 0);
    put8(&f, 6);
    put8(&f, 0);
    put16(&f, 0x0011); /* offset 16, M */
    put32(&f, 0xc0ffee01);
    for (int i = 0; i < 16; i++)
        put8(&f, (uint8_t)i);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_FRAGMENT);
    CU_ASSERT_EQUAL(p.frag.ipver, 6);
    CU_ASSERT_EQUAL(p.frag.id, 0xc0ffee01u);
    CU_ASSERT_EQUAL(p.frag.offset, 16);
    CU_ASSERT_EQUAL(p.frag.more, 1);
    CU_ASSERT_EQUAL(p.frag.len, 16);
    CU_ASSERT_EQUAL(p.frag.data[15], 15);
}

static void test_datagram(void)
{
    struct buf f, seg;
    struct pkt p;
    /* the fragment decoded first sets addresses and the protocol; the datagram is then TCP */
    size_t ip = outer_start(&f, 47);
    put16(&f, 0);
    put16(&f, 0x0800);
    size_t in = f.n;
    inner_v4(&f);
    be16at(f.b + in + 6, 0x2000);
    outer_end(&f, ip);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, &f, &p), DECODE_FRAGMENT);
    seg.n = 0;
    tcp(&seg);
    uint8_t *copy = malloc(seg.n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, seg.b, seg.n);
    CU_ASSERT_EQUAL_FATAL(decode_datagram(&p, copy, (uint32_t)seg.n), DECODE_OK);
    CU_ASSERT_EQUAL(p.reassembled, 1);
    CU_ASSERT_EQUAL(p.sport, SPORT);
    CU_ASSERT_EQUAL(p.seg_len, PAYLEN);
    CU_ASSERT_EQUAL(p.nencap, 1); /* the GRE it came through stays */
    CU_ASSERT_TRUE(p.payload >= copy && p.payload + p.payload_caplen <= copy + seg.n);
    /* a datagram too short for its TCP header */
    CU_ASSERT_EQUAL(decode_datagram(&p, copy, 10), DECODE_MALFORMED);
    free(copy);

    /* IPv6: extension headers at the start of the reassembled part */
    p.frag.ipver = 6;
    p.frag.proto = 60;
    seg.n = 0;
    put32(&seg, 0x06000104);
    put32(&seg, 0);
    tcp(&seg);
    CU_ASSERT_EQUAL_FATAL(decode_datagram(&p, seg.b, (uint32_t)seg.n), DECODE_OK);
    CU_ASSERT_EQUAL(p.seg_len, PAYLEN);
}

/* Junk after each link type's header never reads past the frame. */
static void test_junk(void)
{
    static const int dlts[] = {L_WLAN, L_RADIOTAP, L_PPI, L_AVS, L_PRISM, L_PPP, L_C_HDLC, L_NFLOG, L_IPNET,
                               L_PFLOG, L_MPLS, L_PKTAP, L_MPACKET, L_PPP_ETHER, L_EN10MB};
    uint32_t x = 4242;
    for (int round = 0; round < 6000; round++) {
        size_t len = (size_t)(round % 150);
        uint8_t *b = malloc(len ? len : 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            b[i] = (uint8_t)(x >> 16);
        }
        int dlt = dlts[round % (int)UNIT_COUNT(dlts)];
        if (dlt == L_EN10MB && len > 14) { /* steer into the tunnels */
            static const uint16_t ets[] = {0x8847, 0x8864, 0x88a8, 0x0800};
            be16at(b + 12, ets[(round / 16) % 4]);
            if (len > 24 && ets[(round / 16) % 4] == 0x0800) {
                b[14] = 0x45;
                static const uint8_t protos[] = {4, 41, 47, 17};
                b[23] = protos[(round / 64) % 4];
                b[20] = b[21] = 0;
                if (len > 37 && b[23] == 17) {
                    static const uint16_t ports[] = {4789, 6081, 3544, 2152, 5247};
                    be16at(b + 36, ports[(round / 256) % 5]);
                }
            }
        }
        struct pkt p;
        enum decode_status st = decode_packet(dlt, b, (uint32_t)len, (uint32_t)len + (uint32_t)(round % 3), &p);
        if (st == DECODE_OK && p.payload)
            CU_ASSERT_TRUE(p.payload >= b && p.payload + p.payload_caplen <= b + len);
        if (st == DECODE_FRAGMENT && p.frag.len)
            CU_ASSERT_TRUE(p.frag.data >= b && p.frag.data + p.frag.len <= b + len);
        CU_ASSERT_TRUE(st <= DECODE_TOO_DEEP);
        free(b);
    }
}

int main(void)
{
    static const struct unit_case links[] = {
        {"802.11 data, QoS, four addresses; what is skipped", test_wlan},
        {"Radiotap: data pad, FCS, broken headers", test_radiotap},
        {"PPI, AVS, Prism", test_ppi_avs_prism},
        {"PPP framings, Cisco HDLC, PPP with direction", test_ppp},
        {"PPPoE under twelve VLAN tags", test_pppoe_vlans},
        {"802.3 LLC/SNAP, ATM RFC 1483", test_llc_snap},
        {"NFLOG in both byte orders", test_nflog},
        {"IPNET, enc, pflog, MPLS, IPoIB, netANALYZER, mPacket, PKTAP", test_other_links},
    };
    static const struct unit_case tunnels[] = {
        {"IP in IP, IPv6 in IPv4, IPv4 in IPv6", test_ip_in_ip},
        {"GRE: key, sequence, PPTP, bridging", test_gre},
        {"ERSPAN I, II, III", test_erspan},
        {"VXLAN, GENEVE, Teredo, GTP-U, CAPWAP", test_udp_tunnels},
        {"MPLS stacks and pseudowires", test_mpls},
        {"nesting bound", test_depth},
    };
    static const struct unit_case ip[] = {
        {"lengths: offload on a cut frame, jumbograms", test_lengths},
        {"IPv4 source routes", test_source_route},
        {"fragments handed out", test_fragment_info},
        {"decode_datagram", test_datagram},
        {"junk never overreads", test_junk},
    };
    static const struct unit_suite suites[] = {
        {"link layers", NULL, NULL, links, UNIT_COUNT(links)},
        {"tunnels", NULL, NULL, tunnels, UNIT_COUNT(tunnels)},
        {"IP", NULL, NULL, ip, UNIT_COUNT(ip)},
    };
    return unit_run_suites(suites, UNIT_COUNT(suites));
}
