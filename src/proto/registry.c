/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry.c - the table of application protocols (see proto.h).  The
 * order is the order recognition asks them: the first to say "yes" to a
 * side's first bytes wins.  A new protocol is one line here.
 */
#include <string.h>

#include "proto.h"

extern const struct proto_desc tls_proto, http_proto;
/* clear-text protocols that can upgrade to TLS, and tunnels (cleartext.h) */
extern const struct proto_desc smtp_proto, ftp_proto, pop3_proto, imap_proto, nntp_proto, xmpp_proto, ldap_proto,
    pgsql_proto, mysql_proto, socks4_proto, socks5_proto;

const struct proto_desc *const proto_table[] = {
    &tls_proto,
    &http_proto,
    &smtp_proto,
    &ftp_proto,
    &pop3_proto,
    &imap_proto,
    &nntp_proto,
    &xmpp_proto,
    &ldap_proto,
    &pgsql_proto,
    &mysql_proto,
    &socks4_proto,
    &socks5_proto,
    NULL,
};

const struct proto_desc *proto_by_name(const char *name)
{
    for (const struct proto_desc *const *d = proto_table; *d; d++)
        if (!strcmp((*d)->name, name))
            return *d;
    return NULL;
}
