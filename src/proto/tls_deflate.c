/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls_deflate.c - TLS's DEFLATE record compression undone (see tls_deflate.h).
 *
 * Spec: RFC 3749 2 (one zlib stream per direction and connection state,
 * RFC 1950 framing around RFC 1951 DEFLATE, every record ending on a flush
 * so that it decompresses whole), RFC 5246 6.2.2 (at most 2^14 bytes per
 * record once decompressed).  zlib does the inflating.
 */
#include "tls_deflate.h"

#include <stdlib.h>
#include <zlib.h>

struct tls_inflate {
    z_stream zs;
    int broken; /* a record failed: the stream's state is lost for good */
};

struct tls_inflate *tls_inflate_new(void)
{
    struct tls_inflate *z = calloc(1, sizeof *z);
    if (z && inflateInit(&z->zs) != Z_OK) {
        free(z);
        return NULL;
    }
    return z;
}

int tls_inflate_record(struct tls_inflate *z, const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    *out_len = 0;
    if (!z || z->broken || n > UINT32_MAX || cap > UINT32_MAX)
        return -1;
    if (n == 0)
        return 0;
    z->zs.next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const: it only reads */
    z->zs.avail_in = (uInt)n;
    z->zs.next_out = out;
    z->zs.avail_out = (uInt)cap;
    int rc = inflate(&z->zs, Z_SYNC_FLUSH);
    size_t produced = cap - z->zs.avail_out;
    /* the whole record must go in and come out within cap: input left
     * over, or output that does not fit, is not what a peer sends */
    int ok = (rc == Z_OK || rc == Z_STREAM_END) && z->zs.avail_in == 0;
    if (ok && z->zs.avail_out == 0) { /* exactly full: nothing more may be pending */
        uint8_t probe;
        z->zs.next_out = &probe;
        z->zs.avail_out = 1;
        inflate(&z->zs, Z_SYNC_FLUSH);
        ok = z->zs.avail_out == 1;
    }
    if (!ok) {
        z->broken = 1;
        return -1;
    }
    *out_len = produced;
    return 0;
}

void tls_inflate_free(struct tls_inflate *z)
{
    if (!z)
        return;
    inflateEnd(&z->zs);
    free(z);
}
