/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_where.h - a connection judged by a filter expression (where.h) over
 * the very JSON object --json writes for it: one source of truth for what
 * a key holds, whichever output or screen asks.
 */
#ifndef SYNFIN_OUT_WHERE_H
#define SYNFIN_OUT_WHERE_H

#include "json.h"
#include "output.h"
#include "where.h"

struct conn_judge {
    struct output_config cfg; /* how the object is written (times, interfaces); never its events */
    struct jw w;              /* the object's text, reused */
};

void judge_init(struct conn_judge *j, const struct output_config *cfg);
/* The connection's JSON object (valid until the next call); *len its length. */
const char *judge_json(struct conn_judge *j, const struct conn *c, size_t *len);
/* Does c pass `where`? */
int judge_conn(struct conn_judge *j, struct where *where, const struct conn *c);
void judge_free(struct conn_judge *j);

#endif
