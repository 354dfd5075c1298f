#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Every source file under src/ and fuzz/ is named in Makefile.am, so `make dist`
# ships it: a header only #included is otherwise missing from the tarball and
# `make distcheck` (CI) fails far from the change that caused it.
SRCDIR=${SRCDIR:-$(dirname "$0")/..}
cd "$SRCDIR" || exit 99
missing=0
for f in $(find src fuzz -name '*.[ch]' | sort); do
	if ! grep -q "$f" Makefile.am; then
		echo "sources: $f is not named in Makefile.am (add it to a _SOURCES or EXTRA_DIST)"
		missing=$((missing + 1))
	fi
done
# and each carries its one-line licence header (LICENSE: BSD-2-Clause)
for f in $(find src fuzz tests captures contrib docs .ci -type f \( -name '*.[ch]' -o -name '*.sh' -o -name '*.py' -o -name '*.sql' -o -name run \) 2>/dev/null | sort) configure.ac Makefile.am; do
	if ! head -3 "$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause'; then
		echo "sources: $f has no SPDX-License-Identifier line in its first three"
		missing=$((missing + 1))
	fi
done
[ "$missing" -eq 0 ] || exit 1
echo "sources: every file under src/ and fuzz/ is in Makefile.am, every source file has its licence line"
