/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cleartext.h - what the clear-text protocols that can upgrade to TLS (SMTP,
 * IMAP, POP3, FTP, NNTP, XMPP, LDAP, PostgreSQL, MySQL) and the SOCKS tunnels
 * share, so that each of their modules is only its sniffer and its parser.
 *
 * Every one of them tells the same story: a greeting, commands and
 * responses, maybe a request to start TLS (or to open a tunnel), and its
 * answer.  struct ct_summary holds that story and describes itself the same
 * way for all (the JSON object under the protocol's name, the ladder title
 * and phase, the list's app column, the summary cells); struct ct_base is the
 * parser state every module starts with: the env, the summary, the ladder
 * messages (at most CT_MSG_MAX), the hand-over, and the client's bytes held
 * between its upgrade request and the answer (a client that did not wait:
 * those are TLS's when the answer is yes, clear text again when it is no).
 *
 * Bounded: a line reader keeps CT_LINE_MAX bytes of a line (and its last
 * CT_TAIL bytes), texts kept for the JSON CT_TEXT_MAX, held bytes
 * CT_HOLD_MAX.  Text from the wire is kept exactly (the JSON shows it so,
 * NUL included); what is drawn is cleaned by the outputs (termtext.h).
 */
#ifndef SYNFIN_CLEARTEXT_H
#define SYNFIN_CLEARTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct cursor; /* bytes.h */

#define CT_TEXT_MAX 100   /* bytes of a line kept for the JSON: the greeting, the first command, ... */
#define CT_LINE_MAX 512   /* bytes of one line the reader keeps; the rest of a longer one is read, not kept */
#define CT_TAIL 24        /* the last bytes of a line, kept however long it is (an IMAP literal's "{n}") */
#define CT_MSG_MAX 256    /* ladder messages one connection's clear-text layer draws */
#define CT_HOLD_MAX 16384 /* client bytes held between the upgrade request and its answer */

/* What became of the request to start TLS or open a tunnel (JSON "upgrade"). */
enum ct_upgrade { CT_UP_NONE, CT_UP_REQUESTED, CT_UP_ACCEPTED, CT_UP_REFUSED };

struct ct_base;
struct ct_line;

/* A module's description of itself (static). */
struct ct_info {
    const char *name;      /* "smtp": its JSON object's key, the app value, tls.upgraded_from */
    const char *display;   /* "SMTP": titles, labels, its ladder phase */
    const char *verb;      /* "STARTTLS": how it asks for the upgrade, in titles */
    uint8_t tunnel;        /* the upgrade opens a tunnel whose bytes are recognised afresh (SOCKS) */
    /* bytes of one direction; returns how many it took: all, unless it handed the stream over
     * (ct_accept) or asked for an upgrade from the client's side (ct_request: the rest is held) */
    size_t (*parse)(struct ct_base *b, int from_client, const uint8_t *p, size_t n);
    /* Line-based protocols (SMTP, FTP, POP3, IMAP, NNTP) set parse = ct_parse_lines and say where their
     * state keeps `struct ct_line line[2]` and `uint64_t skip[2]` ([from_client]: raw bytes before the
     * next line, a literal or a BDAT chunk: the line handler sets them) and what reads each side's lines. */
    size_t lines_at, skip_at;
    void (*client_line)(struct ct_base *b, struct ct_line *l);
    void (*server_line)(struct ct_base *b, struct ct_line *l);
};

/* Wire text kept for the JSON (exact bytes, NUL included) and the titles (cleaned when drawn). */
struct ct_text {
    uint8_t set;
    uint8_t len;
    char s[CT_TEXT_MAX + 1];   /* NUL-terminated too */
};

struct ct_summary {
    const struct ct_info *info;
    struct ct_text greeting;          /* the server's first line or greeting */
    struct ct_text first_command;     /* the client's first command */
    struct ct_text first_response;    /* the server's answer to it */
    struct ct_text upgrade_command;   /* the request to start TLS or open a tunnel */
    struct ct_text upgrade_response;  /* its answer */
    struct ct_text target;            /* tunnels: where to ("www.example.com:443") */
    uint32_t commands, responses;
    uint8_t upgrade;                  /* enum ct_upgrade */
    uint8_t malformed;                /* bytes it could not follow: that direction was not read further */
};

/* The state every module's parser starts with (its first member). */
struct ct_base {
    struct proto_env env;
    struct ct_summary sum;
    size_t size;              /* the module's whole state (memory) */
    unsigned msgs;            /* ladder messages drawn */
    uint8_t done;             /* handed over: the stream is the next layer's */
    uint8_t stopped[2];       /* [from_client]: that direction is not read any more */
    uint8_t holding;          /* the client's bytes wait for the answer to its upgrade request */
    uint8_t no_hold;          /* the client sent more than CT_HOLD_MAX meanwhile: read as clear text */
    uint8_t replay;           /* refused: what the client sent meanwhile is read before the server's next bytes */
    uint8_t *held;
    size_t held_len;
};

/* A line of a text protocol, gathered across segments. */
struct ct_line {
    size_t len;               /* bytes kept (without CR LF) */
    uint8_t cut;              /* longer than CT_LINE_MAX: only the start is kept */
    uint8_t tail_len;
    char tail[CT_TAIL];       /* its last bytes, CR LF not included */
    char buf[CT_LINE_MAX + 1];/* NUL-terminated */
};

/* Take bytes up to and including a LF: returns how many; *done when the line is whole (then read
 * l->buf, l->len, and ct_line_reset before the next). */
size_t ct_line_take(struct ct_line *l, const uint8_t *p, size_t n, int *done);
void ct_line_reset(struct ct_line *l);
/* A line-based parser (ct_info's parse): over one direction's bytes, `skip` raw bytes first, then line
 * by line to the info's client_line or server_line (the line reset after).  Returns the bytes taken: it
 * stops after a line that handed over (b->done), asked for an upgrade from the client (b->holding), or
 * stopped the direction. */
size_t ct_parse_lines(struct ct_base *b, int from_client, const uint8_t *p, size_t n);

/* A length-framed message's body (LDAP, PostgreSQL, MySQL): takes up to *left of its bytes from `in`,
 * keeping the first `cap` in body (*kept so far) and skipping the rest; 1 when the body is whole. */
int ct_body(struct cursor *in, uint8_t *body, size_t cap, size_t *kept, uint64_t *left);

/* ------------------------------------------------------------ what the modules call */

/* A module's state of `size` bytes (struct ct_base first), zeroed. */
void *ct_new(const struct proto_env *env, const struct ct_info *info, size_t size);
/* A message on the ladder (a phase of the protocol's own); wire text is fine (the ladder cleans it). */
void ct_msg(struct ct_base *b, int from_client, const char *label);
void ct_msgf(struct ct_base *b, int from_client, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A message whose label is wire bytes (the first 79 kept; a NUL shows as '.'). */
void ct_msg_text(struct ct_base *b, int from_client, const char *s, size_t n);
/* Keep text once (the first time only) / every time. */
void ct_keep(struct ct_text *t, const char *s, size_t n);
void ct_set(struct ct_text *t, const char *s, size_t n);
/* The client asked to start TLS (or open a tunnel): `what` its command; its next bytes are held when `hold`. */
void ct_request(struct ct_base *b, const char *what, size_t n, int hold);
/* The answer is yes: the stream goes to TLS (or, for a tunnel, to recognition) after the bytes taken. */
void ct_accept(struct ct_base *b, const char *answer, size_t n);
/* The answer is no: the connection stays clear text. */
void ct_refuse(struct ct_base *b, const char *answer, size_t n);
/* A parser's loop stops here (after a message): handed over, holding the client's bytes, a refusal whose
 * held bytes come first, or the direction stopped. */
int ct_pause(const struct ct_base *b, int from_client);
/* A direction it cannot follow (malformed bytes): not read further. */
void ct_malformed(struct ct_base *b, int from_client);
/* How much of a credential line may be shown: the command word(s), the secret left out. */
size_t ct_secret_cut(const char *line, size_t len, unsigned words);

/* ------------------------------------------------------------ the descriptor's parts */

size_t ct_data(void *st, int from_client, const uint8_t *p, size_t n, int64_t now_s);
void ct_gap(void *st, int from_client, uint64_t n);
void ct_end(void *st);
size_t ct_memory(const void *st);
void ct_free(void *st);
const void *ct_summary_of(const void *st);
const uint8_t *ct_held(void *st, int *from_client, size_t *n);
void ct_json(struct jw *w, const void *sum);
int ct_title(const void *sum, char *buf, size_t len, int ttflags);
void ct_label(const void *sum, char *buf, size_t len, int ttflags);
void ct_cells(const void *sum, struct proto_cells *out);
void ct_search(const void *sum, char *buf, size_t len);
int ct_failed(const void *sum, int finished);
void ct_phase(const void *sum, char *buf, size_t len);

/* Everything a clear-text module's descriptor shares (after .name, .app_kind, .upgrade_name, a sniffer, .start). */
#define CT_DESCRIPTOR_COMMON                                                                                   \
    .has_handshake = 1, .data = ct_data, .gap = ct_gap, .end = ct_end, .memory = ct_memory, .free = ct_free,     \
    .summary = ct_summary_of, .summary_size = sizeof(struct ct_summary), .json = ct_json, .title = ct_title,    \
    .label = ct_label, .cells = ct_cells, .search = ct_search, .failed = ct_failed, .phase = ct_phase,          \
    .held = ct_held

/* Characters, for the sniffers and parsers (ASCII only: these protocols' keywords are). */
int ct_upper(int c);
/* s[0..n) starts with the keyword `kw` (ASCII case ignored), followed by its end or a space. */
int ct_keyword(const char *s, size_t n, const char *kw);
/* The line is "DDD" then SP, '-' or its end: the reply code (100..599), else -1; *last: not '-'. */
int ct_reply_code(const char *s, size_t n, int *last);
/* s[0..n) holds `word` (ASCII case ignored). */
int ct_contains(const char *s, size_t n, const char *word);

/* SMTP and FTP both greet "220" (RFC 5321 §4.2, RFC 959 §5.4): the one decision both sniffers share, from
 * the greeting's words and the client's first command.  CT_220_NO: neither. */
enum ct_220 { CT_220_NO, CT_220_MAYBE, CT_220_SMTP, CT_220_FTP };
enum ct_220 ct_220_sniff(const uint8_t *c, size_t cn, const uint8_t *s, size_t sn);

#endif
