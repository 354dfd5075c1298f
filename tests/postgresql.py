#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""postgresql.py - the README's PostgreSQL recipe gives the answers the JSON gives.

Arguments: a psql command line prefix (one argument, split on spaces), then RUN=FILE pairs of
JSON Lines already loaded into synfin_conn (contrib/postgresql.sql) under those run names.  Each
view of the recipe is queried and compared with the same question answered in Python from the
files: the rows, their order where the view orders, and the counts.
"""
import collections
import datetime
import json
import subprocess
import sys

psql = sys.argv[1].split()
runs = dict(a.split("=", 1) for a in sys.argv[2:])
conns = [(run, json.loads(l)) for run, path in runs.items() for l in open(path, encoding="utf-8")]
conns = [(run, o) for run, o in conns if "id" in o]  # the {"capture": ...} line is not loaded (the table's trigger)
fail = 0


def query(sql):
    out = subprocess.run(psql + ["-A", "-t", "-F", "\t", "-c", sql], capture_output=True, text=True)
    if out.returncode:
        print("FAIL psql: %s" % out.stderr.strip())
        sys.exit(1)
    return [l.split("\t") for l in out.stdout.splitlines() if l]


def check(name, got, want):
    global fail
    if got != want:
        fail += 1
        print("FAIL %s: PostgreSQL %d rows, the JSON %d" % (name, len(got), len(want)))
        for g, w in list(zip(got, want))[:5]:
            if g != w:
                print("    psql %r\n    json %r" % (g, w))
    else:
        print("ok   %s: %d rows agree" % (name, len(got)))


def ts(v):
    return datetime.datetime.fromtimestamp(float(v), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


# every line loaded once, every generated column as the JSON says
n = query("SELECT count(*), count(DISTINCT (run, id)) FROM synfin_conn")[0]
check("lines loaded (rows, distinct run and id)", [n], [[str(len(conns)), str(len(conns))]])
got = query("SELECT run, id, community_id, host(client_ip), client_port, host(server_ip), server_port, conn_state,"
            " history, to_char(first_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM synfin_conn ORDER BY run, id")
want = sorted(([r, str(o["id"]), o["community_id"], o["client_ip"], str(o["client_port"]), o["server_ip"],
                str(o["server_port"]), o["conn_state"], o["history"], ts(o["first_ts"])] for r, o in conns),
              key=lambda x: (x[0], int(x[1])))
check("generated columns", got, want)

# connections reset by the server
got = query("SELECT run, id FROM synfin_reset_by_server ORDER BY run, id")
want = sorted(([r, str(o["id"])] for r, o in conns if o["teardown"] == "reset" and o["closed_by"] == "server"),
              key=lambda x: (x[0], int(x[1])))
check("synfin_reset_by_server", got, want)

# the ten slowest handshakes, in the view's order
got = [[r, i, float(ms)] for r, i, ms in query("SELECT run, id, handshake_rtt_ms FROM synfin_slowest_handshakes LIMIT 10")]
want = sorted(([r, str(o["id"]), o["handshake_rtt_ms"]] for r, o in conns if o["handshake_rtt_ms"] is not None),
              key=lambda x: (-x[2], x[0], int(x[1])))[:10]
check("synfin_slowest_handshakes", got, want)

# certificates that failed verification
got = query("SELECT host(server_ip), server_port, coalesce(sni, ''), cert_verify, coalesce(subject, ''), connections"
            " FROM synfin_cert_failures ORDER BY 1, 2, 3, 4, 5")
c = collections.Counter()
for r, o in conns:
    t = o.get("tls") or {}
    if t.get("cert_verify") not in (None, "ok"):
        c[(o["server_ip"], str(o["server_port"]), t.get("sni") or "", t["cert_verify"],
           (t.get("certificate") or {}).get("subject", ""))] += 1
want = [list(k) + [str(v)] for k, v in sorted(c.items(), key=lambda kv: (kv[0][0], int(kv[0][1])) + kv[0][2:])]
check("synfin_cert_failures", got, want)

# TLS versions by server
got = query("SELECT host(server_ip), server_port, tls_version, connections FROM synfin_tls_versions_by_server"
            " ORDER BY 1, 2, 3")
c = collections.Counter((o["server_ip"], str(o["server_port"]), o["tls"]["version"] or "(none)")
                        for r, o in conns if o["app"] == "tls")
want = [list(k) + [str(v)] for k, v in sorted(c.items(), key=lambda kv: (kv[0][0], int(kv[0][1]), kv[0][2]))]
check("synfin_tls_versions_by_server", got, want)

if not any(o["app"] == "tls" for r, o in conns) or not any(o["teardown"] == "reset" for r, o in conns):
    print("FAIL: the loaded captures have no TLS or no reset connection: the views were not exercised")
    fail += 1
sys.exit(1 if fail else 0)
