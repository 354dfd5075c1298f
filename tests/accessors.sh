#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# accessors.sh - every parser of wire bytes reads them through bytes.h.
#
# tcpdump's rule, enforced by a grep: in the files that take bytes off the
# wire (the decoders in src/capture/, the protocol parsers in src/proto/),
# no code reaches into a cursor (its .p, .pos) and no code indexes or moves
# a pointer to packet bytes by hand (p[i], *p++, p += n, data + off).  Such
# reads go through cur_u8/cur_be16/cur_take/cur_peek/cur_gather/... which
# check the length first.  The names below are the ones these files give
# packet bytes; a parser that needs raw access to its own buffers uses
# other names for them (d->buf, d->line, s->hdr are filled by the cursor).
#
# A new wire parser goes into WIRE below.  The pattern is crude on purpose:
# a false alarm is fixed by naming a non-packet variable otherwise.
set -u
SRC=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/src

WIRE="capture/decode.c capture/link.c capture/tunnel.c capture/layer.c capture/wlan.c capture/ipfrag.c
proto/dispatch.c proto/tls.c proto/tls_proto.c proto/http.c proto/http_proto.c
proto/cleartext.c proto/smtp.c proto/ftp.c proto/pop3.c proto/imap.c proto/nntp.c proto/xmpp.c
proto/ldap.c proto/pgsql.c proto/mysql.c proto/socks4.c proto/socks5.c"

# names of pointers to packet bytes in these files
N='(p|q|b|h|data|payload|ip|pkt)'
RE="(\\.|->)pos\\b|(\\.|->)p[[:space:]]*[[+]|\\b$N[[:space:]]*\\[|\\b$N[[:space:]]*(\\+=|-=|\\+\\+|--)|[*]$N[[:space:]]*(\\+\\+|--)|\\b$N[[:space:]]*[+-][[:space:]]*[A-Za-z0-9_(]"

fail=0
checked=0
for f in $WIRE; do
    if [ ! -f "$SRC/$f" ]; then
        echo "FAIL $f: listed as a wire parser but not there"
        fail=1
        continue
    fi
    checked=$((checked + 1))
    # comment lines say p[0..n) and the like: only code counts
    hits=$(grep -nE "$RE" "$SRC/$f" | grep -vE '^[0-9]+:[[:space:]]*(/\*|\*|//)')
    if [ -n "$hits" ]; then
        echo "FAIL $f reads packet bytes without bytes.h:"
        echo "$hits" | sed 's/^/    /'
        fail=1
    fi
done

# the rule itself must catch what it is for (a rule that cannot fail is no rule)
for bad in 'x = p[3];' 'd->hdr[n++] = *p++;' 'p += take;' 'memcpy(out, data + used, n);' 'int v = c->p[c->pos];'; do
    if ! printf '%s\n' "$bad" | grep -qE "$RE"; then
        echo "FAIL the pattern misses: $bad"
        fail=1
    fi
done
for good in 'x = cur_u8(&c);' 'cur_copy(&in, d->buf + d->buf_have, take);' 'd->hs_len = cur_be24(&h);'; do
    if printf '%s\n' "$good" | grep -qE "$RE"; then
        echo "FAIL the pattern refuses: $good"
        fail=1
    fi
done

[ $fail -eq 0 ] && echo "ok   $checked wire parsers read packet bytes through bytes.h only"
exit $fail
