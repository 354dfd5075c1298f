#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""scapy-tls-peer.py - the SSL 3.0 and export-suite peers of record-tls.sh.

Debian 12's GnuTLS and OpenSSL no longer speak SSL 3.0 or the export cipher
suites, so these recordings use scapy's TLS automata on both sides (Debian:
python3-scapy; its record layer implements SSL 3.0's key block and MAC and
the export key derivations of RFC 6101 and RFC 2246 itself, from python3's
cryptography package).  tshark decrypting the result with the key log is
the independent check (record-tls.sh runs verify-tls.py at the end).

Usage:
  scapy-tls-peer.py server ADDR PORT CERT KEY
      answer TLS connections until killed; each "GET / HTTP/1.1" request
      gets scapy's HTTP/1.1 200 page (the session's details), then close_notify
  scapy-tls-peer.py client ADDR PORT VERSION SUITE SNI KEYLOG
      one connection offering exactly VERSION (0x0300, 0x0301) and SUITE
      (hex), with server_name SNI from TLS 1.0 on (SSL 3.0 hellos carry no
      extensions); sends GET / with Host SNI, reads the answer, closes with
      close_notify, and appends "CLIENT_RANDOM <random> <master secret>" to
      KEYLOG (the NSS key log line a browser would write)
"""
import sys

from scapy.all import load_layer

load_layer("tls")
from scapy.layers.tls.automaton_cli import TLSClientAutomaton  # noqa: E402
from scapy.layers.tls.automaton_srv import TLSServerAutomaton  # noqa: E402
from scapy.layers.tls.handshake import TLSClientHello  # noqa: E402


def server(addr, port, cert, key):
    srv = TLSServerAutomaton(server=addr, sport=int(port), mycert=cert, mykey=key, is_echo_server=False,
                             verbose=0)
    srv.run()


def client(addr, port, version, suite, sni, keylog):
    v, s = int(version, 16), int(suite, 16)
    hello = TLSClientHello(version=v, ciphers=[s])
    request = b"GET / HTTP/1.1\r\nHost: " + sni.encode() + b"\r\nUser-Agent: synfin-record-tls\r\n\r\n"
    # the automaton writes the hello's extensions itself: server_name when asked
    cli = TLSClientAutomaton(server=addr, dport=int(port), client_hello=hello, data=[request, b"quit"],
                             server_name=sni if v > 0x0300 else None, verbose=0)
    cli.run()
    sess = cli.cur_session
    if not sess.master_secret or sess.wcs.ciphersuite.val != s or sess.tls_version != v:
        sys.exit("scapy-tls-peer.py: the handshake did not give %s %s" % (version, suite))
    with open(keylog, "a") as f:
        f.write("CLIENT_RANDOM %s %s\n" % (sess.client_random.hex(), sess.master_secret.hex()))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "server":
        server(*sys.argv[2:])
    elif len(sys.argv) == 8 and sys.argv[1] == "client":
        client(*sys.argv[2:])
    else:
        sys.exit(__doc__)
