/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * layer.h - what the decoder's layers share, inside src/capture only:
 * decode.c (the walk, IP, TCP), link.c (link-layer headers), wlan.c
 * (IEEE 802.11 and its radio headers) and tunnel.c (GRE, UDP tunnels, MPLS).
 *
 * A layer reads its header from the cursor, leaves the cursor at what
 * follows, and returns a code naming what follows: an ethertype, one of
 * the NX_ codes, or NX_END(status) when the walk is over.  So a new link
 * type or tunnel is a function and a line in a switch, and no layer needs
 * to know which layers carry it.
 */
#ifndef SYNFIN_LAYER_H
#define SYNFIN_LAYER_H

#include <stdint.h>

#include "bytes.h"
#include "decode.h"

/* One decoding walk over one buffer (a frame, or a reassembled datagram). */
struct dec {
    struct pkt *p;
    const uint8_t *base;   /* the buffer: l3_off and l4_off count from here */
    const uint8_t *end;    /* the end of the captured bytes */
    uint32_t missing;      /* bytes the capture cut after `end` (wire length - captured length) */
    unsigned steps;        /* layers walked (VLAN tags aside): bounded */
    uint8_t gre_seq;       /* the GRE header before an ERSPAN one had a sequence number (type II, not I) */
    uint8_t wlan_pad;      /* radiotap: the 802.11 header is padded to 4 bytes */
    uint8_t wlan_swap_fc;  /* CAPWAP from Cisco controllers: the frame control field's bytes swapped */
};

/* What follows a layer, besides an ethertype (0 .. 0xffff). */
enum {
    NX_ETHER = 0x10000, /* an Ethernet frame */
    NX_WLAN,            /* an IEEE 802.11 frame */
    NX_PPP,             /* a PPP frame: HDLC-like framing, Cisco HDLC, or the protocol field first */
    NX_PPP_PROTO,       /* a PPP protocol field (inside PPPoE) */
    NX_IP,              /* IPv4 or IPv6, the version nibble says which */
    NX_MPLS,            /* an MPLS label stack */
    NX_GRE,
    NX_UDP,
    NX_LINK = 0x18000,  /* NX_LINK + a link type below NX_LINK_SPAN: that link type's header follows */
    NX_STATUS = 0x20000 /* NX_END(status): the walk ends */
};
#define NX_LINK_SPAN 0x1000
#define NX_END(s) (NX_STATUS + (int)(s))

/* Ethertypes the walk knows. */
enum {
    ETH_IPV4 = 0x0800,
    ETH_ARP = 0x0806,
    ETH_TEB = 0x6558,       /* transparent Ethernet bridging: an Ethernet frame follows */
    ETH_VLAN = 0x8100,
    ETH_PPP = 0x880b,       /* PPP inside GRE (PPTP) */
    ETH_MPLS = 0x8847,
    ETH_MPLS_MC = 0x8848,
    ETH_PPPOE_DISC = 0x8863,
    ETH_PPPOE = 0x8864,
    ETH_IPV6 = 0x86dd,
    ETH_QINQ = 0x88a8,
    ETH_ERSPAN2 = 0x88be,   /* ERSPAN type II, or type I when GRE had no sequence number */
    ETH_ERSPAN3 = 0x22eb,
    ETH_QINQ_OLD = 0x9100,
};

/* Bytes from the cursor to the end of the frame as it was on the wire (captured + cut),
 * when the cursor runs to the end of the capture; otherwise just what the cursor holds. */
static inline uint32_t dec_wire_left(const struct dec *d, const struct cursor *c)
{
    size_t left = cur_left(c);
    if (!c->err && cur_end(c) && cur_end(c) == d->end)
        left += d->missing;
    return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}


/* Record an encapsulation; -1 when the packet already nests PKT_ENCAP_MAX (layer.c). */
int dec_push_encap(struct dec *d, enum encap_kind kind, int carried_by_ip, int has_id, uint32_t id);

/* Link layers (link.c): strip the header of link type `dlt`, return what follows. */
int link_strip(struct dec *d, int dlt, struct cursor *c);
/* The same for a link type named inside another header (PPI, PKTAP): those two are refused there. */
int link_strip_inner(struct dec *d, int dlt, struct cursor *c);
/* PPP: framing detection (link.c), and the protocol field alone (layer.c). */
int ppp_frame(struct cursor *c);
int ppp_protocol(struct cursor *c);
/* An 802.2 LLC header with SNAP, as 802.11 and 802.3 frames carry it (layer.c). */
int llc_snap(struct cursor *c);

/* IEEE 802.11 (wlan.c): the 802.11 header and LLC; the radio headers in front of it. */
int wlan_frame(struct dec *d, struct cursor *c);
int wlan_radiotap(struct dec *d, struct cursor *c);
int wlan_ppi(struct cursor *c);
int wlan_prism_avs(struct cursor *c);

/* Tunnels (tunnel.c). */
int tunnel_gre(struct dec *d, struct cursor *c);
int tunnel_erspan(struct dec *d, struct cursor *c, uint16_t ethertype);
int tunnel_udp(struct dec *d, struct cursor *c);
int tunnel_mpls(struct dec *d, struct cursor *c);

#endif
