/* SPDX-License-Identifier: BSD-2-Clause */
/* test_decode.c - owns the unit tests of decode_packet (link layers, IPv4/IPv6, TCP header and options) on hand-built frames. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "unit.h"

/* Link-type numbers as written here, independent of the platform's DLT_ macros. */
enum {
    L_NULL = 0,
    L_EN10MB = 1,
    L_RAW = 12,
    L_RAW101 = 101,
    L_LOOP = 108,
    L_SLL = 113,
    L_IPV4 = 228,
    L_IPV6 = 229,
    L_SLL2 = 276,
};

#define SPORT 40000
#define DPORT 443
#define SEQ 0x11223344u
#define ACK 0x55667788u
#define FLAGS (TH_SYN | TH_ACK)
#define WIN 0xfaf0

static const uint8_t V4SRC[4] = {192, 0, 2, 1};
static const uint8_t V4DST[4] = {198, 51, 100, 2};
static const uint8_t V6SRC[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t V6DST[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/* ---------------------------------------------------------------- builders */

static void be16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static void be32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static uint8_t pay_byte(size_t i) { return (uint8_t)(0xa0 + i); }

/* A TCP header (options padded by the caller to a multiple of 4) and `paylen` payload bytes. */
static size_t mk_tcp(uint8_t *b, const uint8_t *opts, size_t optlen, size_t paylen)
{
    be16(b, SPORT);
    be16(b + 2, DPORT);
    be32(b + 4, SEQ);
    be32(b + 8, ACK);
    b[12] = (uint8_t)(((20 + optlen) / 4) << 4);
    b[13] = FLAGS;
    be16(b + 14, WIN);
    be16(b + 16, 0xbeef); /* checksum: not checked */
    be16(b + 18, 0);
    if (optlen)
        memcpy(b + 20, opts, optlen);
    for (size_t i = 0; i < paylen; i++)
        b[20 + optlen + i] = pay_byte(i);
    return 20 + optlen + paylen;
}

/* IPv4 header (with `ipopt` option bytes, a multiple of 4) around l4. */
static size_t mk_ipv4(uint8_t *b, uint8_t proto, uint16_t frag, const uint8_t *ipopt, size_t ipoptlen,
                      const uint8_t *l4, size_t l4len)
{
    size_t hl = 20 + ipoptlen;
    b[0] = (uint8_t)(0x40 | (hl / 4));
    b[1] = 0;
    be16(b + 2, (uint16_t)(hl + l4len));
    be16(b + 4, 0x1234);
    be16(b + 6, frag);
    b[8] = 64;
    b[9] = proto;
    be16(b + 10, 0);
    memcpy(b + 12, V4SRC, 4);
    memcpy(b + 16, V4DST, 4);
    if (ipoptlen)
        memcpy(b + 20, ipopt, ipoptlen);
    memcpy(b + hl, l4, l4len);
    return hl + l4len;
}

/* IPv6 header with next header `nh` around `rest` (extension headers and L4). */
static size_t mk_ipv6(uint8_t *b, uint8_t nh, const uint8_t *rest, size_t restlen)
{
    b[0] = 0x60;
    b[1] = 0;
    b[2] = 0;
    b[3] = 0;
    be16(b + 4, (uint16_t)restlen);
    b[6] = nh;
    b[7] = 57;
    memcpy(b + 8, V6SRC, 16);
    memcpy(b + 24, V6DST, 16);
    memcpy(b + 40, rest, restlen);
    return 40 + restlen;
}

/* Prepend a link header `hdr` to l3. */
static size_t wrap(uint8_t *b, const uint8_t *hdr, size_t hlen, const uint8_t *l3, size_t l3len)
{
    memcpy(b, hdr, hlen);
    memcpy(b + hlen, l3, l3len);
    return hlen + l3len;
}

/* Ethernet: addresses, then the ethertypes given (tags and their TCIs are added in between). */
static size_t mk_eth(uint8_t *b, const uint16_t *types, int ntypes, const uint8_t *l3, size_t l3len)
{
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
    size_t n = 0;
    memcpy(b, macs, 12);
    n = 12;
    for (int i = 0; i < ntypes; i++) {
        be16(b + n, types[i]);
        n += 2;
        if (i + 1 < ntypes) { /* a tag's TCI */
            be16(b + n, (uint16_t)(100 + i));
            n += 2;
        }
    }
    memcpy(b + n, l3, l3len);
    return n + l3len;
}

static const uint16_t ET_V4[] = {0x0800};
static const uint16_t ET_V6[] = {0x86dd};

/* The usual TCP-over-IPv4 L3 packet with `paylen` payload bytes. */
static size_t v4_tcp(uint8_t *b, size_t paylen)
{
    uint8_t l4[256];
    size_t n = mk_tcp(l4, NULL, 0, paylen);
    return mk_ipv4(b, 6, 0, NULL, 0, l4, n);
}

static size_t v6_tcp(uint8_t *b, size_t paylen)
{
    uint8_t l4[256];
    size_t n = mk_tcp(l4, NULL, 0, paylen);
    return mk_ipv6(b, 6, l4, n);
}

/* Decode from a heap buffer of exactly caplen bytes so ASan sees any overread. */
static enum decode_status dec(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen, struct pkt *p)
{
    uint8_t *buf = malloc(caplen ? caplen : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    memcpy(buf, frame, caplen);
    memset(p, 0x5a, sizeof *p);
    enum decode_status st = decode_packet(dlt, buf, caplen, wirelen, p);
    if (st == DECODE_OK && p->payload) {
        /* the payload pointer lies inside the buffer; rebase it onto `frame` for the caller */
        CU_ASSERT_TRUE(p->payload >= buf && p->payload + p->payload_caplen <= buf + caplen);
        p->payload = frame + (p->payload - buf);
    }
    free(buf);
    return st;
}

/* The fields every well-formed test segment carries. */
static void check_tcp(const struct pkt *p, int ipver, uint16_t l3_off, uint16_t l4_off, uint32_t paylen)
{
    CU_ASSERT_EQUAL(p->ipver, ipver);
    if (ipver == 4) {
        CU_ASSERT_EQUAL(memcmp(p->src, V4SRC, 4), 0);
        CU_ASSERT_EQUAL(memcmp(p->dst, V4DST, 4), 0);
        CU_ASSERT_EQUAL(p->ttl, 64);
    } else {
        CU_ASSERT_EQUAL(memcmp(p->src, V6SRC, 16), 0);
        CU_ASSERT_EQUAL(memcmp(p->dst, V6DST, 16), 0);
        CU_ASSERT_EQUAL(p->ttl, 57);
    }
    CU_ASSERT_EQUAL(p->sport, SPORT);
    CU_ASSERT_EQUAL(p->dport, DPORT);
    CU_ASSERT_EQUAL(p->seq, SEQ);
    CU_ASSERT_EQUAL(p->ack, ACK);
    CU_ASSERT_EQUAL(p->flags, FLAGS);
    CU_ASSERT_EQUAL(p->win, WIN);
    CU_ASSERT_EQUAL(p->l3_off, l3_off);
    CU_ASSERT_EQUAL(p->l4_off, l4_off);
    CU_ASSERT_EQUAL(p->seg_len, paylen);
    CU_ASSERT_EQUAL(p->payload_caplen, paylen);
    CU_ASSERT_EQUAL(p->truncated, 0);
    if (paylen) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(p->payload);
        for (uint32_t i = 0; i < paylen; i++)
            CU_ASSERT_EQUAL(p->payload[i], pay_byte(i));
    } else {
        CU_ASSERT_PTR_NULL(p->payload);
    }
}

/* ---------------------------------------------------------------- link layers */

static void test_eth_ipv4_tcp_options(void)
{
    static const uint8_t opts[20] = {
        2, 4, 0x05, 0xb4,                                   /* MSS 1460 */
        1,                                                  /* NOP */
        3, 3, 7,                                            /* wscale 7 */
        4, 2,                                               /* SACK permitted */
        8, 10, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d, /* timestamps */
    };
    uint8_t l4[128], l3[256], f[512];
    size_t n = mk_tcp(l4, opts, sizeof opts, 5);
    n = mk_ipv4(l3, 6, 0x4000 /* DF */, NULL, 0, l4, n);
    n = mk_eth(f, ET_V4, 1, l3, n);
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 5);
    CU_ASSERT_EQUAL(p.tcp_hlen, 40);
    CU_ASSERT_EQUAL(p.opt.mss, 1460);
    CU_ASSERT_EQUAL(p.opt.wscale, 7);
    CU_ASSERT_EQUAL(p.opt.sack_perm, 1);
    CU_ASSERT_EQUAL(p.opt.has_ts, 1);
    CU_ASSERT_EQUAL(p.opt.ts_val, 0x01020304u);
    CU_ASSERT_EQUAL(p.opt.ts_ecr, 0x0a0b0c0du);
    CU_ASSERT_EQUAL(p.opt.sack_blocks, 0);
}

static void test_no_options_defaults(void)
{
    uint8_t l3[256], f[512];
    size_t n = mk_eth(f, ET_V4, 1, l3, v4_tcp(l3, 0));
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 0);
    CU_ASSERT_EQUAL(p.tcp_hlen, 20);
    CU_ASSERT_EQUAL(p.opt.mss, 0);
    CU_ASSERT_EQUAL(p.opt.wscale, 0xff);
    CU_ASSERT_EQUAL(p.opt.sack_perm, 0);
    CU_ASSERT_EQUAL(p.opt.has_ts, 0);
    CU_ASSERT_EQUAL(p.opt.sack_blocks, 0);
}

static void test_sack_blocks(void)
{
    static const uint8_t opts[20] = {1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4};
    uint8_t l4[128], l3[256], f[512];
    size_t n = mk_tcp(l4, opts, sizeof opts, 0);
    n = mk_eth(f, ET_V4, 1, l3, mk_ipv4(l3, 6, 0, NULL, 0, l4, n));
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.opt.sack_blocks, 2);
}

static void test_eth_ipv6(void)
{
    uint8_t l3[256], f[512];
    size_t n = mk_eth(f, ET_V6, 1, l3, v6_tcp(l3, 7));
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 14, 54, 7);
}

static void test_vlan_8021q(void)
{
    static const uint16_t types[] = {0x8100, 0x0800};
    uint8_t l3[256], f[512];
    size_t n = mk_eth(f, types, 2, l3, v4_tcp(l3, 3));
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 18, 38, 3);
}

static void test_vlan_8021ad_double(void)
{
    static const uint16_t types[] = {0x88a8, 0x8100, 0x86dd};
    uint8_t l3[256], f[512];
    size_t n = mk_eth(f, types, 3, l3, v6_tcp(l3, 3));
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 22, 62, 3);

    /* the pre-standard 0x9100 outer tag */
    static const uint16_t old[] = {0x9100, 0x8100, 0x0800};
    n = mk_eth(f, old, 3, l3, v4_tcp(l3, 0));
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 22, 42, 0);

    /* a tagged ARP frame is still not IP */
    static const uint16_t arp[] = {0x8100, 0x0806};
    n = mk_eth(f, arp, 2, l3, 28);
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_IP);
}

static void test_sll(void)
{
    static const uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
    uint8_t l3[256], f[512];
    size_t n = wrap(f, sll, sizeof sll, l3, v4_tcp(l3, 4));
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_SLL, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 16, 36, 4);

    static const uint8_t sll6[16] = {0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x86, 0xdd};
    n = wrap(f, sll6, sizeof sll6, l3, v6_tcp(l3, 4));
    CU_ASSERT_EQUAL_FATAL(dec(L_SLL, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 16, 56, 4);

    static const uint8_t sllarp[16] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x06};
    n = wrap(f, sllarp, sizeof sllarp, l3, 28);
    CU_ASSERT_EQUAL(dec(L_SLL, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_IP);
}

static void test_sll2(void)
{
    static const uint8_t sll2[20] = {0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
    uint8_t l3[256], f[512];
    size_t n = wrap(f, sll2, sizeof sll2, l3, v4_tcp(l3, 4));
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_SLL2, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 20, 40, 4);

    static const uint8_t sll2v6[20] = {0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0};
    n = wrap(f, sll2v6, sizeof sll2v6, l3, v6_tcp(l3, 0));
    CU_ASSERT_EQUAL_FATAL(dec(L_SLL2, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 20, 60, 0);
}

static void test_null(void)
{
    static const uint8_t af2_le[4] = {2, 0, 0, 0}, af2_be[4] = {0, 0, 0, 2};
    static const uint8_t af30_le[4] = {30, 0, 0, 0}, af30_be[4] = {0, 0, 0, 30};
    static const uint8_t af99[4] = {99, 0, 0, 0};
    uint8_t l3[256], f[512];
    struct pkt p;
    size_t n;

    n = wrap(f, af2_le, 4, l3, v4_tcp(l3, 2));
    CU_ASSERT_EQUAL_FATAL(dec(L_NULL, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 4, 24, 2);
    n = wrap(f, af2_be, 4, l3, v4_tcp(l3, 2));
    CU_ASSERT_EQUAL_FATAL(dec(L_NULL, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 4, 24, 2);
    n = wrap(f, af30_le, 4, l3, v6_tcp(l3, 2));
    CU_ASSERT_EQUAL_FATAL(dec(L_NULL, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 4, 44, 2);
    n = wrap(f, af30_be, 4, l3, v6_tcp(l3, 2));
    CU_ASSERT_EQUAL_FATAL(dec(L_NULL, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 4, 44, 2);
    n = wrap(f, af99, 4, l3, v4_tcp(l3, 2));
    CU_ASSERT_EQUAL(dec(L_NULL, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_IP);
}

static void test_loop(void)
{
    static const uint8_t af2_be[4] = {0, 0, 0, 2}, af24_be[4] = {0, 0, 0, 24}, af2_le[4] = {2, 0, 0, 0};
    uint8_t l3[256], f[512];
    struct pkt p;
    size_t n = wrap(f, af2_be, 4, l3, v4_tcp(l3, 1));
    CU_ASSERT_EQUAL_FATAL(dec(L_LOOP, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 4, 24, 1);
    n = wrap(f, af24_be, 4, l3, v6_tcp(l3, 1));
    CU_ASSERT_EQUAL_FATAL(dec(L_LOOP, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 4, 44, 1);
    /* LOOP is always network byte order */
    n = wrap(f, af2_le, 4, l3, v4_tcp(l3, 1));
    CU_ASSERT_EQUAL(dec(L_LOOP, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_IP);
}

static void test_raw(void)
{
    static const int dlts[] = {L_RAW, L_RAW101};
    uint8_t f[512];
    struct pkt p;
    for (size_t i = 0; i < 2; i++) {
        size_t n = v4_tcp(f, 6);
        CU_ASSERT_EQUAL_FATAL(dec(dlts[i], f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
        check_tcp(&p, 4, 0, 20, 6);
        n = v6_tcp(f, 6);
        CU_ASSERT_EQUAL_FATAL(dec(dlts[i], f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
        check_tcp(&p, 6, 0, 40, 6);
        /* neither version */
        n = v4_tcp(f, 6);
        f[0] = 0x55;
        CU_ASSERT_EQUAL(dec(dlts[i], f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_IP);
        /* empty */
        CU_ASSERT_EQUAL(dec(dlts[i], f, 0, 0, &p), DECODE_TRUNCATED);
    }
}

static void test_linktype_ipv4_ipv6(void)
{
    uint8_t f[512];
    struct pkt p;
    size_t n = v4_tcp(f, 9);
    CU_ASSERT_EQUAL_FATAL(dec(L_IPV4, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 0, 20, 9);
    n = v6_tcp(f, 9);
    CU_ASSERT_EQUAL_FATAL(dec(L_IPV6, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 0, 40, 9);
    /* the link type says v4 but the header says 6: a contradiction */
    n = v6_tcp(f, 9);
    CU_ASSERT_EQUAL(dec(L_IPV4, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);
    n = v4_tcp(f, 9);
    CU_ASSERT_EQUAL(dec(L_IPV6, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);
}

static void test_link_supported(void)
{
    static const int yes[] = {L_NULL, L_EN10MB, L_RAW, L_RAW101, L_LOOP, L_SLL, L_IPV4, L_IPV6, L_SLL2};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        CU_ASSERT_TRUE(decode_link_supported(yes[i]));
    CU_ASSERT_FALSE(decode_link_supported(160)); /* LINKTYPE_USER13: private use */
    CU_ASSERT_FALSE(decode_link_supported(147)); /* LINKTYPE_USER0 */
    CU_ASSERT_FALSE(decode_link_supported(-1));
    CU_ASSERT_PTR_NULL(decode_link_name(160));
    CU_ASSERT_STRING_EQUAL(decode_link_name(L_EN10MB), "EN10MB");

    uint8_t f[512];
    struct pkt p;
    size_t n = v4_tcp(f, 0);
    CU_ASSERT_EQUAL(dec(160, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_IP);
    CU_ASSERT_STRING_EQUAL(decode_status_name(DECODE_OK), "ok");
    CU_ASSERT_STRING_EQUAL(decode_status_name(DECODE_TRUNCATED), "truncated header");
}

/* ---------------------------------------------------------------- IP */

static void test_ipv4_options(void)
{
    static const uint8_t ipopt[8] = {0x94, 0x04, 0x00, 0x00, 1, 1, 1, 0}; /* router alert, NOPs, EOL */
    uint8_t l4[128], l3[256], f[512];
    size_t n = mk_tcp(l4, NULL, 0, 3);
    n = mk_ipv4(l3, 6, 0, ipopt, sizeof ipopt, l4, n);
    n = mk_eth(f, ET_V4, 1, l3, n);
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 42, 3);
}

/* HBH and destination options (8 bytes each, PadN inside), then TCP. */
static size_t v6_ext_chain(uint8_t *rest, size_t paylen)
{
    uint8_t l4[256];
    size_t n = mk_tcp(l4, NULL, 0, paylen);
    static const uint8_t hbh[8] = {60, 0, 1, 4, 0, 0, 0, 0};
    static const uint8_t dst[8] = {6, 0, 1, 4, 0, 0, 0, 0};
    memcpy(rest, hbh, 8);
    memcpy(rest + 8, dst, 8);
    memcpy(rest + 16, l4, n);
    return 16 + n;
}

static void test_ipv6_ext_headers(void)
{
    uint8_t rest[256], l3[512], f[512];
    size_t n = v6_ext_chain(rest, 4);
    n = mk_eth(f, ET_V6, 1, l3, mk_ipv6(l3, 0 /* HBH */, rest, n));
    struct pkt p;
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 14, 14 + 40 + 16, 4);

    /* a routing header and an AH (length in 4-byte units minus 2) */
    uint8_t l4[128];
    size_t m = mk_tcp(l4, NULL, 0, 2);
    static const uint8_t rh[8] = {51, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t ah[16] = {6, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};
    memcpy(rest, rh, 8);
    memcpy(rest + 8, ah, 16);
    memcpy(rest + 24, l4, m);
    n = mk_eth(f, ET_V6, 1, l3, mk_ipv6(l3, 43, rest, 24 + m));
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 14, 14 + 40 + 24, 2);

    /* an extension header longer than the payload */
    static const uint8_t big[8] = {6, 200, 0, 0, 0, 0, 0, 0};
    memcpy(rest, big, 8);
    memcpy(rest + 8, l4, m);
    n = mk_eth(f, ET_V6, 1, l3, mk_ipv6(l3, 0, rest, 8 + m));
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    /* no next header, ESP: not TCP */
    n = mk_eth(f, ET_V6, 1, l3, mk_ipv6(l3, 59, rest, 8));
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_TCP);
    n = mk_eth(f, ET_V6, 1, l3, mk_ipv6(l3, 50, rest, 8));
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_TCP);
}

static size_t v6_frag(uint8_t *f, uint16_t offm)
{
    uint8_t l4[128], rest[256], l3[512];
    size_t m = mk_tcp(l4, NULL, 0, 5);
    rest[0] = 6;
    rest[1] = 0;
    be16(rest + 2, offm);
    be32(rest + 4, 0xcafe);
    memcpy(rest + 8, l4, m);
    return mk_eth(f, ET_V6, 1, l3, mk_ipv6(l3, 44, rest, 8 + m));
}

static void test_ipv6_fragment(void)
{
    uint8_t f[512];
    struct pkt p;
    size_t n = v6_frag(f, 0x0001); /* M set, offset 0: first fragment */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_FRAGMENT);
    n = v6_frag(f, 0x0008 * 4); /* offset 4, M clear: the last fragment */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_FRAGMENT);
    n = v6_frag(f, 0x0000); /* atomic fragment (RFC 6946): the whole packet */
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 14, 14 + 40 + 8, 5);
    n = v6_frag(f, 0x0006); /* reserved bits only: still atomic */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
}

static void test_ipv4_fragment(void)
{
    uint8_t l4[128], l3[256], f[512];
    struct pkt p;
    size_t m = mk_tcp(l4, NULL, 0, 8);
    size_t n = mk_eth(f, ET_V4, 1, l3, mk_ipv4(l3, 6, 0x2000 /* MF */, NULL, 0, l4, m));
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_FRAGMENT);
    n = mk_eth(f, ET_V4, 1, l3, mk_ipv4(l3, 6, 0x0010 /* offset 128 */, NULL, 0, l4, m));
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_FRAGMENT);
    n = mk_eth(f, ET_V4, 1, l3, mk_ipv4(l3, 6, 0x4000 /* DF only */, NULL, 0, l4, m));
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 8);
}

static void test_not_tcp_not_ip(void)
{
    uint8_t udp[16] = {0x13, 0x88, 0x00, 0x35, 0, 16, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t l3[256], f[512];
    struct pkt p;
    size_t n = mk_eth(f, ET_V4, 1, l3, mk_ipv4(l3, 17, 0, NULL, 0, udp, sizeof udp));
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_TCP);
    n = mk_eth(f, ET_V6, 1, l3, mk_ipv6(l3, 17, udp, sizeof udp));
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_TCP);

    /* ARP request, padded to 60 bytes */
    static const uint16_t arp[] = {0x0806};
    uint8_t body[46] = {0, 1, 8, 0, 6, 4, 0, 1};
    n = mk_eth(f, arp, 1, body, sizeof body);
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_NOT_IP);
}

/* ---------------------------------------------------------------- malformed */

static size_t good_eth_v4(uint8_t *f, size_t paylen)
{
    uint8_t l3[512];
    return mk_eth(f, ET_V4, 1, l3, v4_tcp(l3, paylen));
}

static void test_malformed_ipv4(void)
{
    uint8_t f[512];
    struct pkt p;
    size_t n;

    n = good_eth_v4(f, 10);
    f[14] = 0x44; /* IHL 4 */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = good_eth_v4(f, 10);
    f[14] = 0x40; /* IHL 0 */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = good_eth_v4(f, 10);
    be16(f + 16, 16); /* total length below the header length */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    /* total length 0: segmentation offload on the capturing host, the frame tells the length */
    n = good_eth_v4(f, 10);
    be16(f + 16, 0);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 10);
    CU_ASSERT_EQUAL(p.len_note, PKT_LEN_OFFLOAD);
    /* ...but not on a fragment, whose length the frame cannot tell */
    be16(f + 20, 0x2000);
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = good_eth_v4(f, 10);
    be16(f + 16, 20 + 10); /* room for less than a TCP header */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = good_eth_v4(f, 10);
    f[14] = 0x65; /* version 6 under ethertype IPv4 */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = good_eth_v4(f, 10);
    f[14] = 0x4f; /* IHL 15 = 60 bytes, more than the total length (50) allows for TCP */
    CU_ASSERT_NOT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
}

static void test_malformed_tcp_offset(void)
{
    uint8_t f[512];
    struct pkt p;
    size_t n;

    n = good_eth_v4(f, 10);
    f[34 + 12] = 0x40; /* data offset 4 */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = good_eth_v4(f, 10);
    f[34 + 12] = 0x00;
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = good_eth_v4(f, 10);
    f[34 + 12] = 0xf0; /* 60 bytes of header in a 30-byte IP payload */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = good_eth_v4(f, 10);
    f[34 + 12] = 0x80; /* 32 bytes: fits the IP payload of 30? no */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = good_eth_v4(f, 10);
    f[34 + 12] = 0x70; /* 28 bytes: fits; the 2 bytes left are payload, 8 were options */
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.tcp_hlen, 28);
    CU_ASSERT_EQUAL(p.seg_len, 2);

    /* same in IPv6 */
    uint8_t l3[512];
    n = mk_eth(f, ET_V6, 1, l3, v6_tcp(l3, 10));
    f[54 + 12] = 0xf0;
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);
    n = mk_eth(f, ET_V6, 1, l3, v6_tcp(l3, 10));
    f[54 + 12] = 0x30;
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);
}

static void test_claimed_length(void)
{
    uint8_t f[512];
    struct pkt p;
    size_t n = good_eth_v4(f, 100);
    uint32_t cap = (uint32_t)n - 60; /* 40 payload bytes captured of 100 */

    /* the frame was whole (wirelen == caplen) yet the IP header claims more: the bytes there are used */
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, cap, cap, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.len_note, PKT_LEN_EXCEEDS);
    CU_ASSERT_EQUAL(p.seg_len, 40);
    CU_ASSERT_EQUAL(p.payload_caplen, 40);
    CU_ASSERT_EQUAL(p.truncated, 0);
    CU_ASSERT_EQUAL(p.payload[39], pay_byte(39));

    /* the capture cut it: fine, payload truncated */
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, cap, (uint32_t)n, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.seg_len, 100);
    CU_ASSERT_EQUAL(p.payload_caplen, 40);
    CU_ASSERT_TRUE(p.payload_caplen < p.seg_len);
    CU_ASSERT_EQUAL(p.truncated, 1);
    CU_ASSERT_EQUAL(p.payload[0], pay_byte(0));
    CU_ASSERT_EQUAL(p.payload[39], pay_byte(39));

    /* cut exactly at the end of the TCP header: no payload captured at all */
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, 54, (uint32_t)n, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.seg_len, 100);
    CU_ASSERT_EQUAL(p.payload_caplen, 0);
    CU_ASSERT_EQUAL(p.truncated, 1);

    /* IPv6 too */
    uint8_t l3[512];
    n = mk_eth(f, ET_V6, 1, l3, v6_tcp(l3, 100));
    cap = (uint32_t)n - 30;
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, cap, cap, &p), DECODE_MALFORMED);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, cap, (uint32_t)n, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.seg_len, 100);
    CU_ASSERT_EQUAL(p.payload_caplen, 70);
    CU_ASSERT_EQUAL(p.truncated, 1);
}

static void test_ethernet_padding(void)
{
    uint8_t f[512];
    struct pkt p;
    size_t n = good_eth_v4(f, 0); /* 54 bytes */
    CU_ASSERT_EQUAL_FATAL(n, 54);
    memset(f + n, 0xee, 6);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, 60, 60, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 0);

    n = good_eth_v4(f, 2); /* 56 bytes + 4 of padding */
    memset(f + n, 0xee, 4);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, 60, 60, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 2);

    /* a 4-byte FCS kept by the capture is padding too */
    n = good_eth_v4(f, 20);
    memset(f + n, 0xee, 4);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n + 4, (uint32_t)n + 4, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 20);

    /* IPv6: the payload length bounds the segment */
    uint8_t l3[512];
    n = mk_eth(f, ET_V6, 1, l3, v6_tcp(l3, 1));
    memset(f + n, 0xee, 8);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n + 8, (uint32_t)n + 8, &p), DECODE_OK);
    check_tcp(&p, 6, 14, 54, 1);
}

static void test_ipv6_malformed(void)
{
    uint8_t f[512], l3[512];
    struct pkt p;
    size_t n = mk_eth(f, ET_V6, 1, l3, v6_tcp(l3, 4));
    f[14] = 0x40; /* version 4 under ethertype IPv6 */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);

    n = mk_eth(f, ET_V6, 1, l3, v6_tcp(l3, 4));
    be16(f + 18, 0); /* payload length 0 without a jumbo option: BIG TCP, the frame tells the length */
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 6, 14, 54, 4);
    CU_ASSERT_EQUAL(p.len_note, PKT_LEN_OFFLOAD);

    n = mk_eth(f, ET_V6, 1, l3, v6_tcp(l3, 4));
    be16(f + 18, 10); /* room for less than a TCP header */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_MALFORMED);
}

static size_t tcp_with_opts(uint8_t *f, const uint8_t *opts, size_t optlen)
{
    uint8_t l4[128], l3[256];
    size_t n = mk_tcp(l4, opts, optlen, 3);
    return mk_eth(f, ET_V4, 1, l3, mk_ipv4(l3, 6, 0, NULL, 0, l4, n));
}

static void test_bad_tcp_options(void)
{
    uint8_t f[512];
    struct pkt p;
    size_t n;

    /* MSS, then an option of length 0: parsing stops, the packet stands */
    static const uint8_t len0[8] = {2, 4, 0x05, 0xb4, 3, 0, 7, 0};
    n = tcp_with_opts(f, len0, sizeof len0);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 3);
    CU_ASSERT_EQUAL(p.opt.mss, 1460);
    CU_ASSERT_EQUAL(p.opt.wscale, 0xff);

    /* length 1 */
    static const uint8_t len1[8] = {4, 2, 8, 1, 0, 0, 0, 0};
    n = tcp_with_opts(f, len1, sizeof len1);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 3);
    CU_ASSERT_EQUAL(p.opt.sack_perm, 1);
    CU_ASSERT_EQUAL(p.opt.has_ts, 0);

    /* length past the end of the option space (and into the payload) */
    static const uint8_t past[8] = {1, 1, 8, 10, 0, 0, 0, 1};
    n = tcp_with_opts(f, past, sizeof past);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 3);
    CU_ASSERT_EQUAL(p.opt.has_ts, 0);
    CU_ASSERT_EQUAL(p.opt.ts_val, 0);

    /* kind in the last byte with no room for its length */
    static const uint8_t nolen[4] = {1, 1, 1, 2};
    n = tcp_with_opts(f, nolen, sizeof nolen);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    check_tcp(&p, 4, 14, 34, 3);
    CU_ASSERT_EQUAL(p.opt.mss, 0);

    /* wrong lengths for known kinds are skipped, later options still read */
    static const uint8_t wrong[12] = {2, 3, 5, 3, 4, 7, 7, 3, 3, 9, 0, 0};
    n = tcp_with_opts(f, wrong, sizeof wrong);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.opt.mss, 0);
    CU_ASSERT_EQUAL(p.opt.wscale, 9);

    /* end-of-list stops parsing */
    static const uint8_t eol[8] = {0, 0, 0, 0, 2, 4, 5, 0xb4};
    n = tcp_with_opts(f, eol, sizeof eol);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, (uint32_t)n, (uint32_t)n, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.opt.mss, 0);

    /* options cut by the snaplen: the fixed header still counts, truncated, the options that fit are read */
    static const uint8_t cut[16] = {2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
    n = tcp_with_opts(f, cut, sizeof cut);
    CU_ASSERT_EQUAL_FATAL(dec(L_EN10MB, f, 14 + 20 + 20 + 9, (uint32_t)n, &p), DECODE_OK);
    CU_ASSERT_EQUAL(p.sport, SPORT);
    CU_ASSERT_EQUAL(p.dport, DPORT);
    CU_ASSERT_EQUAL(p.seq, SEQ);
    CU_ASSERT_EQUAL(p.ack, ACK);
    CU_ASSERT_EQUAL(p.flags, FLAGS);
    CU_ASSERT_EQUAL(p.tcp_hlen, 36);
    CU_ASSERT_EQUAL(p.seg_len, 3);
    CU_ASSERT_EQUAL(p.payload_caplen, 0);
    CU_ASSERT_PTR_NULL(p.payload);
    CU_ASSERT_EQUAL(p.truncated, 1);
    CU_ASSERT_EQUAL(p.opt.mss, 1460);
    CU_ASSERT_EQUAL(p.opt.has_ts, 0);
    /* ...but a whole frame whose data offset points past its end is a lie */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, 14 + 20 + 20 + 9, 14 + 20 + 20 + 9, &p), DECODE_MALFORMED);
    /* the fixed 20 bytes themselves cut: nothing to go on */
    CU_ASSERT_EQUAL(dec(L_EN10MB, f, 14 + 20 + 19, (uint32_t)n, &p), DECODE_TRUNCATED);
}

/* ---------------------------------------------------------------- every prefix */

/*
 * Each prefix of a good frame, in a heap buffer of exactly that length:
 * never a read past it (ASan), and never a clean OK.  With wirelen = full
 * (the capture cut it) the payload may be used; with wirelen = len (a frame
 * that claims more than it has) only the link layer may say TRUNCATED.
 * `need` is where the IP packet ends (the rest is link padding).
 */
static void prefixes(int dlt, const uint8_t *frame, size_t full, size_t need, const char *what)
{
    for (size_t len = 0; len < full; len++) {
        for (int cutmode = 0; cutmode < 2; cutmode++) {
            uint32_t wire = cutmode ? (uint32_t)full : (uint32_t)len;
            uint8_t *buf = malloc(len ? len : 1);
            CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
            memcpy(buf, frame, len);
            struct pkt p;
            memset(&p, 0, sizeof p);
            enum decode_status st = decode_packet(dlt, buf, (uint32_t)len, wire, &p);
            int ok;
            if (st == DECODE_OK) {
                int inside = !p.payload || (p.payload >= buf && p.payload + p.payload_caplen <= buf + len);
                /* truncated: the payload was cut, or (no payload captured) the TCP options were */
                int cut = p.truncated && p.payload_caplen <= p.seg_len &&
                          (p.payload_caplen < p.seg_len || p.payload_caplen == 0);
                /* an uncut frame shorter than its IPv4 length: the bytes there, flagged */
                int short_v4 = wire == len && p.ipver == 4 && (p.len_note & PKT_LEN_EXCEEDS) && !p.truncated &&
                               p.payload_caplen == p.seg_len;
                ok = inside && (len >= need ? !p.truncated : cut || short_v4);
            } else {
                ok = st == DECODE_TRUNCATED || st == DECODE_MALFORMED;
            }
            if (!ok)
                fprintf(stderr, "\n  %s: prefix %zu/%zu (wire %u): status %s truncated %u caplen %u seg_len %u\n",
                        what, len, full, wire, decode_status_name(st), p.truncated, p.payload_caplen, p.seg_len);
            CU_ASSERT_TRUE(ok);
            free(buf);
        }
    }
}

static void test_prefixes(void)
{
    static const uint8_t opts[20] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t l4[256], l3[512], f[600], rest[256];
    size_t n, m;

    /* Ethernet + 802.1Q + IPv4 with options + TCP with options + payload */
    static const uint16_t q[] = {0x8100, 0x0800};
    static const uint8_t ipopt[4] = {1, 1, 1, 0};
    m = mk_tcp(l4, opts, sizeof opts, 12);
    n = mk_eth(f, q, 2, l3, mk_ipv4(l3, 6, 0, ipopt, sizeof ipopt, l4, m));
    prefixes(L_EN10MB, f, n, n, "eth/vlan/v4");

    /* Ethernet, padded short frame */
    n = good_eth_v4(f, 2);
    memset(f + n, 0, 60 - n);
    prefixes(L_EN10MB, f, 60, n, "eth padded");

    /* Ethernet + IPv6 with HBH and destination options */
    n = v6_ext_chain(rest, 9);
    n = mk_eth(f, ET_V6, 1, l3, mk_ipv6(l3, 0, rest, n));
    prefixes(L_EN10MB, f, n, n, "eth/v6 ext");

    /* IPv6 atomic fragment */
    n = v6_frag(f, 0);
    prefixes(L_EN10MB, f, n, n, "eth/v6 frag");

    /* SLL, SLL2, NULL, LOOP, raw, IPv4, IPv6 */
    static const uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
    n = wrap(f, sll, sizeof sll, l3, v4_tcp(l3, 5));
    prefixes(L_SLL, f, n, n, "sll");
    static const uint8_t sll2[20] = {0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0};
    n = wrap(f, sll2, sizeof sll2, l3, v6_tcp(l3, 5));
    prefixes(L_SLL2, f, n, n, "sll2");
    static const uint8_t af2[4] = {2, 0, 0, 0}, af2be[4] = {0, 0, 0, 2};
    n = wrap(f, af2, 4, l3, v4_tcp(l3, 5));
    prefixes(L_NULL, f, n, n, "null");
    n = wrap(f, af2be, 4, l3, v4_tcp(l3, 5));
    prefixes(L_LOOP, f, n, n, "loop");
    n = v4_tcp(f, 5);
    prefixes(L_RAW, f, n, n, "raw v4");
    prefixes(L_IPV4, f, n, n, "ipv4");
    n = v6_tcp(f, 5);
    prefixes(L_RAW101, f, n, n, "raw101 v6");
    prefixes(L_IPV6, f, n, n, "ipv6");
}

/* Arbitrary bytes never read past the buffer (a few fixed seeds of junk after valid link headers). */
static void test_junk(void)
{
    static const int dlts[] = {L_EN10MB, L_SLL, L_SLL2, L_NULL, L_LOOP, L_RAW, L_IPV4, L_IPV6};
    uint32_t x = 12345;
    unsigned seen[DECODE_TOO_DEEP + 1] = {0};
    for (int round = 0; round < 4000; round++) {
        size_t len = (size_t)(round % 120);
        uint8_t *buf = malloc(len ? len : 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 16);
        }
        /* steer some of them into the IP and TCP parsers */
        if (len > 14 && round % 3 == 0) {
            buf[12] = round % 2 ? 0x86 : 0x08;
            buf[13] = round % 2 ? 0xdd : 0x00;
            buf[14] = (uint8_t)((round % 2 ? 0x60 : 0x45) | (buf[14] & (round % 2 ? 0x0f : 0)));
            if (len > 23 && !(round % 2))
                buf[23] = 6;
            if (len > 20 && (round % 2))
                buf[20] = (uint8_t)(round % 4 == 1 ? 6 : 0);
            /* every sixth: a plausible IPv4 header (no fragment, its own length) with a TCP data
             * offset of 5, so junk also reaches the TCP payload */
            if (len >= 54 && round % 6 == 0) {
                buf[16] = (uint8_t)((len - 14) >> 8);
                buf[17] = (uint8_t)(len - 14);
                buf[20] = buf[21] = 0;
                buf[14 + 20 + 12] = 0x50;
            }
        }
        struct pkt p;
        int dlt = dlts[round % (int)(sizeof dlts / sizeof dlts[0])];
        if (round % 3 == 0)
            dlt = L_EN10MB;
        enum decode_status st = decode_packet(dlt, buf, (uint32_t)len, (uint32_t)len + (uint32_t)(round % 2) * 100, &p);
        CU_ASSERT_FATAL(st >= DECODE_OK && st <= DECODE_TOO_DEEP);
        seen[st]++;
        if (st == DECODE_OK) {
            /* what a decoded segment claims lies inside the bytes that were there */
            CU_ASSERT_TRUE(p.ipver == 4 || p.ipver == 6);
            CU_ASSERT_TRUE(p.l3_off < p.l4_off);
            CU_ASSERT_TRUE(p.tcp_hlen >= 20 && p.tcp_hlen <= 60);
            CU_ASSERT_TRUE((size_t)p.l4_off + p.tcp_hlen <= len || p.truncated); /* options cut by snaplen */
            CU_ASSERT_TRUE((size_t)p.l4_off + 20 <= len);
            if (p.payload_caplen)
                CU_ASSERT_TRUE(p.payload == buf + p.l4_off + p.tcp_hlen &&
                               p.payload + p.payload_caplen <= buf + len);
            CU_ASSERT_TRUE(p.payload_caplen <= p.seg_len || p.truncated);
        }
        free(buf);
    }
    /* the steering reached the TCP parser, and junk was turned away on every path */
    CU_ASSERT_TRUE(seen[DECODE_OK] > 0);
    CU_ASSERT_TRUE(seen[DECODE_MALFORMED] > 0);
    CU_ASSERT_TRUE(seen[DECODE_TRUNCATED] > 0);
    CU_ASSERT_TRUE(seen[DECODE_NOT_IP] > 0);
}

/* The same segment decoded two ways must say the same: on Ethernet (where the usual frame takes
 * decode.c's fast path) and as raw IP (always the walk).  Offsets differ by the 14 bytes of the
 * Ethernet header; the rest is the analysis. */
static int same_segment(const struct pkt *e, const struct pkt *r)
{
    size_t alen = e->ipver == 6 ? 16 : 4;
    return e->ipver == r->ipver && !memcmp(e->src, r->src, alen) && !memcmp(e->dst, r->dst, alen) &&
           e->sport == r->sport && e->dport == r->dport && e->seq == r->seq && e->ack == r->ack &&
           e->flags == r->flags && e->win == r->win && e->opt.mss == r->opt.mss &&
           e->opt.wscale == r->opt.wscale && e->opt.sack_perm == r->opt.sack_perm &&
           e->opt.has_ts == r->opt.has_ts && e->opt.sack_blocks == r->opt.sack_blocks &&
           (!e->opt.has_ts || (e->opt.ts_val == r->opt.ts_val && e->opt.ts_ecr == r->opt.ts_ecr)) &&
           e->payload == r->payload && e->payload_caplen == r->payload_caplen && e->seg_len == r->seg_len &&
           e->truncated == r->truncated && e->ttl == r->ttl && e->l3_off == r->l3_off + 14 &&
           e->l4_off == r->l4_off + 14 && e->tcp_hlen == r->tcp_hlen && e->len_note == r->len_note &&
           e->source_routed == r->source_routed && e->reassembled == r->reassembled && e->nvlan == 0 &&
           e->nencap == r->nencap && e->link == L_EN10MB;
}

static void test_fast_path_agrees(void)
{
    static const uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 1, 0, 0, 0, 2, 0};
    static const uint8_t syn[20] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 1, 0, 0, 0, 0, 0, 1, 3, 3, 7};
    static const uint8_t sack[12] = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9};
    const struct {
        const uint8_t *opt;
        size_t len;
    } opts[] = {{NULL, 0}, {ts, 12}, {syn, 20}, {sack, 12}};
    const uint16_t v4[] = {0x0800}, v6[] = {0x86dd};
    uint32_t x = 4242;
    unsigned ok = 0, other = 0;
    for (int round = 0; round < 60000; round++) {
        uint8_t l4[128], l3[192], good[256];
        size_t o = (size_t)round % 4, paylen = (size_t)(round / 4) % 40;
        size_t l4len = mk_tcp(l4, opts[o].opt, opts[o].len, paylen);
        int six = round % 3 == 0;
        size_t l3len = six ? mk_ipv6(l3, 6, l4, l4len) : mk_ipv4(l3, 6, 0, NULL, 0, l4, l4len);
        size_t len = mk_eth(good, six ? v6 : v4, 1, l3, l3len);
        /* then up to three bytes of the IP and TCP headers changed, the frame cut or padded */
        int changes = round % 4;
        for (int k = 0; k < changes; k++) {
            x = x * 1103515245u + 12345u;
            size_t at = 14 + (x >> 8) % (six ? 72 : 52);
            x = x * 1103515245u + 12345u;
            good[at] = (uint8_t)(round % 7 == 0 ? good[at] ^ (1u << ((x >> 9) % 8)) : x >> 16);
        }
        x = x * 1103515245u + 12345u;
        uint32_t caplen = (uint32_t)len, wirelen = (uint32_t)len;
        switch ((x >> 12) % 5) {
        case 1: caplen = (uint32_t)((x >> 16) % (len + 1)); break;          /* cut by a snaplen */
        case 2: caplen = wirelen = (uint32_t)len + (x >> 16) % 20; break;   /* Ethernet padding */
        case 3: wirelen = (uint32_t)len + 1 + (x >> 16) % 300; break;       /* wire longer than the frame */
        default: break;
        }
        if (caplen < 15)
            continue;
        uint8_t *eth = malloc(caplen); /* exactly its size: ASan sees a read past either decode */
        CU_ASSERT_PTR_NOT_NULL_FATAL(eth);
        memset(eth, 0, caplen);
        memcpy(eth, good, caplen < len ? caplen : len);
        int et_v6 = eth[12] == 0x86 && eth[13] == 0xdd, et_v4 = eth[12] == 0x08 && eth[13] == 0x00;
        int nibble = eth[14] >> 4;
        if (!((et_v4 && nibble == 4) || (et_v6 && nibble == 6))) { /* the two would read different layers */
            free(eth);
            continue;
        }
        struct pkt e, r;
        memset(&e, 0x5a, sizeof e);
        memset(&r, 0x5a, sizeof r);
        enum decode_status se = decode_packet(L_EN10MB, eth, caplen, wirelen, &e);
        enum decode_status sr = decode_packet(L_RAW, eth + 14, caplen - 14, wirelen - 14, &r);
        CU_ASSERT_EQUAL(se, sr);
        if (se == DECODE_OK && sr == DECODE_OK) {
            ok++;
            int same = same_segment(&e, &r);
            CU_ASSERT_TRUE(same);
            if (!same)
                fprintf(stderr, "round %d: the fast path and the walk differ\n", round);
        } else {
            other++;
        }
        free(eth);
    }
    /* both outcomes were compared many times */
    CU_ASSERT_TRUE(ok > 10000);
    CU_ASSERT_TRUE(other > 1000);
}

int main(void)
{
    static const struct unit_case link[] = {
        {"Ethernet IPv4 TCP with options", test_eth_ipv4_tcp_options},
        {"no options: defaults", test_no_options_defaults},
        {"SACK blocks", test_sack_blocks},
        {"Ethernet IPv6", test_eth_ipv6},
        {"802.1Q", test_vlan_8021q},
        {"802.1ad double tag", test_vlan_8021ad_double},
        {"Linux SLL (113)", test_sll},
        {"Linux SLL2 (276)", test_sll2},
        {"NULL (0), both byte orders", test_null},
        {"LOOP (108)", test_loop},
        {"raw IP (12, 101)", test_raw},
        {"LINKTYPE_IPV4 228 / IPV6 229", test_linktype_ipv4_ipv6},
        {"supported link types", test_link_supported},
    };
    static const struct unit_case ip[] = {
        {"IPv4 with options", test_ipv4_options},
        {"IPv6 extension headers", test_ipv6_ext_headers},
        {"IPv6 fragment", test_ipv6_fragment},
        {"IPv4 fragment", test_ipv4_fragment},
        {"UDP, ARP", test_not_tcp_not_ip},
    };
    static const struct unit_case bad[] = {
        {"IPv4 header contradictions", test_malformed_ipv4},
        {"TCP data offset", test_malformed_tcp_offset},
        {"claimed length: cut vs lie", test_claimed_length},
        {"Ethernet padding", test_ethernet_padding},
        {"IPv6 header contradictions", test_ipv6_malformed},
        {"malformed TCP options", test_bad_tcp_options},
        {"every prefix of good frames", test_prefixes},
        {"junk never overreads", test_junk},
        {"Ethernet fast path agrees with the walk", test_fast_path_agrees},
    };
    static const struct unit_suite suites[] = {
        {"link layers", NULL, NULL, link, UNIT_COUNT(link)},
        {"IP", NULL, NULL, ip, UNIT_COUNT(ip)},
        {"malformed and truncated", NULL, NULL, bad, UNIT_COUNT(bad)},
    };
    return unit_run_suites(suites, UNIT_COUNT(suites));
}
