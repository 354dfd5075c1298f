/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * grow.h - the doubling array every growing table uses (a capture's
 * sections, interfaces and files; the interface's windows of ladder
 * lines): room for what is asked, or -1 when memory or size_t runs out,
 * the array untouched.
 */
#ifndef SYNFIN_GROW_H
#define SYNFIN_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Make *arr (of *cap elements of elem bytes) hold at least n elements, doubling. */
static inline int array_reserve(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 8;
    while (nc < n) {
        if (nc > SIZE_MAX / 2)
            return -1;
        nc *= 2;
    }
    if (nc > SIZE_MAX / elem)
        return -1;
    void *p = realloc(*arr, nc * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

/* Room for one more element after the first n. */
static inline int array_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    return n == SIZE_MAX ? -1 : array_reserve(arr, cap, n + 1, elem);
}

#endif
