/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * layer.c - the pieces several of the decoder's layers use (see layer.h):
 * recording an encapsulation, an 802.2 LLC/SNAP header, a PPP protocol
 * field.  Kept apart so that no two layers' files call each other.
 */
#include <string.h>

#include "layer.h"

int dec_push_encap(struct dec *d, enum encap_kind kind, int carried_by_ip, int has_id, uint32_t id)
{
    struct pkt *p = d->p;
    if (p->nencap >= PKT_ENCAP_MAX)
        return -1;
    struct encap *e = &p->encap[p->nencap++];
    e->kind = (uint8_t)kind;
    e->has_id = (uint8_t)has_id;
    e->id = id;
    e->ipver = carried_by_ip ? p->ipver : 0;
    if (carried_by_ip) {
        memcpy(e->src, p->src, PKT_ADDR_MAX);
        memcpy(e->dst, p->dst, PKT_ADDR_MAX);
    }
    return 0;
}

int llc_snap(struct cursor *c)
{
    if (!cur_has(c, 8)) {
        cur_skip(c, 8);
        return NX_END(DECODE_TRUNCATED);
    }
    uint8_t dsap = cur_u8(c), ssap = cur_u8(c), control = cur_u8(c);
    uint32_t oui = cur_be24(c);
    uint16_t ethertype = cur_be16(c);
    /* DSAP, SSAP 0xAA, UI; OUI 0 (RFC 1042) or 00-00-F8 (802.1H bridge tunnel): an ethertype follows */
    if (dsap != 0xaa || ssap != 0xaa || control != 0x03 || (oui != 0 && oui != 0xf8))
        return NX_END(DECODE_NOT_IP);
    return ethertype;
}

int ppp_protocol(struct cursor *c)
{
    uint16_t proto = cur_u8(c);
    if (!(proto & 1)) /* not compressed to one byte (RFC 1661 section 6.5) */
        proto = (uint16_t)(proto << 8 | cur_u8(c));
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    switch (proto) {
    case 0x0021: return ETH_IPV4;
    case 0x0057: return ETH_IPV6;
    case 0x0281:
    case 0x0283: return NX_MPLS;
    default: return NX_END(DECODE_NOT_IP); /* LCP, IPCP, compressed TCP/IP, ... */
    }
}
