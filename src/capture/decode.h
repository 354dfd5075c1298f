/*
 * decode.h - link layer, IPv4/IPv6 and TCP header decoding into a small,
 * flat `struct pkt` that points into the captured bytes.
 *
 * The decoder never prints and never allocates: it returns a status that the
 * caller counts.  All reads go through bytes.h against the captured length.
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
};

/* Link types the decoder understands (values of pcap_datalink()). */
int decode_link_supported(int dlt);

#define PKT_ADDR_MAX 16

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
    uint16_t l3_off, l4_off;            /* offsets of IP and TCP headers in the frame */
    uint16_t tcp_hlen;
};

/*
 * Decode one captured frame of link type `dlt`.  `caplen` bytes are present
 * at `data`; `wirelen` is the frame's original length (caplen < wirelen means
 * the capture cut it).  Fills `p` on DECODE_OK.
 */
enum decode_status decode_packet(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, struct pkt *p);

const char *decode_status_name(enum decode_status s);

#endif
