/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conn.c - the connection record's vocabularies, endpoint names, and the
 * lifetime of a connection and its event list.  The spellings below are a
 * contract with users' scripts (see synfin(1)); never rename one.
 */
#include "conn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[ST_COUNT] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};
static const char *const handshake_names[HS_COUNT] = {
    "complete", "syn-only", "no-final-ack", "rejected", "simultaneous-open", "mid-stream",
};
static const char *const teardown_names[TD_COUNT] = {
    "four-way", "three-way", "simultaneous", "reset", "half-closed", "incomplete", "open",
};
static const char *const app_names[APP_COUNT] = {"none", "unknown", "tls", "http", "smtp", "imap", "pop3", "ftp",
                                                 "ldap", "xmpp", "nntp", "postgresql", "mysql", "socks4", "socks5"};
static const char *const note_names[NOTE_COUNT_] = {
    "retransmission", "spurious-retransmission", "out-of-order", "dup-ack", "zero-window",
    "window-update", "keep-alive", "lost-segment", "truncated", "ip-length-exceeds-frame", "reassembled",
};

const char *tcp_state_name(enum tcp_state s) { return (unsigned)s < ST_COUNT ? state_names[s] : "?"; }
const char *handshake_name(enum handshake_kind h) { return (unsigned)h < HS_COUNT ? handshake_names[h] : "?"; }
const char *teardown_name(enum teardown_kind t) { return (unsigned)t < TD_COUNT ? teardown_names[t] : "?"; }
const char *app_name(enum app_kind a) { return (unsigned)a < APP_COUNT ? app_names[a] : "?"; }
const char *note_name(unsigned bit) { return bit < NOTE_COUNT_ ? note_names[bit] : "?"; }

/* "a.b.c.d" by hand, written backwards to end at `p`; returns where it starts.  Every output
 * line holds two endpoints, and inet_ntop plus snprintf was a tenth of a JSON line's cost. */
static char *ipv4_digits(const uint8_t *a, char *p)
{
    for (int i = 3; i >= 0; i--) {
        unsigned v = a[i];
        do
            *--p = (char)('0' + v % 10);
        while (v /= 10);
        if (i)
            *--p = '.';
    }
    return p;
}

/* The text from p to end (its NUL included) into buf, cut to len. */
static void put_text(const char *p, const char *end, char *buf, size_t len)
{
    size_t n = (size_t)(end - p);
    if (len == 0)
        return;
    if (n > len) {
        memcpy(buf, p, len - 1);
        buf[len - 1] = '\0';
        return;
    }
    memcpy(buf, p, n);
}

/* "a.b.c.d:port" */
static void ipv4_endpoint(const uint8_t *a, uint16_t port, char *buf, size_t len)
{
    char tmp[24], *p = tmp + sizeof tmp;
    *--p = '\0';
    do
        *--p = (char)('0' + port % 10);
    while (port /= 10);
    *--p = ':';
    p = ipv4_digits(a, p);
    put_text(p, tmp + sizeof tmp, buf, len);
}

void conn_addr_str(const struct conn *c, int side, char *buf, size_t len)
{
    const struct side *s = &c->side[side];
    if (c->ipver == 4) {
        char tmp[16], *end = tmp + sizeof tmp;
        end[-1] = '\0';
        put_text(ipv4_digits(s->addr, end - 1), end, buf, len);
    } else if (len && !inet_ntop(AF_INET6, s->addr, buf, (socklen_t)len)) {
        buf[0] = '\0';
    }
}

size_t conn_memory(const struct conn *c)
{
    /* the allocator's header and rounding of the block (16 bytes in glibc): a flood holds millions */
    size_t n = sizeof *c + 16;
    /* a ladder cut short (--memcap) no longer grows: evicting others cannot shrink it, so it is not counted */
    if (!c->events_capped) {
        n += c->cap_events * sizeof *c->events + c->cap_msgs * sizeof *c->msgs;
        for (size_t i = 0; i < c->nmsgs; i++)
            n += c->msgs[i].data_len;
    }
    if (c->layers)
        n += PROTO_LAYERS_MAX * sizeof *c->layers;
    if (c->encap)
        n += sizeof *c->encap + c->encap->nencap * sizeof c->encap->encap[0];
    return n;
}

void conn_endpoint_str(const struct conn *c, int side, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN];
    const struct side *s = &c->side[side];
    if (c->ipver == 4 && len > 0) {
        ipv4_endpoint(s->addr, s->port, buf, len);
        return;
    }
    if (!inet_ntop(c->ipver == 6 ? AF_INET6 : AF_INET, s->addr, a, sizeof a))
        snprintf(a, sizeof a, "?");
    snprintf(buf, len, c->ipver == 6 ? "[%s]:%u" : "%s:%u", a, s->port);
}

struct conn *conn_new(uint64_t id, const struct pkt *p, int from_is_client, int64_t ts_ns)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    int from = from_is_client ? SIDE_CLIENT : SIDE_SERVER;
    size_t alen = p->ipver == 6 ? 16 : 4;
    c->id = id;
    c->ipver = p->ipver;
    memcpy(c->side[from].addr, p->src, alen);
    memcpy(c->side[!from].addr, p->dst, alen);
    c->side[from].port = p->sport;
    c->side[!from].port = p->dport;
    c->first_ts_ns = c->last_ts_ns = ts_ns;
    c->hs_rtt_ns = -1;
    c->first_offset = c->last_offset = -1;
    c->closed_by = -1;
    c->link = p->link;
    if (p->nvlan || p->nencap) {
        /* only the rare tunnelled or tagged connection pays for the record */
        c->encap = malloc(sizeof *c->encap + p->nencap * sizeof c->encap->encap[0]);
        if (!c->encap) {
            free(c);
            return NULL;
        }
        c->encap->nvlan = p->nvlan;
        c->encap->nencap = p->nencap;
        memcpy(c->encap->vlan, p->vlan, (p->nvlan < PKT_VLAN_MAX ? p->nvlan : PKT_VLAN_MAX) * sizeof p->vlan[0]);
        memcpy(c->encap->encap, p->encap, p->nencap * sizeof p->encap[0]);
    }
    for (int i = 0; i < 2; i++)
        c->side[i].wscale = 0xff;
    return c;
}

void conn_free(struct conn *c)
{
    if (!c)
        return;
    free(c->events);
    for (size_t i = 0; i < c->nmsgs; i++)
        free(c->msgs[i].data);
    free(c->msgs);
    free(c->owned_summaries);
    free(c->layers);
    free(c->encap);
    free(c);
}

int conn_add_event(struct conn *c, const struct event *e)
{
    if (c->nevents == c->cap_events) {
        size_t n = c->cap_events ? c->cap_events * 2 : 16;
        struct event *ev = realloc(c->events, n * sizeof *ev);
        if (!ev) {
            c->events_dropped++;
            return -1;
        }
        c->events = ev;
        c->cap_events = n;
    }
    c->events[c->nevents++] = *e;
    return 0;
}

void conn_add_msg(struct conn *c, int layer, int from, enum app_msg_kind kind, uint16_t code, const char *label)
{
    conn_add_msg_data(c, layer, from, kind, code, label, NULL, 0);
}

void conn_add_msg_data(struct conn *c, int layer, int from, enum app_msg_kind kind, uint16_t code,
                       const char *label, const uint8_t *data, size_t len)
{
    if (!c->keep_events)
        return;
    if (c->nmsgs == c->cap_msgs) {
        size_t n = c->cap_msgs ? c->cap_msgs * 2 : 8;
        struct app_msg *m = realloc(c->msgs, n * sizeof *m);
        if (!m) {
            c->events_dropped++;
            return;
        }
        c->msgs = m;
        c->cap_msgs = n;
    }
    struct app_msg *m = &c->msgs[c->nmsgs++];
    /* the packet being analysed becomes event nevents once tcp.c is done with it */
    m->event = (uint32_t)c->nevents;
    m->from = (uint8_t)from;
    m->kind = (uint8_t)kind;
    m->layer = (uint8_t)layer;
    m->code = code;
    snprintf(m->label, sizeof m->label, "%s", label);
    m->data = NULL;
    m->data_len = 0;
    if (data && len) {
        size_t keep = len < APP_MSG_DATA_MAX ? len : APP_MSG_DATA_MAX;
        if ((m->data = malloc(keep))) {
            memcpy(m->data, data, keep);
            m->data_len = (uint32_t)keep;
        }
    }
}
