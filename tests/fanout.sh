#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# fanout.sh - two synfin processes in one --fanout group on lo share the
# connections: 40 connections to a server of this script's own, each
# reported by exactly one process, whole (SYN to FIN) in the process that
# reports it, and both processes get some.  Needs root (or CAP_NET_RAW) and
# Linux's PACKET_FANOUT: skipped (77) otherwise, saying why.
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp -d)
chmod 1777 "$tmp"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
wait_capturing() {
    for _ in $(seq 1 50); do grep -q "capturing on" "$1" && return 0; kill -0 "$2" 2>/dev/null || return 1; sleep 0.1; done
    return 1
}
port=$((20000 + RANDOM % 20000))
group=$((1 + RANDOM % 60000))
for i in 1 2; do
    "$SYNFIN" --json -i lo --fanout $group "tcp port $port" >"$tmp/out$i" 2>"$tmp/err$i" &
    pids+=($!)
    if ! wait_capturing "$tmp/err$i" $!; then
        if grep -qE "^synfin: lo: .*(CAP_NET_RAW|cannot capture)|PACKET_FANOUT needs Linux" "$tmp/err$i"; then
            echo "SKIP: cannot capture with fanout on lo here: $(head -1 "$tmp/err$i")"; exit 77
        fi
        echo "FAIL: synfin -i lo --fanout $group (process $i) did not start"; cat "$tmp/err$i"; exit 1
    fi
done
sleep 0.3
python3 - "$port" <<'PY'
import socket, sys, threading
port, n = int(sys.argv[1]), 40
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(n)
def serve():
    for _ in range(n):
        c, _ = ls.accept()
        c.recv(100)
        c.sendall(b"pong")
        c.recv(100)  # the client's FIN
        c.close()
t = threading.Thread(target=serve); t.start()
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"ping")
    s.recv(100)
    s.close()
t.join(); ls.close()
PY
sleep 0.5
for p in "${pids[@]}"; do kill -INT "$p"; done
for p in "${pids[@]}"; do wait "$p" || { echo "FAIL: a synfin exited $? after SIGINT"; cat "$tmp"/err*; exit 1; }; done
pids=()
python3 - "$tmp/out1" "$tmp/out2" "$port" <<'PY'
import json, sys
port = int(sys.argv[3])
got = [[o for o in map(json.loads, open(f)) if "id" in o] for f in sys.argv[1:3]]
seen, bad = {}, 0
for i, conns in enumerate(got, 1):
    for o in conns:
        if o["server_port"] != port:
            continue
        k = o["client_port"]
        if k in seen:
            print("FAIL: connection from port %d reported by both processes" % k); bad += 1
        seen[k] = i
        if o["handshake"] != "complete" or o["teardown"] not in ("three-way", "four-way") or o["bytes_c2s"] != 4:
            print("FAIL: process %d saw only part of connection %d: %s %s" % (i, k, o["handshake"], o["teardown"]))
            bad += 1
n = [sum(1 for v in seen.values() if v == i) for i in (1, 2)]
if len(seen) != 40:
    print("FAIL: %d of 40 connections reported" % len(seen)); bad += 1
if min(n) == 0:
    print("FAIL: one process got every connection (%d and %d): the group did not share" % tuple(n)); bad += 1
if not bad:
    print("ok   40 connections on lo shared by two processes in one fanout group: %d and %d, each whole, none twice" % tuple(n))
sys.exit(1 if bad else 0)
PY
