#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# keys.sh - the JSON keys other tools join on (tests/keys.py) on every
# capture in captures/, and --version naming the libraries synfin runs with.
: "${SYNFIN:?}" "${SRCDIR:?}"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
fail=0
v=$("$SYNFIN" --version) || fail=1
for want in "^synfin [0-9]" "^libpcap version " "^GnuTLS [0-9]" "^ncurses "; do
    printf '%s\n' "$v" | grep -q "$want" || { echo "FAIL: --version lacks a line matching '$want':"; printf '%s\n' "$v"; fail=1; }
done
[ $fail = 0 ] && echo "ok   --version: $(printf '%s' "$v" | tr '\n' ';')"
set --
for f in "$SRCDIR"/captures/*.pcap "$SRCDIR"/captures/*.pcapng "$SRCDIR"/captures/tls/*.pcap; do
    [ -f "$f" ] && set -- "$@" "$f"
done
python3 "$SRCDIR/tests/keys.py" "$SYNFIN" "$SRCDIR/captures/tls/certs/ca.pem" "$@" || fail=1
exit $fail
