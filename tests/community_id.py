#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""community_id.py - synfin's community_id against tshark's Community ID dissector.

For every capture given, tshark (--enable-protocol communityid) prints each TCP packet's endpoints
and Community ID; every connection synfin reports must carry the ID tshark computed for its
endpoints.  Exit 0 when all agree, 1 otherwise; prints how many connections were compared.
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile


def tshark_ids(path):
    out = subprocess.run(["tshark", "-n", "-r", path, "--enable-protocol", "communityid", "-Y", "tcp",
                          "-T", "fields", "-E", "separator=\t", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                          "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "communityid"],
                         capture_output=True, text=True)
    ids = {}
    for line in out.stdout.splitlines():
        f = line.split("\t")
        if len(f) < 7 or not f[6]:
            continue
        # tunnels and ICMP errors repeat fields: the last (innermost) value is the connection's own
        src = (f[0] or f[1]).split(",")[-1]
        dst = (f[3] or f[4]).split(",")[-1]
        key = frozenset([(src, f[2].split(",")[-1]), (dst, f[5].split(",")[-1])])
        ids.setdefault(key, set()).add(f[6].split(",")[-1])
    return ids


def synfin_conns(synfin, path):
    out = subprocess.run([synfin, "-q", "--json", path], capture_output=True, text=True, errors="replace")
    if "runtime error:" in out.stderr or "Sanitizer" in out.stderr:
        print("FAIL %s: sanitizer report: %s" % (path, out.stderr.strip()[:400]))
        return None
    return [o for o in (json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")) if "id" in o]


def all_ids(paths, tmp):
    """tshark's IDs for every capture: one tshark run over the captures mergecap can read whole
    (an ID depends on the endpoints alone, so captures sharing endpoints cannot disagree),
    one run each for the damaged ones."""
    whole, damaged = [], []
    for i, p in enumerate(paths):
        out = os.path.join(tmp, "%d.pcapng" % i)
        ok = subprocess.run(["mergecap", "-F", "pcapng", "-w", out, p], capture_output=True).returncode == 0
        (whole if ok else damaged).append(out if ok else p)
    ids = {}
    if whole:
        merged = os.path.join(tmp, "all.pcapng")
        subprocess.run(["mergecap", "-F", "pcapng", "-a", "-w", merged] + whole, check=True, capture_output=True)
        ids.update(tshark_ids(merged))
    for p in damaged:
        for k, v in tshark_ids(p).items():
            ids.setdefault(k, set()).update(v)
    return ids


def main():
    synfin, paths = sys.argv[1], sys.argv[2:]
    compared = fail = 0
    with tempfile.TemporaryDirectory() as tmp:
        ids = all_ids(paths, tmp)
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        results = list(ex.map(lambda p: (p, ids, synfin_conns(synfin, p)), paths))
    for path, ids, conns in results:
        if conns is None:
            fail += 1
            continue
        for o in conns:
            key = frozenset([(o["client_ip"], str(o["client_port"])), (o["server_ip"], str(o["server_port"]))])
            want = ids.get(key)
            if not want:
                continue  # tshark did not see this connection as TCP (a link type it cannot dissect)
            compared += 1
            if o["community_id"] not in want:
                fail += 1
                print("FAIL %s: %s -> %s: synfin %s, tshark %s" % (path, o["client"], o["server"], o["community_id"],
                                                                   ",".join(sorted(want))))
    print("%d connections in %d captures: community_id agrees with tshark's on %d" % (compared, len(paths),
                                                                                       compared - fail))
    return 1 if fail or not compared else 0


if __name__ == "__main__":
    sys.exit(main())
