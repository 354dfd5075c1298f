/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decode.c - the walk from the link layer to the TCP segment (see layer.h
 * for how layers hand over), VLAN tags (IEEE 802.1Q/802.1ad), IPv4 with
 * options (RFC 791; source routes, section 3.1), IPv6 with extension
 * headers (RFC 8200 section 4; jumbograms, RFC 2675), IP fragments handed
 * out for reassembly, and the TCP header with its options (RFC 9293
 * section 3.1, RFC 7323, RFC 2018).
 *
 * Lengths that lie harmlessly are taken from the frame: an IPv4 total
 * length of 0 (segmentation offload on the capturing host, Linux BIG TCP),
 * an IPv6 payload length of 0, and an IPv4 total length beyond an uncut
 * frame (the bytes there are used, and the packet says so in len_note).
 */
#include "decode.h"

#include <string.h>

#include "layer.h"

enum {
    IPPROTO_IPIP_ = 4,
    IPPROTO_TCP_ = 6,
    IPPROTO_UDP_ = 17,
    IPPROTO_IPV6_ = 41,
    IPPROTO_GRE_ = 47,
    IP6_HOPOPTS = 0,
    IP6_ROUTING = 43,
    IP6_FRAGMENT = 44,
    IP6_AH = 51,
    IP6_DSTOPTS = 60,
    IP6_MH = 135,
};
#define MAX_STEPS 32 /* layers in one walk, VLAN tags aside: past any real stack */
#define DLT_EN10MB_ 1

const char *decode_status_name(enum decode_status s)
{
    switch (s) {
    case DECODE_OK: return "ok";
    case DECODE_NOT_IP: return "not IP";
    case DECODE_NOT_TCP: return "not TCP";
    case DECODE_FRAGMENT: return "IP fragment";
    case DECODE_TRUNCATED: return "truncated header";
    case DECODE_MALFORMED: return "malformed header";
    case DECODE_ENCRYPTED: return "encrypted";
    case DECODE_TOO_DEEP: return "too deeply nested";
    }
    return "?";
}

const char *encap_kind_name(unsigned kind)
{
    static const char *const names[ENCAP_COUNT] = {
        "ipv4-in-ip", "ipv6-in-ip", "gre", "erspan", "vxlan", "geneve", "mpls", "teredo", "gtp-u", "capwap", "pppoe",
    };
    return kind < ENCAP_COUNT ? names[kind] : "?";
}


/* ---------------------------------------------------------------- TCP */

/* TCP options (RFC 9293 3.2): a malformed option list ends parsing, it does not drop the packet.
 * Bytes and a length rather than a cursor by value: the copy of the struct stalled the pipeline. */
static void parse_tcp_options(const uint8_t *bytes, size_t n, struct tcp_opts *o)
{
    struct cursor c;
    cur_init(&c, bytes, n);
    if (n == 12) { /* NOP, NOP, Timestamps (RFC 7323 appendix A): nearly every segment after the SYNs */
        struct cursor h = c;
        if (cur_be32(&h) == 0x0101080au) {
            o->has_ts = 1;
            o->ts_val = cur_be32(&h);
            o->ts_ecr = cur_be32(&h);
            return;
        }
    }
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

static uint16_t offset16(const struct dec *d, const struct cursor *c)
{
    size_t off = cur_here(c) ? (size_t)(cur_here(c) - d->base) : 0;
    return (uint16_t)(off > 0xffff ? 0xffff : off);
}

/* `claimed` = L4 length the IP layer says; the cursor holds what was captured of it. */
static enum decode_status decode_tcp(struct dec *d, struct cursor *c, uint32_t claimed)
{
    struct pkt *p = d->p;
    p->l4_off = offset16(d, c);
    if (claimed < 20)
        return DECODE_MALFORMED;
    if (!cur_has(c, 20))
        return DECODE_TRUNCATED;
    /* the fixed header through a cursor of its own: a local the stores into *p cannot alias,
     * so its length and position stay in registers */
    struct cursor h = cur_sub(c, 20);
    p->sport = cur_be16(&h);
    p->dport = cur_be16(&h);
    p->seq = cur_be32(&h);
    p->ack = cur_be32(&h);
    uint8_t off = cur_u8(&h);
    p->flags = cur_u8(&h);
    p->win = cur_be16(&h);
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
        size_t have = cur_left(c);
        parse_tcp_options(cur_take(c, have), have, &p->opt);
        p->payload = NULL;
        p->payload_caplen = 0;
        p->truncated = 1;
        return DECODE_OK;
    }
    parse_tcp_options(cur_take(c, hlen - 20), hlen - 20, &p->opt);
    size_t have = cur_left(c);
    p->payload_caplen = have < p->seg_len ? (uint32_t)have : p->seg_len;
    p->payload = p->payload_caplen ? cur_take(c, p->payload_caplen) : NULL;
    p->truncated = p->payload_caplen < p->seg_len;
    return DECODE_OK;
}

/* ---------------------------------------------------------------- IP */

/* An address, the header's length already checked: memcpy, not cur_copy's byte loop (a tenth
 * of the decoding time in a profile). */
static void take_addr(struct cursor *c, uint8_t *dst, size_t n)
{
    const uint8_t *b = cur_take(c, n);
    if (b)
        memcpy(dst, b, n);
}

/*
 * What an IP layer's payload of protocol `proto` is: TCP (decoded here, the
 * walk ends), a tunnel (the walk goes on), or something else.  `left` is the
 * payload length the IP header claims; the cursor holds what was captured.
 * IPv6 extension headers are walked first; an IPv4 AH too (RFC 4302).
 */
static int ip_payload(struct dec *d, struct cursor *c, int ipver, uint8_t proto, uint32_t left)
{
    struct pkt *p = d->p;
    for (int hops = 0; hops < 16; hops++) {
        uint32_t ehlen;
        switch (proto) {
        case IPPROTO_TCP_: {
            cur_bound(c, left);
            return NX_END(decode_tcp(d, c, left));
        }
        case IPPROTO_IPIP_:
        case IPPROTO_IPV6_:
            if (dec_push_encap(d, proto == IPPROTO_IPIP_ ? ENCAP_IPV4_IN_IP : ENCAP_IPV6_IN_IP, 1, 0, 0) < 0)
                return NX_END(DECODE_TOO_DEEP);
            cur_bound(c, left);
            return proto == IPPROTO_IPIP_ ? ETH_IPV4 : ETH_IPV6;
        case IPPROTO_GRE_:
            cur_bound(c, left);
            return NX_GRE;
        case IPPROTO_UDP_:
            cur_bound(c, left);
            return NX_UDP;
        case IP6_HOPOPTS:
        case IP6_ROUTING:
        case IP6_DSTOPTS:
        case IP6_MH: {
            if (ipver != 6)
                return NX_END(DECODE_NOT_TCP);
            if (!cur_has(c, 2))
                return NX_END(DECODE_TRUNCATED);
            ehlen = ((unsigned)cur_peek(c, 1) + 1u) * 8u;
            if (ehlen > left)
                return NX_END(DECODE_MALFORMED);
            proto = (uint8_t)cur_peek(c, 0);
            break;
        }
        case IP6_AH: {
            if (!cur_has(c, 2))
                return NX_END(DECODE_TRUNCATED);
            ehlen = ((unsigned)cur_peek(c, 1) + 2u) * 4u;
            if (ehlen > left)
                return NX_END(DECODE_MALFORMED);
            proto = (uint8_t)cur_peek(c, 0);
            break;
        }
        case IP6_FRAGMENT: {
            if (ipver != 6)
                return NX_END(DECODE_NOT_TCP);
            if (!cur_has(c, 8))
                return NX_END(DECODE_TRUNCATED);
            if (8 > left)
                return NX_END(DECODE_MALFORMED);
            struct cursor h = *c; /* a look: the header is skipped whole below */
            uint8_t next_proto = cur_u8(&h);
            cur_skip(&h, 1);
            uint16_t offm = cur_be16(&h);
            if ((offm & 0xfff9) != 0) { /* offset or M: a real fragment; else atomic (RFC 6946) */
                struct pkt_frag *f = &p->frag;
                f->ipver = 6;
                f->proto = next_proto;
                f->more = offm & 1;
                f->offset = offm & 0xfff8u;
                f->id = cur_be32(&h);
                memcpy(f->src, p->src, 16);
                memcpy(f->dst, p->dst, 16);
                cur_skip(c, 8);
                size_t have = cur_left(c);
                f->len = left - 8;
                f->cut = have < f->len;
                if (f->cut)
                    f->len = (uint32_t)have;
                f->data = f->len ? cur_here(c) : NULL;
                return NX_END(DECODE_FRAGMENT);
            }
            ehlen = 8;
            proto = next_proto;
            break;
        }
        default:
            return NX_END(DECODE_NOT_TCP); /* ESP, no-next-header, ICMP ... */
        }
        if (!cur_has(c, ehlen))
            return NX_END(DECODE_TRUNCATED);
        cur_skip(c, ehlen);
        left -= ehlen;
    }
    return NX_END(DECODE_MALFORMED); /* an extension-header chain longer than any real one */
}

/* IPv4 options: a loose or strict source route (RFC 791 3.1) names the final destination,
 * the one TCP's pseudo-header holds (RFC 9293 3.1), unless the route is used up. */
static void ipv4_source_route(struct cursor o, struct pkt *p)
{
    while (cur_left(&o) > 0) {
        uint8_t type = cur_u8(&o);
        if (type == 0)
            return;
        if (type == 1)
            continue;
        uint8_t len = cur_u8(&o);
        if (o.err || len < 2 || len - 2u > cur_left(&o))
            return;
        struct cursor v = cur_sub(&o, len - 2u);
        if ((type == 131 || type == 137) && len >= 7 && (len - 3u) % 4u == 0) {
            uint8_t ptr = cur_u8(&v);
            if (ptr >= 4 && ptr <= len) { /* addresses left to visit: the last one is the destination */
                cur_skip(&v, cur_left(&v) - 4u);
                cur_copy(&v, p->dst, 4);
                p->source_routed = 1;
            }
        }
    }
}

static int decode_ipv4(struct dec *d, struct cursor *c)
{
    struct pkt *p = d->p;
    p->l3_off = offset16(d, c);
    uint32_t wire = dec_wire_left(d, c);
    if (!cur_has(c, 20))
        return NX_END(DECODE_TRUNCATED);
    struct cursor h = cur_sub(c, 20); /* as in decode_tcp */
    uint8_t vhl = cur_u8(&h);
    cur_skip(&h, 1);
    uint32_t total = cur_be16(&h);
    uint16_t id = cur_be16(&h);
    uint16_t frag = cur_be16(&h);
    p->ttl = cur_u8(&h);
    uint8_t proto = cur_u8(&h);
    cur_skip(&h, 2);
    take_addr(&h, p->src, 4);
    take_addr(&h, p->dst, 4);
    uint8_t hdr_dst[4]; /* a source route's last hop replaces p->dst; fragments are keyed by the header's */
    memcpy(hdr_dst, p->dst, 4);
    uint32_t hlen = (uint32_t)(vhl & 0x0f) * 4u;
    if ((vhl >> 4) != 4 || hlen < 20)
        return NX_END(DECODE_MALFORMED);
    if (total == 0 && !(frag & 0x3fff)) {
        /* segmentation offload on the capturing host (or BIG TCP past 64 KiB): the frame knows */
        total = wire;
        p->len_note |= PKT_LEN_OFFLOAD;
    } else if (total > wire) {
        /* longer than the frame was even on the wire: use the bytes that are there */
        total = wire;
        p->len_note |= PKT_LEN_EXCEEDS;
    }
    if (total < hlen)
        return NX_END(DECODE_MALFORMED);
    if (!cur_has(c, hlen - 20))
        return NX_END(DECODE_TRUNCATED);
    p->ipver = 4;
    p->source_routed = 0;
    if (hlen > 20)
        ipv4_source_route(cur_sub(c, hlen - 20), p);
    /* Ethernet pads short frames: the IP total length, not the frame, bounds what follows. */
    cur_bound(c, total - hlen);
    if ((frag & 0x3fff) != 0) { /* MF set or a non-zero offset */
        struct pkt_frag *f = &p->frag;
        f->ipver = 4;
        f->proto = proto;
        f->more = (frag & 0x2000) != 0;
        f->offset = (frag & 0x1fffu) * 8u;
        f->id = id;
        memcpy(f->src, p->src, 4);
        memcpy(f->dst, hdr_dst, 4);
        size_t have = cur_left(c);
        f->len = total - hlen;
        f->cut = have < f->len;
        if (f->cut)
            f->len = (uint32_t)have;
        f->data = f->len ? cur_here(c) : NULL;
        return NX_END(DECODE_FRAGMENT);
    }
    return ip_payload(d, c, 4, proto, total - hlen);
}

/* RFC 2675: the Jumbo Payload option in a Hop-by-Hop header at the cursor, or 0. */
static uint32_t ipv6_jumbo(const struct cursor *c)
{
    struct cursor h = *c;
    cur_skip(&h, 1);
    uint32_t len = (cur_u8(&h) + 1u) * 8u - 2u;
    struct cursor o = cur_sub(&h, len);
    while (!o.err && cur_left(&o) >= 2) {
        uint8_t type = cur_u8(&o);
        if (type == 0) /* Pad1 */
            continue;
        uint8_t olen = cur_u8(&o);
        struct cursor v = cur_sub(&o, olen);
        if (type == 0xc2 && olen == 4 && !v.err)
            return cur_be32(&v);
    }
    return 0;
}

static int decode_ipv6(struct dec *d, struct cursor *c)
{
    struct pkt *p = d->p;
    p->l3_off = offset16(d, c);
    uint32_t wire = dec_wire_left(d, c);
    if (!cur_has(c, 40))
        return NX_END(DECODE_TRUNCATED);
    struct cursor h = cur_sub(c, 40); /* as in decode_tcp */
    uint8_t v = cur_u8(&h);
    cur_skip(&h, 3);
    uint32_t plen = cur_be16(&h);
    uint8_t nh = cur_u8(&h);
    p->ttl = cur_u8(&h);
    take_addr(&h, p->src, 16);
    take_addr(&h, p->dst, 16);
    if ((v >> 4) != 6)
        return NX_END(DECODE_MALFORMED);
    p->ipver = 6;
    p->source_routed = 0;
    if (plen == 0) {
        /* a jumbogram says its length in a Hop-by-Hop option; BIG TCP without one leaves it to the frame */
        uint32_t jumbo = nh == IP6_HOPOPTS ? ipv6_jumbo(c) : 0;
        plen = jumbo ? jumbo : wire - 40;
        p->len_note |= PKT_LEN_OFFLOAD;
    }
    if (40 + (uint64_t)plen > wire)
        return NX_END(DECODE_MALFORMED); /* longer than the frame was on the wire */
    cur_bound(c, plen);
    return ip_payload(d, c, 6, nh, plen);
}

/* ---------------------------------------------------------------- the walk */

static int vlan_tag(struct dec *d, struct cursor *c)
{
    struct pkt *p = d->p;
    uint16_t tci = cur_be16(c);
    uint16_t et = cur_be16(c);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (p->nvlan < 255) {
        if (p->nvlan < PKT_VLAN_MAX)
            p->vlan[p->nvlan] = tci & 0x0fff;
        p->nvlan++;
    }
    return et;
}

/* PPPoE session stage (RFC 2516 section 4): version/type 0x11, code 0, session id, length, PPP. */
static int pppoe_session(struct dec *d, struct cursor *c)
{
    uint8_t vt = cur_u8(c);
    uint8_t code = cur_u8(c);
    uint16_t session = cur_be16(c);
    uint16_t len = cur_be16(c);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (vt != 0x11 || code != 0)
        return NX_END(DECODE_NOT_IP);
    if (dec_push_encap(d, ENCAP_PPPOE, 0, 1, session) < 0)
        return NX_END(DECODE_TOO_DEEP);
    cur_bound(c, len);
    return NX_PPP_PROTO;
}

/* Ethernet II, or 802.3 with an LLC/SNAP header. */
static int ether_frame(struct cursor *c)
{
    cur_skip(c, 12);
    uint16_t et = cur_be16(c);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (et <= 1500) { /* an 802.3 length field */
        cur_bound(c, et);
        return llc_snap(c);
    }
    return et;
}

static int ip_by_nibble(struct cursor *c)
{
    if (!cur_has(c, 1))
        return NX_END(DECODE_TRUNCATED);
    int v = cur_peek(c, 0) >> 4;
    return v == 4 ? ETH_IPV4 : v == 6 ? ETH_IPV6 : NX_END(DECODE_NOT_IP);
}

/* From `next` on until a layer ends the walk. */
static enum decode_status walk(struct dec *d, struct cursor *c, int next)
{
    for (;;) {
        if (next >= NX_STATUS)
            return (enum decode_status)(next - NX_STATUS);
        if (next == ETH_VLAN || next == ETH_QINQ || next == ETH_QINQ_OLD) {
            next = vlan_tag(d, c); /* as deep as the frame goes: each tag takes 4 of its bytes */
            continue;
        }
        if (++d->steps > MAX_STEPS)
            return DECODE_TOO_DEEP;
        if (next >= NX_LINK && next < NX_LINK + NX_LINK_SPAN) { /* a link header named inside another (PPI) */
            next = link_strip_inner(d, next - NX_LINK, c);
            continue;
        }
        switch (next) {
        case ETH_IPV4: next = decode_ipv4(d, c); break;
        case ETH_IPV6: next = decode_ipv6(d, c); break;
        case NX_IP: next = ip_by_nibble(c); break;
        case NX_ETHER: next = ether_frame(c); break;
        case ETH_TEB: next = NX_ETHER; break;
        case NX_WLAN: next = wlan_frame(d, c); break;
        case ETH_PPPOE: next = pppoe_session(d, c); break;
        case NX_PPP: next = ppp_frame(c); break;
        case NX_PPP_PROTO: next = ppp_protocol(c); break;
        case ETH_PPP: next = NX_PPP; break;
        case ETH_MPLS:
        case ETH_MPLS_MC:
        case NX_MPLS: next = tunnel_mpls(d, c); break;
        case NX_GRE: next = tunnel_gre(d, c); break;
        case ETH_ERSPAN2:
        case ETH_ERSPAN3: next = tunnel_erspan(d, c, (uint16_t)next); break;
        case NX_UDP: next = tunnel_udp(d, c); break;
        default: return DECODE_NOT_IP; /* ARP, LLDP, PPPoE discovery, ... */
        }
    }
}

/* A decoder over the bytes the cursor `c` holds, `missing` more having been cut off by the snapshot. */
static void dec_init(struct dec *d, struct pkt *p, const struct cursor *c, uint32_t missing)
{
    d->p = p;
    d->base = cur_here(c);
    d->end = cur_end(c);
    d->missing = missing;
    d->steps = 0;
    d->gre_seq = 0;
    d->wlan_pad = 0;
    d->wlan_swap_fc = 0;
}

/*
 * The usual frame, Ethernet II carrying IPv4 without options or IPv6
 * without extension headers, then a TCP header captured whole, read through
 * cursors of fixed length: the same fields as the walk fills (the suite's
 * captures and the public ones give the same analysis either way).  0 sends
 * the frame to the walk: VLAN tags, IP options and extension headers,
 * fragments, other protocols, lengths that lie, cut headers.  The walk's
 * general machinery cost more than the bytes it reads here.
 */
enum { FAST_ETH = 14 };

/* The TCP header at `l4` (c stands there), `claimed` bytes long by the IP header. */
static inline __attribute__((always_inline)) int fast_tcp(struct cursor *c, uint32_t caplen, uint32_t l4,
                                                          uint32_t claimed, struct pkt *p)
{
    struct cursor h = cur_sub(c, 20); /* c goes on past the fixed header */
    if (h.err || claimed < 20)
        return 0;
    uint32_t have = caplen - l4 < claimed ? caplen - l4 : claimed; /* Ethernet pads: the IP length bounds */
    p->sport = cur_be16(&h);
    p->dport = cur_be16(&h);
    p->seq = cur_be32(&h);
    p->ack = cur_be32(&h);
    uint32_t hlen = (uint32_t)(cur_u8(&h) >> 4) * 4u;
    p->flags = cur_u8(&h);
    p->win = cur_be16(&h);
    if (hlen < 20 || hlen > claimed || hlen > have)
        return 0;
    p->link = DLT_EN10MB_;
    p->len_note = 0;
    p->reassembled = 0;
    p->nvlan = 0;
    p->nencap = 0;
    p->source_routed = 0;
    p->l3_off = FAST_ETH;
    p->l4_off = (uint16_t)l4;
    p->tcp_hlen = (uint16_t)hlen;
    memset(&p->opt, 0, sizeof p->opt);
    p->opt.wscale = 0xff;
    parse_tcp_options(cur_take(c, hlen - 20), hlen - 20, &p->opt);
    p->seg_len = claimed - hlen;
    p->payload_caplen = have - hlen;
    p->payload = p->payload_caplen ? cur_here(c) : NULL;
    p->truncated = p->payload_caplen < p->seg_len;
    return 1;
}

static int fast_ip_tcp(const uint8_t *data, uint32_t caplen, uint32_t wirelen, struct pkt *p)
{
    struct cursor c;
    cur_init(&c, data, caplen);
    struct cursor look = c; /* the headers, read where they lie; c then steps to the TCP header */
    struct cursor h = cur_sub(&look, FAST_ETH + 40);
    if (h.err) /* nothing shorter carries a TCP header after either IP header */
        return 0;
    cur_skip(&h, 12);
    uint16_t et = cur_be16(&h);
    uint8_t vhl = cur_u8(&h);
    uint32_t wire = (wirelen > caplen ? wirelen : caplen) - FAST_ETH;
    if (et == ETH_IPV4 && vhl == 0x45) {
        cur_skip(&h, 1);
        uint32_t total = cur_be16(&h);
        cur_skip(&h, 2);
        uint16_t frag = cur_be16(&h);
        uint8_t ttl = cur_u8(&h);
        uint8_t proto = cur_u8(&h);
        cur_skip(&h, 2);
        const uint8_t *addrs = cur_take(&h, 8);
        if (proto != IPPROTO_TCP_ || (frag & 0x3fff) || total < 20 || total > wire || !addrs)
            return 0;
        cur_skip(&c, FAST_ETH + 20);
        if (!fast_tcp(&c, caplen, FAST_ETH + 20, total - 20, p))
            return 0;
        memcpy(p->src, addrs, 4);
        memcpy(p->dst, addrs + 4, 4);
        p->ipver = 4;
        p->ttl = ttl;
        return 1;
    }
    if (et == ETH_IPV6 && (vhl >> 4) == 6) {
        cur_skip(&h, 3);
        uint32_t plen = cur_be16(&h);
        uint8_t nh = cur_u8(&h);
        uint8_t hops = cur_u8(&h);
        const uint8_t *addrs = cur_take(&h, 32);
        if (nh != IPPROTO_TCP_ || plen == 0 || 40 + plen > wire || !addrs)
            return 0;
        cur_skip(&c, FAST_ETH + 40);
        if (!fast_tcp(&c, caplen, FAST_ETH + 40, plen, p))
            return 0;
        memcpy(p->src, addrs, 16);
        memcpy(p->dst, addrs + 16, 16);
        p->ipver = 6;
        p->ttl = hops;
        return 1;
    }
    return 0;
}

enum decode_status decode_packet(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, struct pkt *p)
{
    if (dlt == DLT_EN10MB_ && fast_ip_tcp(data, caplen, wirelen, p))
        return DECODE_OK;
    struct cursor c;
    struct dec d;
    cur_init(&c, data, caplen);
    dec_init(&d, p, &c, wirelen > caplen ? wirelen - caplen : 0);
    p->link = (uint16_t)dlt;
    p->len_note = 0;
    p->reassembled = 0;
    p->nvlan = 0;
    p->nencap = 0;
    p->l3_off = 0;
    /* Ethernet, the usual case, straight to its EtherType */
    return walk(&d, &c, dlt == DLT_EN10MB_ ? ether_frame(&c) : link_strip(&d, dlt, &c));
}

enum decode_status decode_datagram(struct pkt *p, const uint8_t *data, uint32_t len)
{
    struct cursor c;
    struct dec d;
    cur_init(&c, data, len);
    dec_init(&d, p, &c, 0);
    p->reassembled = 1;
    p->l3_off = 0;
    /* the datagram's addresses: its header's own, or the source route's end the fragment saw */
    return walk(&d, &c, ip_payload(&d, &c, p->frag.ipver, p->frag.proto, len));
}
