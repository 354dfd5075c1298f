#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# community-id.sh - every connection's community_id (Community ID v1, seed 0)
# equals the one tshark's Community ID dissector computes, on the captures in
# captures/ and, when present, ../shared/captures/public.  The spec's own
# test vectors are in tests/test_join.c.  Skipped (77) without tshark or
# python3, or when tshark has no Community ID dissector (before 3.4).
: "${SYNFIN:?}" "${SRCDIR:?}"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
command -v tshark >/dev/null 2>&1 && command -v mergecap >/dev/null 2>&1 || { echo "SKIP: tshark or mergecap not found (apt-get install -y tshark)"; exit 77; }
tshark -G protocols 2>/dev/null | grep -q '	communityid$' ||
    { echo "SKIP: this tshark has no Community ID dissector"; exit 77; }
set --
for f in "$SRCDIR"/captures/*.pcap "$SRCDIR"/captures/*.pcapng "$SRCDIR"/captures/tls/*.pcap \
         "$SRCDIR"/../shared/captures/public/*.pcap "$SRCDIR"/../shared/captures/public/*.pcapng; do
    [ -f "$f" ] && set -- "$@" "$f"
done
exec python3 "$SRCDIR/tests/community_id.py" "$SYNFIN" "$@"
