/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tunnel.c - encapsulations that carry packets inside IP or a link: GRE
 * (RFC 2784, keys and sequence numbers RFC 2890, PPTP's version 1 RFC
 * 2637 section 4.1), Cisco ERSPAN types I, II and III inside GRE
 * (draft-foschiano-erspan-03), and over UDP: VXLAN (RFC 7348, port 4789),
 * GENEVE (RFC 8926, 6081), Teredo (RFC 4380, 3544), GTP-U (3GPP TS 29.281,
 * 2152) and CAPWAP data (RFC 5415 section 4.3, 5247); MPLS label stacks
 * (RFC 3032) with IPv4, IPv6 or an Ethernet pseudowire after its control
 * word (RFC 4448, RFC 4385) below them.
 *
 * A UDP tunnel is recognised by its port (the destination first), as
 * tshark does, and then only if its header holds up; anything else on
 * those ports is plain UDP.
 */
#include "layer.h"

enum {
    GRE_C = 0x8000,
    GRE_R = 0x4000,
    GRE_K = 0x2000,
    GRE_S = 0x1000,
    GRE_A = 0x0080, /* version 1: an acknowledgment number */
    PORT_VXLAN = 4789,
    PORT_GENEVE = 6081,
    PORT_TEREDO = 3544,
    PORT_GTPU = 2152,
    PORT_CAPWAP_DATA = 5247,
};

int tunnel_gre(struct dec *d, struct cursor *c)
{
    uint16_t flags = cur_be16(c);
    uint16_t proto = cur_be16(c);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    unsigned version = flags & 7;
    uint32_t id = 0;
    int has_id = 0;
    if (version == 0) {
        if (flags & GRE_R)
            return NX_END(DECODE_NOT_TCP); /* RFC 1701 source routing: obsolete, not read */
        if (flags & GRE_C)
            cur_skip(c, 4);
        if (flags & GRE_K) {
            id = cur_be32(c);
            has_id = 1;
        }
        if (flags & GRE_S)
            cur_skip(c, 4);
    } else if (version == 1) {
        if (!(flags & GRE_K) || proto != ETH_PPP)
            return NX_END(DECODE_MALFORMED);
        cur_skip(c, 2); /* payload length */
        id = cur_be16(c); /* call id */
        has_id = 1;
        if (flags & GRE_S)
            cur_skip(c, 4);
        if (flags & GRE_A)
            cur_skip(c, 4);
    } else {
        return NX_END(DECODE_NOT_TCP);
    }
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (dec_push_encap(d, ENCAP_GRE, 1, has_id, id) < 0)
        return NX_END(DECODE_TOO_DEEP);
    d->gre_seq = (flags & GRE_S) != 0;
    return proto;
}

int tunnel_erspan(struct dec *d, struct cursor *c, uint16_t ethertype)
{
    if (ethertype == ETH_ERSPAN2 && !d->gre_seq) {
        /* type I: no ERSPAN header, the mirrored frame follows the GRE header */
        if (dec_push_encap(d, ENCAP_ERSPAN, 0, 0, 0) < 0)
            return NX_END(DECODE_TOO_DEEP);
        return NX_ETHER;
    }
    uint16_t w0 = cur_be16(c); /* version, VLAN */
    uint16_t w1 = cur_be16(c); /* CoS, encapsulation or BSO, T, session id */
    unsigned version = w0 >> 12;
    int next = NX_ETHER;
    if (ethertype == ETH_ERSPAN2) {
        cur_skip(c, 4); /* reserved, index */
        if (!c->err && version != 1)
            return NX_END(DECODE_NOT_IP);
    } else {
        cur_skip(c, 6);           /* timestamp, security group tag */
        uint16_t w4 = cur_be16(c); /* P, frame type, hardware id, direction, granularity, O */
        if (!c->err && version != 2)
            return NX_END(DECODE_NOT_IP);
        if (w4 & 1)
            cur_skip(c, 8); /* the platform-specific subheader */
        if (((w4 >> 10) & 0x1f) != 0)
            next = NX_END(DECODE_NOT_IP); /* not an Ethernet frame */
    }
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (dec_push_encap(d, ENCAP_ERSPAN, 0, 1, w1 & 0x3ffu) < 0)
        return NX_END(DECODE_TOO_DEEP);
    return next;
}

int tunnel_mpls(struct dec *d, struct cursor *c)
{
    for (;;) {
        uint32_t lse = cur_be32(c);
        if (c->err)
            return NX_END(DECODE_TRUNCATED);
        if (dec_push_encap(d, ENCAP_MPLS, 0, 1, lse >> 12) < 0)
            return NX_END(DECODE_TOO_DEEP);
        if (lse & 0x100) /* bottom of the stack */
            break;
    }
    if (!cur_has(c, 1))
        return NX_END(DECODE_TRUNCATED);
    switch (cur_peek(c, 0) >> 4) {
    case 4: return ETH_IPV4;
    case 6: return ETH_IPV6;
    case 0: /* a pseudowire control word, then the Ethernet frame */
        cur_skip(c, 4);
        return c->err ? NX_END(DECODE_TRUNCATED) : NX_ETHER;
    default: return NX_END(DECODE_NOT_IP); /* an associated channel, or a pseudowire we cannot tell */
    }
}

static int vxlan(struct dec *d, struct cursor *c)
{
    uint8_t flags = cur_u8(c);
    cur_skip(c, 3);
    uint32_t vni = cur_be24(c);
    cur_skip(c, 1);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (!(flags & 0x08)) /* the I flag: a valid VNI */
        return NX_END(DECODE_NOT_TCP);
    if (dec_push_encap(d, ENCAP_VXLAN, 1, 1, vni) < 0)
        return NX_END(DECODE_TOO_DEEP);
    return NX_ETHER;
}

static int geneve(struct dec *d, struct cursor *c)
{
    uint8_t b0 = cur_u8(c);
    cur_skip(c, 1);
    uint16_t proto = cur_be16(c);
    uint32_t vni = cur_be24(c);
    cur_skip(c, 1);
    cur_skip(c, (b0 & 0x3fu) * 4u); /* options */
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (b0 >> 6 != 0)
        return NX_END(DECODE_NOT_TCP);
    if (dec_push_encap(d, ENCAP_GENEVE, 1, 1, vni) < 0)
        return NX_END(DECODE_TOO_DEEP);
    return proto;
}

/* Teredo: IPv6 in UDP, maybe after an authentication and an origin indication. */
static int teredo(struct dec *d, struct cursor *c)
{
    if (cur_peek(c, 0) == 0 && cur_peek(c, 1) == 1) {
        cur_skip(c, 2);
        uint8_t idlen = cur_u8(c), aulen = cur_u8(c);
        cur_skip(c, idlen + aulen + 9u); /* client id, authentication value, nonce, confirmation */
    }
    if (cur_peek(c, 0) == 0 && cur_peek(c, 1) == 0)
        cur_skip(c, 8);
    if (!cur_has(c, 1))
        return NX_END(c->err ? DECODE_TRUNCATED : DECODE_NOT_TCP);
    if (cur_peek(c, 0) >> 4 != 6)
        return NX_END(DECODE_NOT_TCP);
    if (dec_push_encap(d, ENCAP_TEREDO, 1, 0, 0) < 0)
        return NX_END(DECODE_TOO_DEEP);
    return ETH_IPV6;
}

/* GTP-U version 1: only G-PDUs (message type 255) carry user packets. */
static int gtpu(struct dec *d, struct cursor *c)
{
    uint8_t flags = cur_u8(c);
    uint8_t type = cur_u8(c);
    uint16_t len = cur_be16(c);
    uint32_t teid = cur_be32(c);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (flags >> 5 != 1 || !(flags & 0x10) || type != 0xff)
        return NX_END(DECODE_NOT_TCP);
    cur_bound(c, len);
    if (flags & 0x07) { /* E, S or PN: sequence number, N-PDU number, next extension type */
        cur_skip(c, 3);
        uint8_t next = cur_u8(c);
        for (int n = 0; next && !c->err && n < 16; n++) {
            uint8_t units = cur_u8(c);
            if (units == 0)
                return NX_END(DECODE_MALFORMED);
            cur_skip(c, units * 4u - 2u);
            next = cur_u8(c);
        }
        if (next)
            return NX_END(c->err ? DECODE_TRUNCATED : DECODE_MALFORMED);
    }
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (dec_push_encap(d, ENCAP_GTPU, 1, 1, teid) < 0)
        return NX_END(DECODE_TOO_DEEP);
    return NX_IP;
}

/* CAPWAP data: an 802.3 frame, or (T bit) the binding's own frame, 802.11 for binding 1.
 * Cisco controllers send 802.11 frame control in network byte order; tshark assumes so
 * by default (its "swap frame control" preference), and so does synfin. */
static int capwap(struct dec *d, struct cursor *c)
{
    uint32_t w = cur_be32(c);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (w >> 28 != 0)
        return NX_END(DECODE_NOT_TCP);
    if ((w >> 24 & 0x0f) == 1)
        return NX_END(DECODE_ENCRYPTED); /* DTLS */
    unsigned hlen = (w >> 19 & 0x1f) * 4u, wbid = w >> 9 & 0x1f;
    int native = (w >> 8) & 1, fragment = (w >> 7) & 1;
    if (hlen < 8)
        return NX_END(DECODE_MALFORMED);
    cur_skip(c, hlen - 4);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (fragment)
        return NX_END(DECODE_NOT_TCP); /* CAPWAP's own fragments are not reassembled */
    if (native && wbid != 1)
        return NX_END(DECODE_NOT_IP);
    if (dec_push_encap(d, ENCAP_CAPWAP, 1, 0, 0) < 0)
        return NX_END(DECODE_TOO_DEEP);
    d->wlan_swap_fc = (uint8_t)native;
    return native ? NX_WLAN : NX_ETHER;
}

static int by_port(struct dec *d, struct cursor *c, uint16_t port)
{
    switch (port) {
    case PORT_VXLAN: return vxlan(d, c);
    case PORT_GENEVE: return geneve(d, c);
    case PORT_TEREDO: return teredo(d, c);
    case PORT_GTPU: return gtpu(d, c);
    case PORT_CAPWAP_DATA: return capwap(d, c);
    default: return -1;
    }
}

int tunnel_udp(struct dec *d, struct cursor *c)
{
    uint16_t sport = cur_be16(c);
    uint16_t dport = cur_be16(c);
    uint16_t len = cur_be16(c);
    cur_skip(c, 2);
    if (c->err)
        return NX_END(DECODE_NOT_TCP); /* a UDP header cut short is still not TCP */
    if (len >= 8)
        cur_bound(c, len - 8u);
    struct cursor at = *c;
    int next = by_port(d, c, dport);
    if (next < 0 || next == NX_END(DECODE_NOT_TCP)) {
        *c = at;
        int other = by_port(d, c, sport);
        if (other >= 0)
            next = other;
    }
    return next < 0 ? NX_END(DECODE_NOT_TCP) : next;
}
