#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# record-upgrade.sh - record TLS that starts inside another protocol into small classic-pcap
# files: STARTTLS in SMTP, IMAP, POP3, FTP, XMPP, NNTP and LDAP, PostgreSQL's and MySQL's SSL
# requests, and TLS through an HTTP CONNECT proxy and SOCKS4a/SOCKS5 proxies; each with the key
# log its TLS client wrote; and the refused upgrades (SMTP 454, IMAP BAD, PostgreSQL 'N', CONNECT
# 403, SOCKS5 "not allowed"), which stay clear text.
#
# Usage (as root):
#   captures/record-upgrade.sh [-o OUTDIR] [--list] [SCENARIO...]
#
#   OUTDIR     default: captures/upgrade/ beside this script
#   --list     print the scenario names and exit
#   SCENARIO   record only these; default all
#   DEBUG_LOGS=1 in the environment prints the peers' logs after each recording
#
# Same approach as record-tls.sh: two private network namespaces joined by one veth pair,
#
#     netns synfin-up-cli                       netns synfin-up-srv
#     synfin-uc 10.99.2.2/24  <--- veth --->  synfin-us 10.99.2.1/24
#
# and nothing else: no packet can leave the machine.  The client programs run in a private
# mount namespace whose /etc/hosts says "10.99.2.1 www.synfin.test".  tcpdump runs in the server
# namespace (Ethernet, classic pcap, microseconds), offloads off.  Certificates: the TLS
# recordings' test CA and server certificate (captures/tls/certs/).
#
# Peers: the TLS clients are openssl s_client -starttls PROTO (its -keylogfile is the key log),
# curl through the proxies (SSLKEYLOGFILE) and, for PostgreSQL, a real PostgreSQL server
# (initdb, run as nobody) with s_client for TLS and psql for the refused upgrade.  The other
# servers, the proxies and the clients of the refused SMTP and IMAP upgrades (smtplib, imaplib)
# are upgrade-peers.py beside this script (python3 standard library).
#
# Needs: iproute2, util-linux (unshare, runuser), tcpdump, openssl, curl, python3, ethtool
# (optional), postgresql (initdb, pg_ctl) and postgresql-client (psql).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE/upgrade
CERTS=$HERE/tls/certs
ONLY=()
ALL_SCENARIOS=(
    smtp-starttls imap-starttls pop3-stls ftp-auth-tls xmpp-starttls nntp-starttls ldap-starttls
    postgresql-ssl mysql-ssl http-connect socks5 socks4a
    smtp-starttls-refused imap-starttls-refused postgresql-ssl-refused http-connect-refused socks5-refused
)

while [[ $# -gt 0 ]]; do
    case $1 in
        -o) OUT=$2; shift 2 ;;
        --list) printf '%s\n' "${ALL_SCENARIOS[@]}"; exit 0 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "record-upgrade.sh: unknown option $1" >&2; exit 2 ;;
        *) ONLY+=("$1"); shift ;;
    esac
done
for s in "${ONLY[@]}"; do
    [[ " ${ALL_SCENARIOS[*]} " == *" $s "* ]] || { echo "record-upgrade.sh: no scenario '$s' (see --list)" >&2; exit 2; }
done
[[ ${#ONLY[@]} -gt 0 ]] || ONLY=("${ALL_SCENARIOS[@]}")

if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
    echo "record-upgrade.sh: must run as root (network namespaces, tcpdump)" >&2
    exit 1
fi
for tool in ip unshare runuser tcpdump ss openssl curl timeout; do
    command -v "$tool" >/dev/null || { echo "record-upgrade.sh: $tool not found" >&2; exit 1; }
done
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)
PEERS=$HERE/upgrade-peers.py
[[ -s $CERTS/server-chain.pem && -s $CERTS/server.key && -s $CERTS/ca.pem ]] ||
    { echo "record-upgrade.sh: $CERTS lacks the test certificates (captures/record-tls.sh makes them)" >&2; exit 1; }
unset SSLKEYLOGFILE

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
NS_S=synfin-up-srv
NS_C=synfin-up-cli
IF_S=synfin-us
IF_C=synfin-uc
SRV4=10.99.2.1
CLI4=10.99.2.2
NAME=www.synfin.test

WORK=$(mktemp -d /tmp/synfin-record-upgrade.XXXXXX)
chmod 755 "$WORK"
BG_PIDS=()
TCPDUMP_PID=
CUR_NAME=
KEYS=
PGDATA=

cleanup() {
    local rc=$?
    set +e
    if [[ $rc -ne 0 ]]; then
        [[ -s $WORK/client.log ]] && { echo "--- client log (tail):" >&2; tail -8 "$WORK/client.log" >&2; }
        [[ -s $WORK/server.log ]] && { echo "--- server log (tail):" >&2; tail -8 "$WORK/server.log" >&2; }
    fi
    if [[ -n $TCPDUMP_PID ]]; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null
        echo "record-upgrade.sh: stopped during $CUR_NAME: $CUR_NAME.pcap is incomplete, re-record it" >&2
    fi
    stop_pg
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    ip netns del "$NS_C" 2>/dev/null
    ip netns del "$NS_S" 2>/dev/null
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_s() { ip netns exec "$NS_S" "$@"; }
in_c() { ip netns exec "$NS_C" unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$WORK/hosts" "$@"; }
bg_in_s() { ip netns exec "$NS_S" timeout 60 "$@" >>"$WORK/server.log" 2>&1 & BG_PIDS+=($!); }
stop_bg() {
    local p
    for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
    BG_PIDS=()
}

setup_netns() {
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    ip netns add "$NS_S"
    ip netns add "$NS_C"
    ip link add "$IF_S" netns "$NS_S" type veth peer name "$IF_C" netns "$NS_C"
    ip -n "$NS_S" link set "$IF_S" address 02:00:00:99:02:01
    ip -n "$NS_C" link set "$IF_C" address 02:00:00:99:02:02
    ip -n "$NS_S" link set lo up
    ip -n "$NS_C" link set lo up
    ip -n "$NS_S" addr add "$SRV4/24" dev "$IF_S"
    ip -n "$NS_C" addr add "$CLI4/24" dev "$IF_C"
    ip -n "$NS_S" link set "$IF_S" up
    ip -n "$NS_C" link set "$IF_C" up
    if command -v ethtool >/dev/null; then
        in_s ethtool -K "$IF_S" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
        ip netns exec "$NS_C" ethtool -K "$IF_C" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
    fi
    printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$SRV4" "$NAME" >"$WORK/hosts"
    # what the HTTPS backend behind the proxies serves
    mkdir -p "$WORK/www"
    local body='hello through a tunnel, recorded by synfin record-upgrade.sh
'
    printf 'HTTP/1.1 200 OK\r\nServer: synfin-record-upgrade\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
        "${#body}" "$body" >"$WORK/www/hello.txt"
}

wait_listen() { # port
    local i
    for i in $(seq 1 100); do
        in_s ss -Hltn "sport = :$1" | grep -q LISTEN && return 0
        sleep 0.1
    done
    echo "record-upgrade.sh: nothing listens on port $1" >&2
    return 1
}

start_capture() { # NAME PORT
    local file="$OUT/$1.pcap" i
    rm -f "$file" "$OUT/$1.keys"
    CUR_NAME=$1
    KEYS=$OUT/$1.keys
    : >"$WORK/tcpdump.log"
    ip netns exec "$NS_S" tcpdump -i "$IF_S" -n -U -s 0 -Z root -w "$file" "tcp port $2" 2>"$WORK/tcpdump.log" &
    TCPDUMP_PID=$!
    for i in $(seq 1 100); do
        grep -q "listening on" "$WORK/tcpdump.log" && break
        sleep 0.1
    done
    grep -q "listening on" "$WORK/tcpdump.log" || { cat "$WORK/tcpdump.log" >&2; return 1; }
    sleep 0.5
}

stop_capture() {
    [[ -z ${DEBUG_LOGS:-} ]] || { echo "--- server:"; cat "$WORK/server.log"; echo "--- client:"; cat "$WORK/client.log"; }
    stop_bg
    sleep 1                    # let the last ACKs and FINs go by
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    [[ -s $KEYS ]] || rm -f "$KEYS"   # the refused upgrades have no TLS: no key log
    printf '  %-32s %s%s\n' "$CUR_NAME.pcap:" "$(grep -o '[0-9]* packets captured' "$WORK/tcpdump.log" || echo '?')" \
        "$([[ -e $KEYS ]] && echo ", key log $(wc -l <"$KEYS") lines")"
}

# lines for a client's stdin, one every 0.3 s after the handshake had time (s_client sends them as typed)
typed() {
    sleep 1
    local l
    for l in "$@"; do printf '%b' "$l"; sleep 0.3; done
}

# s_client -starttls PROTO, its stdin the lines given; it stays until the server closes (-quiet)
s_client() { # proto port [extra options] -- lines...
    local proto=$1 port=$2
    shift 2
    local opts=()
    while [[ $# -gt 0 && $1 != -- ]]; do opts+=("$1"); shift; done
    shift
    typed "$@" | in_c timeout 20 openssl s_client -quiet -starttls "$proto" -connect "$NAME:$port" \
        -servername "$NAME" -verify_hostname "$NAME" -CAfile "$CERTS/ca.pem" -verify_return_error \
        -keylogfile "$KEYS" "${opts[@]}" >>"$WORK/client.log" 2>&1 ||
        { echo "record-upgrade.sh: s_client -starttls $proto failed" >&2; tail -5 "$WORK/client.log" >&2; return 1; }
}

peer_server() { # proto port [--refuse]
    bg_in_s "$PY" "$PEERS" server "$1" "$SRV4" "$2" "$CERTS/server-chain.pem" "$CERTS/server.key" "${@:3}"
    wait_listen "$2"
}

rec_starttls() { # name proto port [s_client options] -- lines...
    local name=$1 proto=$2 port=$3
    shift 3
    peer_server "$proto" "$port"
    start_capture "$name" "$port"
    s_client "$proto" "$port" "$@"
    stop_capture
}

# ---------------------------------------------------------------- PostgreSQL
start_pg() { # ssl on|off
    PGDATA=$WORK/pg
    if [[ ! -d $PGDATA ]]; then
        mkdir -p "$PGDATA"
        chown nobody "$PGDATA"
        runuser -u nobody -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U nobody >/dev/null
        install -o nobody -m 600 "$CERTS/server.key" "$PGDATA/server.key"
        install -o nobody -m 644 "$CERTS/server-chain.pem" "$PGDATA/server.crt"
        printf 'host all all 10.99.2.0/24 trust\n' >>"$PGDATA/pg_hba.conf"
    fi
    in_s runuser -u nobody -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/pg.log" -w start \
        -o "-c listen_addresses=$SRV4 -c port=5432 -c unix_socket_directories=$PGDATA -c ssl=$1" >/dev/null
    wait_listen 5432
}
stop_pg() {
    [[ -n $PGDATA && -f $PGDATA/postmaster.pid ]] || return 0
    in_s runuser -u nobody -- "$PGBIN/pg_ctl" -D "$PGDATA" -w stop -m fast >/dev/null 2>&1 || true
}

rec_postgresql_ssl() {
    start_pg on
    start_capture postgresql-ssl 5432
    # inside TLS: a StartupMessage (user nobody, database postgres), then Terminate
    s_client postgres 5432 -- \
        '\x00\x00\x00\x2a\x00\x03\x00\x00user\x00nobody\x00database\x00postgres\x00\x00' 'X\x00\x00\x00\x04'
    stop_capture
    stop_pg
}

rec_postgresql_ssl_refused() {
    start_pg off
    start_capture postgresql-ssl-refused 5432
    # psql asks for TLS (sslmode=prefer), hears 'N', and goes on in clear text
    in_c timeout 20 runuser -u nobody -- psql "host=$NAME port=5432 user=nobody dbname=postgres sslmode=prefer" \
        -X -A -t -c "SELECT 'hello from psql in clear text'" >>"$WORK/client.log" 2>&1
    stop_capture
    stop_pg
}

# ---------------------------------------------------------------- proxies
start_backend() { # the HTTPS server behind the proxies, on 443
    (cd "$WORK/www" && exec ip netns exec "$NS_S" openssl s_server -accept 443 -naccept 1 \
        -cert "$CERTS/server.pem" -key "$CERTS/server.key" -cert_chain "$CERTS/ca.pem" -HTTP -quiet) \
        >>"$WORK/server.log" 2>&1 &
    BG_PIDS+=($!)
    wait_listen 443
}

curl_through() { # proxy options...
    in_c env SSLKEYLOGFILE="$KEYS" timeout 20 curl -sS --http1.1 --cacert "$CERTS/ca.pem" -A synfin-record-upgrade \
        -o "$WORK/curl.out" "$@" "https://$NAME/hello.txt" >>"$WORK/client.log" 2>&1
}

rec_proxy() { # name kind port [proxy options] -- curl options
    local name=$1 kind=$2 port=$3 refuse=0
    shift 3
    local popts=()
    while [[ $# -gt 0 && $1 != -- ]]; do popts+=("$1"); [[ $1 == --refuse ]] && refuse=1; shift; done
    shift
    [[ $refuse == 1 ]] || start_backend
    bg_in_s "$PY" "$PEERS" proxy "$kind" "$SRV4" "$port" 127.0.0.1 443 "${popts[@]}"
    wait_listen "$port"
    start_capture "$name" "$port"
    if curl_through "$@"; then
        [[ $refuse == 0 ]] || { echo "record-upgrade.sh: $name: curl got through a refusing proxy" >&2; return 1; }
        grep -q "hello through a tunnel" "$WORK/curl.out" || { echo "record-upgrade.sh: $name: body differs" >&2; return 1; }
    else
        [[ $refuse == 1 ]] || { echo "record-upgrade.sh: $name: curl failed" >&2; tail -3 "$WORK/client.log" >&2; return 1; }
    fi
    stop_capture
}

rec_refused_client() { # name proto port
    peer_server "$2" "$3" --refuse
    start_capture "$1" "$3"
    in_c timeout 20 "$PY" "$PEERS" client "$2" "$NAME" "$3" >>"$WORK/client.log" 2>&1
    stop_capture
}

# A MySQL HandshakeResponse41 (sequence 2, inside TLS): user synfin, no password.
MYSQL_RESPONSE='\x2f\x00\x00\x02\x85\xaa\x0f\x00\x00\x00\x00\x01\x21'
MYSQL_RESPONSE+='\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
MYSQL_RESPONSE+='synfin\x00\x00mysql_native_password\x00'

rec_scenario() {
    case $1 in
        smtp-starttls) rec_starttls smtp-starttls smtp 25 -name client.synfin.test -crlf -- \
            'EHLO client.synfin.test\n' 'QUIT\n' ;;
        imap-starttls) rec_starttls imap-starttls imap 143 -crlf -- 'a1 NOOP\n' 'a2 LOGOUT\n' ;;
        pop3-stls) rec_starttls pop3-stls pop3 110 -crlf -- 'CAPA\n' 'QUIT\n' ;;
        ftp-auth-tls) rec_starttls ftp-auth-tls ftp 21 -crlf -- 'SYST\n' 'QUIT\n' ;;
        xmpp-starttls) rec_starttls xmpp-starttls xmpp 5222 -xmpphost "$NAME" -- \
            "<stream:stream to='$NAME' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>" \
            '</stream:stream>' ;;
        nntp-starttls) rec_starttls nntp-starttls nntp 119 -crlf -- 'DATE\n' 'QUIT\n' ;;
        ldap-starttls) rec_starttls ldap-starttls ldap 389 -- '\x30\x05\x02\x01\x02\x42\x00' ;;
        mysql-ssl) rec_starttls mysql-ssl mysql 3306 -- "$MYSQL_RESPONSE" ;;
        postgresql-ssl) rec_postgresql_ssl ;;
        http-connect) rec_proxy http-connect http 3128 -- -p -x "http://$SRV4:3128" ;;
        socks5) rec_proxy socks5 socks 1080 --auth synfin:tunnel-secret -- \
            --socks5-hostname "$SRV4:1080" --proxy-user synfin:tunnel-secret ;;
        socks4a) rec_proxy socks4a socks 1080 -- --socks4a "$SRV4:1080" ;;
        smtp-starttls-refused) rec_refused_client smtp-starttls-refused smtp 25 ;;
        imap-starttls-refused) rec_refused_client imap-starttls-refused imap 143 ;;
        postgresql-ssl-refused) rec_postgresql_ssl_refused ;;
        http-connect-refused) rec_proxy http-connect-refused http 3128 --refuse -- -p -x "http://$SRV4:3128" ;;
        socks5-refused) rec_proxy socks5-refused socks 1080 --refuse -- --socks5-hostname "$SRV4:1080" ;;
        *) echo "record-upgrade.sh: no scenario $1" >&2; return 1 ;;
    esac
}

setup_netns
echo "recording into $OUT"
for s in "${ONLY[@]}"; do
    : >"$WORK/server.log"
    : >"$WORK/client.log"
    rec_scenario "$s"
done
if command -v tshark >/dev/null; then
    "$PY" "$HERE/verify-upgrade.py" "$OUT"
else
    echo "record-upgrade.sh: tshark not found: results not checked" >&2
fi
echo "done"
