#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""verify-tls.py - check the captures in captures/tls/ against what they were recorded to
show, using tshark (and openssl for the certificate verdicts).

Usage:  captures/verify-tls.py [TLSDIR] [--print] [--expect DIR]   (default TLSDIR: captures/tls)

Reads DIR/tls-expect.tsv (DIR defaults to TLSDIR) (the facts a passive observer sees WITHOUT the key log) and
DIR/tls-decrypted-expect.tsv (what tshark sees WITH each NAME.keys), derives every
value again from each capture in TLSDIR with tshark, and prints one line per mismatch;
exit status 1 when there is any.  Rows of captures absent from TLSDIR are skipped (and
counted), so a partial recording can be checked.  --print prints the derived tables instead of comparing them.

How each value is derived (per TCP connection, numbered 1.. by tshark's tcp.stream,
which is first-packet order):
  version       ServerHello supported_versions, else its legacy version; TLS 1.3 drafts
                as "TLS 1.3 (draft N)" (0x7fNN), "TLS 1.3 (Facebook draft N)" (0xfbNN)
  handshake     failed: a fatal alert in clear, or a RST, before both sides' Finished;
                incomplete: no ServerHello, or no Finished from both sides;
                resumed: TLS 1.3 ServerHello with pre_shared_key, or TLS <= 1.2 ServerHello
                echoing the client's session ID, or no Certificate and no key exchange;
                anonymous: an (EC)DH_anon or PSK suite; full otherwise
  sni           ClientHello server_name
  cipher        ServerHello cipher suite, tshark's name (IANA's spelling)
  alpn          ServerHello ALPN (TLS <= 1.2; TLS 1.3 sends it encrypted)
  certificates  certificates in the server's Certificate message, when in clear
  cert_verify   `openssl verify -CAfile certs/ca.pem -attime <time of the Certificate
                packet> -verify_hostname <SNI>` on the chain as sent
  alert         the first alert whose description is in clear
  app           tls when a ClientHello is seen, http when HTTP/1.x is
  http_*        plain HTTP: tshark's http.request fields, cross-checked with a small
                HTTP/1.x parser over tshark's reassembled stream (follow,tcp,raw); and
                the HTTP tshark reads inside TLS without keys (NULL-cipher suites), from
                its http fields alone
The decrypted table gives, for each capture with a NAME.keys file beside it (the crafted
ones have none), alpn, certificates, alert and http_* as tshark shows them with
the key log (follow,tls,raw for the parser), and key_log: ok when every TLS record after
the key exchange was decrypted (no "Encrypted Handshake Message" or "Encrypted Alert"
left, and every TLS 1.3 record has its inner content type), none for an empty key log.
"""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))

EXPECT_COLS = ["file", "conn", "version", "handshake", "sni", "cipher", "alpn", "certificates",
               "cert_verify", "alert", "app", "http_requests", "first_request", "first_status"]
DECRYPT_COLS = ["file", "conn", "key_log", "alpn", "certificates", "alert",
                "http_requests", "first_request", "first_status"]

VERSIONS = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}

# openssl verify error codes -> synfin's verdict words
OPENSSL_VERDICT = {0: "ok", 7: "bad-signature", 9: "not-yet-valid", 10: "expired",
                   18: "self-signed", 19: "untrusted", 2: "untrusted", 20: "untrusted",
                   21: "untrusted", 62: "hostname-mismatch"}


def tshark(args):
    r = subprocess.run(["tshark"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("tshark %s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
    return r.stdout


def fields(elem, name):
    return [f for f in elem.iter("field") if f.get("name") == name]


def first_show(elem, name, default=None):
    for f in elem.iter("field"):
        if f.get("name") == name:
            return f.get("show")
    return default


class Conn:
    def __init__(self, n):
        self.n = n
        self.client = None          # (ip, port) of the client
        self.ch = None              # dict
        self.sh = None
        self.server_certs = None    # list of DER bytes
        self.cert_time = None
        self.msgs = []              # (from_server, handshake type)
        self.ccs = [0, 0]
        self.opaque = [0, 0]        # TLS 1.3 records of opaque type 23, per direction
        self.alerts = []            # (from_server, level or None, desc name or None)
        self.rst_before_done = False
        self.records_undecrypted = 0
        self.records_13_without_inner = 0
        self.http_methods, self.http_uris, self.http_codes = [], [], []
        self.is_tls = False

    def done(self):
        """both sides' Finished (or, unreadable, their first post-CCS records) seen"""
        if self.sh is None:
            return False
        if self.version().startswith("TLS 1.3"):
            return self.opaque[0] > 0 and self.opaque[1] > 0
        return self.ccs[0] > 0 and self.ccs[1] > 0

    def version(self):
        if self.sh is None:
            return "-"
        v = self.sh.get("supported_version") or self.sh["version"]
        if v >> 8 in (0x7f, 0xfb):  # TLS 1.3 drafts, and Facebook's (Wireshark's names)
            return "TLS 1.3 (%sdraft %d)" % ("Facebook " if v >> 8 == 0xfb else "", v & 0xff)
        return VERSIONS.get(v, "0x%04x" % v)


def parse(path, keys=None):
    args = ["-r", path, "-T", "pdml"]
    if keys:
        args += ["-o", "tls.keylog_file:" + keys]
    root = ET.fromstring(tshark(args))
    conns = {}
    for pkt in root.iter("packet"):
        protos = {p.get("name"): p for p in pkt.findall("proto")}
        if "tcp" not in protos:
            continue
        tcp = protos["tcp"]
        n = int(first_show(tcp, "tcp.stream"))
        c = conns.setdefault(n, Conn(n))
        ip = protos.get("ip") or protos.get("ipv6")
        src = (first_show(ip, "ip.src") or first_show(ip, "ipv6.src"), int(first_show(tcp, "tcp.srcport")))
        dst = (first_show(ip, "ip.dst") or first_show(ip, "ipv6.dst"), int(first_show(tcp, "tcp.dstport")))
        flags = int(first_show(tcp, "tcp.flags"), 16)
        if c.client is None:
            # the first packet's sender, unless it is a SYN+ACK
            c.client = dst if (flags & 0x12) == 0x12 else src
        from_server = 0 if src == c.client else 1
        t = float(first_show(pkt, "frame.time_epoch"))
        for tls in pkt.findall("proto"):
            if tls.get("name") != "tls":
                continue
            for rec in tls.iter("field"):
                if rec.get("name") != "tls.record":
                    continue
                ct = first_show(rec, "tls.record.content_type")
                ot = first_show(rec, "tls.record.opaque_type")
                sn = rec.get("showname", "")
                if "Encrypted Handshake Message" in sn or "Encrypted Alert" in sn:
                    c.records_undecrypted += 1
                if ot is not None:
                    c.opaque[from_server] += 1
                    if ct is None:
                        c.records_13_without_inner += 1
                if ct == "20":
                    c.ccs[from_server] += 1
                if ct == "21":
                    desc = None
                    for a in rec.iter("field"):
                        if a.get("name") == "tls.alert_message.desc":
                            desc = re.sub(r"^Description: (.*) \(\d+\)$", r"\1", a.get("showname"))
                            desc = desc.lower().replace(" ", "_")     # "Bad Certificate" -> bad_certificate
                    level = first_show(rec, "tls.alert_message.level")
                    c.alerts.append((from_server, level, desc))
                for hs in rec.iter("field"):
                    if hs.get("name") != "tls.handshake":
                        continue
                    ht = first_show(hs, "tls.handshake.type")
                    if ht is None:
                        continue
                    ht = int(ht)
                    c.msgs.append((from_server, ht))
                    if ht == 1:
                        c.is_tls = True
                        c.ch = {"sni": first_show(hs, "tls.handshake.extensions_server_name"),
                                "session_id": first_show(hs, "tls.handshake.session_id")}
                    elif ht == 2:
                        cs = fields(hs, "tls.handshake.ciphersuite")[0].get("showname")
                        sv = first_show(hs, "tls.handshake.extensions.supported_version")
                        c.sh = {"version": int(first_show(hs, "tls.handshake.version"), 16),
                                "supported_version": int(sv, 16) if sv else None,
                                "cipher": re.sub(r"^Cipher Suite: (\S+) \(0x[0-9a-f]+\)$", r"\1", cs),
                                "session_id": first_show(hs, "tls.handshake.session_id"),
                                "ext": [int(f.get("show")) for f in fields(hs, "tls.handshake.extension.type")],
                                "alpn": first_show(hs, "tls.handshake.extensions_alpn_str")}
                    elif ht == 8:
                        alpn = first_show(hs, "tls.handshake.extensions_alpn_str")
                        if alpn and c.sh is not None:
                            c.sh["ee_alpn"] = alpn
                    elif ht == 11 and from_server and c.server_certs is None:
                        c.server_certs = [bytes.fromhex(f.get("value"))
                                          for f in fields(hs, "tls.handshake.certificate")]
                        c.cert_time = t
        for h in pkt.findall("proto"):
            if h.get("name") != "http":
                continue
            c.http_methods += [f.get("show") for f in fields(h, "http.request.method")]
            c.http_uris += [f.get("show") for f in fields(h, "http.request.uri")]
            c.http_codes += [f.get("show") for f in fields(h, "http.response.code")]
        if flags & 0x04 and not c.done():
            c.rst_before_done = True
    return conns


def follow(path, proto, n, client, keys=None):
    """the two byte streams of connection n: (client bytes, server bytes)"""
    args = ["-r", path, "-q", "-z", "follow,%s,raw,%d" % (proto, n)]
    if keys:
        args += ["-o", "tls.keylog_file:" + keys]
    out = tshark(args).decode()
    body = out.split("=" * 67)[1] if out.count("=" * 67) >= 2 else ""
    node0, node0_is_client = None, True
    streams = [bytearray(), bytearray()]      # [0] node 0 (lines not indented), [1] node 1
    started = False
    for line in body.splitlines():
        m = re.match(r"^Node 0: (.*):(\d+)$", line)
        if m:
            # tshark calls node 0 whoever sent the first (decrypted) data
            node0 = (m.group(1).strip("[]"), int(m.group(2)))
            node0_is_client = node0 == client
            continue
        if line.startswith("Node 1:"):
            started = True
            continue
        if not started or not line.strip():
            continue
        streams[1 if line.startswith("\t") else 0] += bytes.fromhex(line.strip())
    cli, srv = (streams[0], streams[1]) if node0_is_client else (streams[1], streams[0])
    return bytes(cli), bytes(srv)


def http_parse(cli, srv):
    """(requests, first_request, first_status) from the two streams, or None if not HTTP"""
    reqs = []
    pos = 0
    while pos < len(cli):
        end = cli.find(b"\r\n\r\n", pos)
        if end < 0:
            break
        lines = cli[pos:end].decode("latin-1").split("\r\n")
        m = re.match(r"^([A-Z]+) (\S+) HTTP/1\.[01]$", lines[0])
        if not m:
            return None
        hdr = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
        reqs.append((m.group(1), m.group(2)))
        pos = end + 4 + int(hdr.get("content-length", "0"))
    if not reqs:
        return None
    status = []
    pos = 0
    for method, _ in reqs:
        end = srv.find(b"\r\n\r\n", pos)
        if end < 0:
            break
        lines = srv[pos:end].decode("latin-1").split("\r\n")
        m = re.match(r"^HTTP/1\.[01] (\d{3})", lines[0])
        if not m:
            break
        code = int(m.group(1))
        status.append(code)
        hdr = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
        pos = end + 4
        if method == "HEAD" or code in (204, 304) or code < 200:
            continue
        if hdr.get("transfer-encoding", "").lower() == "chunked":
            while True:
                e = srv.find(b"\r\n", pos)
                size = int(srv[pos:e].split(b";")[0], 16)
                pos = e + 2
                if size == 0:
                    pos = srv.find(b"\r\n\r\n", pos - 2) + 4   # trailer fields, empty line
                    break
                pos += size + 2
        elif "content-length" in hdr:
            pos += int(hdr["content-length"])
        else:
            pos = len(srv)                                    # delimited by the close
    return len(reqs), "%s %s" % reqs[0], str(status[0]) if status else "-"


def cert_verdict(certs, sni, when, ca):
    with tempfile.TemporaryDirectory() as d:
        def pem(blobs, name):
            p = os.path.join(d, name)
            with open(p, "w") as f:
                for b in blobs:
                    r = subprocess.run(["openssl", "x509", "-inform", "DER"], input=b,
                                       stdout=subprocess.PIPE, check=True)
                    f.write(r.stdout.decode())
            return p
        leaf = pem(certs[:1], "leaf.pem")
        args = ["openssl", "verify", "-CAfile", ca, "-attime", str(int(when))]
        if len(certs) > 1:
            args += ["-untrusted", pem(certs[1:], "chain.pem")]
        if sni:
            args += ["-verify_hostname", sni]
        r = subprocess.run(args + [leaf], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = r.stdout.decode()
        if r.returncode == 0:
            return "ok"
        m = re.search(r"error (\d+) at", out)
        code = int(m.group(1)) if m else -1
        return OPENSSL_VERDICT.get(code, "openssl-error-%d" % code)


CERTLESS = re.compile(r"_anon_|^TLS_PSK_|^TLS_DHE_PSK_|^TLS_ECDHE_PSK_")


def handshake_verdict(c):
    fatal = any(lv == "2" for _, lv, _ in c.alerts)
    if not c.done():
        return "failed" if (fatal or c.rst_before_done) else "incomplete"
    if c.version().startswith("TLS 1.3"):
        return "resumed" if 41 in c.sh["ext"] else "full"
    sid = c.sh.get("session_id")
    server_msgs = [t for s, t in c.msgs if s == 1]
    if (sid and c.ch and sid == c.ch.get("session_id")) or (11 not in server_msgs and 12 not in server_msgs
                                                            and not CERTLESS.search(c.sh["cipher"])):
        return "resumed"
    if CERTLESS.search(c.sh["cipher"]):
        return "anonymous"
    return "full"


def derive(tlsdir, rel):
    path = os.path.join(tlsdir, rel)
    keys = path[:-5] + ".keys"
    has_keys = os.path.exists(keys) and os.path.getsize(keys) > 0
    ca = os.path.join(tlsdir, "certs", "ca.pem")
    plain = parse(path)
    dec = parse(path, keys) if has_keys else plain
    rows, drows = [], []
    for n in sorted(plain):
        c, d = plain[n], dec[n]
        if c.is_tls:
            sni = (c.ch or {}).get("sni") or "-"
            certs = c.server_certs
            verdict = cert_verdict(certs, None if sni == "-" else sni, c.cert_time, ca) if certs else "-"
            alert = next((desc for _, _, desc in c.alerts if desc), "-")
            row = [rel, str(n + 1), c.version(), handshake_verdict(c), sni,
                   c.sh["cipher"] if c.sh else "-", (c.sh or {}).get("alpn") or "-",
                   str(len(certs)) if certs else "-", verdict, alert, "tls", "-", "-", "-"]
            if c.http_methods: # HTTP in clear inside TLS: a NULL-cipher suite, read without keys
                row[11:14] = [str(len(c.http_methods)), "%s %s" % (c.http_methods[0], c.http_uris[0]),
                              c.http_codes[0] if c.http_codes else "-"]
            # decrypted view
            hp = http_parse(*follow(path, "tls", n, c.client, keys)) if has_keys else None
            if hp:
                tsh = (len(d.http_methods), "%s %s" % (d.http_methods[0], d.http_uris[0]),
                       d.http_codes[0] if d.http_codes else "-")
                if (tsh[0], tsh[1], tsh[2]) != (hp[0], hp[1], hp[2]):
                    print("%s conn %d: tshark's HTTP %s differs from the parser's %s" % (rel, n + 1, tsh, hp))
            if not has_keys:
                kl = "none"
            elif d.records_undecrypted == 0 and d.records_13_without_inner == 0:
                kl = "ok"
            else:
                kl = "undecrypted-records-%d" % (d.records_undecrypted + d.records_13_without_inner)
            dsh = d.sh or {}
            dcerts = d.server_certs
            if os.path.exists(keys):  # crafted captures have no key log file: no row there
                drows.append([rel, str(n + 1), kl, dsh.get("alpn") or dsh.get("ee_alpn") or "-",
                              str(len(dcerts)) if dcerts else "-",
                              next((desc for _, _, desc in d.alerts if desc), "-"),
                              str(hp[0]) if hp else "-", hp[1] if hp else "-", hp[2] if hp else "-"])
        else:
            hp = http_parse(*follow(path, "tcp", n, c.client))
            if hp:
                tsh = (len(c.http_methods), "%s %s" % (c.http_methods[0], c.http_uris[0]),
                       c.http_codes[0] if c.http_codes else "-")
                if tsh != hp:
                    print("%s conn %d: tshark's HTTP %s differs from the parser's %s" % (rel, n + 1, tsh, hp))
            row = [rel, str(n + 1)] + ["-"] * 8 + ["http" if hp else "-"] + \
                  ([str(hp[0]), hp[1], hp[2]] if hp else ["-", "-", "-"])
        rows.append(row)
    return rows, drows


def read_tsv(path):
    with open(path) as f:
        lines = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
    return lines[0], lines[1:]


def main():
    args = sys.argv[1:]
    expect_dir = None
    if "--expect" in args:
        i = args.index("--expect")
        expect_dir = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    argv = [a for a in args if not a.startswith("--")]
    tlsdir = os.path.abspath(argv[0] if argv else os.path.join(HERE, "tls"))
    expect_dir = expect_dir or tlsdir
    show = "--print" in args
    files = []
    for sub in ("", "ciphers"):
        d = os.path.join(tlsdir, sub)
        if os.path.isdir(d):
            files += sorted(os.path.join(sub, f) if sub else f for f in os.listdir(d) if f.endswith(".pcap"))
    got, dgot = [], []
    for rel in files:
        r, dr = derive(tlsdir, rel)
        got += r
        dgot += dr
    if show:
        for cols, rows in ((EXPECT_COLS, got), (DECRYPT_COLS, dgot)):
            print("\t".join(cols))
            for r in rows:
                print("\t".join(r))
            print()
        return 0
    bad = 0
    for name, cols, rows in (("tls-expect.tsv", EXPECT_COLS, got), ("tls-decrypted-expect.tsv", DECRYPT_COLS, dgot)):
        nbad = 0
        head, want = read_tsv(os.path.join(expect_dir, name))
        if head != cols:
            print("%s: columns %s, expected %s" % (name, head, cols))
            bad += 1
            continue
        want_by = {(w[0], w[1]): w for w in want}
        got_by = {(g[0], g[1]): g for g in rows}
        skipped = checked = 0
        for key in sorted(set(want_by) | set(got_by)):
            w, g = want_by.get(key), got_by.get(key)
            if w is None:
                print("%s: %s conn %s is in the captures but not in the table" % (name, key[0], key[1]))
                nbad += 1
            elif g is None:
                if key[0] not in files:
                    skipped += 1
                    continue
                print("%s: %s conn %s is in the table but not in the capture" % (name, key[0], key[1]))
                nbad += 1
            else:
                checked += 1
                for col, a, b in zip(cols[2:], w[2:], g[2:]):
                    if a != b:
                        print("%s: %s conn %s: %s expected %r, tshark says %r" % (name, key[0], key[1], col, a, b))
                        nbad += 1
        print("%s: %d rows checked%s, %s" % (name, checked,
              " (%d skipped: capture not in %s)" % (skipped, tlsdir) if skipped else "",
              "all match" if not nbad else "%d mismatches" % nbad))
        bad += nbad
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
