/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hugeheap.h - ask for the heap's next `bytes` on transparent huge pages
 * (see hugeheap.c for why).  Called once, early in main; -1 when the
 * allocator or the kernel will not (the program runs the same, on small
 * pages).
 */
#ifndef SYNFIN_HUGEHEAP_H
#define SYNFIN_HUGEHEAP_H

#include <stddef.h>

int hugeheap_reserve(size_t bytes);

#endif
