/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * follow.c - a connection's stream, both directions (see follow.h).
 *
 * Each direction's segments are sorted by relative sequence number and
 * swept once: bytes already delivered are skipped (a retransmission), a
 * jump forward is a gap.  The pieces of the two directions are then merged
 * by the packet that brought them, as RFC 9293's receivers would have read
 * them, one side's run after the other's.
 */
#include "follow.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"

struct seg {
    uint32_t seq, len, event;
    size_t at;           /* its captured bytes in the scratch */
    uint32_t have;       /* how many of them were captured */
};

static int push_piece(struct follow *f, const struct follow_piece *p)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        struct follow_piece *np = realloc(f->p, cap * sizeof *np);
        if (!np)
            return -1;
        f->p = np;
        f->cap = cap;
    }
    f->p[f->n++] = *p;
    return 0;
}

static int keep(struct follow *f, const uint8_t *b, size_t n, size_t *at)
{
    if (f->len + n > f->data_cap) {
        size_t cap = f->data_cap ? f->data_cap : 4096;
        while (cap < f->len + n)
            cap *= 2;
        uint8_t *d = realloc(f->data, cap);
        if (!d)
            return -1;
        f->data = d;
        f->data_cap = cap;
    }
    memcpy(f->data + f->len, b, n);
    *at = f->len;
    f->len += n;
    return 0;
}

static int by_seq(const void *a, const void *b)
{
    const struct seg *x = a, *y = b;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return x->event < y->event ? -1 : x->event > y->event;
}

/* Decrypted application data: the messages that carry it, in order. */
static int from_messages(struct follow *f, const struct conn *c, size_t budget)
{
    for (size_t k = 0; k < c->nmsgs; k++) {
        const struct app_msg *m = &c->msgs[k];
        if (m->kind != MSG_DATA || !m->data || !m->data_len)
            continue;
        if (f->len + m->data_len > budget) {
            f->truncated = 1;
            break;
        }
        struct follow_piece p = {.dir = m->from, .event = m->event, .len = m->data_len,
                                 .cut = m->data_len >= APP_MSG_DATA_MAX};
        if (keep(f, m->data, m->data_len, &p.at) < 0 || push_piece(f, &p) < 0)
            return -1;
        f->bytes[m->from] += m->data_len;
    }
    return 0;
}

int follow_build(struct follow *f, const struct conn *c, follow_packet_fn get, void *ctx, size_t budget)
{
    memset(f, 0, sizeof *f);
    for (size_t k = 0; k < c->nmsgs; k++)
        if (c->msgs[k].kind == MSG_DATA && c->msgs[k].data) {
            f->decrypted = 1;
            return from_messages(f, c, budget);
        }
    /* the segments with payload, by direction, their bytes kept in a scratch */
    struct seg *seg[2] = {NULL, NULL};
    size_t nseg[2] = {0, 0}, cap[2] = {0, 0};
    struct follow scratch = {0};
    int rc = 0;
    for (uint32_t i = 0; i < c->nevents && rc == 0; i++) {
        const struct event *e = &c->events[i];
        if (!e->len)
            continue;
        int d = e->from;
        if (nseg[d] == cap[d]) {
            cap[d] = cap[d] ? cap[d] * 2 : 64;
            struct seg *ns = realloc(seg[d], cap[d] * sizeof *ns);
            if (!ns) {
                rc = -1;
                break;
            }
            seg[d] = ns;
        }
        struct seg *s = &seg[d][nseg[d]++];
        *s = (struct seg){.seq = e->rel_seq, .len = e->len, .event = i};
        if (e->flags & TH_SYN)
            s->seq++; /* the SYN takes the first number */
        const uint8_t *data;
        uint32_t wirelen;
        int dlt;
        uint32_t caplen = scratch.len < budget ? get(ctx, i, &data, &wirelen, &dlt) : 0;
        struct pkt p;
        if (caplen && decode_packet(dlt, data, caplen, wirelen, &p) == DECODE_OK && p.payload) {
            uint32_t have = p.payload_caplen < e->len ? p.payload_caplen : e->len;
            if (keep(&scratch, p.payload, have, &s->at) < 0)
                rc = -1;
            s->have = have;
        } else {
            f->unread += scratch.len < budget; /* past the budget it is not unread, only not shown */
        }
    }
    /* each direction in order, swept once */
    struct follow_piece *dirp[2] = {NULL, NULL};
    size_t ndir[2] = {0, 0};
    for (int d = 0; d < 2 && rc == 0; d++) {
        qsort(seg[d], nseg[d], sizeof *seg[d], by_seq);
        uint32_t next = nseg[d] ? seg[d][0].seq : 0;
        struct follow part = {0};
        for (size_t k = 0; k < nseg[d] && rc == 0; k++) {
            const struct seg *s = &seg[d][k];
            uint32_t end = s->seq + s->len;
            if ((int32_t)(end - next) <= 0)
                continue; /* all of it came before */
            uint32_t skip = (int32_t)(s->seq - next) < 0 ? next - s->seq : 0;
            if ((int32_t)(s->seq - next) > 0) { /* a hole before it */
                struct follow_piece g = {.dir = (uint8_t)d, .gap = 1, .event = s->event, .len = s->seq - next};
                rc |= push_piece(&part, &g);
                f->gaps[d] += g.len;
            }
            uint32_t len = s->len - skip, have = s->have > skip ? s->have - skip : 0;
            if (f->len + have > budget) {
                f->truncated = 1;
                have = 0;
            }
            if (have) {
                struct follow_piece p = {.dir = (uint8_t)d, .event = s->event, .len = have};
                rc |= keep(f, scratch.data + s->at + skip, have, &p.at);
                rc |= push_piece(&part, &p);
                f->bytes[d] += have;
            }
            if (len > have && !f->truncated) { /* bytes the capture cut (snapshot length) or could not read */
                struct follow_piece g = {.dir = (uint8_t)d, .gap = 1, .event = s->event, .len = len - have};
                rc |= push_piece(&part, &g);
                f->gaps[d] += g.len;
            }
            next = end;
        }
        dirp[d] = part.p;
        ndir[d] = part.n;
    }
    /* the two directions merged by the packet each piece came in */
    size_t a = 0, b = 0;
    while (rc == 0 && (a < ndir[0] || b < ndir[1])) {
        int take0 = b >= ndir[1] || (a < ndir[0] && dirp[0][a].event <= dirp[1][b].event);
        rc = push_piece(f, take0 ? &dirp[0][a++] : &dirp[1][b++]);
    }
    free(dirp[0]);
    free(dirp[1]);
    free(seg[0]);
    free(seg[1]);
    follow_free(&scratch);
    return rc ? -1 : 0;
}

void follow_free(struct follow *f)
{
    free(f->p);
    free(f->data);
    memset(f, 0, sizeof *f);
}
