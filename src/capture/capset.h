/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capset.h - several capture files read as one capture: repeated -r, and
 * the capture files of a directory, merged in time order as mergecap does
 * (a connection that spans rotated files is one connection; a file is
 * opened when the merge reaches its first packet, so a directory of a
 * thousand rotated files holds one or two open at a time).  Also the
 * capture's table of interfaces (one per link type and name, across files
 * and sections), and re-readers that go back to packets by offset.
 */
#ifndef SYNFIN_CAPSET_H
#define SYNFIN_CAPSET_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "capfile.h"
#include "capture.h"

struct capset;

/* One interface of the capture, with its statistics when a file gave them. */
struct capset_iface {
    int dlt;
    uint32_t snaplen;
    char name[64];                   /* its name, or "#N": its number in its section */
    int named;                       /* the file gave a name (or a description) */
    struct capfile_isb isb;          /* the largest counters seen (UINT64_MAX: none) */
    uint64_t unsupported;            /* packets skipped: the link type is not decoded */
};

/* Open the files (a directory stands for its capture files, in name order;
 * files in it that are not captures are left out and counted).  Reads each
 * one's header and first packet. */
struct capset *capset_open(const char *const *paths, size_t n, const volatile sig_atomic_t *stop, char *err);
/* The next packet in time order, or secrets (capset_secrets), or the end. */
enum capfile_result capset_next(struct capset *s, struct capture_pkt *pk);
const uint8_t *capset_secrets(const struct capset *s, size_t *len);
/* The chunk the last packet lies in (see capfile_chunk). */
struct capchunk *capset_chunk(const struct capset *s);
/* Read-ahead: let each file keep `chunks` chunks and wait with `wait`
 * when all are held (-1 from it stops the reading). */
void capset_set_pool(struct capset *s, int chunks, int (*wait)(void *ctx), void *ctx);

/* Streams: capset_next returns CAPFILE_AGAIN when one has no whole packet
 * yet (a user interface reads between keystrokes); capset_fd is the
 * descriptor to poll then (-1: none). */
void capset_nowait(struct capset *s, int on);
int capset_fd(const struct capset *s);

/* Interfaces.  Safe to call from another thread than the one reading. */
size_t capset_ifaces(const struct capset *s);
int capset_iface(const struct capset *s, uint32_t gid, struct capset_iface *out);
/* Count a packet skipped for its link type. */
void capset_count_unsupported(struct capset *s, uint32_t gid);
/* The interface's printable name ("eth0", or "#1"), NULL when gid is unknown. */
const char *capset_iface_name(const struct capset *s, uint32_t gid, char *buf, size_t len);

/* Files: how many, their names, and what went wrong in each. */
size_t capset_files(const struct capset *s);
const char *capset_file_name(const struct capset *s, size_t i);
/* Its report; NULL while it was never opened. */
const struct capfile_report *capset_file_report(const struct capset *s, size_t i);
size_t capset_skipped_files(const struct capset *s, const char **first);
/* Secrets blocks before the files' first packets beyond 64 MiB: not used. */
uint64_t capset_lost_secrets(const struct capset *s);
/* Every file is a classic pcap with microsecond timestamps. */
int capset_usec(const struct capset *s);
/* Some file is pcapng (its interfaces have numbers or names worth showing). */
int capset_pcapng(const struct capset *s);
/* Every file can be read again (none is a stream). */
int capset_seekable(const struct capset *s);
/* One of the files is this one (device and inode). */
int capset_holds(const struct capset *s, dev_t dev, ino_t ino);
/* Progress: file bytes read and the files' total size (0 when unknown). */
int64_t capset_position(const struct capset *s);
int64_t capset_size(const struct capset *s);

/* A second reader of the same files, to read packets again (the ladder and
 * the detail pane); `main` must outlive it.  NULL on a stream. */
struct capset *capset_reader(struct capset *main, char *err);
/* Re-reader: read on (capset_next) from a point at or before the packet at
 * `offset`, so that every packet from that one on comes in the same order
 * as the first time. */
int capset_seek(struct capset *r, int64_t offset, char *err);
/* Re-reader: the one packet at `offset`. */
int capset_read_at(struct capset *r, int64_t offset, struct capture_pkt *pk, char *err);

void capset_close(struct capset *s);

#endif
