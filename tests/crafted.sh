#!/usr/bin/env bash
# crafted.sh - the crafted captures against what their construction intends
# (captures/crafted-expect.tsv, written by captures/craft.py beside each
# packet it builds), plus the analysis notes and skip counts each case was
# built to provoke.  Independent of the golden files: those pin the whole
# output, this pins the meaning.
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
exec python3 - "$SYNFIN" "$SRCDIR/captures" <<'PY'
import csv, json, subprocess, sys
synfin, capdir = sys.argv[1], sys.argv[2]
fail = 0
cache = {}

def run(name):
    if name not in cache:
        p = subprocess.run([synfin, "--json", "-r", f"{capdir}/{name}"], capture_output=True, text=True)
        conns = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        cache[name] = (p.returncode, sorted(conns, key=lambda c: c["id"]), p.stderr)
    return cache[name]

def bad(msg):
    global fail
    fail += 1
    print("FAIL", msg)

rows = list(csv.DictReader(open(f"{capdir}/crafted-expect.tsv"), delimiter="\t"))
by_file = {}
for r in rows:
    by_file.setdefault(r["file"], []).append(r)
for name, want in by_file.items():
    rc, conns, err = run(name)
    if len(conns) != len(want):
        bad(f"{name}: {len(conns)} connections, expected {len(want)}")
        continue
    ok = True
    for r, c in zip(want, conns):
        for key in ("client", "server", "handshake", "teardown", "client_state", "server_state"):
            if c[key] != r[key]:
                bad(f"{name} #{r['conn']}: {key} {c[key]!r}, construction says {r[key]!r}"); ok = False
        closed_by = c["closed_by"] or "-"
        if closed_by != r["closed_by"]:
            bad(f"{name} #{r['conn']}: closed_by {closed_by!r}, construction says {r['closed_by']!r}"); ok = False
        for key in ("bytes_c2s", "bytes_s2c", "packets"):
            if c[key] != int(r[key]):
                bad(f"{name} #{r['conn']}: {key} {c[key]}, construction says {r[key]}"); ok = False
    if ok:
        print(f"ok   {name}: {len(conns)} connection(s) as constructed")

# what each case was built to provoke
def expect(name, what, test):
    rc, conns, err = run(name)
    try:
        good = test(conns, rc, err)
    except Exception as e:  # a missing key is a failure, not a crash of the test
        good = False; what += f" ({e!r})"
    if good:
        print(f"ok   {name}: {what}")
    else:
        bad(f"{name}: {what}\n    {conns}\n    {err.strip()}")

A = lambda c: c[0]["analysis"]
expect("out-of-order.pcap", "an out-of-order segment and a dup ACK", lambda c, rc, e: A(c)["out_of_order"] >= 1 and A(c)["dup_acks"] >= 1 and A(c)["retransmissions"] == 0)
expect("retransmission-overlap.pcap", "retransmissions, first copy wins, bytes once", lambda c, rc, e: A(c)["retransmissions"] >= 2 and c[0]["gap_bytes"] == 0)
expect("lost-segment.pcap", "one lost segment reported as a 100-byte gap", lambda c, rc, e: A(c)["lost_segments"] == 1 and c[0]["gap_bytes"] == 100)
expect("zero-window.pcap", "zero window, window update, keep-alive", lambda c, rc, e: A(c)["zero_windows"] >= 1 and A(c)["window_updates"] >= 1 and A(c)["keep_alives"] >= 1)
expect("syn-retransmit.pcap", "two SYN retransmissions", lambda c, rc, e: c[0]["syn_retransmits"] == 2 and c[0]["flags"]["syn"] == 3)
expect("simultaneous-open.pcap", "no retransmission in a simultaneous open", lambda c, rc, e: A(c)["retransmissions"] == 0)
expect("seq-wraparound.pcap", "no false gap or retransmission across 2^32", lambda c, rc, e: A(c)["retransmissions"] == 0 and A(c)["lost_segments"] == 0 and c[0]["gap_bytes"] == 0)
expect("nanosecond.pcap", "9-decimal timestamps, RTT 1.234567 ms", lambda c, rc, e: c[0]["handshake_rtt_ms"] == 1.234 and str(c[0]["first_ts"]).count(".") == 1 and len(json.dumps(c[0]["first_ts"]).split(".")[1]) >= 7)
expect("truncated-snaplen.pcap", "payload cut by snaplen flagged, one header skipped", lambda c, rc, e: c[0]["truncated_packets"] >= 1 and "1 truncated headers" in e)
expect("corrupt-mid-file.pcap", "exit 3, one line, the connections before and after the damage reported", lambda c, rc, e: rc == 3 and len(c) == 2 and e.count("\n") == 1 and "corrupt-mid-file.pcap: damaged: 16 bytes skipped" in e)
expect("malformed-headers.pcap", "garbage packets skipped and counted", lambda c, rc, e: "packets skipped" in e and c[0]["packets"] == 10)
expect("ipv6-exthdr.pcap", "fragments counted as skipped", lambda c, rc, e: "2 IP fragments skipped" in e)
expect("port-reuse.pcap", "a new SYN after the close starts connection 2", lambda c, rc, e: [x["id"] for x in c] == [1, 2])
expect("mid-stream.pcap", "the higher port is the client, both start ESTABLISHED", lambda c, rc, e: c[0]["client"].endswith(":51515") and c[0]["handshake_rtt_ms"] is None)
print(f"crafted: {'all as constructed' if not fail else str(fail) + ' failure(s)'}")
sys.exit(1 if fail else 0)
PY
