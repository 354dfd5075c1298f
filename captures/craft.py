#!/usr/bin/python3
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
             captured=True):
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
        seg = Seg(self, self.t, side, flags, seq, ack, data, bytes(pkt), captured)
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
    acknowledges the other one.  Both go FIN_WAIT_1 -> CLOSING -> TIME_WAIT."""
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
    # RFC 9293: the client in FIN_WAIT_2 receiving the FIN enters TIME_WAIT (and would
    # send the ACK we never see); the server sent its FIN in CLOSE_WAIT -> LAST_ACK and
    # no ACK of it appears, so it stays LAST_ACK.
    cap.expect(f, "complete", "incomplete", "client", "TIME_WAIT", "LAST_ACK", len(REQ), len(RESP), 9)
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
