#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Build a large key-logged TLS capture for the decryption benchmark (make bench).

usage: mkkeyed.py SRCDIR OUT.pcap OUT.keys MEGABYTES

The recorded TLS captures of captures/tls/ (every cipher synfin decrypts, real
gnutls and openssl peers) are written again and again, each round one second
later than the last, until the file reaches MEGABYTES; their key logs are
joined into OUT.keys.  The connections reuse their four-tuples round after
round, which synfin sees as new connections (a new SYN after a close).
Classic pcap, Ethernet, microseconds: as the recordings are.
"""
import glob
import os
import struct
import sys


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack("<I", data[:4])
    if magic != 0xA1B2C3D4:
        raise SystemExit(f"{path}: not a little-endian microsecond pcap")
    at = 24
    while at + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[at:at + 16])
        yield sec, usec, data[at + 16:at + 16 + incl], orig
        at += 16 + incl


def main():
    src, out_pcap, out_keys, megabytes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    caps = sorted(p for p in glob.glob(f"{src}/captures/tls/**/*.pcap", recursive=True)
                  if os.path.exists(p[:-5] + ".keys") and "failed" not in p)
    recs = [list(records(p)) for p in caps]
    keys = set()
    for p in caps:
        keys.update(l for l in open(p[:-5] + ".keys") if l.strip() and not l.startswith("#"))
    with open(out_keys, "w") as k:
        k.writelines(sorted(keys))
    limit = megabytes << 20
    with open(out_pcap, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        written, base, rnd = 24, 1700000000, 0
        while written < limit:
            for rs in recs:  # each capture in its own second, in order, so time never goes back
                t0 = rs[0][0]
                for sec, usec, frame, orig in rs:
                    out.write(struct.pack("<IIII", base + sec - t0, usec, len(frame), orig) + frame)
                    written += 16 + len(frame)
                base += 2
            rnd += 1
    print(f"{out_pcap}: {rnd} rounds of {len(caps)} captures, {written >> 20} MiB; {len(keys)} key lines")


if __name__ == "__main__":
    main()
