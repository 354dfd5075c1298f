#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""capgen.py OUTDIR SRCDIR - the capture files tests/capfiles.sh reads, built from the
repository's own captures (python3 standard library only):

  part1.pcap part2.pcap  http-keepalive-2req.pcap cut in two between its packets
  rot/cap rot/cap1 ...   the same as a directory of rotated files (and a README)
  multi.pcapng           http-client-close.pcap (Ethernet, "eth0") and raw.pcap (RAW,
                         "tun0") interleaved in one section, a second big-endian section
                         with refused.pcap, an ISB with drop counts, NRB/custom/unknown blocks
  twoif.pcapng           http-client-close.pcap, each direction on an interface of its own
  dsb.pcapng             tls13-full.pcap with its key log in a Decryption Secrets Block
  spb.pcapng             http-client-close.pcap in Simple Packet Blocks
  bigrec.pcap            two connections with a 300000-byte record between them
  lenlie.pcap            the same with a record header claiming 2 GB instead
  badtrailer.pcapng      a block whose trailing length does not match, mid-file
  cut.pcap               the last record cut
  http.pcap.gz           http-keepalive-2req.pcap gzip-compressed
  many.pcap              http-client-close.pcap's connection 4000 times on new ports (for signals)
"""
import gzip
import os
import struct
import sys


def read_pcap(path):
    """[(sec, usec, frame, wirelen)], linktype of a classic pcap (microseconds)."""
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
    lt = struct.unpack(e + 'I', data[20:24])[0]
    out, pos = [], 24
    while pos + 16 <= len(data):
        sec, frac, cl, wl = struct.unpack(e + 'IIII', data[pos:pos + 16])
        out.append((sec, frac // 1000 if nano else frac, data[pos + 16:pos + 16 + cl], wl))
        pos += 16 + cl
    return out, lt


def pcap_header(lt=1, snap=262144):
    return struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snap, lt)


def pcap_record(sec, usec, frame, wirelen=None):
    return struct.pack('<IIII', sec, usec, len(frame), wirelen or len(frame)) + frame


def block(t, body, be=False):
    e = '>' if be else '<'
    body += b'\0' * ((-len(body)) % 4)
    return struct.pack(e + 'II', t, 12 + len(body)) + body + struct.pack(e + 'I', 12 + len(body))


def option(code, val, be=False):
    e = '>' if be else '<'
    return struct.pack(e + 'HH', code, len(val)) + val + b'\0' * ((-len(val)) % 4)


def shb(be=False):
    return block(0x0A0D0D0A, struct.pack(('>' if be else '<') + 'IHHq', 0x1A2B3C4D, 1, 0, -1), be)


def idb(lt, name, be=False):
    return block(1, struct.pack(('>' if be else '<') + 'HHI', lt, 0, 262144) + option(2, name, be) +
                 option(0, b'', be), be)


def epb(iface, sec, usec, frame, be=False):
    ts = sec * 1000000 + usec
    e = '>' if be else '<'
    return block(6, struct.pack(e + 'IIIII', iface, ts >> 32, ts & 0xffffffff, len(frame), len(frame)) + frame, be)


def write(outdir, name, data):
    path = os.path.join(outdir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def main():
    out, src = sys.argv[1], sys.argv[2]
    cap = lambda n: os.path.join(src, 'captures', n)
    ka, _ = read_pcap(cap('http-keepalive-2req.pcap'))
    half = len(ka) // 2
    write(out, 'part1.pcap', pcap_header() + b''.join(pcap_record(*p) for p in ka[:half]))
    write(out, 'part2.pcap', pcap_header() + b''.join(pcap_record(*p) for p in ka[half:]))
    # rotated files, as tcpdump -C names them: name order is cap, cap1, cap2 ... cap10
    for i, k in enumerate(range(0, len(ka), 2)):
        write(out, 'rot/cap%s' % (i or ''), pcap_header() + b''.join(pcap_record(*p) for p in ka[k:k + 2]))
    write(out, 'rot/README', b'not a capture\n')

    eth, _ = read_pcap(cap('http-client-close.pcap'))
    raw, raw_lt = read_pcap(cap('raw.pcap'))
    ref, _ = read_pcap(cap('refused.pcap'))
    frames = sorted([(s, u, 0, f) for s, u, f, _ in eth] + [(s, u, 1, f) for s, u, f, _ in raw])
    ng = shb() + idb(1, b'eth0') + idb(raw_lt, b'tun0')
    ng += block(4, struct.pack('<HH', 1, 8) + bytes([10, 0, 0, 1]) + b'host' + struct.pack('<HH', 0, 0))
    ng += block(0x00000BAD, struct.pack('<I', 32473) + b'custom data')
    ng += block(0x31337, b'unknown')
    for s, u, i, f in frames:
        ng += epb(i, s, u, f)
    ng += block(5, struct.pack('<III', 0, 0, 0) + option(4, struct.pack('<Q', 100)) +
                option(5, struct.pack('<Q', 2)) + option(7, struct.pack('<Q', 3)) + option(0, b''))
    ng += shb(True) + idb(1, b'eth0', True)
    for s, u, f, _ in ref:
        ng += epb(0, s, u, f, True)
    write(out, 'multi.pcapng', ng)

    # one connection seen on two interfaces: each direction on its own (a router's two sides)
    ng = shb() + idb(1, b'inside') + idb(1, b'outside')
    for s_, u, f, _ in eth:
        ng += epb(0 if f[26:30] == eth[0][2][26:30] else 1, s_, u, f)
    write(out, 'twoif.pcapng', ng)

    tls, _ = read_pcap(cap('tls/tls13-full.pcap'))
    keys = open(cap('tls/tls13-full.keys'), 'rb').read()
    ng = shb() + idb(1, b'lo') + block(10, struct.pack('<II', 0x544c534b, len(keys)) + keys)
    for s, u, f, _ in tls:
        ng += epb(0, s, u, f)
    write(out, 'dsb.pcapng', ng)

    ng = shb() + idb(1, b'eth0')
    for _, _, f, wl in eth:
        ng += block(3, struct.pack('<I', wl) + f)
    write(out, 'spb.pcapng', ng)

    # damage in the middle: the connections on both sides must be read
    two = [p for p in ka[:half]], [p for p in ka[half:]]
    first = b''.join(pcap_record(*p) for p in eth)
    second = b''.join(pcap_record(s + 5, u, f, w) for s, u, f, w in ref)
    last = eth[-1]
    write(out, 'bigrec.pcap', pcap_header() + first + pcap_record(last[0], last[1], bytes(300000)) + second)
    write(out, 'lenlie.pcap', pcap_header() + first + struct.pack('<IIII', last[0], 0, 0x80000000, 0x80000000) + second)
    ng = shb() + idb(1, b'eth0')
    for s, u, f, _ in eth:
        ng += epb(0, s, u, f)
    bad = epb(0, last[0], last[1], bytes(100))
    ng += bad[:-4] + struct.pack('<I', 9999)
    for s, u, f, _ in ref:
        ng += epb(0, s + 5, u, f)
    write(out, 'badtrailer.pcapng', ng)
    body = pcap_header() + first
    write(out, 'cut.pcap', body[:-10])
    del two

    write(out, 'http.pcap.gz', gzip.compress(open(cap('http-keepalive-2req.pcap'), 'rb').read()))

    # many connections: each copy of the connection on its own client port
    recs = []
    for n in range(4000):
        port = struct.pack('!H', 10000 + n)
        for s, u, f, w in eth:
            f = bytearray(f)
            # Ethernet + IPv4 (IHL 5): client port is the source port from the client, destination back
            if f[14 + 12:14 + 16] == eth[0][2][14 + 12:14 + 16]:
                f[34:36] = port
            else:
                f[36:38] = port
            recs.append(pcap_record(s + n, u, bytes(f), w))
    write(out, 'many.pcap', pcap_header() + b''.join(recs))


if __name__ == '__main__':
    main()
