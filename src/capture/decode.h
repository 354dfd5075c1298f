/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decode.h - link layer, tunnels, IPv4/IPv6 and TCP header decoding into a
 * small, flat `struct pkt` that points into the captured bytes.
 *
 * The decoder never prints and never allocates: it returns a status that the
 * caller counts.  All reads go through bytes.h against the captured length.
 * IP fragments come back as DECODE_FRAGMENT with what a reassembler needs
 * (ipfrag.h); the reassembled datagram is decoded on by decode_datagram.
 */
#ifndef SYNFIN_DECODE_H
#define SYNFIN_DECODE_H

#include <stdint.h>

/* TCP flag bits as on the wire (RFC 9293 section 3.1, plus RFC 3168 ECE/CWR). */
enum {
    TH_FIN = 0x01,
    TH_SYN = 0x02,
    TH_RST = 0x04,
    TH_PSH = 0x08,
    TH_ACK = 0x10,
    TH_URG = 0x20,
    TH_ECE = 0x40,
    TH_CWR = 0x80,
};

enum decode_status {
    DECODE_OK = 0,       /* a TCP segment, maybe with its payload cut by snaplen */
    DECODE_NOT_IP,       /* ARP, LLDP, ... : counted and skipped */
    DECODE_NOT_TCP,      /* UDP, ICMP, ... */
    DECODE_FRAGMENT,     /* an IP fragment: not reassembled, counted */
    DECODE_TRUNCATED,    /* the capture cut a header short (snaplen) */
    DECODE_MALFORMED,    /* a header contradicts itself or the frame */
    DECODE_ENCRYPTED,    /* a protected 802.11 frame, a DTLS CAPWAP packet: counted and skipped */
    DECODE_TOO_DEEP,     /* more than PKT_ENCAP_MAX encapsulations: counted and skipped */
};

/* Link types the decoder understands (values of pcap_datalink()). */
int decode_link_supported(int dlt);
/* libpcap's name of a supported link type ("EN10MB", "IEEE802_11_RADIO"), or NULL. */
const char *decode_link_name(int dlt);

#define PKT_ADDR_MAX 16
#define PKT_VLAN_MAX 4   /* VLAN ids kept per packet, outermost first (deeper tags are walked, not kept) */
#define PKT_ENCAP_MAX 8  /* encapsulations a packet may nest; one more is DECODE_TOO_DEEP */

/* Tunnels and other encapsulations between the link layer and the TCP segment. */
enum encap_kind {
    ENCAP_IPV4_IN_IP,    /* IP protocol 4 (RFC 2003), also IPv4 in IPv6 */
    ENCAP_IPV6_IN_IP,    /* IP protocol 41 (RFC 4213), also IPv6 in IPv6 */
    ENCAP_GRE,           /* RFC 2784/2890; version 1 is PPTP's (RFC 2637) */
    ENCAP_ERSPAN,        /* Cisco ERSPAN types I, II, III inside GRE */
    ENCAP_VXLAN,         /* RFC 7348, UDP 4789 */
    ENCAP_GENEVE,        /* RFC 8926, UDP 6081 */
    ENCAP_MPLS,          /* one label of an RFC 3032 stack */
    ENCAP_TEREDO,        /* RFC 4380, UDP 3544 */
    ENCAP_GTPU,          /* 3GPP TS 29.281, UDP 2152 */
    ENCAP_CAPWAP,        /* RFC 5415 data channel, UDP 5247 */
    ENCAP_PPPOE,         /* RFC 2516 session stage */
    ENCAP_COUNT
};
/* "gre", "vxlan", ... (the JSON vocabulary of tunnels[].type). */
const char *encap_kind_name(unsigned kind);

struct encap {
    uint8_t kind;                       /* enum encap_kind */
    uint8_t ipver;                      /* of the IP header that carried it; 0: none (MPLS, PPPoE, ERSPAN) */
    uint8_t has_id;
    uint32_t id;                        /* GRE key or PPTP call id, ERSPAN session, VNI, label, TEID, session id */
    uint8_t src[PKT_ADDR_MAX], dst[PKT_ADDR_MAX]; /* that IP header's addresses */
};

/* What the IP length fields said, when they said something other than the plain truth. */
enum {
    PKT_LEN_OFFLOAD = 1,  /* IPv4 total length 0 or IPv6 payload length 0 (segmentation offload, BIG TCP),
                             or an RFC 2675 jumbogram: the length came from the frame or the option */
    PKT_LEN_EXCEEDS = 2,  /* IPv4 total length beyond an uncut frame: the bytes there were used */
};

/* An IP fragment (DECODE_FRAGMENT): the datagram it belongs to and its bytes. */
struct pkt_frag {
    uint8_t ipver;
    uint8_t proto;                      /* the datagram's protocol (IPv6: next header after the Fragment header) */
    uint8_t more;                       /* more fragments follow */
    uint8_t cut;                        /* the capture cut this fragment short: it cannot be reassembled */
    uint32_t id;
    uint32_t offset;                    /* in bytes */
    uint32_t len;
    const uint8_t *data;                /* the fragment's bytes, inside the buffer that was decoded */
    uint8_t src[PKT_ADDR_MAX], dst[PKT_ADDR_MAX]; /* the header's addresses */
};

struct tcp_opts {
    uint16_t mss;        /* 0 when absent */
    uint8_t wscale;      /* 0xff when absent */
    uint8_t sack_perm;
    uint8_t has_ts;
    uint8_t sack_blocks;
    uint32_t ts_val, ts_ecr;
};

struct pkt {
    uint8_t ipver;                      /* 4 or 6 */
    uint8_t src[PKT_ADDR_MAX], dst[PKT_ADDR_MAX];
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;                      /* TH_* */
    uint16_t win;                       /* raw, unscaled */
    struct tcp_opts opt;
    const uint8_t *payload;             /* captured payload bytes */
    uint32_t payload_caplen;            /* how many of them were captured */
    uint32_t seg_len;                   /* payload length the IP header claims */
    uint8_t truncated;                  /* the capture cut this segment: options or payload */
    uint8_t ttl;                        /* IPv4 TTL or IPv6 hop limit */
    uint16_t l3_off, l4_off;            /* offsets of IP and TCP headers in the buffer decoded */
    uint16_t tcp_hlen;
    uint16_t link;                      /* the frame's link type */
    uint8_t len_note;                   /* PKT_LEN_* */
    uint8_t source_routed;              /* dst is an IPv4 source route's final destination */
    uint8_t reassembled;                /* the segment came out of IP fragment reassembly */
    uint8_t nvlan;                      /* VLAN tags seen (vlan[] keeps the first PKT_VLAN_MAX) */
    uint8_t nencap;
    uint16_t vlan[PKT_VLAN_MAX];
    struct encap encap[PKT_ENCAP_MAX];  /* outermost first */
    struct pkt_frag frag;               /* on DECODE_FRAGMENT */
};

/*
 * Decode one captured frame of link type `dlt`.  `caplen` bytes are present
 * at `data`; `wirelen` is the frame's original length (caplen < wirelen means
 * the capture cut it).  Fills `p` on DECODE_OK.
 */
enum decode_status decode_packet(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, struct pkt *p);

/*
 * Go on after reassembly: `data` holds the `len` bytes of the datagram that
 * p->frag (from the DECODE_FRAGMENT it returned) belonged to.  The link
 * layer, VLANs and outer headers of `p` stay as they were; it may return
 * DECODE_FRAGMENT again (a fragment inside a tunnel inside a fragment).
 */
enum decode_status decode_datagram(struct pkt *p, const uint8_t *data, uint32_t len);

const char *decode_status_name(enum decode_status s);

#endif
