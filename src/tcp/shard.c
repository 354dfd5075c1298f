/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * shard.c - the shard hash (see shard.h).  Its definition is part of the
 * --shard contract (synfin(1)): changing it moves connections between
 * shards, so it must not change between releases without saying so.
 */
#include "shard.h"

#include <string.h>

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t shard_hash(const struct pkt *p)
{
    size_t alen = p->ipver == 6 ? 16 : 4;
    const uint8_t *a = p->src, *b = p->dst;
    uint16_t pa = p->sport, pb = p->dport;
    int c = memcmp(a, b, alen);
    if (c > 0 || (c == 0 && pa > pb)) {
        a = p->dst, b = p->src;
        pa = p->dport, pb = p->sport;
    }
    uint8_t ports[4] = {(uint8_t)(pa >> 8), (uint8_t)pa, (uint8_t)(pb >> 8), (uint8_t)pb};
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv1a(h, &p->ipver, 1);
    h = fnv1a(h, a, alen);
    h = fnv1a(h, b, alen);
    h = fnv1a(h, ports, sizeof ports);
    /* FNV's low bits are weak on near-identical keys: mix before the modulo (splitmix64's finaliser) */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}
