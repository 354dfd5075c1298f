/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ladder.c - the ladder's layout (rows, labels, phases, state changes)
 * and its text drawing: one column grid, nothing drifts, at any width.
 */
#include <CUnit/Basic.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "conn.h"
#include "ladder_layout.h"
#include "output.h"
#include "tcp.h"
#include "unit.h"

#define CLI 0x0a000002u
#define SRV 0x0a000001u

static struct conn *conn;
static struct track *track; /* conn's tracker while it is built */
static const struct tcp_ctx tctx = {1 << 20, NULL};

static void put32(uint8_t *a, uint32_t v)
{
    a[0] = (uint8_t)(v >> 24), a[1] = (uint8_t)(v >> 16), a[2] = (uint8_t)(v >> 8), a[3] = (uint8_t)v;
}

/* Send one segment from the client (to_server) or the server, through the real TCP observer. */
static void seg(int from_client, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len, int64_t t_us)
{
    static const uint8_t zeros[2000];
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = 4;
    put32(p.src, from_client ? CLI : SRV);
    put32(p.dst, from_client ? SRV : CLI);
    p.sport = from_client ? 40000 : 80;
    p.dport = from_client ? 80 : 40000;
    p.seq = seq, p.ack = ack, p.flags = flags, p.win = 1000;
    p.opt.wscale = 0xff;
    p.payload = len ? zeros : NULL;
    p.payload_caplen = p.seg_len = len;
    if (!conn) {
        conn = conn_new(1, &p, from_client, t_us * 1000);
        track = conn ? track_new(conn) : NULL;
        if (!track) /* built in the suite's setup, where CUnit cannot assert */
            abort();
        tcp_start(track, &p);
    }
    struct event ev;
    tcp_packet(track, from_client ? SIDE_CLIENT : SIDE_SERVER, &p, t_us * 1000, conn->nevents + 1, &tctx, &ev);
    conn_add_event(conn, &ev);
}

/* The textbook connection: handshake, one request and answer, four-way close. */
static int build_conn(void)
{
    conn = NULL;
    seg(1, TH_SYN, 1000, 0, 0, 0);
    seg(0, TH_SYN | TH_ACK, 5000, 1001, 0, 100);
    seg(1, TH_ACK, 1001, 5001, 0, 200);
    seg(1, TH_PSH | TH_ACK, 1001, 5001, 50, 300);
    seg(0, TH_ACK, 5001, 1051, 0, 400);
    seg(0, TH_PSH | TH_ACK, 5001, 1051, 70, 500);
    seg(0, TH_PSH | TH_ACK, 5001, 1051, 70, 900); /* a retransmission */
    seg(1, TH_FIN | TH_ACK, 1051, 5071, 0, 1000);
    seg(0, TH_ACK, 5071, 1052, 0, 1100);
    seg(0, TH_FIN | TH_ACK, 5071, 1052, 0, 1200);
    seg(1, TH_ACK, 1052, 5072, 0, 1300);
    tcp_finish(track, &tctx);
    track_free(track); /* the record goes on to the ladder, as in the pipeline */
    track = NULL;
    return 0;
}

static int free_conn(void)
{
    conn_free(conn);
    conn = NULL;
    return 0;
}

static void test_rows(void)
{
    struct ladder_row r[11];
    struct ladder_cursor cur = {0};
    CU_ASSERT_EQUAL_FATAL(conn->nevents, 11);
    for (size_t i = 0; i < 11; i++)
        ladder_row(conn, i, &cur, &r[i]);
    CU_ASSERT_STRING_EQUAL(r[0].label, "SYN seq=0 len=0 win=1000");
    CU_ASSERT_STRING_EQUAL(r[1].label, "SYN+ACK seq=0 ack=1 len=0 win=1000");
    CU_ASSERT_STRING_EQUAL(r[3].label, "PSH+ACK seq=1 ack=1 len=50 win=1000");
    CU_ASSERT_STRING_EQUAL(r[7].label, "FIN+ACK seq=51 ack=71 len=0 win=1000");
    CU_ASSERT_STRING_EQUAL(r[0].phase, "TCP handshake");
    CU_ASSERT_PTR_NULL(r[1].phase);
    CU_ASSERT_PTR_NULL(r[2].phase);
    CU_ASSERT_STRING_EQUAL(r[3].phase, "data");
    CU_ASSERT_PTR_NULL(r[4].phase);
    CU_ASSERT_STRING_EQUAL(r[7].phase, "teardown");
    CU_ASSERT_PTR_NULL(r[8].phase);
    CU_ASSERT_STRING_EQUAL(r[6].tag, "retransmission");
    CU_ASSERT_STRING_EQUAL(r[5].tag, "");
    /* the states change exactly where the textbook says, and only there */
    static const struct { int row, side; enum tcp_state st; } changes[] = {
        {0, SIDE_CLIENT, ST_SYN_SENT}, {1, SIDE_SERVER, ST_SYN_RECV}, {2, SIDE_CLIENT, ST_ESTABLISHED},
        {2, SIDE_SERVER, ST_ESTABLISHED}, {7, SIDE_CLIENT, ST_FIN_WAIT_1}, {8, SIDE_SERVER, ST_CLOSE_WAIT},
        {8, SIDE_CLIENT, ST_FIN_WAIT_2}, {9, SIDE_SERVER, ST_LAST_ACK}, {10, SIDE_CLIENT, ST_TIME_WAIT},
        {10, SIDE_SERVER, ST_CLOSED},
    };
    int seen = 0;
    for (int i = 0; i < 11; i++)
        for (int s = 0; s < 2; s++) {
            if (!r[i].changed[s])
                continue;
            seen++;
            int found = 0;
            for (size_t k = 0; k < sizeof changes / sizeof changes[0]; k++)
                if (changes[k].row == i && changes[k].side == s) {
                    found = 1;
                    CU_ASSERT_EQUAL(r[i].state[s], changes[k].st);
                }
            CU_ASSERT(found);
        }
    CU_ASSERT_EQUAL(seen, (int)(sizeof changes / sizeof changes[0]));
    CU_ASSERT_EQUAL(conn->teardown, TD_FOUR_WAY);
}

static void test_flags_str(void)
{
    char b[40];
    ladder_flags_str(TH_SYN | TH_ACK, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "SYN+ACK");
    ladder_flags_str(0, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "none");
    ladder_flags_str(0xff, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "SYN+FIN+RST+PSH+ACK+URG+ECE+CWR");
    ladder_flags_str(0xff, b, 8); /* too small: cut, still terminated */
    CU_ASSERT(strlen(b) < 8);
}

/* Draw the connection; return the text (caller frees). */
static char *draw(int ascii, int width)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct output_config oc = {.f = f, .ts_digits = 6, .ascii = ascii, .width = width};
    void *o = out_ladder_ops.open(&oc);
    out_ladder_ops.conn(o, conn);
    out_ladder_ops.close(o, NULL);
    fclose(f);
    return text;
}

/* Display column of every lifeline glyph on a line, as a bit set (columns < 256). */
static void lifeline_columns(const char *line, int ascii, unsigned char cols[256], int *width)
{
    wchar_t w[512];
    memset(cols, 0, 256);
    mbstowcs(w, line, 511);
    w[511] = 0;
    int n = (int)wcslen(w);
    *width = n;
    for (int i = 0; i < n && i < 256; i++) {
        int life = ascii ? (w[i] == L'|' || w[i] == L'+') : (w[i] == L'│' || w[i] == L'├' || w[i] == L'┤');
        cols[i] = (unsigned char)life;
    }
}

static void check_grid(int ascii, int width)
{
    char *text = draw(ascii, width);
    int left = -1, right = -1, lines = 0, arrows = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned char cols[256];
        int w;
        lifeline_columns(line, ascii, cols, &w);
        int first = -1, last = -1, count = 0;
        for (int i = 0; i < 256; i++)
            if (cols[i]) {
                if (first < 0)
                    first = i;
                last = i;
                count++;
            }
        if (count == 0)
            continue; /* title lines */
        lines++;
        if (left < 0)
            left = first, right = last;
        CU_ASSERT_EQUAL(first, left);   /* nothing drifts */
        CU_ASSERT_EQUAL(last, right);
        if (!ascii) /* ASCII labels hold "+" too (SYN+ACK) */
            CU_ASSERT_EQUAL(count, 2);
        CU_ASSERT(w <= width);          /* fits the width asked for */
        if (strstr(line, ascii ? "->" : "─▶") || strstr(line, ascii ? "<-" : "◀─"))
            arrows++;
    }
    CU_ASSERT_EQUAL(arrows, 11);
    CU_ASSERT(lines >= 11 * 2 + 1);
    CU_ASSERT(right - left > 20);
    free(text);
}

static void test_grid_ascii_80(void) { check_grid(1, 80); }
static void test_grid_utf8_80(void) { check_grid(0, 80); }
static void test_grid_utf8_132(void) { check_grid(0, 132); }

static void test_draw_content(void)
{
    char *text = draw(1, 80);
    /* the tag stands on the arrow; the states read off in order on the left */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "- retransmission -"));
    const char *order[] = {"SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"};
    const char *p = text;
    for (size_t i = 0; i < 5; i++) {
        const char *q = strstr(p, order[i]);
        CU_ASSERT_PTR_NOT_NULL(q);
        if (q)
            p = q;
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "connection 1: client 10.0.0.2:40000, server 10.0.0.1:80"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "teardown four-way (closed by client)"));
    free(text);
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    static const struct unit_case tests[] = {
        {"rows of the textbook connection", test_rows},
        {"flag names", test_flags_str},
        {"ASCII grid at 80 columns", test_grid_ascii_80},
        {"UTF-8 grid at 80 columns", test_grid_utf8_80},
        {"UTF-8 grid at 132 columns", test_grid_utf8_132},
        {"drawn content", test_draw_content},
    };
    return unit_run("ladder", build_conn, free_conn, tests, UNIT_COUNT(tests));
}
