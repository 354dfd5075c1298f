/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls_deflate.h - the DEFLATE record compression of TLS (RFC 3749), undone
 * one direction at a time after decryption.  OpenSSL 1.0 builds with zlib
 * negotiated it whenever both sides offered it; a key log opens such
 * records, and only decompressed do they read as handshake messages,
 * alerts and HTTP.
 */
#ifndef SYNFIN_TLS_DEFLATE_H
#define SYNFIN_TLS_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

struct tls_inflate; /* one direction's decompression state */

/* NULL when out of memory. */
struct tls_inflate *tls_inflate_new(void);

/* Decompress one record's plaintext `in` (n bytes) into out (cap bytes).
 * RFC 3749 2: the compression state runs on from record to record, each
 * record ending in a sync flush.  0 with the length in *out_len, or -1 when
 * the bytes are not DEFLATE or decompress to more than cap (RFC 5246 6.2.2:
 * a record holds at most 2^14 bytes once decompressed); after a failure
 * the state cannot continue. */
int tls_inflate_record(struct tls_inflate *z, const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       size_t *out_len);

/* Bytes a state holds (zlib's inflate state and its 32 KiB window), for the memory cap. */
#define TLS_INFLATE_MEMORY (8u * 1024u + 32u * 1024u)

/* NULL is fine. */
void tls_inflate_free(struct tls_inflate *z);

#endif
