/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_svg.c - a connection's ladder as one self-contained SVG picture
 * (SVG 1.1; no script, no external font or file): the same document the
 * text ladder prints (ladder_view.c), its lifelines and arrows drawn as
 * lines, its words as text on the same column grid, in the interface's
 * colours.  With an ID the picture goes to standard output; without one
 * each connection's goes to synfin-connection-ID.svg in the current
 * directory, and the file's name to standard output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_view.h"
#include "output.h"
#include "termtext.h"

#define CW 8.4   /* a column, in pixels: a 14 px monospace font's advance */
#define LH 18.0  /* a line */
#define PAD 16.0
#define LINES_AT_ONCE 256

struct svg_out {
    struct output_config cfg;
    struct ladder_geom g;
    struct lline *lines;    /* a window of lines, reused */
};

static void *svg_open(const struct output_config *cfg)
{
    struct svg_out *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->cfg = *cfg;
    ladder_geom_init(&o->g, cfg->width ? cfg->width : 100, 0, TIME_RELATIVE);
    if (!(o->lines = malloc(LINES_AT_ONCE * sizeof *o->lines))) {
        free(o);
        return NULL;
    }
    return o;
}

/* The picture's arrowheads and colours: the interface's, as a light background shows them. */
static const char svg_style[] =
    "<defs>\n"
    "<marker id=\"head-c2s\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
    "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1a7f37\"/></marker>\n"
    "<marker id=\"head-s2c\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
    "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#0a6e8a\"/></marker>\n"
    "</defs>\n"
    "<style>\n"
    "text { font-family: 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace; font-size: 14px;"
    " white-space: pre; fill: #1f2328; }\n"
    ".title { font-weight: bold; } .dim { fill: #6e7781; } .msg { font-weight: bold; }\n"
    ".state { fill: #9a6700; font-weight: bold; } .tag { fill: #cf222e; font-weight: bold; }\n"
    ".phase { fill: #0550ae; } .mark { fill: #1a7f37; } .c2s { fill: #1a7f37; } .s2c { fill: #0a6e8a; }\n"
    ".bg { fill: #ffffff; }\n"
    ".life { stroke: #57606a; stroke-width: 2; }\n"
    ".c2s-line { stroke: #1a7f37; stroke-width: 1.6; } .s2c-line { stroke: #0a6e8a; stroke-width: 1.6; }\n"
    ".phase-line { stroke: #0550ae; stroke-dasharray: 4 3; } .mark-line { stroke: #1a7f37; stroke-dasharray: 2 3; }\n"
    "</style>\n";

/* The interface's colour for a style (tui.c's pairs, as a light background shows them). */
static const char *style_class(const struct lspan *sp)
{
    switch (sp->style) {
    case LS_ARROW: return sp->from == SIDE_CLIENT ? "c2s" : "s2c";
    case LS_TAG: return "tag";
    case LS_STATE: return "state";
    case LS_PHASE: return "phase";
    case LS_MARK: return "mark";
    case LS_TITLE: return "title";
    case LS_TIME: case LS_SUMMARY: return "dim";
    case LS_MSG: return "msg";
    default: return "label";
    }
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: putc(*s, f); break;
        }
    }
}

static double col_x(double col) { return PAD + col * CW; }
static double mid_x(int col) { return PAD + (col + 0.5) * CW; }

/* Text from a span with the glyph runs (arrow bodies, phase dashes) taken off its ends. */
static void trimmed(const char *text, char *out, size_t len)
{
    static const char *const glyphs[] = {"╌", "─", "▶", "◀", " ", "⋯"};
    const char *p = text, *end = text + strlen(text);
    for (int again = 1; again;) {
        again = 0;
        for (size_t k = 0; k < sizeof glyphs / sizeof glyphs[0]; k++) {
            size_t gl = strlen(glyphs[k]);
            if ((size_t)(end - p) >= gl && !strncmp(p, glyphs[k], gl))
                p += gl, again = 1;
            if ((size_t)(end - p) >= gl && !strncmp(end - gl, glyphs[k], gl))
                end -= gl, again = 1;
        }
    }
    snprintf(out, len, "%.*s", (int)(end - p), p);
}

static void text_at(FILE *f, double x, double y, const char *cls, const char *anchor, const char *text)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\"%s%s%s>", x, y, cls, anchor ? " text-anchor=\"" : "",
            anchor ? anchor : "", anchor ? "\"" : "");
    xml_text(f, text);
    fputs("</text>\n", f);
}

/* A word centred on a line, on the background (a tag on an arrow, a phase's name). */
static void label_box(FILE *f, double cx, double y, const char *cls, const char *text)
{
    double w = (double)tt_width(text) * CW + 8;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"bg\"/>\n", cx - w / 2, y - LH + 5,
            w, LH - 2);
    text_at(f, cx, y, cls, "middle", text);
}

static void draw_line(FILE *f, const struct ladder_geom *g, const struct lline *l, double y)
{
    double base = y + LH - 5; /* the text's baseline in the row */
    if (l->kind == LK_PHASE) {
        char name[LSPAN_TEXT];
        const struct lspan *sp = NULL;
        for (int k = 0; k < l->nspans; k++)
            if (l->span[k].style == LS_PHASE || l->span[k].style == LS_MARK)
                sp = &l->span[k];
        if (!sp)
            return;
        trimmed(sp->text, name, sizeof name);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s-line\"/>\n", mid_x(g->life_l),
                y + LH / 2, mid_x(g->life_r), y + LH / 2, style_class(sp));
        label_box(f, (mid_x(g->life_l) + mid_x(g->life_r)) / 2, base, style_class(sp), name);
        return;
    }
    for (int k = 0; k < l->nspans; k++) {
        const struct lspan *sp = &l->span[k];
        if (sp->style == LS_LIFE)
            continue; /* drawn whole, once */
        if (sp->style == LS_ARROW || sp->style == LS_TAG)
            continue; /* drawn below: a line from lifeline to lifeline, the tag on it */
        char t[LSPAN_TEXT];
        trimmed(sp->text, t, sizeof t);
        if (!t[0])
            continue;
        /* text the layout right-aligned (times, the client's states, the server's labels) keeps its right edge */
        int end = sp->col + (int)tt_width(sp->text);
        int right = end == g->gutter || end == g->gutter + 1 + g->state_w || end == g->life_r - 1;
        if (sp->style == LS_SUMMARY)
            text_at(f, (mid_x(g->life_l) + mid_x(g->life_r)) / 2, base, "dim", "middle", t);
        else
            text_at(f, right ? col_x(end) : col_x(sp->col), base, style_class(sp), right ? "end" : NULL, t);
    }
    if (l->kind == LK_ARROW) {
        int from = SIDE_CLIENT;
        for (int k = 0; k < l->nspans; k++)
            if (l->span[k].style == LS_ARROW)
                from = l->span[k].from;
        double a = mid_x(g->life_l), b = mid_x(g->life_r), ym = y + LH / 2;
        const char *cls = from == SIDE_CLIENT ? "c2s" : "s2c";
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s-line\" marker-end=\"url(#head-%s)\"/>\n",
                from == SIDE_CLIENT ? a : b, ym, from == SIDE_CLIENT ? b - 2 : a + 2, ym, cls, cls);
        for (int k = 0; k < l->nspans; k++) /* the analysis notes, over the line */
            if (l->span[k].style == LS_TAG) {
                char t[LSPAN_TEXT];
                trimmed(l->span[k].text, t, sizeof t);
                label_box(f, (a + b) / 2, base, "tag", t);
            }
    }
}

/* The whole picture of one connection. */
static int svg_write(struct svg_out *o, FILE *f, const struct conn *c)
{
    struct ladder_doc d = {0};
    if (ladder_doc_build(&d, c, &o->g, TIME_RELATIVE, 0, NULL, 0) < 0) {
        ladder_doc_free(&d);
        return -1;
    }
    uint64_t n = d.total_lines;
    const struct ladder_geom *g = &o->g;
    double width = 2 * PAD + g->width * CW, height = 2 * PAD + (double)n * LH;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\">\n",
            width, height, width, height);
    char cl[64], sv[64];
    conn_endpoint_str(c, SIDE_CLIENT, cl, sizeof cl);
    conn_endpoint_str(c, SIDE_SERVER, sv, sizeof sv);
    fprintf(f, "<title>synfin: connection %llu, client %s, server %s</title>\n", (unsigned long long)c->id, cl, sv);
    fputs(svg_style, f);
    fputs("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", f);
    /* the lifelines, from the row of the states before the first packet (the header's last) to the end */
    uint64_t from = d.header_lines ? d.header_lines - 1 : 0;
    for (int side = 0; side < 2; side++) {
        double x = mid_x(side ? g->life_r : g->life_l);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"life\"/>\n", x,
                PAD + (double)from * LH, x, PAD + (double)n * LH);
    }
    for (uint64_t at = 0; at < n;) {
        size_t got = ladder_doc_lines(&d, at, LINES_AT_ONCE, o->lines);
        if (!got)
            break;
        for (size_t i = 0; i < got; i++)
            draw_line(f, g, &o->lines[i], PAD + (double)(at + i) * LH);
        at += got;
    }
    fputs("</svg>\n", f);
    ladder_doc_free(&d);
    return 0;
}

static void svg_conn(void *st, const struct conn *c)
{
    struct svg_out *o = st;
    if (o->cfg.only_id) {
        if (c->id == o->cfg.only_id && svg_write(o, o->cfg.f, c) < 0 && o->cfg.write_err)
            snprintf(o->cfg.write_err, CAPTURE_ERRLEN, "connection %llu: out of memory", (unsigned long long)c->id);
        return;
    }
    /* one file per connection, its name on standard output */
    char path[64];
    snprintf(path, sizeof path, "synfin-connection-%llu.svg", (unsigned long long)c->id);
    FILE *f = fopen(path, "w");
    int e = 0;
    if (!f || svg_write(o, f, c) < 0 || ferror(f))
        e = errno ? errno : ENOMEM;
    if (f && fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (e) {
        if (o->cfg.write_err && !o->cfg.write_err[0])
            snprintf(o->cfg.write_err, CAPTURE_ERRLEN, "%s: cannot write: %s", path, strerror(e));
        return;
    }
    fprintf(o->cfg.f, "%s\n", path);
}

static void svg_close(void *st, const struct pipeline_stats *ps)
{
    (void)ps;
    struct svg_out *o = st;
    free(o->lines);
    free(o);
}

const struct output_ops out_svg_ops = {svg_open, svg_conn, svg_close};

/* One connection's picture into f (the interface's export). */
int out_svg_conn(FILE *f, const struct conn *c, int width)
{
    struct output_config cfg = {.f = f, .width = width};
    struct svg_out *o = svg_open(&cfg);
    if (!o)
        return -1;
    int rc = svg_write(o, f, c);
    svg_close(o, NULL);
    return rc;
}
