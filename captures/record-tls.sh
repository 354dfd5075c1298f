#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# record-tls.sh - record real TLS and HTTP traffic into small classic-pcap files, each
# TLS capture with the key log (SSLKEYLOGFILE format) its client wrote.
#
# Usage (as root):
#   captures/record-tls.sh [-o OUTDIR] [--new-certs] [--no-verify] [SCENARIO...]
#
#   OUTDIR       default: captures/tls/ beside this script
#   --new-certs  make a new test CA and new certificates even when OUTDIR/certs/ has them
#                (by default existing ones are reused, so re-recording keeps them stable)
#   --no-verify  skip the check of the results with captures/verify-tls.py (tshark)
#   --list       print the scenario names and exit
#   SCENARIO     record only these (names as in --list); default all
#
# Same approach as record.sh: two private network namespaces joined by one veth pair,
#
#     netns synfin-tls-cli                      netns synfin-tls-srv
#     synfin-tc 10.99.1.2/24  <--- veth --->  synfin-ts 10.99.1.1/24
#
# and nothing else: no address or route is added to the host's namespace, so no packet can
# leave the machine.  Inside the client namespace the client programs run in a private
# mount namespace whose /etc/hosts (bind-mounted) says "10.99.1.1 www.synfin.test", so the
# clients connect to that name and put it in SNI themselves, and check it against the
# certificate.  tcpdump runs in the server namespace on synfin-ts (Ethernet, classic pcap,
# microsecond timestamps).  Offloads are off on both veth ends (ethtool) so checksums are
# real and no segment exceeds the MTU.
#
# Peers: gnutls-serv / gnutls-cli (GnuTLS), openssl s_server / s_client, curl (OpenSSL),
# and for SSL 3.0 and the export suites, which Debian 12's libraries no longer speak,
# scapy's TLS automata on both sides (scapy-tls-peer.py beside this script).
# Each client writes its secrets to NAME.keys (SSLKEYLOGFILE for gnutls-cli and curl,
# -keylogfile for openssl s_client, a CLIENT_RANDOM line from scapy-tls-peer.py); the
# servers write none, so each secret is there once.
#
# Needs: iproute2, util-linux (unshare), tcpdump, gnutls-bin, openssl, curl, python3,
# python3-scapy, ethtool (optional), tshark (for the check at the end).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE/tls
NEW_CERTS=0
VERIFY=1
ONLY=()

ALL_SCENARIOS=(
    tls12-ecdhe-rsa tls12-rsa-kx tls13-full tls13-psk-resume tls12-sessionid-resume
    tls12-anon-ecdh tls12-psk tls12-client-cert tls-failed-untrusted tls12-expired
    https-get http-pipelined-chunked
    ciphers/tls13-aes128gcm ciphers/tls13-aes256gcm ciphers/tls13-chacha20 ciphers/tls13-aes128ccm
    ciphers/tls12-aes128gcm ciphers/tls12-aes256gcm ciphers/tls12-chacha20 ciphers/tls12-aes128ccm
    ciphers/tls12-cbc-sha1-etm ciphers/tls12-cbc-sha1-mte ciphers/tls12-cbc-sha384
    ciphers/tls11-cbc-sha1 ciphers/tls10-cbc-sha1
    ciphers/tls12-3des ciphers/tls10-3des ciphers/tls12-camellia128-cbc ciphers/tls12-camellia256-cbc-sha256
    ciphers/tls12-camellia128-gcm ciphers/tls12-camellia256-gcm ciphers/tls12-rc4-sha ciphers/tls10-rc4-md5
    ciphers/tls12-null-sha ciphers/tls12-null-sha256 ciphers/tls11-null-md5
    ciphers/ssl3-3des ciphers/ssl3-rc4-md5 ciphers/ssl3-null-sha ciphers/ssl3-export-rc4-40
    ciphers/ssl3-export-des40 ciphers/tls10-export-rc4-40 ciphers/tls10-export-des40
)

while [[ $# -gt 0 ]]; do
    case $1 in
        -o) OUT=$2; shift 2 ;;
        -o*) OUT=${1#-o}; shift ;;
        --new-certs) NEW_CERTS=1; shift ;;
        --no-verify) VERIFY=0; shift ;;
        --list) printf '%s\n' "${ALL_SCENARIOS[@]}"; exit 0 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "record-tls.sh: unknown option $1" >&2; exit 2 ;;
        *) ONLY+=("$1"); shift ;;
    esac
done
for s in "${ONLY[@]}"; do
    [[ " ${ALL_SCENARIOS[*]} " == *" $s "* ]] || { echo "record-tls.sh: no scenario '$s' (see --list)" >&2; exit 2; }
done
[[ ${#ONLY[@]} -gt 0 ]] || ONLY=("${ALL_SCENARIOS[@]}")

if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
    echo "record-tls.sh: must run as root (network namespaces, tcpdump)" >&2
    exit 1
fi
for tool in ip unshare tcpdump ss gnutls-serv gnutls-cli certtool openssl curl timeout; do
    command -v "$tool" >/dev/null || { echo "record-tls.sh: $tool not found (apt-get install gnutls-bin openssl curl tcpdump)" >&2; exit 1; }
done
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)
# only the clients write key logs, each to its capture's NAME.keys (set per command)
unset SSLKEYLOGFILE GNUTLS_KEYLOGFILE

mkdir -p "$OUT" "$OUT/ciphers" "$OUT/certs"
OUT=$(cd "$OUT" && pwd)
CERTS=$OUT/certs

NS_S=synfin-tls-srv
NS_C=synfin-tls-cli
IF_S=synfin-ts
IF_C=synfin-tc
SRV4=10.99.1.1
CLI4=10.99.1.2
NAME=www.synfin.test

WORK=$(mktemp -d /tmp/synfin-record-tls.XXXXXX)
BG_PIDS=()
TCPDUMP_PID=
CUR_NAME=
KEYS=

cleanup() {
    local rc=$?
    set +e
    if [[ $rc -ne 0 && -d $WORK ]]; then
        [[ -s $WORK/client.log ]] && { echo "--- client log (tail):" >&2; tail -8 "$WORK/client.log" >&2; }
        [[ -s $WORK/server.log ]] && { echo "--- server log (tail):" >&2; tail -8 "$WORK/server.log" >&2; }
    fi
    if [[ -n $TCPDUMP_PID ]]; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null
        echo "record-tls.sh: stopped during $CUR_NAME: $CUR_NAME.pcap is incomplete, re-record it" >&2
    fi
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    ip netns del "$NS_C" 2>/dev/null
    ip netns del "$NS_S" 2>/dev/null
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_s() { ip netns exec "$NS_S" "$@"; }
# client side: own mount namespace with our /etc/hosts bind-mounted (nothing leaks out:
# unshare makes the new mount namespace's propagation private).
in_c() {
    ip netns exec "$NS_C" unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$WORK/hosts" "$@"
}
bg_in_s() { ip netns exec "$NS_S" "$@" & BG_PIDS+=($!); }

stop_bg() {
    local p
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    BG_PIDS=()
}

# ---------------------------------------------------------------- namespaces
setup_netns() {
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    ip netns add "$NS_S"
    ip netns add "$NS_C"
    ip link add "$IF_S" netns "$NS_S" type veth peer name "$IF_C" netns "$NS_C"
    ip -n "$NS_S" link set "$IF_S" address 02:00:00:99:01:01
    ip -n "$NS_C" link set "$IF_C" address 02:00:00:99:01:02
    ip -n "$NS_S" link set lo up
    ip -n "$NS_C" link set lo up
    ip -n "$NS_S" addr add "$SRV4/24" dev "$IF_S"
    ip -n "$NS_C" addr add "$CLI4/24" dev "$IF_C"
    ip -n "$NS_S" link set "$IF_S" up
    ip -n "$NS_C" link set "$IF_C" up
    if command -v ethtool >/dev/null; then
        in_s ethtool -K "$IF_S" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
        ip netns exec "$NS_C" ethtool -K "$IF_C" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
    else
        echo "record-tls.sh: ethtool not found: offloads stay on (checksums of sent packets may look wrong)" >&2
    fi
    printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$SRV4" "$NAME" >"$WORK/hosts"
}

# ---------------------------------------------------------------- certificates
# A test CA (its key is committed: it signs nothing but these test certificates) and
# RSA-2048 keys.  Fixed validity dates, so the verdicts do not depend on when a capture
# is replayed, only on when it was recorded (2026 here): the CA and the good certificates
# are valid from 2025-01-01 to 2045-01-01; expired.pem was valid in 2020 only.
make_certs() {
    if [[ $NEW_CERTS -eq 0 && -s $CERTS/ca.pem && -s $CERTS/server.pem && -s $CERTS/expired.pem \
          && -s $CERTS/selfsigned.pem && -s $CERTS/client.pem && -s $CERTS/psk-passwd.txt ]]; then
        echo "reusing certificates in $CERTS"
        return 0
    fi
    echo "making certificates in $CERTS"
    local t=$WORK/tmpl k
    for k in ca server expired selfsigned client; do
        certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$CERTS/$k.key" 2>/dev/null
    done
    cat >"$t.ca" <<'EOF'
organization = "synfin tests"
cn = "synfin test CA"
serial = 1
ca
cert_signing_key
crl_signing_key
activation_date = "2025-01-01 00:00:00 UTC"
expiration_date = "2045-01-01 00:00:00 UTC"
EOF
    cat >"$t.server" <<EOF
organization = "synfin tests"
cn = "$NAME"
dns_name = "$NAME"
serial = 2
tls_www_server
signing_key
encryption_key
activation_date = "2025-01-01 00:00:00 UTC"
expiration_date = "2045-01-01 00:00:00 UTC"
EOF
    sed -e 's/^serial = 2/serial = 3/' \
        -e 's/^activation_date.*/activation_date = "2020-01-01 00:00:00 UTC"/' \
        -e 's/^expiration_date.*/expiration_date = "2021-01-01 00:00:00 UTC"/' "$t.server" >"$t.expired"
    sed -e 's/^serial = 2/serial = 4/' -e 's/^organization.*/organization = "synfin tests (self-signed)"/' \
        "$t.server" >"$t.selfsigned"
    cat >"$t.client" <<'EOF'
organization = "synfin tests"
cn = "synfin test client"
serial = 5
tls_www_client
signing_key
activation_date = "2025-01-01 00:00:00 UTC"
expiration_date = "2045-01-01 00:00:00 UTC"
EOF
    certtool --generate-self-signed --load-privkey "$CERTS/ca.key" --template "$t.ca" \
        --outfile "$CERTS/ca.pem" >/dev/null 2>&1
    certtool --generate-self-signed --load-privkey "$CERTS/selfsigned.key" --template "$t.selfsigned" \
        --outfile "$CERTS/selfsigned.pem" >/dev/null 2>&1
    for k in server expired client; do
        certtool --generate-certificate --load-privkey "$CERTS/$k.key" --template "$t.$k" \
            --load-ca-certificate "$CERTS/ca.pem" --load-ca-privkey "$CERTS/ca.key" \
            --outfile "$CERTS/$k.pem" >/dev/null 2>&1
    done
    # chains as the servers send them: leaf then CA
    cat "$CERTS/server.pem" "$CERTS/ca.pem" >"$CERTS/server-chain.pem"
    cat "$CERTS/expired.pem" "$CERTS/ca.pem" >"$CERTS/expired-chain.pem"
    # PSK for tls12-psk: identity "synfin", 16 random bytes in hex (gnutls-serv --pskpasswd format)
    printf 'synfin:%s\n' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >"$CERTS/psk-passwd.txt"
    local f
    for f in ca server expired selfsigned client; do
        [[ -s $CERTS/$f.pem ]] || { echo "record-tls.sh: certtool failed for $f.pem" >&2; return 1; }
    done
}

# ---------------------------------------------------------------- helpers
# HTTP body gnutls-serv --http sends (it adds "HTTP/1.0 200 OK", Content-Type and
# Content-Length itself, then closes the session with close_notify).
write_helpers() {
    printf 'hello from gnutls-serv, recorded by synfin record-tls.sh\n' >"$WORK/body.txt"
    # for openssl s_server -HTTP: the file holds the whole response, headers included
    mkdir -p "$WORK/www"
    local body='hello from openssl s_server -HTTP, recorded by synfin record-tls.sh
This file is the body of the HTTPS response in https-get.pcap.
'
    printf 'HTTP/1.1 200 OK\r\nServer: synfin-record-tls\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
        "${#body}" "$body" >"$WORK/www/hello.txt"
    printf '%s' "$body" >"$WORK/hello.body"

    # Plain HTTP/1.1 server for http-pipelined-chunked: handles pipelined requests in
    # order, one connection at a time; each chunk of a chunked body is its own send().
    cat >"$WORK/http_chunked_server.py" <<'EOF'
import socket, sys, time

def send(c, data):
    c.sendall(data)
    time.sleep(0.02)          # one segment per send(): the chunks arrive separately

def chunked(c, head, chunks, trailer=b""):
    send(c, head)
    for ext, data in chunks:
        send(c, b"%x%s\r\n%s\r\n" % (len(data), ext, data))
    send(c, b"0\r\n" + trailer + b"\r\n")

def serve(c):
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            d = c.recv(65536)
            if not d:
                return
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        hdr = {}
        for l in lines[1:]:
            k, v = l.split(":", 1)
            hdr[k.strip().lower()] = v.strip()
        n = int(hdr.get("content-length", "0"))
        while len(buf) < n:
            d = c.recv(65536)
            if not d:
                return
            buf += d
        body, buf = buf[:n], buf[n:]
        base = b"Server: synfin-record-tls\r\nContent-Type: text/plain\r\n"
        if method == "GET" and target == "/a":
            chunked(c, b"HTTP/1.1 200 OK\r\n" + base + b"Transfer-Encoding: chunked\r\n\r\n",
                    [(b"", b"first chunk of /a\n"), (b"", b"second chunk of /a\n"),
                     (b"", b"third and last chunk of /a\n")])
        elif method == "HEAD" and target == "/b":
            # what a GET /b would get, minus the body: a HEAD response has none
            send(c, b"HTTP/1.1 200 OK\r\n" + base + b"Transfer-Encoding: chunked\r\n\r\n")
        elif method == "GET" and target == "/c":
            chunked(c, b"HTTP/1.1 200 OK\r\n" + base + b"Transfer-Encoding: chunked\r\n"
                       b"Trailer: X-Synfin-Checksum\r\n\r\n",
                    [(b";part=1", b"chunk with an extension\n"),
                     (b";part=2;last=\"yes\"", b"another one, two extensions\n")],
                    trailer=b"X-Synfin-Checksum: 0badc0de\r\n")
        elif method == "POST":
            send(c, b"HTTP/1.1 204 No Content\r\nServer: synfin-record-tls\r\n\r\n")
        elif version == "HTTP/1.0":
            # HTTP/1.0, no Content-Length: the body ends where the connection does
            send(c, b"HTTP/1.0 200 OK\r\n" + base + b"\r\n")
            send(c, b"this body is delimited by the close of the connection\n")
            send(c, b"(HTTP/1.0, no Content-Length)\n")
            return
        else:
            send(c, b"HTTP/1.1 404 Not Found\r\n" + base + b"Content-Length: 0\r\n\r\n")

ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[2])))
ls.listen(4)
while True:
    c, _ = ls.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        serve(c)
    finally:
        c.close()
EOF

    # Its client: 3 pipelined requests in one send(), then a POST, then an HTTP/1.0 GET.
    cat >"$WORK/http_chunked_client.py" <<'EOF'
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])

class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""
    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError
        self.buf += d
    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l
    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d
    def rest(self):
        try:
            while True:
                self.fill()
        except EOFError:
            pass
        d, self.buf = self.buf, b""
        return d

def response(r, method):
    status = r.line().decode()
    hdr = {}
    while True:
        l = r.line()
        if not l:
            break
        k, v = l.decode().split(":", 1)
        hdr[k.strip().lower()] = v.strip()
    code = int(status.split()[1])
    body = b""
    if method == "HEAD" or code in (204, 304) or code < 200:
        pass
    elif hdr.get("transfer-encoding") == "chunked":
        while True:
            n = int(r.line().split(b";")[0], 16)
            if n == 0:
                while r.line():
                    pass           # trailer fields, then the empty line
                break
            body += r.take(n)
            r.take(2)
    elif "content-length" in hdr:
        body = r.take(int(hdr["content-length"]))
    else:
        body = r.rest()
    print("  %-6s %s -> %d bytes" % (method, status, len(body)), flush=True)

H = "Host: www.synfin.test\r\nUser-Agent: synfin-record-tls\r\n"
s = socket.create_connection((host, port))
s.sendall(("GET /a HTTP/1.1\r\n" + H + "\r\n"
           "HEAD /b HTTP/1.1\r\n" + H + "\r\n"
           "GET /c HTTP/1.1\r\n" + H + "\r\n").encode())
r = Reader(s)
for m in ("GET", "HEAD", "GET"):
    response(r, m)
s.close()
time.sleep(0.3)

body = b"name=synfin&value=42"
s = socket.create_connection((host, port))
s.sendall(("POST /submit HTTP/1.1\r\n" + H + "Content-Type: application/x-www-form-urlencoded\r\n"
           "Content-Length: %d\r\n\r\n" % len(body)).encode() + body)
response(Reader(s), "POST")
s.close()
time.sleep(0.3)

s = socket.create_connection((host, port))
s.sendall(("GET /legacy HTTP/1.0\r\n" + H + "\r\n").encode())
response(Reader(s), "GET")
s.close()
EOF
}

wait_listen() { # port
    local i
    for i in $(seq 1 100); do
        if in_s ss -Hltn "sport = :$1" | grep -q LISTEN; then return 0; fi
        sleep 0.1
    done
    echo "record-tls.sh: nothing listens on port $1" >&2
    return 1
}

# start_capture NAME FILTER: NAME may have a subdirectory (ciphers/...)
start_capture() {
    local file="$OUT/$1.pcap" i
    rm -f "$file" "$OUT/$1.keys"
    CUR_NAME=$1
    KEYS=$OUT/$1.keys
    : >"$WORK/tcpdump.log"
    ip netns exec "$NS_S" tcpdump -i "$IF_S" -n -U -s 0 -Z root -w "$file" "$2" 2>"$WORK/tcpdump.log" &
    TCPDUMP_PID=$!
    for i in $(seq 1 100); do
        grep -q "listening on" "$WORK/tcpdump.log" && break
        sleep 0.1
    done
    grep -q "listening on" "$WORK/tcpdump.log" || { cat "$WORK/tcpdump.log" >&2; return 1; }
    sleep 0.5
}

stop_capture() {
    sleep 0.5                  # let the last ACKs and FINs go by
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    [[ -e $KEYS ]] || : >"$KEYS"
    printf '  %-32s %s, key log %s lines\n' "$CUR_NAME.pcap:" \
        "$(grep -o '[0-9]* packets captured' "$WORK/tcpdump.log" || echo '?')" \
        "$(wc -l <"$KEYS")"
}

# a GET for gnutls-serv --http: stdin stays open 2 s so the client does not close the
# session before the answer; the server answers, sends close_notify and closes.  The
# request goes through a file so that it reaches the client in one write() (bash's
# printf writes line by line to a pipe) and the client sends it in one TLS record.
http_get() { # path
    printf 'GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: synfin-record-tls\r\n\r\n' "$1" "$NAME" >"$WORK/request"
    cat "$WORK/request"
    sleep 2
}

GNUTLS_SERV_PRIO="NORMAL:+VERS-TLS1.1:+VERS-TLS1.0:+AES-128-CCM:+AES-256-CCM:+DHE-RSA:+RSA:+SHA256:+SHA384"

# start_gnutls_serv CERT KEY [extra options...]: on 443, answering GET with body.txt
start_gnutls_serv() {
    local cert=$1 key=$2
    shift 2
    bg_in_s gnutls-serv -p 443 --http --httpdata "$WORK/body.txt" \
        --x509certfile "$cert" --x509keyfile "$key" "$@" >>"$WORK/server.log" 2>&1
    wait_listen 443
}

# gnutls_get NAME PRIORITY [gnutls-cli options...]: one GET /NAME over a fresh connection
gnutls_get() {
    local name=$1 prio=$2
    shift 2
    http_get "/$(basename "$name")" | in_c env SSLKEYLOGFILE="$KEYS" timeout 20 \
        gnutls-cli -p 443 --x509cafile "$CERTS/ca.pem" --priority "$prio" "$@" "$NAME" \
        >>"$WORK/client.log" 2>&1 || { echo "record-tls.sh: gnutls-cli failed for $name" >&2; tail -5 "$WORK/client.log" >&2; return 1; }
}

# ---------------------------------------------------------------- TLS scenarios
rec_tls12_ecdhe_rsa() {
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -a --alpn=http/1.1 \
        --priority "$GNUTLS_SERV_PRIO"
    start_capture tls12-ecdhe-rsa "tcp port 443"
    gnutls_get tls12-ecdhe-rsa "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA" \
        --alpn=http/1.1
    stop_capture
    stop_bg
}

rec_tls12_rsa_kx() {
    # OpenSSL client, GnuTLS server; static RSA key exchange (no forward secrecy)
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -a --priority "$GNUTLS_SERV_PRIO"
    start_capture tls12-rsa-kx "tcp port 443"
    http_get /tls12-rsa-kx | in_c timeout 20 openssl s_client -quiet -connect "$NAME:443" \
        -servername "$NAME" -verify_hostname "$NAME" -CAfile "$CERTS/ca.pem" -verify_return_error \
        -tls1_2 -cipher AES128-GCM-SHA256 -keylogfile "$KEYS" >>"$WORK/client.log" 2>&1
    stop_capture
    stop_bg
}

rec_tls13_full() {
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -a --priority "$GNUTLS_SERV_PRIO"
    start_capture tls13-full "tcp port 443"
    gnutls_get tls13-full "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM"
    stop_capture
    stop_bg
}

rec_tls13_psk_resume() {
    # OpenSSL client: the first connection saves the session (with the ticket that
    # arrived after the handshake), the second offers it as a PSK (psk_dhe_ke).
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -a --priority "$GNUTLS_SERV_PRIO"
    start_capture tls13-psk-resume "tcp port 443"
    http_get /tls13-psk-resume-1 | in_c timeout 20 openssl s_client -quiet -connect "$NAME:443" \
        -servername "$NAME" -verify_hostname "$NAME" -CAfile "$CERTS/ca.pem" -verify_return_error \
        -tls1_3 -sess_out "$WORK/tls13.sess" -keylogfile "$KEYS" >>"$WORK/client.log" 2>&1
    sleep 0.3
    http_get /tls13-psk-resume-2 | in_c timeout 20 openssl s_client -quiet -connect "$NAME:443" \
        -servername "$NAME" -verify_hostname "$NAME" -CAfile "$CERTS/ca.pem" -verify_return_error \
        -tls1_3 -sess_in "$WORK/tls13.sess" -keylogfile "$KEYS" >>"$WORK/client.log" 2>&1
    stop_capture
    stop_bg
}

rec_tls12_sessionid_resume() {
    # no tickets on either side: the second ClientHello offers the first session's ID
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -a --noticket --priority "$GNUTLS_SERV_PRIO"
    start_capture tls12-sessionid-resume "tcp port 443"
    http_get /tls12-sessionid-resume-1 | in_c timeout 20 openssl s_client -quiet -connect "$NAME:443" \
        -servername "$NAME" -verify_hostname "$NAME" -CAfile "$CERTS/ca.pem" -verify_return_error \
        -tls1_2 -no_ticket -sess_out "$WORK/tls12.sess" -keylogfile "$KEYS" >>"$WORK/client.log" 2>&1
    sleep 0.3
    http_get /tls12-sessionid-resume-2 | in_c timeout 20 openssl s_client -quiet -connect "$NAME:443" \
        -servername "$NAME" -verify_hostname "$NAME" -CAfile "$CERTS/ca.pem" -verify_return_error \
        -tls1_2 -no_ticket -sess_in "$WORK/tls12.sess" -keylogfile "$KEYS" >>"$WORK/client.log" 2>&1
    stop_capture
    stop_bg
}

rec_tls12_anon_ecdh() {
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -a \
        --priority "NORMAL:+ANON-ECDH:-VERS-TLS1.3"
    start_capture tls12-anon-ecdh "tcp port 443"
    gnutls_get tls12-anon-ecdh "NORMAL:-KX-ALL:+ANON-ECDH:-VERS-TLS1.3"
    stop_capture
    stop_bg
}

rec_tls12_psk() {
    local key
    key=$(sed -n 's/^synfin://p' "$CERTS/psk-passwd.txt")
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -a \
        --pskpasswd "$CERTS/psk-passwd.txt" --priority "NORMAL:+PSK:+ECDHE-PSK:-VERS-TLS1.3"
    start_capture tls12-psk "tcp port 443"
    gnutls_get tls12-psk "NORMAL:-KX-ALL:+PSK:-VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM" \
        --pskusername synfin --pskkey "$key"
    stop_capture
    stop_bg
}

rec_tls12_client_cert() {
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -r --verify-client-cert \
        --x509cafile "$CERTS/ca.pem" --priority "$GNUTLS_SERV_PRIO"
    start_capture tls12-client-cert "tcp port 443"
    gnutls_get tls12-client-cert "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA" \
        --x509certfile "$CERTS/client.pem" --x509keyfile "$CERTS/client.key"
    stop_capture
    stop_bg
}

rec_tls_failed_untrusted() {
    # self-signed server certificate: gnutls-cli rejects it with a fatal bad_certificate
    # alert right after ServerHelloDone (TLS 1.2: before any secret exists, so the key
    # log is empty).
    start_gnutls_serv "$CERTS/selfsigned.pem" "$CERTS/selfsigned.key" -a --priority "$GNUTLS_SERV_PRIO"
    start_capture tls-failed-untrusted "tcp port 443"
    if gnutls_get tls-failed-untrusted "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA" 2>/dev/null \
        && ! grep -q "verification of server certificate failed" "$WORK/client.log"; then
        echo "record-tls.sh: tls-failed-untrusted: the client accepted the certificate" >&2
    fi
    stop_capture
    stop_bg
}

rec_tls12_expired() {
    # expired (2020) certificate from the test CA; the client is told to go on anyway
    start_gnutls_serv "$CERTS/expired-chain.pem" "$CERTS/expired.key" -a --priority "$GNUTLS_SERV_PRIO"
    start_capture tls12-expired "tcp port 443"
    gnutls_get tls12-expired "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA" --insecure
    stop_capture
    stop_bg
}

rec_https_get() {
    # curl (OpenSSL) against openssl s_server -HTTP serving hello.txt; ALPN http/1.1
    (cd "$WORK/www" && exec ip netns exec "$NS_S" openssl s_server -accept 443 -naccept 1 \
        -cert "$CERTS/server.pem" -key "$CERTS/server.key" -cert_chain "$CERTS/ca.pem" \
        -alpn http/1.1 -HTTP -quiet) >>"$WORK/server.log" 2>&1 &
    BG_PIDS+=($!)
    wait_listen 443
    start_capture https-get "tcp port 443"
    in_c env SSLKEYLOGFILE="$KEYS" timeout 20 curl -sS --http1.1 --cacert "$CERTS/ca.pem" \
        -A synfin-record-tls -o "$WORK/https-get.out" "https://$NAME/hello.txt" >>"$WORK/client.log" 2>&1
    cmp -s "$WORK/https-get.out" "$WORK/hello.body" || echo "record-tls.sh: https-get: body differs" >&2
    stop_capture
    stop_bg
}

rec_http_pipelined_chunked() {
    bg_in_s "$PY" "$WORK/http_chunked_server.py" "$SRV4" 80
    wait_listen 80
    start_capture http-pipelined-chunked "tcp port 80"
    in_c "$PY" "$WORK/http_chunked_client.py" "$NAME" 80
    stop_capture
    rm -f "$KEYS"              # plain HTTP: no key log
    stop_bg
}

# ---------------------------------------------------------------- cipher matrix
# GnuTLS on both sides, one (version, suite) per capture, chosen by the client's priority
# string; the server offers everything (GNUTLS_SERV_PRIO).
rec_cipher() { # name client-priority [gnutls-cli options...]
    local name=ciphers/$1 prio=$2
    shift 2
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -a --priority "$GNUTLS_SERV_PRIO"
    start_capture "$name" "tcp port 443"
    gnutls_get "$name" "$prio" "$@"
    stop_capture
    stop_bg
}
T13="NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL"
T12="NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:-KX-ALL"
T11="NORMAL:-VERS-ALL:+VERS-TLS1.1:-CIPHER-ALL:-KX-ALL"
T10="NORMAL:-VERS-ALL:+VERS-TLS1.0:-CIPHER-ALL:-KX-ALL"

# The legacy suites (3DES, Camellia, RC4, NULL) that GnuTLS 3.7 still runs when asked:
# the server offers them all (NORMAL leaves them out), the client picks one.
GNUTLS_SERV_LEGACY="NORMAL:+VERS-TLS1.1:+VERS-TLS1.0:+3DES-CBC:+ARCFOUR-128:+CAMELLIA-128-CBC:+CAMELLIA-256-CBC"
GNUTLS_SERV_LEGACY+=":+CAMELLIA-128-GCM:+CAMELLIA-256-GCM:+NULL:+MD5:+SHA256:+SHA384:+RSA:+DHE-RSA"
rec_legacy() { # name client-priority [gnutls-cli options...]
    local name=ciphers/$1 prio=$2
    shift 2
    start_gnutls_serv "$CERTS/server-chain.pem" "$CERTS/server.key" -a --priority "$GNUTLS_SERV_LEGACY"
    start_capture "$name" "tcp port 443"
    gnutls_get "$name" "$prio" "$@"
    stop_capture
    stop_bg
}

# SSL 3.0 and export suites: scapy on both sides (scapy-tls-peer.py), one GET / each.
rec_scapy() { # name version suite
    local name=ciphers/$1
    # the leaf alone: scapy would send a chain file as one certificate entry holding both
    bg_in_s "$PY" "$HERE/scapy-tls-peer.py" server "$SRV4" 443 "$CERTS/server.pem" "$CERTS/server.key" \
        >>"$WORK/server.log" 2>&1
    wait_listen 443
    start_capture "$name" "tcp port 443"
    in_c timeout 30 "$PY" "$HERE/scapy-tls-peer.py" client "$NAME" 443 "$2" "$3" "$NAME" "$KEYS" \
        >>"$WORK/client.log" 2>&1 || { echo "record-tls.sh: scapy client failed for $name" >&2; return 1; }
    stop_capture
    stop_bg
}
rec_scenario() {
    case $1 in
        tls12-ecdhe-rsa) rec_tls12_ecdhe_rsa ;;
        tls12-rsa-kx) rec_tls12_rsa_kx ;;
        tls13-full) rec_tls13_full ;;
        tls13-psk-resume) rec_tls13_psk_resume ;;
        tls12-sessionid-resume) rec_tls12_sessionid_resume ;;
        tls12-anon-ecdh) rec_tls12_anon_ecdh ;;
        tls12-psk) rec_tls12_psk ;;
        tls12-client-cert) rec_tls12_client_cert ;;
        tls-failed-untrusted) rec_tls_failed_untrusted ;;
        tls12-expired) rec_tls12_expired ;;
        https-get) rec_https_get ;;
        http-pipelined-chunked) rec_http_pipelined_chunked ;;
        ciphers/tls13-aes128gcm) rec_cipher tls13-aes128gcm "$T13:+AES-128-GCM" ;;
        ciphers/tls13-aes256gcm) rec_cipher tls13-aes256gcm "$T13:+AES-256-GCM" ;;
        ciphers/tls13-chacha20) rec_cipher tls13-chacha20 "$T13:+CHACHA20-POLY1305" ;;
        ciphers/tls13-aes128ccm) rec_cipher tls13-aes128ccm "$T13:+AES-128-CCM" ;;
        ciphers/tls12-aes128gcm) rec_cipher tls12-aes128gcm "$T12:+ECDHE-RSA:+AES-128-GCM" ;;
        ciphers/tls12-aes256gcm) rec_cipher tls12-aes256gcm "$T12:+ECDHE-RSA:+AES-256-GCM" ;;
        ciphers/tls12-chacha20) rec_cipher tls12-chacha20 "$T12:+ECDHE-RSA:+CHACHA20-POLY1305" ;;
        # no ECDHE_RSA suite with CCM exists: DHE_RSA (ffdhe group from RFC 7919)
        ciphers/tls12-aes128ccm) rec_cipher tls12-aes128ccm "$T12:+DHE-RSA:+AES-128-CCM" ;;
        ciphers/tls12-cbc-sha1-etm) rec_cipher tls12-cbc-sha1-etm "$T12:+ECDHE-RSA:+AES-128-CBC:-MAC-ALL:+SHA1" ;;
        ciphers/tls12-cbc-sha1-mte) rec_cipher tls12-cbc-sha1-mte "$T12:+ECDHE-RSA:+AES-128-CBC:-MAC-ALL:+SHA1:%NO_ETM" ;;
        ciphers/tls12-cbc-sha384) rec_cipher tls12-cbc-sha384 "$T12:+ECDHE-RSA:+AES-256-CBC:-MAC-ALL:+SHA384" ;;
        # TLS 1.1 and 1.0: MAC-then-encrypt, as peers of that age did (%NO_ETM)
        ciphers/tls11-cbc-sha1) rec_cipher tls11-cbc-sha1 "NORMAL:-VERS-ALL:+VERS-TLS1.1:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1:-KX-ALL:+ECDHE-RSA:%NO_ETM" ;;
        ciphers/tls10-cbc-sha1) rec_cipher tls10-cbc-sha1 "NORMAL:-VERS-ALL:+VERS-TLS1.0:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1:-KX-ALL:+ECDHE-RSA:%NO_ETM" ;;
        # legacy suites: 8-byte blocks (3DES, explicit and chained IVs), Camellia CBC and
        # GCM, the RC4 stream with SHA-1 and MD5 MACs, and NULL (plaintext + MAC)
        ciphers/tls12-3des) rec_legacy tls12-3des "$T12:+ECDHE-RSA:+3DES-CBC:-MAC-ALL:+SHA1" ;;
        ciphers/tls10-3des) rec_legacy tls10-3des "$T10:+RSA:+3DES-CBC:-MAC-ALL:+SHA1:%NO_ETM" ;;
        ciphers/tls12-camellia128-cbc) rec_legacy tls12-camellia128-cbc "$T12:+DHE-RSA:+CAMELLIA-128-CBC:-MAC-ALL:+SHA1:%NO_ETM" ;;
        ciphers/tls12-camellia256-cbc-sha256) rec_legacy tls12-camellia256-cbc-sha256 "$T12:+RSA:+CAMELLIA-256-CBC:-MAC-ALL:+SHA256" ;;
        ciphers/tls12-camellia128-gcm) rec_legacy tls12-camellia128-gcm "$T12:+ECDHE-RSA:+CAMELLIA-128-GCM" ;;
        ciphers/tls12-camellia256-gcm) rec_legacy tls12-camellia256-gcm "$T12:+ECDHE-RSA:+CAMELLIA-256-GCM" ;;
        ciphers/tls12-rc4-sha) rec_legacy tls12-rc4-sha "$T12:+ECDHE-RSA:+ARCFOUR-128:-MAC-ALL:+SHA1" ;;
        ciphers/tls10-rc4-md5) rec_legacy tls10-rc4-md5 "$T10:+RSA:+ARCFOUR-128:-MAC-ALL:+MD5" ;;
        ciphers/tls12-null-sha) rec_legacy tls12-null-sha "$T12:+ECDHE-RSA:+NULL:-MAC-ALL:+SHA1" ;;
        ciphers/tls12-null-sha256) rec_legacy tls12-null-sha256 "$T12:+RSA:+NULL:-MAC-ALL:+SHA256" ;;
        ciphers/tls11-null-md5) rec_legacy tls11-null-md5 "$T11:+RSA:+NULL:-MAC-ALL:+MD5" ;;
        # SSL 3.0 (its own key block and MAC) and the export suites (5-byte keys expanded)
        ciphers/ssl3-3des) rec_scapy ssl3-3des 0x0300 0x000a ;;
        ciphers/ssl3-rc4-md5) rec_scapy ssl3-rc4-md5 0x0300 0x0004 ;;
        ciphers/ssl3-null-sha) rec_scapy ssl3-null-sha 0x0300 0x0002 ;;
        ciphers/ssl3-export-rc4-40) rec_scapy ssl3-export-rc4-40 0x0300 0x0003 ;;
        ciphers/ssl3-export-des40) rec_scapy ssl3-export-des40 0x0300 0x0008 ;;
        ciphers/tls10-export-rc4-40) rec_scapy tls10-export-rc4-40 0x0301 0x0003 ;;
        ciphers/tls10-export-des40) rec_scapy tls10-export-des40 0x0301 0x0008 ;;
        *) echo "record-tls.sh: no scenario $1" >&2; return 1 ;;
    esac
}

# ---------------------------------------------------------------- main
setup_netns
make_certs
write_helpers
echo "recording into $OUT"
for s in "${ONLY[@]}"; do
    : >"$WORK/server.log"
    : >"$WORK/client.log"
    rec_scenario "$s"         # any failure stops the script (set -e); cleanup runs on EXIT
done
if [[ $VERIFY -eq 1 ]]; then
    if command -v tshark >/dev/null; then
        "$PY" "$HERE/verify-tls.py" "$OUT" --expect "$HERE/tls"
    else
        echo "record-tls.sh: tshark not found: results not checked" >&2
    fi
fi
echo "done"
