/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readahead.h - the second core: a thread reads the files, finds the
 * records, merges and filters them, and hands the packets over in batches
 * while the caller analyses the previous batch.  The packets stay where the
 * reader put them (the batch holds their chunks), and come out in exactly
 * the order a single thread would read them, so the analysis and its output
 * do not change.
 */
#ifndef SYNFIN_READAHEAD_H
#define SYNFIN_READAHEAD_H

#include <signal.h>

#include "capset.h"

struct readahead;

/* Which packets go on (the BPF filter, the link types decoded): called on the reading thread. */
typedef int (*readahead_keep_fn)(void *ctx, const struct capture_pkt *pk);

/* Start reading `set` on a thread of its own; `stop` (the set's) is raised
 * to make it end.  NULL with err when the thread cannot start. */
struct readahead *readahead_start(struct capset *set, readahead_keep_fn keep, void *ctx,
                                  volatile sig_atomic_t *stop, char *err);
/* The next packet (valid until the next call), secrets, or the end. */
enum capfile_result readahead_next(struct readahead *ra, struct capture_pkt *pk);
const uint8_t *readahead_secrets(const struct readahead *ra, size_t *len);
/* Stop the thread (raising `stop`), wait for it and give every chunk back;
 * the set is then the caller's again (its reports are final). */
void readahead_finish(struct readahead *ra);

#endif
