/*
 * registry.c - the table of application protocols (see proto.h).  The
 * order is the order recognition asks them: the first to say "yes" to a
 * side's first bytes wins.  A new protocol is one line here.
 */
#include <string.h>

#include "proto.h"

extern const struct proto_desc tls_proto, http_proto;

const struct proto_desc *const proto_table[] = {
    &tls_proto,
    &http_proto,
    NULL,
};

const struct proto_desc *proto_by_name(const char *name)
{
    for (const struct proto_desc *const *d = proto_table; *d; d++)
        if (!strcmp((*d)->name, name))
            return *d;
    return NULL;
}
