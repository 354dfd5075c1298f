#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# schema.sh - every golden JSON output (tests/expected/*.jsonl, with the
# *.events.jsonl and *.decrypted.jsonl ones), an --time-format iso run, and,
# when ../shared/captures is present, synfin --json --events on each of its
# captures, validate against schema/synfin.schema.json (tests/schema.py).
# Skipped (77) without python3 or python3-jsonschema.
: "${SYNFIN:?}" "${SRCDIR:?}"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$SYNFIN" -q --json --time-format iso --ca-file "$SRCDIR/captures/tls/certs/ca.pem" \
    "$SRCDIR/captures/tls/tls13-full.pcap" >"$tmp/iso.jsonl" || { echo "FAIL: synfin --time-format iso"; exit 1; }
i=0
for f in "$SRCDIR"/../shared/captures/public/*.pcap* "$SRCDIR"/../shared/captures/more/*.pcap*; do
    [ -f "$f" ] || continue
    i=$((i + 1))
    keys=${f%.*}.keys
    if [ -f "$keys" ]; then set -- --keylog "$keys"; else set --; fi
    "$SYNFIN" -q --json --events "$@" "$f" >"$tmp/shared-$i.jsonl" 2>"$tmp/err" # damaged captures exit 3 after their lines
    if grep -qE 'runtime error:|Sanitizer' "$tmp/err"; then echo "FAIL: $f: sanitizer report"; cat "$tmp/err"; exit 1; fi
done
exec python3 "$SRCDIR/tests/schema.py" "$SRCDIR/schema/synfin.schema.json" "$SRCDIR"/tests/expected/*.jsonl "$tmp"/*.jsonl
