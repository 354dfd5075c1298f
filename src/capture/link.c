/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * link.c - the link-layer headers synfin reads, as one table: each link
 * type (the LINKTYPE_ values of https://www.tcpdump.org/linktypes.html, as
 * pcap_datalink() gives them) with libpcap's name and the function that
 * strips its header.  Also PPP (RFC 1661, RFC 1662 framing, Cisco HDLC as
 * RFC 1547 4.3.1 describes it) and 802.2 LLC/SNAP (RFC 1042), which
 * several link types carry.  A link type outside the table is refused
 * before the first packet (synfin.c), so it keeps its clear error.
 */
#include "layer.h"

enum {
    LT_NULL = 0,
    LT_EN10MB = 1,
    LT_PPP = 9,
    LT_ATM_RFC1483 = 11,
    LT_RAW_BSD = 12,    /* DLT_RAW on most systems */
    LT_RAW_OPENBSD = 14,
    LT_PPP_HDLC = 50,
    LT_PPP_ETHER = 51,
    LT_RAW = 101,
    LT_C_HDLC = 104,
    LT_IEEE802_11 = 105,
    LT_LOOP = 108,
    LT_ENC = 109,
    LT_LINUX_SLL = 113,
    LT_PFLOG = 117,
    LT_PRISM = 119,
    LT_IEEE802_11_RADIO = 127,
    LT_AVS = 163,
    LT_PPI = 192,
    LT_PPP_WITH_DIR = 204,
    LT_C_HDLC_WITH_DIR = 205,
    LT_MPLS = 219,
    LT_IPNET = 226,
    LT_IPV4 = 228,
    LT_IPV6 = 229,
    LT_NFLOG = 239,
    LT_NETANALYZER = 240,
    LT_NETANALYZER_TRANSPARENT = 241,
    LT_IPOIB = 242,
    LT_PKTAP = 258,
    LT_ETHERNET_MPACKET = 274,
    LT_LINUX_SLL2 = 276,
};

/* ---------------------------------------------------------------- shared pieces */



int ppp_frame(struct cursor *c)
{
    if (!cur_has(c, 2))
        return NX_END(DECODE_TRUNCATED);
    int h0 = cur_peek(c, 0), h1 = cur_peek(c, 1);
    if (h0 == 0xff && h1 == 0x03) { /* RFC 1662 address and control */
        cur_skip(c, 2);
    } else if ((h0 == 0x0f || h0 == 0x8f) && h1 == 0x00) {
        /* Cisco HDLC, which captures labelled PPP sometimes hold: an ethertype follows */
        cur_skip(c, 2);
        uint16_t et = cur_be16(c);
        return c->err ? NX_END(DECODE_TRUNCATED) : et;
    }
    return ppp_protocol(c);
}

/* BSD loopback: an address family in either byte order (the writer's), mapped to an IP version. */
static int af_next(uint32_t af)
{
    switch (af) {
    case 2: return ETH_IPV4;                                /* AF_INET everywhere */
    case 10: case 24: case 28: case 30: return ETH_IPV6;    /* Linux, BSDs, FreeBSD, Darwin AF_INET6 */
    default: return -1;
    }
}

/* ---------------------------------------------------------------- one function per header */

static int strip_ether(struct dec *d, struct cursor *c) { (void)d; (void)c; return NX_ETHER; }
static int strip_raw(struct dec *d, struct cursor *c) { (void)d; (void)c; return NX_IP; }
static int strip_ipv4(struct dec *d, struct cursor *c) { (void)d; (void)c; return ETH_IPV4; }
static int strip_ipv6(struct dec *d, struct cursor *c) { (void)d; (void)c; return ETH_IPV6; }
static int strip_ppp(struct dec *d, struct cursor *c) { (void)d; (void)c; return NX_PPP; }
static int strip_mpls(struct dec *d, struct cursor *c) { (void)d; (void)c; return NX_MPLS; }
static int strip_wlan(struct dec *d, struct cursor *c) { (void)d; (void)c; return NX_WLAN; }
static int strip_radiotap(struct dec *d, struct cursor *c) { return wlan_radiotap(d, c); }
static int strip_ppi(struct dec *d, struct cursor *c)
{
    (void)d;
    return wlan_ppi(c);
}
static int strip_prism(struct dec *d, struct cursor *c) { (void)d; return wlan_prism_avs(c); }

static int strip_skip_then(struct cursor *c, size_t n, int next)
{
    cur_skip(c, n);
    return c->err ? NX_END(DECODE_TRUNCATED) : next;
}

static int strip_null(struct dec *d, struct cursor *c, int either_order)
{
    (void)d;
    struct cursor look = *c;
    uint32_t le = cur_le32(&look);
    uint32_t be = cur_be32(c);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    int next = af_next(be);
    if (next < 0 && either_order)
        next = af_next(le);
    return next < 0 ? NX_END(DECODE_NOT_IP) : next;
}
static int strip_bsd_null(struct dec *d, struct cursor *c) { return strip_null(d, c, 1); }
static int strip_loop(struct dec *d, struct cursor *c) { return strip_null(d, c, 0); }

/* OpenBSD enc(4): address family (host order), SPI, flags. */
static int strip_enc(struct dec *d, struct cursor *c)
{
    (void)d;
    return strip_skip_then(c, 12, NX_IP);
}

static int strip_sll(struct dec *d, struct cursor *c)
{
    (void)d;
    cur_skip(c, 14); /* packet type, ARPHRD, address length, address */
    uint16_t et = cur_be16(c);
    return c->err ? NX_END(DECODE_TRUNCATED) : et;
}

static int strip_sll2(struct dec *d, struct cursor *c)
{
    (void)d;
    uint16_t et = cur_be16(c);
    cur_skip(c, 18);
    return c->err ? NX_END(DECODE_TRUNCATED) : et;
}

static int strip_c_hdlc(struct dec *d, struct cursor *c)
{
    (void)d;
    cur_skip(c, 2); /* address 0x0f or 0x8f, control 0 */
    uint16_t et = cur_be16(c);
    return c->err ? NX_END(DECODE_TRUNCATED) : et;
}

static int strip_with_dir(struct dec *d, struct cursor *c, int (*inner)(struct dec *, struct cursor *))
{
    cur_skip(c, 1); /* direction */
    return c->err ? NX_END(DECODE_TRUNCATED) : inner(d, c);
}
static int strip_ppp_dir(struct dec *d, struct cursor *c) { return strip_with_dir(d, c, strip_ppp); }
static int strip_c_hdlc_dir(struct dec *d, struct cursor *c) { return strip_with_dir(d, c, strip_c_hdlc); }

/* PPPoE without the Ethernet header (LINKTYPE_PPP_ETHER). */
static int strip_ppp_ether(struct dec *d, struct cursor *c) { (void)d; (void)c; return ETH_PPPOE; }

static int strip_atm_rfc1483(struct dec *d, struct cursor *c)
{
    (void)d;
    return llc_snap(c);
}

/* OpenBSD pflog: the header's length (first byte), padded to 4. */
static int strip_pflog(struct dec *d, struct cursor *c)
{
    (void)d;
    if (!cur_has(c, 1))
        return NX_END(DECODE_TRUNCATED);
    size_t len = ((size_t)cur_peek(c, 0) + 3u) & ~(size_t)3;
    if (len < 4)
        return NX_END(DECODE_MALFORMED);
    return strip_skip_then(c, len, NX_IP);
}

/* Solaris ipnet: version, family, htype, packet length, ifindex, group ifindex, zones: 24 bytes. */
static int strip_ipnet(struct dec *d, struct cursor *c)
{
    (void)d;
    return strip_skip_then(c, 24, NX_IP);
}

/* InfiniBand (LINKTYPE_IPOIB): an ethertype and two reserved bytes. */
static int strip_ipoib(struct dec *d, struct cursor *c)
{
    (void)d;
    uint16_t et = cur_be16(c);
    cur_skip(c, 2);
    return c->err ? NX_END(DECODE_TRUNCATED) : et;
}

/* Hilscher netANALYZER: a 4-byte pseudo-header; the transparent kind keeps preamble and SFD too. */
static int strip_netanalyzer(struct dec *d, struct cursor *c) { (void)d; return strip_skip_then(c, 4, NX_ETHER); }
static int strip_netanalyzer_t(struct dec *d, struct cursor *c) { (void)d; return strip_skip_then(c, 12, NX_ETHER); }

/* IEEE 802.3br mPackets: preamble, then an SMD byte; only a frame's start (SMD-E, SMD-S) holds its header. */
static int strip_mpacket(struct dec *d, struct cursor *c)
{
    (void)d;
    cur_skip(c, 7);
    uint8_t smd = cur_u8(c);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    switch (smd) {
    case 0xd5: case 0xe6: case 0x4c: case 0x7f: case 0xb3: return NX_ETHER;
    default: return NX_END(DECODE_NOT_IP); /* a continuation fragment, or a verify/respond frame */
    }
}

/* Linux NFLOG: family, version, resource id, then TLVs (length and type in the logging host's order,
 * length counting the 4-byte TLV header, padded to 4); type 9, NFULA_PAYLOAD, holds the packet. */
static int strip_nflog(struct dec *d, struct cursor *c)
{
    (void)d;
    cur_skip(c, 4);
    if (!cur_has(c, 4))
        return NX_END(c->err ? DECODE_TRUNCATED : DECODE_NOT_IP);
    /* The byte order: the one in which the first TLV's type is a small number and its length fits. */
    struct cursor look = *c;
    size_t left = cur_left(c);
    uint16_t len_le = cur_le16(&look), type_le = (uint16_t)(cur_le16(&look) & 0x3fff);
    int le = len_le >= 4 && len_le <= left && type_le > 0 && type_le < 64;
    for (int tlvs = 0; cur_left(c) >= 4 && tlvs < 256; tlvs++) {
        uint16_t len = le ? cur_le16(c) : cur_be16(c);
        uint16_t type = (uint16_t)((le ? cur_le16(c) : cur_be16(c)) & 0x3fff);
        if (len < 4)
            return NX_END(DECODE_MALFORMED);
        if (type == 9) {
            cur_bound(c, len - 4u);
            return NX_IP;
        }
        cur_skip(c, ((size_t)len + 3u) / 4u * 4u - 4u);
    }
    return NX_END(c->err ? DECODE_TRUNCATED : DECODE_NOT_IP); /* no payload: a log entry without the packet */
}

static int strip_pktap(struct dec *d, struct cursor *c);

/* ---------------------------------------------------------------- the table */

struct link_type {
    int dlt;
    const char *name; /* as pcap_datalink_val_to_name() spells it */
    int (*strip)(struct dec *d, struct cursor *c);
};

/* Ethernet first: the usual case is found at the first comparison. */
static const struct link_type links[] = {
    {LT_EN10MB, "EN10MB", strip_ether},
    {LT_LINUX_SLL, "LINUX_SLL", strip_sll},
    {LT_LINUX_SLL2, "LINUX_SLL2", strip_sll2},
    {LT_RAW, "RAW", strip_raw},
    {LT_RAW_BSD, "RAW", strip_raw},
    {LT_RAW_OPENBSD, "RAW", strip_raw},
    {LT_NULL, "NULL", strip_bsd_null},
    {LT_LOOP, "LOOP", strip_loop},
    {LT_IPV4, "IPV4", strip_ipv4},
    {LT_IPV6, "IPV6", strip_ipv6},
    {LT_IEEE802_11, "IEEE802_11", strip_wlan},
    {LT_IEEE802_11_RADIO, "IEEE802_11_RADIO", strip_radiotap},
    {LT_PPI, "PPI", strip_ppi},
    {LT_PRISM, "PRISM_HEADER", strip_prism},
    {LT_AVS, "IEEE802_11_RADIO_AVS", strip_prism},
    {LT_PPP, "PPP", strip_ppp},
    {LT_PPP_HDLC, "PPP_SERIAL", strip_ppp},
    {LT_PPP_WITH_DIR, "PPP_WITH_DIR", strip_ppp_dir},
    {LT_PPP_ETHER, "PPP_ETHER", strip_ppp_ether},
    {LT_C_HDLC, "C_HDLC", strip_c_hdlc},
    {LT_C_HDLC_WITH_DIR, "C_HDLC_WITH_DIR", strip_c_hdlc_dir},
    {LT_NFLOG, "NFLOG", strip_nflog},
    {LT_IPNET, "IPNET", strip_ipnet},
    {LT_ENC, "ENC", strip_enc},
    {LT_PFLOG, "PFLOG", strip_pflog},
    {LT_MPLS, "MPLS", strip_mpls},
    {LT_ATM_RFC1483, "ATM_RFC1483", strip_atm_rfc1483},
    {LT_IPOIB, "IPOIB", strip_ipoib},
    {LT_NETANALYZER, "NETANALYZER", strip_netanalyzer},
    {LT_NETANALYZER_TRANSPARENT, "NETANALYZER_TRANSPARENT", strip_netanalyzer_t},
    {LT_ETHERNET_MPACKET, "ETHERNET_MPACKET", strip_mpacket},
    {LT_PKTAP, "PKTAP", strip_pktap},
};

static const struct link_type *find(int dlt)
{
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (links[i].dlt == dlt)
            return &links[i];
    return NULL;
}

/* Apple's PKTAP: a header whose length and inner link type lead on (little-endian, as Apple writes it). */
static int strip_pktap(struct dec *d, struct cursor *c)
{
    struct cursor h = *c;
    uint32_t len = cur_le32(&h);
    uint32_t inner = cur_le32(&h);
    if (h.err)
        return NX_END(DECODE_TRUNCATED);
    if (len < 8 || inner == LT_PKTAP || inner == LT_PPI)
        return NX_END(DECODE_MALFORMED);
    cur_skip(c, len);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    const struct link_type *lt = find((int)inner);
    return lt ? lt->strip(d, c) : NX_END(DECODE_NOT_IP);
}

int decode_link_supported(int dlt) { return find(dlt) != NULL; }

const char *decode_link_name(int dlt)
{
    const struct link_type *lt = find(dlt);
    return lt ? lt->name : NULL;
}

int link_strip(struct dec *d, int dlt, struct cursor *c)
{
    const struct link_type *lt = find(dlt);
    return lt ? lt->strip(d, c) : NX_END(DECODE_NOT_IP);
}

int link_strip_inner(struct dec *d, int dlt, struct cursor *c)
{
    if (dlt == LT_PPI || dlt == LT_PKTAP)
        return NX_END(DECODE_MALFORMED);
    return link_strip(d, dlt, c);
}
