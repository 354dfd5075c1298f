#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""zeek.py - synfin's conn_state, history and community_id against Zeek's own test baselines.

Reads tests/zeek-baselines.tsv (rows of Zeek's conn.log for traces in ../shared/captures/public),
runs synfin --json on each capture, matches connections by their two endpoints, and compares each
field the baseline gives.  Differences listed in tests/zeek-known.tsv are reported, not failed.
Prints the agreement: rows whose every given field agrees, out of all rows.
"""
import argparse
import collections
import json
import os
import subprocess
import sys


def endpoints(a, ap, b, bp):
    """The unordered pair of endpoints, as text: 'a:ap-b:bp' with the lower first."""
    x, y = "%s:%s" % (a, ap), "%s:%s" % (b, bp)
    return "-".join(sorted([x, y]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--synfin", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--baselines", required=True)
    ap.add_argument("--known", required=True)
    args = ap.parse_args()

    rows = []
    with open(args.baselines) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            c = line.rstrip("\n").split("\t")
            rows.append(dict(capture=c[0], key=endpoints(c[1], c[2], c[3], c[4]), orig="%s:%s" % (c[1], c[2]),
                             conn_state=c[5], history=c[6], community_id=c[7], source=c[8]))
    known = {}
    with open(args.known) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            c = line.rstrip("\n").split("\t")
            known[(c[0], c[1])] = c[2]

    conns = {}
    for cap in sorted({r["capture"] for r in rows}):
        path = os.path.join(args.corpus, cap)
        out = subprocess.run([args.synfin, "-q", "--json", path], capture_output=True, text=True)
        if out.returncode != 0 or "runtime error:" in out.stderr or "Sanitizer" in out.stderr:
            print("FAIL %s: synfin exit %d: %s" % (cap, out.returncode, out.stderr.strip()))
            return 1
        by = collections.defaultdict(list)
        for line in out.stdout.splitlines():
            o = json.loads(line)
            if "id" not in o:
                continue  # the run's {"capture": ...} line
            by[endpoints(o["client_ip"], o["client_port"], o["server_ip"], o["server_port"])].append(o)
        conns[cap] = by

    fail = agree = 0
    used = set()
    zeek_rows = collections.Counter((r["capture"], r["key"]) for r in rows)
    for (cap, key), n in sorted(zeek_rows.items()):
        have = len(conns[cap].get(key, []))
        if have != n:
            what = "%s rows zeek=%d synfin=%d" % (key, n, have)
            if (cap, what) in known:
                used.add((cap, what))
                print("known %s: %s (%s)" % (cap, what, known[(cap, what)]))
            else:
                print("FAIL %s: %s" % (cap, what))
                fail += 1
    for r in rows:
        found = conns[r["capture"]].get(r["key"], [])
        if not found:
            print("FAIL %s: %s: no such connection in synfin's output" % (r["capture"], r["key"]))
            fail += 1
            continue
        o = found[0]
        diffs = []
        for field in ("conn_state", "history", "community_id"):
            if r[field] != "-" and o[field] != r[field]:
                diffs.append("%s synfin=%s zeek=%s" % (field, o[field], r[field]))
        # Zeek's originator is the history's upper case: it must be synfin's client unless '^' says it flipped
        client = "%s:%s" % (o["client_ip"], o["client_port"])
        if r["history"] != "-" and (client == r["orig"]) == o["history"].startswith("^"):
            diffs.append("originator: synfin client %s, zeek orig %s, history %s" % (client, r["orig"], o["history"]))
        what = "%s %s" % (r["key"], "; ".join(diffs))
        if not diffs:
            agree += 1
        elif (r["capture"], what) in known:
            used.add((r["capture"], what))
            print("known %s: %s" % (r["capture"], what))
        else:
            print("FAIL %s: %s (baseline %s)" % (r["capture"], what, r["source"]))
            fail += 1
    for k in sorted(set(known) - used):
        print("warning: tests/zeek-known.tsv line no longer matches: %s\t%s" % k)
    print("%d of %d Zeek baseline rows agree on every field they give (conn_state, history, community_id); "
          "%d failures" % (agree, len(rows), fail))
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
