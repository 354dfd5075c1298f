#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""keys.py - the JSON keys other tools join on, on every capture in captures/:

- client_ip/client_port and server_ip/server_port say what "client" and "server" say;
- duration is last_ts - first_ts to the capture's last digit;
- --time-format iso gives the same instants as the default epoch numbers, to every digit the
  capture carries, in UTC with a "Z"; everything else in the line is unchanged (events' "t" stays
  a number of seconds since the connection's first packet);
- every line carries schema_version.
Decimal arithmetic on the text, never floats: the point of iso is not to lose digits.
"""
import datetime
import decimal
import json
import subprocess
import sys


def run(synfin, ca, path, extra):
    out = subprocess.run([synfin, "-q", "--json", "--events", "--ca-file", ca] + extra + ["-r", path],
                         capture_output=True)
    err = out.stderr.decode("utf-8", "replace")
    if out.returncode not in (0, 1, 3) or "runtime error:" in err or "Sanitizer" in err:
        print("FAIL %s %s: exit %d: %s" % (path, " ".join(extra), out.returncode, err.strip()[:400]))
        sys.exit(1)
    return out.stdout.decode("utf-8", "replace").splitlines()


def raw_number(line, key):
    """The number as written in the line, digits intact."""
    i = line.index('"%s":' % key) + len(key) + 3
    j = i
    while line[j] not in ",}":
        j += 1
    return decimal.Decimal(line[i:j])


def iso_of(d):
    digits = max(0, -d.as_tuple().exponent)
    sec, frac = divmod(int(d.scaleb(digits)), 10 ** digits)
    t = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=sec)
    s = t.strftime("%Y-%m-%dT%H:%M:%S")
    if digits > 0:
        s += ".%0*d" % (digits, frac)
    return s + "Z"


synfin, ca, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
fail = n = 0
for path in paths:
    epoch = run(synfin, ca, path, [])
    iso = run(synfin, ca, path, ["--time-format", "iso"])
    if len(epoch) != len(iso):
        print("FAIL %s: %d lines, %d with --time-format iso" % (path, len(epoch), len(iso)))
        fail += 1
        continue
    for le, li in zip(epoch, iso):
        n += 1
        e, i = json.loads(le), json.loads(li)
        if "id" not in e and "capture" in e:
            continue  # the run's {"capture": ...} line, not a connection
        errs = []
        if e.get("schema_version") != 1:
            errs.append("schema_version %r" % e.get("schema_version"))
        for side in ("client", "server"):
            ip, port = e[side + "_ip"], e[side + "_port"]
            want = ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)
            if want != e[side]:
                errs.append("%s %s but %s_ip/%s_port make %s" % (side, e[side], side, side, want))
        first, last = raw_number(le, "first_ts"), raw_number(le, "last_ts")
        if raw_number(le, "duration") != last - first:
            errs.append("duration %s, last_ts - first_ts %s" % (raw_number(le, "duration"), last - first))
        for k, v in (("first_ts", first), ("last_ts", last)):
            if i[k] != iso_of(v):
                errs.append("%s %s in iso, %s from the epoch value %s" % (k, i[k], iso_of(v), v))
        for k in ("first_ts", "last_ts"):
            e.pop(k), i.pop(k)
        if e != i:
            errs.append("--time-format iso changed more than first_ts and last_ts")
        if any(not isinstance(ev["t"], (int, float)) for ev in i.get("events", [])):
            errs.append("an event's t is not a number")
        if errs:
            fail += 1
            print("FAIL %s id %s: %s" % (path, e["id"], "; ".join(errs)))
print("%d connections in %d captures: endpoint keys, duration, ISO times and schema_version agree" % (n - fail, len(paths)))
sys.exit(1 if fail or not n else 0)
