#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""craft.py - write small, hand-made capture files that real traffic rarely shows.

Usage:  /usr/bin/python3 captures/craft.py [OUTDIR]

OUTDIR defaults to the directory holding this script (captures/).  Needs python3
with scapy (Debian: python3-scapy); scapy only builds the IP/TCP bytes and their
checksums, the pcap and pcapng files are written here with struct, so every
field of their headers is under our control.

The script writes one capture per function below (search for "@capture"), and
crafted-expect.tsv: one line per connection with the facts that the capture's
construction intends.  Columns:

    file  conn  client  server  handshake  teardown  closed_by
    client_state  server_state  bytes_c2s  bytes_s2c  packets

  conn          1-based, in the order of each connection's first packet
  client/server ADDR:PORT or [v6]:PORT; the client sent the first bare SYN (or,
                mid-stream, owns the higher port)
  handshake     complete | syn-only | no-final-ack | rejected | simultaneous-open | mid-stream
  teardown      four-way | three-way | simultaneous | reset | half-closed | incomplete | open
  closed_by     client | server | -   (the side whose FIN or RST ended it first)
  *_state       each side's final RFC 9293 state as a passive observer infers it,
                assuming every packet it saw was delivered
  bytes_*       unique payload sequence bytes seen in the capture per direction
                (retransmitted bytes count once; bytes cut by the snapshot length
                count, since their sequence space was seen; bytes of a segment the
                capture missed do not)
  packets       TCP segments of the connection that decode (frames skipped as IP
                fragments, truncated or malformed headers, or non-TCP, are not counted)

Everything is deterministic: fixed timestamps, ISNs, IP ids, MAC addresses; two runs
give byte-identical files.  Addresses come from the documentation ranges
192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32.  Every TCP
checksum is correct (for a segment cut by the snapshot length or split into IP
fragments, it is the checksum of the whole segment as sent).

The captures are seen from a host next to the client: packets the client sends
leave at once, the server's arrive one round trip later.
"""
import os
import struct
import sys

from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, TCP, UDP, IPOption_NOP, IPOption_RR
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                                IPv6ExtHdrHopByHop, PadN)
from scapy.packet import Raw

# ------------------------------------------------------------------ constants

C, S = 0, 1                      # sides: client, server
NS, US, MS, SEC = 1, 1000, 1000000, 1000000000
T0 = 1700000000 * SEC            # 2023-11-14 22:13:20 UTC: every capture starts here

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

MAC_C = bytes.fromhex("020000000c01")    # the client host (locally administered)
MAC_GW = bytes.fromhex("0200000000fe")   # its default gateway
MAC_C2 = bytes.fromhex("020000000c02")   # second interface (pcapng)
MAC_GW2 = bytes.fromhex("0200000001fe")

CLI4, SRV4, SRV4B = "192.0.2.10", "198.51.100.20", "203.0.113.30"
CLI6, SRV6 = "2001:db8:c::10", "2001:db8:5::20"

RTT = 10 * MS                    # client <-> server round trip
MSS = [("MSS", 1460)]
MSS_SACK = [("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b"")]

REQ = b"GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"


def resp(body):
    """A short HTTP/1.1 response around `body`."""
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


RESP = resp(b"hello from synfin craft.py\n")


def seq_gt(a, b):
    return a != b and ((a - b) & 0xFFFFFFFF) < 0x80000000


def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


# ------------------------------------------------------------------ one TCP connection

class Seg:
    """One TCP segment as sent: its time, sender, header fields and IP bytes."""

    def __init__(self, flow, ts, side, flags, seq, ack, data, l3, captured):
        self.flow, self.ts, self.side, self.flags = flow, ts, side, flags
        self.seq, self.ack, self.data, self.l3, self.captured = seq, ack, data, l3, captured


class Flow:
    """
    Builds the segments of one connection.  Each side remembers the next sequence
    number it sends; by default a segment acknowledges everything the peer has
    sent so far (pass seq=/ack= to say otherwise).  `t` is the flow's clock in ns:
    each send() first advances it by dt.
    """

    def __init__(self, cli, cport, srv, sport, cisn=0x1C2B3A49, sisn=0x6E5D4C3B, t=T0, cwin=64240,
                 swin=65160, ip_options=None, v6_exthdrs=None, rtt=RTT):
        self.v6 = ":" in cli
        self.addr = [cli, srv]
        self.port = [cport, sport]
        self.isn = [cisn, sisn]
        self.nxt = [cisn, sisn]
        self.win = [cwin, swin]
        self.ttl = [64, 55]              # the server's packets crossed nine routers
        self.ipid = [0x4A00, 0x7B00]
        self.ip_options = ip_options
        self.v6_exthdrs = v6_exthdrs
        self.rtt = rtt
        self.t = t
        self.segs = []

    def ip(self, side, **kw):
        src, dst = self.addr[side], self.addr[1 - side]
        if self.v6:
            pkt = IPv6(src=src, dst=dst, hlim=self.ttl[side], fl=0)
            for mk in self.v6_exthdrs or ():
                pkt = pkt / mk()
            return pkt
        self.ipid[side] = (self.ipid[side] + 1) & 0xFFFF
        opts = self.ip_options() if self.ip_options else []
        return IP(src=src, dst=dst, ttl=self.ttl[side], id=self.ipid[side], flags="DF", options=opts, **kw)

    def tcp(self, side, flags, seq, ack, win, opts):
        return TCP(sport=self.port[side], dport=self.port[1 - side], seq=seq, ack=ack, flags=flags,
                   window=win, options=opts or [], urgptr=0)

    def send(self, side, flags, data=b"", dt=50 * US, seq=None, ack=None, win=None, opts=None,
             captured=True, build=True):
        self.t += dt
        if seq is None:
            seq = self.nxt[side]
        if ack is None:
            ack = self.nxt[1 - side] if "A" in flags else 0
        if win is None:
            win = self.win[side]
        pkt = self.ip(side) / self.tcp(side, flags, seq, ack, win, opts)
        if data:
            pkt = pkt / Raw(data)
        # build=False: the caller writes the IP bytes itself (lengths scapy cannot hold)
        seg = Seg(self, self.t, side, flags, seq, ack, data, bytes(pkt) if build else b"", captured)
        end = (seq + len(data) + ("S" in flags) + ("F" in flags)) & 0xFFFFFFFF
        if seq_gt(end, self.nxt[side]):
            self.nxt[side] = end
        self.segs.append(seg)
        return seg

    def endpoint(self, side):
        a, p = self.addr[side], self.port[side]
        return "[%s]:%d" % (a, p) if self.v6 else "%s:%d" % (a, p)

    def unique_bytes(self, side, segs):
        """Payload sequence bytes of `side` among `segs`, each counted once."""
        base = (self.isn[side] + 1) & 0xFFFFFFFF
        covered = set()
        for g in segs:
            if g.side != side or not g.data:
                continue
            start = (g.seq + ("S" in g.flags) - base) & 0xFFFFFFFF
            covered.update(range(start, start + len(g.data)))
        return len(covered)


# the usual pieces of a connection (observer next to the client)

def handshake(f, copts=MSS, sopts=MSS):
    f.send(C, "S", opts=copts, dt=0)
    f.send(S, "SA", opts=sopts, dt=f.rtt)
    f.send(C, "A")


def exchange(f, req=REQ, response=RESP):
    """Client request, server response (which acknowledges the request), client ACK."""
    f.send(C, "PA", req, dt=100 * US)
    f.send(S, "PA", response, dt=f.rtt)
    f.send(C, "A", dt=40 * US)


def close_four_way(f, closer=C):
    """closer FIN, other ACK, other FIN, closer ACK: the first closer ends in TIME_WAIT."""
    other = 1 - closer
    f.send(closer, "FA", dt=2 * MS)
    f.send(other, "A", dt=f.rtt if closer == C else 40 * US)
    f.send(other, "FA", dt=200 * US)
    f.send(closer, "A", dt=40 * US if closer == C else f.rtt)


def full_connection(f):
    """Handshake, one request and response, four-way close by the client: 10 packets."""
    handshake(f)
    exchange(f)
    close_four_way(f, C)


# ------------------------------------------------------------------ link layers

def ether(l3, v6, side, tags=(), pad=False, macs=(MAC_C, MAC_GW)):
    """Ethernet II, optionally with VLAN tags [(TPID, TCI), ...] outermost first.
    pad: frames arriving at the client are padded to the 60-byte minimum, as a NIC does."""
    mine, gw = macs
    src, dst = (mine, gw) if side == C else (gw, mine)
    hdr = dst + src + b"".join(struct.pack("!HH", tpid, tci) for tpid, tci in tags)
    frame = hdr + struct.pack("!H", 0x86DD if v6 else 0x0800) + l3
    if pad and side == S and len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    return frame


def sll(l3, v6, side):
    """Linux cooked v1: packet type (0 to us, 4 outgoing), ARPHRD_ETHER, sender's MAC."""
    ptype, mac = (4, MAC_C) if side == C else (0, MAC_GW)
    return struct.pack("!HHH8sH", ptype, 1, 6, mac, 0x86DD if v6 else 0x0800) + l3


def sll2(l3, v6, side):
    """Linux cooked v2: protocol, reserved, ifindex, ARPHRD_ETHER, packet type, addr len, addr."""
    ptype, mac = (4, MAC_C) if side == C else (0, MAC_GW)
    return struct.pack("!HHIHBB8s", 0x86DD if v6 else 0x0800, 0, 2, 1, ptype, 6, mac) + l3


def null_le(l3, v6, side):
    """BSD loopback (DLT_NULL): AF in the writer's (little-endian) byte order; Darwin AF_INET6 = 30."""
    return struct.pack("<I", 30 if v6 else 2) + l3


def loop_be(l3, v6, side):
    """OpenBSD loopback (DLT_LOOP): AF in network byte order; OpenBSD AF_INET6 = 24."""
    return struct.pack("!I", 24 if v6 else 2) + l3


def raw_ip(l3, v6, side):
    return l3


# ------------------------------------------------------------------ captures and files

class Frame:
    def __init__(self, ts, data, kind, seg=None, iface=0, cut=None, orig_len=None):
        self.ts, self.data, self.kind, self.seg, self.iface = ts, data, kind, seg, iface
        self.cut = cut                  # caplen to write, if smaller than the snaplen allows
        self.orig_len = orig_len if orig_len is not None else len(data)


class Capture:
    """
    Frames for one file plus the expected rows.  kind of a frame:
      tcp        a TCP segment that decodes
      fragment / not-tcp / not-ip / truncated / malformed   frames an analyzer skips
      corrupt    a bogus record header (classic pcap only), written as is
    """

    def __init__(self, name, linktype=LINKTYPE_ETHERNET, link=ether, nsec=False, snaplen=262144,
                 interfaces=None):
        self.name, self.linktype, self.link, self.nsec, self.snaplen = name, linktype, link, nsec, snaplen
        self.interfaces = interfaces     # pcapng: [(linktype, if_name), ...]
        self.frames = []
        self.rows = []
        self.flows = []

    def add_flow(self, f, link=None, iface=0):
        link = link or self.link
        self.flows.append(f)
        for g in f.segs:
            if g.captured:
                self.frames.append(Frame(g.ts, link(g.l3, f.v6, g.side), "tcp", seg=g, iface=iface))

    def add_frame(self, ts, data, kind, **kw):
        self.frames.append(Frame(ts, data, kind, **kw))

    def ordered(self):
        return sorted(self.frames, key=lambda fr: fr.ts)     # stable: ties keep insertion order

    def expect(self, f, handshake_, teardown, closed_by, cstate, sstate, c2s, s2c, packets):
        """Declare one connection's facts; the byte and packet counts are checked against the frames."""
        self.rows.append((f, handshake_, teardown, closed_by, cstate, sstate, c2s, s2c, packets))

    def expected_rows(self):
        first = {}
        for fr in self.ordered():
            if fr.kind == "tcp" and fr.seg.flow not in first:
                first[fr.seg.flow] = len(first) + 1
        out = []
        for f, hs, td, by, cst, sst, c2s, s2c, packets in self.rows:
            segs = [fr.seg for fr in self.frames if fr.kind == "tcp" and fr.seg.flow is f]
            got = (f.unique_bytes(C, segs), f.unique_bytes(S, segs), len(segs))
            if got != (c2s, s2c, packets):
                raise SystemExit("craft.py: %s: declared bytes/packets %r but built %r"
                                 % (self.name, (c2s, s2c, packets), got))
            out.append((first[f], [self.name, str(first[f]), f.endpoint(C), f.endpoint(S), hs, td, by,
                                   cst, sst, str(c2s), str(s2c), str(packets)]))
        return [row for _, row in sorted(out, key=lambda r: r[0])]

    # ---- writers

    def write(self, outdir):
        path = os.path.join(outdir, self.name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = self.pcapng() if self.interfaces else self.pcap()
        with open(path, "wb") as fh:
            fh.write(data)
        return path

    def pcap(self):
        magic = 0xA1B23C4D if self.nsec else 0xA1B2C3D4
        out = [struct.pack("<IHHiIII", magic, 2, 4, 0, 0, self.snaplen, self.linktype)]
        for fr in self.ordered():
            sec, sub = divmod(fr.ts, SEC)
            if not self.nsec:
                assert sub % US == 0, "%s: a microsecond file needs whole microseconds" % self.name
                sub //= US
            if fr.kind == "corrupt":
                out.append(struct.pack("<IIII", sec, sub, 0x7FFFFFFF, 0x7FFFFFFF))
                continue
            caplen = min(len(fr.data), self.snaplen, fr.cut if fr.cut is not None else len(fr.data))
            out.append(struct.pack("<IIII", sec, sub, caplen, fr.orig_len))
            out.append(fr.data[:caplen])
        return b"".join(out)

    def pcapng(self):
        def opt(code, value):
            return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

        def block(btype, body):
            return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

        shb_opts = opt(4, b"synfin captures/craft.py") + opt(0, b"")
        out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + shb_opts)]
        for linktype, name in self.interfaces:
            idb_opts = opt(2, name.encode()) + opt(9, b"\x06") + opt(0, b"")
            out.append(block(1, struct.pack("<HHI", linktype, 0, self.snaplen) + idb_opts))
        for fr in self.ordered():
            ts = fr.ts // US
            assert fr.ts % US == 0
            body = struct.pack("<IIIII", fr.iface, ts >> 32, ts & 0xFFFFFFFF, len(fr.data), fr.orig_len)
            body += fr.data + b"\0" * (-len(fr.data) % 4)
            out.append(block(6, body))
        return b"".join(out)


CAPTURES = []


def capture(fn):
    CAPTURES.append(fn)
    return fn


# ================================================================== the captures

@capture
def simultaneous_open():
    """Both sides send a bare SYN before seeing the other's (RFC 9293 figure 8), then each
    sends SYN+ACK with its own ISN again; no third ACK is needed.  Then data both ways and a
    four-way close by the side whose SYN came first (the client)."""
    cap = Capture("simultaneous-open.pcap")
    f = Flow(CLI4, 50000, SRV4, 50001, cisn=100000, sisn=300000)
    f.send(C, "S", opts=MSS, dt=0)
    f.send(S, "S", opts=MSS, dt=100 * US)                    # crossed the client's SYN
    f.send(C, "SA", opts=MSS, seq=100000, ack=300001, dt=50 * US)
    f.send(S, "SA", opts=MSS, seq=300000, ack=100001, dt=RTT)
    hello, back = b"hello from the side that sent the first SYN\n", b"hello back\n"
    f.send(C, "PA", hello, dt=100 * US)
    f.send(S, "PA", back, dt=RTT)
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    cap.add_flow(f)
    # Each side, in SYN_SENT, gets the other's SYN (-> SYN_RECV) and then its SYN+ACK
    # (-> ESTABLISHED).  The client is the sender of the first bare SYN in the capture.
    cap.expect(f, "simultaneous-open", "four-way", "client", "TIME_WAIT", "CLOSED", len(hello), len(back), 11)
    return cap


@capture
def simultaneous_close():
    """Handshake, data, then both sides send FIN before seeing the other's: neither FIN
    acknowledges the other one.  The client, answering the server's FIN while its own is
    unacknowledged, goes FIN_WAIT_1 -> CLOSING -> TIME_WAIT; the server, whose FIN that
    answer acknowledges, goes FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT."""
    cap = Capture("simultaneous-close.pcap")
    f = Flow(CLI4, 49310, SRV4, 80)
    handshake(f)
    exchange(f)
    c_before_fin, s_before_fin = f.nxt[C], f.nxt[S]
    f.send(C, "FA", dt=2 * MS, ack=s_before_fin)
    f.send(S, "FA", dt=100 * US, ack=c_before_fin)         # sent before the client's FIN arrived
    f.send(C, "A", dt=40 * US)                               # acks the server's FIN
    f.send(S, "A", dt=RTT)                                   # acks the client's FIN
    cap.add_flow(f)
    # Debatable: closed_by.  Neither side closed "first" in protocol terms; the client's
    # FIN is first in the capture, so closed_by is client (the first FIN seen).
    cap.expect(f, "complete", "simultaneous", "client", "TIME_WAIT", "TIME_WAIT", len(REQ), len(RESP), 10)
    return cap


@capture
def three_way_close():
    """Client FIN; the server's FIN+ACK acknowledges it in the same segment; client ACK."""
    cap = Capture("three-way-close.pcap")
    f = Flow(CLI4, 49311, SRV4, 80)
    handshake(f)
    exchange(f)
    f.send(C, "FA", dt=2 * MS)
    f.send(S, "FA", dt=RTT)
    f.send(C, "A", dt=40 * US)
    cap.add_flow(f)
    cap.expect(f, "complete", "three-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 9)
    return cap


@capture
def four_way_close():
    """Client FIN, server ACK, server FIN later and separately, client ACK.  The frames
    arriving at the client (server -> client) are padded with zeros to the 60-byte
    Ethernet minimum, as a receiving NIC hands them up: the IP total length, not the
    frame length, bounds the TCP segment (padding is not payload)."""
    cap = Capture("four-way-close.pcap", link=lambda l3, v6, side: ether(l3, v6, side, pad=True))
    f = Flow(CLI4, 49312, SRV4, 80)
    handshake(f)
    exchange(f)
    f.send(C, "FA", dt=2 * MS)
    f.send(S, "A", dt=RTT)
    f.send(S, "FA", dt=5 * MS)                               # the server application closes later
    f.send(C, "A", dt=40 * US)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def reset_after_fin():
    """Client FIN, server ACK, then the server aborts with RST (RST+ACK, seq = its next
    sequence number, as Linux sends on abort) instead of a FIN."""
    cap = Capture("reset-after-fin.pcap")
    f = Flow(CLI4, 49313, SRV4, 80)
    handshake(f)
    exchange(f)
    f.send(C, "FA", dt=2 * MS)
    f.send(S, "A", dt=RTT)
    f.send(S, "RA", dt=3 * MS)
    cap.add_flow(f)
    # Debatable: closed_by.  The client started closing (FIN), but the connection ended by
    # the server's RST; with teardown "reset", closed_by names the side that sent the RST.
    # States: the client in FIN_WAIT_2 gets the RST -> CLOSED; the server in CLOSE_WAIT
    # sends it -> CLOSED.
    cap.expect(f, "complete", "reset", "server", "CLOSED", "CLOSED", len(REQ), len(RESP), 9)
    return cap


@capture
def incomplete_close():
    """Client FIN, server ACK, server FIN; the client's final ACK is missing."""
    cap = Capture("incomplete-close.pcap")
    f = Flow(CLI4, 49314, SRV4, 80)
    handshake(f)
    exchange(f)
    f.send(C, "FA", dt=2 * MS)
    f.send(S, "A", dt=RTT)
    f.send(S, "FA", dt=200 * US)
    cap.add_flow(f)
    # The client's answer to the server's FIN never appears, so to an observer it is still
    # FIN_WAIT_2 (synfin(1), TCP MODEL: a side's state changes on the row where the capture
    # shows it); the server sent its FIN in CLOSE_WAIT -> LAST_ACK and no ACK of it appears.
    cap.expect(f, "complete", "incomplete", "client", "FIN_WAIT_2", "LAST_ACK", len(REQ), len(RESP), 9)
    return cap


@capture
def no_final_ack():
    """SYN, SYN+ACK and nothing more."""
    cap = Capture("no-final-ack.pcap")
    f = Flow(CLI4, 49315, SRV4, 80)
    f.send(C, "S", opts=MSS, dt=0)
    f.send(S, "SA", opts=MSS, dt=RTT)
    cap.add_flow(f)
    # Debatable: client_state.  Per RFC 9293 a client receiving an acceptable SYN+ACK
    # goes ESTABLISHED at once; but only its ACK would show that it accepted this one
    # (an unacceptable one is answered by RST), so the observer keeps it in SYN_SENT.
    cap.expect(f, "no-final-ack", "open", "-", "SYN_SENT", "SYN_RECV", 0, 0, 2)
    return cap


@capture
def mid_stream():
    """No SYN at all: the capture starts inside a connection between port 51515 and 80.
    Its first packet is server data (port 80 -> 51515), so "first sender is the client"
    would be wrong; the higher port (51515) is the client.  Data both ways, then a
    four-way close by the client."""
    cap = Capture("mid-stream.pcap")
    cseq, sseq = 0x1A2B3C4D, 0x5E6F7081
    f = Flow(CLI4, 51515, SRV4, 80, cisn=cseq - 1, sisn=sseq - 1)   # "ISN" = one before the first byte seen
    f.send(S, "PA", b"x" * 199 + b"\n", dt=0)                        # tail of an earlier response
    f.send(C, "A", dt=40 * US)
    exchange(f)
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "mid-stream", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), 200 + len(RESP), 9)
    return cap


@capture
def port_reuse():
    """Two complete connections on one 4-tuple.  The first is an HTTP/1.0-style exchange
    the server closes (four-way): the server ends in TIME_WAIT, the client CLOSED.  1 s
    later the client reuses its port with a new SYN whose ISN is above everything the
    first connection used, which a server in TIME_WAIT accepts (RFC 9293 3.6.1, RFC 6191).
    The second connection completes and the client closes it (four-way)."""
    cap = Capture("port-reuse.pcap")
    f1 = Flow(CLI4, 49316, SRV4, 80, cisn=0x10000000, sisn=0x20000000)
    handshake(f1)
    exchange(f1)
    close_four_way(f1, S)
    f2 = Flow(CLI4, 49316, SRV4, 80, cisn=0x10100000, sisn=0x2A000000, t=f1.t + 1 * SEC)
    handshake(f2)
    exchange(f2, req=b"GET /again HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
    close_four_way(f2, C)
    cap.add_flow(f1)
    cap.add_flow(f2)
    cap.expect(f1, "complete", "four-way", "server", "CLOSED", "TIME_WAIT", len(REQ), len(RESP), 10)
    cap.expect(f2, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ) + 5, len(RESP), 10)
    return cap


@capture
def synack_new_isn():
    """The capture starts at the server's SYN+ACK (the client's SYN was missed); the client
    retransmits its SYN (also missed) and the server answers again with a new ISN before any
    data.  The response that follows is numbered from the second ISN: synfin must place it by
    that one (it was lost as a gap when the first ISN was kept).  Mid-stream, since no client
    SYN is seen; four-way close by the client."""
    cap = Capture("synack-new-isn.pcap")
    isn1, isn2 = 0x6E5D4C3B, 0x11223344
    f = Flow(CLI4, 49330, SRV4, 80, sisn=isn1)
    f.send(C, "S", opts=MSS, dt=0, captured=False)
    f.send(S, "SA", opts=MSS, dt=f.rtt)
    f.send(C, "S", opts=MSS, seq=f.isn[C], dt=1 * SEC, captured=False)
    f.isn[S] = f.nxt[S] = isn2
    f.send(S, "SA", opts=MSS, dt=f.rtt)
    f.send(C, "A")
    exchange(f)
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "mid-stream", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def syn_after_data():
    """A capture that reordered the client's SYN after the SYN+ACK, the ACK and the request
    of its own connection (same ISN), as a capture from several queues can.  It belongs to
    that connection: one connection, not a second one, and not mid-stream (its SYN, SYN+ACK
    and ACK were all seen); the handshake RTT is unknown (null)."""
    cap = Capture("syn-after-data.pcap")
    f = Flow(CLI4, 49331, SRV4, 80)
    syn = f.send(C, "S", opts=MSS, dt=0)
    f.send(S, "SA", opts=MSS, dt=f.rtt)
    f.send(C, "A")
    f.send(C, "PA", REQ, dt=100 * US)
    syn.ts = f.t + 30 * US                                    # captured after the request
    f.send(S, "PA", RESP, dt=f.rtt)
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def late_fin_rst():
    """Packets of finished connections that arrive after synfin's linger: the server's FIN
    retransmitted 13 s after a four-way close, and, on a second connection closed in three
    ways, a RST from the server 16 s after the client's FIN.  Their sequence numbers lie in
    their connections' spaces: each is counted as late, never made a new 1-packet connection."""
    cap = Capture("late-fin-rst.pcap")
    f1 = Flow(CLI4, 49332, SRV4, 80)
    handshake(f1)
    exchange(f1)
    close_four_way(f1, C)
    fin = [g for g in f1.segs if g.side == S and "F" in g.flags][0]
    late = f1.send(S, "FA", seq=fin.seq, ack=fin.ack, dt=13 * SEC)  # the server's FIN again
    f1.segs.pop()
    f2 = Flow(CLI4, 49333, SRV4, 80, cisn=0x2C2B3A49, sisn=0x7E5D4C3B, t=f1.t - 13 * SEC + 200 * MS)
    handshake(f2)
    exchange(f2)
    f2.send(C, "FA", dt=2 * MS)
    fin_ts = f2.t
    f2.send(S, "FA", dt=f2.rtt)
    f2.send(C, "A", dt=40 * US)
    rst = f2.send(S, "R", ack=0, dt=fin_ts + 16 * SEC - f2.t)    # 16 s after the client's FIN
    f2.segs.pop()
    cap.add_flow(f1)
    cap.add_flow(f2)
    for g, f in ((late, f1), (rst, f2)):
        cap.add_frame(g.ts, ether(g.l3, f.v6, g.side), "late")
    cap.expect(f1, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(f2, "complete", "three-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 9)
    return cap


@capture
def seq_wraparound():
    """Client ISN 0xFFFFFF00 sends 1000 bytes in four 250-byte segments: the second one
    crosses 2^32 (its seq is 0xFFFFFFFB).  Server ISN 0xFFFFFFF0 sends 600 bytes in three
    200-byte segments: the first crosses 2^32.  ACK numbers wrap too.  Four-way close."""
    cap = Capture("seq-wraparound.pcap")
    f = Flow(CLI4, 49317, SRV4, 80, cisn=0xFFFFFF00, sisn=0xFFFFFFF0)
    handshake(f)
    for i in range(4):
        f.send(C, "PA", bytes([0x41 + i]) * 249 + b"\n", dt=100 * US)
        if i % 2:
            f.send(S, "A", dt=RTT)
    for i in range(3):
        f.send(S, "PA", bytes([0x61 + i]) * 199 + b"\n", dt=100 * US)
        if i >= 1:
            f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", 1000, 600, 18)
    return cap


@capture
def out_of_order():
    """The server's response comes as four 100-byte segments, seen in the order 1,3,2,4:
    segment 2 arrives 0.5 ms after segment 3 (far less than the 10 ms handshake RTT), so
    it is reordering, not a retransmission.  The client ACKs like a SACK-enabled stack:
    ACK after 1, a duplicate ACK with a SACK block for 3, a cumulative ACK through 3 when
    2 fills the hole, ACK after 4.  Four-way close."""
    cap = Capture("out-of-order.pcap")
    f = Flow(CLI4, 49318, SRV4, 80)
    handshake(f, copts=MSS_SACK, sopts=MSS_SACK)
    f.send(C, "PA", REQ, dt=100 * US)
    base = f.nxt[S]
    chunk = [bytes([0x31 + i]) * 99 + b"\n" for i in range(4)]
    s1 = f.send(S, "A", chunk[0], seq=base, dt=RTT)
    f.send(C, "A", ack=base + 100, dt=40 * US)
    f.send(S, "A", chunk[2], seq=base + 200, dt=100 * US)
    f.send(C, "A", ack=base + 100, dt=40 * US,                 # duplicate ACK, SACK 3
           opts=[("NOP", None), ("NOP", None), ("SAck", ((base + 200) & 0xFFFFFFFF, (base + 300) & 0xFFFFFFFF))])
    f.send(S, "A", chunk[1], seq=base + 100, dt=460 * US)     # 0.5 ms after segment 3
    f.send(C, "A", ack=base + 300, dt=40 * US)
    f.send(S, "PA", chunk[3], seq=base + 300, dt=100 * US)
    f.send(C, "A", dt=40 * US)
    assert s1.seq == base
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), 400, 16)
    return cap


@capture
def retransmission_overlap():
    """Client data: [1,101), then a retransmission over a larger overlapping range [51,201)
    (same bytes where they overlap), then [1,201); the server ACKs 201 only after that.
    Server data: [1,101), then 400 ms later a retransmission [1,151) whose first 100 bytes
    DIFFER from the first copy ("first copy wins" reassembly keeps 'F's); the client ACKs
    151.  Four-way close.  Relative sequence numbers, 1 = first byte after the SYN."""
    cap = Capture("retransmission-overlap.pcap")
    f = Flow(CLI4, 49319, SRV4, 80)
    handshake(f)
    cb, sb = f.nxt[C], f.nxt[S]
    cdata = bytes(0x30 + i % 10 for i in range(199)) + b"\n"     # "0123456789..."
    f.send(C, "PA", cdata[0:100], seq=cb, ack=sb, dt=100 * US)
    f.send(C, "PA", cdata[50:200], seq=cb + 50, ack=sb, dt=200 * MS)
    f.send(C, "PA", cdata[0:200], seq=cb, ack=sb, dt=400 * MS)
    f.send(S, "A", dt=RTT)
    f.send(S, "PA", b"F" * 100, seq=sb, dt=300 * US)                # first copy
    f.send(S, "PA", b"S" * 100 + b"s" * 49 + b"\n", seq=sb, dt=400 * MS)  # differs in [1,101)
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", 200, 150, 14)
    return cap


@capture
def lost_segment():
    """The server sends three 100-byte segments; the capture missed the middle one
    [101,201), yet the client's ACK 301 covers it (the client got it, the capture point
    did not).  Four-way close."""
    cap = Capture("lost-segment.pcap")
    f = Flow(CLI4, 49320, SRV4, 80)
    handshake(f)
    f.send(C, "PA", REQ, dt=100 * US)
    f.send(S, "A", b"1" * 99 + b"\n", dt=RTT)
    f.send(C, "A", dt=40 * US)
    f.send(S, "A", b"2" * 99 + b"\n", dt=60 * US, captured=False)   # not in the file
    f.send(S, "PA", b"3" * 99 + b"\n", dt=100 * US)
    f.send(C, "A", dt=40 * US)                                       # acks 301
    close_four_way(f, C)
    cap.add_flow(f)
    # Debatable: bytes_s2c.  It counts bytes the capture carries (200); the 100 bytes
    # acknowledged but never seen are a gap, not payload.
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), 200, 12)
    return cap


@capture
def zero_window():
    """The client has a 2000-byte receive window and its application stops reading:
    after two 1000-byte server segments it ACKs with window 0.  300 ms later it sends a
    window update (same ACK, window 2000) and the server sends the rest (1500 bytes).
    After 5 s idle the client sends a Linux-style keep-alive (0 bytes at seq-1) and the
    server ACKs it; 5 s later the server sends a BSD/Windows-style keep-alive (1 byte,
    0x00, at seq-1: an old sequence byte, not new data) and the client ACKs it.
    Four-way close by the client."""
    cap = Capture("zero-window.pcap")
    f = Flow(CLI4, 49321, SRV4, 80, cwin=2000)
    handshake(f)
    f.send(C, "PA", REQ, dt=100 * US)
    f.send(S, "A", b"a" * 999 + b"\n", dt=RTT)
    f.send(S, "A", b"b" * 999 + b"\n", dt=100 * US)
    f.send(C, "A", win=0, dt=40 * US)                               # zero window
    f.send(C, "A", win=2000, dt=300 * MS)                           # window update
    f.send(S, "A", b"c" * 999 + b"\n", dt=RTT)
    f.send(S, "PA", b"d" * 499 + b"\n", dt=100 * US)
    f.send(C, "A", dt=40 * US)
    f.send(C, "A", seq=(f.nxt[C] - 1) & 0xFFFFFFFF, dt=5 * SEC)    # keep-alive, 0 bytes
    f.send(S, "A", dt=RTT)
    f.send(S, "A", b"\0", seq=(f.nxt[S] - 1) & 0xFFFFFFFF, dt=5 * SEC)   # keep-alive, 1 byte
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), 3500, 19)
    return cap


@capture
def syn_retransmit():
    """The client's SYN goes unanswered twice: three SYNs with the same ISN 1 s apart,
    then the SYN+ACK, the ACK, a request and response, four-way close."""
    cap = Capture("syn-retransmit.pcap")
    f = Flow(CLI4, 49322, SRV4, 80)
    f.send(C, "S", opts=MSS, dt=0)
    f.send(C, "S", opts=MSS, seq=f.isn[C], dt=1 * SEC)
    f.send(C, "S", opts=MSS, seq=f.isn[C], dt=1 * SEC)
    f.send(S, "SA", opts=MSS, dt=RTT)
    f.send(C, "A")
    exchange(f)
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 12)
    return cap


@capture
def vlan():
    """Ethernet with one 802.1Q tag (TPID 0x8100, VLAN 100, priority 0) on every frame,
    carrying a short HTTP-like connection."""
    cap = Capture("vlan.pcap", link=lambda l3, v6, side: ether(l3, v6, side, tags=[(0x8100, 100)]))
    f = Flow(CLI4, 49323, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def vlan_qinq():
    """Ethernet with an 802.1ad service tag (TPID 0x88a8, S-VLAN 200) outside an 802.1Q
    customer tag (TPID 0x8100, C-VLAN 100), same connection shape as vlan.pcap."""
    cap = Capture("vlan-qinq.pcap",
                  link=lambda l3, v6, side: ether(l3, v6, side, tags=[(0x88A8, 200), (0x8100, 100)]))
    f = Flow(CLI4, 49324, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def linux_sll():
    """DLT_LINUX_SLL (linktype 113, "Linux cooked v1", what `tcpdump -i any` wrote before
    libpcap 1.10): a 16-byte header with packet type, ARPHRD_ETHER, the sender's MAC and
    the EtherType.  One full connection."""
    cap = Capture("sll.pcap", linktype=LINKTYPE_LINUX_SLL, link=sll)
    f = Flow(CLI4, 49325, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def linux_sll2():
    """DLT_LINUX_SLL2 (linktype 276, "Linux cooked v2", `tcpdump -i any` with libpcap
    >= 1.10): 20-byte header, EtherType first, interface index 2.  One full connection."""
    cap = Capture("sll2.pcap", linktype=LINKTYPE_LINUX_SLL2, link=sll2)
    f = Flow(CLI4, 49326, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def null():
    """DLT_NULL (linktype 0, BSD loopback): a 4-byte address family in the writing host's
    byte order, here little-endian.  An IPv4 connection (AF_INET = 2), then an IPv6 one
    with AF 30 (Darwin's AF_INET6)."""
    cap = Capture("null.pcap", linktype=LINKTYPE_NULL, link=null_le)
    f4 = Flow(CLI4, 49327, SRV4, 80)
    full_connection(f4)
    f6 = Flow(CLI6, 49328, SRV6, 80, t=f4.t + 1 * SEC)
    full_connection(f6)
    cap.add_flow(f4)
    cap.add_flow(f6)
    cap.expect(f4, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(f6, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def loop():
    """DLT_LOOP (linktype 108, OpenBSD loopback): the 4-byte address family in network
    byte order (AF_INET = 2).  One full IPv4 connection."""
    cap = Capture("loop.pcap", linktype=LINKTYPE_LOOP, link=loop_be)
    f = Flow(CLI4, 49329, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def raw():
    """LINKTYPE_RAW (101): no link header, the IP version nibble tells v4 from v6.
    An IPv4 connection, then an IPv6 one."""
    cap = Capture("raw.pcap", linktype=LINKTYPE_RAW, link=raw_ip)
    f4 = Flow(CLI4, 49330, SRV4, 80)
    full_connection(f4)
    f6 = Flow(CLI6, 49331, SRV6, 80, t=f4.t + 1 * SEC)
    full_connection(f6)
    cap.add_flow(f4)
    cap.add_flow(f6)
    cap.expect(f4, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(f6, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def ipv4_linktype():
    """LINKTYPE_IPV4 (228): raw IPv4 only.  One full connection."""
    cap = Capture("ipv4-linktype.pcap", linktype=LINKTYPE_IPV4, link=raw_ip)
    f = Flow(CLI4, 49332, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def ipv6_linktype():
    """LINKTYPE_IPV6 (229): raw IPv6 only.  One full connection."""
    cap = Capture("ipv6-linktype.pcap", linktype=LINKTYPE_IPV6, link=raw_ip)
    f = Flow(CLI6, 49333, SRV6, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def ipv4_options():
    """Every IPv4 header carries 12 bytes of options, NOP + Record Route with two empty
    slots (type 7, length 11, pointer 4), so IHL is 8.  One full connection."""
    cap = Capture("ipv4-options.pcap")
    f = Flow(CLI4, 49334, SRV4, 80,
             ip_options=lambda: [IPOption_NOP(), IPOption_RR(routers=["0.0.0.0", "0.0.0.0"])])
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


def ipv4_first_fragment(src, dst, sport, dport, ipid, payload, frag_bytes=64):
    """The first IPv4 fragment (offset 0, MF) of a TCP segment, the rest never sent."""
    full = bytes(IP(src=src, dst=dst, ttl=64, id=ipid) / TCP(sport=sport, dport=dport, seq=0x0BADF00D,
                 ack=0x0C0FFEE0, flags="PA", window=64240) / Raw(payload))
    tcp = full[20:20 + frag_bytes]                       # TCP checksum stays that of the whole segment
    hdr = bytearray(full[:20])
    struct.pack_into("!H", hdr, 2, 20 + len(tcp))        # total length of this fragment
    struct.pack_into("!H", hdr, 6, 0x2000)               # MF, offset 0
    struct.pack_into("!H", hdr, 10, 0)
    struct.pack_into("!H", hdr, 10, inet_checksum(bytes(hdr)))
    return bytes(hdr) + tcp


def ipv6_first_fragment(src, dst, sport, dport, ident, payload, frag_bytes=64):
    """The first IPv6 fragment (Fragment header, offset 0, M=1) of a TCP segment."""
    whole_tcp = bytes(IPv6(src=src, dst=dst, hlim=64) / TCP(sport=sport, dport=dport, seq=0x0BADF00D,
                      ack=0x0C0FFEE0, flags="PA", window=64240) / Raw(payload))[40:]
    return bytes(IPv6(src=src, dst=dst, hlim=64, fl=0)
                 / IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=ident)
                 / Raw(whole_tcp[:frag_bytes]))


def arp_request(sender_mac, sender_ip, target_ip):
    import socket
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, sender_mac, socket.inet_aton(sender_ip),
                       b"\0" * 6, socket.inet_aton(target_ip))
    return b"\xff" * 6 + sender_mac + struct.pack("!H", 0x0806) + body


@capture
def ipv6_exthdr():
    """An IPv6 connection whose every packet carries a Hop-by-Hop Options header and a
    Destination Options header (each just PadN to 8 bytes) before TCP.  Also in the file,
    all skipped by a TCP analyzer:
      - an ARP request (not IP)                      - a UDP DNS query over IPv6 (not TCP)
      - the first IPv4 fragment (MF=1, offset 0) of a TCP segment 192.0.2.10:40100 ->
        203.0.113.30:80
      - the first IPv6 fragment (Fragment header, M=1, offset 0) of a TCP segment
        [2001:db8:c::10]:40101 -> :80
    Both fragments carry a whole TCP header; decoding it anyway would invent a second
    connection.  So 14 frames: 10 TCP, 2 fragments, 1 not TCP, 1 not IP."""
    cap = Capture("ipv6-exthdr.pcap")
    exts = [lambda: IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)]),
            lambda: IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)])]
    cap.add_frame(T0, arp_request(MAC_C, CLI4, "192.0.2.1"), "not-ip")
    dns = IPv6(src=CLI6, dst="2001:db8:53::53", hlim=64, fl=0) / UDP(sport=53000, dport=53) / DNS(
        id=0x5F1D, rd=1, qd=DNSQR(qname="www.example.com", qtype="AAAA"))
    cap.add_frame(T0 + 1 * MS, ether(bytes(dns), True, C), "not-tcp")
    f = Flow(CLI6, 49335, SRV6, 80, t=T0 + 5 * MS, v6_exthdrs=exts)
    handshake(f)
    f.send(C, "PA", REQ, dt=100 * US)
    frag4 = ipv4_first_fragment(CLI4, SRV4B, 40100, 80, 0x1234, b"f" * 200)
    cap.add_frame(f.t + 20 * US, ether(frag4, False, C), "fragment")
    frag6 = ipv6_first_fragment(CLI6, SRV6, 40101, 80, 0x00C0FFEE, b"g" * 200)
    cap.add_frame(f.t + 30 * US, ether(frag6, True, C), "fragment")
    f.send(S, "PA", RESP, dt=RTT)
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def pcapng_two_interfaces():
    """pcapng with two Interface Description Blocks, both Ethernet (libpcap 1.10 refuses a
    section whose interfaces have different link types): if 0 "eth0" carries an IPv4
    connection, if 1 "eth1" (other MACs) an IPv6 one starting 3 ms later, so their
    Enhanced Packet Blocks interleave."""
    cap = Capture("pcapng-two-interfaces.pcapng",
                  interfaces=[(LINKTYPE_ETHERNET, "eth0"), (LINKTYPE_ETHERNET, "eth1")])
    f0 = Flow(CLI4, 49336, SRV4, 80)
    full_connection(f0)
    f1 = Flow(CLI6, 49337, SRV6, 8080, t=T0 + 3 * MS)
    full_connection(f1)
    cap.add_flow(f0, iface=0)
    cap.add_flow(f1, iface=1, link=lambda l3, v6, side: ether(l3, v6, side, macs=(MAC_C2, MAC_GW2)))
    cap.expect(f0, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(f1, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def nanosecond():
    """Classic pcap with the nanosecond magic 0xa1b23c4d.  The SYN is at .123456789; the
    SYN+ACK 1.200001 ms later, the client's ACK 1.234567 ms after the SYN exactly (at
    .124691356): the handshake RTT (SYN to final ACK) is 1234567 ns.  Every timestamp has
    non-zero sub-microsecond digits."""
    cap = Capture("nanosecond.pcap", nsec=True)
    f = Flow(CLI4, 49338, SRV4, 80, t=T0 + 123456789, rtt=1200001)
    f.send(C, "S", opts=MSS, dt=0)
    f.send(S, "SA", opts=MSS, dt=1200001)
    f.send(C, "A", dt=34566)
    f.send(C, "PA", REQ, dt=100003)
    f.send(S, "PA", RESP, dt=1300007)
    f.send(C, "A", dt=40009)
    f.send(C, "FA", dt=2000011)
    f.send(S, "A", dt=1200013)
    f.send(S, "FA", dt=200017)
    f.send(C, "A", dt=40019)
    assert f.segs[2].ts - f.segs[0].ts == 1234567
    assert all(g.ts % US for g in f.segs)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def truncated_snaplen():
    """Snapshot length 64 in the file header, raw IP (LINKTYPE_RAW) so 64 bytes keep the
    20-byte IP and 20-byte TCP headers plus 24 payload bytes: every longer packet is cut
    to 64 with its original length recorded.  Plus one frame cut to 30 bytes (IP header
    and the first 10 bytes of TCP: ports and sequence number, no flags), a copy of the
    server's response: an analyzer skips it as a truncated header.

    Raw IP rather than Ethernet: with a 14-byte Ethernet header a 30-byte cut would end
    inside the IP header, not the TCP header."""
    cap = Capture("truncated-snaplen.pcap", linktype=LINKTYPE_RAW, link=raw_ip, snaplen=64)
    f = Flow(CLI4, 49339, SRV4, 80)
    body = b"".join(b"line %02d of a response the snapshot length cuts short\n" % i for i in range(6))
    handshake(f)
    exchange(f, response=resp(body))
    again = f.send(S, "PA", resp(body), seq=f.segs[-2].seq, dt=300 * MS, captured=False)
    cap.add_frame(again.ts, again.l3, "truncated", cut=30)
    close_four_way(f, C)
    cap.add_flow(f)
    # Debatable: the 30-byte frame is a copy of the response (a retransmission) but does
    # not count in packets: it is skipped before it could be matched to a connection.
    # bytes_s2c counts the response's full length, its sequence space was seen.
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(resp(body)), 10)
    return cap


@capture
def corrupt_mid_file():
    """A complete, clean first connection; then a record header claiming a 0x7fffffff-byte
    packet (larger than any snapshot length); then the records of a second connection.
    libpcap, tshark and tcpdump stop at the bad header with an error; synfin skips the 16
    bytes of the bad header to the next plausible record, says so, and reports both."""
    cap = Capture("corrupt-mid-file.pcap")
    f1 = Flow(CLI4, 49340, SRV4, 80)
    full_connection(f1)
    f2 = Flow(CLI4, 49341, SRV4, 80, t=f1.t + 1 * SEC)
    full_connection(f2)
    cap.add_flow(f1)
    cap.add_frame(f1.t + 500 * MS, b"", "corrupt")
    cap.add_flow(f2)
    cap.expect(f1, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(f2, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


def malformed(f, side, kind):
    """A broken copy of what `side` would send next on flow f (Ethernet frame): a 4-byte
    "JUNK" payload at the next sequence number.  The IPv4 header checksum is right for the
    header bytes as written, the TCP checksum for the TCP bytes as written."""
    seq, ack = f.nxt[side], f.nxt[1 - side]
    tcp = bytearray(bytes(TCP(sport=f.port[side], dport=f.port[1 - side], seq=seq, ack=ack, flags="PA",
                              window=f.win[side], urgptr=0) / Raw(b"JUNK")))
    ip = bytearray(bytes(IP(src=f.addr[side], dst=f.addr[1 - side], ttl=f.ttl[side], id=0x6666, flags="DF",
                            proto=6, len=20 + len(tcp)))[:20])

    def tcp_sum(seg):
        seg = bytearray(seg)
        struct.pack_into("!H", seg, 16, 0)
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, len(seg))
        struct.pack_into("!H", seg, 16, inet_checksum(bytes(pseudo + seg)))
        return seg

    if kind == "ihl-lt-5":           # IHL 4: a 16-byte IPv4 header cannot exist
        ip[0] = 0x44
    elif kind == "total-lt-header":  # total length 16 < the 20-byte header
        struct.pack_into("!H", ip, 2, 16)
    elif kind == "tcp-offset-lt-5":  # data offset 4: a 16-byte TCP header
        tcp[12] = 0x40
        tcp = tcp_sum(tcp)
    elif kind == "tcp-offset-past-ip":   # data offset 15 (60 bytes) but only 24 bytes of IP payload
        tcp[12] = 0xF0
        tcp = tcp_sum(tcp)
    struct.pack_into("!H", ip, 10, 0)
    struct.pack_into("!H", ip, 10, inet_checksum(bytes(ip)))
    return ether(bytes(ip) + bytes(tcp), False, side)


@capture
def malformed_headers():
    """One good connection, with five broken frames between its packets, each using the
    connection's addresses and ports with plausible sequence numbers (so decoding one
    anyway would disturb the connection):
      1. IPv4 IHL = 4 (< 5)
      2. IPv4 total length 16, smaller than its 20-byte header
      3. TCP data offset 4 (< 5)
      4. TCP data offset 15 (60 bytes) while the IP payload is 24 bytes
      5. an Ethernet frame of 10 bytes (caplen = len = 10: nothing was cut by a snapshot
         length, the frame itself is shorter than an Ethernet header)
    All five are counted and skipped (1-4 malformed; 5 is malformed too, though a decoder
    that only sees "link header too short" may call it truncated)."""
    cap = Capture("malformed-headers.pcap")
    f = Flow(CLI4, 49342, SRV4, 80)
    handshake(f)
    cap.add_frame(f.t + 20 * US, malformed(f, C, "ihl-lt-5"), "malformed")
    f.send(C, "PA", REQ, dt=100 * US)
    cap.add_frame(f.t + 20 * US, malformed(f, C, "total-lt-header"), "malformed")
    f.send(S, "PA", RESP, dt=RTT)
    cap.add_frame(f.t + 20 * US, malformed(f, S, "tcp-offset-lt-5"), "malformed")
    f.send(C, "A", dt=40 * US)
    cap.add_frame(f.t + 20 * US, malformed(f, S, "tcp-offset-past-ip"), "malformed")
    cap.add_frame(f.t + 30 * US, (MAC_GW + MAC_C)[:10], "malformed")
    close_four_way(f, C)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


# ================================================================== link layers, tunnels,
# IP fragments and lengths that lie (synfin(1), "LINK LAYERS AND TUNNELS")
#
# Tunnel endpoints: 203.0.113.1 on the client's side, 203.0.113.2 on the server's (the
# outer header of a packet the client sends goes .1 -> .2, the server's .2 -> .1), or
# 2001:db8:7::1 / ::2.  Mirrors (ERSPAN) send both directions from 192.0.2.250 to the
# collector 198.51.100.250.

LINKTYPE_PPP = 9
LINKTYPE_C_HDLC = 104
LINKTYPE_IEEE802_11 = 105
LINKTYPE_IEEE802_11_RADIO = 127
LINKTYPE_IEEE802_11_RADIO_AVS = 163
LINKTYPE_PPI = 192
LINKTYPE_IPNET = 226
LINKTYPE_NFLOG = 239

TUN_C4, TUN_S4 = "203.0.113.1", "203.0.113.2"
TUN_C6, TUN_S6 = "2001:db8:7::1", "2001:db8:7::2"
MIRROR, COLLECTOR = "192.0.2.250", "198.51.100.250"
MAC_AP = bytes.fromhex("0200000000a1")     # the access point (its BSSID)
MAC_WDS = bytes.fromhex("0200000000a2")    # a second access point, for four-address frames
ETH_V4, ETH_V6 = 0x0800, 0x86DD


def ethertype_of(l3):
    return ETH_V6 if l3[0] >> 4 == 6 else ETH_V4


def ether_any(l3, side, tags=()):
    """Ethernet around an IPv4 or IPv6 packet (the version nibble says which)."""
    return ether(l3, l3[0] >> 4 == 6, side, tags=tags)


def inner_ether(l3, side):
    """The Ethernet frame a tunnel carries: the client and its gateway."""
    return ether_any(l3, side)


def outer4(payload, proto, side, ident=0x0700, src=None, dst=None):
    """An outer IPv4 header (DF, TTL 60) around `payload`, tunnel endpoint to endpoint."""
    s, d = (TUN_C4, TUN_S4) if side == C else (TUN_S4, TUN_C4)
    return bytes(IP(src=src or s, dst=dst or d, ttl=60, id=ident, flags="DF", proto=proto) / Raw(payload))


def outer4_udp(payload, sport, dport, side):
    s, d = (TUN_C4, TUN_S4) if side == C else (TUN_S4, TUN_C4)
    return bytes(IP(src=s, dst=d, ttl=60, id=0x0700, flags="DF") / UDP(sport=sport, dport=dport) / Raw(payload))


def counter(start=0):
    n = [start]

    def nxt():
        n[0] += 1
        return n[0]
    return nxt


# ---- IEEE 802.11

def wlan(l3, side, qos=False, four=False, order=False, protected=False, subtype=None, addr4=MAC_WDS):
    """An 802.11 data frame with LLC/SNAP: the client sends to the AP (To DS), the AP to the
    client (From DS); `four`: both bits, a wireless distribution system (four addresses)."""
    st = subtype if subtype is not None else (8 if qos else 0)
    fc0 = (2 << 2) | (st << 4)
    if four:
        flags = 0x03
        a1, a2, a3 = (MAC_AP, MAC_WDS, MAC_GW) if side == C else (MAC_WDS, MAC_AP, MAC_C)
    elif side == C:
        flags, (a1, a2, a3) = 0x01, (MAC_AP, MAC_C, MAC_GW)
    else:
        flags, (a1, a2, a3) = 0x02, (MAC_C, MAC_AP, MAC_GW)
    flags |= (0x40 if protected else 0) | (0x80 if order else 0)
    hdr = struct.pack("<BBH", fc0, flags, 44) + a1 + a2 + a3 + struct.pack("<H", 0x0010)
    if four:
        hdr += MAC_C if side == C else MAC_GW
    if st & 8:
        hdr += struct.pack("<H", 0x0000)      # QoS control: TID 0, no A-MSDU
        if order:
            hdr += b"\0\0\0\0"                # HT control
    if protected:
        return hdr + bytes(8) + l3[:40] + bytes(8)    # CCMP header, "ciphertext", MIC
    if st & 4:
        return hdr                            # no data
    return hdr + b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", ethertype_of(l3)) + l3


def beacon():
    """A management frame (beacon) with an SSID element."""
    hdr = struct.pack("<BBH", 0x80, 0, 0) + b"\xff" * 6 + MAC_AP + MAC_AP + struct.pack("<H", 0)
    body = struct.pack("<QHH", 0x0102030405, 100, 0x0401) + b"\x00\x0bsynfin-test"
    return hdr + body


def radiotap(frame, datapad=False):
    """Radiotap: TSFT, Flags (FCS at the end; optionally the 802.11 header padded to 4), Rate."""
    flags = 0x10 | (0x20 if datapad else 0)
    hdr = struct.pack("<BBHI", 0, 0, 18, 0x00000007) + struct.pack("<QBB", 123456789, flags, 12)
    if datapad:
        hlen = 26 if (frame[0] >> 4) & 8 else 24     # QoS data: 26 bytes, padded to 28
        frame = frame[:hlen] + b"\0" * (-hlen % 4) + frame[hlen:]
    import zlib
    return hdr + frame + struct.pack("<I", zlib.crc32(frame) & 0xFFFFFFFF)


def ppi(frame):
    """PPI 1.0: header (version 0, flags 0, length, DLT 105) and one 802.11-Common field."""
    field = struct.pack("<HH", 2, 20) + struct.pack("<QHHHHBBbb", 987654321, 0, 2, 2437, 0x00A0, 0, 0, -40, -95)
    return struct.pack("<BBHI", 0, 0, 8 + len(field), LINKTYPE_IEEE802_11) + field + frame


def avs(frame):
    """AVS capture header version 1 (64 bytes, big-endian)."""
    return struct.pack("!IIQQIIIIiiII", 0x80211001, 64, 0, 0, 1, 1, 6, 2, -40, -95, 0, 0) + bytes(8) + frame


@capture
def wlan_80211():
    """LINKTYPE_IEEE802_11 (105): a full connection in unprotected 802.11 data frames with
    LLC/SNAP; the client's frames go To DS, the AP's From DS; the request and the response are
    QoS data frames, the response with an HT control field (Order set).  Also in the file,
    skipped: a beacon (management), a null-data frame (no payload), and a protected data frame
    (counted as encrypted)."""
    cap = Capture("wlan-80211.pcap", linktype=LINKTYPE_IEEE802_11,
                  link=lambda l3, v6, side: wlan(l3, side, qos=len(l3) > 80, order=side == S and len(l3) > 80))
    cap.add_frame(T0 - 50 * MS, beacon(), "not-ip")
    f = Flow(CLI4, 49400, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.add_frame(f.t + 1 * MS, wlan(b"", C, subtype=4), "not-ip")                 # null data
    cap.add_frame(f.t + 2 * MS, wlan(f.segs[3].l3, C, qos=True, protected=True), "encrypted")
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def wlan_radiotap():
    """LINKTYPE_IEEE802_11_RADIO (127): Radiotap (TSFT, Flags, Rate) before QoS data frames;
    Flags says an FCS ends each frame and the 802.11 header is padded to 4 bytes (26 + 2)."""
    cap = Capture("wlan-radiotap.pcap", linktype=LINKTYPE_IEEE802_11_RADIO,
                  link=lambda l3, v6, side: radiotap(wlan(l3, side, qos=True), datapad=True))
    f = Flow(CLI6, 49401, SRV6, 443)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def wlan_ppi():
    """LINKTYPE_PPI (192): a PPI header with an 802.11-Common field, then four-address 802.11
    data frames (a wireless distribution system between two access points)."""
    cap = Capture("wlan-ppi.pcap", linktype=LINKTYPE_PPI, link=lambda l3, v6, side: ppi(wlan(l3, side, four=True)))
    f = Flow(CLI4, 49402, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def wlan_avs():
    """LINKTYPE_IEEE802_11_RADIO_AVS (163): a 64-byte AVS header before plain data frames."""
    cap = Capture("wlan-avs.pcap", linktype=LINKTYPE_IEEE802_11_RADIO_AVS,
                  link=lambda l3, v6, side: avs(wlan(l3, side)))
    f = Flow(CLI4, 49403, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


# ---- serial links, PPPoE, NFLOG, IPNET

@capture
def cisco_hdlc():
    """LINKTYPE_C_HDLC (104): address 0x0f (unicast), control 0, then the EtherType.  Also a
    SLARP keepalive (EtherType 0x8035), not IP."""
    cap = Capture("chdlc.pcap", linktype=LINKTYPE_C_HDLC,
                  link=lambda l3, v6, side: b"\x0f\x00" + struct.pack("!H", ethertype_of(l3)) + l3)
    cap.add_frame(T0 - 5 * MS, b"\x8f\x00\x80\x35" + struct.pack("!IIIH", 2, 100, 0xFFFF, 0), "not-ip")
    f = Flow(CLI4, 49404, SRV4, 179)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def ppp():
    """LINKTYPE_PPP (9) in HDLC-like framing (RFC 1662): 0xff 0x03, then the PPP protocol
    (0x0021 IPv4, 0x0057 IPv6).  An IPv4 connection and an IPv6 one; also an LCP echo
    request, not IP."""
    def link(l3, v6, side):
        return b"\xff\x03" + struct.pack("!H", 0x0057 if v6 else 0x0021) + l3
    cap = Capture("ppp.pcap", linktype=LINKTYPE_PPP, link=link)
    cap.add_frame(T0 - 5 * MS, b"\xff\x03\xc0\x21" + struct.pack("!BBHI", 9, 1, 8, 0x12345678), "not-ip")
    f4 = Flow(CLI4, 49405, SRV4, 80)
    full_connection(f4)
    f6 = Flow(CLI6, 49406, SRV6, 80, t=f4.t + 1 * SEC)
    full_connection(f6)
    cap.add_flow(f4)
    cap.add_flow(f6)
    cap.expect(f4, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(f6, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


NINE_TAGS = [(0x88A8, 10)] + [(0x8100, 11 + i) for i in range(8)]


def pppoe(l3, v6, side, session=0x2A1B):
    """PPPoE session data (EtherType 0x8864, RFC 2516) under nine VLAN tags."""
    body = struct.pack("!H", 0x0057 if v6 else 0x0021) + l3
    mine, gw = MAC_C, MAC_GW
    src, dst = (mine, gw) if side == C else (gw, mine)
    tags = b"".join(struct.pack("!HH", tpid, tci) for tpid, tci in NINE_TAGS)
    return dst + src + tags + struct.pack("!HBBHH", 0x8864, 0x11, 0, session, len(body)) + body


@capture
def pppoe_vlan():
    """PPPoE session frames inside Ethernet with nine stacked VLAN tags (an 802.1ad tag, VLAN
    10, then 802.1Q tags 11 to 18): one IPv4 connection.  Also a PADI (PPPoE discovery,
    EtherType 0x8863) under the same tags, not IP."""
    cap = Capture("pppoe-vlan.pcap", link=pppoe)
    tags = b"".join(struct.pack("!HH", tpid, tci) for tpid, tci in NINE_TAGS)
    padi = b"\xff" * 6 + MAC_C + tags + struct.pack("!HBBHH", 0x8863, 0x11, 0x09, 0, 4) + b"\x01\x01\x00\x00"
    cap.add_frame(T0 - 5 * MS, padi, "not-ip")
    f = Flow(CLI4, 49407, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


def nflog(l3, v6, side):
    """NFLOG: family, version 0, resource id (big-endian), then TLVs in the logging host's
    byte order (little-endian here): packet header, prefix, payload."""
    def tlv(t, value):
        body = struct.pack("<HH", 4 + len(value), t) + value
        return body + b"\0" * (-len(body) % 4)
    hdr = struct.pack("!BBH", 10 if v6 else 2, 0, 1)
    return (hdr + tlv(1, struct.pack("!HBB", 0x86DD if v6 else 0x0800, 3, 0)) + tlv(10, b"synfin\0")
            + tlv(9, l3))


@capture
def nflog_capture():
    """LINKTYPE_NFLOG (239): what `tcpdump -i nflog:1` writes, each packet in NFULA_PAYLOAD
    after an NFULA_PACKET_HDR and an NFULA_PREFIX TLV.  An IPv4 and an IPv6 connection."""
    cap = Capture("nflog.pcap", linktype=LINKTYPE_NFLOG, link=nflog)
    f4 = Flow(CLI4, 49408, SRV4, 80)
    full_connection(f4)
    f6 = Flow(CLI6, 49409, SRV6, 80, t=f4.t + 1 * SEC)
    full_connection(f6)
    cap.add_flow(f4)
    cap.add_flow(f6)
    cap.expect(f4, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(f6, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def ipnet():
    """LINKTYPE_IPNET (226, Solaris ipnet): a 24-byte header (version 1, family 2 or 26,
    htype, packet length, interface index, zones), then the IP packet."""
    def link(l3, v6, side):
        return struct.pack("!BBHIIIII", 1, 26 if v6 else 2, 0, len(l3), 2, 0, 0, 0) + l3
    cap = Capture("ipnet.pcap", linktype=LINKTYPE_IPNET, link=link)
    f = Flow(CLI4, 49410, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


# ---- tunnels

def gre_header(proto, key=None, seq=None, csum=False):
    flags = (0x8000 if csum else 0) | (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0)
    h = struct.pack("!HH", flags, proto)
    if csum:
        h += b"\0\0\0\0"
    if key is not None:
        h += struct.pack("!I", key)
    if seq is not None:
        h += struct.pack("!I", seq)
    return h


@capture
def gre():
    """GRE (RFC 2784/2890) in IPv4 between two routers, with a key (0x1234) and sequence
    numbers, carrying an IPv4 connection; each packet's checksum present bit is clear."""
    seq = counter()

    def link(l3, v6, side):
        return ether_any(outer4(gre_header(ETH_V4, key=0x1234, seq=seq()) + l3, 47, side), side)
    cap = Capture("gre.pcap", link=link)
    f = Flow(CLI4, 49411, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def erspan2():
    """ERSPAN type II (GRE protocol 0x88be with sequence numbers, ERSPAN version 1, session 42)
    from a switch mirroring both directions of an IPv4 connection to a collector."""
    seq = counter()

    def link(l3, v6, side):
        span = struct.pack("!HHI", 0x1000, 42, 0)
        gre_ = gre_header(0x88BE, seq=seq())
        return ether_any(outer4(gre_ + span + inner_ether(l3, side), 47, C, src=MIRROR, dst=COLLECTOR), C)
    cap = Capture("erspan2.pcap", link=link)
    f = Flow(CLI4, 49412, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def erspan3():
    """ERSPAN type III (GRE protocol 0x22eb, version 2, session 7) with the optional 8-byte
    platform subheader (O bit), mirroring an IPv6 connection."""
    seq = counter()

    def link(l3, v6, side):
        span = struct.pack("!HHIHH", 0x2000, 7, 0x01020304, 0, 0x0001) + struct.pack("!II", 0x0C000000, 0)
        gre_ = gre_header(0x22EB, seq=seq())
        return ether_any(outer4(gre_ + span + inner_ether(l3, side), 47, C, src=MIRROR, dst=COLLECTOR), C)
    cap = Capture("erspan3.pcap", link=link)
    f = Flow(CLI6, 49413, SRV6, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def vxlan():
    """VXLAN (UDP 4789, VNI 5001) between two VTEPs, under an 802.1Q tag (VLAN 30) outside,
    carrying Ethernet frames of an IPv4 connection."""
    def link(l3, v6, side):
        vx = struct.pack("!B3sI", 0x08, b"\0\0\0", 5001 << 8)
        return ether_any(outer4_udp(vx + inner_ether(l3, side), 49152 + (len(l3) % 97), 4789, side), side,
                         tags=[(0x8100, 30)])
    cap = Capture("vxlan.pcap", link=link)
    f = Flow(CLI4, 49414, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def geneve():
    """GENEVE (UDP 6081, VNI 0x00abcd, protocol 0x6558: Ethernet) with one 4-byte option,
    over IPv6 tunnel endpoints, carrying an IPv4 connection."""
    def link(l3, v6, side):
        opt = struct.pack("!HBB", 0x0102, 0x80, 1) + b"\xde\xad\xbe\xef"
        gen = struct.pack("!BBHI", len(opt) // 4, 0, 0x6558, 0x00ABCD << 8) + opt
        s, d = (TUN_C6, TUN_S6) if side == C else (TUN_S6, TUN_C6)
        out = bytes(IPv6(src=s, dst=d, hlim=60, fl=0) / UDP(sport=50000, dport=6081) / Raw(gen + inner_ether(l3, side)))
        return ether_any(out, side)
    cap = Capture("geneve.pcap", link=link)
    f = Flow(CLI4, 49415, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


def mpls_stack(labels):
    return b"".join(struct.pack("!I", lab << 12 | (0x100 if i == len(labels) - 1 else 0) | 64)
                    for i, lab in enumerate(labels))


@capture
def mpls():
    """MPLS (EtherType 0x8847): an IPv4 connection under a two-label stack (1001, 2002), and an
    IPv6 connection in an Ethernet pseudowire (label 3003, a zero control word, RFC 4448).

    tshark 4.0 reads the pseudowire without its control word: its heuristic calls the payload
    plain Ethernet when its first 12 bytes look like two addresses of known manufacturers, and
    the zero control word plus the inner addresses' bytes spell OUIs 00:00:00 and 00:00:0c.
    The control word is there (RFC 4385: first nibble 0), so the inner frame starts after it."""
    def macs(side, mine, gw):
        return gw + mine if side == C else mine + gw     # destination, then source

    def l3vpn(l3, v6, side):
        return macs(side, MAC_C, MAC_GW) + struct.pack("!H", 0x8847) + mpls_stack([1001, 2002]) + l3

    def pw(l3, v6, side):
        frame = mpls_stack([3003]) + b"\0\0\0\0" + inner_ether(l3, side)
        return macs(side, MAC_C2, MAC_GW2) + struct.pack("!H", 0x8847) + frame
    cap = Capture("mpls.pcap", link=l3vpn)
    f4 = Flow(CLI4, 49416, SRV4, 80)
    full_connection(f4)
    f6 = Flow(CLI6, 49417, SRV6, 80, t=f4.t + 1 * SEC)
    full_connection(f6)
    cap.add_flow(f4)
    cap.add_flow(f6, link=pw)
    cap.expect(f4, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(f6, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def teredo():
    """Teredo (RFC 4380): IPv6 in UDP between a client (port 53000) and a relay on port 3544;
    the relay's packets start with an origin indication (the port and address, obfuscated)."""
    def link(l3, v6, side):
        if side == C:
            return ether_any(outer4_udp(l3, 53000, 3544, side), side)
        origin = struct.pack("!HH4s", 0, 53000 ^ 0xFFFF, bytes(b ^ 0xFF for b in bytes([203, 0, 113, 1])))
        return ether_any(outer4_udp(origin + l3, 3544, 53000, side), side)
    cap = Capture("teredo.pcap", link=link)
    f = Flow(CLI6, 49418, SRV6, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def ipip():
    """IPv4 in IPv4 (IP protocol 4, RFC 2003) between two tunnel endpoints: one connection."""
    cap = Capture("ipip.pcap", link=lambda l3, v6, side: ether_any(outer4(l3, 4, side), side))
    f = Flow(CLI4, 49419, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def six_in_four():
    """IPv6 in IPv4 (IP protocol 41, RFC 4213: a 6in4 tunnel): one IPv6 connection."""
    cap = Capture("6in4.pcap", link=lambda l3, v6, side: ether_any(outer4(l3, 41, side), side))
    f = Flow(CLI6, 49420, SRV6, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def gtpu():
    """GTP-U (UDP 2152, 3GPP TS 29.281) G-PDUs between a base station and a core gateway,
    TEID 0x1000 uplink and 0x2000 downlink, each with a PDU Session Container extension
    header (type 0x85), carrying a phone's IPv4 connection."""
    def link(l3, v6, side):
        ext = struct.pack("!BBBB", 1, 0x10 if side == C else 0x00, 9, 0)      # length 1, PDU type, QFI, next 0
        body = struct.pack("!HBB", 0, 0, 0x85) + ext + l3                    # sequence, N-PDU, next extension
        g = struct.pack("!BBHI", 0x34, 0xFF, len(body), 0x1000 if side == C else 0x2000) + body
        return ether_any(outer4_udp(g, 2152, 2152, side), side)
    cap = Capture("gtpu.pcap", link=link)
    f = Flow(CLI4, 49421, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def capwap():
    """CAPWAP data (UDP 5247, RFC 5415) from an access point to its controller: native 802.11
    frames (T bit, wireless binding 1) with the frame control bytes swapped, as Cisco sends
    them (and tshark assumes by default)."""
    def link(l3, v6, side):
        frame = wlan(l3, side)
        frame = frame[1:2] + frame[0:1] + frame[2:]
        # HLEN 4 words, binding 1 (802.11), T (native frame), W: wireless information (RSSI, SNR, rate)
        hdr = struct.pack("!II", (4 << 19) | (1 << 9) | (1 << 8) | (1 << 5), 0) + b"\x04\xbf\x23\x00\x00\0\0\0"
        return ether_any(outer4_udp(hdr + frame, 40000, 5247, C), C)
    cap = Capture("capwap.pcap", link=link)
    f = Flow(CLI4, 49422, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


def nested_gre(l3, depth, side):
    """`depth` GRE-in-IPv4 layers around l3 (keys 1..depth, outermost first)."""
    for k in range(depth, 0, -1):
        l3 = outer4(gre_header(ethertype_of(l3), key=k) + l3, 47, side)
    return l3


@capture
def gre_nested():
    """Eight GRE-in-IPv4 tunnels nested (keys 1 to 8): the most synfin follows.  Also one SYN
    of another connection nested nine deep: counted as too deeply nested and skipped."""
    cap = Capture("gre-nested.pcap", link=lambda l3, v6, side: ether_any(nested_gre(l3, 8, side), side))
    f = Flow(CLI4, 49423, SRV4, 80)
    full_connection(f)
    cap.add_flow(f)
    deep = Flow(CLI4, 49424, SRV4, 80, t=f.t + 1 * MS)
    syn = deep.send(C, "S", opts=MSS, dt=0, captured=False)
    cap.add_frame(syn.ts, ether_any(nested_gre(syn.l3, 9, C), C), "too-deep")
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


# ---- IP fragments

def fragments4(l3, sizes):
    """Split an IPv4 packet into fragments of the given payload sizes (all but the last a
    multiple of 8): [(offset, bytes of the fragment)]."""
    hdr, payload = bytearray(l3[:20]), l3[20:]
    out, off = [], 0
    for i, n in enumerate(sizes):
        last = i == len(sizes) - 1
        chunk = payload[off:] if last else payload[off:off + n]
        h = bytearray(hdr)
        struct.pack_into("!H", h, 2, 20 + len(chunk))
        struct.pack_into("!H", h, 6, (0 if last else 0x2000) | off // 8)
        struct.pack_into("!H", h, 10, 0)
        struct.pack_into("!H", h, 10, inet_checksum(bytes(h)))
        out.append((off, bytes(h) + chunk))
        off += len(chunk)
    return out


def fragments6(l3, sizes, ident):
    """Split an IPv6 packet (no extension headers) into fragments with a Fragment header."""
    src, dst, nh, hlim = l3[8:24], l3[24:40], l3[6], l3[7]
    payload = l3[40:]
    out, off = [], 0
    for i, n in enumerate(sizes):
        last = i == len(sizes) - 1
        chunk = payload[off:] if last else payload[off:off + n]
        fh = struct.pack("!BBHI", nh, 0, off | (0 if last else 1), ident)
        h = struct.pack("!IHBB", 0x60000000, 8 + len(chunk), 44, hlim) + src + dst
        out.append((off, h + fh + chunk))
        off += len(chunk)
    return out


def add_fragmented(cap, seg, frags, order, link, t0=None, step=20 * US, extra=()):
    """Add a segment as fragments, sent in `order`; the one that completes the datagram (the
    last to arrive) is the "tcp" frame.  `extra`: (position, bytes) of more fragments slipped
    in (copies, overlaps) at `position` in the arrival order.  By default the last one
    arrives when the whole segment would have."""
    arrivals = [frags[i][1] for i in order]
    for pos, data in sorted(extra, reverse=True):
        arrivals.insert(pos, data)
    t = seg.ts - (len(arrivals) - 1) * step if t0 is None else t0
    for k, data in enumerate(arrivals):
        last = k == len(arrivals) - 1
        cap.add_frame(t + k * step, link(data, False, seg.side), "tcp" if last else "fragment",
                      seg=seg if last else None)


@capture
def ipv4_fragments():
    """IPv4 fragments (RFC 791): the client's request sent as three fragments (24, 24 and
    13 bytes of TCP) arriving 3, 1, 2; the server's response as four fragments arriving
    in reverse order, interleaved with the two fragments of a second connection's request
    to another server that carries the same IP identification.  Every other packet whole.
    Then a third connection picked up mid-stream (no SYN) whose first packet, the client's
    request, comes as two fragments: the connection starts where its first fragment lies."""
    cap = Capture("ipv4-fragments.pcap")
    link = lambda l3, v6, side: ether(l3, False, side)
    f = Flow(CLI4, 49425, SRV4, 80)
    handshake(f)
    req = f.send(C, "PA", REQ, dt=100 * US)
    rsp = f.send(S, "PA", RESP, dt=RTT)
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    # the second connection's request leaves when the response arrives, with the same IP id
    g = Flow(CLI4, 49426, SRV4B, 80, t=rsp.ts - RTT - 150 * US)
    g.ipid[C] = IP(rsp.l3).id - 3                # its SYN and ACK come first
    handshake(g)
    greq = g.send(C, "PA", REQ, dt=100 * US)
    g.send(S, "PA", RESP, dt=RTT)
    g.send(C, "A", dt=40 * US)
    close_four_way(g, C)
    assert IP(rsp.l3).id == IP(greq.l3).id and greq.ts == rsp.ts
    for flow in (f, g):
        for s in flow.segs:
            if s is not req and s is not rsp and s is not greq:
                cap.frames.append(Frame(s.ts, link(s.l3, False, s.side), "tcp", seg=s))
    add_fragmented(cap, req, fragments4(req.l3, [24, 24, 13]), [2, 0, 1], link)
    rsp_frags = fragments4(rsp.l3, [32, 32, 32, 16])
    add_fragmented(cap, rsp, rsp_frags, [3, 2, 1, 0], link, t0=rsp.ts - 30 * US)
    add_fragmented(cap, greq, fragments4(greq.l3, [24, 37]), [0, 1], link, t0=rsp.ts - 20 * US, step=40 * US)
    h = Flow(CLI4, 49434, SRV4, 8080, t=g.t + 1 * SEC)
    hreq = h.send(C, "PA", REQ, dt=0)
    h.send(S, "PA", RESP, dt=RTT)
    h.send(C, "A", dt=40 * US)
    close_four_way(h, C)
    for s in h.segs[1:]:
        cap.frames.append(Frame(s.ts, link(s.l3, False, s.side), "tcp", seg=s))
    add_fragmented(cap, hreq, fragments4(hreq.l3, [32, 29]), [0, 1], link)
    cap.flows += [f, g, h]
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(g, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    cap.expect(h, "mid-stream", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 7)
    return cap


@capture
def ipv6_fragments():
    """IPv6 fragments (RFC 8200 section 4.5): the server's response in three fragments
    (Fragment header, identification 0xc0ffee01) arriving last first."""
    cap = Capture("ipv6-fragments.pcap")
    link = lambda l3, v6, side: ether(l3, True, side)
    f = Flow(CLI6, 49427, SRV6, 80)
    handshake(f)
    f.send(C, "PA", REQ, dt=100 * US)
    rsp = f.send(S, "PA", RESP, dt=RTT)
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    for s in f.segs:
        if s is not rsp:
            cap.frames.append(Frame(s.ts, link(s.l3, True, s.side), "tcp", seg=s))
    add_fragmented(cap, rsp, fragments6(rsp.l3, [48, 48, 16], 0xC0FFEE01), [2, 1, 0], link)
    cap.flows.append(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def ipv4_fragment_tricks():
    """The tricks of RFC 1858 and RFC 3128, reassembled the way synfin resolves overlaps (the
    first copy of a byte wins, as in TCP reassembly) and counted as anomalies: the client's
    request starts with a tiny first fragment (8 bytes: ports and sequence number only, no
    flags); the server's response is followed, before its last fragment, by a copy of its
    second fragment whose bytes differ ("HTTP/1.1 200" becomes "HTTP/1.1 403" in a later
    copy): the status stays 200."""
    cap = Capture("ipv4-fragment-tricks.pcap")
    link = lambda l3, v6, side: ether(l3, False, side)
    f = Flow(CLI4, 49428, SRV4, 80)
    handshake(f)
    req = f.send(C, "PA", REQ, dt=100 * US)
    rsp = f.send(S, "PA", RESP, dt=RTT)
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    for s in f.segs:
        if s is not req and s is not rsp:
            cap.frames.append(Frame(s.ts, link(s.l3, False, s.side), "tcp", seg=s))
    add_fragmented(cap, req, fragments4(req.l3, [8, 53]), [0, 1], link)
    frags = fragments4(rsp.l3, [24, 24, 64])
    off, evil = frags[1]
    evil = bytearray(evil)
    at = evil.find(b"200")
    assert at > 0
    evil[at:at + 3] = b"403"
    add_fragmented(cap, rsp, frags, [0, 1, 2], link, extra=[(2, bytes(evil))])
    cap.flows.append(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


# ---- lengths that lie

def tcp_checksum(src, dst, seg, v6):
    """The TCP checksum with the segment's true length in the pseudo-header (32 bits wide,
    as RFC 2675 and BIG TCP use it: for short segments the same as the 16-bit field)."""
    import socket
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    seg = bytearray(seg)
    struct.pack_into("!H", seg, 16, 0)
    pseudo = socket.inet_pton(fam, src) + socket.inet_pton(fam, dst) + struct.pack("!IxxxB", len(seg), 6)
    struct.pack_into("!H", seg, 16, inet_checksum(pseudo + bytes(seg)))
    return bytes(seg)


@capture
def tso_length_zero():
    """Captured on the client with TCP segmentation offload (as Windows and Linux hosts
    record what they send): the client's 2920-byte request (two MSS) is one frame whose
    IPv4 total length is 0; the NIC would have cut it into two segments on the wire."""
    cap = Capture("tso-length-zero.pcap")
    head = b"POST /upload HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: %d\r\n\r\n"
    body = b"x" * (2920 - len(head % 9999))
    post = head % len(body) + body
    assert len(post) == 2920
    f = Flow(CLI4, 49429, SRV4, 80)
    handshake(f)
    big = f.send(C, "PA", post, dt=100 * US)
    f.send(S, "PA", RESP, dt=RTT)
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    l3 = bytearray(big.l3)
    struct.pack_into("!H", l3, 2, 0)
    struct.pack_into("!H", l3, 10, 0)
    struct.pack_into("!H", l3, 10, inet_checksum(bytes(l3[:20])))
    big.l3 = bytes(l3)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", 2920, len(RESP), 10)
    return cap


@capture
def big_tcp():
    """Linux BIG TCP seen on the sending host: the server's 70000-byte responses are single
    frames beyond 64 KiB, an IPv4 one with total length 0 and an IPv6 one with payload length
    0 and a Hop-by-Hop Jumbo Payload option (RFC 2675) holding the length."""
    cap = Capture("big-tcp.pcap")
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
    body = b"B" * (70000 - len(head % 99999))
    hdrs = head % len(body)
    assert len(hdrs + body) == 70000
    f4 = Flow(CLI4, 49430, SRV4, 80)
    handshake(f4)
    f4.send(C, "PA", REQ, dt=100 * US)
    r4 = f4.send(S, "PA", hdrs + body, dt=RTT, build=False)
    f4.send(C, "A", dt=40 * US)
    close_four_way(f4, C)
    tcp4 = bytes(TCP(sport=80, dport=49430, seq=r4.seq, ack=r4.ack, flags="PA", window=f4.win[S], urgptr=0)) + r4.data
    tcp4 = tcp_checksum(SRV4, CLI4, tcp4, False)
    ip4 = bytearray(bytes(IP(src=SRV4, dst=CLI4, ttl=55, id=0x7B10, flags="DF", proto=6, len=20))[:20])
    struct.pack_into("!H", ip4, 2, 0)
    struct.pack_into("!H", ip4, 10, 0)
    struct.pack_into("!H", ip4, 10, inet_checksum(bytes(ip4)))
    r4.l3 = bytes(ip4) + tcp4

    f6 = Flow(CLI6, 49431, SRV6, 80, t=f4.t + 1 * SEC)
    handshake(f6)
    f6.send(C, "PA", REQ, dt=100 * US)
    r6 = f6.send(S, "PA", hdrs + body, dt=RTT, build=False)
    f6.send(C, "A", dt=40 * US)
    close_four_way(f6, C)
    import socket
    tcp6 = bytes(TCP(sport=80, dport=49431, seq=r6.seq, ack=r6.ack, flags="PA", window=f6.win[S], urgptr=0)) + r6.data
    tcp6 = tcp_checksum(SRV6, CLI6, tcp6, True)
    hbh = struct.pack("!BBBBI", 6, 0, 0xC2, 4, 8 + len(tcp6))
    r6.l3 = (struct.pack("!IHBB", 0x60000000, 0, 0, 55) + socket.inet_pton(socket.AF_INET6, SRV6)
             + socket.inet_pton(socket.AF_INET6, CLI6) + hbh + tcp6)
    cap.add_flow(f4)
    cap.add_flow(f6)
    cap.expect(f4, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), 70000, 10)
    cap.expect(f6, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), 70000, 10)
    return cap


@capture
def ipv4_length_exceeds():
    """The server's response frame is whole (captured length = wire length) but its IPv4
    total length claims 100 bytes more than the frame holds: the bytes that are there are
    the segment (tshark flags the packet and does the same)."""
    cap = Capture("ipv4-length-exceeds.pcap")
    f = Flow(CLI4, 49432, SRV4, 80)
    handshake(f)
    f.send(C, "PA", REQ, dt=100 * US)
    rsp = f.send(S, "PA", RESP, dt=RTT)
    f.send(C, "A", dt=40 * US)
    close_four_way(f, C)
    l3 = bytearray(rsp.l3)
    struct.pack_into("!H", l3, 2, len(l3) + 100)
    struct.pack_into("!H", l3, 10, 0)
    struct.pack_into("!H", l3, 10, inet_checksum(bytes(l3[:20])))
    rsp.l3 = bytes(l3)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


@capture
def ipv4_source_route():
    """IPv4 loose source routing (RFC 791 3.1, option 131): the client's packets go to router
    192.0.2.1 with the server as the route's last address; the server answers by the reverse
    route through 198.51.100.1 with the client last.  The TCP checksums are computed over the
    final destinations, and the connection is between client and server."""
    from scapy.layers.inet import IPOption_LSRR
    cap = Capture("ipv4-source-route.pcap")
    f = Flow(CLI4, 49433, SRV4, 80)
    full_connection(f)
    hop = {C: "192.0.2.1", S: "198.51.100.1"}
    for s in f.segs:
        old = IP(s.l3)
        ip = IP(src=old.src, dst=hop[s.side], ttl=old.ttl, id=old.id, flags="DF",
                options=[IPOption_LSRR(routers=[old.dst], pointer=4), IPOption_NOP()])
        t = old[TCP]
        del t.chksum
        s.l3 = bytes(ip / t)
    cap.add_flow(f)
    cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", len(REQ), len(RESP), 10)
    return cap


# ------------------------------------------------------------------ TLS 1.3 drafts

def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def vec(width, body):
    """A TLS vector: its length in `width` bytes, then the body."""
    return struct.pack("!I", len(body))[4 - width:] + body


def tls_ext(etype, body):
    return u16(etype) + vec(2, body)


def tls_hs(htype, body):
    return u8(htype) + vec(3, body)


def tls_rec(ctype, body, version=0x0303):
    return u8(ctype) + u16(version) + vec(2, body)


def opaque(seed, n):
    """n deterministic bytes that look like ciphertext (nobody can decrypt them)."""
    out, x = bytearray(), seed & 0xFFFFFFFF
    while len(out) < n:
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out.append(x >> 16 & 0xFF)
    return bytes(out)


def draft_client_hello(sni, versions, groups, shares, seed):
    """A TLS 1.3 draft ClientHello: legacy version TLS 1.2, supported_versions naming the
    drafts, key_share entries for `shares` (x25519: 32 bytes, secp256r1: 65)."""
    keylen = {0x001d: 32, 0x0017: 65}
    exts = tls_ext(0x0000, vec(2, u8(0) + vec(2, sni.encode())))
    exts += tls_ext(0x000a, vec(2, b"".join(u16(g) for g in groups)))
    exts += tls_ext(0x000d, vec(2, b"".join(u16(x) for x in (0x0403, 0x0804, 0x0401))))
    exts += tls_ext(0x0033, vec(2, b"".join(u16(g) + vec(2, opaque(seed + g, keylen[g])) for g in shares)))
    exts += tls_ext(0x002b, vec(1, b"".join(u16(v) for v in versions)))
    body = u16(0x0303) + opaque(seed, 32) + vec(1, opaque(seed + 1, 32))
    body += vec(2, b"".join(u16(c) for c in (0x1301, 0x1302, 0x1303, 0xc02f)))
    body += vec(1, b"\x00") + vec(2, exts)
    return tls_hs(1, body)


def draft_server_hello(version, cipher, group, seed, session_id=None):
    """Drafts up to 21 (draft-ietf-tls-tls13-21 4.1.3): version, random, cipher_suite,
    extensions.  From draft 22 (session_id given): TLS 1.2's layout, the session id
    echoed, supported_versions naming the draft."""
    share = tls_ext(0x0033, u16(group) + vec(2, opaque(seed + 7, 32 if group == 0x001d else 65)))
    if session_id is None:
        return tls_hs(2, u16(version) + opaque(seed, 32) + u16(cipher) + vec(2, share))
    exts = tls_ext(0x002b, u16(version)) + share
    return tls_hs(2, u16(0x0303) + opaque(seed, 32) + vec(1, session_id) + u16(cipher) + u8(0) + vec(2, exts))


def draft_connection(cport, version, sni, seed, hrr=False, compat=False):
    """One TLS 1.3 draft connection: ClientHello, (a draft HelloRetryRequest and a
    second ClientHello,) ServerHello, the server's encrypted flight (EncryptedExtensions
    to Finished, as two application_data records), the client's encrypted Finished,
    a request and a response, each side's encrypted close_notify (19-byte records), and a
    four-way close by the client.  compat: draft 22's middlebox compatibility (session id
    echoed, a ChangeCipherSpec from each side)."""
    f = Flow(CLI4, cport, SRV4, 443, cisn=0x3A000000 + cport, sisn=0x5B000000 + cport)
    handshake(f)
    groups = [0x001d, 0x0017]
    ch = draft_client_hello(sni, [version, 0x0303], groups, [0x001d] if not hrr else [0x001d], seed)
    f.send(C, "PA", tls_rec(22, ch, 0x0301), dt=100 * US)
    if hrr:
        # draft-21 4.1.4: HelloRetryRequest, handshake type 6: server_version,
        # cipher_suite, extensions (key_share: the selected group)
        hrr_msg = tls_hs(6, u16(version) + u16(0x1301) + vec(2, tls_ext(0x0033, u16(0x0017))))
        f.send(S, "PA", tls_rec(22, hrr_msg), dt=f.rtt)
        ch = draft_client_hello(sni, [version, 0x0303], groups, [0x0017], seed)
        f.send(C, "PA", tls_rec(22, ch), dt=100 * US)
    group = 0x0017 if hrr else 0x001d
    sh = draft_server_hello(version, 0x1301, group, seed + 100, opaque(seed + 1, 32) if compat else None)
    flight = tls_rec(22, sh)
    if compat:
        flight += tls_rec(20, b"\x01")
    flight += tls_rec(23, opaque(seed + 200, 900)) + tls_rec(23, opaque(seed + 201, 300))
    f.send(S, "PA", flight, dt=f.rtt)
    cfin = (tls_rec(20, b"\x01") if compat else b"") + tls_rec(23, opaque(seed + 300, 53))
    f.send(C, "PA", cfin + tls_rec(23, opaque(seed + 301, 60)), dt=200 * US)
    f.send(S, "PA", tls_rec(23, opaque(seed + 400, 120)), dt=f.rtt)
    f.send(C, "PA", tls_rec(23, opaque(seed + 500, 19)), dt=100 * US)
    f.send(S, "PA", tls_rec(23, opaque(seed + 501, 19)), dt=f.rtt)
    close_four_way(f, C)
    return f


@capture
def tls13_drafts():
    """TLS 1.3 as it was before RFC 8446, four connections of made-up ciphertext (no key
    log: the handshake after the ServerHello is opaque, as to any observer):
      1. draft 18: its own ServerHello layout (version 0x7f12, random, cipher, extensions;
         no session id, no compression method), x25519;
      2. draft 21: a HelloRetryRequest of its own handshake type (6) asking for
         secp256r1, a second ClientHello, then the draft-21 ServerHello;
      3. draft 23: the ServerHello in TLS 1.2's clothes (legacy version 0x0303, the
         session id echoed, supported_versions 0x7f17) and the middlebox-compatibility
         ChangeCipherSpec of each side;
      4. Facebook's draft 26 (0xfb1a), as Facebook's servers sent it: like 3."""
    cap = Capture("tls/tls13-drafts.pcap")
    conns = [draft_connection(50418, 0x7f12, "draft18.synfin.test", 18),
             draft_connection(50421, 0x7f15, "draft21.synfin.test", 21, hrr=True),
             draft_connection(50423, 0x7f17, "draft23.synfin.test", 23, compat=True),
             draft_connection(50426, 0xfb1a, "fb-draft26.synfin.test", 26, compat=True)]
    for i, f in enumerate(conns):
        for g in f.segs:                 # one after the other, a second apart
            g.ts += i * SEC
        cap.add_flow(f)
        segs = f.segs
        cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", f.unique_bytes(C, segs),
                   f.unique_bytes(S, segs), len(segs))
    return cap


# ------------------------------------------------------------------ TLS after an upgrade

def tls13_hellos(sni, seed):
    """A TLS 1.3 ClientHello record, and the server's first flight: ServerHello (session id
    echoed), ChangeCipherSpec, the encrypted rest as two application_data records."""
    ch = tls_rec(22, draft_client_hello(sni, [0x0304, 0x0303], [0x001d, 0x0017], [0x001d], seed), 0x0301)
    sh = draft_server_hello(0x0304, 0x1301, 0x001d, seed + 100, opaque(seed + 1, 32))
    flight = tls_rec(22, sh) + tls_rec(20, b"\x01") + tls_rec(23, opaque(seed + 200, 900))
    return ch, flight + tls_rec(23, opaque(seed + 201, 300))


def tls13_after(f, seed):
    """The client's ChangeCipherSpec and encrypted Finished and request, the server's answer."""
    f.send(C, "PA", tls_rec(20, b"\x01") + tls_rec(23, opaque(seed + 300, 53)) + tls_rec(23, opaque(seed + 301, 60)),
           dt=200 * US)
    f.send(S, "PA", tls_rec(23, opaque(seed + 400, 120)), dt=f.rtt)
    f.send(C, "A", dt=40 * US)


def talk(f, steps):
    """Clear-text turns: (side, bytes) in order; the server answers one round trip later."""
    for side, data in steps:
        f.send(side, "PA", data, dt=f.rtt if side == S else 100 * US)


@capture
def upgrade_early_clients():
    """Clients that do not wait for the answer to their upgrade request (the bytes after it go
    to TLS all the same), three connections:
      1. SMTP: a greeting that names neither SMTP nor FTP (the client's EHLO tells), then
         STARTTLS and the ClientHello in one segment, before the 220;
      2. HTTP CONNECT with the ClientHello right behind the request;
      3. SOCKS5 greeting, request and ClientHello at once (Tor's "optimistic data"), the
         server's method choice, reply and ServerHello at once too."""
    cap = Capture("upgrade/early-clients.pcap")
    conns = []
    f = Flow(CLI4, 50025, SRV4, 25)
    handshake(f)
    ch, flight = tls13_hellos("mail.synfin.test", 25)
    talk(f, [(S, b"220 relay.synfin.test ready\r\n"), (C, b"EHLO client.synfin.test\r\n"),
             (S, b"250-relay.synfin.test\r\n250 STARTTLS\r\n"), (C, b"STARTTLS\r\n" + ch),
             (S, b"220 2.0.0 go ahead\r\n" + flight)])
    tls13_after(f, 25)
    close_four_way(f, C)
    conns.append(f)
    f = Flow(CLI4, 50080, SRV4, 3128)
    handshake(f)
    ch, flight = tls13_hellos("www.synfin.test", 80)
    talk(f, [(C, b"CONNECT www.synfin.test:443 HTTP/1.1\r\nHost: www.synfin.test:443\r\n\r\n" + ch),
             (S, b"HTTP/1.1 200 Connection established\r\n\r\n" + flight)])
    tls13_after(f, 80)
    close_four_way(f, C)
    conns.append(f)
    f = Flow(CLI4, 51080, SRV4, 1080)
    handshake(f)
    ch, flight = tls13_hellos("www.synfin.test", 108)
    talk(f, [(C, b"\x05\x01\x00" + b"\x05\x01\x00\x03\x0fwww.synfin.test\x01\xbb" + ch),
             (S, b"\x05\x00" + b"\x05\x00\x00\x01\xc6\x33\x64\x14\x04\x38" + flight)])
    tls13_after(f, 108)
    close_four_way(f, C)
    conns.append(f)
    for i, f in enumerate(conns):
        for g in f.segs:
            g.ts += i * SEC
        cap.add_flow(f)
        cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", f.unique_bytes(C, f.segs),
                   f.unique_bytes(S, f.segs), len(f.segs))
    return cap


LDAP_STARTTLS = b"\x30\x1d\x02\x01\x01\x77\x18\x80\x16" + b"1.3.6.1.4.1.1466.20037"


@capture
def upgrade_refusals():
    """Upgrades refused, the connection going on in clear text, six connections: FTP (a
    greeting that names nothing, USER tells; AUTH TLS answered 534), POP3 (STLS, -ERR), NNTP
    (STARTTLS, 580), XMPP (<starttls/>, <failure/> and the stream closed), LDAP (the StartTLS
    extended operation answered protocolError, then an unbind), SOCKS4 (request rejected, 91).
    The recordings in captures/upgrade/ show SMTP, IMAP, PostgreSQL, CONNECT and SOCKS5."""
    cap = Capture("upgrade/refusals.pcap")
    xmpp_open = (b"<stream:stream to='chat.synfin.test' xmlns='jabber:client' "
                 b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")
    xmpp_back = (b"<stream:stream from='chat.synfin.test' id='c2s-1' xmlns='jabber:client' "
                 b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
                 b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>")
    dialogues = [
        (21, [(S, b"220 ready\r\n"), (C, b"USER anonymous\r\n"), (S, b"331 Password required\r\n"),
              (C, b"PASS guest@\r\n"), (S, b"230 Logged in\r\n"), (C, b"AUTH TLS\r\n"),
              (S, b"534 Local policy on server does not allow TLS\r\n"), (C, b"QUIT\r\n"), (S, b"221 Goodbye\r\n")]),
        (110, [(S, b"+OK POP3 server ready\r\n"), (C, b"STLS\r\n"), (S, b"-ERR TLS not available\r\n"),
               (C, b"QUIT\r\n"), (S, b"+OK bye\r\n")]),
        (119, [(S, b"200 news.synfin.test ready\r\n"), (C, b"STARTTLS\r\n"),
               (S, b"580 Can not initiate TLS negotiation\r\n"), (C, b"QUIT\r\n"), (S, b"205 bye\r\n")]),
        (5222, [(C, xmpp_open), (S, xmpp_back), (C, b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
                (S, b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")]),
        (389, [(C, LDAP_STARTTLS), (S, b"\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x02\x04\x00\x04\x00"),
               (C, b"\x30\x05\x02\x01\x02\x42\x00")]),
        (1080, [(C, b"\x04\x01\x01\xbb\xc6\x33\x64\x14" + b"synfin\x00"),
                (S, b"\x00\x5b\x00\x00\x00\x00\x00\x00")]),
    ]
    for i, (port, steps) in enumerate(dialogues):
        f = Flow(CLI4, 50100 + i, SRV4, port)
        handshake(f)
        talk(f, steps)
        close_four_way(f, C)
        for g in f.segs:
            g.ts += i * SEC
        cap.add_flow(f)
        cap.expect(f, "complete", "four-way", "client", "TIME_WAIT", "CLOSED", f.unique_bytes(C, f.segs),
                   f.unique_bytes(S, f.segs), len(f.segs))
    return cap


# ------------------------------------------------------------------ main

TSV_HEADER = ["file", "conn", "client", "server", "handshake", "teardown", "closed_by", "client_state",
              "server_state", "bytes_c2s", "bytes_s2c", "packets"]


def build_all():
    return [fn() for fn in CAPTURES]


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    outdir = argv[1] if len(argv) == 2 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(outdir, exist_ok=True)
    lines = ["\t".join(TSV_HEADER)]
    for cap in build_all():
        rows = cap.expected_rows()
        path = cap.write(outdir)
        lines += ["\t".join(r) for r in rows]
        print("%-32s %3d frames %5d bytes" % (cap.name, len(cap.frames), os.path.getsize(path)))
    with open(os.path.join(outdir, "crafted-expect.tsv"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("%-32s %3d connections" % ("crafted-expect.tsv", len(lines) - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
