#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""shard.py - N runs with --shard K/N partition a capture's connections exactly.

For each capture and each N: the union of the N shards' JSON lines, each without its "id", equals
the whole run's lines without theirs (no connection in two shards, none missing, every other key
the same); within a shard the ids are 1, 2, 3 ... in the order of the whole run's ids (the rank of
the first packet among the shard's connections, synfin(1)); the same K/N twice gives the same lines.
"""
import collections
import json
import subprocess
import sys


def lines(synfin, path, extra):
    out = subprocess.run([synfin, "-q", "--json", "--ca-file", CA] + extra + ["-r", path], capture_output=True)
    err = out.stderr.decode("utf-8", "replace")
    # 1: a capture synfin cannot read (an unsupported link type); 3: damaged part-way, the connections before reported
    if out.returncode not in (0, 1, 3) or "runtime error:" in err or "Sanitizer" in err:
        print("FAIL %s %s: exit %d: %s" % (path, " ".join(extra), out.returncode, err.strip()[:400]))
        sys.exit(1)
    lines = (json.loads(l) for l in out.stdout.decode("utf-8", "replace").splitlines())
    return [o for o in lines if "id" in o]  # not the {"capture": ...} line


def key(o):
    o = dict(o)
    o.pop("id")
    return json.dumps(o, sort_keys=True)


synfin, CA, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
fail = checked = conns = 0
for path in paths:
    whole = lines(synfin, path, [])
    rank = {}
    for o in whole:
        rank.setdefault(key(o), []).append(o["id"])
    for n in (2, 3):
        union = collections.Counter()
        for k in range(1, n + 1):
            part = lines(synfin, path, ["--shard", "%d/%d" % (k, n)])
            union.update(key(o) for o in part)
            ids = [o["id"] for o in part]
            if sorted(ids) != list(range(1, len(ids) + 1)):
                print("FAIL %s --shard %d/%d: ids %s are not 1..%d" % (path, k, n, ids[:10], len(ids)))
                fail += 1
            # the shard's id order is the whole run's id order
            by_id = [rank.get(key(o), [0])[0] for o in sorted(part, key=lambda o: o["id"])]
            if by_id != sorted(by_id):
                print("FAIL %s --shard %d/%d: ids out of the whole run's order" % (path, k, n))
                fail += 1
            if k == 1 and [key(o) for o in lines(synfin, path, ["--shard", "1/%d" % n])] != [key(o) for o in part]:
                print("FAIL %s --shard 1/%d: two runs differ" % (path, n))
                fail += 1
        want = collections.Counter(key(o) for o in whole)
        if union != want:
            extra, missing = union - want, want - union
            print("FAIL %s with %d shards: %d connections in two shards or changed, %d missing" %
                  (path, n, sum(extra.values()), sum(missing.values())))
            fail += 1
        checked += 1
    conns += len(whole)
print("%d captures (%d connections) split into 2 and 3 shards: %d runs exact" % (len(paths), conns, checked - fail))
sys.exit(1 if fail or not conns else 0)
