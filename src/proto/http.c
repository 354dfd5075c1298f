/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http.c - owns HTTP/1.x message framing on a reassembled TCP connection
 * (the contract is http.h): recognising the first bytes of a side, then, per
 * direction, start line -> field lines -> body, so pipelined and keep-alive
 * exchanges are counted right without ever buffering a body.
 *
 * What it follows, by section:
 *   RFC 9112 §2.2  line terminators (a bare LF is accepted, a bare CR or NUL
 *                  becomes SP), empty lines before a start line are skipped
 *   RFC 9112 §3    request-line: method SP request-target SP HTTP-version
 *   RFC 9112 §4    status-line: HTTP-version SP 3DIGIT SP [reason-phrase]
 *   RFC 9112 §5    field lines; §5.1 no whitespace before the colon;
 *                  §5.2 obs-fold (see "Folded lines" below)
 *   RFC 9112 §6.1  Transfer-Encoding: chunked must be the final coding
 *   RFC 9112 §6.3  message body length, rules 1-8, in that order
 *   RFC 9112 §7.1  chunked coding: chunk-size [ext] CRLF data CRLF ... last
 *                  chunk, trailer section, CRLF
 *   RFC 9112 §9.3  pipelining: responses come in request order
 *   RFC 9110 §8.6  Content-Length (a list of equal values is one value)
 *   RFC 9110 §9.3.2 HEAD, §9.3.6 CONNECT, §15.2 1xx, §15.3.5 204, §15.4.5 304,
 *                  §7.8 Upgrade / 101 Switching Protocols
 *   RFC 9113 §3.4  the HTTP/2 client connection preface
 *
 * Choices the RFCs leave open, made here:
 *   Counting.  `requests` and `responses` count start lines as they are
 *     accepted (a final status line counts, a 1xx does not); a message cut
 *     short by the end of the capture is still counted and is not malformed.
 *   Folded lines (obs-fold).  Parsing continues, as if the fold were SP
 *     (§5.2 allows that): a fold continuing Transfer-Encoding adds codings to
 *     the list, one continuing Content-Length with anything but whitespace
 *     makes the length invalid (a split number cannot be trusted), any other
 *     fold is ignored (a Host value keeps its first line).  Whitespace lines
 *     right after the start line are consumed unprocessed (§2.2).
 *   Gaps.  A gap never sets `malformed`: the peer did send well-formed bytes,
 *     the capture lost them.  A gap that lies entirely inside a body of known
 *     length (Content-Length, or one chunk's data) loses no framing, so
 *     parsing goes on after it; any other gap stops that direction quietly.
 *     (A body read until the close needs no exception: nothing follows it.)
 *   Pipelining.  The methods of up to PENDING_CAP outstanding requests are
 *     queued (only HEAD and CONNECT matter).  Beyond that, requests are only
 *     counted: responses to them are framed as if the method were neither,
 *     and the queue is used again once those answers are through, so order
 *     is never lost.  With no queued request (the client side stopped, or the
 *     server spoke first) a response is framed the same way.
 *   Protocol switches.  A 101 response, or a 2xx to CONNECT, ends HTTP/1 on
 *     the connection: both directions stop, not malformed.  Because the
 *     client may already speak the new protocol before the answer is fed,
 *     after a request with Upgrade or CONNECT a start line that cannot be
 *     parsed stops the client direction quietly instead of being malformed.
 *   Tunnels.  http_data returns early after a CONNECT request and after a
 *     2xx answering one, so its caller can give the bytes after them to the
 *     tunnel (http_proto.c holds the client's until the answer).  Any other
 *     final status to a CONNECT refuses the tunnel; HTTP goes on.
 *   The HTTP/2 preface sets `h2` and stops both directions; it is neither a
 *     request nor a message callback.
 *   Hosts are compared case-insensitively (RFC 3986 §6.2.2.1), on what is
 *     kept of them (HTTP_HOST_LEN-1 bytes); the first spelling is kept.  Host
 *     values, first_request and the message callback line keep the bytes
 *     sent (JSON shows them exactly), but for NUL, which a C string cannot
 *     hold and which no field may contain: it becomes '.'.  They are data:
 *     an output that draws them cleans them first (termtext.h).
 *   Malformed.  A start line, field line, chunk line or length that cannot
 *     be followed sets `malformed` and stops that direction only.
 */
#include "http.h"
#include "bytes.h"

#include <stdlib.h>
#include <string.h>

/* The most bytes of one line kept while waiting for its LF (the CR counts, the LF does not). */
#define LINE_CAP 8192
/* The sniffer wants a whole request line within this many first bytes. */
#define SNIFF_WINDOW 8192
/* Generic method tokens longer than this are not taken for HTTP by the sniffer. */
#define SNIFF_METHOD_MAX 20
/* Outstanding requests whose method is remembered for framing their responses. */
#define PENDING_CAP 64
/* The message callback gets at most this many bytes of a start line. */
#define MSG_LINE_MAX 80

static const char H2_PREFACE[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define H2_PREFACE_LEN (sizeof H2_PREFACE - 1)
/* The first line of the preface, as the line reader would hand it over. */
static const char H2_PREFACE_LINE[] = "PRI * HTTP/2.0";

enum dir_state {
    AT_START_LINE,       /* expecting a request or status line */
    IN_HEADERS,          /* field lines until the empty line */
    IN_BODY_LENGTH,      /* skipping body_left bytes of a Content-Length body */
    AT_CHUNK_SIZE,       /* expecting chunk-size [; ext] */
    IN_CHUNK_DATA,       /* skipping body_left bytes of chunk data */
    AT_CHUNK_END,        /* expecting the CRLF that closes chunk data */
    IN_TRAILERS,         /* trailer field lines until the empty line */
    IN_BODY_UNTIL_CLOSE, /* a response body that only the close ends */
    STOPPED,             /* nothing more is parsed in this direction */
};

/* The field a folded line would continue. */
enum last_field { FIELD_NONE, FIELD_OTHER, FIELD_CONTENT_LENGTH, FIELD_TRANSFER_ENCODING };

/* What is known about the message being parsed; framing is settled once its header section ends. */
struct message {
    uint16_t status;          /* responses: the status code */
    uint8_t is_connect;       /* requests: the method is CONNECT */
    uint8_t wants_upgrade;    /* requests: an Upgrade field was sent */
    uint8_t never_has_body;   /* responses: 1xx, 204, 304, or the answer to HEAD */
    uint8_t answers_connect;  /* responses: the request was CONNECT */
    uint8_t has_length;
    uint8_t length_invalid;
    uint8_t has_codings;      /* Transfer-Encoding named at least one coding */
    uint8_t ends_chunked;     /* ... and the last one named was chunked */
    uint8_t last_field;       /* enum last_field */
    uint64_t length;
};

/* The fields a body segment reads come first: a connection's segments are
 * far apart in a capture, and each line of state they touch is a cache miss. */
struct direction {
    uint8_t state;            /* enum dir_state */
    uint8_t from_client;
    /* the client's last request asked to switch protocols: an unparseable start line means it did */
    uint8_t may_have_switched;
    uint64_t body_left;
    size_t line_len;
    size_t line_cap;          /* the line buffer grows to the longest line seen, at most LINE_CAP */
    char *line;
    struct message msg;
};

/* Queue flags of one outstanding request. */
enum { PENDING_HEAD = 1, PENDING_CONNECT = 2 };

/* An HTTP/2 side (RFC 9113 section 4.1): frames are a 9-byte header and a payload of its length. */
struct h2_side {
    uint32_t preface_left;    /* client: preface bytes still to skip */
    uint8_t hdr[9];
    uint8_t have;
    uint32_t skip;            /* payload bytes of the current frame still to come */
};

struct http_conn {
    /* read for every segment: first (see struct direction) */
    int ended;                /* http_end was called: nothing more is counted */
    int h2_mode;              /* from here on both sides speak HTTP/2: count its frames */
    int pause;                /* http_data returns here: a CONNECT request or its 2xx answer just ended */
    http_msg_fn on_msg;
    void *ctx;
    struct h2_side h2[2];     /* [0] client, [1] server */
    struct direction client;
    struct direction server;
    /* requests awaiting a final response, oldest first (a ring of PENDING_ flags) */
    uint8_t pending[PENDING_CAP];
    unsigned pending_head;
    unsigned pending_count;
    /* requests that came while the ring was full, answered after everything in it */
    uint64_t untracked;
    struct http_summary sum;
};

/* ------------------------------------------------------------ characters */

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int is_ows(unsigned char c) { return c == ' ' || c == '\t'; }

/* RFC 9110 §5.6.2 tchar. */
static int is_tchar(unsigned char c)
{
    if (is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z'))
        return 1;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return 1;
    }
    return 0;
}

/* A request-target byte: anything visible; obs-text is let through because real clients send raw UTF-8. */
static int is_target_byte(unsigned char c) { return c > 0x20 && c != 0x7f; }

static unsigned char ascii_lower(unsigned char c) { return is_upper(c) ? (unsigned char)(c + 32) : c; }

/* s[0..n) equals the lowercase literal `lit`, ignoring ASCII case (field names, codings). */
static int equals_nocase(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n && lit[i]; i++)
        if (ascii_lower((unsigned char)s[i]) != (unsigned char)lit[i])
            return 0;
    return i == n && lit[i] == '\0';
}

/* Two NUL-terminated strings are equal, ignoring ASCII case (host names). */
static int same_nocase(const char *x, const char *y)
{
    for (; *x && *y; x++, y++)
        if (ascii_lower((unsigned char)*x) != ascii_lower((unsigned char)*y))
            return 0;
    return *x == *y;
}

/* Copies at most cap-1 bytes as they are (a NUL as '.'), NUL-terminated. */
static void copy_value(char *dst, size_t cap, const char *src, size_t n)
{
    if (n > cap - 1)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] ? src[i] : '.';
    dst[n] = '\0';
}

/* Narrows [*s, *s + *n) past optional whitespace (OWS) at both ends. */
static void trim_ows(const char **s, size_t *n)
{
    while (*n && is_ows((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_ows((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* ---------------------------------------------------------------- sniff */

/* Out of bytes while everything so far fits: more may settle it, unless the window is used up. */
static enum http_sniff sniff_ran_out(size_t n) { return n < SNIFF_WINDOW ? HTTP_SNIFF_MORE : HTTP_SNIFF_NO; }

/* Matches `lit` at the cursor (and moves past it); MORE when the bytes end inside it. */
static enum http_sniff sniff_literal(struct cursor *c, const char *lit)
{
    for (; *lit; lit++) {
        int b = cur_peek(c, 0);
        if (b < 0)
            return HTTP_SNIFF_MORE;
        if (b != (uint8_t)*lit)
            return HTTP_SNIFF_NO;
        cur_skip(c, 1);
    }
    return HTTP_SNIFF_H1;
}

/* How many bytes at the cursor `fits` takes, at most max + 1 (moved past them). */
static size_t sniff_run(struct cursor *c, int (*fits)(unsigned char), size_t max)
{
    size_t k = 0;
    for (int b; k <= max && (b = cur_peek(c, 0)) >= 0 && fits((unsigned char)b); k++)
        cur_skip(c, 1);
    return k;
}

/*
 * "METHOD SP target SP HTTP/1.x CRLF", whole, within the window.  Every method
 * RFC 9110 §9 and RFC 5789 define (GET, HEAD, POST, PUT, DELETE, CONNECT,
 * OPTIONS, TRACE, PATCH) is an uppercase token, so "A-Z, 1 to 20 of them"
 * takes them all and extension methods too; demanding the whole line is what
 * keeps binary protocols and TLS (0x16 ...) out.  Methods are case-sensitive
 * (RFC 9110 §9.1), so "get" is not HTTP.
 */
static enum http_sniff sniff_request_line(const uint8_t *p, size_t n)
{
    struct cursor c;
    cur_init(&c, p, n < SNIFF_WINDOW ? n : SNIFF_WINDOW);
    size_t method = sniff_run(&c, is_upper, SNIFF_METHOD_MAX);
    if (method > SNIFF_METHOD_MAX)
        return HTTP_SNIFF_NO;
    if (!cur_left(&c))
        return sniff_ran_out(n);
    if (method == 0 || cur_u8(&c) != ' ')
        return HTTP_SNIFF_NO;
    size_t target = sniff_run(&c, is_target_byte, SIZE_MAX - 1);
    if (!cur_left(&c))
        return sniff_ran_out(n);
    if (target == 0 || cur_u8(&c) != ' ')
        return HTTP_SNIFF_NO;
    enum http_sniff r = sniff_literal(&c, "HTTP/1.");
    if (r != HTTP_SNIFF_H1)
        return r == HTTP_SNIFF_MORE ? sniff_ran_out(n) : r;
    if (!cur_left(&c))
        return sniff_ran_out(n);
    if (!is_digit(cur_u8(&c)))
        return HTTP_SNIFF_NO;
    r = sniff_literal(&c, "\r\n");
    return r == HTTP_SNIFF_MORE ? sniff_ran_out(n) : r;
}

static int is_sp(unsigned char c) { return c == ' '; }
static int is_status_class(unsigned char c) { return c >= '1' && c <= '5'; }

/* The sniffer's next byte: MORE when there is none, NO when `fits` refuses it. */
static enum http_sniff sniff_byte(struct cursor *c, int (*fits)(unsigned char))
{
    int b = cur_peek(c, 0);
    if (b < 0)
        return HTTP_SNIFF_MORE;
    cur_skip(c, 1);
    return fits((unsigned char)b) ? HTTP_SNIFF_H1 : HTTP_SNIFF_NO;
}

/*
 * "HTTP/1.x NNN " with NNN in 100..599 (RFC 9110 §15); "HTTP/1.x NNN" CRLF
 * too, since some servers drop the SP before an empty reason phrase.
 */
static enum http_sniff sniff_status_line(const uint8_t *p, size_t n)
{
    static int (*const shape[])(unsigned char) = {is_digit, is_sp, is_status_class, is_digit, is_digit};
    struct cursor c;
    cur_init(&c, p, n);
    enum http_sniff r = sniff_literal(&c, "HTTP/1.");
    for (size_t k = 0; r == HTTP_SNIFF_H1 && k < sizeof shape / sizeof shape[0]; k++)
        r = sniff_byte(&c, shape[k]);
    if (r != HTTP_SNIFF_H1)
        return r;
    if (!cur_left(&c))
        return HTTP_SNIFF_MORE;
    if (cur_peek(&c, 0) == ' ')
        return HTTP_SNIFF_H1;
    return sniff_literal(&c, "\r\n");
}

enum http_sniff http_sniff(const uint8_t *p, size_t n, int from_client)
{
    if (n == 0)
        return HTTP_SNIFF_MORE;
    if (!from_client)
        return sniff_status_line(p, n);
    size_t common = n < H2_PREFACE_LEN ? n : H2_PREFACE_LEN;
    if (memcmp(p, H2_PREFACE, common) == 0)
        return n >= H2_PREFACE_LEN ? HTTP_SNIFF_H2 : HTTP_SNIFF_MORE;
    return sniff_request_line(p, n);
}

/* ---------------------------------------------------- the request queue */

static void pending_push(struct http_conn *h, uint8_t flags)
{
    /* once one request went uncounted in the ring, later ones must queue behind it */
    if (h->untracked || h->pending_count == PENDING_CAP) {
        h->untracked++;
        return;
    }
    h->pending[(h->pending_head + h->pending_count) % PENDING_CAP] = flags;
    h->pending_count++;
}

/* The flags of the request a final response answers; 0 when unknown. */
static uint8_t pending_pop(struct http_conn *h)
{
    if (h->pending_count) {
        uint8_t flags = h->pending[h->pending_head];
        h->pending_head = (h->pending_head + 1) % PENDING_CAP;
        h->pending_count--;
        return flags;
    }
    if (h->untracked)
        h->untracked--;
    return 0;
}

/* ------------------------------------------------------------- outcomes */

static void stop(struct direction *d)
{
    d->state = STOPPED;
    d->line_len = 0;
}

static void stop_both(struct http_conn *h)
{
    stop(&h->client);
    stop(&h->server);
}

static void malformed(struct http_conn *h, struct direction *d)
{
    h->sum.malformed = 1;
    stop(d);
}

/* A line this direction cannot follow; after an Upgrade or CONNECT request the client may just have switched. */
static void reject_line(struct http_conn *h, struct direction *d)
{
    if (d->state == AT_START_LINE && d->may_have_switched)
        stop(d);
    else
        malformed(h, d);
}

static void message_done(struct http_conn *h, struct direction *d)
{
    if (d->from_client && (d->msg.is_connect || d->msg.wants_upgrade))
        d->may_have_switched = 1;
    if (d->from_client && d->msg.is_connect)
        h->pause = 1; /* the client's next bytes may be the tunnel's */
    d->state = AT_START_LINE;
}

static void tell(struct http_conn *h, int from_client, const char *line, size_t len)
{
    if (!h->on_msg)
        return;
    char shown[MSG_LINE_MAX + 1];
    copy_value(shown, sizeof shown, line, len);
    h->on_msg(h->ctx, from_client, shown);
}

/* ----------------------------------------------------------- start lines */

/* "HTTP/1." DIGIT at s; 1 when it is there (RFC 9112 §2.3: only major version 1 is this protocol). */
static int is_http1_version(const char *s, size_t n)
{
    return n >= 8 && memcmp(s, "HTTP/1.", 7) == 0 && is_digit((unsigned char)s[7]);
}

static void start_request(struct http_conn *h, struct direction *d, const char *line, size_t len)
{
    if (len == sizeof H2_PREFACE_LINE - 1 && memcmp(line, H2_PREFACE_LINE, len) == 0) {
        /* the preface's first line is read: the rest of it ("\r\nSM\r\n\r\n") and then frames follow */
        h->sum.h2 = 1;
        h->h2_mode = 1;
        h->h2[0].preface_left = (uint32_t)(H2_PREFACE_LEN - (sizeof H2_PREFACE_LINE - 1) - 2);
        stop_both(h);
        return;
    }
    size_t i = 0;
    while (i < len && is_tchar((unsigned char)line[i]))
        i++;
    size_t method_len = i;
    if (method_len == 0 || i == len || line[i] != ' ') {
        reject_line(h, d);
        return;
    }
    size_t target_start = ++i;
    while (i < len && is_target_byte((unsigned char)line[i]))
        i++;
    size_t target_end = i;
    if (target_end == target_start || i == len || line[i] != ' ' || len - (i + 1) != 8 ||
        !is_http1_version(line + i + 1, 8)) {
        reject_line(h, d);
        return;
    }
    d->may_have_switched = 0;
    memset(&d->msg, 0, sizeof d->msg);
    d->msg.is_connect = method_len == 7 && memcmp(line, "CONNECT", 7) == 0;
    int is_head = method_len == 4 && memcmp(line, "HEAD", 4) == 0;
    pending_push(h, (uint8_t)((is_head ? PENDING_HEAD : 0) | (d->msg.is_connect ? PENDING_CONNECT : 0)));
    if (h->sum.requests++ == 0)
        copy_value(h->sum.first_request, sizeof h->sum.first_request, line, target_end);
    if (d->msg.is_connect) {
        h->sum.tunnel = HTTP_TUNNEL_REQUESTED;
        h->sum.connect_status = 0;
        h->sum.connect_response[0] = '\0';
        copy_value(h->sum.connect_request, sizeof h->sum.connect_request, line, target_end);
    }
    tell(h, 1, line, len);
    d->state = IN_HEADERS;
}

static void start_response(struct http_conn *h, struct direction *d, const char *line, size_t len)
{
    /* "HTTP/1.x NNN" then SP and a reason, or nothing: some servers drop the SP before an empty reason */
    if (len < 12 || !is_http1_version(line, len) || line[8] != ' ' || !is_digit((unsigned char)line[9]) ||
        !is_digit((unsigned char)line[10]) || !is_digit((unsigned char)line[11]) || (len > 12 && line[12] != ' ')) {
        reject_line(h, d);
        return;
    }
    unsigned status = (unsigned)(line[9] - '0') * 100 + (unsigned)(line[10] - '0') * 10 + (unsigned)(line[11] - '0');
    if (status < 100 || status > 599) {
        reject_line(h, d);
        return;
    }
    memset(&d->msg, 0, sizeof d->msg);
    d->msg.status = (uint16_t)status;
    if (status < 200) {
        /* interim: the request is still waiting for its final answer (RFC 9110 §15.2) */
        d->msg.never_has_body = 1;
    } else {
        uint8_t asked = pending_pop(h);
        d->msg.never_has_body = (asked & PENDING_HEAD) || status == 204 || status == 304;
        d->msg.answers_connect = (asked & PENDING_CONNECT) != 0;
        if (h->sum.responses++ == 0)
            h->sum.first_status = (uint16_t)status;
        if (d->msg.answers_connect) {
            h->sum.connect_status = (uint16_t)status;
            copy_value(h->sum.connect_response, sizeof h->sum.connect_response, line, len);
            /* the tunnel opens once the header section ends (end_of_headers) */
            h->sum.tunnel = status < 300 ? HTTP_TUNNEL_REQUESTED : HTTP_TUNNEL_REFUSED;
        }
    }
    tell(h, 0, line, len);
    d->state = IN_HEADERS;
}

/* ----------------------------------------------------------- field lines */

/* Content-Length = 1*DIGIT; a list of equal values, or repeated equal fields, is that one value (RFC 9110 §8.6). */
static void add_length(struct message *m, const char *v, size_t n)
{
    size_t i = 0;
    do {
        size_t start = i;
        while (i < n && v[i] != ',')
            i++;
        const char *elem = v + start;
        size_t elen = i - start;
        trim_ows(&elem, &elen);
        uint64_t value = 0;
        if (elen == 0)
            m->length_invalid = 1;
        for (size_t k = 0; k < elen; k++) {
            unsigned char c = (unsigned char)elem[k];
            if (!is_digit(c) || value > (UINT64_MAX - (uint64_t)(c - '0')) / 10) {
                m->length_invalid = 1;
                break;
            }
            value = value * 10 + (uint64_t)(c - '0');
        }
        if (!m->length_invalid) {
            if (m->has_length && m->length != value)
                m->length_invalid = 1;
            m->has_length = 1;
            m->length = value;
        }
        i++; /* past the comma (or the end) */
    } while (i <= n && !m->length_invalid);
}

/* Transfer-Encoding = #transfer-coding: only whether the last coding named is chunked matters (RFC 9112 §6.1). */
static void add_codings(struct message *m, const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && v[i] != ',')
            i++;
        const char *elem = v + start;
        size_t elen = i - start;
        const char *params = memchr(elem, ';', elen);
        if (params)
            elen = (size_t)(params - elem);
        trim_ows(&elem, &elen);
        if (elen) {
            m->has_codings = 1;
            m->ends_chunked = (uint8_t)equals_nocase(elem, elen, "chunked");
        }
        i++;
    }
}

static void record_host(struct http_summary *s, const char *v, size_t n)
{
    if (n == 0 || s->nhosts >= HTTP_HOSTS_MAX)
        return;
    char host[HTTP_HOST_LEN];
    copy_value(host, sizeof host, v, n);
    for (unsigned k = 0; k < s->nhosts; k++)
        if (same_nocase(host, s->hosts[k]))
            return;
    /* only the string: the rest of the slot stays zeroed, with no stack bytes behind the NUL */
    memcpy(s->hosts[s->nhosts++], host, strlen(host) + 1);
}

/* A continuation line (obs-fold, RFC 9112 §5.2), read as SP plus more of the previous field's value. */
static void continue_field(struct message *m, const char *line, size_t len)
{
    trim_ows(&line, &len);
    if (m->last_field == FIELD_TRANSFER_ENCODING)
        add_codings(m, line, len);
    else if (m->last_field == FIELD_CONTENT_LENGTH && len)
        m->length_invalid = 1;
}

static void field_line(struct http_conn *h, struct direction *d, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    if (!colon) {
        malformed(h, d);
        return;
    }
    size_t name_len = (size_t)(colon - line);
    /* RFC 9112 §5.1: whitespace before the colon is refused in a request, removed from a response */
    if (!d->from_client)
        while (name_len && is_ows((unsigned char)line[name_len - 1]))
            name_len--;
    if (name_len == 0) {
        malformed(h, d);
        return;
    }
    for (size_t i = 0; i < name_len; i++)
        if (!is_tchar((unsigned char)line[i])) {
            malformed(h, d);
            return;
        }
    const char *value = colon + 1;
    size_t value_len = len - (size_t)(value - line);
    trim_ows(&value, &value_len);

    d->msg.last_field = FIELD_OTHER;
    if (equals_nocase(line, name_len, "content-length")) {
        d->msg.last_field = FIELD_CONTENT_LENGTH;
        add_length(&d->msg, value, value_len);
    } else if (equals_nocase(line, name_len, "transfer-encoding")) {
        d->msg.last_field = FIELD_TRANSFER_ENCODING;
        add_codings(&d->msg, value, value_len);
    } else if (d->from_client && equals_nocase(line, name_len, "host")) {
        record_host(&h->sum, value, value_len);
    } else if (d->from_client && equals_nocase(line, name_len, "upgrade")) {
        d->msg.wants_upgrade = value_len != 0;
    }
}

/* The empty line after the header section: the message body length, RFC 9112 §6.3 rules in order. */
static void end_of_headers(struct http_conn *h, struct direction *d)
{
    struct message *m = &d->msg;
    if (!d->from_client) {
        if (m->status == 101 || (m->answers_connect && m->status >= 200 && m->status < 300)) {
            /* rule 2, and 101: the bytes after this empty line are another protocol (a tunnel, or what Upgrade named) */
            if (m->answers_connect) {
                h->sum.tunnel = HTTP_TUNNEL_OPEN;
                h->pause = 1;
            }
            stop_both(h);
            return;
        }
        if (m->never_has_body) { /* rule 1 */
            message_done(h, d);
            return;
        }
    }
    if (m->has_codings) { /* rules 3 and 4: Transfer-Encoding overrides Content-Length */
        if (m->ends_chunked)
            d->state = AT_CHUNK_SIZE;
        else if (d->from_client)
            malformed(h, d); /* a request body whose end cannot be found */
        else
            d->state = IN_BODY_UNTIL_CLOSE;
        return;
    }
    if (m->length_invalid) { /* rule 5 */
        malformed(h, d);
        return;
    }
    if (m->has_length) { /* rule 6 */
        d->body_left = m->length;
        if (m->length)
            d->state = IN_BODY_LENGTH;
        else
            message_done(h, d);
        return;
    }
    if (d->from_client) /* rule 7: a request without either has no body */
        message_done(h, d);
    else /* rule 8 */
        d->state = IN_BODY_UNTIL_CLOSE;
}

/* chunk-size [BWS ; chunk-ext] (RFC 9112 §7.1.1); extensions are skipped, not checked. */
static void chunk_size_line(struct http_conn *h, struct direction *d, const char *line, size_t len)
{
    uint64_t size = 0;
    size_t i = 0;
    for (; i < len; i++) {
        int v = hex_digit_value((unsigned char)line[i]);
        if (v < 0)
            break;
        if (size > (UINT64_MAX >> 4)) {
            malformed(h, d);
            return;
        }
        size = size << 4 | (uint64_t)v;
    }
    size_t digits = i;
    while (i < len && is_ows((unsigned char)line[i]))
        i++;
    if (digits == 0 || (i < len && line[i] != ';')) {
        malformed(h, d);
        return;
    }
    if (size == 0) {
        d->state = IN_TRAILERS;
    } else {
        d->body_left = size;
        d->state = IN_CHUNK_DATA;
    }
}

/* One whole line, its CR and LF removed. */
static void take_line(struct http_conn *h, struct direction *d, char *line, size_t len)
{
    /* RFC 9112 §2.2 and RFC 9110 §5.5: a bare CR or a NUL inside a line is read as SP
     * (memchr: a line rarely holds either, and a byte loop was a third of this parser's time) */
    char *end = line + len;
    for (char *at = line; at < end && (at = memchr(at, '\r', (size_t)(end - at))); at++)
        *at = ' ';
    for (char *at = line; at < end && (at = memchr(at, '\0', (size_t)(end - at))); at++)
        *at = ' ';

    switch ((enum dir_state)d->state) {
    case AT_START_LINE:
        if (len == 0)
            return; /* RFC 9112 §2.2: empty lines before a start line are ignored */
        if (d->from_client)
            start_request(h, d, line, len);
        else
            start_response(h, d, line, len);
        return;
    case IN_HEADERS:
        if (len == 0)
            end_of_headers(h, d);
        else if (is_ows((unsigned char)line[0]))
            continue_field(&d->msg, line, len);
        else
            field_line(h, d, line, len);
        return;
    case AT_CHUNK_SIZE:
        chunk_size_line(h, d, line, len);
        return;
    case AT_CHUNK_END:
        if (len)
            malformed(h, d);
        else
            d->state = AT_CHUNK_SIZE;
        return;
    case IN_TRAILERS:
        /* trailer fields never change framing (RFC 9110 §6.5.1), so they are only skipped */
        if (len == 0)
            message_done(h, d);
        return;
    case IN_BODY_LENGTH:
    case IN_CHUNK_DATA:
    case IN_BODY_UNTIL_CLOSE:
    case STOPPED:
        return; /* no lines here */
    }
}

/* A run of body bytes that was known to come has all come. */
static void body_part_done(struct http_conn *h, struct direction *d)
{
    if (d->state == IN_CHUNK_DATA)
        d->state = AT_CHUNK_END;
    else
        message_done(h, d);
}

/* Room for `need` bytes of line: most connections never need more than a few hundred. */
static int grow_line(struct direction *d, size_t need)
{
    if (d->line && need <= d->line_cap)
        return 0;
    size_t cap = d->line_cap ? d->line_cap : 256; /* even an empty line gets a buffer: no NULL memcpy */
    while (cap < need)
        cap *= 2;
    if (cap > LINE_CAP)
        cap = LINE_CAP;
    char *l = realloc(d->line, cap);
    if (!l)
        return -1;
    d->line = l;
    d->line_cap = cap;
    return 0;
}

/* ------------------------------------------------------------------ API */

struct http_conn *http_new(http_msg_fn on_msg, void *ctx)
{
    struct http_conn *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->on_msg = on_msg;
    h->ctx = ctx;
    h->client.from_client = 1;
    h->client.state = AT_START_LINE;
    h->server.state = AT_START_LINE;
    return h;
}

/* Count HTTP/2 frames by their headers; their payloads are skipped. */
static void h2_bytes(struct http_conn *h, int from_client, const uint8_t *p, size_t n)
{
    struct h2_side *s = &h->h2[from_client ? 0 : 1];
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        if (s->preface_left) {
            size_t k = cur_left(&in) < s->preface_left ? cur_left(&in) : s->preface_left;
            s->preface_left -= (uint32_t)k;
            cur_skip(&in, k);
            continue;
        }
        if (s->skip) {
            size_t k = cur_left(&in) < s->skip ? cur_left(&in) : s->skip;
            s->skip -= (uint32_t)k;
            cur_skip(&in, k);
            continue;
        }
        s->have = (uint8_t)cur_gather(&in, s->hdr, s->have, 9);
        if (s->have == 9) { /* RFC 9113 4.1: a 24-bit length first */
            struct cursor f;
            cur_init(&f, s->hdr, 9);
            s->have = 0;
            s->skip = cur_be24(&f);
            h->sum.h2_frames[from_client ? 0 : 1]++;
        }
    }
}

void http_start_h2(struct http_conn *h)
{
    if (!h)
        return;
    h->sum.h2 = 1;
    h->sum.h2_tls = 1;
    h->h2_mode = 1;
    h->h2[0].preface_left = (uint32_t)H2_PREFACE_LEN;
    stop_both(h);
}

size_t http_data(struct http_conn *h, int from_client, const uint8_t *p, size_t n)
{
    if (!h || !p || h->ended)
        return n;
    if (h->h2_mode) {
        h2_bytes(h, from_client, p, n);
        return n;
    }
    struct direction *d = from_client ? &h->client : &h->server;
    struct cursor in;
    cur_init(&in, p, n);
    h->pause = 0;
    while (cur_left(&in) && d->state != STOPPED) {
        if (h->pause) { /* a tunnel may start here: the caller decides where the rest goes */
            h->pause = 0;
            return cur_offset(&in);
        }
        switch ((enum dir_state)d->state) {
        case IN_BODY_LENGTH:
        case IN_CHUNK_DATA: {
            size_t take = d->body_left < cur_left(&in) ? (size_t)d->body_left : cur_left(&in);
            cur_skip(&in, take);
            d->body_left -= take;
            if (d->body_left == 0)
                body_part_done(h, d);
            break;
        }
        case IN_BODY_UNTIL_CLOSE:
            cur_skip(&in, cur_left(&in));
            break;
        default: {
            /* a line: gather bytes up to the LF, at most LINE_CAP of them */
            int lf;
            size_t part = cur_span_to(&in, '\n', &lf);
            if (part > LINE_CAP - d->line_len || grow_line(d, d->line_len + part) < 0) {
                reject_line(h, d);
                break;
            }
            cur_copy(&in, d->line + d->line_len, part);
            d->line_len += part;
            if (lf) {
                cur_skip(&in, 1);
                size_t len = d->line_len;
                d->line_len = 0;
                if (len && d->line[len - 1] == '\r')
                    len--;
                take_line(h, d, d->line, len);
                if (h->h2_mode) { /* the HTTP/2 preface: frames follow, in this very segment often */
                    h2_bytes(h, from_client, cur_here(&in), cur_left(&in));
                    return n;
                }
            }
            break;
        }
        }
    }
    if (h->pause) { /* the last step opened the tunnel (or ended a CONNECT request) */
        h->pause = 0;
        return cur_offset(&in);
    }
    return n;
}

void http_gap(struct http_conn *h, int from_client, uint64_t n)
{
    if (!h || n == 0)
        return;
    struct direction *d = from_client ? &h->client : &h->server;
    /* stopping after a gap inside a body read until the close loses nothing: no message can follow it */
    switch ((enum dir_state)d->state) {
    case IN_BODY_LENGTH:
    case IN_CHUNK_DATA:
        if (n <= d->body_left) {
            /* the hole lies inside bytes that were skipped anyway */
            d->body_left -= n;
            if (d->body_left == 0)
                body_part_done(h, d);
            return;
        }
        stop(d);
        return;
    default:
        stop(d);
        return;
    }
}

void http_end(struct http_conn *h)
{
    if (!h)
        return;
    /* a body read until close is complete now; anything else cut short is just unfinished */
    stop_both(h);
    h->ended = 1;
}

const struct http_summary *http_summary_of(const struct http_conn *h) { return h ? &h->sum : NULL; }

int http_told_connect(const struct http_conn *h, int from_client)
{
    return from_client ? h->client.msg.is_connect : h->server.msg.answers_connect;
}

size_t http_memory(const struct http_conn *h) { return h ? h->client.line_cap + h->server.line_cap + sizeof *h : 0; }

void http_free(struct http_conn *h)
{
    if (!h)
        return;
    free(h->client.line);
    free(h->server.line);
    free(h);
}
