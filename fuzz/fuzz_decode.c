/*
 * fuzz_decode.c - decode_packet on one frame, for every link type the
 * decoder supports.  Input: [link selector][cut][frame bytes...].  The
 * selector picks the DLT (one unsupported value too, for the refusal
 * path); the cut byte, when its top bit is set, makes the frame's wire
 * length longer than what was captured (a snaplen cut).
 *
 * On DECODE_OK the result must stay inside the frame: the payload pointer
 * and its captured length within [data, data + caplen), the header offsets
 * within the frame, payload_caplen <= seg_len, and `truncated` exactly when
 * the payload or the options were cut.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#include "fuzz_common.h"

static const int dlts[] = {
    DLT_EN10MB, 113 /* LINUX_SLL */, 276 /* LINUX_SLL2 */, DLT_NULL, DLT_LOOP, DLT_RAW, 101 /* LINKTYPE_RAW */,
    228 /* IPV4 */, 229 /* IPV6 */, 105 /* IEEE802_11: not supported */,
};
#define NDLTS (sizeof dlts / sizeof dlts[0])

static FUZZ_NOCOV void touch(const uint8_t *p, size_t len)
{
    volatile uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= p[i];
    (void)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 65535 + 2)
        return 0;
    int dlt = dlts[data[0] % NDLTS];
    uint8_t cut = data[1];
    uint32_t caplen = (uint32_t)(size - 2);
    uint32_t wirelen = caplen + ((cut & 0x80) ? 1u + (cut & 0x7f) * 16u : 0u);
    /* the frame in a buffer of exactly its size, so ASan sees any read past it */
    uint8_t *frame = malloc(caplen ? caplen : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 2, caplen);

    int supported = decode_link_supported(dlt);
    FUZZ_CHECK(supported == (data[0] % NDLTS != NDLTS - 1), "decode_link_supported(%d) = %d", dlt, supported);

    struct pkt p;
    memset(&p, 0xa5, sizeof p); /* what decode_packet does not fill must not be trusted */
    enum decode_status ds = decode_packet(dlt, caplen ? frame : NULL, caplen, wirelen, &p);
    FUZZ_CHECK(ds >= DECODE_OK && ds <= DECODE_MALFORMED, "status %d", (int)ds);
    FUZZ_CHECK(decode_status_name(ds) != NULL, "no status name");
    if (!supported)
        FUZZ_CHECK(ds == DECODE_NOT_IP, "unsupported link type %d gave %s", dlt, decode_status_name(ds));
    if (ds == DECODE_OK) {
        FUZZ_CHECK(p.ipver == 4 || p.ipver == 6, "ipver %u", p.ipver);
        FUZZ_CHECK(p.l3_off < caplen, "l3_off %u, caplen %u", p.l3_off, caplen);
        FUZZ_CHECK(p.l4_off > p.l3_off && p.l4_off + 20u <= caplen, "l4_off %u (l3 %u), caplen %u", p.l4_off,
                   p.l3_off, caplen);
        FUZZ_CHECK(p.tcp_hlen >= 20 && p.tcp_hlen <= 60 && p.tcp_hlen % 4 == 0, "tcp_hlen %u", p.tcp_hlen);
        FUZZ_CHECK(p.payload_caplen <= p.seg_len, "payload_caplen %u > seg_len %u", p.payload_caplen, p.seg_len);
        if (p.payload_caplen) {
            FUZZ_CHECK(p.payload >= frame + p.l4_off + p.tcp_hlen &&
                           p.payload + p.payload_caplen <= frame + caplen,
                       "payload [%td, +%u) outside the frame of %u (l4 %u + %u)", p.payload - frame,
                       p.payload_caplen, caplen, p.l4_off, p.tcp_hlen);
            touch(p.payload, p.payload_caplen); /* ASan checks the bounds */
        } else {
            FUZZ_CHECK(p.payload == NULL, "payload pointer without bytes");
        }
        FUZZ_CHECK(p.truncated == 0 || p.truncated == 1, "truncated %u", p.truncated);
        if (p.payload_caplen < p.seg_len)
            FUZZ_CHECK(p.truncated, "payload cut (%u of %u) but not marked truncated", p.payload_caplen, p.seg_len);
        if (p.truncated && p.payload_caplen == p.seg_len)
            FUZZ_CHECK(p.l4_off + (uint32_t)p.tcp_hlen > caplen, "marked truncated but nothing was cut");
        FUZZ_CHECK(p.opt.sack_perm <= 1 && p.opt.has_ts <= 1, "option flags");
        FUZZ_CHECK(p.opt.sack_blocks <= 4, "%u SACK blocks in at most 40 option bytes", p.opt.sack_blocks);
        /* a frame that was not cut cannot carry a payload cut short */
        if (wirelen == caplen)
            FUZZ_CHECK(!p.truncated, "an uncut frame decoded as truncated (seg_len %u, have %u)", p.seg_len,
                       p.payload_caplen);
    }
    free(frame);
    return 0;
}
