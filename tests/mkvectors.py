#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write tests/vectors/NAME.txt: the protected records of a key-logged recording of
captures/tls/ with what tshark decrypts them to, for tests/test_tlsdecrypt.c.

usage: mkvectors.py CAPTURE.pcap [OUT.txt]      (the key log is CAPTURE.keys)

The records are cut from the capture's TCP payload here (classic pcap, Ethernet,
IPv4: the recordings of record-tls.sh, one connection, no loss); the randoms, the
version, the suite and encrypt_then_mac come from the hellos, the master secret from
the key log's CLIENT_RANDOM line.  The plaintexts are tshark's, not synfin's:
`tshark -x -o tls.keylog_file:KEYS` prints each record it decrypted as a
"Decrypted TLS (N bytes)" data source, in record order within its frame; the
records protected after each side's ChangeCipherSpec are matched to them frame by
frame.  tshark's decryption is Wireshark's own key derivation and libgcrypt's
ciphers: an implementation independent of synfin and GnuTLS.  The script stops when
a record has no decrypted counterpart, so a vector file never holds a guess.

Format (as tests/test_tlsdecrypt.c reads it):
  keys12 VERSION SUITE ETM SIDE MASTER_SECRET CLIENT_RANDOM SERVER_RANDOM
  record TYPE VERSION BODY
  plain INNER_TYPE PLAINTEXT
Python 3 standard library and tshark only.
"""
import os
import struct
import subprocess
import sys


def tcp_streams(path):
    """[(frame number, from_server, payload)] of the capture's one TCP connection."""
    data = open(path, "rb").read()
    if struct.unpack("<I", data[:4])[0] != 0xA1B2C3D4:
        sys.exit("mkvectors.py: %s: not a little-endian microsecond pcap" % path)
    at, frame, out, client, seen = 24, 0, [], None, set()
    while at + 16 <= len(data):
        incl = struct.unpack("<I", data[at + 8:at + 12])[0]
        pkt = data[at + 16:at + 16 + incl]
        at += 16 + incl
        frame += 1
        if len(pkt) < 14 + 20 or pkt[12:14] != b"\x08\x00" or pkt[14 + 9] != 6:
            continue
        ihl = (pkt[14] & 15) * 4
        tot = struct.unpack("!H", pkt[16:18])[0]
        tcp = pkt[14 + ihl:14 + tot]
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        flags = tcp[13]
        if client is None and flags & 0x02 and not flags & 0x10:
            client = sport
        payload = tcp[(tcp[12] >> 4) * 4:]
        if payload and (sport, seq) not in seen:  # a retransmission carries nothing new
            seen.add((sport, seq))
            out.append((frame, sport != client, payload))
    return out


def records(chunks, side):
    """[(frame where the record ends, type, version, body)] of one direction."""
    buf, recs = b"", []
    for frame, from_server, payload in chunks:
        if from_server != side:
            continue
        buf += payload
        while len(buf) >= 5 and len(buf) >= 5 + struct.unpack("!H", buf[3:5])[0]:
            n = struct.unpack("!H", buf[3:5])[0]
            recs.append((frame, buf[0], struct.unpack("!H", buf[1:3])[0], buf[5:5 + n]))
            buf = buf[5 + n:]
    return recs


def decrypted_by_frame(path, keys):
    """{frame: [bytes of each "Decrypted TLS" data source, in order]} from tshark -x, whose
    output holds one block per packet, blank-line separated; a packet with several data
    sources heads each with its name ("Frame (N bytes):", "Decrypted TLS (N bytes):")."""
    out = subprocess.run(["tshark", "-r", path, "-o", "tls.keylog_file:" + keys, "-x"], capture_output=True,
                         text=True, check=True).stdout
    frames = {}
    for frame, block in enumerate(out.strip("\n").split("\n\n"), 1):
        cur = None
        for line in block.splitlines():
            if line.endswith("bytes):"):
                cur = bytearray() if line.startswith("Decrypted TLS (") else None
                if cur is not None:
                    frames.setdefault(frame, []).append(cur)
            elif cur is not None:
                cur += bytes(int(h, 16) for h in line[6:54].split())
    return {f: [bytes(b) for b in bl] for f, bl in frames.items()}


def hello_fields(recs, want_type):
    """The first handshake message of type want_type in clear: its body."""
    hs = b"".join(body for _, t, _, body in recs if t == 22)
    at = 0
    while at + 4 <= len(hs):
        t, n = hs[at], int.from_bytes(hs[at + 1:at + 4], "big")
        if t == want_type:
            return hs[at + 4:at + 4 + n]
        at += 4 + n
    sys.exit("mkvectors.py: no handshake message %d in clear" % want_type)


def server_hello(body):
    version, random = struct.unpack("!H", body[:2])[0], body[2:34]
    sid = body[34]
    at = 35 + sid
    suite = struct.unpack("!H", body[at:at + 2])[0]
    at += 3
    etm = 0
    if at + 2 <= len(body):
        end = at + 2 + struct.unpack("!H", body[at:at + 2])[0]
        at += 2
        while at + 4 <= end:
            t, n = struct.unpack("!HH", body[at:at + 4])
            etm |= t == 22
            at += 4 + n
    return version, random, suite, etm


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.split("\n\n")[1])
    path = sys.argv[1]
    keys = path[:-5] + ".keys"
    chunks = tcp_streams(path)
    sides = [records(chunks, 0), records(chunks, 1)]
    client_random = hello_fields(sides[0], 1)[2:34]
    version, server_random, suite, etm = server_hello(hello_fields(sides[1], 2))
    master = None
    for line in open(keys):
        parts = line.split()
        if len(parts) == 3 and parts[0] == "CLIENT_RANDOM" and parts[1].lower() == client_random.hex():
            master = parts[2].lower()
    if not master:
        sys.exit("mkvectors.py: no CLIENT_RANDOM for this connection in %s" % keys)
    plain = decrypted_by_frame(path, keys)
    name = os.path.basename(path)
    rel = os.path.relpath(path, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    lines = [
        "# Real records of %s, decrypted by tshark with the secrets of %s.keys" % (rel, rel[:-5]),
        "# (synfin's tests/test_tlsdecrypt.c reads this file; tests/mkvectors.py wrote it:",
        "# records cut from the capture's TCP payload, plaintexts from `tshark -x` with the key log).",
        "#",
        "# Lines, in the order the records were sent (the sequence numbers count them):",
        "#   keys12 VERSION SUITE ETM SIDE MASTER_SECRET CLIENT_RANDOM SERVER_RANDOM",
        "#   record TYPE VERSION BODY         (the header's type and version, the body)",
        "#   plain INNER_TYPE PLAINTEXT       (what that record decrypts to)",
        "# connection 1 of %s: version %04x suite %04x etm %d" % (name, version, suite, etm),
    ]
    used = {}
    n = 0
    for side in (0, 1):
        lines.append("keys12 %04x %04x %d %s %s %s %s" % (version, suite, etm, "server" if side else "client",
                                                          master, client_random.hex(), server_random.hex()))
        after_ccs = False
        for frame, t, v, body in sides[side]:
            if t == 20 and not after_ccs:
                after_ccs = True
                continue
            if not after_ccs:
                continue
            k = used.get(frame, 0)
            got = plain.get(frame, [])
            if k >= len(got):
                sys.exit("mkvectors.py: frame %d: tshark decrypted no record for this one" % frame)
            used[frame] = k + 1
            lines.append("record %02x %04x %s" % (t, v, body.hex()))
            lines.append("plain %02x %s" % (t, got[k].hex()))
            n += 1
    for frame, got in plain.items():
        if used.get(frame, 0) != len(got):
            sys.exit("mkvectors.py: frame %d: %d decrypted records, %d matched" % (frame, len(got), used.get(frame, 0)))
    out = sys.argv[2] if len(sys.argv) == 3 else None
    text = "\n".join(lines) + "\n"
    if out:
        open(out, "w").write(text)
        print("%s: %d records" % (out, n))
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
