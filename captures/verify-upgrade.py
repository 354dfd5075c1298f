#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""verify-upgrade.py - check the captures in captures/upgrade/ against what they were recorded to
show (upgrade-expect.tsv), using tshark.

Usage:  captures/verify-upgrade.py [DIR] [--print]     (default DIR: captures/upgrade)

For each row of DIR/upgrade-expect.tsv (file, conn, app, cleartext, upgrade, upgraded_from,
tls_messages, inner) every value is derived again from the capture with tshark 4.x, with the key
log NAME.keys beside it when there is one, and a mismatch is printed; exit status 1 when there is
any.  --print prints the derived table instead.

How each value is derived, per TCP connection (tshark's tcp.stream + 1):
  cleartext      the clear-text protocol tshark dissects before TLS: smtp, imap, pop (pop3),
                 ftp, xmpp, nntp, ldap, pgsql (postgresql), mysql, socks (socks4 or socks5 by
                 socks.version), http (a CONNECT: tshark's http.request.method)
  tls_messages   tls.handshake.type in frame order, decrypted with the key log ("-": none)
  upgrade        accepted when TLS (or, for SOCKS, anything) follows the negotiation, else refused
  upgraded_from  the cleartext protocol's name for tls.upgraded_from (http-connect for a CONNECT)
  app            tls when TLS was seen, else the cleartext protocol
  inner          http when tshark reads HTTP after the negotiation (inside TLS, decrypted)
Where synfin says less than tshark on purpose, KNOWN below says why (the table holds synfin's word).
"""
import csv
import os
import subprocess
import sys

COLUMNS = ['file', 'conn', 'app', 'cleartext', 'upgrade', 'upgraded_from', 'tls_messages', 'inner']
# Where synfin says less than tshark, on purpose: (file, conn, column) -> why.
KNOWN = {
    ('http-connect.pcap', '1', 'inner'): 'a connection has one object per protocol: its http object is the '
                                         'CONNECT, so the HTTP inside the tunnel is not parsed a second time',
    # tshark switches to TLS with the frame after the answer: a ClientHello that came before it (in the
    # request's own segment) is read as the clear-text protocol's, and the TLS after it is not recognised
    ('early-clients.pcap', '1', '*'): 'tshark reads the ClientHello sent with STARTTLS as SMTP',
    ('early-clients.pcap', '2', '*'): 'tshark reads the ClientHello sent with the CONNECT as HTTP',
    ('early-clients.pcap', '3', '*'): 'tshark takes SOCKS5 greeting, request and data in one segment for SOCKS4',
}
NAMES = {'smtp': 'smtp', 'imap': 'imap', 'pop': 'pop3', 'ftp': 'ftp', 'xmpp': 'xmpp', 'nntp': 'nntp',
         'ldap': 'ldap', 'pgsql': 'postgresql', 'mysql': 'mysql'}


def tshark(path, keys, fields, display):
    cmd = ['tshark', '-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '-T', 'fields', '-E', 'separator=\t']
    if keys:
        cmd += ['-o', 'tls.keylog_file:' + keys]
    for f in fields:
        cmd += ['-e', f]
    if display:
        cmd += ['-Y', display]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [line.split('\t') for line in out.splitlines()]


def derive(d, name):
    path = os.path.join(d, name)
    keys = path[:-5] + '.keys'
    keys = keys if os.path.exists(keys) else None
    conns = {}
    for stream, protos, hs, method, sver in tshark(path, keys, ['tcp.stream', 'frame.protocols',
                                                             'tls.handshake.type', 'http.request.method',
                                                             'socks.version'], 'tcp.len > 0'):
        c = conns.setdefault(int(stream) + 1, {'clear': None, 'tls': [], 'inner': '-', 'after': False})
        layers = protos.split(':')
        tls = 'tls' in layers
        for k in layers:
            if k in NAMES and c['clear'] is None and not tls:
                c['clear'] = NAMES[k]
        if 'socks' in layers and c['clear'] is None:
            c['clear'] = 'socks5' if sver == '5' else 'socks4'
        if method == 'CONNECT' and c['clear'] is None:
            c['clear'] = 'http'
        if hs:
            c['tls'] += hs.split(',')
        if tls or (c['clear'] and c['clear'].startswith('socks') and 'socks' not in layers):
            c['after'] = True
        if 'http' in layers and (tls or (c['clear'] or '').startswith('socks')):
            c['inner'] = 'http'
    rows = []
    for n, c in sorted(conns.items()):
        clear = c['clear'] or '-'
        rows.append({
            'file': name, 'conn': str(n),
            'app': 'tls' if c['tls'] else clear,
            'cleartext': clear,
            'upgrade': 'accepted' if c['tls'] or (c['after'] and clear.startswith('socks')) else 'refused',
            'upgraded_from': ('http-connect' if clear == 'http' else clear) if c['tls'] else '-',
            'tls_messages': ','.join(c['tls']) or '-',
            'inner': c['inner'],
        })
    return rows


def main(argv):
    d = next((a for a in argv[1:] if not a.startswith('--')), os.path.join(os.path.dirname(__file__), 'upgrade'))
    want = list(csv.DictReader(open(os.path.join(d, 'upgrade-expect.tsv')), delimiter='\t'))
    files = sorted({r['file'] for r in want} | {f for f in os.listdir(d) if f.endswith('.pcap')})
    got = [r for f in files if os.path.exists(os.path.join(d, f)) for r in derive(d, f)]
    if '--print' in argv:
        print('\t'.join(COLUMNS))
        for r in got:
            print('\t'.join(r[c] for c in COLUMNS))
        return 0
    bad = 0
    keyed = {(r['file'], r['conn']): r for r in got}
    for w in want:
        g = keyed.pop((w['file'], w['conn']), None)
        if g is None:
            print('%s #%s: not in the capture' % (w['file'], w['conn']))
            bad += 1
            continue
        for c in COLUMNS[2:]:
            if g[c] != w[c] and (w['file'], w['conn'], c) not in KNOWN and (w['file'], w['conn'], '*') not in KNOWN:
                print('%s #%s %s: tshark %s, expected %s' % (w['file'], w['conn'], c, g[c], w[c]))
                bad += 1
    for (f, n) in keyed:
        print('%s #%s: not in upgrade-expect.tsv' % (f, n))
        bad += 1
    print('verify-upgrade: %d rows, %d mismatches' % (len(want), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
