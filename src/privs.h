/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * privs.h - giving up what a live capture no longer needs once its device
 * is open: root, and every capability.
 */
#ifndef SYNFIN_PRIVS_H
#define SYNFIN_PRIVS_H

#include <stddef.h>

/* As root: become USER (NULL: "tcpdump", else "nobody", when one exists;
 * "root": stay root), with only its groups.  Not root, e.g. a binary given
 * CAP_NET_RAW with setcap: clear this process's capabilities.  Either way
 * no later exec can gain privileges.  0, or -1 with a one-line message. */
int privs_drop(const char *user, char *err, size_t errlen);

#endif
