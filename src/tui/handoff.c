/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * handoff.c - from synfin to Wireshark and tcpdump: a connection's display
 * filter and BPF expression, ready to copy (shown, and sent to the
 * terminal's clipboard with OSC 52 on a key), and connections saved as a
 * pcap file (out_pcap.h).
 *
 *   display filter  ip.addr==10.0.0.2 && tcp.port==40000 && ip.addr==10.0.0.1 && tcp.port==443
 *   BPF             host 10.0.0.2 and host 10.0.0.1 and tcp port 40000 and tcp port 443
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_pcap.h"
#include "tui.h"


static void addr_only(const struct row *r, int side, char *buf, size_t len)
{
    char ep[64];
    row_endpoint_str(r, side, ep, sizeof ep);
    char *colon = strrchr(ep, ':');
    if (colon)
        *colon = '\0';
    const char *a = ep;
    if (a[0] == '[') { /* [v6] */
        a++;
        size_t l = strlen(a);
        if (l && a[l - 1] == ']')
            ((char *)a)[l - 1] = '\0';
    }
    snprintf(buf, len, "%s", a);
}

void handoff_open(struct tui *t, const struct row *r)
{
    struct handoff *h = &t->handoff;
    char a[64], b[64];
    addr_only(r, SIDE_CLIENT, a, sizeof a);
    addr_only(r, SIDE_SERVER, b, sizeof b);
    const char *ip = r->ipver == 6 ? "ipv6" : "ip";
    memset(h, 0, sizeof *h);
    h->id = r->id;
    /* the form Wireshark's own "Conversation Filter" writes */
    snprintf(h->display, sizeof h->display, "%s.addr==%s && tcp.port==%u && %s.addr==%s && tcp.port==%u", ip,
             a, r->port[SIDE_CLIENT], ip, b, r->port[SIDE_SERVER]);
    /* this connection only, when the four-tuple was used again: its time too */
    snprintf(h->display_exact, sizeof h->display_exact,
             "%s && frame.time_epoch >= %lld.%09lld && frame.time_epoch <= %lld.%09lld", h->display,
             (long long)(r->first_ts_ns / 1000000000), (long long)(r->first_ts_ns % 1000000000),
             (long long)(r->last_ts_ns / 1000000000), (long long)(r->last_ts_ns % 1000000000));
    snprintf(h->bpf, sizeof h->bpf, "%shost %s and host %s and tcp port %u and tcp port %u",
             r->ipver == 6 ? "ip6 and " : "", a, b, r->port[SIDE_CLIENT], r->port[SIDE_SERVER]);
    t->help_top = 0;
    tui_push(t, &handoff_screen);
}

/* Base64 (RFC 4648) for OSC 52. */
static void base64(const char *in, char *out, size_t cap)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in), o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i += 3) {
        unsigned v = (unsigned char)in[i] << 16 | (i + 1 < n ? (unsigned char)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? (unsigned char)in[i + 2] : 0);
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
}

/* The terminal's clipboard (OSC 52: xterm, kitty, iTerm2, WezTerm, tmux with set-clipboard). */
static void copy(struct tui *t, const char *what, const char *text)
{
    char b64[1200];
    base64(text, b64, sizeof b64);
    fprintf(stdout, "\033]52;c;%s\a", b64);
    fflush(stdout);
    tui_message(t, "%s copied to the terminal's clipboard (OSC 52)", what);
}

static void handoff_draw(struct tui *t)
{
    const struct handoff *h = &t->handoff;
    int y = 2;
    char line[800];
    attrset(tui_attr(t, C_TITLE));
    snprintf(line, sizeof line, "Connection %llu in Wireshark and tcpdump", (unsigned long long)h->id);
    tui_text(y, 1, t->cols - 2, line);
    attrset(A_NORMAL);
    y += 2;
    const struct {
        const char *title, *text;
    } items[] = {
        {"Wireshark display filter (d copies it):", h->display},
        {"the same, this connection only (its time; the four-tuple may have been used again):", h->display_exact},
        {"BPF filter, for tcpdump, tshark -f, synfin (b copies it):", h->bpf},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        attrset(tui_attr(t, C_DIM));
        tui_text(y++, 1, t->cols - 2, items[i].title);
        attrset(tui_attr(t, C_STATE));
        tui_text(y++, 3, t->cols - 4, items[i].text); /* nothing from the wire: addresses and numbers */
        y++;
    }
    attrset(tui_attr(t, C_DIM));
    snprintf(line, sizeof line, "tcpdump -r FILE -w connection.pcap '%s'", h->bpf);
    tui_text(y++, 1, t->cols - 2, "for example:");
    tui_text(y++, 3, t->cols - 4, line);
    snprintf(line, sizeof line, "tshark -r FILE -Y '%s'", h->display);
    tui_text(y++, 3, t->cols - 4, line);
    y++;
    tui_text(y++, 1, t->cols - 2, "Behind VLAN tags a BPF filter needs \"vlan and\" before it (tcpdump's rule).");
    tui_text(y++, 1, t->cols - 2, "p on the list saves connections as a pcap file; e on the ladder this one.");
    attrset(A_NORMAL);
}

static int handoff_key(struct tui *t, int ch)
{
    const struct handoff *h = &t->handoff;
    switch (ch & TUI_KEY_MASK) {
    case 'd': copy(t, "the display filter", h->display); return 1;
    case 'D': copy(t, "the display filter (with the time)", h->display_exact); return 1;
    case 'b': copy(t, "the BPF filter", h->bpf); return 1;
    case 'y': tui_pop(t); return 1;
    default: return 0;
    }
}

static const char *const handoff_help[] = {
    "The filters that select this connection in Wireshark (display filter) and tcpdump (BPF).",
    "",
    "  d / D          copy the display filter (D: with the connection's time)",
    "  b              copy the BPF filter",
    "  q Esc y        back",
    "",
    "Copying uses the terminal's clipboard escape (OSC 52); under tmux set 'set-clipboard on'.",
    NULL,
};

const struct screen_ops handoff_screen = {
    .name = "filters",
    .draw = handoff_draw,
    .key = handoff_key,
    .keybar = " q back  d copy display filter  D with time  b copy BPF",
    .help = handoff_help,
    .help_title = "Help: filters for Wireshark and tcpdump",
};

/* ------------------------------------------------------------ pcap files */

void handoff_save_pcap(struct tui *t, const struct row *const *rows, size_t n, const char *what)
{
    if (t->live && !t->dump_path) {
        tui_message(t, "a live capture without -w FILE keeps no packets to save (start synfin with -w)");
        return;
    }
    if (!t->live && !t->seekable) {
        tui_message(t, "the input is a stream (standard input or a pipe): its packets cannot be read again");
        return;
    }
    char path[512];
    if (n == 1)
        snprintf(path, sizeof path, "%ssynfin-connection-%llu.pcap", tui_writable_dir(),
                 (unsigned long long)rows[0]->id);
    else
        snprintf(path, sizeof path, "%ssynfin-%s.pcap", tui_writable_dir(), what);
    char q[160];
    snprintf(q, sizeof q, "save the %zu %s connection%s as pcap to: ", n, what, n == 1 ? "" : "s");
    if (tui_prompt(t, q, path, sizeof path, HIST_PATH, 1) < 0 || !path[0])
        return;
    struct span_target *tg = malloc(n * sizeof *tg);
    if (!tg) {
        tui_message(t, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        span_target_of_row(rows[i], &tg[i]);
    char err[CAPTURE_ERRLEN];
    if (t->live)
        capture_flush(t->cap, err); /* what was captured must be in the -w file to be read back */
    struct pcap_save_result res;
    int rc = pcap_save(path, t->cap, t->live ? t->dump_path : NULL, tg, n, capture_ts_digits(t->cap) == 9, &res, err);
    free(tg);
    if (rc < 0) {
        char why[256] = "";
        if (res.err_no && res.err_no != EEXIST) {
            tui_errno_text(res.err_no, why, sizeof why);
            tui_message(t, "%s: cannot write: %s", path, why);
        } else {
            tui_message(t, "%s", err);
        }
        return;
    }
    if (res.other_links)
        tui_message(t, "%llu packets written to %s (%llu of another link type left out)", (unsigned long long)res.packets,
                    path, (unsigned long long)res.other_links);
    else
        tui_message(t, "%llu packets of %zu connection%s written to %s", (unsigned long long)res.packets, n,
                    n == 1 ? "" : "s", path);
}
