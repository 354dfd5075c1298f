/*
 * decode.c - link layers (Ethernet with 802.1Q/802.1ad, Linux SLL and SLL2,
 * BSD NULL/LOOP, raw IP), IPv4 with options (RFC 791), IPv6 with extension
 * headers (RFC 8200 section 4), and the TCP header with its options
 * (RFC 9293 section 3.1, RFC 7323, RFC 2018).
 */
#include "decode.h"

#include <pcap/pcap.h>
#include <string.h>

#include "bytes.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#define LINKTYPE_RAW 101 /* some savefiles hand this value through unmapped */

enum { ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_VLAN = 0x8100, ETH_QINQ = 0x88a8, ETH_QINQ_OLD = 0x9100 };
enum { IPPROTO_TCP_ = 6, IP6_HOPOPTS = 0, IP6_ROUTING = 43, IP6_FRAGMENT = 44, IP6_AH = 51, IP6_DSTOPTS = 60, IP6_MH = 135 };
#define MAX_VLAN_TAGS 8

int decode_link_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case LINKTYPE_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return 1;
    default:
        return 0;
    }
}

const char *decode_status_name(enum decode_status s)
{
    switch (s) {
    case DECODE_OK: return "ok";
    case DECODE_NOT_IP: return "not IP";
    case DECODE_NOT_TCP: return "not TCP";
    case DECODE_FRAGMENT: return "IP fragment";
    case DECODE_TRUNCATED: return "truncated header";
    case DECODE_MALFORMED: return "malformed header";
    }
    return "?";
}

/* Map a BSD address family (either byte order: the savefile's writer chose) to an IP version. */
static int af_to_ipver(uint32_t af)
{
    switch (af) {
    case 2: return 4;                            /* AF_INET everywhere */
    case 10: case 24: case 28: case 30: return 6; /* Linux, BSDs, FreeBSD, Darwin AF_INET6 */
    default: return 0;
    }
}

static int null_header_ipver(struct cursor *c, int dlt)
{
    const uint8_t *b = cur_take(c, 4);
    if (!b)
        return -1;
    uint32_t be = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    uint32_t le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
    int v = af_to_ipver(be);
    if (!v && dlt == DLT_NULL)
        v = af_to_ipver(le);
    return v;
}

static int ethertype_ipver(uint16_t et)
{
    return et == ETH_IPV4 ? 4 : et == ETH_IPV6 ? 6 : 0;
}

/*
 * Strip the link header; return the IP version the link says follows
 * (0: not IP, -1: link header truncated), with the cursor at the IP header.
 * Raw-IP links answer 99: "look at the version nibble".
 */
static int strip_link(int dlt, struct cursor *c)
{
    switch (dlt) {
    case DLT_EN10MB: {
        cur_skip(c, 12);
        uint16_t et = cur_be16(c);
        for (int tags = 0; !c->err && (et == ETH_VLAN || et == ETH_QINQ || et == ETH_QINQ_OLD); tags++) {
            if (tags == MAX_VLAN_TAGS)
                return 0;
            cur_skip(c, 2); /* PCP, DEI, VLAN id */
            et = cur_be16(c);
        }
        return c->err ? -1 : ethertype_ipver(et);
    }
    case DLT_LINUX_SLL: {
        cur_skip(c, 14);
        uint16_t et = cur_be16(c);
        return c->err ? -1 : ethertype_ipver(et);
    }
    case DLT_LINUX_SLL2: {
        uint16_t et = cur_be16(c);
        cur_skip(c, 18);
        return c->err ? -1 : ethertype_ipver(et);
    }
    case DLT_NULL:
    case DLT_LOOP:
        return null_header_ipver(c, dlt);
    case DLT_RAW:
    case LINKTYPE_RAW:
        return 99;
    case DLT_IPV4:
        return 4;
    case DLT_IPV6:
        return 6;
    default:
        return 0;
    }
}

/* TCP options (RFC 9293 3.2): a malformed option list ends parsing, it does not drop the packet. */
static void parse_tcp_options(struct cursor c, struct tcp_opts *o)
{
    while (cur_left(&c) > 0) {
        uint8_t kind = cur_u8(&c);
        if (kind == 0)
            break;
        if (kind == 1)
            continue;
        uint8_t len = cur_u8(&c);
        if (c.err || len < 2 || len - 2u > cur_left(&c))
            break;
        struct cursor v = cur_sub(&c, len - 2u);
        switch (kind) {
        case 2:
            if (len == 4)
                o->mss = cur_be16(&v);
            break;
        case 3:
            if (len == 3)
                o->wscale = cur_u8(&v);
            break;
        case 4:
            o->sack_perm = 1;
            break;
        case 5:
            o->sack_blocks = (uint8_t)((len - 2u) / 8u);
            break;
        case 8:
            if (len == 10) {
                o->has_ts = 1;
                o->ts_val = cur_be32(&v);
                o->ts_ecr = cur_be32(&v);
            }
            break;
        default:
            break;
        }
    }
}

/* `avail` = bytes of L4 captured; `claimed` = L4 length the IP header says. */
static enum decode_status decode_tcp(struct cursor *c, uint32_t claimed, struct pkt *p)
{
    size_t start = c->pos;
    p->l4_off = (uint16_t)start;
    if (claimed < 20)
        return DECODE_MALFORMED;
    if (!cur_has(c, 20))
        return DECODE_TRUNCATED;
    p->sport = cur_be16(c);
    p->dport = cur_be16(c);
    p->seq = cur_be32(c);
    p->ack = cur_be32(c);
    uint8_t off = cur_u8(c);
    p->flags = cur_u8(c);
    p->win = cur_be16(c);
    cur_skip(c, 4); /* checksum, urgent pointer */
    uint32_t hlen = (uint32_t)(off >> 4) * 4u;
    if (hlen < 20 || hlen > claimed)
        return DECODE_MALFORMED;
    p->tcp_hlen = (uint16_t)hlen;
    memset(&p->opt, 0, sizeof p->opt);
    p->opt.wscale = 0xff;
    p->seg_len = claimed - hlen;
    if (!cur_has(c, hlen - 20)) {
        /* Options cut by the snaplen: the fixed header still tells the
         * connection's story, so keep the packet with what options fit. */
        parse_tcp_options(cur_sub(c, cur_left(c)), &p->opt);
        p->payload = NULL;
        p->payload_caplen = 0;
        p->truncated = 1;
        return DECODE_OK;
    }
    parse_tcp_options(cur_sub(c, hlen - 20), &p->opt);
    size_t have = cur_left(c);
    p->payload_caplen = have < p->seg_len ? (uint32_t)have : p->seg_len;
    p->payload = p->payload_caplen ? cur_take(c, p->payload_caplen) : NULL;
    p->truncated = p->payload_caplen < p->seg_len;
    return DECODE_OK;
}

/*
 * The IP layer's claimed length beyond what was captured is fine when the
 * capture cut the frame (snaplen), and a lie when the frame was whole.
 */
static enum decode_status check_claim(uint32_t claimed_l3, size_t avail, int cut)
{
    if (claimed_l3 > avail && !cut)
        return DECODE_MALFORMED;
    return DECODE_OK;
}

static enum decode_status decode_ipv4(struct cursor *c, int cut, struct pkt *p)
{
    size_t avail = cur_left(c);
    if (!cur_has(c, 20))
        return DECODE_TRUNCATED;
    uint8_t vhl = cur_u8(c);
    cur_skip(c, 1);
    uint16_t total = cur_be16(c);
    cur_skip(c, 2);
    uint16_t frag = cur_be16(c);
    p->ttl = cur_u8(c);
    uint8_t proto = cur_u8(c);
    cur_skip(c, 2);
    cur_copy(c, p->src, 4);
    cur_copy(c, p->dst, 4);
    uint32_t hlen = (uint32_t)(vhl & 0x0f) * 4u;
    if ((vhl >> 4) != 4 || hlen < 20 || total < hlen)
        return DECODE_MALFORMED;
    if (check_claim(total, avail, cut) != DECODE_OK)
        return DECODE_MALFORMED;
    if (!cur_has(c, hlen - 20))
        return DECODE_TRUNCATED;
    cur_skip(c, hlen - 20); /* options: nothing TCP analysis needs */
    p->ipver = 4;
    if ((frag & 0x3fff) != 0) /* MF set or a non-zero offset */
        return DECODE_FRAGMENT;
    if (proto != IPPROTO_TCP_)
        return DECODE_NOT_TCP;
    /* Ethernet pads short frames: the IP total length, not the frame, bounds the segment. */
    struct cursor l4 = *c;
    size_t l4avail = cur_left(c);
    if (l4avail > total - hlen)
        l4.len = l4.pos + (total - hlen);
    return decode_tcp(&l4, total - hlen, p);
}

static enum decode_status decode_ipv6(struct cursor *c, int cut, struct pkt *p)
{
    size_t avail = cur_left(c);
    if (!cur_has(c, 40))
        return DECODE_TRUNCATED;
    uint8_t v = cur_u8(c);
    cur_skip(c, 3);
    uint32_t plen = cur_be16(c);
    uint8_t nh = cur_u8(c);
    p->ttl = cur_u8(c);
    cur_copy(c, p->src, 16);
    cur_copy(c, p->dst, 16);
    if ((v >> 4) != 6)
        return DECODE_MALFORMED;
    if (plen == 0) /* a jumbogram (RFC 2675) or nothing: neither carries TCP we can bound */
        return nh == IPPROTO_TCP_ ? DECODE_MALFORMED : DECODE_NOT_TCP;
    if (check_claim(40 + plen, avail, cut) != DECODE_OK)
        return DECODE_MALFORMED;
    p->ipver = 6;
    uint32_t left = plen; /* bytes of the IPv6 payload not yet consumed */
    for (int hops = 0; hops < 16; hops++) {
        if (nh == IPPROTO_TCP_) {
            struct cursor l4 = *c;
            if (cur_left(c) > left)
                l4.len = l4.pos + left;
            return decode_tcp(&l4, left, p);
        }
        uint32_t ehlen;
        switch (nh) {
        case IP6_HOPOPTS:
        case IP6_ROUTING:
        case IP6_DSTOPTS:
        case IP6_MH: {
            if (!cur_has(c, 2))
                return DECODE_TRUNCATED;
            const uint8_t *h = c->p + c->pos;
            ehlen = (h[1] + 1u) * 8u;
            if (ehlen > left)
                return DECODE_MALFORMED;
            nh = h[0];
            break;
        }
        case IP6_FRAGMENT: {
            if (!cur_has(c, 8))
                return DECODE_TRUNCATED;
            const uint8_t *h = c->p + c->pos;
            uint16_t offm = (uint16_t)(h[2] << 8 | h[3]);
            if (8 > left)
                return DECODE_MALFORMED;
            if ((offm & 0xfff9) != 0) /* offset or M: a real fragment; else atomic (RFC 6946) */
                return DECODE_FRAGMENT;
            ehlen = 8;
            nh = h[0];
            break;
        }
        case IP6_AH: {
            if (!cur_has(c, 2))
                return DECODE_TRUNCATED;
            const uint8_t *h = c->p + c->pos;
            ehlen = (h[1] + 2u) * 4u;
            if (ehlen > left)
                return DECODE_MALFORMED;
            nh = h[0];
            break;
        }
        default:
            return DECODE_NOT_TCP; /* ESP, no-next-header, UDP, ICMPv6 ... */
        }
        if (!cur_has(c, ehlen))
            return DECODE_TRUNCATED;
        cur_skip(c, ehlen);
        left -= ehlen;
    }
    return DECODE_MALFORMED; /* an extension-header chain longer than any real one */
}

enum decode_status decode_packet(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, struct pkt *p)
{
    struct cursor c;
    cur_init(&c, data, caplen);
    int cut = caplen < wirelen;
    int ver = strip_link(dlt, &c);
    if (ver < 0)
        return DECODE_TRUNCATED;
    if (ver == 0)
        return DECODE_NOT_IP;
    if (ver == 99) {
        if (!cur_has(&c, 1))
            return DECODE_TRUNCATED;
        ver = c.p[c.pos] >> 4;
        if (ver != 4 && ver != 6)
            return DECODE_NOT_IP;
    }
    p->l3_off = (uint16_t)(c.pos > 0xffff ? 0xffff : c.pos);
    return ver == 4 ? decode_ipv4(&c, cut, p) : decode_ipv6(&c, cut, p);
}
