#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# make-seeds.sh OUTDIR - seed corpora for the fuzz targets, made from the
# repository's own test material (nothing is committed but this script and
# seedgen.py; the seeds are rebuilt into the build directory):
#   capture  captures/*.pcap*, captures/tls/**/*.pcap (whole files up to 64 KiB)
#   capfile  the same with fuzz_capfile's flags byte, and pcapng structures they lack
#   decode   the first frames of each capture, alone and the first eight together, with fuzz_decode's link selector
#   tcp      every connection of the captures as fuzz_tcp records
#   tls      the two byte streams of every TLS connection, as fuzz_tls chunks
#   http     the same for HTTP connections
#   cleartext the same for connections a clear-text module would read (SMTP, IMAP, ..., SOCKS), and
#            an accepted and a refused upgrade for each module
#   x509     chains of tests/certs/*.der with hostnames, as fuzz_x509 inputs
#   keylog   captures/tls/**/*.keys
# plus a few hand-made cases.  When ../shared/captures/public exists beside
# the repository (the conformance captures), its files are used too.
# Streams are extracted by seedgen.py (python3 standard library: no tshark).
set -euo pipefail
out=${1:?usage: make-seeds.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
extra=()
[ -d "$top/../shared/captures/public" ] && extra+=("$top/../shared/captures/public")
rm -rf "$out"
mkdir -p "$out"
python3 "$here/seedgen.py" "$out" "$top" "${extra[@]}"
for d in "$out"/*/; do
    printf '  %-8s %4d seeds, %s\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)" "$(du -sh "$d" | cut -f1)"
done
