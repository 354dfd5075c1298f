/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capfile.h - the records of one capture file: classic pcap (both byte
 * orders, microsecond and nanosecond magics, the modified Kuznetzov format,
 * files concatenated with cat) and pcapng (draft-ietf-opsawg-pcapng:
 * sections of either byte order, per-interface link type, snapshot length,
 * if_tsresol and if_tsoffset; Enhanced, Simple and obsolete Packet Blocks,
 * Interface Statistics, Decryption Secrets; the rest skipped).
 *
 * Packets are handed out in place: capture_pkt.data points into a chunk of
 * the file read in one go (1 MiB), valid while the chunk is held (see
 * capfile_chunk).  Damage never stops the reading: a record with an absurd
 * length is skipped up to the next plausible record (its lengths and
 * timestamp checked, and the record after it too), the bytes are counted;
 * a file that ends inside a record ends there.  Everything odd is counted
 * in the report; nothing here prints.
 */
#ifndef SYNFIN_CAPFILE_H
#define SYNFIN_CAPFILE_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "capsrc.h"
#include "capture.h"

#define CAPFILE_MAX_CAPLEN 262144u      /* a captured length beyond this is damage */
#define CAPFILE_NOT_CAPTURE "not a readable capture file" /* in capfile_open's message when it is none */
#define CAPFILE_NO_IFACE UINT32_MAX
/* capture_pkt.offset: the file's number in its set above the position */
#define CAPFILE_POS_BITS 44
#define CAPFILE_POS_MASK ((INT64_C(1) << CAPFILE_POS_BITS) - 1)

/* One interface as a file describes it: a pcapng Interface Description
 * Block, or a classic pcap header. */
struct capfile_iface {
    int64_t offset;          /* where its description starts in the file */
    uint32_t gid;            /* the capture's number for it (capture.h), or CAPFILE_NO_IFACE */
    int dlt;                 /* libpcap's DLT_ value of its link type */
    uint32_t snaplen;
    uint8_t tsresol;         /* if_tsresol: 10^-n seconds, or 2^-n with the high bit */
    int64_t tsoffset;        /* if_tsoffset, seconds */
};

/* A stretch of the file with one header: a pcapng section, or a classic
 * pcap header (a file may hold several, concatenated). */
struct capfile_section {
    int64_t offset;
    uint8_t pcapng;
    uint8_t bigendian;       /* its numbers are big-endian */
    uint8_t nano;            /* classic pcap: nanosecond timestamps */
    uint8_t kuznetzov;       /* classic pcap: 24-byte record headers */
    size_t first_iface;      /* its interfaces: meta.iface[first_iface ...] */
    size_t n_iface;
};

/* What reading a file learnt, for readers that go back to its packets
 * later (a pcapng packet needs its section and interface to be read). */
struct capfile_meta {
    struct capfile_section *sec;
    size_t nsec, capsec;
    struct capfile_iface *iface;
    size_t niface, capiface;
};

/* Interface statistics (pcapng ISB): cumulative counters, UINT64_MAX when absent. */
struct capfile_isb {
    uint64_t received, if_dropped, os_dropped, delivered;
};

/* How a file's reader tells its owner of interfaces and statistics. */
struct capfile_hooks {
    void *ctx;
    /* a new interface (its name, NULL when it has none; its number in its
     * section): the capture's number for it, or CAPFILE_NO_IFACE */
    uint32_t (*iface)(void *ctx, int dlt, const char *name, uint32_t local, uint32_t snaplen);
    void (*stats)(void *ctx, uint32_t gid, const struct capfile_isb *isb);
    /* every chunk is held by batches still being analysed: wait for one
     * (read-ahead); -1: stop reading instead */
    int (*wait_chunk)(void *ctx);
};

/* Odd and damaged structures met, each counted. */
struct capfile_report {
    uint64_t packets;
    uint64_t skipped_bytes;          /* damage skipped over to the next plausible record */
    uint64_t skips;                  /* places where that happened */
    int64_t first_skip_at;           /* content offset of the first, -1: none */
    uint32_t first_skip_len;         /* the length field found there */
    int skip_to_end;                 /* the last skip found no record: it ran to the end of the file */
    int cut;                         /* the file ends inside a record */
    int64_t cut_at;
    uint64_t cut_bytes;              /* bytes of that last, partial record */
    int fail;                        /* reading stopped: I/O error, corrupt compressed data */
    char fail_msg[CAPSRC_ERRLEN];
    uint64_t caplen_over_wire;       /* captured length above the original: original raised */
    uint64_t missing_iface;          /* packets naming an interface not described: skipped */
    uint64_t oversize;               /* whole packet blocks longer than CAPFILE_MAX_CAPLEN: skipped */
    uint64_t bad_options;            /* option lists that run past their block */
    uint64_t bad_blocks;             /* blocks too short for their fields: skipped */
    uint64_t unknown_blocks;         /* block types not read (skipped, as the format says) */
    uint64_t other_secrets;          /* Decryption Secrets Blocks that are not TLS key logs */
    uint64_t big_secrets;            /* TLS secrets blocks over CAPFILE_MAX_SECRETS: skipped */
    uint64_t secrets_blocks;         /* TLS key log secrets handed out */
    uint64_t clamped_ts;             /* timestamps beyond +-146 years: clamped */
    uint64_t bad_tsresol;            /* if_tsresol finer than 10^-28 s: microseconds used */
    uint64_t too_many_ifaces;        /* interface descriptions past CAPFILE_MAX_IFACES: ignored */
    uint64_t too_many_sections;      /* headers past CAPFILE_MAX_SECTIONS: the last one's place reused */
    uint64_t sections;               /* headers met after the first (pcapng sections, cat'ed files) */
};

#define CAPFILE_MAX_SECRETS (16u << 20)
#define CAPFILE_MAX_IFACES 65536
#define CAPFILE_MAX_SECTIONS 65536

/* What capfile_next found. */
enum capfile_result {
    CAPFILE_PACKET = 1,
    CAPFILE_END = 0,         /* the end of the file (see the report for damage) */
    CAPFILE_SECRETS = 2,     /* a TLS key log in a Decryption Secrets Block: capfile_secrets */
    CAPFILE_STOPPED = -2,    /* the stop flag was raised while waiting on a stream */
    CAPFILE_AGAIN = -3,      /* capfile_nowait: the stream has no whole record yet */
};

/* A piece of the file read at once; packets point into it. */
struct capchunk {
    uint8_t *mem;
    size_t cap, len;
    int64_t base;            /* content position of mem[0] */
    atomic_int refs;         /* the reader while it reads here, and each batch with packets here */
};

struct capfile;

/* Open a file of the capture and read its header (the first bytes must be
 * a pcap or pcapng header).  `index` goes into the packets' offsets.
 * `meta` (the caller's, zeroed at first) is what is known of the file: with
 * `learn` this reader fills it in as it reads; else it is a re-reader that
 * uses what the first reader learnt, and starts with capfile_seek. */
struct capfile *capfile_open(const char *path, uint32_t index, const struct capfile_hooks *hooks,
                             struct capfile_meta *meta, int learn, const volatile sig_atomic_t *stop, char *err);
/* The next packet (its gid set, its offset in the file's numbering); the
 * packet's bytes stay valid while its chunk (capfile_chunk) is held, at
 * least until the next call. */
enum capfile_result capfile_next(struct capfile *f, struct capture_pkt *pk);
/* The chunk the last packet lies in: hold it with atomic refs++ to keep the
 * packet past the next call; drop it with capfile_release. */
struct capchunk *capfile_chunk(const struct capfile *f);
void capfile_release(struct capchunk *c);
/* How many chunks a reader may keep (2 by default; more when batches of
 * packets are analysed while it reads ahead), and how it waits when every
 * one is held (called with the hooks' ctx; NULL: it allocates more; -1
 * from it: the reading stops). */
void capfile_set_pool(struct capfile *f, int chunks, int (*wait)(void *ctx));
/* The secrets block's text after CAPFILE_SECRETS (valid until the next call). */
const uint8_t *capfile_secrets(const struct capfile *f, size_t *len);
/* Go to a packet's record again (a re-reader, or any reader of a regular file). */
int capfile_seek(struct capfile *f, int64_t pos, char *err);
/* On a stream, return CAPFILE_AGAIN when the next record has not come
 * whole yet, instead of waiting for it. */
void capfile_nowait(struct capfile *f, int on);
/* Renumber the file (before its packets' offsets are used). */
void capfile_set_index(struct capfile *f, uint32_t index);
/* Content position of the next record. */
int64_t capfile_tell(const struct capfile *f);
const struct capfile_report *capfile_report(const struct capfile *f);
struct capfile_meta *capfile_meta(struct capfile *f);
const struct capsrc *capfile_src(const struct capfile *f);
/* The first section is a classic pcap with microsecond timestamps. */
int capfile_usec(const struct capfile *f);
void capfile_close(struct capfile *f);
/* Frees what meta holds (not meta itself). */
void capfile_meta_free(struct capfile_meta *m);

/* libpcap's DLT_ value for a LINKTYPE_ value of a file. */
int capfile_dlt(uint32_t linktype);

#endif
