#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Conformance of synfin against the tshark oracle of the capture corpora.

Each --corpus folder (../shared/captures/public, ../shared/captures/more)
holds captures and a tshark-oracle.tsv.  For every capture listed there,
run `synfin --json -q -r FILE`
and compare, per TCP connection, the SYN / SYN+ACK / FIN / RST packet counts
and the packet count with what tshark 4.0 reported, and for TLS the sequence
of handshake message types, the selected version and the SNI.  A capture
with a key log (X.keys beside X.pcap) is read with --keylog when synfin has
that option; without it, its TLS messages are not compared (tshark's oracle
holds the decrypted ones).

Connections are matched on the unordered endpoint pair (tshark calls the first
sender of a stream without SYN its client, synfin calls the higher port the
client of a mid-stream connection); when several connections share a pair
(port reuse, or one side splitting what the other keeps as one), they are
matched in order: tshark's tcp.stream order against synfin's id order.

Oracle rows:
  <n>    one TCP stream: compared as above, synfin must also exit 0;
  none   tshark reads the file but sees no TCP: synfin must report 0 connections;
  error  tshark cannot read the file: synfin must either exit non-zero with a
         one-line "synfin: ..." message on stderr, or produce output. Which one
         is recorded on the result line.

Every difference is a line of text, for instance
  "10.0.0.1:1234<->10.0.0.2:80 fin synfin=1 tshark=2"
  "connections synfin=3 tshark=2"
  "10.0.0.1:1234<->10.0.0.2:80#2 only in synfin (id 3, 1 packets)"
  "exit 1: synfin: x.pcap: unsupported link type 160"
A difference is allowed when a line of the allowance file
(tests/conformance-known.tsv: file <TAB> what <TAB> why) names the file and
whose `what` matches the difference text; in both columns `*` matches any
run of characters (nothing else is special, so IPv6 brackets are literal).
An allowance line that matches no difference is reported as stale (warning).

A crash is a failure whatever the allowances say: exit by signal (negative
return code, or 128 and above as a shell reports it), a sanitizer report on
stderr, a hang (timeout), or output that is not JSON Lines.

Per corpus, a last line counts TCP streams (oracle rows): those where
synfin and tshark agree on everything compared, those whose differences
are all allowed, and the rest.

Exit status: 0 when every difference is allowed and nothing crashed, 1 otherwise.
Python 3 standard library only.
"""

import argparse
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys

FIELDS = (  # (name in diffs, synfin flags key or None for packets, oracle column)
    ("syn", "syn", "syn_count"),
    ("synack", "synack", "synack_count"),
    ("fin", "fin", "fin_count"),
    ("rst", "rst", "rst_count"),
    ("packets", None, "packets"),
)
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                   "MemorySanitizer", "ThreadSanitizer", "runtime error:")
TIMEOUT = 120  # seconds per capture

# Handshake message names (synfin's tls.messages) -> type numbers (tshark's tls.handshake.type)
HS_TYPES = {
    "HelloRequest": 0, "ClientHello": 1, "ServerHello": 2, "HelloRetryRequest": 2, "HelloVerifyRequest": 3,
    "HelloRetryRequest (draft)": 6,
    "NewSessionTicket": 4, "EndOfEarlyData": 5, "EncryptedExtensions": 8, "Certificate": 11,
    "ServerKeyExchange": 12, "CertificateRequest": 13, "ServerHelloDone": 14, "CertificateVerify": 15,
    "ClientKeyExchange": 16, "Finished": 20, "CertificateURL": 21, "CertificateStatus": 22,
    "SupplementalData": 23, "KeyUpdate": 24, "CompressedCertificate": 25, "MessageHash": 254,
}
# SSL 2.0 numbers its own messages (the oracle uses them): CLIENT-MASTER-KEY 2, SERVER-HELLO 4
SSLV2_TYPES = {"ClientHello": 1, "ClientMasterKey": 2, "ServerHello": 4}
VERSIONS = {"SSL 2.0": "0x0002", "SSL 3.0": "0x0300", "TLS 1.0": "0x0301", "TLS 1.1": "0x0302",
            "TLS 1.2": "0x0303", "TLS 1.3": "0x0304"}


def canon_endpoint(text):
    """'1.2.3.4:80' / '[2001:db8::1]:443' -> canonical form, or the text itself."""
    m = re.fullmatch(r"\[(.+)\]:(\d+)|([^:\[\]]+):(\d+)", text.strip())
    if not m:
        return text.strip()
    host, port = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return text.strip()
    if addr.version == 6:
        return "[%s]:%d" % (addr.compressed, int(port))
    return "%s:%d" % (addr.compressed, int(port))


def read_oracle(path):
    files = {}  # file -> list of row dicts, in oracle order
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for lineno, line in enumerate(f, 2):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) < len(header):
                cols += [""] * (len(header) - len(cols))
            row = dict(zip(header, cols))
            row["lineno"] = lineno
            files.setdefault(row["file"], []).append(row)
    return files


def glob_re(pattern):
    return re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$", re.S)


class Allowance:
    def __init__(self, lineno, file, what, why):
        self.lineno, self.file, self.what, self.why = lineno, file, what, why
        self.file_re, self.what_re = glob_re(file), glob_re(what)
        self.used = 0

    def matches(self, file, diff):
        return self.file_re.match(file) is not None and self.what_re.match(diff) is not None


def read_known(path):
    known = []
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 3 or not cols[0] or not cols[1]:
                sys.exit("conformance: %s:%d: want file<TAB>what<TAB>why" % (path, lineno))
            known.append(Allowance(lineno, cols[0], cols[1], "\t".join(cols[2:])))
    return known


def signal_name(num):
    try:
        return signal.Signals(num).name
    except ValueError:
        return "signal %d" % num


def synfin_has_keylog(synfin):
    try:
        p = subprocess.run([synfin, "--help"], capture_output=True, text=True, timeout=10)
        return "--keylog" in p.stdout
    except (OSError, subprocess.TimeoutExpired):
        return False


def compare_tls(name, orow, sc, keyed_unread):
    """TLS differences of one matched connection."""
    diffs = []
    tls = sc.get("tls")
    otypes = orow.get("tls_handshake_types", "-")
    if tls is None:
        if otypes != "-":
            diffs.append("%s tls not recognised by synfin (tshark: %s)" % (name, otypes))
        return diffs
    version = tls.get("version") or "-"
    if version.startswith("TLS 1.3 (draft "):
        version = "0x7f%02x" % int(version.split("draft ")[1].rstrip(")"))
    elif version.startswith("TLS 1.3 (Facebook draft "):
        version = "0xfb%02x" % int(version.split("draft ")[1].rstrip(")"))
    else:
        version = VERSIONS.get(version, version)
    if version != orow.get("tls_version_selected", "-") and version != "0x0002":
        diffs.append("%s tls version synfin=%s tshark=%s" % (name, version, orow.get("tls_version_selected")))
    osni = orow.get("sni", "-")
    ssni = tls.get("sni") or "-"
    if ssni != osni:
        diffs.append("%s tls sni synfin=%s tshark=%s" % (name, ssni, osni))
    if keyed_unread:
        return diffs
    v2 = tls.get("version") == "SSL 2.0"
    table = SSLV2_TYPES if v2 else HS_TYPES
    stypes = ",".join(str(table.get(m, "?")) for m in tls.get("messages", [])) or "-"
    if stypes != otypes:
        diffs.append("%s tls messages synfin=%s tshark=%s" % (name, stypes, otypes))
    return diffs


def run_synfin(synfin, path, extra=()):
    """Returns (rc, stdout, stderr, hard_failure_or_None)."""
    try:
        p = subprocess.run([synfin, "--json", "-q", *extra, "-r", path], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", "", "hang: no exit after %d s" % TIMEOUT
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0:
        return p.returncode, out, err, "crash: killed by %s" % signal_name(-p.returncode)
    if p.returncode >= 128:
        return p.returncode, out, err, "crash: exit status %d (signal?)" % p.returncode
    for mark in SANITIZER_MARKS:
        if mark in err:
            first = next((l for l in err.splitlines() if mark in l), mark)
            return p.returncode, out, err, "sanitizer report: %s" % first.strip()[:200]
    return p.returncode, out, err, None


def parse_json_lines(out):
    """Returns (list of connections, error text or None)."""
    conns = []
    for n, line in enumerate(out.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            return conns, "output line %d is not JSON (%s): %.80s" % (n, e, line)
        if not isinstance(obj, dict):
            return conns, "output line %d is not a JSON object" % n
        if list(obj) == ["capture"]:  # the capture's own counters (pcapng interface statistics), not a connection
            if n != len(out.splitlines()):
                return conns, "output line %d: the capture line is not the last" % n
            continue
        flags = obj.get("flags")
        for key in ("id", "client", "server", "packets"):
            if key not in obj:
                return conns, "output line %d lacks key %r" % (n, key)
        if not isinstance(flags, dict) or any(k not in flags for k in ("syn", "synack", "fin", "rst")):
            return conns, "output line %d lacks flags.syn/synack/fin/rst" % n
        conns.append(obj)
    ids = [c["id"] for c in conns]
    if len(set(ids)) != len(ids):
        return conns, "duplicate connection ids"
    conns.sort(key=lambda c: c["id"])
    return conns, None


def stderr_problem(err):
    lines = [l for l in err.splitlines() if l.strip()]
    if len(lines) != 1:
        return "stderr has %d lines, want 1" % len(lines)
    if not lines[0].startswith("synfin: "):
        return "stderr line does not start with 'synfin: '"
    return None


def pair_key(a, b):
    return tuple(sorted((a, b)))


def compare_connections(rows, conns, keyed_unread=False, streams=None):
    """Differences as text; `streams`, when given, gets one (name, its differences) per oracle row."""
    diffs = []
    if len(conns) != len(rows):
        diffs.append("connections synfin=%d tshark=%d" % (len(conns), len(rows)))

    by_pair_o, by_pair_s, order = {}, {}, []
    for r in rows:
        c, s = canon_endpoint(r["client"]), canon_endpoint(r["server"])
        k = pair_key(c, s)
        if k not in by_pair_o and k not in by_pair_s:
            order.append(k)
        by_pair_o.setdefault(k, []).append((c, s, r))
    for x in conns:
        c, s = canon_endpoint(str(x["client"])), canon_endpoint(str(x["server"]))
        k = pair_key(c, s)
        if k not in by_pair_o and k not in by_pair_s:
            order.append(k)
        by_pair_s.setdefault(k, []).append((c, s, x))

    for k in order:
        olist, slist = by_pair_o.get(k, []), by_pair_s.get(k, [])
        multi = max(len(olist), len(slist)) > 1
        for i in range(max(len(olist), len(slist))):
            o = olist[i] if i < len(olist) else None
            s = slist[i] if i < len(slist) else None
            c, srv = (o or s)[0], (o or s)[1]
            name = "%s<->%s" % (c, srv) + ("#%d" % (i + 1) if multi else "")
            if o is None:
                diffs.append("%s only in synfin (id %s, %s packets)" % (name, s[2]["id"], s[2]["packets"]))
                continue
            before = len(diffs)
            if s is None:
                diffs.append("%s only in tshark (stream %s, %s packets)"
                             % (name, o[2]["tcp_stream_index"], o[2]["packets"]))
                if streams is not None:
                    streams.append((name, diffs[before:]))
                continue
            orow, sc = o[2], s[2]
            for fname, skey, ocol in FIELDS:
                sval = sc["packets"] if skey is None else sc["flags"][skey]
                try:
                    oval = int(orow[ocol])
                except ValueError:
                    oval = orow[ocol]
                if sval != oval:
                    diffs.append("%s %s synfin=%s tshark=%s" % (name, fname, sval, oval))
            # Both saw the SYN: they should agree on who the client is.
            try:
                osyn = int(orow["syn_count"])
            except ValueError:
                osyn = 0
            if osyn > 0 and sc["flags"]["syn"] > 0 and s[0] != o[0]:
                diffs.append("%s client synfin=%s tshark=%s" % (name, s[0], o[0]))
            diffs += compare_tls(name, orow, sc, keyed_unread)
            if streams is not None:
                streams.append((name, diffs[before:]))
    return diffs


def check_file(args, corpus, fname, rows, streams):
    """Returns (kind, note, diffs, hard) where kind is 'normal'|'none'|'error';
    appends (stream name, its differences) to `streams` for each oracle stream."""
    path = os.path.join(corpus, fname)
    idx = rows[0]["tcp_stream_index"]
    kind = idx if idx in ("none", "error") else "normal"
    if not os.path.exists(path):
        return kind, "", ["capture file missing from the corpus"], None
    keys = os.path.splitext(path)[0] + ".keys"
    extra, keyed_unread = (), False
    if os.path.exists(keys):
        if args.keylog:
            extra = ("--keylog", keys)
        else:
            keyed_unread = True
    rc, out, err, hard = run_synfin(args.synfin, path, extra)
    if hard:
        return kind, "", [], hard
    conns, perr = parse_json_lines(out)
    if perr:
        return kind, "", [], "bad output: " + perr

    diffs = []
    errline = err.strip().splitlines()[0] if err.strip() else ""
    if rc != 0:
        p = stderr_problem(err)
        if p:
            diffs.append("exit %d with bad message: %s" % (rc, p))

    if kind == "error":
        tmsg = rows[0].get("sni", "")
        if rc != 0:
            note = "tshark: %s; synfin exit %d: %s" % (tmsg, rc, errline)
            if conns:
                note += " (after %d connections)" % len(conns)
        elif conns:
            note = "tshark: %s; synfin read it: %d connections" % (tmsg, len(conns))
        else:
            note = "tshark: %s" % tmsg
            diffs.append("exit 0 without output on a file tshark cannot read")
        return kind, note, diffs, None

    if rc != 0:
        diffs.append("exit %d: %s" % (rc, errline))
    if kind == "none":
        if conns:
            diffs.append("connections synfin=%d tshark=0" % len(conns))
            for x in conns:
                diffs.append("%s<->%s only in synfin (id %s, %s packets)"
                             % (canon_endpoint(str(x["client"])), canon_endpoint(str(x["server"])),
                                x["id"], x["packets"]))
        return kind, "no TCP", diffs, None
    per_stream = []
    diffs += compare_connections(rows, conns, keyed_unread, per_stream)
    whole = [d for d in diffs if not any(d in sd for _, sd in per_stream)]  # exit status, counts
    streams += [(n, sd + whole) for n, sd in per_stream]
    return kind, "%d connection%s" % (len(rows), "" if len(rows) == 1 else "s"), diffs, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synfin", default=os.environ.get("SYNFIN", "synfin"))
    ap.add_argument("--corpus", required=True, action="append",
                    help="a folder with captures and tshark-oracle.tsv (repeatable)")
    ap.add_argument("--known", required=True, help="allowance file (TSV: file, what, why)")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list allowed differences")
    ap.add_argument("files", nargs="*", help="only these captures (default: all in the oracles)")
    args = ap.parse_args()
    args.keylog = synfin_has_keylog(args.synfin)

    known = read_known(args.known)
    wanted = {os.path.basename(f) for f in args.files}
    runs = []  # (corpus, oracle, names)
    for corpus in args.corpus:
        oracle = read_oracle(os.path.join(corpus, "tshark-oracle.tsv"))
        names = [n for n in oracle if not wanted or n in wanted]
        runs.append((corpus, oracle, names))
    for w in sorted(wanted - {n for _, _, names in runs for n in names}):
        print("conformance: %s is not in the oracle" % w)

    n_ok = n_allowed = n_fail = n_crash = n_files = 0
    crashed = []  # their differences were never computed: their allowances are not stale
    ran = []
    width = max((len(n) for _, _, names in runs for n in names), default=0)
    tallies = []
    for corpus, oracle, names in runs:
        agree = allowed = differ = 0
        for fname in names:
            n_files += 1
            ran.append(fname)
            streams = []
            kind, note, diffs, hard = check_file(args, corpus, fname, oracle[fname], streams)
            if hard:
                n_fail += 1
                n_crash += 1
                crashed.append(fname)
                differ += sum(1 for r in oracle[fname] if r["tcp_stream_index"] not in ("none", "error"))
                print("FAIL    %-*s  %s" % (width, fname, hard))
                continue
            unexplained, reasons = [], []
            for d in diffs:
                hits = [a for a in known if a.matches(fname, d)]
                for a in hits:
                    a.used += 1
                    if a.why not in reasons:
                        reasons.append(a.why)
                if not hits:
                    unexplained.append(d)
            for _, sd in streams:
                if not sd:
                    agree += 1
                elif any(d in unexplained for d in sd):
                    differ += 1
                else:
                    allowed += 1
            if unexplained:
                n_fail += 1
                print("FAIL    %-*s  %s" % (width, fname, unexplained[0]))
                for d in unexplained[1:]:
                    print("        %-*s  %s" % (width, "", d))
            elif diffs:
                n_allowed += 1
                print("differs %-*s  (allowed: %s)" % (width, fname, "; ".join(reasons)))
            else:
                n_ok += 1
                print("ok      %-*s  %s" % (width, fname, note))
            if args.verbose:
                for d in diffs:
                    if d not in unexplained:
                        print("        %-*s  allowed: %s" % (width, "", d))
        tallies.append((corpus, agree, allowed, differ))

    n_stale = 0
    for a in known:
        if a.used:
            continue
        if not any(a.file_re.match(n) for n in ran):
            continue  # not run this time
        if any(a.file_re.match(n) for n in crashed):
            continue  # unknown: that capture crashed
        n_stale += 1
        print("warning: stale allowance, %s line %d matches no difference: %s | %s"
              % (os.path.basename(args.known), a.lineno, a.file, a.what))

    for corpus, agree, allowed, differ in tallies:
        total = agree + allowed + differ
        print("conformance: %s: %d TCP streams: %d agree with tshark, %d differ as allowed, %d differ"
              % (os.path.basename(os.path.normpath(corpus)), total, agree, allowed, differ))
    print("conformance: %d captures: %d ok, %d differ (allowed), %d FAIL (%d crash), "
          "%d stale allowances" % (n_files, n_ok, n_allowed, n_fail, n_crash, n_stale))
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
