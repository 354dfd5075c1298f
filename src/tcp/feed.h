/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * feed.h - the one packet loop: packets from a capture into the pipeline, a
 * slice at a time, so the command line (everything at once), the
 * interface (a slice between keys, and while a prompt waits) and the ladder
 * loader (one connection's span of the file again) run the same loop.
 */
#ifndef SYNFIN_FEED_H
#define SYNFIN_FEED_H

#include <stdint.h>

#include "capture.h"
#include "pipeline.h"

/* What a filter says of a packet before it is fed. */
enum feed_verdict {
    FEED_TAKE,       /* feed it */
    FEED_SKIP,       /* pass it over (not counted) */
    FEED_TAKE_LAST,  /* feed it, and it is the last */
    FEED_END,        /* pass it over: the span is over */
};

struct feed {
    struct capture *cap;
    struct pipeline *pl;
    uint64_t limit;      /* stop after this many packets fed (-c); 0: no limit */
    uint64_t fed;        /* packets fed so far */
    /* a look at each packet before it is fed (NULL: every packet) */
    enum feed_verdict (*filter)(void *ctx, const struct capture_pkt *pk);
    void *filter_ctx;
    /* asked every few packets: stop now (a signal, an output that failed)? (NULL: never) */
    int (*stop)(void *ctx);
    void *stop_ctx;
};

enum feed_result {
    FEED_MORE,           /* the slice is used up: call again */
    FEED_IDLE,           /* live, or a stream: nothing is waiting now */
    FEED_DONE,           /* the end of the input, of the filter's span, or of -c */
    FEED_STOPPED,        /* stop() said so */
    FEED_DAMAGED,        /* the capture failed here (err says how) */
    FEED_WRITE_FAILED,   /* the -w file could not be written (err) */
};

/*
 * Feed packets until the input has nothing more now, the end, or a slice
 * of at most `max_packets` read (0: no bound) or `max_ns` of time spent (0:
 * no bound), whichever comes first.  A signal (capture_break) ends it as
 * FEED_DONE.  The pipeline is neither finished nor expired here: callers do
 * that at the end and on their timers.
 */
enum feed_result feed_run(struct feed *f, uint64_t max_packets, int64_t max_ns, char *err);

#endif
