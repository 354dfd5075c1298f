#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""seedgen.py - seed inputs for the fuzz targets, from the repository's
captures, certificates and key logs (python3 standard library only: no
tshark or scapy needed).  Called by make-seeds.sh; see there.

    seedgen.py OUTDIR TOP [EXTRA_CAPTURE_DIR...]

Writes OUTDIR/NAME/<sha1 prefix> files in each target's input format
(documented at the top of fuzz/fuzz_NAME.c).
"""
import glob
import hashlib
import os
import struct
import sys

MAX_CAPTURE_SEED = 64 * 1024     # fuzz_capture: whole files up to this size
MAX_STREAM_SEEDS = 400           # per target, from connections
MAX_DECODE_SEEDS = 800
MAX_TCP_RECORDS = 200


def put(outdir, name, data):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, h), 'wb') as f:
        f.write(data)


# ------------------------------------------------------------------ pcap reading

def read_pcap(path):
    """Yield (linktype, ts_ns, frame bytes, wirelen) for pcap and pcapng files; stop quietly at damage."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        le = magic[0] in (0xd4, 0x4d)
        e = '<' if le else '>'
        nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
        linktype = struct.unpack(e + 'I', data[20:24])[0] & 0x0fffffff
        off = 24
        while off + 16 <= len(data):
            sec, frac, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16])
            off += 16
            if incl > 262144 or off + incl > len(data):
                return
            yield linktype, sec * 10**9 + (frac if nano else frac * 1000), data[off:off + incl], orig
            off += incl
    elif magic == b'\x0a\x0d\x0d\x0a':
        off = 0
        e = '<'
        links = []
        while off + 12 <= len(data):
            btype = struct.unpack(e + 'I', data[off:off + 4])[0]
            if btype == 0x0a0d0d0a:
                bom = data[off + 8:off + 12]
                e = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
                links = []
            blen = struct.unpack(e + 'I', data[off + 4:off + 8])[0]
            if blen < 12 or off + blen > len(data):
                return
            body = data[off + 8:off + blen - 4]
            if btype == 1 and len(body) >= 8:
                links.append(struct.unpack(e + 'H', body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iface, tsh, tsl, cap, orig = struct.unpack(e + 'IIIII', body[:20])
                if iface < len(links):
                    yield links[iface], ((tsh << 32) | tsl) * 1000, body[20:20 + cap], orig
            elif btype == 3 and len(body) >= 4 and links:
                orig = struct.unpack(e + 'I', body[:4])[0]
                yield links[0], 0, body[4:], orig
            off += blen


def strip_link(lt, fr):
    """(ip bytes, the offset of the IP header) or None."""
    if lt == 1:  # Ethernet, with VLAN tags
        off, et = 12, None
        while off + 2 <= len(fr):
            et = struct.unpack('>H', fr[off:off + 2])[0]
            off += 2
            if et in (0x8100, 0x88a8, 0x9100):
                off += 2
                continue
            break
        return (fr[off:], off) if et in (0x0800, 0x86dd) else None
    if lt == 113:
        return (fr[16:], 16) if fr[14:16] in (b'\x08\x00', b'\x86\xdd') else None
    if lt == 276:
        return (fr[20:], 20) if fr[0:2] in (b'\x08\x00', b'\x86\xdd') else None
    if lt in (0, 108):
        return (fr[4:], 4)
    if lt in (12, 14, 101, 228, 229):
        return (fr, 0)
    return None


def parse_tcp(lt, fr):
    s = strip_link(lt, fr)
    if not s:
        return None
    ip, _ = s
    if not ip:
        return None
    v = ip[0] >> 4
    if v == 4 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack('>H', ip[2:4])[0]
        if ip[9] != 6 or struct.unpack('>H', ip[6:8])[0] & 0x3fff:
            return None
        src, dst, l4 = ip[12:16], ip[16:20], ip[ihl:total]
    elif v == 6 and len(ip) >= 40:
        if ip[6] != 6:
            return None
        plen = struct.unpack('>H', ip[4:6])[0]
        src, dst, l4 = ip[8:24], ip[24:40], ip[40:40 + plen]
    else:
        return None
    if len(l4) < 20:
        return None
    sport, dport, seq, ack, offf, flags, win = struct.unpack('>HHIIBBH', l4[:16])
    hl = (offf >> 4) * 4
    if hl < 20:
        return None
    return dict(src=(src, sport), dst=(dst, dport), seq=seq, ack=ack, flags=flags, win=win,
                payload=l4[hl:], opts=l4[20:hl])


# ------------------------------------------------------------------ connections

class Conn:
    def __init__(self, client, server):
        self.client, self.server = client, server
        self.pkts = []      # (dir, tcp dict, ts)
        self.chunks = []    # (dir, gap before, bytes), in arrival order, each byte once
        self.next = [None, None]
        self.held = [{}, {}]


def add_payload(c, d, seq, payload, syn):
    if syn:
        seq = (seq + 1) & 0xffffffff
    if c.next[d] is None:
        c.next[d] = seq
    if not payload:
        return
    rel = (seq - c.next[d]) & 0xffffffff
    if rel >= 0x80000000:  # starts before what was delivered: trim
        back = 0x100000000 - rel
        if back >= len(payload):
            return
        payload, seq = payload[back:], c.next[d]
        rel = 0
    if rel:
        c.held[d].setdefault(seq, payload)
        return
    c.chunks.append((d, 0, payload))
    c.next[d] = (c.next[d] + len(payload)) & 0xffffffff
    drain(c, d)


def drain(c, d):
    moved = True
    while moved:
        moved = False
        for s in list(c.held[d]):
            rel = (s - c.next[d]) & 0xffffffff
            if rel >= 0x80000000 or rel == 0:
                p = c.held[d].pop(s)
                back = (0x100000000 - rel) & 0xffffffff
                if back < len(p):
                    c.chunks.append((d, 0, p[back:]))
                    c.next[d] = (c.next[d] + len(p) - back) & 0xffffffff
                moved = True


def flush(c):
    for d in (0, 1):
        while c.held[d]:
            s = min(c.held[d], key=lambda x: (x - c.next[d]) & 0xffffffff)
            c.chunks.append((d, 1, b''))  # a hole before it
            c.next[d] = s
            drain(c, d)


def connections(path):
    conns, order = {}, []
    try:
        for lt, ts, fr, orig in read_pcap(path):
            t = parse_tcp(lt, fr)
            if not t:
                continue
            key = tuple(sorted([t['src'], t['dst']]))
            c = conns.get(key)
            if c is None or ((t['flags'] & 0x12) == 0x02 and c.pkts and c.pkts[-1][1]['flags'] & 0x05):
                if t['flags'] & 0x12 == 0x02:
                    client = t['src']
                elif t['flags'] & 0x12 == 0x12:
                    client = t['dst']
                else:
                    client = t['src'] if t['src'][1] >= t['dst'][1] else t['dst']
                c = Conn(client, t['dst'] if client == t['src'] else t['src'])
                conns[key] = c
                order.append(c)
            d = 0 if t['src'] == c.client else 1
            c.pkts.append((d, t, ts))
            add_payload(c, d, t['seq'], t['payload'], t['flags'] & 2)
    except (struct.error, IndexError, ValueError):
        pass
    for c in order:
        flush(c)
    return order


# ------------------------------------------------------------------ encoders

def chunk_bytes(d_bit, extra_bits, data):
    out = bytearray()
    while True:
        part = data[:65535]
        data = data[65535:]
        if len(part) < 63:
            out.append(d_bit | extra_bits | len(part))
        else:
            out.append(d_bit | extra_bits | 63)
            out += struct.pack('>H', len(part))
        out += part
        extra_bits = 0
        if not data:
            return bytes(out)


def tls_seed(c):
    out = bytearray([0])
    for d, gap, data in c.chunks:
        if gap and not data:
            out.append((0x80 if d else 0) | 0x40)  # an empty chunk carrying the gap
            continue
        out += chunk_bytes(0x80 if d else 0, 0x40 if gap else 0, data)
    return bytes(out)


def http_seed(c):
    out = bytearray([0])  # options: HTTP/1.x
    for d, gap, data in c.chunks:
        bits = 0x80 if d else 0
        if gap:
            out += bytes([bits | 0x40, 100])  # the real hole's size is unknown: 100 bytes
            bits = 0x80 if d else 0
        if data:
            out += chunk_bytes(bits, 0, data)
    return bytes(out)


# fuzz_cleartext's modules, in the registry's order (src/proto/registry.c)
CLEARTEXT = ['smtp', 'ftp', 'pop3', 'imap', 'nntp', 'xmpp', 'ldap', 'postgresql', 'mysql', 'socks4', 'socks5']


def cleartext_kind(c):
    """The clear-text module a connection's first bytes suggest (an index into CLEARTEXT), or None."""
    first = [d for d in c.chunks if d[2]]
    if not first:
        return None
    srv, p = first[0][0], first[0][2]
    if srv:
        if p.startswith(b'220'):
            later = [d[2] for d in c.chunks if d[2] and d[0] == 0]
            return 0 if later and later[0][:4].upper() in (b'EHLO', b'HELO') else 1
        for prefix, k in ((b'+OK', 2), (b'* OK', 3), (b'200 ', 4), (b'201 ', 4), (b'<', 5)):
            if p.startswith(prefix):
                return k
        if len(p) > 4 and p[3] == 0 and p[4] == 10:
            return 8
        return None
    if p[:1] == b'<':
        return 5
    if p[:1] == b'\x30':
        return 6
    if p[:2] == b'\x00\x00':
        return 7
    if p[:1] == b'\x04':
        return 9
    if p[:1] == b'\x05':
        return 10
    return None


def cleartext_seed(k, c):
    out = bytearray([k])
    for d, gap, data in c.chunks:
        bits = 0x80 if d else 0
        if gap:
            out += bytes([bits | 0x40, 100])
        if data:
            out += chunk_bytes(bits, 0, data)
    return bytes(out)


def cleartext_hand_made():
    """One accepted and one refused upgrade per module (the unit tests' transcripts, shortened)."""
    tls_c, tls_s = b'\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00', b'\x16\x03\x03\x00\x02\x02\x00'
    C = lambda b: chunk_bytes(0, 0, b)
    S = lambda b: chunk_bytes(0x80, 0, b)
    ldap_req = b'\x30\x1d\x02\x01\x01\x77\x18\x80\x16' + b'1.3.6.1.4.1.1466.20037'
    yield 0, S(b'220 mx ESMTP\r\n') + C(b'EHLO c\r\nSTARTTLS\r\n' + tls_c) + S(b'250 mx\r\n220 go\r\n' + tls_s)
    yield 0, S(b'220 mx ESMTP\r\n') + C(b'EHLO c\r\nSTARTTLS\r\nQUIT\r\n') + S(b'250 mx\r\n454 no\r\n221 bye\r\n')
    yield 0, (S(b'220 mx\r\n') + C(b'EHLO c\r\nAUTH LOGIN\r\n') + S(b'250 x\r\n334 VXNlcg==\r\n') + C(b'dQ==\r\n') +
              S(b'235 ok\r\n') + C(b'DATA\r\n') + S(b'354 go\r\n') + C(b'x\r\n.\r\nBDAT 3 LAST\r\nabcQUIT\r\n'))
    yield 1, S(b'220-hi\r\n x\r\n220 ready\r\n') + C(b'AUTH TLS\r\n') + S(b'234 go\r\n') + C(tls_c)
    yield 1, S(b'220 FTP\r\n') + C(b'USER a\r\nPASS b\r\nAUTH SSL\r\n') + S(b'331 p\r\n230 ok\r\n530 no\r\n')
    yield 2, S(b'+OK hi\r\n') + C(b'CAPA\r\nSTLS\r\n' + tls_c) + S(b'+OK\r\nSTLS\r\n.\r\n+OK go\r\n' + tls_s)
    yield 2, S(b'+OK hi\r\n') + C(b'STLS\r\nCAPA\r\n') + S(b'-ERR no\r\n+OK\r\nSTLS\r\n.\r\n')
    yield 3, S(b'* OK hi\r\n') + C(b'a1 LOGIN {1}\r\nx {1}\r\ny\r\na2 STARTTLS\r\n') + \
        S(b'* 1 FETCH {9}\r\na2 OK no\r\na1 OK\r\na2 OK go\r\n' + tls_s)
    yield 3, S(b'* OK hi\r\n') + C(b'a2 STARTTLS\r\n') + S(b'a2 BAD no\r\n')
    yield 4, S(b'200 news\r\n') + C(b'CAPABILITIES\r\nSTARTTLS\r\n') + S(b'101 c\r\nSTARTTLS\r\n.\r\n382 go\r\n')
    yield 4, S(b'201 news\r\n') + C(b'LISTGROUP a\r\nSTARTTLS\r\n') + S(b'211 1 1 1 a\r\n1\r\n.\r\n580 no\r\n')
    yield 5, (C(b"<?xml version='1.0'?><stream:stream to='a' version='1.0'>") +
              S(b"<stream:stream from='a' id='x>y'><stream:features><starttls/></stream:features>") +
              C(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" + tls_c) + S(b'<proceed></proceed>' + tls_s))
    yield 5, C(b'<stream:stream>') + S(b'<stream:stream>') + C(b'<starttls/>') + S(b'<failure/></stream:stream>')
    yield 6, C(ldap_req + tls_c) + S(b'\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00' + tls_s)
    yield 6, C(b'\x30\x0c\x02\x01\x01\x60\x07\x02\x01\x03\x04\x00\x80\x00') + \
        S(b'\x30\x84\x00\x00\x00\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00') + C(ldap_req) + \
        S(b'\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x02\x04\x00\x04\x00') + C(b'\x00\x00\x00\x10sasl')
    yield 7, C(b'\x00\x00\x00\x08\x04\xd2\x16\x2f' + tls_c) + S(b'S' + tls_s)
    yield 7, (C(b'\x00\x00\x00\x08\x04\xd2\x16\x2f') + S(b'N') +
              C(b'\x00\x00\x00\x13\x00\x03\x00\x00user\x00bob\x00\x00Q\x00\x00\x00\x06x\x00') +
              S(b'R\x00\x00\x00\x08\x00\x00\x00\x00Z\x00\x00\x00\x05I'))
    greeting = (b'\x4a\x00\x00\x00\x0a8.0.28\x00\x13\x00\x00\x00;/3P>R"2\x00\xff\xff\xff\x02\x00\xff\xdf\x15' +
                b'\x00' * 10 + b'=i^qM\x03_:at\x10g\x00mysql_native_password\x00')
    yield 8, S(greeting) + C(b'\x20\x00\x00\x01\x85\xae\xff\x20\x00\x00\x00\x01\x21' + b'\x00' * 23 + tls_c) + S(tls_s)
    yield 8, (S(greeting) + C(b'\x2e\x00\x00\x01\x85\xa6\x3f\x20\x00\x00\x00\x01\x21' + b'\x00' * 23 + b'root\x00\x08secret!!') +
              S(b'\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00') + C(b'\x09\x00\x00\x00\x03SELECT 1'))
    yield 9, C(b'\x04\x01\x01\xbb\x00\x00\x00\x01u\x00www.example.com\x00' + tls_c) + S(b'\x00\x5a' + b'\x00' * 6 + tls_s)
    yield 9, C(b'\x04\x02\x00\x50\x0a\x00\x00\x01\x00') + S(b'\x00\x5a' + b'\x00' * 6 + b'\x00\x5b' + b'\x00' * 6)
    yield 10, (C(b'\x05\x02\x00\x02') + S(b'\x05\x02') + C(b'\x01\x01u\x01p') + S(b'\x01\x00') +
               C(b'\x05\x01\x00\x03\x01h\x00\x50GET / HTTP/1.1\r\n') + S(b'\x05\x00\x00\x01' + b'\x00' * 6 + b'HTTP/1.1'))
    yield 10, C(b'\x05\x01\x00\x05\x02\x00\x04' + b'\x00' * 15 + b'\x01\x00\x17') + S(b'\x05\x00\x05\x05\x00\x01' + b'\x00' * 6)


def tcp_seed(c):
    """fuzz_tcp's records from a real connection: sequence numbers as deltas, synthetic payload."""
    pk = c.pkts[:MAX_TCP_RECORDS]
    if not pk:
        return None
    isn = [None, None]
    for d, t, _ in pk:
        if isn[d] is None:
            isn[d] = t['seq']
    for d in (0, 1):
        if isn[d] is None:
            isn[d] = 1000 if d == 0 else 5000
    # endpoint A is whoever sent first
    a_is_client = pk[0][0] == 0
    nxt = [isn[0] if a_is_client else isn[1], isn[1] if a_is_client else isn[0]]
    ws = [0, 0]
    for d, t, _ in pk:
        o = t['opts']
        i = 0
        while i < len(o):
            k = o[i]
            if k == 0:
                break
            if k == 1:
                i += 1
                continue
            if i + 1 >= len(o) or o[i + 1] < 2:
                break
            if k == 3 and o[i + 1] == 3 and i + 2 < len(o):
                ep = 0 if (d == 0) == a_is_client else 1
                ws[ep] = o[i + 2]
            i += o[i + 1]
    out = bytearray(struct.pack('>IIBBBB', nxt[0], nxt[1], 6, ws[0], ws[1], 0))
    prev = None
    for d, t, ts in pk:
        ep = 0 if (d == 0) == a_is_client else 1
        ln = len(t['payload'])
        ctl = ep
        seq_delta = (t['seq'] - nxt[ep]) & 0xffffffff
        if seq_delta >= 0x80000000:
            seq_delta -= 0x100000000
        ack_delta = (t['ack'] - nxt[1 - ep]) & 0xffffffff
        if ack_delta >= 0x80000000:
            ack_delta -= 0x100000000
        if not (-32768 <= seq_delta < 32768 and -32768 <= ack_delta < 32768):
            if seq_delta % 65536 == 0 and ack_delta % 65536 == 0:
                ctl |= 4
                seq_delta //= 65536
                ack_delta //= 65536
            seq_delta = max(-32768, min(32767, seq_delta))
            ack_delta = max(-32768, min(32767, ack_delta))
        if prev is not None and ts - prev > 10**7:
            ctl |= 8
        prev = ts
        if t['opts'] and t['flags'] & 2:
            ctl |= 32
        out += struct.pack('>BBhhHHB', ctl, t['flags'], seq_delta, ack_delta, t['win'], min(ln, 65535), 0)
        unit = 65536 if ctl & 4 else 1
        seq = (nxt[ep] + seq_delta * unit) & 0xffffffff
        nxt[ep] = (seq + (1 if t['flags'] & 2 else 0) + ln + (1 if t['flags'] & 1 else 0)) & 0xffffffff
    return bytes(out)


def looks_tls(c):
    first = [d for d in c.chunks if d[2]]
    return bool(first) and (first[0][2][0] in (0x16, 0x15, 0x14, 0x17) or first[0][2][0] & 0x80)


def looks_http(c):
    first = [d for d in c.chunks if d[2] and d[0] == 0]
    if not first:
        return False
    p = first[0][2]
    return p[:4] in (b'GET ', b'POST', b'HEAD', b'PUT ', b'PRI ', b'CONN', b'OPTI', b'DELE', b'PATC')


def records(stream):
    out, i = [], 0
    while i + 5 <= len(stream):
        t, ln = stream[i], struct.unpack('>H', stream[i + 3:i + 5])[0]
        if i + 5 + ln > len(stream):
            break
        out.append((t, stream[i + 5:i + 5 + ln]))
        i += 5 + ln
    return out


def tlsdecrypt_seeds(c, keys):
    """fuzz_tlsdecrypt inputs: each direction's protected records with the keys that open them."""
    st = [b''.join(x[2] for x in c.chunks if x[0] == d) for d in (0, 1)]
    rc, rs = records(st[0]), records(st[1])
    if not rc or not rs or rc[0][0] != 22 or rs[0][0] != 22:
        return []
    ch, sh = rc[0][1], rs[0][1]
    if len(ch) < 38 or len(sh) < 39 or ch[0] != 1 or sh[0] != 2:
        return []
    crand, srand = ch[6:38], sh[6:38]
    sid = sh[38]
    if len(sh) < 39 + sid + 3:
        return []
    suite = struct.unpack('>H', sh[39 + sid:41 + sid])[0]
    version = struct.unpack('>H', sh[4:6])[0]
    ext = sh[42 + sid:]
    if len(ext) >= 2:
        j, end = 2, 2 + struct.unpack('>H', ext[:2])[0]
        while j + 4 <= min(end, len(ext)):
            et, el = struct.unpack('>HH', ext[j:j + 4])
            if et == 43 and el == 2:
                version = struct.unpack('>H', ext[j + 4:j + 6])[0]
            j += 4 + el
    cr = crand.hex()
    out = []
    for d, recs in ((0, rc), (1, rs)):
        if version == 0x0304:
            label = 'SERVER_HANDSHAKE_TRAFFIC_SECRET' if d else 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
            secret = keys.get((label, cr))
            prot = [r for r in recs[1:] if r[0] == 23]
        else:
            secret = keys.get(('CLIENT_RANDOM', cr))
            k = [i for i, r in enumerate(recs) if r[0] == 20]
            prot = recs[k[0] + 1:] if k else []
        if not secret or not prot:
            continue
        flags = d | (4 if len(secret) == 48 else 0)
        for etm in ((0, 2) if version != 0x0304 else (0,)):
            b = bytearray(struct.pack('>HHB', version, suite, flags | etm))
            b += secret[:48].ljust(48, b'\0') + crand + srand
            for t, body in prot[:6]:
                b += struct.pack('>BH', t, len(body)) + body
            out.append(bytes(b))
    return out


# ------------------------------------------------------------------ main

def capfile_seeds():
    """pcapng structures the captures lack (fuzz_capfile: a flags byte, then the file)."""
    def blk(t, body, be=False):
        e = '>' if be else '<'
        body += b'\0' * ((-len(body)) % 4)
        return struct.pack(e + 'II', t, 12 + len(body)) + body + struct.pack(e + 'I', 12 + len(body))

    def opt(code, val, be=False):
        e = '>' if be else '<'
        return struct.pack(e + 'HH', code, len(val)) + val + b'\0' * ((-len(val)) % 4)

    def shb(be=False):
        return blk(0x0A0D0D0A, struct.pack(('>' if be else '<') + 'IHHq', 0x1A2B3C4D, 1, 0, -1), be)

    def idb(lt, snap, opts=b'', be=False):
        return blk(1, struct.pack(('>' if be else '<') + 'HHI', lt, 0, snap) + opts, be)

    def epb(i, ts, data, be=False):
        e = '>' if be else '<'
        return blk(6, struct.pack(e + 'IIIII', i, ts >> 32, ts & 0xffffffff, len(data), len(data)) + data, be)

    frame = bytes.fromhex('020000000002020000000001080045000028000140004006') + bytes(26)
    keys = b'CLIENT_RANDOM ' + b'00' * 32 + b' ' + b'11' * 48 + b'\n'
    isb = blk(5, struct.pack('<III', 0, 0, 5) + opt(4, struct.pack('<Q', 10)) + opt(5, struct.pack('<Q', 1)) +
              opt(0, b''))
    yield b'\x0f' + shb() + idb(1, 0, opt(2, b'eth0') + opt(9, b'\x09') + opt(14, struct.pack('<q', 3)) +
                                opt(0, b'')) + epb(0, 1, frame) + blk(10, struct.pack('<II', 0x544c534b, len(keys)) + keys) + \
        blk(3, struct.pack('<I', 60) + frame) + isb + shb(True) + idb(101, 64, be=True) + epb(0, 2, frame[14:], True)
    bad = shb() + idb(1, 65535) + epb(0, 1, frame)
    yield b'\x04' + bad[:-3] + b'\x01' + bad[-3:] + epb(0, 3, frame) + blk(0x12345678, b'junk') + epb(7, 4, frame)
    pcap = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    rec = lambda t, d: struct.pack('<IIII', t, 0, len(d), len(d)) + d
    yield b'\x0b' + pcap + rec(1, frame) + struct.pack('<IIII', 2, 0, 0x7fffffff, 0x7fffffff) + rec(3, frame) + pcap + \
        rec(4, frame)


def main():
    outdir, top = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    caps = sorted(glob.glob(os.path.join(top, 'captures', '*.pcap*')) +
                  glob.glob(os.path.join(top, 'captures', 'tls', '**', '*.pcap*'), recursive=True))
    for e in extra:
        caps += sorted(glob.glob(os.path.join(e, '*.pcap*')))

    n_tls = n_http = n_tcp = n_dec = n_clear = 0
    for path in caps:
        size = os.path.getsize(path)
        if size <= MAX_CAPTURE_SEED:
            with open(path, 'rb') as f:
                whole = f.read()
            put(outdir, 'capture', whole)
            put(outdir, 'capfile', bytes([len(caps) % 16]) + whole)
        # fuzz_decode's link selector, by the LINKTYPE_ value the file holds
        dlts = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 12: 5, 101: 6, 228: 7, 229: 8, 105: 9, 127: 10, 192: 11,
                163: 12, 119: 13, 9: 14, 50: 15, 51: 16, 104: 17, 204: 18, 239: 19, 226: 20, 109: 21, 117: 22,
                219: 23, 100: 24, 242: 25, 240: 26, 241: 27, 274: 28, 258: 29}
        frames = []
        for lt, ts, fr, orig in read_pcap(path):
            if len(frames) >= 12 or lt not in dlts:
                break
            cut = 0x80 | min(127, (orig - len(fr) + 15) // 16) if orig > len(fr) else 0
            frames.append((dlts[lt], cut, fr[:4096]))
        # each frame alone, then the first eight together (fragments of one datagram meet there)
        groups = [[f] for f in frames] + ([frames[:8]] if len(frames) > 1 else [])
        for g in groups:
            if n_dec >= MAX_DECODE_SEEDS:
                break
            body = b''.join(struct.pack('>H', len(fr)) + fr for _, _, fr in g)
            put(outdir, 'decode', bytes([g[0][0], g[0][1]]) + body)
            n_dec += 1
        for c in connections(path):
            if not c.pkts:
                continue
            if n_tcp < MAX_STREAM_SEEDS:
                s = tcp_seed(c)
                if s:
                    put(outdir, 'tcp', s)
                    n_tcp += 1
            if looks_tls(c) and n_tls < MAX_STREAM_SEEDS:
                put(outdir, 'tls', tls_seed(c))
                n_tls += 1
            elif looks_http(c) and n_http < MAX_STREAM_SEEDS:
                put(outdir, 'http', http_seed(c))
                n_http += 1
            elif cleartext_kind(c) is not None and n_clear < MAX_STREAM_SEEDS:
                put(outdir, 'cleartext', cleartext_seed(cleartext_kind(c), c))
                n_clear += 1

    # x509: chains in fuzz_x509's format: [sel][len][host1][len][host2][2-byte len, der]... last der
    certs = {}
    for p in glob.glob(os.path.join(top, 'tests', 'certs', '*.der')):
        with open(p, 'rb') as f:
            certs[os.path.basename(p)[:-4]] = f.read()
    chains = [['leaf-rsa', 'int-ca'], ['leaf-rsa', 'int-ca', 'root-ca'], ['leaf-ec'], ['leaf-late', 'int-ca'],
              ['client-leaf'], ['big'], ['selfsigned'], ['other-leaf', 'other-ca'], ['wildcard'], ['root-ca'],
              ['int-ca', 'leaf-rsa'], ['leaf-rsa'], ['leaf-ec', 'root-ca', 'int-ca', 'leaf-rsa']]
    hosts = [b'www.synfin.test', b'WWW.Synfin.TEST', b'foo.synfin.test', b'192.0.2.20', b'2001:db8::1',
             b'synfin.test', b'a.b.synfin.test', b'', b'www.synfin.test.', b'x.com']
    for i, ch in enumerate(chains):
        if not all(n in certs for n in ch):
            continue
        for j, (h1, h2) in enumerate(zip(hosts, hosts[1:] + hosts[:1])):
            if (i + j) % 3:
                continue
            tsel = j % 6
            sel = (len(ch) - 1) | (tsel << 2) | 0x20
            out = bytearray([sel, len(h1)]) + h1 + bytes([len(h2)]) + h2
            for k, n in enumerate(ch):
                if k + 1 < len(ch):
                    out += struct.pack('>H', len(certs[n]))
                out += certs[n]
            put(outdir, 'x509', bytes(out))

    # keylog: [split byte] + a key log
    keys = sorted(glob.glob(os.path.join(top, 'captures', 'tls', '**', '*.keys'), recursive=True))
    for i, p in enumerate(keys):
        with open(p, 'rb') as f:
            put(outdir, 'keylog', bytes([(i * 37) & 0xff]) + f.read())

    # tlsdecrypt: real records with their keys, from the recordings that have key logs
    n_td = 0
    for p in sorted(glob.glob(os.path.join(top, 'captures', 'tls', '**', '*.pcap'), recursive=True)):
        kp = p[:-5] + '.keys'
        if not os.path.exists(kp):
            continue
        kmap = {}
        with open(kp) as f:
            for line in f:
                w = line.split()
                if len(w) == 3:
                    kmap[(w[0], w[1].lower())] = bytes.fromhex(w[2])
        for c in connections(p):
            for s in tlsdecrypt_seeds(c, kmap):
                put(outdir, 'tlsdecrypt', s)
                n_td += 1

    # hand-made cases the captures lack
    for k, body in cleartext_hand_made():
        put(outdir, 'cleartext', bytes([k]) + body)
    for seed in capfile_seeds():
        put(outdir, 'capfile', seed)
    h2_settings = b'\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64'
    h2_headers = b'\x00\x00\x05\x01\x05\x00\x00\x00\x01\x82\x86\x84\x41\x80'
    put(outdir, 'http', b'\x00' + chunk_bytes(0, 0, b'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n\r\n'
                                                 b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' + h2_settings))
    put(outdir, 'http', b'\x00' + chunk_bytes(0, 0, b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' + h2_settings + h2_headers) +
        chunk_bytes(0x80, 0, h2_settings + b'\x00\x00\x00\x04\x01\x00\x00\x00\x00'))
    put(outdir, 'http', b'\x01' + chunk_bytes(0, 0, b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' + h2_settings + h2_headers) +
        chunk_bytes(0x80, 0x40, h2_settings) + b'\x05')
    put(outdir, 'http', b'\x00' + chunk_bytes(0, 0, b'POST /x HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
                                          b'5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n') +
        chunk_bytes(0x80, 0, b'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'))
    put(outdir, 'http', b'\x00' + chunk_bytes(0, 0, b'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n\x16\x03\x01') +
        chunk_bytes(0x80, 0, b'HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03'))
    put(outdir, 'http', b'\x00' + chunk_bytes(0, 0, b'HEAD / HTTP/1.1\r\nHost: c\r\n\r\nGET / HTTP/1.0\r\n\r\n') +
        chunk_bytes(0x80, 0, b'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.0 304 Not Modified\r\n\r\n'
                              b'HTTP/1.0 200 OK\r\n\r\nbody until close'))
    put(outdir, 'tls', bytes([0]) + chunk_bytes(0, 0, bytes.fromhex(
        '802b0103010012000000100000040000050000' '0a0100800700c00300800000090600400000640000620000'
        '0000000000000000000000000000000000')))
    put(outdir, 'tcp', struct.pack('>IIBBBB', 0xfffffff0, 0x7fffffff, 2, 7, 7, 0) +
        struct.pack('>BBhhHHB', 32, 0x02, 0, 0, 65535, 0, 0) +
        struct.pack('>BBhhHHB', 33, 0x12, 0, 0, 65535, 0, 0) +
        struct.pack('>BBhhHHB', 0, 0x10, 0, 0, 512, 0, 0) +
        struct.pack('>BBhhHHB', 0, 0x18, 40, 0, 512, 30, 0) +
        struct.pack('>BBhhHHB', 0, 0x18, 0, 0, 512, 40, 0) +
        struct.pack('>BBhhHHB', 16, 0x18, -70, 0, 512, 100, 10) +
        struct.pack('>BBhhHHB', 1, 0x10, 0, 200, 0, 0, 0) +
        struct.pack('>BBhhHHB', 0, 0x11, 0, 0, 512, 0, 0) +
        struct.pack('>BBhhHHB', 1, 0x11, 0, 0, 512, 0, 0) +
        struct.pack('>BBhhHHB', 0, 0x10, 0, 0, 512, 0, 0))
    print('seedgen: %d capture files, %d frames, %d tcp, %d tls, %d http connections, %d keylogs, '
          '%d tlsdecrypt record runs' % (len(caps), n_dec, n_tcp, n_tls, n_http, len(keys), n_td))


if __name__ == '__main__':
    main()
