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

/* The state and its round (the paper's section 2), shared with siphash.c: inline here so that the
 * flow table's per-packet hash of two or five words unrolls where it is called. */
struct sip_state {
    uint64_t v0, v1, v2, v3;
};

static inline uint64_t sip_rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

static inline void sip_round(struct sip_state *s)
{
    s->v0 += s->v1;
    s->v1 = sip_rotl(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = sip_rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = sip_rotl(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = sip_rotl(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = sip_rotl(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = sip_rotl(s->v2, 32);
}

/* One 8-byte block into the state with c rounds. */
static inline void sip_absorb(struct sip_state *s, uint64_t m, int c)
{
    s->v3 ^= m;
    for (int i = 0; i < c; i++)
        sip_round(s);
    s->v0 ^= m;
}

static inline struct sip_state sip_start(const struct sip_key *key)
{
    struct sip_state s = {
        key->k0 ^ 0x736f6d6570736575ULL, key->k1 ^ 0x646f72616e646f6dULL,
        key->k0 ^ 0x6c7967656e657261ULL, key->k1 ^ 0x7465646279746573ULL,
    };
    return s;
}

/* SipHash-1-3 of n 64-bit words: the same as of their 8n little-endian bytes, without the bytes. */
static inline uint64_t siphash13_words(const struct sip_key *key, const uint64_t *w, size_t n)
{
    struct sip_state s = sip_start(key);
#pragma GCC unroll 8
    for (size_t i = 0; i <= n; i++)
        sip_absorb(&s, i < n ? w[i] : (uint64_t)((n * 8) & 0xff) << 56, 1);
    s.v2 ^= 0xff;
    sip_round(&s);
    sip_round(&s);
    sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

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
