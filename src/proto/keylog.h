/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keylog.h - the secrets of an NSS key log file (SSLKEYLOGFILE, as written
 * by NSS, OpenSSL, GnuTLS, curl, browsers), indexed by client random for
 * tlsdecrypt.h.  Format: one "LABEL <64 hex client random> <hex secret>"
 * per line, the labels of NSS's key log documentation and of
 * draft-ietf-tls-keylogfile.  Any number of lines: each secret is one
 * fixed-size record (no allocation per line), found through an
 * open-addressing index on (client random, label); the memory they take
 * can be bounded (--memcap).  Only regular files are read: a FIFO or a
 * device is refused at once rather than waited on or read forever.
 */
#ifndef SYNFIN_KEYLOG_H
#define SYNFIN_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

enum keylog_label {
    KL_CLIENT_RANDOM,                       /* TLS <= 1.2: the 48-byte master secret */
    KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    KL_SERVER_HANDSHAKE_TRAFFIC_SECRET,
    KL_CLIENT_TRAFFIC_SECRET_0,
    KL_SERVER_TRAFFIC_SECRET_0,
    KL_EXPORTER_SECRET,
    KL_CLIENT_EARLY_TRAFFIC_SECRET,
    KL_EARLY_EXPORTER_SECRET,
    KL_COUNT
};

/* A longer line is malformed (and read past, however long).  Only the
 * first KEYLOG_WARN_MAX malformed lines of a key log are reported one by
 * one; each load then says how many more it skipped. */
#define KEYLOG_MAX_LINE 4096
#define KEYLOG_WARN_MAX 10

struct keylog;
/* A malformed line, or (line 0) something about the whole file. */
typedef void (*keylog_warn_fn)(void *ctx, const char *path, unsigned line, const char *why);

struct keylog *keylog_new(void);
/* Zeroes every secret and frees; NULL is fine. */
void keylog_free(struct keylog *kl);

/* Read the file, or, called again, continue from where the last call
 * stopped: a live capture re-reads a file that grows.  A file that shrank,
 * was replaced (another inode) or rewritten (its first bytes changed), or
 * another path, is read from the start; secrets already read stay.
 * Comment lines (#) and blank lines are skipped; lines with unknown labels
 * too (not malformed: newer writers add labels); a malformed line is
 * reported through warn (may be NULL) with its 1-based line number, and the
 * rest is used.  An unterminated last line that does not parse is taken
 * for one still being written and left for the next call.  A repeated
 * (random, label) replaces the secret.  Returns the number of secrets
 * added or changed, or -1 with a one-line message in err (errlen bytes)
 * when the file cannot be opened or read. */
int keylog_load(struct keylog *kl, const char *path, keylog_warn_fn warn, void *ctx, char *err,
                size_t errlen);

/* Has the file keylog_load last read been written to since (its size is not where
 * reading stopped)?  1 yes, 0 no, -1 unknown (nothing loaded, or fstat failed).  One
 * fstat: cheap enough to ask on every lookup that misses in a live capture. */
int keylog_grew(const struct keylog *kl);

/* The secret for this client random and label, or NULL; *len (may be NULL)
 * is its length (48 for CLIENT_RANDOM, 32 or 48 for the TLS 1.3 secrets).
 * The pointer stays valid until keylog_free. */
const uint8_t *keylog_find(const struct keylog *kl, const uint8_t client_random[32],
                           enum keylog_label label, size_t *len);

/* Client randoms known (not secrets); counted when asked, in time linear in the secrets. */
size_t keylog_count(const struct keylog *kl);

/* Bytes the table takes (about 90 per secret: 82 for the secret and its
 * client random, the rest its index), for --memcap. */
size_t keylog_memory(const struct keylog *kl);

/* Bound the table's memory (0: no bound, the default).  Past it the rest
 * of the file is not read (warned once through warn, line given); a later
 * load with a higher bound goes on from there. */
void keylog_set_max_bytes(struct keylog *kl, size_t max);

#endif
