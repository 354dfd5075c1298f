#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""compare_truth.py -- synfin --json output against genpcap's --truth file.

Owned by the benchmark (tests/bench.sh, `make bench`); not part of `make check`.
Python 3 standard library only.

usage: compare_truth.py [--top N] [--examples N] [--label TEXT] TRUTH.jsonl SYNFIN.jsonl

Matching: if every truth id names a synfin connection with the same client and
server, connections are matched by id.  Otherwise by (client, server, first_ts
rounded to microseconds); a connection synfin saw with the roles swapped is
matched on (server, client, first_ts) and reported as a role swap.  A truth
connection with no synfin counterpart counts as disagreeing.

Primary figure: handshake AND teardown both equal, as a percentage of the truth
connections.  Secondary figures: closed_by, packets, bytes_c2s, bytes_s2c,
syn_retransmits, handshake_rtt_ms (within 0.002 ms), per matched connection; a
key the truth leaves out is no claim (as in the bench's verify.py) unless synfin
gives null for it, and such connections are counted separately.
Disagreement patterns are printed as `truth -> synfin` with counts, genpcap's
`scenario` labels and example ids (synfin's id, which `synfin --ladder=ID` takes;
the BPF filter that isolates the connection is printed too).

The last line is machine-readable: `AGREEMENT <pct> <agreeing> <truth_total>`.
"""

import argparse
import collections
import json
import sys
from decimal import ROUND_HALF_EVEN, Decimal

US = Decimal("0.000001")


def load(path, what):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line, parse_float=Decimal))
            except ValueError as e:
                sys.exit(f"compare_truth: {path}:{n}: not JSON ({e}) in the {what} file")
    return rows


def ts_us(v):
    return Decimal(v).quantize(US, rounding=ROUND_HALF_EVEN) if v is not None else None


def split_ep(ep):
    """'1.2.3.4:80' / '[2001:db8::1]:443' -> (host, port)"""
    host, _, port = ep.rpartition(":")
    return host.strip("[]"), port


def bpf_for(conn):
    ch, cp = split_ep(conn["client"])
    sh, sp = split_ep(conn["server"])
    return f"tcp port {cp} and tcp port {sp} and host {ch} and host {sh}"


def match(truth, syn):
    """returns (pairs [(t, s, swapped)], truth_unmatched, synfin_unmatched, method)"""
    by_id = {s.get("id"): s for s in syn}
    if truth and all(
        t["id"] in by_id and by_id[t["id"]]["client"] == t["client"] and by_id[t["id"]]["server"] == t["server"]
        for t in truth
    ):
        used = {t["id"] for t in truth}
        return [(t, by_id[t["id"]], False) for t in truth], [], [s for s in syn if s.get("id") not in used], "id"

    index = collections.defaultdict(list)
    for s in syn:
        index[(s["client"], s["server"], ts_us(s["first_ts"]))].append(s)
    pairs, t_left = [], []
    taken = set()
    for t in truth:
        k = ts_us(t["first_ts"])
        hit, swapped = None, False
        for key, sw in (((t["client"], t["server"], k), False), ((t["server"], t["client"], k), True)):
            for s in index.get(key, ()):
                if id(s) not in taken:
                    hit, swapped = s, sw
                    break
            if hit:
                break
        if hit:
            taken.add(id(hit))
            pairs.append((t, hit, swapped))
        else:
            t_left.append(t)
    # second chance for the leftovers: same endpoints (either order), nearest first_ts
    if t_left:
        by_ep = collections.defaultdict(list)
        for s in syn:
            if id(s) not in taken:
                by_ep[frozenset((s["client"], s["server"]))].append(s)
        still = []
        for t in t_left:
            cands = [s for s in by_ep.get(frozenset((t["client"], t["server"])), ()) if id(s) not in taken]
            if cands:
                s = min(cands, key=lambda s: abs(Decimal(s["first_ts"]) - Decimal(t["first_ts"])))
                taken.add(id(s))
                pairs.append((t, s, s["client"] != t["client"]))
            else:
                still.append(t)
        t_left = still
    s_left = [s for s in syn if id(s) not in taken]
    return pairs, t_left, s_left, "endpoints+first_ts"


def rtt_eq(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(a) - Decimal(b)) <= Decimal("0.002")


SECONDARY = [
    ("closed_by", lambda t, s: t.get("closed_by") == s.get("closed_by")),
    ("packets", lambda t, s: t.get("packets") == s.get("packets")),
    ("bytes_c2s", lambda t, s: t.get("bytes_c2s") == s.get("bytes_c2s")),
    ("bytes_s2c", lambda t, s: t.get("bytes_s2c") == s.get("bytes_s2c")),
    ("syn_retransmits", lambda t, s: t.get("syn_retransmits") == s.get("syn_retransmits")),
    ("handshake_rtt_ms", lambda t, s: rtt_eq(t.get("handshake_rtt_ms"), s.get("handshake_rtt_ms"))),
]


def pct(a, b):
    return 100.0 * a / b if b else 0.0


def fmt_scen(counter):
    return ", ".join(f"{k} {v}" for k, v in counter.most_common())


def example(t, s):
    sid = s["id"] if s is not None else "-"
    return f"truth#{t['id']} synfin#{sid} {t['client']} -> {t['server']}  [filter: {bpf_for(t)}]"


def report_patterns(title, patterns, top, nex):
    if not patterns:
        return
    total = sum(len(v) for v in patterns.values())
    print(f"\n{title}: {total} connections, {len(patterns)} patterns (top {min(top, len(patterns))})")
    ranked = sorted(patterns.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for i, (pat, items) in enumerate(ranked[:top], 1):
        scen = collections.Counter(t.get("scenario", "?") for t, _ in items)
        print(f"  {i:2d}. {len(items):6d}  {pat}")
        print(f"      scenarios: {fmt_scen(scen)}")
        for t, s in items[:nex]:
            print(f"      e.g. {example(t, s)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("truth")
    ap.add_argument("synfin")
    ap.add_argument("--top", type=int, default=10, help="patterns to list (default 10)")
    ap.add_argument("--examples", type=int, default=3, help="example ids per pattern (default 3)")
    ap.add_argument("--label", default="", help="heading text (e.g. the capture's name)")
    a = ap.parse_args()

    truth = load(a.truth, "truth")
    syn = load(a.synfin, "synfin")
    pairs, t_left, s_left, method = match(truth, syn)

    head = f"agreement{(' ' + a.label) if a.label else ''}"
    print(f"== {head}: truth {len(truth)} connections, synfin {len(syn)} connections")
    print(f"   matched by {method}: {len(pairs)}; only in truth: {len(t_left)}; only in synfin: {len(s_left)}"
          f"; roles swapped: {sum(1 for _, _, sw in pairs if sw)}")

    primary = collections.defaultdict(list)
    agree = 0
    hs_ok = td_ok = 0
    for t, s, swapped in pairs:
        h_eq = t.get("handshake") == s.get("handshake")
        d_eq = t.get("teardown") == s.get("teardown")
        hs_ok += h_eq
        td_ok += d_eq
        if h_eq and d_eq and not swapped:
            agree += 1
            continue
        parts = []
        if swapped:
            parts.append("roles swapped")
        parts.append(f"handshake {t.get('handshake')} -> {s.get('handshake')}" if not h_eq
                     else f"handshake {t.get('handshake')} (ok)")
        parts.append(f"teardown {t.get('teardown')} -> {s.get('teardown')}" if not d_eq
                     else f"teardown {t.get('teardown')} (ok)")
        primary["; ".join(parts)].append((t, s))
    for t in t_left:
        primary[f"missing in synfin (truth handshake {t.get('handshake')}, teardown {t.get('teardown')})"].append((t, None))

    n = len(truth)
    print(f"   handshake+teardown agree: {agree}/{n} = {pct(agree, n):.3f}%"
          f"   (handshake alone {pct(hs_ok, n):.3f}%, teardown alone {pct(td_ok, n):.3f}%)")

    print("   secondary (of matched connections):")
    sec_pat = {}
    for name, eq in SECONDARY:
        # like the bench's verify.py: a key the truth leaves out (handshake_rtt_ms of a
        # simultaneous open, closed_by of an open connection) is no claim, unless synfin's is null
        claimed = [(t, s) for t, s, _ in pairs if name in t or s.get(name) is None]
        silent = len(pairs) - len(claimed)
        bad = [(t, s) for t, s in claimed if not eq(t, s)]
        ok = len(claimed) - len(bad)
        extra = f"   ({silent} where the truth has no {name} but synfin gives one, not counted)" if silent else ""
        print(f"     {name:17s} {ok:7d}/{len(claimed)} = {pct(ok, len(claimed)):8.3f}%{extra}")
        sec_pat[name] = bad
        if silent:
            sc = collections.Counter(t.get("scenario", "?") for t, s, _ in pairs if name not in t and s.get(name) is not None)
            ex = [t for t, s, _ in pairs if name not in t and s.get(name) is not None][: a.examples]
            print(f"       no-truth scenarios: {fmt_scen(sc)}; e.g. ids {', '.join(str(t['id']) for t in ex)}")

    # handshake/teardown vocabulary counts side by side
    for field in ("handshake", "teardown"):
        tc = collections.Counter(t.get(field) for t in truth)
        sc = collections.Counter(s.get(field) for s in syn)
        keys = sorted(set(tc) | set(sc), key=lambda k: (-tc.get(k, 0), str(k)))
        print(f"   {field} counts (truth / synfin): " + ", ".join(f"{k} {tc.get(k, 0)}/{sc.get(k, 0)}" for k in keys))

    report_patterns("handshake/teardown disagreements (truth -> synfin)", primary, a.top, a.examples)

    # secondary patterns: closed_by by value pair, numbers by sign of the difference
    for name, bad in sec_pat.items():
        pats = collections.defaultdict(list)
        for t, s in bad:
            tv, sv = t.get(name), s.get(name)
            if name == "closed_by":
                key = f"closed_by {tv} -> {sv}"
            elif tv is None or sv is None:
                key = f"{name} {'null' if tv is None else 'number'} -> {'null' if sv is None else 'number'}"
            else:
                d = Decimal(sv) - Decimal(tv)
                key = f"{name} synfin {'more' if d > 0 else 'less'} than truth"
                if name == "syn_retransmits":
                    key = f"syn_retransmits {tv} -> {sv}"
            key += f"  [truth {t.get('handshake')}/{t.get('teardown')}]"
            pats[key].append((t, s))
        report_patterns(f"secondary: {name} disagreements", pats, min(a.top, 5), a.examples)

    if s_left:
        print(f"\nonly in synfin: {len(s_left)} (first {a.examples}):")
        for s in s_left[: a.examples]:
            print(f"      synfin#{s['id']} {s['client']} -> {s['server']} first_ts {s['first_ts']}"
                  f" handshake {s.get('handshake')} teardown {s.get('teardown')}")

    print(f"AGREEMENT {pct(agree, n):.4f} {agree} {n}")


if __name__ == "__main__":
    main()
