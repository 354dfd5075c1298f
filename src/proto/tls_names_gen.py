#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""
tls_names_gen.py - writes src/proto/tls_cipher_table.h, the cipher-suite table of
tls_names.c: every IANA "TLS Cipher Suites" registry name, sorted by value,
with a flag telling whether the suite authenticates no server certificate.

Source of the facts
  Wireshark's value string for the field tls.handshake.ciphersuite, as
  `tshark -G values` prints it (lines "V<TAB>tls.handshake.ciphersuite<TAB>
  VALUE<TAB>NAME", VALUE in decimal).  Wireshark spells its suites with the
  IANA Description column's names.  The table shipped in the repository was
  made from TShark 4.0.17 (Debian 12 package 4.0.17-0+deb12u3); the header
  it writes names the exact tshark version, or the saved file, it read.

What is kept
  Wireshark's list also holds vendor and draft suites that IANA never
  registered.  A suite is kept only when
    1. its name looks like an IANA one: "TLS_" or "SSL_" then [A-Za-z0-9_];
       this drops "Reserved (GREASE)" and the Chinese SM1/SM4 vendor suites
       ("ECDHE_SM1_SM3", ...), and
    2. its value lies outside the ranges the IANA registry marks Reserved,
       Unassigned or Private Use (NOT_IANA below, each with the registry's
       wording); this drops the SSLv3 Fortezza, EXPORT1024, pre-RFC GOST,
       draft ChaCha20, Salsa20, EC-JPAKE and Netscape FIPS suites that
       Wireshark still decodes.
  Nothing else is invented or renamed.

Cross-check
  When `openssl` is on the PATH, every suite of
  `openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'` (OpenSSL's
  IANA standard names) must appear in the table under the same value with the
  same name, or the script fails.  OpenSSL 3.0's 158 suites all agree.

The certless flag (tls_cipher_is_certless) is derived here from the name,
once, so nothing string-matches at run time:
  1 for anonymous suites (the name contains "_anon_": DH_anon, ECDH_anon) and
    for PSK suites whose key exchange has no certificate: TLS_PSK_*
    (including RFC 6655's TLS_PSK_DHE_*), TLS_DHE_PSK_*, TLS_ECDHE_PSK_*;
  0 for everything else, notably TLS_RSA_PSK_* (the server sends a
  certificate) and the TLS 1.3 suites (they name no key exchange at all).

Usage
  python3 src/proto/tls_names_gen.py                 # run tshark, write the table
  python3 src/proto/tls_names_gen.py --values FILE   # read saved `tshark -G values`
  python3 src/proto/tls_names_gen.py --check         # exit 1 if the file would change
  options: -o PATH (default: tls_cipher_table.h next to this script),
           --no-openssl (skip the cross-check)
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

FIELD = "tls.handshake.ciphersuite"
NAME_RE = re.compile(r"^(TLS|SSL)_[A-Za-z0-9_]+$")

# Value ranges the IANA TLS Cipher Suites registry does not assign to any
# suite (inclusive), with the registry's own wording.  Wireshark names some
# values inside them; those names are not IANA's.
NOT_IANA = [
    (0x001C, 0x001D, "Reserved to avoid conflicts with SSLv3 [RFC5246]"),
    (0x0047, 0x005C, "Reserved to avoid conflicts with deployed implementations"),
    (0x005D, 0x005F, "Unassigned"),
    (0x0060, 0x0066, "Reserved to avoid conflicts with widely deployed implementations"),
    (0x006E, 0x0083, "Unassigned"),
    (0x00C8, 0x00FE, "Unassigned"),
    (0xC0B6, 0xC0FF, "Unassigned"),
    (0xC107, 0xC1FF, "Unassigned"),
    (0xCC00, 0xCCA7, "Unassigned"),
    (0xCCAF, 0xCCFF, "Unassigned"),
    (0xD006, 0xD0FF, "Unassigned"),
    (0xE000, 0xEFFF, "Unassigned (0xE0-0xE9,* and 0xEB-0xEF,*; 0xEA,0xEA is GREASE)"),
    (0xFE00, 0xFEFD, "Unassigned"),
    (0xFEFE, 0xFEFF, "Reserved to avoid conflicts with widely deployed implementations"),
    (0xFF00, 0xFFFF, "Reserved for Private Use [RFC8446]"),
]


def not_iana(value):
    for lo, hi, why in NOT_IANA:
        if lo <= value <= hi:
            return why
    return None


def certless(name):
    if "_anon_" in name:
        return 1
    for prefix in ("TLS_PSK_", "TLS_DHE_PSK_", "TLS_ECDHE_PSK_"):
        if name.startswith(prefix):
            return 1
    return 0


def read_values(path):
    """The lines of `tshark -G values` (or of a saved copy) and where they came from."""
    if path:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines(), "a saved `tshark -G values` output (%s)" % os.path.basename(path)
    tshark = shutil.which("tshark")
    if not tshark:
        sys.exit("tls_names_gen.py: tshark not found; install it or pass --values FILE")
    banner = subprocess.run([tshark, "-v"], capture_output=True, text=True, check=True).stdout
    m = re.search(r"TShark \(Wireshark\) ([0-9][^\s(]*)", banner)
    version = "TShark " + m.group(1) if m else "tshark (version unknown)"
    out = subprocess.run([tshark, "-G", "values"], capture_output=True, text=True, check=True).stdout
    return out.splitlines(), "`tshark -G values` of %s" % version


def collect(lines):
    """{value: name} of the IANA suites, and the dropped (value, name, why) list."""
    kept, dropped = {}, []
    for line in lines:
        parts = line.split("\t")
        if len(parts) != 4 or parts[0] != "V" or parts[1] != FIELD:
            continue
        value, name = int(parts[2]), parts[3].strip()
        if not 0 <= value <= 0xFFFF:
            sys.exit("tls_names_gen.py: value %d out of range" % value)
        if not NAME_RE.match(name):
            dropped.append((value, name, "not an IANA-style name"))
            continue
        why = not_iana(value)
        if why:
            dropped.append((value, name, "IANA: " + why))
            continue
        if value in kept and kept[value] != name:
            sys.exit("tls_names_gen.py: 0x%04x named both %s and %s" % (value, kept[value], name))
        kept[value] = name
    if not kept:
        sys.exit("tls_names_gen.py: no %s values found" % FIELD)
    return kept, dropped


def openssl_check(kept):
    """Every OpenSSL standard name must agree with the table; returns a note for the header."""
    openssl = shutil.which("openssl")
    if not openssl:
        return None
    banner = subprocess.run([openssl, "version"], capture_output=True, text=True, check=True).stdout
    m = re.match(r"\s*(\S+ [0-9][^\s]*)", banner)
    version = m.group(1) if m else "openssl"
    out = subprocess.run([openssl, "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                         capture_output=True, text=True, check=True).stdout
    n, bad = 0, []
    for line in out.splitlines():
        # "          0x13,0x02 - TLS_AES_256_GCM_SHA384 - TLS_AES_256_GCM_SHA384 TLSv1.3 ..."
        m = re.match(r"\s*0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})\s+-\s+(\S+)", line)
        if not m:
            continue
        value, name = int(m.group(1) + m.group(2), 16), m.group(3)
        n += 1
        if kept.get(value) != name:
            bad.append("0x%04x openssl %s, table %s" % (value, name, kept.get(value)))
    if bad:
        sys.exit("tls_names_gen.py: OpenSSL disagrees:\n  " + "\n  ".join(bad))
    return "all %d suites of %s's `openssl ciphers -V -stdname` agree" % (n, version)


def render(kept, source, ossl_note):
    n_certless = sum(certless(name) for name in kept.values())
    out = []
    out.append("/*")
    out.append(" * tls_cipher_table.h - GENERATED by src/tls_names_gen.py; do not edit, rerun it.")
    out.append(" * The IANA TLS Cipher Suites registry names (Description column), sorted by")
    out.append(" * value for tls_names.c's binary search, with the certless flag the script")
    out.append(" * derives from each name (anonymous, or PSK without a certificate).")
    out.append(" * Source: %s," % source)
    out.append(" * field %s, keeping TLS_/SSL_ names outside the values IANA" % FIELD)
    out.append(" * marks Reserved, Unassigned or Private Use.")
    if ossl_note:
        out.append(" * Cross-check: %s." % ossl_note)
    out.append(" * %d suites, %d of them certless.  Included by tls_names.c (and the unit test)." %
               (len(kept), n_certless))
    out.append(" */")
    out.append("#ifndef SYNFIN_TLS_CIPHER_TABLE_H")
    out.append("#define SYNFIN_TLS_CIPHER_TABLE_H")
    out.append("")
    out.append("#include <stdint.h>")
    out.append("")
    out.append("struct tls_cipher_entry {")
    out.append("    uint16_t id;")
    out.append("    const char *name;")
    out.append("    uint8_t certless; /* no server certificate: anon, or PSK not RSA_PSK */")
    out.append("};")
    out.append("")
    out.append("static const struct tls_cipher_entry tls_cipher_table[] = {")
    for value in sorted(kept):
        name = kept[value]
        out.append("    {0x%04x, \"%s\", %d}," % (value, name, certless(name)))
    out.append("};")
    out.append("")
    out.append("#define TLS_CIPHER_TABLE_LEN (sizeof tls_cipher_table / sizeof tls_cipher_table[0])")
    out.append("")
    out.append("#endif")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description="Generate src/tls_cipher_table.h from Wireshark's cipher-suite names.")
    ap.add_argument("--values", metavar="FILE", help="saved `tshark -G values` output instead of running tshark")
    ap.add_argument("-o", "--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                           "tls_cipher_table.h"))
    ap.add_argument("--no-openssl", action="store_true", help="skip the OpenSSL cross-check")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the output would differ")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the dropped entries on stderr")
    args = ap.parse_args()

    lines, source = read_values(args.values)
    kept, dropped = collect(lines)
    ossl_note = None if args.no_openssl else openssl_check(kept)
    text = render(kept, source, ossl_note)
    if args.verbose:
        for value, name, why in dropped:
            print("dropped 0x%04x %s (%s)" % (value, name, why), file=sys.stderr)
    print("tls_names_gen.py: %d suites kept, %d dropped" % (len(kept), len(dropped)), file=sys.stderr)

    if args.check:
        # The data, not the provenance comment: a saved dump or another
        # openssl gives the same table with a different header comment.
        def body(t):
            return t[t.find("#ifndef"):]
        try:
            with open(args.output, encoding="utf-8") as f:
                same = body(f.read()) == body(text)
        except FileNotFoundError:
            same = False
        if not same:
            print("tls_names_gen.py: %s is out of date" % args.output, file=sys.stderr)
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
