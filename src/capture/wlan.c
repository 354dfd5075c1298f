/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wlan.c - IEEE 802.11 frames (IEEE Std 802.11-2020 section 9.2: the MAC
 * header, QoS and HT control, four addresses) carrying 802.2 LLC/SNAP,
 * and the radio headers captures put in front of them: Radiotap
 * (https://www.radiotap.org), PPI (CACE's Per-Packet Information header
 * 1.0.10), AVS and Prism.
 *
 * Only unprotected data frames carry something to read: a protected frame
 * is counted as encrypted, management and control frames, null data and
 * A-MSDU aggregates as not IP.
 */
#include "layer.h"

enum {
    FC_TODS = 0x01,
    FC_FROMDS = 0x02,
    FC_PROTECTED = 0x40,
    FC_ORDER = 0x80,
    RT_FLAG_FCS = 0x10,     /* the frame ends with its 4-byte FCS */
    RT_FLAG_DATAPAD = 0x20, /* padding after the 802.11 header to a multiple of 4 */
};

int wlan_frame(struct dec *d, struct cursor *c)
{
    size_t start = cur_offset(c);
    uint8_t fc0 = cur_u8(c), fc1 = cur_u8(c);
    if (d->wlan_swap_fc) {
        uint8_t t = fc0;
        fc0 = fc1;
        fc1 = t;
    }
    cur_skip(c, 22); /* duration, three addresses, sequence control */
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    unsigned version = fc0 & 3, type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
    if (version != 0)
        return NX_END(DECODE_MALFORMED);
    if (type != 2)
        return NX_END(DECODE_NOT_IP); /* management, control, extension */
    if (subtype & 0x4)
        return NX_END(DECODE_NOT_IP); /* no data: null function, CF-Ack/Poll alone */
    if ((fc1 & (FC_TODS | FC_FROMDS)) == (FC_TODS | FC_FROMDS))
        cur_skip(c, 6); /* the fourth address: a wireless distribution system */
    int amsdu = 0;
    if (subtype & 0x8) { /* QoS data: QoS control, and HT control when Order is set */
        uint8_t qos = cur_u8(c);
        cur_skip(c, 1);
        amsdu = (qos & 0x80) != 0;
        if (fc1 & FC_ORDER)
            cur_skip(c, 4);
    }
    if (d->wlan_pad)
        cur_skip(c, (4 - (cur_offset(c) - start) % 4) % 4);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    if (fc1 & FC_PROTECTED)
        return NX_END(DECODE_ENCRYPTED);
    if (amsdu)
        return NX_END(DECODE_NOT_IP); /* several packets in one frame: not read */
    return llc_snap(c);
}

/* Radiotap: skip its length; its Flags field says whether an FCS ends the frame and whether
 * the 802.11 header is padded (both matter, so it is found: after the presence words and TSFT). */
int wlan_radiotap(struct dec *d, struct cursor *c)
{
    struct cursor h = *c;
    uint8_t version = cur_u8(&h);
    cur_skip(&h, 1);
    uint16_t len = cur_le16(&h);
    uint32_t present = cur_le32(&h);
    if (h.err)
        return NX_END(DECODE_TRUNCATED);
    if (version != 0 || len < 8)
        return NX_END(DECODE_MALFORMED);
    struct cursor f = cur_sub(c, len);
    if (f.err)
        return NX_END(DECODE_TRUNCATED);
    cur_skip(&f, 8);
    for (uint32_t more = present; (more & 0x80000000u) && !f.err;) /* extended presence bitmaps */
        more = cur_le32(&f);
    uint8_t flags = 0;
    if (present & 0x2) {
        if (present & 0x1) { /* TSFT: 8 bytes, aligned to 8 */
            cur_skip(&f, (8 - cur_offset(&f) % 8) % 8);
            cur_skip(&f, 8);
        }
        flags = cur_u8(&f);
        if (f.err)
            flags = 0;
    }
    d->wlan_pad = (flags & RT_FLAG_DATAPAD) != 0;
    if ((flags & RT_FLAG_FCS) && d->missing == 0 && cur_left(c) >= 4 && cur_end(c) == d->end)
        cur_drop_tail(c, 4);
    return NX_WLAN;
}

/* PPI: version, flags, its length, and the link type of what follows. */
int wlan_ppi(struct cursor *c)
{
    struct cursor h = *c;
    uint8_t version = cur_u8(&h);
    cur_skip(&h, 1);
    uint16_t len = cur_le16(&h);
    uint32_t dlt = cur_le32(&h);
    if (h.err)
        return NX_END(DECODE_TRUNCATED);
    if (version != 0 || len < 8)
        return NX_END(DECODE_MALFORMED);
    cur_skip(c, len);
    if (c->err)
        return NX_END(DECODE_TRUNCATED);
    /* the walk strips it (decode.c): a header of one link type names another */
    return dlt < NX_LINK_SPAN ? NX_LINK + (int)dlt : NX_END(DECODE_NOT_IP);
}

/* AVS (big-endian magic 0x8021100x, then its length) or Prism (a message code, then its length). */
int wlan_prism_avs(struct cursor *c)
{
    struct cursor h = *c;
    uint32_t magic = cur_be32(&h);
    uint32_t len_be = cur_be32(&h);
    if (h.err)
        return NX_END(DECODE_TRUNCATED);
    uint32_t len;
    if ((magic & 0xfffffff0u) == 0x80211000u) {
        len = len_be;
    } else {
        h = *c;
        cur_skip(&h, 4);
        len = cur_le32(&h);
    }
    if (len < 8)
        return NX_END(DECODE_MALFORMED);
    cur_skip(c, len);
    return c->err ? NX_END(DECODE_TRUNCATED) : NX_WLAN;
}
