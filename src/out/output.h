/*
 * output.h - what every output (JSON Lines, summary table, text ladder)
 * offers the program: open with a configuration, take finished connections
 * one at a time, close with the run's statistics.  Outputs only read the
 * connection model; main picks one and wires it to the pipeline's sink.
 */
#ifndef SYNFIN_OUTPUT_H
#define SYNFIN_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "conn.h"
#include "pipeline.h"

struct output_config {
    FILE *f;
    int ts_digits;          /* decimals the capture's timestamps carry: 6 or 9 */
    int ascii;              /* ASCII only: the ladder without box drawing, wire text escaped past ASCII */
    uint64_t only_id;       /* ladder: just this connection (0: all) */
    int width;              /* ladder: columns to fill (0: 80) */
    int events;             /* json: each connection's packets as "events" */
    int time_iso;           /* json: first_ts, last_ts as ISO 8601 UTC text (--time-format iso) */
    /* the capture's interfaces by number, for JSON's "interface" (NULL: not shown) */
    const char *(*iface_name)(const void *ctx, uint32_t iface, char *buf, size_t len);
    const void *iface_ctx;
    /* what the capture itself counted (live: libpcap; files: pcapng interface
     * statistics), filled in before close; NULL or not known: nothing to say */
    const struct capture_stats *capture;
};

struct output_ops {
    /* Returns the output's state, or NULL when out of memory. */
    void *(*open)(const struct output_config *cfg);
    void (*conn)(void *st, const struct conn *c);
    /* Totals and the end of the document; frees the state. */
    void (*close)(void *st, const struct pipeline_stats *ps);
};

extern const struct output_ops out_json_ops;
extern const struct output_ops out_summary_ops;
extern const struct output_ops out_ladder_ops;

#endif
