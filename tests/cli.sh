#!/usr/bin/env bash
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
    if grep -qE 'AddressSanitizer|runtime error:' "$tmp/err"; then
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
