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
    const uint8_t *h = cur_take(c, 8);
    if (!h)
        return NX_END(DECODE_TRUNCATED);
    /* DSAP, SSAP 0xAA, UI; OUI 0 (RFC 1042) or 00-00-F8 (802.1H bridge tunnel): an ethertype follows */
    if (h[0] != 0xaa || h[1] != 0xaa || h[2] != 0x03 || h[3] != 0 || h[4] != 0 || (h[5] != 0 && h[5] != 0xf8))
        return NX_END(DECODE_NOT_IP);
    return h[6] << 8 | h[7];
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
