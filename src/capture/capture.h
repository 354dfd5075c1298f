/*
 * capture.h - packets in: a savefile (pcap or pcapng, micro- or nanosecond)
 * or a live interface, an optional BPF filter, and an optional savefile
 * writer for -w.  The only module that calls libpcap.  Errors come back as
 * text in a caller's buffer; nothing here prints.
 */
#ifndef SYNFIN_CAPTURE_H
#define SYNFIN_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#define CAPTURE_ERRLEN 512

struct capture;

struct capture_pkt {
    int64_t ts_ns;
    uint32_t caplen, wirelen;
    const uint8_t *data;
    int64_t offset;      /* where its record starts in the file (or the -w file), -1 if nowhere */
};

enum capture_result {
    CAPTURE_PACKET = 1,
    CAPTURE_TIMEOUT = 0,  /* live: no packet within the read timeout */
    CAPTURE_EOF = -2,     /* end of file, or the loop was broken */
    CAPTURE_ERROR = -1,   /* the file is damaged here; message in the error buffer */
};

struct capture_stats {
    uint64_t received, dropped, if_dropped;
};

struct capture *capture_open_file(const char *path, char *err);
/* Open and activate an interface; the message names the missing privilege. */
struct capture *capture_open_live(const char *iface, char *err);
int capture_set_filter(struct capture *cap, const char *expr, char *err);
/* Also write every packet read to a savefile (-w). */
int capture_dump_to(struct capture *cap, const char *path, char *err);

int capture_datalink(const struct capture *cap);
/* libpcap's name of the link type (e.g. "EN10MB"), or NULL when it has none. */
const char *capture_datalink_name(const struct capture *cap);
/* Digits after the decimal point that the source's timestamps carry (6 or 9). */
int capture_ts_digits(const struct capture *cap);
int capture_is_live(const struct capture *cap);
/* A descriptor to poll for live packets, or -1. */
int capture_fd(const struct capture *cap);

enum capture_result capture_next(struct capture *cap, struct capture_pkt *out, char *err);
/* Async-signal-safe: make capture_next return CAPTURE_EOF soon. */
void capture_break(struct capture *cap);
int capture_stats(struct capture *cap, struct capture_stats *st);
/* Savefiles: go back to a record's offset (from capture_pkt.offset) to read it again. */
int capture_seek(struct capture *cap, int64_t offset, char *err);
/* Savefiles: bytes read so far and the file's size (for a progress bar); 0 when unknown. */
int64_t capture_position(const struct capture *cap);
int64_t capture_size(const struct capture *cap);
/* Live: capture_next returns CAPTURE_TIMEOUT at once when nothing is waiting (for a UI loop). */
int capture_set_nonblock(struct capture *cap, char *err);
/* Flush the -w writer; -1 when writing failed. */
int capture_flush(struct capture *cap, char *err);
void capture_close(struct capture *cap);
/* The libpcap in use, e.g. "libpcap version 1.10.3 (with TPACKET_V3)". */
const char *capture_lib_version(void);

#endif
