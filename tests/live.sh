#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# live.sh - capture for real on the loopback interface while this script
# makes an HTTP-like connection to a server of its own on 127.0.0.1, stop
# with SIGINT as a user's Ctrl-C would, and check the connection was
# followed from SYN to FIN; -w must save the same packets (mode 0600); then an
# HTTPS exchange decrypted with a key log written after root was given up.  Needs root (or
# CAP_NET_RAW): skipped (77) otherwise, saying why.
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp -d)
chmod 1777 "$tmp" # synfin gives up root after opening lo: the -w file is created as that user
pids=()
fail=0
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
# wait_capturing ERRFILE PID: until synfin says "capturing on" (5 s at most) or has exited
wait_capturing() {
    for _ in $(seq 1 50); do grep -q "capturing on" "$1" && return 0; kill -0 "$2" 2>/dev/null || return 1; sleep 0.1; done
    return 1
}

port=$((20000 + RANDOM % 20000))
"$SYNFIN" --json -i lo -w "$tmp/saved.pcap" "tcp port $port" >"$tmp/out" 2>"$tmp/err" &
sp=$!; pids+=($sp)
wait_capturing "$tmp/err" $sp
if ! grep -q "capturing on" "$tmp/err"; then
    if grep -qE "^synfin: lo: .*(CAP_NET_RAW|cannot capture)" "$tmp/err"; then
        echo "SKIP: cannot capture on lo here: $(head -1 "$tmp/err")"; exit 77
    fi
    echo "FAIL: synfin -i lo did not start"; cat "$tmp/err"; exit 1
fi
caps=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/$sp/status 2>/dev/null)
[ "${caps:-0000000000000000}" = 0000000000000000 ] || { echo "FAIL: synfin still has capabilities $caps after opening lo"; fail=1; }
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
# a quiet link: the finished connection is printed about --linger (1 s) after its last packet,
# without another packet and before any Ctrl-C
for _ in $(seq 1 40); do grep -q '^{"id"' "$tmp/out" && break; sleep 0.1; done
grep -q '^{"id"' "$tmp/out" || { echo "FAIL: the finished connection was not printed within 4 s on a quiet link"; fail=1; }
kill -INT $sp
wait $sp; rc=$?
[ $rc = 0 ] || { echo "FAIL: synfin exited $rc after SIGINT"; cat "$tmp/err"; fail=1; }
grep -q "packets received by filter" "$tmp/err" || { echo "FAIL: no capture statistics on stderr"; fail=1; }
lines=$(grep -c '^{"id":' "$tmp/out")
[ "$lines" = 1 ] || { echo "FAIL: $lines connections reported, expected 1"; cat "$tmp/out"; fail=1; }
# the last line: libpcap's counters (the capture's own, not a connection)
tail -n 1 "$tmp/out" | grep -qE '^\{"capture":\{"received":[0-9]+,"dropped":0,"if_dropped":[0-9]+\}\}$' ||
    { echo "FAIL: no capture counters on the last JSON line"; tail -n 1 "$tmp/out"; fail=1; }
for want in "\"server\":\"127.0.0.1:$port\"" '"handshake":"complete"' '"teardown":"(three|four)-way"' '"closed_by":"client"' '"bytes_c2s":22,' '"bytes_s2c":43,'; do
    grep -qE "$want" "$tmp/out" || { echo "FAIL: live JSON lacks $want"; cat "$tmp/out"; fail=1; }
done
"$SYNFIN" --json -r "$tmp/saved.pcap" >"$tmp/replay" 2>"$tmp/err2" || { echo "FAIL: -w file unreadable"; cat "$tmp/err2"; fail=1; }
# the saved file says the same of the connection (ids and timestamps included)
cmp -s <(grep '^{"id"' "$tmp/out" | sed 's/"last_ts":[^,]*,//') <(sed 's/"last_ts":[^,]*,//' "$tmp/replay") ||
    { echo "FAIL: -w replay differs"; diff "$tmp/out" "$tmp/replay"; fail=1; }
owner=$(stat -c %U "$tmp/saved.pcap" 2>/dev/null)
[ "$owner" != root ] || { echo "FAIL: the -w file belongs to root: privileges were not given up"; fail=1; }
mode=$(stat -c %a "$tmp/saved.pcap" 2>/dev/null)
[ "$mode" = 600 ] || { echo "FAIL: the -w file has mode $mode, not 600"; fail=1; }
[ $fail = 0 ] && echo "ok   live capture on lo (as $owner after opening it): $(cut -c1-100 "$tmp/out")..."

# An HTTPS GET /live-tls on 127.0.0.1:PORT by Python, its keys appended to KEYS (root's, mode 0600).
tls_exchange() {
    python3 - "$1" "$SRCDIR/captures/tls/certs" "$2" <<'PY' || { echo "FAIL: the TLS exchange on lo failed"; fail=1; }
import os, socket, ssl, sys, threading
port, certs, keys = int(sys.argv[1]), sys.argv[2], sys.argv[3]
srv = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
srv.load_cert_chain(certs + "/server-chain.pem", certs + "/server.key")
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(1)
def serve():
    c, _ = ls.accept()
    t = srv.wrap_socket(c, server_side=True)
    t.recv(1000)
    t.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
    t.close()
th = threading.Thread(target=serve); th.start()
cli = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
cli.check_hostname = False; cli.verify_mode = ssl.CERT_NONE
cli.keylog_filename = keys   # created now when it does not exist yet
os.chmod(keys, 0o600)
s = cli.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="www.synfin.test")
s.sendall(b"GET /live-tls HTTP/1.1\r\nHost: www.synfin.test\r\n\r\n")
got = b""
while not got.endswith(b"hello"):
    got += s.recv(1000)
s.close(); th.join(); ls.close()
PY
}

# HTTPS with a key log that only root may read, whose keys are written after
# synfin started and gave root up: it must read them through the descriptor it
# kept, and decrypt.  Skipped when synfin stays root (no unprivileged user).
[ "$owner" = root ] && exit $fail
keys="$tmp/live.keys"
: >"$keys" && chmod 600 "$keys"
port=$((port + 1))
"$SYNFIN" --json --no-verify --keylog "$keys" -i lo "tcp port $port" >"$tmp/tls.out" 2>"$tmp/tls.err" &
sp=$!; pids+=($sp)
wait_capturing "$tmp/tls.err" $sp
sleep 0.3
tls_exchange "$port" "$keys"
sleep 0.5
kill -INT $sp
wait $sp || { echo "FAIL: synfin --keylog -i lo exited $?"; cat "$tmp/tls.err"; fail=1; }
[ "$(stat -c %U:%a "$keys")" = root:600 ] || { echo "FAIL: the key log is not root's, mode 600"; fail=1; }
for want in '"decrypted":true' '"first_request":"GET /live-tls"' '"first_status":200'; do
    grep -q "$want" "$tmp/tls.out" || { echo "FAIL: live TLS JSON lacks $want"; cat "$tmp/tls.out" "$tmp/tls.err"; fail=1; }
done
[ $fail = 0 ] && echo "ok   live HTTPS decrypted with keys written after root was given up (key log root:600)"

# The key log does not exist yet when synfin starts (a browser not yet
# running) and is then created unreadable for the user synfin became: that
# is said once on stderr, never silently.
keys="$tmp/later.keys"
port=$((port + 1))
"$SYNFIN" --json --no-verify --keylog "$keys" -i lo "tcp port $port" >"$tmp/later.out" 2>"$tmp/later.err" &
sp=$!; pids+=($sp)
wait_capturing "$tmp/later.err" $sp
sleep 0.3
tls_exchange "$port" "$keys"
tls_exchange "$port" "$keys"
sleep 0.5
kill -INT $sp
wait $sp
n=$(grep -c "cannot open key log $keys: Permission denied (new keys are not read)" "$tmp/later.err")
[ "$n" = 1 ] || { echo "FAIL: an unreadable key log was reported $n times, not once"; cat "$tmp/later.err"; fail=1; }
[ $fail = 0 ] && echo "ok   a key log created unreadable after root was given up is reported once"

# Not root but given CAP_NET_RAW by setcap (how many install tcpdump): after
# opening the device no capability may remain.  Skipped where file
# capabilities cannot be set or are not honoured here (a nosuid /tmp).
command -v setcap >/dev/null && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 || exit $fail
cp "$SYNFIN" "$tmp/synfin-cap" && chmod 755 "$tmp/synfin-cap"
setcap cap_net_raw,cap_net_admin=ep "$tmp/synfin-cap" 2>/dev/null || { echo "SKIP (caps): setcap refused here"; exit $fail; }
setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$tmp/synfin-cap" --json -i lo "tcp port 9" \
    >/dev/null 2>"$tmp/cap.err" &
sp=$!; pids+=($sp)
wait_capturing "$tmp/cap.err" $sp
if grep -q "capturing on" "$tmp/cap.err"; then
    st=$(grep -E '^(CapPrm|CapEff|NoNewPrivs):' /proc/$sp/status | tr -s '\t ' ' ' | tr '\n' ' ')
    # capset is per thread: no thread may keep what the main one gave up
    held=$(grep -hE '^Cap(Prm|Eff):' /proc/$sp/task/*/status | grep -vc '0000000000000000$')
    [ "$held" = 0 ] || st="$st ($held capability sets of its threads not empty)"
    kill -INT $sp; wait $sp
    case $st in
    *"not empty)") echo "FAIL: a thread still privileged after opening lo as nobody with CAP_NET_RAW: $st"; fail=1;;
    *"CapPrm: 0000000000000000 CapEff: 0000000000000000"*"NoNewPrivs: 1"*)
        echo "ok   capabilities given up after opening lo as nobody with CAP_NET_RAW ($st)";;
    *) echo "FAIL: still privileged after opening lo as nobody with CAP_NET_RAW: $st"; fail=1;;
    esac
else
    kill $sp 2>/dev/null
    echo "SKIP (caps): file capabilities not honoured here: $(head -1 "$tmp/cap.err")"
fi
exit $fail
