/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_hugeheap.c - hugeheap_reserve: after it, the heap blocks the
 * connections are made of lie in memory advised for huge pages (the 'hg'
 * flag of their mapping in /proc/self/smaps), and the heap still works.
 * Skipped where the kernel has no transparent huge pages, and under
 * AddressSanitizer (its allocator is not glibc's heap).
 */
#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hugeheap.h"
#include "unit.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* The kernel offers transparent huge pages at least on request. */
static int thp_offered(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return 0;
    char line[128] = "";
    int ok = fgets(line, sizeof line, f) && !strstr(line, "[never]");
    fclose(f);
    return ok;
}

/* The VmFlags of the mapping that holds `p`, or "" when it is not found. */
static void flags_of(const void *p, char *out, size_t len)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return;
    char line[512];
    int inside = 0;
    uintptr_t a = (uintptr_t)p;
    while (fgets(line, sizeof line, f)) {
        uintptr_t lo, hi;
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = a >= lo && a < hi;
            continue;
        }
        if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            snprintf(out, len, "%s", line + 8);
            break;
        }
    }
    fclose(f);
}

static void test_blocks_on_huge_pages(void)
{
#ifdef UNDER_ASAN
    CU_PASS("AddressSanitizer's allocator: not glibc's heap");
    return;
#else
    if (!thp_offered()) {
        CU_PASS("no transparent huge pages here");
        return;
    }
    CU_ASSERT_EQUAL_FATAL(hugeheap_reserve((size_t)8 << 20), 0);
    /* connection-sized blocks, and a flow table's worth: all from the advised memory */
    size_t sizes[] = {256, 700, 4608, (size_t)256 << 10};
    for (size_t i = 0; i < UNIT_COUNT(sizes); i++) {
        char *b = malloc(sizes[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        memset(b, 0x5a, sizes[i]);
        char flags[512];
        flags_of(b, flags, sizeof flags);
        if (!strstr(flags, " hg"))
            fprintf(stderr, "\n  a block of %zu bytes in a mapping with flags:%s", sizes[i], flags);
        CU_ASSERT_PTR_NOT_NULL(strstr(flags, " hg"));
        free(b);
    }
#endif
}

int main(void)
{
    static const struct unit_case tests[] = {
        {"heap blocks lie in memory advised for huge pages", test_blocks_on_huge_pages},
    };
    return unit_run("hugeheap", NULL, NULL, tests, UNIT_COUNT(tests));
}
