#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# redteam-files.sh - the capture files ../shared/redteam/genfiles.py writes
# (mixed link types, snaplens, sections, byte orders, a corrupt record mid-file,
# gzip, secrets blocks, unknown blocks ...): each must be read whole, or with
# the warning synfin(1) documents and its exit status.  Conformance-style:
# skipped (77) when ../shared is not beside the repository.
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
gen="$SRCDIR/../shared/redteam/genfiles.py"
[ -f "$gen" ] || { echo "SKIP: $gen not found (../shared beside the repository)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
REDTEAM_OUT="$tmp" python3 "$gen" >/dev/null || { echo "FAIL: genfiles.py"; exit 1; }

# file  exit-status  connections  stderr (a regular expression; - : nothing on stderr)
expected='
absurd-lt.pcap               1 0 unsupported link type 65535
absurd-snap-neg.pcap         0 1 -
absurd-snap.pcap             0 1 -
be.pcap                      0 1 -
bigrec-mid-bigsnap.pcap      3 2 damaged: 300016 bytes skipped to the next plausible record
bigrec-mid.pcap              3 2 damaged: 300016 bytes skipped to the next plausible record
caplen-2g.pcap               3 1 damaged: 116 bytes skipped to the end of the file
caplen-gt-wire.pcap          0 1 8 records captured more bytes than their original length
cat2.pcap                    0 2 -
good.pcap                    0 2 -
good.pcap.gz                 0 2 -
hdronly-snap0.pcap           0 0 -
hdronly.pcap                 0 0 -
lastcut-hdr.pcap             3 3 truncated: the file ends inside a record \(8 bytes
lastcut.pcap                 3 3 truncated: the file ends inside a record \(60 bytes
lt-65000.pcap                1 0 unsupported link type 65000
ng-2if-lt.pcapng             0 2 -
ng-2if-snap.pcapng           0 2 2 packets with an IPv4 total length beyond the frame
ng-2if-user0.pcapng          0 1 interface #1: link type .*147.* not supported: 8 packets skipped
ng-2sections-endian.pcapng   0 2 -
ng-2sections-lt.pcapng       0 2 -
ng-2sections.pcapng          0 2 -
ng-badif.pcapng              0 2 1 packets name an interface the file does not describe
ng-be.pcapng                 0 1 -
ng-dsb.pcapng                0 1 -
ng-spb.pcapng                0 1 -
ng-tsresol.pcapng            0 1 8 timestamps lie beyond 146 years from 1970
ng-unknown.pcapng            0 1 2 blocks of unknown types
zero.pcap                    1 0 not a readable capture file \(not pcap or pcapng: an empty file\)
'
fail=0 n=0
for path in "$tmp"/f/*; do
    f=$(basename "$path")
    n=$((n + 1))
    "$SYNFIN" --json -r "$path" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    conns=$(grep -c '^{"id"' "$tmp/out")
    if grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' "$tmp/err" || [ $rc -ge 128 ]; then
        echo "FAIL $f: crashed or a sanitizer report (exit $rc)"; sed 's/^/    /' "$tmp/err" | head -20; fail=$((fail + 1)); continue
    fi
    line=$(printf '%s\n' "$expected" | awk -v f="$f" '$1 == f')
    if [ -z "$line" ]; then
        echo "ok   $f: exit $rc, $conns connections (a file this test does not know yet: read without a crash)"
        continue
    fi
    read -r _ want_rc want_conns want_err <<<"$line"
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" != "$want_rc" ] || [ "$conns" != "$want_conns" ]; then
        echo "FAIL $f: exit $rc with $conns connections, expected exit $want_rc with $want_conns"
        sed 's/^/    /' "$tmp/err"; fail=$((fail + 1))
    elif [ "$want_err" = - ] && [ "$lines" != 0 ]; then
        echo "FAIL $f: expected no message"; sed 's/^/    /' "$tmp/err"; fail=$((fail + 1))
    elif [ "$want_err" != - ] && { [ "$lines" != 1 ] || ! grep -qE -- "^synfin: .*$want_err" "$tmp/err"; }; then
        echo "FAIL $f: expected one line matching /$want_err/"; sed 's/^/    /' "$tmp/err"; fail=$((fail + 1))
    else
        echo "ok   $f: exit $rc, $conns connections${want_err:+, $(head -c 90 "$tmp/err")}"
    fi
done
echo "$((n - fail))/$n redteam capture files read as documented"
[ $fail = 0 ]
