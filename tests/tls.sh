#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
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
# the same recordings read with their key logs: what decryption reveals
# (captures/tls/tls-decrypted-expect.tsv: ALPN and chains of TLS 1.3, alerts, the HTTP inside)
rows = list(csv.DictReader(open(f"{tdir}/tls-decrypted-expect.tsv"), delimiter="\t"))
by_file = {}
for r in rows:
    by_file.setdefault(r["file"], []).append(r)
for name, want in by_file.items():
    keys = f"{tdir}/{name.rsplit('.', 1)[0]}.keys"
    p = subprocess.run([synfin, "--json", "--ca-file", ca, "--keylog", keys, "-r", f"{tdir}/{name}"],
                       capture_output=True, text=True)
    conns = sorted((json.loads(l) for l in p.stdout.splitlines() if l.strip()), key=lambda c: c["id"])
    if p.returncode != 0 or len(conns) != len(want):
        fail += 1
        print(f"FAIL {name} decrypted: exit {p.returncode}, {len(conns)} connections\n{p.stderr}")
        continue
    bad = []
    for r, c in zip(want, conns):
        t, h = c.get("tls") or {}, c.get("http") or {}
        got = {"alpn": dash(t.get("alpn")), "certificates": dash(t.get("certificates")), "alert": dash(t.get("alert")),
               "http_requests": dash(h.get("requests")), "first_request": dash(h.get("first_request")),
               "first_status": dash(h.get("first_status"))}
        for k, v in got.items():
            if r[k] != v:
                bad.append(f"#{r['conn']} {k}: synfin {v!r}, recording says {r[k]!r}")
        decrypted = bool(t.get("decrypted"))
        if decrypted != (r["key_log"] == "ok"):
            bad.append(f"#{r['conn']} decrypted {decrypted}, key log {r['key_log']!r} ({t.get('decrypt_note')})")
        if not decrypted and not t.get("decrypt_note"):
            bad.append(f"#{r['conn']} not decrypted and no note saying why")
    if bad:
        fail += 1
        print(f"FAIL {name} decrypted: " + "; ".join(bad))
    else:
        print(f"ok   {name} decrypted: {len(conns)} connection(s) as recorded")
# wrong keys and missing keys: never a crash, decrypted false, a note saying which
import os, tempfile
# the first protected record: the client's 4th in TLS 1.2 (ClientHello, ClientKeyExchange,
# ChangeCipherSpec, Finished), the server's 3rd in TLS 1.3 (ServerHello, ChangeCipherSpec, then)
for name, note in (("ciphers/tls12-aes128gcm", "record authentication failed at record 4 from the client"),
                   ("tls13-full", "record authentication failed at record 3 from the server")):
    good = open(f"{tdir}/{name}.keys").read().splitlines()
    bad_lines = []
    for line in good:
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#"):
            secret = parts[2]
            parts[2] = ("0" if secret[0] != "0" else "1") + secret[1:]  # one wrong digit
            line = " ".join(parts)
        bad_lines.append(line)
    with tempfile.NamedTemporaryFile("w", suffix=".keys", delete=False) as k:
        k.write("\n".join(bad_lines) + "\n")
    for keys, want in ((k.name, note), (f"{tdir}/tls12-psk.keys", "no key for this client random")):
        p = subprocess.run([synfin, "--json", "--keylog", keys, "-r", f"{tdir}/{name}.pcap"], capture_output=True, text=True)
        t = json.loads(p.stdout.splitlines()[0]).get("tls", {}) if p.returncode == 0 and p.stdout else {}
        if t.get("decrypted") is False and t.get("decrypt_note") == want and not p.stderr:
            print(f"ok   {name}: {want}")
        else:
            fail += 1
            print(f"FAIL {name}: expected decrypted false and note {want!r}, got {t.get('decrypted')} {t.get('decrypt_note')!r} {p.stderr}")
    os.unlink(k.name)
print(f"tls: {'all as recorded' if not fail else str(fail) + ' capture(s) differ'}")
sys.exit(1 if fail else 0)
PY
