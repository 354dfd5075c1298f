/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capture.h - packets in: capture files (synfin's own reader: capset.h,
 * capfile.h, capsrc.h; several files merged in time order, read ahead on a
 * second core when asked) or a live interface (libpcap), an optional BPF
 * filter (libpcap's, compiled once per link type met), and an optional
 * savefile writer for -w (libpcap's).  Errors come back as text in a
 * caller's buffer; nothing here prints.
 */
#ifndef SYNFIN_CAPTURE_H
#define SYNFIN_CAPTURE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define CAPTURE_ERRLEN 512

struct capture;

struct capture_pkt {
    int64_t ts_ns;
    uint32_t caplen, wirelen;
    const uint8_t *data;
    int64_t offset;      /* where its record starts in the file (or the -w file), -1 if nowhere;
                          * with several files, the file's number is in the bits above 44 */
    int dlt;             /* the link type of its interface (libpcap's DLT_ value) */
    uint32_t iface;      /* its interface: capture_iface_name() names it */
};

enum capture_result {
    CAPTURE_PACKET = 1,
    CAPTURE_TIMEOUT = 0,       /* live: no packet within the read timeout */
    CAPTURE_EOF = -2,          /* the end of the input (see capture_problems), or capture_break */
    CAPTURE_ERROR = -1,        /* live: the capture failed; message in the error buffer */
    CAPTURE_WRITE_FAILED = -3, /* the -w file could not be written: message in the error buffer */
};

/* Counters of what the capture itself saw or lost: libpcap's (live) or the
 * files' interface statistics (pcapng ISB); `known` when there are any. */
struct capture_stats {
    int known;
    uint64_t received, dropped, if_dropped;
    int has_received, has_dropped, has_if_dropped;
};

/* What a live capture is opened with (tcpdump's -s, -B, -p, --immediate-mode). */
struct capture_live_opts {
    int snaplen;                 /* 0: 262144 */
    int buffer_kib;              /* 0: libpcap's default */
    int no_promisc;
    int immediate;
};

/* Open capture files as one capture: repeated paths and directories (their
 * capture files), merged in time order; "-" is standard input.  Reading
 * waits no longer than a moment on a stream once capture_break was called. */
struct capture *capture_open_files(const char *const *paths, size_t n, char *err);
struct capture *capture_open_file(const char *path, char *err);
/* Open and activate an interface; the message names the missing privilege. */
struct capture *capture_open_live(const char *iface, const struct capture_live_opts *opts, char *err);
/* "1.eth0 [Up, Running]" lines, as tcpdump -D prints them; -1 with err. */
int capture_list_interfaces(void (*line)(void *ctx, const char *text), void *ctx, char *err);
int capture_set_filter(struct capture *cap, const char *expr, char *err);
/* Also write every packet read to a savefile (-w; "-" is standard output).
 * Refused when the file is one of the inputs; an existing file gets mode 0600. */
int capture_dump_to(struct capture *cap, const char *path, char *err);

/* The first interface's link type (a file's: its first packet's). */
int capture_datalink(const struct capture *cap);
/* libpcap's name of a link type (e.g. "EN10MB"), or NULL when it has none. */
const char *capture_dlt_name(int dlt);
const char *capture_datalink_name(const struct capture *cap);
/* Digits after the decimal point that the source's timestamps carry (6 or 9). */
int capture_ts_digits(const struct capture *cap);
int capture_is_live(const struct capture *cap);
/* A descriptor to poll for live packets, or for a stream's bytes; -1 for files. */
int capture_fd(const struct capture *cap);
/* Every known interface's link type is one the decoder does not read. */
int capture_nothing_decodable(const struct capture *cap, int (*supported)(int dlt));

/* Files: read ahead on a thread of its own (packets come out in the same
 * order).  0, or -1 with err (reading goes on without). */
int capture_read_ahead(struct capture *cap, char *err);
/* Files: TLS key log secrets found in the capture (pcapng Decryption
 * Secrets Blocks) are handed to fn as they come, before the packets after them. */
void capture_on_secrets(struct capture *cap, void (*fn)(void *ctx, const uint8_t *text, size_t len), void *ctx);
/* Skip packets of link types `supported` says no to (counted per interface). */
void capture_only_links(struct capture *cap, int (*supported)(int dlt));

enum capture_result capture_next(struct capture *cap, struct capture_pkt *out, char *err);
/* Stop reading (a read-ahead thread ends): the problems and statistics are final. */
void capture_stop_reading(struct capture *cap);
/* Async-signal-safe: make capture_next return CAPTURE_EOF soon. */
void capture_break(struct capture *cap);
int capture_stats(struct capture *cap, struct capture_stats *st);
/* The warnings and damage of the run so far, one line each for `say`
 * (damage: the file could not be read whole); returns whether there was damage. */
int capture_problems(const struct capture *cap, void (*say)(void *ctx, const char *line, int damage), void *ctx);

/* Interfaces: how many, and a printable name ("eth0", or "#1" for a file's
 * unnamed interface 1); NULL for an unknown one. */
size_t capture_ifaces(const struct capture *cap);
const char *capture_iface_name(const struct capture *cap, uint32_t iface, char *buf, size_t len);
/* The input names interfaces per packet (pcapng): outputs show them. */
int capture_names_ifaces(const struct capture *cap);
/* How many files the capture reads (0 live), and the file a packet's offset is in (NULL when none or live). */
size_t capture_files(const struct capture *cap);
const char *capture_file_name(const struct capture *cap, int64_t offset);
/* The source's name for messages: the file (with "+N" for more), or the interface. */
const char *capture_source_name(const struct capture *cap);

/* Files that can be read again (not a stream): a second reader of the same
 * files, to go back to packets (the ladder, the detail pane).  `cap`
 * outlives it.  NULL with err otherwise. */
struct capture *capture_reopen(struct capture *cap, char *err);
int capture_seekable(const struct capture *cap);
/* A second reader: read on from the packet at `offset` (capture_next), in
 * the order of the first reading. */
int capture_seek(struct capture *cap, int64_t offset, char *err);
/* A second reader: just the packet at `offset`. */
int capture_read_at(struct capture *cap, int64_t offset, struct capture_pkt *out, char *err);
/* Files: bytes read so far and the files' size (for a progress bar); 0 when unknown. */
int64_t capture_position(const struct capture *cap);
int64_t capture_size(const struct capture *cap);
/* Live: how long capture_next waits for a packet before CAPTURE_TIMEOUT
 * (default 250 ms; 0: it returns at once, for a UI loop).  capture_set_nonblock
 * sets 0, and makes a stream's capture_next return CAPTURE_TIMEOUT while its
 * next packet has not come whole. */
void capture_set_timeout(struct capture *cap, int ms);
int capture_set_nonblock(struct capture *cap, char *err);
/* Flush the -w writer; -1 when writing failed. */
int capture_flush(struct capture *cap, char *err);
/* -w with a selection (--where): the file opened and checked as capture_dump_to
 * does, but only the packets given to capture_dump_packet are written to it. */
int capture_dump_chosen(struct capture *cap, const char *path, char *err);
int capture_dump_packet(struct capture *cap, const struct capture_pkt *pk, char *err);
/* Packets not written to the -w file because their link type differs from its one. */
uint64_t capture_dump_skipped(const struct capture *cap);
/* Close; the -w file is flushed and closed, and -1 (message in err) when that failed. */
int capture_close_checked(struct capture *cap, char *err);
void capture_close(struct capture *cap);
/* The libpcap in use, e.g. "libpcap version 1.10.3 (with TPACKET_V3)". */
const char *capture_lib_version(void);

#endif
