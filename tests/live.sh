#!/usr/bin/env bash
# live.sh - capture for real on the loopback interface while this script
# makes an HTTP-like connection to a server of its own on 127.0.0.1, stop
# with SIGINT as a user's Ctrl-C would, and check the connection was
# followed from SYN to FIN; -w must save the same packets.  Needs root (or
# CAP_NET_RAW): skipped (77) otherwise, saying why.
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp -d)
chmod 1777 "$tmp" # synfin gives up root after opening lo: the -w file is created as that user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
"$SYNFIN" --json -i lo -w "$tmp/saved.pcap" "tcp port $port" >"$tmp/out" 2>"$tmp/err" &
sp=$!; pids+=($sp)
for _ in $(seq 1 50); do grep -q "capturing on" "$tmp/err" && break; kill -0 $sp 2>/dev/null || break; sleep 0.1; done
if ! grep -q "capturing on" "$tmp/err"; then
    if grep -qE "^synfin: lo: .*(CAP_NET_RAW|cannot capture)" "$tmp/err"; then
        echo "SKIP: cannot capture on lo here: $(head -1 "$tmp/err")"; exit 77
    fi
    echo "FAIL: synfin -i lo did not start"; cat "$tmp/err"; exit 1
fi
sleep 0.3
python3 - "$port" <<'PY'
import socket, sys, threading
port = int(sys.argv[1])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(1)
def serve():
    c, _ = ls.accept()
    c.recv(1000)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    c.recv(1000)          # the client's FIN
    c.close()
t = threading.Thread(target=serve); t.start()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /live HTTP/1.0\r\n\r\n")
got = b""
while not got.endswith(b"hello"):
    got += s.recv(1000)
s.close(); t.join(); ls.close()
PY
sleep 0.5
kill -INT $sp
wait $sp; rc=$?
fail=0
[ $rc = 0 ] || { echo "FAIL: synfin exited $rc after SIGINT"; cat "$tmp/err"; fail=1; }
grep -q "packets received by filter" "$tmp/err" || { echo "FAIL: no capture statistics on stderr"; fail=1; }
lines=$(wc -l <"$tmp/out")
[ "$lines" = 1 ] || { echo "FAIL: $lines connections reported, expected 1"; cat "$tmp/out"; fail=1; }
for want in "\"server\":\"127.0.0.1:$port\"" '"handshake":"complete"' '"teardown":"(three|four)-way"' '"closed_by":"client"' '"bytes_c2s":22,' '"bytes_s2c":43,'; do
    grep -qE "$want" "$tmp/out" || { echo "FAIL: live JSON lacks $want"; cat "$tmp/out"; fail=1; }
done
"$SYNFIN" --json -r "$tmp/saved.pcap" >"$tmp/replay" 2>"$tmp/err2" || { echo "FAIL: -w file unreadable"; cat "$tmp/err2"; fail=1; }
# the saved file says the same of the connection (ids and timestamps included)
cmp -s <(sed 's/"last_ts":[^,]*,//' "$tmp/out") <(sed 's/"last_ts":[^,]*,//' "$tmp/replay") ||
    { echo "FAIL: -w replay differs"; diff "$tmp/out" "$tmp/replay"; fail=1; }
owner=$(stat -c %U "$tmp/saved.pcap" 2>/dev/null)
[ "$owner" != root ] || { echo "FAIL: the -w file belongs to root: privileges were not given up"; fail=1; }
[ $fail = 0 ] && echo "ok   live capture on lo (as $owner after opening it): $(cut -c1-100 "$tmp/out")..."
exit $fail
