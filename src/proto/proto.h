/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proto.h - the protocol registry: every application protocol synfin reads
 * (TLS, HTTP; later the clear-text hosts of STARTTLS and the tunnels) is one
 * module exporting one descriptor, and registry.c lists them in one table.
 *
 * A descriptor says how to recognise the protocol from a side's first bytes,
 * how to run one connection's parser (start, data, gaps, a RST, the end, its
 * memory, free), and how its result, the summary, describes itself in every
 * place a person or a program reads it: the JSON object, the ladder's title
 * line and phase, the list's app column, the summary table's cells, the
 * detail pane's lines.  The dispatcher (app.c) is a loop over the table and
 * the outputs a loop over a connection's layers: adding a protocol is one
 * new file and one table line, and no output names a protocol.
 *
 * A connection may carry several layers, outermost first: HTTP inside TLS,
 * and (after STARTTLS) TLS after SMTP.  A parser hands the rest of its
 * stream to another protocol through its env (hand_over), and delivers the
 * plaintext it decrypted to the layer above it (upper).  A connection has
 * each protocol once: one JSON object per protocol.
 */
#ifndef SYNFIN_PROTO_H
#define SYNFIN_PROTO_H

#include <stddef.h>
#include <stdint.h>

struct jw;             /* json.h */
struct app_msg;        /* conn.h */
struct app_ctx;        /* app.h */
struct proto_desc;

enum proto_sniff { PROTO_NO = 0, PROTO_MAYBE, PROTO_YES };

/* What a parser may ask of the connection it reads (app.c implements it). */
struct proto_env {
    void *ctx;
    /* the run's shared setup: trust store, key log, fingerprint caches (struct app_ctx) */
    struct app_ctx *app;
    /* a message for the ladder; NULL when no ladder listens (the parser may skip its labels) */
    void (*message)(void *ctx, int from_client, int kind, uint16_t code, const char *label,
                    const uint8_t *data, size_t len);
    /* decrypted application data, for the layer above (started on its first bytes) */
    void (*upper)(void *ctx, int from_client, const uint8_t *p, size_t n);
    /* from now on both directions are `next`'s: the bytes of the current data() call after those it
     * consumed, and everything after them (NULL: recognise what follows by its first bytes, as on a
     * new connection: what an HTTP CONNECT or a SOCKS tunnel carries) */
    void (*hand_over)(void *ctx, const struct proto_desc *next);
    /* it holds back bytes it was given (the client's, sent before the answer to its upgrade request: held()
     * gives them to the next layer), so their messages are drawn on the packet that brought them (may be NULL) */
    void (*holding)(void *ctx);
    /* the layer below, when this one runs inside another (NULL: directly on TCP) */
    const struct proto_desc *outer;
    const void *outer_summary;
};

/* The summary table's cells, and the totals it counts (the protocol's verdict vocabulary). */
struct proto_cells {
    char version[32];          /* "TLS 1.2"; "" for "-" */
    const char *verdict;       /* "full", "PSK"; NULL for "-" */
    int verdict_index;         /* into the descriptor's verdicts[] for the totals; -1: none */
    const char *name;          /* the server's name as the peer asked for it (SNI, Host): wire text, or NULL */
    size_t name_len;
};

/* Where description lines go (the detail pane): one line at a time, already formatted. */
struct proto_lines {
    void (*add)(void *ctx, const char *line);
    void *ctx;
    int ascii;                 /* wire text is drawn for an ASCII-only terminal */
};

struct proto_desc {
    const char *name;          /* its JSON object's key and the JSON "app" value: "tls", "http" */
    uint8_t app_kind;          /* enum app_kind while it is the outermost layer */
    uint8_t has_handshake;     /* its messages before the data make a ladder phase of their own */

    /* the ALPN protocol ids it runs when a layer below negotiated one (NULL-terminated; may be NULL) */
    const char *const *alpn;
    /* recognition from the first bytes one side sent (on any port) */
    enum proto_sniff (*sniff)(const uint8_t *p, size_t n, int from_client);

    /* one connection's parser */
    void *(*start)(const struct proto_env *env);
    /* bytes of one direction in order; returns how many it took (all of them, unless it handed over) */
    size_t (*data)(void *st, int from_client, const uint8_t *p, size_t n, int64_t now_s);
    void (*gap)(void *st, int from_client, uint64_t n);
    void (*rst)(void *st);     /* may be NULL */
    void (*end)(void *st);
    size_t (*memory)(const void *st);
    void (*free)(void *st);
    const void *(*summary)(const void *st);
    size_t summary_size;       /* a summary is copied by value when its parser goes */
    /* the application protocol it negotiated for the layer above ("h2"), or NULL */
    const char *(*negotiated)(const void *sum);

    /* how a summary describes itself */
    void (*json)(struct jw *w, const void *sum);                         /* its object, under `name` */
    int (*title)(const void *sum, char *buf, size_t len, int ascii);      /* the ladder's title line; 0: none */
    void (*label)(const void *sum, char *buf, size_t len, int ascii);     /* the list's app column */
    void (*cells)(const void *sum, struct proto_cells *out);
    const char *const *verdicts; /* the totals' vocabulary, NULL-terminated (NULL: no totals line) */
    void (*search)(const void *sum, char *buf, size_t len);               /* words a search finds it by */
    int (*failed)(const void *sum, int finished);                         /* the list's "failed" colour */
    void (*phase)(const void *sum, char *buf, size_t len);                /* "TLS 1.2 handshake" */
    /* the detail pane's lines for one of its messages (after the message's own line) */
    void (*message_detail)(const void *sum, const struct app_msg *m, const struct proto_lines *out);

    /* Upgrades and tunnels (STARTTLS, HTTP CONNECT, SOCKS); all may be NULL. */
    /* recognition from the first bytes of both sides, for protocols one side alone cannot tell apart
     * (SMTP and FTP both greet with "220"): asked instead of sniff when set; either side may be empty */
    enum proto_sniff (*sniff_pair)(const uint8_t *c, size_t cn, const uint8_t *s, size_t sn);
    /* what the layer that follows its hand-over says it came from (tls.upgraded_from: "smtp", "http-connect") */
    const char *upgrade_name;
    /* after a hand-over: bytes of one direction the parser held back from data() (the client's, sent
     * before the server's answer), which belong to the next layer; NULL or *n == 0: none */
    const uint8_t *(*held)(void *st, int *from_client, size_t *n);
};

/* One protocol on a connection: its descriptor and its summary. */
struct proto_layer {
    const struct proto_desc *desc;
    const void *sum;
};
#define PROTO_LAYERS_MAX 4

/* The registry: every protocol, in the order recognition tries them (NULL-terminated). */
extern const struct proto_desc *const proto_table[];
/* A protocol by name ("tls"), or NULL. */
const struct proto_desc *proto_by_name(const char *name);

#endif
