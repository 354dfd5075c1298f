/* SPDX-License-Identifier: BSD-2-Clause */
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
    int color;              /* ladder, summary: colours as the interface's (SGR escapes) */
    int events;             /* json: each connection's packets as "events" */
    int time_iso;           /* json: first_ts, last_ts as ISO 8601 UTC text (--time-format iso) */
    /* the capture's interfaces by number, for JSON's "interface" (NULL: not shown) */
    const char *(*iface_name)(const void *ctx, uint32_t iface, char *buf, size_t len);
    const void *iface_ctx;
    /* what the capture itself counted (live: libpcap; files: pcapng interface
     * statistics), filled in before close; NULL or not known: nothing to say */
    const struct capture_stats *capture;
    /* outputs that write files of their own (--svg) put the first failure here (CAPTURE_ERRLEN bytes;
     * NULL: not asked): "FILE: cannot write: ERROR" */
    char *write_err;
};

struct output_ops {
    /* Returns the output's state, or NULL when out of memory. */
    void *(*open)(const struct output_config *cfg);
    void (*conn)(void *st, const struct conn *c);
    /* Totals and the end of the document; frees the state. */
    void (*close)(void *st, const struct pipeline_stats *ps);
};

extern const struct output_ops out_json_ops;

/* The JSON object --json writes for c, built in w's buffer (not written: the caller flushes or reads it). */
struct jw;
void out_json_object(struct jw *w, const struct conn *c, const struct output_config *cfg);
extern const struct output_ops out_summary_ops;
extern const struct output_ops out_ladder_ops;
extern const struct output_ops out_svg_ops;     /* --svg */
extern const struct output_ops out_mermaid_ops; /* --mermaid */
/* One connection's ladder as an SVG picture (`width` columns, 0: 100) or a Mermaid diagram into f; -1: out of memory. */
int out_svg_conn(FILE *f, const struct conn *c, int width);
int out_mermaid_conn(FILE *f, const struct conn *c);

#endif
