#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""adversarial.py DIR - write hostile captures into DIR (python3 stdlib only).

Each capture also holds ONE NORMAL CONNECTION on a 4-tuple of its own (a
complete handshake, "GET /index.html" answered 200 with a 5-byte body, a
four-way close by the client), interleaved early in the file, which synfin
must still report exactly.  What each file was built to hold is written to
DIR/expect.json for tests/adversarial.sh.

  syn-flood.pcap        2,000,000 SYNs on distinct 4-tuples over 20 s
  ooo-million.pcap      1,000,000 data segments of one connection, the even
                        ones first, then the odd ones; every 10th never sent
  tls-2p24.pcap         TLS record and handshake lengths at and past the limits
  overlap-100k.pcap     100,000 retransmissions with other content over the
                        bytes one connection already sent
  snaplen-sweep.pcap    several connections, every packet cut to 1..64 bytes
  pcapng-absurd.pcapng  a good start, then a block claiming 0xfffffff0 bytes
  pcapng-short.pcapng   ... a block claiming 8 bytes (less than the 12 minimum)
  pcapng-odd.pcapng     ... a block claiming 30 bytes (not a multiple of 4)
  pcap-caplen-huge.pcap a classic pcap record claiming 0xfffffff0 captured bytes
  pcap-cut-record.pcap  a classic pcap ending inside its last record
  ladder-memcap.pcap    one connection whose ladder alone outgrows --memcap 256K,
                        with the normal connection running beside it
  frag-flood.pcap       60,000 first IPv4 fragments of datagrams that never complete,
                        then 16,000 overlapping 8-byte fragments of one datagram
                        that never completes, and one datagram completed last
  hash-colliding.pcap   100,000 IPv6 SYNs whose 4-tuples all shared one slot of
                        synfin's old, unkeyed flow hash (computed backwards)
  hash-random.pcap      100,000 IPv6 SYNs of the same shape, random interface IDs
  keylog-1m.keys        a key log of 1,100,001 client randoms, the one that
                        decrypts captures/tls/tls12-ecdhe-rsa.pcap last
  hostile-text.pcap     terminal escapes, C1 and bidi controls, invalid UTF-8 in the
                        SNI, ALPN, certificate names, an HTTP target, Host and reason
  tls-names.pcap        TLS handshakes whose names test the JSON lists: a SAN with
                        a comma in it, three SANs, a chain of 300 certificates,
                        ALPN lists with a comma inside a protocol name

Bulk packets are stamped from precomputed templates with checksums updated
incrementally (RFC 1624), so the ~4 million packets take seconds, not minutes.
"""
import json
import os
import struct
import sys

ETH_SRC = bytes.fromhex("020000000001")
ETH_DST = bytes.fromhex("020000000002")
ETH4 = ETH_DST + ETH_SRC + b"\x08\x00"
ETH6 = ETH_DST + ETH_SRC + b"\x86\xdd"

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
BASE_TS = 1795600000  # seconds; every capture starts here

REC = struct.Struct("<IIII")  # pcap record header, little-endian like the file header


def ip4(s):
    a, b, c, d = (int(x) for x in s.split("."))
    return a << 24 | b << 16 | c << 8 | d


def fold(x):
    while x >> 16:
        x = (x & 0xFFFF) + (x >> 16)
    return x


def words(b):
    if len(b) & 1:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


# ---------------------------------------------------------------- general (slow) frames

def frame4(src, dst, sport, dport, seq, ack, flags, payload=b"", win=64240, opts=b"", ipid=1):
    """Ethernet + IPv4 + TCP with valid checksums."""
    tcp_len = 20 + len(opts) + len(payload)
    s, d = ip4(src), ip4(dst)
    iph = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + tcp_len, ipid & 0xFFFF, 0x4000, 64, 6, 0, s, d)
    iph = iph[:10] + struct.pack("!H", 0xFFFF - fold(words(iph))) + iph[12:]
    off = (20 + len(opts)) // 4 << 4
    tcph = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off, flags, win, 0, 0) + opts
    pseudo = (s >> 16) + (s & 0xFFFF) + (d >> 16) + (d & 0xFFFF) + 6 + tcp_len
    ck = 0xFFFF - fold(pseudo + words(tcph + payload))
    tcph = tcph[:16] + struct.pack("!H", ck) + tcph[18:]
    return ETH4 + iph + tcph + payload


def frame6(src16, dst16, sport, dport, seq, ack, flags, payload=b"", win=64240):
    tcp_len = 20 + len(payload)
    iph = struct.pack("!IHBB", 6 << 28, tcp_len, 6, 64) + src16 + dst16
    tcph = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, win, 0, 0)
    pseudo = words(src16) + words(dst16) + tcp_len + 6
    ck = 0xFFFF - fold(pseudo + words(tcph + payload))
    tcph = tcph[:16] + struct.pack("!H", ck) + tcph[18:]
    return ETH6 + iph + tcph + payload


class Conn:
    """A TCP conversation; tracks both sequence numbers."""

    def __init__(self, cip, sip, cport, sport, cisn, sisn):
        self.c, self.s, self.cp, self.sp = cip, sip, cport, sport
        self.cseq, self.sseq = cisn, sisn
        self.ipid = 1

    def pkt(self, from_client, flags, payload=b"", opts=b"", seq=None, ack=None):
        self.ipid += 1
        if from_client:
            f = frame4(self.c, self.s, self.cp, self.sp, self.cseq if seq is None else seq,
                       self.sseq if ack is None else ack, flags, payload,
                       opts=opts, ipid=self.ipid)
            if seq is None:
                self.cseq += len(payload) + (1 if flags & (SYN | FIN) else 0)
        else:
            f = frame4(self.s, self.c, self.sp, self.cp, self.sseq if seq is None else seq,
                       self.cseq if ack is None else ack, flags, payload, win=65160, opts=opts, ipid=self.ipid)
            if seq is None:
                self.sseq += len(payload) + (1 if flags & (SYN | FIN) else 0)
        return f

    def handshake(self, opts=b""):
        return [self.pkt(True, SYN, opts=opts, ack=0), self.pkt(False, SYN | ACK, opts=opts),
                self.pkt(True, ACK)]

    def four_way_close(self):
        """Client FIN, its ACK, server FIN, its ACK."""
        return [self.pkt(True, FIN | ACK), self.pkt(False, ACK), self.pkt(False, FIN | ACK), self.pkt(True, ACK)]


NORMAL_REQ = b"GET /index.html HTTP/1.1\r\nHost: normal.test\r\nUser-Agent: adversarial\r\n\r\n"
NORMAL_RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"


def normal_conn(client_ip, server_ip, cport, sport=80):
    """The one normal connection: 11 packets; returns (frames, what synfin must say)."""
    c = Conn(client_ip, server_ip, cport, sport, 0x1000_0000, 0x2000_0000)
    frames = c.handshake()
    frames += [c.pkt(True, PSH | ACK, NORMAL_REQ), c.pkt(False, ACK),
               c.pkt(False, PSH | ACK, NORMAL_RESP), c.pkt(True, ACK)]
    frames += c.four_way_close()
    want = {"client": "%s:%d" % (client_ip, cport), "server": "%s:%d" % (server_ip, sport),
            "handshake": "complete", "teardown": "four-way", "closed_by": "client", "app": "http",
            "first_request": "GET /index.html", "first_status": 200, "packets": len(frames),
            "bytes_c2s": len(NORMAL_REQ), "bytes_s2c": len(NORMAL_RESP)}
    return frames, want


# ---------------------------------------------------------------- pcap writing

class Pcap:
    def __init__(self, path, snaplen=262144):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, 1))
        self.count = 0

    def add(self, usec, frame, caplen=None):
        """usec: microseconds since BASE_TS."""
        n = len(frame) if caplen is None else min(caplen, len(frame))
        self.f.write(REC.pack(BASE_TS + usec // 1000000, usec % 1000000, n, len(frame)))
        self.f.write(frame[:n])
        self.count += 1

    def raw(self, b, packets):
        self.f.write(b)
        self.count += packets

    def close(self):
        self.f.close()


def interleave(normal_frames, first, every):
    """Packet index -> normal frame, for mixing the normal connection in early."""
    return {first + k * every: f for k, f in enumerate(normal_frames)}


# ---------------------------------------------------------------- 1. SYN flood

def syn_flood(path, n=2_000_000, span_usec=20_000_000):
    normal, want = normal_conn("192.0.2.1", "198.51.100.1", 40000)
    mix = interleave(normal, 500, 997)  # the first ~10,000 packets
    mss = b"\x02\x04\x05\xb4"
    dst, dport = ip4("198.51.100.80"), 80
    # IPv4 header words without id and source; TCP without source port, seq and source address
    ip_base = 0x4500 + 44 + 0x4000 + (64 << 8 | 6) + (dst >> 16) + (dst & 0xFFFF)
    tcp_base = (dst >> 16) + (dst & 0xFFFF) + 6 + 24 + dport + ((6 << 4) << 8 | SYN) + 64240 + words(mss)
    hdr = struct.Struct("!HHHBBHIIHHIIBBHHH4s")  # total..options, after vhl/tos
    rec_len = 16 + 14 + 2 + hdr.size
    pc = Pcap(path)
    chunk = 65536
    buf = bytearray(rec_len * chunk)
    # constant bytes of every record: Ethernet header and IPv4 version/TOS
    for k in range(chunk):
        o = k * rec_len
        buf[o + 16:o + 32] = ETH4 + b"\x45\x00"
    inchunk, written, i = 0, 0, 0
    pk = hdr.pack_into
    rk = REC.pack_into
    while i < n or mix:
        idx = written + inchunk
        if idx in mix:  # flush, then the normal connection's packet
            pc.raw(bytes(buf[:inchunk * rec_len]), inchunk)
            written += inchunk
            inchunk = 0
            usec = i * span_usec // n
            pc.add(usec, mix.pop(idx))
            written += 1
            continue
        if i >= n:
            break
        src = 0x0A000001 + (i >> 6)
        sport = 1024 + (i & 63) * 1000 + (i >> 6) % 997
        seq = (i * 2654435761) & 0xFFFFFFFF
        ipid = i & 0xFFFF
        ipck = 0xFFFF - fold(ip_base + ipid + (src >> 16) + (src & 0xFFFF))
        tck = 0xFFFF - fold(tcp_base + (src >> 16) + (src & 0xFFFF) + sport + (seq >> 16) + (seq & 0xFFFF))
        usec = i * span_usec // n
        o = inchunk * rec_len
        rk(buf, o, BASE_TS + usec // 1000000, usec % 1000000, rec_len - 16, rec_len - 16)
        pk(buf, o + 32, 44, ipid, 0x4000, 64, 6, ipck, src, dst, sport, dport, seq, 0, 6 << 4, SYN, 64240, tck, 0,
           mss)
        inchunk += 1
        i += 1
        if inchunk == chunk:
            pc.raw(bytes(buf), chunk)
            written += chunk
            inchunk = 0
    pc.raw(bytes(buf[:inchunk * rec_len]), inchunk)
    pc.close()
    return {"packets": pc.count, "connections": n + 1, "syn_only": n, "normal": want}


# ---------------------------------------------------------------- 1b. hash flooding of the flow table

M64 = (1 << 64) - 1
OLD_C, OLD_D = 0x9e3779b97f4a7c15, 0xd6e8feb86659fd93  # the multipliers of synfin's old, unkeyed flow hash


def _old_mix(h, w):
    h = ((h ^ w) * OLD_C) & M64
    return h ^ (h >> 29)


def _old_unmix(h):
    """The x with _old_mix(0, x) == h: undo the xor-shift, then the multiplication."""
    y = h ^ (h >> 29) ^ (h >> 58)
    return (y * pow(OLD_C, -1, 1 << 64)) & M64


def colliding_iids(prefix8, server16, cport, sport, n):
    """n IPv6 interface IDs for clients prefix8::IID talking to server16, whose 4-tuples all had the same
    low 32 bits of synfin's old flow hash (fixed seed, invertible mix): the hash is run backwards from n
    chosen final values to the one word the attacker controls."""
    le = lambda b: int.from_bytes(b, "little")
    h1 = _old_mix(0x5F3759DF ^ 6, le(prefix8))
    wb1, wb2 = le(server16[:8]), le(server16[8:])
    ports = cport << 16 | sport
    dinv = pow(OLD_D, -1, 1 << 64)
    out = []
    for k in range(1, n + 1):
        x = (k << 32) | 0x5EED5EED  # the final hash: same low 32 bits, so the same slot at every table size
        x ^= x >> 32
        x = (x * dinv) & M64
        x ^= x >> 32
        h6 = _old_unmix(x) ^ ports
        h5 = _old_unmix(h6)
        h4 = _old_unmix(h5) ^ wb2
        h3 = _old_unmix(h4) ^ wb1
        h2 = _old_unmix(h3)
        out.append((_old_unmix(h2) ^ h1).to_bytes(8, "little"))
    return out


def hash_flood(path, colliding, n=100_000, span_usec=10_000_000):
    """n IPv6 SYNs from n clients in one /64 to one server: the interface IDs crafted to collide in the old
    flow hash, or random ones (a fixed seed) of the same shape and size."""
    import random
    prefix = bytes.fromhex("20010db8000000a1")
    server = bytes.fromhex("20010db8ffff00000000000000000001")
    cport, sport = 40000, 80
    if colliding:
        iids = colliding_iids(prefix, server, cport, sport, n)
    else:
        rnd = random.Random(11)
        iids = [rnd.getrandbits(64).to_bytes(8, "little") for _ in range(n)]
    mss = b"\x02\x04\x05\xa0"
    tcp_len = 24
    # checksum words that do not change: the server, the ports, flags, window, MSS, the pseudo-header's rest
    fixed = words(prefix) + words(server) + cport + sport + ((6 << 4) << 8 | SYN) + 64240 + words(mss) + tcp_len + 6
    pc = Pcap(path)
    out = []
    hdr6 = struct.pack("!IHBB", 6 << 28, tcp_len, 6, 64)
    for i, iid in enumerate(iids):
        seq = (i * 2654435761) & 0xFFFFFFFF
        ck = 0xFFFF - fold(fixed + words(iid) + (seq >> 16) + (seq & 0xFFFF))
        tcph = struct.pack("!HHIIBBHHH", cport, sport, seq, 0, 6 << 4, SYN, 64240, ck, 0) + mss
        frame = ETH6 + hdr6 + prefix + iid + server + tcph
        usec = i * span_usec // n
        out.append(REC.pack(BASE_TS + usec // 1000000, usec % 1000000, len(frame), len(frame)) + frame)
    pc.raw(b"".join(out), len(out))
    pc.close()
    return {"packets": n, "connections": n}


# ---------------------------------------------------------------- 9. TLS names from the wire

def der(tag, content):
    """One DER TLV (X.690 8.1: short or long definite length)."""
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + content


def der_oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for v in parts[2:]:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        out += bytes(reversed(chunk))
    return der(0x06, out)


def der_seq(*items):
    return der(0x30, b"".join(items))


def der_name(*rdns):
    """A Name from (oid, string tag, value bytes) triples, one RDN each."""
    return der_seq(*(der(0x31, der_seq(der_oid(oid), der(tag, val))) for oid, tag, val in rdns))


CN, O = "2.5.4.3", "2.5.4.10"
UTF8, PRINTABLE, IA5 = 0x0C, 0x13, 0x16
# the P-256 base point: a public key GnuTLS accepts (the certificates are never verified to a trusted root)
P256_G = bytes.fromhex("046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
                       "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")


def certificate(subject_cn, issuer_cn, sans=(), serial=1, cn_tag=UTF8):
    """A DER X.509 v3 certificate (RFC 5280 4.1) with an EC P-256 key and an ECDSA-SHA256 signature that
    does not verify: enough for a parser, names and SANs exactly as given (bytes)."""
    ecdsa_sha256 = der_seq(der_oid("1.2.840.10045.4.3.2"))
    spki = der_seq(der_seq(der_oid("1.2.840.10045.2.1"), der_oid("1.2.840.10045.3.1.7")), der(0x03, b"\0" + P256_G))
    validity = der_seq(der(0x17, b"200101000000Z"), der(0x17, b"400101000000Z"))
    tbs = [der(0xA0, der(0x02, b"\x02")), der(0x02, serial.to_bytes(4, "big")), ecdsa_sha256,
           der_name((CN, UTF8, issuer_cn)), validity, der_name((CN, cn_tag, subject_cn)), spki]
    if sans:
        names = der_seq(*(der(0x82, n) for n in sans))  # [2] dNSName, implicit IA5String
        tbs.append(der(0xA3, der_seq(der_seq(der_oid("2.5.29.17"), der(0x04, names)))))
    sig = der(0x03, b"\0" + der_seq(der(0x02, b"\x01" * 32), der(0x02, b"\x02" * 32)))
    return der_seq(der_seq(*tbs), ecdsa_sha256, sig)


def tls_record(ctype, body):
    out = b""
    for k in range(0, len(body), 16384):
        piece = body[k:k + 16384]
        out += struct.pack("!BHH", ctype, 0x0303, len(piece)) + piece
    return out


def hs_msg(htype, body):
    return bytes([htype]) + len(body).to_bytes(3, "big") + body


def tls_ext(etype, body):
    return struct.pack("!HH", etype, len(body)) + body


def alpn_body(protocols):
    lst = b"".join(bytes([len(p)]) + p for p in protocols)
    return struct.pack("!H", len(lst)) + lst


def hello_client(sni, alpn=()):
    exts = b""
    if sni is not None:
        entry = b"\0" + struct.pack("!H", len(sni)) + sni
        exts += tls_ext(0, struct.pack("!H", len(entry)) + entry)
    if alpn:
        exts += tls_ext(16, alpn_body(alpn))
    body = struct.pack("!H", 0x0303) + bytes(range(32)) + b"\0" + struct.pack("!HHH", 4, 0xC02B, 0xC02F) + \
        b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    return hs_msg(1, body)


def hello_server(alpn=()):
    exts = tls_ext(16, alpn_body(alpn)) if alpn else b""
    body = struct.pack("!H", 0x0303) + bytes(range(32, 64)) + b"\0" + struct.pack("!HB", 0xC02B, 0) + \
        struct.pack("!H", len(exts)) + exts
    return hs_msg(2, body)


def certificate_msg(ders):
    lst = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return hs_msg(11, len(lst).to_bytes(3, "big") + lst)


def tls_names(path):
    """TLS handshakes (in clear, up to ServerHelloDone) whose names test the JSON lists and the chain
    count.  Returns what each connection must show."""
    normal, want = normal_conn("192.0.2.9", "198.51.100.9", 40008)
    conns = {}
    frames = list(normal)
    port = [52000]

    def handshake(key, sni, ders=(), alpn_c=(), alpn_s=()):
        port[0] += 1
        c = Conn("10.9.0.1", "10.9.0.2", port[0], 443, 0x0100_0000 * (port[0] % 200), 0x5000_0000)
        f = c.handshake()
        ch = tls_record(22, hello_client(sni, alpn_c))
        f += [c.pkt(True, PSH | ACK, ch), c.pkt(False, ACK)]
        flight = tls_record(22, hello_server(alpn_s) + (certificate_msg(ders) if ders else b"") + hs_msg(14, b""))
        for k in range(0, len(flight), 1448):
            f.append(c.pkt(False, ACK | (PSH if k + 1448 >= len(flight) else 0), flight[k:k + 1448]))
            if (k // 1448) % 2:
                f.append(c.pkt(True, ACK))
        f += [c.pkt(True, ACK)] + c.four_way_close()
        frames.extend(f)
        conns[key] = {"client": "10.9.0.1:%d" % port[0]}
        return conns[key]

    e = handshake("comma_san", b"www.bank.example",
                  [certificate(b"comma.test", b"Names CA", [b"evil.test,www.bank.example", b"b.test"])])
    e["sans"] = ["evil.test,www.bank.example", "b.test"]
    e = handshake("three_sans", b"a.test", [certificate(b"a.test", b"Names CA", [b"a.test", b"b.test", b"c.test"])])
    e["sans"] = ["a.test", "b.test", "c.test"]
    chain = [certificate(b"link%d.test" % k, b"link%d.test" % (k + 1), [b"link%d.test" % k], serial=k + 1)
             for k in range(300)]
    e = handshake("chain_300", b"link0.test", chain)
    e["certificates"] = 300
    e["sans"] = ["link0.test"]
    e = handshake("alpn_lists", b"alpn.test", [certificate(b"alpn.test", b"Names CA", [b"alpn.test"])],
                  alpn_c=[b"h2", b"http/1.1", b"x,y"], alpn_s=[b"x,y"])
    e["client_alpn"] = ["h2", "http/1.1", "x,y"]
    e["alpn"] = "x,y"
    pc = Pcap(path)
    for k, f in enumerate(frames):
        pc.add(k * 100, f)
    pc.close()
    return {"packets": pc.count, "normal": want, "conns": conns}


# ---------------------------------------------------------------- 11. text from the wire meant for the terminal

EVIL = b"\x1b]0;PWNED-TITLE\x07\x1b[2J\x1b[31mRED\xe2\x80\xaeevil\xe2\x80\xac\xc2\x9b31m"


def hostile_text(path):
    """Names that would drive a terminal if drawn raw: OSC window titles, screen clears, colours, a C1 CSI,
    bidi overrides, bytes that are not UTF-8, in the SNI, ALPN, certificate names, an HTTP target, Host and
    reason phrase.  Returns the exact values JSON must keep."""
    normal, want = normal_conn("192.0.2.10", "198.51.100.10", 40009)
    frames = list(normal)
    conns = {}

    def tls(key, port, sni, ders, alpn_c=(), alpn_s=()):
        c = Conn("10.11.0.1", "10.11.0.2", port, 443, 0x0200_0000 + port, 0x6000_0000)
        f = c.handshake() + [c.pkt(True, PSH | ACK, tls_record(22, hello_client(sni, alpn_c))), c.pkt(False, ACK)]
        flight = tls_record(22, hello_server(alpn_s) + certificate_msg(ders) + hs_msg(14, b""))
        f += [c.pkt(False, PSH | ACK, flight), c.pkt(True, ACK)] + c.four_way_close()
        frames.extend(f)
        conns[key] = {"client": "10.11.0.1:%d" % port}
        return conns[key]

    e = tls("evil_names", 53001, EVIL,
            [certificate(EVIL, b"Issuer\x1b[5mBLINK\xe2\x80\xae", [b"\x1b]0;SAN-TITLE\x07x.test"])],
            alpn_c=[EVIL, b"h2"], alpn_s=[EVIL])
    e.update(sni=EVIL.decode(), alpn=EVIL.decode(), client_alpn=[EVIL.decode(), "h2"],
             san="\x1b]0;SAN-TITLE\x07x.test", issuer_has="Issuer\x1b[5mBLINK\u202e",
             subject_has=EVIL.decode().replace(";", "\\;"))  # the subject is an RFC 4514 string: ";" escaped
    tls("bad_utf8", 53002, b"utf.test",
        [certificate(b"\xff\xfe\xc0\xaf\xed\xa0\x80\xc0\x9b\"\\bad", b"Names CA", [b"utf.test"])])
    c = Conn("10.11.0.3", "10.11.0.4", 53003, 80, 0x0300_0000, 0x7000_0000)
    req = b"GET /\xe2\x80\xae\xc2\x9bpath HTTP/1.1\r\nHost: \x1b]0;HOST-TITLE\x07h.test\r\n\r\n"
    resp = b"HTTP/1.1 200 \x1b[31mREDOK\r\nContent-Length: 0\r\n\r\n"
    frames += c.handshake() + [c.pkt(True, PSH | ACK, req), c.pkt(False, PSH | ACK, resp), c.pkt(True, ACK)]
    frames += c.four_way_close()
    conns["evil_http"] = {"client": "10.11.0.3:53003", "first_request": "GET /\u202e\u009bpath",
                          "host": "\x1b]0;HOST-TITLE\x07h.test"}
    pc = Pcap(path)
    for k, f in enumerate(frames):
        pc.add(k * 100, f)
    pc.close()
    return {"packets": pc.count, "normal": want, "conns": conns}


# ---------------------------------------------------------------- 10. a key log past a million client randoms

def big_keylog(path, n=1_100_000):
    """n CLIENT_RANDOM lines of made-up randoms, then the one line that decrypts
    captures/tls/tls12-ecdhe-rsa.pcap: the newest key, past the million randoms synfin used to stop at."""
    real = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "captures", "tls", "tls12-ecdhe-rsa.keys")
    last = [l for l in open(real).read().splitlines() if l.startswith("CLIENT_RANDOM ")][-1]
    secret = "ab" * 48
    with open(path, "w", buffering=1 << 20) as fh:
        fh.write("# %d made-up secrets, then a real one\n" % n)
        for i in range(n):
            fh.write("CLIENT_RANDOM %016x%048x %s\n" % (i, i * 2654435761, secret))
        fh.write(last + "\n")
    return {"lines": n + 2, "secrets": n + 1, "capture": "captures/tls/tls12-ecdhe-rsa.pcap"}


# ---------------------------------------------------------------- 2. a million out-of-order segments

def ooo_million(path, sent=1_000_000, seglen=16):
    normal, want = normal_conn("192.0.2.2", "198.51.100.2", 40001)
    mix = interleave(normal, 100, 301)
    cl, sv, cport, sport = "10.1.0.1", "10.1.0.2", 50000, 5001
    c = Conn(cl, sv, cport, sport, 0x7000_0000, 0x0F00_0000)
    pc = Pcap(path)
    usec = [0]

    def put(frame):
        idx = pc.count
        while idx in mix:
            pc.add(usec[0], mix.pop(idx))
            idx = pc.count
        pc.add(usec[0], frame)
        usec[0] += 5

    for f in c.handshake():
        put(f)
    base = c.cseq  # sequence number of data byte 0
    total = sent * 10 // 9 + 1
    while sum(1 for k in range(total) if k % 10 != 9) > sent:
        total -= 1
    order = [k for k in range(1, total, 2) if k % 10 != 9] + [k for k in range(0, total, 2) if k % 10 != 9]
    assert len(order) == sent
    payload = bytes((0x41 + k % 26) for k in range(seglen))
    # template: one data segment; only seq, IP id and the two checksums change
    tmpl = frame4(cl, sv, cport, sport, 0, c.sseq, PSH | ACK, payload, ipid=0)
    t = bytearray(tmpl)
    ip_sum0 = fold(words(bytes(t[14:24]) + b"\0\0" + bytes(t[26:34])))  # id = 0, checksum = 0
    t[50:52] = b"\0\0"
    tcp_sum0 = fold(words(bytes(t[34:])) + (ip4(cl) >> 16) + (ip4(cl) & 0xFFFF) + (ip4(sv) >> 16) +
                    (ip4(sv) & 0xFFFF) + 6 + 20 + seglen)  # seq = 0, checksum = 0
    F = struct.Struct("!H")
    S = struct.Struct("!I")
    flen = len(tmpl)
    out = []
    for j, k in enumerate(order):
        idx = pc.count + len(out)
        if idx in mix:
            pc.raw(b"".join(out), len(out))
            out = []
            pc.add(usec[0], mix.pop(idx))
        seq = (base + k * seglen) & 0xFFFFFFFF
        ipid = j & 0xFFFF
        t[18:20] = F.pack(ipid)
        t[24:26] = F.pack(0xFFFF - fold(ip_sum0 + ipid))
        t[38:42] = S.pack(seq)
        t[50:52] = F.pack(0xFFFF - fold(tcp_sum0 + (seq >> 16) + (seq & 0xFFFF)))
        out.append(REC.pack(BASE_TS + usec[0] // 1000000, usec[0] % 1000000, flen, flen) + bytes(t))
        usec[0] += 5
        if len(out) == 65536:
            pc.raw(b"".join(out), len(out))
            out = []
    pc.raw(b"".join(out), len(out))
    while mix:
        pc.add(usec[0], mix.pop(min(mix)))
    pc.close()
    distinct = sent * seglen
    return {"packets": pc.count, "segments": sent, "seglen": seglen, "distinct_bytes": distinct,
            "missing_segments": total - sent, "normal": want,
            "conn": {"client": "%s:%d" % (cl, cport), "server": "%s:%d" % (sv, sport)}}


# ---------------------------------------------------------------- 3. TLS lengths at and past the limits

def client_hello(sni=b"huge.test"):
    """A small, valid TLS 1.2 ClientHello record."""
    ext_sni = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    exts = ext_sni + struct.pack("!HHH", 0x000B, 2, 0x0100) + struct.pack("!HHHH", 0x000A, 4, 2, 0x0017)
    body = struct.pack("!H", 0x0303) + bytes(range(32)) + b"\x00" + struct.pack("!HHH", 4, 0xC02F, 0x009C) + \
        b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def server_hello():
    body = struct.pack("!H", 0x0303) + bytes(range(32, 64)) + b"\x00" + struct.pack("!H", 0xC02F) + b"\x00" + \
        struct.pack("!H", 0)
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs


def segments_of(stream, mss=1448):
    return [stream[i:i + mss] for i in range(0, len(stream), mss)]


def huge_handshake_stream(msg_type, nseg, mss=1448):
    """A handshake message header claiming 2^24-1 bytes, and nseg segments' worth of it in 16 KiB records."""
    want = nseg * mss
    out = bytearray()
    first = True
    filler = bytes((k * 7) & 0xFF for k in range(16384))
    while len(out) < want:
        body = (bytes([msg_type]) + b"\xff\xff\xff" + filler[:16380]) if first else filler
        first = False
        out += b"\x16\x03\x03" + struct.pack("!H", len(body)) + body
    return bytes(out[:want])


def tls_2p24(path, nseg=10_000):
    normal, want = normal_conn("192.0.2.3", "198.51.100.3", 40002)
    conns = {}
    streams = []  # per connection: list of frames
    # A: the client's very first bytes are a record header claiming 0xffff (> 2^14+2048)
    a = Conn("10.3.0.1", "10.3.0.2", 51001, 443, 0x1111_0000, 0x2222_0000)
    fa = a.handshake()
    junk = b"\x16\x03\x01\xff\xff" + client_hello()[5:] + bytes(1200)
    fa += [a.pkt(True, PSH | ACK, junk), a.pkt(False, ACK)] + a.four_way_close()
    streams.append(fa)
    conns["client_record_ffff"] = {"client": "10.3.0.1:51001", "server": "10.3.0.2:443", "bytes_c2s": len(junk)}
    # B: a good ClientHello, then the server's first record header claims 0xffff
    b = Conn("10.3.0.3", "10.3.0.4", 51002, 443, 0x3333_0000, 0x4444_0000)
    fb = b.handshake() + [b.pkt(True, PSH | ACK, client_hello()), b.pkt(False, ACK)]
    fb += [b.pkt(False, PSH | ACK, b"\x16\x03\x03\xff\xff" + server_hello()[5:] + bytes(1000)), b.pkt(True, ACK)]
    fb += b.four_way_close()
    streams.append(fb)
    conns["server_record_ffff"] = {"client": "10.3.0.3:51002", "server": "10.3.0.4:443",
                                   "bytes_s2c": len(server_hello()) + 1000}
    # C: the client's ClientHello header claims 2^24-1 bytes, 10,000 segments of it follow
    cc = Conn("10.3.0.5", "10.3.0.6", 51003, 443, 0x5555_0000, 0x6666_0000)
    fc = cc.handshake()
    for k, seg in enumerate(segments_of(huge_handshake_stream(1, nseg))):
        fc.append(cc.pkt(True, ACK | (PSH if k % 11 == 10 else 0), seg))
        if k % 2:
            fc.append(cc.pkt(False, ACK))
    fc += cc.four_way_close()
    streams.append(fc)
    conns["client_hello_2p24"] = {"client": "10.3.0.5:51003", "server": "10.3.0.6:443", "bytes_c2s": nseg * 1448}
    # D: a good ClientHello and ServerHello, then a Certificate header claiming 2^24-1 bytes over 10,000 segments
    d = Conn("10.3.0.7", "10.3.0.8", 51004, 443, 0x7777_0000, 0x0888_0000)
    fd = d.handshake() + [d.pkt(True, PSH | ACK, client_hello(b"cert.test")), d.pkt(False, ACK)]
    sh = server_hello()
    for k, seg in enumerate(segments_of(sh + huge_handshake_stream(11, nseg))):
        fd.append(d.pkt(False, ACK, seg))
        if k % 2:
            fd.append(d.pkt(True, ACK))
    fd += d.four_way_close()
    streams.append(fd)
    conns["certificate_2p24"] = {"client": "10.3.0.7:51004", "server": "10.3.0.8:443",
                                 "bytes_s2c": len(sh) + nseg * 1448}
    # interleave: normal first, then the four round-robin
    pc = Pcap(path)
    usec = 0
    order = []
    its = [iter(s) for s in streams]
    normal_at = interleave(normal, 3, 5)
    alive = list(range(len(its)))
    while alive:
        for k in list(alive):
            f = next(its[k], None)
            if f is None:
                alive.remove(k)
            else:
                order.append(f)
    for f in order:
        while pc.count in normal_at:
            pc.add(usec, normal_at.pop(pc.count))
            usec += 20
        pc.add(usec, f)
        usec += 20
    for k in sorted(normal_at):
        pc.add(usec, normal_at[k])
        usec += 20
    pc.close()
    return {"packets": pc.count, "normal": want, "conns": conns, "segments": nseg}


# ---------------------------------------------------------------- 4. overlapping retransmissions

def overlap_100k(path, retrans=100_000, body_len=65000):
    normal, want = normal_conn("192.0.2.4", "198.51.100.4", 40003)
    mix = interleave(normal, 10, 5)  # all before the retransmissions begin
    cl, sv, cport, sport = "10.4.0.1", "10.4.0.2", 52000, 8080
    c = Conn(cl, sv, cport, sport, 0xFFFF_F000, 0x0ABC_0000)  # the client's sequence numbers wrap
    head = b"POST /first HTTP/1.1\r\nHost: overlap.test\r\nContent-Length: %d\r\n\r\n" % body_len
    data = head + bytes((0x61 + k % 26) for k in range(body_len))
    frames = c.handshake()
    base = c.cseq
    for seg in segments_of(data, 1000):
        frames.append(c.pkt(True, ACK, seg))
    L = len(data)
    evil = (b"GET /evil HTTP/1.1\r\nHost: evil.test\r\n\r\n" * 40)
    pc = Pcap(path)
    usec = 0

    def put(f):
        nonlocal usec
        while pc.count in mix:
            pc.add(usec, mix.pop(pc.count))
            usec += 10
        pc.add(usec, f)
        usec += 10

    for f in frames:
        put(f)
    # 100,000 retransmissions: other content over byte ranges already sent (2..1400 bytes, anywhere in [0, L))
    tmpl_cache = {}
    ipid = 0
    H = struct.Struct("!H")
    S = struct.Struct("!I")
    out = []
    for k in range(retrans):
        ln = 2 + (k * 7919) % 1399
        start = (k * 104729) % (L - ln + 1)
        eoff = k % 37
        key = (ln, eoff)
        if key not in tmpl_cache:
            pl = evil[eoff:eoff + ln]
            t = bytearray(frame4(cl, sv, cport, sport, 0, c.sseq, ACK, pl, ipid=0))
            ip0 = fold(words(bytes(t[14:24]) + b"\0\0" + bytes(t[26:34])))
            t[50:52] = b"\0\0"
            tcp0 = fold(words(bytes(t[34:])) + (ip4(cl) >> 16) + (ip4(cl) & 0xFFFF) + (ip4(sv) >> 16) +
                        (ip4(sv) & 0xFFFF) + 6 + 20 + ln)
            tmpl_cache[key] = (t, ip0, tcp0)
        t, ip0, tcp0 = tmpl_cache[key]
        seq = (base + start) & 0xFFFFFFFF
        ipid = (ipid + 1) & 0xFFFF
        t[18:20] = H.pack(ipid)
        t[24:26] = H.pack(0xFFFF - fold(ip0 + ipid))
        t[38:42] = S.pack(seq)
        t[50:52] = H.pack(0xFFFF - fold(tcp0 + (seq >> 16) + (seq & 0xFFFF)))
        out.append(REC.pack(BASE_TS + usec // 1000000, usec % 1000000, len(t), len(t)) + bytes(t))
        usec += 10
    pc.raw(b"".join(out), len(out))
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    for f in [c.pkt(False, ACK), c.pkt(False, PSH | ACK, resp), c.pkt(True, ACK)] + c.four_way_close():
        put(f)
    while mix:
        pc.add(usec, mix.pop(min(mix)))
        usec += 10
    pc.close()
    return {"packets": pc.count, "normal": want, "retransmissions": retrans, "distinct_bytes": L,
            "bytes_s2c": len(resp), "first_request": "POST /first",
            "conn": {"client": "%s:%d" % (cl, cport), "server": "%s:%d" % (sv, sport)}}


# ---------------------------------------------------------------- 5. snaplen sweep

def snaplen_sweep(path):
    normal, want = normal_conn("192.0.2.5", "198.51.100.5", 40004)
    streams = []
    ts_opt = b"\x01\x01\x08\x0a" + struct.pack("!II", 12345, 0)  # NOP NOP timestamps: a 32-byte TCP header
    syn_opts = b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + struct.pack("!II", 1, 0) + b"\x01\x03\x03\x07"
    for k in range(6):
        c = Conn("10.5.0.%d" % (k + 1), "10.5.1.1", 53000 + k, 80 if k % 2 else 8443, 1000 * k, 7000 * k)
        fr = c.handshake(opts=syn_opts if k % 3 == 0 else b"")
        for r in range(8):
            req = b"GET /item/%d HTTP/1.1\r\nHost: sweep.test\r\n\r\n" % r
            fr.append(c.pkt(True, PSH | ACK, req, opts=ts_opt if k % 3 == 0 else b""))
            fr.append(c.pkt(False, PSH | ACK, b"HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n" + bytes(300)))
            fr.append(c.pkt(True, ACK))
        fr += c.four_way_close()
        streams.append(fr)
    # and one IPv6 connection (its headers alone are 74 bytes: always cut)
    a6, b6 = bytes.fromhex("20010db8000000000000000000000001"), bytes.fromhex("20010db8000000000000000000000002")
    fr, cs, ss = [], 500, 900
    fr.append(frame6(a6, b6, 54000, 443, cs, 0, SYN)); cs += 1
    fr.append(frame6(b6, a6, 443, 54000, ss, cs, SYN | ACK)); ss += 1
    fr.append(frame6(a6, b6, 54000, 443, cs, ss, ACK))
    for r in range(10):
        fr.append(frame6(a6, b6, 54000, 443, cs, ss, PSH | ACK, bytes(100))); cs += 100
        fr.append(frame6(b6, a6, 443, 54000, ss, cs, ACK))
    streams.append(fr)
    order = []
    its = [iter(s) for s in streams]
    alive = list(range(len(its)))
    while alive:
        for k in list(alive):
            f = next(its[k], None)
            if f is None:
                alive.remove(k)
            else:
                order.append(f)
    pc = Pcap(path)  # the header keeps the usual snaplen: libpcap would cut longer records to it
    normal_at = interleave(normal, 2, 3)
    usec = 0
    cut = 0
    exp = {"truncated_headers": 0, "decoded": 0, "truncated_payload": 0}
    for f in order:
        while pc.count in normal_at:
            pc.add(usec, normal_at.pop(pc.count))
            usec += 100
        caplen = 1 + cut % 64
        cut += 1
        n = min(caplen, len(f))
        # what synfin's decoder makes of it: Ethernet 14, IP 20 or 40, TCP's fixed 20
        ip6 = f[12:14] == b"\x86\xdd"
        fixed = 14 + (40 if ip6 else 20) + 20
        if n < fixed:
            exp["truncated_headers"] += 1
        else:
            exp["decoded"] += 1
            if n < len(f):
                exp["truncated_payload"] += 1
        pc.add(usec, f, caplen)
        usec += 100
    for k in sorted(normal_at):
        pc.add(usec, normal_at[k])
        usec += 100
    pc.close()
    exp.update({"packets": pc.count, "normal": want, "tcp": exp["decoded"] + len(normal)})
    return exp


# ---------------------------------------------------------------- 7. one ladder over --memcap, others beside it

def ladder_memcap(path, segments=8000):
    """One long connection (its ladder alone outgrows --memcap 256K after ~4,100 packets), and the normal
    connection running while it is over the cap."""
    normal, want = normal_conn("192.0.2.7", "198.51.100.7", 40006)
    mix = interleave(normal, 5000, 3)
    c = Conn("10.7.0.1", "10.7.0.2", 55000, 9000, 0x0123_0000, 0x0456_0000)
    frames = c.handshake() + [c.pkt(True, ACK, b"%010d" % k) for k in range(segments)] + [c.pkt(False, ACK)]
    frames += c.four_way_close()
    pc = Pcap(path)
    usec = 0
    for f in frames:
        while pc.count in mix:
            pc.add(usec, mix.pop(pc.count))
            usec += 50
        pc.add(usec, f)
        usec += 50
    pc.close()
    return {"packets": pc.count, "normal": want, "big": {"client": "10.7.0.1:55000", "packets": len(frames)}}


# ---------------------------------------------------------------- 6. pcapng with absurd block lengths

def frag4(src, dst, ident, off, more, payload, proto=6):
    """Ethernet + one IPv4 fragment (offset in bytes) with a valid header checksum."""
    s, d = ip4(src), ip4(dst)
    iph = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + len(payload), ident & 0xFFFF,
                      (0x2000 if more else 0) | (off // 8), 64, proto, 0, s, d)
    iph = iph[:10] + struct.pack("!H", 0xFFFF - fold(words(iph))) + iph[12:]
    return ETH4 + iph + payload


def frag_flood(path, firsts=60_000, holes=16_000):
    """Fragments that can only fill memory: first fragments of `firsts` datagrams (1200 bytes each,
    never completed: 72 MB held without a bound), then `holes` 8-byte fragments at every other
    8-byte slot of one datagram (never completed: a span list of thousands of holes), each sent
    twice, the copy with other bytes (overlaps).  Last, one whole datagram in two fragments,
    which must still complete."""
    normal, want = normal_conn("192.0.2.1", "198.51.100.1", 40005)
    mix = interleave(normal, 100, 1000)
    p = Pcap(path)
    body = bytes(range(256)) * 5
    i = usec = 0
    for k in range(firsts):
        while i in mix:
            p.add(usec, mix.pop(i))
            i += 1
        src = "10.%d.%d.%d" % (1 + k // 65536, k // 256 % 256, k % 256)
        p.add(usec, frag4(src, "198.51.100.9", k, 0, True, body[:1200]))
        i += 1
        usec += 50  # 3 s in all: nothing times out
    for k in range(holes):
        off = ((k * 7919) % holes) * 16  # every other 8-byte slot, scattered
        p.add(usec, frag4("10.200.0.1", "198.51.100.9", 0xBEEF, off, True, b"A" * 8))
        p.add(usec + 1, frag4("10.200.0.1", "198.51.100.9", 0xBEEF, off, True, b"B" * 8))
        usec += 2
    for f in mix.values():
        p.add(usec, f)
        usec += 10
    opts = b"\x02\x04\x05\xb4\x01\x01\x04\x02\x01\x01\x01\x01"  # MSS, SACK permitted: 32 bytes of TCP
    seg = frame4("10.200.0.2", "198.51.100.9", 40006, 80, 1, 0, SYN, opts=opts)[14:]
    p.add(usec + 10, frag4("10.200.0.2", "198.51.100.9", 0x4242, 0, True, seg[20:44]))
    p.add(usec + 20, frag4("10.200.0.2", "198.51.100.9", 0x4242, 24, False, seg[44:]))
    p.close()
    return {"normal": want, "firsts": firsts, "holes": holes, "last": "10.200.0.2:40006"}


def pcapng_block(btype, body):
    pad = (-len(body)) % 4
    total = 12 + len(body) + pad
    return struct.pack("<II", btype, total) + body + b"\0" * pad + struct.pack("<I", total)


def pcapng_damaged(path, bad_len):
    normal, want = normal_conn("192.0.2.6", "198.51.100.6", 40005)
    out = bytearray()
    out += pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += pcapng_block(1, struct.pack("<HHI", 1, 0, 262144) + struct.pack("<HHB3x", 9, 1, 9) + b"\0\0\0\0")
    ts = BASE_TS * 10 ** 9
    for k, f in enumerate(normal):
        t = ts + k * 1000
        out += pcapng_block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(f), len(f)) + f)
    # the damage: an enhanced packet block claiming bad_len bytes, then more bytes that look like data
    out += struct.pack("<II", 6, bad_len) + struct.pack("<IIIII", 0, 0, 0, 60, 60) + bytes(200)
    with open(path, "wb") as fh:
        fh.write(out)
    return {"packets": len(normal), "normal": want, "block_total_length": bad_len}


def pcap_damaged(path, how):
    """A classic pcap: the normal connection, then a record claiming 0xfffffff0 captured bytes, or a last
    record the file ends inside."""
    normal, want = normal_conn("192.0.2.8", "198.51.100.8", 40007)
    pc = Pcap(path)
    for k, f in enumerate(normal):
        pc.add(k * 10, f)
    if how == "caplen":
        pc.raw(REC.pack(BASE_TS, 200, 0xFFFFFFF0, 60) + bytes(100), 0)
    else:
        pc.raw(REC.pack(BASE_TS, 200, 1000, 1000) + bytes(100), 0)
    pc.close()
    return {"packets": len(normal), "normal": want}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: adversarial.py DIR")
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    only = set(os.environ.get("ADVERSARIAL_ONLY", "").split(",")) - {""}
    cases = [("syn-flood.pcap", syn_flood), ("ooo-million.pcap", ooo_million), ("tls-2p24.pcap", tls_2p24),
             ("overlap-100k.pcap", overlap_100k), ("snaplen-sweep.pcap", snaplen_sweep),
             ("pcapng-absurd.pcapng", lambda p: pcapng_damaged(p, 0xFFFFFFF0)),
             ("pcapng-short.pcapng", lambda p: pcapng_damaged(p, 8)),
             ("pcapng-odd.pcapng", lambda p: pcapng_damaged(p, 30)),
             ("pcap-caplen-huge.pcap", lambda p: pcap_damaged(p, "caplen")),
             ("pcap-cut-record.pcap", lambda p: pcap_damaged(p, "cut")),
             ("ladder-memcap.pcap", ladder_memcap),
             ("hash-colliding.pcap", lambda p: hash_flood(p, True)),
             ("hash-random.pcap", lambda p: hash_flood(p, False)),
             ("tls-names.pcap", tls_names),
             ("keylog-1m.keys", big_keylog),
             ("hostile-text.pcap", hostile_text), ("frag-flood.pcap", frag_flood)]
    expect = {}
    for name, fn in cases:
        if only and name not in only:
            continue
        expect[name] = fn(os.path.join(d, name))
    with open(os.path.join(d, "expect.json"), "w") as fh:
        json.dump(expect, fh, indent=1)


if __name__ == "__main__":
    main()
