/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iso_time.c - ISO 8601 UTC timestamps (see iso_time.h; RFC 3339 section 5.6
 * is the profile: "T" between date and time, "Z" for UTC).
 */
#include "iso_time.h"

#include <stdio.h>
#include <time.h>

size_t iso_time(int64_t ns, int digits, char *buf, size_t len)
{
    if (digits < 0)
        digits = 0;
    if (digits > 9)
        digits = 9;
    /* floor division: a time before 1970 still has a positive fraction */
    int64_t sec = ns / 1000000000, frac = ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
        return 0;
    int n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (n < 0 || (size_t)n >= len)
        return 0;
    if (digits > 0) {
        for (int i = digits; i < 9; i++)
            frac /= 10;
        int m = snprintf(buf + n, len - (size_t)n, ".%0*lld", digits, (long long)frac);
        if (m < 0 || (size_t)(n + m) >= len)
            return 0;
        n += m;
    }
    if ((size_t)n + 2 > len)
        return 0;
    buf[n++] = 'Z';
    buf[n] = '\0';
    return (size_t)n;
}
