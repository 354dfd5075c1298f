#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# make-certs.sh - regenerate the X.509 test certificates read by tests/test_x509.c.
#
# Run by hand (never by `make check`: the outputs are committed):
#     tests/certs/make-certs.sh            # writes next to this script
# Needs certtool (gnutls-bin).  Every run makes fresh keys, so every file
# changes; the tests depend only on what is fixed here (names, SANs,
# validity windows, key types), not on the bytes.  The private keys live in
# a temporary directory and are deleted: nothing at test time needs them.
#
# The hierarchy (validity windows are UTC, chosen so that tests can pick a
# `when` that is inside or outside any of them without looking at the clock):
#
#   root-ca      RSA 2048  self-signed CA          2020-01-01 .. 2030-01-01
#   int-ca       RSA 2048  by root-ca, CA          2022-01-01 .. 2026-01-01
#   leaf-rsa     RSA 2048  by int-ca               2024-01-01 .. 2028-01-01
#   leaf-late    P-256     by int-ca               2027-01-01 .. 2029-01-01
#   leaf-ec      P-256     by root-ca              2024-01-01 .. 2032-01-01
#                (SANs: www.synfin.test, a 600-byte URI, 192.0.2.20)
#   client-leaf  P-256     by root-ca, clientAuth  2024-01-01 .. 2028-01-01
#   big          P-256     by root-ca, long DN and 40 DNS SANs, same window
#   selfsigned   P-256     self-signed, not a CA   2024-01-01 .. 2028-01-01
#   other-ca     P-256     self-signed CA          2020-01-01 .. 2030-01-01
#   other-leaf   P-256     by other-ca             2024-01-01 .. 2028-01-01
#   wildcard     P-256     self-signed, SANs *.synfin.test and *.com (a star no client honours)
#                                                  2024-01-01 .. 2028-01-01
#
# Each certificate is written as NAME.pem and NAME.der.
set -eu

out=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export TZ=UTC

command -v certtool >/dev/null 2>&1 || { echo "make-certs.sh: certtool not found (apt-get install gnutls-bin)" >&2; exit 1; }

rsa_key() { certtool --generate-privkey --key-type rsa --bits 2048 --outfile "$tmp/$1.key" >/dev/null 2>&1; }
ec_key() { certtool --generate-privkey --key-type ecdsa --curve secp256r1 --outfile "$tmp/$1.key" >/dev/null 2>&1; }

# self NAME: self-signed from $tmp/NAME.tmpl
self() {
    certtool --generate-self-signed --load-privkey "$tmp/$1.key" --template "$tmp/$1.tmpl" \
        --outfile "$out/$1.pem" >/dev/null 2>&1
    certtool --certificate-info --infile "$out/$1.pem" --outder --outfile "$out/$1.der" >/dev/null 2>&1
}

# signed NAME CA: NAME signed by CA, from $tmp/NAME.tmpl
signed() {
    certtool --generate-certificate --load-privkey "$tmp/$1.key" \
        --load-ca-certificate "$out/$2.pem" --load-ca-privkey "$tmp/$2.key" \
        --template "$tmp/$1.tmpl" --outfile "$out/$1.pem" >/dev/null 2>&1
    certtool --certificate-info --infile "$out/$1.pem" --outder --outfile "$out/$1.der" >/dev/null 2>&1
}

# --- root CA
rsa_key root-ca
cat > "$tmp/root-ca.tmpl" <<'T'
dn = "CN=Synfin Test Root CA,O=Synfin Tests"
serial = 1
activation_date = "2020-01-01 00:00:00 UTC"
expiration_date = "2030-01-01 00:00:00 UTC"
ca
cert_signing_key
crl_signing_key
T
self root-ca

# --- intermediate CA
rsa_key int-ca
cat > "$tmp/int-ca.tmpl" <<'T'
dn = "CN=Synfin Test Intermediate CA,O=Synfin Tests"
serial = 2
activation_date = "2022-01-01 00:00:00 UTC"
expiration_date = "2026-01-01 00:00:00 UTC"
ca
path_len = 0
cert_signing_key
crl_signing_key
T
signed int-ca root-ca

# --- server leaf under the intermediate (the main "ok" case)
rsa_key leaf-rsa
cat > "$tmp/leaf-rsa.tmpl" <<'T'
dn = "CN=www.synfin.test,O=Synfin Tests"
serial = 3
activation_date = "2024-01-01 00:00:00 UTC"
expiration_date = "2028-01-01 00:00:00 UTC"
dns_name = "www.synfin.test"
ip_address = "192.0.2.10"
ip_address = "2001:db8::10"
tls_www_server
signing_key
encryption_key
T
signed leaf-rsa int-ca

# --- a leaf whose window starts after the intermediate's ends
ec_key leaf-late
cat > "$tmp/leaf-late.tmpl" <<'T'
dn = "CN=www.synfin.test,O=Synfin Tests"
serial = 4
activation_date = "2027-01-01 00:00:00 UTC"
expiration_date = "2029-01-01 00:00:00 UTC"
dns_name = "www.synfin.test"
tls_www_server
signing_key
T
signed leaf-late int-ca

# --- ECDSA leaf straight under the root, outliving it
ec_key leaf-ec
cat > "$tmp/leaf-ec.tmpl" <<'T'
dn = "CN=www.synfin.test,O=Synfin Tests"
serial = 5
activation_date = "2024-01-01 00:00:00 UTC"
expiration_date = "2032-01-01 00:00:00 UTC"
dns_name = "www.synfin.test"
tls_www_server
signing_key
T
# a 600-byte URI SAN, longer than the SAN cap, then an IP SAN (certtool puts
# DNS names first, then URIs, then IPs): the URI is skipped, the IP still listed
printf 'uri = "https://www.synfin.test/%0600d"\nip_address = "192.0.2.20"\n' 0 >> "$tmp/leaf-ec.tmpl"
signed leaf-ec root-ca

# --- a leaf only good for TLS clients
ec_key client-leaf
cat > "$tmp/client-leaf.tmpl" <<'T'
dn = "CN=www.synfin.test,O=Synfin Tests"
serial = 6
activation_date = "2024-01-01 00:00:00 UTC"
expiration_date = "2028-01-01 00:00:00 UTC"
dns_name = "www.synfin.test"
tls_www_client
signing_key
T
signed client-leaf root-ca

# --- long subject (several OUs, one in UTF-8) and 40 SANs: the caps
ec_key big
{
    printf 'dn = "CN=big.synfin.test'
    for i in 1 2 3 4; do
        printf ',OU=Organisational unit number %s with a long long name' "$i"
    done
    # 2-byte UTF-8 characters straddling byte 255, where the subject is cut
    printf ',OU=ééééééééééééééééééééééééééééééé'
    printf ',OU=Organisational unit number 5 with a long long name'
    printf ',O=Synfin Tests"\n'
    echo 'serial = 7'
    echo 'activation_date = "2024-01-01 00:00:00 UTC"'
    echo 'expiration_date = "2028-01-01 00:00:00 UTC"'
    i=0
    while [ $i -lt 40 ]; do
        printf 'dns_name = "host%02d.synfin.test"\n' "$i"
        i=$((i + 1))
    done
    echo 'tls_www_server'
    echo 'signing_key'
} > "$tmp/big.tmpl"
signed big root-ca

# --- self-signed server certificate
ec_key selfsigned
cat > "$tmp/selfsigned.tmpl" <<'T'
dn = "CN=www.synfin.test,O=Synfin Tests"
serial = 8
activation_date = "2024-01-01 00:00:00 UTC"
expiration_date = "2028-01-01 00:00:00 UTC"
dns_name = "www.synfin.test"
tls_www_server
signing_key
T
self selfsigned

# --- a CA nobody trusts, and a leaf from it
ec_key other-ca
cat > "$tmp/other-ca.tmpl" <<'T'
dn = "CN=Other Test CA,O=Elsewhere"
serial = 9
activation_date = "2020-01-01 00:00:00 UTC"
expiration_date = "2030-01-01 00:00:00 UTC"
ca
cert_signing_key
T
self other-ca

ec_key other-leaf
cat > "$tmp/other-leaf.tmpl" <<'T'
dn = "CN=www.synfin.test,O=Elsewhere"
serial = 10
activation_date = "2024-01-01 00:00:00 UTC"
expiration_date = "2028-01-01 00:00:00 UTC"
dns_name = "www.synfin.test"
tls_www_server
signing_key
T
signed other-leaf other-ca

# --- a wildcard certificate, trusted by loading itself as the CA file
ec_key wildcard
cat > "$tmp/wildcard.tmpl" <<'T'
dn = "CN=*.synfin.test,O=Synfin Test"
serial = 11
activation_date = "2024-01-01 00:00:00 UTC"
expiration_date = "2028-01-01 00:00:00 UTC"
dns_name = "*.synfin.test"
dns_name = "*.com"
ca
tls_www_server
signing_key
cert_signing_key
T
self wildcard

# --- CA files: both CAs in one PEM bundle
cat "$out/other-ca.pem" "$out/root-ca.pem" > "$out/ca-bundle.pem"

echo "make-certs.sh: certificates written to $out"
