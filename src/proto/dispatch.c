/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dispatch.c - one connection's protocol layers over the registry (see
 * app.h, proto.h).
 *
 * Recognition looks at the first bytes each side sent, never at the port,
 * asking the registry's protocols in order.  While a side's first bytes are
 * still ambiguous (an HTTP request line not finished yet) they are kept, up
 * to a cap, and replayed to the parser once the protocol is known; a
 * connection that no protocol claims after the cap, or whose bytes say
 * otherwise, is "unknown" for good.
 *
 * Layers stack: slot 0 reads TCP's bytes; the plaintext a layer decrypts is
 * recognised the same way in the slot above it (or taken by the protocol its
 * ALPN named); and a layer that hands its stream over (STARTTLS) starts the
 * next slot, which then reads TCP's bytes in its place.  A protocol already
 * on the connection is not recognised again above itself (the SMTP inside
 * TLS after STARTTLS), so each has one JSON object.
 *
 * Some protocols need both sides' first bytes (SMTP and FTP greet alike and
 * differ by the client's first command): their sniff_pair sees what each
 * side kept.  When a decision replays bytes a side sent earlier, the
 * messages they hold are put on the packets that carried them.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bytes.h"
#include "proto.h"

#define SNIFF_CAP 8192 /* an HTTP request line may be this long before we give up on it */

enum slot_state { SLOT_EMPTY, SLOT_UNDECIDED, SLOT_RUNNING, SLOT_NONE };

struct app_state;

/* One layer of protocol on the connection, and the env its parser calls back through. */
struct slot {
    struct app_state *owner;
    int index;
    uint8_t state;                 /* enum slot_state */
    const struct proto_desc *desc; /* RUNNING: its protocol */
    void *st;
    uint8_t *sniff[2];             /* UNDECIDED: first bytes of a side (SIDE_CLIENT, SIDE_SERVER) */
    size_t sniff_len[2];
    uint32_t sniff_event[2];       /* the packet event that brought a side's last kept bytes */
    uint8_t handing;               /* its data() handed the stream over (to next, or to recognition) */
    uint32_t held_event;           /* the packet event that brought the last bytes its parser holds back */
    const struct proto_desc *next;
};

struct app_state {
    struct app_ctx *ax;
    struct conn *conn;
    int bottom;                    /* the slot TCP's bytes go to */
    int top;                       /* slots from here up are empty (they fill from below, and stay) */
    int64_t replay_event;          /* >= 0: kept bytes of that packet event are being replayed */
    struct slot slot[PROTO_LAYERS_MAX];
};

static void slot_feed(struct slot *s, int dir, const uint8_t *p, size_t n);

/* A slot leaves SLOT_EMPTY (never to return to it). */
static void wake(struct slot *s, enum slot_state state)
{
    s->state = (uint8_t)state;
    if (s->owner->top <= s->index)
        s->owner->top = s->index + 1;
}

/* ------------------------------------------------------------ what parsers call back */

static void env_message(void *ctx, int from_client, int kind, uint16_t code, const char *label,
                        const uint8_t *data, size_t len)
{
    struct slot *s = ctx;
    struct conn *c = s->owner->conn;
    size_t before = c->nmsgs;
    conn_add_msg_data(c, s->index, from_client ? SIDE_CLIENT : SIDE_SERVER, (enum app_msg_kind)kind, code, label,
                      data, len);
    if (s->owner->replay_event >= 0 && c->nmsgs > before) {
        /* replayed bytes: the message belongs to the packet that brought them, after that packet's others */
        struct app_msg m = c->msgs[c->nmsgs - 1];
        size_t i = c->nmsgs - 1;
        m.event = (uint32_t)s->owner->replay_event;
        for (; i > 0 && c->msgs[i - 1].event > m.event; i--)
            c->msgs[i] = c->msgs[i - 1];
        c->msgs[i] = m;
    }
}

static void env_holding(void *ctx)
{
    struct slot *s = ctx;
    s->held_event = (uint32_t)s->owner->conn->nevents;
}

static void env_upper(void *ctx, int from_client, const uint8_t *p, size_t n)
{
    struct slot *s = ctx;
    if (s->index + 1 >= PROTO_LAYERS_MAX)
        return;
    struct slot *up = &s->owner->slot[s->index + 1];
    if (up->state == SLOT_EMPTY)
        wake(up, SLOT_UNDECIDED);
    slot_feed(up, from_client ? SIDE_CLIENT : SIDE_SERVER, p, n);
}

static void env_hand_over(void *ctx, const struct proto_desc *next)
{
    struct slot *s = ctx;
    s->handing = 1;
    s->next = next;
}

/* ------------------------------------------------------------ starting a layer */

static int start(struct slot *s, const struct proto_desc *d)
{
    struct app_state *a = s->owner;
    struct conn *c = a->conn;
    struct proto_env env = {.ctx = s, .app = a->ax, .upper = env_upper, .hand_over = env_hand_over,
                            .holding = env_holding};
    env.message = c->keep_events ? env_message : NULL; /* without a ladder to draw, nobody listens */
    if (s->index > 0 && a->slot[s->index - 1].state == SLOT_RUNNING) {
        env.outer = a->slot[s->index - 1].desc;
        env.outer_summary = env.outer->summary(a->slot[s->index - 1].st);
    }
    if (!c->layers && !(c->layers = calloc(PROTO_LAYERS_MAX, sizeof *c->layers))) {
        wake(s, SLOT_NONE);
        return -1;
    }
    if (c->nlayers >= PROTO_LAYERS_MAX || !(s->st = d->start(&env))) {
        wake(s, SLOT_NONE);
        return -1;
    }
    s->desc = d;
    wake(s, SLOT_RUNNING);
    c->layers[c->nlayers].desc = d;
    c->layers[c->nlayers].sum = d->summary(s->st);
    c->nlayers++;
    return 0;
}

static int on_connection(const struct conn *c, const struct proto_desc *d)
{
    for (unsigned i = 0; i < c->nlayers; i++)
        if (c->layers[i].desc == d)
            return 1;
    return 0;
}

/* The protocol a side's first bytes (p, n) name, with what the other side kept: one, or NULL with *more
 * set when they may yet. */
static const struct proto_desc *classify(const struct slot *s, int dir, const uint8_t *p, size_t n, int *more)
{
    const uint8_t *other = s->sniff[!dir];
    size_t other_len = other ? s->sniff_len[!dir] : 0;
    *more = 0;
    for (const struct proto_desc *const *d = proto_table; *d; d++) {
        if (s->owner->conn->nlayers && on_connection(s->owner->conn, *d))
            continue;
        enum proto_sniff r;
        if ((*d)->sniff_pair)
            r = dir == SIDE_CLIENT ? (*d)->sniff_pair(p, n, other, other_len) : (*d)->sniff_pair(other, other_len, p, n);
        else
            r = (*d)->sniff(p, n, dir == SIDE_CLIENT);
        if (r == PROTO_YES)
            return *d;
        *more |= r == PROTO_MAYBE;
    }
    return NULL;
}

/* The protocol the layer below negotiated by name (TLS's ALPN "h2"), when one in the table runs it. */
static const struct proto_desc *negotiated_by_outer(struct slot *s)
{
    if (s->index == 0)
        return NULL;
    const struct slot *below = &s->owner->slot[s->index - 1];
    if (below->state != SLOT_RUNNING || !below->desc->negotiated)
        return NULL;
    const char *name = below->desc->negotiated(below->desc->summary(below->st));
    if (!name)
        return NULL;
    for (const struct proto_desc *const *d = proto_table; *d; d++)
        for (const char *const *a = (*d)->alpn; a && *a; a++)
            if (!strcmp(*a, name))
                return *d;
    return NULL;
}

static void drop_sniff(struct slot *s, int dir)
{
    free(s->sniff[dir]);
    s->sniff[dir] = NULL;
    s->sniff_len[dir] = 0;
}

/* An undecided slot: keep looking at its first bytes; once decided, replay what was kept. */
static void recognise(struct slot *s, int dir, const uint8_t *p, size_t n, int full)
{
    struct app_state *a = s->owner;
    const uint8_t *look = p;
    size_t look_len = n;
    if (s->sniff_len[dir]) {
        size_t add = n < SNIFF_CAP - s->sniff_len[dir] ? n : SNIFF_CAP - s->sniff_len[dir];
        memcpy(s->sniff[dir] + s->sniff_len[dir], p, add);
        s->sniff_len[dir] += add;
        s->sniff_event[dir] = (uint32_t)a->conn->nevents;
        look = s->sniff[dir];
        look_len = s->sniff_len[dir];
    }
    int more = 0;
    const struct proto_desc *d = negotiated_by_outer(s);
    if (!d)
        d = classify(s, dir, look, look_len, &more);
    if (!d && more && !full && look_len < SNIFF_CAP) {
        if (!s->sniff_len[dir]) {
            if (!(s->sniff[dir] = malloc(SNIFF_CAP))) {
                s->state = SLOT_NONE;
                return;
            }
            size_t keep = n < SNIFF_CAP ? n : SNIFF_CAP;
            memcpy(s->sniff[dir], p, keep);
            s->sniff_len[dir] = keep;
            s->sniff_event[dir] = (uint32_t)a->conn->nevents;
        }
        return;
    }
    if (!d || start(s, d) < 0)
        s->state = SLOT_NONE;
    /* replay what was kept, of both sides (the other side may have been waiting too), the older first,
     * each side's messages on the packet that brought its bytes */
    int first = s->sniff_len[SIDE_CLIENT] && s->sniff_len[SIDE_SERVER] &&
                        s->sniff_event[SIDE_SERVER] < s->sniff_event[SIDE_CLIENT]
                    ? SIDE_SERVER
                    : SIDE_CLIENT;
    for (int k = 0; k < 2; k++) {
        int side = k ? !first : first;
        if (!s->sniff_len[side])
            continue;
        size_t len = s->sniff_len[side];
        uint8_t *kept = s->sniff[side];
        s->sniff[side] = NULL;
        s->sniff_len[side] = 0;
        if (s->state == SLOT_RUNNING) {
            a->replay_event = s->sniff_event[side];
            slot_feed(s, side, kept, len); /* this call's bytes are already inside `kept` for the deciding side */
            a->replay_event = -1;
        }
        if (side == dir)
            p = NULL;
        free(kept);
    }
    if (p && s->state == SLOT_RUNNING)
        slot_feed(s, dir, p, n);
}

/* Bytes of one direction for a slot, whatever its state. */
static void slot_feed(struct slot *s, int dir, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (s->state == SLOT_UNDECIDED) {
        recognise(s, dir, p, n, 0);
        return;
    }
    if (s->state != SLOT_RUNNING)
        return;
    size_t used = s->desc->data(s->st, dir == SIDE_CLIENT, p, n, s->owner->conn->last_ts_ns / 1000000000);
    if (!s->handing)
        return;
    /* it handed its stream over: the rest of this and everything after goes to the next protocol */
    const struct proto_desc *next = s->next;
    s->handing = 0;
    s->next = NULL;
    if (s->index + 1 >= PROTO_LAYERS_MAX)
        return;
    struct slot *up = &s->owner->slot[s->index + 1];
    if (up->state != SLOT_EMPTY)
        return;
    if (next) {
        if (start(up, next) < 0)
            return;
    } else {
        wake(up, SLOT_UNDECIDED); /* what the tunnel carries is recognised like a connection's first bytes */
    }
    s->owner->bottom = up->index;
    /* the other direction's bytes the parser held back until the answer came first: the next layer's too */
    int held_client = 0;
    size_t held_len = 0;
    const uint8_t *held = s->desc->held ? s->desc->held(s->st, &held_client, &held_len) : NULL;
    if (held && held_len) {
        s->owner->replay_event = s->held_event;
        slot_feed(up, held_client ? SIDE_CLIENT : SIDE_SERVER, held, held_len);
        s->owner->replay_event = -1;
    }
    struct cursor rest;
    cur_init(&rest, p, n);
    cur_skip(&rest, used); /* a parser never says it used more than it was given; if it did, nothing is left */
    if (cur_left(&rest))
        slot_feed(up, dir, cur_here(&rest), cur_left(&rest));
}

/* ------------------------------------------------------------ the connection's side */

static struct app_state *state_new(struct app_ctx *ax, struct conn *c)
{
    struct app_state *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->ax = ax;
    a->conn = c;
    a->replay_event = -1;
    for (int i = 0; i < PROTO_LAYERS_MAX; i++) {
        a->slot[i].owner = a;
        a->slot[i].index = i;
    }
    wake(&a->slot[0], SLOT_UNDECIDED);
    return a;
}

void app_data(struct app_ctx *ax, struct app_state **st, struct conn *c, int dir, const uint8_t *p, size_t n)
{
    if (!n || (!*st && !(*st = state_new(ax, c))))
        return;
    slot_feed(&(*st)->slot[(*st)->bottom], dir, p, n);
}

void app_gap(struct app_state *a, int dir, uint64_t n)
{
    if (!a)
        return;
    struct slot *s = &a->slot[a->bottom];
    if (s->state == SLOT_UNDECIDED) /* the first bytes are gone: nothing can be recognised on this side any more */
        drop_sniff(s, dir);
    else if (s->state == SLOT_RUNNING)
        s->desc->gap(s->st, dir == SIDE_CLIENT, n);
}

void app_rst(struct app_state *a)
{
    for (int i = 0; a && i < PROTO_LAYERS_MAX; i++)
        if (a->slot[i].state == SLOT_RUNNING && a->slot[i].desc->rst)
            a->slot[i].desc->rst(a->slot[i].st);
}

void app_finish(struct app_state *a, struct conn *c)
{
    if (a) {
        /* the connection ended while a side's first bytes were still ambiguous: decide on what there is */
        for (int i = 0; i < PROTO_LAYERS_MAX; i++) {
            struct slot *s = &a->slot[i];
            for (int side = 0; side < 2 && s->state == SLOT_UNDECIDED; side++)
                if (s->sniff_len[side]) {
                    int more;
                    if (classify(s, side, s->sniff[side], s->sniff_len[side], &more)) {
                        uint8_t *kept = s->sniff[side];
                        size_t len = s->sniff_len[side];
                        s->sniff[side] = NULL;
                        s->sniff_len[side] = 0;
                        recognise(s, side, kept, len, 1);
                        free(kept);
                    }
                }
        }
        for (int i = 0; i < PROTO_LAYERS_MAX; i++)
            if (a->slot[i].state == SLOT_RUNNING)
                a->slot[i].desc->end(a->slot[i].st);
    }
    uint64_t payload = c->side[0].payload.bytes + c->side[1].payload.bytes;
    /* the protocol TCP's bytes ended in; what a tunnel carried unrecognised leaves it the tunnel's (socks5) */
    int top = a ? a->bottom : 0;
    while (a && top > 0 && a->slot[top].state != SLOT_RUNNING)
        top--;
    if (a && a->slot[top].state == SLOT_RUNNING)
        c->app_kind = a->slot[top].desc->app_kind;
    else
        c->app_kind = payload ? APP_UNKNOWN : APP_NONE;
    c->app_layer = (uint8_t)(a && a->slot[top].state == SLOT_RUNNING ? top : 0);
}

size_t app_memory(const struct app_state *a)
{
    if (!a)
        return 0;
    size_t n = sizeof *a;
    for (int i = 0; i < a->top; i++) { /* not the empty ones: their cache lines stay cold */
        const struct slot *s = &a->slot[i];
        n += (s->sniff[0] ? SNIFF_CAP : 0) + (s->sniff[1] ? SNIFF_CAP : 0);
        if (s->state == SLOT_RUNNING)
            n += s->desc->memory(s->st);
    }
    return n;
}

void app_detach(struct app_state *a)
{
    if (!a)
        return;
    struct conn *c = a->conn;
    size_t total = 0;
    for (int i = 0; i < c->nlayers; i++)
        total += (c->layers[i].desc->summary_size + 15) & ~(size_t)15;
    uint8_t *copy = total ? malloc(total) : NULL;
    size_t at = 0;
    if (copy)
        for (int i = 0; i < c->nlayers; i++) {
            memcpy(copy + at, c->layers[i].sum, c->layers[i].desc->summary_size);
            at += (c->layers[i].desc->summary_size + 15) & ~(size_t)15;
        }
    uint8_t n = c->nlayers;
    struct proto_layer kept[PROTO_LAYERS_MAX];
    if (n)
        memcpy(kept, c->layers, n * sizeof *kept);
    app_free(a);
    if (copy) { /* one block, every summary: freed with the connection */
        c->owned_summaries = copy;
        at = 0;
        for (int i = 0; i < n; i++) {
            c->layers[i].desc = kept[i].desc;
            c->layers[i].sum = copy + at;
            at += (kept[i].desc->summary_size + 15) & ~(size_t)15;
        }
        c->nlayers = n;
    }
}

void app_free(struct app_state *a)
{
    if (!a)
        return;
    struct conn *c = a->conn;
    for (int i = 0; i < PROTO_LAYERS_MAX; i++) {
        struct slot *s = &a->slot[i];
        if (s->state == SLOT_RUNNING)
            s->desc->free(s->st);
        free(s->sniff[0]);
        free(s->sniff[1]);
    }
    free(a);
    c->nlayers = 0;
}
