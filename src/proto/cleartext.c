/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cleartext.c - the parts every clear-text module shares (see cleartext.h):
 * the line reader, the upgrade's story (request, answer, hand-over, the
 * client's bytes held meanwhile), the ladder messages, and how the summary
 * describes itself in the JSON, the ladder, the list and the summary table.
 *
 * The JSON object, under the protocol's name, is the same for all: greeting,
 * first_command, first_response, commands, responses, upgrade (none,
 * requested, accepted, refused), upgrade_command, upgrade_response,
 * malformed, and for tunnels target.  Keys are a contract (synfin(1)).
 */
#include "cleartext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "conn.h"
#include "json.h"
#include "termtext.h"

extern const struct proto_desc tls_proto;

/* ------------------------------------------------------------ characters */

int ct_upper(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

int ct_keyword(const char *s, size_t n, const char *kw)
{
    size_t k = strlen(kw);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (ct_upper((unsigned char)s[i]) != (unsigned char)kw[i])
            return 0;
    return n == k || s[k] == ' ';
}

int ct_reply_code(const char *s, size_t n, int *last)
{
    if (n < 3)
        return -1;
    for (int i = 0; i < 3; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    if (s[0] < '1' || s[0] > '5' || (n > 3 && s[3] != ' ' && s[3] != '-'))
        return -1;
    if (last)
        *last = n == 3 || s[3] == ' ';
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

int ct_contains(const char *s, size_t n, const char *word)
{
    size_t k = strlen(word);
    for (size_t i = 0; k && i + k <= n; i++) {
        size_t j = 0;
        while (j < k && ct_upper((unsigned char)s[i + j]) == ct_upper((unsigned char)word[j]))
            j++;
        if (j == k)
            return 1;
    }
    return 0;
}

static int is_letter(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* The client's first word (letters), if it has ended: its length, or 0 (*more when it may still come). */
static size_t first_word(const struct cursor *c, int *more)
{
    size_t i = 0;
    while (i < 9 && is_letter(cur_peek(c, i)))
        i++;
    int next = cur_peek(c, i);
    *more = next < 0 && i < 9;
    return i < 9 && (next == ' ' || next == '\r' || next == '\n') ? i : 0;
}

static int word_in(const uint8_t *w, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (ct_keyword((const char *)w, n, *list))
            return 1;
    return 0;
}

enum ct_220 ct_220_sniff(const uint8_t *c, size_t cn, const uint8_t *s, size_t sn)
{
    static const char *const smtp_words[] = {"EHLO", "HELO", "LHLO", NULL};
    /* FTP's own commands (RFC 959, 2228, 2389, 3659, 7151); USER and PASS are POP3's too */
    static const char *const ftp_words[] = {"AUTH", "FEAT", "SYST", "OPTS", "HOST", "CLNT", "PBSZ", "PROT", "PASV",
                                            "EPSV", "EPRT", "PORT", "TYPE", "PWD", "CWD", "LIST", "NLST", "MLSD",
                                            "RETR", "STOR", "SIZE", "MDTM", "ACCT", NULL};
    static const char *const pop_too[] = {"USER", "PASS", NULL};
    static const char *const either[] = {"QUIT", "NOOP", "HELP", "RSET", NULL};
    int smtp_said = 0, ftp_said = 0, greeted = 0;
    struct cursor server, client;
    cur_init(&server, s, sn);
    cur_init(&client, c, cn);
    if (cur_left(&server)) {
        struct cursor look = server;
        if (cur_literal(&look, "220") == 0)
            return CT_220_NO;
        int sep = cur_peek(&server, 3);
        if (sep >= 0 && sep != ' ' && sep != '-' && sep != '\r' && sep != '\n')
            return CT_220_NO;
        int lf;
        size_t line = cur_span_to(&server, '\n', &lf);
        const char *text = (const char *)cur_here(&server); /* (its first `line` bytes) */
        greeted = sep >= 0;
        smtp_said = ct_contains(text, line, "SMTP") || ct_contains(text, line, "LMTP");
        ftp_said = ct_contains(text, line, "FTP");
        if (!cur_left(&client)) {
            if (!lf)
                return CT_220_MAYBE;
            return smtp_said == ftp_said ? CT_220_MAYBE : smtp_said ? CT_220_SMTP : CT_220_FTP;
        }
    }
    int more;
    size_t w = first_word(&client, &more);
    if (!w)
        return more ? CT_220_MAYBE : CT_220_NO;
    const uint8_t *word = cur_here(&client); /* (its first w bytes) */
    if (word_in(word, w, smtp_words))
        return CT_220_SMTP;
    if (word_in(word, w, ftp_words))
        return CT_220_FTP;
    if (word_in(word, w, pop_too))
        return greeted ? CT_220_FTP : CT_220_MAYBE; /* after a POP3 greeting POP3 would have claimed it */
    if (word_in(word, w, either) && greeted)
        return ftp_said && !smtp_said ? CT_220_FTP : CT_220_SMTP;
    return CT_220_NO;
}

/* ------------------------------------------------------------ lines */

void ct_line_reset(struct ct_line *l)
{
    l->len = 0;
    l->cut = 0;
    l->tail_len = 0;
    l->buf[0] = '\0';
}

/* The last CT_TAIL bytes of the line, whatever its length (the cursor holds this segment's part of it). */
static void add_tail(struct ct_line *l, struct cursor part)
{
    size_t n = cur_left(&part);
    if (n >= CT_TAIL) {
        cur_skip(&part, n - CT_TAIL);
        cur_copy(&part, l->tail, CT_TAIL);
        l->tail_len = CT_TAIL;
        return;
    }
    size_t keep = l->tail_len + n > CT_TAIL ? CT_TAIL - n : l->tail_len;
    memmove(l->tail, l->tail + l->tail_len - keep, keep);
    cur_copy(&part, l->tail + keep, n);
    l->tail_len = (uint8_t)(keep + n);
}

size_t ct_line_take(struct ct_line *l, const uint8_t *p, size_t n, int *done)
{
    struct cursor in;
    cur_init(&in, p, n);
    int lf;
    size_t part = cur_span_to(&in, '\n', &lf);
    struct cursor line = cur_sub(&in, part);
    size_t room = CT_LINE_MAX - l->len;
    size_t keep = part < room ? part : room;
    struct cursor kept = line;
    cur_copy(&kept, l->buf + l->len, keep);
    l->len += keep;
    l->cut |= part > room;
    add_tail(l, line);
    *done = lf;
    if (lf) {
        /* the CR of CR LF is not part of the line (a bare LF ends one too) */
        if (!l->cut && l->len && l->buf[l->len - 1] == '\r')
            l->len--;
        if (l->tail_len && l->tail[l->tail_len - 1] == '\r')
            l->tail_len--;
    }
    l->buf[l->len] = '\0';
    cur_skip(&in, lf ? 1 : 0);
    return cur_offset(&in);
}

size_t ct_parse_lines(struct ct_base *b, int from_client, const uint8_t *p, size_t n)
{
    const struct ct_info *info = b->sum.info;
    int side = from_client != 0;
    char *module = (char *)b; /* the module's state, struct ct_base first */
    struct ct_line *l = (struct ct_line *)(module + info->lines_at) + side;
    uint64_t *skip = (uint64_t *)(module + info->skip_at) + side;
    void (*on_line)(struct ct_base *, struct ct_line *) = side ? info->client_line : info->server_line;
    struct cursor in;
    cur_init(&in, p, n);
    while (cur_left(&in)) {
        if (*skip) {
            size_t k = *skip < cur_left(&in) ? (size_t)*skip : cur_left(&in);
            *skip -= k;
            cur_skip(&in, k);
            continue;
        }
        int done;
        cur_skip(&in, ct_line_take(l, cur_here(&in), cur_left(&in), &done));
        if (!done)
            break;
        on_line(b, l);
        ct_line_reset(l);
        if (ct_pause(b, from_client))
            break;
    }
    return cur_offset(&in);
}

/* ------------------------------------------------------------ the story */

void *ct_new(const struct proto_env *env, const struct ct_info *info, size_t size)
{
    struct ct_base *b = calloc(1, size);
    if (!b)
        return NULL;
    b->env = *env;
    b->sum.info = info;
    b->size = size;
    return b;
}

void ct_msg(struct ct_base *b, int from_client, const char *label)
{
    if (!b->env.message)
        return;
    if (b->msgs < CT_MSG_MAX) {
        b->env.message(b->env.ctx, from_client, MSG_HANDSHAKE, 0, label, NULL, 0);
    } else if (b->msgs == CT_MSG_MAX) {
        char note[APP_MSG_LABEL];
        snprintf(note, sizeof note, "(more %s messages, not drawn)", b->sum.info->display);
        b->env.message(b->env.ctx, from_client, MSG_NOTE, 0, note, NULL, 0);
    }
    if (b->msgs <= CT_MSG_MAX)
        b->msgs++;
}

void ct_msgf(struct ct_base *b, int from_client, const char *fmt, ...)
{
    if (!b->env.message || b->msgs > CT_MSG_MAX)
        return;
    char label[APP_MSG_LABEL];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(label, sizeof label, fmt, ap);
    va_end(ap);
    ct_msg(b, from_client, label);
}

void ct_msg_text(struct ct_base *b, int from_client, const char *s, size_t n)
{
    if (!b->env.message || b->msgs > CT_MSG_MAX)
        return;
    char label[APP_MSG_LABEL];
    if (n > sizeof label - 1)
        n = sizeof label - 1;
    for (size_t i = 0; i < n; i++)
        label[i] = s[i] ? s[i] : '.';
    label[n] = '\0';
    ct_msg(b, from_client, label);
}

void ct_set(struct ct_text *t, const char *s, size_t n)
{
    if (n > CT_TEXT_MAX)
        n = CT_TEXT_MAX;
    memcpy(t->s, s, n);
    t->s[n] = '\0';
    t->len = (uint8_t)n;
    t->set = 1;
}

void ct_keep(struct ct_text *t, const char *s, size_t n)
{
    if (!t->set)
        ct_set(t, s, n);
}

void ct_request(struct ct_base *b, const char *what, size_t n, int hold)
{
    b->sum.upgrade = CT_UP_REQUESTED;
    ct_set(&b->sum.upgrade_command, what, n);
    b->sum.upgrade_response.set = 0;
    b->holding = hold && !b->no_hold;
}

void ct_accept(struct ct_base *b, const char *answer, size_t n)
{
    b->sum.upgrade = CT_UP_ACCEPTED;
    if (answer)
        ct_set(&b->sum.upgrade_response, answer, n);
    b->done = 1;
    b->env.hand_over(b->env.ctx, b->sum.info->tunnel ? NULL : &tls_proto);
}

void ct_refuse(struct ct_base *b, const char *answer, size_t n)
{
    b->sum.upgrade = CT_UP_REFUSED;
    if (answer)
        ct_set(&b->sum.upgrade_response, answer, n);
    b->replay = b->holding; /* ct_data reads what was held as clear text, before the server's next bytes */
    b->holding = 0;
}

int ct_body(struct cursor *in, uint8_t *body, size_t cap, size_t *kept, uint64_t *left)
{
    size_t take = *left < cur_left(in) ? (size_t)*left : cur_left(in);
    size_t keep = take < cap - *kept ? take : cap - *kept;
    cur_copy(in, body + *kept, keep);
    cur_skip(in, take - keep);
    *kept += keep;
    *left -= take;
    return *left == 0;
}

int ct_pause(const struct ct_base *b, int from_client)
{
    return b->done || b->stopped[from_client != 0] || (from_client ? b->holding : b->replay);
}

void ct_malformed(struct ct_base *b, int from_client)
{
    b->sum.malformed = 1;
    b->stopped[from_client != 0] = 1;
}

size_t ct_secret_cut(const char *line, size_t len, unsigned words)
{
    size_t i = 0;
    for (unsigned w = 0; w < words && i < len; w++) {
        while (i < len && line[i] == ' ')
            i++;
        while (i < len && line[i] != ' ')
            i++;
    }
    return i;
}

/* ------------------------------------------------------------ the parser's frame */

static void read_client(struct ct_base *b, const uint8_t *p, size_t n);

/* The client spoke before the answer: keep its bytes for whoever they turn out to belong to. */
static void hold(struct ct_base *b, const uint8_t *p, size_t n)
{
    if (!b->held && !(b->held = malloc(CT_HOLD_MAX)))
        b->no_hold = 1;
    if (!b->no_hold && n <= CT_HOLD_MAX - b->held_len) {
        memcpy(b->held + b->held_len, p, n);
        b->held_len += n;
        if (b->env.holding)
            b->env.holding(b->env.ctx);
        return;
    }
    /* more than any client sends before an answer: read it all as clear text */
    b->no_hold = 1;
    b->holding = 0;
    size_t len = b->held_len;
    b->held_len = 0;
    read_client(b, b->held, len);
    read_client(b, p, n);
}

static void read_client(struct ct_base *b, const uint8_t *p, size_t n)
{
    if (b->holding) {
        hold(b, p, n);
        return;
    }
    if (b->stopped[1] || !n)
        return;
    struct cursor in;
    cur_init(&in, p, n);
    cur_skip(&in, b->sum.info->parse(b, 1, p, n));
    if (!b->done && cur_left(&in) && b->holding)
        hold(b, cur_here(&in), cur_left(&in));
}

size_t ct_data(void *st, int from_client, const uint8_t *p, size_t n, int64_t now_s)
{
    (void)now_s;
    struct ct_base *b = st;
    if (b->done)
        return n;
    struct cursor in;
    cur_init(&in, p, n);
    if (from_client) {
        if (!b->holding && !b->stopped[1]) {
            cur_skip(&in, b->sum.info->parse(b, 1, p, n));
            if (b->done)
                return cur_offset(&in); /* handed over from the client's side (MySQL's SSL request) */
            if (cur_left(&in) && b->holding)
                hold(b, cur_here(&in), cur_left(&in));
        } else {
            read_client(b, p, n);
        }
        return n;
    }
    while (cur_left(&in) && !b->stopped[0]) {
        cur_skip(&in, b->sum.info->parse(b, 0, cur_here(&in), cur_left(&in)));
        if (b->done)
            return cur_offset(&in);
        if (!b->replay)
            break;
        /* refused: what the client sent meanwhile is clear text, and comes before the server's next bytes */
        b->replay = 0;
        uint8_t *kept = b->held;
        size_t len = b->held_len;
        b->held = NULL;
        b->held_len = 0;
        read_client(b, kept, len);
        free(kept);
    }
    return n;
}

void ct_gap(void *st, int from_client, uint64_t n)
{
    (void)n;
    struct ct_base *b = st;
    b->stopped[from_client != 0] = 1; /* framing is lost: a resynchronised reading could take data for commands */
    if (from_client && b->holding) {  /* a hole in what was held: TLS gets what follows it */
        b->held_len = 0;
        b->no_hold = 1;
        b->holding = 0;
    }
}

void ct_end(void *st) { (void)st; }

size_t ct_memory(const void *st)
{
    const struct ct_base *b = st;
    return b->size + (b->held ? CT_HOLD_MAX : 0);
}

void ct_free(void *st)
{
    struct ct_base *b = st;
    if (b) {
        free(b->held);
        free(b);
    }
}

const void *ct_summary_of(const void *st) { return &((const struct ct_base *)st)->sum; }

const uint8_t *ct_held(void *st, int *from_client, size_t *n)
{
    struct ct_base *b = st;
    *from_client = 1;
    *n = b->done ? b->held_len : 0;
    return b->held;
}

/* ------------------------------------------------------------ how it describes itself */

static const char *const upgrade_words[] = {"none", "requested", "accepted", "refused"};

static void text_or_null(struct jw *w, const char *key, const struct ct_text *t)
{
    if (t->set)
        jw_strn(w, key, t->s, t->len);
    else
        jw_null(w, key);
}

void ct_json(struct jw *w, const void *sum)
{
    const struct ct_summary *s = sum;
    jw_obj_begin(w, s->info->name);
    text_or_null(w, "greeting", &s->greeting);
    text_or_null(w, "first_command", &s->first_command);
    text_or_null(w, "first_response", &s->first_response);
    jw_uint(w, "commands", s->commands);
    jw_uint(w, "responses", s->responses);
    jw_str(w, "upgrade", upgrade_words[s->upgrade < 4 ? s->upgrade : 0]);
    text_or_null(w, "upgrade_command", &s->upgrade_command);
    text_or_null(w, "upgrade_response", &s->upgrade_response);
    if (s->info->tunnel)
        text_or_null(w, "target", &s->target);
    jw_bool(w, "malformed", s->malformed);
    jw_obj_end(w);
}

/* Wire text for a title: cleaned, at most `cols` bytes of it. */
static const char *clean(const struct ct_text *t, char *buf, size_t cap, int ttflags)
{
    tt_clean(buf, cap, t->s, t->len, (unsigned)ttflags);
    return buf;
}

/* What the request asked for, as the title and the label name it ("STARTTLS", "CONNECT host:443"). */
static const char *asked(const struct ct_summary *s, char *buf, size_t cap, int ttflags)
{
    return s->upgrade_command.set ? clean(&s->upgrade_command, buf, cap, ttflags) : s->info->verb;
}

int ct_title(const void *sum, char *text, size_t len, int ttflags)
{
    const struct ct_summary *s = sum;
    char g[112], what[112], ans[112];
    int n = snprintf(text, len, "  %s: %u commands, %u responses", s->info->display, s->commands, s->responses);
    if (s->greeting.set && n > 0 && (size_t)n < len)
        n += snprintf(text + n, len - (size_t)n, ", greeting %s", clean(&s->greeting, g, sizeof g, ttflags));
    if (n <= 0 || (size_t)n >= len)
        return 1;
    const char *a = asked(s, what, sizeof what, ttflags);
    const char *r = s->upgrade_response.set ? clean(&s->upgrade_response, ans, sizeof ans, ttflags) : "";
    switch (s->upgrade) {
    case CT_UP_NONE:
        snprintf(text + n, len - (size_t)n, "; no %s", s->info->verb);
        break;
    case CT_UP_REQUESTED:
        snprintf(text + n, len - (size_t)n, "; %s asked, no answer seen", a);
        break;
    case CT_UP_ACCEPTED:
        snprintf(text + n, len - (size_t)n, "; %s accepted%s%s%s: %s", a, *r ? " (" : "", r, *r ? ")" : "",
                 s->info->tunnel ? "tunnel open" : "TLS follows");
        break;
    default:
        snprintf(text + n, len - (size_t)n, "; %s refused%s%s%s: stays clear text", a, *r ? " (" : "", r,
                 *r ? ")" : "");
        break;
    }
    return 1;
}

void ct_label(const void *sum, char *buf, size_t len, int ttflags)
{
    const struct ct_summary *s = sum;
    char t[112];
    if (s->info->tunnel && s->target.set)
        snprintf(buf, len, "%s %s%s", s->info->display, clean(&s->target, t, sizeof t, ttflags),
                 s->upgrade == CT_UP_REFUSED ? " refused" : "");
    else if (s->upgrade != CT_UP_NONE)
        snprintf(buf, len, "%s %s %s", s->info->display, s->info->verb, upgrade_words[s->upgrade < 4 ? s->upgrade : 0]);
    else if (s->greeting.set)
        snprintf(buf, len, "%s %s", s->info->display, clean(&s->greeting, t, sizeof t, ttflags));
    else
        snprintf(buf, len, "%s", s->info->display);
}

void ct_cells(const void *sum, struct proto_cells *out)
{
    const struct ct_summary *s = sum;
    out->version[0] = '\0';
    out->verdict = s->upgrade == CT_UP_REFUSED ? "refused" : NULL;
    out->verdict_index = -1;
    out->name = s->info->tunnel && s->target.set ? s->target.s : NULL;
    out->name_len = out->name ? s->target.len : 0;
}

void ct_search(const void *sum, char *buf, size_t len)
{
    const struct ct_summary *s = sum;
    snprintf(buf, len, "%s %s %s%s%s", s->info->name, s->info->verb, upgrade_words[s->upgrade < 4 ? s->upgrade : 0],
             s->target.set ? " " : "", s->target.set ? s->target.s : "");
}

int ct_failed(const void *sum, int finished)
{
    (void)finished;
    return ((const struct ct_summary *)sum)->upgrade == CT_UP_REFUSED;
}

void ct_phase(const void *sum, char *buf, size_t len)
{
    snprintf(buf, len, "%s", ((const struct ct_summary *)sum)->info->display);
}
