/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * community_id.h - the Community ID flow hash, version 1
 * (https://github.com/corelight/community-id-spec), the key Zeek, Suricata,
 * Arkime, Wireshark and Elastic share to join one flow across their logs.
 */
#ifndef SYNFIN_COMMUNITY_ID_H
#define SYNFIN_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>

/* "1:" and 28 base64 characters of a SHA-1, and the terminator. */
#define COMMUNITY_ID_LEN 31

/*
 * The Community ID of a flow between (saddr, sport) and (daddr, dport), the
 * same whichever way round they are given: 4- or 16-byte addresses in
 * network order as `ipver` says, `proto` the IP protocol number (6 for TCP),
 * `seed` 0 unless the user chose one.  Writes "1:..." into out (at least
 * COMMUNITY_ID_LEN bytes); returns 0, or -1 when hashing failed.
 */
int community_id_v1(int ipver, const uint8_t *saddr, uint16_t sport, const uint8_t *daddr, uint16_t dport,
                    uint8_t proto, uint16_t seed, char *out);

#endif
