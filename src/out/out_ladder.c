/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_ladder.c - the text sequence diagram: every line of each
 * connection's ladder document (ladder_view.c) printed in full, with
 * box-drawing characters or ASCII, one connection after another; with
 * --color, in the interface's colours (SGR escapes, ECMA-48 8.3.117).
 */
#include <stdlib.h>
#include <string.h>

#include "ladder_view.h"
#include "output.h"

#define LINES_AT_ONCE 256

struct ladder_out {
    struct output_config cfg;
    struct ladder_geom g;
    int printed;             /* connections drawn so far */
    struct lline *lines;     /* a window of lines, reused */
};

static void *ladder_open(const struct output_config *cfg)
{
    struct ladder_out *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->cfg = *cfg;
    ladder_geom_init(&o->g, cfg->width, cfg->ascii, TIME_RELATIVE);
    o->lines = malloc(LINES_AT_ONCE * sizeof *o->lines);
    if (!o->lines) {
        free(o);
        return NULL;
    }
    return o;
}

/* The SGR parameters of a span: the interface's colour for its style ("" for none). */
static const char *sgr(const struct lspan *sp)
{
    switch (sp->style) {
    case LS_ARROW: return sp->from == SIDE_CLIENT ? "32" : "36";
    case LS_TAG: return "1;31";
    case LS_STATE: return "33";
    case LS_PHASE: return "34";
    case LS_MARK: return "32";
    case LS_TITLE: return "1";
    case LS_MSG: return "1";
    case LS_TIME: case LS_SUMMARY: return "2";
    default: return "";
    }
}

/* A line with each span in its colour (spaces between them uncoloured). */
static void put_colored(FILE *f, const struct lline *l)
{
    size_t col = 0;
    for (int k = 0; k < l->nspans; k++) {
        const struct lspan *s = &l->span[k];
        while (col < s->col) {
            putc(' ', f);
            col++;
        }
        const char *p = sgr(s);
        if (*p)
            fprintf(f, "\033[%sm%s\033[0m", p, s->text);
        else
            fputs(s->text, f);
        col += utf8_width(s->text);
    }
    putc('\n', f);
}

static void ladder_conn(void *st, const struct conn *c)
{
    struct ladder_out *o = st;
    if (o->cfg.only_id && c->id != o->cfg.only_id)
        return;
    FILE *f = o->cfg.f;
    if (o->printed++)
        putc('\n', f);
    struct ladder_doc d = {0};
    if (ladder_doc_build(&d, c, &o->g, TIME_RELATIVE, 0, NULL, 0) < 0) {
        fprintf(f, "connection %llu: (out of memory)\n", (unsigned long long)c->id);
        ladder_doc_free(&d);
        return;
    }
    char text[2048];
    for (uint64_t at = 0; at < d.total_lines;) {
        size_t n = ladder_doc_lines(&d, at, LINES_AT_ONCE, o->lines);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            if (o->cfg.color) {
                put_colored(f, &o->lines[i]);
                continue;
            }
            lline_text(&o->lines[i], text, sizeof text);
            fputs(text, f);
            putc('\n', f);
        }
        at += n;
    }
    ladder_doc_free(&d);
    if (c->events_dropped)
        fprintf(f, "  (%llu events not shown: out of memory)\n", (unsigned long long)c->events_dropped);
    if (c->events_capped)
        fprintf(f, "  (cut short after %llu of %llu packets: --memcap reached)\n", (unsigned long long)c->nevents,
                (unsigned long long)c->packets);
}

static void ladder_close(void *st, const struct pipeline_stats *ps)
{
    (void)ps;
    struct ladder_out *o = st;
    free(o->lines);
    free(o);
}

const struct output_ops out_ladder_ops = {ladder_open, ladder_conn, ladder_close};
