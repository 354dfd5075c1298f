/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ladder_layout.c - the rows of a sequence diagram (see ladder_layout.h).
 *
 * Phases follow the connection's life as the textbook draws it: the TCP
 * handshake while SYNs fly, the TLS handshake from the ClientHello, data
 * from the first application byte, teardown from the first FIN or RST.  A
 * phase never goes back (an alert in the teardown stays in the teardown),
 * and a mid-stream capture starts in "data".
 */
#include "ladder_layout.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"

void ladder_initial_states(const struct conn *c, uint8_t st[2])
{
    st[SIDE_CLIENT] = c->start_state[SIDE_CLIENT];
    st[SIDE_SERVER] = c->start_state[SIDE_SERVER];
}

void ladder_flags_str(uint8_t flags, char *buf, size_t len)
{
    static const struct { uint8_t bit; const char *name; } order[] = {
        {TH_SYN, "SYN"}, {TH_FIN, "FIN"}, {TH_RST, "RST"}, {TH_PSH, "PSH"},
        {TH_ACK, "ACK"}, {TH_URG, "URG"}, {TH_ECE, "ECE"}, {TH_CWR, "CWR"},
    };
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(flags & order[i].bit))
            continue;
        int w = snprintf(buf + n, len - n, "%s%s", n ? "+" : "", order[i].name);
        if (w < 0 || (size_t)w >= len - n)
            return;
        n += (size_t)w;
    }
    if (!n)
        snprintf(buf, len, "none");
}

/* The phase this event would put the connection in, before "never go back". */
static enum ladder_phase phase_of(const struct conn *c, const struct event *e, const struct app_msg *m, size_t nm)
{
    if (e->flags & (TH_FIN | TH_RST))
        return LADDER_PHASE_TEARDOWN;
    if (e->flags & TH_SYN)
        return LADDER_PHASE_HANDSHAKE;
    enum ladder_phase ph = LADDER_PHASE_NONE;
    for (size_t k = 0; k < nm; k++) {
        enum ladder_phase p = LADDER_PHASE_NONE;
        switch (m[k].kind) {
        case MSG_DATA: case MSG_REQUEST: case MSG_RESPONSE:
            p = LADDER_PHASE_DATA;
            break;
        case MSG_HANDSHAKE:
            p = (enum ladder_phase)(LADDER_PHASE_PROTO + (m[k].layer < PROTO_LAYERS_MAX ? m[k].layer : 0));
            break;
        default:
            break;
        }
        if (p > ph)
            ph = p;
    }
    if (ph == LADDER_PHASE_NONE && e->len > 0) { /* payload that completes no message: the first negotiation, if any */
        ph = LADDER_PHASE_DATA;
        for (unsigned i = 0; i < c->nlayers; i++)
            if (c->layers[i].desc->has_handshake) {
                ph = (enum ladder_phase)(LADDER_PHASE_PROTO + i);
                break;
            }
    }
    return ph;
}

static const char *phase_name(struct ladder_cursor *cur, const struct conn *c, enum ladder_phase ph)
{
    switch (ph) {
    case LADDER_PHASE_NONE: return NULL;
    case LADDER_PHASE_HANDSHAKE: return "TCP handshake";
    case LADDER_PHASE_DATA: return "data";
    case LADDER_PHASE_TEARDOWN: return "teardown";
    default: {
        unsigned layer = (unsigned)(ph - LADDER_PHASE_PROTO);
        const struct proto_layer *l = layer < c->nlayers ? &c->layers[layer] : NULL;
        if (l && l->desc->phase)
            l->desc->phase(l->sum, cur->phase_text, sizeof cur->phase_text);
        else
            snprintf(cur->phase_text, sizeof cur->phase_text, "%s", l ? l->desc->name : "protocol");
        return cur->phase_text;
    }
    }
}

void ladder_row(const struct conn *c, size_t i, struct ladder_cursor *cur, struct ladder_row *r)
{
    const struct event *e = &c->events[i];
    uint8_t before[2];
    if (i == 0)
        ladder_initial_states(c, before);
    else
        memcpy(before, c->events[i - 1].state, 2);

    memset(r, 0, sizeof *r);
    r->t_ns = e->ts_ns;
    r->from = e->from;
    for (int s = 0; s < 2; s++) {
        r->state[s] = e->state[s];
        r->changed[s] = e->state[s] != before[s];
    }

    /* this event's messages; the last event also takes those delivered after it (at the end) */
    size_t k = cur->next_msg < c->nmsgs ? cur->next_msg : c->nmsgs;
    r->msg_first = k;
    while (k < c->nmsgs && (c->msgs[k].event <= i || i + 1 == c->nevents))
        k++;
    r->msg_count = k - r->msg_first;
    cur->next_msg = k;

    /* no messages at all: no array either (NULL + 0 is undefined in C) */
    enum ladder_phase ph = phase_of(c, e, c->msgs ? c->msgs + r->msg_first : NULL, r->msg_count);
    if (ph == LADDER_PHASE_NONE && cur->phase == LADDER_PHASE_NONE)
        ph = LADDER_PHASE_DATA; /* a mid-stream capture starts in the data */
    if (ph > cur->phase) {
        cur->phase = ph;
        r->phase = phase_name(cur, c, ph);
    }

    char fl[40];
    ladder_flags_str(e->flags, fl, sizeof fl);
    int n = snprintf(r->label, sizeof r->label, "%s seq=%u", fl, e->rel_seq);
    if (e->flags & TH_ACK)
        n += snprintf(r->label + n, sizeof r->label - (size_t)n, " ack=%u", e->rel_ack);
    snprintf(r->label + n, sizeof r->label - (size_t)n, " len=%u win=%u", e->len, e->win);

    size_t t = 0;
    for (unsigned b = 0; b < NOTE_COUNT_; b++) {
        if (!(e->notes & (1u << b)))
            continue;
        int w = snprintf(r->tag + t, sizeof r->tag - t, "%s%s", t ? ", " : "", note_name(b));
        if (w < 0 || (size_t)w >= sizeof r->tag - t)
            break;
        t += (size_t)w;
    }
}
