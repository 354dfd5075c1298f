/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * where.c - the filter language (see where.h): a recursive-descent parser
 * into a small tree, and a one-pass scanner of the connection's JSON text
 * (RFC 8259) that picks out the values of the paths the expression names.
 * Nothing is built for the keys no one asked about.
 */
#include "where.h"

#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 256
#define MAX_SELS 32
#define MAX_VALUES 16       /* values kept per path (an array's elements) */
#define MAX_DEPTH 32
#define PATH_MAX_LEN 256

enum vtype { V_NULL = 1, V_BOOL, V_NUM, V_STR, V_OBJ };

struct wval {
    uint8_t type;
    uint8_t b;
    double num;
    const char *str;  /* unescaped, NUL-terminated (in the scratch, or the literal's own) */
    size_t len;
};

enum unit { U_NONE, U_TIME, U_BYTES };

enum okind { O_PATH = 1, O_LIT };

struct operand {
    uint8_t kind;
    uint8_t unit;     /* a literal number's unit: its value is in seconds or bytes */
    int sel;          /* O_PATH: the selector */
    struct wval lit;  /* O_LIT */
    char *text;       /* a string literal's bytes (owned) */
};

enum nkind { N_OR = 1, N_AND, N_NOT, N_CMP, N_TRUTHY };
enum op { OP_EQ = 1, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_RE };

struct node {
    uint8_t kind, op;
    int a, b;             /* children (N_OR, N_AND, N_NOT) */
    struct operand l, r;  /* N_CMP; N_TRUTHY uses l */
    regex_t *re;          /* OP_RE: compiled from r */
};

struct found {
    int n;                /* values found (at most MAX_VALUES kept) */
    int present;          /* the path exists, whatever its value */
    struct wval v[MAX_VALUES];
};

struct where {
    char *text;
    struct node node[MAX_NODES];
    int nnodes, root;
    char *sel[MAX_SELS];  /* the paths named, as written (aliases resolved) */
    double scale[MAX_SELS]; /* a time literal compared with this path: seconds times this */
    int nsels;
    /* per match */
    struct found found[MAX_SELS];
    char *scratch;        /* unescaped strings */
    size_t slen, scap;
    int oom;
};

/* ------------------------------------------------------------ the lexer */

enum tok {
    T_END, T_LP, T_RP, T_AND, T_OR, T_NOT, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_RE, T_PATH, T_STR, T_NUM,
    T_TRUE, T_FALSE, T_NULL, T_PORT, T_HOST, T_BAD
};

struct parser {
    struct where *w;
    const char *s;
    size_t at;            /* the next byte */
    size_t tok_at;        /* where the current token starts */
    enum tok tok;
    char text[PATH_MAX_LEN]; /* the token's text: a path, a string's bytes, a host */
    size_t text_len;
    double num;
    uint8_t unit;
    char *err;
    size_t errlen;
    size_t *pos;
    int failed;
};

static int fail(struct parser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
    if (p->failed)
        return -1;
    p->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    *p->pos = at;
    return -1;
}

static int is_ident(int c) { return isalnum(c) || c == '_'; }

/* A number and its unit: "100ms" is 0.1 (seconds), "1MB" 1000000 (bytes). */
static int lex_number(struct parser *p)
{
    const char *s = p->s + p->at;
    char *end;
    char buf[64];
    size_t n = 0;
    while (n + 1 < sizeof buf && (isdigit((unsigned char)s[n]) || s[n] == '.' || s[n] == '-' || s[n] == '+' ||
                                  ((s[n] == 'e' || s[n] == 'E') && n && isdigit((unsigned char)s[n - 1]) &&
                                   (isdigit((unsigned char)s[n + 1]) || s[n + 1] == '-' || s[n + 1] == '+'))))
        n++;
    memcpy(buf, s, n);
    buf[n] = '\0';
    double v = strtod(buf, &end);
    if (end == buf || *end)
        return fail(p, p->at, "'%s' is not a number", buf);
    size_t ul = 0;
    while (isalpha((unsigned char)s[n + ul]))
        ul++;
    static const struct {
        const char *name;
        uint8_t unit;
        double scale;
    } units[] = {
        {"ns", U_TIME, 1e-9}, {"us", U_TIME, 1e-6}, {"ms", U_TIME, 1e-3}, {"s", U_TIME, 1},
        {"min", U_TIME, 60},  {"h", U_TIME, 3600},  {"B", U_BYTES, 1},    {"KB", U_BYTES, 1e3},
        {"MB", U_BYTES, 1e6}, {"GB", U_BYTES, 1e9}, {"KiB", U_BYTES, 1024.0},
        {"MiB", U_BYTES, 1048576.0}, {"GiB", U_BYTES, 1073741824.0},
    };
    p->unit = U_NONE;
    if (ul) {
        size_t k;
        for (k = 0; k < sizeof units / sizeof units[0]; k++)
            if (strlen(units[k].name) == ul && !strncmp(units[k].name, s + n, ul))
                break;
        if (k == sizeof units / sizeof units[0])
            return fail(p, p->at + n, "unknown unit '%.*s' (ns us ms s min h, B KB MB GB KiB MiB GiB)", (int)ul,
                        s + n);
        v *= units[k].scale;
        p->unit = units[k].unit;
    }
    p->num = v;
    p->at += n + ul;
    p->tok = T_NUM;
    return 0;
}

static int lex_string(struct parser *p)
{
    size_t i = p->at + 1, n = 0;
    for (;;) {
        char c = p->s[i];
        if (!c)
            return fail(p, p->at, "the string is not closed (a \" is missing)");
        if (c == '"')
            break;
        if (c == '\\') {
            char e = p->s[i + 1];
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
            if (!e)
                return fail(p, i, "the string is not closed (a \" is missing)");
            i++;
        }
        if (n + 1 >= sizeof p->text)
            return fail(p, p->at, "the string is longer than %zu bytes", sizeof p->text - 1);
        p->text[n++] = c;
        i++;
    }
    p->text[n] = '\0';
    p->text_len = n;
    p->at = i + 1;
    p->tok = T_STR;
    return 0;
}

/* A path: keys joined by dots, array indexes in brackets. */
static int lex_path(struct parser *p)
{
    size_t i = p->at, n = 0;
    for (;;) {
        if (!isalpha((unsigned char)p->s[i]) && p->s[i] != '_')
            return fail(p, i, "a key name was expected here");
        while (is_ident((unsigned char)p->s[i])) {
            if (n + 1 >= sizeof p->text)
                return fail(p, p->at, "the path is too long");
            p->text[n++] = p->s[i++];
        }
        while (p->s[i] == '[') {
            size_t open = i++;
            if (!isdigit((unsigned char)p->s[i]))
                return fail(p, i, "an array index (a number) was expected after '['");
            if (n + 1 >= sizeof p->text)
                return fail(p, p->at, "the path is too long");
            p->text[n++] = '[';
            while (isdigit((unsigned char)p->s[i]) && n + 2 < sizeof p->text)
                p->text[n++] = p->s[i++];
            if (p->s[i] != ']')
                return fail(p, open, "the '[' is not closed");
            p->text[n++] = ']';
            i++;
        }
        if (p->s[i] != '.')
            break;
        if (n + 1 >= sizeof p->text)
            return fail(p, p->at, "the path is too long");
        p->text[n++] = '.';
        i++;
    }
    p->text[n] = '\0';
    p->text_len = n;
    p->at = i;
    static const struct {
        const char *word;
        enum tok tok;
    } words[] = {{"true", T_TRUE}, {"false", T_FALSE}, {"null", T_NULL}, {"and", T_AND}, {"or", T_OR},
                 {"not", T_NOT},   {"port", T_PORT},   {"host", T_HOST}};
    p->tok = T_PATH;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (!strcmp(p->text, words[k].word))
            p->tok = words[k].tok;
    return 0;
}

static int next(struct parser *p)
{
    while (isspace((unsigned char)p->s[p->at]))
        p->at++;
    p->tok_at = p->at;
    const char *s = p->s + p->at;
    struct {
        const char *t;
        enum tok tok;
    } ops[] = {{"&&", T_AND}, {"||", T_OR}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE}, {"=~", T_RE},
               {"<", T_LT},   {">", T_GT},  {"!", T_NOT}, {"~", T_RE},  {"(", T_LP},  {")", T_RP},  {"=", T_EQ}};
    if (!*s) {
        p->tok = T_END;
        return 0;
    }
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t l = strlen(ops[k].t);
        if (!strncmp(s, ops[k].t, l)) {
            p->tok = ops[k].tok;
            p->at += l;
            return 0;
        }
    }
    if (*s == '"')
        return lex_string(p);
    if (isdigit((unsigned char)*s) || ((*s == '-' || *s == '.') && isdigit((unsigned char)s[1])))
        return lex_number(p);
    if (isalpha((unsigned char)*s) || *s == '_')
        return lex_path(p);
    p->tok = T_BAD;
    return fail(p, p->at, "unexpected '%c'", *s);
}

/* ------------------------------------------------------------ the parser */

static int new_node(struct parser *p, enum nkind k)
{
    if (p->w->nnodes >= MAX_NODES)
        return fail(p, p->tok_at, "the expression is too long (at most %d terms)", MAX_NODES);
    struct node *n = &p->w->node[p->w->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = (uint8_t)k;
    return p->w->nnodes++;
}

/* A time literal compared with this key: what one second is in the key's unit. */
static double time_scale(const char *path)
{
    size_t l = strlen(path);
    if (l > 3 && !strcmp(path + l - 3, "_ms"))
        return 1e3;
    if (l > 3 && !strcmp(path + l - 3, "_us"))
        return 1e6;
    if (l > 3 && !strcmp(path + l - 3, "_ns"))
        return 1e9;
    return 1;
}

static int selector(struct parser *p, const char *path)
{
    static const struct {
        const char *alias, *key;
    } aliases[] = {{"client.port", "client_port"}, {"client.ip", "client_ip"}, {"server.port", "server_port"},
                   {"server.ip", "server_ip"}, {"client.addr", "client_ip"}, {"server.addr", "server_ip"}};
    for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++)
        if (!strcmp(path, aliases[k].alias))
            path = aliases[k].key;
    struct where *w = p->w;
    for (int i = 0; i < w->nsels; i++)
        if (!strcmp(w->sel[i], path))
            return i;
    if (w->nsels >= MAX_SELS)
        return fail(p, p->tok_at, "too many different keys (at most %d)", MAX_SELS);
    if (!(w->sel[w->nsels] = strdup(path)))
        return fail(p, p->tok_at, "out of memory");
    w->scale[w->nsels] = time_scale(path);
    return w->nsels++;
}

static int operand(struct parser *p, struct operand *o)
{
    memset(o, 0, sizeof *o);
    switch (p->tok) {
    case T_PATH: {
        int s = selector(p, p->text);
        if (s < 0)
            return -1;
        o->kind = O_PATH;
        o->sel = s;
        break;
    }
    case T_STR:
        o->kind = O_LIT;
        if (!(o->text = malloc(p->text_len + 1)))
            return fail(p, p->tok_at, "out of memory");
        memcpy(o->text, p->text, p->text_len + 1);
        o->lit = (struct wval){.type = V_STR, .str = o->text, .len = p->text_len};
        break;
    case T_NUM:
        o->kind = O_LIT;
        o->unit = p->unit;
        o->lit = (struct wval){.type = V_NUM, .num = p->num};
        break;
    case T_TRUE: case T_FALSE:
        o->kind = O_LIT;
        o->lit = (struct wval){.type = V_BOOL, .b = p->tok == T_TRUE};
        break;
    case T_NULL:
        o->kind = O_LIT;
        o->lit = (struct wval){.type = V_NULL};
        break;
    case T_END:
        return fail(p, p->tok_at, "the expression ends where a value was expected");
    default:
        return fail(p, p->tok_at, "a key, a string, a number, true, false or null was expected here");
    }
    return next(p);
}

static int expr(struct parser *p);

/* "port 443": either end's port; "host 10.0.0.1": either end's address. */
static int shorthand(struct parser *p)
{
    int is_port = p->tok == T_PORT;
    size_t at = p->tok_at;
    /* the word alone is a key of that name (none today, but say so plainly) */
    while (isspace((unsigned char)p->s[p->at]))
        p->at++;
    char val[PATH_MAX_LEN];
    size_t n = 0;
    const char *s = p->s + p->at;
    if (*s == '"') {
        if (next(p) < 0)
            return -1;
        snprintf(val, sizeof val, "%s", p->text);
        n = strlen(val);
    } else {
        while ((isalnum((unsigned char)s[n]) || s[n] == ':' || s[n] == '.' || s[n] == '-') && n + 1 < sizeof val) {
            val[n] = s[n];
            n++;
        }
        val[n] = '\0';
        p->at += n;
    }
    if (!n)
        return fail(p, p->at, is_port ? "'port' needs a port number" : "'host' needs an address");
    char *end;
    double port = strtod(val, &end);
    /* whole and in range, NaN refused by the range test (written so that NaN fails it); no floor():
     * libm is not linked, and only optimised builds happened to inline it */
    if (is_port && (*end || !(port >= 0 && port <= 65535) || port != (double)(unsigned)port))
        return fail(p, at + 5, "'port' needs a port number (0 to 65535), not '%s'", val);
    int alt = new_node(p, N_OR);
    if (alt < 0)
        return -1;
    for (int side = 0; side < 2; side++) {
        int c = new_node(p, N_CMP);
        if (c < 0)
            return -1;
        struct node *cmp = &p->w->node[c];
        cmp->op = OP_EQ;
        int s2 = selector(p, is_port ? (side ? "server_port" : "client_port") : (side ? "server_ip" : "client_ip"));
        if (s2 < 0)
            return -1;
        cmp = &p->w->node[c];
        cmp->l = (struct operand){.kind = O_PATH, .sel = s2};
        if (is_port) {
            cmp->r = (struct operand){.kind = O_LIT, .lit = {.type = V_NUM, .num = port}};
        } else {
            char *t = strdup(val);
            if (!t)
                return fail(p, at, "out of memory");
            cmp->r = (struct operand){.kind = O_LIT, .text = t, .lit = {.type = V_STR, .str = t, .len = n}};
        }
        if (side == 0)
            p->w->node[alt].a = c;
        else
            p->w->node[alt].b = c;
    }
    if (next(p) < 0)
        return -1;
    return alt;
}

static int unary(struct parser *p)
{
    if (p->failed)
        return -1;
    if (p->tok == T_NOT) {
        if (next(p) < 0)
            return -1;
        int a = unary(p);
        if (a < 0)
            return -1;
        int n = new_node(p, N_NOT);
        if (n >= 0)
            p->w->node[n].a = a;
        return n;
    }
    if (p->tok == T_LP) {
        size_t open = p->tok_at;
        if (next(p) < 0)
            return -1;
        int e = expr(p);
        if (e < 0)
            return -1;
        if (p->tok != T_RP)
            return fail(p, p->tok == T_END ? open : p->tok_at,
                        p->tok == T_END ? "the '(' is not closed" : "a ')' was expected here");
        if (next(p) < 0)
            return -1;
        return e;
    }
    if (p->tok == T_PORT || p->tok == T_HOST)
        return shorthand(p);
    size_t left_at = p->tok_at;
    struct operand l;
    if (operand(p, &l) < 0)
        return -1;
    enum op op;
    switch (p->tok) {
    case T_EQ: op = OP_EQ; break;
    case T_NE: op = OP_NE; break;
    case T_LT: op = OP_LT; break;
    case T_LE: op = OP_LE; break;
    case T_GT: op = OP_GT; break;
    case T_GE: op = OP_GE; break;
    case T_RE: op = OP_RE; break;
    default:
        if (l.kind != O_PATH) {
            free(l.text);
            return fail(p, left_at, "a value alone is not a condition: compare it with a key");
        }
        int t = new_node(p, N_TRUTHY);
        if (t >= 0)
            p->w->node[t].l = l;
        return t;
    }
    size_t op_at = p->tok_at;
    if (next(p) < 0) {
        free(l.text);
        return -1;
    }
    size_t right_at = p->tok_at;
    struct operand r;
    if (operand(p, &r) < 0) {
        free(l.text);
        return -1;
    }
    int n = new_node(p, N_CMP);
    if (n < 0) {
        free(l.text);
        free(r.text);
        return -1;
    }
    struct node *nd = &p->w->node[n];
    nd->op = (uint8_t)op;
    nd->l = l;
    nd->r = r;
    if (op == OP_RE) {
        if (r.kind != O_LIT || r.lit.type != V_STR)
            return fail(p, right_at, "'~' needs a regular expression in double quotes on its right");
        nd->re = malloc(sizeof *nd->re);
        int rc = nd->re ? regcomp(nd->re, r.text, REG_EXTENDED | REG_NOSUB) : REG_ESPACE;
        if (rc) {
            char msg[128] = "out of memory";
            if (nd->re)
                regerror(rc, nd->re, msg, sizeof msg);
            free(nd->re);
            nd->re = NULL;
            return fail(p, right_at, "bad regular expression: %s", msg);
        }
    } else if (l.kind == O_LIT && r.kind == O_LIT) {
        return fail(p, op_at, "two values compared: one side must be a key");
    } else if ((l.kind == O_LIT && l.lit.type == V_NULL && op != OP_EQ && op != OP_NE) ||
               (r.kind == O_LIT && r.lit.type == V_NULL && op != OP_EQ && op != OP_NE)) {
        return fail(p, op_at, "null is only compared with == or !=");
    }
    return n;
}

static int binary(struct parser *p, enum tok tok, enum nkind kind, int (*sub)(struct parser *))
{
    int a = sub(p);
    while (a >= 0 && p->tok == tok) {
        if (next(p) < 0)
            return -1;
        int b = sub(p);
        if (b < 0)
            return -1;
        int n = new_node(p, kind);
        if (n < 0)
            return -1;
        p->w->node[n].a = a;
        p->w->node[n].b = b;
        a = n;
    }
    return a;
}

static int and_expr(struct parser *p) { return binary(p, T_AND, N_AND, unary); }
static int expr(struct parser *p) { return binary(p, T_OR, N_OR, and_expr); }

struct where *where_compile(const char *text, char *err, size_t errlen, size_t *pos)
{
    size_t dummy;
    if (!pos)
        pos = &dummy;
    struct where *w = calloc(1, sizeof *w);
    if (!w || !(w->text = strdup(text))) {
        snprintf(err, errlen, "out of memory");
        *pos = 0;
        free(w);
        return NULL;
    }
    struct parser p = {.w = w, .s = text, .err = err, .errlen = errlen, .pos = pos};
    if (next(&p) == 0) {
        if (p.tok == T_END)
            fail(&p, 0, "the expression is empty");
        else {
            w->root = expr(&p);
            if (w->root >= 0 && p.tok != T_END)
                fail(&p, p.tok_at, p.tok == T_RP ? "this ')' closes nothing" : "'&&' or '||' was expected here");
        }
    }
    if (p.failed) {
        where_free(w);
        return NULL;
    }
    return w;
}

const char *where_text(const struct where *w) { return w->text; }

void where_free(struct where *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->nnodes; i++) {
        struct node *n = &w->node[i];
        free(n->l.text);
        free(n->r.text);
        if (n->re) {
            regfree(n->re);
            free(n->re);
        }
    }
    for (int i = 0; i < w->nsels; i++)
        free(w->sel[i]);
    free(w->scratch);
    free(w->text);
    free(w);
}

/* ------------------------------------------------------------ the JSON scanner */

struct scan {
    struct where *w;
    const char *p, *end;
    char path[PATH_MAX_LEN], bare[PATH_MAX_LEN]; /* with indexes, and without them */
    size_t plen;
};

static void ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\t' || *s->p == '\r'))
        s->p++;
}

/* The path without its array indexes: "tunnels[0].type" is also "tunnels.type". */
static void strip(struct scan *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->plen && n + 1 < sizeof s->bare; i++) {
        if (s->path[i] == '[') {
            while (i < s->plen && s->path[i] != ']')
                i++;
            continue;
        }
        s->bare[n++] = s->path[i];
    }
    s->bare[n] = '\0';
}

static void record(struct scan *s, const struct wval *v)
{
    struct where *w = s->w;
    s->path[s->plen] = '\0';
    strip(s);
    for (int i = 0; i < w->nsels; i++) {
        if (strcmp(w->sel[i], s->path) && strcmp(w->sel[i], s->bare))
            continue;
        struct found *f = &w->found[i];
        f->present = 1;
        if (v->type != V_OBJ && f->n < MAX_VALUES)
            f->v[f->n++] = *v;
    }
}

/* Copy into the scratch; the address may move as it grows: strings are kept as offsets until the end. */
static size_t keep(struct where *w, const char *b, size_t n)
{
    if (w->slen + n + 1 > w->scap) {
        size_t cap = w->scap ? w->scap : 1024;
        while (cap < w->slen + n + 1)
            cap *= 2;
        char *nb = realloc(w->scratch, cap);
        if (!nb) {
            w->oom = 1;
            return (size_t)-1;
        }
        w->scratch = nb;
        w->scap = cap;
    }
    size_t at = w->slen;
    memcpy(w->scratch + at, b, n);
    w->scratch[at + n] = '\0';
    w->slen += n + 1;
    return at;
}

static void put_utf8(char *b, size_t *n, size_t cap, uint32_t cp)
{
    unsigned char u[4];
    size_t l;
    if (cp < 0x80)
        u[0] = (unsigned char)cp, l = 1;
    else if (cp < 0x800)
        u[0] = (unsigned char)(0xc0 | cp >> 6), u[1] = (unsigned char)(0x80 | (cp & 0x3f)), l = 2;
    else if (cp < 0x10000)
        u[0] = (unsigned char)(0xe0 | cp >> 12), u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)),
        u[2] = (unsigned char)(0x80 | (cp & 0x3f)), l = 3;
    else
        u[0] = (unsigned char)(0xf0 | cp >> 18), u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f)),
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (unsigned char)(0x80 | (cp & 0x3f)), l = 4;
    if (*n + l < cap) {
        memcpy(b + *n, u, l);
        *n += l;
    }
}

static int hex4(const char *p, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d = isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        *v = *v << 4 | (uint32_t)d;
    }
    return 0;
}

/* A string at s->p (the opening quote), unescaped into buf; -1 when malformed. */
static int string(struct scan *s, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    s->p++;
    while (s->p < s->end && *s->p != '"') {
        char c = *s->p++;
        if (c != '\\') {
            if (n + 1 < cap)
                buf[n++] = c;
            continue;
        }
        if (s->p >= s->end)
            return -1;
        char e = *s->p++;
        uint32_t cp;
        switch (e) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u':
            if (s->end - s->p < 4 || hex4(s->p, &cp) < 0)
                return -1;
            s->p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u') {
                uint32_t lo;
                if (hex4(s->p + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    s->p += 6;
                }
            }
            put_utf8(buf, &n, cap, cp);
            continue;
        default: c = e; break;
        }
        if (n + 1 < cap)
            buf[n++] = c;
    }
    if (s->p >= s->end)
        return -1;
    s->p++;
    buf[n] = '\0';
    *len = n;
    return 0;
}

static int value(struct scan *s, int depth);

static int push(struct scan *s, const char *piece, size_t n, int dot)
{
    if (s->plen + n + 2 >= sizeof s->path)
        return -1;
    if (dot && s->plen)
        s->path[s->plen++] = '.';
    memcpy(s->path + s->plen, piece, n);
    s->plen += n;
    return 0;
}

static int container(struct scan *s, int depth, int is_obj)
{
    struct wval obj = {.type = V_OBJ};
    if (s->plen)
        record(s, &obj);
    size_t base = s->plen;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == (is_obj ? '}' : ']')) {
        s->p++;
        return 0;
    }
    for (unsigned idx = 0;; idx++) {
        ws(s);
        if (is_obj) {
            char key[128];
            size_t kl;
            if (s->p >= s->end || *s->p != '"' || string(s, key, sizeof key, &kl) < 0)
                return -1;
            ws(s);
            if (s->p >= s->end || *s->p != ':')
                return -1;
            s->p++;
            if (push(s, key, kl, 1) < 0)
                return -1;
        } else {
            char ix[16];
            int n = snprintf(ix, sizeof ix, "[%u]", idx);
            if (push(s, ix, (size_t)n, 0) < 0)
                return -1;
        }
        if (value(s, depth + 1) < 0)
            return -1;
        s->plen = base;
        ws(s);
        if (s->p >= s->end)
            return -1;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == (is_obj ? '}' : ']')) {
            s->p++;
            return 0;
        }
        return -1;
    }
}

static int value(struct scan *s, int depth)
{
    ws(s);
    if (s->p >= s->end || depth > MAX_DEPTH)
        return -1;
    struct wval v = {0};
    char c = *s->p;
    if (c == '{' || c == '[')
        return container(s, depth, c == '{');
    if (c == '"') {
        char buf[1024];
        size_t n;
        if (string(s, buf, sizeof buf, &n) < 0)
            return -1;
        size_t at = keep(s->w, buf, n);
        if (at == (size_t)-1)
            return -1;
        v = (struct wval){.type = V_STR, .str = (const char *)(uintptr_t)at, .len = n}; /* an offset for now */
    } else if (c == 't' || c == 'f' || c == 'n') {
        const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t l = strlen(word);
        if ((size_t)(s->end - s->p) < l || strncmp(s->p, word, l))
            return -1;
        s->p += l;
        v = c == 'n' ? (struct wval){.type = V_NULL} : (struct wval){.type = V_BOOL, .b = c == 't'};
    } else {
        char buf[64];
        size_t n = 0;
        while (s->p + n < s->end && n + 1 < sizeof buf && (isdigit((unsigned char)s->p[n]) || strchr("+-.eE", s->p[n])))
            n++;
        if (!n)
            return -1;
        memcpy(buf, s->p, n);
        buf[n] = '\0';
        s->p += n;
        v = (struct wval){.type = V_NUM, .num = strtod(buf, NULL)};
    }
    record(s, &v);
    return 0;
}

/* ------------------------------------------------------------ evaluation */

static int cmp_num(double a, enum op op, double b)
{
    switch (op) {
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    default: return 0;
    }
}

/* One pair of values; -1 when they cannot be compared (then the comparison is false). */
static int pair(const struct node *n, const struct wval *a, const struct wval *b)
{
    int null_lit = (n->l.kind == O_LIT && n->l.lit.type == V_NULL) || (n->r.kind == O_LIT && n->r.lit.type == V_NULL);
    enum op op = (enum op)n->op;
    if (op == OP_RE) {
        char num[64];
        const char *text = a->str;
        if (a->type == V_NUM) {
            snprintf(num, sizeof num, "%.15g", a->num);
            text = num;
        } else if (a->type != V_STR) {
            return -1;
        }
        return regexec(n->re, text, 0, NULL, 0) == 0;
    }
    if (null_lit) /* "== null", "!= null": what the key holds is null, or not */
        return op == OP_EQ ? a->type == b->type : a->type != b->type;
    if (a->type == V_NULL || b->type == V_NULL)
        return -1;
    if (a->type != b->type)
        return -1;
    switch (a->type) {
    case V_NUM: return cmp_num(a->num, op, b->num);
    case V_BOOL: return op == OP_EQ ? a->b == b->b : op == OP_NE ? a->b != b->b : -1;
    case V_STR: {
        size_t l = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->str, b->str, l);
        if (!c)
            c = (a->len > b->len) - (a->len < b->len);
        return cmp_num(c, op, 0);
    }
    default: return -1;
    }
}

/* An operand's values: a path's, or the literal (a time converted to the other side's unit). */
static int values(struct where *w, const struct operand *o, const struct operand *other, const struct wval **out,
                  struct wval *tmp)
{
    if (o->kind == O_PATH) {
        *out = w->found[o->sel].v;
        return w->found[o->sel].n;
    }
    *tmp = o->lit;
    if (o->unit == U_TIME && other->kind == O_PATH)
        tmp->num *= w->scale[other->sel];
    *out = tmp;
    return 1;
}

static int truthy(const struct found *f)
{
    if (!f->present)
        return 0;
    if (!f->n)
        return 1; /* an object or an array */
    for (int i = 0; i < f->n; i++) {
        const struct wval *v = &f->v[i];
        if ((v->type == V_BOOL && v->b) || (v->type == V_NUM && v->num != 0) || (v->type == V_STR && v->len))
            return 1;
    }
    return 0;
}

static int eval(struct where *w, int i)
{
    const struct node *n = &w->node[i];
    switch (n->kind) {
    case N_OR: return eval(w, n->a) || eval(w, n->b);
    case N_AND: return eval(w, n->a) && eval(w, n->b);
    case N_NOT: return !eval(w, n->a);
    case N_TRUTHY: return truthy(&w->found[n->l.sel]);
    case N_CMP: {
        const struct wval *a, *b;
        struct wval ta, tb;
        int na = values(w, &n->l, &n->r, &a, &ta), nb = values(w, &n->r, &n->l, &b, &tb);
        if (n->op == OP_RE)
            nb = 1;
        int any = 0, all_ne = 1, compared = 0;
        for (int x = 0; x < na; x++)
            for (int y = 0; y < nb; y++) {
                if (n->op == OP_NE) { /* none of the values equals: "!=" is "not ==" over what is there */
                    struct node eq = *n;
                    eq.op = OP_EQ;
                    int r = pair(&eq, &a[x], &b[y]);
                    if (r < 0)
                        continue;
                    compared = 1;
                    if (r)
                        all_ne = 0;
                    continue;
                }
                if (pair(n, &a[x], &b[y]) == 1)
                    any = 1;
            }
        return n->op == OP_NE ? compared && all_ne : any;
    }
    default: return 0;
    }
}

int where_match(struct where *w, const char *json, size_t len)
{
    for (int i = 0; i < w->nsels; i++) {
        w->found[i].n = 0;
        w->found[i].present = 0;
    }
    w->slen = 0;
    w->oom = 0;
    struct scan s = {.w = w, .p = json, .end = json + len};
    if (value(&s, 0) < 0 || w->oom)
        return 0;
    /* the strings were kept as offsets while the scratch could move: now they are addresses */
    for (int i = 0; i < w->nsels; i++)
        for (int k = 0; k < w->found[i].n; k++)
            if (w->found[i].v[k].type == V_STR)
                w->found[i].v[k].str = w->scratch + (uintptr_t)w->found[i].v[k].str;
    return eval(w, w->root);
}

int where_value(const char *json, size_t len, const char *path, char *out, size_t cap)
{
    char err[WHERE_ERRLEN];
    struct where *w = where_compile(path, err, sizeof err, NULL);
    if (!w || w->nsels != 1 || !cap) {
        where_free(w);
        return 0;
    }
    where_match(w, json, len);
    const struct found *f = &w->found[0];
    int ok = 0;
    if (f->n && f->v[0].type == V_STR) {
        snprintf(out, cap, "%s", f->v[0].str);
        ok = 1;
    } else if (f->n && f->v[0].type == V_NUM) {
        snprintf(out, cap, "%.15g", f->v[0].num);
        ok = 1;
    }
    where_free(w);
    return ok;
}

void where_quote(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    if (cap < 3) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[n++] = '"';
    for (; *s && n + 3 < cap; s++) {
        if (*s == '"' || *s == '\\')
            out[n++] = '\\';
        out[n++] = *s;
    }
    out[n++] = '"';
    out[n] = '\0';
}
