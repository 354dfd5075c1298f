#!/usr/bin/env bash
# tls.sh - the TLS and HTTP recordings (captures/tls/, made by
# captures/record-tls.sh with real gnutls, openssl and python peers) against
# what each recording intends (captures/tls/tls-expect.tsv), judged as a
# client trusting only the recording's test CA would judge them.
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
exec python3 - "$SYNFIN" "$SRCDIR/captures/tls" <<'PY'
import csv, json, subprocess, sys
synfin, tdir = sys.argv[1], sys.argv[2]
ca = f"{tdir}/certs/ca.pem"
fail = 0
rows = list(csv.DictReader(open(f"{tdir}/tls-expect.tsv"), delimiter="\t"))
by_file = {}
for r in rows:
    by_file.setdefault(r["file"], []).append(r)

def dash(v):
    return "-" if v is None or v == "" else str(v)

for name, want in by_file.items():
    p = subprocess.run([synfin, "--json", "--ca-file", ca, "-r", f"{tdir}/{name}"], capture_output=True, text=True)
    conns = sorted((json.loads(l) for l in p.stdout.splitlines() if l.strip()), key=lambda c: c["id"])
    if p.returncode != 0 or len(conns) != len(want):
        fail += 1
        print(f"FAIL {name}: exit {p.returncode}, {len(conns)} connections, expected {len(want)}\n{p.stderr}")
        continue
    bad = []
    for r, c in zip(want, conns):
        t, h = c.get("tls") or {}, c.get("http") or {}
        got = {
            "app": c["app"],
            "version": dash(t.get("version")), "handshake": dash(t.get("handshake")), "sni": dash(t.get("sni")),
            "cipher": dash(t.get("cipher")), "alpn": dash(t.get("alpn")), "certificates": dash(t.get("certificates")),
            "cert_verify": dash(t.get("cert_verify")), "alert": dash(t.get("alert")),
            "http_requests": dash(h.get("requests")), "first_request": dash(h.get("first_request")),
            "first_status": dash(h.get("first_status")),
        }
        for k, v in got.items():
            if k in r and r[k] != v:
                bad.append(f"#{r['conn']} {k}: synfin {v!r}, recording says {r[k]!r}")
    if bad:
        fail += 1
        print(f"FAIL {name}: " + "; ".join(bad))
    else:
        print(f"ok   {name}: {len(conns)} connection(s) as recorded")
print(f"tls: {'all as recorded' if not fail else str(fail) + ' capture(s) differ'}")
sys.exit(1 if fail else 0)
PY
