#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""events.py - `--json --events` on the crafted captures: the keys of every
event are exactly the documented ones, and the rows of the handshake and of
each kind of close carry the states synfin(1) ("TCP MODEL") tabulates.

usage: events.py SYNFIN CAPTURES_DIR
"""
import json
import subprocess
import sys

KEYS = {"frame", "t", "dir", "flags", "seq", "ack", "len", "win", "client_state", "server_state",
        "notes", "messages"}

HANDSHAKE = [("c2s", "SYN", "SYN_SENT", "LISTEN"),
             ("s2c", "SYN+ACK", "SYN_SENT", "SYN_RECV"),
             ("c2s", "ACK", "ESTABLISHED", "ESTABLISHED")]
# the teardown rows: from the first FIN to the end of the connection
CLOSES = {
    "four-way-close.pcap": [("c2s", "FIN+ACK", "FIN_WAIT_1", "ESTABLISHED"),
                            ("s2c", "ACK", "FIN_WAIT_2", "CLOSE_WAIT"),
                            ("s2c", "FIN+ACK", "FIN_WAIT_2", "LAST_ACK"),
                            ("c2s", "ACK", "TIME_WAIT", "CLOSED")],
    "three-way-close.pcap": [("c2s", "FIN+ACK", "FIN_WAIT_1", "ESTABLISHED"),
                             ("s2c", "FIN+ACK", "FIN_WAIT_2", "LAST_ACK"),
                             ("c2s", "ACK", "TIME_WAIT", "CLOSED")],
    "simultaneous-close.pcap": [("c2s", "FIN+ACK", "FIN_WAIT_1", "ESTABLISHED"),
                                ("s2c", "FIN+ACK", "FIN_WAIT_1", "FIN_WAIT_1"),
                                ("c2s", "ACK", "CLOSING", "FIN_WAIT_2"),
                                ("s2c", "ACK", "TIME_WAIT", "TIME_WAIT")],
    "incomplete-close.pcap": [("c2s", "FIN+ACK", "FIN_WAIT_1", "ESTABLISHED"),
                              ("s2c", "ACK", "FIN_WAIT_2", "CLOSE_WAIT"),
                              ("s2c", "FIN+ACK", "FIN_WAIT_2", "LAST_ACK")],
    "half-close.pcap": None,  # keys and handshake only
}


def events_of(synfin, path):
    out = subprocess.run([synfin, "-q", "--json", "--events", "-r", path], capture_output=True, text=True,
                         check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def rows(evs):
    return [(e["dir"], e["flags"], e["client_state"], e["server_state"]) for e in evs]


def main():
    synfin, top = sys.argv[1], sys.argv[2]
    fail = 0
    for name, want in CLOSES.items():
        conns = events_of(synfin, top + "/" + name)
        if len(conns) != 1:
            print("FAIL %s: %d connections" % (name, len(conns)))
            fail += 1
            continue
        c = conns[0]
        evs = c["events"]
        if len(evs) != c["packets"]:
            print("FAIL %s: %d events for %d packets" % (name, len(evs), c["packets"]))
            fail += 1
        for i, e in enumerate(evs):
            if set(e) != KEYS:
                print("FAIL %s event %d: keys %s" % (name, i, sorted(set(e) ^ KEYS)))
                fail += 1
            if e["frame"] != i + 1 or not isinstance(e["t"], (int, float)) or e["t"] < 0:
                print("FAIL %s event %d: frame %r t %r" % (name, i, e["frame"], e["t"]))
                fail += 1
            if ("ACK" in e["flags"].split("+")) != (e["ack"] is not None):
                print("FAIL %s event %d: ack %r with flags %s" % (name, i, e["ack"], e["flags"]))
                fail += 1
        if rows(evs[:3]) != HANDSHAKE:
            print("FAIL %s: handshake rows %s" % (name, rows(evs[:3])))
            fail += 1
        if want is not None:
            first_fin = next(i for i, e in enumerate(evs) if "FIN" in e["flags"])
            got = rows(evs[first_fin:])
            if got != want:
                print("FAIL %s: teardown rows\n  got  %s\n  want %s" % (name, got, want))
                fail += 1
            else:
                print("ok   %s: %d teardown rows as tabulated" % (name, len(want)))
    # the messages a packet completes, on the packet that completed them
    c = events_of(synfin, top + "/http-client-close.pcap")[0]
    msgs = [(e["dir"], m) for e in c["events"] for m in e["messages"]]
    if msgs != [("c2s", "GET /client-close HTTP/1.1"), ("s2c", "HTTP/1.1 200 OK")]:
        print("FAIL http-client-close.pcap: messages %s" % msgs)
        fail += 1
    print("events: %d failure(s)" % fail)
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
