/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * where_dump.h - `-w FILE` with `--where`: only the packets of the
 * connections the expression selects go to the file.  The verdict comes
 * when a connection ends, after its packets went by, so:
 *
 *   a file        its packets are read again by offset (loader.h) at the
 *                 verdict and written then, in the order they were captured;
 *   live, or a    each packet is held (a copy) until the connections it may
 *   stream        belong to end, within a part of --memcap; past it the
 *                 oldest are let go, counted (they cannot be written).
 *
 * Either way the file holds each selected connection whole, written
 * connection by connection as they end.
 */
#ifndef SYNFIN_WHERE_DUMP_H
#define SYNFIN_WHERE_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "conn.h"

struct where_dump;

/* `cap` writes the file (capture_dump_chosen was called); `reread`: it is a
 * file read again by offset, else packets are held within `budget` bytes. */
struct where_dump *where_dump_new(struct capture *cap, int reread, size_t budget, char *err);
/* Each packet read, before the pipeline takes it (held when not re-reading). */
void where_dump_packet(struct where_dump *d, const struct capture_pkt *pk);
/* A connection began (the pipeline's `new`): its packets are held from now on. */
void where_dump_opened(struct where_dump *d, const struct conn *c);
/* Its verdict: its packets written (match) or let go.  -1 with err when the file failed. */
int where_dump_verdict(struct where_dump *d, const struct conn *c, int match, char *err);
/* Packets of selected connections that could not be written (let go past the budget, or unreadable). */
uint64_t where_dump_lost(const struct where_dump *d);
/* Bytes held now. */
size_t where_dump_memory(const struct where_dump *d);
void where_dump_free(struct where_dump *d);

#endif
