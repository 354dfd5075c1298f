/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * shard.h - --shard K/N: which of N processes a connection belongs to.
 *
 * The hash is of the connection's own addresses and ports (the innermost IP
 * header decode.c found, never a VLAN tag or tunnel's outer header), taken
 * in a canonical order so both directions agree, with fixed constants so
 * every process, run and machine agrees too.  It is not the flow table's
 * hash, which may be keyed per run.
 */
#ifndef SYNFIN_SHARD_H
#define SYNFIN_SHARD_H

#include <stdint.h>

#include "decode.h"

/* FNV-1a (64-bit) of the canonical 4-tuple, finished with a bit mixer. */
uint64_t shard_hash(const struct pkt *p);

/* The shard of a packet's connection: 1..n (as --shard K/N numbers them). */
static inline uint32_t shard_of(const struct pkt *p, uint32_t n) { return (uint32_t)(shard_hash(p) % n) + 1; }

#endif
