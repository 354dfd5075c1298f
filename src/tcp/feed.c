/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * feed.c - the one packet loop (see feed.h).
 */
#include "feed.h"

#include <time.h>

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

enum feed_result feed_run(struct feed *f, uint64_t max_packets, int64_t max_ns, char *err)
{
    int64_t start = max_ns ? mono_ns() : 0;
    struct capture_pkt pk;
    for (uint64_t n = 1;; n++) {
        if ((n & 63) == 0 && f->stop && f->stop(f->stop_ctx))
            return FEED_STOPPED;
        if (max_ns && (n & 255) == 0 && mono_ns() - start > max_ns)
            return FEED_MORE;
        enum capture_result r = capture_next(f->cap, &pk, err);
        switch (r) {
        case CAPTURE_PACKET:
            break;
        case CAPTURE_TIMEOUT:
            return FEED_IDLE;
        case CAPTURE_EOF:
            return FEED_DONE;
        case CAPTURE_WRITE_FAILED:
            return FEED_WRITE_FAILED;
        default:
            return FEED_DAMAGED;
        }
        enum feed_verdict v = f->filter ? f->filter(f->filter_ctx, &pk) : FEED_TAKE;
        if (v == FEED_END)
            return FEED_DONE;
        if (v != FEED_SKIP) {
            pipeline_packet_on(f->pl, pk.iface, pk.dlt, pk.ts_ns, pk.data, pk.caplen, pk.wirelen, pk.offset);
            f->fed++;
            if (v == FEED_TAKE_LAST || (f->limit && f->fed >= f->limit))
                return FEED_DONE;
        }
        if (max_packets && n >= max_packets)
            return FEED_MORE;
    }
}
