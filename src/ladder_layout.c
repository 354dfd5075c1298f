/*
 * ladder_layout.c - the rows of a sequence diagram (see ladder_layout.h).
 *
 * Phases follow the connection's life as the textbook draws it: the TCP
 * handshake while SYNs fly, data from the first payload byte, teardown from
 * the first FIN or RST.  A mid-stream capture starts in "data".
 */
#include "ladder_layout.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"

static const char *const phase_names[] = {NULL, "TCP handshake", "data", "teardown"};

void ladder_initial_states(const struct conn *c, uint8_t st[2])
{
    if (c->handshake == HS_MID_STREAM) {
        st[0] = st[1] = ST_ESTABLISHED;
    } else {
        st[SIDE_CLIENT] = ST_CLOSED;
        st[SIDE_SERVER] = ST_LISTEN;
    }
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

static enum ladder_phase phase_of(const struct event *e, enum ladder_phase prev)
{
    if (e->flags & (TH_FIN | TH_RST))
        return LADDER_PHASE_TEARDOWN;
    if (prev == LADDER_PHASE_TEARDOWN)
        return prev;
    if (e->len > 0)
        return LADDER_PHASE_DATA;
    if (e->flags & TH_SYN)
        return LADDER_PHASE_HANDSHAKE;
    return prev == LADDER_PHASE_NONE ? LADDER_PHASE_DATA : prev;
}

void ladder_row(const struct conn *c, size_t i, enum ladder_phase *phase, struct ladder_row *r)
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

    enum ladder_phase ph = phase_of(e, *phase);
    if (ph != *phase)
        r->phase = phase_names[ph];
    *phase = ph;

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
