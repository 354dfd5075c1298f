#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# shard.sh - --shard K/N: N processes over the same captures split the
# connections exactly (tests/shard.py), on captures/ and, when present,
# ../shared/captures/public.  Skipped (77) without python3.
: "${SYNFIN:?}" "${SRCDIR:?}"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
set --
for f in "$SRCDIR"/captures/*.pcap "$SRCDIR"/captures/*.pcapng "$SRCDIR"/captures/tls/*.pcap \
         "$SRCDIR"/../shared/captures/public/*.pcap "$SRCDIR"/../shared/captures/public/*.pcapng; do
    [ -f "$f" ] && set -- "$@" "$f"
done
exec python3 "$SRCDIR/tests/shard.py" "$SYNFIN" "$SRCDIR/captures/tls/certs/ca.pem" "$@"
