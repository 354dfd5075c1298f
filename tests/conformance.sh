#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Conformance against the capture corpora beside the repository: compares
# synfin --json with the tshark oracles of ../shared/captures/public and
# ../shared/captures/more (each folder's tshark-oracle.tsv).
# Run by `make check` with SYNFIN (the binary) and SRCDIR (repo top) set.
# Exit 77 (automake SKIP) when neither corpus is there (SYNFIN_CORPUS, a
# space-separated list of folders, overrides where they are looked for;
# extra arguments go to conformance.py, e.g. -v to list allowed
# differences, or capture names).
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
SYNFIN=${SYNFIN:-$SRCDIR/build/src/synfin}
CORPORA=${SYNFIN_CORPUS:-"$SRCDIR/../shared/captures/public $SRCDIR/../shared/captures/more"}

args=()
for c in $CORPORA; do
	[ -f "$c/tshark-oracle.tsv" ] && args+=(--corpus "$c")
done
if [ ${#args[@]} -eq 0 ]; then
	echo "SKIP: ../shared/captures/public and ../shared/captures/more not present"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 not found"
	exit 77
fi
exec python3 "$SRCDIR/tests/conformance.py" --synfin "$SYNFIN" "${args[@]}" \
	--known "$SRCDIR/tests/conformance-known.tsv" "$@"
