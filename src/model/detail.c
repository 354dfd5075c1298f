/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * detail.c - the detail pane's lines (see detail.h).  The packet is
 * decoded again from its bytes with the same decoder the analysis used.
 */
#include "detail.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "ladder_layout.h"
#include "termtext.h"

static void add(struct detail *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct detail *d, const char *fmt, ...)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        char(*l)[DETAIL_W] = realloc(d->line, cap * sizeof *l);
        if (!l)
            return;
        d->line = l;
        d->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->line[d->n], DETAIL_W, fmt, ap);
    va_end(ap);
    d->n++;
}

void detail_insert_line(struct detail *d, size_t at, const char *text)
{
    size_t before = d->n;
    add(d, "%s", text);
    if (d->n == before || at >= before)
        return;
    char last[DETAIL_W];
    memcpy(last, d->line[d->n - 1], DETAIL_W);
    memmove(d->line[at + 1], d->line[at], (d->n - 1 - at) * sizeof d->line[0]);
    memcpy(d->line[at], last, DETAIL_W);
}

void detail_free(struct detail *d)
{
    free(d->line);
    d->line = NULL;
    d->n = d->cap = 0;
}

/* Wire text for a line of the pane: cleaned for the terminal (termtext.h), the locale deciding what is drawn. */
static const char *wire(const char *s, size_t len, char *buf, size_t cap)
{
    tt_clean(buf, cap, s, len, 0);
    return buf;
}

/* A protocol's lines go in as they come: it cleaned its wire text (proto.h). */
static void add_line(void *ctx, const char *line) { add(ctx, "%s", line); }

static void hex_dump(struct detail *d, const uint8_t *pkt, uint32_t caplen);

static void message(struct detail *d, const struct conn *c, const struct app_msg *m)
{
    add(d, "%s", "");
    char text[DETAIL_W];
    add(d, "%s %s", m->from == SIDE_CLIENT ? "client ->" : "server ->", wire(m->label, strlen(m->label), text,
                                                                            sizeof text));
    /* what the protocol that said it adds first (a ClientHello's lists, a certificate's subject, issuer and
     * verdict, a Host): the summary reads before the bytes, decrypted ones as clear ones */
    if (m->layer < c->nlayers && c->layers[m->layer].desc->message_detail) {
        struct proto_lines out = {add_line, d, 0};
        c->layers[m->layer].desc->message_detail(c->layers[m->layer].sum, m, &out);
    }
    if (m->data) {
        add(d, "  decrypted, %u bytes%s:", m->data_len, m->data_len == APP_MSG_DATA_MAX ? " (first ones)" : "");
        hex_dump(d, m->data, m->data_len);
    }
}

static void addr_str(int ipver, const uint8_t *a, char *buf, size_t len)
{
    if (!inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len))
        snprintf(buf, len, "?");
}

/* What each kind of tunnel calls its identifier. */
static const char *encap_id_name(unsigned kind)
{
    switch (kind) {
    case ENCAP_GRE: return "key";
    case ENCAP_ERSPAN: return "session";
    case ENCAP_VXLAN: case ENCAP_GENEVE: return "VNI";
    case ENCAP_MPLS: return "label";
    case ENCAP_GTPU: return "TEID";
    case ENCAP_PPPOE: return "session";
    default: return "id";
    }
}

/* The link layer, VLAN tags and tunnels (outermost first) the frame came through. */
static void carrier_lines(struct detail *d, const struct pkt *p)
{
    char buf[DETAIL_W];
    const char *link = decode_link_name(p->link);
    size_t n = (size_t)snprintf(buf, sizeof buf, "link %s", link ? link : "?");
    if (p->nvlan && n < sizeof buf)
        n += (size_t)snprintf(buf + n, sizeof buf - n, ", VLAN");
    for (unsigned i = 0; i < p->nvlan && i < PKT_VLAN_MAX && n < sizeof buf; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, " %u", p->vlan[i]);
    if (p->nvlan > PKT_VLAN_MAX && n < sizeof buf)
        snprintf(buf + n, sizeof buf - n, " (and %u more)", p->nvlan - PKT_VLAN_MAX);
    add(d, "%s", buf);
    for (unsigned i = 0; i < p->nencap; i++) {
        const struct encap *e = &p->encap[i];
        char id[40] = "", outer[176] = "";
        if (e->has_id)
            snprintf(id, sizeof id, " %s %u", encap_id_name(e->kind), e->id);
        if (e->ipver) {
            char s[64], t[64];
            addr_str(e->ipver, e->src, s, sizeof s);
            addr_str(e->ipver, e->dst, t, sizeof t);
            snprintf(outer, sizeof outer, ", outer IPv%u %s -> %s", e->ipver, s, t);
        }
        add(d, "tunnel %s%s%s", encap_kind_name(e->kind), id, outer);
    }
}

static void packet_fields(struct detail *d, const struct conn *c, const struct event *e, const uint8_t *pkt,
                          uint32_t caplen, uint32_t wirelen, int dlt)
{
    struct pkt p;
    enum decode_status ds = decode_packet(dlt, pkt, caplen, wirelen, &p);
    char s[64], t[64], fl[48];
    if (ds == DECODE_FRAGMENT) {
        /* the segment was put together from this fragment and earlier ones: this frame holds its end */
        carrier_lines(d, &p);
        addr_str(p.frag.ipver, p.frag.src, s, sizeof s);
        addr_str(p.frag.ipver, p.frag.dst, t, sizeof t);
        add(d, "IPv%u %s -> %s, fragment id 0x%x, bytes %u-%u%s", p.frag.ipver, s, t, p.frag.id, p.frag.offset,
            p.frag.offset + p.frag.len, p.frag.more ? ", more follow" : ", the last");
        add(d, "  the TCP segment was reassembled from IP fragments: its fields are above");
        return;
    }
    if (ds != DECODE_OK) {
        add(d, "decode: %s", decode_status_name(ds));
        return;
    }
    carrier_lines(d, &p);
    addr_str(p.ipver, p.src, s, sizeof s);
    addr_str(p.ipver, p.dst, t, sizeof t);
    add(d, "IPv%u %s -> %s, %s %u%s", p.ipver, s, t, p.ipver == 6 ? "hop limit" : "ttl", p.ttl,
        p.source_routed ? " (source-routed: the route's final destination)" : "");
    if (p.len_note & PKT_LEN_OFFLOAD)
        add(d, "  IP length 0 or a jumbogram: segmentation offload, the length is the frame's");
    if (p.len_note & PKT_LEN_EXCEEDS)
        add(d, "  IPv4 total length exceeds the frame: the bytes there are used");
    ladder_flags_str(p.flags, fl, sizeof fl);
    const struct side *snd = &c->side[e->from], *rcv = &c->side[!e->from];
    (void)snd;
    (void)rcv;
    add(d, "TCP %u -> %u  [%s]", p.sport, p.dport, fl);
    add(d, "  seq %u (relative %u)", p.seq, e->rel_seq);
    if (p.flags & TH_ACK)
        add(d, "  ack %u (relative %u)", p.ack, e->rel_ack);
    add(d, "  window %u (%u scaled), header %u bytes, payload %u bytes%s", p.win, e->win, p.tcp_hlen, p.seg_len,
        p.truncated ? " (cut by the snapshot length)" : "");
    char opts[DETAIL_W];
    size_t n = (size_t)snprintf(opts, sizeof opts, "  options:");
    size_t base = n;
    if (p.opt.mss)
        n += (size_t)snprintf(opts + n, sizeof opts - n, " mss %u", p.opt.mss);
    if (p.opt.wscale != 0xff && n < sizeof opts)
        n += (size_t)snprintf(opts + n, sizeof opts - n, " wscale %u", p.opt.wscale);
    if (p.opt.sack_perm && n < sizeof opts)
        n += (size_t)snprintf(opts + n, sizeof opts - n, " sack-permitted");
    if (p.opt.sack_blocks && n < sizeof opts)
        n += (size_t)snprintf(opts + n, sizeof opts - n, " sack %u blocks", p.opt.sack_blocks);
    if (p.opt.has_ts && n < sizeof opts)
        n += (size_t)snprintf(opts + n, sizeof opts - n, " ts val %u ecr %u", p.opt.ts_val, p.opt.ts_ecr);
    if (n == base && n < sizeof opts)
        snprintf(opts + n, sizeof opts - n, " (none)");
    add(d, "%s", opts);
}

static void hex_dump(struct detail *d, const uint8_t *pkt, uint32_t caplen)
{
    for (uint32_t off = 0; off < caplen; off += 16) {
        char hex[64], asc[20];
        size_t h = 0;
        uint32_t k;
        for (k = 0; k < 16; k++) {
            if (off + k < caplen)
                h += (size_t)snprintf(hex + h, sizeof hex - h, "%02x%s", pkt[off + k], k == 7 ? "  " : " ");
            else
                h += (size_t)snprintf(hex + h, sizeof hex - h, "  %s", k == 7 ? "  " : " ");
            asc[k] = off + k < caplen ? (pkt[off + k] >= 0x20 && pkt[off + k] < 0x7f ? (char)pkt[off + k] : '.') : ' ';
        }
        asc[16] = '\0';
        add(d, "%04x  %s |%s|", off, hex, asc);
    }
}

void detail_build(struct detail *d, const struct conn *c, uint32_t event, int32_t msg, const uint8_t *pkt,
                  uint32_t caplen, uint32_t wirelen, int dlt, const char *why_not)
{
    d->n = 0;
    if (event >= c->nevents)
        return;
    const struct event *e = &c->events[event];
    char fl[48];
    ladder_flags_str(e->flags, fl, sizeof fl);
    add(d, "packet %u of the connection, frame %llu, %s -> %s", event + 1, (unsigned long long)e->frame,
        e->from == SIDE_CLIENT ? "client" : "server", e->from == SIDE_CLIENT ? "server" : "client");
    add(d, "  %.6f s after its first packet, %u payload bytes, %s", (double)(e->ts_ns - c->events[0].ts_ns) / 1e9,
        e->len, fl);
    add(d, "  states after it: client %s, server %s", tcp_state_name(e->state[SIDE_CLIENT]),
        tcp_state_name(e->state[SIDE_SERVER]));
    if (e->notes) {
        char notes[DETAIL_W];
        size_t n = 0;
        notes[0] = '\0';
        for (unsigned b = 0; b < NOTE_COUNT_; b++)
            if (e->notes & (1u << b))
                n += (size_t)snprintf(notes + n, sizeof notes - n, "%s%s", n ? ", " : "", note_name(b));
        add(d, "  analysis: %s", notes);
    }
    if (pkt)
        packet_fields(d, c, e, pkt, caplen, wirelen, dlt);
    for (size_t k = 0; k < c->nmsgs; k++) {
        const struct app_msg *m = &c->msgs[k];
        uint32_t ev = m->event < c->nevents ? m->event : (uint32_t)c->nevents - 1;
        if (ev == event && (msg < 0 || (size_t)msg == k))
            message(d, c, m);
    }
    if (pkt) {
        add(d, "%s", "");
        add(d, "bytes (%u captured):", caplen);
        hex_dump(d, pkt, caplen);
    } else
        add(d, "bytes: %s", why_not ? why_not : "not available");
}
