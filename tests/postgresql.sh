#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# postgresql.sh - the README's PostgreSQL recipe on a throwaway server: initdb
# and pg_ctl in a temporary directory (its own socket directory and port, no
# TCP), contrib/postgresql.sql loaded, every capture in captures/ run through
# synfin --json and loaded as the README says, then each recipe view checked
# against the same answer computed from the JSON (tests/postgresql.py).  The
# server is stopped at the end, whatever happened.  As root the server and the
# clients run as nobody (initdb refuses root).  Skipped (77) when PostgreSQL's
# server programs or python3 are absent.
set -u
: "${SYNFIN:?}" "${SRCDIR:?}"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
bin=
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) $(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)"); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { bin=$d; break; }
done
[ -n "$bin" ] || { echo "SKIP: PostgreSQL is not installed (apt-get install -y postgresql)"; exit 77; }
command -v psql >/dev/null 2>&1 || [ -x "$bin/psql" ] || { echo "SKIP: psql not found"; exit 77; }
psql=$(command -v psql || echo "$bin/psql")

tmp=$(mktemp -d)
as=()
if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: the server and its clients run as nobody
    if command -v runuser >/dev/null 2>&1; then as=(runuser -u nobody --)
    elif command -v setpriv >/dev/null 2>&1; then as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    else echo "SKIP: root, and neither runuser nor setpriv to become nobody"; rm -rf "$tmp"; exit 77; fi
    chown nobody "$tmp"
fi
port=$((20000 + $$ % 20000))
pg_stop() { "${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1; rm -rf "$tmp"; }
trap pg_stop EXIT
trap 'exit 1' INT TERM HUP

"${as[@]}" "$bin/initdb" -D "$tmp/data" -U synfin -A trust -E UTF8 --locale=C --no-sync >"$tmp/initdb.log" 2>&1 ||
    { echo "FAIL: initdb"; cat "$tmp/initdb.log"; exit 1; }
"${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 30 \
    -o "-k $tmp -p $port -c listen_addresses= -c fsync=off" start >/dev/null ||
    { echo "FAIL: pg_ctl start"; cat "$tmp/server.log"; exit 1; }
db=("${as[@]}" "$psql" -X -q -h "$tmp" -p "$port" -U synfin -d postgres -v ON_ERROR_STOP=1)

# the recipe, as the README gives it: the table and views, then one \copy per run
cp "$SRCDIR/contrib/postgresql.sql" "$tmp/"
"${db[@]}" -f "$tmp/postgresql.sql" || { echo "FAIL: contrib/postgresql.sql does not load"; exit 1; }
args=()
n=0
for f in "$SRCDIR"/captures/*.pcap "$SRCDIR"/captures/*.pcapng "$SRCDIR"/captures/tls/*.pcap; do
    run=$(basename "$f"); run=${run%.*}
    "$SYNFIN" -q --json --ca-file "$SRCDIR/captures/tls/certs/ca.pem" -r "$f" >"$tmp/$run.jsonl" 2>"$tmp/err"
    if grep -qE 'runtime error:|Sanitizer' "$tmp/err"; then echo "FAIL: $f: sanitizer report"; cat "$tmp/err"; exit 1; fi
    [ -s "$tmp/$run.jsonl" ] || continue
    chmod 644 "$tmp/$run.jsonl"
    "${db[@]}" -c "SET synfin.run = '$run'" \
        -c "\\copy synfin_conn (doc) FROM '$tmp/$run.jsonl' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" ||
        { echo "FAIL: loading $run.jsonl"; exit 1; }
    args+=("$run=$tmp/$run.jsonl")
    n=$((n + 1))
done
# and one run with --time-format iso: the same times must come out of the ISO text
"$SYNFIN" -q --json --time-format iso --ca-file "$SRCDIR/captures/tls/certs/ca.pem" -r "$SRCDIR/captures/tls/tls13-full.pcap" >"$tmp/iso.jsonl"
chmod 644 "$tmp/iso.jsonl"
"${db[@]}" -c "SET synfin.run = 'iso'" \
    -c "\\copy synfin_conn (doc) FROM '$tmp/iso.jsonl' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" ||
    { echo "FAIL: loading an --time-format iso run"; exit 1; }
iso=$("${db[@]}" -A -t -c "SELECT a.first_ts = b.first_ts AND a.last_ts = b.last_ts FROM synfin_conn a JOIN synfin_conn b USING (id) WHERE a.run = 'iso' AND b.run = 'tls13-full'")
[ "$iso" = t ] || { echo "FAIL: first_ts/last_ts from --time-format iso differ from the epoch ones ($iso)"; exit 1; }
"${db[@]}" -c "DELETE FROM synfin_conn WHERE run = 'iso'"
echo "ok   $n runs loaded into PostgreSQL $("$bin/postgres" --version | awk '{print $3}') as the README says; ISO and epoch times agree"
python3 "$SRCDIR/tests/postgresql.py" "${db[*]}" "${args[@]}"
