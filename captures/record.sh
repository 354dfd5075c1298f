#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# record.sh - record real TCP traffic into small classic-pcap files.
#
# Usage (as root):  captures/record.sh [OUTPUT_DIR]      (default: the directory of this script)
#
# Everything happens inside two private network namespaces joined by one veth pair:
#
#     netns synfin-rec-cli                      netns synfin-rec-srv
#     synfin-c  10.99.0.2/24  <--- veth --->  synfin-s  10.99.0.1/24
#               fd00:99::2/64                            fd00:99::1/64
#
# No address or route is added to the host's own namespace, so no packet can leave the
# machine.  tcpdump runs in the server namespace on synfin-s (Ethernet, classic pcap,
# microsecond timestamps) with a filter on the port of each scenario.  Checksum and
# segmentation offloads are turned off on the veth ends (when ethtool is present) so
# the recorded checksums are real and no segment is larger than the MTU.
#
# Needs: iproute2, tcpdump, curl, iptables, python3 (stdlib only), ethtool (optional).
# After re-recording, run `make golden` and check the diff of tests/expected/ by hand
# (ISNs, timestamps and sometimes three-way versus four-way closes change).
set -euo pipefail

if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
    echo "record.sh: must run as root (network namespaces, tcpdump, iptables)" >&2
    exit 1
fi
for tool in ip tcpdump curl iptables ss; do
    command -v "$tool" >/dev/null || { echo "record.sh: $tool not found" >&2; exit 1; }
done
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

NS_S=synfin-rec-srv
NS_C=synfin-rec-cli
IF_S=synfin-s
IF_C=synfin-c
SRV4=10.99.0.1
CLI4=10.99.0.2
SRV6=fd00:99::1
CLI6=fd00:99::2

WORK=$(mktemp -d /tmp/synfin-record.XXXXXX)
BG_PIDS=()
TCPDUMP_PID=

cleanup() {
    local rc=$?
    set +e
    if [[ -n $TCPDUMP_PID ]]; then kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; fi
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    ip netns del "$NS_C" 2>/dev/null
    ip netns del "$NS_S" 2>/dev/null
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_s() { ip netns exec "$NS_S" "$@"; }
in_c() { ip netns exec "$NS_C" "$@"; }

# ---------------------------------------------------------------- namespaces
setup_netns() {
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    ip netns add "$NS_S"
    ip netns add "$NS_C"
    ip link add "$IF_S" netns "$NS_S" type veth peer name "$IF_C" netns "$NS_C"
    # fixed, locally administered MAC addresses: same Ethernet headers on every run
    ip -n "$NS_S" link set "$IF_S" address 02:00:00:99:00:01
    ip -n "$NS_C" link set "$IF_C" address 02:00:00:99:00:02
    ip -n "$NS_S" link set lo up
    ip -n "$NS_C" link set lo up
    ip -n "$NS_S" addr add "$SRV4/24" dev "$IF_S"
    ip -n "$NS_C" addr add "$CLI4/24" dev "$IF_C"
    ip -n "$NS_S" -6 addr add "$SRV6/64" dev "$IF_S" nodad
    ip -n "$NS_C" -6 addr add "$CLI6/64" dev "$IF_C" nodad
    ip -n "$NS_S" link set "$IF_S" up
    ip -n "$NS_C" link set "$IF_C" up
    if command -v ethtool >/dev/null; then
        in_s ethtool -K "$IF_S" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
        in_c ethtool -K "$IF_C" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
    else
        echo "record.sh: ethtool not found: offloads stay on (checksums of sent packets may look wrong)" >&2
    fi
}

# ---------------------------------------------------------------- helpers
write_helpers() {
    # HTTP/1.1 keep-alive server: the whole response is written in one send(), no Date
    # header, so its size is the same on every run.  Binds [::], which also accepts IPv4.
    cat >"$WORK/http11.py" <<'EOF'
import socket, sys, http.server

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = ("hello from synfin record.sh, path %s\n" % self.path).encode()
        head = ("HTTP/1.1 200 OK\r\nServer: synfin-record\r\n"
                "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)).encode()
        self.wfile.write(head + body)

    def log_message(self, *args):
        pass

class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

Server(("::", int(sys.argv[1])), Handler).serve_forever()
EOF
    # half-close server: read to EOF, answer, then keep its side open (never FIN).
    cat >"$WORK/halfclose_server.py" <<'EOF'
import socket, sys, time
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[2])))
ls.listen(1)
conn, _ = ls.accept()
got = b""
while True:
    chunk = conn.recv(4096)
    if not chunk:
        break
    got += chunk
conn.sendall(b"server read %d bytes up to your FIN; my side stays open\n" % len(got))
time.sleep(120)
EOF
    # half-close client: send a request, shutdown(SHUT_WR), read the answer, stay open.
    cat >"$WORK/halfclose_client.py" <<'EOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(b"request from the client, followed by shutdown(SHUT_WR)\n")
s.shutdown(socket.SHUT_WR)
reply = b""
while not reply.endswith(b"\n"):
    chunk = s.recv(4096)
    if not chunk:
        break
    reply += chunk
print("reply:", reply.decode().strip(), flush=True)
time.sleep(120)
EOF
    mkdir -p "$WORK/www"
    printf 'hello from python3 -m http.server\n' >"$WORK/www/hello.txt"
}

bg_in_s() { ip netns exec "$NS_S" "$@" & BG_PIDS+=($!); }
bg_in_c() { ip netns exec "$NS_C" "$@" & BG_PIDS+=($!); }

stop_bg() {
    local p
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    BG_PIDS=()
}

wait_listen() { # port
    local i
    for i in $(seq 1 100); do
        if in_s ss -Hltn "sport = :$1" | grep -q LISTEN; then return 0; fi
        sleep 0.1
    done
    echo "record.sh: nothing listens on port $1" >&2
    return 1
}

start_capture() { # name filter
    local file="$OUT/$1.pcap" i
    rm -f "$file"
    : >"$WORK/tcpdump.log"
    ip netns exec "$NS_S" tcpdump -i "$IF_S" -n -U -s 0 -Z root -w "$file" "$2" 2>"$WORK/tcpdump.log" &
    TCPDUMP_PID=$!
    for i in $(seq 1 100); do
        grep -q "listening on" "$WORK/tcpdump.log" && break
        sleep 0.1
    done
    grep -q "listening on" "$WORK/tcpdump.log" || { cat "$WORK/tcpdump.log" >&2; return 1; }
    sleep 0.5
    CUR_NAME=$1
}

stop_capture() {
    sleep 0.5                  # let the last ACKs go by
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    echo "  $CUR_NAME.pcap: $(grep -o '[0-9]* packets captured' "$WORK/tcpdump.log" || echo '?')"
}

wait_file_line() { # file pattern
    local i
    for i in $(seq 1 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "record.sh: timed out waiting for '$2' in $1" >&2
    return 1
}

# ---------------------------------------------------------------- scenarios
rec_http_client_close() {
    bg_in_s "$PY" "$WORK/http11.py" 8080
    wait_listen 8080
    start_capture http-client-close "tcp port 8080"
    # HTTP/1.1 keep-alive: the server waits for more requests; curl exits and closes first.
    in_c curl -sS -o /dev/null "http://$SRV4:8080/client-close"
    stop_capture
    stop_bg
}

rec_http_server_close() {
    (cd "$WORK/www" && exec ip netns exec "$NS_S" "$PY" -m http.server --bind "$SRV4" 8080) \
        >/dev/null 2>&1 & BG_PIDS+=($!)
    wait_listen 8080
    start_capture http-server-close "tcp port 8080"
    # python3 -m http.server answers HTTP/1.0 and closes the connection after the reply;
    # the request asks for it too (Connection: close).
    in_c curl -sS -o /dev/null -H "Connection: close" "http://$SRV4:8080/hello.txt"
    stop_capture
    stop_bg
}

rec_http_keepalive_2req() {
    bg_in_s "$PY" "$WORK/http11.py" 8080
    wait_listen 8080
    start_capture http-keepalive-2req "tcp port 8080"
    # two URLs on one command line: curl reuses the connection, then closes it first.
    in_c curl -sS -o /dev/null -o /dev/null "http://$SRV4:8080/first" "http://$SRV4:8080/second"
    stop_capture
    stop_bg
}

rec_http6_client_close() {
    bg_in_s "$PY" "$WORK/http11.py" 8080
    wait_listen 8080
    start_capture http6-client-close "tcp port 8080"
    in_c curl -sS -g -o /dev/null "http://[$SRV6]:8080/ipv6"
    stop_capture
    stop_bg
}

rec_refused() {
    start_capture refused "tcp port 8081"
    # nothing listens on 8081: the server kernel answers the SYN with RST+ACK.
    in_c curl -sS --connect-timeout 2 -o /dev/null "http://$SRV4:8081/" 2>/dev/null || true
    stop_capture
}

rec_syn_unanswered() {
    in_s iptables -A INPUT -p tcp --dport 8082 -j DROP
    start_capture syn-unanswered "tcp port 8082"
    # tcpdump sees the SYNs before netfilter drops them; curl gives up after 4 s.  The
    # kernel that recorded it retried at a fixed 1 s (tcp_syn_linear_timeouts): 4 SYNs.
    in_c curl -sS --connect-timeout 4 -o /dev/null "http://$SRV4:8082/" 2>/dev/null || true
    stop_capture
    in_s iptables -D INPUT -p tcp --dport 8082 -j DROP
}

rec_half_close() {
    bg_in_s "$PY" "$WORK/halfclose_server.py" "$SRV4" 8083
    wait_listen 8083
    start_capture half-close "tcp port 8083"
    bg_in_c "$PY" "$WORK/halfclose_client.py" "$SRV4" 8083 >"$WORK/halfclose.out"
    wait_file_line "$WORK/halfclose.out" "^reply:"
    # stop while both processes still hold their sockets: only the client's FIN is in
    # the file; the server's side is still open (CLOSE_WAIT).
    stop_capture
    stop_bg
}

# ---------------------------------------------------------------- main
setup_netns
write_helpers
echo "recording into $OUT"
rec_http_client_close
rec_http_server_close
rec_http_keepalive_2req
rec_http6_client_close
rec_refused
rec_syn_unanswered
rec_half_close
echo "done"
