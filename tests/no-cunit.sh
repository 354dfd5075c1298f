#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# no-cunit.sh - stands in for the unit tests (tests/test_*) when configure
# found no CUnit: a visible skip, not a silent absence.
echo "SKIP: the unit tests need CUnit, which configure did not find (Debian: apt-get install -y libcunit1-dev, then ../configure again)"
exit 77
