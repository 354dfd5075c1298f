#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""upgrade-peers.py - the peers record-upgrade.sh records: small servers of the clear-text
protocols that start TLS inside themselves (STARTTLS and the like), the proxies of HTTP CONNECT
and SOCKS, and the Python clients of the refused upgrades.  Python standard library only.

  upgrade-peers.py server PROTO ADDR PORT CERT KEY [--refuse]
      PROTO: smtp imap pop3 ftp xmpp nntp ldap mysql.  Serves one connection: the protocol's
      greeting and answers until the client asks for TLS; then, unless --refuse, says yes,
      runs TLS (CERT is the chain, KEY its key) and answers a line or two inside it.  With
      --refuse it says no (SMTP 454, IMAP BAD, ...) and goes on in clear text.
  upgrade-peers.py proxy http|socks ADDR PORT BACKEND_ADDR BACKEND_PORT [--refuse] [--auth USER:PASS]
      One tunnelled connection: an HTTP CONNECT proxy (2xx, or 403 with --refuse), or a SOCKS
      4/4a/5 proxy (granted, or refused: SOCKS4 91, SOCKS5 "not allowed by ruleset"), every
      target sent to BACKEND; --auth asks SOCKS5 clients for RFC 1929 username/password.
  upgrade-peers.py client smtp|imap HOST PORT
      smtplib / imaplib asking for STARTTLS on a server that refuses it, then quitting.

Each server handles exactly one connection and exits, so the recording script knows when the
conversation is over.
"""
import select
import smtplib
import imaplib
import socket
import ssl
import struct
import sys

NAME = 'www.synfin.test'


class Conn:
    """A socket with a line reader (the TLS socket replaces the plain one after the upgrade)."""

    def __init__(self, sock):
        self.s = sock
        self.buf = b''

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def line(self):
        while b'\n' not in self.buf:
            self.fill()
        l, self.buf = self.buf.split(b'\n', 1)
        return l.rstrip(b'\r')

    def take(self, n, exact=False):
        while len(self.buf) < n:
            if exact:  # never read past: the bytes after are TLS's (MySQL's client does not wait)
                d = self.s.recv(n - len(self.buf))
                if not d:
                    raise EOFError
                self.buf += d
            else:
                self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def until(self, marker):
        while marker not in self.buf:
            self.fill()
        i = self.buf.index(marker) + len(marker)
        d, self.buf = self.buf[:i], self.buf[i:]
        return d

    def send(self, data):
        self.s.sendall(data)

    def start_tls(self, cert, key):
        assert not self.buf, 'the client spoke before the answer'
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.s = ctx.wrap_socket(self.s, server_side=True)

    def close(self):
        try:
            if isinstance(self.s, ssl.SSLSocket):
                self.s = self.s.unwrap()  # close_notify
        except (OSError, ssl.SSLError):
            pass
        self.s.close()


# ------------------------------------------------------------------ servers

def smtp(c, tls, refuse):
    c.send(b'220 %s ESMTP synfin-record ready\r\n' % NAME.encode())
    secure = False
    while True:
        l = c.line()
        cmd = l.split(b' ')[0].upper()
        if cmd in (b'EHLO', b'HELO'):
            c.send(b'250-%s\r\n250-PIPELINING\r\n250-8BITMIME\r\n%s250 SIZE 10240000\r\n' %
                   (NAME.encode(), b'' if secure else b'250-STARTTLS\r\n'))
        elif cmd == b'STARTTLS' and not secure:
            if refuse:
                c.send(b'454 4.7.0 TLS not available due to local problem\r\n')
                continue
            c.send(b'220 2.0.0 Ready to start TLS\r\n')
            tls(c)
            secure = True
        elif cmd in (b'MAIL', b'RCPT'):
            c.send(b'250 2.1.0 Ok\r\n')
        elif cmd == b'DATA':
            c.send(b'354 End data with <CR><LF>.<CR><LF>\r\n')
            while c.line() != b'.':
                pass
            c.send(b'250 2.0.0 Ok: queued\r\n')
        elif cmd == b'QUIT':
            c.send(b'221 2.0.0 Bye\r\n')
            return
        else:
            c.send(b'502 5.5.2 Error: command not recognized\r\n')


def imap(c, tls, refuse):
    c.send(b'* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] synfin-record ready\r\n')
    while True:
        l = c.line()
        tag, _, rest = l.partition(b' ')
        cmd = rest.split(b' ')[0].upper()
        if cmd == b'CAPABILITY':
            c.send(b'* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n%s OK CAPABILITY completed\r\n' % tag)
        elif cmd == b'STARTTLS':
            if refuse:
                c.send(b'%s BAD STARTTLS is disabled here\r\n' % tag)
                continue
            c.send(b'%s OK Begin TLS negotiation now\r\n' % tag)
            tls(c)
        elif cmd == b'NOOP':
            c.send(b'%s OK NOOP completed\r\n' % tag)
        elif cmd == b'LOGOUT':
            c.send(b'* BYE synfin-record logging out\r\n%s OK LOGOUT completed\r\n' % tag)
            return
        else:
            c.send(b'%s BAD command unknown\r\n' % tag)


def pop3(c, tls, refuse):
    c.send(b'+OK synfin-record POP3 ready\r\n')
    while True:
        cmd = c.line().split(b' ')[0].upper()
        if cmd == b'CAPA':
            c.send(b'+OK Capability list follows\r\nTOP\r\nUIDL\r\nSTLS\r\n.\r\n')
        elif cmd == b'STLS':
            if refuse:
                c.send(b'-ERR TLS not available\r\n')
                continue
            c.send(b'+OK Begin TLS negotiation\r\n')
            tls(c)
        elif cmd == b'QUIT':
            c.send(b'+OK synfin-record signing off\r\n')
            return
        else:
            c.send(b'-ERR unknown command\r\n')


def ftp(c, tls, refuse):
    c.send(b'220-synfin-record FTP server\r\n220 ready\r\n')
    while True:
        l = c.line()
        cmd = l.split(b' ')[0].upper()
        if cmd == b'AUTH':
            if refuse:
                c.send(b'534 Local policy on server does not allow TLS\r\n')
                continue
            c.send(b'234 AUTH TLS successful\r\n')
            tls(c)
        elif cmd == b'FEAT':
            c.send(b'211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n')
        elif cmd == b'SYST':
            c.send(b'215 UNIX Type: L8\r\n')
        elif cmd == b'QUIT':
            c.send(b'221 Goodbye.\r\n')
            return
        else:
            c.send(b'502 Command not implemented.\r\n')


def xmpp(c, tls, refuse):
    open_s = (b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
              b"xmlns:stream='http://etherx.jabber.org/streams' id='synfin-1' from='%s' version='1.0'>" % NAME.encode())
    c.until(b"version='1.0'>")  # the client's stream header (openssl s_client's ends so)
    c.send(open_s + b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
           b"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
           b"</stream:features>")
    c.until(b'/>')  # <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
    if refuse:
        c.send(b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")
        return
    c.send(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    tls(c)
    c.until(b"version='1.0'>")  # the stream restarted inside TLS
    c.send(open_s.replace(b'synfin-1', b'synfin-2') +
           b"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
           b"</mechanisms></stream:features>")
    c.until(b'</stream:stream>')
    c.send(b'</stream:stream>')


def nntp(c, tls, refuse):
    c.send(b'200 synfin-record NNTP service ready, posting allowed\r\n')
    while True:
        cmd = c.line().split(b' ')[0].upper()
        if cmd == b'CAPABILITIES':
            c.send(b'101 Capability list:\r\nVERSION 2\r\nREADER\r\nSTARTTLS\r\nLIST ACTIVE NEWSGROUPS\r\n.\r\n')
        elif cmd == b'STARTTLS':
            if refuse:
                c.send(b'580 Can not initiate TLS negotiation\r\n')
                continue
            c.send(b'382 Continue with TLS negotiation\r\n')
            tls(c)
        elif cmd == b'DATE':
            c.send(b'111 20260101000000\r\n')
        elif cmd == b'QUIT':
            c.send(b'205 Connection closing\r\n')
            return
        else:
            c.send(b'500 Unknown command\r\n')


def ber_len(n):
    return bytes([n]) if n < 0x80 else b'\x84' + struct.pack('>I', n)


def ldap_pdu(c):
    """One LDAPMessage: (message id, operation tag, whole PDU)."""
    head = c.take(2)
    if head[1] & 0x80:
        k = head[1] & 0x7f
        ext = c.take(k)
        n = int.from_bytes(ext, 'big')
        head += ext
    else:
        n = head[1]
    body = c.take(n)
    idl = body[1]
    return int.from_bytes(body[2:2 + idl], 'big'), body[2 + idl], head + body


def ldap_result(msgid, op, code, text=b''):
    res = b'\x0a\x01' + bytes([code]) + b'\x04\x00' + b'\x04' + ber_len(len(text)) + text
    body = b'\x02\x01' + bytes([msgid]) + bytes([op]) + ber_len(len(res)) + res
    return b'\x30' + ber_len(len(body)) + body


def ldap(c, tls, refuse):
    while True:
        msgid, op, _ = ldap_pdu(c)
        if op == 0x77:  # extendedReq: StartTLS
            if refuse:
                c.send(ldap_result(msgid, 0x78, 2, b'StartTLS not supported'))
                continue
            c.send(ldap_result(msgid, 0x78, 0))
            tls(c)
        elif op == 0x60:  # bindRequest
            c.send(ldap_result(msgid, 0x61, 0))
        elif op == 0x42:  # unbindRequest: the server closes
            return
        else:
            c.send(ldap_result(msgid, (op + 1) & 0xff, 53, b'unwilling'))


def mysql_packet(seq, payload):
    return struct.pack('<I', len(payload))[:3] + bytes([seq]) + payload


def mysql(c, tls, refuse):
    caps = 0x0001 | 0x0008 | 0x0200 | 0x8000 | 0x00080000 | (0 if refuse else 0x0800)
    greeting = (b'\x0a' + b'8.0.36-synfin-record\x00' + struct.pack('<I', 7) + b'abcdefgh' + b'\x00' +
                struct.pack('<H', caps & 0xffff) + b'\xff' + struct.pack('<H', 2) + struct.pack('<H', caps >> 16) +
                b'\x15' + b'\x00' * 10 + b'ijklmnopqrst\x00' + b'mysql_native_password\x00')
    c.send(mysql_packet(0, greeting))
    head = c.take(4, exact=True)
    body = c.take(int.from_bytes(head[:3], 'little'), exact=True)
    if struct.unpack('<I', body[:4])[0] & 0x0800:  # the SSL request: TLS, then the real response
        tls(c)
        head = c.take(4)
        body = c.take(int.from_bytes(head[:3], 'little'))
    seq = head[3] + 1
    c.send(mysql_packet(seq, b'\xff' + struct.pack('<H', 1045) + b'#28000' +
                        b"Access denied for user (synfin-record accepts nobody)"))


SERVERS = {'smtp': smtp, 'imap': imap, 'pop3': pop3, 'ftp': ftp, 'xmpp': xmpp, 'nntp': nntp, 'ldap': ldap,
           'mysql': mysql}


def listen(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    s, _ = ls.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ls.close()
    return s


def serve(proto, addr, port, cert, key, refuse):
    c = Conn(listen(addr, port))
    try:
        SERVERS[proto](c, lambda conn: conn.start_tls(cert, key), refuse)
    except EOFError:
        pass
    finally:
        c.close()


# ------------------------------------------------------------------ proxies

def relay(a, b):
    socks = [a, b]
    while socks:
        r, _, _ = select.select(socks, [], [], 10)
        if not r:
            break
        for s in r:
            other = b if s is a else a
            d = s.recv(65536)
            if not d:
                socks.remove(s)
                try:
                    other.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            else:
                other.sendall(d)


def proxy(kind, addr, port, backend, refuse, auth):
    c = Conn(listen(addr, port))
    s = c.s
    try:
        if kind == 'http':
            head = c.until(b'\r\n\r\n')
            if refuse:
                body = b'CONNECT is not allowed to this host\n'
                c.send(b'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n'
                       b'Connection: close\r\n\r\n%s' % (len(body), body))
                return
            up = socket.create_connection(backend)
            c.send(b'HTTP/1.1 200 Connection established\r\nProxy-Agent: synfin-record\r\n\r\n')
        else:
            ver = c.take(1)[0]
            if ver == 4:
                cd, dport, dip = c.take(1)[0], c.take(2), c.take(4)
                c.until(b'\x00')  # user id
                if dip[:3] == b'\x00\x00\x00':
                    c.until(b'\x00')  # SOCKS4a: the host name
                if refuse:
                    c.send(b'\x00\x5b' + dport + dip)
                    return
                up = socket.create_connection(backend)
                c.send(b'\x00\x5a' + dport + dip)
            else:
                methods = c.take(c.take(1)[0])
                want = 2 if auth else 0
                if want not in methods:
                    c.send(b'\x05\xff')
                    return
                c.send(bytes([5, want]))
                if auth:
                    c.take(1)
                    user = c.take(c.take(1)[0])
                    pw = c.take(c.take(1)[0])
                    ok = b'%s:%s' % (user, pw) == auth.encode()
                    c.send(b'\x01' + (b'\x00' if ok else b'\x01'))
                    if not ok:
                        return
                _, cmd, _, atyp = c.take(4)
                if atyp == 1:
                    c.take(4)
                elif atyp == 4:
                    c.take(16)
                else:
                    c.take(c.take(1)[0])
                c.take(2)
                if refuse:
                    c.send(b'\x05\x02\x00\x01' + b'\x00' * 6)  # connection not allowed by ruleset
                    return
                up = socket.create_connection(backend)
                bound = socket.inet_aton(addr) + struct.pack('>H', port)
                c.send(b'\x05\x00\x00\x01' + bound)
        if c.buf:  # what the client sent before the answer goes on too
            up.sendall(c.buf)
        relay(s, up)
        up.close()
    except EOFError:
        pass
    finally:
        s.close()


# ------------------------------------------------------------------ clients of refusals

def client(proto, host, port):
    if proto == 'smtp':
        s = smtplib.SMTP(host, port, local_hostname='client.synfin.test')
        s.ehlo()
        try:
            s.starttls()
        except smtplib.SMTPResponseException as e:
            print('STARTTLS refused: %d %s' % (e.smtp_code, e.smtp_error.decode()))
        s.quit()
    else:
        m = imaplib.IMAP4(host, port)
        try:
            m.starttls()
        except imaplib.IMAP4.error as e:
            print('STARTTLS refused: %s' % e)
        m.noop()
        m.logout()


def main(argv):
    if len(argv) >= 7 and argv[1] == 'server':
        serve(argv[2], argv[3], int(argv[4]), argv[5], argv[6], '--refuse' in argv[7:])
    elif len(argv) >= 7 and argv[1] == 'proxy':
        auth = argv[argv.index('--auth') + 1] if '--auth' in argv else None
        proxy(argv[2], argv[3], int(argv[4]), (argv[5], int(argv[6])), '--refuse' in argv[7:], auth)
    elif len(argv) == 5 and argv[1] == 'client':
        client(argv[2], argv[3], int(argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
