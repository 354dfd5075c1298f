/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_where.c - a connection's JSON object, and a filter expression's
 * verdict over it (see out_where.h).
 */
#include "out_where.h"

#include <string.h>

void judge_init(struct conn_judge *j, const struct output_config *cfg)
{
    memset(j, 0, sizeof *j);
    j->cfg = *cfg;
    j->cfg.events = 0;
    j->cfg.f = NULL;
    jw_init(&j->w, NULL);
}

const char *judge_json(struct conn_judge *j, const struct conn *c, size_t *len)
{
    /* a fresh document in the same buffer (jw_flush would write it somewhere) */
    j->w.len = 0;
    j->w.depth = 0;
    j->w.nonempty[0] = 0;
    j->w.oom = 0;
    out_json_object(&j->w, c, &j->cfg);
    *len = j->w.oom ? 0 : j->w.len;
    return j->w.buf ? j->w.buf : "";
}

int judge_conn(struct conn_judge *j, struct where *where, const struct conn *c)
{
    size_t len;
    const char *text = judge_json(j, c, &len);
    return len && where_match(where, text, len);
}

void judge_free(struct conn_judge *j) { jw_free(&j->w); }
