#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# cli.sh - the command line as a user meets it: options, filters, -c, -w,
# and every kind of bad input answered by one line on stderr naming the
# file, with the documented exit status (synfin(1), EXIT STATUS).
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
cap="$SRCDIR/captures"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

# expect NAME WANT_RC STDERR_REGEX -- ARGS...: run synfin, check status and message
expect() {
    local name=$1 want=$2 re=$3; shift 4
    n=$((n + 1))
    "$SYNFIN" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL $name: exit $rc, expected $want"; sed 's/^/    /' "$tmp/err"; fail=$((fail + 1)); return 1
    fi
    if grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' "$tmp/err"; then
        echo "FAIL $name: sanitizer report"; cat "$tmp/err"; fail=$((fail + 1)); return 1
    fi
    if [ -n "$re" ] && ! grep -qE -- "$re" "$tmp/err"; then
        echo "FAIL $name: stderr does not match /$re/"; sed 's/^/    /' "$tmp/err"; fail=$((fail + 1)); return 1
    fi
    echo "ok   $name"
}
# out_has NAME REGEX: the last run's stdout matches
out_has() {
    n=$((n + 1))
    if grep -qE -- "$2" "$tmp/out"; then echo "ok   $1"; else echo "FAIL $1: stdout lacks /$2/"; head -5 "$tmp/out"; fail=$((fail + 1)); fi
}
out_lines() { # NAME COUNT: stdout has exactly COUNT lines
    n=$((n + 1))
    local got; got=$(wc -l <"$tmp/out")
    if [ "$got" = "$2" ]; then echo "ok   $1"; else echo "FAIL $1: $got lines, expected $2"; fail=$((fail + 1)); fi
}

# --- good input
expect help 0 '' -- --help
out_has help-lists-ladder '--ladder'
expect version 0 '' -- --version
out_has version-text '^synfin [0-9]'
expect positional-file 0 '' -- --json "$cap/http-client-close.pcap"
out_lines positional-one-conn 1
expect filter-match 0 '' -- --json -r "$cap/http-client-close.pcap" 'tcp port 8080'
out_lines filter-match-one 1
expect filter-nomatch 0 '' -- --json -r "$cap/http-client-close.pcap" 'tcp port 9999'
out_lines filter-nomatch-none 0
expect count-3 0 '' -- --json -c 3 -r "$cap/http-client-close.pcap"
out_has count-3-packets '"packets":3,'
expect ladder-id 0 '' -- --ladder 1 --ascii -r "$cap/refused.pcap"
out_has ladder-id-rst 'RST\+ACK'
expect ladder-id-eq 0 '' -- --ladder=1 --ascii -r "$cap/refused.pcap"
out_has ladder-id-eq-rst 'RST\+ACK'
expect ladder-missing-id 2 'refused.pcap: no connection 7' -- --ladder=7 -r "$cap/refused.pcap"
expect write-copy 0 '' -- --json -r "$cap/http-keepalive-2req.pcap" -w "$tmp/copy.pcap"
expect write-copy-readback 0 '' -- --json -r "$tmp/copy.pcap"
out_has write-copy-same '"packets":12,'
expect utf8-ladder 0 '' -- --ladder -r "$cap/refused.pcap"

# --- standard input: `tcpdump -w - | synfin -r -` says what the file would
for f in four-way-close.pcap nanosecond.pcap pcapng-two-interfaces.pcapng; do
    n=$((n + 1))
    "$SYNFIN" --json -r - <"$cap/$f" >"$tmp/stdin.out" 2>"$tmp/err"; rc=$?
    "$SYNFIN" --json -r "$cap/$f" >"$tmp/file.out" 2>/dev/null
    if [ $rc = 0 ] && [ -s "$tmp/stdin.out" ] && cmp -s "$tmp/stdin.out" "$tmp/file.out"; then
        echo "ok   stdin-$f"
    else
        echo "FAIL stdin-$f: exit $rc, or its JSON differs from reading the file"; cat "$tmp/err"; fail=$((fail + 1))
    fi
done
printf 'not a capture' >"$tmp/garbage"
expect stdin-garbage 1 '^synfin: -: not a readable capture file' -- -r - <"$tmp/garbage"
head -c 30 "$cap/four-way-close.pcap" >"$tmp/cut30.pcap"
expect stdin-cut 3 '^synfin: -: truncated' -- --json -r - <"$tmp/cut30.pcap"
expect stdin-empty 1 '^synfin: -: not a readable capture file' -- -r - </dev/null

# --- bad options
expect unknown-option 2 'unknown' -- --frobnicate -r "$cap/refused.pcap"
expect missing-arg 2 'needs an argument' -- -r
expect bad-count 2 "invalid packet count 'x'" -- -c x -r "$cap/refused.pcap"
expect zero-count 2 "invalid packet count '0'" -- -c 0 -r "$cap/refused.pcap"
expect bad-cap 2 "invalid byte count" -- --reassembly-cap lots -r "$cap/refused.pcap"
expect bad-ladder-id 2 "invalid connection id" -- --ladder=abc -r "$cap/refused.pcap"
expect both-sources 2 'cannot be used together' -- -r "$cap/refused.pcap" -i lo
# options that contradict each other: exit 2 naming both, nothing on stdout, before any work
# (a FIFO as the input would block the run if it were opened first)
mkfifo "$tmp/fifo"
conflict() { # NAME REGEX ARGS...: refused with exit 2 within 5 s, stdout empty
    local name=$1 re=$2; shift 2
    expect "$name" 2 "$re" -- "$@" && out_lines "$name-no-output" 0
}
conflict conflict-json-ladder '^synfin: --json and --ladder cannot be used together$' --json --ladder -r "$cap/refused.pcap"
conflict conflict-ladder5-json '^synfin: --ladder=5 and --json cannot be used together$' --ladder=5 --json -r "$cap/refused.pcap"
conflict conflict-ladder-bare-id '^synfin: --ladder=1 and --summary cannot be used together$' --ladder 1 --summary -r "$cap/refused.pcap"
conflict conflict-summary-json '^synfin: --summary and --json cannot be used together$' --summary --json -r "$cap/refused.pcap"
conflict conflict-two-ladders '^synfin: --ladder=1 and --ladder=2 cannot be used together$' --ladder=1 --ladder=2 -r "$cap/refused.pcap"
conflict conflict-ladder-all-one '^synfin: --ladder and --ladder=1 cannot be used together$' --ladder --ladder=1 -r "$cap/refused.pcap"
conflict conflict-json-ascii '^synfin: --json and --ascii cannot be used together$' --ascii --json -r "$cap/refused.pcap"
conflict conflict-cafile-noverify '^synfin: --ca-file and --no-verify cannot be used together$' --no-verify --ca-file "$SRCDIR/tests/certs/ca.pem" -r "$cap/refused.pcap"
conflict conflict-tcponly-keylog '^synfin: --tcp-only and --keylog cannot be used together$' --tcp-only --keylog /dev/null -r "$cap/refused.pcap"
conflict conflict-tcponly-cafile '^synfin: --tcp-only and --ca-file cannot be used together$' --tcp-only --ca-file "$SRCDIR/tests/certs/ca.pem" -r "$cap/refused.pcap"
n=$((n + 1))
timeout 5 "$SYNFIN" --json --ladder "$tmp/fifo" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc = 2 ] && grep -q 'cannot be used together' "$tmp/err"; then
    echo "ok   conflict-before-opening-input"
else
    echo "FAIL conflict-before-opening-input: exit $rc (124: it waited on the FIFO)"; cat "$tmp/err"; fail=$((fail + 1))
fi
# the flow table's key: SYNFIN_HASH_KEY fixes it (32 hex digits), anything else is a usage error
n=$((n + 1))
SYNFIN_HASH_KEY=nothex "$SYNFIN" --json -r "$cap/refused.pcap" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc = 2 ] && grep -q '^synfin: SYNFIN_HASH_KEY must be 32 hex digits' "$tmp/err" && [ ! -s "$tmp/out" ]; then
    echo "ok   hash-key-invalid"
else
    echo "FAIL hash-key-invalid: exit $rc"; cat "$tmp/err"; fail=$((fail + 1))
fi
n=$((n + 1))
SYNFIN_HASH_KEY=00112233445566778899aabbccddeeff "$SYNFIN" --json -r "$cap/http-keepalive-2req.pcap" >"$tmp/k1" 2>&1
SYNFIN_HASH_KEY=ffeeddccbbaa99887766554433221100 "$SYNFIN" --json -r "$cap/http-keepalive-2req.pcap" >"$tmp/k2" 2>&1
"$SYNFIN" --json -r "$cap/http-keepalive-2req.pcap" >"$tmp/k3" 2>&1
if [ -s "$tmp/k1" ] && cmp -s "$tmp/k1" "$tmp/k2" && cmp -s "$tmp/k1" "$tmp/k3"; then
    echo "ok   hash-key-output-independent"
else
    echo "FAIL hash-key-output-independent: the output depends on the hash key"; fail=$((fail + 1))
fi
# key logs that are not files: refused at once (never read forever, never waited on)
mkfifo "$tmp/keys.fifo"
for keys in /dev/zero "$tmp/keys.fifo"; do
    n=$((n + 1))
    timeout 10 "$SYNFIN" --json --keylog "$keys" -r "$cap/refused.pcap" >"$tmp/out" 2>"$tmp/err"; rc=$?
    if [ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
        grep -qE "^synfin: cannot read key log $keys: not a regular file \((a character device|a FIFO or pipe)\)" "$tmp/err"; then
        echo "ok   keylog-not-a-file ($keys)"
    else
        echo "FAIL keylog-not-a-file ($keys): exit $rc (124: it hung)"; cat "$tmp/err"; fail=$((fail + 1))
    fi
done
for env_keys in /dev/zero "$tmp/keys.fifo"; do
    n=$((n + 1))
    SSLKEYLOGFILE=$env_keys timeout 10 "$SYNFIN" --json -r "$cap/refused.pcap" >"$tmp/out" 2>"$tmp/err"; rc=$?
    if [ $rc = 0 ] && [ "$(wc -l <"$tmp/out")" = 1 ] && grep -q 'warning: cannot read key log .*not a regular file' "$tmp/err"; then
        echo "ok   sslkeylogfile-not-a-file ($env_keys)"
    else
        echo "FAIL sslkeylogfile-not-a-file ($env_keys): exit $rc (124: it hung)"; cat "$tmp/err"; fail=$((fail + 1))
    fi
done
# a key log of malformed lines: the first 10 reported, then one count
for i in $(seq 1 3000); do echo "CLIENT_RANDOM bad $i"; done >"$tmp/garbage.keys"
expect keylog-warnings-capped 0 'garbage.keys: 2990 more malformed lines skipped' -- \
    --json --keylog "$tmp/garbage.keys" -r "$cap/refused.pcap"
n=$((n + 1))
if [ "$(grep -c 'garbage.keys' "$tmp/err")" = 11 ]; then echo "ok   keylog-warnings-11-lines"
else echo "FAIL keylog-warnings-11-lines: $(grep -c 'garbage.keys' "$tmp/err") lines about the key log"; fail=$((fail + 1)); fi
# the same option twice, or options that agree, are not contradictions
expect same-mode-twice 0 '' -- --json --json -r "$cap/refused.pcap"
expect same-ladder-twice 0 '' -- --ladder=1 --ladder 1 --ascii -r "$cap/refused.pcap"
expect no-source 2 'nothing to read' --
expect bad-filter 2 "bad filter expression 'tcp port banana'" -- -r "$cap/refused.pcap" tcp port banana

# --- bad input files
expect missing-file 1 "nope.pcap: No such file or directory" -- -r "$tmp/nope.pcap"
printf 'this is not a capture file\n' >"$tmp/text.pcap"
expect text-file 1 "text.pcap: not a readable capture file" -- -r "$tmp/text.pcap"
: >"$tmp/empty.pcap"
expect empty-file 1 "empty.pcap: not a readable capture file" -- -r "$tmp/empty.pcap"
mkdir "$tmp/nocaps" && printf 'notes\n' >"$tmp/nocaps/README"
expect directory-without-captures 1 "nocaps: no capture files in this directory" -- -r "$tmp/nocaps"
if [ "$(id -u)" != 0 ]; then
    cp "$cap/refused.pcap" "$tmp/locked.pcap"; chmod 000 "$tmp/locked.pcap"
    expect unreadable-file 1 "locked.pcap: Permission denied" -- -r "$tmp/locked.pcap"
fi
# a pcap header with link type 147 (DLT_USER0), then one 4-byte record
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x93\x00\x00\x00' >"$tmp/user0.pcap"
printf '\x01\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x04\x00\x00\x00abcd' >>"$tmp/user0.pcap"
expect unsupported-link 1 "user0.pcap: unsupported link type (.* \()?147" -- -r "$tmp/user0.pcap"
# a file cut in the middle of a record: what came before is still reported
size=$(stat -c %s "$cap/http-client-close.pcap")
head -c $((size - 20)) "$cap/http-client-close.pcap" >"$tmp/cut.pcap"
expect cut-file 3 "cut.pcap: .*truncated" -- --json -r "$tmp/cut.pcap"
out_has cut-file-still-reported '"packets":9,'

# --- live capture: errors (the working path is in live.sh)
expect no-such-iface 1 "synfin-nonexistent0: " -- -i synfin-nonexistent0
# a key log given with a bad CA file: one line about the CA file, and (under LeakSanitizer) no leak
printf 'CLIENT_RANDOM %s %s\n' "$(printf '%064d' 0)" "$(printf '%096d' 0)" >"$tmp/k.keys"
expect keylog-bad-ca 1 "nonexistent-ca.pem" -- --keylog "$tmp/k.keys" --ca-file "$tmp/nonexistent-ca.pem" -r "$cap/refused.pcap"
expect events-needs-json 2 "--events goes with --json" -- --events --ladder -r "$cap/refused.pcap"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    n=$((n + 1))
    setpriv --reuid=65534 --regid=65534 --clear-groups "$SYNFIN" -i lo >"$tmp/out" 2>"$tmp/err"; rc=$?
    if [ $rc = 1 ] && grep -qE '^synfin: lo: .*(permission|Permission|CAP_NET_RAW)' "$tmp/err"; then
        echo "ok   live-unprivileged"
    else
        echo "FAIL live-unprivileged: exit $rc"; cat "$tmp/err"; fail=$((fail + 1))
    fi
fi

if [ "$(id -u)" = 0 ]; then
    expect live-unknown-user 1 "no such user" -- -i lo -c 1 -Z synfin-no-such-user
fi

# every error above is one line
echo "$((n - fail))/$n cli checks pass"
[ $fail = 0 ]
