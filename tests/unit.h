/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit.h: the CUnit driver shared by the unit tests (tests/test_*.c).
 *
 * It owns registering a file's suites and tests, running them with the basic
 * interface in verbose mode, and the exit status every test binary returns:
 *   0  every test passed;
 *   1  an assertion failed, or a suite's init or cleanup function failed;
 *   2  CUnit itself failed (registry, suite or test not added, run error).
 * Anything a file does before or after the run (setlocale, fixtures built
 * once, reading files under SRCDIR) stays in that file's main().
 */
#ifndef SYNFIN_TESTS_UNIT_H
#define SYNFIN_TESTS_UNIT_H

#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdio.h>

#define UNIT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct unit_case {
    const char *name;
    CU_TestFunc fn;
};

struct unit_suite {
    const char *name;
    CU_InitializeFunc init; /* may be NULL */
    CU_CleanupFunc clean;   /* may be NULL */
    const struct unit_case *cases;
    size_t n;
};

/* CUnit itself failed: say why, drop the registry, exit status 2. */
static inline int unit_error(void)
{
    fprintf(stderr, "unit: CUnit error %d: %s\n", (int)CU_get_error(), CU_get_error_msg());
    CU_cleanup_registry();
    return 2;
}

/* Register the suites and their tests in order, run them all; the exit status above. */
static inline int unit_run_suites(const struct unit_suite *suites, size_t nsuites)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return unit_error();
    for (size_t i = 0; i < nsuites; i++) {
        CU_pSuite s = CU_add_suite(suites[i].name, suites[i].init, suites[i].clean);
        if (!s)
            return unit_error();
        for (size_t j = 0; j < suites[i].n; j++)
            if (!CU_add_test(s, suites[i].cases[j].name, suites[i].cases[j].fn))
                return unit_error();
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    /* A failed suite init or cleanup is reported as an error too, but it is a test failure. */
    CU_ErrorCode rc = CU_basic_run_tests();
    if (rc != CUE_SUCCESS && rc != CUE_SINIT_FAILED && rc != CUE_SCLEAN_FAILED)
        return unit_error();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}

/* The common case: one suite. */
static inline int unit_run(const char *suite, CU_InitializeFunc init, CU_CleanupFunc clean,
                           const struct unit_case *cases, size_t n)
{
    const struct unit_suite s = {suite, init, clean, cases, n};
    return unit_run_suites(&s, 1);
}

#endif
