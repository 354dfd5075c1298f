#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""states.py - every state change synfin reports is a step TCP has.

For every connection of every capture given (or found under the folders
given), `synfin --json --events` lists each side's state after each packet.
Between one packet and the next:

  - a RST may leave either side CLOSED;
  - the side that sent the packet may move along one edge of RFC 9293's state
    diagram (section 3.3.2, figure 5), or two that the one segment causes (a
    FIN+ACK answering the peer's FIN: ESTABLISHED -> CLOSE_WAIT -> LAST_ACK);
  - the side that received it may move only because the packet acknowledged
    its own SYN or FIN (SYN_RECV -> ESTABLISHED, FIN_WAIT_1 -> FIN_WAIT_2,
    CLOSING -> TIME_WAIT, LAST_ACK -> CLOSED): an observer cannot know it got
    anything else until it answers.

usage: states.py SYNFIN PATH... (files, or folders searched for *.pcap and
*.pcapng; a .keys file beside a capture is given as its key log).
Prints one line per violation and a count; exits 1 on any violation.
"""
import json
import os
import subprocess
import sys

EDGES = {
    ("CLOSED", "LISTEN"), ("CLOSED", "SYN_SENT"),
    ("LISTEN", "SYN_RECV"), ("LISTEN", "SYN_SENT"), ("LISTEN", "CLOSED"),
    ("SYN_SENT", "SYN_RECV"), ("SYN_SENT", "ESTABLISHED"), ("SYN_SENT", "CLOSED"),
    ("SYN_RECV", "ESTABLISHED"), ("SYN_RECV", "FIN_WAIT_1"), ("SYN_RECV", "LISTEN"),
    ("ESTABLISHED", "FIN_WAIT_1"), ("ESTABLISHED", "CLOSE_WAIT"),
    ("FIN_WAIT_1", "FIN_WAIT_2"), ("FIN_WAIT_1", "CLOSING"),
    ("FIN_WAIT_2", "TIME_WAIT"),
    ("CLOSING", "TIME_WAIT"),
    ("CLOSE_WAIT", "LAST_ACK"),
    ("LAST_ACK", "CLOSED"),
    ("TIME_WAIT", "CLOSED"),
}
RECEIVER_EDGES = {("SYN_RECV", "ESTABLISHED"), ("FIN_WAIT_1", "FIN_WAIT_2"),
                  ("CLOSING", "TIME_WAIT"), ("LAST_ACK", "CLOSED")}


def sender_ok(a, b):
    if a == b or (a, b) in EDGES:
        return True
    return any((a, m) in EDGES and (m, b) in EDGES for m in {e[1] for e in EDGES})


def step(before, e, conn, where):
    """The impossible changes from `before` to the states after event e."""
    bad = []
    after = {"client": e["client_state"], "server": e["server_state"]}
    sender = "client" if e["dir"] == "c2s" else "server"
    for side in ("client", "server"):
        a, b = before[side], after[side]
        if a == b:
            continue
        if "RST" in e["flags"] and b == "CLOSED":
            continue
        ok = sender_ok(a, b) if side == sender else (a, b) in RECEIVER_EDGES
        if not ok:
            bad.append("%s conn %d frame %d (%s from the %s): %s %s -> %s" %
                       (where, conn["id"], e["frame"], e["flags"], sender, side, a, b))
    return bad, after


def check(conn, where):
    events = conn.get("events", [])
    if not events:
        return []
    # before the first packet: CLOSED / LISTEN, or ESTABLISHED on both sides for a
    # connection that began without its handshake (synfin(1), TCP MODEL)
    bad, before = step({"client": "CLOSED", "server": "LISTEN"}, events[0], conn, where)
    if bad:
        bad, before = step({"client": "ESTABLISHED", "server": "ESTABLISHED"}, events[0], conn, where)
    for e in events[1:]:
        more, before = step(before, e, conn, where)
        bad += more
    if before["client"] != conn["client_state"] or before["server"] != conn["server_state"]:
        bad.append("%s conn %d: last event %s/%s but the connection says %s/%s" %
                   (where, conn["id"], before["client"], before["server"], conn["client_state"], conn["server_state"]))
    return bad


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                for f in sorted(files):
                    if f.endswith((".pcap", ".pcapng")):
                        yield os.path.join(root, f)
        else:
            yield p


def main():
    synfin, paths = sys.argv[1], sys.argv[2:]
    nconn = nfiles = 0
    bad = []
    for cap in sorted(captures(paths)):
        args = [synfin, "-q", "--json", "--events", "--memcap", "0"]
        keys = os.path.splitext(cap)[0] + ".keys"
        if os.path.exists(keys):
            args += ["--keylog", keys]
        out = subprocess.run(args + ["-r", cap], capture_output=True, text=True, errors="replace")
        if out.returncode not in (0, 3):
            if "unsupported link type" in out.stderr:
                continue  # nothing to judge
            bad.append("%s: exit %d: %s" % (cap, out.returncode, out.stderr.strip()[:200]))
            continue
        nfiles += 1
        for line in out.stdout.splitlines():
            conn = json.loads(line)
            nconn += 1
            bad += check(conn, os.path.basename(cap))
    for b in bad:
        print("FAIL", b)
    print("states: %d connections in %d captures, %d impossible steps" % (nconn, nfiles, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
