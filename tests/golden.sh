#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# golden.sh - every capture under captures/ against its expected analysis in
# tests/expected/: NAME.jsonl (--json), and where present NAME.ladder
# (--ladder --ascii), NAME.summary (the default table) and NAME.events.jsonl
# (--json --events: every packet's row as data).  NAME is the path
# under captures/ with "/" as "__" (tls__tls13-full); certificates are judged
# against the recordings' test CA (captures/tls/certs/ca.pem).  NAME.exit holds
# the expected exit status when it is not 0.  `golden.sh --update` rewrites
# the files from the current binary: review that diff before committing it.
set -u
unset COLUMNS # the ladder is 80 columns wide here, whatever the terminal running the tests says
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
exp="$SRCDIR/tests/expected"
update=0
[ "${1:-}" = "--update" ] && update=1
mkdir -p "$exp"
fail=0 n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

check() { # name kind file args...
    local name=$1 kind=$2 file=$3; shift 3
    local want="$exp/$name.$kind" got="$tmp/$name.$kind" rc
    if [ $update = 0 ] && [ ! -f "$want" ] && [ "$kind" != jsonl ] && [ "$kind" != decrypted.jsonl ]; then return; fi
    LC_ALL=C "$SYNFIN" -q --ca-file "$ca" "$@" -r "$file" >"$got" 2>"$tmp/err"; rc=$?
    n=$((n + 1))
    if [ $update = 1 ]; then
        cp "$got" "$want"
        if [ "$kind" = jsonl ]; then
            if [ $rc -ne 0 ]; then echo $rc >"$exp/$name.exit"; else rm -f "$exp/$name.exit"; fi
        fi
        return
    fi
    local want_rc=0
    [ "$kind" = jsonl ] && [ -f "$exp/$name.exit" ] && want_rc=$(cat "$exp/$name.exit")
    [ "$kind" != jsonl ] && want_rc=$rc
    if ! diff -u "$want" "$got" >"$tmp/diff"; then
        echo "FAIL $name.$kind: output differs"; head -40 "$tmp/diff"; fail=$((fail + 1))
    elif [ "$rc" != "$want_rc" ]; then
        echo "FAIL $name.$kind: exit status $rc, expected $want_rc"; cat "$tmp/err"; fail=$((fail + 1))
    elif grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' "$tmp/err"; then
        echo "FAIL $name.$kind: sanitizer report"; cat "$tmp/err"; fail=$((fail + 1))
    else
        echo "ok   $name.$kind"
    fi
}

ca="$SRCDIR/captures/tls/certs/ca.pem"
while IFS= read -r f; do
    rel=${f#"$SRCDIR"/captures/}
    name=${rel%.*}; name=${name//\//__}
    check "$name" jsonl "$f" --json
    check "$name" ladder "$f" --ladder --ascii
    check "$name" summary "$f" --summary
    check "$name" events.jsonl "$f" --json --events
    keys=${f%.*}.keys
    if [ -f "$keys" ]; then # read with its key log too: what decryption reveals
        check "$name" decrypted.jsonl "$f" --json --keylog "$keys"
        check "$name" decrypted.ladder "$f" --ladder --ascii --keylog "$keys"
    fi
done < <(find "$SRCDIR/captures" -name '*.pcap' -o -name '*.pcapng' | LC_ALL=C sort)
[ $update = 1 ] && { echo "updated $n files in $exp"; exit 0; }
echo "$((n - fail))/$n golden outputs match"
[ $fail = 0 ]
