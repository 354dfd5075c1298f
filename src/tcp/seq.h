/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seq.h - TCP sequence arithmetic modulo 2^32 (RFC 793 section 3.3).
 *
 * Sequence numbers are compared by the sign of their 32-bit difference, so
 * wrap-around past 2^32 is invisible.  Streams keep 64-bit offsets from their
 * base; seq_unwrap turns a 32-bit number back into an offset near a reference.
 */
#ifndef SYNFIN_SEQ_H
#define SYNFIN_SEQ_H

#include <stdint.h>

static inline int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }
static inline int seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
static inline int seq_leq(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
static inline int seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
static inline int seq_geq(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }

/*
 * The 64-bit offset of `seq` relative to `base`, choosing the candidate
 * nearest to `ref` (an offset already known, e.g. the next expected byte).
 * May be negative when seq lies before base.
 */
static inline int64_t seq_unwrap(uint32_t seq, uint32_t base, int64_t ref)
{
    uint32_t rel = seq - base;
    return ref + (int32_t)(rel - (uint32_t)ref);
}

#endif
