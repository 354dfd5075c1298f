#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tuicap.py OUTDIR - captures the interface's tests need that captures/ does not hold
(python3 standard library only; TCP checksums are computed, so tshark and tcpdump agree):

  v6long.pcap   three connections between IPv6 addresses of 38 characters that differ only
                near their ends ([2001:db8:1111:2222:3333:4444:5555:1]:443 and ...:2)
  longrun.pcap  one connection: a handshake, a GET, 300 segments of server data with a
                retransmission after the 100th and a zero window after the 200th, a close
  linger.pcap   one clean connection (four-way close) and one left open
  longuri.pcap  one HTTP connection whose request line is 150 characters long
"""
import os
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b'', win=65535, v6=False):
    fl = 0
    for ch, bit in (('F', 1), ('S', 2), ('R', 4), ('P', 8), ('A', 16)):
        if ch in flags:
            fl |= bit
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, fl, win, 0, 0)
    seg = hdr + payload
    if v6:
        pseudo = src + dst + struct.pack('!IxxxB', len(seg), 6)
    else:
        pseudo = src + dst + struct.pack('!xBH', 6, len(seg))
    c = csum(pseudo + seg)
    seg = seg[:16] + struct.pack('!H', c) + seg[18:]
    if v6:
        ip = struct.pack('!IHBB', 6 << 28, len(seg), 6, 64) + src + dst
        eth = b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x86\xdd'
    else:
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(seg), 1, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        eth = b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00'
    return eth + ip + seg


class Conv:
    """One TCP conversation, its frames timestamped as they are added."""

    def __init__(self, out, cli, srv, cport, sport, t, v6=False):
        self.out, self.cli, self.srv, self.cport, self.sport, self.t, self.v6 = out, cli, srv, cport, sport, t, v6
        self.cseq, self.sseq = 1000, 5000

    def send(self, from_client, flags, payload=b'', dt=0.001, seq=None, win=65535):
        self.t += dt
        if from_client:
            f = tcp(self.cli, self.srv, self.cport, self.sport, self.cseq if seq is None else seq, self.sseq, flags,
                    payload, win, self.v6)
            if seq is None:
                self.cseq += len(payload) + ('S' in flags) + ('F' in flags)
        else:
            f = tcp(self.srv, self.cli, self.sport, self.cport, self.sseq if seq is None else seq, self.cseq, flags,
                    payload, win, self.v6)
            if seq is None:
                self.sseq += len(payload) + ('S' in flags) + ('F' in flags)
        self.out.append((self.t, f))

    def open(self):
        self.send(True, 'S')
        self.send(False, 'SA')
        self.send(True, 'A')

    def close(self):
        self.send(True, 'FA')
        self.send(False, 'A')
        self.send(False, 'FA')
        self.send(True, 'A')


def write(path, frames):
    frames.sort(key=lambda f: f[0])
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for t, fr in frames:
            sec = int(t)
            f.write(struct.pack('<IIII', sec, int(round((t - sec) * 1e6)), len(fr), len(fr)) + fr)


def v6(last):
    return bytes.fromhex('20010db8111122223333444455550000')[:14] + struct.pack('!H', last)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    t0 = 1800000000.0

    frames = []
    for i, (c, s) in enumerate(((1, 2), (3, 2), (1, 4))):
        cv = Conv(frames, v6(c), v6(s), 40000 + i, 443, t0 + i, v6=True)
        cv.open()
        cv.send(True, 'PA', b'GET / HTTP/1.1\r\nHost: v6\r\n\r\n')
        cv.send(False, 'PA', b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
        cv.close()
    write(os.path.join(out, 'v6long.pcap'), frames)

    frames = []
    cv = Conv(frames, bytes([10, 77, 0, 2]), bytes([10, 77, 0, 1]), 41000, 80, t0)
    cv.open()
    cv.send(True, 'PA', b'GET /longrun HTTP/1.1\r\nHost: longrun\r\n\r\n')
    body = b'HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n'
    cv.send(False, 'PA', body)
    for k in range(300):
        chunk = bytes([65 + k % 26]) * 1000
        if k == 200:  # the client's window is full for a moment
            cv.send(True, 'A', win=0)
        cv.send(False, 'A', chunk)
        if k == 100:  # the same segment again
            cv.send(False, 'A', chunk, seq=cv.sseq - 1000)
    cv.send(True, 'A')
    cv.close()
    write(os.path.join(out, 'longrun.pcap'), frames)

    frames = []
    cv = Conv(frames, bytes([10, 88, 0, 2]), bytes([10, 88, 0, 1]), 42000, 8080, t0)
    cv.open()
    cv.send(True, 'PA', b'GET /linger HTTP/1.1\r\n\r\n')
    cv.send(False, 'PA', b'HTTP/1.1 204 No Content\r\n\r\n')
    cv.close()
    cv = Conv(frames, bytes([10, 88, 0, 2]), bytes([10, 88, 0, 1]), 42001, 8080, t0 + 0.5)
    cv.open()
    write(os.path.join(out, 'linger.pcap'), frames)

    frames = []
    cv = Conv(frames, bytes([10, 66, 0, 2]), bytes([10, 66, 0, 1]), 43000, 80, t0)
    cv.open()
    cv.send(True, 'PA', b'GET /' + b'a-long-path-segment/' * 7 + b' HTTP/1.1\r\nHost: longuri\r\n\r\n')
    cv.send(False, 'PA', b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    cv.close()
    write(os.path.join(out, 'longuri.pcap'), frames)


if __name__ == '__main__':
    main()
