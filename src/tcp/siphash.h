/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * siphash.h - a keyed hash for tables that the wire fills: SipHash
 * (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012).
 *
 * A table keyed by addresses and ports that an attacker chooses must not
 * use a hash the attacker can compute: with a fixed seed, a few thousand
 * crafted 4-tuples land in one cluster and every lookup walks all of them.
 * Under a secret key the attacker cannot tell which tuples collide.
 *
 * The process has one key, taken once from getrandom(), or from the
 * environment variable SYNFIN_HASH_KEY (32 hex digits) for runs that must
 * be reproducible.  SipHash-1-3 (one compression round, three
 * finalization rounds) is the hash-table variant; SipHash-2-4, the
 * conservative one, is here for whoever needs a PRF and to check the
 * implementation against the published test vectors.
 */
#ifndef SYNFIN_SIPHASH_H
#define SYNFIN_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct sip_key {
    uint64_t k0, k1; /* the 16 key bytes, read little-endian */
};

/* SipHash-1-3 and SipHash-2-4 of `len` bytes under `key`. */
uint64_t siphash13(const struct sip_key *key, const void *data, size_t len);
uint64_t siphash24(const struct sip_key *key, const void *data, size_t len);
/* SipHash-1-3 of n 64-bit words: the same as of their 8n little-endian bytes, without the bytes. */
uint64_t siphash13_words(const struct sip_key *key, const uint64_t *w, size_t n);

/* A key from 16 bytes (as SipHash's reference code takes them). */
struct sip_key sip_key_from_bytes(const uint8_t bytes[16]);

/*
 * Set the process's key, once: SYNFIN_HASH_KEY when it is set, else
 * getrandom().  0, or -1 with a message in err when SYNFIN_HASH_KEY is not
 * 32 hex digits or no random bytes could be had (a key is set regardless:
 * random when it can be, else from the clock and addresses).  Later calls
 * return the first call's result.  Safe from any thread.
 */
int hashkey_init(char *err, size_t errlen);

/* The process's key (set by hashkey_init, which runs now if nobody called it). */
const struct sip_key *hashkey(void);

/* SipHash-1-3 under the process's key. */
uint64_t hash_keyed(const void *data, size_t len);

/* Was the key given by SYNFIN_HASH_KEY (a run that must be reproducible)? */
int hashkey_fixed(void);

/* A fresh random key (getrandom), or, when the process key is fixed, one
 * derived from it and `n`, so a run stays reproducible. */
struct sip_key sip_key_fresh(uint64_t n);

#endif
