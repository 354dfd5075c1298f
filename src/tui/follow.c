/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * follow.c - the follow-stream view: the payload of both directions of a
 * connection (follow.h), the client's in the client's colour, the server's
 * in the server's, as text (each line of the stream a line, wrapped at the
 * screen's width, bytes that are not text escaped) or as a hex dump (x
 * toggles); a gap in the stream is a line of its own saying how many bytes
 * were never seen.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "follow.h"
#include "loader.h"
#include "termtext.h"
#include "tui.h"

#define FOLLOW_BUDGET (4u << 20) /* payload shown at most */
#define PKT_MAX 262144

/* A line of the view: a slice of a piece. */
struct fline {
    uint32_t piece;
    uint32_t off, len;
};

struct follow_state {
    struct follow f;
    struct fline *l;
    size_t n, cap;
    int hex;
    int width;          /* the lines were cut for this width */
    size_t top;
    char title[200];
    /* where the packets are read from while building */
    struct packet_reader *reader;
    const struct conn *c;
    uint8_t *pkt;
};

static uint32_t get_packet(void *ctx, uint32_t event, const uint8_t **data, uint32_t *wirelen, int *dlt)
{
    struct follow_state *s = ctx;
    uint32_t iface;
    int64_t off = s->c->events[event].offset;
    if (!s->reader || off < 0)
        return 0;
    uint32_t n = packet_reader_get(s->reader, off, s->pkt, PKT_MAX, wirelen, dlt, &iface);
    *data = s->pkt;
    return n;
}

static int add_line(struct follow_state *s, size_t piece, size_t off, size_t len)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        struct fline *l = realloc(s->l, cap * sizeof *l);
        if (!l)
            return -1;
        s->l = l;
        s->cap = cap;
    }
    s->l[s->n++] = (struct fline){(uint32_t)piece, (uint32_t)off, (uint32_t)len};
    return 0;
}

/* Cut the pieces into lines for `width` columns. */
static void lay_out(struct follow_state *s, int width)
{
    s->n = 0;
    s->width = width;
    size_t room = width > 8 ? (size_t)width - 2 : 8;
    for (size_t i = 0; i < s->f.n; i++) {
        const struct follow_piece *p = &s->f.p[i];
        if (p->gap) {
            add_line(s, i, 0, 0);
            continue;
        }
        if (s->hex) {
            for (size_t o = 0; o < p->len; o += 16)
                add_line(s, i, o, p->len - o < 16 ? p->len - o : 16);
        } else {
            /* a line of the stream per line; a long one wrapped (a byte drawn as an escape takes four columns) */
            const uint8_t *d = s->f.data + p->at;
            size_t start = 0, w = 0;
            for (size_t o = 0; o < p->len; o++) {
                if (d[o] == '\n') {
                    add_line(s, i, start, o + 1 - start);
                    start = o + 1;
                    w = 0;
                    continue;
                }
                size_t cw = d[o] >= 0x20 && d[o] < 0x7f ? 1 : 4;
                if (w + cw > room) {
                    add_line(s, i, start, o - start);
                    start = o;
                    w = 0;
                }
                w += cw;
            }
            if (start < p->len)
                add_line(s, i, start, p->len - start);
        }
        if (p->cut)
            add_line(s, i, 0, 0); /* the note that only the first bytes were kept */
    }
}

void follow_open(struct tui *t, const struct conn *c)
{
    if (!c)
        return;
    struct follow_state *s = calloc(1, sizeof *s);
    if (!s) {
        tui_message(t, "out of memory");
        return;
    }
    s->c = c;
    char err[CAPTURE_ERRLEN];
    if (t->live && t->dump_path)
        capture_flush(t->cap, err);
    if (t->live ? t->dump_path != NULL : t->seekable)
        s->reader = packet_reader_open(t->cap, t->live ? t->dump_path : NULL, err);
    s->pkt = malloc(PKT_MAX);
    if (!s->pkt || follow_build(&s->f, c, get_packet, s, FOLLOW_BUDGET) < 0) {
        tui_message(t, "out of memory");
        packet_reader_close(s->reader);
        free(s->pkt);
        follow_free(&s->f);
        free(s);
        return;
    }
    packet_reader_close(s->reader);
    s->reader = NULL;
    free(s->pkt);
    s->pkt = NULL;
    s->c = NULL;
    char cl[64], sv[64];
    conn_endpoint_str(c, SIDE_CLIENT, cl, sizeof cl);
    conn_endpoint_str(c, SIDE_SERVER, sv, sizeof sv);
    snprintf(s->title, sizeof s->title, "stream of connection %llu: client %s %s, server %s %s%s",
             (unsigned long long)c->id, cl, t->ascii ? "->" : "→", sv, t->ascii ? "<-" : "←",
             s->f.decrypted ? " (decrypted)" : "");
    if (t->follow) { /* one at a time */
        follow_free(&t->follow->f);
        free(t->follow->l);
        free(t->follow);
    }
    t->follow = s;
    if (s->f.unread && !s->f.n)
        tui_message(t, "the packets' bytes cannot be read again (%s)",
                    t->live ? "live without -w FILE" : "the input is a stream");
    else
        tui_message(t, "client %llu bytes, server %llu bytes, %llu bytes missing%s", (unsigned long long)s->f.bytes[0],
                    (unsigned long long)s->f.bytes[1], (unsigned long long)(s->f.gaps[0] + s->f.gaps[1]),
                    s->f.truncated ? " (the first 4 MiB shown)" : "");
    tui_push(t, &follow_screen);
}

static int body_rows(const struct tui *t) { return t->rows - 4; }

static void follow_draw(struct tui *t)
{
    struct follow_state *s = t->follow;
    if (!s)
        return;
    if (s->width != t->cols)
        lay_out(s, t->cols);
    attrset(tui_attr(t, C_TITLE));
    char head[300];
    snprintf(head, sizeof head, "%s, %s", s->title, s->hex ? "hex" : "text");
    tui_text(1, 0, t->cols, head);
    attrset(A_NORMAL);
    int rows = body_rows(t);
    if (s->top + (size_t)rows > s->n)
        s->top = s->n > (size_t)rows ? s->n - (size_t)rows : 0;
    if (!s->n) {
        attrset(tui_attr(t, C_DIM));
        tui_text(3, 2, t->cols - 4, s->f.unread ? "the packets' bytes cannot be read again" : "no payload in either direction");
        attrset(A_NORMAL);
    }
    for (int r = 0; r < rows && s->top + (size_t)r < s->n; r++) {
        const struct fline *l = &s->l[s->top + (size_t)r];
        const struct follow_piece *p = &s->f.p[l->piece];
        char text[1200];
        int y = 2 + r;
        if (p->gap || (!l->len && p->cut)) {
            attrset(tui_attr(t, C_TAG) | A_BOLD);
            if (p->gap)
                snprintf(text, sizeof text, "[%s: %llu bytes never seen (a gap in the capture)]",
                         p->dir == SIDE_CLIENT ? "client" : "server", (unsigned long long)p->len);
            else
                snprintf(text, sizeof text, "[only the first %llu bytes of this record were kept]", (unsigned long long)p->len);
            tui_text(y, 0, t->cols, text);
            attrset(A_NORMAL);
            continue;
        }
        attrset(tui_attr(t, p->dir == SIDE_CLIENT ? C_C2S : C_S2C));
        const uint8_t *d = s->f.data + p->at + l->off;
        if (s->hex) {
            size_t n = 0;
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%08x  ", p->dir == SIDE_CLIENT ? "" : "    ", l->off);
            for (uint32_t k = 0; k < 16; k++)
                n += (size_t)snprintf(text + n, sizeof text - n, k < l->len ? "%02x " : "   ", k < l->len ? d[k] : 0);
            n += (size_t)snprintf(text + n, sizeof text - n, " ");
            for (uint32_t k = 0; k < l->len && n + 2 < sizeof text; k++)
                text[n++] = d[k] >= 0x20 && d[k] < 0x7f ? (char)d[k] : '.';
            text[n] = '\0';
        } else {
            /* the stream's bytes are data: cleaned for the terminal; the line's end is the line */
            uint32_t len = l->len;
            if (len && d[len - 1] == '\n')
                len--;
            if (len && d[len - 1] == '\r')
                len--;
            tt_clean(text, sizeof text, (const char *)d, len, t->ascii ? TT_ASCII : 0);
        }
        tui_text(y, 0, t->cols, text);
        attrset(A_NORMAL);
    }
}

static void follow_leave(struct tui *t)
{
    struct follow_state *s = t->follow;
    if (!s)
        return;
    follow_free(&s->f);
    free(s->l);
    free(s);
    t->follow = NULL;
}

static int follow_key(struct tui *t, int ch)
{
    struct follow_state *s = t->follow;
    if (!s)
        return 0;
    int rows = body_rows(t), wheel = ch & TUI_KEY_WHEEL;
    size_t page = rows > 1 ? (size_t)rows - 1 : 1;
    if (ch & TUI_KEY_CLICK)
        return 1;
    switch (ch & TUI_KEY_MASK) {
    case KEY_DOWN: case 'j': s->top += wheel ? 3 : 1; return 1;
    case KEY_UP: case 'k': s->top = s->top > (wheel ? 3u : 1u) ? s->top - (wheel ? 3 : 1) : 0; return 1;
    case KEY_NPAGE: case ' ': s->top += page; return 1;
    case KEY_PPAGE: s->top = s->top > page ? s->top - page : 0; return 1;
    case KEY_HOME: case 'g': s->top = 0; return 1;
    case KEY_END: case 'G': s->top = s->n; return 1;
    case 'x':
        s->hex = !s->hex;
        s->width = 0; /* laid out again */
        s->top = 0;
        tui_message(t, "%s", s->hex ? "hex" : "text");
        return 1;
    case KEY_RESIZE: return 1;
    default: return 0;
    }
}

static const char *const follow_help[] = {
    "The stream: both directions' payload in the order it came, each direction put in",
    "sequence order (a retransmission once, out-of-order bytes in their place), the",
    "client's in green, the server's in cyan; a gap the capture never saw is a red line.",
    "With a TLS key log, the decrypted application data (the first 4 KiB of each record).",
    "",
    "  Up/Down j/k    scroll          PgUp/PgDn Space  a page     Home/End g/G  ends",
    "  x              text / hex",
    "  q Esc          back to the ladder",
    NULL,
};

const struct screen_ops follow_screen = {
    .name = "follow",
    .draw = follow_draw,
    .key = follow_key,
    .keybar = " q back  ? help  Up/Down scroll  x text/hex",
    .help = follow_help,
    .help_title = "Help: following the stream",
    .leave = follow_leave,
};
