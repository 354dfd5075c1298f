#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
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
expect("ipv6-exthdr.pcap", "first fragments alone: two datagrams never completed", lambda c, rc, e: "2 IP datagrams not reassembled (2 still incomplete at the end)" in e)
expect("port-reuse.pcap", "a new SYN after the close starts connection 2", lambda c, rc, e: [x["id"] for x in c] == [1, 2])
expect("mid-stream.pcap", "the higher port is the client, both start ESTABLISHED", lambda c, rc, e: c[0]["client"].endswith(":51515") and c[0]["handshake_rtt_ms"] is None)
expect("synack-new-isn.pcap", "the response placed by the second SYN+ACK's ISN", lambda c, rc, e: c[0]["http"]["first_status"] == 200 and c[0]["gap_bytes"] == 0 and A(c)["retransmissions"] == 0)
expect("syn-after-data.pcap", "the late SYN joins its connection, marked out-of-order, no RTT", lambda c, rc, e: A(c)["out_of_order"] == 1 and c[0]["flags"]["syn"] == 1 and c[0]["handshake_rtt_ms"] is None)
expect("late-fin-rst.pcap", "a FIN 13 s and a RST 16 s late are counted, not connections", lambda c, rc, e: len(c) == 2 and "2 late packets" in e and c[0]["flags"]["fin"] == 2 and c[1]["flags"]["rst"] == 0)

# link layers, tunnels, fragments and lengths (synfin(1), LINK LAYERS AND TUNNELS)
T = lambda c, i=0: [(t["type"], t.get("src"), t.get("dst"), t.get("id")) for t in c[i].get("tunnels", [])]
IPN = lambda c, i=0: c[i]["ip"]
TC, TS, TC6, TS6 = "203.0.113.1", "203.0.113.2", "2001:db8:7::1", "2001:db8:7::2"
for name, link in (("wlan-80211", "IEEE802_11"), ("wlan-radiotap", "IEEE802_11_RADIO"), ("wlan-ppi", "PPI"),
                   ("wlan-avs", "IEEE802_11_RADIO_AVS"), ("chdlc", "C_HDLC"), ("ppp", "PPP"), ("nflog", "NFLOG"),
                   ("ipnet", "IPNET"), ("gre", "EN10MB")):
    expect(f"{name}.pcap", f"link {link}", lambda c, rc, e, link=link: all(x["link"] == link for x in c) and rc == 0)
expect("wlan-80211.pcap", "a protected frame counted as encrypted, beacon and null data not IP", lambda c, rc, e: "1 encrypted 802.11" in e)
expect("pppoe-vlan.pcap", "nine VLAN tags walked, the first four kept, the PPPoE session", lambda c, rc, e: c[0]["vlan"] == [10, 11, 12, 13] and T(c) == [("pppoe", None, None, 0x2A1B)])
expect("gre.pcap", "GRE key and outer addresses", lambda c, rc, e: T(c) == [("gre", TC, TS, 0x1234)])
expect("erspan2.pcap", "ERSPAN II session 42 in GRE from the mirror", lambda c, rc, e: T(c) == [("gre", "192.0.2.250", "198.51.100.250", None), ("erspan", None, None, 42)])
expect("erspan3.pcap", "ERSPAN III session 7 with its platform subheader", lambda c, rc, e: T(c) == [("gre", "192.0.2.250", "198.51.100.250", None), ("erspan", None, None, 7)])
expect("vxlan.pcap", "VXLAN VNI 5001 under VLAN 30", lambda c, rc, e: c[0]["vlan"] == [30] and T(c) == [("vxlan", TC, TS, 5001)])
expect("geneve.pcap", "GENEVE VNI 0xabcd over IPv6 endpoints", lambda c, rc, e: T(c) == [("geneve", TC6, TS6, 0xABCD)])
expect("mpls.pcap", "an MPLS stack, and a pseudowire with control word", lambda c, rc, e: T(c, 0) == [("mpls", None, None, 1001), ("mpls", None, None, 2002)] and T(c, 1) == [("mpls", None, None, 3003)])
expect("teredo.pcap", "Teredo with an origin indication", lambda c, rc, e: T(c) == [("teredo", TC, TS, None)])
expect("ipip.pcap", "IPv4 in IPv4", lambda c, rc, e: T(c) == [("ipv4-in-ip", TC, TS, None)])
expect("6in4.pcap", "IPv6 in IPv4", lambda c, rc, e: T(c) == [("ipv6-in-ip", TC, TS, None)] and c[0]["ip_version"] == 6)
expect("gtpu.pcap", "GTP-U TEID of the first packet, extension header skipped", lambda c, rc, e: T(c) == [("gtp-u", TC, TS, 0x1000)])
expect("capwap.pcap", "CAPWAP data carrying swapped-FC 802.11", lambda c, rc, e: T(c) == [("capwap", TC, TS, None)])
expect("gre-nested.pcap", "eight nested GRE followed, the ninth level counted and skipped", lambda c, rc, e: [t[3] for t in T(c)] == list(range(1, 9)) and len(c) == 1 and "1 packets nested in more than 8" in e)
expect("ipv4-fragments.pcap", "out-of-order, interleaved IPv4 fragments reassembled; a mid-stream start in fragments", lambda c, rc, e: IPN(c, 0)["reassembled"] == 2 and IPN(c, 1)["reassembled"] == 1 and IPN(c, 2)["reassembled"] == 1 and c[2]["handshake"] == "mid-stream" and IPN(c, 0)["fragment_anomalies"] == 0 and "fragment anomalies" not in e)
expect("ipv6-fragments.pcap", "IPv6 fragments reassembled, last first", lambda c, rc, e: IPN(c)["reassembled"] == 1 and c[0]["http"]["first_status"] == 200)
expect("ipv4-fragment-tricks.pcap", "tiny and overlapping fragments counted, the first copy kept", lambda c, rc, e: IPN(c)["fragment_anomalies"] == 2 and c[0]["http"]["first_status"] == 200 and "1 overlapping fragments" in e and "1 tiny first fragments" in e)
expect("tso-length-zero.pcap", "IPv4 total length 0: the frame's 2920 bytes", lambda c, rc, e: IPN(c)["offload"] == 1 and c[0]["bytes_c2s"] == 2920 and c[0]["gap_bytes"] == 0)
expect("big-tcp.pcap", "BIG TCP IPv4 and an IPv6 jumbogram, 70000 bytes each", lambda c, rc, e: [IPN(c, i)["offload"] for i in (0, 1)] == [1, 1] and [x["bytes_s2c"] for x in c] == [70000, 70000])
expect("ipv4-length-exceeds.pcap", "a total length past the frame: bytes used, packet flagged", lambda c, rc, e: IPN(c)["length_exceeds_frame"] == 1 and "beyond the frame" in e)
print(f"crafted: {'all as constructed' if not fail else str(fail) + ' failure(s)'}")
sys.exit(1 if fail else 0)
PY
