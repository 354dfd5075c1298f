/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * community_id.c - Community ID v1 (see community_id.h).
 *
 * The spec: SHA-1 over seed (2 bytes), the lower endpoint's address, the
 * higher's, the protocol, one zero byte of padding, the lower's port, the
 * higher's port (all in network order), where "lower" compares addresses
 * first and ports on a tie; the digest in base64 after "1:".  SHA-1 comes
 * from GnuTLS, as all of synfin's cryptography does.
 */
#include "community_id.h"

#include <gnutls/crypto.h>
#include <string.h>

static void base64(const uint8_t *in, size_t n, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *out++ = abc[v >> 18];
        *out++ = abc[(v >> 12) & 63];
        *out++ = abc[(v >> 6) & 63];
        *out++ = abc[v & 63];
    }
    if (i < n) { /* one or two bytes left: pad to four characters */
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        *out++ = abc[v >> 18];
        *out++ = abc[(v >> 12) & 63];
        *out++ = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        *out++ = '=';
    }
    *out = '\0';
}

int community_id_v1(int ipver, const uint8_t *saddr, uint16_t sport, const uint8_t *daddr, uint16_t dport,
                    uint8_t proto, uint16_t seed, char *out)
{
    size_t alen = ipver == 6 ? 16 : 4;
    int c = memcmp(saddr, daddr, alen);
    if (c > 0 || (c == 0 && sport > dport)) { /* the lower endpoint goes first */
        const uint8_t *ta = saddr;
        saddr = daddr;
        daddr = ta;
        uint16_t tp = sport;
        sport = dport;
        dport = tp;
    }
    uint8_t buf[2 + 16 + 16 + 2 + 4], *p = buf;
    *p++ = (uint8_t)(seed >> 8);
    *p++ = (uint8_t)seed;
    memcpy(p, saddr, alen);
    p += alen;
    memcpy(p, daddr, alen);
    p += alen;
    *p++ = proto;
    *p++ = 0;
    *p++ = (uint8_t)(sport >> 8);
    *p++ = (uint8_t)sport;
    *p++ = (uint8_t)(dport >> 8);
    *p++ = (uint8_t)dport;
    uint8_t md[20];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA1, buf, (size_t)(p - buf), md) < 0) {
        out[0] = '\0';
        return -1;
    }
    memcpy(out, "1:", 2);
    base64(md, sizeof md, out + 2);
    return 0;
}
