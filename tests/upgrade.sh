#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# upgrade.sh - TLS after an upgrade or inside a tunnel: every capture in
# captures/upgrade/ (recorded by captures/record-upgrade.sh with real peers,
# or crafted by captures/craft.py) against what it intends
# (captures/upgrade/upgrade-expect.tsv, checked against tshark by
# captures/verify-upgrade.py): the app, the clear-text protocol and what
# became of its upgrade, tls.upgraded_from, the TLS handshake messages (read
# with the key log beside the capture) and the protocol found inside.
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
exec python3 - "$SYNFIN" "$SRCDIR/captures/upgrade" "$SRCDIR/captures/tls/certs/ca.pem" <<'PY'
import csv, json, os, subprocess, sys
synfin, d, ca = sys.argv[1], sys.argv[2], sys.argv[3]
# handshake message names (tls.messages) -> types, as tshark numbers them
TYPES = {"ClientHello": 1, "ServerHello": 2, "HelloRetryRequest": 2, "NewSessionTicket": 4, "EncryptedExtensions": 8,
         "Certificate": 11, "ServerKeyExchange": 12, "CertificateRequest": 13, "ServerHelloDone": 14,
         "CertificateVerify": 15, "ClientKeyExchange": 16, "Finished": 20}
CLEAR = ["smtp", "imap", "pop3", "ftp", "xmpp", "nntp", "ldap", "postgresql", "mysql", "socks4", "socks5"]
rows = list(csv.DictReader(open(os.path.join(d, "upgrade-expect.tsv")), delimiter="\t"))
fail = 0
cache = {}
for r in rows:
    name = r["file"]
    if name not in cache:
        keys = os.path.join(d, name[:-5] + ".keys")
        cmd = [synfin, "-q", "--json", "--ca-file", ca] + (["--keylog", keys] if os.path.exists(keys) else [])
        p = subprocess.run(cmd + ["-r", os.path.join(d, name)], capture_output=True, text=True)
        if p.returncode != 0:
            print(f"FAIL {name}: exit {p.returncode}: {p.stderr.strip()}")
            fail += 1
        cache[name] = sorted((json.loads(l) for l in p.stdout.splitlines() if l.strip()), key=lambda c: c["id"])
    conns = cache[name]
    n = int(r["conn"])
    if n > len(conns):
        print(f"FAIL {name} #{n}: only {len(conns)} connections")
        fail += 1
        continue
    c = conns[n - 1]
    t = c.get("tls") or {}
    clear = next((k for k in CLEAR if k in c), None)
    layer = c.get(clear) if clear else None
    if clear is None and "upgrade" in (c.get("http") or {}):
        clear, layer = "http", c["http"]
    inner = "http" if "http" in c and clear != "http" else "-"
    got = {
        "app": c["app"],
        "cleartext": clear or "-",
        "upgrade": layer["upgrade"] if layer else "-",
        "upgraded_from": t.get("upgraded_from") or "-",
        "tls_messages": ",".join(str(TYPES.get(m, m)) for m in t.get("messages", [])) or "-",
        "inner": inner,
    }
    bad = [f"{k} {got[k]} (expected {r[k]})" for k in got if got[k] != r[k]]
    if layer and layer["upgrade"] in ("accepted", "refused") and not layer.get("upgrade_response") and clear != "mysql":
        bad.append("no upgrade_response")
    if got["upgrade"] == "accepted" and t and not t.get("decrypted", False) and os.path.exists(
            os.path.join(d, name[:-5] + ".keys")):
        bad.append("not decrypted with its key log")
    if bad:
        fail += 1
        print(f"FAIL {name} #{n}: " + "; ".join(bad))
    else:
        print(f"ok   {name} #{n}: {got['cleartext']} {got['upgrade']}, app {got['app']}")
print(f"{len(rows) - fail}/{len(rows)} connections as intended")
sys.exit(1 if fail else 0)
PY
