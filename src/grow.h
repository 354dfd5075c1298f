/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * grow.h - the doubling array every table of a capture's headers uses
 * (sections, interfaces, files): room for one more element, or -1 when
 * memory or size_t runs out, the array untouched.
 */
#ifndef SYNFIN_GROW_H
#define SYNFIN_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Make *arr (of *cap elements of elem bytes) hold at least n + 1 elements. */
static inline int array_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 8;
    if (nc < *cap || nc > SIZE_MAX / elem)
        return -1;
    void *p = realloc(*arr, nc * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

#endif
