/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_mermaid.c - a connection's ladder as a Mermaid sequenceDiagram, for
 * READMEs and tickets (GitHub, GitLab and most wikis draw it): the client
 * and the server as participants, one message per packet (the protocol
 * messages it completed on the same line), each side's TCP state as a note
 * where it changes, the phases as notes over both.  The rows are the text
 * ladder's (ladder_layout.c).  One diagram per connection, a blank line
 * between two.
 *
 * Wire text is cleaned for the terminal first (termtext.h), then the
 * characters Mermaid reads as syntax in a message are written as its
 * entity codes (#59; for ';', #35; for '#', #lt; #gt; for '<' '>').
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_layout.h"
#include "output.h"
#include "termtext.h"

struct mermaid_out {
    struct output_config cfg;
    int printed;
};

static void *mermaid_open(const struct output_config *cfg)
{
    struct mermaid_out *o = calloc(1, sizeof *o);
    if (o)
        o->cfg = *cfg;
    return o;
}

/* Text that Mermaid shows as it is. */
static void put_text(FILE *f, const char *s)
{
    char clean[1024];
    tt_cleans(clean, sizeof clean, s, 0);
    const char *p = clean;
    while (*p == ' ')
        p++;
    for (; *p; p++) {
        switch (*p) {
        case ';': fputs("#59;", f); break;
        case '#': fputs("#35;", f); break;
        case '<': fputs("#lt;", f); break;
        case '>': fputs("#gt;", f); break;
        case '%': fputs("#37;", f); break;
        default: putc(*p, f); break;
        }
    }
}

static int is_arrow_msg(const struct app_msg *m) { return m->kind != MSG_MARK && m->kind != MSG_NOTE; }

static void note(FILE *f, const char *where, const char *text)
{
    fprintf(f, "    Note %s: ", where);
    put_text(f, text);
    putc('\n', f);
}

static void arrow(FILE *f, int from, const char *text, const char *more, const char *tag)
{
    fprintf(f, "    %s->>%s: ", from == SIDE_CLIENT ? "C" : "S", from == SIDE_CLIENT ? "S" : "C");
    put_text(f, text);
    if (more && *more) {
        fputs("<br/>", f);
        put_text(f, more);
    }
    if (tag && *tag) {
        fputs(" [", f);
        put_text(f, tag);
        putc(']', f);
    }
    putc('\n', f);
}

static void states(FILE *f, const struct ladder_row *r)
{
    if (r->changed[SIDE_CLIENT])
        note(f, "left of C", tcp_state_name(r->state[SIDE_CLIENT]));
    if (r->changed[SIDE_SERVER])
        note(f, "right of S", tcp_state_name(r->state[SIDE_SERVER]));
}

static void diagram(FILE *f, const struct conn *c)
{
    char cl[64], sv[64], text[512];
    conn_endpoint_str(c, SIDE_CLIENT, cl, sizeof cl);
    conn_endpoint_str(c, SIDE_SERVER, sv, sizeof sv);
    fprintf(f, "%%%% synfin: connection %llu\nsequenceDiagram\n", (unsigned long long)c->id);
    fputs("    participant C as client ", f);
    put_text(f, cl);
    fputs("\n    participant S as server ", f);
    put_text(f, sv);
    putc('\n', f);
    int n = snprintf(text, sizeof text, "handshake %s", handshake_name(c->handshake));
    if (c->hs_rtt_ns >= 0)
        n += snprintf(text + n, sizeof text - (size_t)n, " (rtt %.3f ms)", (double)c->hs_rtt_ns / 1e6);
    n += snprintf(text + n, sizeof text - (size_t)n, ", teardown %s", teardown_name(c->teardown));
    if (c->closed_by >= 0)
        n += snprintf(text + n, sizeof text - (size_t)n, " (closed by %s)", c->closed_by == SIDE_CLIENT ? "client" : "server");
    snprintf(text + n, sizeof text - (size_t)n, ", %llu packets", (unsigned long long)c->packets);
    note(f, "over C,S", text);
    for (unsigned i = 0; i < c->nlayers; i++)
        if (c->layers[i].desc->title(c->layers[i].sum, text, sizeof text, 0))
            note(f, "over C,S", text);
    uint8_t init[2];
    ladder_initial_states(c, init);
    note(f, "left of C", tcp_state_name(init[SIDE_CLIENT]));
    note(f, "right of S", tcp_state_name(init[SIDE_SERVER]));
    struct ladder_cursor cur = {0};
    for (size_t i = 0; i < c->nevents; i++) {
        struct ladder_row r;
        ladder_row(c, i, &cur, &r);
        if (r.phase)
            note(f, "over C,S", r.phase);
        const struct app_msg *m = c->msgs ? c->msgs + r.msg_first : NULL;
        /* the messages its sender completed in it, on its own line */
        char more[512] = "";
        size_t at = 0;
        for (size_t k = 0; k < r.msg_count; k++)
            if (is_arrow_msg(&m[k]) && m[k].from == r.from && at < sizeof more) {
                int w = snprintf(more + at, sizeof more - at, "%s%s", at ? ", " : "", m[k].label);
                if (w > 0)
                    at += (size_t)w;
            }
        char t[48];
        snprintf(t, sizeof t, " (%.6f s)", (double)(r.t_ns - c->events[0].ts_ns) / 1e9);
        char label[LADDER_LABEL_MAX + 48];
        snprintf(label, sizeof label, "%s%s", r.label, t);
        arrow(f, r.from, label, more, r.tag);
        states(f, &r);
        for (size_t k = 0; k < r.msg_count; k++) {
            if (!is_arrow_msg(&m[k]))
                note(f, "over C,S", m[k].label);
            else if (m[k].from != r.from)
                arrow(f, m[k].from, m[k].label, NULL, NULL);
        }
    }
}

static void mermaid_conn(void *st, const struct conn *c)
{
    struct mermaid_out *o = st;
    if (o->cfg.only_id && c->id != o->cfg.only_id)
        return;
    if (o->printed++)
        putc('\n', o->cfg.f);
    diagram(o->cfg.f, c);
}

static void mermaid_close(void *st, const struct pipeline_stats *ps)
{
    (void)ps;
    free(st);
}

const struct output_ops out_mermaid_ops = {mermaid_open, mermaid_conn, mermaid_close};

int out_mermaid_conn(FILE *f, const struct conn *c)
{
    diagram(f, c);
    return 0;
}
