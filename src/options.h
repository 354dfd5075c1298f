/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * options.h - the option table: every command-line option, its argument and
 * its help line live in one array, so the parser and the usage text cannot
 * drift apart.  The parsed values land in `struct options`, the program's one
 * global-by-convention (main owns it and hands it down).
 */
#ifndef SYNFIN_OPTIONS_H
#define SYNFIN_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum output_mode { OUT_SUMMARY, OUT_JSON, OUT_LADDER, OUT_SVG, OUT_MERMAID };

/* --color: when the text outputs (ladder, summary) and the interface use colour */
enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct options {
    const char *read_file;       /* -r: the first one */
    const char **read_files;     /* -r, every one (owned array; a directory stands for its files) */
    size_t nread;
    const char *iface;           /* -i */
    const char *write_file;      /* -w */
    const char *run_as;          /* -Z: the user to become after opening the device */
    uint64_t count;              /* -c: stop after this many packets (0: no limit) */
    enum output_mode mode;
    int mode_given;              /* --summary, --json or --ladder was asked for */
    uint64_t ladder_id;          /* --ladder=ID, --svg=ID, --mermaid=ID: only this connection (0: all) */
    int ascii;                   /* --ascii: no box-drawing characters */
    int events;                  /* --events: with --json, every packet of each connection */
    int quiet;                   /* -q: no end-of-run notes on stderr */
    size_t reasm_cap;            /* --reassembly-cap: held bytes per direction */
    size_t memcap;               /* --memcap: bytes the open connections may hold (0: no cap) */
    double idle_timeout_s;       /* --idle-timeout */
    double linger_s;             /* --linger */
    double closing_linger_s;     /* --closing-linger */
    const char *ca_file;         /* --ca-file: trust anchors for certificate verification */
    const char *keylog;          /* --keylog: TLS secrets (else $SSLKEYLOGFILE) */
    int no_verify;               /* --no-verify */
    int tcp_only;                /* --tcp-only: no protocol parsing above TCP */
    int time_iso;                /* --time-format iso: ISO 8601 UTC times in JSON */
    uint32_t shard_k, shard_n;   /* --shard K/N: only the connections of shard K (1..N); N 0: all */
    int fanout;                  /* --fanout given */
    uint16_t fanout_group;       /* --fanout GROUP: the PACKET_FANOUT group id */
    char *filter;                /* BPF expression joined from the trailing words, or -F's (owned) */
    const char *filter_file;     /* -F */
    int snaplen;                 /* -s: live snapshot length (0: 262144) */
    int buffer_kib;              /* -B: live kernel buffer in KiB (0: libpcap's default) */
    int no_promisc;              /* -p */
    int immediate;               /* --immediate-mode */
    int live_opt_given;          /* one of -s, -B, -p, --immediate-mode (they need -i) */
    int list_ifaces;             /* -D */
    int threads;                 /* --threads: 1 or 2 (0: 2 when a processor is idle) */
    const char *where;           /* --where: the filter expression (where.h), compiled by main */
    int width;                   /* --width: the text ladder's columns (0: the terminal's, $COLUMNS, 80) */
    enum color_when color;       /* --color */
    int show_help, show_version;
};

/* Exit codes, a documented contract (synfin(1), EXIT STATUS). */
enum {
    EXIT_OK = 0,
    EXIT_INPUT = 1,     /* the input cannot be opened or read at all */
    EXIT_USAGE = 2,     /* bad option or filter */
    EXIT_DAMAGED = 3,   /* the capture is damaged part-way; what came before was reported */
    EXIT_OUTPUT = 4,    /* writing the output failed */
    EXIT_INTERRUPTED = 5, /* a signal stopped the reading of a file; what was read was reported */
};

#define OPTIONS_ERRLEN 256

/* Parse argv; 0 on success, -1 with a message in err. */
int options_parse(struct options *o, int argc, char **argv, char *err);
void options_free(struct options *o);
void options_usage(FILE *f);

#endif
