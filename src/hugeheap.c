/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hugeheap.c - the heap on huge pages (see hugeheap.h).
 *
 * Every packet touches its connection's tracker, record and parser state,
 * scattered over megabytes of heap, while the packet stream pushes them
 * out of the caches and the TLB.  On 4 KiB pages each such touch can cost
 * a page walk (two nested walks in a virtual machine); on 2 MiB pages the
 * whole working set fits the TLB.  glibc does this itself when the
 * environment says glibc.malloc.hugetlb=1; a program cannot set its own
 * tunables, so here the same is done by hand: the heap is grown once by
 * `bytes`, the 2 MiB-aligned span around the new memory is advised
 * MADV_HUGEPAGE, and the memory is given back to the allocator, which
 * keeps it (the trim threshold is raised above it) and carves the
 * connections from it.  No page is touched here: the memory counts only
 * once it is used.
 */
#include "hugeheap.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define KEEP_IN_HEAP ((size_t)4 << 20)
#define MAX_RESERVE ((size_t)28 << 20) /* glibc takes an mmap threshold up to 32 MiB */

int hugeheap_reserve(size_t bytes)
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD) && defined(MADV_HUGEPAGE)
    if (bytes > MAX_RESERVE)
        bytes = MAX_RESERVE;
    /* from the heap rather than a mapping of its own, and kept there once freed; afterwards
     * blocks up to KEEP_IN_HEAP (the flow table, the recent table) come from the heap too, so
     * from the huge pages, where glibc would have mapped them apart on small ones */
    if (mallopt(M_TRIM_THRESHOLD, (int)(2 * MAX_RESERVE)) != 1 || mallopt(M_MMAP_THRESHOLD, (int)(bytes + HUGE_PAGE)) != 1)
        return -1;
    char *p = malloc(bytes);
    (void)mallopt(M_MMAP_THRESHOLD, (int)KEEP_IN_HEAP);
    if (!p)
        return -1;
    /* the whole heap around it: the blocks carved next start at p, and the kernel gives huge
     * pages only to aligned 2 MiB within advised memory.  The ends of the range may lie outside
     * the heap: those are skipped (ENOMEM) while the rest is advised. */
    uintptr_t lo = (uintptr_t)p & ~(uintptr_t)(HUGE_PAGE - 1);
    uintptr_t hi = ((uintptr_t)p + bytes + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    int ok = madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0 || errno == ENOMEM;
    free(p);
    return ok ? 0 : -1;
#else
    (void)bytes;
    return -1;
#endif
}
