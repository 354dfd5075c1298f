/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fanout.h - --fanout GROUP: N synfin processes capturing on one interface
 * share its packets the way Suricata and Zeek workers do, each connection to
 * one process (Linux PACKET_FANOUT with PACKET_FANOUT_HASH, packet(7)).
 */
#ifndef SYNFIN_FANOUT_H
#define SYNFIN_FANOUT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Join the packet socket `fd` (an activated live capture's, capture_fd) to
 * fanout group `group`.  Returns 0, or -1 with a message in err.
 */
int fanout_join(int fd, uint16_t group, char *err, size_t errlen);

#endif
