/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iso_time.h - timestamps as ISO 8601 text in UTC (--time-format iso), for
 * consumers whose numbers are doubles (jq, Elasticsearch) and lose the
 * capture's last digits in an epoch float.
 */
#ifndef SYNFIN_ISO_TIME_H
#define SYNFIN_ISO_TIME_H

#include <stddef.h>
#include <stdint.h>

/* "2023-11-14T22:13:20.010000Z": at least this many bytes, with 9 digits. */
#define ISO_TIME_LEN 40

/*
 * Nanoseconds since the epoch as UTC with `digits` decimals (0 to 9: the
 * capture's precision, 6 or 9).  Returns the length written, 0 when the
 * time cannot be shown (before year 0 or past 9999).
 */
size_t iso_time(int64_t ns, int digits, char *buf, size_t len);

#endif
