/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trust_index.h - a bundle of trust anchors kept as DER, indexed by subject
 * name, and parsed only when a chain names one.
 *
 * Parsing the ~140 roots of a system store with GnuTLS costs 18 to 25 ms of
 * CPU and 4 MiB, at every run that meets a certificate; a capture's chains
 * name a handful of them.  The index reads the bundle itself (base64 and a
 * walk down to the subject Name) and hands an anchor to the GnuTLS trust
 * list the first time a chain's issuer or subject name equals its subject.
 * GnuTLS finds anchors by those names only, compared byte for byte, so the
 * trust list then holds every anchor a verification of that chain can reach:
 * the verdicts are those of the whole store (test_x509 compares them).
 */
#ifndef SYNFIN_TRUST_INDEX_H
#define SYNFIN_TRUST_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/x509.h>

struct trust_index;

/* The certificates of a PEM bundle (NULL: the file cannot be read, errno
 * set).  Blocks that are not certificates, or whose base64 or DER is broken,
 * are passed over. */
struct trust_index *trust_index_load(const char *path);
void trust_index_free(struct trust_index *ix);

/* How many anchors it holds, and how many were handed to a trust list. */
size_t trust_index_count(const struct trust_index *ix);
size_t trust_index_admitted(const struct trust_index *ix);

/* The subject Name (its whole DER element) of anchor i < count, for tests. */
const uint8_t *trust_index_subject(const struct trust_index *ix, size_t i, size_t *len);
/* Anchor i's certificate, DER. */
const uint8_t *trust_index_der(const struct trust_index *ix, size_t i, size_t *len);

/* Hand `tl` every anchor whose subject is `name` (a DER Name) that it was
 * not handed before. */
void trust_index_admit(struct trust_index *ix, gnutls_x509_trust_list_t tl, const uint8_t *name, size_t len);

/* The bundle the system store is read from: the first of the distributions'
 * usual places that exists, or NULL (then GnuTLS's own system trust). */
const char *trust_index_system_bundle(void);

#endif
