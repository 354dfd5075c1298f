#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# where.sh - --where EXPR on the command line: the issue's examples and the
# language's parts agree with an oracle written in Python over the very
# JSON objects --json writes (every capture in captures/), the filter applies
# to --json, --summary and --ladder alike, a syntax error points at its
# column (exit 2), and -w FILE keeps exactly the selected connections'
# packets: a file's read again by offset, live ones held (as root, on lo).
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
cap="$SRCDIR/captures"
ca="$cap/tls/certs/ca.pem"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
good() { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL $1: $2"; }
py=$(command -v python3) || { echo "SKIP: python3 not found"; exit 77; }

# every capture of captures/ read as one (-r again and again): its connections as --json writes them
mapfile -t files < <(find "$cap" -name '*.pcap' -o -name '*.pcapng' | LC_ALL=C sort)
rargs=()
for f in "${files[@]}"; do rargs+=(-r "$f"); done
"$SYNFIN" -q --json --ca-file "$ca" "${rargs[@]}" >"$tmp/all.jsonl" 2>/dev/null

# agree NAME EXPR PYTHON: the ids --where EXPR keeps are the ones PYTHON holds for (j: a connection's object)
agree() {
    local name=$1 expr=$2 pyexpr=$3 want got
    got=$("$SYNFIN" -q --json --ca-file "$ca" --where "$expr" "${rargs[@]}" 2>"$tmp/err" | "$py" -c '
import json, sys
print(" ".join(str(json.loads(l)["id"]) for l in sys.stdin if l.startswith("{\"id\"")))')
    if grep -q -- '--where' "$tmp/err"; then bad "$name" "$(head -1 "$tmp/err")"; return; fi
    want=$("$py" -c '
import json, sys
ids = []
for l in open(sys.argv[2]):
    j = json.loads(l)
    if "id" not in j: continue
    try: ok = eval(sys.argv[1], {}, {"j": j})
    except (KeyError, TypeError): ok = False
    if ok: ids.append(str(j["id"]))
print(" ".join(ids))' "$pyexpr" "$tmp/all.jsonl")
    if [ "$got" != "$want" ]; then bad "$name" "--where kept '$got', the JSON says '$want'"; return; fi
    if [ -z "$got" ]; then bad "$name" "no connection of captures/ was selected: the check says nothing"; return; fi
    good "$name ($(wc -w <<<"$got") connections)"
}

# the issue's examples
agree issue-reset-443 'teardown == "reset" && server.port == 443' 'j["teardown"] == "reset" and j["server_port"] == 443'
agree issue-rtt 'handshake_rtt_ms > 100' 'j["handshake_rtt_ms"] is not None and j["handshake_rtt_ms"] > 100'
agree rtt-10 'handshake_rtt_ms > 10' 'j["handshake_rtt_ms"] is not None and j["handshake_rtt_ms"] > 10'
agree issue-cert 'tls.cert_verify != "ok"' 'j["tls"]["cert_verify"] is not None and j["tls"]["cert_verify"] != "ok"'
agree issue-retrans 'analysis.retransmissions > 0 && !(teardown == "four-way")' \
    'j["analysis"]["retransmissions"] > 0 and not j["teardown"] == "four-way"'
# the language's parts
agree units-time 'duration < 5ms && handshake_rtt_ms >= 0.01ms' \
    'j["duration"] < 0.005 and j["handshake_rtt_ms"] is not None and j["handshake_rtt_ms"] >= 0.01'
agree units-bytes 'bytes_s2c >= 2KB || bytes_c2s > 1KiB' 'j["bytes_s2c"] >= 2000 or j["bytes_c2s"] > 1024'
agree port-shorthand 'port 8080 || port 443' '8080 in (j["client_port"], j["server_port"]) or 443 in (j["client_port"], j["server_port"])'
agree host-shorthand 'host 10.99.1.1 && !host 10.99.0.2' '"10.99.1.1" in (j["client_ip"], j["server_ip"]) and "10.99.0.2" not in (j["client_ip"], j["server_ip"])'
agree regex 'tls.sni ~ "^www\\.synfin\\." && tls.version ~ "1\\.[23]$"' \
    '__import__("re").search(r"^www\.synfin\.", j["tls"]["sni"] or "") and __import__("re").search(r"1\.[23]$", j["tls"]["version"] or "")'
agree arrays 'tls.client_hello.groups == "x448" && tls.client_hello.alpn[0] == "http/1.1"' '"x448" in j["tls"]["client_hello"]["groups"] and j["tls"]["client_hello"]["alpn"][:1] == ["http/1.1"]'
agree nested-or '(handshake == "rejected" || handshake == "syn-only") && client.ip ~ "^10\\."' \
    'j["handshake"] in ("rejected", "syn-only") and j["client_ip"].startswith("10.")'
agree null 'tls.alert != null' 'j["tls"]["alert"] is not None'
agree words 'not (app == "tls" or app == "http") and packets >= 4' 'j["app"] not in ("tls", "http") and j["packets"] >= 4'

# the same filter on every output
f="$cap/tls/tls12-sessionid-resume.pcap"
sum=$("$SYNFIN" -q --summary --where 'tls.handshake == "resumed"' -r "$f")
if grep -q '^1 connection, ' <<<"$sum" && grep -q 'tls:       resumed 1$' <<<"$sum" && ! grep -qE '^ +1 10' <<<"$sum"; then
    good summary-filtered; else bad summary-filtered "the summary is not of the one resumed connection"; echo "$sum" | head; fi
lad=$("$SYNFIN" -q --ladder --where 'tls.handshake == "resumed"' -r "$f")
if [ "$(grep -c '^connection ' <<<"$lad")" = 1 ] && grep -q '^connection 2: ' <<<"$lad"; then
    good ladder-filtered; else bad ladder-filtered "$(grep '^connection ' <<<"$lad")"; fi

# a syntax error: where it is, exit status 2, nothing read
"$SYNFIN" --json --where 'teardown == && x' -r "$cap/refused.pcap" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc = 2 ] && [ ! -s "$tmp/out" ] && [ "$(sed -n 1p "$tmp/err")" = "synfin: --where: a key, a string, a number, true, false or null was expected here (column 13)" ] &&
    [ "$(sed -n 2p "$tmp/err")" = "  teardown == && x" ] && [ "$(sed -n 3p "$tmp/err")" = "              ^" ]; then
    good syntax-error-caret; else bad syntax-error-caret "exit $rc"; cat "$tmp/err"; fi
"$SYNFIN" --json --where 'tls.sni ~ "([a-z"' -r "$cap/refused.pcap" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 2 ] && grep -q 'bad regular expression' "$tmp/err" && [ "$(sed -n 3p "$tmp/err")" = "            ^" ]; then
    good regex-error-caret; else bad regex-error-caret "exit $rc"; cat "$tmp/err"; fi

# -w with --where: the selected connections' packets, all of them, nothing else
merged="$tmp/three.pcap"
{ cat "$cap/refused.pcap"; tail -c +25 "$cap/http-client-close.pcap"; tail -c +25 "$cap/syn-unanswered.pcap"; } >"$merged"
# kept NAME FILE "PORT:PACKETS ...": synfin reads the file back as exactly these connections
kept() {
    local got
    got=$("$SYNFIN" -q --json -r "$2" 2>/dev/null | "$py" -c '
import json, sys
print(" ".join("%d:%d" % (j["server_port"], j["packets"]) for j in map(json.loads, sys.stdin) if "id" in j))')
    if [ "$got" = "$3" ]; then good "$1"; else bad "$1" "$2 holds '$got', expected '$3'"; fi
}
"$SYNFIN" -q --summary --where 'port 8080 || handshake == "syn-only"' -w "$tmp/sel.pcap" -r "$merged" >/dev/null
kept w-file-selected "$tmp/sel.pcap" "8080:10 8082:4"
"$SYNFIN" -q --summary -w "$tmp/all.pcap" -r "$merged" >/dev/null
kept w-file-without-where "$tmp/all.pcap" "8081:2 8080:10 8082:4"
# each connection's packets in the order they were captured
if command -v tcpdump >/dev/null 2>&1; then
    if cmp -s <(tcpdump -nr "$tmp/sel.pcap" 'port 8080' 2>/dev/null) <(tcpdump -nr "$merged" 'port 8080' 2>/dev/null); then
        good w-file-order; else bad w-file-order "connection 2's packets differ from the input's"; fi
fi
# a connection whose packets are spread among others', several files merged
"$SYNFIN" -q --summary --where 'tls.handshake == "resumed"' -w "$tmp/res.pcap" -r "$cap/tls/tls12-sessionid-resume.pcap" \
    -r "$cap/http-client-close.pcap" >/dev/null
kept w-merged-files "$tmp/res.pcap" "443:15"
# standard output
"$SYNFIN" -q --where 'port 8081' -w - -r "$merged" >"$tmp/stdout.pcap"
kept w-stdout "$tmp/stdout.pcap" "8081:2"
# a stream: held, not read again
cat "$merged" | "$SYNFIN" -q --summary --where 'port 8080' -w "$tmp/stream.pcap" -r - >/dev/null
kept w-stream-held "$tmp/stream.pcap" "8080:10"
# an input is never overwritten
cp "$merged" "$tmp/in.pcap"
"$SYNFIN" -q --summary --where 'port 8080' -w "$tmp/in.pcap" -r "$tmp/in.pcap" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 2 ] && grep -q 'is also an input: not overwritten' "$tmp/err" && cmp -s "$merged" "$tmp/in.pcap"; then
    good w-input-kept; else bad w-input-kept "exit $rc"; fi

# options that contradict
contra() { # NAME MESSAGE-REGEX ARGS...
    local name=$1 re=$2; shift 2
    "$SYNFIN" "$@" -r "$cap/refused.pcap" >/dev/null 2>"$tmp/err"; local rc=$?
    if [ $rc = 2 ] && grep -qE -- "$re" "$tmp/err"; then good "$name"; else bad "$name" "exit $rc: $(cat "$tmp/err")"; fi
}
contra json-color '^synfin: --json and --color cannot be used together$' --json --color=always
contra json-width '^synfin: --json and --width cannot be used together$' --json --width 100
contra svg-ascii '^synfin: --svg and --ascii cannot be used together$' --svg --ascii
contra mermaid-width '^synfin: --mermaid and --width cannot be used together$' --mermaid --width 90
contra ladder-svg '^synfin: --ladder and --svg=2 cannot be used together$' --ladder --svg=2
contra width-summary '^synfin: --width goes with --ladder or --svg$' --summary --width 100
contra width-range "^synfin: invalid width \(67 to 500 columns\) '66'$" --ladder --width 66
contra color-word "^synfin: invalid --color \(auto, always or never\) 'sometimes'$" --ladder --color=sometimes
contra where-empty "^synfin: invalid --where expression ''$" --json --where ''

# live: the verdict comes when the connection ends; its packets were held (root only)
if [ "$(id -u)" != 0 ]; then
    echo "skip w-live: not root: cannot capture on lo"
else
    pa=$((20000 + RANDOM % 20000)); pb=$((pa + 1))
    "$SYNFIN" -q --summary -i lo -Z root --where "port $pa" -w "$tmp/live.pcap" "tcp port $pa or tcp port $pb" >"$tmp/live.out" 2>"$tmp/live.err" &
    sp=$!
    sleep 1
    timeout 20 "$py" - "$pa" "$pb" <<'PY' >"$tmp/livepy.out" 2>&1 || { echo "    python:"; cat "$tmp/livepy.out"; }
import socket, sys, threading
socket.setdefaulttimeout(5)
for port in map(int, sys.argv[1:]):
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port)); ls.listen(8)
    def serve(ls=ls):
        for _ in range(5):
            c, _ = ls.accept(); c.recv(100); c.sendall(b"x" * 3000); c.recv(100); c.close()
    t = threading.Thread(target=serve); t.start()
    for i in range(5):
        s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"hello")
        got = b""
        while len(got) < 3000: got += s.recv(4000)
        s.close()
    t.join(); ls.close()
PY
    sleep 2
    kill -INT $sp; wait $sp
    got=$("$SYNFIN" -q --json -r "$tmp/live.pcap" 2>/dev/null | "$py" -c '
import json, sys
rows = [j for j in map(json.loads, sys.stdin) if "id" in j]
print(len(rows), sorted(set(j["server_port"] for j in rows)), all(j["teardown"] != "open" and j["handshake"] == "complete" for j in rows))')
    if [ "$got" = "5 [$pa] True" ]; then good w-live-held; else bad w-live-held "the file holds: $got"; cat "$tmp/live.err"; fi
fi

echo "$((n - fail))/$n where checks pass"
[ $fail = 0 ]
