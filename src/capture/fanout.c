/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fanout.c - joining a PACKET_FANOUT group (see fanout.h; packet(7),
 * "PACKET_FANOUT").  The kernel hashes each packet's flow, the same for
 * both directions, and hands it to one socket of the group; DEFRAG first
 * reassembles IP fragments so all of a datagram lands on one socket.  The
 * socket must be bound already: libpcap binds it when it activates.
 */
#include "fanout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

int fanout_join(int fd, uint16_t group, char *err, size_t errlen)
{
#if defined(__linux__) && defined(PACKET_FANOUT)
    if (fd < 0) {
        snprintf(err, errlen, "--fanout: the capture has no packet socket");
        return -1;
    }
    /* the group id in the low 16 bits, mode and flags above (DEFRAG is bit 31: unsigned arithmetic) */
    uint32_t arg = group | (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
        snprintf(err, errlen, "--fanout %u: cannot join the group: %s%s", (unsigned)group, strerror(errno),
                 errno == EINVAL ? " (the group exists with another mode, or the interface differs)" : "");
        return -1;
    }
    return 0;
#else
    (void)fd;
    snprintf(err, errlen, "--fanout %u: PACKET_FANOUT needs Linux", (unsigned)group);
    return -1;
#endif
}
